/*
 * relay/store/store.h — the relay's durable event store (SQLite, WAL).
 *
 * Holds every accepted event (the envelope bytes exactly as received), the
 * chain knowledge acceptance needs (head per signing key, recorded gaps),
 * the per-link outboxes (an event leaves a link's outbox only when the
 * broker acknowledged it), equivocation proofs, and per-key bookkeeping
 * (last heartbeat, flags). An event, its chain update and its outbox rows
 * are written in one transaction: a kill -9 at any moment loses no
 * accepted event and stores none twice (ids are unique).
 *
 * A set of id prefixes in memory answers "seen before?" without SQL for
 * the common case, so that duplicates are dropped before any signature
 * check.
 *
 * Storage faults (a full disk, an I/O error such as EFBIG under a file
 * size limit, a lock held past the timeout) are remembered: once one
 * happened, the transaction can no longer commit (SQLite may already have
 * rolled it back), every further write in it fails, and the caller rolls
 * it back with store_rollback() and keeps what it was storing
 * (relay/fed/storefault.h).
 *
 * A damaged file (not SQLite at all, or pages that PRAGMA quick_check
 * finds broken) is refused at open with STORE_DAMAGED.
 *
 * Runs on the loop thread only. Functions return 0 or -1 with a message in
 * the caller's err buffer (STORE_ERR_MAX bytes).
 */
#ifndef NTARELAY_RELAY_STORE_H
#define NTARELAY_RELAY_STORE_H

#include <stdbool.h>
#include <stddef.h>


#include "proto/accept.h"
#include "proto/envelope.h"
#include "proto/event.h"
#include "relay/core/metrics.h"

#define STORE_ERR_MAX 256
#define STORE_LINK_OWN (-1)   /* link of the relay's own events */

/* Per-key flags (chains.flags). */
#define STORE_FLAG_EQUIVOCATION 0x1

#define STORE_DAMAGED (-2)   /* store_open(): the file is damaged */

struct store;

/* Open (create) the store at path and check it (PRAGMA quick_check).
 * Returns 0, STORE_DAMAGED (err names the file and the damage), or -1. */
int store_open(const char *path, struct store **out, char *err);
void store_close(struct store *s);

/*
 * Read key's chain head from the store file at path (read-only; meant for
 * a damaged file moved aside): 0 with *found (and *seq, id when found),
 * -1 when the file cannot answer (err).
 */
int store_salvage_head(const char *path, const unsigned char key[KEY_ID_LEN],
    bool *found, long long *seq, unsigned char id[KEY_ID_LEN], char *err);

/* Set key's chain head (a fresh store continuing a salvaged chain). */
int store_seed_head(struct store *s, const unsigned char key[KEY_ID_LEN],
    const unsigned char origin[KEY_ID_LEN], long long seq,
    const unsigned char id[KEY_ID_LEN], char *err);

/* Stable id of a link URL (created on first use). */
int store_link_id(struct store *s, const char *url, int *id, char *err);

/* True when an event with this id is held (stored, or kept as proof). */
bool store_has(struct store *s, const unsigned char id[KEY_ID_LEN]);

/* What acceptance needs to know of ev's chain (proto/accept.h). */
int store_chain(struct store *s, const struct event *ev, struct accept_chain *c,
    char *err);

struct store_put {
	const struct event *ev;
	const char *raw;          /* the envelope bytes as received or signed */
	size_t rawlen;
	enum accept_result result;/* ACCEPT_OK or ACCEPT_SEQ_GAP */
	int link;                 /* store_link_id() of the source; STORE_LINK_OWN */
	long long received_at;
	const int *outbox;        /* links to publish it on */
	size_t noutbox;
	long long row;            /* out: the event's row */
};

/* Store one accepted event with its chain update and outbox rows, in one
 * transaction. Sets p->row. */
int store_put(struct store *s, struct store_put *p, char *err);

/* Keep the second event of an equivocation as proof, flag the key. */
int store_put_equivocation(struct store *s, const struct event *ev,
    const char *raw, size_t rawlen, long long now, char *err);

/* Is there a stored event of this kind, zone and origin newer than ts?
 * (a forwarded copy must not replace a newer retained message) */
bool store_newer_exists(struct store *s, enum kind kind, const char *zone,
    const unsigned char origin[KEY_ID_LEN], long long ts);

/* Look up a held event by id: 1 found (origin, zone — "" when none —,
 * and a malloc'd copy of the envelope when raw is not NULL), 0 not held,
 * -1 error. Any output may be NULL. */
int store_lookup(struct store *s, const unsigned char id[KEY_ID_LEN],
    unsigned char origin[KEY_ID_LEN], char *zone, size_t zonelen,
    char **raw, size_t *rawlen);

/* The origins with a key flagged for equivocation (at most max). */
int store_flagged_origins(struct store *s, unsigned char (*out)[KEY_ID_LEN],
    size_t max, size_t *n);

/* A person cleared key's equivocation flag: 1 cleared, 0 it was not
 * flagged, -1 error. The proof stays in the store. */
int store_clear_equivocation(struct store *s, const unsigned char key[KEY_ID_LEN],
    char *err);

/* Head of a key's chain. */
int store_head(struct store *s, const unsigned char key[KEY_ID_LEN], bool *has,
    long long *seq, unsigned char id[KEY_ID_LEN], char *err);

/* One outbox entry, as handed to store_outbox_each()'s callback. */
struct store_outbox_item {
	long long row;            /* the event's row: what to acknowledge */
	unsigned char id[KEY_ID_LEN];
	unsigned char origin[KEY_ID_LEN];
	unsigned char key[KEY_ID_LEN];
	enum kind kind;
	const char *zone;         /* "" when the kind has none */
	long long ts, exp;        /* exp 0: never */
	const char *raw;
	size_t rawlen;
};

typedef void (*store_outbox_cb)(void *arg, const struct store_outbox_item *it);

/* Every event waiting in link's outbox, oldest first, at most limit
 * (0: all). Returns the number handed out, or -1. */
long store_outbox_each(struct store *s, int link, long limit, store_outbox_cb cb,
    void *arg, char *err);
/* Stored events of key with seq in [from, to], as outbox items. */
long store_range_each(struct store *s, const unsigned char key[KEY_ID_LEN],
    long long from, long long to, store_outbox_cb cb, void *arg, char *err);

/* Every recorded gap (of key, or of every key when key is NULL). */
int store_gaps_each(struct store *s, const unsigned char *key,
    void (*cb)(void *arg, const unsigned char key[KEY_ID_LEN], long long lo,
    long long hi), void *arg, char *err);

/* An event of key at seq was seen, verified, and refused as expired:
 * nothing is missing there any more (its gap shrinks), since no relay
 * would accept it. */
int store_gap_settle(struct store *s, const unsigned char key[KEY_ID_LEN],
    long long seq, char *err);

/* The recorded gaps of keys whose last heartbeat is at hb_after or later,
 * within depth seqs of their chain's head: what a relay still misses of
 * its peers' recent history (relay/fed/catchup.c). Returns a count or -1. */
long store_behind_each(struct store *s, long long hb_after, long long depth,
    void (*cb)(void *arg, const unsigned char key[KEY_ID_LEN], long long lo,
    long long hi), void *arg, char *err);

int store_outbox_ack(struct store *s, int link, long long row, char *err);
long store_outbox_depth(struct store *s, int link);

/* Delete events that expired more than retention seconds ago (never
 * key_revoke, never one still in an outbox). */
int store_prune(struct store *s, long long now, long long retention,
    long *deleted, char *err);

long long store_count(struct store *s);

/* Whether the store holds an event signed by a key other than key (a store
 * that is neither new nor rebuilt; false on error: the safe answer, with
 * which the relay takes every retained message). */
bool store_holds_others(struct store *s, const unsigned char key[KEY_ID_LEN]);

/*
 * The SQLite handle: the escape hatch for a module that keeps tables of its
 * own in the same file and transaction (today relay/notify/notify_queue.c
 * only, on its notify_* tables, created with CREATE TABLE IF NOT EXISTS).
 * It is not a way to read or write the store's own tables (events, chains,
 * gaps, outbox, views, withdrawals, incidents...): those are queried
 * through functions of relay/store/, which own every such SQL string. Any
 * SQL that names an event kind binds it as a KIND_* parameter (proto/kind.h),
 * never as a literal number: the numbers are the protocol's, the SQL must
 * not restate them.
 */
struct sqlite3;
struct sqlite3 *store_sqlite(struct store *s);

/* The counters of the metrics, kept across restarts (table counters). */
int store_counters_save(struct store *s, const struct metrics *m, char *err);
int store_counters_load(struct store *s, struct metrics *m, char *err);

/*
 * Group many writes in one transaction (the relay opens one per turn of
 * its loop and commits it before it publishes anything); nested calls are
 * savepoints. After a storage fault store_begin() and store_commit() fail
 * (err: "store: not writable: CAUSE") until store_rollback().
 */
int store_begin(struct store *s, char *err);
int store_commit(struct store *s, char *err);
bool store_in_transaction(const struct store *s);
/* Roll the whole transaction back (savepoints included) and forget the
 * fault; NULL allowed. */
void store_rollback(struct store *s);
/* A storage fault happened in this transaction: true, with its cause
 * ("database or disk is full (No space left on device)") in why (len
 * bytes; why may be NULL). */
bool store_faulted(const struct store *s, char *why, size_t len);

/* One row of store_events_each(): valid during the callback only. */
struct store_event_row {
	unsigned char id[KEY_ID_LEN], origin[KEY_ID_LEN], key[KEY_ID_LEN];
	enum kind kind;
	long long seq, ts, received_at;
	const char *zone;         /* NULL when the kind has none */
	bool has_exp;             /* false: never expires (key_revoke) */
	long long exp;
	int link;                 /* store_link_id(); STORE_LINK_OWN */
	const char *raw;          /* the envelope bytes */
	size_t rawlen;
};

struct store_events_filter {
	const char *zone;         /* NULL or "": any */
	int kind;                 /* an enum kind, or -1: any */
	long long since;          /* received_at >= since */
	int limit;
};

/* Return non-zero to stop (store_events_each() then returns -1). */
typedef int (*store_event_cb)(void *arg, const struct store_event_row *row);

/* The stored events that pass f, newest received first, at most f->limit
 * (the HTTP API's GET /v1/events builds its document from them). 0 or -1. */
int store_events_each(struct store *s, const struct store_events_filter *f,
    store_event_cb cb, void *arg, char *err);

/* One row of store_keys_each(): a key's chain bookkeeping. */
struct store_key_row {
	unsigned char key[KEY_ID_LEN];
	bool has_origin;
	unsigned char origin[KEY_ID_LEN];
	long long head_seq;       /* 0: no event of the chain yet */
	bool has_head_id;
	unsigned char head_id[KEY_ID_LEN];
	bool has_heartbeat;
	long long last_heartbeat;
	int flags;                /* STORE_FLAG_* */
};

typedef void (*store_key_cb)(void *arg, const struct store_key_row *row);

/* Every key the store keeps a chain for, in no order. 0 or -1. */
int store_keys_each(struct store *s, store_key_cb cb, void *arg, char *err);

#endif
