/*
 * trustdb/explain.h — why a key is or is not trusted, as data.
 *
 * `ntactl trust why` and the relay's audit output format this; the rules
 * themselves live in trustdb/membership.h and are not repeated here: the
 * explanation lists the facts the database holds about a key and its
 * operator (pin, vouches, unvouches, certificates, revocations,
 * affiliations), each marked as counting or not, with the reason why not.
 *
 * This module must never print, exit, read the clock or touch SQL.
 */
#ifndef NTARELAY_TRUSTDB_EXPLAIN_H
#define NTARELAY_TRUSTDB_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/key.h"
#include "trustdb/error.h"
#include "trustdb/membership.h"
#include "trustdb/records.h"

enum trust_fact_kind {
	TRUST_FACT_PINNED,       /* the operator is pinned locally (zones) */
	TRUST_FACT_VOUCH,        /* who vouched for the operator at t1, until t2 */
	TRUST_FACT_UNVOUCH,      /* who withdrew its vouch at t1 */
	TRUST_FACT_CERT,         /* root who certified the key for [t1, t2) */
	TRUST_FACT_REVOKE,       /* who revoked the key (or the root) at t1 */
	TRUST_FACT_AFFILIATED,   /* the operator shares one vote with who */
	TRUST_FACT__COUNT
};

struct trust_fact {
	enum trust_fact_kind kind;
	unsigned char who[KEY_ID_LEN];   /* the other party (voucher, root, ...) */
	char who_name[KEY_NAME_MAX + 1]; /* its key name, "" if unknown */
	unsigned char event[KEY_ID_LEN]; /* the event stating it (not for pins) */
	bool has_event;
	long long t1, t2;                /* times as above; 0 when not relevant */
	bool counts;                     /* does it count now? */
	const char *why_not;             /* static; NULL when it counts */
	const char *zones;               /* borrowed from the records: pin or vouch zones */
	const char *affiliation;         /* borrowed: vouch affiliation, or NULL */
};

struct trust_explanation {
	unsigned char key[KEY_ID_LEN];
	char key_name[KEY_NAME_MAX + 1];
	bool known;                      /* the db knows the key */
	bool is_root;                    /* the key is an operator root */
	enum trust_reason reason;        /* the verdict at now */
	bool has_operator;
	unsigned char op[KEY_ID_LEN];
	char op_name[KEY_NAME_MAX + 1];
	bool op_member, op_pinned;
	unsigned vouches, threshold;     /* counting votes / V */
	bool has_vote;
	unsigned char vote[KEY_ID_LEN];
	const char *zones;               /* borrowed from m: zones the operator may speak for */
	long long not_before, not_after; /* certificate window (relay keys) */
	bool conflict;                   /* certified by two or more member
	                                    roots (membership.h): each counts
	                                    only in its own operator's events */
	struct trust_fact *facts;
	size_t nfacts;
};

/*
 * Explain key at now, from the snapshot r and its membership m (both
 * borrowed; the explanation borrows strings from them, so free it first).
 * *out is new (trust_explanation_free).
 */
enum trustdb_err trust_explain(const struct trust_records *r,
    const struct trust_membership *m, const unsigned char key[KEY_ID_LEN],
    long long now, struct trust_explanation **out, char *reason);

void trust_explanation_free(struct trust_explanation *x);

/* "pinned", "vouch", ...; never NULL. */
const char *trust_fact_name(enum trust_fact_kind k);

#endif
