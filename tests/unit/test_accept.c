/*
 * tests/unit/test_accept.c — the acceptance rules as a table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "proto/accept.h"
#include "tests/unit/testutil.h"

#define N TU_NOW

static struct event *
mk(enum kind k, long long seq, int prev, long long ts, long long exp)
{
	struct event *ev = calloc(1, sizeof(*ev));

	ev->kind = k;
	ev->seq = seq;
	ev->has_prev = prev != 0;
	memset(ev->prev, prev, KEY_ID_LEN);
	ev->ts = ts;
	ev->has_exp = exp != 0;
	ev->exp = exp;
	memset(ev->id, 0xee, KEY_ID_LEN);
	return ev;
}

struct row {
	const char *what;
	enum kind kind;
	long long seq;
	int prev;          /* prev byte, 0 = none */
	long long ts, exp;
	int has_head;
	long long head;
	int head_byte;
	int at_seq;        /* 0 none, 1 same id, 2 other id */
	int gap;
	enum accept_result want;
};

static const struct row rows[] = {
	{ "first event of a key", KIND_ASSESSMENT, 1, 0, N, N + 60, 0, 0, 0, 0, 0, ACCEPT_OK },
	{ "first seen at seq 7", KIND_ASSESSMENT, 7, 6, N, N + 60, 0, 0, 0, 0, 0, ACCEPT_SEQ_GAP },
	{ "next in chain", KIND_ASSESSMENT, 5, 4, N, N + 60, 1, 4, 4, 0, 0, ACCEPT_OK },
	{ "fork: prev not head", KIND_ASSESSMENT, 5, 3, N, N + 60, 1, 4, 4, 0, 0, ACCEPT_EQUIVOCATION },
	{ "gap", KIND_ASSESSMENT, 9, 8, N, N + 60, 1, 4, 4, 0, 0, ACCEPT_SEQ_GAP },
	{ "gap fill", KIND_ASSESSMENT, 3, 2, N, N + 60, 1, 9, 9, 0, 1, ACCEPT_OK },
	{ "stale replay", KIND_ASSESSMENT, 3, 2, N, N + 60, 1, 9, 9, 0, 0, ACCEPT_STALE },
	{ "same seq head, not held", KIND_ASSESSMENT, 9, 8, N, N + 60, 1, 9, 9, 0, 0, ACCEPT_STALE },
	{ "duplicate", KIND_ASSESSMENT, 4, 3, N, N + 60, 1, 4, 4, 1, 0, ACCEPT_DUPLICATE },
	{ "duplicate even if expired", KIND_ASSESSMENT, 4, 3, N - 100, N - 1, 1, 4, 4, 1, 0, ACCEPT_DUPLICATE },
	{ "equivocation", KIND_ASSESSMENT, 4, 3, N, N + 60, 1, 4, 4, 2, 0, ACCEPT_EQUIVOCATION },
	{ "future by skew+1", KIND_ASSESSMENT, 1, 0, N + 301, N + 900, 0, 0, 0, 0, 0, ACCEPT_FUTURE },
	{ "future by exactly skew", KIND_ASSESSMENT, 1, 0, N + 300, N + 900, 0, 0, 0, 0, 0, ACCEPT_OK },
	{ "expired at now", KIND_ASSESSMENT, 1, 0, N - 60, N, 0, 0, 0, 0, 0, ACCEPT_EXPIRED },
	{ "expires a second later", KIND_ASSESSMENT, 1, 0, N - 60, N + 1, 0, 0, 0, 0, 0, ACCEPT_OK },
	{ "assessment 6 h", KIND_ASSESSMENT, 1, 0, N, N + 21600, 0, 0, 0, 0, 0, ACCEPT_OK },
	{ "assessment 6 h + 1", KIND_ASSESSMENT, 1, 0, N, N + 21601, 0, 0, 0, 0, 0, ACCEPT_LIFETIME_TOO_LONG },
	{ "observation 1 h + 1", KIND_OBSERVATION, 1, 0, N, N + 3601, 0, 0, 0, 0, 0, ACCEPT_LIFETIME_TOO_LONG },
	{ "heartbeat 180 s", KIND_HEARTBEAT, 1, 0, N, N + 180, 0, 0, 0, 0, 0, ACCEPT_OK },
	{ "heartbeat 181 s", KIND_HEARTBEAT, 1, 0, N, N + 181, 0, 0, 0, 0, 0, ACCEPT_LIFETIME_TOO_LONG },
	{ "statement 24 h", KIND_ZONE_STATEMENT, 1, 0, N, N + 86400, 0, 0, 0, 0, 0, ACCEPT_OK },
	{ "vouch 91 d", KIND_VOUCH, 1, 0, N, N + 91 * 86400LL, 0, 0, 0, 0, 0, ACCEPT_LIFETIME_TOO_LONG },
	{ "key_revoke never expires", KIND_KEY_REVOKE, 1, 0, N - 400 * 86400LL, 0, 0, 0, 0, 0, 0, ACCEPT_OK },
	{ "old but live", KIND_ASSESSMENT, 1, 0, N - 5 * 3600, N + 3600, 0, 0, 0, 0, 0, ACCEPT_OK },
};

static void
table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct event *ev = mk(r->kind, r->seq, r->prev, r->ts, r->exp);
		struct accept_chain c;
		enum accept_result got;

		memset(&c, 0, sizeof(c));
		c.has_head = r->has_head;
		c.head_seq = r->head;
		memset(c.head_id, r->head_byte, KEY_ID_LEN);
		if (r->at_seq) {
			c.has_at_seq = true;
			memset(c.id_at_seq, r->at_seq == 1 ? 0xee : 0x11, KEY_ID_LEN);
		}
		c.seq_is_gap = r->gap;
		got = accept_event(ev, &c, N, ACCEPT_SKEW_DEFAULT);
		if (got != r->want)
			fail_msg("%s: want %s, got %s", r->what,
			    accept_result_name(r->want), accept_result_name(got));
		free(ev);
	}
}

/* A gap filler must link to what is held on both sides of it. */
static void
gap_neighbours(void **state)
{
	struct event *ev = mk(KIND_ASSESSMENT, 5, 0x44, N, N + 60);
	struct accept_chain c;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.has_head = true;
	c.head_seq = 9;
	c.seq_is_gap = true;
	assert_int_equal(accept_event(ev, &c, N, 300), ACCEPT_OK);
	c.has_below = true;
	memset(c.below_id, 0x44, KEY_ID_LEN);
	assert_int_equal(accept_event(ev, &c, N, 300), ACCEPT_OK);
	memset(c.below_id, 0x45, KEY_ID_LEN);
	assert_int_equal(accept_event(ev, &c, N, 300), ACCEPT_EQUIVOCATION);
	memset(c.below_id, 0x44, KEY_ID_LEN);
	c.has_above = true;
	memset(c.above_prev, 0xee, KEY_ID_LEN); /* the filler's own id */
	assert_int_equal(accept_event(ev, &c, N, 300), ACCEPT_OK);
	memset(c.above_prev, 0xef, KEY_ID_LEN);
	assert_int_equal(accept_event(ev, &c, N, 300), ACCEPT_EQUIVOCATION);
	free(ev);
}

static void
names(void **state)
{
	(void)state;
	assert_string_equal(accept_result_name(ACCEPT_OK), "accept");
	assert_string_equal(accept_result_name(ACCEPT_SEQ_GAP), "seq_gap");
	assert_string_equal(accept_result_name(ACCEPT_EQUIVOCATION), "equivocation");
	assert_true(accept_is_accepted(ACCEPT_SEQ_GAP));
	assert_false(accept_is_accepted(ACCEPT_STALE));
	assert_int_equal(accept_result_err(ACCEPT_EXPIRED), PROTO_E_EXPIRED);
	assert_int_equal(accept_result_err(ACCEPT_OK), PROTO_OK);
	for (int e = 0; e < PROTO_E__COUNT; e++) {
		assert_string_not_equal(proto_errname((enum proto_err)e), "unknown");
		assert_int_equal(proto_err_from_name(proto_errname((enum proto_err)e)), e);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table),
		cmocka_unit_test(gap_neighbours),
		cmocka_unit_test(names),
	};
	return cmocka_run_group_tests_name("accept", tests, NULL, NULL);
}
