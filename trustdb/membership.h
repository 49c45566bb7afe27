/*
 * trustdb/membership.h — the rules: who is a member, which keys count, for
 * which vote, and for which zones.
 *
 * Given a snapshot of the database (trustdb/records.h), the local
 * configuration (threshold V, groups of operators) and the time now:
 *
 * Operators. An operator is its root key; operator id = key id of the root.
 *   - A root revoked by itself (key_revoke signed by the root, subject = the
 *     root) is dead: its operator is no member, its vouches, certificates and
 *     affiliation declarations count for nothing, whatever the pins say.
 *   - Pinned members: locally pinned, not revoked.
 *   - Vouched members: not revoked, and at least V distinct votes among the
 *     pinned members whose latest statement about the subject (vouch or
 *     unvouch; latest = greatest ts, then seq, then event id) is a vouch that
 *     has not expired. Depth 1: vouches by members that are only vouched
 *     never count. Two pinned vouchers of one vote (see affiliation) count
 *     once.
 * Affiliation. Operators A and B are affiliated when the latest statement of
 *   A about B is a live vouch with affiliation NAME and the latest statement
 *   of B about A is a live vouch with the same NAME (both sides declare it),
 *   both being members; or when the local configuration puts them in one
 *   group. Affiliation is transitive. Affiliated members are one vote, whose
 *   id is the smallest operator id of the group. The collapse is computed
 *   twice: among pinned members first (to count vouches), then among all
 *   members (the votes the quorum counts).
 * Zones. A member may speak for zone Z when its pin grants Z (--zones), or
 *   when at least V of its counting vouches (distinct votes) claim Z. Zones
 *   compare exactly: a claim of example. does not cover sub.example.
 * Keys. Which operator a key speaks for is chosen by the key itself: every
 *   event carries its `origin` inside the signed payload. A key may speak
 *   for operator O (in the events whose origin is O) when
 *     - it is O's root key and O is a member; or
 *     - O is a member, O's root certified the key (key_cert), now is inside
 *       one of O's certificates for it, and neither the key itself nor O's
 *       root revoked it.
 *   A revocation by a root withdraws only that root's certification; a
 *   key_revoke signed by the key itself revokes it for every operator.
 *   Revocations never expire and apply to events already received: the
 *   key simply stops counting. Each (key, operator) pair is a grant
 *   (struct trust_grant). A key certified by two member roots is a
 *   conflict: it is reported (one of the roots may be attacking the
 *   other), and it changes nothing for either, since the key speaks for
 *   each only in the events it signs for that origin: a root certifying
 *   another operator's relay key gains nothing and silences nobody.
 *   The key's authorship of an origin (it is O's root, or O's root
 *   certified it, in any window, revoked or not) is what proves an
 *   event's origin before anything else is done with it (relay/fed/ingest.h).
 *
 * This module must never print, exit, read the clock or touch SQL.
 */
#ifndef NTARELAY_TRUSTDB_MEMBERSHIP_H
#define NTARELAY_TRUSTDB_MEMBERSHIP_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/key.h"
#include "trustdb/error.h"
#include "trustdb/records.h"

#define TRUST_THRESHOLD_DEFAULT 2
#define TRUST_NONE ((size_t)-1)
#define TRUST_FOREVER 253402300799LL   /* KIND_TIME_MAX: no end */

/* One local group of operators that count as one vote (borrowed ids). */
struct trust_group {
	const unsigned char (*ops)[KEY_ID_LEN];
	size_t n;
};

struct trust_params {
	unsigned threshold;                /* V; 0 means TRUST_THRESHOLD_DEFAULT */
	const struct trust_group *groups;  /* borrowed; may be NULL */
	size_t ngroups;
};

/* Why a key is or is not a current key of a member. Stable names. */
enum trust_reason {
	TRUST_MEMBER = 0,          /* counts */
	TRUST_UNKNOWN_KEY,         /* the database knows no such key */
	TRUST_NOT_MEMBER,          /* its operator is not pinned nor vouched by V */
	TRUST_UNVOUCHED,           /* not a member, and a pinned member unvouched it */
	TRUST_NO_CERT,             /* no member root certified this key */
	TRUST_REVOKED,             /* the key was revoked */
	TRUST_ROOT_REVOKED,        /* its operator's root key was revoked */
	TRUST_CERT_EXPIRED,        /* every certificate of the key has ended */
	TRUST_CERT_NOT_YET_VALID,  /* its certificate starts later */
	TRUST_WRONG_OPERATOR,      /* neither this operator's root nor
	                              certified by it (origin lookups) */
	TRUST__COUNT
};

/* "member", "unknown_key", ...; never NULL. */
const char *trust_reason_name(enum trust_reason r);
/* One human sentence; never NULL. */
const char *trust_reason_text(enum trust_reason r);

struct trust_op {
	unsigned char id[KEY_ID_LEN];
	bool pinned;
	bool revoked;                /* its root revoked itself */
	bool member;
	bool unvouched;              /* a pinned member's latest word is unvouch */
	unsigned vouches;            /* counting vouches (distinct votes) */
	size_t vote;                 /* index of its vote's operator (self if none) */
	char *zones;                 /* zones it may speak for; "" if none; owned */
};

/* One operator a key may speak for: the key is its root, or its root
 * certified the key. */
struct trust_grant {
	size_t op;                   /* index in ops */
	bool root;                   /* the key is this operator's root */
	enum trust_reason reason;    /* MEMBER: counts inside [not_before, not_after) */
	long long not_before, not_after;
};

/*
 * A key, its grants, and a summary for people: the grant that counts now
 * (else one that counts at another time, else any; a root grant first,
 * then by operator id).
 */
struct trust_keystate {
	unsigned char id[KEY_ID_LEN];
	unsigned char pk[KEY_PUBLIC_LEN];
	bool is_root;                /* summary: the key is that operator's root */
	size_t op;                   /* summary: its operator, or TRUST_NONE */
	enum trust_reason reason;    /* summary: MEMBER counts inside the window */
	long long not_before, not_after;
	size_t grant0, ngrants;      /* m->grants[grant0 .. grant0 + ngrants), by op */
	bool conflict;               /* grants of two or more member operators */
};

struct trust_membership {
	struct trust_op *ops;        /* sorted by id */
	size_t nops;
	struct trust_keystate *keys; /* sorted by id */
	size_t nkeys;
	struct trust_grant *grants;  /* of every key, see trust_keystate */
	size_t ngrants;
	unsigned threshold;
	long long now;               /* the time it was computed for */
	long long next_change;       /* when a vouch expires: recompute by then */
};

/*
 * Apply the rules to r at time now. *out is new (trust_membership_free);
 * r and p are borrowed and may be freed afterwards.
 */
enum trustdb_err trust_membership_compute(const struct trust_records *r,
    const struct trust_params *p, long long now, struct trust_membership **out,
    char *reason);

void trust_membership_free(struct trust_membership *m);

/* Index of operator id in m->ops, or TRUST_NONE. */
size_t trust_membership_op(const struct trust_membership *m,
    const unsigned char id[KEY_ID_LEN]);

/* Index of key id in m->keys, or TRUST_NONE. */
size_t trust_membership_key(const struct trust_membership *m,
    const unsigned char id[KEY_ID_LEN]);

/* The reason of k's summary at time now (applies the certificate window). */
enum trust_reason trust_keystate_at(const struct trust_keystate *k,
    long long now);

/* The reason of grant g at time now (applies its certificate window). */
enum trust_reason trust_grant_at(const struct trust_grant *g, long long now);

#endif
