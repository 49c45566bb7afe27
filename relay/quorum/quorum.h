/*
 * relay/quorum/quorum.h — the quorum rule (docs/PROTOCOL.md §15) as one pure
 * function: the zone's current views and words in, the answer out.
 *
 * The caller (relay/quorum/decide.c) gathers, for one zone:
 *   views  the current observation of each signing key (the store's
 *          views: one per key, with the start of its trailing run of
 *          validating observations and of failing ones);
 *   words  the newest assessment and the newest zone statement of each
 *          origin;
 * and says for each whether its key counts now (a current key of a
 * member, speaking for the event's origin, whose operator is not flagged
 * for equivocation), which vote it counts for (affiliated operators are
 * one vote), whether its origin withdrew it, for statements whether the
 * origin may speak for the zone, and for words whether they are bound to
 * the zone's current incident (relay/quorum/incident.h: an assessment counts
 * only for the failure it judged). `held` says that the incident's NTA
 * recommendation is being held (it was nta_recommended and nothing has
 * broken the hold since). Everything else is decided here, at `now`:
 *
 *   Current events. A view counts while now < exp; so does a word, and an
 *   assessment recommends an NTA while now < min(exp, ts + lifetime). A
 *   newer word replaces an older one of its origin and kind, also when
 *   the newer one was withdrawn.
 *   Views. bogus (with its fingerprint): the vote observes a failure.
 *   secure or insecure: the vote validates now; it has validated for
 *   resolve_after (sustained) when its run started at least that long
 *   ago. indeterminate: the vantage point got no answer to judge
 *   (timeouts, unreachable servers, SERVFAIL without DNSSEC evidence): the
 *   vote is unreachable, which is evidence of nothing.
 *   Fingerprints. The fingerprints of the current bogus views; two or
 *   more different ones: inconsistent_evidence.
 *   Veto. A bound attack/likely_attack assessment vetoes when the same
 *   vote's current view backs it: its picture differs from another
 *   vote's current picture (bogus against secure or insecure, or two
 *   bogus views with different fingerprints or DNSKEY or DS digests). A
 *   view of the same failure the others see does not back an attack
 *   claim. Policy: veto_attack_assessment; veto_unbacked lets unbacked
 *   ones veto too. The zone operator's bound attack_suspected statement
 *   vetoes (veto_zone_statement).
 *   Quorum. Votes with a bound, current accident/likely_accident
 *   assessment that recommends an NTA, plus one for the zone operator's
 *   accident_confirmed statement (only beside at least one such
 *   assessment, never alone), at least Q; and at least M votes observing
 *   the one fingerprint — or the hold.
 *
 * States, first match wins:
 *   resolved        the zone has an incident (live bound words or a
 *                   failing view) or the hold, at least M votes have
 *                   validated for resolve_after, and no vote's current
 *                   view shows a failure (a partial fix is not a fix);
 *   inconsistent_evidence, vetoed;
 *   nta_recommended Q recommend, and M observe the one failure or the
 *                   recommendation is held; "recovering" when held and
 *                   fewer than M votes still observe the failure;
 *   observed        a failing view or a bound word (other than a
 *                   statement `resolved`);
 *   clear.
 *
 * This module must never print, read the clock, allocate or touch the
 * store.
 */
#ifndef NTARELAY_RELAY_QUORUM_H
#define NTARELAY_RELAY_QUORUM_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/key.h"
#include "proto/kind.h"

#define QUORUM_FPS_MAX 32          /* fingerprints reported (decision schema) */
#define QUORUM_VOTE_EVENTS 32      /* events listed per vote */
#define QUORUM_MAX_LIFETIME 604800 /* RFC 7646: an NTA lasts at most a week */

enum quorum_state {
	QS_CLEAR, QS_OBSERVED, QS_NTA_RECOMMENDED, QS_VETOED,
	QS_INCONSISTENT_EVIDENCE, QS_RESOLVED, QS__COUNT
};

/* The enums of proto/kind.c, by index. */
enum quorum_obs { QO_SECURE, QO_INSECURE, QO_BOGUS, QO_INDETERMINATE };
enum quorum_verdict { QV_ACCIDENT, QV_LIKELY_ACCIDENT, QV_UNKNOWN,
	QV_LIKELY_ATTACK, QV_ATTACK };
enum quorum_status { QT_INVESTIGATING, QT_ACCIDENT_CONFIRMED,
	QT_ATTACK_SUSPECTED, QT_RESOLVED };

/* One view or word of the zone, as the caller saw it. */
struct quorum_event {
	unsigned char id[KEY_ID_LEN];
	enum kind kind;              /* observation, assessment, zone_statement */
	unsigned char origin[KEY_ID_LEN];
	unsigned char key[KEY_ID_LEN];
	unsigned char vote[KEY_ID_LEN]; /* the vote its key counts for */
	bool counts;                 /* its key is a current member key */
	bool withdrawn;              /* its origin withdrew it */
	bool zone_operator;          /* statements: origin may speak for the zone */
	bool bound;                  /* words: of the zone's current incident */
	long long seq, ts, exp;
	/* observation (a view) */
	enum quorum_obs obs;
	bool has_fp, has_dnskey, has_ds;
	unsigned char fp[KEY_ID_LEN];
	unsigned char dnskey[KEY_ID_LEN], ds[KEY_ID_LEN];
	long long run_start;         /* validating since; 0: not validating */
	/* assessment */
	enum quorum_verdict verdict;
	bool recommend;
	long lifetime;
	/* zone_statement */
	enum quorum_status status;
};

struct quorum_policy {
	int quorum;              /* Q; 0: max(2, ceil(members / 3)) */
	int members;             /* votes in the federation (trust_index_votes) */
	int evidence;            /* M */
	int resolve_after;       /* sustained-validation window, seconds */
	int max_lifetime;        /* NTA lifetime cap, seconds (<= 604800) */
	bool veto_assessment;    /* attack assessments backed by an observation */
	bool veto_unbacked;      /* ... also without one */
	bool veto_statement;     /* the zone operator's attack_suspected */
};

/* Roles of a vote in the result. */
#define QR_RECOMMENDS 0x001  /* a current assessment recommends an NTA */
#define QR_CONFIRMS 0x002    /* the zone operator's accident_confirmed */
#define QR_OBSERVES 0x004    /* a current bogus view */
#define QR_VALIDATES 0x008   /* sustained validation */
#define QR_VETOES 0x010      /* its veto is the decision's */
#define QR_ATTACK 0x020      /* claims an attack (vetoing or not) */
#define QR_ASSESSES 0x040    /* a current assessment of any verdict */
#define QR_STATES 0x080      /* a current statement of the zone operator */
#define QR_UNREACHABLE 0x100 /* its current views got no answer to judge */
#define QR_VALIDATING 0x200  /* a current validating view, sustained or not */
#define QR__BITS 10

struct quorum_vote {
	unsigned char vote[KEY_ID_LEN];
	unsigned roles;              /* QR_* */
	int fp;                      /* index into fps of what it observes; -1 */
	long long run_start;         /* its longest current validating run */
	size_t ev[QUORUM_VOTE_EVENTS]; /* indexes of its current events */
	size_t nev;
};

struct quorum_result {
	enum quorum_state state;
	bool recovering;             /* nta_recommended, held, failure fading */
	int quorum;                  /* Q in force */
	int recommending;            /* votes toward Q (statement included) */
	int observing;               /* votes observing the leading fingerprint */
	int failing;                 /* votes with a current bogus view */
	int validating;              /* votes with sustained validation */
	int validating_now;          /* votes with a current validating view */
	int unreachable;             /* votes that got no answer to judge */
	long recovered_for;          /* seconds the M-th longest run has lasted
	                                (at most resolve_after); 0 when fewer
	                                than M votes validate now */
	unsigned char fps[QUORUM_FPS_MAX][KEY_ID_LEN]; /* sorted */
	int fp_votes[QUORUM_FPS_MAX];
	size_t nfps;
	int lead;                    /* index of the leading fingerprint; -1 */
	bool material;               /* a failing view or a bound word */
	bool has_veto;
	size_t veto_ev;              /* index of the vetoing event */
	char veto_reason[128];
	long lifetime;               /* nta_recommended: the NTA lifetime, else 0 */
	long long nta_until;         /* nta_recommended: latest end, else 0 */
	long long next_change;       /* when time alone may change this; 0: never */
	struct quorum_vote *votes;   /* the caller's array of cap elements */
	size_t nvotes, cap;          /* votes with current events, by vote id */
	bool truncated;              /* more votes than cap */
	char reason[256];            /* one line for people */
};

/* The state's name ("nta_recommended"), and back (QS__COUNT if unknown). */
const char *quorum_state_name(enum quorum_state s);
enum quorum_state quorum_state_from_name(const char *name);

/* The role's name ("recommends") for bit b of QR_* (0..QR__BITS-1). */
const char *quorum_role_name(unsigned b);

/* Q for a federation of members votes: max(2, ceil(members / 3)). */
int quorum_default(int members);

/*
 * Evaluate evs[0..n) at now under p, the recommendation held or not.
 * out->votes and out->cap must be set by the caller (a vote per distinct
 * vote id at most is used); everything else in *out is filled here. evs
 * may be in any order; observations must be one view per key.
 */
void quorum_evaluate(const struct quorum_event *evs, size_t n,
    const struct quorum_policy *p, bool held, long long now,
    struct quorum_result *out);

#endif
