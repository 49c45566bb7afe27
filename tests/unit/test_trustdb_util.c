/*
 * tests/unit/test_trustdb_util.c — see test_trustdb_util.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "proto/encoding.h"
#include "proto/envelope.h"
#include "proto/kind.h"
#include "tests/unit/testutil.h"
#include "tests/unit/test_trustdb_util.h"

static char dir[64];
static char path[96];

char *
tt_sign(json_t *obj, const struct key_secret *sk)
{
	const char *kind = json_string_value(json_object_get(obj, "kind"));
	const char *type = kind_payload_type(kind_from_name(kind));
	char *payload = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER), *json;
	char reason[PROTO_REASON_MAX];
	size_t jlen;

	json_decref(obj);
	assert_int_equal(envelope_sign(type, (unsigned char *)payload, strlen(payload), sk, &json, &jlen, NULL,
	    reason), PROTO_OK);
	free(payload);
	return json;
}

static json_t *
subject_fields(json_t *o, const struct key_secret *subject)
{
	char b64[ENCODING_B64_LEN(KEY_PUBLIC_LEN)];

	json_object_set_new(o, "subject", json_string(tu_id(subject)));
	json_object_set_new(o, "subject_key", json_string(encoding_b64_encode(
	    key_secret_public(subject)->pk, KEY_PUBLIC_LEN, b64)));
	return o;
}

char *
tt_vouch(const struct key_secret *voucher, const struct key_secret *subject,
    const char *zones, const char *affiliation, long long ts, long long exp)
{
	json_t *o = subject_fields(tu_header("vouch", voucher, voucher, 1, NULL,
	    ts, exp), subject), *arr = json_array();
	char buf[512], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", zones ? zones : "");
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		json_array_append_new(arr, json_string(tok));
	json_object_set_new(o, "zones", arr);
	json_object_set_new(o, "affiliation",
	    affiliation ? json_string(affiliation) : json_null());
	return tt_sign(o, voucher);
}

char *
tt_unvouch(const struct key_secret *voucher, const struct key_secret *subject,
    long long ts)
{
	json_t *o = tu_header("unvouch", voucher, voucher, 1, NULL, ts,
	    ts + 30 * KIND_DAY);

	json_object_set_new(o, "subject", json_string(tu_id(subject)));
	return tt_sign(o, voucher);
}

char *
tt_cert(const struct key_secret *root, const struct key_secret *relay,
    long long nb, long long na, long long ts)
{
	json_t *o = subject_fields(tu_header("key_cert", root, root, 1, NULL, ts,
	    na), relay);

	json_object_set_new(o, "not_before", json_integer(nb));
	json_object_set_new(o, "not_after", json_integer(na));
	return tt_sign(o, root);
}

char *
tt_revoke(const struct key_secret *signer, const struct key_secret *origin,
    const struct key_secret *subject, long long ts)
{
	json_t *o = tu_header("key_revoke", signer, origin, 1, NULL, ts, 0);

	json_object_set_new(o, "subject", json_string(tu_id(subject)));
	return tt_sign(o, signer);
}

struct trustdb *
tt_db(void)
{
	char reason[TRUSTDB_REASON_MAX];
	struct trustdb *db = NULL;

	snprintf(dir, sizeof(dir), "/tmp/ntarelay-trustdb-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/trust.db", dir);
	if (trustdb_open(path, TRUSTDB_OPEN_CREATE, 0, &db, reason) != TRUSTDB_OK)
		fail_msg("open: %s", reason);
	return db;
}

const char *
tt_db_path(void)
{
	return path;
}

void
tt_cleanup(struct trustdb *db)
{
	char cmd[128];

	trustdb_close(db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

void
tt_pin(struct trustdb *db, const struct key_secret *root, const char *zone)
{
	char reason[TRUSTDB_REASON_MAX];
	const char *zones[1] = { zone };

	if (trustdb_pin(db, key_secret_public(root), zones, zone ? 1 : 0, TU_NOW,
	    reason) != TRUSTDB_OK)
		fail_msg("pin: %s", reason);
}

enum trustdb_err
tt_try_import(struct trustdb *db, char *env, long long now)
{
	char reason[TRUSTDB_REASON_MAX];
	enum trustdb_err e = trustdb_import(db, env, strlen(env), now, NULL, reason);

	free(env);
	return e;
}

void
tt_import(struct trustdb *db, char *env, long long now)
{
	char reason[TRUSTDB_REASON_MAX];
	enum trustdb_err e = trustdb_import(db, env, strlen(env), now, NULL, reason);

	free(env);
	if (e != TRUSTDB_OK)
		fail_msg("import: %s: %s", trustdb_errname(e), reason);
}

struct trust_index *
tt_index(struct trustdb *db, unsigned v, const struct trust_group *groups,
    size_t ngroups, long long now)
{
	struct trust_params p = { v, groups, ngroups };
	char reason[TRUSTDB_REASON_MAX];
	struct trust_index *idx = NULL;

	if (trust_index_build_from_db(db, &p, now, &idx, reason) != TRUSTDB_OK)
		fail_msg("index: %s", reason);
	return idx;
}

enum trust_reason
tt_reason(const struct trust_index *idx, const struct key_secret *key,
    long long now)
{
	struct trust_answer a;

	trust_index_lookup(idx, key_secret_public(key)->id, NULL, now, &a);
	return a.reason;
}
