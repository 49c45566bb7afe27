/*
 * tests/unit/storeutil.h — events signed now and stored in a scratch store,
 * for the store and engine unit tests (test_store.c, test_engine.c).
 *
 * su_* build payloads at the wall clock (the engine reads relay_now()),
 * sign them with a key of tests/unit/testutil.h, and store_put() them like
 * the ingest pipeline does. A key's chain is the caller's: pass seq and the
 * previous event (NULL for seq 1).
 */
#ifndef NTARELAY_TESTS_STOREUTIL_H
#define NTARELAY_TESTS_STOREUTIL_H

#include <jansson.h>

#include "proto/event.h"
#include "proto/key.h"
#include "relay/store/store.h"

/* A signed event of obj (stolen; its kind decides the type): 0, *ev (new)
 * and *raw (malloc'd envelope, *rawlen bytes). */
int su_sign(json_t *obj, const struct key_secret *sk, struct event **ev,
    char **raw, size_t *rawlen);

/* Header at now: ts = now + dts, exp = ts + life (life 0: no exp). */
json_t *su_header(const char *kind, const struct key_secret *signer,
    long long seq, const struct event *prev, long long dts, long long life);

/* A bogus observation of zone "de." (the fingerprint of testutil.h's) or,
 * bogus false, a secure one. */
json_t *su_observation(const struct key_secret *signer, long long seq,
    const struct event *prev, bool bogus, long long life);
/* An accident assessment of "de." recommending an NTA for lifetime s. */
json_t *su_assessment(const struct key_secret *signer, long long seq,
    const struct event *prev, long long life, long lifetime);
/* origin's withdraw of target. */
json_t *su_withdraw(const struct key_secret *signer, long long seq,
    const struct event *prev, const struct event *target);

/* Sign obj and store it (STORE_LINK_OWN, the given outbox links); returns
 * the event (new), NULL when signing or storing failed (err). */
struct event *su_put(struct store *s, json_t *obj, const struct key_secret *sk,
    const int *outbox, size_t noutbox, char *err);

/* A fresh store in a new temporary directory; su_store_close() removes it. */
struct store *su_store(void);
void su_store_close(struct store *s);

#endif
