/*
 * relay/quorum/renew.c — keep the operator's assessments alive for the lifetime
 * its staff asked for.
 *
 * An assessment event lives at most 6 hours (PROTOCOL.md 6.2, the kind's
 * maximum), but recommends an NTA for up to 7 days (`lifetime`). When an
 * assessment this relay signed is about to expire while its lifetime runs
 * on, the relay signs it again: the same zone, verdict, recommendation,
 * note and refs, `lifetime` the time still left (so that ts + lifetime, the
 * end the staff asked for, stays the same), and `x_renewal_of` the id of
 * the assessment first submitted (an extension member: signed, ignored by
 * the protocol). It stops when the lifetime ends, when a newer assessment
 * of the same operator for the zone exists (whoever signed it), or when
 * the assessment or the one it renews was withdrawn. Withdrawing the
 * submitted assessment withdraws its live renewals too (renew_withdrawn).
 *
 * Runs on the loop thread; a check a minute.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "proto/encoding.h"
#include "proto/envelope.h"
#include "relay/quorum/decide.h"
#include "relay/fed/publish.h"
#include "relay/core/log.h"
#include "relay/quorum/renew.h"
#include "relay/fed/storefault.h"

#define RENEW_TICK_MS (60 * 1000)
#define RENEW_AHEAD 900          /* re-sign when less than this is left */
#define RENEW_MIN 60             /* the smallest lifetime an assessment takes */

typedef void (*each_cb)(struct relay *r, struct event *ev, void *arg);

/* Every live assessment signed by this relay's key (of zone, or any),
 * newest first, parsed. */
static void
each_own(struct relay *r, const char *zone, each_cb cb, void *arg)
{
	sqlite3 *db = store_sqlite(r->store);
	const struct key_public *pub = key_secret_public(r->key);
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, zone ?
	    "SELECT envelope FROM events WHERE kind = 1 AND key = ?1 AND exp > ?2 "
	    "AND zone = ?3 ORDER BY ts DESC, seq DESC" :
	    "SELECT envelope FROM events WHERE kind = 1 AND key = ?1 AND exp > ?2 "
	    "ORDER BY ts DESC, seq DESC", -1, &st, NULL) != SQLITE_OK) {
		log_err("renew: %s", sqlite3_errmsg(db));
		return;
	}
	sqlite3_bind_blob(st, 1, pub->id, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, relay_now());
	if (zone)
		sqlite3_bind_text(st, 3, zone, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char reason[PROTO_REASON_MAX];
		struct envelope *env = NULL;
		struct event *ev = NULL;

		if (envelope_parse(sqlite3_column_blob(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0), &env, reason) == PROTO_OK &&
		    event_parse(env, &ev, reason) == PROTO_OK)
			cb(r, ev, arg);
		event_free(ev);
		envelope_free(env);
	}
	sqlite3_finalize(st);
}

/* Is there an assessment of ev's origin for ev's zone newer than ev? */
static bool
superseded(struct relay *r, const struct event *ev)
{
	sqlite3 *db = store_sqlite(r->store);
	sqlite3_stmt *st;
	bool newer = false;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM events WHERE kind = 1 AND "
	    "zone = ?1 AND origin = ?2 AND (ts > ?3 OR (ts = ?3 AND key = ?4 AND "
	    "seq > ?5)) LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return true;       /* in doubt, do not sign */
	sqlite3_bind_text(st, 1, ev->zone, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, ev->origin, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, ev->ts);
	sqlite3_bind_blob(st, 4, ev->key, KEY_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, ev->seq);
	newer = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return newer;
}

/* The id of the assessment first submitted: x_renewal_of, or its own. */
static void
original_of(const struct event *ev, unsigned char out[KEY_ID_LEN])
{
	const char *o = event_str(ev, "x_renewal_of");

	if (o == NULL || encoding_hex_decode(o, out, KEY_ID_LEN) != 0)
		memcpy(out, ev->id, KEY_ID_LEN);
}

struct seen {
	char zones[64][ZONE_TEXT_MAX + 1];
	size_t n;
};

static void
renew_one(struct relay *r, struct event *ev, void *arg)
{
	struct seen *s = arg;
	unsigned char orig[KEY_ID_LEN];
	char orighex[KEY_ID_HEX_LEN + 1], why[PROTO_REASON_MAX];
	long long now = relay_now(), end, left;
	const char *note;
	json_t *f, *refs;
	size_t i;

	/* newest first: only the newest of each zone is considered */
	for (i = 0; i < s->n; i++)
		if (strcmp(s->zones[i], ev->zone) == 0)
			return;
	if (s->n < sizeof(s->zones) / sizeof(s->zones[0]))
		snprintf(s->zones[s->n++], sizeof(s->zones[0]), "%s", ev->zone);
	end = ev->ts + event_int(ev, "lifetime");
	left = end - now;
	if (end <= ev->exp || ev->exp - now > RENEW_AHEAD || left < RENEW_MIN)
		return;     /* ends with the event, not due yet, or over */
	original_of(ev, orig);
	if (decide_withdrawn(r, ev->id, ev->origin) ||
	    decide_withdrawn(r, orig, ev->origin) || superseded(r, ev))
		return;
	refs = json_array();
	for (i = 0; i < ev->nrefs; i++) {
		char h[KEY_ID_HEX_LEN + 1];
		json_array_append_new(refs, json_string(encoding_hex_encode(
		    ev->refs[i], KEY_ID_LEN, h)));
	}
	encoding_hex_encode(orig, KEY_ID_LEN, orighex);
	f = json_pack("{s:s,s:s,s:b,s:I,s:o,s:s}", "zone", ev->zone,
	    "verdict", event_str(ev, "verdict"),
	    "recommend_nta", event_bool(ev, "recommend_nta"),
	    "lifetime", (json_int_t)left, "refs", refs, "x_renewal_of", orighex);
	if ((note = event_str(ev, "note")) != NULL)
		json_object_set_new(f, "note", json_string(note));
	if (publish_own_id(r->fed, KIND_ASSESSMENT, f, left < kind_max_lifetime(
	    KIND_ASSESSMENT) ? (long)left : (long)kind_max_lifetime(KIND_ASSESSMENT),
	    NULL, why, sizeof(why)) != 0)
		log_err("renew: assessment of %s (%.16s...): %s", ev->zone, orighex,
		    why[0] ? why : "not signed");
	else
		log_info("renew: assessment of %s re-signed (%.16s..., %lld s left)",
		    ev->zone, orighex, left);
}

static void
tick(void *arg)
{
	struct relay *r = arg;
	struct seen s = { .n = 0 };

	loop_timer_add(r->loop, RENEW_TICK_MS, tick, r);
	/* what is due now is due at the first tick the store writes again */
	if (!storefault_writable(r->fed))
		return;
	publish_begin(r->fed);
	each_own(r, NULL, renew_one, &s);
}

void
renew_start(struct relay *r)
{
	loop_timer_add(r->loop, 5000, tick, r);
}

struct wd_ctx {
	unsigned char target[KEY_ID_LEN];
};

static void
withdraw_renewal(struct relay *r, struct event *ev, void *arg)
{
	struct wd_ctx *c = arg;
	unsigned char orig[KEY_ID_LEN];
	char h[KEY_ID_HEX_LEN + 1];

	original_of(ev, orig);
	if (memcmp(orig, c->target, KEY_ID_LEN) != 0 ||
	    memcmp(ev->id, c->target, KEY_ID_LEN) == 0 ||
	    decide_withdrawn(r, ev->id, ev->origin))
		return;
	if (publish_own(r->fed, KIND_WITHDRAW, json_pack("{s:s,s:s}", "target",
	    encoding_hex_encode(ev->id, KEY_ID_LEN, h), "note",
	    "withdrawn with the assessment it renews"), 7 * 86400) == 0)
		log_info("renew: withdrew the renewal %s with its original", h);
}

void
renew_withdrawn(struct relay *r, const char *target_hex)
{
	struct wd_ctx c;
	char zone[ZONE_TEXT_MAX + 1];

	if (encoding_hex_decode(target_hex, c.target, KEY_ID_LEN) != 0 ||
	    store_lookup(r->store, c.target, NULL, zone, sizeof(zone), NULL,
	    NULL) != 1 || zone[0] == '\0')
		return;
	each_own(r, zone, withdraw_renewal, &c);
}
