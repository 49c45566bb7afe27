/*
 * tests/unit/test_duration.c — lib/duration.h: the syntax (digits, one
 * unit of s m h d w), the bounds, need_unit, and that a refused string
 * leaves the output alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lib/duration.h"

#define BIG (1LL << 62)

static long long
ok(const char *s)
{
	long long v = -7;

	assert_int_equal(duration_parse(s, 0, BIG, false, &v), 0);
	return v;
}

static void
refused(const char *s, long long lo, long long hi, bool need_unit)
{
	long long v = -7;

	assert_int_equal(duration_parse(s, lo, hi, need_unit, &v), -1);
	assert_int_equal(v, -7);
}

static void
test_units(void **state)
{
	(void)state;
	assert_int_equal(ok("0"), 0);
	assert_int_equal(ok("30"), 30);
	assert_int_equal(ok("90s"), 90);
	assert_int_equal(ok("30m"), 1800);
	assert_int_equal(ok("6h"), 21600);
	assert_int_equal(ok("7d"), 604800);
	assert_int_equal(ok("1w"), 604800);
	assert_int_equal(ok("007m"), 420);
	assert_int_equal(ok("999999999999"), 999999999999LL);
	assert_int_equal(ok("999999999999w"), 999999999999LL * 604800);
}

static void
test_syntax(void **state)
{
	static const char *const bad[] = {
		"", "s", "m", "-5", "+5", " 5", "5 ", "5.5", "5ms", "5M", "5H",
		"5y", "1h30m", "0x10", "5\n", "1234567890123", "1e3", "5 s",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused(bad[i], 0, BIG, false);
	refused(NULL, 0, BIG, false);
}

static void
test_bounds(void **state)
{
	long long v = 0;

	(void)state;
	assert_int_equal(duration_parse("60", 60, 604800, false, &v), 0);
	assert_int_equal(v, 60);
	assert_int_equal(duration_parse("1m", 60, 604800, false, &v), 0);
	assert_int_equal(v, 60);
	refused("59", 60, 604800, false);
	refused("59s", 60, 604800, false);
	assert_int_equal(duration_parse("1w", 60, 604800, false, &v), 0);
	assert_int_equal(duration_parse("7d", 60, 604800, false, &v), 0);
	refused("8d", 60, 604800, false);
	refused("604801", 60, 604800, false);
	refused("2w", 60, 604800, false);
	refused("25h", 60, 86400, false);
}

static void
test_need_unit(void **state)
{
	long long v = 0;

	(void)state;
	refused("30", 0, BIG, true);
	assert_int_equal(duration_parse("30s", 0, BIG, true, &v), 0);
	assert_int_equal(v, 30);
	assert_int_equal(duration_parse("2d", 0, BIG, true, &v), 0);
	assert_int_equal(v, 172800);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_need_unit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
