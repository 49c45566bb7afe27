/*
 * tests/unit/test_trustdb_db.c — the database file: schema and versions,
 * corruption, locking, verified import, export, and two processes using
 * one file at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>

#include "proto/encoding.h"
#include "proto/kind.h"
#include "trustdb/names.h"
#include "tests/unit/testutil.h"
#include "tests/unit/test_trustdb_util.h"

#define TS (TU_NOW - 100)
#define EXP (TU_NOW + 30 * KIND_DAY)
#define NOW TU_NOW

static struct key_secret *ra, *rb, *rc;

static int
setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	ra = tu_key("root-a", 1);
	rb = tu_key("root-b", 1);
	rc = tu_key("root-c", 1);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	key_secret_free(ra);
	key_secret_free(rb);
	key_secret_free(rc);
	return 0;
}

static int
count(const char *path, const char *table)
{
	sqlite3 *s;
	sqlite3_stmt *st;
	char sql[64];
	int n = -1;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
	if (sqlite3_prepare_v2(s, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(s);
	return n;
}

static void
sql_exec(const char *path, const char *sql)
{
	sqlite3 *s;

	assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
	assert_int_equal(sqlite3_exec(s, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(s);
}

static void
schema_and_wal(void **state)
{
	char reason[TRUSTDB_REASON_MAX], net[TRUSTDB_NET_MAX + 1];
	struct trustdb *db = tt_db(), *db2 = NULL;
	sqlite3_stmt *st;
	bool has;

	(void)state;
	assert_int_equal(trustdb_schema_version(db), TRUSTDB_SCHEMA_VERSION);
	assert_int_equal(sqlite3_prepare_v2(trustdb_sqlite(db), "PRAGMA journal_mode",
	    -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	/* reopening an up-to-date file migrates nothing */
	assert_int_equal(trustdb_open(tt_db_path(), 0, 0, &db2, reason), TRUSTDB_OK);
	trustdb_close(db2);
	/* a missing file without CREATE */
	assert_int_equal(trustdb_open("/nonexistent/x.db", 0, 0, &db2, reason),
	    TRUSTDB_E_OPEN);
	assert_non_null(strstr(reason, "/nonexistent/x.db"));
	/* net: none, set, same again, different refused */
	assert_int_equal(trustdb_net_get(db, net, &has, reason), TRUSTDB_OK);
	assert_false(has);
	assert_int_equal(trustdb_net_set(db, "Bad Net", reason), TRUSTDB_E_INVALID_ARG);
	assert_int_equal(trustdb_net_set(db, "example", reason), TRUSTDB_OK);
	assert_int_equal(trustdb_net_set(db, "example", reason), TRUSTDB_OK);
	assert_int_equal(trustdb_net_set(db, "other", reason), TRUSTDB_E_WRONG_NET);
	assert_int_equal(trustdb_net_get(db, net, &has, reason), TRUSTDB_OK);
	assert_true(has);
	assert_string_equal(net, "example");
	tt_cleanup(db);
}

static void
newer_version_refused(void **state)
{
	char reason[TRUSTDB_REASON_MAX], path[128];
	struct trustdb *db = tt_db(), *db2 = NULL;

	(void)state;
	snprintf(path, sizeof(path), "%s", tt_db_path());
	sql_exec(path, "PRAGMA user_version = 99");
	assert_int_equal(trustdb_open(path, 0, 0, &db2, reason), TRUSTDB_E_VERSION);
	assert_non_null(strstr(reason, "99"));
	assert_null(db2);
	tt_cleanup(db);
}

static void
older_version_migrated(void **state)
{
	char reason[TRUSTDB_REASON_MAX], path[128];
	struct trustdb *db = tt_db(), *db2 = NULL;

	(void)state;
	snprintf(path, sizeof(path), "%s", tt_db_path());
	/* a version 1 file: the tables, without the indexes of version 2
	 * and the pins' names of version 3 */
	tt_pin(db, ra, NULL);
	sql_exec(path, "DROP INDEX events_subject; DROP INDEX events_key; "
	    "DROP INDEX pins_name; ALTER TABLE pins DROP COLUMN name; "
	    "PRAGMA user_version = 1");
	assert_int_equal(trustdb_open(path, 0, 0, &db2, reason), TRUSTDB_OK);
	assert_int_equal(trustdb_schema_version(db2), TRUSTDB_SCHEMA_VERSION);
	assert_int_equal(count(path, "pins"), 1);
	trustdb_close(db2);
	tt_cleanup(db);
}

/* The schema of version 2 as released (trustdb/db.c migrations 0 and 1). */
static const char v2_schema[] =
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE keys (id TEXT PRIMARY KEY, pk BLOB NOT NULL CHECK "
    "(length(pk) = 32), name TEXT);"
    "CREATE TABLE pins (operator TEXT PRIMARY KEY REFERENCES keys(id),"
    " zones TEXT NOT NULL DEFAULT '', created INTEGER NOT NULL);"
    "CREATE TABLE events (id TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK "
    "(kind IN ('vouch','unvouch','key_cert','key_revoke')), net TEXT NOT NULL,"
    " origin TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL,"
    " ts INTEGER NOT NULL, exp INTEGER, subject TEXT NOT NULL, zones TEXT,"
    " affiliation TEXT, not_before INTEGER, not_after INTEGER,"
    " envelope BLOB NOT NULL, imported INTEGER NOT NULL);"
    "CREATE INDEX events_subject ON events(subject);"
    "CREATE INDEX events_key ON events(key);"
    "PRAGMA user_version = 2;";

/* A version 2 file (pins without names) opens, migrates to 3, keeps its
 * pins unnamed, and then takes unique local names. */
static void
v2_pins_get_names(void **state)
{
	char reason[TRUSTDB_REASON_MAX], path[] = "/tmp/ntarelay-v2-XXXXXX";
	char hex[KEY_ID_HEX_LEN + 1], pkhex[2 * KEY_PUBLIC_LEN + 1], sql[400];
	struct trustdb *db = NULL;
	struct trust_records *r = NULL;
	const struct key_public *pa = key_secret_public(ra);
	const struct key_public *pb = key_secret_public(rb);
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	sql_exec(path, v2_schema);
	encoding_hex_encode(pa->id, KEY_ID_LEN, hex);
	snprintf(sql, sizeof(sql), "INSERT INTO keys VALUES ('%s', x'%s', "
	    "'root-a'); INSERT INTO pins VALUES ('%s', '', 1)", hex,
	    encoding_hex_encode(pa->pk, KEY_PUBLIC_LEN, pkhex), hex);
	sql_exec(path, sql);
	assert_int_equal(trustdb_open(path, 0, 0, &db, reason), TRUSTDB_OK);
	assert_int_equal(trustdb_schema_version(db), 3);
	assert_int_equal(trustdb_load(db, &r, reason), TRUSTDB_OK);
	assert_int_equal(r->npins, 1);
	assert_string_equal(r->pins[0].name, "");
	trust_records_free(r);
	r = NULL;
	/* names: syntax, set, rename, unique, not pinned */
	assert_int_equal(trustdb_pin_name(db, pa->id, "ISP", reason),
	    TRUSTDB_E_INVALID_ARG);
	assert_int_equal(trustdb_pin_name(db, pa->id, "deadbeef", reason),
	    TRUSTDB_E_INVALID_ARG);
	assert_int_equal(trustdb_pin_name(db, pa->id, "isp-a", reason), TRUSTDB_OK);
	assert_int_equal(trustdb_pin_name(db, pa->id, "isp-a", reason), TRUSTDB_OK);
	assert_int_equal(trustdb_pin_name(db, pb->id, "isp-b", reason),
	    TRUSTDB_E_NOT_FOUND);
	tt_pin(db, rb, NULL);
	assert_int_equal(trustdb_pin_name(db, pb->id, "isp-a", reason),
	    TRUSTDB_E_INVALID_ARG);
	assert_non_null(strstr(reason, hex));
	assert_int_equal(trustdb_pin_name(db, pb->id, "isp-b", reason), TRUSTDB_OK);
	assert_int_equal(trustdb_load(db, &r, reason), TRUSTDB_OK);
	assert_non_null(trust_records_pin_named(r, "isp-b"));
	assert_memory_equal(trust_records_pin_named(r, "isp-a")->op, pa->id,
	    KEY_ID_LEN);
	trust_records_free(r);
	/* the index answers the names; a log label marks the hint */
	{
		struct trust_params tp = { 2, NULL, 0 };
		struct trust_index *idx = NULL;
		const char *local, *declared;
		char label[TRUST_OP_LABEL_MAX];

		assert_int_equal(trust_index_build_from_db(db, &tp, NOW, &idx,
		    reason), TRUSTDB_OK);
		assert_true(trust_index_op_names(idx, pb->id, &local, &declared));
		assert_string_equal(local, "isp-b");
		assert_string_equal(declared, "root-b");
		assert_non_null(strstr(trust_index_op_label(idx, pb->id, label),
		    " (isp-b)"));
		assert_int_equal(trustdb_pin_name(db, pb->id, NULL, reason), TRUSTDB_OK);
		trust_index_free(idx);
		assert_int_equal(trust_index_build_from_db(db, &tp, NOW, &idx,
		    reason), TRUSTDB_OK);
		assert_true(trust_index_op_names(idx, pb->id, &local, &declared));
		assert_null(local);
		assert_string_equal(trust_index_op_label(idx, pb->id, label) +
		    KEY_ID_HEX_LEN, " ~root-b?");
		assert_false(trust_index_op_names(idx, pb->pk, &local, &declared));
		trust_index_free(idx);
		assert_int_equal(trustdb_pin_name(db, pb->id, "isp-b", reason), TRUSTDB_OK);
	}
	/* the unique index holds even for a writer that skips the check */
	assert_int_equal(trustdb_exec(db, "UPDATE pins SET name = 'isp-a'",
	    reason), TRUSTDB_E_SQL);
	trustdb_close(db);
	unlink(path);
	snprintf(sql, sizeof(sql), "%s-wal", path);
	unlink(sql);
	snprintf(sql, sizeof(sql), "%s-shm", path);
	unlink(sql);
}

static void
corrupt_file(void **state)
{
	char reason[TRUSTDB_REASON_MAX], path[128];
	struct trustdb *db = tt_db(), *db2 = NULL;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s.bad", tt_db_path());
	assert_non_null(f = fopen(path, "w"));
	for (int i = 0; i < 400; i++)
		fputs("this is not a database, only garbage. ", f);
	fclose(f);
	assert_int_equal(trustdb_open(path, 0, 0, &db2, reason), TRUSTDB_E_CORRUPT);
	assert_non_null(strstr(reason, path));
	assert_null(db2);
	tt_cleanup(db);
}

static void
import_verifies_first(void **state)
{
	char reason[TRUSTDB_REASON_MAX];
	struct trustdb *db = tt_db();
	struct trustdb_import_stats st;
	const char *path = tt_db_path();
	char *env, *two, *bad;
	size_t n;

	(void)state;
	/* unknown signer: nothing stored */
	assert_int_equal(tt_try_import(db, tt_vouch(ra, rb, NULL, NULL, TS, EXP), NOW),
	    TRUSTDB_E_UNKNOWN_SIGNER);
	assert_int_equal(count(path, "events"), 0);
	tt_pin(db, ra, NULL);
	/* wrong kind */
	assert_int_equal(tt_try_import(db, tt_sign(tu_assessment(ra, ra), ra), NOW),
	    TRUSTDB_E_WRONG_KIND);
	/* expired; in the future */
	assert_int_equal(tt_try_import(db, tt_vouch(ra, rb, NULL, NULL, TS, NOW), NOW),
	    TRUSTDB_E_EXPIRED);
	assert_int_equal(tt_try_import(db, tt_vouch(ra, rb, NULL, NULL, NOW + 3600,
	    NOW + 7200), NOW), TRUSTDB_E_FUTURE);
	/* bad signature: flip one character of the signature */
	env = tt_vouch(ra, rb, NULL, NULL, TS, EXP);
	bad = strdup(env);
	n = strlen(bad);
	bad[n - 10] = bad[n - 10] == 'A' ? 'B' : 'A';
	assert_int_equal(trustdb_import(db, bad, n, NOW, &st, reason),
	    TRUSTDB_E_BAD_SIGNATURE);
	free(bad);
	/* garbage */
	assert_int_equal(trustdb_import(db, "{\"x\":1}", 7, NOW, &st, reason),
	    TRUSTDB_E_REJECTED);
	assert_int_equal(count(path, "events"), 0);
	/* good, then the same again: a no-op */
	assert_int_equal(trustdb_import(db, env, strlen(env), NOW, &st, reason), TRUSTDB_OK);
	assert_int_equal(st.imported, 1);
	assert_int_equal(trustdb_import(db, env, strlen(env), NOW, &st, reason), TRUSTDB_OK);
	assert_int_equal(st.imported, 0);
	assert_int_equal(st.duplicates, 1);
	assert_int_equal(count(path, "events"), 1);
	assert_int_equal(count(path, "keys"), 2);    /* a pinned, b introduced */
	/* a batch with a bad second line stores nothing */
	free(env);
	env = tt_vouch(ra, rc, NULL, NULL, TS, EXP);
	assert_non_null(two = malloc(strlen(env) * 2 + 16));
	sprintf(two, "%s\n\n{\"not\":\"an envelope\"}\n", env);
	assert_int_equal(trustdb_import(db, two, strlen(two), NOW, &st, reason),
	    TRUSTDB_E_REJECTED);
	assert_int_equal(st.line, 3);
	assert_non_null(strstr(reason, "line 3"));
	assert_int_equal(count(path, "events"), 1);
	/* the federation name was fixed by the first import */
	free(two);
	free(env);
	{
		json_t *o = tu_header("unvouch", ra, ra, 1, NULL, TS, EXP);
		json_object_set_new(o, "net", json_string("other"));
		json_object_set_new(o, "subject", json_string(tu_id(rb)));
		assert_int_equal(tt_try_import(db, tt_sign(o, ra), NOW),
		    TRUSTDB_E_WRONG_NET);
	}
	tt_cleanup(db);
}

static int
collect(void *ctx, const char *env, size_t len)
{
	char **buf = ctx;
	size_t old = *buf ? strlen(*buf) : 0;
	char *nb = realloc(*buf, old + len + 2);

	if (nb == NULL)
		return -1;
	memcpy(nb + old, env, len);
	nb[old + len] = '\n';
	nb[old + len + 1] = '\0';
	*buf = nb;
	return 0;
}

static void
export_import_round_trip(void **state)
{
	char reason[TRUSTDB_REASON_MAX], path2[160];
	struct trustdb *db = tt_db(), *db2 = NULL;
	struct key_secret *relay = tu_key("relay-c", 0);
	struct trustdb_import_stats st;
	char *all = NULL;

	(void)state;
	tt_pin(db, ra, NULL);
	/* order matters: the vouch introduces c, whose cert follows */
	tt_import(db, tt_vouch(ra, rc, "de.", "acme", TS, EXP), NOW);
	tt_import(db, tt_cert(rc, relay, NOW - 10, NOW + KIND_DAY, TS), NOW);
	tt_import(db, tt_revoke(relay, rc, relay, NOW), NOW);
	assert_int_equal(trustdb_export(db, collect, &all, reason), TRUSTDB_OK);
	snprintf(path2, sizeof(path2), "%s.copy", tt_db_path());
	assert_int_equal(trustdb_open(path2, TRUSTDB_OPEN_CREATE, 0, &db2, reason),
	    TRUSTDB_OK);
	tt_pin(db2, ra, NULL);
	assert_int_equal(trustdb_import(db2, all, strlen(all), NOW, &st, reason),
	    TRUSTDB_OK);
	assert_int_equal(st.imported, 3);
	trustdb_close(db2);
	assert_int_equal(count(path2, "events"), 3);
	free(all);
	key_secret_free(relay);
	tt_cleanup(db);
}

static void
locked_database(void **state)
{
	char reason[TRUSTDB_REASON_MAX];
	struct trustdb *db = tt_db(), *db2 = NULL;
	const char *zones[1] = { "de." };
	sqlite3 *s;

	(void)state;
	tt_pin(db, ra, NULL);
	trustdb_close(db);
	assert_int_equal(trustdb_open(tt_db_path(), 0, 100, &db2, reason), TRUSTDB_OK);
	assert_int_equal(sqlite3_open(tt_db_path(), &s), SQLITE_OK);
	assert_int_equal(sqlite3_exec(s, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(trustdb_pin(db2, key_secret_public(rb), zones, 1, NOW, reason),
	    TRUSTDB_E_LOCKED);
	assert_non_null(strstr(reason, "locked"));
	assert_int_equal(trustdb_import(db2, "x", 1, NOW, NULL, reason), TRUSTDB_E_LOCKED);
	sqlite3_exec(s, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(s);
	assert_int_equal(count(tt_db_path(), "pins"), 1);
	tt_cleanup(db2);
}

/*
 * Two processes: the child writes (pins, imports) while the parent keeps
 * loading the database and looking keys up. Neither may see an error.
 */
static void
two_processes(void **state)
{
	char reason[TRUSTDB_REASON_MAX];
	struct trustdb *db = tt_db();
	struct key_secret *relays[40];
	int status, rounds = 0;
	pid_t pid;

	(void)state;
	tt_pin(db, ra, NULL);
	for (int i = 0; i < 40; i++) {
		char label[32];
		snprintf(label, sizeof(label), "relay-conc-%d", i);
		relays[i] = tu_key(label, 0);
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct trustdb *w = NULL;
		int code = 0;
		if (trustdb_open(tt_db_path(), 0, 0, &w, reason) != TRUSTDB_OK)
			_exit(10);
		for (int i = 0; i < 40 && code == 0; i++) {
			char *env = tt_cert(ra, relays[i], NOW - 10, NOW + KIND_DAY, TS);
			if (trustdb_import(w, env, strlen(env), NOW, NULL, reason) != TRUSTDB_OK)
				code = 11;
			free(env);
			if (trustdb_pin(w, key_secret_public(i % 2 ? rb : rc), NULL, 0,
			    NOW, reason) != TRUSTDB_OK)
				code = 12;
		}
		trustdb_close(w);
		_exit(code);
	}
	for (;;) {
		struct trust_index *idx = NULL;
		struct trust_answer a;
		pid_t done = waitpid(pid, &status, WNOHANG);
		if (trust_index_build_from_db(db, NULL, NOW, &idx, reason) != TRUSTDB_OK)
			fail_msg("reader: %s", reason);
		assert_true(trust_index_lookup(idx, key_secret_public(ra)->id, NULL, NOW, &a));
		trust_index_free(idx);
		rounds++;
		if (done == pid)
			break;
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(count(tt_db_path(), "events"), 40);
	assert_true(rounds > 0);
	for (int i = 0; i < 40; i++)
		key_secret_free(relays[i]);
	tt_cleanup(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(schema_and_wal),
		cmocka_unit_test(newer_version_refused),
		cmocka_unit_test(older_version_migrated),
		cmocka_unit_test(v2_pins_get_names),
		cmocka_unit_test(corrupt_file),
		cmocka_unit_test(import_verifies_first),
		cmocka_unit_test(export_import_round_trip),
		cmocka_unit_test(locked_database),
		cmocka_unit_test(two_processes),
	};
	return cmocka_run_group_tests_name("trustdb_db", tests, setup, teardown);
}
