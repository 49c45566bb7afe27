/*
 * lib/probe.h — the DNSSEC probe: a validating libunbound context that
 * watches zones and builds the kind-specific fields of an `observation`
 * (docs/PROTOCOL.md 6.1), evidence and failure fingerprint included.
 *
 * Two libunbound contexts, both asynchronous:
 *   - the validating context (trust anchor: the root KSK DS records, or
 *     a trust-anchor file of DS/DNSKEY lines) gives the state and reason;
 *   - the "+cd" context has no trust anchor, so it returns what the
 *     servers actually serve (validation is a no-op): the evidence
 *     (DNSKEY/DS digests and key tags, RRSIG windows) comes from its answer
 *     packets, parsed with ldns.
 * and, for the SOA serial of each authoritative server, plain UDP queries
 * (RD=0) from two non-blocking sockets (IPv4, IPv6). Every descriptor must
 * be watched (probe_fds) and probe_process() called when one is readable
 * or when probe_timeout() says so; nothing here ever blocks.
 *
 * For each zone the probe asks, in both contexts: SOA, DNSKEY and NS at the
 * apex, DS (answered by the parent; not for the root), A for each
 * configured name, and A for a random name below the zone (NXDOMAIN:
 * exercises NSEC/NSEC3).
 *
 * When the +cd NS answer is in, the probe looks up the addresses of the NS
 * names (A and AAAA, +cd context; at most PROBE_SERVERS_MAX names in name
 * order, PROBE_SERVER_ADDRS addresses each) and asks each address for the
 * zone's SOA, without recursion, at port 53 or, when the probe forwards to
 * ADDR@PORT (test beds where every server shares one port), at PORT. Only
 * authoritative answers (AA, NOERROR, the zone's SOA) count; a server that
 * does not give one within PROBE_SOA_TIMEOUT_MS of the NS answer is left
 * out, so a dead server delays an observation by that much at most.
 *
 * State: bogus when any query is bogus; otherwise insecure when the SOA is
 * insecure; secure when all are secure (a configured name may be insecure,
 * below an unsigned delegation); otherwise (timeouts, SERVFAIL, errors)
 * indeterminate. qname/qtype name the first failing query in the order
 * above (the zone's SOA when none fails). rcode is libunbound's rcode of
 * that query in the validating context. The fingerprint (section 9) is set
 * only when bogus; its RRSIGs come from the +cd view: those over the apex
 * SOA, DNSKEY and NS RRsets when SOA, DNSKEY, NS or DS fails; else, when
 * configured names fail, those over their answers (or, for a negative
 * answer, its proof) in configuration order; else those of the random
 * name's proof of non-existence.
 */
#ifndef NTARELAY_RELAY_PROBE_H
#define NTARELAY_RELAY_PROBE_H

#include <stddef.h>

#include <jansson.h>

#define PROBE_NAMES_MAX 8           /* names asked in a zone beside the apex */
#define PROBE_SERVERS_MAX 8         /* NS names asked for their SOA serial */
#define PROBE_SERVER_ADDRS 4        /* addresses asked per NS name */
#define PROBE_SOA_TIMEOUT_MS 5000   /* the per-server SOA phase, at most */
#define PROBE_FDS_MAX 4             /* validating, +cd, UDP/IPv4, UDP/IPv6 */

struct probe;

/*
 * trust_anchor_file: a file of DS or DNSKEY lines, or NULL for the root
 * KSKs (20326, 38696). forward: "ADDR[@PORT]" to forward every query to
 * (tests), or NULL to recurse from the root. Returns NULL with a message
 * in err on failure.
 */
struct probe *probe_new(const char *trust_anchor_file, const char *forward,
    char *err, size_t errlen);

/* The name put in `vantage` (1-64 bytes; default "probe"). Copied. */
void probe_set_vantage(struct probe *p, const char *vantage);

/*
 * The descriptors to watch for POLLIN, into fds (at most max, which
 * PROBE_FDS_MAX always satisfies); returns how many. They change when a
 * round starts (probe_zone() makes the libunbound contexts anew while
 * nothing is in flight, so that nothing a validator remembers outlives a
 * round) and when the SOA queries start and end (the sockets are closed
 * when none is in flight): read them again after every probe_zone() and
 * probe_process(), before anything else can open a descriptor.
 */
int probe_fds(struct probe *p, int *fds, int max);

/*
 * Milliseconds until probe_process() must run even if no descriptor is
 * readable (a retransmission, the end of an SOA phase), 0 when it is due
 * now, -1 when nothing waits for time.
 */
int probe_timeout(struct probe *p);

typedef void (*probe_done_cb)(void *arg, json_t *observation_fields);

/*
 * Start probing zone (protocol form: lowercase, absolute), and A for each
 * of names[0..nnames-1] (borrowed, copied; protocol form, each the zone or
 * below it, at most PROBE_NAMES_MAX; names may be NULL when nnames is 0).
 * done is called once, from probe_process(), with a new object (the callee
 * owns it: json_decref when done). Returns 0, or -1 when the arguments are
 * wrong or the queries could not be started (done is then not called).
 */
int probe_zone(struct probe *p, const char *zone, const char *const *names,
    size_t nnames, probe_done_cb done, void *arg);

/* Number of probe_zone() calls still running. */
int probe_pending(struct probe *p);

/* Process whatever arrived on every descriptor, send what is due and end
 * the SOA phases whose time is up; does not block. */
void probe_process(struct probe *p);

/* Frees the contexts and sockets; running probes are dropped without a
 * callback. Accepts NULL. */
void probe_free(struct probe *p);

#endif
