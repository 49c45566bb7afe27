/*
 * client/nta_backend.h — what one resolver driver of `ntactl nta` is: a
 * file client/nta_drv_NAME.c exporting one struct nta_backend, and a row
 * of nta_backends[] (client/nta_driver.c). Adding a driver is that file,
 * that row and its line in Makefile.am; nothing else names a driver.
 *
 * nta_driver.c owns the public interface (nta_driver.h): it picks the
 * backend, checks the options, refuses the root, applies the lifetime
 * rule (renew), and hands the backend only what it must do. The helpers
 * below are shared by the backends that run a control program.
 */
#ifndef NTARELAY_CLIENT_NTA_BACKEND_H
#define NTARELAY_CLIENT_NTA_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "client/nta_driver.h"
#include "client/nta_run.h"

struct nta_backend {
	const char *name;              /* --driver NAME */
	const char *program;           /* default control program, NULL: none */
	const char *program_opt;       /* the option naming it ("rndc"), NULL */
	bool resolver_lifetime;        /* the resolver ends the NTA itself:
	                                  a renewal adds it again */
	bool opt_control_config;       /* takes --control-config */
	bool opt_dirs;                 /* takes --config-dir, --socket-dir */
	bool opt_control_socket;       /* takes --control-socket */
	bool stdout_error;             /* "error ..." on standard output with
	                                  exit 0 is a failure (unbound-control) */
	bool opt_recheck;              /* takes --no-recheck; without it the
	                                  resolver lifts NTAs itself */
	bool opt_feed;                 /* takes --feed-zone, --feed-file,
	                                  --feed-type, --reload-cmd */

	/* Check conf and set up d->state; NULL: nothing to do. 0, or -1
	 * with why filled. */
	int (*open)(struct nta_driver *d, char *why, size_t whylen);
	/* Free d->state; NULL: nothing to free. */
	void (*close)(struct nta_driver *d);
	/* The connection options after the program (argv from argv[*n]);
	 * NULL: none. */
	void (*conn_args)(const struct nta_driver *d, char **argv, size_t *n);
	/* nta_driver_list(), nta_driver_add() (the root refused and the
	 * renewal rule applied already), nta_driver_remove(). */
	int (*list)(struct nta_driver *d, struct nta_present *p, char *why,
	    size_t whylen);
	int (*add)(struct nta_driver *d, const char *zone, long long lifetime,
	    long long until, const char *reason, const char *note, bool dry_run,
	    json_t *commands, char *why, size_t whylen);
	int (*remove)(struct nta_driver *d, const char *zone, const char *reason,
	    bool dry_run, json_t *commands, char *why, size_t whylen);
	/* nta_driver_commit(); NULL: every call took effect at once. */
	int (*commit)(struct nta_driver *d, bool dry_run, json_t *commands,
	    char *why, size_t whylen);
};

struct nta_driver {
	const struct nta_backend *b;
	const struct nta_driver_conf *c;
	const char *program;           /* c->program, or the backend's */
	void *state;                   /* the backend's own (open, close) */
};

/* The drivers, one file each. */
extern const struct nta_backend nta_drv_unbound, nta_drv_bind, nta_drv_knot,
    nta_drv_powerdns, nta_drv_exec, nta_drv_feedzone;

/* argv = the driver's program and its connection options, then args
 * (NULL-terminated); argv has NTA_RUN_ARGV_MAX slots. */
void nta_driver_argv(const struct nta_driver *d, char **argv,
    const char *const *args);

/*
 * Run argv (with environment envp, NULL: ours; show: what to print before
 * the command). The line goes to commands; with dry_run that is all. On
 * success with r not NULL, r holds the output (caller frees). 0, or -1
 * with why filled.
 */
int nta_driver_cmd(const struct nta_driver *d, char **argv, char **envp,
    const char *show, bool dry_run, json_t *commands,
    struct nta_run_result *r, char *why, size_t whylen);

/* nta_driver_argv() of args, then nta_driver_cmd() without output. */
int nta_driver_run(const struct nta_driver *d, const char *const *args,
    bool dry_run, json_t *commands, char *why, size_t whylen);

/* Each line of text (len bytes) that is not blank and not a "#" comment,
 * trimmed, cut at the first tab or space when cut, appended to p. */
int nta_present_lines(struct nta_present *p, const char *text, size_t len,
    bool cut);

/* True when p holds raw (len bytes) as written. */
bool nta_present_has_raw(const struct nta_present *p, const char *raw,
    size_t len);

/* Remove zone from p (every spelling of it). */
void nta_present_remove(struct nta_present *p, const char *zone);

#endif
