/*
 * tests/unit/test_store.c — the event store (relay/store/) over a scratch
 * file: storing and deduplicating events, chain heads and gaps, outboxes,
 * the zone queries of the quorum engine and of renewal (kinds bound as
 * KIND_* parameters: an observation of the same key is never taken for an
 * assessment), withdrawals, incidents, and pruning.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sodium.h>

#include "relay/store/store.h"
#include "relay/store/store_zone.h"
#include "tests/unit/storeutil.h"
#include "tests/unit/testutil.h"

struct fixture {
	struct store *s;
	struct key_secret *a, *b;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->s = su_store();
	f->a = tu_key("store-a", 1);
	f->b = tu_key("store-b", 1);
	*state = f;
	return f->s && f->a && f->b ? 0 : -1;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	su_store_close(f->s);
	key_secret_free(f->a);
	key_secret_free(f->b);
	free(f);
	return 0;
}

static void
test_put_dedupe(void **state)
{
	struct fixture *f = *state;
	char err[STORE_ERR_MAX], zone[64];
	unsigned char origin[KEY_ID_LEN];
	struct event *ev, *again;
	json_t *obj = su_observation(f->a, 1, NULL, true, 1800);
	json_t *copy = json_deep_copy(obj);

	assert_int_equal(store_count(f->s), 0);
	ev = su_put(f->s, obj, f->a, NULL, 0, err);
	assert_non_null(ev);
	assert_true(store_has(f->s, ev->id));
	assert_int_equal(store_count(f->s), 1);
	assert_int_equal(store_lookup(f->s, ev->id, origin, zone, sizeof(zone),
	    NULL, NULL), 1);
	assert_memory_equal(origin, ev->origin, KEY_ID_LEN);
	assert_string_equal(zone, "de.");
	/* the same event again (same bytes, same id) is refused, not doubled */
	again = su_put(f->s, copy, f->a, NULL, 0, err);
	assert_null(again);
	assert_int_equal(store_count(f->s), 1);
	/* an id never stored */
	{
		unsigned char other[KEY_ID_LEN];
		memcpy(other, ev->id, KEY_ID_LEN);
		other[0] ^= 0xff;
		assert_false(store_has(f->s, other));
		assert_int_equal(store_lookup(f->s, other, NULL, NULL, 0, NULL,
		    NULL), 0);
	}
	event_free(ev);
}

struct gaps {
	long long lo[8], hi[8];
	int n;
};

static void
gap_cb(void *arg, const unsigned char key[KEY_ID_LEN], long long lo,
    long long hi)
{
	struct gaps *g = arg;

	(void)key;
	g->lo[g->n] = lo;
	g->hi[g->n++] = hi;
}

static void
test_heads_gaps(void **state)
{
	struct fixture *f = *state;
	char err[STORE_ERR_MAX];
	struct event *e1, *e4, *e2;
	unsigned char id[KEY_ID_LEN];
	long long seq;
	bool has;
	struct gaps g = { .n = 0 };
	const unsigned char *key;

	e1 = su_put(f->s, su_observation(f->a, 1, NULL, true, 1800), f->a, NULL,
	    0, err);
	assert_non_null(e1);
	key = e1->key;
	assert_int_equal(store_head(f->s, key, &has, &seq, id, err), 0);
	assert_true(has);
	assert_int_equal(seq, 1);
	assert_memory_equal(id, e1->id, KEY_ID_LEN);
	/* seq 4 after 1: 2..3 missing */
	e4 = su_put(f->s, su_observation(f->a, 4, e1, false, 1800), f->a, NULL,
	    0, err);
	assert_non_null(e4);
	assert_int_equal(store_head(f->s, key, &has, &seq, id, err), 0);
	assert_int_equal(seq, 4);
	assert_int_equal(store_gaps_each(f->s, key, gap_cb, &g, err), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.lo[0], 2);
	assert_int_equal(g.hi[0], 3);
	/* 2 arrives: the gap shrinks to 3 */
	e2 = su_put(f->s, su_observation(f->a, 2, e1, true, 1800), f->a, NULL,
	    0, err);
	assert_non_null(e2);
	g.n = 0;
	assert_int_equal(store_gaps_each(f->s, key, gap_cb, &g, err), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.lo[0], 3);
	assert_int_equal(g.hi[0], 3);
	assert_int_equal(store_head(f->s, key, &has, &seq, id, err), 0);
	assert_int_equal(seq, 4);
	event_free(e1);
	event_free(e2);
	event_free(e4);
}

struct items {
	long long row[8];
	int n;
};

static void
item_cb(void *arg, const struct store_outbox_item *it)
{
	struct items *x = arg;

	x->row[x->n++] = it->row;
}

static void
test_outbox(void **state)
{
	struct fixture *f = *state;
	char err[STORE_ERR_MAX];
	int l1, l2, again;
	int links[2];
	struct items x = { .n = 0 };
	struct event *ev;

	assert_int_equal(store_link_id(f->s, "mqtt://one", &l1, err), 0);
	assert_int_equal(store_link_id(f->s, "mqtt://two", &l2, err), 0);
	assert_int_not_equal(l1, l2);
	assert_int_equal(store_link_id(f->s, "mqtt://one", &again, err), 0);
	assert_int_equal(again, l1);
	links[0] = l1;
	links[1] = l2;
	ev = su_put(f->s, su_assessment(f->a, 1, NULL, 3600, 7200), f->a, links,
	    2, err);
	assert_non_null(ev);
	assert_int_equal(store_outbox_depth(f->s, l1), 1);
	assert_int_equal(store_outbox_depth(f->s, l2), 1);
	assert_int_equal(store_outbox_each(f->s, l1, 0, item_cb, &x, err), 1);
	assert_int_equal(x.n, 1);
	/* acknowledged on one link: gone there only */
	assert_int_equal(store_outbox_ack(f->s, l1, x.row[0], err), 0);
	assert_int_equal(store_outbox_depth(f->s, l1), 0);
	assert_int_equal(store_outbox_depth(f->s, l2), 1);
	event_free(ev);
}

static void
count_raw(void *arg, const char *raw, size_t len)
{
	(void)raw;
	(void)len;
	(*(int *)arg)++;
}

static void
count_view(void *arg, const struct store_view *v)
{
	(void)v;
	(*(int *)arg)++;
}

static void
test_zone_queries(void **state)
{
	struct fixture *f = *state;
	char err[STORE_ERR_MAX];
	struct event *obs, *as1, *as2, *bo;
	long long now = (long long)time(NULL);
	int n;

	/* a's key signs an observation and an assessment; b an observation */
	obs = su_put(f->s, su_observation(f->a, 1, NULL, true, 1800), f->a, NULL,
	    0, err);
	as1 = su_put(f->s, su_assessment(f->a, 2, obs, 3600, 7200), f->a, NULL,
	    0, err);
	bo = su_put(f->s, su_observation(f->b, 1, NULL, true, 1800), f->b, NULL,
	    0, err);
	assert_non_null(obs);
	assert_non_null(as1);
	assert_non_null(bo);
	n = 0;
	assert_int_equal(store_views_each(f->s, "de.", now, count_view, &n, err), 2);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(store_words_each(f->s, "de.", now, count_raw, &n, err), 1);
	/* renewal's query: the key's assessments only (KIND_ASSESSMENT bound),
	 * never its observation */
	n = 0;
	assert_int_equal(store_assessments_of_key(f->s, as1->key, NULL, now,
	    count_raw, &n, err), 1);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(store_assessments_of_key(f->s, as1->key, "de.", now,
	    count_raw, &n, err), 1);
	n = 0;
	assert_int_equal(store_assessments_of_key(f->s, as1->key, "fr.", now,
	    count_raw, &n, err), 0);
	n = 0;
	assert_int_equal(store_assessments_of_key(f->s, bo->key, NULL, now,
	    count_raw, &n, err), 0);
	/* nothing newer yet; a later assessment of the same origin supersedes */
	assert_false(store_assessment_superseded(f->s, as1));
	as2 = su_put(f->s, su_assessment(f->a, 3, as1, 3600, 7200), f->a, NULL,
	    0, err);
	assert_non_null(as2);
	/* same ts (seconds), later seq of the same key */
	assert_true(store_assessment_superseded(f->s, as1));
	assert_false(store_assessment_superseded(f->s, as2));
	/* an observation newer than as2 supersedes nothing (not an assessment) */
	{
		struct event *o2 = su_put(f->s, su_observation(f->a, 4, as2, true,
		    1800), f->a, NULL, 0, err);
		assert_non_null(o2);
		assert_false(store_assessment_superseded(f->s, as2));
		event_free(o2);
	}
	/* a withdraw by a cancels its own assessment, not b's observation */
	assert_false(store_withdrawn(f->s, as2->id, as2->origin));
	{
		struct event *w = su_put(f->s, su_withdraw(f->a, 5, as2, as2), f->a,
		    NULL, 0, err);
		assert_non_null(w);
		assert_true(store_withdrawn(f->s, as2->id, as2->origin));
		assert_false(store_withdrawn(f->s, as2->id, bo->origin));
		event_free(w);
	}
	event_free(obs);
	event_free(as1);
	event_free(as2);
	event_free(bo);
}

static void
test_incidents(void **state)
{
	struct fixture *f = *state;
	char err[STORE_ERR_MAX];
	struct store_incident inc, out;

	memset(&inc, 0, sizeof(inc));
	snprintf(inc.id, sizeof(inc.id), "0123456789abcdef");
	snprintf(inc.zone, sizeof(inc.zone), "de.");
	inc.opened = 1000;
	assert_int_equal(store_incident_open(f->s, "de.", &out, err), 0);
	assert_int_equal(store_incident_put(f->s, &inc, err), 0);
	assert_int_equal(store_incident_open(f->s, "de.", &out, err), 1);
	assert_string_equal(out.id, inc.id);
	assert_int_equal(store_incident_last_closed(f->s, "de.", &out, err), 0);
	/* closed as resolved: no longer open, the last closed one */
	inc.closed = 2000;
	snprintf(inc.outcome, sizeof(inc.outcome), "resolved");
	assert_int_equal(store_incident_put(f->s, &inc, err), 0);
	assert_int_equal(store_incident_open(f->s, "de.", &out, err), 0);
	assert_int_equal(store_incident_last_closed(f->s, "de.", &out, err), 1);
	assert_int_equal(out.closed, 2000);
	assert_int_equal(store_incident_resolved_end(f->s, "de."), 2000);
	assert_int_equal(store_incident_open(f->s, "fr.", &out, err), 0);
}

static void
test_prune(void **state)
{
	struct fixture *f = *state;
	char err[STORE_ERR_MAX];
	struct event *old, *head;
	long deleted;
	long long now = (long long)time(NULL);

	/* seq 1 expires in 1 s, seq 2 (the chain's head) too */
	old = su_put(f->s, su_observation(f->a, 1, NULL, true, 1), f->a, NULL, 0,
	    err);
	head = su_put(f->s, su_observation(f->a, 2, old, true, 1), f->a, NULL, 0,
	    err);
	assert_non_null(old);
	assert_non_null(head);
	/* not expired long enough */
	assert_int_equal(store_prune(f->s, now, 3600, &deleted, err), 0);
	assert_int_equal(deleted, 0);
	/* long expired: the old one goes, the head stays */
	assert_int_equal(store_prune(f->s, now + 7200, 3600, &deleted, err), 0);
	assert_int_equal(deleted, 1);
	assert_false(store_has(f->s, old->id));
	assert_true(store_has(f->s, head->id));
	event_free(old);
	event_free(head);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_put_dedupe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_heads_gaps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbox, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zone_queries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_incidents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
