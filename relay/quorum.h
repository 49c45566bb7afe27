/*
 * relay/quorum.h — the quorum rule of DESIGN.md §6 as one pure function:
 * the live events of one zone in, the decision out.
 *
 * The caller (relay/decide.c) gathers the zone's observations,
 * assessments and zone statements, and says for each whether its key
 * counts now (a current key of a member: a revoked key does not), which
 * vote it counts for (affiliated operators are one vote), whether it was
 * withdrawn by its origin and, for statements, whether the origin may
 * speak for the zone. Everything else is decided here, at `now`:
 *
 *   Current events. Per signing key, the observation with the highest seq
 *   is that vantage point's view; per origin, the latest assessment and
 *   the latest zone statement are the operator's word (a newer one
 *   replaces an older one, also when the newer one was withdrawn). An
 *   event counts while now < exp; an assessment recommends an NTA while
 *   now < min(exp, ts + lifetime).
 *   Fingerprints. The fingerprints of the current bogus observations;
 *   two or more different ones: inconsistent_evidence.
 *   Veto. A current attack/likely_attack assessment backed by a current
 *   observation of the same operator (policy: veto_attack_assessment,
 *   veto_unbacked), or the zone operator's attack_suspected statement
 *   (veto_zone_statement).
 *   Quorum. Votes with a current accident/likely_accident assessment that
 *   recommends an NTA, plus one for the zone operator's accident_confirmed
 *   statement (only beside at least one such assessment, never alone),
 *   at least Q; and at least M votes observing the one fingerprint.
 *   Sustained validation. A key validates when its observations (secure or
 *   insecure) have covered, without a gap and without another state, the
 *   whole window [now - resolve_after, now]; a vote validates when one of
 *   its keys does. M validating votes resolve the incident.
 *
 * States, first match wins: resolved (M votes validate and the zone has
 * live incident events), inconsistent_evidence, vetoed, nta_recommended,
 * observed (any live incident event: a bogus or indeterminate observation,
 * an assessment, a statement other than resolved), clear.
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

/* One event of the zone, as the caller saw it. */
struct quorum_event {
	unsigned char id[KEY_ID_LEN];
	enum kind kind;              /* observation, assessment, zone_statement */
	unsigned char origin[KEY_ID_LEN];
	unsigned char key[KEY_ID_LEN];
	unsigned char vote[KEY_ID_LEN]; /* the vote its key counts for */
	bool counts;                 /* its key is a current member key */
	bool withdrawn;              /* its origin withdrew it */
	bool zone_operator;          /* statements: origin may speak for the zone */
	long long seq, ts, exp;
	/* observation */
	enum quorum_obs obs;
	bool has_fp;
	unsigned char fp[KEY_ID_LEN];
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
#define QR_RECOMMENDS 0x01   /* a current assessment recommends an NTA */
#define QR_CONFIRMS 0x02     /* the zone operator's accident_confirmed */
#define QR_OBSERVES 0x04     /* a current bogus observation */
#define QR_VALIDATES 0x08    /* sustained validation */
#define QR_VETOES 0x10       /* its veto is the decision's */
#define QR_ATTACK 0x20       /* claims an attack (vetoing or not) */
#define QR_ASSESSES 0x40     /* a current assessment of any verdict */
#define QR_STATES 0x80       /* a current statement of the zone operator */

struct quorum_vote {
	unsigned char vote[KEY_ID_LEN];
	unsigned roles;              /* QR_* */
	int fp;                      /* index into fps of what it observes; -1 */
	size_t ev[QUORUM_VOTE_EVENTS]; /* indexes of its current events */
	size_t nev;
};

struct quorum_result {
	enum quorum_state state;
	int quorum;                  /* Q in force */
	int recommending;            /* votes toward Q (statement included) */
	int observing;               /* votes observing the leading fingerprint */
	int validating;              /* votes with sustained validation */
	unsigned char fps[QUORUM_FPS_MAX][KEY_ID_LEN]; /* sorted */
	int fp_votes[QUORUM_FPS_MAX];
	size_t nfps;
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

/* Q for a federation of members votes: max(2, ceil(members / 3)). */
int quorum_default(int members);

/*
 * Evaluate evs[0..n) at now under p. out->votes and out->cap must be set
 * by the caller (a vote per distinct vote id at most is used); everything
 * else in *out is filled here. evs may be in any order.
 */
void quorum_evaluate(const struct quorum_event *evs, size_t n,
    const struct quorum_policy *p, long long now, struct quorum_result *out);

#endif
