/*
 * trustdb/index.h — the hot path: "may key K speak for origin O now, and
 * for which vote?" answered from memory.
 *
 * The index is built from a membership computation (trustdb/membership.h)
 * and then read-only: lookups never allocate, never lock and never touch
 * SQL, so one index can be shared by readers. An open-addressing hash table
 * keyed by the first 8 bytes of the key id (ids are SHA-256 output, already
 * uniform) points into a dense array of entries; the full 32-byte id is
 * compared before answering. Certificate windows are checked against the
 * caller's now at lookup time; anything else that time changes (a vouch
 * expiring) is announced by trust_index_next_change(): rebuild by then, and
 * after every change to the database.
 *
 * This module must never print, exit, read the clock or read globals.
 */
#ifndef NTARELAY_TRUSTDB_INDEX_H
#define NTARELAY_TRUSTDB_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/key.h"
#include "trustdb/db.h"
#include "trustdb/membership.h"

struct trust_index;

/* The answer of a lookup; every pointer is borrowed from the index and
 * valid until trust_index_free(). */
struct trust_answer {
	enum trust_reason reason;          /* TRUST_MEMBER: the key counts */
	bool is_root;                      /* the key is that operator's root */
	bool authored;                     /* origin lookups: the key is the
	                                      origin's root, or the origin's root
	                                      certified it (any window, revoked
	                                      or not): it may sign as origin */
	bool op_member;                    /* the operator is a member */
	bool conflict;                     /* the key has grants of two or more
	                                      member operators (membership.h) */
	const unsigned char *operator_id;  /* the operator; NULL if none */
	const unsigned char *vote_id;      /* vote it counts for; NULL unless member */
	const unsigned char *pk;           /* public key; NULL when unknown */
	long long not_before, not_after;   /* certificate window (roots: unbounded) */
	uint32_t op;                       /* internal: operator slot */
};

/* Build from m (borrowed; may be freed afterwards). *out is new. */
enum trustdb_err trust_index_build(const struct trust_membership *m,
    struct trust_index **out, char *reason);

/* Load db, apply the rules of p at now and build. *out is new. */
enum trustdb_err trust_index_build_from_db(struct trustdb *db,
    const struct trust_params *p, long long now, struct trust_index **out,
    char *reason);

void trust_index_free(struct trust_index *idx);

/*
 * May keyid speak for origin at time now? Fills *a and returns true when
 * it may (a->reason == TRUST_MEMBER; a->vote_id is the vote the event
 * counts for). An event's origin is inside its signed payload, so pass the
 * event's origin: a key certified by several roots speaks for each only in
 * its events for that root's operator (membership.h). A key that is not
 * the origin's (neither its root nor certified by it) gives
 * TRUST_WRONG_OPERATOR and a->authored false.
 *
 * origin NULL asks about the key alone, for people and for the checks
 * that have no origin (a backfill request): true when the key may speak
 * for at least one operator now, the answer being that grant's; else the
 * key's summary (membership.h). Never count an event with an answer for
 * a NULL origin. No allocation.
 */
bool trust_index_lookup(const struct trust_index *idx,
    const unsigned char keyid[KEY_ID_LEN], const unsigned char *origin,
    long long now, struct trust_answer *a);

/*
 * Is keyid known, and is one of the operators it belongs to (its root's,
 * its certifiers') a member, whatever the time, revocations and
 * certificate windows? A known key for which this is false signs junk: it
 * cannot count, flag or be imported (relay/fed/ingest.c budgets it per link).
 * No allocation.
 */
bool trust_index_known(const struct trust_index *idx,
    const unsigned char keyid[KEY_ID_LEN], bool *member_signer);

/* Do a and b have the same member operators? (NULL: none.) */
bool trust_index_same_members(const struct trust_index *a,
    const struct trust_index *b);

/* Number of keys with grants of two or more member operators (a second
 * root certified an operator's key: membership.h). */
size_t trust_index_conflicts(const struct trust_index *idx);

/* May the member key of answer a speak for zone (exact name)? */
bool trust_index_may_speak(const struct trust_index *idx,
    const struct trust_answer *a, const char *zone);

/*
 * open_lookup_fn (proto/open.h) over every key the index knows, member or
 * not (ctx: const struct trust_index *): verify first, then ask
 * trust_index_lookup() whether the signer counts.
 */
bool trust_index_lookup_pk(void *ctx, const unsigned char keyid[KEY_ID_LEN],
    unsigned char pk[KEY_PUBLIC_LEN]);

/* The time at which the answers may change without a database change. */
long long trust_index_next_change(const struct trust_index *idx);

/* Number of votes among the members: operators, affiliated ones counted
 * once (the "members" of the default quorum formula). */
size_t trust_index_votes(const struct trust_index *idx);

/*
 * Give idx the operators' names (pins' local names, keys' self-declared
 * names) from r, the records its membership was computed from. Done by
 * trust_index_build_from_db(); for a caller that builds the index from
 * records it loaded itself.
 */
void trust_index_set_names(struct trust_index *idx, const struct trust_records *r);

/*
 * The names of operator op, for people (trustdb/names.h): *local its pin's
 * local name, *declared its root key's self-declared name (a hint only);
 * each NULL when there is none, borrowed until trust_index_free(). False
 * (both NULL) when the index does not know op as an operator. Only an
 * index built by trust_index_build_from_db() has names. idx may be NULL.
 */
bool trust_index_op_names(const struct trust_index *idx,
    const unsigned char op[KEY_ID_LEN], const char **local,
    const char **declared);

#define TRUST_OP_LABEL_MAX (KEY_ID_HEX_LEN + KEY_NAME_MAX + 8)

/*
 * Operator op for a log line: its id in full (what the logs have always
 * said, and what people grep), then " (LOCAL)" for its local name, else
 * " ~DECLARED?" for its self-declared hint (bytes outside A-Z a-z 0-9 . _
 * @ - shown as '?'), else nothing. Returns out (TRUST_OP_LABEL_MAX bytes).
 */
const char *trust_index_op_label(const struct trust_index *idx,
    const unsigned char op[KEY_ID_LEN], char out[TRUST_OP_LABEL_MAX]);

/* Number of keys held. */
size_t trust_index_size(const struct trust_index *idx);

#endif
