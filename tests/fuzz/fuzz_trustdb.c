/*
 * tests/fuzz/fuzz_trustdb.c — libFuzzer target for the trust database's
 * import (trustdb_import) and for everything that reads what it stored:
 * export, the snapshot, membership, the index, explanations.
 *
 * A fuzzer cannot sign, and import verifies before it parses the payload,
 * so the input is mostly payloads, signed here with fixed keys. Each line
 * of the input is one envelope:
 *
 *   SIGNER KIND PAYLOAD...
 *
 * SIGNER (one byte) picks the key that signs: 'a' operator A's root
 * (pinned, zones de.), 'b' A's relay key (known once A's root certified it
 * with a key_cert), 'c' operator B's root (pinned, no zone), 'd' a key
 * nobody pinned or vouched (operator D's root), 'e' D's relay key; any
 * other byte: 'a'. KIND (one byte) picks the payloadType: 'v' vouch,
 * 'u' unvouch, 'c' key_cert, 'r' key_revoke, 'o' observation (refused by
 * import: not a trust kind), 'x' the rest of the line is a whole envelope,
 * imported as it is (the envelope parser, the signature check). The ids and
 * public keys of the fixed keys are printed by running the target with
 * FUZZ_TRUSTDB_KEYS=1 (for writing seeds; tests/fuzz/corpus/fuzz_trustdb
 * uses them); FUZZ_TRUSTDB_VERBOSE=1 prints each import's result.
 *
 * Every line is imported on its own, in order, into a fresh in-memory
 * database (net "fuzz", now fixed), failures skipped; then everything the
 * database holds is checked:
 *   - import results are in range, reasons NUL-terminated, a failure
 *     imports nothing;
 *   - the same envelopes imported as one batch into a fresh database
 *     succeed exactly when each succeeded on its own (all or nothing, in
 *     order), and a refused batch names a line within it;
 *   - exporting and importing the export into a fresh database with the
 *     same pins succeeds and stores as many envelopes (trustdb_export's
 *     contract: import order is a valid order), the second time all
 *     duplicates;
 *   - the snapshot, membership at a few times, the index and the
 *     explanation of every fixed key build without error, and the index
 *     agrees with the membership on who may speak.
 *
 * Build: tests/fuzz/run.sh, or ./configure CC=clang --enable-fuzzing.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto/encoding.h"
#include "proto/envelope.h"
#include "proto/error.h"
#include "proto/key.h"
#include "proto/kind.h"
#include "trustdb/db.h"
#include "trustdb/explain.h"
#include "trustdb/index.h"
#include "trustdb/membership.h"
#include "trustdb/records.h"
#include "trustdb/store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz_trustdb: invariant failed: %s (%s:%d)\n", \
		    #cond, __FILE__, __LINE__);				\
		abort();						\
	}								\
} while (0)

#define NOW 1790000000LL
#define NKEYS 5
#define LINES_MAX 32
#define INPUT_MAX (32 * 1024)

/* a, b, c, d, e as above; b and e are relay keys (not roots). */
static const char *const key_names[NKEYS] = {
	"fuzz-a-root", "fuzz-a-relay", "fuzz-b-root", "fuzz-d-root", "fuzz-d-relay"
};
static struct key_secret *keys[NKEYS];
static bool verbose;   /* FUZZ_TRUSTDB_VERBOSE: each import's result */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned char seed[KEY_SEED_LEN];
	char hex[KEY_ID_HEX_LEN + 1], b64[64];
	size_t i;

	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	verbose = getenv("FUZZ_TRUSTDB_VERBOSE") != NULL;
	for (i = 0; i < NKEYS; i++) {
		memset(seed, 0, sizeof(seed));
		snprintf((char *)seed, sizeof(seed), "ntarelay fuzz_trustdb %s", key_names[i]);
		keys[i] = key_secret_from_seed(seed, key_names[i], i != 1 && i != 4);
		if (keys[i] == NULL)
			abort();
		if (getenv("FUZZ_TRUSTDB_KEYS") != NULL) {
			const struct key_public *pk = key_secret_public(keys[i]);
			encoding_hex_encode(pk->id, KEY_ID_LEN, hex);
			sodium_bin2base64(b64, sizeof(b64), pk->pk, KEY_PUBLIC_LEN,
			    sodium_base64_VARIANT_ORIGINAL);
			printf("%c %s %s %s\n", (int)('a' + i), key_names[i], hex, b64);
		}
	}
	return 0;
}

static struct trustdb *
fresh_db(void)
{
	static const char *const zones_a[] = { "de." };
	char reason[PROTO_REASON_MAX];
	struct trustdb *db = NULL;

	if (trustdb_open(":memory:", TRUSTDB_OPEN_CREATE, 0, &db, reason) != TRUSTDB_OK) {
		fprintf(stderr, "trustdb_open: %s\n", reason);
		abort();
	}
	CHECK(trustdb_net_set(db, "fuzz", reason) == TRUSTDB_OK);
	CHECK(trustdb_pin(db, key_secret_public(keys[0]), zones_a, 1, NOW - 100,
	    reason) == TRUSTDB_OK);
	CHECK(trustdb_pin(db, key_secret_public(keys[2]), NULL, 0, NOW - 100,
	    reason) == TRUSTDB_OK);
	return db;
}

static const char *
kind_type(char c)
{
	switch (c) {
	case 'v': return kind_payload_type(KIND_VOUCH);
	case 'u': return kind_payload_type(KIND_UNVOUCH);
	case 'c': return kind_payload_type(KIND_KEY_CERT);
	case 'r': return kind_payload_type(KIND_KEY_REVOKE);
	case 'o': return kind_payload_type(KIND_OBSERVATION);
	default: return NULL;
	}
}

/* Import one envelope; its result checked against the contract. */
static bool
import_one(struct trustdb *db, const char *env, size_t len)
{
	char reason[PROTO_REASON_MAX];
	struct trustdb_import_stats st;
	enum trustdb_err e;

	memset(reason, 0x55, sizeof(reason));
	memset(&st, 0, sizeof(st));
	e = trustdb_import(db, env, len, NOW, &st, reason);
	if (verbose)
		fprintf(stderr, "import: %s%s\n", e == TRUSTDB_OK ? "ok" : "refused: ",
		    e == TRUSTDB_OK ? "" : reason);
	if (e == TRUSTDB_OK) {
		CHECK(st.imported + st.duplicates >= 1);
	} else {
		CHECK(memchr(reason, '\0', sizeof(reason)) != NULL);
		CHECK(st.imported == 0);
		CHECK((unsigned)st.proto < PROTO_E__COUNT);
	}
	return e == TRUSTDB_OK;
}

/* The signed lines, one per line, for the batch import. */
struct batch {
	char *buf;
	size_t len, cap;
	size_t n;
	bool all_ok;
};

static void
batch_add(struct batch *b, const char *env, size_t len, bool ok)
{
	if (b->len + len + 1 > b->cap) {
		size_t cap = (b->len + len + 1) * 2;
		char *p = realloc(b->buf, cap);
		if (p == NULL)
			abort();
		b->buf = p;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, env, len);
	b->len += len;
	b->buf[b->len++] = '\n';
	b->n++;
	b->all_ok = b->all_ok && ok;
}

/* One line of the input: sign it and import it. */
static void
import_line(struct trustdb *db, struct batch *b, const char *line, size_t len)
{
	char reason[PROTO_REASON_MAX], *json = NULL;
	const char *type;
	size_t jlen = 0, k;

	if (len < 2)
		return;
	if (line[1] == 'x') {
		/* not batched: a raw line may hold a newline of its own
		 * in JSON whitespace only, which splits it in a batch */
		if (!import_one(db, line + 2, len - 2))
			b->all_ok = false;
		else if (memchr(line + 2, '\n', len - 2) == NULL)
			batch_add(b, line + 2, len - 2, true);
		else
			b->all_ok = false;
		return;
	}
	k = (line[0] >= 'a' && line[0] < 'a' + NKEYS) ? (size_t)(line[0] - 'a') : 0;
	if ((type = kind_type(line[1])) == NULL)
		return;
	if (envelope_sign(type, (const unsigned char *)line + 2, len - 2, keys[k],
	    &json, &jlen, NULL, reason) == PROTO_OK)
		batch_add(b, json, jlen, import_one(db, json, jlen));
	free(json);
}

struct exported {
	struct trustdb *into;
	size_t n;
};

static int
reimport(void *ctx, const char *env, size_t len)
{
	struct exported *x = ctx;
	char reason[PROTO_REASON_MAX];
	struct trustdb_import_stats st = { 0 };

	if (trustdb_import(x->into, env, len, NOW, &st, reason) != TRUSTDB_OK) {
		fprintf(stderr, "re-import of an export failed: %s\n", reason);
		abort();
	}
	x->n += st.imported;
	return 0;
}

static size_t
count_cb_n;
static int
count_cb(void *ctx, const char *env, size_t len)
{
	(void)ctx;
	(void)env;
	(void)len;
	count_cb_n++;
	return 0;
}

/* Everything that reads the database, at time now. */
static void
read_back(struct trustdb *db, long long now)
{
	char reason[PROTO_REASON_MAX];
	struct trust_params p = { 0 };
	struct trust_records *r = NULL;
	struct trust_membership *m = NULL;
	struct trust_index *idx = NULL;
	struct trust_explanation *x = NULL;
	size_t i;

	CHECK(trustdb_load(db, &r, reason) == TRUSTDB_OK);
	CHECK(trust_membership_compute(r, &p, now, &m, reason) == TRUSTDB_OK);
	CHECK(trust_index_build(m, &idx, reason) == TRUSTDB_OK);
	for (i = 0; i < NKEYS; i++) {
		const unsigned char *id = key_secret_public(keys[i])->id;
		CHECK(trust_explain(r, m, id, now, &x, reason) == TRUSTDB_OK);
		trust_explanation_free(x);
		{
			bool ms;
			(void)trust_index_known(idx, id, &ms);
		}
	}
	(void)trust_index_next_change(idx);
	(void)trust_index_conflicts(idx);
	trust_index_free(idx);
	trust_membership_free(m);
	trust_records_free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data, *end = buf + size, *nl;
	char reason[PROTO_REASON_MAX];
	struct trustdb *db, *db2;
	struct exported x;
	struct batch b = { .all_ok = true };
	struct trustdb_import_stats st = { 0 };
	size_t nlines = 0, before;
	enum trustdb_err e;

	if (size > INPUT_MAX)
		return -1;
	db = fresh_db();
	while (buf < end && nlines++ < LINES_MAX) {
		nl = memchr(buf, '\n', (size_t)(end - buf));
		import_line(db, &b, buf, (size_t)((nl ? nl : end) - buf));
		buf = nl ? nl + 1 : end;
	}
	/* The same envelopes as one batch into a fresh database: all or
	 * nothing, so it succeeds exactly when each did on its own. */
	if (b.n > 0) {
		db2 = fresh_db();
		e = trustdb_import(db2, b.buf, b.len, NOW, &st, reason);
		if ((e == TRUSTDB_OK) != b.all_ok)
			fprintf(stderr, "batch %s, lines %s: %s\n", e == TRUSTDB_OK ?
			    "ok" : "refused", b.all_ok ? "ok" : "not all ok",
			    e == TRUSTDB_OK ? "" : reason);
		CHECK((e == TRUSTDB_OK) == b.all_ok);
		if (e != TRUSTDB_OK)
			CHECK(st.line >= 1 && st.line <= b.n);
		trustdb_close(db2);
	}
	free(b.buf);

	/* Its export imports elsewhere, in its order. */
	count_cb_n = 0;
	CHECK(trustdb_export(db, count_cb, NULL, reason) == TRUSTDB_OK);
	before = count_cb_n;
	db2 = fresh_db();
	x.into = db2;
	x.n = 0;
	CHECK(trustdb_export(db, reimport, &x, reason) == TRUSTDB_OK);
	CHECK(x.n == before);
	x.n = 0;
	CHECK(trustdb_export(db, reimport, &x, reason) == TRUSTDB_OK);
	CHECK(x.n == 0);
	trustdb_close(db2);

	read_back(db, NOW);
	read_back(db, NOW + 86400 * 100);
	trustdb_close(db);
	return 0;
}
