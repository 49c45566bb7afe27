/*
 * tests/unit/test_buf.c — lib/buf.h: appends and formats grow the text
 * and keep it NUL-terminated; an empty buffer takes as ""; a failed one
 * ignores appends and takes as NULL; free leaves it usable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/buf.h"

static void
test_add(void **state)
{
	struct buf b = { 0 };

	(void)state;
	buf_add(&b, "", 0);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	buf_add(&b, "abc", 2);
	buf_add(&b, "c", 1);
	assert_string_equal(b.data, "abc");
	assert_int_equal(b.len, 3);
	/* past the first allocation, several times */
	for (int i = 0; i < 1000; i++)
		buf_add(&b, "0123456789", 10);
	assert_int_equal(b.len, 10003);
	assert_int_equal(strlen(b.data), 10003);
	assert_true(b.cap > b.len);
	assert_memory_equal(b.data + 3 + 9990, "0123456789", 11);
	assert_false(b.failed);
	buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
}

static void
test_printf(void **state)
{
	struct buf b = { 0 };
	char big[5000];

	(void)state;
	buf_printf(&b, "%s=%d", "x", 42);
	assert_string_equal(b.data, "x=42");
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_printf(&b, "[%s]", big);
	assert_int_equal(b.len, 4 + 2 + sizeof(big) - 1);
	assert_int_equal(b.data[4], '[');
	assert_int_equal(b.data[b.len - 1], ']');
	assert_int_equal(b.data[b.len], '\0');
	buf_add(&b, "!", 1);
	assert_int_equal(b.data[b.len - 1], '!');
	buf_free(&b);
}

static void
test_take(void **state)
{
	struct buf b = { 0 };
	char *s;

	(void)state;
	s = buf_take(&b);
	assert_string_equal(s, "");
	free(s);
	buf_printf(&b, "%d", 7);
	s = buf_take(&b);
	assert_string_equal(s, "7");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	free(s);
	buf_add(&b, "again", 5);
	assert_string_equal(b.data, "again");
	buf_free(&b);
}

static void
test_failed(void **state)
{
	struct buf b = { 0 };

	(void)state;
	buf_add(&b, "kept", 4);
	b.failed = true;   /* as after an allocation failure */
	buf_add(&b, "lost", 4);
	buf_printf(&b, "%s", "lost");
	assert_int_equal(b.len, 4);
	assert_string_equal(b.data, "kept");
	assert_null(buf_take(&b));
	assert_null(b.data);
	assert_false(b.failed);
	/* an impossible size fails instead of wrapping around */
	buf_add(&b, "x", 1);
	buf_add(&b, "y", (size_t)-1);
	assert_true(b.failed);
	assert_string_equal(b.data, "x");
	buf_free(&b);
	buf_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_take),
		cmocka_unit_test(test_failed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
