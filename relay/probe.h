/*
 * relay/probe.h — the DNSSEC probe: a validating libunbound context that
 * watches zones and builds the kind-specific fields of an `observation`
 * (docs/PROTOCOL.md 6.1), evidence and failure fingerprint included.
 *
 * Two libunbound contexts, both asynchronous:
 *   - the validating context (trust anchor: the root KSK DS records, or
 *     a trust-anchor file of DS/DNSKEY lines) gives the state and reason;
 *   - the "+cd" context has no trust anchor, so it returns what the
 *     servers actually serve (validation is a no-op): the evidence
 *     (DNSKEY/DS digests and key tags, RRSIG windows, SOA serial) comes
 *     from its answer packets, parsed with ldns.
 * Both descriptors must be watched (probe_fd, probe_fd_cd); when either is
 * readable, call probe_process(), which processes both (never blocks).
 *
 * For each zone the probe asks, in both contexts: SOA, DNSKEY and NS at the
 * apex, DS (answered by the parent; not for the root) and A for a random
 * name below the zone (NXDOMAIN: exercises NSEC/NSEC3).
 *
 * State: bogus when any query is bogus; otherwise insecure when the SOA is
 * insecure; secure when all are secure; otherwise (timeouts, SERVFAIL,
 * errors) indeterminate. qname/qtype name the first failing query in the
 * order above (the zone's SOA when none fails). rcode is libunbound's rcode
 * of that query in the validating context. The fingerprint (section 9) is
 * set only when bogus; its RRSIGs are those over the answer RRsets of the
 * failing queries (and, for the random name, the authority section's
 * SOA/NSEC/NSEC3 signatures) in the +cd view.
 */
#ifndef NTARELAY_RELAY_PROBE_H
#define NTARELAY_RELAY_PROBE_H

#include <stddef.h>

#include <jansson.h>

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

/* The descriptors to watch for POLLIN: validating and +cd context. */
/* The two contexts' descriptors. They change when probe_zone() starts a
 * round while nothing is in flight (the contexts are made anew then, so
 * that nothing a validator remembers outlives a round): read them again
 * after every probe_zone(). -1 when there is none. */
int probe_fd(struct probe *p);
int probe_fd_cd(struct probe *p);

typedef void (*probe_done_cb)(void *arg, json_t *observation_fields);

/*
 * Start probing zone (protocol form: lowercase, absolute). done is called
 * once, from probe_process(), with a new object (the callee owns it:
 * json_decref when done). Returns 0, or -1 when the queries could not be
 * started (done is then not called).
 */
int probe_zone(struct probe *p, const char *zone, probe_done_cb done, void *arg);

/* Number of probe_zone() calls still running. */
int probe_pending(struct probe *p);

/* Process whatever results arrived on both contexts; does not block. */
void probe_process(struct probe *p);

/* Frees the contexts; running probes are dropped without a callback. */
void probe_free(struct probe *p);

#endif
