/*
 * trustdb/names.c — local names of pins, relay keys offered as roots
 * (trustdb/names.h).
 */
#include <stdio.h>
#include <string.h>

#include "proto/encoding.h"
#include "trustdb/names.h"

bool
trust_local_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0, hex = 0;

	if (n < 1 || n > TRUST_LOCAL_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return false;
		hex += (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
	}
	/* "a1b2c3d4" would be taken for an operator id */
	return !(n >= 8 && hex == n);
}

const struct trust_pin *
trust_records_pin_named(const struct trust_records *r, const char *name)
{
	if (name == NULL || *name == '\0')
		return NULL;
	for (size_t i = 0; i < r->npins; i++)
		if (strcmp(r->pins[i].name, name) == 0)
			return &r->pins[i];
	return NULL;
}

const struct trust_stmt *
trust_records_relay_cert(const struct trust_records *r,
    const unsigned char key[KEY_ID_LEN])
{
	const struct trust_stmt *found = NULL;

	for (size_t i = 0; i < r->nstmts; i++) {
		const struct trust_stmt *s = &r->stmts[i];
		if (s->kind != KIND_KEY_CERT ||
		    memcmp(s->subject, key, KEY_ID_LEN) != 0 ||
		    memcmp(s->origin, key, KEY_ID_LEN) == 0)
			continue;
		if (found == NULL || s->ts >= found->ts)
			found = s;
	}
	return found;
}

/* The operator (hex) of the pin holding name other than op, "" if none. */
static enum trustdb_err
name_holder(struct trustdb *db, const char *name, const char *ophex,
    char holder[KEY_ID_HEX_LEN + 1], char *reason)
{
	sqlite3_stmt *st = NULL;
	int rc;

	holder[0] = '\0';
	rc = sqlite3_prepare_v2(trustdb_sqlite(db), "SELECT operator FROM pins "
	    "WHERE name = ?1 AND operator != ?2", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, ophex, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			snprintf(holder, KEY_ID_HEX_LEN + 1, "%s",
			    (const char *)sqlite3_column_text(st, 0));
			rc = SQLITE_OK;
		} else if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return trustdb_sql_fail(db, rc, "reading the pins' names", reason);
	return TRUSTDB_OK;
}

enum trustdb_err
trustdb_pin_name(struct trustdb *db, const unsigned char op[KEY_ID_LEN],
    const char *name, char *reason)
{
	char ophex[KEY_ID_HEX_LEN + 1], holder[KEY_ID_HEX_LEN + 1];
	sqlite3_stmt *st = NULL;
	enum trustdb_err e;
	int rc;

	if (name != NULL && *name == '\0')
		name = NULL;
	if (name != NULL && !trust_local_name_valid(name))
		return trustdb_fail(reason, TRUSTDB_E_INVALID_ARG,
		    "local name '%.40s': use 1-32 of a-z 0-9 . _ -, starting with "
		    "a letter or a digit (not an id: not 8 or more hex digits "
		    "alone)", name);
	encoding_hex_encode(op, KEY_ID_LEN, ophex);
	if ((e = trustdb_exec(db, "BEGIN IMMEDIATE", reason)) != TRUSTDB_OK)
		return e;
	if (name != NULL) {
		if ((e = name_holder(db, name, ophex, holder, reason)) != TRUSTDB_OK)
			goto out;
		if (holder[0]) {
			e = trustdb_fail(reason, TRUSTDB_E_INVALID_ARG,
			    "local name '%s' is taken: operator %s holds it "
			    "(rename or unpin that one first)", name, holder);
			goto out;
		}
	}
	rc = sqlite3_prepare_v2(trustdb_sqlite(db),
	    "UPDATE pins SET name = ?1 WHERE operator = ?2", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		if (name != NULL)
			sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, ophex, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK :
		    sqlite3_errcode(trustdb_sqlite(db));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK) {
		e = trustdb_sql_fail(db, rc, "storing the local name", reason);
		goto out;
	}
	if (sqlite3_changes(trustdb_sqlite(db)) == 0) {
		e = trustdb_fail(reason, TRUSTDB_E_NOT_FOUND,
		    "operator %s is not pinned (pin its root key first)", ophex);
		goto out;
	}
	e = trustdb_exec(db, "COMMIT", reason);
out:
	if (e != TRUSTDB_OK)
		trustdb_rollback(db);
	return e;
}
