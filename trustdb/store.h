/*
 * trustdb/store.h — what goes into the trust database, and reading it back.
 *
 * Import verifies before it stores: an envelope's signer must already be a
 * key the database knows (a pinned root, a vouched or certified subject
 * key; for a key_revoke signed by the revoked key, that key), its signature
 * must verify, its payload must pass the protocol's strict validation, its
 * kind must be vouch, unvouch, key_cert or key_revoke, its net must be the
 * database's and it must not have expired (key_revoke never does). A
 * key_revoke signed by a key that is not its origin's root must come from a
 * key the origin's root certified (TRUSTDB_E_REJECTED with stats->proto
 * PROTO_E_ORIGIN_MISMATCH): the key authors only its certifiers' events
 * (membership.h). Import does not ask who is a member: the relay imports
 * only members' trust events (relay/fed/ingest.h); ntactl imports what the
 * operator chose. The
 * exact envelope bytes are stored with their parsed columns; an envelope
 * already stored (same event id) is a no-op.
 *
 * Net: the database's federation name is fixed by trustdb_net_set() or, if
 * none was set, by the first envelope imported.
 *
 * Every mutation is one transaction: a batch import either stores every
 * envelope or none. Time (now) is always the caller's.
 *
 * This module must never print, exit, read the clock or read globals.
 */
#ifndef NTARELAY_TRUSTDB_STORE_H
#define NTARELAY_TRUSTDB_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/error.h"
#include "proto/event.h"
#include "proto/key.h"
#include "trustdb/db.h"
#include "trustdb/records.h"

#define TRUSTDB_IMPORT_MAX (64u << 20) /* bytes in one import batch */
#define TRUSTDB_PIN_ZONES_MAX 64
#define TRUSTDB_SKEW 300               /* seconds an envelope may be ahead */

/*
 * Pin an operator's root key, granting it the given zones (normalised
 * names, proto/zone.h; nzones may be 0). Pinning again replaces the zones.
 * root is borrowed.
 */
enum trustdb_err trustdb_pin(struct trustdb *db, const struct key_public *root,
    const char *const *zones, size_t nzones, long long now, char *reason);

/* Remove the pin of operator op; TRUSTDB_E_NOT_FOUND when not pinned. */
enum trustdb_err trustdb_unpin(struct trustdb *db,
    const unsigned char op[KEY_ID_LEN], char *reason);

struct trustdb_import_stats {
	size_t imported;            /* new envelopes stored */
	size_t duplicates;          /* envelopes already stored */
	size_t line;                /* on failure: 1-based envelope that failed */
	enum proto_err proto;       /* on failure: the protocol's error, if any */
};

/*
 * Import one envelope, or several, one per line (the output of
 * trustdb_export). buf is borrowed and need not be NUL-terminated. All or
 * nothing: on any failure the database is unchanged and stats->line names
 * the envelope. stats may be NULL.
 */
enum trustdb_err trustdb_import(struct trustdb *db, const char *buf, size_t len,
    long long now, struct trustdb_import_stats *stats, char *reason);

/*
 * Import one event that the caller parsed from buf and whose signature it
 * verified with the key the database (or an index built from it) holds for
 * ev->key: the same as trustdb_import() of buf without parsing or
 * verifying again. The signer must still be a key the database knows
 * (TRUSTDB_E_UNKNOWN_SIGNER), and every other check applies: kind, net,
 * author, expiry, date; a duplicate is counted. ev and buf are borrowed;
 * buf's bytes are what is stored. stats may be NULL.
 */
enum trustdb_err trustdb_import_verified(struct trustdb *db,
    const struct event *ev, const char *buf, size_t len, long long now,
    struct trustdb_import_stats *stats, char *reason);

/*
 * Call fn for every stored envelope, in import order (so that importing the
 * concatenation elsewhere succeeds): env is borrowed for the call. A
 * non-zero return from fn stops the walk and gives TRUSTDB_E_INVALID_ARG.
 */
enum trustdb_err trustdb_export(struct trustdb *db,
    int (*fn)(void *ctx, const char *env, size_t len), void *ctx, char *reason);

/* Read one consistent snapshot of the database. *out is new
 * (trust_records_free). */
enum trustdb_err trustdb_load(struct trustdb *db, struct trust_records **out,
    char *reason);

/*
 * open_lookup_fn over the keys the database knows (ctx: struct trustdb *):
 * for verifying trust envelopes on import. Known is not trusted.
 */
bool trustdb_lookup_known(void *ctx, const unsigned char keyid[KEY_ID_LEN],
    unsigned char pk[KEY_PUBLIC_LEN]);

#endif
