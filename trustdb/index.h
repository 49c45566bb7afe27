/*
 * trustdb/index.h — the hot path: "is this key a current key of a member,
 * and which vote does it count for?" answered from memory.
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
	bool is_root;                      /* the key is an operator root */
	const unsigned char *operator_id;  /* operator of the key; NULL if none */
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
 * Look keyid up at time now; fills *a and returns true when the key is a
 * current key of a member (a->reason == TRUST_MEMBER). No allocation.
 */
bool trust_index_lookup(const struct trust_index *idx,
    const unsigned char keyid[KEY_ID_LEN], long long now, struct trust_answer *a);

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

/* Number of keys held. */
size_t trust_index_size(const struct trust_index *idx);

#endif
