/*
 * tests/unit/test_event.c — payload validation per kind, unknown fields,
 * and the failure fingerprint's properties.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "proto/encoding.h"
#include "proto/fingerprint.h"
#include "tests/unit/testutil.h"

static struct key_secret *root, *relay, *other;

static enum proto_err
check(json_t *o, const struct key_secret *sk)
{
	char reason[PROTO_REASON_MAX] = "";
	struct event *ev = NULL;
	enum proto_err e = tu_sign_open(o, sk, &ev, reason);

	if (e != PROTO_OK)
		print_message("# %s: %s\n", proto_errname(e), reason);
	event_free(ev);
	return e;
}

static void
header_parsed(void **state)
{
	char reason[PROTO_REASON_MAX];
	struct event *ev;
	json_t *o = tu_assessment(relay, root);

	(void)state;
	json_object_set_new(o, "refs", json_pack("[s]",
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
	assert_int_equal(tu_sign_open(o, relay, &ev, reason), PROTO_OK);
	assert_int_equal(ev->kind, KIND_ASSESSMENT);
	assert_string_equal(ev->net, "example");
	assert_string_equal(ev->zone, "de.");
	assert_int_equal(ev->seq, 1);
	assert_false(ev->has_prev);
	assert_int_equal(ev->ts, TU_NOW - 60);
	assert_true(ev->has_exp);
	assert_int_equal(ev->nrefs, 1);
	assert_int_equal(ev->refs[0][0], 0x01);
	assert_memory_equal(ev->origin, key_secret_public(root)->id, KEY_ID_LEN);
	assert_string_equal(event_str(ev, "verdict"), "accident");
	assert_true(event_bool(ev, "recommend_nta"));
	assert_int_equal(event_int(ev, "lifetime"), 21600);
	assert_int_equal(event_check_net(ev, "example", reason), PROTO_OK);
	assert_int_equal(event_check_net(ev, "other", reason), PROTO_E_WRONG_NET);
	event_free(ev);
}

static void
prev_rules(void **state)
{
	json_t *o;

	(void)state;
	o = tu_assessment(relay, root);
	json_object_set_new(o, "seq", json_integer(2));
	assert_int_equal(check(o, relay), PROTO_E_FIELD_VALUE); /* prev missing */
	o = tu_assessment(relay, root);
	json_object_set_new(o, "prev", json_string(tu_id(root)));
	assert_int_equal(check(o, relay), PROTO_E_FIELD_VALUE); /* prev at seq 1 */
	o = tu_assessment(relay, root);
	json_object_set_new(o, "seq", json_integer(0));
	assert_int_equal(check(o, relay), PROTO_E_FIELD_VALUE);
	o = tu_assessment(relay, root);
	json_object_del(o, "refs");
	assert_int_equal(check(o, relay), PROTO_E_MISSING_FIELD);
	o = tu_assessment(relay, root);
	json_object_set_new(o, "seq", json_integer(9007199254740992LL));
	assert_int_equal(check(o, relay), PROTO_E_FIELD_VALUE);
}

static void
unknown_fields(void **state)
{
	json_t *o;

	(void)state;
	o = tu_assessment(relay, root);
	json_object_set_new(o, "x_vendor", json_pack("{s:i}", "anything", 1));
	assert_int_equal(check(o, relay), PROTO_OK);
	o = tu_observation(relay, root);
	json_object_set_new(json_object_get(o, "evidence"), "x_note", json_string("ok"));
	assert_int_equal(check(o, relay), PROTO_OK);
	o = tu_assessment(relay, root);
	json_object_set_new(o, "X_upper", json_true());
	assert_int_equal(check(o, relay), PROTO_E_UNKNOWN_FIELD);
	o = tu_observation(relay, root);
	json_object_set_new(json_array_get(json_object_get(json_object_get(o,
	    "evidence"), "rrsigs"), 0), "labels", json_integer(1));
	assert_int_equal(check(o, relay), PROTO_E_UNKNOWN_FIELD);
}

static void
strings(void **state)
{
	json_t *o;
	char big[1100];

	(void)state;
	o = tu_assessment(relay, root);
	json_object_set_new(o, "note", json_string("line\x1b[31mred"));
	assert_int_equal(check(o, relay), PROTO_E_FIELD_VALUE);
	memset(big, 'n', 1025);
	big[1025] = '\0';
	o = tu_assessment(relay, root);
	json_object_set_new(o, "note", json_string(big));
	assert_int_equal(check(o, relay), PROTO_E_FIELD_VALUE);
	o = tu_assessment(relay, root);
	json_object_set_new(o, "note", json_string("Grüße aus Köln — ok"));
	assert_int_equal(check(o, relay), PROTO_OK);
	o = tu_assessment(relay, root);
	json_object_set_new(o, "net", json_string("Example"));
	assert_int_equal(check(o, relay), PROTO_E_FIELD_VALUE);
}

static void
kinds_semantics(void **state)
{
	char pk[ENCODING_B64_LEN(KEY_PUBLIC_LEN)];
	json_t *o;

	(void)state;
	/* assessment: NTA for the root zone is never allowed */
	o = tu_assessment(relay, root);
	json_object_set_new(o, "zone", json_string("."));
	assert_int_equal(check(o, relay), PROTO_E_FIELD_VALUE);
	/* ... but an attack verdict on the root without NTA is fine */
	o = tu_assessment(relay, root);
	json_object_set_new(o, "zone", json_string("."));
	json_object_set_new(o, "verdict", json_string("attack"));
	json_object_set_new(o, "recommend_nta", json_false());
	assert_int_equal(check(o, relay), PROTO_OK);

	/* observation: fingerprint null iff secure/insecure */
	o = tu_observation(relay, root);
	json_object_set_new(o, "state", json_string("secure"));
	assert_int_equal(check(o, relay), PROTO_E_FIELD_VALUE);
	o = tu_observation(relay, root);
	json_object_set_new(o, "state", json_string("secure"));
	json_object_set_new(o, "fingerprint", json_null());
	assert_int_equal(check(o, relay), PROTO_OK);
	o = tu_observation(relay, root);
	json_object_set_new(o, "fingerprint", json_null());
	assert_int_equal(check(o, relay), PROTO_E_FIELD_VALUE);

	/* vouch: subject must be the id of subject_key; no self-vouch */
	encoding_b64_encode(key_secret_public(other)->pk, KEY_PUBLIC_LEN, pk);
	o = tu_header("vouch", root, root, 1, NULL, TU_NOW, TU_NOW + 86400);
	json_object_set_new(o, "subject", json_string(tu_id(other)));
	json_object_set_new(o, "subject_key", json_string(pk));
	json_object_set_new(o, "zones", json_array());
	json_object_set_new(o, "affiliation", json_string("ISP Group"));
	assert_int_equal(check(o, root), PROTO_OK);
	o = tu_header("vouch", root, root, 1, NULL, TU_NOW, TU_NOW + 86400);
	json_object_set_new(o, "subject", json_string(tu_id(relay)));
	json_object_set_new(o, "subject_key", json_string(pk));
	json_object_set_new(o, "zones", json_array());
	json_object_set_new(o, "affiliation", json_null());
	assert_int_equal(check(o, root), PROTO_E_FIELD_VALUE);
	encoding_b64_encode(key_secret_public(root)->pk, KEY_PUBLIC_LEN, pk);
	o = tu_header("vouch", root, root, 1, NULL, TU_NOW, TU_NOW + 86400);
	json_object_set_new(o, "subject", json_string(tu_id(root)));
	json_object_set_new(o, "subject_key", json_string(pk));
	json_object_set_new(o, "zones", json_array());
	json_object_set_new(o, "affiliation", json_null());
	assert_int_equal(check(o, root), PROTO_E_FIELD_VALUE);

	/* key_cert: window order, length, exp == not_after */
	encoding_b64_encode(key_secret_public(relay)->pk, KEY_PUBLIC_LEN, pk);
	o = tu_header("key_cert", root, root, 1, NULL, TU_NOW, TU_NOW + 86400);
	json_object_set_new(o, "subject", json_string(tu_id(relay)));
	json_object_set_new(o, "subject_key", json_string(pk));
	json_object_set_new(o, "not_before", json_integer(TU_NOW));
	json_object_set_new(o, "not_after", json_integer(TU_NOW + 86400));
	assert_int_equal(check(json_deep_copy(o), root), PROTO_OK);
	json_object_set_new(o, "not_after", json_integer(TU_NOW + 2 * 86400));
	assert_int_equal(check(json_deep_copy(o), root), PROTO_E_BAD_TIMESTAMPS);
	json_object_set_new(o, "not_before", json_integer(TU_NOW + 3 * 86400));
	assert_int_equal(check(json_deep_copy(o), root), PROTO_E_BAD_TIMESTAMPS);
	json_object_set_new(o, "not_before", json_integer(TU_NOW - 200 * 86400));
	json_object_set_new(o, "not_after", json_integer(TU_NOW + 86400));
	assert_int_equal(check(json_deep_copy(o), root), PROTO_E_LIFETIME_TOO_LONG);
	/* signed by the relay key instead of the root */
	assert_int_equal(check(o, relay), PROTO_E_KEY_MISMATCH);

	/* key_revoke: exp must be null; signer is subject or root */
	o = tu_header("key_revoke", relay, root, 1, NULL, TU_NOW, 0);
	json_object_set_new(o, "subject", json_string(tu_id(relay)));
	assert_int_equal(check(o, relay), PROTO_OK);
	o = tu_header("key_revoke", root, root, 1, NULL, TU_NOW, 0);
	json_object_set_new(o, "subject", json_string(tu_id(relay)));
	assert_int_equal(check(o, root), PROTO_OK);
	o = tu_header("key_revoke", other, root, 1, NULL, TU_NOW, 0);
	json_object_set_new(o, "subject", json_string(tu_id(relay)));
	assert_int_equal(check(o, other), PROTO_E_ORIGIN_MISMATCH);
	o = tu_header("key_revoke", relay, root, 1, NULL, TU_NOW, TU_NOW + 10);
	json_object_set_new(o, "subject", json_string(tu_id(relay)));
	assert_int_equal(check(o, relay), PROTO_E_BAD_TIMESTAMPS);
	o = tu_header("heartbeat", relay, root, 1, NULL, TU_NOW, 0);
	json_object_set_new(o, "uptime", json_integer(1));
	json_object_set_new(o, "version", json_string("x"));
	assert_int_equal(check(o, relay), PROTO_E_BAD_TIMESTAMPS);

	/* decision: lifetime iff nta_recommended */
	o = tu_header("decision", relay, root, 1, NULL, TU_NOW, TU_NOW + 600);
	json_object_set_new(o, "zone", json_string("de."));
	json_object_set_new(o, "state", json_string("observed"));
	json_object_set_new(o, "since", json_integer(TU_NOW));
	json_object_set_new(o, "lifetime", json_integer(3600));
	json_object_set_new(o, "operators", json_array());
	json_object_set_new(o, "fingerprints", json_array());
	json_object_set_new(o, "veto", json_null());
	assert_int_equal(check(json_deep_copy(o), relay), PROTO_E_FIELD_VALUE);
	json_object_set_new(o, "lifetime", json_null());
	assert_int_equal(check(json_deep_copy(o), relay), PROTO_OK);
	json_object_set_new(o, "veto", json_pack("{s:s,s:s,s:s}", "origin", tu_id(other),
	    "event", tu_id(other), "reason", "attack assessment with own observation"));
	json_object_set_new(o, "state", json_string("vetoed"));
	assert_int_equal(check(o, relay), PROTO_OK);
}

static void
fp_of(json_t *evidence, const char *zone, unsigned char out[FINGERPRINT_LEN])
{
	assert_int_equal(fingerprint_compute(zone, evidence, out), PROTO_OK);
}

static json_t *
evidence(const char *dnskey, const char *ds, int tag, long long exp)
{
	return json_pack("{s:s?,s:[],s:s?,s:[],s:[{s:s,s:s,s:i,s:i,s:i,s:I},"
	    "{s:s,s:s,s:i,s:i,s:i,s:I}],s:[]}",
	    "dnskey_digest", dnskey, "dnskey_tags", "ds_digest", ds, "ds_tags",
	    "rrsigs",
	    "owner", "de.", "type", "SOA", "alg", 8, "tag", tag, "inception", 100,
	    "expiration", (json_int_t)exp,
	    "owner", "nic.de.", "type", "A", "alg", 8, "tag", 1, "inception", 100,
	    "expiration", (json_int_t)500,
	    "soa_serials");
}

static void
fingerprint_properties(void **state)
{
	static const char K1[] = "1111111111111111111111111111111111111111111111111111111111111111";
	static const char K2[] = "2222222222222222222222222222222222222222222222222222222222222222";
	unsigned char a[32], b[32];
	json_t *e1, *e2;

	(void)state;
	/* Same data, different vantage-dependent detail: same fingerprint. */
	e1 = evidence(K1, K2, 33834, 900);
	e2 = evidence(K1, K2, 33834, 900);
	json_array_append_new(json_object_get(e2, "soa_serials"),
	    json_pack("{s:s,s:i}", "server", "ns1", "serial", 7));
	json_array_append_new(json_object_get(e2, "dnskey_tags"), json_integer(5));
	fp_of(e1, "de.", a);
	fp_of(e2, "de.", b);
	assert_memory_equal(a, b, 32);
	/* Order of rrsigs and repeats do not matter. */
	json_array_insert(json_object_get(e2, "rrsigs"), 0,
	    json_array_get(json_object_get(e2, "rrsigs"), 1));
	fp_of(e2, "de.", b);
	assert_memory_equal(a, b, 32);
	json_decref(e2);
	/* Different DNSKEY set (an on-path attacker's): different. */
	e2 = evidence(K2, K2, 33834, 900);
	fp_of(e2, "de.", b);
	assert_memory_not_equal(a, b, 32);
	json_decref(e2);
	/* Different DS, absent DNSKEY, other tag, other expiry, other zone. */
	e2 = evidence(K1, K1, 33834, 900);
	fp_of(e2, "de.", b);
	assert_memory_not_equal(a, b, 32);
	json_decref(e2);
	e2 = evidence(NULL, K2, 33834, 900);
	fp_of(e2, "de.", b);
	assert_memory_not_equal(a, b, 32);
	json_decref(e2);
	e2 = evidence(K1, K2, 33835, 900);
	fp_of(e2, "de.", b);
	assert_memory_not_equal(a, b, 32);
	json_decref(e2);
	e2 = evidence(K1, K2, 33834, 901);
	fp_of(e2, "de.", b);
	assert_memory_not_equal(a, b, 32);
	json_decref(e2);
	fp_of(e1, "com.", b);
	assert_memory_not_equal(a, b, 32);
	json_decref(e1);
}

/* The canonical input, recomputed by hand: pins the format. */
static void
fingerprint_format(void **state)
{
	static const char K1[] = "1111111111111111111111111111111111111111111111111111111111111111";
	static const char text[] =
	    "ntarelay-fingerprint-v1\n"
	    "zone de.\n"
	    "dnskey 1111111111111111111111111111111111111111111111111111111111111111\n"
	    "ds -\n"
	    "sig 8 1 100 500\n"
	    "sig 8 33834 100 900\n";
	unsigned char a[32], want[32];
	json_t *e = evidence(K1, NULL, 33834, 900);

	(void)state;
	fp_of(e, "de.", a);
	crypto_hash_sha256(want, (const unsigned char *)text, strlen(text));
	assert_memory_equal(a, want, 32);
	json_decref(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(header_parsed),
		cmocka_unit_test(prev_rules),
		cmocka_unit_test(unknown_fields),
		cmocka_unit_test(strings),
		cmocka_unit_test(kinds_semantics),
		cmocka_unit_test(fingerprint_properties),
		cmocka_unit_test(fingerprint_format),
	};
	int rc;

	if (sodium_init() < 0)
		return 1;
	root = tu_key("unit-root", 1);
	relay = tu_key("unit-relay", 0);
	other = tu_key("unit-other", 1);
	rc = cmocka_run_group_tests_name("event", tests, NULL, NULL);
	key_secret_free(root);
	key_secret_free(relay);
	key_secret_free(other);
	return rc;
}
