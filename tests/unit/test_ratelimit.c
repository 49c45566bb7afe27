/*
 * tests/unit/test_ratelimit.c — the token buckets of relay/fed/ratelimit.h on
 * a fake clock (milliseconds passed in), and the pool of non-members'
 * trust events (relay/fed/trustpool.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "relay/fed/ratelimit.h"
#include "relay/fed/trustpool.h"

#define T0 5000000LL             /* the fake clock's start, ms */
#define HOUR (3600LL * 1000)

/* An id whose first bytes (the table's hash) are i. */
static const unsigned char *
idn(unsigned n)
{
	static unsigned char id[KEY_ID_LEN];

	memset(id, 0xa5, sizeof(id));
	memcpy(id, &n, sizeof(n));
	return id;
}

/* Tokens taken for id at now, until the first refusal (at most max). */
static int
drain(struct ratelimit *rl, unsigned n, long long now, int max)
{
	int got = 0;

	while (got < max && ratelimit_take(rl, idn(n), now))
		got++;
	return got;
}

/* An origin idle for an hour has its burst, not an hour's worth. */
static void
cap_after_idle(void **state)
{
	struct ratelimit *rl = ratelimit_new(5, 10);

	(void)state;
	assert_int_equal(drain(rl, 1, T0, 1000), 10);
	assert_int_equal(drain(rl, 1, T0 + HOUR, 100000), 10);
	/* the same with a bucket never emptied */
	assert_true(ratelimit_take(rl, idn(2), T0));
	assert_int_equal(drain(rl, 2, T0 + HOUR, 100000), 10);
	ratelimit_free(rl);
}

static void
refill_rate(void **state)
{
	struct ratelimit *rl = ratelimit_new(4, 3);

	(void)state;
	assert_int_equal(drain(rl, 7, T0, 100), 3);
	/* 4 per second: one token every 250 ms */
	assert_false(ratelimit_take(rl, idn(7), T0 + 249));
	assert_true(ratelimit_take(rl, idn(7), T0 + 250));
	assert_false(ratelimit_take(rl, idn(7), T0 + 250));
	assert_int_equal(drain(rl, 7, T0 + 1250, 100), 3);  /* capped at 3 */
	/* a clock that goes back gives nothing */
	assert_false(ratelimit_take(rl, idn(7), T0));
	ratelimit_free(rl);
}

static void
origins_independent(void **state)
{
	struct ratelimit *rl = ratelimit_new(1, 5);

	(void)state;
	assert_int_equal(drain(rl, 1, T0, 100), 5);
	assert_int_equal(drain(rl, 2, T0, 100), 5);
	assert_false(ratelimit_take(rl, idn(1), T0));
	assert_int_equal(drain(rl, 3, T0, 100), 5);
	ratelimit_free(rl);
}

/* ratelimit_set: a smaller burst caps the buckets at once, a new rate
 * applies to the next refill. */
static void
set_changes(void **state)
{
	struct ratelimit *rl = ratelimit_new(1, 100);

	(void)state;
	assert_true(ratelimit_take(rl, idn(1), T0));    /* 99 left */
	ratelimit_set(rl, 10, 4);
	assert_int_equal(drain(rl, 1, T0, 1000), 4);
	assert_int_equal(drain(rl, 1, T0 + 300, 1000), 3);   /* 10/s */
	ratelimit_set(rl, 0, 4);
	assert_int_equal(drain(rl, 1, T0 + HOUR, 1000), 0);  /* no refill */
	ratelimit_free(rl);
}

/*
 * Thousands of other origins never evict an empty bucket (the old table
 * reused the least recently refilled one: a reset to full); the table
 * grows instead, and drops only buckets that refilled to their burst.
 */
static void
no_reset_by_eviction(void **state)
{
	struct ratelimit *rl = ratelimit_new(1, 3);

	(void)state;
	assert_int_equal(drain(rl, 0, T0, 100), 3);
	for (unsigned n = 1; n <= 20000; n++)
		assert_true(ratelimit_take(rl, idn(n), T0 + 1));
	assert_int_equal(ratelimit_size(rl), 20001);
	assert_false(ratelimit_take(rl, idn(0), T0 + 2));
	/* ids that share their hash (first 8 bytes) are told apart */
	{
		unsigned char twin[KEY_ID_LEN];
		int got = 0;
		memcpy(twin, idn(0), KEY_ID_LEN);
		twin[KEY_ID_LEN - 1] ^= 1;
		while (got < 100 && ratelimit_take(rl, twin, T0 + 2))
			got++;
		assert_int_equal(got, 3);
		assert_false(ratelimit_take(rl, idn(0), T0 + 2));
	}
	/* an hour later every bucket is full: growing drops them, and the
	 * answers stay the same */
	for (unsigned n = 30000; n < 80000; n++)
		assert_true(ratelimit_take(rl, idn(n), T0 + HOUR));
	assert_true(ratelimit_size(rl) < 20001 + 50000);
	assert_int_equal(drain(rl, 0, T0 + HOUR, 100), 3);
	ratelimit_free(rl);
}

/* A single bucket taken by amounts (the byte budgets). */
static void
bucket_amounts(void **state)
{
	struct bucket b = { 0 };

	(void)state;
	assert_true(bucket_take(&b, 100, 1000, 600, T0));
	assert_false(bucket_take(&b, 100, 1000, 600, T0));  /* 400 left */
	assert_true(bucket_take(&b, 100, 1000, 400, T0));
	assert_true(bucket_take(&b, 100, 1000, 100, T0 + 1000));
	assert_false(bucket_take(&b, 100, 1000, 1, T0 + 1000));
	assert_false(bucket_take(&b, 100, 1000, 1001, T0 + HOUR));  /* never */
	assert_true(bucket_take(&b, 100, 1000, 1000, T0 + HOUR));
}

/* ---- trust pool ---------------------------------------------------- */

struct seen {
	char topics[8][16];
	size_t n;
	struct trustpool *p;
	bool add_back;
};

static void
seen_one(void *arg, struct link *from, const char *topic, const void *raw,
    size_t len)
{
	struct seen *s = arg;

	assert_null(from);
	assert_int_equal(len, strlen(topic) + 1);
	assert_memory_equal(raw, topic, len);
	snprintf(s->topics[s->n++], sizeof(s->topics[0]), "%s", topic);
	if (s->add_back)
		assert_int_equal(trustpool_add(s->p, idn((unsigned)topic[1]), NULL,
		    topic, raw, len, NULL), 1);
}

static void
pool_add(struct trustpool *p, unsigned n, uint64_t *evicted)
{
	char t[16];

	snprintf(t, sizeof(t), "t%c", (char)('0' + n));
	assert_int_equal(trustpool_add(p, idn((unsigned)t[1]), NULL, t, t,
	    strlen(t) + 1, evicted), 1);
}

static void
pool_bounded(void **state)
{
	struct trustpool *p = trustpool_new(3);
	struct seen s = { .p = p };
	uint64_t evicted = 0;

	(void)state;
	for (unsigned n = 1; n <= 5; n++)
		pool_add(p, n, &evicted);
	assert_int_equal(trustpool_size(p), 3);
	assert_int_equal(evicted, 2);
	/* an id already held is not added twice */
	assert_int_equal(trustpool_add(p, idn('5'), NULL, "t5", "t5", 3, &evicted), 0);
	/* drained oldest first; what comes back is held again */
	s.add_back = true;
	trustpool_drain(p, seen_one, &s);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.topics[0], "t3");
	assert_string_equal(s.topics[2], "t5");
	assert_int_equal(trustpool_size(p), 3);
	s.add_back = false;
	s.n = 0;
	trustpool_drain(p, seen_one, &s);
	assert_int_equal(s.n, 3);
	assert_int_equal(trustpool_size(p), 0);
	trustpool_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cap_after_idle),
		cmocka_unit_test(refill_rate),
		cmocka_unit_test(origins_independent),
		cmocka_unit_test(set_changes),
		cmocka_unit_test(no_reset_by_eviction),
		cmocka_unit_test(bucket_amounts),
		cmocka_unit_test(pool_bounded),
	};

	return cmocka_run_group_tests_name("ratelimit", tests, NULL, NULL);
}
