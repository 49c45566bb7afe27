/*
 * relay/store/store_disclose.c — the store's answers to the NTA
 * disclosure (see store_disclose.h).
 */
#include <sqlite3.h>

#include "proto/kind.h"
#include "relay/store/store_disclose.h"
#include "relay/store/store_int.h"

long
store_incident_zones_since(struct store *s, long long since, long limit,
    void (*cb)(void *arg, const char *zone), void *arg, char *err)
{
	sqlite3_stmt *st;
	long n = 0;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT DISTINCT zone FROM incidents WHERE "
	    "closed IS NULL OR closed = 0 OR closed >= ?1 ORDER BY zone LIMIT ?2", -1, &st,
	    NULL) != SQLITE_OK)
		return store_fail(s, err, "reading incidents");
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cb(arg, (const char *)sqlite3_column_text(st, 0));
		n++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? n : store_fail(s, err, "reading incidents");
}

long
store_decisions_since(struct store *s, const char *zone,
    const unsigned char origin[KEY_ID_LEN], long long since, long limit,
    store_raw_cb cb, void *arg, char *err)
{
	sqlite3_stmt *st;
	long n = 0;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT envelope FROM events WHERE "
	    "zone = ?1 AND kind = ?2 AND origin = ?3 AND ts >= ?4 "
	    "ORDER BY ts, seq LIMIT ?5", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, err, "reading decisions");
	sqlite3_bind_text(st, 1, zone, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, KIND_DECISION);
	sqlite3_bind_blob(st, 3, origin, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, since);
	sqlite3_bind_int64(st, 5, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cb(arg, sqlite3_column_blob(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0));
		n++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? n : store_fail(s, err, "reading decisions");
}
