/*
 * relay/core/trust.h — the relay's view of its trust database: the index
 * of which keys speak for which members (trustdb/index.h), rebuilt when the
 * database or the configured groups change.
 *
 * Rebuilt at start, on SIGHUP, once per loop turn after trust events were
 * imported (trust_dirty(), then trust_fresh() before the turn's decisions:
 * N trust events cost one rebuild), and when the index announced that its
 * answers change without a database change (a vouch expiring: next_change).
 *
 * After each rebuild the `rebuilt` callback (wired by relay/main.c) hears
 * whether the set of members changed: the quorum engine re-decides every
 * zone (a revocation stops a vote at once) and the pool of non-members'
 * trust events is offered again. Loop thread only; no global state.
 */
#ifndef NTARELAY_RELAY_CORE_TRUST_H
#define NTARELAY_RELAY_CORE_TRUST_H

#include <stdbool.h>

#include "relay/core/config.h"
#include "relay/core/metrics.h"
#include "trustdb/db.h"
#include "trustdb/index.h"

struct trust {
	struct trustdb *tdb;            /* the database, opened by main.c */
	struct trust_index *tidx;       /* the current index; NULL before the first build */
	long long next_change;          /* unix time the index's answers change; 0: never */
	bool dirty;                     /* trust events imported since the last build */
	const struct relay_config *cfg; /* vouch_threshold, groups, trustdb path */
	struct metrics *metrics;        /* trust_rebuilds */
	void (*rebuilt)(void *ctx, const struct trust_index *old,
	    const struct trust_index *now);
	void *rebuilt_ctx;
	/* at each rebuild, before `rebuilt`: the records and membership the
	 * index was built from, borrowed for the call, and the time they were
	 * computed for (relay/core/expiry.h); NULL: none */
	void (*loaded)(void *ctx, const struct trust_records *r,
	    const struct trust_membership *m, long long now);
	void *loaded_ctx;
};

/* Rebuild the index from the database now. 0, or -1 (logged) with the old
 * index kept. */
int trust_reload(struct trust *t);

/* A trust event was imported: the index is stale. */
void trust_dirty(struct trust *t);

/* Rebuild the index now if it is stale; true when it did. */
bool trust_fresh(struct trust *t);

/* Rebuild when the index said its answers change (a vouch expiring); the
 * caller runs this on a timer. */
void trust_tick(struct trust *t, long long now);

void trust_free(struct trust *t);

#endif
