/*
 * tests/unit/testutil.h — building signed events for unit tests.
 */
#ifndef NTARELAY_TESTS_TESTUTIL_H
#define NTARELAY_TESTS_TESTUTIL_H

#include <jansson.h>

#include "proto/envelope.h"
#include "proto/event.h"

#define TU_NOW 1790000000LL

/* A key from a label (seed = SHA-256(label)); caller frees. */
struct key_secret *tu_key(const char *label, int root);

/* Hex key id of a key into a static rotating buffer. */
const char *tu_id(const struct key_secret *sk);

/* A header-only payload (canonical order); caller adds kind fields. */
json_t *tu_header(const char *kind, const struct key_secret *signer,
    const struct key_secret *origin, long long seq, const char *prev,
    long long ts, long long exp);

/* A complete, valid assessment payload. */
json_t *tu_assessment(const struct key_secret *signer,
    const struct key_secret *origin);

/* A complete, valid bogus observation payload with its fingerprint. */
json_t *tu_observation(const struct key_secret *signer,
    const struct key_secret *origin);

/*
 * Sign obj (stolen) with sk under its kind's type, then open it again with
 * sk's public key. Returns the error of open_envelope (PROTO_OK on
 * success) and fills *ev (new) and reason.
 */
enum proto_err tu_sign_open(json_t *obj, const struct key_secret *sk,
    struct event **ev, char *reason);

#endif
