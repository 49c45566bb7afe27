/*
 * tests/unit/test_golden.c — the reader's half of the API contract test:
 * ntactl nta (client/nta_zones.c) reads the golden GET /v1/zones/{zone}
 * document tests/golden/zone.json, which tests/integration/quorum.sh checks
 * the relay still writes (tests/golden/shape.sh). A change of the document
 * that breaks ntactl fails here; one that breaks the writer fails there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "client/nta_zones.h"

static json_t *
golden(void)
{
	json_error_t err;
	json_t *doc = json_load_file(GOLDEN_DIR "/zone.json", 0, &err);

	if (doc == NULL)
		fail_msg("%s/zone.json: %s (line %d)", GOLDEN_DIR, err.text, err.line);
	return doc;
}

/* The golden document as the one entry of a GET /v1/zones answer (its
 * SUMMARY members are the zone document's). */
static char *
as_list(json_t *doc, long long now)
{
	json_t *list = json_pack("{s:I,s:s,s:i,s:[O]}", "now", (json_int_t)now,
	    "relay", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	    "count", 1, "zones", doc);
	char *body;

	assert_non_null(list);
	body = json_dumps(list, JSON_COMPACT);
	json_decref(list);
	return body;
}

static void
test_reads_recommendation(void **state)
{
	json_t *doc = golden();
	long long until = json_integer_value(json_object_get(doc, "nta_until"));
	long long lifetime = json_integer_value(json_object_get(doc, "lifetime"));
	char *body = as_list(doc, until - 60), why[256] = "";
	struct nta_answer a;
	const struct nta_decision *d;

	(void)state;
	assert_string_equal(json_string_value(json_object_get(doc, "state")),
	    "nta_recommended");
	assert_int_equal(nta_answer_parse(body, strlen(body), &a, why, sizeof(why)), 0);
	assert_int_equal(a.n, 1);
	d = nta_answer_find(&a, json_string_value(json_object_get(doc, "zone")));
	assert_non_null(d);
	assert_true(d->recommended);
	assert_true(nta_zones_state_known(d->state));
	assert_int_equal(d->nta_until, until);
	assert_int_equal(d->lifetime, lifetime);
	assert_true(lifetime > 0);
	assert_string_equal(d->reason, json_string_value(json_object_get(doc, "reason")));
	nta_answer_free(&a);
	free(body);
	json_decref(doc);
}

/* The members ntactl depends on: without any of them the answer is
 * refused as a whole, so a writer that drops one fails loudly here. */
static void
test_needs_its_members(void **state)
{
	static const char *const needed[] = { "zone", "state", "lifetime", "nta_until" };

	(void)state;
	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		json_t *doc = golden();
		char *body, why[256] = "";
		struct nta_answer a;

		json_object_del(doc, needed[i]);
		body = as_list(doc, 1700000000);
		if (nta_answer_parse(body, strlen(body), &a, why, sizeof(why)) == 0)
			fail_msg("an answer without \"%s\" was read", needed[i]);
		assert_true(why[0] != '\0');
		free(body);
		json_decref(doc);
	}
}

/* A type change the writer could make by mistake is refused. */
static void
test_refuses_type_change(void **state)
{
	json_t *doc = golden();
	char *body, why[256] = "";
	struct nta_answer a;

	(void)state;
	json_object_set_new(doc, "nta_until", json_string("tomorrow"));
	body = as_list(doc, 1700000000);
	assert_int_equal(nta_answer_parse(body, strlen(body), &a, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "nta_until"));
	free(body);
	json_decref(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_recommendation),
		cmocka_unit_test(test_needs_its_members),
		cmocka_unit_test(test_refuses_type_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
