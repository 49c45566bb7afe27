/*
 * relay/fed/ratelimit.h — token buckets: one per proven origin, one per
 * backfill requester, and single buckets for per-link budgets.
 *
 * A bucket holds at most `burst` tokens and refills at `rate` per second;
 * taking a token from an empty one is refused. An origin idle for an hour
 * has `burst` tokens, not an hour's worth.
 *
 * The table never fails open: it grows to hold every id it is charged for,
 * so callers charge it only for ids whose number the trust database bounds
 * (relay/fed/ingest.c charges origins after the signature, the authorship and
 * the membership checks; relay/fed/backfill.c requesters that are member
 * keys). A bucket that has refilled to its burst is the same as no bucket:
 * only such buckets are dropped, when the table grows, so no bucket is
 * ever reset to full before its time. Out of memory refuses (fails
 * closed). Time is the caller's (monotonic milliseconds).
 */
#ifndef NTARELAY_RELAY_RATELIMIT_H
#define NTARELAY_RELAY_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/key.h"

/* One token bucket; zero it to start full. */
struct bucket {
	double tokens;
	long long last_ms;
	bool started;
};

/* Take n tokens from b at now_ms (rate per second, at most burst held);
 * false, taking nothing, when fewer than n are there. */
bool bucket_take(struct bucket *b, double rate, double burst, double n,
    long long now_ms);

/* Give n tokens back to b (at most burst held): a reservation unused. */
void bucket_refund(struct bucket *b, double burst, double n);

struct ratelimit;

/* New table (ratelimit_free); NULL when out of memory. */
struct ratelimit *ratelimit_new(double rate, double burst);
void ratelimit_free(struct ratelimit *rl);
/* New rate and burst for every bucket (a bucket over the new burst is
 * capped at its next take). */
void ratelimit_set(struct ratelimit *rl, double rate, double burst);

/* Take one token for id at now_ms; false when its bucket is empty. */
bool ratelimit_take(struct ratelimit *rl, const unsigned char id[KEY_ID_LEN],
    long long now_ms);

/* Buckets held (ids charged and not yet refilled to their burst, or not
 * yet dropped). */
size_t ratelimit_size(const struct ratelimit *rl);

#endif
