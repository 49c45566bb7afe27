/*
 * tests/unit/test_incident.c — incidents (relay/quorum/incident.h): binding
 * words to the failure they judged, and the transitions of one incident
 * driven by the rule's answers, as tables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "relay/quorum/incident.h"

#define NOW 1800000000LL

/* ------------------------------------------------------------ binding */

struct bcase {
	const char *what;
	bool open;            /* an incident is open */
	int lead;             /* its leading fingerprint (0: none known) */
	long long last_end;   /* the last incident was resolved (rel.; 0 none) */
	long long ts;         /* the word (relative) */
	int fps[3];           /* fingerprints of its bogus refs held (0 ends) */
	long long newest;     /* the newest of them (relative) */
	bool want;
};

static const struct bcase bcases[] = {
	{ "no refs, no past: bound", true, 1, 0, -100, { 0 }, 0, true },
	{ "refs of the leading failure: bound", true, 1, 0, -100, { 1 }, -200, true },
	{ "refs of another failure: never counts for this one",
	  true, 1, 0, -100, { 2 }, -200, false },
	{ "refs of several failures, the lead among them: bound",
	  true, 1, 0, -100, { 2, 1 }, -200, true },
	{ "no lead known yet: bound by its refs' time alone",
	  true, 0, 0, -100, { 2 }, -200, true },
	{ "judged before the last incident ended: over (refs)",
	  true, 1, -150, -100, { 1 }, -200, false },
	{ "judged before the last incident ended: over (no refs, its own ts)",
	  true, 1, -150, -200, { 0 }, 0, false },
	{ "signed after the end, but its refs are the old failure's: over",
	  true, 1, -150, -10, { 1 }, -300, false },
	{ "judged after the last incident ended: bound",
	  true, 1, -500, -100, { 1 }, -200, true },
	{ "no incident open: a fresh word may open one",
	  false, 0, -500, -100, { 0 }, 0, true },
	{ "no incident open: a stale word opens nothing",
	  false, 0, -50, -100, { 0 }, 0, false },
};

static void
test_bind(void **state)
{
	const struct bcase *c = *state;
	struct store_incident inc;
	struct incident_refs r;

	memset(&inc, 0, sizeof(inc));
	memset(&r, 0, sizeof(r));
	if (c->lead) {
		inc.has_lead = true;
		memset(inc.lead, c->lead, KEY_ID_LEN);
	}
	for (int i = 0; i < 3 && c->fps[i]; i++)
		memset(r.fps[r.nbogus++], c->fps[i], KEY_ID_LEN);
	r.newest = c->newest ? NOW + c->newest : 0;
	assert_int_equal(incident_binds(c->open ? &inc : NULL,
	    c->last_end ? NOW + c->last_end : 0, NOW + c->ts, &r), c->want);
}

/* ------------------------------------------------------------ steps */

/* One answer of the rule, as far as the incident cares. */
struct answer {
	enum quorum_state state;
	bool recovering;
	int fp;               /* leading fingerprint (0: none) */
	unsigned want;        /* INC_* bits this step reports */
	bool want_held, want_closed;
};

struct scase {
	const char *what;
	struct answer a[8];   /* state QS__COUNT ends */
	const char *outcome;  /* at the end */
	long relapses;
};

#define END { QS__COUNT, false, 0, 0, false, false }

static const struct scase scases[] = {
	{ "observed, recommended, recovering, resolved",
	  { { QS_OBSERVED, false, 1, 0, false, false },
	    { QS_NTA_RECOMMENDED, false, 1, INC_HELD, true, false },
	    { QS_NTA_RECOMMENDED, true, 0, INC_RECOVERING, true, false },
	    { QS_NTA_RECOMMENDED, true, 0, 0, true, false },
	    { QS_RESOLVED, false, 0, INC_RESOLVED, false, true }, END },
	  "resolved", 0 },
	{ "a relapse within the window keeps the hold, counted",
	  { { QS_NTA_RECOMMENDED, false, 1, INC_HELD, true, false },
	    { QS_NTA_RECOMMENDED, true, 0, INC_RECOVERING, true, false },
	    { QS_NTA_RECOMMENDED, false, 1, INC_RELAPSE, true, false },
	    { QS_NTA_RECOMMENDED, true, 0, INC_RECOVERING, true, false },
	    { QS_RESOLVED, false, 0, INC_RESOLVED, false, true }, END },
	  "resolved", 1 },
	{ "expiry during recovery releases the hold; nothing left ends it",
	  { { QS_NTA_RECOMMENDED, false, 1, INC_HELD, true, false },
	    { QS_NTA_RECOMMENDED, true, 0, INC_RECOVERING, true, false },
	    { QS_OBSERVED, false, 0, INC_RELEASED, false, false },
	    { QS_CLEAR, false, 0, INC_ENDED, false, true }, END },
	  "ended", 0 },
	{ "a veto during recovery releases the hold, the incident goes on",
	  { { QS_NTA_RECOMMENDED, false, 1, INC_HELD, true, false },
	    { QS_NTA_RECOMMENDED, true, 0, INC_RECOVERING, true, false },
	    { QS_VETOED, false, 1, INC_RELEASED, false, false },
	    { QS_VETOED, false, 1, 0, false, false }, END },
	  "open", 0 },
	{ "inconsistent evidence during recovery releases the hold",
	  { { QS_NTA_RECOMMENDED, false, 1, INC_HELD, true, false },
	    { QS_NTA_RECOMMENDED, true, 0, INC_RECOVERING, true, false },
	    { QS_INCONSISTENT_EVIDENCE, false, 1, INC_RELEASED, false, false },
	    END },
	  "open", 0 },
	{ "a blip without words ends the incident", 
	  { { QS_OBSERVED, false, 1, 0, false, false },
	    { QS_CLEAR, false, 0, INC_ENDED, false, true }, END },
	  "ended", 0 },
};

static void
test_steps(void **state)
{
	const struct scase *c = *state;
	struct store_incident inc;
	struct quorum_result res;

	incident_open(&inc, "example.", "0123456789abcdef", NOW);
	for (int i = 0; c->a[i].state != QS__COUNT; i++) {
		const struct answer *a = &c->a[i];
		unsigned ch;

		memset(&res, 0, sizeof(res));
		res.state = a->state;
		res.recovering = a->recovering;
		res.lead = -1;
		if (a->fp) {
			memset(res.fps[0], a->fp, KEY_ID_LEN);
			res.nfps = 1;
			res.lead = 0;
		}
		ch = incident_step(&inc, &res, NOW + 10 * (i + 1));
		print_message("# step %d: %s -> bits %#x\n", i,
		    quorum_state_name(a->state), ch);
		assert_int_equal(ch, a->want);
		assert_int_equal(inc.held, a->want_held);
		assert_int_equal(inc.closed != 0, a->want_closed);
	}
	assert_string_equal(incident_outcome(&inc), c->outcome);
	assert_int_equal(inc.relapses, c->relapses);
	/* the fingerprint it is about is remembered through recovery */
	assert_true(inc.has_lead);
	assert_int_equal(inc.nfps, 1);
}

/* Words judged before a recovery, read from the views' runs. */
static void
test_recovered_since(void **state)
{
	struct incident_run runs[5];

	(void)state;
	memset(runs, 0, sizeof(runs));
	memset(runs[0].vote, 'a', KEY_ID_LEN);
	memset(runs[1].vote, 'b', KEY_ID_LEN);
	memset(runs[2].vote, 'b', KEY_ID_LEN);
	memset(runs[3].vote, 'c', KEY_ID_LEN);
	/* a: a run that ended, 1000 s long, after the word */
	runs[0].start = NOW - 3000; runs[0].end = NOW - 2000;
	/* b: two runs, both long enough: one vote */
	runs[1].start = NOW - 2900; runs[1].end = NOW - 1500;
	runs[2].start = NOW - 1000; runs[2].end = 0;
	/* c: ongoing, too short */
	runs[3].start = NOW - 100; runs[3].end = 0;
	assert_true(incident_recovered_since(NOW - 4000, 0, runs, 4, 2, 900, NOW));
	/* b counts once: three votes needed, two recovered */
	assert_false(incident_recovered_since(NOW - 4000, 0, runs, 4, 3, 900, NOW));
	/* judged after a's run began: only b's ongoing run qualifies */
	assert_false(incident_recovered_since(NOW - 2950, 0, runs, 4, 2, 900, NOW));
	assert_true(incident_recovered_since(NOW - 2950, 0, runs, 4, 1, 900, NOW));
	/* a run shorter than the window is no recovery */
	assert_false(incident_recovered_since(NOW - 4000, 0, runs, 4, 2, 1500, NOW));
	/* nothing after the word */
	assert_false(incident_recovered_since(NOW, 0, runs, 4, 1, 60, NOW));
	assert_false(incident_recovered_since(NOW - 4000, 0, runs, 0, 1, 60, NOW));
	/* an open incident that began at NOW - 2500: only the recoveries
	 * before it end a word (a and b's first run); b's ongoing run is the
	 * incident's recovering phase, the hold */
	assert_true(incident_recovered_since(NOW - 4000, NOW - 2500, runs, 4, 2, 900,
	    NOW));
	assert_false(incident_recovered_since(NOW - 4000, NOW - 2950, runs, 4, 2, 900,
	    NOW));
	assert_false(incident_recovered_since(NOW - 2000, NOW - 1500, runs, 4, 1, 900,
	    NOW));
}

static void
test_shows_resolved(void **state)
{
	struct store_incident last;

	(void)state;
	memset(&last, 0, sizeof(last));
	last.closed = NOW - 100;
	snprintf(last.outcome, sizeof(last.outcome), "resolved");
	assert_true(incident_shows_resolved(&last, 900, false, NOW));
	assert_false(incident_shows_resolved(&last, 60, false, NOW));
	assert_true(incident_shows_resolved(&last, 60, true, NOW));
	snprintf(last.outcome, sizeof(last.outcome), "ended");
	assert_false(incident_shows_resolved(&last, 900, true, NOW));
	assert_false(incident_shows_resolved(NULL, 900, true, NOW));
}

int
main(void)
{
	enum { NB = sizeof(bcases) / sizeof(bcases[0]),
		NS = sizeof(scases) / sizeof(scases[0]) };
	struct CMUnitTest tests[NB + NS + 2];
	size_t n = 0;

	for (size_t i = 0; i < NB; i++) {
		struct CMUnitTest t = { bcases[i].what, test_bind, NULL, NULL,
		    (void *)&bcases[i] };
		tests[n++] = t;
	}
	for (size_t i = 0; i < NS; i++) {
		struct CMUnitTest t = { scases[i].what, test_steps, NULL, NULL,
		    (void *)&scases[i] };
		tests[n++] = t;
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_recovered_since);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_shows_resolved);
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("incident", tests, NULL, NULL);
}
