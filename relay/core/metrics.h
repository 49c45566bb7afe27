/*
 * relay/core/metrics.h — the relay's counters and their Prometheus rendering.
 *
 * Plain counters, owned by the event loop thread: the loop increments them,
 * and the HTTP server (which runs on the same loop) renders them for
 * GET /metrics. Metric names and label values are a stable interface
 * (docs/API.md): rejection reasons are proto_errname() values.
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
	/* ingest integrity (relay/fed/gossip.c, relay/fed/backfill.c) */
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
 * ntarelay_link_junk_dropped_total{link=...}, ntarelay_trust_rebuilds_total,
 * ntarelay_trust_pooled_total, ntarelay_trust_pool_size,
 * ntarelay_trust_pool_evictions_total, ntarelay_cert_conflicts_total,
 * ntarelay_backfill_answered_total, ntarelay_backfill_refused_total
 * {reason=...}, ntarelay_backfill_truncated_total,
 * ntarelay_backfill_sent_bytes_total,
 * ntarelay_start_time_seconds. Each with # HELP and # TYPE.
 */
void metrics_render(const struct metrics *m, struct buf *out);

#endif
