/*
 * tests/unit/test_envelope.c — PAE, signing, verification, tampering.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "proto/encoding.h"
#include "proto/envelope.h"
#include "proto/open.h"
#include "proto/pae.h"

static struct key_secret *sk;

static void
pae_dsse_example(void **state)
{
	static const char expect[] =
	    "DSSEv1 29 http://example.com/HelloWorld 11 hello world";
	unsigned char *p, id[32], want[32];
	size_t n;

	(void)state;
	p = pae_build("http://example.com/HelloWorld", 29,
	    (const unsigned char *)"hello world", 11, &n);
	assert_non_null(p);
	assert_int_equal(n, strlen(expect));
	assert_memory_equal(p, expect, n);
	pae_event_id(p, n, id);
	crypto_hash_sha256(want, (const unsigned char *)expect, strlen(expect));
	assert_memory_equal(id, want, 32);
	free(p);
	/* Empty body. */
	p = pae_build("t", 1, NULL, 0, &n);
	assert_int_equal(n, strlen("DSSEv1 1 t 0 "));
	assert_memory_equal(p, "DSSEv1 1 t 0 ", n);
	free(p);
}

static void
sign_verify(void **state)
{
	char reason[PROTO_REASON_MAX], *json;
	struct envelope *env, *env2;
	size_t len;

	(void)state;
	assert_int_equal(envelope_sign("text/plain", (unsigned char *)"abc", 3, sk,
	    &json, &len, &env, reason), PROTO_OK);
	assert_int_equal(strlen(json), len);
	assert_int_equal(env->payload_len, 3);
	assert_memory_equal(env->payload, "abc", 3);
	assert_int_equal(envelope_verify(env, key_secret_public(sk)->pk), PROTO_OK);
	assert_memory_equal(env->keyid, key_secret_public(sk)->id, KEY_ID_LEN);
	/* Parsing the same text twice gives the same id. */
	assert_int_equal(envelope_parse(json, len, &env2, reason), PROTO_OK);
	assert_memory_equal(env->id, env2->id, 32);
	envelope_free(env2);
	envelope_free(env);
	free(json);
}

/* Changing any single byte of a signed envelope must make it fail:
 * either it no longer parses, or it no longer verifies, or (for bytes of
 * insignificant syntax, which do not exist in our compact output) it
 * still yields the same PAE. */
static void
tamper_every_byte(void **state)
{
	char reason[PROTO_REASON_MAX], *json;
	struct envelope *env = NULL, *orig;
	struct event *ev = NULL;
	size_t len;

	(void)state;
	assert_int_equal(envelope_sign("text/plain", (unsigned char *)"payload bytes", 13,
	    sk, &json, &len, &orig, reason), PROTO_OK);
	for (size_t i = 0; i < len; i++) {
		char saved = json[i];
		for (int delta = 1; delta < 3; delta++) {
			enum proto_err e;
			json[i] = (char)(saved ^ delta);
			e = open_envelope(json, len, open_lookup_single,
			    (void *)key_secret_public(sk), OPEN_RAW, &env, &ev, reason);
			if (e == PROTO_OK) {
				/* Only acceptable if the signed content is the
				 * same (e.g. padding bits of base64). */
				assert_int_equal(env->pae_len, orig->pae_len);
				assert_memory_equal(env->pae, orig->pae, orig->pae_len);
			}
			envelope_free(env);
			env = NULL;
		}
		json[i] = saved;
	}
	envelope_free(orig);
	free(json);
}

static void
limits(void **state)
{
	char reason[PROTO_REASON_MAX], *big, *json;
	struct envelope *env;
	size_t len;

	(void)state;
	big = malloc(ENVELOPE_MAX + 2);
	memset(big, ' ', ENVELOPE_MAX + 1);
	assert_int_equal(envelope_parse(big, ENVELOPE_MAX + 1, &env, reason),
	    PROTO_E_TOO_LARGE);
	assert_null(env);
	/* A payload whose envelope would exceed the maximum cannot be signed. */
	memset(big, 'a', 50000);
	assert_int_equal(envelope_sign("text/plain", (unsigned char *)big, 50000, sk,
	    &json, &len, NULL, reason), PROTO_E_TOO_LARGE);
	assert_null(json);
	free(big);
	assert_int_equal(envelope_sign("bad\"type", (unsigned char *)"x", 1, sk,
	    &json, &len, NULL, reason), PROTO_E_BAD_PAYLOAD_TYPE);
	assert_int_equal(envelope_parse("{}", 2, &env, reason), PROTO_E_BAD_ENVELOPE);
	assert_int_equal(envelope_parse("", 0, &env, reason), PROTO_E_MALFORMED_JSON);
	assert_int_equal(envelope_parse("{\"payload\":\"\",\"payloadType\":\"t\","
	    "\"signatures\":[{\"keyid\":\"x\",\"sig\":\"\"}]}", 70, &env, reason),
	    PROTO_E_BAD_KEYID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pae_dsse_example),
		cmocka_unit_test(sign_verify),
		cmocka_unit_test(tamper_every_byte),
		cmocka_unit_test(limits),
	};
	unsigned char seed[KEY_SEED_LEN] = { 7 };
	int rc;

	if (sodium_init() < 0)
		return 1;
	sk = key_secret_from_seed(seed, "test", false);
	rc = cmocka_run_group_tests_name("envelope", tests, NULL, NULL);
	key_secret_free(sk);
	return rc;
}
