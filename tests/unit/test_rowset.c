/*
 * tests/unit/test_rowset.c — relay/fed/rowset.h: the set answers as a
 * plain array of counts does, through many adds and deletes in a random
 * order (deletions move probe runs back), with colliding rows, when full,
 * and after a clear.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "relay/fed/rowset.h"

#define SIZE 64            /* small: long probe runs, wrapping around */
#define ROWS 200           /* rows drawn from 0 .. ROWS - 1 */

static uint64_t rng = 88172645463325252ull;

static unsigned
draw(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void
check_all(const struct rowset *s, const unsigned *model)
{
	size_t n = 0;

	for (long long r = 0; r < ROWS; r++) {
		assert_int_equal(rowset_has(s, r * 1000003), model[r] > 0);
		n += model[r] > 0;
	}
	assert_int_equal(s->n, n);
}

static void
test_model(void **state)
{
	struct rowset s;
	unsigned model[ROWS] = { 0 };
	size_t distinct = 0;

	(void)state;
	assert_int_equal(rowset_init(&s, SIZE), 0);
	assert_false(rowset_has(&s, 5));
	for (int step = 0; step < 20000; step++) {
		unsigned r = draw(ROWS);
		long long row = (long long)r * 1000003;

		if (draw(2)) {
			bool room = model[r] > 0 || distinct < SIZE / 2;

			assert_int_equal(rowset_add(&s, row), room);
			if (room && model[r]++ == 0)
				distinct++;
		} else {
			rowset_del(&s, row);
			if (model[r] > 0 && --model[r] == 0)
				distinct--;
		}
		if (step % 97 == 0)
			check_all(&s, model);
	}
	check_all(&s, model);
	rowset_clear(&s);
	memset(model, 0, sizeof(model));
	check_all(&s, model);
	assert_true(rowset_add(&s, 7));
	assert_true(rowset_has(&s, 7));
	rowset_free(&s);
}

/* Every row in one slot's run: deleting from the middle keeps the rest. */
static void
test_runs(void **state)
{
	struct rowset s;

	(void)state;
	assert_int_equal(rowset_init(&s, SIZE), 0);
	for (long long r = 0; r < SIZE / 2; r++)
		assert_true(rowset_add(&s, r * SIZE));
	assert_false(rowset_add(&s, -1));      /* full */
	assert_true(rowset_add(&s, 0));        /* a second reference */
	rowset_del(&s, 0);
	assert_true(rowset_has(&s, 0));
	for (long long r = 0; r < SIZE / 2; r += 2)
		rowset_del(&s, r * SIZE);
	for (long long r = 0; r < SIZE / 2; r++)
		assert_int_equal(rowset_has(&s, r * SIZE), r % 2 == 1);
	rowset_del(&s, 12345);                 /* not held: nothing */
	assert_int_equal(s.n, SIZE / 4);
	rowset_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
