/*
 * tests/unit/test_ingest.c — the ingest pipeline (relay/fed/ingest.h)
 * against a real store and a real trust database, with a recording
 * observer in place of the quorum engine and the notifier.
 *
 * Each test builds a fresh federation context (struct fed): a store in a
 * temporary directory, a trust database in which operator A's root is
 * pinned (a member), and the index built from it. Events are handed in
 * locally (no link), as the relay hands in its own certificate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "proto/encoding.h"
#include "proto/kind.h"
#include "proto/open.h"
#include "relay/core/clock.h"
#include "relay/core/log.h"
#include "relay/fed/fed.h"
#include "relay/fed/ingest.h"
#include "relay/fed/publish.h"
#include "relay/fed/topic.h"
#include "tests/unit/test_trustdb_util.h"
#include "tests/unit/testutil.h"

/* The relay's one clock, replaced (relay/core/clock.h). */
long long
relay_now(void)
{
	return TU_NOW;
}

/* What the observers heard. */
struct rec {
	int events;
	unsigned char last[KEY_ID_LEN];
	int flushes, commits, rollbacks;
};

static void
rec_event(void *ctx, const struct event *ev)
{
	struct rec *r = ctx;

	r->events++;
	memcpy(r->last, ev->id, KEY_ID_LEN);
}

static void
rec_flush(void *ctx)
{
	((struct rec *)ctx)->flushes++;
}

static void
rec_committed(void *ctx)
{
	((struct rec *)ctx)->commits++;
}

static void
rec_rolled_back(void *ctx)
{
	((struct rec *)ctx)->rollbacks++;
}

struct fx {
	struct relay_config cfg;
	struct metrics metrics;
	struct trust trust;
	struct store *store;
	struct loop *loop;
	struct ratelimit *rl;
	struct quota *quota;
	struct trustpool *pool;
	struct observers obs;
	struct rec rec;
	struct fed *fed;
	struct key_secret *a;         /* operator A's root: pinned, a member */
	struct key_secret *stranger;  /* a key the trust database never saw */
	struct key_secret *c;         /* a root A vouches for */
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct observer o = { rec_event, NULL, rec_flush, rec_committed,
	    rec_rolled_back, NULL };
	char path[256], err[STORE_ERR_MAX];
	const char *slash;

	assert_non_null(f);
	log_init("test_ingest", false, LOG_LVL_ERR);
	f->a = tu_key("ingest-a-root", 1);
	f->stranger = tu_key("ingest-stranger", 1);
	f->c = tu_key("ingest-c-root", 1);
	assert_non_null(f->a);
	assert_non_null(f->stranger);
	assert_non_null(f->c);
	snprintf(f->cfg.net, sizeof(f->cfg.net), "example");
	f->cfg.skew = 300;
	f->cfg.rate_limit = 50;
	f->cfg.rate_burst = 2000;
	f->cfg.vouch_threshold = 2;
	f->cfg.zone_keys_per_operator = 8;
	f->cfg.zone_events_per_operator = 512;
	f->trust.tdb = tt_db();
	snprintf(f->cfg.trustdb, sizeof(f->cfg.trustdb), "%s", tt_db_path());
	tt_pin(f->trust.tdb, f->a, "de.");
	f->trust.cfg = &f->cfg;
	f->trust.metrics = &f->metrics;
	assert_int_equal(trust_reload(&f->trust), 0);
	slash = strrchr(tt_db_path(), '/');
	snprintf(path, sizeof(path), "%.*s/store.db", (int)(slash - tt_db_path()),
	    tt_db_path());
	if (store_open(path, &f->store, err) != 0)
		fail_msg("%s", err);
	assert_non_null(f->loop = loop_new());
	assert_non_null(f->rl = ratelimit_new(f->cfg.rate_limit, f->cfg.rate_burst));
	assert_non_null(f->quota = quota_new());
	assert_non_null(f->pool = trustpool_new(16));
	o.ctx = &f->rec;
	assert_int_equal(observers_add(&f->obs, &o), 0);
	assert_non_null(f->fed = fed_new());
	f->fed->cfg = &f->cfg;
	f->fed->loop = f->loop;
	f->fed->store = f->store;
	f->fed->trust = &f->trust;
	f->fed->pool = f->pool;
	f->fed->key = f->a;
	f->fed->origin = key_secret_public(f->a)->id;
	f->fed->metrics = &f->metrics;
	f->fed->rl = f->rl;
	f->fed->quota = f->quota;
	f->fed->observers = &f->obs;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	fed_free(f->fed);
	store_close(f->store);
	trustpool_free(f->pool);
	quota_free(f->quota);
	ratelimit_free(f->rl);
	loop_free(f->loop);
	trust_free(&f->trust);
	tt_cleanup(f->trust.tdb);
	key_secret_free(f->a);
	key_secret_free(f->stranger);
	key_secret_free(f->c);
	free(f);
	return 0;
}

/* Sign obj (stolen) with sk: the envelope (new string). */
static char *
sign(json_t *obj, const struct key_secret *sk)
{
	return tt_sign(obj, sk);
}

/* The live topic of an envelope signed by sk (net "example"). */
static void
topic_for(const char *env, const struct key_secret *sk, char *topic, size_t cap)
{
	char reason[PROTO_REASON_MAX];
	struct envelope *e = NULL;
	struct event *ev = NULL;

	assert_int_equal(open_envelope(env, strlen(env), open_lookup_single,
	    (void *)key_secret_public(sk), 0, &e, &ev, reason), PROTO_OK);
	assert_true(topic_of("example", ev, topic, cap));
	event_free(ev);
	envelope_free(e);
}

/* Hand env in locally, as signed by sk, and end the loop turn. */
static void
ingest(struct fx *f, const char *env, const struct key_secret *sk)
{
	char topic[TOPIC_MAX];

	topic_for(env, sk, topic, sizeof(topic));
	ingest_message(f->fed, NULL, topic, env, strlen(env));
	assert_int_equal(publish_commit(f->fed), 0);
}

static bool
stored(struct fx *f, const char *env)
{
	struct envelope *e = NULL;
	bool has;

	assert_int_equal(envelope_parse(env, strlen(env), &e, NULL), PROTO_OK);
	has = store_has(f->store, e->id);
	envelope_free(e);
	return has;
}

static uint64_t
rejected(struct fx *f)
{
	uint64_t n = 0;

	for (int i = 0; i < PROTO_E__COUNT; i++)
		n += f->metrics.rejected[i];
	return n;
}

/* A member's assessment is stored, counted and announced once; the same
 * bytes again are a duplicate: not announced again. */
static void
accepted_once(void **state)
{
	struct fx *f = *state;
	char *env = sign(tu_assessment(f->a, f->a), f->a);
	struct envelope *e = NULL;

	ingest(f, env, f->a);
	assert_true(stored(f, env));
	assert_int_equal(f->rec.events, 1);
	assert_int_equal(f->metrics.accepted[KIND_ASSESSMENT], 1);
	assert_int_equal(rejected(f), 0);
	assert_int_equal(envelope_parse(env, strlen(env), &e, NULL), PROTO_OK);
	assert_memory_equal(f->rec.last, e->id, KEY_ID_LEN);
	envelope_free(e);
	assert_true(f->rec.commits >= 1);

	ingest(f, env, f->a);
	assert_int_equal(f->rec.events, 1);
	assert_int_equal(f->metrics.duplicates, 1);
	assert_int_equal(f->metrics.accepted[KIND_ASSESSMENT], 1);
	assert_int_equal(rejected(f), 0);
	free(env);
}

/* Refused: counted under its reason, not stored, not announced. */
static void
refused(struct fx *f, const char *env, const char *topic, enum proto_err why)
{
	ingest_message(f->fed, NULL, topic, env, strlen(env));
	assert_int_equal(publish_commit(f->fed), 0);
	assert_int_equal(f->metrics.rejected[why], 1);
	assert_int_equal(rejected(f), 1);
	assert_int_equal(f->rec.events, 0);
	assert_int_equal(f->metrics.accepted[KIND_ASSESSMENT], 0);
}

static void
bad_signature(void **state)
{
	struct fx *f = *state;
	char *env = sign(tu_assessment(f->a, f->a), f->a), topic[TOPIC_MAX];
	char *sig = strstr(env, "\"sig\":\"");

	topic_for(env, f->a, topic, sizeof(topic));
	assert_non_null(sig);
	sig += 7;
	*sig = *sig == 'A' ? 'B' : 'A';   /* another, valid base64 signature */
	refused(f, env, topic, PROTO_E_BAD_SIGNATURE);
	assert_false(stored(f, env));
	free(env);
}

static void
unknown_key(void **state)
{
	struct fx *f = *state;
	char *env = sign(tu_assessment(f->stranger, f->stranger), f->stranger);
	char topic[TOPIC_MAX];

	topic_for(env, f->stranger, topic, sizeof(topic));
	refused(f, env, topic, PROTO_E_UNKNOWN_KEY);
	assert_false(stored(f, env));
	free(env);
}

static void
wrong_net(void **state)
{
	struct fx *f = *state;
	json_t *o = tu_assessment(f->a, f->a);
	char *env, topic[TOPIC_MAX];

	json_object_set_new(o, "net", json_string("another"));
	env = sign(o, f->a);
	topic_for(env, f->a, topic, sizeof(topic));
	refused(f, env, topic, PROTO_E_WRONG_NET);
	assert_false(stored(f, env));
	free(env);
}

static void
expired(void **state)
{
	struct fx *f = *state;
	json_t *o = tu_assessment(f->a, f->a);
	char *env, topic[TOPIC_MAX];

	json_object_set_new(o, "ts", json_integer(TU_NOW - 7200));
	json_object_set_new(o, "exp", json_integer(TU_NOW - 3600));
	env = sign(o, f->a);
	topic_for(env, f->a, topic, sizeof(topic));
	refused(f, env, topic, PROTO_E_EXPIRED);
	assert_false(stored(f, env));
	free(env);
}

static void
oversize(void **state)
{
	struct fx *f = *state;
	char *env = sign(tu_assessment(f->a, f->a), f->a), topic[TOPIC_MAX];
	char *big = malloc(ENVELOPE_MAX + 2);
	size_t n = strlen(env);

	topic_for(env, f->a, topic, sizeof(topic));
	assert_non_null(big);
	/* the envelope, padded with spaces past the limit */
	memcpy(big, env, n);
	memset(big + n, ' ', ENVELOPE_MAX + 1 - n);
	big[ENVELOPE_MAX + 1] = '\0';
	refused(f, big, topic, PROTO_E_TOO_LARGE);
	assert_false(stored(f, env));
	free(big);
	free(env);
}

/* A member's vouch goes into the trust database (once: parsed and
 * verified by the pipeline only) and marks the index stale. */
static void
trust_imported(void **state)
{
	struct fx *f = *state;
	char *env = tt_vouch(f->a, f->c, "de.", NULL, TU_NOW - 60,
	    TU_NOW + 30 * KIND_DAY);
	struct trustdb_import_stats st;
	char reason[TRUSTDB_REASON_MAX];

	assert_false(f->trust.dirty);
	ingest(f, env, f->a);
	assert_true(f->trust.dirty);
	assert_true(stored(f, env));
	assert_int_equal(f->rec.events, 1);
	assert_int_equal(f->metrics.accepted[KIND_VOUCH], 1);
	assert_int_equal(rejected(f), 0);
	/* the trust database holds it: importing it again is a duplicate */
	assert_int_equal(trustdb_import(f->trust.tdb, env, strlen(env), TU_NOW, &st,
	    reason), TRUSTDB_OK);
	assert_int_equal(st.imported, 0);
	assert_int_equal(st.duplicates, 1);
	free(env);
}

/* trustdb_import_verified() keeps the trust database's own checks: a
 * signer it does not know is refused even with a verified event. */
static void
verified_import_checks_signer(void **state)
{
	struct fx *f = *state;
	char *env = tt_vouch(f->stranger, f->c, "de.", NULL, TU_NOW - 60,
	    TU_NOW + 30 * KIND_DAY);
	char reason[TRUSTDB_REASON_MAX], preason[PROTO_REASON_MAX];
	struct trustdb_import_stats st;
	struct envelope *e = NULL;
	struct event *ev = NULL;

	assert_int_equal(open_envelope(env, strlen(env), open_lookup_single,
	    (void *)key_secret_public(f->stranger), 0, &e, &ev, preason), PROTO_OK);
	assert_int_equal(trustdb_import_verified(f->trust.tdb, ev, env, strlen(env),
	    TU_NOW, &st, reason), TRUSTDB_E_UNKNOWN_SIGNER);
	assert_int_equal(st.imported, 0);
	event_free(ev);
	envelope_free(e);
	free(env);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(accepted_once, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_signature, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_key, setup, teardown),
		cmocka_unit_test_setup_teardown(wrong_net, setup, teardown),
		cmocka_unit_test_setup_teardown(expired, setup, teardown),
		cmocka_unit_test_setup_teardown(oversize, setup, teardown),
		cmocka_unit_test_setup_teardown(trust_imported, setup, teardown),
		cmocka_unit_test_setup_teardown(verified_import_checks_signer, setup,
		    teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
