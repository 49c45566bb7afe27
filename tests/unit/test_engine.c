/*
 * tests/unit/test_engine.c — the quorum engine (relay/quorum/decide.h) over
 * a real store and trust index: two member operators whose observations
 * and assessments reach nta_recommended give exactly one decision through
 * a recording signer (and one notification); evaluating again with nothing
 * changed signs nothing; a withdrawal, or the assessments expiring, moves
 * the state back, signed once more.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "relay/core/config.h"
#include "relay/core/metrics.h"
#include "relay/core/trust.h"
#include "relay/quorum/decide.h"
#include "tests/unit/storeutil.h"
#include "tests/unit/test_trustdb_util.h"
#include "tests/unit/testutil.h"

#define SIGNED_MAX 16

struct rec {
	int n;                          /* events signed */
	enum kind kind[SIGNED_MAX];
	char state[SIGNED_MAX][32];
	int notified;                   /* decisions announced */
	char prev[SIGNED_MAX][32];
};

struct fixture {
	struct store *s;
	struct trustdb *db;
	struct trust trust;
	struct relay_config cfg;
	struct metrics metrics;
	struct key_secret *a, *b, *relay;
	struct decide *d;
	struct rec rec;
};

static int
rec_sign(void *ctx, enum kind kind, json_t *fields, long lifetime,
    unsigned char *id_out, char *why, size_t whylen)
{
	struct rec *r = ctx;
	const char *st = json_string_value(json_object_get(fields, "state"));

	(void)lifetime;
	(void)why;
	(void)whylen;
	if (r->n < SIGNED_MAX) {
		r->kind[r->n] = kind;
		snprintf(r->state[r->n], sizeof(r->state[0]), "%s", st ? st : "");
	}
	r->n++;
	if (id_out) {
		memset(id_out, 0, KEY_ID_LEN);
		id_out[0] = (unsigned char)r->n;
	}
	json_decref(fields);
	return 0;
}

static void
rec_decision(void *ctx, const json_t *doc, const char *prev_state,
    const char *prev_phase)
{
	struct rec *r = ctx;

	(void)doc;
	(void)prev_phase;
	if (r->notified < SIGNED_MAX)
		snprintf(r->prev[r->notified], sizeof(r->prev[0]), "%s", prev_state);
	r->notified++;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct decide_deps dd;

	f->s = su_store();
	f->a = tu_key("engine-a", 1);
	f->b = tu_key("engine-b", 1);
	f->relay = tu_key("engine-relay", 1);
	f->db = tt_db();
	tt_pin(f->db, f->a, NULL);
	tt_pin(f->db, f->b, NULL);
	f->trust.tdb = f->db;
	f->trust.tidx = tt_index(f->db, 1, NULL, 0, (long long)time(NULL));
	config_defaults(&f->cfg);
	f->cfg.quorum = 2;
	f->cfg.quorum_evidence = 2;
	memset(&dd, 0, sizeof(dd));
	dd.cfg = &f->cfg;
	dd.store = f->s;
	dd.trust = &f->trust;
	dd.metrics = &f->metrics;
	dd.loop = NULL;               /* no timer: the test flushes */
	memcpy(dd.origin, key_secret_public(f->relay)->id, KEY_ID_LEN);
	dd.signer.sign = rec_sign;
	dd.signer.ctx = &f->rec;
	dd.notify.decision = rec_decision;
	dd.notify.ctx = &f->rec;
	f->d = decide_new(&dd);
	*state = f;
	return f->s && f->d && f->trust.tidx && decide_start(f->d) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	decide_free(f->d);
	trust_index_free(f->trust.tidx);
	tt_cleanup(f->db);
	su_store_close(f->s);
	key_secret_free(f->a);
	key_secret_free(f->b);
	key_secret_free(f->relay);
	free(f);
	return 0;
}

/* Store ev's payload and tell the engine, as the ingest pipeline does. */
static struct event *
feed(struct fixture *f, json_t *obj, const struct key_secret *sk)
{
	char err[STORE_ERR_MAX];
	struct event *ev = su_put(f->s, obj, sk, NULL, 0, err);

	assert_non_null(ev);
	decide_event(f->d, ev);
	return ev;
}

/* Evaluate what is marked, past the evaluation budget: the engine spaces
 * a zone's evaluations by a multiple of what the last one cost, which on a
 * loaded machine can exceed any fixed wait; so flush until nothing is
 * pending (at most 20 s, then the assertions that follow fail). */
static void
flush(struct fixture *f)
{
	int tries = 0;

	do {
		usleep(50 * 1000);
		decide_flush(f->d);
	} while (decide_pending(f->d) > 0 && ++tries < 400);
}

/* Both operators observe the failure and recommend an NTA; assessments
 * live life seconds. ev[4] are theirs. */
static void
reach_nta(struct fixture *f, struct event *ev[4], long long life)
{
	ev[0] = feed(f, su_observation(f->a, 1, NULL, true, 1800), f->a);
	ev[1] = feed(f, su_observation(f->b, 1, NULL, true, 1800), f->b);
	ev[2] = feed(f, su_assessment(f->a, 2, ev[0], life, 7200), f->a);
	ev[3] = feed(f, su_assessment(f->b, 2, ev[1], life, 7200), f->b);
	flush(f);
	assert_int_equal(f->rec.n, 1);
	assert_int_equal(f->rec.kind[0], KIND_DECISION);
	assert_string_equal(f->rec.state[0], "nta_recommended");
	assert_int_equal(f->rec.notified, 1);
	assert_string_equal(f->rec.prev[0], "clear");
}

static void
test_one_decision(void **state)
{
	struct fixture *f = *state;
	struct event *ev[4];
	char id[STORE_INCIDENT_ID_LEN + 1];

	reach_nta(f, ev, 3600);
	assert_true(decide_open_incident(f->d, "de.", id));
	assert_int_equal((int)strlen(id), STORE_INCIDENT_ID_LEN);
	/* nothing changed: evaluated again, nothing signed */
	decide_all(f->d);
	flush(f);
	decide_event(f->d, ev[0]);
	flush(f);
	assert_int_equal(f->rec.n, 1);
	assert_int_equal(f->rec.notified, 1);
	for (int i = 0; i < 4; i++)
		event_free(ev[i]);
}

static void
test_withdrawal(void **state)
{
	struct fixture *f = *state;
	struct event *ev[4], *w;

	reach_nta(f, ev, 3600);
	/* a withdraws its assessment: one recommendation left, under Q = 2 */
	w = feed(f, su_withdraw(f->a, 3, ev[2], ev[2]), f->a);
	decide_all(f->d);           /* a withdraw's zone is its target's */
	flush(f);
	assert_int_equal(f->rec.n, 2);
	assert_string_not_equal(f->rec.state[1], "nta_recommended");
	assert_int_equal(f->rec.notified, 2);
	assert_string_equal(f->rec.prev[1], "nta_recommended");
	event_free(w);
	for (int i = 0; i < 4; i++)
		event_free(ev[i]);
}

static void
test_expiry(void **state)
{
	struct fixture *f = *state;
	struct event *ev[4];

	/* the assessments live 3 s (signed 1 s ago) */
	reach_nta(f, ev, 3);
	sleep(3);
	decide_all(f->d);
	flush(f);
	assert_int_equal(f->rec.n, 2);
	assert_string_not_equal(f->rec.state[1], "nta_recommended");
	assert_string_equal(f->rec.prev[1], "nta_recommended");
	for (int i = 0; i < 4; i++)
		event_free(ev[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_decision, setup, teardown),
		cmocka_unit_test_setup_teardown(test_withdrawal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expiry, setup, teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
