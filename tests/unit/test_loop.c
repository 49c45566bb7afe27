/*
 * tests/unit/test_loop.c — relay/core/loop.h: how busy the loop was
 * (loop_busy_pct). Time spent in poll(2) is idle and time outside it is
 * busy, whatever the machine's load: a loop that waits for its timers is
 * idle, a callback that keeps the loop for longer than a window makes it
 * saturated. No timing threshold: the assertions hold on a loaded machine
 * and under sanitizers (being descheduled while working counts as busy,
 * waiting in poll never does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "relay/core/loop.h"

static void
stop(void *arg)
{
	loop_stop(arg);
}

static void
nothing(void *arg)
{
	(void)arg;
}

/* Keep the loop for 300 ms of wall time (more than a 250 ms window). */
static void
spin(void *arg)
{
	long long until = loop_now_ms() + 300;

	while (loop_now_ms() < until)
		;
	loop_timer_add(arg, 1, stop, arg);
}

static void
test_before_run(void **state)
{
	struct loop *l = loop_new();

	(void)state;
	assert_non_null(l);
	assert_int_equal(loop_busy_pct(l), -1);
	loop_free(l);
}

static void
test_idle(void **state)
{
	struct loop *l = loop_new();

	(void)state;
	assert_non_null(l);
	/* poll sleeps 300 ms until the first timer: a window with no work */
	assert_true(loop_timer_add(l, 300, nothing, l) > 0);
	assert_true(loop_timer_add(l, 400, stop, l) > 0);
	assert_int_equal(loop_run(l), 0);
	assert_true(loop_busy_pct(l) >= 0);
	assert_true(loop_busy_pct(l) < 50);
	loop_free(l);
}

static void
test_saturated(void **state)
{
	struct loop *l = loop_new();

	(void)state;
	assert_non_null(l);
	/* the callback runs at once and holds the loop past a window */
	assert_true(loop_timer_add(l, 0, spin, l) > 0);
	assert_int_equal(loop_run(l), 0);
	assert_true(loop_busy_pct(l) >= 90);
	assert_true(loop_busy_pct(l) <= 100);
	loop_free(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_before_run),
		cmocka_unit_test(test_idle),
		cmocka_unit_test(test_saturated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
