/*
 * client/nta_driver.h — the resolvers `ntactl nta` can place run-time
 * Negative Trust Anchors on, behind one interface: list, add (or renew),
 * remove. Facts per resolver: /work/shared/TESTBED.md §5, ntactl(1). Each
 * driver is a file of its own, client/nta_drv_NAME.c (nta_backend.h).
 *
 *   unbound   unbound-control [-c F] list_insecure | insecure_add Z +
 *             flush_zone Z | insecure_remove Z + flush_zone Z
 *   bind      rndc [-c F] nta -dump | nta -lifetime Ns [-force] Z |
 *             nta -remove Z (-force only with --no-recheck)
 *   knot      kresd control socket: trust_anchors.set_insecure({FULL LIST})
 *             + cache.clear('Z') (the list is replaced as a whole, so the
 *             names already there, ours or not, are always sent back)
 *   powerdns  rec_control [--config-dir=D] [--socket-dir=S] get-ntas |
 *             add-nta Z NOTE | clear-nta Z
 *   exec      PROGRAM with NTA_ACTION=list|add|remove, NTA_ZONE,
 *             NTA_LIFETIME, NTA_UNTIL, NTA_RELAY, NTA_REASON, NTA_NOTE
 *   feedzone  an NTA feed zone file (draft-muks-dns-nta-feed-zones-00),
 *             written whole at the end of a pass (nta_driver_commit),
 *             then the authoritative server's reload command
 *
 * NOTE is the short text a resolver keeps with an NTA ("ntarelay incident
 * ID until TIME URL"): ASCII, no shell metacharacters (nta_sync.c).
 *
 * Programs run through nta_run (fork + execvp, bounded, timed out), never a
 * shell. Every command a call runs, or would run with dry_run, is appended
 * as one printable line to the caller's JSON array `commands`. This module
 * never prints.
 */
#ifndef NTARELAY_CLIENT_NTA_DRIVER_H
#define NTARELAY_CLIENT_NTA_DRIVER_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "proto/zone.h"

struct nta_driver_conf {
	const char *driver;          /* unbound, bind, knot, powerdns, exec,
	                                feedzone */
	const char *program;         /* control program (NULL: the default) */
	const char *control_config;  /* unbound-control / rndc -c FILE */
	const char *config_dir;      /* rec_control --config-dir */
	const char *socket_dir;      /* rec_control --socket-dir */
	const char *control_socket;  /* kresd control socket */
	const char *relay;           /* for the exec driver's NTA_RELAY */
	int timeout;                 /* seconds per command */
	bool no_recheck;             /* bind: -force (no early lift) */
	const char *feed_zone;       /* feedzone: the feed zone's name */
	const char *feed_file;       /* feedzone: the zone file written */
	unsigned feed_type;          /* feedzone: RR type code, 0: default */
	const char *reload_cmd;      /* feedzone: reload command, NULL: none */
};

/* The NTAs a resolver has now. */
struct nta_present {
	char **zone;     /* normalised protocol form, or NULL when the
	                    resolver's name is not one (foreign, shown raw) */
	char **raw;      /* as the resolver wrote it, control chars as '?' */
	size_t n;
};

struct nta_driver;

/* True when name is a driver this version has. */
bool nta_driver_known(const char *name);

/* The default control program of driver ("unbound-control"), or NULL. */
const char *nta_driver_default_program(const char *name);

/* The name of the i-th driver (0, 1, ...), NULL past the last. */
const char *nta_driver_at(size_t i);

/* The drivers' names as a list ("unbound, bind, ... or exec") into out. */
const char *nta_driver_names(char *out, size_t len);

/* Whether the driver conf->driver takes the options conf gives, and
 * program_opt (the option that named the program, "rndc"; NULL: none). */
bool nta_driver_accepts(const struct nta_driver_conf *conf,
    const char *program_opt);

/*
 * A driver for conf (borrowed: it must outlive the driver). Returns a new
 * driver (nta_driver_free), or NULL with why filled (unknown driver, a
 * required option missing).
 */
struct nta_driver *nta_driver_new(const struct nta_driver_conf *conf,
    char *why, size_t whylen);
void nta_driver_free(struct nta_driver *d);
const char *nta_driver_name(const struct nta_driver *d);

/*
 * The NTAs the resolver has now, into p (initialised here; free with
 * nta_present_free). Read-only, also run with dry_run. Returns 0, or -1
 * with why filled (the command, its exit status and output).
 */
int nta_driver_list(struct nta_driver *d, struct nta_present *p, char *why,
    size_t whylen);

/* True when p holds zone (protocol form). */
bool nta_present_has(const struct nta_present *p, const char *zone);
void nta_present_free(struct nta_present *p);

/*
 * Place an NTA on zone for lifetime seconds, to end at until (unix s),
 * with reason (the relay's, may be NULL) and note (the short text a
 * resolver keeps, may be NULL). With renew and present, drivers whose NTAs
 * have no lifetime on the resolver (unbound, knot, powerdns) run nothing;
 * bind and exec issue the add again with the new lifetime. With dry_run
 * nothing is run. Returns 0, or -1 with why filled.
 */
int nta_driver_add(struct nta_driver *d, const char *zone, long long lifetime,
    long long until, const char *reason, const char *note, bool renew,
    bool present, bool dry_run, json_t *commands, char *why, size_t whylen);

/* Remove the NTA on zone (flushing what the resolver cached under it). */
int nta_driver_remove(struct nta_driver *d, const char *zone,
    const char *reason, bool dry_run, json_t *commands, char *why,
    size_t whylen);

/*
 * The end of a pass: drivers that gather the pass's changes (feedzone)
 * apply them now; the others have nothing to do. The commands run (or,
 * with dry_run, that would run) go to commands. 0; -1 with why filled:
 * the changes of the pass did not reach the resolver; 1 with why filled:
 * they did (the feed file is written), a later step failed (its reload).
 */
int nta_driver_commit(struct nta_driver *d, bool dry_run, json_t *commands,
    char *why, size_t whylen);

/* True when the resolver lifts an NTA itself once the zone validates
 * again (BIND's recheck, unless --no-recheck): an NTA of ours it no
 * longer has while the recommendation is held (phase recovering) is
 * then not re-added. */
bool nta_driver_rechecks(const struct nta_driver *d);

/* Append a name to p (raw as read; zone normalised when it is a name). */
int nta_present_add(struct nta_present *p, const char *raw, size_t len);

#endif
