/*
 * tests/unit/test_quorum.c — the quorum rule (relay/quorum/quorum.h) as tables.
 *
 * Each case is a list of events written as one line each: kind, operator
 * (a letter), key (a digit: the operator's relays and staff keys), vote
 * (a letter: affiliated operators share one), times relative to NOW, and
 * the kind's fields. The expected state and counts follow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "relay/quorum/quorum.h"

/* The tables leave trailing fields (run, unbound, dnskey; the expected
 * recovery and unreachable counts, held) zero where they do not matter. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define NOW 1800000000LL
#define H 3600

enum { OB = 1, AS, ST };

struct ev {
	int kind;            /* OB, AS, ST; 0 ends the list */
	char op;             /* operator letter */
	int key;             /* key number within the operator */
	char vote;           /* vote letter; 0: the operator's own */
	long long seq, ts, exp; /* ts and exp relative to NOW */
	int val;             /* OB: quorum_obs; AS: verdict; ST: status */
	int fp;              /* OB: fingerprint number (bogus only) */
	bool rec;            /* AS: recommend_nta */
	long lifetime;       /* AS */
	bool out;            /* revoked key (counts false) */
	bool wd;             /* withdrawn */
	bool notzoneop;      /* ST: origin may not speak for the zone */
	long long run;       /* OB: run_start relative to NOW (0: the view's ts
	                        when it validates) */
	bool unbound;        /* AS, ST: judged another incident */
	int dnskey;          /* OB: DNSKEY digest number (0: none) */
};

struct qcase {
	const char *what;
	int quorum, members, evidence, resolve_after, max_lifetime;
	bool unbacked;
	long long at;        /* evaluation time relative to NOW */
	struct ev e[16];
	enum quorum_state want;
	int want_rec, want_obs, want_valid;
	long want_lifetime;  /* -1: not checked */
	size_t want_fps;
	int want_recovering; /* 1 recovering, 0 not */
	int want_unreachable;
	bool held;           /* the recommendation is held (incident.h) */
};

#define OBS(op, k, seq, ts, exp, st, fp) { OB, op, k, 0, seq, ts, exp, st, fp, false, 0, false, false, false }
#define ASM(op, k, ts, exp, v, rec, life) { AS, op, k, 0, 1, ts, exp, v, 0, rec, life, false, false, false }
#define STM(op, ts, exp, s) { ST, op, 9, 0, 1, ts, exp, s, 0, false, 0, false, false, false }

#define BOGUS(op, k, fp) OBS(op, k, 1, -600, H, QO_BOGUS, fp)
/* a view whose validating run began at run (relative to NOW) */
#define RUN(op, k, seq, ts, st, run) { OB, op, k, 0, seq, ts, H, st, 0, false, 0, false, false, false, run, false, 0 }
/* a recommendation that judged another (an earlier) incident */
#define OLDREC(op) { AS, op, 5, 0, 1, -300, 6 * H, QV_ACCIDENT, 0, true, 6 * H, false, false, false, 0, true, 0 }
#define REC(op) ASM(op, 5, -300, 6 * H, QV_ACCIDENT, true, 6 * H)

static const struct qcase cases[] = {
	{ "nothing: clear", 0, 3, 2, 900, 604800, false, 0, { { 0 } },
	  QS_CLEAR, 0, 0, 0, -1, 0 },
	{ "quorum met: three of Q=3 recommend, three see one failure",
	  0, 7, 2, 900, 604800, false, 0,
	  { BOGUS('a', 1, 1), BOGUS('b', 1, 1), BOGUS('c', 1, 1),
	    REC('a'), REC('b'), REC('c') },
	  QS_NTA_RECOMMENDED, 3, 3, 0, 6 * H, 1 },
	{ "quorum not met: two of Q=3", 0, 7, 2, 900, 604800, false, 0,
	  { BOGUS('a', 1, 1), BOGUS('b', 1, 1), BOGUS('c', 1, 1),
	    REC('a'), REC('b') },
	  QS_OBSERVED, 2, 3, 0, -1, 1 },
	{ "evidence not met: three recommend, one observes (M=2)",
	  2, 7, 2, 900, 604800, false, 0,
	  { BOGUS('a', 1, 1), REC('a'), REC('b'), REC('c') },
	  QS_OBSERVED, 3, 1, 0, -1, 1 },
	{ "one operator with many keys and relays counts once",
	  2, 3, 2, 900, 604800, false, 0,
	  { BOGUS('a', 1, 1), BOGUS('a', 2, 1), BOGUS('a', 3, 1),
	    ASM('a', 5, -300, 6 * H, QV_ACCIDENT, true, 6 * H),
	    ASM('a', 6, -200, 6 * H, QV_ACCIDENT, true, 6 * H),
	    ASM('a', 7, -100, 6 * H, QV_LIKELY_ACCIDENT, true, 6 * H) },
	  QS_OBSERVED, 1, 1, 0, -1, 1 },
	{ "affiliated operators count once", 2, 3, 2, 900, 604800, false, 0,
	  { BOGUS('a', 1, 1), { OB, 'b', 1, 'a', 1, -600, H, QO_BOGUS, 1, false, 0, false, false, false },
	    REC('a'), { AS, 'b', 5, 'a', 1, -300, 6 * H, QV_ACCIDENT, 0, true, 6 * H, false, false, false } },
	  QS_OBSERVED, 1, 1, 0, -1, 1 },
	{ "affiliated pair plus a third operator reaches Q=2",
	  2, 3, 2, 900, 604800, false, 0,
	  { BOGUS('a', 1, 1), { OB, 'b', 1, 'a', 1, -600, H, QO_BOGUS, 1, false, 0, false, false, false },
	    BOGUS('c', 1, 1), REC('a'),
	    { AS, 'b', 5, 'a', 1, -300, 6 * H, QV_ACCIDENT, 0, true, 6 * H, false, false, false },
	    REC('c') },
	  QS_NTA_RECOMMENDED, 2, 2, 0, 6 * H, 1 },
	{ "veto: attack assessment backed by the operator's view of other data "
	  "(it validates where the others fail)",
	  2, 4, 2, 900, 604800, false, 0,
	  { BOGUS('a', 1, 1), BOGUS('b', 1, 1), OBS('c', 1, 1, -600, H, QO_SECURE, 0),
	    REC('a'), REC('b'), ASM('c', 5, -100, 6 * H, QV_LIKELY_ATTACK, false, 3600) },
	  QS_VETOED, 2, 2, 0, -1, 1 },
	{ "veto: backed by a bogus view with other DNSKEY data",
	  2, 4, 2, 900, 604800, false, 0,
	  { { OB, 'a', 1, 0, 1, -600, H, QO_BOGUS, 1, false, 0, false, false, false, 0, false, 5 },
	    { OB, 'b', 1, 0, 1, -600, H, QO_BOGUS, 1, false, 0, false, false, false, 0, false, 5 },
	    { OB, 'c', 1, 0, 1, -600, H, QO_BOGUS, 1, false, 0, false, false, false, 0, false, 7 },
	    REC('a'), REC('b'), ASM('c', 5, -100, 6 * H, QV_ATTACK, false, 3600) },
	  QS_VETOED, 2, 3, 0, -1, 1 },
	{ "no veto: an attack claim beside a view of the same failure the others see",
	  2, 4, 2, 900, 604800, false, 0,
	  { BOGUS('a', 1, 1), BOGUS('b', 1, 1), BOGUS('c', 1, 1),
	    REC('a'), REC('b'), ASM('c', 5, -100, 6 * H, QV_LIKELY_ATTACK, false, 3600) },
	  QS_NTA_RECOMMENDED, 2, 3, 0, 6 * H, 1 },
	{ "no veto: an unreachable view backs nothing",
	  2, 4, 2, 900, 604800, false, 0,
	  { BOGUS('a', 1, 1), BOGUS('b', 1, 1), OBS('c', 1, 1, -600, H, QO_INDETERMINATE, 0),
	    REC('a'), REC('b'), ASM('c', 5, -100, 6 * H, QV_ATTACK, false, 3600) },
	  QS_NTA_RECOMMENDED, 2, 2, 0, 6 * H, 1, 0, 1 },
	{ "no veto: attack assessment without an observation of its own",
	  2, 4, 2, 900, 604800, false, 0,
	  { BOGUS('a', 1, 1), BOGUS('b', 1, 1),
	    REC('a'), REC('b'), ASM('d', 5, -100, 6 * H, QV_ATTACK, false, 3600) },
	  QS_NTA_RECOMMENDED, 2, 2, 0, 6 * H, 1 },
	{ "veto_unbacked yes: the same assessment vetoes",
	  2, 4, 2, 900, 604800, true, 0,
	  { BOGUS('a', 1, 1), BOGUS('b', 1, 1),
	    REC('a'), REC('b'), ASM('d', 5, -100, 6 * H, QV_ATTACK, false, 3600) },
	  QS_VETOED, 2, 2, 0, -1, 1 },
	{ "veto: the zone operator's attack_suspected", 2, 4, 2, 900, 604800, false, 0,
	  { BOGUS('a', 1, 1), BOGUS('b', 1, 1), REC('a'), REC('b'),
	    STM('z', -50, 6 * H, QT_ATTACK_SUSPECTED) },
	  QS_VETOED, 2, 2, 0, -1, 1 },
	{ "a statement by someone not the zone's operator is ignored",
	  2, 4, 2, 900, 604800, false, 0,
	  { BOGUS('a', 1, 1), BOGUS('b', 1, 1), REC('a'), REC('b'),
	    { ST, 'x', 9, 0, 1, -50, 6 * H, QT_ATTACK_SUSPECTED, 0, false, 0, false, false, true } },
	  QS_NTA_RECOMMENDED, 2, 2, 0, 6 * H, 1 },
	{ "accident_confirmed counts as one toward Q", 2, 4, 2, 900, 604800, false, 0,
	  { BOGUS('a', 1, 1), BOGUS('b', 1, 1), REC('a'),
	    STM('z', -50, 6 * H, QT_ACCIDENT_CONFIRMED) },
	  QS_NTA_RECOMMENDED, 2, 2, 0, 6 * H, 1 },
	{ "accident_confirmed never alone", 2, 4, 2, 900, 604800, false, 0,
	  { BOGUS('a', 1, 1), BOGUS('b', 1, 1),
	    STM('z', -50, 6 * H, QT_ACCIDENT_CONFIRMED) },
	  QS_OBSERVED, 0, 2, 0, -1, 1 },
	{ "accident_confirmed by a recommender counts once", 3, 4, 2, 900, 604800, false, 0,
	  { BOGUS('a', 1, 1), BOGUS('b', 1, 1), REC('a'), REC('z'),
	    STM('z', -50, 6 * H, QT_ACCIDENT_CONFIRMED) },
	  QS_OBSERVED, 2, 2, 0, -1, 1 },
	{ "different fingerprints: inconsistent evidence, however many recommend",
	  2, 5, 2, 900, 604800, false, 0,
	  { BOGUS('a', 1, 1), BOGUS('b', 1, 1), BOGUS('c', 1, 2),
	    REC('a'), REC('b'), REC('c'), REC('d'), REC('e') },
	  QS_INCONSISTENT_EVIDENCE, 5, 2, 0, -1, 2 },
	{ "an assessment counts until the second before it expires",
	  2, 3, 2, 900, 604800, false, 0,
	  { BOGUS('a', 1, 1), BOGUS('b', 1, 1), REC('a'),
	    ASM('b', 5, -300, 100, QV_ACCIDENT, true, 6 * H) },
	  QS_NTA_RECOMMENDED, 2, 2, 0, 6 * H, 1 },
	{ "... and not at the second it expires", 2, 3, 2, 900, 604800, false, 100,
	  { BOGUS('a', 1, 1), BOGUS('b', 1, 1), REC('a'),
	    ASM('b', 5, -300, 100, QV_ACCIDENT, true, 6 * H) },
	  QS_OBSERVED, 1, 2, 0, -1, 1 },
	{ "a recommendation ends with its lifetime, before its exp",
	  2, 3, 2, 900, 604800, false, 700,
	  { BOGUS('a', 1, 1), BOGUS('b', 1, 1), REC('a'),
	    ASM('b', 5, -300, 6 * H, QV_ACCIDENT, true, 1000) },
	  QS_OBSERVED, 1, 2, 0, -1, 1 },
	{ "withdrawal drops the vote", 2, 3, 2, 900, 604800, false, 0,
	  { BOGUS('a', 1, 1), BOGUS('b', 1, 1), REC('a'),
	    { AS, 'b', 5, 0, 1, -300, 6 * H, QV_ACCIDENT, 0, true, 6 * H, false, true, false } },
	  QS_OBSERVED, 1, 2, 0, -1, 1 },
	{ "a withdrawn newer assessment does not revive the older one",
	  2, 3, 2, 900, 604800, false, 0,
	  { BOGUS('a', 1, 1), BOGUS('b', 1, 1), REC('a'),
	    ASM('b', 5, -900, 6 * H, QV_ACCIDENT, true, 6 * H),
	    { AS, 'b', 5, 0, 2, -300, 6 * H, QV_ACCIDENT, 0, true, 6 * H, false, true, false } },
	  QS_OBSERVED, 1, 2, 0, -1, 1 },
	{ "revocation drops the vote", 2, 3, 2, 900, 604800, false, 0,
	  { BOGUS('a', 1, 1), BOGUS('b', 1, 1), REC('a'),
	    { AS, 'b', 5, 0, 1, -300, 6 * H, QV_ACCIDENT, 0, true, 6 * H, true, false, false } },
	  QS_OBSERVED, 1, 2, 0, -1, 1 },
	{ "a newer assessment replaces an older one", 2, 3, 2, 900, 604800, false, 0,
	  { BOGUS('a', 1, 1), BOGUS('b', 1, 1), REC('a'),
	    ASM('b', 5, -900, 6 * H, QV_ACCIDENT, true, 6 * H),
	    ASM('b', 6, -300, 6 * H, QV_UNKNOWN, false, 6 * H) },
	  QS_OBSERVED, 1, 2, 0, -1, 1 },
	{ "lifetime is the minimum", 2, 3, 2, 900, 604800, false, 0,
	  { BOGUS('a', 1, 1), BOGUS('b', 1, 1),
	    ASM('a', 5, -300, 7 * 24 * H, QV_ACCIDENT, true, 2 * H),
	    ASM('b', 5, -300, 7 * 24 * H, QV_ACCIDENT, true, 5 * H) },
	  QS_NTA_RECOMMENDED, 2, 2, 0, 2 * H, 1 },
	{ "lifetime capped by nta_max_lifetime", 2, 3, 2, 900, 3 * H, false, 0,
	  { BOGUS('a', 1, 1), BOGUS('b', 1, 1),
	    ASM('a', 5, -300, 7 * 24 * H, QV_ACCIDENT, true, 6 * 24 * H),
	    ASM('b', 5, -300, 7 * 24 * H, QV_ACCIDENT, true, 6 * 24 * H) },
	  QS_NTA_RECOMMENDED, 2, 2, 0, 3 * H, 1 },
	{ "lifetime never above 7 days", 2, 3, 2, 900, 10 * 24 * H, false, 0,
	  { BOGUS('a', 1, 1), BOGUS('b', 1, 1),
	    ASM('a', 5, -300, 9 * 24 * H, QV_ACCIDENT, true, 9 * 24 * H),
	    ASM('b', 5, -300, 9 * 24 * H, QV_ACCIDENT, true, 9 * 24 * H) },
	  QS_NTA_RECOMMENDED, 2, 2, 0, 7 * 24 * H, 1 },
	{ "sustained validation from M operators resolves", 2, 3, 2, 900, 604800, false, 0,
	  { RUN('a', 1, 2, -1000, QO_SECURE, -1000), RUN('b', 1, 2, -950, QO_SECURE, -950),
	    REC('a'), REC('b') },
	  QS_RESOLVED, 2, 0, 2, -1, 0 },
	{ "validation shorter than the window does not resolve", 2, 3, 2, 900, 604800, false, 0,
	  { RUN('a', 1, 2, -1000, QO_SECURE, -1000), RUN('b', 1, 2, -800, QO_SECURE, -800),
	    REC('a'), REC('b') },
	  QS_OBSERVED, 2, 0, 1, -1, 0 },
	{ "a zone that validates only some of the time never resolves (each "
	  "failure restarts the run)", 2, 3, 2, 900, 604800, false, 0,
	  { RUN('a', 1, 3, -300, QO_SECURE, -300), RUN('b', 1, 3, -200, QO_SECURE, -200),
	    REC('a'), REC('b') },
	  QS_OBSERVED, 2, 0, 0, -1, 0 },
	{ "a refreshed run that began long ago counts", 2, 3, 2, 900, 604800, false, 0,
	  { RUN('a', 1, 3, -100, QO_SECURE, -5000), RUN('b', 1, 1, -2000, QO_SECURE, -2000),
	    REC('a'), REC('b') },
	  QS_RESOLVED, 2, 0, 2, -1, 0 },
	{ "a partial fix is not a fix: M validate long enough, one still fails",
	  2, 3, 2, 900, 604800, false, 0,
	  { RUN('a', 1, 2, -1000, QO_SECURE, -1000), RUN('b', 1, 2, -950, QO_SECURE, -950),
	    BOGUS('c', 1, 1), REC('a'), REC('b') },
	  QS_OBSERVED, 2, 1, 2, -1, 1 },
	{ "an unreachable vantage point alone opens nothing",
	  2, 3, 2, 900, 604800, false, 0,
	  { OBS('a', 1, 1, -100, H, QO_INDETERMINATE, 0),
	    OBS('b', 1, 1, -100, H, QO_INDETERMINATE, 0) },
	  QS_CLEAR, 0, 0, 0, -1, 0, 0, 2 },
	{ "unreachable vantage points are neither failing nor validating",
	  2, 3, 2, 900, 604800, false, 0,
	  { BOGUS('a', 1, 1), OBS('b', 1, 1, -100, H, QO_INDETERMINATE, 0),
	    OBS('c', 1, 1, -100, H, QO_INDETERMINATE, 0), REC('a'), REC('b'), REC('c') },
	  QS_OBSERVED, 3, 1, 0, -1, 1, 0, 2 },
	{ "words that judged another incident do not count",
	  2, 3, 2, 900, 604800, false, 0,
	  { BOGUS('a', 1, 1), BOGUS('b', 1, 1), OLDREC('a'), OLDREC('b') },
	  QS_OBSERVED, 0, 2, 0, -1, 1 },
	{ "... nor open an incident alone",
	  2, 3, 2, 900, 604800, false, 0,
	  { RUN('a', 1, 2, -100, QO_SECURE, -100), OLDREC('a'), OLDREC('b') },
	  QS_CLEAR, 0, 0, 0, -1, 0 },
	/* the hold (relay/quorum/incident.h) */
	{ "held: the NTA stays while the zone validates again (recovering)",
	  2, 3, 2, 900, 604800, false, 0,
	  { RUN('a', 1, 2, -40, QO_SECURE, -40), RUN('b', 1, 2, -30, QO_SECURE, -30),
	    REC('a'), REC('b') },
	  QS_NTA_RECOMMENDED, 2, 0, 0, 6 * H, 0, 1, 0, true },
	{ "not held: the same first good probes drop it (the old behaviour, "
	  "before a recommendation)", 2, 3, 2, 900, 604800, false, 0,
	  { RUN('a', 1, 2, -40, QO_SECURE, -40), RUN('b', 1, 2, -30, QO_SECURE, -30),
	    REC('a'), REC('b') },
	  QS_OBSERVED, 2, 0, 0, -1, 0, 0, 0, false },
	{ "held: a relapse keeps the NTA, failing again",
	  2, 3, 2, 900, 604800, false, 0,
	  { BOGUS('a', 1, 1), BOGUS('b', 1, 1), REC('a'), REC('b') },
	  QS_NTA_RECOMMENDED, 2, 2, 0, 6 * H, 1, 0, 0, true },
	{ "held: a relapse from one vantage point keeps recovering, not resolved",
	  2, 3, 2, 900, 604800, false, 0,
	  { BOGUS('a', 1, 1), RUN('b', 1, 2, -2000, QO_SECURE, -2000),
	    RUN('c', 1, 2, -2000, QO_SECURE, -2000), REC('a'), REC('b') },
	  QS_NTA_RECOMMENDED, 2, 1, 2, 6 * H, 1, 1, 0, true },
	{ "held: M validated for the window, nobody fails: resolved",
	  2, 3, 2, 900, 604800, false, 0,
	  { RUN('a', 1, 2, -950, QO_SECURE, -950), RUN('b', 1, 2, -900, QO_SECURE, -900),
	    REC('a'), REC('b') },
	  QS_RESOLVED, 2, 0, 2, -1, 0, 0, 0, true },
	{ "held: expiry during recovery releases it",
	  2, 3, 2, 900, 604800, false, 0,
	  { RUN('a', 1, 2, -40, QO_SECURE, -40), RUN('b', 1, 2, -30, QO_SECURE, -30),
	    ASM('a', 5, -300, -1, QV_ACCIDENT, true, 6 * H),
	    ASM('b', 5, -300, -1, QV_ACCIDENT, true, 6 * H) },
	  QS_CLEAR, 0, 0, 0, -1, 0, 0, 0, true },
	{ "held: withdrawal during recovery releases it",
	  2, 3, 2, 900, 604800, false, 0,
	  { RUN('a', 1, 2, -40, QO_SECURE, -40), RUN('b', 1, 2, -30, QO_SECURE, -30),
	    REC('a'), { AS, 'b', 5, 0, 1, -300, 6 * H, QV_ACCIDENT, 0, true, 6 * H, false, true, false, 0, false, 0 } },
	  QS_OBSERVED, 1, 0, 0, -1, 0, 0, 0, true },
	{ "held: a backed veto during recovery",
	  2, 3, 2, 900, 604800, false, 0,
	  { RUN('a', 1, 2, -40, QO_SECURE, -40), RUN('b', 1, 2, -30, QO_SECURE, -30),
	    BOGUS('c', 1, 1), REC('a'), REC('b'),
	    ASM('c', 5, -10, 6 * H, QV_ATTACK, false, 3600) },
	  QS_VETOED, 2, 1, 0, -1, 1, 0, 0, true },
	{ "held: inconsistent evidence during recovery",
	  2, 4, 2, 900, 604800, false, 0,
	  { RUN('a', 1, 2, -40, QO_SECURE, -40), BOGUS('b', 1, 1), BOGUS('c', 1, 2),
	    REC('a'), REC('b') },
	  QS_INCONSISTENT_EVIDENCE, 2, 1, 0, -1, 2, 0, 0, true },
	{ "held: unreachable vantage points neither resolve nor relapse",
	  2, 3, 2, 900, 604800, false, 0,
	  { OBS('a', 1, 2, -40, H, QO_INDETERMINATE, 0),
	    OBS('b', 1, 2, -30, H, QO_INDETERMINATE, 0), REC('a'), REC('b') },
	  QS_NTA_RECOMMENDED, 2, 0, 0, 6 * H, 0, 1, 2, true },
	{ "secure observations alone: clear", 2, 3, 2, 900, 604800, false, 0,
	  { RUN('a', 1, 1, -5000, QO_SECURE, -5000), RUN('b', 1, 1, -100, QO_SECURE, -100) },
	  QS_CLEAR, 0, 0, 1, -1, 0 },
	{ "an expired observation no longer counts", 2, 3, 2, 900, 604800, false, 0,
	  { OBS('a', 1, 1, -5000, -1, QO_BOGUS, 1), BOGUS('b', 1, 1), REC('a'), REC('b') },
	  QS_OBSERVED, 2, 1, 0, -1, 1 },
	{ "a vantage point's newer view replaces its older one",
	  2, 3, 2, 900, 604800, false, 0,
	  { OBS('a', 1, 1, -900, H, QO_BOGUS, 2), OBS('a', 1, 2, -100, H, QO_BOGUS, 1),
	    BOGUS('b', 1, 1), REC('a'), REC('b') },
	  QS_NTA_RECOMMENDED, 2, 2, 0, 6 * H, 1 },
	{ "default quorum: max(2, ceil(members/3)) with 9 members is 3",
	  0, 9, 2, 900, 604800, false, 0,
	  { BOGUS('a', 1, 1), BOGUS('b', 1, 1), REC('a'), REC('b') },
	  QS_OBSERVED, 2, 2, 0, -1, 1 },
};

static void
fill(unsigned char out[KEY_ID_LEN], char c, int k)
{
	memset(out, 0, KEY_ID_LEN);
	out[0] = (unsigned char)c;
	out[1] = (unsigned char)k;
}

static void
run_case(const struct qcase *c)
{
	struct quorum_event evs[16];
	struct quorum_vote votes[16];
	struct quorum_result r = { .votes = votes, .cap = 16 };
	struct quorum_policy p = { c->quorum, c->members, c->evidence,
	    c->resolve_after, c->max_lifetime, true, c->unbacked, true };
	size_t n = 0;

	memset(evs, 0, sizeof(evs));
	for (; c->e[n].kind; n++) {
		const struct ev *s = &c->e[n];
		struct quorum_event *e = &evs[n];

		e->kind = s->kind == OB ? KIND_OBSERVATION : s->kind == AS ?
		    KIND_ASSESSMENT : KIND_ZONE_STATEMENT;
		fill(e->origin, s->op, 0);
		fill(e->key, s->op, s->key);
		fill(e->vote, s->vote ? s->vote : s->op, 0);
		fill(e->id, s->op, 100 + (int)n);
		e->counts = !s->out;
		e->withdrawn = s->wd;
		e->zone_operator = !s->notzoneop;
		e->seq = s->seq;
		e->ts = NOW + s->ts;
		e->exp = NOW + s->exp;
		e->bound = !s->unbound;
		if (s->kind == OB) {
			e->obs = (enum quorum_obs)s->val;
			e->has_fp = s->val == QO_BOGUS;
			if (e->has_fp)
				memset(e->fp, s->fp, KEY_ID_LEN);
			if (s->dnskey) {
				e->has_dnskey = true;
				memset(e->dnskey, s->dnskey, KEY_ID_LEN);
			}
			if (s->val == QO_SECURE || s->val == QO_INSECURE)
				e->run_start = NOW + (s->run ? s->run : s->ts);
		} else if (s->kind == AS) {
			e->verdict = (enum quorum_verdict)s->val;
			e->recommend = s->rec;
			e->lifetime = s->lifetime;
		} else {
			e->status = (enum quorum_status)s->val;
		}
	}
	quorum_evaluate(evs, n, &p, c->held, NOW + c->at, &r);
	print_message("# %s: %s (%s)\n", c->what, quorum_state_name(r.state),
	    r.reason);
	assert_string_equal(quorum_state_name(r.state), quorum_state_name(c->want));
	assert_int_equal(r.recommending, c->want_rec);
	assert_int_equal(r.observing, c->want_obs);
	assert_int_equal(r.validating, c->want_valid);
	assert_int_equal(r.nfps, c->want_fps);
	assert_int_equal(r.recovering, c->want_recovering);
	assert_int_equal(r.unreachable, c->want_unreachable);
	if (c->want_lifetime >= 0)
		assert_int_equal(r.lifetime, c->want_lifetime);
	if (r.state == QS_NTA_RECOMMENDED) {
		assert_true(r.nta_until > NOW + c->at);
		assert_true(r.nta_until <= NOW + c->at + r.lifetime);
	} else {
		assert_int_equal(r.lifetime, 0);
	}
	assert_true(r.next_change == 0 || r.next_change > NOW + c->at);
}

static void
test_case(void **state)
{
	run_case(*state);
}

/* Time alone changes the answer: next_change says when. */
static void
test_next_change(void **state)
{
	struct quorum_event e[3];
	struct quorum_vote votes[4];
	struct quorum_result r = { .votes = votes, .cap = 4 };
	struct quorum_policy p = { 2, 3, 1, 900, 604800, true, false, true };

	(void)state;
	memset(e, 0, sizeof(e));
	for (int i = 0; i < 3; i++) {
		fill(e[i].origin, 'a' + (char)i, 0);
		fill(e[i].key, 'a' + (char)i, 1);
		fill(e[i].vote, 'a' + (char)i, 0);
		fill(e[i].id, 'a' + (char)i, 9);
		e[i].counts = e[i].zone_operator = e[i].bound = true;
		e[i].seq = 1;
	}
	e[0].kind = KIND_OBSERVATION;
	e[0].obs = QO_BOGUS;
	e[0].has_fp = true;
	e[0].ts = NOW - 10;
	e[0].exp = NOW + 3000;
	e[1].kind = e[2].kind = KIND_ASSESSMENT;
	e[1].verdict = e[2].verdict = QV_ACCIDENT;
	e[1].recommend = e[2].recommend = true;
	e[1].ts = e[2].ts = NOW - 10;
	e[1].exp = NOW + 2000;
	e[2].exp = NOW + 5000;
	e[1].lifetime = 1000;      /* recommends until NOW + 990 */
	e[2].lifetime = 5000;
	quorum_evaluate(e, 3, &p, false, NOW, &r);
	assert_int_equal(r.state, QS_NTA_RECOMMENDED);
	assert_int_equal(r.nta_until, NOW + 990);
	assert_int_equal(r.next_change, NOW + 990);
	quorum_evaluate(e, 3, &p, false, NOW + 990, &r);
	assert_int_equal(r.state, QS_OBSERVED);
	assert_int_equal(r.next_change, NOW + 2000);

	/* a validation run that is not yet long enough */
	e[0].obs = QO_SECURE;
	e[0].has_fp = false;
	e[0].run_start = e[0].ts;
	quorum_evaluate(e, 1, &p, false, NOW, &r);
	assert_int_equal(r.next_change, NOW - 10 + 900);
}

int
main(void)
{
	enum { NCASES = sizeof(cases) / sizeof(cases[0]) };
	struct CMUnitTest tests[NCASES + 1];

	for (size_t i = 0; i < NCASES; i++) {
		struct CMUnitTest t = { cases[i].what, test_case, NULL, NULL,
		    (void *)&cases[i] };
		tests[i] = t;
	}
	tests[NCASES] = (struct CMUnitTest)cmocka_unit_test(test_next_change);
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("quorum", tests, NULL, NULL);
}
