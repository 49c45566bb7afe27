/*
 * tests/unit/test_zone.c — domain name rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/zone.h"

static int
valid(const char *s)
{
	return zone_name_valid(s, strlen(s), NULL);
}

static void
accepts(void **state)
{
	(void)state;
	assert_true(valid("."));
	assert_true(valid("de."));
	assert_true(valid("_dmarc.example.com."));
	assert_true(valid("xn--bcher-kva.example."));
	assert_true(valid("a-b.c0."));
}

static void
rejects(void **state)
{
	char big[300];

	(void)state;
	assert_false(valid(""));
	assert_false(valid("de"));
	assert_false(valid("DE."));
	assert_false(valid("a..b."));
	assert_false(valid(".de."));
	assert_false(valid("a b."));
	assert_false(valid("a\\.b."));
	assert_false(valid("ä.de."));
	/* label of 63 ok, 64 not */
	memset(big, 'a', 63);
	strcpy(big + 63, ".");
	assert_true(valid(big));
	memset(big, 'a', 64);
	strcpy(big + 64, ".");
	assert_false(valid(big));
	/* 254 characters ok (255 octets of wire), 256 not */
	for (int i = 0; i < 127; i++)
		memcpy(big + 2 * i, "a.", 2);
	big[254] = '\0';
	assert_int_equal(strlen(big), 254);
	assert_true(valid(big));
	memcpy(big + 254, "a.", 3);
	assert_false(valid(big));
	/* embedded NUL: length says more than strlen */
	assert_false(zone_name_valid("de.\0x.", 6, NULL));
}

static void
normalise(void **state)
{
	char out[ZONE_TEXT_MAX + 1];
	const char *why;

	(void)state;
	assert_int_equal(zone_name_normalise("DE", out, &why), 0);
	assert_string_equal(out, "de.");
	assert_int_equal(zone_name_normalise("Example.COM.", out, &why), 0);
	assert_string_equal(out, "example.com.");
	assert_int_equal(zone_name_normalise(".", out, &why), 0);
	assert_string_equal(out, ".");
	assert_int_equal(zone_name_normalise("a..b", out, &why), -1);
	assert_int_equal(zone_name_normalise("", out, &why), -1);
	/* with a length: a NUL is refused, never the end of the name */
	assert_int_equal(zone_name_normalise_n("LIM.example.\0x", 14, out, &why), -1);
	assert_string_equal(why, "NUL byte in the name");
	assert_int_equal(zone_name_normalise_n("lim.example.\0", 13, out, &why), -1);
	assert_string_equal(why, "NUL byte in the name");
	assert_int_equal(zone_name_normalise_n("\0", 1, out, &why), -1);
	assert_int_equal(zone_name_normalise_n("LIM.Example", 11, out, &why), 0);
	assert_string_equal(out, "lim.example.");
	/* only what the length says: "de" of "debris" */
	assert_int_equal(zone_name_normalise_n("debris", 2, out, &why), 0);
	assert_string_equal(out, "de.");
	assert_int_equal(zone_name_normalise_n("l\xc3\xa9.example.", 12, out, &why), -1);
	assert_string_equal(why, "label characters must be a-z 0-9 - _");
	assert_int_equal(zone_name_normalise_n("", 0, out, &why), -1);
	assert_string_equal(why, "empty name");
}

static void
name_in(void **state)
{
	(void)state;
	assert_true(zone_name_in("de.", "de."));
	assert_true(zone_name_in("nic.de.", "de."));
	assert_true(zone_name_in("a.b.de.", "de."));
	assert_true(zone_name_in("de.", "."));
	assert_false(zone_name_in("code.", "de."));
	assert_false(zone_name_in("de.", "nic.de."));
	assert_false(zone_name_in("com.", "de."));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(name_in),
		cmocka_unit_test(accepts),
		cmocka_unit_test(rejects),
		cmocka_unit_test(normalise),
	};
	return cmocka_run_group_tests_name("zone", tests, NULL, NULL);
}
