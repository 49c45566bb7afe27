/*
 * tests/unit/test_trustdb_util.h — building trust envelopes and databases
 * for the trustdb unit tests.
 */
#ifndef NTARELAY_TESTS_TEST_TRUSTDB_UTIL_H
#define NTARELAY_TESTS_TEST_TRUSTDB_UTIL_H

#include "proto/key.h"
#include "trustdb/db.h"
#include "trustdb/explain.h"
#include "trustdb/index.h"
#include "trustdb/membership.h"
#include "trustdb/store.h"

/* Signed envelopes (new strings, free()). zones: space-separated or NULL. */
char *tt_vouch(const struct key_secret *voucher, const struct key_secret *subject,
    const char *zones, const char *affiliation, long long ts, long long exp);
char *tt_unvouch(const struct key_secret *voucher,
    const struct key_secret *subject, long long ts);
char *tt_cert(const struct key_secret *root, const struct key_secret *relay,
    long long nb, long long na, long long ts);
/* A key_revoke of subject signed by signer, whose root is origin. */
char *tt_revoke(const struct key_secret *signer, const struct key_secret *origin,
    const struct key_secret *subject, long long ts);
/* Sign any payload object (stolen) with sk under its kind's type. */
char *tt_sign(json_t *obj, const struct key_secret *sk);

/* A fresh database in a new temporary directory; tt_cleanup() removes it. */
struct trustdb *tt_db(void);
const char *tt_db_path(void);
void tt_cleanup(struct trustdb *db);

/* Pin, import (asserting success), and import returning the error. */
void tt_pin(struct trustdb *db, const struct key_secret *root, const char *zone);
void tt_import(struct trustdb *db, char *env /* freed */, long long now);
enum trustdb_err tt_try_import(struct trustdb *db, char *env /* freed */,
    long long now);

/* Build the index at now with threshold V and optional groups (new). */
struct trust_index *tt_index(struct trustdb *db, unsigned v,
    const struct trust_group *groups, size_t ngroups, long long now);

/* The reason for key at now in idx. */
enum trust_reason tt_reason(const struct trust_index *idx,
    const struct key_secret *key, long long now);

#endif
