/*
 * relay/store/store_zone.c — views, withdrawals and incidents (store_zone.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "proto/encoding.h"
#include "proto/envelope.h"
#include "proto/event.h"
#include "relay/store/store_int.h"
#include "relay/store/store_zone.h"

/* Schema version 2: what a version 1 store gains (relay/store/store.c runs it
 * on a new store too, after version 1's tables). */
const char store_zone_schema[] =
    "ALTER TABLE events ADD COLUMN obs_state INTEGER;"
    "ALTER TABLE events ADD COLUMN fp BLOB;"
    "CREATE TABLE views ("
    " zone TEXT NOT NULL, key BLOB NOT NULL, origin BLOB NOT NULL,"
    " id BLOB NOT NULL, seq INTEGER NOT NULL, ts INTEGER NOT NULL,"
    " exp INTEGER NOT NULL, state INTEGER NOT NULL,"
    " fp BLOB, dnskey BLOB, ds BLOB,"
    " run_start INTEGER, fail_start INTEGER,"
    " prev_run_start INTEGER, prev_run_end INTEGER,"
    " PRIMARY KEY (zone, key));"
    "CREATE INDEX views_origin ON views (origin, zone);"
    "CREATE TABLE withdrawals ("
    " target BLOB NOT NULL, origin BLOB NOT NULL, id BLOB NOT NULL,"
    " exp INTEGER NOT NULL, PRIMARY KEY (target, origin));"
    "CREATE TABLE incidents ("
    " id TEXT PRIMARY KEY, zone TEXT NOT NULL, opened INTEGER NOT NULL,"
    " closed INTEGER, outcome TEXT, held INTEGER NOT NULL DEFAULT 0,"
    " held_since INTEGER, recovering_since INTEGER,"
    " relapses INTEGER NOT NULL DEFAULT 0, lead BLOB,"
    " fps TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX incidents_zone ON incidents (zone, closed, opened);"
    "CREATE INDEX chains_origin ON chains (origin);"
    "CREATE INDEX events_quota ON events (zone, origin, kind, exp);";

static const char *const zsql[ZQ__COUNT] = {
	[ZQ_VIEW_GET] = "SELECT seq, exp, run_start, fail_start, prev_run_start, "
	    "prev_run_end FROM views WHERE zone = ?1 AND key = ?2",
	[ZQ_VIEW_PUT] = "INSERT INTO views (zone, key, origin, id, seq, ts, exp, "
	    "state, fp, dnskey, ds, run_start, fail_start, prev_run_start, "
	    "prev_run_end) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
	    "?12, ?13, ?14, ?15) ON CONFLICT(zone, key) DO UPDATE SET origin = ?3, "
	    "id = ?4, seq = ?5, ts = ?6, exp = ?7, state = ?8, fp = ?9, "
	    "dnskey = ?10, ds = ?11, run_start = ?12, fail_start = ?13, "
	    "prev_run_start = ?14, prev_run_end = ?15",
	[ZQ_VIEWS] = "SELECT id, key, origin, seq, ts, exp, state, fp, dnskey, ds, "
	    "run_start, fail_start, prev_run_start, prev_run_end FROM views "
	    "WHERE zone = ?1 AND exp > ?2 ORDER BY key",
	[ZQ_WORDS] = "SELECT envelope FROM (SELECT envelope, origin, kind, "
	    "ROW_NUMBER() OVER (PARTITION BY origin, kind ORDER BY ts DESC, "
	    "seq DESC, id DESC) AS n FROM events WHERE zone = ?1 AND kind IN "
	    "(?3, ?4) AND exp > ?2) WHERE n = 1 ORDER BY origin, kind",
	[ZQ_WD_PUT] = "INSERT OR IGNORE INTO withdrawals (target, origin, id, exp) "
	    "VALUES (?1, ?2, ?3, ?4)",
	[ZQ_WD_HAS] = "SELECT 1 FROM withdrawals WHERE target = ?1 AND origin = ?2",
	[ZQ_FLAGGED] = "SELECT 1 FROM chains WHERE origin = ?1 AND flags & ?2 "
	    "LIMIT 1",
	[ZQ_QUOTA_KEYS] = "SELECT count(*) FROM views WHERE zone = ?1 AND "
	    "origin = ?2 AND key != ?3 AND exp > ?4",
	[ZQ_QUOTA_EVENTS] = "SELECT count(*) FROM (SELECT 1 FROM events WHERE "
	    "zone = ?1 AND origin = ?2 AND kind IN (?3, ?4, ?5) AND exp > ?6 "
	    "LIMIT ?7)",
	[ZQ_OBS] = "SELECT zone, origin, ts, obs_state, fp FROM events WHERE "
	    "id = ?1 AND kind = ?2",
	[ZQ_INC_PUT] = "INSERT INTO incidents (id, zone, opened, closed, outcome, "
	    "held, held_since, recovering_since, relapses, lead, fps) VALUES (?1, "
	    "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT(id) DO UPDATE "
	    "SET closed = ?4, outcome = ?5, held = ?6, held_since = ?7, "
	    "recovering_since = ?8, relapses = ?9, lead = ?10, fps = ?11",
	[ZQ_INC_ZONE] = "SELECT id, zone, opened, closed, outcome, held, "
	    "held_since, recovering_since, relapses, lead, fps FROM incidents "
	    "WHERE zone = ?1 AND closed IS NULL ORDER BY opened DESC LIMIT 1",
	[ZQ_INC_LAST] = "SELECT id, zone, opened, closed, outcome, held, "
	    "held_since, recovering_since, relapses, lead, fps FROM incidents "
	    "WHERE zone = ?1 AND closed IS NOT NULL ORDER BY closed DESC, "
	    "opened DESC LIMIT 1",
	[ZQ_INC_RESOLVED] = "SELECT max(closed) FROM incidents WHERE zone = ?1 "
	    "AND outcome = 'resolved'",
	[ZQ_ZONES_LIVE] = "SELECT DISTINCT zone FROM events WHERE kind IN "
	    "(?2, ?3, ?4) AND exp > ?1",
	[ZQ_OBS_INDEX] = "UPDATE events SET obs_state = ?1, fp = ?2 WHERE rowid = ?3",
	[ZQ_ZONE_KEYS] = "SELECT DISTINCT zone FROM views WHERE origin = ?1",
};

sqlite3_stmt *
store_zq(struct store *s, int which)
{
	sqlite3_stmt *st = s->zq[which];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

int
store_zone_prepare(struct store *s, char *err)
{
	for (int i = 0; i < ZQ__COUNT; i++)
		if (sqlite3_prepare_v3(s->db, zsql[i], -1, SQLITE_PREPARE_PERSISTENT,
		    &s->zq[i], NULL) != SQLITE_OK)
			return store_fail(s, err, "preparing the zone statements");
	return 0;
}

void
store_zone_finalize(struct store *s)
{
	for (int i = 0; i < ZQ__COUNT; i++) {
		sqlite3_finalize(s->zq[i]);
		s->zq[i] = NULL;
	}
}

static void
bind_id(sqlite3_stmt *st, int col, const unsigned char *id, bool has)
{
	if (has)
		sqlite3_bind_blob(st, col, id, KEY_ID_LEN, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, col);
}

static bool
col_id(sqlite3_stmt *st, int col, unsigned char out[KEY_ID_LEN])
{
	if (sqlite3_column_bytes(st, col) != KEY_ID_LEN)
		return false;
	memcpy(out, sqlite3_column_blob(st, col), KEY_ID_LEN);
	return true;
}

/* A hex id string field of node obj in ev's payload (NULL, or an id). */
static bool
hex_field(const struct event *ev, int obj, const char *name,
    unsigned char out[KEY_ID_LEN])
{
	int v = obj < 0 ? -1 : pjson_get(&ev->doc, obj, name);

	if (v < 0 || pjson_type(&ev->doc, v) != PJSON_STRING)
		return false;
	return encoding_hex_decode(pjson_str(&ev->doc, v), out, KEY_ID_LEN) == 0;
}

static int
obs_state(const struct event *ev)
{
	const char *st = event_str(ev, "state");

	for (int i = 0; st && kind_obs_states[i]; i++)
		if (strcmp(kind_obs_states[i], st) == 0)
			return i;
	return STORE_OBS_INDETERMINATE;
}

/*
 * An observation arrived: if it is its key's newest for the zone, it is
 * the key's view; the runs go on when the previous view was live until
 * this one was signed and was in the same kind of state.
 */
static int
view_update(struct store *s, const struct event *ev, long long row, char *err)
{
	struct store_view v;
	sqlite3_stmt *st;
	bool has_prev = false;
	long long pseq = 0, pexp = 0, prun = 0, pfail = 0, pps = 0, ppe = 0;
	int ev_node = event_field(ev, "evidence");

	memset(&v, 0, sizeof(v));
	v.state = obs_state(ev);
	v.has_fp = hex_field(ev, 0, "fingerprint", v.fp);
	v.has_dnskey = hex_field(ev, ev_node, "dnskey_digest", v.dnskey);
	v.has_ds = hex_field(ev, ev_node, "ds_digest", v.ds);

	/* the columns every observation carries, for resolving refs */
	st = store_zq(s, ZQ_OBS_INDEX);
	sqlite3_bind_int(st, 1, v.state);
	bind_id(st, 2, v.fp, v.has_fp);
	sqlite3_bind_int64(st, 3, row);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, err, "indexing an observation");

	st = store_zq(s, ZQ_VIEW_GET);
	sqlite3_bind_text(st, 1, ev->zone, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, ev->key, KEY_ID_LEN, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		has_prev = true;
		pseq = sqlite3_column_int64(st, 0);
		pexp = sqlite3_column_int64(st, 1);
		prun = sqlite3_column_int64(st, 2);
		pfail = sqlite3_column_int64(st, 3);
		pps = sqlite3_column_int64(st, 4);
		ppe = sqlite3_column_int64(st, 5);
	}
	if (has_prev && ev->seq <= pseq)
		return 0;   /* an older one, late (backfill): not the view */
	{
		bool cont = has_prev && pexp >= ev->ts;
		if (v.state == STORE_OBS_SECURE || v.state == STORE_OBS_INSECURE)
			v.run_start = cont && prun ? prun : ev->ts;
		if (v.state == STORE_OBS_BOGUS)
			v.fail_start = cont && pfail ? pfail : ev->ts;
		/* the validating run that ends here is remembered: a relay
		 * without the zone's history reads past recoveries from it
		 * (relay/quorum/incident.h, words judged before a recovery) */
		v.prev_run_start = pps;
		v.prev_run_end = ppe;
		if (prun && !(v.run_start && v.run_start == prun)) {
			v.prev_run_start = prun;
			v.prev_run_end = cont ? ev->ts : pexp;
		}
	}
	st = store_zq(s, ZQ_VIEW_PUT);
	sqlite3_bind_text(st, 1, ev->zone, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, ev->key, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, ev->origin, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, ev->id, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, ev->seq);
	sqlite3_bind_int64(st, 6, ev->ts);
	sqlite3_bind_int64(st, 7, ev->exp);
	sqlite3_bind_int(st, 8, v.state);
	bind_id(st, 9, v.fp, v.has_fp);
	bind_id(st, 10, v.dnskey, v.has_dnskey);
	bind_id(st, 11, v.ds, v.has_ds);
	if (v.run_start)
		sqlite3_bind_int64(st, 12, v.run_start);
	if (v.fail_start)
		sqlite3_bind_int64(st, 13, v.fail_start);
	if (v.prev_run_start) {
		sqlite3_bind_int64(st, 14, v.prev_run_start);
		sqlite3_bind_int64(st, 15, v.prev_run_end);
	}
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, err, "updating a view");
	return 0;
}

static int
withdrawal_add(struct store *s, const struct event *ev, char *err)
{
	const char *t = event_str(ev, "target");
	unsigned char target[KEY_ID_LEN];
	sqlite3_stmt *st;

	if (t == NULL || encoding_hex_decode(t, target, KEY_ID_LEN) != 0)
		return 0;
	st = store_zq(s, ZQ_WD_PUT);
	sqlite3_bind_blob(st, 1, target, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, ev->origin, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, ev->id, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, ev->exp);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, err, "recording a withdrawal");
	return 0;
}

int
store_zone_put(struct store *s, const struct event *ev, long long row, char *err)
{
	switch (ev->kind) {
	case KIND_OBSERVATION:
		return view_update(s, ev, row, err);
	case KIND_WITHDRAW:
		return withdrawal_add(s, ev, err);
	default:
		return 0;
	}
}

/* Version 1 -> 2: the new tables, filled from the events held. */
int
store_zone_migrate(struct store *s, char *err)
{
	sqlite3_stmt *st;
	int rc;

	if (store_exec(s, store_zone_schema, err) != 0 ||
	    store_zone_prepare(s, err) != 0)
		return -1;
	if (sqlite3_prepare_v2(s->db, "SELECT rowid, envelope FROM events WHERE "
	    "kind IN (?1, ?2) ORDER BY key, seq", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, err, "migrating to schema 2");
	sqlite3_bind_int(st, 1, KIND_OBSERVATION);
	sqlite3_bind_int(st, 2, KIND_WITHDRAW);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char reason[PROTO_REASON_MAX];
		struct envelope *env = NULL;
		struct event *ev = NULL;
		int bad = 0;

		/* verified when it was accepted */
		if (envelope_parse(sqlite3_column_blob(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1), &env, reason) == PROTO_OK &&
		    event_parse(env, &ev, reason) == PROTO_OK)
			bad = store_zone_put(s, ev, sqlite3_column_int64(st, 0), err);
		event_free(ev);
		envelope_free(env);
		if (bad) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, err, "migrating to schema 2");
	store_zone_finalize(s);   /* store_open prepares them again */
	return 0;
}

/* ------------------------------------------------------------ reading */

long
store_views_each(struct store *s, const char *zone, long long live_after,
    store_view_cb cb, void *arg, char *err)
{
	sqlite3_stmt *st = store_zq(s, ZQ_VIEWS);
	struct store_view v;
	long n = 0;
	int rc;

	sqlite3_bind_text(st, 1, zone, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, live_after);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&v, 0, sizeof(v));
		if (!col_id(st, 0, v.id) || !col_id(st, 1, v.key) ||
		    !col_id(st, 2, v.origin))
			continue;
		v.seq = sqlite3_column_int64(st, 3);
		v.ts = sqlite3_column_int64(st, 4);
		v.exp = sqlite3_column_int64(st, 5);
		v.state = sqlite3_column_int(st, 6);
		v.has_fp = col_id(st, 7, v.fp);
		v.has_dnskey = col_id(st, 8, v.dnskey);
		v.has_ds = col_id(st, 9, v.ds);
		v.run_start = sqlite3_column_int64(st, 10);
		v.fail_start = sqlite3_column_int64(st, 11);
		v.prev_run_start = sqlite3_column_int64(st, 12);
		v.prev_run_end = sqlite3_column_int64(st, 13);
		cb(arg, &v);
		n++;
	}
	if (rc != SQLITE_DONE)
		return store_fail(s, err, "reading views");
	return n;
}

long
store_words_each(struct store *s, const char *zone, long long live_after,
    store_raw_cb cb, void *arg, char *err)
{
	sqlite3_stmt *st;
	bool own = s->words_busy;
	long n = 0;
	int rc;

	/* the cached statement (the engine reads a zone's assessments at every
	 * evaluation); a callback that reads them again gets its own */
	if (own) {
		if (sqlite3_prepare_v2(s->db, zsql[ZQ_WORDS], -1, &st, NULL) != SQLITE_OK)
			return store_fail(s, err, "reading assessments");
	} else {
		st = store_zq(s, ZQ_WORDS);
		s->words_busy = true;
	}
	sqlite3_bind_text(st, 1, zone, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, live_after);
	sqlite3_bind_int(st, 3, KIND_ASSESSMENT);
	sqlite3_bind_int(st, 4, KIND_ZONE_STATEMENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cb(arg, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
		n++;
	}
	if (own) {
		sqlite3_finalize(st);
	} else {
		sqlite3_reset(st);   /* releases its read of the database */
		s->words_busy = false;
	}
	if (rc != SQLITE_DONE)
		return store_fail(s, err, "reading assessments");
	return n;
}

int
store_observation(struct store *s, const unsigned char id[KEY_ID_LEN],
    struct store_obs *out)
{
	sqlite3_stmt *st = store_zq(s, ZQ_OBS);
	int rc;

	sqlite3_bind_blob(st, 1, id, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, KIND_OBSERVATION);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return -1;
	memset(out, 0, sizeof(*out));
	snprintf(out->zone, sizeof(out->zone), "%s",
	    (const char *)sqlite3_column_text(st, 0));
	col_id(st, 1, out->origin);
	out->ts = sqlite3_column_int64(st, 2);
	out->state = sqlite3_column_type(st, 3) == SQLITE_NULL ?
	    STORE_OBS_INDETERMINATE : sqlite3_column_int(st, 3);
	out->has_fp = col_id(st, 4, out->fp);
	return 1;
}

bool
store_withdrawn(struct store *s, const unsigned char target[KEY_ID_LEN],
    const unsigned char origin[KEY_ID_LEN])
{
	sqlite3_stmt *st = store_zq(s, ZQ_WD_HAS);

	sqlite3_bind_blob(st, 1, target, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, origin, KEY_ID_LEN, SQLITE_STATIC);
	return sqlite3_step(st) == SQLITE_ROW;
}

bool
store_origin_flagged(struct store *s, const unsigned char origin[KEY_ID_LEN])
{
	sqlite3_stmt *st = store_zq(s, ZQ_FLAGGED);

	sqlite3_bind_blob(st, 1, origin, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, STORE_FLAG_EQUIVOCATION);
	/* an error reads as flagged: fail closed */
	return sqlite3_step(st) != SQLITE_DONE;
}

long
store_origin_zones_each(struct store *s, const unsigned char origin[KEY_ID_LEN],
    void (*cb)(void *arg, const char *zone), void *arg, char *err)
{
	sqlite3_stmt *st;
	long n = 0;
	int rc;

	if (sqlite3_prepare_v2(s->db, zsql[ZQ_ZONE_KEYS], -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, err, "reading an operator's zones");
	sqlite3_bind_blob(st, 1, origin, KEY_ID_LEN, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cb(arg, (const char *)sqlite3_column_text(st, 0));
		n++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? n : store_fail(s, err, "reading an operator's zones");
}

int
store_zone_usage(struct store *s, const char *zone,
    const unsigned char origin[KEY_ID_LEN], const unsigned char key[KEY_ID_LEN],
    long long now, long max, long *keys, long *events, char *err)
{
	sqlite3_stmt *st = store_zq(s, ZQ_QUOTA_KEYS);

	sqlite3_bind_text(st, 1, zone, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, origin, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, key, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	if (sqlite3_step(st) != SQLITE_ROW)
		return store_fail(s, err, "counting an operator's keys");
	*keys = (long)sqlite3_column_int64(st, 0);
	st = store_zq(s, ZQ_QUOTA_EVENTS);
	sqlite3_bind_text(st, 1, zone, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, origin, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, KIND_OBSERVATION);
	sqlite3_bind_int(st, 4, KIND_ASSESSMENT);
	sqlite3_bind_int(st, 5, KIND_ZONE_STATEMENT);
	sqlite3_bind_int64(st, 6, now);
	sqlite3_bind_int64(st, 7, max);
	if (sqlite3_step(st) != SQLITE_ROW)
		return store_fail(s, err, "counting an operator's events");
	*events = (long)sqlite3_column_int64(st, 0);
	return 0;
}

long
store_zones_live_each(struct store *s, long long live_after,
    void (*cb)(void *arg, const char *zone), void *arg, char *err)
{
	sqlite3_stmt *st;
	long n = 0;
	int rc;

	if (sqlite3_prepare_v2(s->db, zsql[ZQ_ZONES_LIVE], -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, err, "reading the zones");
	sqlite3_bind_int64(st, 1, live_after);
	sqlite3_bind_int(st, 2, KIND_OBSERVATION);
	sqlite3_bind_int(st, 3, KIND_ASSESSMENT);
	sqlite3_bind_int(st, 4, KIND_ZONE_STATEMENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (sqlite3_column_type(st, 0) == SQLITE_TEXT) {
			cb(arg, (const char *)sqlite3_column_text(st, 0));
			n++;
		}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? n : store_fail(s, err, "reading the zones");
}

static long
raw_rows(struct store *s, sqlite3_stmt *st, store_raw_cb cb, void *arg,
    char *err, const char *what)
{
	long n = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cb(arg, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
		n++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? n : store_fail(s, err, what);
}

long
store_decisions_each(struct store *s, const unsigned char origin[KEY_ID_LEN],
    store_raw_cb cb, void *arg, char *err)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, "SELECT envelope FROM (SELECT envelope, ts, "
	    "ROW_NUMBER() OVER (PARTITION BY zone ORDER BY ts DESC, seq DESC) AS n "
	    "FROM events WHERE kind = ?1 AND origin = ?2) WHERE n = 1 ORDER BY ts",
	    -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, err, "reading decisions");
	sqlite3_bind_int(st, 1, KIND_DECISION);
	sqlite3_bind_blob(st, 2, origin, KEY_ID_LEN, SQLITE_STATIC);
	return raw_rows(s, st, cb, arg, err, "reading decisions");
}

long
store_decisions_of(struct store *s, const char *zone,
    const unsigned char origin[KEY_ID_LEN], long limit, store_raw_cb cb,
    void *arg, char *err)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, "SELECT envelope FROM events WHERE zone = ?1 "
	    "AND kind = ?2 AND origin = ?3 ORDER BY ts DESC, seq DESC LIMIT ?4",
	    -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, err, "reading decisions");
	sqlite3_bind_text(st, 1, zone, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, KIND_DECISION);
	sqlite3_bind_blob(st, 3, origin, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, limit);
	return raw_rows(s, st, cb, arg, err, "reading decisions");
}

/* ------------------------------------------------------------ incidents */

static void
fps_text(const struct store_incident *inc, char *out, size_t cap)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < inc->nfps && i < STORE_INCIDENT_FPS; i++) {
		char hex[KEY_ID_HEX_LEN + 1];
		len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? " " : "",
		    encoding_hex_encode(inc->fps[i], KEY_ID_LEN, hex));
		if (len >= cap)
			break;
	}
}

int
store_incident_put(struct store *s, const struct store_incident *inc, char *err)
{
	sqlite3_stmt *st = store_zq(s, ZQ_INC_PUT);
	char fps[STORE_INCIDENT_FPS * (KEY_ID_HEX_LEN + 1) + 1];

	fps_text(inc, fps, sizeof(fps));
	sqlite3_bind_text(st, 1, inc->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, inc->zone, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, inc->opened);
	if (inc->closed)
		sqlite3_bind_int64(st, 4, inc->closed);
	if (inc->outcome[0])
		sqlite3_bind_text(st, 5, inc->outcome, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, inc->held);
	if (inc->held_since)
		sqlite3_bind_int64(st, 7, inc->held_since);
	if (inc->recovering_since)
		sqlite3_bind_int64(st, 8, inc->recovering_since);
	sqlite3_bind_int64(st, 9, inc->relapses);
	bind_id(st, 10, inc->lead, inc->has_lead);
	sqlite3_bind_text(st, 11, fps, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, err, "recording an incident");
	return 0;
}

static void
incident_row(sqlite3_stmt *st, struct store_incident *inc)
{
	const char *fps;

	memset(inc, 0, sizeof(*inc));
	snprintf(inc->id, sizeof(inc->id), "%s", (const char *)sqlite3_column_text(st, 0));
	snprintf(inc->zone, sizeof(inc->zone), "%s",
	    (const char *)sqlite3_column_text(st, 1));
	inc->opened = sqlite3_column_int64(st, 2);
	inc->closed = sqlite3_column_int64(st, 3);
	if (sqlite3_column_type(st, 4) == SQLITE_TEXT)
		snprintf(inc->outcome, sizeof(inc->outcome), "%s",
		    (const char *)sqlite3_column_text(st, 4));
	inc->held = sqlite3_column_int(st, 5) != 0;
	inc->held_since = sqlite3_column_int64(st, 6);
	inc->recovering_since = sqlite3_column_int64(st, 7);
	inc->relapses = (long)sqlite3_column_int64(st, 8);
	inc->has_lead = col_id(st, 9, inc->lead);
	fps = (const char *)sqlite3_column_text(st, 10);
	while (fps && *fps && inc->nfps < STORE_INCIDENT_FPS) {
		char one[KEY_ID_HEX_LEN + 1];

		snprintf(one, sizeof(one), "%.64s", fps);
		if (strlen(one) != KEY_ID_HEX_LEN ||
		    encoding_hex_decode(one, inc->fps[inc->nfps], KEY_ID_LEN) != 0)
			break;
		inc->nfps++;
		fps += KEY_ID_HEX_LEN;
		while (*fps == ' ')
			fps++;
	}
}

static int
incident_one(struct store *s, int which, const char *zone,
    struct store_incident *out, char *err)
{
	sqlite3_stmt *st = store_zq(s, which);
	int rc;

	sqlite3_bind_text(st, 1, zone, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		incident_row(st, out);
		return 1;
	}
	return rc == SQLITE_DONE ? 0 : store_fail(s, err, "reading an incident");
}

int
store_incident_open(struct store *s, const char *zone, struct store_incident *out,
    char *err)
{
	return incident_one(s, ZQ_INC_ZONE, zone, out, err);
}

int
store_incident_last_closed(struct store *s, const char *zone,
    struct store_incident *out, char *err)
{
	return incident_one(s, ZQ_INC_LAST, zone, out, err);
}

long long
store_incident_resolved_end(struct store *s, const char *zone)
{
	sqlite3_stmt *st = store_zq(s, ZQ_INC_RESOLVED);

	sqlite3_bind_text(st, 1, zone, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return -1;
	return sqlite3_column_int64(st, 0);
}

long
store_incidents_each(struct store *s, const char *zone, long limit,
    void (*cb)(void *arg, const struct store_incident *inc), void *arg, char *err)
{
	struct store_incident inc;
	sqlite3_stmt *st;
	long n = 0;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT id, zone, opened, closed, outcome, "
	    "held, held_since, recovering_since, relapses, lead, fps FROM incidents "
	    "WHERE ?1 IS NULL OR zone = ?1 ORDER BY opened DESC LIMIT ?2", -1, &st,
	    NULL) != SQLITE_OK)
		return store_fail(s, err, "reading incidents");
	if (zone)
		sqlite3_bind_text(st, 1, zone, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		incident_row(st, &inc);
		cb(arg, &inc);
		n++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? n : store_fail(s, err, "reading incidents");
}

int
store_zone_prune(struct store *s, long long now, long long retention, char *err)
{
	sqlite3_stmt *st;
	static const char *const sql[] = {
		"DELETE FROM views WHERE exp < ?1",
		"DELETE FROM withdrawals WHERE exp < ?1",
		"DELETE FROM incidents WHERE closed IS NOT NULL AND closed < ?2",
	};

	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		if (sqlite3_prepare_v2(s->db, sql[i], -1, &st, NULL) != SQLITE_OK)
			return store_fail(s, err, "pruning");
		sqlite3_bind_int64(st, 1, now);
		if (sqlite3_bind_parameter_count(st) >= 2)
			sqlite3_bind_int64(st, 2, now - retention);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return store_fail(s, err, "pruning");
		}
		sqlite3_finalize(st);
	}
	return 0;
}
