/*
 * relay/store/store_chain.c — the events and their chains (see store.h):
 * storing an accepted event with its chain head, gaps and outbox rows in
 * one transaction, the equivocation proofs and flags, what acceptance asks
 * of a chain (head, the event at a seq, gaps), the gaps backfill and
 * catch-up look for, and the chain head salvaged from a damaged file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "relay/store/store.h"
#include "relay/store/store_int.h"
#include "relay/store/store_zone.h"

int
store_head(struct store *s, const unsigned char key[KEY_ID_LEN], bool *has,
    long long *seq, unsigned char id[KEY_ID_LEN], char *err)
{
	sqlite3_stmt *st = store_q(s, Q_HEAD);
	int rc;

	sqlite3_bind_blob(st, 1, key, KEY_ID_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*has = false;
	if (rc == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0 &&
	    sqlite3_column_bytes(st, 1) == KEY_ID_LEN) {
		*has = true;
		*seq = sqlite3_column_int64(st, 0);
		memcpy(id, sqlite3_column_blob(st, 1), KEY_ID_LEN);
	} else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, err, "reading a chain head");
	return 0;
}

/* id (and prev) of the event held at key, seq. */
static bool
at_seq(struct store *s, const unsigned char key[KEY_ID_LEN], long long seq,
    unsigned char id[KEY_ID_LEN], unsigned char prev[KEY_ID_LEN], bool *has_prev)
{
	sqlite3_stmt *st = store_q(s, Q_AT_SEQ);

	sqlite3_bind_blob(st, 1, key, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	if (sqlite3_step(st) != SQLITE_ROW)
		return false;
	memcpy(id, sqlite3_column_blob(st, 0), KEY_ID_LEN);
	if (prev) {
		*has_prev = sqlite3_column_bytes(st, 1) == KEY_ID_LEN;
		if (*has_prev)
			memcpy(prev, sqlite3_column_blob(st, 1), KEY_ID_LEN);
	}
	return true;
}

int
store_chain(struct store *s, const struct event *ev, struct accept_chain *c,
    char *err)
{
	unsigned char dummy[KEY_ID_LEN];
	sqlite3_stmt *st;
	bool has_prev;

	memset(c, 0, sizeof(*c));
	if (store_head(s, ev->key, &c->has_head, &c->head_seq, c->head_id, err) != 0)
		return -1;
	c->has_at_seq = at_seq(s, ev->key, ev->seq, c->id_at_seq, NULL, NULL);
	if (!c->has_head || c->has_at_seq || ev->seq > c->head_seq)
		return 0;
	st = store_q(s, Q_IN_GAP);
	sqlite3_bind_blob(st, 1, ev->key, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, ev->seq);
	c->seq_is_gap = sqlite3_step(st) == SQLITE_ROW;
	if (!c->seq_is_gap)
		return 0;
	c->has_below = ev->seq > 1 && at_seq(s, ev->key, ev->seq - 1, c->below_id,
	    NULL, NULL);
	c->has_above = at_seq(s, ev->key, ev->seq + 1, dummy, c->above_prev, &has_prev) &&
	    has_prev;
	return 0;
}

static int
gap_add(struct store *s, const unsigned char key[KEY_ID_LEN], long long lo,
    long long hi, char *err)
{
	sqlite3_stmt *st;

	if (lo > hi)
		return 0;
	st = store_q(s, Q_GAP_ADD);
	sqlite3_bind_blob(st, 1, key, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, lo);
	sqlite3_bind_int64(st, 3, hi);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : store_fail(s, err, "recording a gap");
}

/* seq arrived: split the gap that held it. */
static int
gap_fill(struct store *s, const unsigned char key[KEY_ID_LEN], long long seq,
    char *err)
{
	sqlite3_stmt *st = store_q(s, Q_GAP_FIND);
	long long lo, hi;

	sqlite3_bind_blob(st, 1, key, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	if (sqlite3_step(st) != SQLITE_ROW)
		return 0;
	lo = sqlite3_column_int64(st, 0);
	hi = sqlite3_column_int64(st, 1);
	st = store_q(s, Q_GAP_DEL);
	sqlite3_bind_blob(st, 1, key, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, lo);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_fail(s, err, "filling a gap");
	if (gap_add(s, key, lo, seq - 1, err) != 0)
		return -1;
	return gap_add(s, key, seq + 1, hi, err);
}

int
store_gap_settle(struct store *s, const unsigned char key[KEY_ID_LEN],
    long long seq, char *err)
{
	return gap_fill(s, key, seq, err);
}

/* Long (about 90 lines) on purpose: the event row, its chain head, gap
 * bookkeeping, outbox rows, heartbeat and zone views are one transaction,
 * and reading them in one place is how one checks that each failure path
 * rolls back all of them. */
int
store_put(struct store *s, struct store_put *p, char *err)
{
	const struct event *ev = p->ev;
	sqlite3_stmt *st;
	long long row, head_seq = 0;
	unsigned char head_id[KEY_ID_LEN];
	bool has_head;

	if (store_begin(s, err) != 0)
		return -1;
	if (store_head(s, ev->key, &has_head, &head_seq, head_id, err) != 0)
		goto bad;
	st = store_q(s, Q_PUT);
	sqlite3_bind_blob(st, 1, ev->id, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, ev->origin, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, ev->key, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, ev->seq);
	if (ev->has_prev)
		sqlite3_bind_blob(st, 5, ev->prev, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, (int)ev->kind);
	if (ev->zone[0])
		sqlite3_bind_text(st, 7, ev->zone, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, ev->ts);
	if (ev->has_exp)
		sqlite3_bind_int64(st, 9, ev->exp);
	sqlite3_bind_blob(st, 10, p->raw, (int)p->rawlen, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, p->received_at);
	sqlite3_bind_int(st, 12, p->link);
	if (sqlite3_step(st) != SQLITE_DONE) {
		store_fail(s, err, "storing an event");
		goto bad;
	}
	row = sqlite3_last_insert_rowid(s->db);

	/* chain: head, gaps */
	if (!has_head) {
		st = store_q(s, Q_CHAIN_NEW);
		sqlite3_bind_blob(st, 1, ev->key, KEY_ID_LEN, SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, ev->origin, KEY_ID_LEN, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, ev->seq);
		sqlite3_bind_blob(st, 4, ev->id, KEY_ID_LEN, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			store_fail(s, err, "creating a chain");
			goto bad;
		}
		/* a row may exist with head 0 (flags only): set it */
		st = store_q(s, Q_CHAIN_SET);
		sqlite3_bind_blob(st, 1, ev->key, KEY_ID_LEN, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, ev->seq);
		sqlite3_bind_blob(st, 3, ev->id, KEY_ID_LEN, SQLITE_STATIC);
		sqlite3_step(st);
		if (gap_add(s, ev->key, 1, ev->seq - 1, err) != 0)
			goto bad;
	} else if (ev->seq > head_seq) {
		st = store_q(s, Q_CHAIN_SET);
		sqlite3_bind_blob(st, 1, ev->key, KEY_ID_LEN, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, ev->seq);
		sqlite3_bind_blob(st, 3, ev->id, KEY_ID_LEN, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			store_fail(s, err, "advancing a chain");
			goto bad;
		}
		if (gap_add(s, ev->key, head_seq + 1, ev->seq - 1, err) != 0)
			goto bad;
	} else if (gap_fill(s, ev->key, ev->seq, err) != 0)
		goto bad;
	if (ev->kind == KIND_HEARTBEAT) {
		st = store_q(s, Q_HEARTBEAT);
		sqlite3_bind_blob(st, 1, ev->key, KEY_ID_LEN, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, ev->ts);
		sqlite3_step(st);
	}
	for (size_t i = 0; i < p->noutbox; i++) {
		st = store_q(s, Q_OUTBOX_ADD);
		sqlite3_bind_int(st, 1, p->outbox[i]);
		sqlite3_bind_int64(st, 2, row);
		if (sqlite3_step(st) != SQLITE_DONE) {
			store_fail(s, err, "queueing for a link");
			goto bad;
		}
	}
	if (store_zone_put(s, ev, row, err) != 0)
		goto bad;
	if (store_commit(s, err) != 0)
		return -1;
	/* only once it is durable: a crash before COMMIT must let the event
	 * in again */
	store_ids_add(s, ev->id);
	p->row = row;
	return 0;
bad:
	store_savepoint_rollback(s);
	return -1;
}

int
store_put_equivocation(struct store *s, const struct event *ev, const char *raw,
    size_t rawlen, long long now, char *err)
{
	sqlite3_stmt *st;

	if (store_begin(s, err) != 0)
		return -1;
	st = store_q(s, Q_EQUIV);
	sqlite3_bind_blob(st, 1, ev->id, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, ev->key, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, ev->seq);
	sqlite3_bind_blob(st, 4, raw, (int)rawlen, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now);
	if (sqlite3_step(st) != SQLITE_DONE) {
		store_fail(s, err, "keeping an equivocation");
		goto bad;
	}
	st = store_q(s, Q_FLAG);
	sqlite3_bind_blob(st, 1, ev->key, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, ev->origin, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, STORE_FLAG_EQUIVOCATION);
	if (sqlite3_step(st) != SQLITE_DONE) {
		store_fail(s, err, "flagging a key");
		goto bad;
	}
	if (store_commit(s, err) != 0)
		return -1;
	store_ids_add(s, ev->id);
	return 0;
bad:
	store_savepoint_rollback(s);
	return -1;
}

bool
store_newer_exists(struct store *s, enum kind kind, const char *zone,
    const unsigned char origin[KEY_ID_LEN], long long ts)
{
	sqlite3_stmt *st = store_q(s, Q_NEWER);

	sqlite3_bind_int(st, 1, (int)kind);
	if (zone && zone[0])
		sqlite3_bind_text(st, 2, zone, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, origin, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, ts);
	return sqlite3_step(st) == SQLITE_ROW;
}

int
store_gaps_each(struct store *s, const unsigned char *key,
    void (*cb)(void *arg, const unsigned char key[KEY_ID_LEN], long long lo,
    long long hi), void *arg, char *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT key, lo, hi FROM gaps WHERE ?1 IS NULL "
	    "OR key = ?1 ORDER BY key, lo", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, err, "reading gaps");
	if (key)
		sqlite3_bind_blob(st, 1, key, KEY_ID_LEN, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (sqlite3_column_bytes(st, 0) == KEY_ID_LEN)
			cb(arg, sqlite3_column_blob(st, 0), sqlite3_column_int64(st, 1),
			    sqlite3_column_int64(st, 2));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, err, "reading gaps");
}

int
store_flagged_origins(struct store *s, unsigned char (*out)[KEY_ID_LEN],
    size_t max, size_t *n)
{
	sqlite3_stmt *st;

	*n = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT DISTINCT origin FROM chains WHERE "
	    "flags & 1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW && *n < max)
		if (sqlite3_column_bytes(st, 0) == KEY_ID_LEN)
			memcpy(out[(*n)++], sqlite3_column_blob(st, 0), KEY_ID_LEN);
	sqlite3_finalize(st);
	return 0;
}

int
store_clear_equivocation(struct store *s, const unsigned char key[KEY_ID_LEN],
    char *err)
{
	sqlite3_stmt *st;
	int changed;

	if (sqlite3_prepare_v2(s->db, "UPDATE chains SET flags = flags & ~1 WHERE "
	    "key = ?1 AND flags & 1", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, err, "clearing a flag");
	sqlite3_bind_blob(st, 1, key, KEY_ID_LEN, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		return store_fail(s, err, "clearing a flag");
	}
	changed = sqlite3_changes(s->db);
	sqlite3_finalize(st);
	return changed;
}

long
store_behind_each(struct store *s, long long hb_after, long long depth,
    void (*cb)(void *arg, const unsigned char key[KEY_ID_LEN], long long lo,
    long long hi), void *arg, char *err)
{
	sqlite3_stmt *st;
	long n = 0;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT g.key, g.lo, g.hi FROM gaps g JOIN "
	    "chains c ON c.key = g.key WHERE c.last_heartbeat >= ?1 AND "
	    "g.hi > c.head_seq - ?2 ORDER BY g.key, g.lo", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, err, "reading the chains behind");
	sqlite3_bind_int64(st, 1, hb_after);
	sqlite3_bind_int64(st, 2, depth);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (sqlite3_column_bytes(st, 0) == KEY_ID_LEN) {
			cb(arg, sqlite3_column_blob(st, 0), sqlite3_column_int64(st, 1),
			    sqlite3_column_int64(st, 2));
			n++;
		}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? n : store_fail(s, err, "reading the chains behind");
}

int
store_salvage_head(const char *path, const unsigned char key[KEY_ID_LEN],
    bool *found, long long *seq, unsigned char id[KEY_ID_LEN], char *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = -1, step;

	*found = false;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT head_seq, head_id FROM chains WHERE "
	    "key = ?1", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, STORE_ERR_MAX, "store: %s: %s", path,
		    db ? sqlite3_errmsg(db) : "cannot open");
		goto out;
	}
	sqlite3_bind_blob(st, 1, key, KEY_ID_LEN, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0 &&
	    sqlite3_column_bytes(st, 1) == KEY_ID_LEN) {
		*found = true;
		*seq = sqlite3_column_int64(st, 0);
		memcpy(id, sqlite3_column_blob(st, 1), KEY_ID_LEN);
	} else if (step != SQLITE_ROW && step != SQLITE_DONE) {
		snprintf(err, STORE_ERR_MAX, "store: %s: %s", path, sqlite3_errmsg(db));
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

int
store_seed_head(struct store *s, const unsigned char key[KEY_ID_LEN],
    const unsigned char origin[KEY_ID_LEN], long long seq,
    const unsigned char id[KEY_ID_LEN], char *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "INSERT INTO chains (key, origin, head_seq, "
	    "head_id) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(key) DO UPDATE SET "
	    "head_seq = ?3, head_id = ?4 WHERE head_seq < ?3", -1, &st, NULL) !=
	    SQLITE_OK)
		return store_fail(s, err, "seeding a chain head");
	sqlite3_bind_blob(st, 1, key, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, origin, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, seq);
	sqlite3_bind_blob(st, 4, id, KEY_ID_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, err, "seeding a chain head");
}
