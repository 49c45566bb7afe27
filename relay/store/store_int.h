/*
 * relay/store/store_int.h — the store's insides, shared by its own files only
 * (relay/store/store.c: opening, schema, faults, transactions, pruning,
 * counters; store_chain.c: events and chains; store_outbox.c: outboxes,
 * links and listings; store_zone.c: what the quorum engine reads;
 * store_assess.c: what renewal reads). No other module includes this
 * header.
 */
#ifndef NTARELAY_RELAY_STORE_INT_H
#define NTARELAY_RELAY_STORE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "relay/store/store.h"

/* Prepared statements of relay/store/store.c. */
enum {
	Q_HAS, Q_HEAD, Q_AT_SEQ, Q_IN_GAP, Q_PUT, Q_CHAIN_SET, Q_CHAIN_NEW,
	Q_GAP_ADD, Q_GAP_FIND, Q_GAP_DEL, Q_OUTBOX_ADD, Q_OUTBOX_EACH,
	Q_OUTBOX_ACK, Q_OUTBOX_DEPTH, Q_NEWER, Q_EQUIV, Q_FLAG, Q_HEARTBEAT,
	Q_LINK_GET, Q_LINK_ADD, Q_COUNT, Q_SAVEPOINT, Q_RELEASE,
	Q__COUNT
};

/* Prepared statements of relay/store/store_zone.c. */
enum {
	ZQ_VIEW_GET, ZQ_VIEW_PUT, ZQ_VIEWS, ZQ_WORDS, ZQ_WD_PUT, ZQ_WD_HAS,
	ZQ_FLAGGED, ZQ_QUOTA_KEYS, ZQ_QUOTA_EVENTS, ZQ_OBS, ZQ_INC_PUT,
	ZQ_INC_ZONE, ZQ_INC_LAST, ZQ_INC_RESOLVED, ZQ_ZONES_LIVE, ZQ_ZONE_KEYS,
	ZQ_OBS_INDEX,
	ZQ__COUNT
};

/* Open-addressing set of the first 8 bytes of every held id. A hit is
 * confirmed in SQL (rare); a miss is final. */
struct idset {
	uint64_t *slots;  /* 0 = empty (an id prefix of 0 is stored as 1) */
	size_t cap, n;
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *q[Q__COUNT];
	sqlite3_stmt *zq[ZQ__COUNT];
	bool words_busy;              /* zq[ZQ_WORDS] is being stepped */
	struct idset ids;
	int depth;               /* store_begin nesting */
	/* A storage fault (disk full, I/O error, ...) since the transaction
	 * began: it can no longer commit, whatever SQLite did with it. */
	bool faulted;
	char fault[STORE_ERR_MAX - 64];
};

/* The SQL of the cached statements (relay/store/store.c). */
extern const char *const store_sql_text[Q__COUNT];

/* Remember id in the in-memory set of held ids (after it was stored). */
void store_ids_add(struct store *s, const unsigned char id[KEY_ID_LEN]);

/* One savepoint (or, at the outermost level, the transaction) failed:
 * roll it back. */
void store_savepoint_rollback(struct store *s);

/* A cached statement, reset and unbound. */
sqlite3_stmt *store_q(struct store *s, int which);
sqlite3_stmt *store_zq(struct store *s, int which);

/* Fill err with "store: what: <sqlite's message>"; returns -1. */
int store_fail(struct store *s, char *err, const char *what);

/* Run SQL without results; -1 with err filled. */
int store_exec(struct store *s, const char *sql, char *err);

/* relay/store/store_zone.c: the tables of schema version 2 (views,
 * withdrawals, incidents), built from the events when a version 1 store
 * is opened; the statements; the bookkeeping store_put() does for each
 * event inside its transaction. */
extern const char store_zone_schema[];
int store_zone_migrate(struct store *s, char *err);
int store_zone_prepare(struct store *s, char *err);
void store_zone_finalize(struct store *s);
int store_zone_put(struct store *s, const struct event *ev, long long row,
    char *err);

#endif
