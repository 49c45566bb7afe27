/*
 * relay/notify/mattermost_queue.c — the Mattermost notifier's tables
 * (relay/notify/mattermost_queue.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "proto/key.h"
#include "proto/zone.h"
#include "relay/notify/mattermost_queue.h"

static const char notify_schema[] =
    "CREATE TABLE IF NOT EXISTS notify_queue ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " channel TEXT NOT NULL,"
    " op TEXT NOT NULL,"
    " incident INTEGER NOT NULL DEFAULT 0,"
    " key TEXT NOT NULL,"
    " body TEXT NOT NULL,"
    " created INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS notify_queue_channel ON notify_queue (channel, seq);"
    "CREATE TABLE IF NOT EXISTS notify_keys ("
    " key TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS notify_keys_at ON notify_keys (at);"
    "CREATE TABLE IF NOT EXISTS notify_incidents ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " zone TEXT NOT NULL,"
    " fingerprint TEXT NOT NULL DEFAULT '',"
    " opened INTEGER NOT NULL,"
    " closed INTEGER,"
    " post_id TEXT,"
    " ref TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX IF NOT EXISTS notify_incidents_open ON notify_incidents (zone, closed);"
    "CREATE TABLE IF NOT EXISTS notify_counters ("
    " name TEXT PRIMARY KEY, value INTEGER NOT NULL);";

enum {
	NQ_KEY_ADD,
	NQ_ADD,
	NQ_DEPTH,
	NQ_OLDEST,
	NQ_DELETE,
	NQ_HEAD,
	NQ_ATTEMPTS,
	NQ_PRUNE,
	NQ_INC_FIND,
	NQ_INC_BY_REF,
	NQ_INC_NEW,
	NQ_INC_REF,
	NQ_INC_CLOSE,
	NQ_INC_POST,
	NQ_INC_SET_POST,
	NQ_EVENT_ZONE,
	NQ_COUNTER_GET,
	NQ_COUNTER_SET,
	NQ__COUNT
};

static const char *const nq_sql[NQ__COUNT] = {
	[NQ_KEY_ADD] = "INSERT OR IGNORE INTO notify_keys (key, at) VALUES (?1, ?2)",
	[NQ_ADD] = "INSERT INTO notify_queue (channel, op, incident, key, body, "
	    "created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[NQ_DEPTH] = "SELECT count(*) FROM notify_queue",
	[NQ_OLDEST] = "SELECT min(seq) FROM notify_queue",
	[NQ_DELETE] = "DELETE FROM notify_queue WHERE seq = ?1",
	[NQ_HEAD] = "SELECT seq, op, incident, body, attempts, created FROM "
	    "notify_queue WHERE channel = ?1 ORDER BY seq LIMIT 1",
	[NQ_ATTEMPTS] = "UPDATE notify_queue SET attempts = ?2 WHERE seq = ?1",
	[NQ_PRUNE] = "DELETE FROM notify_keys WHERE at < ?1",
	[NQ_INC_FIND] = "SELECT id, fingerprint, ref FROM notify_incidents WHERE "
	    "zone = ?1 AND closed IS NULL ORDER BY id DESC LIMIT 1",
	[NQ_INC_BY_REF] = "SELECT id, closed IS NOT NULL FROM notify_incidents "
	    "WHERE zone = ?1 AND ref = ?2 ORDER BY id DESC LIMIT 1",
	[NQ_INC_NEW] = "INSERT INTO notify_incidents (zone, fingerprint, opened, "
	    "ref) VALUES (?1, ?2, ?3, ?4)",
	[NQ_INC_REF] = "UPDATE notify_incidents SET ref = ?2 WHERE id = ?1",
	[NQ_INC_CLOSE] = "UPDATE notify_incidents SET closed = ?2 WHERE id = ?1",
	[NQ_INC_POST] = "SELECT post_id FROM notify_incidents WHERE id = ?1",
	[NQ_INC_SET_POST] = "UPDATE notify_incidents SET post_id = ?2 WHERE id = ?1",
	[NQ_EVENT_ZONE] = "SELECT zone FROM events WHERE id = ?1",
	[NQ_COUNTER_GET] = "SELECT value FROM notify_counters WHERE name = ?1",
	[NQ_COUNTER_SET] = "INSERT INTO notify_counters (name, value) VALUES (?1, ?2) "
	    "ON CONFLICT(name) DO UPDATE SET value = ?2",
};

struct notify_queue {
	sqlite3 *db;
	sqlite3_stmt *st[NQ__COUNT];
	long depth;
};

static int
nq_fail(struct notify_queue *q, char *err, const char *what)
{
	snprintf(err, NOTIFY_QUEUE_ERR_MAX, "notify queue: %s: %s", what,
	    q && q->db ? sqlite3_errmsg(q->db) : "out of memory");
	return -1;
}

/* The statement, reset and unbound, ready for its parameters. */
static sqlite3_stmt *
nq(struct notify_queue *q, int which)
{
	sqlite3_stmt *st = q->st[which];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

/* A store written before threads were tied to the quorum engine's
 * incidents has notify_incidents without its ref column: add it (its open
 * threads get their incident from the next decision). */
static int
nq_migrate(sqlite3 *db, char **msg)
{
	sqlite3_stmt *st = NULL;
	bool has_ref = false;
	int rc;

	if (sqlite3_prepare_v2(db, "PRAGMA table_info(notify_incidents)", -1, &st,
	    NULL) != SQLITE_OK) {
		*msg = sqlite3_mprintf("%s", sqlite3_errmsg(db));
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *name = sqlite3_column_text(st, 1);
		if (name && strcmp((const char *)name, "ref") == 0)
			has_ref = true;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		*msg = sqlite3_mprintf("%s", sqlite3_errmsg(db));
		return -1;
	}
	if (has_ref)
		return 0;
	return sqlite3_exec(db, "ALTER TABLE notify_incidents ADD COLUMN ref TEXT "
	    "NOT NULL DEFAULT ''", NULL, NULL, msg) == SQLITE_OK ? 0 : -1;
}

int
notify_queue_open(struct sqlite3 *db, struct notify_queue **out, char *err)
{
	struct notify_queue *q;
	char *msg = NULL;

	*out = NULL;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return nq_fail(NULL, err, "open");
	q->db = db;
	if (sqlite3_exec(db, notify_schema, NULL, NULL, &msg) != SQLITE_OK ||
	    nq_migrate(db, &msg) != 0) {
		snprintf(err, NOTIFY_QUEUE_ERR_MAX, "notify queue: creating the "
		    "tables: %s", msg ? msg : "error");
		sqlite3_free(msg);
		free(q);
		return -1;
	}
	for (int i = 0; i < NQ__COUNT; i++)
		if (sqlite3_prepare_v2(db, nq_sql[i], -1, &q->st[i], NULL) !=
		    SQLITE_OK) {
			nq_fail(q, err, nq_sql[i]);
			notify_queue_close(q);
			return -1;
		}
	if (notify_queue_recount(q, err) != 0) {
		notify_queue_close(q);
		return -1;
	}
	*out = q;
	return 0;
}

void
notify_queue_close(struct notify_queue *q)
{
	if (q == NULL)
		return;
	for (int i = 0; i < NQ__COUNT; i++)
		sqlite3_finalize(q->st[i]);
	free(q);
}

int
notify_queue_claim(struct notify_queue *q, const char *key, long long now,
    char *err)
{
	sqlite3_stmt *st = nq(q, NQ_KEY_ADD);

	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		return nq_fail(q, err, "adding a key");
	return sqlite3_changes(q->db) > 0 ? 1 : 0;
}

int
notify_queue_add(struct notify_queue *q, const char *channel, const char *op,
    long long incident, const char *key, const char *body, long long now,
    char *err)
{
	sqlite3_stmt *st = nq(q, NQ_ADD);

	sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, op, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, incident);
	sqlite3_bind_text(st, 4, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		return nq_fail(q, err, "queueing a message");
	q->depth++;
	return 1;
}

long
notify_queue_depth(const struct notify_queue *q)
{
	return q->depth > 0 ? q->depth : 0;
}

int
notify_queue_recount(struct notify_queue *q, char *err)
{
	sqlite3_stmt *st = nq(q, NQ_DEPTH);

	if (sqlite3_step(st) != SQLITE_ROW)
		return nq_fail(q, err, "counting");
	q->depth = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

int
notify_queue_drop_oldest(struct notify_queue *q, long long *seq, char *err)
{
	sqlite3_stmt *st = nq(q, NQ_OLDEST);

	if (sqlite3_step(st) != SQLITE_ROW)
		return nq_fail(q, err, "finding the oldest message");
	if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
		sqlite3_reset(st);
		return 0;
	}
	*seq = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return notify_queue_delete(q, *seq, err) < 0 ? -1 : 1;
}

void
notify_item_clear(struct notify_item *it)
{
	if (it == NULL)
		return;
	free(it->body);
	memset(it, 0, sizeof(*it));
}

int
notify_queue_head(struct notify_queue *q, const char *channel,
    struct notify_item *it, char *err)
{
	sqlite3_stmt *st = nq(q, NQ_HEAD);
	const unsigned char *op, *body;
	int rc;

	memset(it, 0, sizeof(*it));
	sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return nq_fail(q, err, "reading the queue");
	it->seq = sqlite3_column_int64(st, 0);
	op = sqlite3_column_text(st, 1);
	it->incident = sqlite3_column_int64(st, 2);
	body = sqlite3_column_text(st, 3);
	it->attempts = sqlite3_column_int(st, 4);
	it->created = sqlite3_column_int64(st, 5);
	snprintf(it->channel, sizeof(it->channel), "%s", channel);
	snprintf(it->op, sizeof(it->op), "%s", op ? (const char *)op : "");
	if ((it->body = strdup(body ? (const char *)body : "")) == NULL) {
		sqlite3_reset(st);
		return nq_fail(NULL, err, "reading the queue");
	}
	sqlite3_reset(st);
	return 1;
}

int
notify_queue_delete(struct notify_queue *q, long long seq, char *err)
{
	sqlite3_stmt *st = nq(q, NQ_DELETE);

	sqlite3_bind_int64(st, 1, seq);
	if (sqlite3_step(st) != SQLITE_DONE)
		return nq_fail(q, err, "deleting a message");
	if (sqlite3_changes(q->db) == 0)
		return 0;
	q->depth--;
	return 1;
}

int
notify_queue_set_attempts(struct notify_queue *q, long long seq, int attempts,
    char *err)
{
	sqlite3_stmt *st = nq(q, NQ_ATTEMPTS);

	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int(st, 2, attempts);
	if (sqlite3_step(st) != SQLITE_DONE)
		return nq_fail(q, err, "counting an attempt");
	return 0;
}

int
notify_queue_prune_keys(struct notify_queue *q, long long before, char *err)
{
	sqlite3_stmt *st = nq(q, NQ_PRUNE);

	sqlite3_bind_int64(st, 1, before);
	if (sqlite3_step(st) != SQLITE_DONE)
		return nq_fail(q, err, "pruning keys");
	return 0;
}

int
notify_incident_find(struct notify_queue *q, const char *zone, long long *id,
    char *fp, char *ref, char *err)
{
	sqlite3_stmt *st = nq(q, NQ_INC_FIND);
	const unsigned char *f, *rf;
	int rc;

	*id = 0;
	fp[0] = '\0';
	ref[0] = '\0';
	sqlite3_bind_text(st, 1, zone, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return nq_fail(q, err, "finding an incident");
	*id = sqlite3_column_int64(st, 0);
	f = sqlite3_column_text(st, 1);
	snprintf(fp, 65, "%s", f ? (const char *)f : "");
	rf = sqlite3_column_text(st, 2);
	snprintf(ref, NOTIFY_REF_MAX + 1, "%s", rf ? (const char *)rf : "");
	sqlite3_reset(st);
	return 0;
}

int
notify_incident_by_ref(struct notify_queue *q, const char *zone,
    const char *ref, long long *id, bool *closed, char *err)
{
	sqlite3_stmt *st = nq(q, NQ_INC_BY_REF);
	int rc;

	*id = 0;
	*closed = false;
	sqlite3_bind_text(st, 1, zone, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return nq_fail(q, err, "finding an incident's thread");
	*id = sqlite3_column_int64(st, 0);
	*closed = sqlite3_column_int(st, 1) != 0;
	sqlite3_reset(st);
	return 0;
}

int
notify_incident_new(struct notify_queue *q, const char *zone, const char *fp,
    const char *ref, long long now, long long *id, char *err)
{
	sqlite3_stmt *st = nq(q, NQ_INC_NEW);

	sqlite3_bind_text(st, 1, zone, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, fp ? fp : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_text(st, 4, ref ? ref : "", -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return nq_fail(q, err, "opening an incident");
	*id = sqlite3_last_insert_rowid(q->db);
	return 0;
}

int
notify_incident_set_ref(struct notify_queue *q, long long id, const char *ref,
    char *err)
{
	sqlite3_stmt *st = nq(q, NQ_INC_REF);

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return nq_fail(q, err, "naming an incident's thread");
	return 0;
}

int
notify_incident_close(struct notify_queue *q, long long id, long long now,
    char *err)
{
	sqlite3_stmt *st = nq(q, NQ_INC_CLOSE);

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		return nq_fail(q, err, "closing an incident");
	return 0;
}

int
notify_incident_post(struct notify_queue *q, long long id, char *post, char *err)
{
	sqlite3_stmt *st = nq(q, NQ_INC_POST);
	const unsigned char *p;
	int rc;

	post[0] = '\0';
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return nq_fail(q, err, "reading an incident");
	p = sqlite3_column_text(st, 0);
	snprintf(post, NOTIFY_POST_ID_MAX + 1, "%s", p ? (const char *)p : "");
	sqlite3_reset(st);
	return 0;
}

int
notify_incident_set_post(struct notify_queue *q, long long id, const char *post,
    char *err)
{
	sqlite3_stmt *st = nq(q, NQ_INC_SET_POST);

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, post, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return nq_fail(q, err, "recording a root post");
	return 0;
}

/* Reads relay/store/store.c's events table: the one place outside the store
 * that does, for the zone a withdrawal is about. */
int
notify_queue_event_zone(struct notify_queue *q, const unsigned char *id,
    char *zone, char *err)
{
	sqlite3_stmt *st = nq(q, NQ_EVENT_ZONE);
	const unsigned char *z;
	int rc;

	zone[0] = '\0';
	sqlite3_bind_blob(st, 1, id, KEY_ID_LEN, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return nq_fail(q, err, "reading an event's zone");
	z = sqlite3_column_text(st, 0);
	snprintf(zone, ZONE_TEXT_MAX + 1, "%s", z ? (const char *)z : "");
	sqlite3_reset(st);
	return 0;
}

static const char *const nq_counter_names[3] = {
	"notify.sent", "notify.retried", "notify.dropped"
};

int
notify_queue_counters_load(struct notify_queue *q, uint64_t *sent,
    uint64_t *retried, uint64_t *dropped, char *err)
{
	uint64_t *v[3] = { sent, retried, dropped };

	for (int i = 0; i < 3; i++) {
		sqlite3_stmt *st = nq(q, NQ_COUNTER_GET);
		int rc;
		sqlite3_bind_text(st, 1, nq_counter_names[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			*v[i] = (uint64_t)sqlite3_column_int64(st, 0);
		else if (rc != SQLITE_DONE)
			return nq_fail(q, err, "loading the counters");
		sqlite3_reset(st);
	}
	return 0;
}

int
notify_queue_counters_save(struct notify_queue *q, uint64_t sent,
    uint64_t retried, uint64_t dropped, char *err)
{
	uint64_t v[3] = { sent, retried, dropped };

	for (int i = 0; i < 3; i++) {
		sqlite3_stmt *st = nq(q, NQ_COUNTER_SET);
		sqlite3_bind_text(st, 1, nq_counter_names[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)v[i]);
		if (sqlite3_step(st) != SQLITE_DONE)
			return nq_fail(q, err, "saving the counters");
	}
	return 0;
}
