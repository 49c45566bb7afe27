/*
 * relay/core/metrics.h — the relay's counters and their Prometheus rendering.
 *
 * Plain counters, owned by the event loop thread: the loop increments them,
 * and the HTTP server (which runs on the same loop) renders them for
 * GET /metrics. Metric names and label values are a stable interface
 * (docs/API.md §7, every name listed there): rejection reasons are
 * proto_errname() values.
 *
 * What upper layers know and this layer must not include (the quorum
 * engine's zone states, the probe's last state per zone, the trust
 * database's expiries) comes in through collectors: a module registers a
 * callback (metrics_collector_add()) that appends its families at scrape
 * time with metrics_family() and metrics_state_set(), and removes it
 * before it is freed. Scalars an upper layer counts (probe rounds, the
 * probe's durations) are fields here, set by that layer.
 */
#ifndef NTARELAY_RELAY_METRICS_H
#define NTARELAY_RELAY_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "proto/error.h"
#include "proto/kind.h"
#include "lib/buf.h"
#include "relay/core/config.h"

struct metrics_link {
	char name[300];          /* the link URL, as configured */
	int up;                  /* 1 connected, 0 not */
	uint64_t connects;       /* successful connections */
	uint64_t received;       /* MQTT messages received */
	uint64_t published;      /* messages published (own and forwarded) */
	uint64_t outbox;         /* gauge: events waiting for PUBACK */
	uint64_t refused;        /* publications the broker refused (its ACL) */
	uint64_t junk_dropped;   /* events of known non-member signers dropped
	                            unverified: over the link's junk budget */
	uint64_t suppressed;     /* held forwards cancelled: a copy came from
	                            the link (relay/fed/forward.h) */
};

/* Why a backfill request was not answered (relay/fed/backfill.c). */
enum {
	METRICS_BF_MALFORMED,        /* not a request */
	METRICS_BF_RANGE,            /* asks for BACKFILL_MAX seqs or more */
	METRICS_BF_KEY,              /* the key asked for is not one */
	METRICS_BF_REQUESTER_RATE,   /* over the requester's budget */
	METRICS_BF_LINK_RATE,        /* over the link's budget of bytes */
	METRICS_BF__COUNT
};

/* Upper bounds (seconds) of the probe duration histogram's buckets, +Inf
 * aside: 0.05 0.1 0.25 0.5 1 2.5 5 10 30 (metrics.c). */
#define METRICS_PROBE_BUCKETS 9

/* A Prometheus histogram: le[i] counts observations <= bound i (not
 * cumulated: the rendering sums them), count all of them. */
struct metrics_histogram {
	uint64_t le[METRICS_PROBE_BUCKETS];
	uint64_t count;
	double sum;
};

/* A family an upper layer renders at scrape time: fn appends complete
 * families (metrics_family(), then samples) to out. Loop thread only. */
typedef void (*metrics_collect_fn)(void *ctx, struct buf *out);
struct metrics_collector {
	metrics_collect_fn fn;
	void *ctx;
};
#define METRICS_COLLECTORS_MAX 8

struct metrics {
	uint64_t accepted[KIND__COUNT];      /* stored, by kind */
	uint64_t rejected[PROTO_E__COUNT];   /* by reason */
	uint64_t duplicates;                 /* dropped by id before verification */
	uint64_t forwarded;                  /* copies forwarded to other links */
	uint64_t seq_gaps;                   /* accepted with a gap before them */
	uint64_t equivocations;              /* pairs detected */
	uint64_t own_events;                 /* events this relay signed */
	uint64_t decisions;                  /* decision changes (quorum engine) */
	uint64_t submissions;                /* accepted on the control socket */
	uint64_t submissions_refused;        /* refused there, with the reason */
	uint64_t stored_events;              /* gauge: events in the store */
	uint64_t store_writable;             /* gauge: 1 the store writes, 0 not */
	uint64_t store_write_failures;       /* writes that failed (a turn rolled
	                                        back: disk full, I/O error, ...) */
	uint64_t store_held;                 /* gauge: events held for a retry */
	uint64_t store_held_dropped;         /* events that could not be held */
	uint64_t own_events_refused;         /* own events not signed: the store
	                                        could not write */
	uint64_t notify_queue;               /* gauge: Mattermost messages queued */
	uint64_t notify_sent;                /* Mattermost messages delivered */
	uint64_t notify_retried;             /* delivery attempts to be retried */
	uint64_t notify_dropped;             /* messages given up (refused, queue
	                                        full, unreadable) */
	uint64_t slash[4];                   /* slash commands, by METRICS_SLASH_* */
	/* ingest integrity (relay/fed/ingest.c, relay/fed/backfill.c) */
	uint64_t trust_rebuilds;             /* trust index rebuilds */
	uint64_t trust_pooled;               /* non-members' trust events kept aside */
	uint64_t trust_pool;                 /* gauge: envelopes in the pool */
	uint64_t trust_pool_evicted;         /* oldest pooled envelopes dropped */
	uint64_t cert_conflicts;             /* key_certs for a key another member
	                                        root certified (possible attacks) */
	uint64_t backfill_answered;          /* requests answered */
	uint64_t backfill_refused[METRICS_BF__COUNT];
	uint64_t backfill_truncated;         /* answers cut at BACKFILL_BYTES */
	uint64_t backfill_sent_bytes;        /* envelope bytes sent in answers */
	struct metrics_link links[CONFIG_LINKS_MAX];
	size_t nlinks;
	long long started;                   /* unix time the relay started */
	uint64_t loop_busy;                  /* gauge: % of the last 250 ms the
	                                        loop thread worked
	                                        (relay/core/loop.h) */
	const char *version;                 /* the relay's version, for
	                                        ntarelay_build_info (main sets
	                                        it; NULL: "unknown") */
	/* the probe of watched zones (relay/fed/watch.c) */
	uint64_t probe_rounds;               /* probes of a zone that ended */
	struct metrics_histogram probe_duration; /* their durations */
	struct metrics_collector collectors[METRICS_COLLECTORS_MAX];
	size_t ncollectors;
};

/* Outcomes of POST /v1/mattermost/slash (relay/http/slash.c). */
enum {
	METRICS_SLASH_ANSWERED,      /* a command answered */
	METRICS_SLASH_UNAUTHORIZED,  /* token missing or wrong */
	METRICS_SLASH_BAD_REQUEST,   /* not a form, malformed (an unknown command
	                                is answered with the help: answered) */
	METRICS_SLASH_UNAVAILABLE,   /* the token file cannot be read */
};

/* A growing text buffer: lib/buf.h's, under the names the relay's
 * callers use. */

/*
 * Append the Prometheus text exposition (version 0.0.4) of m to out:
 * ntarelay_events_accepted_total{kind=...}, ntarelay_events_rejected_total
 * {reason=...} (every reason, zeros included, so that dashboards see the
 * series from the start), ntarelay_events_duplicate_total,
 * ntarelay_events_forwarded_total, ntarelay_seq_gaps_total,
 * ntarelay_equivocations_total, ntarelay_own_events_total,
 * ntarelay_own_events_refused_total, ntarelay_store_events,
 * ntarelay_store_writable, ntarelay_store_write_failures_total,
 * ntarelay_store_held_events, ntarelay_store_held_dropped_total,
 * ntarelay_link_up{link=...},
 * ntarelay_link_connects_total{link=...}, ntarelay_link_received_total,
 * ntarelay_link_published_total, ntarelay_link_outbox{link=...},
 * ntarelay_notify_queue_depth, ntarelay_notify_sent_total,
 * ntarelay_notify_retried_total, ntarelay_notify_dropped_total,
 * ntarelay_slash_requests_total{result=...},
 * ntarelay_link_junk_dropped_total{link=...},
 * ntarelay_forwards_suppressed_total{link=...}, ntarelay_trust_rebuilds_total,
 * ntarelay_trust_pooled_total, ntarelay_trust_pool_size,
 * ntarelay_trust_pool_evictions_total, ntarelay_cert_conflicts_total,
 * ntarelay_backfill_answered_total, ntarelay_backfill_refused_total
 * {reason=...}, ntarelay_backfill_truncated_total,
 * ntarelay_backfill_sent_bytes_total,
 * ntarelay_start_time_seconds, ntarelay_build_info{version,protocol},
 * ntarelay_loop_busy_percent, ntarelay_probe_rounds_total,
 * ntarelay_probe_duration_seconds (a histogram); then what each collector appends, in the order they were
 * added. Each family with # HELP and # TYPE.
 */
void metrics_render(const struct metrics *m, struct buf *out);

/* Count one probe of a zone that took seconds (negative counts as 0). */
void metrics_probe_observe(struct metrics *m, double seconds);

/* Add a collector; -1 when METRICS_COLLECTORS_MAX are in (a wiring error
 * of relay/main.c). Remove it (fn and ctx as added; absent: nothing)
 * before ctx is freed. */
int metrics_collector_add(struct metrics *m, metrics_collect_fn fn, void *ctx);
void metrics_collector_del(struct metrics *m, metrics_collect_fn fn, void *ctx);

/* For collectors: the # HELP and # TYPE lines of a family (help: our own
 * constant text, one line). */
void metrics_family(struct buf *out, const char *name, const char *type,
    const char *help);

/* For collectors: name{label="value"} v, value escaped. */
void metrics_sample(struct buf *out, const char *name, const char *label,
    const char *value, long long v);

/* For collectors: a state set, one sample per state of states[0..n):
 * name{label="value",state="S"} 1 for S equal to current (NULL: none),
 * 0 for the others; value escaped. */
void metrics_state_set(struct buf *out, const char *name, const char *label,
    const char *value, const char *const *states, size_t n,
    const char *current);

#endif
