/*
 * relay/store/store_outbox.c — the per-link outboxes (an event leaves a
 * link's outbox only when the broker acknowledged it), the links' stable
 * ids, and the listings the HTTP API builds its documents from (events
 * newest first, the keys' chain bookkeeping). See store.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "relay/store/store.h"
#include "relay/store/store_int.h"
#include "relay/store/store_zone.h"

int
store_link_id(struct store *s, const char *url, int *id, char *err)
{
	sqlite3_stmt *st = store_q(s, Q_LINK_GET);

	sqlite3_bind_text(st, 1, url, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*id = sqlite3_column_int(st, 0);
		return 0;
	}
	st = store_q(s, Q_LINK_ADD);
	sqlite3_bind_text(st, 1, url, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, err, "adding a link");
	*id = (int)sqlite3_last_insert_rowid(s->db);
	return 0;
}

/* An outbox item from a row of "rowid, id, origin, key, kind, zone, ts,
 * exp, envelope"; the pointers live until the next step. */
static void
row_item(sqlite3_stmt *st, struct store_outbox_item *it)
{
	memset(it, 0, sizeof(*it));
	it->row = sqlite3_column_int64(st, 0);
	memcpy(it->id, sqlite3_column_blob(st, 1), KEY_ID_LEN);
	memcpy(it->origin, sqlite3_column_blob(st, 2), KEY_ID_LEN);
	memcpy(it->key, sqlite3_column_blob(st, 3), KEY_ID_LEN);
	it->kind = (enum kind)sqlite3_column_int(st, 4);
	it->zone = sqlite3_column_type(st, 5) == SQLITE_TEXT ?
	    (const char *)sqlite3_column_text(st, 5) : "";
	it->ts = sqlite3_column_int64(st, 6);
	it->exp = sqlite3_column_int64(st, 7);
	it->raw = sqlite3_column_blob(st, 8);
	it->rawlen = (size_t)sqlite3_column_bytes(st, 8);
}

long
store_outbox_each(struct store *s, int link, long limit, store_outbox_cb cb,
    void *arg, char *err)
{
	sqlite3_stmt *st;
	struct store_outbox_item it;
	long n = 0;
	int rc;

	/* A separate statement: the callback may use the cached ones. */
	if (sqlite3_prepare_v2(s->db, store_sql_text[Q_OUTBOX_EACH], -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, err, "reading an outbox");
	sqlite3_bind_int(st, 1, link);
	sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_item(st, &it);
		cb(arg, &it);
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, err, "reading an outbox");
	return n;
}

long
store_range_each(struct store *s, const unsigned char key[KEY_ID_LEN],
    long long from, long long to, store_outbox_cb cb, void *arg, char *err)
{
	sqlite3_stmt *st;
	struct store_outbox_item it;
	long n = 0;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT rowid, id, origin, key, kind, zone, ts, "
	    "exp, envelope FROM events WHERE key = ?1 AND seq BETWEEN ?2 AND ?3 "
	    "ORDER BY seq", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, err, "reading a range");
	sqlite3_bind_blob(st, 1, key, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_item(st, &it);
		cb(arg, &it);
		n++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? n : store_fail(s, err, "reading a range");
}

int
store_outbox_ack(struct store *s, int link, long long row, char *err)
{
	sqlite3_stmt *st = store_q(s, Q_OUTBOX_ACK);

	sqlite3_bind_int(st, 1, link);
	sqlite3_bind_int64(st, 2, row);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : store_fail(s, err, "acknowledging");
}

long
store_outbox_depth(struct store *s, int link)
{
	sqlite3_stmt *st = store_q(s, Q_OUTBOX_DEPTH);

	sqlite3_bind_int(st, 1, link);
	return sqlite3_step(st) == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : -1;
}

int
store_events_each(struct store *s, const struct store_events_filter *f,
    store_event_cb cb, void *arg, char *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db,
	    "SELECT id, kind, origin, key, seq, zone, ts, exp, received_at, link, "
	    "envelope FROM events WHERE (?1 IS NULL OR zone = ?1) AND "
	    "(?2 < 0 OR kind = ?2) AND received_at >= ?3 "
	    "ORDER BY received_at DESC, rowid DESC LIMIT ?4", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, err, "listing events");
	if (f->zone && f->zone[0])
		sqlite3_bind_text(st, 1, f->zone, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, f->kind);
	sqlite3_bind_int64(st, 3, f->since);
	sqlite3_bind_int(st, 4, f->limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_event_row row;

		memset(&row, 0, sizeof(row));
		if (sqlite3_column_bytes(st, 0) != KEY_ID_LEN ||
		    sqlite3_column_bytes(st, 2) != KEY_ID_LEN ||
		    sqlite3_column_bytes(st, 3) != KEY_ID_LEN)
			continue;   /* the schema says they are ids */
		memcpy(row.id, sqlite3_column_blob(st, 0), KEY_ID_LEN);
		row.kind = (enum kind)sqlite3_column_int(st, 1);
		memcpy(row.origin, sqlite3_column_blob(st, 2), KEY_ID_LEN);
		memcpy(row.key, sqlite3_column_blob(st, 3), KEY_ID_LEN);
		row.seq = sqlite3_column_int64(st, 4);
		row.zone = sqlite3_column_type(st, 5) == SQLITE_TEXT ?
		    (const char *)sqlite3_column_text(st, 5) : NULL;
		row.ts = sqlite3_column_int64(st, 6);
		row.has_exp = sqlite3_column_type(st, 7) != SQLITE_NULL;
		row.exp = sqlite3_column_int64(st, 7);
		row.received_at = sqlite3_column_int64(st, 8);
		row.link = sqlite3_column_int(st, 9);
		row.raw = sqlite3_column_blob(st, 10);
		row.rawlen = (size_t)sqlite3_column_bytes(st, 10);
		if (cb(arg, &row) != 0) {
			sqlite3_finalize(st);
			snprintf(err, STORE_ERR_MAX, "store: listing events: stopped");
			return -1;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, err, "listing events");
}

int
store_keys_each(struct store *s, store_key_cb cb, void *arg, char *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT key, origin, head_seq, "
	    "head_id, last_heartbeat, flags FROM chains", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, err, "listing keys");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_key_row row;

		memset(&row, 0, sizeof(row));
		if (sqlite3_column_bytes(st, 0) != KEY_ID_LEN)
			continue;
		memcpy(row.key, sqlite3_column_blob(st, 0), KEY_ID_LEN);
		row.has_origin = sqlite3_column_bytes(st, 1) == KEY_ID_LEN;
		if (row.has_origin)
			memcpy(row.origin, sqlite3_column_blob(st, 1), KEY_ID_LEN);
		row.head_seq = sqlite3_column_int64(st, 2);
		row.has_head_id = sqlite3_column_bytes(st, 3) == KEY_ID_LEN;
		if (row.has_head_id)
			memcpy(row.head_id, sqlite3_column_blob(st, 3), KEY_ID_LEN);
		row.has_heartbeat = sqlite3_column_type(st, 4) != SQLITE_NULL;
		row.last_heartbeat = sqlite3_column_int64(st, 4);
		row.flags = sqlite3_column_int(st, 5);
		cb(arg, &row);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, err, "listing keys");
}
