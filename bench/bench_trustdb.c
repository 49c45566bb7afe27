/*
 * bench/bench_trustdb.c — trust membership look-ups from the in-memory
 * index, and the cost of rebuilding that index from the database.
 *
 * Builds a federation of OPERATORS operators (PINNED pinned, every other one
 * vouched for by two pinned members) holding KEYS keys (each operator's root
 * plus relay keys certified by it), all as real signed envelopes imported
 * into a real SQLite trust database in a temporary directory. Then:
 *
 *   lookup    trust_index_lookup() of a key id (member answer, operator,
 *             vote), over all keys in a shuffled order plus 10% unknown ids
 *   rebuild   trust_index_build_from_db(): one read transaction over the
 *             database, the membership rules, the hash table
 *
 * Target: >= 1,000,000 look-ups/s on one core. Environment: BENCH_SECONDS
 * (default 2) spent on the look-ups in total, BENCH_ROUNDS (default 3); the
 * best round counts. Output: a table for people, then "bench: name=value"
 * lines for scripts. Exit status 0, or 1 when something fails functionally.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "proto/encoding.h"
#include "proto/envelope.h"
#include "proto/key.h"
#include "proto/kind.h"
#include "trustdb/index.h"
#include "trustdb/store.h"

#define OPERATORS 1000
#define PINNED 20
#define KEYS 10000
#define NOW 1790000000LL

static volatile unsigned long bench_sink;

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *detail) __attribute__((noreturn));

static void
die(const char *what, const char *detail)
{
	fprintf(stderr, "bench_trustdb: %s%s%s\n", what, detail ? ": " : "",
	    detail ? detail : "");
	exit(1);
}

static double
env_number(const char *name, double def, double lo, double hi)
{
	const char *s = getenv(name);
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return def;
	v = strtod(s, &end);
	if (*end != '\0' || v < lo || v > hi)
		die("bad environment value", name);
	return v;
}

/* Append one signed envelope line to the batch. */
static void
emit(char **batch, size_t *len, size_t *cap, json_t *p,
    const struct key_secret *sk)
{
	const char *kind = json_string_value(json_object_get(p, "kind"));
	const char *type = kind_payload_type(kind_from_name(kind));
	char reason[PROTO_REASON_MAX], *body, *json;
	size_t jlen;

	body = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (body == NULL || envelope_sign(type, (unsigned char *)body,
	    strlen(body), sk, &json, &jlen, NULL, reason) != PROTO_OK)
		die("signing failed", reason);
	while (*len + jlen + 2 > *cap) {
		*cap = *cap ? *cap * 2 : 1 << 20;
		if ((*batch = realloc(*batch, *cap)) == NULL)
			die("out of memory", NULL);
	}
	memcpy(*batch + *len, json, jlen);
	*len += jlen;
	(*batch)[(*len)++] = '\n';
	free(json);
	free(body);
	json_decref(p);
}

static json_t *
header(const char *kind, const struct key_secret *root, long long seq,
    const char *prev, long long exp)
{
	char id[KEY_ID_HEX_LEN + 1];

	encoding_hex_encode(key_secret_public(root)->id, KEY_ID_LEN, id);
	return json_pack("{s:i,s:s,s:s,s:s,s:s,s:I,s:o,s:I,s:I,s:[]}",
	    "v", 1, "net", "bench", "kind", kind, "origin", id, "key", id,
	    "seq", (json_int_t)seq, "prev", prev ? json_string(prev) : json_null(),
	    "ts", (json_int_t)(NOW - 100), "exp", (json_int_t)exp, "refs");
}

int
main(void)
{
	static struct key_secret *roots[OPERATORS];
	static unsigned char ids[KEYS + KEYS / 10][KEY_ID_LEN];
	static long long seqs[OPERATORS];
	static char prevs[OPERATORS][KEY_ID_HEX_LEN + 1];
	char reason[TRUSTDB_REASON_MAX], dir[] = "/tmp/ntarelay-bench-XXXXXX", path[64];
	char *batch = NULL;
	size_t blen = 0, bcap = 0, nids = 0, nlook;
	struct trustdb *db = NULL;
	struct trust_index *idx = NULL;
	struct trustdb_import_stats st;
	double seconds = env_number("BENCH_SECONDS", 2.0, 0.01, 600);
	int rounds = (int)env_number("BENCH_ROUNDS", 3, 1, 100);
	double t0, t_import, best_rebuild = 1e9, best_lookup = 0;
	unsigned long members = 0;

	if (sodium_init() < 0)
		die("libsodium failed to initialise", NULL);
	for (int i = 0; i < OPERATORS; i++) {
		unsigned char seed[KEY_SEED_LEN] = { 0 };
		char name[32];
		snprintf((char *)seed, sizeof(seed), "bench root %d", i);
		snprintf(name, sizeof(name), "op%d", i);
		if ((roots[i] = key_secret_from_seed(seed, name, true)) == NULL)
			die("cannot allocate a key", NULL);
		memcpy(ids[nids++], key_secret_public(roots[i])->id, KEY_ID_LEN);
	}
	/* The envelopes: vouches (each non-pinned operator by two pinned
	 * ones), then certificates for the relay keys. */
	t0 = now_seconds();
	for (int i = PINNED; i < OPERATORS; i++) {
		for (int j = 0; j < 2; j++) {
			int v = (i + j * 7) % PINNED;
			char b64[ENCODING_B64_LEN(KEY_PUBLIC_LEN)], sid[KEY_ID_HEX_LEN + 1];
			json_t *p;
			seqs[v]++;
			p = header("vouch", roots[v], seqs[v], seqs[v] > 1 ? prevs[v] : NULL,
			    NOW + 30 * KIND_DAY);
			json_object_set_new(p, "subject", json_string(encoding_hex_encode(
			    key_secret_public(roots[i])->id, KEY_ID_LEN, sid)));
			json_object_set_new(p, "subject_key", json_string(encoding_b64_encode(
			    key_secret_public(roots[i])->pk, KEY_PUBLIC_LEN, b64)));
			json_object_set_new(p, "zones", json_array());
			json_object_set_new(p, "affiliation", json_null());
			emit(&batch, &blen, &bcap, p, roots[v]);
			/* prev is not checked on import; any id keeps the chain shape */
			memcpy(prevs[v], sid, sizeof(sid));
		}
	}
	for (int k = OPERATORS; k < KEYS; k++) {
		unsigned char pk[KEY_PUBLIC_LEN], sk[KEY_SECRET_LEN], seed[KEY_SEED_LEN] = { 0 };
		char b64[ENCODING_B64_LEN(KEY_PUBLIC_LEN)], sid[KEY_ID_HEX_LEN + 1];
		int o = k % OPERATORS;
		json_t *p;
		snprintf((char *)seed, sizeof(seed), "bench relay %d", k);
		crypto_sign_seed_keypair(pk, sk, seed);   /* public half only is used */
		sodium_memzero(sk, sizeof(sk));
		key_id_of(pk, ids[nids]);
		seqs[o]++;
		p = header("key_cert", roots[o], seqs[o], seqs[o] > 1 ? prevs[o] : NULL,
		    NOW + 90 * KIND_DAY);
		json_object_set_new(p, "subject", json_string(encoding_hex_encode(
		    ids[nids], KEY_ID_LEN, sid)));
		json_object_set_new(p, "subject_key", json_string(encoding_b64_encode(
		    pk, KEY_PUBLIC_LEN, b64)));
		json_object_set_new(p, "not_before", json_integer(NOW - 100));
		json_object_set_new(p, "not_after", json_integer(NOW + 90 * KIND_DAY));
		emit(&batch, &blen, &bcap, p, roots[o]);
		memcpy(prevs[o], sid, sizeof(sid));
		nids++;
	}
	printf("bench_trustdb: %d envelopes signed in %.2f s\n",
	    (OPERATORS - PINNED) * 2 + KEYS - OPERATORS, now_seconds() - t0);

	if (mkdtemp(dir) == NULL)
		die("mkdtemp failed", NULL);
	snprintf(path, sizeof(path), "%s/trust.db", dir);
	if (trustdb_open(path, TRUSTDB_OPEN_CREATE, 0, &db, reason) != TRUSTDB_OK)
		die("open", reason);
	for (int i = 0; i < PINNED; i++)
		if (trustdb_pin(db, key_secret_public(roots[i]), NULL, 0, NOW, reason)
		    != TRUSTDB_OK)
			die("pin", reason);
	t0 = now_seconds();
	if (trustdb_import(db, batch, blen, NOW, &st, reason) != TRUSTDB_OK)
		die("import", reason);
	t_import = now_seconds() - t0;

	for (int r = 0; r < rounds; r++) {
		trust_index_free(idx);
		t0 = now_seconds();
		if (trust_index_build_from_db(db, NULL, NOW, &idx, reason) != TRUSTDB_OK)
			die("rebuild", reason);
		if (now_seconds() - t0 < best_rebuild)
			best_rebuild = now_seconds() - t0;
	}
	if (trust_index_size(idx) != KEYS)
		die("the index does not hold every key", NULL);

	/* 10% unknown ids, then a fixed shuffle */
	for (size_t i = 0; i < KEYS / 10; i++)
		randombytes_buf(ids[nids++], KEY_ID_LEN);
	nlook = nids;
	for (size_t i = nlook - 1; i > 0; i--) {
		size_t j = randombytes_uniform((uint32_t)(i + 1));
		unsigned char t[KEY_ID_LEN];
		memcpy(t, ids[i], KEY_ID_LEN);
		memcpy(ids[i], ids[j], KEY_ID_LEN);
		memcpy(ids[j], t, KEY_ID_LEN);
	}
	for (size_t i = 0; i < nlook; i++) {
		struct trust_answer a;
		members += trust_index_lookup(idx, ids[i], NULL, NOW, &a);
	}
	if (members != KEYS)
		die("not every key is a member: the rules or the data are wrong", NULL);

	for (int r = 0; r < rounds; r++) {
		double start = now_seconds(), el;
		long n = 0;
		do {
			for (size_t i = 0; i < nlook; i++) {
				struct trust_answer a;
				bench_sink += trust_index_lookup(idx, ids[i], NULL, NOW, &a);
			}
			n += (long)nlook;
			el = now_seconds() - start;
		} while (el < seconds / rounds);
		if (n / el > best_lookup)
			best_lookup = n / el;
	}

	printf("bench_trustdb: %d operators (%d pinned), %d keys, import %.2f s\n\n",
	    OPERATORS, PINNED, KEYS, t_import);
	printf("%-34s %14s %12s\n", "operation", "ops/s", "time");
	printf("%-34s %14.0f %9.1f ns\n", "lookup (in-memory index)", best_lookup,
	    1e9 / best_lookup);
	printf("%-34s %14s %9.1f ms\n", "rebuild (db + rules + index)", "",
	    best_rebuild * 1e3);
	printf("\ntarget >= 1000000 lookups/s: %s\n\n",
	    best_lookup >= 1e6 ? "met" : "NOT MET");
	printf("bench: trust_operators=%d\n", OPERATORS);
	printf("bench: trust_keys=%d\n", KEYS);
	printf("bench: trust_lookups_per_s=%.0f\n", best_lookup);
	printf("bench: trust_lookup_ns=%.1f\n", 1e9 / best_lookup);
	printf("bench: trust_rebuild_ms=%.1f\n", best_rebuild * 1e3);
	printf("bench: trust_import_ms=%.1f\n", t_import * 1e3);

	trust_index_free(idx);
	trustdb_close(db);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		fprintf(stderr, "bench_trustdb: could not remove %s\n", dir);
	for (int i = 0; i < OPERATORS; i++)
		key_secret_free(roots[i]);
	free(batch);
	return 0;
}
