/*
 * tests/fuzz/fuzz_open.c — libFuzzer target over the whole receive path.
 *
 * Each input is treated as envelope text as it arrives from a broker:
 *
 *   1. open_envelope() with a lookup that answers the fixed fuzz key for any
 *      keyid, so an input reaches the payload parser through this path only
 *      when it really is signed by that key (the seed corpus is);
 *   2. envelope_parse() and then event_parse() directly, without any
 *      signature, so that mutations of the payload reach the payload parser
 *      and the validators even though the fuzzer cannot sign;
 *   3. on every event that parses: the accessors, the failure fingerprint
 *      and accept_event() under a few chain states and clocks.
 *
 * The payload travels as base64, which byte-level mutation mangles: a custom
 * mutator therefore often decodes the envelope, lets libFuzzer mutate the
 * payload bytes themselves (and sometimes swaps the payloadType), and signs
 * the result with the fixed key, so that mutated payloads also pass
 * verification and go down the real path of step 1.
 *
 * Besides the sanitizers, a few invariants of the library are checked and
 * abort() when broken: both paths agree on signed input, reasons are
 * NUL-terminated, an accepted observation's fingerprint recomputes to the
 * claimed one and does not depend on the order of the RRSIGs, and acceptance
 * results are in range and consistent with their error codes.
 *
 * Build: tests/fuzz/run.sh, or ./configure CC=clang --enable-fuzzing.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "proto/accept.h"
#include "proto/encoding.h"
#include "proto/envelope.h"
#include "proto/error.h"
#include "proto/event.h"
#include "proto/fingerprint.h"
#include "proto/key.h"
#include "proto/kind.h"
#include "proto/open.h"
#include "proto/pjson.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
    unsigned int seed);
/* Provided by libFuzzer: its own mutation of data in place. */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

/*
 * The fixed fuzz key: the corpus in tests/fuzz/corpus is signed with the key
 * of this seed, so changing it turns the signed seeds into bad signatures.
 */
static const unsigned char fuzz_seed[KEY_SEED_LEN] =
    "ntarelay fuzz_open fixed seed v1";

/* Kept for the life of the process (not a leak: still reachable). */
static struct key_secret *fuzz_key;
static unsigned char fuzz_pk[KEY_PUBLIC_LEN];

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz_open: invariant failed: %s (%s:%d)\n", \
		    #cond, __FILE__, __LINE__);				\
		abort();						\
	}								\
} while (0)

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	if ((fuzz_key = key_secret_from_seed(fuzz_seed, "fuzz", true)) == NULL)
		abort();
	memcpy(fuzz_pk, key_secret_public(fuzz_key)->pk, KEY_PUBLIC_LEN);
	return 0;
}

/* Any keyid maps to the fixed key: only its signatures verify. */
static bool
lookup_fixed(void *ctx, const unsigned char keyid[KEY_ID_LEN],
    unsigned char pk[KEY_PUBLIC_LEN])
{
	(void)ctx;
	(void)keyid;
	memcpy(pk, fuzz_pk, KEY_PUBLIC_LEN);
	return true;
}

static void
check_reason(const char *reason)
{
	CHECK(memchr(reason, '\0', PROTO_REASON_MAX) != NULL);
}

static void
check_error(enum proto_err e)
{
	CHECK((unsigned)e < PROTO_E__COUNT);
	CHECK(proto_errname(e) != NULL);
	CHECK(proto_strerror(e) != NULL);
	CHECK(proto_err_from_name(proto_errname(e)) == e);
}

/* The fingerprint of an observation that parsed, and its independence
 * from the order of the RRSIGs. */
static void
exercise_fingerprint(const struct event *ev)
{
	unsigned char fp[FINGERPRINT_LEN], fp2[FINGERPRINT_LEN];
	unsigned char claimed[FINGERPRINT_LEN];
	json_t *payload, *evidence, *copy = NULL, *rrsigs, *rev;
	const char *state, *claimed_hex;
	size_t i, n;

	/* The jansson path (builders) and the parsed-document path (ingest)
	 * must compute the same fingerprint. */
	if ((payload = event_payload_json(ev)) == NULL)
		return; /* out of memory */
	evidence = json_object_get(payload, "evidence");
	CHECK(json_is_object(evidence));
	if (fingerprint_compute(ev->zone, evidence, fp) != PROTO_OK)
		goto out;
	CHECK(fingerprint_compute_doc(ev->zone, &ev->doc, event_field(ev, "evidence"),
	    fp2) == PROTO_OK);
	CHECK(memcmp(fp, fp2, sizeof(fp)) == 0);

	state = event_str(ev, "state");
	claimed_hex = event_str(ev, "fingerprint");
	CHECK(state != NULL);
	if (strcmp(state, "bogus") != 0) {
		CHECK(claimed_hex == NULL);
	} else {
		CHECK(claimed_hex != NULL);
		CHECK(encoding_hex_decode(claimed_hex, claimed, sizeof(claimed)) == 0);
		CHECK(memcmp(fp, claimed, sizeof(fp)) == 0);
	}

	/* Same evidence with the RRSIGs reversed: same fingerprint. */
	if ((copy = json_deep_copy(evidence)) == NULL)
		goto out;
	rrsigs = json_object_get(copy, "rrsigs");
	n = json_array_size(rrsigs);
	if ((rev = json_array()) == NULL)
		goto out;
	for (i = n; i > 0; i--)
		if (json_array_append(rev, json_array_get(rrsigs, i - 1)) != 0) {
			json_decref(rev);
			goto out;
		}
	if (json_object_set_new(copy, "rrsigs", rev) != 0)
		goto out;
	if (fingerprint_compute(ev->zone, copy, fp2) == PROTO_OK)
		CHECK(memcmp(fp, fp2, sizeof(fp)) == 0);
out:
	json_decref(copy);
	json_decref(payload);
}

/*
 * Differential check of the protocol's JSON parser against jansson (with
 * duplicate members refused, as the protocol requires): they must agree on
 * what is JSON and on every value, except where pjson's documented limits
 * (depth, members per object) refuse more, jansson refuses a real that
 * overflows a double (pjson never needs a real's value), or jansson lets a
 * raw NUL byte through.
 */
static void
same_value(const struct pjson_doc *d, int v, json_t *j)
{
	switch (pjson_type(d, v)) {
	case PJSON_NULL: CHECK(json_is_null(j)); break;
	case PJSON_TRUE: CHECK(json_is_true(j)); break;
	case PJSON_FALSE: CHECK(json_is_false(j)); break;
	case PJSON_REAL: CHECK(json_is_real(j)); break;
	case PJSON_INT:
		CHECK(json_is_integer(j));
		CHECK(json_integer_value(j) == pjson_int(d, v));
		break;
	case PJSON_STRING:
		CHECK(json_is_string(j));
		CHECK(json_string_length(j) == pjson_strlen(d, v));
		CHECK(memcmp(json_string_value(j), pjson_str(d, v),
		    pjson_strlen(d, v)) == 0);
		break;
	case PJSON_ARRAY: {
		size_t i = 0;
		CHECK(json_is_array(j));
		CHECK(json_array_size(j) == pjson_count(d, v));
		for (int c = pjson_first(d, v); c >= 0; c = pjson_next(d, v, c))
			same_value(d, c, json_array_get(j, i++));
		break;
	}
	case PJSON_OBJECT:
		CHECK(json_is_object(j));
		CHECK(json_object_size(j) == pjson_count(d, v));
		for (int k = pjson_first(d, v); k >= 0; k = pjson_next(d, v, k)) {
			json_t *m = json_object_getn(j, pjson_str(d, k), pjson_strlen(d, k));
			CHECK(m != NULL);
			same_value(d, k + 1, m);
		}
		break;
	}
}

static void
differential_json(const char *buf, size_t size)
{
	struct pjson_doc d = { 0 };
	enum pjson_status st = pjson_parse(&d, buf, size);
	json_error_t err;
	json_t *j = json_loadb(buf, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);

	if (st == PJSON_OK && j != NULL)
		same_value(&d, 0, j);
	else if (st == PJSON_OK)
		CHECK(strstr(err.text, "real number overflow") != NULL);
	else if (j != NULL)
		/* jansson also skips a raw NUL byte after a number; pjson
		 * refuses NUL outside strings as JSON does */
		CHECK(st == PJSON_E_NOMEM || strstr(d.error, "too deep") != NULL ||
		    strstr(d.error, "too many members") != NULL ||
		    memchr(buf, '\0', size) != NULL);
	/* Both refuse: they may name different faults when there are
	 * several (jansson checks a member name for repetition only after
	 * its value parsed, pjson before), so nothing more to compare. */
	json_decref(j);
	pjson_free(&d);
}

static void
check_accept(const struct event *ev, const struct accept_chain *c,
    long long now)
{
	enum accept_result r = accept_event(ev, c, now, ACCEPT_SKEW_DEFAULT);
	enum proto_err e;

	CHECK((unsigned)r < ACCEPT__COUNT);
	CHECK(accept_result_name(r) != NULL);
	e = accept_result_err(r);
	check_error(e);
	CHECK((e == PROTO_OK) == accept_is_accepted(r));
	/* An event already held at its seq is never accepted again. */
	if (c->has_at_seq)
		CHECK(r == ACCEPT_DUPLICATE || r == ACCEPT_EQUIVOCATION);
	if (accept_is_accepted(r)) {
		CHECK(ev->ts <= now + ACCEPT_SKEW_DEFAULT);
		CHECK(!ev->has_exp || ev->exp > now);
	}
}

/* Accept ev under a few chain states and clocks. */
static void
exercise_accept(const struct event *ev)
{
	const long long nows[] = {
		0, ev->ts, ev->ts - ACCEPT_SKEW_DEFAULT - 1,
		ev->has_exp ? ev->exp - 1 : ev->ts + 1,
		ev->has_exp ? ev->exp : ev->ts + KIND_DAY,
		KIND_TIME_MAX,
	};
	struct accept_chain c;
	size_t i;

	for (i = 0; i < sizeof(nows) / sizeof(nows[0]); i++) {
		/* A new chain. */
		memset(&c, 0, sizeof(c));
		check_accept(ev, &c, nows[i]);

		/* The next event of the chain, its prev matching or not. */
		c.has_head = true;
		c.head_seq = ev->seq - 1;
		if (ev->has_prev)
			memcpy(c.head_id, ev->prev, KEY_ID_LEN);
		check_accept(ev, &c, nows[i]);
		c.head_id[0] ^= 0x01;
		check_accept(ev, &c, nows[i]);

		/* Behind the head, in a gap or not. */
		c.head_seq = ev->seq + 5;
		check_accept(ev, &c, nows[i]);
		c.seq_is_gap = true;
		check_accept(ev, &c, nows[i]);
		c.seq_is_gap = false;

		/* Ahead of the head: a gap. */
		c.head_seq = ev->seq > 2 ? ev->seq - 2 : 0;
		check_accept(ev, &c, nows[i]);

		/* This very event held already, or another at its seq. */
		c.head_seq = ev->seq;
		c.has_at_seq = true;
		memcpy(c.id_at_seq, ev->id, KEY_ID_LEN);
		CHECK(accept_event(ev, &c, nows[i], ACCEPT_SKEW_DEFAULT) ==
		    ACCEPT_DUPLICATE);
		c.id_at_seq[KEY_ID_LEN - 1] ^= 0x80;
		CHECK(accept_event(ev, &c, nows[i], ACCEPT_SKEW_DEFAULT) ==
		    ACCEPT_EQUIVOCATION);
	}
}

/* Everything a reader of a parsed event may do with it. */
static void
exercise_event(const struct envelope *env, const struct event *ev)
{
	char hex[2 * KEY_ID_LEN + 1], reason[PROTO_REASON_MAX];

	CHECK((unsigned)ev->kind < KIND__COUNT);
	CHECK(memcmp(ev->id, env->id, KEY_ID_LEN) == 0);
	CHECK(memcmp(ev->key, env->keyid, KEY_ID_LEN) == 0);
	CHECK(ev->seq >= 1 && ev->seq <= KIND_SEQ_MAX);
	CHECK(ev->ts >= 0 && ev->ts <= KIND_TIME_MAX);
	CHECK(ev->has_prev == (ev->seq > 1));
	CHECK(ev->nrefs <= KIND_REFS_MAX);
	CHECK(memchr(ev->net, '\0', sizeof(ev->net)) != NULL);
	CHECK(memchr(ev->zone, '\0', sizeof(ev->zone)) != NULL);
	if (ev->kind == KIND_KEY_REVOKE)
		CHECK(!ev->has_exp);
	else
		CHECK(ev->has_exp && ev->exp > ev->ts && ev->exp <= KIND_TIME_MAX);
	CHECK(kind_from_payload_type(env->payload_type) == ev->kind);
	CHECK(strcmp(kind_payload_type(ev->kind), env->payload_type) == 0);
	CHECK(encoding_is_id_hex(envelope_id_hex(env, hex)));

	reason[0] = '\0';
	CHECK(event_check_net(ev, ev->net, reason) == PROTO_OK);
	CHECK(event_check_net(ev, "fuzz-other-net", reason) ==
	    (strcmp(ev->net, "fuzz-other-net") == 0 ? PROTO_OK : PROTO_E_WRONG_NET));
	check_reason(reason);

	(void)event_str(ev, "zone");
	(void)event_str(ev, "note");
	(void)event_int(ev, "lifetime");
	(void)event_bool(ev, "recommend_nta");

	if (ev->kind == KIND_OBSERVATION)
		exercise_fingerprint(ev);
	exercise_accept(ev);
}

/* Largest decoded payload the mutator works on. */
#define MUTATE_PAYLOAD_MAX 16384

/*
 * Half of the time a plain byte mutation of the envelope text; otherwise,
 * when the input is an envelope, a mutation of its decoded payload, signed
 * again with the fixed key.
 */
size_t
LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
    unsigned int seed)
{
	static unsigned char payload[MUTATE_PAYLOAD_MAX];
	char reason[PROTO_REASON_MAX], *json = NULL;
	struct envelope *env = NULL;
	const char *type;
	size_t n, jlen = 0, out = 0;

	if (seed % 2 == 0 ||
	    envelope_parse((const char *)data, size, &env, reason) != PROTO_OK)
		return LLVMFuzzerMutate(data, size, max_size);
	if (env->payload_len > sizeof(payload))
		goto out;
	memcpy(payload, env->payload, env->payload_len);
	n = LLVMFuzzerMutate(payload, env->payload_len, sizeof(payload));
	type = env->payload_type;
	if ((seed >> 1) % 8 == 0)
		type = kind_payload_type((enum kind)((seed >> 4) % KIND__COUNT));
	if (envelope_sign(type, payload, n, fuzz_key, &json, &jlen, NULL,
	    reason) == PROTO_OK && jlen <= max_size) {
		memcpy(data, json, jlen);
		out = jlen;
	}
out:
	free(json);
	envelope_free(env);
	return out ? out : LLVMFuzzerMutate(data, size, max_size);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	char reason[PROTO_REASON_MAX], reason2[PROTO_REASON_MAX];
	struct envelope *env = NULL, *env2 = NULL;
	struct event *ev = NULL, *ev2 = NULL;
	enum proto_err e, e2;
	bool verified;

	/* 0. The JSON parser against jansson, on the raw input and, when it
	 * is an envelope, on its payload. */
	differential_json(buf, size);

	/* 1. The real receive path. */
	reason[0] = '\0';
	e = open_envelope(buf, size, lookup_fixed, NULL, 0, &env, &ev, reason);
	check_error(e);
	check_reason(reason);
	CHECK(e == PROTO_OK ? env != NULL && ev != NULL : ev == NULL);
	/* lookup_fixed knows every keyid: past the envelope, only the
	 * signature can fail before the payload is looked at. */
	verified = env != NULL && e != PROTO_E_BAD_SIGNATURE;
	if (e == PROTO_OK)
		exercise_event(env, ev);

	/* 2. The payload parser without the signature. */
	reason2[0] = '\0';
	e2 = envelope_parse(buf, size, &env2, reason2);
	check_error(e2);
	check_reason(reason2);
	CHECK((e2 == PROTO_OK) == (env != NULL));
	if (e2 == PROTO_OK) {
		CHECK(env2 != NULL);
		CHECK(env2->pae_len == env->pae_len &&
		    memcmp(env2->pae, env->pae, env->pae_len) == 0);
		CHECK(memcmp(env2->id, env->id, KEY_ID_LEN) == 0);
		CHECK(env2->payload[env2->payload_len] == '\0');
		differential_json((const char *)env2->payload, env2->payload_len);
		reason2[0] = '\0';
		e2 = event_parse(env2, &ev2, reason2);
		check_error(e2);
		check_reason(reason2);
		CHECK(e2 == PROTO_OK ? ev2 != NULL : ev2 == NULL);
		/* Once the signature verified, both paths must agree. */
		if (verified)
			CHECK(e2 == e);
		if (e2 == PROTO_OK)
			exercise_event(env2, ev2);
	} else {
		CHECK(env2 == NULL);
		CHECK(e2 == e);
	}

	event_free(ev2);
	envelope_free(env2);
	event_free(ev);
	envelope_free(env);
	return 0;
}
