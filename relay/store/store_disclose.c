/*
 * relay/store/store_disclose.c — the store's answers to the NTA
 * disclosure (see store_disclose.h).
 */
#include <sqlite3.h>

#include "proto/kind.h"
#include "relay/store/store_disclose.h"
#include "relay/store/store_int.h"

long
store_decisions_since(struct store *s, const unsigned char origin[KEY_ID_LEN],
    long long since, long limit, store_raw_cb cb, void *arg, char *err)
{
	sqlite3_stmt *st;
	long n = 0;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT envelope FROM events WHERE "
	    "kind = ?1 AND origin = ?2 AND ts >= ?3 ORDER BY ts, seq LIMIT ?4",
	    -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, err, "reading decisions");
	sqlite3_bind_int(st, 1, KIND_DECISION);
	sqlite3_bind_blob(st, 2, origin, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, since);
	sqlite3_bind_int64(st, 4, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cb(arg, sqlite3_column_blob(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0));
		n++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? n : store_fail(s, err, "reading decisions");
}
