/*
 * trustdb/db.h — the trust database file: open, schema, migrations, locking.
 *
 * One SQLite file in WAL mode, so that the relay can read while ntactl
 * writes; every connection waits up to a busy timeout for a lock instead of
 * failing at once. The schema version lives in PRAGMA user_version and is
 * brought up to date by a table of migrations, each in its own transaction;
 * a file with a newer version than this program knows is refused, never
 * downgraded. A file that is not a database (or is damaged) gives
 * TRUSTDB_E_CORRUPT with the path in the reason.
 *
 * Besides the schema the file holds one setting: the federation name (net)
 * the database belongs to, fixed once and then compared against every
 * imported envelope.
 *
 * This module must never print, exit, read the clock or read globals.
 */
#ifndef NTARELAY_TRUSTDB_DB_H
#define NTARELAY_TRUSTDB_DB_H

#include <stdbool.h>

#include <sqlite3.h>

#include "trustdb/error.h"

#define TRUSTDB_SCHEMA_VERSION 3      /* the version this program writes */
#define TRUSTDB_BUSY_TIMEOUT_MS 5000  /* default wait for another process */
#define TRUSTDB_NET_MAX 63

#define TRUSTDB_OPEN_CREATE 0x1       /* create the file when it is missing */

struct trustdb;

/*
 * Open (and with TRUSTDB_OPEN_CREATE create) the database at path, switch it
 * to WAL, set the busy timeout (busy_ms; 0 means TRUSTDB_BUSY_TIMEOUT_MS) and
 * migrate the schema. *out is new (trustdb_close). Errors: open, corrupt,
 * locked, version, sql, nomem.
 */
enum trustdb_err trustdb_open(const char *path, int flags, int busy_ms,
    struct trustdb **out, char *reason);

/* Close; NULL allowed. */
void trustdb_close(struct trustdb *db);

/* The schema version of the open file (after migration). */
int trustdb_schema_version(struct trustdb *db);

/*
 * The federation name of the database into net (TRUSTDB_NET_MAX + 1 bytes);
 * *has is false (and net "") while none is set.
 */
enum trustdb_err trustdb_net_get(struct trustdb *db, char *net, bool *has,
    char *reason);

/*
 * Fix the federation name. Setting the name already set is a no-op; a
 * different one gives TRUSTDB_E_WRONG_NET. net must be a valid name
 * (1-63 of a-z 0-9 -) or TRUSTDB_E_INVALID_ARG.
 */
enum trustdb_err trustdb_net_set(struct trustdb *db, const char *net,
    char *reason);

/* ---- for the other trustdb modules only ---------------------------- */

/* The connection (borrowed). */
sqlite3 *trustdb_sqlite(struct trustdb *db);

/* The path the database was opened with (borrowed). */
const char *trustdb_path(struct trustdb *db);

/* Map the connection's last error to an enum and a reason naming what. */
enum trustdb_err trustdb_sql_fail(struct trustdb *db, int rc, const char *what,
    char *reason);

/* Run one statement without results (BEGIN IMMEDIATE, COMMIT, ...). */
enum trustdb_err trustdb_exec(struct trustdb *db, const char *sql, char *reason);

/* ROLLBACK if a transaction is open; never fails visibly. */
void trustdb_rollback(struct trustdb *db);

/* True when name is a federation name (1-63 of a-z 0-9 -). */
bool trustdb_net_valid(const char *name);

#endif
