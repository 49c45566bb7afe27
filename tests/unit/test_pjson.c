/*
 * tests/unit/test_pjson.c — the strict JSON parser of protocol input:
 * grammar, escapes, UTF-8, limits, and agreement with jansson.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "proto/pjson.h"

static enum pjson_status
parse(struct pjson_doc *d, const char *s)
{
	return pjson_parse(d, s, strlen(s));
}

static void
valid(void **state)
{
	static const char *ok[] = {
		"{}", "[]", " {\"a\":1} \n", "[1,-2,0,3.5,1e3,-0.5E-2,true,false,null]",
		"\"str\"", "{\"a\":{\"b\":[{\"c\":\"d\"}]}}", "9223372036854775807",
		"-9223372036854775808", "\"\\u00e9\\ud83d\\ude00\\n\\t\\\"\\\\\\/\"",
		"\"Grüße\"", "{\"a\":1,\"A\":2}",
		/* too big for an integer, but a real: fine (found by the fuzzer) */
		"[99999999999999999999999999999.0]", "[123456789012345678901234e5]",
	};
	struct pjson_doc d = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (parse(&d, ok[i]) != PJSON_OK)
			fail_msg("'%s' refused: %s", ok[i], d.error);
	pjson_free(&d);
}

static void
invalid(void **state)
{
	static const char *bad[] = {
		"", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}",
		"[01]", "[1.]", "[.5]", "[1e]", "[-]", "[+1]", "[0x10]",
		"9223372036854775808", "-9223372036854775809",
		"\"unterminated", "\"bad \\x escape\"", "\"\\u12\"", "\"\\u0000\"",
		"\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
		"\"tab\there\"", "\"\xc3\x28\"", "\"\xe0\x80\xaf\"", "\"\xed\xa0\x80\"",
		"\"\xf4\x90\x80\x80\"", "\"\xff\"", "[true false]", "[nul]", "{} {}",
		"[1]x", "'single'",
	};
	struct pjson_doc d = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(&d, bad[i]) == PJSON_OK)
			fail_msg("'%s' accepted", bad[i]);
	/* NUL bytes outside strings */
	assert_int_equal(pjson_parse(&d, "[1\0]", 4), PJSON_E_SYNTAX);
	pjson_free(&d);
}

static void
duplicates_and_limits(void **state)
{
	struct pjson_doc d = { 0 };
	char buf[8192];
	size_t n = 0;

	(void)state;
	assert_int_equal(parse(&d, "{\"a\":1,\"b\":2,\"a\":3}"), PJSON_E_DUPLICATE);
	assert_non_null(strstr(d.error, "'a'"));
	/* the same name spelled with an escape is still a duplicate */
	assert_int_equal(parse(&d, "{\"a\":1,\"\\u0061\":2}"), PJSON_E_DUPLICATE);
	assert_int_equal(parse(&d, "{\"a\":{\"a\":1}}"), PJSON_OK);
	/* depth */
	for (int i = 0; i < PJSON_DEPTH_MAX; i++)
		buf[n++] = '[';
	for (int i = 0; i < PJSON_DEPTH_MAX; i++)
		buf[n++] = ']';
	assert_int_equal(pjson_parse(&d, buf, n), PJSON_OK);
	memmove(buf + 1, buf, n);
	buf[0] = '[';
	buf[n + 1] = ']';
	assert_int_equal(pjson_parse(&d, buf, n + 2), PJSON_E_SYNTAX);
	assert_non_null(strstr(d.error, "too deep"));
	/* members per object */
	n = 0;
	buf[n++] = '{';
	for (int i = 0; i <= PJSON_MEMBERS_MAX; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s\"k%d\":0",
		    i ? "," : "", i);
	buf[n++] = '}';
	assert_int_equal(pjson_parse(&d, buf, n), PJSON_E_SYNTAX);
	assert_non_null(strstr(d.error, "too many members"));
	pjson_free(&d);
}

static void
access(void **state)
{
	struct pjson_doc d = { 0 };
	int hint = 0, arr, c;
	long long sum = 0;

	(void)state;
	assert_int_equal(parse(&d, "{\"s\":\"x\\u00e9\",\"n\":-42,\"a\":[1,2,3],"
	    "\"o\":{\"k\":true},\"z\":null}"), PJSON_OK);
	assert_int_equal(pjson_type(&d, 0), PJSON_OBJECT);
	assert_int_equal(pjson_count(&d, 0), 5);
	assert_string_equal(pjson_str(&d, pjson_get(&d, 0, "s")), "x\xc3\xa9");
	assert_int_equal(pjson_strlen(&d, pjson_get(&d, 0, "s")), 3);
	assert_int_equal(pjson_int(&d, pjson_get(&d, 0, "n")), -42);
	assert_int_equal(pjson_get(&d, 0, "missing"), -1);
	assert_null(pjson_str(&d, pjson_get(&d, 0, "n")));
	arr = pjson_get(&d, 0, "a");
	for (c = pjson_first(&d, arr); c >= 0; c = pjson_next(&d, arr, c))
		sum += pjson_int(&d, c);
	assert_int_equal(sum, 6);
	assert_int_equal(pjson_type(&d, pjson_get(&d, pjson_get(&d, 0, "o"), "k")),
	    PJSON_TRUE);
	/* hinted look-ups, in order and out of order */
	assert_int_equal(pjson_get_after(&d, 0, "s", &hint), pjson_get(&d, 0, "s"));
	assert_int_equal(pjson_get_after(&d, 0, "n", &hint), pjson_get(&d, 0, "n"));
	assert_int_equal(pjson_get_after(&d, 0, "z", &hint), pjson_get(&d, 0, "z"));
	assert_int_equal(pjson_get_after(&d, 0, "s", &hint), pjson_get(&d, 0, "s"));
	assert_int_equal(pjson_get_after(&d, 0, "nope", &hint), -1);
	pjson_free(&d);
}

/* Same values as jansson on documents both accept. */
static void
agrees_with_jansson(void **state)
{
	static const char *docs[] = {
		"{\"v\":1,\"net\":\"x\",\"refs\":[\"a\",\"b\"],\"n\":{\"x\":[1,{\"y\":null}]}}",
		"[\"\\ud83d\\ude00\",\"\\u20ac\",\"\\/\"]",
	};
	struct pjson_doc d = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		json_t *j = json_loads(docs[i], JSON_DECODE_ANY, NULL);
		char *a, *b;
		assert_non_null(j);
		assert_int_equal(parse(&d, docs[i]), PJSON_OK);
		/* round trip the first string of the array case */
		if (json_is_array(j)) {
			for (size_t k = 0; k < json_array_size(j); k++) {
				int c = pjson_first(&d, 0);
				for (size_t m = 0; m < k; m++)
					c = pjson_next(&d, 0, c);
				assert_string_equal(pjson_str(&d, c),
				    json_string_value(json_array_get(j, k)));
			}
		} else {
			a = json_dumps(json_object_get(j, "refs"), JSON_COMPACT);
			b = strdup("[\"a\",\"b\"]");
			assert_string_equal(a, b);
			free(a);
			free(b);
			assert_int_equal(pjson_count(&d, pjson_get(&d, 0, "refs")), 2);
		}
		json_decref(j);
	}
	pjson_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid),
		cmocka_unit_test(invalid),
		cmocka_unit_test(duplicates_and_limits),
		cmocka_unit_test(access),
		cmocka_unit_test(agrees_with_jansson),
	};
	return cmocka_run_group_tests_name("pjson", tests, NULL, NULL);
}
