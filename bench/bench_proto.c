/*
 * bench/bench_proto.c — throughput of the protocol library on one core.
 *
 * Builds one realistic observation (a bogus state with its evidence and a
 * correct failure fingerprint), signs it with a fixed seed key and measures:
 *
 *   sign        envelope_sign() of the payload
 *   raw verify  crypto_sign_verify_detached() over the same PAE bytes: the
 *               ceiling of what a receiver can do
 *   open        open_envelope(): envelope parse, key lookup, verification,
 *               payload parse and strict validation (what every received
 *               message costs before acceptance)
 *   accept      accept_event() on the parsed event, for information
 *
 * The design target is that parsing and validation cost at most a tenth of
 * the verification: open/s >= 90% of raw verify/s.
 *
 * The machine may be noisy, so each operation runs in ROUNDS rounds, the
 * operations interleaved round by round; the table shows the best round of
 * each, and the headline ratio is the median of the per-round ratios.
 * Environment: BENCH_SECONDS (default 2) is the time spent on each operation
 * in total, BENCH_ROUNDS (default 3) the number of rounds it is split into.
 *
 * Output: a table for people, then "bench: name=value" lines for scripts.
 * Exit status: 0, or 1 when an operation fails functionally (the figures
 * would be meaningless).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sched_getcpu, CPU_SET */
#endif
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "proto/accept.h"
#include "proto/encoding.h"
#include "proto/envelope.h"
#include "proto/event.h"
#include "proto/fingerprint.h"
#include "proto/key.h"
#include "proto/kind.h"
#include "proto/open.h"

#define BENCH_SECONDS_DEFAULT 2.0
#define BENCH_ROUNDS_DEFAULT 15
#define BENCH_ROUNDS_MAX 100

/* Fixed seeds: the figures do not depend on the key, and runs compare. */
static const unsigned char relay_seed[KEY_SEED_LEN] =
    "ntarelay bench relay key seed 01";
static const unsigned char root_seed[KEY_SEED_LEN] =
    "ntarelay bench root key seed 001";

struct bench_ctx {
	struct key_secret *sk;
	const struct key_public *pub;
	const char *type;
	char *payload;            /* the observation's JSON text */
	size_t payload_len;
	char *envelope;           /* its signed envelope */
	size_t envelope_len;
	struct envelope *env;     /* parsed: the PAE bytes and signature */
	struct event *ev;         /* parsed: for accept_event */
	struct accept_chain chain;
	long long now;
};

/* One measured operation: run n iterations, false on a functional failure. */
typedef bool (*bench_fn)(struct bench_ctx *ctx, long n);

struct bench_op {
	const char *name;         /* for the table */
	const char *key;          /* for "bench: key_per_s=" */
	bench_fn fn;
	long batch;               /* iterations between clock reads */
	double best;              /* best ops/s over the rounds */
	long total;               /* iterations over all rounds */
	double last;              /* ops/s of the latest round */
};

static volatile unsigned long bench_sink;

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *detail)
	__attribute__((noreturn));

static void
die(const char *what, const char *detail)
{
	fprintf(stderr, "bench_proto: %s%s%s\n", what, detail ? ": " : "",
	    detail ? detail : "");
	exit(1);
}

/* ---------------------------------------------------------------- payload */

static void
set(json_t *obj, const char *name, json_t *value)
{
	if (value == NULL || json_object_set_new(obj, name, value) != 0)
		die("out of memory", NULL);
}

static json_t *
rrsig(const char *owner, const char *type, int tag, long long inception,
    long long expiration)
{
	json_t *r = json_pack("{s:s, s:s, s:i, s:i, s:I, s:I}", "owner", owner,
	    "type", type, "alg", 13, "tag", tag, "inception",
	    (json_int_t)inception, "expiration", (json_int_t)expiration);

	if (r == NULL)
		die("out of memory", NULL);
	return r;
}

/*
 * The observation a validator sends when a zone turns bogus: signatures of
 * the zone expired a day ago. Returns its compact JSON text (new).
 */
static char *
build_observation(struct bench_ctx *ctx, const char *origin_hex)
{
	char key_hex[KEY_ID_HEX_LEN + 1], prev_hex[KEY_ID_HEX_LEN + 1];
	char dnskey_hex[KEY_ID_HEX_LEN + 1], ds_hex[KEY_ID_HEX_LEN + 1];
	char fp_hex[KEY_ID_HEX_LEN + 1];
	unsigned char h[crypto_hash_sha256_BYTES], fp[FINGERPRINT_LEN];
	long long inc = ctx->now - 15 * KIND_DAY, exp = ctx->now - KIND_DAY;
	json_t *p, *evidence, *rrsigs;
	char *text;

	encoding_hex_encode(ctx->pub->id, KEY_ID_LEN, key_hex);
	crypto_hash_sha256(h, (const unsigned char *)"previous event", 14);
	encoding_hex_encode(h, sizeof(h), prev_hex);
	crypto_hash_sha256(h, (const unsigned char *)"example.de. DNSKEY", 18);
	encoding_hex_encode(h, sizeof(h), dnskey_hex);
	crypto_hash_sha256(h, (const unsigned char *)"example.de. DS", 14);
	encoding_hex_encode(h, sizeof(h), ds_hex);

	if ((p = json_object()) == NULL || (rrsigs = json_array()) == NULL)
		die("out of memory", NULL);
	set(p, "v", json_integer(1));
	set(p, "net", json_string("bench"));
	set(p, "kind", json_string("observation"));
	set(p, "origin", json_string(origin_hex));
	set(p, "key", json_string(key_hex));
	set(p, "seq", json_integer(42));
	set(p, "prev", json_string(prev_hex));
	set(p, "ts", json_integer(ctx->now));
	set(p, "exp", json_integer(ctx->now + 1800));
	set(p, "refs", json_array());
	set(p, "zone", json_string("example.de."));
	set(p, "vantage", json_string("fra1"));
	set(p, "validator", json_string("unbound 1.17.1"));
	set(p, "qname", json_string("www.example.de."));
	set(p, "qtype", json_string("AAAA"));
	set(p, "rcode", json_integer(2));
	set(p, "ede", json_pack("[i]", 7));
	set(p, "state", json_string("bogus"));
	set(p, "reason", json_string("signature expired"));

	json_array_append_new(rrsigs, rrsig("www.example.de.", "AAAA", 38696, inc, exp));
	json_array_append_new(rrsigs, rrsig("example.de.", "DNSKEY", 20326, inc, exp));
	evidence = json_pack("{s:s, s:[i, i], s:s, s:[i], s:o, s:[{s:s, s:i}]}",
	    "dnskey_digest", dnskey_hex, "dnskey_tags", 20326, 38696,
	    "ds_digest", ds_hex, "ds_tags", 20326, "rrsigs", rrsigs,
	    "soa_serials", "server", "ns1", "serial", 2026011501);
	if (evidence == NULL)
		die("out of memory", NULL);
	set(p, "evidence", evidence);

	/* The fingerprint covers the evidence as it stands in the payload. */
	if (fingerprint_compute("example.de.", json_object_get(p, "evidence"),
	    fp) != PROTO_OK)
		die("fingerprint_compute failed", NULL);
	set(p, "fingerprint", json_string(encoding_hex_encode(fp, sizeof(fp),
	    fp_hex)));

	if ((text = json_dumps(p, JSON_COMPACT)) == NULL)
		die("out of memory", NULL);
	json_decref(p);
	return text;
}

/* ---------------------------------------------------------------- the operations */

static bool
op_sign(struct bench_ctx *ctx, long n)
{
	char reason[PROTO_REASON_MAX], *json;
	size_t len;

	for (long i = 0; i < n; i++) {
		if (envelope_sign(ctx->type, (const unsigned char *)ctx->payload,
		    ctx->payload_len, ctx->sk, &json, &len, NULL, reason) != PROTO_OK) {
			fprintf(stderr, "bench_proto: envelope_sign: %s\n", reason);
			return false;
		}
		bench_sink += (unsigned char)json[len - 1];
		free(json);
	}
	return true;
}

static bool
op_raw_verify(struct bench_ctx *ctx, long n)
{
	const struct envelope *env = ctx->env;

	for (long i = 0; i < n; i++)
		if (crypto_sign_verify_detached(env->sig, env->pae, env->pae_len,
		    ctx->pub->pk) != 0) {
			fprintf(stderr, "bench_proto: raw verification failed\n");
			return false;
		}
	return true;
}

static bool
op_open(struct bench_ctx *ctx, long n)
{
	char reason[PROTO_REASON_MAX];
	struct envelope *env;
	struct event *ev;
	enum proto_err e;

	for (long i = 0; i < n; i++) {
		e = open_envelope(ctx->envelope, ctx->envelope_len,
		    open_lookup_single, (void *)ctx->pub, 0, &env, &ev, reason);
		if (e != PROTO_OK) {
			fprintf(stderr, "bench_proto: open_envelope: %s: %s\n",
			    proto_errname(e), reason);
			event_free(ev);
			envelope_free(env);
			return false;
		}
		bench_sink += (unsigned long)ev->seq;
		event_free(ev);
		envelope_free(env);
	}
	return true;
}

static bool
op_accept(struct bench_ctx *ctx, long n)
{
	enum accept_result r;

	for (long i = 0; i < n; i++) {
		r = accept_event(ctx->ev, &ctx->chain, ctx->now, ACCEPT_SKEW_DEFAULT);
		if (r != ACCEPT_OK) {
			fprintf(stderr, "bench_proto: accept_event: %s\n",
			    accept_result_name(r));
			return false;
		}
		bench_sink += (unsigned long)r;
	}
	return true;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* One round of op for about secs seconds; updates op->best. */
static bool
bench_round(struct bench_ctx *ctx, struct bench_op *op, double secs)
{
	double start = now_seconds(), t = start;
	long n = 0;

	do {
		if (!op->fn(ctx, op->batch))
			return false;
		n += op->batch;
		t = now_seconds();
	} while (t - start < secs);
	op->total += n;
	op->last = n / (t - start);
	if (op->last > op->best)
		op->best = op->last;
	return true;
}

/* ---------------------------------------------------------------- setup */

static double
env_double(const char *name, double dflt, double min, double max)
{
	const char *s = getenv(name);
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return dflt;
	v = strtod(s, &end);
	if (*end != '\0' || !(v >= min && v <= max)) {
		fprintf(stderr, "bench_proto: %s=%s: must be a number in [%g, %g]\n",
		    name, s, min, max);
		exit(1);
	}
	return v;
}

/* Stay on the CPU we started on: one core, no migrations mid-round. */
static void
pin_to_one_core(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	(void)sched_setaffinity(0, sizeof(set), &set);
}

static void
setup(struct bench_ctx *ctx)
{
	char reason[PROTO_REASON_MAX], origin_hex[KEY_ID_HEX_LEN + 1];
	struct key_secret *root;
	enum proto_err e;

	memset(ctx, 0, sizeof(*ctx));
	ctx->now = (long long)time(NULL);
	if ((ctx->sk = key_secret_from_seed(relay_seed, "bench-relay", false)) == NULL ||
	    (root = key_secret_from_seed(root_seed, "bench-root", true)) == NULL)
		die("key_secret_from_seed failed", NULL);
	ctx->pub = key_secret_public(ctx->sk);
	encoding_hex_encode(key_secret_public(root)->id, KEY_ID_LEN, origin_hex);
	key_secret_free(root);

	ctx->type = kind_payload_type(KIND_OBSERVATION);
	ctx->payload = build_observation(ctx, origin_hex);
	ctx->payload_len = strlen(ctx->payload);
	if ((e = envelope_sign(ctx->type, (const unsigned char *)ctx->payload,
	    ctx->payload_len, ctx->sk, &ctx->envelope, &ctx->envelope_len, NULL,
	    reason)) != PROTO_OK)
		die("envelope_sign", reason);

	/* The event must be valid, or we would time the rejection path. */
	if ((e = open_envelope(ctx->envelope, ctx->envelope_len,
	    open_lookup_single, (void *)ctx->pub, 0, &ctx->env, &ctx->ev,
	    reason)) != PROTO_OK) {
		fprintf(stderr, "bench_proto: payload: %s\n", ctx->payload);
		die("open_envelope refused the benchmark observation", reason);
	}
	ctx->chain.has_head = true;
	ctx->chain.head_seq = ctx->ev->seq - 1;
	memcpy(ctx->chain.head_id, ctx->ev->prev, KEY_ID_LEN);
}

static void
teardown(struct bench_ctx *ctx)
{
	event_free(ctx->ev);
	envelope_free(ctx->env);
	free(ctx->envelope);
	free(ctx->payload);
	key_secret_free(ctx->sk);
}

int
main(void)
{
	struct bench_op ops[] = {
		{ "envelope_sign", "sign", op_sign, 8, 0, 0, 0 },
		{ "raw verify (libsodium)", "raw_verify", op_raw_verify, 8, 0, 0, 0 },
		{ "open_envelope", "open", op_open, 8, 0, 0, 0 },
		{ "accept_event", "accept", op_accept, 4096, 0, 0, 0 },
	};
	const size_t nops = sizeof(ops) / sizeof(ops[0]);
	struct bench_ctx ctx;
	double secs, ratio, pair[BENCH_ROUNDS_MAX];
	int rounds;

	secs = env_double("BENCH_SECONDS", BENCH_SECONDS_DEFAULT, 0.01, 3600);
	rounds = (int)env_double("BENCH_ROUNDS", BENCH_ROUNDS_DEFAULT, 1,
	    BENCH_ROUNDS_MAX);
	if (sodium_init() < 0)
		die("sodium_init failed", NULL);
	pin_to_one_core();
	setup(&ctx);

	printf("bench_proto: observation payload %zu bytes, envelope %zu bytes\n",
	    ctx.payload_len, ctx.envelope_len);
	printf("bench_proto: %.2f s per operation in %d rounds\n\n",
	    secs, rounds);

	/* Warm up caches and the CPU clock before the first timed round. */
	for (size_t i = 0; i < nops; i++)
		if (!ops[i].fn(&ctx, ops[i].batch))
			goto fail;
	/* Rounds interleave the operations; open and raw verify run back to
	 * back in each round, so their ratio within a round compares them
	 * under the same machine conditions. The median of those paired
	 * ratios is the figure reported: the machine's noise (the same run
	 * varies 2x here) affects both sides of a pair alike. */
	for (int r = 0; r < rounds; r++) {
		for (size_t i = 0; i < nops; i++)
			if (!bench_round(&ctx, &ops[i], secs / rounds))
				goto fail;
		pair[r] = 100.0 * ops[2].last / ops[1].last;
	}
	qsort(pair, (size_t)rounds, sizeof(pair[0]), cmp_double);
	ratio = rounds % 2 ? pair[rounds / 2] :
	    (pair[rounds / 2 - 1] + pair[rounds / 2]) / 2;

	printf("%-24s %14s %10s\n", "operation", "ops/s", "us/op");
	for (size_t i = 0; i < nops; i++)
		printf("%-24s %14.0f %10.3f\n", ops[i].name, ops[i].best,
		    1e6 / ops[i].best);
	printf("\nverify+parse+validate / raw verify = %.1f%% (target >= 90%%)\n"
	    "  median of %d paired rounds; lowest %.1f%%, highest %.1f%%; best/best %.1f%%\n\n",
	    ratio, rounds, pair[0], pair[rounds - 1], 100.0 * ops[2].best / ops[1].best);

	printf("bench: payload_bytes=%zu\n", ctx.payload_len);
	printf("bench: envelope_bytes=%zu\n", ctx.envelope_len);
	for (size_t i = 0; i < nops; i++) {
		printf("bench: %s_per_s=%.0f\n", ops[i].key, ops[i].best);
		printf("bench: %s_us=%.3f\n", ops[i].key, 1e6 / ops[i].best);
	}
	printf("bench: open_vs_raw_pct=%.1f\n", ratio);
	teardown(&ctx);
	return 0;
fail:
	teardown(&ctx);
	return 1;
}
