/*
 * relay/fed/reject_log.h — rejections of events from non-member keys,
 * logged as one line per key per minute instead of one per event.
 *
 * An event signed by a key that does not count (unknown_key: the trust
 * database does not know it; untrusted_key: it is known but is no current
 * member key) arrives once on every link that carries it, and a stranger
 * may send many: one log line per link per event would flood the journal
 * and hide the rest. The ingest pipeline (relay/fed/ingest.c) counts such
 * a rejection here instead (its counters, ntarelay_events_rejected_total,
 * are unchanged, and each event is still logged at debug), and the
 * window's counts are logged at notice, per signing key and reason:
 *
 *   rejected N events from non-member KEYID in the last S s: REASON: TEXT
 *
 * KEYID the signing key's id (64 hex digits), REASON the protocol's name
 * (unknown_key, untrusted_key), TEXT the first rejection's reason in the
 * window. A window starts with its first rejection and is logged by a
 * one-shot loop timer a window later (REJECT_LOG_WINDOW_MS in the relay:
 * S is then 60), or by reject_log_flush() at stop (S the seconds
 * elapsed, rounded). At most
 * REJECT_LOG_KEYS keys are named per window; rejections for further keys
 * (a stranger may forge key ids at will) are summed in one line:
 *
 *   rejected N events from further non-member keys in the last S s (the
 *   first 32 keys are named)
 *
 * Loop thread only. No state outside the struct.
 */
#ifndef NTARELAY_RELAY_FED_REJECT_LOG_H
#define NTARELAY_RELAY_FED_REJECT_LOG_H

#include <stdbool.h>

#include "proto/error.h"
#include "relay/core/loop.h"

#define REJECT_LOG_WINDOW_MS 60000
#define REJECT_LOG_KEYS 32

struct reject_log;

/* An empty aggregator whose timer runs on loop, window_ms after a
 * window's first rejection; NULL when out of memory. */
struct reject_log *reject_log_new(struct loop *loop, long window_ms);

/* Flush (log what is counted), cancel the timer, free (NULL allowed). */
void reject_log_free(struct reject_log *rl);

/* Is a rejection for e one this module aggregates? */
bool reject_log_wants(enum proto_err e);

/* Count one rejection of an event signed by keyid (KEY_ID_LEN bytes) for
 * e, with reason (the first of the window is kept); starts the window's
 * timer when it is the first. */
void reject_log_add(struct reject_log *rl, const unsigned char *keyid,
    enum proto_err e, const char *reason);

/* Log the window's counts now and start an empty window. */
void reject_log_flush(struct reject_log *rl);

#endif
