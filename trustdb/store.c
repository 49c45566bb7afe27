/*
 * trustdb/store.c — pins, verified import, export and the snapshot load.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/encoding.h"
#include "proto/envelope.h"
#include "proto/event.h"
#include "proto/open.h"
#include "proto/zone.h"
#include "trustdb/store.h"

#define HEX(buf, id) encoding_hex_encode((id), KEY_ID_LEN, (buf))

/* Prepare sql or fail with a mapped error. */
static enum trustdb_err
prepare(struct trustdb *db, const char *sql, sqlite3_stmt **st, char *reason)
{
	int rc = sqlite3_prepare_v2(trustdb_sqlite(db), sql, -1, st, NULL);

	if (rc != SQLITE_OK)
		return trustdb_sql_fail(db, rc, "preparing a statement", reason);
	return TRUSTDB_OK;
}

/* Step a statement that returns no rows. */
static enum trustdb_err
step_done(struct trustdb *db, sqlite3_stmt *st, const char *what, char *reason)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE)
		return trustdb_sql_fail(db, rc, what, reason);
	return TRUSTDB_OK;
}

static void
bind_hex(sqlite3_stmt *st, int col, const unsigned char id[KEY_ID_LEN])
{
	char hex[KEY_ID_HEX_LEN + 1];

	sqlite3_bind_text(st, col, HEX(hex, id), KEY_ID_HEX_LEN, SQLITE_TRANSIENT);
}

/* Add a public key the database knows; an existing id keeps its name. */
static enum trustdb_err
put_key(struct trustdb *db, const unsigned char pk[KEY_PUBLIC_LEN],
    const char *name, char *reason)
{
	unsigned char id[KEY_ID_LEN];
	sqlite3_stmt *st = NULL;
	enum trustdb_err e;

	key_id_of(pk, id);
	if ((e = prepare(db, "INSERT INTO keys (id, pk, name) VALUES (?1, ?2, ?3) "
	    "ON CONFLICT(id) DO UPDATE SET name = coalesce(keys.name, excluded.name)",
	    &st, reason)) != TRUSTDB_OK)
		return e;
	bind_hex(st, 1, id);
	sqlite3_bind_blob(st, 2, pk, KEY_PUBLIC_LEN, SQLITE_STATIC);
	if (name != NULL && *name != '\0')
		sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	e = step_done(db, st, "storing a key", reason);
	sqlite3_finalize(st);
	return e;
}

enum trustdb_err
trustdb_pin(struct trustdb *db, const struct key_public *root,
    const char *const *zones, size_t nzones, long long now, char *reason)
{
	char *list = NULL;
	size_t cap = 1, len = 0;
	sqlite3_stmt *st = NULL;
	enum trustdb_err e;
	const char *why;

	if (nzones > TRUSTDB_PIN_ZONES_MAX)
		return trustdb_fail(reason, TRUSTDB_E_INVALID_ARG,
		    "at most %d zones per pin", TRUSTDB_PIN_ZONES_MAX);
	for (size_t i = 0; i < nzones; i++) {
		if (!zone_name_valid(zones[i], strlen(zones[i]), &why))
			return trustdb_fail(reason, TRUSTDB_E_INVALID_ARG,
			    "zone '%.64s': %s", zones[i], why);
		cap += strlen(zones[i]) + 1;
	}
	if ((list = malloc(cap)) == NULL)
		return trustdb_fail(reason, TRUSTDB_E_NOMEM, "out of memory");
	list[0] = '\0';
	for (size_t i = 0; i < nzones; i++) {
		if (trust_zones_has(list, zones[i]))
			continue;
		len += (size_t)snprintf(list + len, cap - len, "%s%s",
		    len ? " " : "", zones[i]);
	}
	if ((e = trustdb_exec(db, "BEGIN IMMEDIATE", reason)) != TRUSTDB_OK)
		goto out;
	if ((e = put_key(db, root->pk, root->name, reason)) != TRUSTDB_OK)
		goto out;
	if ((e = prepare(db, "INSERT INTO pins (operator, zones, created) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT(operator) DO UPDATE SET "
	    "zones = excluded.zones", &st, reason)) != TRUSTDB_OK)
		goto out;
	bind_hex(st, 1, root->id);
	sqlite3_bind_text(st, 2, list, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	if ((e = step_done(db, st, "storing the pin", reason)) != TRUSTDB_OK)
		goto out;
	e = trustdb_exec(db, "COMMIT", reason);
out:
	if (e != TRUSTDB_OK)
		trustdb_rollback(db);
	sqlite3_finalize(st);
	free(list);
	return e;
}

enum trustdb_err
trustdb_unpin(struct trustdb *db, const unsigned char op[KEY_ID_LEN],
    char *reason)
{
	char hex[KEY_ID_HEX_LEN + 1];
	sqlite3_stmt *st = NULL;
	enum trustdb_err e;

	if ((e = trustdb_exec(db, "BEGIN IMMEDIATE", reason)) != TRUSTDB_OK)
		return e;
	if ((e = prepare(db, "DELETE FROM pins WHERE operator = ?1", &st,
	    reason)) != TRUSTDB_OK)
		goto out;
	bind_hex(st, 1, op);
	if ((e = step_done(db, st, "removing the pin", reason)) != TRUSTDB_OK)
		goto out;
	if (sqlite3_changes(trustdb_sqlite(db)) == 0) {
		e = trustdb_fail(reason, TRUSTDB_E_NOT_FOUND,
		    "operator %s is not pinned", HEX(hex, op));
		goto out;
	}
	e = trustdb_exec(db, "COMMIT", reason);
out:
	if (e != TRUSTDB_OK)
		trustdb_rollback(db);
	sqlite3_finalize(st);
	return e;
}

bool
trustdb_lookup_known(void *ctx, const unsigned char keyid[KEY_ID_LEN],
    unsigned char pk[KEY_PUBLIC_LEN])
{
	struct trustdb *db = ctx;
	sqlite3_stmt *st = NULL;
	bool found = false;

	if (sqlite3_prepare_v2(trustdb_sqlite(db),
	    "SELECT pk FROM keys WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		return false;
	bind_hex(st, 1, keyid);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_bytes(st, 0) == KEY_PUBLIC_LEN) {
		memcpy(pk, sqlite3_column_blob(st, 0), KEY_PUBLIC_LEN);
		found = true;
	}
	sqlite3_finalize(st);
	return found;
}

/* zones[] of a vouch as one space-separated string (new). */
static char *
zones_join(json_t *arr)
{
	size_t cap = 1, len = 0, i;
	json_t *z;
	char *s;

	json_array_foreach(arr, i, z)
		cap += strlen(json_string_value(z)) + 1;
	if ((s = malloc(cap)) == NULL)
		return NULL;
	s[0] = '\0';
	json_array_foreach(arr, i, z) {
		if (trust_zones_has(s, json_string_value(z)))
			continue;
		len += (size_t)snprintf(s + len, cap - len, "%s%s", len ? " " : "",
		    json_string_value(z));
	}
	return s;
}

static enum trustdb_err
map_open_error(enum proto_err pe, const char *preason, char *reason)
{
	switch (pe) {
	case PROTO_E_UNKNOWN_KEY:
		return trustdb_fail(reason, TRUSTDB_E_UNKNOWN_SIGNER,
		    "%s (pin its operator's root, or import the vouch or key_cert "
		    "that introduces it, first)", preason);
	case PROTO_E_BAD_SIGNATURE:
		return trustdb_fail(reason, TRUSTDB_E_BAD_SIGNATURE, "%s", preason);
	case PROTO_E_NOMEM:
		return trustdb_fail(reason, TRUSTDB_E_NOMEM, "out of memory");
	default:
		return trustdb_fail(reason, TRUSTDB_E_REJECTED, "%s: %s",
		    proto_errname(pe), preason);
	}
}

/* The net of the db, adopting ev's when none is set yet. */
static enum trustdb_err
check_net(struct trustdb *db, const struct event *ev, char *reason)
{
	char net[TRUSTDB_NET_MAX + 1];
	sqlite3_stmt *st = NULL;
	enum trustdb_err e;
	bool has;

	if ((e = trustdb_net_get(db, net, &has, reason)) != TRUSTDB_OK)
		return e;
	if (has) {
		if (strcmp(net, ev->net) != 0)
			return trustdb_fail(reason, TRUSTDB_E_WRONG_NET,
			    "envelope of federation '%s'; %s belongs to '%s'",
			    ev->net, trustdb_path(db), net);
		return TRUSTDB_OK;
	}
	if ((e = prepare(db, "INSERT INTO meta (name, value) VALUES ('net', ?1)",
	    &st, reason)) != TRUSTDB_OK)
		return e;
	sqlite3_bind_text(st, 1, ev->net, -1, SQLITE_STATIC);
	e = step_done(db, st, "storing the federation name", reason);
	sqlite3_finalize(st);
	return e;
}

static enum trustdb_err
store_event(struct trustdb *db, const struct event *ev, const char *buf,
    size_t len, long long now, char *reason)
{
	static const char sql[] =
	    "INSERT INTO events (id, kind, net, origin, key, seq, ts, exp, "
	    "subject, zones, affiliation, not_before, not_after, envelope, imported) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";
	unsigned char subject[KEY_ID_LEN], pk[KEY_PUBLIC_LEN];
	const char *b64;
	char *zones = NULL;
	sqlite3_stmt *st = NULL;
	enum trustdb_err e;
	size_t n;

	encoding_hex_decode(event_str(ev, "subject"), subject, KEY_ID_LEN);
	if ((e = prepare(db, sql, &st, reason)) != TRUSTDB_OK)
		return e;
	bind_hex(st, 1, ev->id);
	sqlite3_bind_text(st, 2, kind_name(ev->kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ev->net, -1, SQLITE_STATIC);
	bind_hex(st, 4, ev->origin);
	bind_hex(st, 5, ev->key);
	sqlite3_bind_int64(st, 6, ev->seq);
	sqlite3_bind_int64(st, 7, ev->ts);
	if (ev->has_exp)
		sqlite3_bind_int64(st, 8, ev->exp);
	bind_hex(st, 9, subject);
	if (ev->kind == KIND_VOUCH) {
		json_t *pl = event_payload_json(ev);
		zones = pl ? zones_join(json_object_get(pl, "zones")) : NULL;
		json_decref(pl);
		if (zones == NULL) {
			e = trustdb_fail(reason, TRUSTDB_E_NOMEM, "out of memory");
			goto out;
		}
		sqlite3_bind_text(st, 10, zones, -1, SQLITE_STATIC);
		if (event_str(ev, "affiliation") != NULL)
			sqlite3_bind_text(st, 11, event_str(ev, "affiliation"), -1,
			    SQLITE_STATIC);
	}
	if (ev->kind == KIND_KEY_CERT) {
		sqlite3_bind_int64(st, 12, event_int(ev, "not_before"));
		sqlite3_bind_int64(st, 13, event_int(ev, "not_after"));
	}
	sqlite3_bind_blob(st, 14, buf, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 15, now);
	if ((e = step_done(db, st, "storing the envelope", reason)) != TRUSTDB_OK)
		goto out;
	/* A vouch introduces an operator root, a key_cert a relay key. */
	if (ev->kind == KIND_VOUCH || ev->kind == KIND_KEY_CERT) {
		b64 = event_str(ev, "subject_key");
		encoding_b64_decode(b64, strlen(b64), pk, sizeof(pk), &n);
		e = put_key(db, pk, event_str(ev, "subject_name"), reason);
	}
out:
	sqlite3_finalize(st);
	free(zones);
	return e;
}

/*
 * A key_revoke by a key that is not its origin's root must come from a key
 * that root certified: the signature proves the key, and only a
 * certificate ties the key to the operator it names (membership.h).
 * (vouch, unvouch and key_cert are signed by the origin's root itself:
 * the protocol library checked it.)
 */
static enum trustdb_err
check_author(struct trustdb *db, const struct event *ev,
    struct trustdb_import_stats *stats, char *reason)
{
	char k[KEY_ID_HEX_LEN + 1], o[KEY_ID_HEX_LEN + 1];
	sqlite3_stmt *st = NULL;
	enum trustdb_err e;
	int rc;

	if (ev->kind != KIND_KEY_REVOKE || memcmp(ev->key, ev->origin, KEY_ID_LEN) == 0)
		return TRUSTDB_OK;
	if ((e = prepare(db, "SELECT 1 FROM events WHERE kind = 'key_cert' AND "
	    "origin = ?1 AND subject = ?2 LIMIT 1", &st, reason)) != TRUSTDB_OK)
		return e;
	bind_hex(st, 1, ev->origin);
	bind_hex(st, 2, ev->key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		stats->proto = PROTO_E_ORIGIN_MISMATCH;
		e = trustdb_fail(reason, TRUSTDB_E_REJECTED, "origin_mismatch: "
		    "key_revoke signed by key %.16s... for operator %.16s..., "
		    "whose root never certified that key", HEX(k, ev->key),
		    HEX(o, ev->origin));
	} else if (rc != SQLITE_ROW)
		e = trustdb_sql_fail(db, rc, "looking up a certificate", reason);
	sqlite3_finalize(st);
	return e;
}

static enum trustdb_err
is_stored(struct trustdb *db, const unsigned char id[KEY_ID_LEN], bool *yes,
    char *reason)
{
	sqlite3_stmt *st = NULL;
	enum trustdb_err e;
	int rc;

	if ((e = prepare(db, "SELECT 1 FROM events WHERE id = ?1", &st, reason))
	    != TRUSTDB_OK)
		return e;
	bind_hex(st, 1, id);
	rc = sqlite3_step(st);
	*yes = rc == SQLITE_ROW;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		e = trustdb_sql_fail(db, rc, "looking up an envelope", reason);
	sqlite3_finalize(st);
	return e;
}

/* Check and store one event whose envelope was parsed and verified
 * (inside the caller's transaction): its kind, net, author, expiry and
 * date; a duplicate is counted, not stored again. */
static enum trustdb_err
import_checked(struct trustdb *db, const struct event *ev, const char *buf,
    size_t len, long long now, struct trustdb_import_stats *stats, char *reason)
{
	char hex[KEY_ID_HEX_LEN + 1];
	enum trustdb_err e;
	bool dup;

	switch (ev->kind) {
	case KIND_VOUCH: case KIND_UNVOUCH: case KIND_KEY_CERT: case KIND_KEY_REVOKE:
		break;
	default:
		return trustdb_fail(reason, TRUSTDB_E_WRONG_KIND,
		    "a %s envelope does not belong in the trust database "
		    "(vouch, unvouch, key_cert, key_revoke only)", kind_name(ev->kind));
	}
	if ((e = check_net(db, ev, reason)) != TRUSTDB_OK)
		return e;
	if ((e = check_author(db, ev, stats, reason)) != TRUSTDB_OK)
		return e;
	if (ev->has_exp && ev->exp <= now)
		return trustdb_fail(reason, TRUSTDB_E_EXPIRED,
		    "%s %s expired at %lld (now %lld)", kind_name(ev->kind),
		    HEX(hex, ev->id), ev->exp, now);
	if (ev->ts > now + TRUSTDB_SKEW)
		return trustdb_fail(reason, TRUSTDB_E_FUTURE,
		    "%s %s is dated %lld, more than %d s after now (%lld)",
		    kind_name(ev->kind), HEX(hex, ev->id), ev->ts, TRUSTDB_SKEW, now);
	if ((e = is_stored(db, ev->id, &dup, reason)) != TRUSTDB_OK)
		return e;
	if (dup) {
		stats->duplicates++;
		return TRUSTDB_OK;
	}
	if ((e = store_event(db, ev, buf, len, now, reason)) != TRUSTDB_OK)
		return e;
	stats->imported++;
	return TRUSTDB_OK;
}

/* Verify, check and store one envelope (inside the caller's transaction). */
static enum trustdb_err
import_one(struct trustdb *db, const char *buf, size_t len, long long now,
    struct trustdb_import_stats *stats, char *reason)
{
	char preason[PROTO_REASON_MAX];
	struct envelope *env = NULL;
	struct event *ev = NULL;
	enum trustdb_err e;
	enum proto_err pe;

	pe = open_envelope(buf, len, trustdb_lookup_known, db, 0, &env, &ev,
	    preason);
	if (pe != PROTO_OK) {
		stats->proto = pe;
		e = map_open_error(pe, preason, reason);
	} else
		e = import_checked(db, ev, buf, len, now, stats, reason);
	event_free(ev);
	envelope_free(env);
	return e;
}

static bool
blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)p[i]))
			return false;
	return true;
}

enum trustdb_err
trustdb_import(struct trustdb *db, const char *buf, size_t len, long long now,
    struct trustdb_import_stats *stats, char *reason)
{
	struct trustdb_import_stats local;
	struct envelope *whole = NULL;
	char sub[TRUSTDB_REASON_MAX];
	enum trustdb_err e;
	size_t off = 0;

	if (stats == NULL)
		stats = &local;
	memset(stats, 0, sizeof(*stats));
	if (len > TRUSTDB_IMPORT_MAX)
		return trustdb_fail(reason, TRUSTDB_E_INVALID_ARG,
		    "import larger than %u bytes", TRUSTDB_IMPORT_MAX);
	if (blank(buf, len))
		return trustdb_fail(reason, TRUSTDB_E_INVALID_ARG,
		    "nothing to import");
	if ((e = trustdb_exec(db, "BEGIN IMMEDIATE", reason)) != TRUSTDB_OK)
		return e;
	/* One envelope, however it is spaced; else one envelope per line. */
	if (len <= ENVELOPE_MAX && envelope_parse(buf, len, &whole, NULL) == PROTO_OK) {
		stats->line = 1;
		if ((e = import_one(db, buf, len, now, stats, reason)) != TRUSTDB_OK)
			goto out;
	} else {
		while (off < len) {
			const char *nl = memchr(buf + off, '\n', len - off);
			size_t n = nl ? (size_t)(nl - (buf + off)) : len - off;
			stats->line++;
			if (!blank(buf + off, n) &&
			    (e = import_one(db, buf + off, n, now, stats, sub)) != TRUSTDB_OK) {
				trustdb_fail(reason, e, "line %zu: %s", stats->line, sub);
				goto out;
			}
			off += n + 1;
		}
	}
	e = trustdb_exec(db, "COMMIT", reason);
out:
	if (e != TRUSTDB_OK) {
		trustdb_rollback(db);
		stats->imported = stats->duplicates = 0;
	}
	envelope_free(whole);
	return e;
}

enum trustdb_err
trustdb_import_verified(struct trustdb *db, const struct event *ev,
    const char *buf, size_t len, long long now,
    struct trustdb_import_stats *stats, char *reason)
{
	struct trustdb_import_stats local;
	unsigned char pk[KEY_PUBLIC_LEN];
	char hex[KEY_ID_HEX_LEN + 1];
	enum trustdb_err e;

	if (stats == NULL)
		stats = &local;
	memset(stats, 0, sizeof(*stats));
	stats->line = 1;
	/* the signer must be a key the database knows, as for an import
	 * that verifies (the caller verified with that key) */
	if (!trustdb_lookup_known(db, ev->key, pk)) {
		stats->proto = PROTO_E_UNKNOWN_KEY;
		return trustdb_fail(reason, TRUSTDB_E_UNKNOWN_SIGNER,
		    "no public key known for keyid %s (pin its operator's root, or "
		    "import the vouch or key_cert that introduces it, first)",
		    HEX(hex, ev->key));
	}
	if ((e = trustdb_exec(db, "BEGIN IMMEDIATE", reason)) != TRUSTDB_OK)
		return e;
	if ((e = import_checked(db, ev, buf, len, now, stats, reason)) == TRUSTDB_OK)
		e = trustdb_exec(db, "COMMIT", reason);
	if (e != TRUSTDB_OK) {
		trustdb_rollback(db);
		stats->imported = stats->duplicates = 0;
	}
	return e;
}

enum trustdb_err
trustdb_export(struct trustdb *db, int (*fn)(void *, const char *, size_t),
    void *ctx, char *reason)
{
	sqlite3_stmt *st = NULL;
	enum trustdb_err e;
	int rc;

	if ((e = prepare(db, "SELECT envelope FROM events ORDER BY rowid", &st,
	    reason)) != TRUSTDB_OK)
		return e;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (fn(ctx, sqlite3_column_blob(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0)) != 0) {
			e = trustdb_fail(reason, TRUSTDB_E_INVALID_ARG,
			    "export stopped by the caller");
			goto out;
		}
	}
	if (rc != SQLITE_DONE)
		e = trustdb_sql_fail(db, rc, "reading envelopes", reason);
out:
	sqlite3_finalize(st);
	return e;
}

/* strdup of a text column; "" for NULL when empty_for_null, else NULL. */
static int
col_strdup(sqlite3_stmt *st, int col, bool empty_for_null, char **out)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	*out = NULL;
	if (s == NULL && !empty_for_null)
		return 0;
	*out = strdup(s ? s : "");
	return *out ? 0 : -1;
}

static int
col_id(sqlite3_stmt *st, int col, unsigned char out[KEY_ID_LEN])
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	return s != NULL && encoding_hex_decode(s, out, KEY_ID_LEN) == 0 ? 0 : -1;
}

/* Grow *arr (of *n elements of size sz) by one zeroed element. */
static void *
grow(void **arr, size_t *n, size_t *cap, size_t sz)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		void *na = realloc(*arr, nc * sz);
		if (na == NULL)
			return NULL;
		*arr = na;
		*cap = nc;
	}
	memset((char *)*arr + *n * sz, 0, sz);
	return (char *)*arr + (*n)++ * sz;
}

static enum trustdb_err
load_keys(struct trustdb *db, struct trust_records *r, char *reason)
{
	sqlite3_stmt *st = NULL;
	struct trust_keyrec *k;
	size_t cap = 0;
	enum trustdb_err e;
	int rc;

	if ((e = prepare(db, "SELECT id, pk, name FROM keys ORDER BY id", &st,
	    reason)) != TRUSTDB_OK)
		return e;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((k = grow((void **)&r->keys, &r->nkeys, &cap, sizeof(*k))) == NULL) {
			e = trustdb_fail(reason, TRUSTDB_E_NOMEM, "out of memory");
			goto out;
		}
		if (col_id(st, 0, k->id) != 0 ||
		    sqlite3_column_bytes(st, 1) != KEY_PUBLIC_LEN) {
			e = trustdb_fail(reason, TRUSTDB_E_CORRUPT,
			    "%s: table keys: malformed row", trustdb_path(db));
			goto out;
		}
		memcpy(k->pk, sqlite3_column_blob(st, 1), KEY_PUBLIC_LEN);
		if (sqlite3_column_text(st, 2) != NULL)
			snprintf(k->name, sizeof(k->name), "%s",
			    (const char *)sqlite3_column_text(st, 2));
	}
	if (rc != SQLITE_DONE)
		e = trustdb_sql_fail(db, rc, "reading keys", reason);
out:
	sqlite3_finalize(st);
	return e;
}

static enum trustdb_err
load_pins(struct trustdb *db, struct trust_records *r, char *reason)
{
	sqlite3_stmt *st = NULL;
	struct trust_pin *p;
	size_t cap = 0;
	enum trustdb_err e;
	int rc;

	if ((e = prepare(db, "SELECT operator, zones, created, name FROM pins "
	    "ORDER BY operator", &st, reason)) != TRUSTDB_OK)
		return e;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((p = grow((void **)&r->pins, &r->npins, &cap, sizeof(*p))) == NULL ||
		    col_strdup(st, 1, true, &p->zones) != 0) {
			e = trustdb_fail(reason, TRUSTDB_E_NOMEM, "out of memory");
			goto out;
		}
		if (col_id(st, 0, p->op) != 0) {
			e = trustdb_fail(reason, TRUSTDB_E_CORRUPT,
			    "%s: table pins: malformed row", trustdb_path(db));
			goto out;
		}
		p->created = sqlite3_column_int64(st, 2);
		if (sqlite3_column_text(st, 3) != NULL)
			snprintf(p->name, sizeof(p->name), "%s",
			    (const char *)sqlite3_column_text(st, 3));
	}
	if (rc != SQLITE_DONE)
		e = trustdb_sql_fail(db, rc, "reading pins", reason);
out:
	sqlite3_finalize(st);
	return e;
}

static enum trustdb_err
load_stmts(struct trustdb *db, struct trust_records *r, char *reason)
{
	sqlite3_stmt *st = NULL;
	struct trust_stmt *s;
	size_t cap = 0;
	enum trustdb_err e;
	int rc;

	if ((e = prepare(db, "SELECT kind, id, origin, key, subject, seq, ts, exp, "
	    "zones, affiliation, not_before, not_after FROM events ORDER BY rowid",
	    &st, reason)) != TRUSTDB_OK)
		return e;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((s = grow((void **)&r->stmts, &r->nstmts, &cap, sizeof(*s))) == NULL) {
			e = trustdb_fail(reason, TRUSTDB_E_NOMEM, "out of memory");
			goto out;
		}
		s->kind = kind_from_name((const char *)sqlite3_column_text(st, 0));
		if (s->kind == KIND__COUNT || col_id(st, 1, s->id) != 0 ||
		    col_id(st, 2, s->origin) != 0 || col_id(st, 3, s->key) != 0 ||
		    col_id(st, 4, s->subject) != 0) {
			r->nstmts--;
			e = trustdb_fail(reason, TRUSTDB_E_CORRUPT,
			    "%s: table events: malformed row", trustdb_path(db));
			goto out;
		}
		s->seq = sqlite3_column_int64(st, 5);
		s->ts = sqlite3_column_int64(st, 6);
		if ((s->has_exp = sqlite3_column_type(st, 7) != SQLITE_NULL))
			s->exp = sqlite3_column_int64(st, 7);
		s->not_before = sqlite3_column_int64(st, 10);
		s->not_after = sqlite3_column_int64(st, 11);
		if (col_strdup(st, 8, s->kind == KIND_VOUCH, &s->zones) != 0 ||
		    col_strdup(st, 9, false, &s->affiliation) != 0) {
			e = trustdb_fail(reason, TRUSTDB_E_NOMEM, "out of memory");
			goto out;
		}
	}
	if (rc != SQLITE_DONE)
		e = trustdb_sql_fail(db, rc, "reading envelopes", reason);
out:
	sqlite3_finalize(st);
	return e;
}

enum trustdb_err
trustdb_load(struct trustdb *db, struct trust_records **out, char *reason)
{
	struct trust_records *r;
	enum trustdb_err e;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return trustdb_fail(reason, TRUSTDB_E_NOMEM, "out of memory");
	/* One read transaction: the three tables from the same moment. */
	if ((e = trustdb_exec(db, "BEGIN", reason)) != TRUSTDB_OK)
		goto out;
	if ((e = load_keys(db, r, reason)) != TRUSTDB_OK ||
	    (e = load_pins(db, r, reason)) != TRUSTDB_OK ||
	    (e = load_stmts(db, r, reason)) != TRUSTDB_OK)
		goto out;
	if ((e = trustdb_exec(db, "COMMIT", reason)) != TRUSTDB_OK)
		goto out;
	*out = r;
	r = NULL;
out:
	if (e != TRUSTDB_OK)
		trustdb_rollback(db);
	trust_records_free(r);
	return e;
}
