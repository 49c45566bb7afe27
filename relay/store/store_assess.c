/*
 * relay/store/store_assess.c — the store's answers for assessment renewal
 * (relay/quorum/renew.c): the live assessments one key signed, and whether
 * a newer assessment of the same origin exists for a zone. See
 * relay/store/store_zone.h. The kind is bound as KIND_ASSESSMENT, never
 * written into the SQL.
 */
#include <sqlite3.h>

#include "relay/store/store_int.h"
#include "relay/store/store_zone.h"

long
store_assessments_of_key(struct store *s, const unsigned char key[KEY_ID_LEN],
    const char *zone, long long now, store_raw_cb cb, void *arg, char *err)
{
	sqlite3_stmt *st;
	long n = 0;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT envelope FROM events WHERE "
	    "kind = ?1 AND key = ?2 AND exp > ?3 AND (?4 IS NULL OR zone = ?4) "
	    "ORDER BY ts DESC, seq DESC", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, err, "reading own assessments");
	sqlite3_bind_int(st, 1, (int)KIND_ASSESSMENT);
	sqlite3_bind_blob(st, 2, key, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	if (zone != NULL)
		sqlite3_bind_text(st, 4, zone, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cb(arg, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
		n++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? n : store_fail(s, err, "reading own assessments");
}

bool
store_assessment_superseded(struct store *s, const struct event *ev)
{
	sqlite3_stmt *st;
	bool newer;

	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM events WHERE kind = ?6 AND "
	    "zone = ?1 AND origin = ?2 AND (ts > ?3 OR (ts = ?3 AND key = ?4 AND "
	    "seq > ?5)) LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return true;       /* in doubt, do not sign */
	sqlite3_bind_text(st, 1, ev->zone, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, ev->origin, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, ev->ts);
	sqlite3_bind_blob(st, 4, ev->key, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, ev->seq);
	sqlite3_bind_int(st, 6, (int)KIND_ASSESSMENT);
	newer = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return newer;
}
