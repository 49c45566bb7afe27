/*
 * trustdb/db.c — open, WAL, busy timeout, schema migrations, the net setting.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "trustdb/db.h"

struct trustdb {
	sqlite3 *sql;
	char *path;
	int version;
};

/*
 * Migration i brings the schema from version i to i + 1. Append only: a
 * released migration is never edited, because files in the field were
 * made by it.
 */
static const char *const migrations[TRUSTDB_SCHEMA_VERSION] = {
	/* 0 -> 1: the tables */
	"CREATE TABLE meta ("
	"  name TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL);"
	/* every public key the db knows: pinned roots, vouched and certified
	 * subject keys. Known is not trusted: membership decides that. */
	"CREATE TABLE keys ("
	"  id TEXT PRIMARY KEY,"
	"  pk BLOB NOT NULL CHECK (length(pk) = 32),"
	"  name TEXT);"
	/* local pins of operator roots, with the zones the pin grants */
	"CREATE TABLE pins ("
	"  operator TEXT PRIMARY KEY REFERENCES keys(id),"
	"  zones TEXT NOT NULL DEFAULT '',"
	"  created INTEGER NOT NULL);"
	/* verified trust envelopes, verbatim, with their parsed columns */
	"CREATE TABLE events ("
	"  id TEXT PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK (kind IN ('vouch','unvouch','key_cert','key_revoke')),"
	"  net TEXT NOT NULL,"
	"  origin TEXT NOT NULL,"
	"  key TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  ts INTEGER NOT NULL,"
	"  exp INTEGER,"
	"  subject TEXT NOT NULL,"
	"  zones TEXT,"
	"  affiliation TEXT,"
	"  not_before INTEGER,"
	"  not_after INTEGER,"
	"  envelope BLOB NOT NULL,"
	"  imported INTEGER NOT NULL);",
	/* 1 -> 2: look-ups by subject for `why` and by signer */
	"CREATE INDEX events_subject ON events(subject);"
	"CREATE INDEX events_key ON events(key);",
	/* 2 -> 3: the local name of a pin (ntactl trust pin --name), unique
	 * among the pins that have one (trustdb/names.h) */
	"ALTER TABLE pins ADD COLUMN name TEXT;"
	"CREATE UNIQUE INDEX pins_name ON pins(name) WHERE name IS NOT NULL;",
};

sqlite3 *
trustdb_sqlite(struct trustdb *db)
{
	return db->sql;
}

const char *
trustdb_path(struct trustdb *db)
{
	return db->path;
}

int
trustdb_schema_version(struct trustdb *db)
{
	return db->version;
}

enum trustdb_err
trustdb_sql_fail(struct trustdb *db, int rc, const char *what, char *reason)
{
	const char *msg = db && db->sql ? sqlite3_errmsg(db->sql) : sqlite3_errstr(rc);
	const char *path = db && db->path ? db->path : "trust database";

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return trustdb_fail(reason, TRUSTDB_E_LOCKED,
		    "%s: %s: locked by another process (gave up waiting)", path, what);
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return trustdb_fail(reason, TRUSTDB_E_CORRUPT,
		    "%s: %s: %s (the file is damaged or not a trust database)",
		    path, what, msg);
	case SQLITE_NOMEM:
		return trustdb_fail(reason, TRUSTDB_E_NOMEM, "out of memory");
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_READONLY:
		return trustdb_fail(reason, TRUSTDB_E_OPEN, "%s: %s: %s", path,
		    what, msg);
	default:
		return trustdb_fail(reason, TRUSTDB_E_SQL, "%s: %s: %s", path,
		    what, msg);
	}
}

enum trustdb_err
trustdb_exec(struct trustdb *db, const char *sql, char *reason)
{
	int rc = sqlite3_exec(db->sql, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return trustdb_sql_fail(db, rc, sql, reason);
	return TRUSTDB_OK;
}

void
trustdb_rollback(struct trustdb *db)
{
	if (!sqlite3_get_autocommit(db->sql))
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
}

static enum trustdb_err
read_version(struct trustdb *db, int *version, char *reason)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db->sql, "PRAGMA user_version", -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*version = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return trustdb_sql_fail(db, rc, "reading the schema version", reason);
	return TRUSTDB_OK;
}

static enum trustdb_err
check_version(struct trustdb *db, int version, char *reason)
{
	if (version > TRUSTDB_SCHEMA_VERSION)
		return trustdb_fail(reason, TRUSTDB_E_VERSION,
		    "%s: schema version %d is newer than the %d this program "
		    "supports; use a newer ntarelay", db->path, version,
		    TRUSTDB_SCHEMA_VERSION);
	if (version < 0)
		return trustdb_fail(reason, TRUSTDB_E_CORRUPT,
		    "%s: schema version %d is not valid", db->path, version);
	return TRUSTDB_OK;
}

/* Apply the missing migrations, all in one write transaction. */
static enum trustdb_err
migrate(struct trustdb *db, char *reason)
{
	char sql[64];
	enum trustdb_err e;
	int v;

	if ((e = read_version(db, &v, reason)) != TRUSTDB_OK ||
	    (e = check_version(db, v, reason)) != TRUSTDB_OK)
		return e;
	if (v == TRUSTDB_SCHEMA_VERSION) {
		db->version = v;
		return TRUSTDB_OK;
	}
	if ((e = trustdb_exec(db, "BEGIN IMMEDIATE", reason)) != TRUSTDB_OK)
		return e;
	/* Another process may have migrated while we waited for the lock. */
	if ((e = read_version(db, &v, reason)) != TRUSTDB_OK ||
	    (e = check_version(db, v, reason)) != TRUSTDB_OK)
		goto out;
	for (; v < TRUSTDB_SCHEMA_VERSION; v++)
		if ((e = trustdb_exec(db, migrations[v], reason)) != TRUSTDB_OK)
			goto out;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v);
	if ((e = trustdb_exec(db, sql, reason)) != TRUSTDB_OK ||
	    (e = trustdb_exec(db, "COMMIT", reason)) != TRUSTDB_OK)
		goto out;
	db->version = v;
out:
	if (e != TRUSTDB_OK)
		trustdb_rollback(db);
	return e;
}

static enum trustdb_err
set_wal(struct trustdb *db, char *reason)
{
	sqlite3_stmt *st = NULL;
	bool wal = false;
	int rc;

	rc = sqlite3_prepare_v2(db->sql, "PRAGMA journal_mode", -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *mode = (const char *)sqlite3_column_text(st, 0);
		wal = mode != NULL && strcmp(mode, "wal") == 0;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return trustdb_sql_fail(db, rc, "reading the journal mode", reason);
	if (wal)
		return TRUSTDB_OK;
	return trustdb_exec(db, "PRAGMA journal_mode = WAL", reason);
}

enum trustdb_err
trustdb_open(const char *path, int flags, int busy_ms, struct trustdb **out,
    char *reason)
{
	struct trustdb *db = NULL;
	struct stat sb;
	enum trustdb_err e;
	int rc, oflags = SQLITE_OPEN_READWRITE;

	*out = NULL;
	if (path == NULL || *path == '\0')
		return trustdb_fail(reason, TRUSTDB_E_INVALID_ARG,
		    "no trust database path given");
	if (stat(path, &sb) != 0) {
		if (errno != ENOENT || !(flags & TRUSTDB_OPEN_CREATE))
			return trustdb_fail(reason, TRUSTDB_E_OPEN, "%s: %s", path,
			    strerror(errno));
		oflags |= SQLITE_OPEN_CREATE;
	} else if (!S_ISREG(sb.st_mode))
		return trustdb_fail(reason, TRUSTDB_E_OPEN,
		    "%s: not a regular file", path);
	if ((db = calloc(1, sizeof(*db))) == NULL ||
	    (db->path = strdup(path)) == NULL) {
		e = trustdb_fail(reason, TRUSTDB_E_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = sqlite3_open_v2(path, &db->sql, oflags, NULL)) != SQLITE_OK) {
		e = trustdb_sql_fail(db, rc, "opening", reason);
		goto out;
	}
	sqlite3_extended_result_codes(db->sql, 0);
	sqlite3_busy_timeout(db->sql, busy_ms > 0 ? busy_ms : TRUSTDB_BUSY_TIMEOUT_MS);
	if ((e = trustdb_exec(db, "PRAGMA foreign_keys = ON", reason)) != TRUSTDB_OK ||
	    (e = set_wal(db, reason)) != TRUSTDB_OK ||
	    (e = trustdb_exec(db, "PRAGMA synchronous = NORMAL", reason)) != TRUSTDB_OK ||
	    (e = migrate(db, reason)) != TRUSTDB_OK)
		goto out;
	*out = db;
	db = NULL;
	e = TRUSTDB_OK;
out:
	trustdb_close(db);
	return e;
}

void
trustdb_close(struct trustdb *db)
{
	if (db == NULL)
		return;
	sqlite3_close(db->sql);
	free(db->path);
	free(db);
}

bool
trustdb_net_valid(const char *name)
{
	size_t n = strlen(name);

	if (n < 1 || n > TRUSTDB_NET_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= '0' && name[i] <= '9') || name[i] == '-'))
			return false;
	return true;
}

enum trustdb_err
trustdb_net_get(struct trustdb *db, char *net, bool *has, char *reason)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*has = false;
	net[0] = '\0';
	rc = sqlite3_prepare_v2(db->sql,
	    "SELECT value FROM meta WHERE name = 'net'", -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(net, TRUSTDB_NET_MAX + 1, "%s",
		    (const char *)sqlite3_column_text(st, 0));
		*has = true;
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return trustdb_sql_fail(db, rc, "reading the federation name", reason);
	return TRUSTDB_OK;
}

enum trustdb_err
trustdb_net_set(struct trustdb *db, const char *net, char *reason)
{
	char cur[TRUSTDB_NET_MAX + 1];
	sqlite3_stmt *st = NULL;
	enum trustdb_err e;
	bool has;
	int rc;

	if (!trustdb_net_valid(net))
		return trustdb_fail(reason, TRUSTDB_E_INVALID_ARG,
		    "federation name '%.64s': use 1-63 of a-z 0-9 -", net);
	if ((e = trustdb_exec(db, "BEGIN IMMEDIATE", reason)) != TRUSTDB_OK)
		return e;
	if ((e = trustdb_net_get(db, cur, &has, reason)) != TRUSTDB_OK)
		goto out;
	if (has) {
		if (strcmp(cur, net) != 0)
			e = trustdb_fail(reason, TRUSTDB_E_WRONG_NET,
			    "%s belongs to federation '%s', not '%s'", db->path,
			    cur, net);
		goto out;
	}
	rc = sqlite3_prepare_v2(db->sql,
	    "INSERT INTO meta (name, value) VALUES ('net', ?1)", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, net, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db->sql);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK) {
		e = trustdb_sql_fail(db, rc, "storing the federation name", reason);
		goto out;
	}
	e = trustdb_exec(db, "COMMIT", reason);
out:
	if (e != TRUSTDB_OK)
		trustdb_rollback(db);
	else if (!sqlite3_get_autocommit(db->sql))
		e = trustdb_exec(db, "COMMIT", reason);
	return e;
}
