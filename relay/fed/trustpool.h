/*
 * relay/fed/trustpool.h — trust events of operators that are not members (yet),
 * kept aside instead of imported.
 *
 * A vouch, unvouch, key_cert or key_revoke whose signature verified and
 * whose key authors its origin, but whose operator is not a member, cannot
 * count: it is not imported into the trust database, not stored and not
 * forwarded (relay/fed/ingest.h). The operator may become a member later (a
 * second vouch), so the envelope waits here. The pool is bounded: at most
 * its capacity, the oldest envelope evicted first (counted). When the
 * members change, the relay offers the pool to ingest again, oldest first
 * (trustpool_drain); what still does not count comes back into the pool.
 *
 * Memory only: a restart forgets the pool (the brokers' retained trust
 * topics bring the envelopes back).
 */
#ifndef NTARELAY_RELAY_TRUSTPOOL_H
#define NTARELAY_RELAY_TRUSTPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "proto/key.h"

#define TRUSTPOOL_MAX 1024   /* envelopes held */

struct link;
struct trustpool;

/* A pool of at most max envelopes (trustpool_free); NULL: no memory. */
struct trustpool *trustpool_new(size_t max);
void trustpool_free(struct trustpool *p);

/*
 * Keep a copy of the envelope raw (len bytes) with event id `id`, received
 * on link `from` (borrowed; NULL: local) under `topic` (copied). An id
 * already held is not added again. When the pool is full the oldest
 * envelope goes and *evicted is incremented. Returns 1 added, 0 already
 * held, -1 out of memory.
 */
int trustpool_add(struct trustpool *p, const unsigned char id[KEY_ID_LEN],
    struct link *from, const char *topic, const void *raw, size_t len,
    uint64_t *evicted);

/* Envelopes held. */
size_t trustpool_size(const struct trustpool *p);

/*
 * Empty the pool, calling fn for each envelope, oldest first (topic and
 * raw are borrowed for the call). fn may add envelopes back.
 */
void trustpool_drain(struct trustpool *p, void (*fn)(void *arg,
    struct link *from, const char *topic, const void *raw, size_t len),
    void *arg);

#endif
