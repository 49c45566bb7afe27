/*
 * relay/store/store.c — SQLite event store (see the header): opening and
 * checking the file, the schema and its migration, the cached statements,
 * the set of held ids, storage faults and transactions, lookups, pruning
 * and the counters kept across restarts. Events and chains are in
 * store_chain.c, outboxes and listings in store_outbox.c.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "proto/encoding.h"
#include "relay/store/store.h"
#include "relay/store/store_int.h"
#include "relay/store/store_zone.h"

#define STORE_SCHEMA_VERSION 2

const char *const store_sql_text[Q__COUNT] = {
	[Q_HAS] = "SELECT 1 FROM events WHERE id = ?1 UNION ALL "
	    "SELECT 1 FROM equivocations WHERE id = ?1 LIMIT 1",
	[Q_HEAD] = "SELECT head_seq, head_id FROM chains WHERE key = ?1",
	[Q_AT_SEQ] = "SELECT id, prev FROM events WHERE key = ?1 AND seq = ?2 LIMIT 1",
	[Q_IN_GAP] = "SELECT 1 FROM gaps WHERE key = ?1 AND lo <= ?2 AND hi >= ?2",
	[Q_PUT] = "INSERT INTO events (id, origin, key, seq, prev, kind, zone, ts, exp, "
	    "envelope, received_at, link) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
	    "?10, ?11, ?12)",
	[Q_CHAIN_SET] = "UPDATE chains SET head_seq = ?2, head_id = ?3 "
	    "WHERE key = ?1 AND head_seq < ?2",
	[Q_CHAIN_NEW] = "INSERT OR IGNORE INTO chains (key, origin, head_seq, head_id) "
	    "VALUES (?1, ?2, ?3, ?4)",
	[Q_GAP_ADD] = "INSERT OR IGNORE INTO gaps (key, lo, hi) VALUES (?1, ?2, ?3)",
	[Q_GAP_FIND] = "SELECT lo, hi FROM gaps WHERE key = ?1 AND lo <= ?2 AND hi >= ?2",
	[Q_GAP_DEL] = "DELETE FROM gaps WHERE key = ?1 AND lo = ?2",
	[Q_OUTBOX_ADD] = "INSERT OR IGNORE INTO outbox (link, event) VALUES (?1, ?2)",
	[Q_OUTBOX_EACH] = "SELECT e.rowid, e.id, e.origin, e.key, e.kind, e.zone, e.ts, "
	    "e.exp, e.envelope FROM outbox o JOIN events e ON e.rowid = o.event "
	    "WHERE o.link = ?1 ORDER BY o.event LIMIT ?2",
	[Q_OUTBOX_ACK] = "DELETE FROM outbox WHERE link = ?1 AND event = ?2",
	[Q_OUTBOX_DEPTH] = "SELECT count(*) FROM outbox WHERE link = ?1",
	[Q_NEWER] = "SELECT 1 FROM events WHERE kind = ?1 AND zone IS ?2 AND "
	    "origin = ?3 AND ts > ?4 LIMIT 1",
	[Q_EQUIV] = "INSERT OR IGNORE INTO equivocations (id, key, seq, envelope, "
	    "detected_at) VALUES (?1, ?2, ?3, ?4, ?5)",
	[Q_FLAG] = "INSERT INTO chains (key, origin, head_seq, head_id, flags) "
	    "VALUES (?1, ?2, 0, NULL, ?3) ON CONFLICT(key) DO UPDATE SET "
	    "flags = flags | ?3",
	[Q_HEARTBEAT] = "UPDATE chains SET last_heartbeat = max(coalesce(last_heartbeat, 0), ?2) "
	    "WHERE key = ?1",
	[Q_LINK_GET] = "SELECT id FROM links WHERE url = ?1",
	[Q_LINK_ADD] = "INSERT INTO links (url) VALUES (?1)",
	[Q_COUNT] = "SELECT count(*) FROM events",
	/* one per event: prepared, not parsed each time by sqlite3_exec */
	[Q_SAVEPOINT] = "SAVEPOINT ev",
	[Q_RELEASE] = "RELEASE ev",
};

static const char schema_v1[] =
    "CREATE TABLE events ("
    " rowid INTEGER PRIMARY KEY,"
    " id BLOB NOT NULL UNIQUE,"
    " origin BLOB NOT NULL,"
    " key BLOB NOT NULL,"
    " seq INTEGER NOT NULL,"
    " prev BLOB,"
    " kind INTEGER NOT NULL,"
    " zone TEXT,"
    " ts INTEGER NOT NULL,"
    " exp INTEGER,"
    " envelope BLOB NOT NULL,"
    " received_at INTEGER NOT NULL,"
    " link INTEGER NOT NULL);"
    "CREATE INDEX events_key_seq ON events (key, seq);"
    "CREATE INDEX events_zone_kind ON events (zone, kind, origin, ts);"
    "CREATE INDEX events_received ON events (received_at);"
    "CREATE INDEX events_exp ON events (exp);"
    "CREATE TABLE chains ("
    " key BLOB PRIMARY KEY,"
    " origin BLOB NOT NULL,"
    " head_seq INTEGER NOT NULL,"
    " head_id BLOB,"
    " last_heartbeat INTEGER,"
    " flags INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE gaps ("
    " key BLOB NOT NULL, lo INTEGER NOT NULL, hi INTEGER NOT NULL,"
    " PRIMARY KEY (key, lo));"
    "CREATE TABLE outbox ("
    " link INTEGER NOT NULL, event INTEGER NOT NULL,"
    " PRIMARY KEY (link, event));"
    "CREATE TABLE equivocations ("
    " id BLOB PRIMARY KEY, key BLOB NOT NULL, seq INTEGER NOT NULL,"
    " envelope BLOB NOT NULL, detected_at INTEGER NOT NULL);"
    "CREATE TABLE links (id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE);"
    "CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);";

/*
 * The failures that say "the file cannot be written (now)", as opposed to
 * "this statement is wrong": a full disk, an I/O error (EFBIG under a file
 * size limit is one), a lock held past the busy timeout, a damaged or
 * vanished file, memory. After one of them SQLite may have rolled the
 * whole transaction back on its own, so the store refuses every further
 * write until store_rollback().
 */
static bool
is_fault(int code)
{
	switch (code & 0xff) {
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_NOMEM:
	case SQLITE_BUSY:
		return true;
	default:
		return false;
	}
}

/* "disk I/O error (File too large)": SQLite's words and, for the kinds
 * that come from a system call, the errno the failed call left (SQLite's
 * own sqlite3_system_errno() does not keep it for writes). */
static void
describe(sqlite3 *db, int code, int sys, char *out, size_t len)
{
	int primary = code & 0xff;

	if (sys != 0 && (primary == SQLITE_IOERR || primary == SQLITE_FULL ||
	    primary == SQLITE_CANTOPEN))
		snprintf(out, len, "%s (%s)", sqlite3_errmsg(db), strerror(sys));
	else
		snprintf(out, len, "%s", sqlite3_errmsg(db));
}

/* Remember the first fault of the transaction (its cause is the one a
 * person needs; later errors are its consequences); sys: errno just after
 * the failed call. */
static void
note_fault(struct store *s, int sys)
{
	int code;

	if (s == NULL || s->db == NULL)
		return;
	code = sqlite3_extended_errcode(s->db);
	if (!is_fault(code) || s->faulted)
		return;
	s->faulted = true;
	describe(s->db, code, sys, s->fault, sizeof(s->fault));
}

sqlite3 *
store_sqlite(struct store *s)
{
	return s->db;
}

int
store_lookup(struct store *s, const unsigned char id[KEY_ID_LEN],
    unsigned char origin[KEY_ID_LEN], char *zone, size_t zonelen,
    char **raw, size_t *rawlen)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT origin, zone, envelope FROM events "
	    "WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_blob(st, 1, id, KEY_ID_LEN, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const void *o = sqlite3_column_blob(st, 0);
		const unsigned char *z = sqlite3_column_text(st, 1);

		rc = 1;
		if (origin && o && sqlite3_column_bytes(st, 0) == KEY_ID_LEN)
			memcpy(origin, o, KEY_ID_LEN);
		if (zone && zonelen)
			snprintf(zone, zonelen, "%s", z ? (const char *)z : "");
		if (raw) {
			size_t n = (size_t)sqlite3_column_bytes(st, 2);
			if ((*raw = malloc(n + 1)) == NULL) {
				rc = -1;
			} else {
				memcpy(*raw, sqlite3_column_blob(st, 2), n);
				(*raw)[n] = '\0';
				*rawlen = n;
			}
		}
	}
	sqlite3_finalize(st);
	return rc;
}

static uint64_t
prefix(const unsigned char id[KEY_ID_LEN])
{
	uint64_t v;

	memcpy(&v, id, sizeof(v));
	return v ? v : 1;
}

static int
idset_add(struct idset *s, uint64_t v)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap) {
		size_t ncap = s->cap ? 2 * s->cap : 4096;
		uint64_t *n = calloc(ncap, sizeof(*n));
		if (n == NULL)
			return -1;
		for (size_t j = 0; j < s->cap; j++) {
			if (s->slots[j] == 0)
				continue;
			for (i = s->slots[j] & (ncap - 1); n[i]; i = (i + 1) & (ncap - 1))
				;
			n[i] = s->slots[j];
		}
		free(s->slots);
		s->slots = n;
		s->cap = ncap;
	}
	for (i = v & (s->cap - 1); s->slots[i]; i = (i + 1) & (s->cap - 1))
		if (s->slots[i] == v)
			return 0;
	s->slots[i] = v;
	s->n++;
	return 0;
}

static bool
idset_maybe(const struct idset *s, uint64_t v)
{
	if (s->cap == 0)
		return false;
	for (size_t i = v & (s->cap - 1); s->slots[i]; i = (i + 1) & (s->cap - 1))
		if (s->slots[i] == v)
			return true;
	return false;
}

void
store_ids_add(struct store *s, const unsigned char id[KEY_ID_LEN])
{
	idset_add(&s->ids, prefix(id));
}

int
store_fail(struct store *s, char *err, const char *what)
{
	int sys = errno;

	snprintf(err, STORE_ERR_MAX, "store: %s: %s", what,
	    s && s->db ? sqlite3_errmsg(s->db) : "out of memory");
	note_fault(s, sys);
	return -1;
}

sqlite3_stmt *
store_q(struct store *s, int which)
{
	sqlite3_stmt *st = s->q[which];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

int
store_exec(struct store *s, const char *sql, char *err)
{
	char *msg = NULL;

	errno = 0;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int sys = errno;
		snprintf(err, STORE_ERR_MAX, "store: %s", msg ? msg : "error");
		sqlite3_free(msg);
		note_fault(s, sys);
		return -1;
	}
	return 0;
}

/* Run a prepared statement that returns no row, as store_exec(). */
static int
store_step_q(struct store *s, int which, char *err)
{
	sqlite3_stmt *st = s->q[which];
	int rc;

	errno = 0;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		int sys = errno;
		snprintf(err, STORE_ERR_MAX, "store: %s", sqlite3_errmsg(s->db));
		note_fault(s, sys);
		return -1;
	}
	return 0;
}

static int
load_ids(struct store *s, char *err)
{
	static const char *const sql[] = { "SELECT id FROM events",
		"SELECT id FROM equivocations" };

	for (int i = 0; i < 2; i++) {
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(s->db, sql[i], -1, &st, NULL) != SQLITE_OK)
			return store_fail(s, err, "loading ids");
		while (sqlite3_step(st) == SQLITE_ROW)
			if (sqlite3_column_bytes(st, 0) == KEY_ID_LEN &&
			    idset_add(&s->ids, prefix(sqlite3_column_blob(st, 0))) != 0) {
				sqlite3_finalize(st);
				snprintf(err, STORE_ERR_MAX, "store: out of memory");
				return -1;
			}
		sqlite3_finalize(st);
	}
	return 0;
}

/* The file is not a database, or is one with damaged pages: say which,
 * naming the file. */
static bool
damage(struct store *s, const char *path, char *err)
{
	int code = sqlite3_extended_errcode(s->db) & 0xff;

	if (code != SQLITE_CORRUPT && code != SQLITE_NOTADB)
		return false;
	snprintf(err, STORE_ERR_MAX, "store: %s is damaged: %s", path,
	    sqlite3_errmsg(s->db));
	return true;
}

static int
quick_check(struct store *s, const char *path, char *err)
{
	sqlite3_stmt *st;
	const unsigned char *first;
	int rc, step;

	if (sqlite3_prepare_v2(s->db, "PRAGMA quick_check(1)", -1, &st, NULL) !=
	    SQLITE_OK)
		return damage(s, path, err) ? STORE_DAMAGED : store_fail(s, err, path);
	step = sqlite3_step(st);
	first = step == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
	if (step == SQLITE_ROW && first && strcmp((const char *)first, "ok") == 0)
		rc = 0;
	else if (step == SQLITE_ROW) {
		snprintf(err, STORE_ERR_MAX, "store: %s is damaged: quick_check: %s",
		    path, first ? (const char *)first : "(no answer)");
		rc = STORE_DAMAGED;
	} else
		rc = damage(s, path, err) ? STORE_DAMAGED : store_fail(s, err, path);
	sqlite3_finalize(st);
	return rc;
}

/* About 80 lines: opening, the damage check, the schema (new, or
 * migrated), the statements and the id set are the one order a store may
 * be opened in; each step's failure closes what the earlier ones opened. */
int
store_open(const char *path, struct store **out, char *err)
{
	struct store *s = calloc(1, sizeof(*s));
	sqlite3_stmt *st;
	int version, rc = -1;

	*out = NULL;
	if (s == NULL) {
		snprintf(err, STORE_ERR_MAX, "store: out of memory");
		return -1;
	}
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, STORE_ERR_MAX, "store: %s: %s", path,
		    s->db ? sqlite3_errmsg(s->db) : "cannot open");
		goto bad;
	}
	sqlite3_busy_timeout(s->db, 5000);
	/* WAL + synchronous=NORMAL: a commit survives the process being
	 * killed at any moment (the WAL is written before COMMIT returns);
	 * only an OS crash can lose the last transactions. */
	/* Fewer, larger checkpoints (each one syncs): the relay commits a
	 * transaction per loop turn. The WAL may grow to ~40 MB between
	 * them. A page cache of 16 MiB (SQLite's default is 2 MiB) holds a
	 * turn's pages without spilling them to the WAL mid-transaction. */
	if (store_exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	    "PRAGMA foreign_keys=OFF;"
	    "PRAGMA wal_autocheckpoint=10000; PRAGMA temp_store=MEMORY;"
	    "PRAGMA cache_size=-16384;", err) != 0) {
		if (damage(s, path, err))
			rc = STORE_DAMAGED;
		goto bad;
	}
	/* A damaged file is found now, not by the first event that lands on a
	 * bad page: quick_check reads every page once (seconds for a large
	 * store), without the cross-checks of integrity_check. */
	if ((rc = quick_check(s, path, err)) != 0)
		goto bad;
	rc = -1;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK) {
		store_fail(s, err, path);
		goto bad;
	}
	version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	if (version < 0) {
		store_fail(s, err, "reading the schema version (not an ntarelay store?)");
		goto bad;
	}
	if (version > STORE_SCHEMA_VERSION) {
		snprintf(err, STORE_ERR_MAX, "store: %s: schema version %d is newer "
		    "than this ntarelayd supports (%d)", path, version,
		    STORE_SCHEMA_VERSION);
		goto bad;
	}
	/* 0: a new file; 1: a store of ntarelay 0.1, which gains the
	 * quorum engine's tables (relay/store/store_zone.c), built from its events */
	if (version < STORE_SCHEMA_VERSION) {
		if (store_exec(s, "BEGIN IMMEDIATE", err) != 0 ||
		    (version == 0 && store_exec(s, schema_v1, err) != 0) ||
		    store_zone_migrate(s, err) != 0 ||
		    store_exec(s, "PRAGMA user_version = 2; COMMIT", err) != 0) {
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			goto bad;
		}
	}
	for (int i = 0; i < Q__COUNT; i++)
		if (sqlite3_prepare_v3(s->db, store_sql_text[i], -1, SQLITE_PREPARE_PERSISTENT,
		    &s->q[i], NULL) != SQLITE_OK) {
			store_fail(s, err, "preparing statements");
			goto bad;
		}
	if (store_zone_prepare(s, err) != 0)
		goto bad;
	if (load_ids(s, err) != 0)
		goto bad;
	*out = s;
	return 0;
bad:
	store_close(s);
	return rc;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < Q__COUNT; i++)
		sqlite3_finalize(s->q[i]);
	store_zone_finalize(s);
	sqlite3_close(s->db);
	free(s->ids.slots);
	free(s);
}

bool
store_has(struct store *s, const unsigned char id[KEY_ID_LEN])
{
	sqlite3_stmt *st;

	if (!idset_maybe(&s->ids, prefix(id)))
		return false;
	st = store_q(s, Q_HAS);
	sqlite3_bind_blob(st, 1, id, KEY_ID_LEN, SQLITE_STATIC);
	return sqlite3_step(st) == SQLITE_ROW;
}

/*
 * Transactions nest: the outermost is a real transaction (a batch: the
 * relay groups what one turn of its loop stores), the inner ones are
 * savepoints, so that one event that fails rolls back alone. After a
 * storage fault nothing more is written in the transaction, and the
 * outermost commit fails: the caller rolls the whole batch back and keeps
 * what it held (relay/fed/storefault.c).
 */
int
store_begin(struct store *s, char *err)
{
	if (s->faulted) {
		snprintf(err, STORE_ERR_MAX, "store: not writable: %s", s->fault);
		return -1;
	}
	if (s->depth == 0 ? store_exec(s, "BEGIN IMMEDIATE", err) != 0 :
	    store_step_q(s, Q_SAVEPOINT, err) != 0)
		return -1;
	s->depth++;
	return 0;
}

int
store_commit(struct store *s, char *err)
{
	if (s->depth == 0)
		return 0;
	if (s->depth > 1) {
		s->depth--;
		if (s->faulted) {
			snprintf(err, STORE_ERR_MAX, "store: not writable: %s", s->fault);
			return -1;
		}
		return store_step_q(s, Q_RELEASE, err);
	}
	/* SQLite may have rolled the transaction back itself after a failed
	 * write (a full disk, an I/O error), also one of a sibling module's
	 * tables: then a COMMIT would only commit what came after. */
	if (!s->faulted && sqlite3_get_autocommit(s->db)) {
		s->faulted = true;
		snprintf(s->fault, sizeof(s->fault), "a write failed and SQLite "
		    "rolled the transaction back");
	}
	if (s->faulted || store_exec(s, "COMMIT", err) != 0) {
		if (s->faulted)
			snprintf(err, STORE_ERR_MAX, "store: %s", s->fault);
		store_rollback(s);
		return -1;
	}
	s->depth = 0;
	return 0;
}

void
store_rollback(struct store *s)
{
	if (s == NULL)
		return;
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->depth = 0;
	s->faulted = false;
	s->fault[0] = '\0';
}

void
store_savepoint_rollback(struct store *s)
{
	if (s->depth == 0)
		return;
	if (s->depth > 1) {
		if (!s->faulted)
			sqlite3_exec(s->db, "ROLLBACK TO ev; RELEASE ev", NULL, NULL,
			    NULL);
		s->depth--;
		return;
	}
	store_rollback(s);
}

bool
store_faulted(const struct store *s, char *why, size_t len)
{
	if (s->faulted && why && len)
		snprintf(why, len, "%s", s->fault);
	return s->faulted;
}

bool
store_in_transaction(const struct store *s)
{
	return s->depth > 0;
}

long long
store_count(struct store *s)
{
	sqlite3_stmt *st = store_q(s, Q_COUNT);

	return sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
}

bool
store_holds_others(struct store *s, const unsigned char key[KEY_ID_LEN])
{
	sqlite3_stmt *st;
	bool yes = false;

	if (sqlite3_prepare_v2(s->db, "SELECT EXISTS (SELECT 1 FROM events "
	    "WHERE key != ?1)", -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_blob(st, 1, key, KEY_ID_LEN, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		yes = sqlite3_column_int(st, 0) != 0;
	sqlite3_finalize(st);
	return yes;
}

int
store_prune(struct store *s, long long now, long long retention, long *deleted,
    char *err)
{
	sqlite3_stmt *st;

	*deleted = 0;
	/* never a key_revoke (exp NULL), never what an outbox still needs,
	 * never a chain's head (acceptance needs its id) */
	if (sqlite3_prepare_v2(s->db,
	    "DELETE FROM events WHERE exp IS NOT NULL AND exp < ?1 AND kind != ?2 "
	    "AND rowid NOT IN (SELECT event FROM outbox) "
	    "AND id NOT IN (SELECT head_id FROM chains WHERE head_id IS NOT NULL)",
	    -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, err, "pruning");
	sqlite3_bind_int64(st, 1, now - retention);
	sqlite3_bind_int(st, 2, (int)KIND_KEY_REVOKE);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		return store_fail(s, err, "pruning");
	}
	*deleted = sqlite3_changes(s->db);
	sqlite3_finalize(st);
	if (store_zone_prune(s, now, retention, err) != 0)
		return -1;
	/* The id set keeps pruned prefixes: a later copy of a pruned event is
	 * then checked in SQL, not found, and judged by acceptance (expired
	 * or stale), which is the right answer. */
	return 0;
}

/* Counters survive restarts: name -> value. */
static const struct {
	const char *name;
	size_t off;
} scalar_counters[] = {
	{ "duplicates", offsetof(struct metrics, duplicates) },
	{ "forwarded", offsetof(struct metrics, forwarded) },
	{ "seq_gaps", offsetof(struct metrics, seq_gaps) },
	{ "equivocations", offsetof(struct metrics, equivocations) },
	{ "own_events", offsetof(struct metrics, own_events) },
	{ "decisions", offsetof(struct metrics, decisions) },
	{ "submissions", offsetof(struct metrics, submissions) },
	{ "submissions_refused", offsetof(struct metrics, submissions_refused) },
	{ "store_write_failures", offsetof(struct metrics, store_write_failures) },
	{ "store_held_dropped", offsetof(struct metrics, store_held_dropped) },
	{ "own_events_refused", offsetof(struct metrics, own_events_refused) },
};

int
store_counters_save(struct store *s, const struct metrics *m, char *err)
{
	sqlite3_stmt *st;
	char name[64];

	if (sqlite3_prepare_v2(s->db, "INSERT INTO counters (name, value) VALUES (?1, ?2) "
	    "ON CONFLICT(name) DO UPDATE SET value = ?2", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, err, "saving counters");
	if (store_begin(s, err) != 0) {
		sqlite3_finalize(st);
		return -1;
	}
	for (int i = 1; i < PROTO_E__COUNT + KIND__COUNT +
	    (int)(sizeof(scalar_counters) / sizeof(scalar_counters[0])); i++) {
		uint64_t v;
		if (i < PROTO_E__COUNT) {
			snprintf(name, sizeof(name), "rejected.%s", proto_errname((enum proto_err)i));
			v = m->rejected[i];
		} else if (i < PROTO_E__COUNT + KIND__COUNT) {
			int k = i - PROTO_E__COUNT;
			snprintf(name, sizeof(name), "accepted.%s", kind_name((enum kind)k));
			v = m->accepted[k];
		} else {
			size_t j = (size_t)(i - PROTO_E__COUNT - KIND__COUNT);
			snprintf(name, sizeof(name), "%s", scalar_counters[j].name);
			memcpy(&v, (const char *)m + scalar_counters[j].off, sizeof(v));
		}
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)v);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			store_savepoint_rollback(s);
			return store_fail(s, err, "saving counters");
		}
	}
	sqlite3_finalize(st);
	return store_commit(s, err);
}

int
store_counters_load(struct store *s, struct metrics *m, char *err)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, "SELECT name, value FROM counters", -1, &st,
	    NULL) != SQLITE_OK)
		return store_fail(s, err, "loading counters");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		uint64_t v = (uint64_t)sqlite3_column_int64(st, 1);
		enum proto_err e;
		enum kind k;
		if (name == NULL)
			continue;
		if (strncmp(name, "rejected.", 9) == 0) {
			if ((e = proto_err_from_name(name + 9)) < PROTO_E__COUNT)
				m->rejected[e] = v;
		} else if (strncmp(name, "accepted.", 9) == 0) {
			if ((k = kind_from_name(name + 9)) < KIND__COUNT)
				m->accepted[k] = v;
		} else
			for (size_t j = 0; j < sizeof(scalar_counters) / sizeof(scalar_counters[0]); j++)
				if (strcmp(name, scalar_counters[j].name) == 0)
					memcpy((char *)m + scalar_counters[j].off, &v, sizeof(v));
	}
	sqlite3_finalize(st);
	return 0;
}

