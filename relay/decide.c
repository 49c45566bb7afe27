/*
 * relay/decide.c — the quorum engine at work; see decide.h.
 *
 * A zone is evaluated from the store, never from a cache of events: the
 * store holds exactly the accepted events, so what the engine counts and
 * what /v1/events shows cannot drift apart. Evaluation reads the zone's
 * observations, assessments and statements that were live at the start of
 * the sustained-validation window (LIMIT ZONE_EVENTS_MAX, newest first),
 * asks the trust index about each signer at `now`, and hands them to
 * quorum_evaluate(). What a decision is (for "did it change?") is a digest
 * of its state, lifetime, fingerprints, veto and the set of votes: the
 * list of events behind a vote changes every time a vantage point
 * refreshes its observation, and that is not news.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto/encoding.h"
#include "proto/envelope.h"
#include "proto/event.h"
#include "relay/decide.h"
#include "relay/gossip.h"
#include "relay/log.h"
#include "relay/notify.h"
#include "relay/quorum.h"
#include "relay/relay.h"

#define ZONE_EVENTS_MAX 8192      /* events read per evaluation */
#define VOTES_MAX 128             /* the decision schema's limit */
#define DECISION_LIFETIME 86400   /* exp of a decision event */
#define DECISION_REFRESH 43200    /* re-sign an unchanged one after this */
#define HISTORY_MAX 50
#define TICK_MS 100
/* An evaluation reads and parses the zone's live events: cheap for a
 * zone in an ordinary incident, not for one flooded with events. After an
 * evaluation that took C ms the zone waits BUDGET * C ms before the next
 * one, so that evaluating stays under 1/BUDGET of the loop's time. */
#define BUDGET 20

struct dzone {
	char zone[ZONE_TEXT_MAX + 1];
	enum quorum_state state;
	long long since, changed;
	long lifetime;
	long long nta_until;
	unsigned char digest[crypto_hash_sha256_BYTES];
	bool has_event;
	unsigned char event[KEY_ID_LEN];  /* the relay's last decision */
	long long published;              /* its ts */
	long long next_change;            /* 0: none */
	bool dirty;
	long long next_eval_ms;           /* not before (loop_now_ms) */
	json_t *summary;                  /* GET /v1/zones: the last evaluation */
};

struct withdrawal {
	unsigned char target[KEY_ID_LEN];
	unsigned char origin[KEY_ID_LEN];
};

struct decide {
	struct dzone *z;
	size_t n, cap;
	struct withdrawal *wd;
	size_t nwd, capwd;
	bool all;                          /* evaluate every zone */
};

/* One evaluation: the zone's events parsed, and the rule's answer. */
struct eval {
	struct event **ev;
	struct quorum_event *qe;
	size_t n;
	struct quorum_vote votes[VOTES_MAX];
	struct quorum_result res;
	struct quorum_policy pol;
	long long now;
};

/* ------------------------------------------------------------ zones */

static struct dzone *
zone_find(struct decide *d, const char *zone)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->z[i].zone, zone) == 0)
			return &d->z[i];
	return NULL;
}

static struct dzone *
zone_get(struct decide *d, const char *zone)
{
	struct dzone *z = zone_find(d, zone);

	if (z != NULL)
		return z;
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 16;
		struct dzone *nz = realloc(d->z, cap * sizeof(*nz));
		if (nz == NULL)
			return NULL;
		d->z = nz;
		d->cap = cap;
	}
	z = &d->z[d->n++];
	memset(z, 0, sizeof(*z));
	snprintf(z->zone, sizeof(z->zone), "%s", zone);
	z->state = QS_CLEAR;
	return z;
}

static bool
withdrawn_id(const struct decide *d, const unsigned char id[KEY_ID_LEN],
    const unsigned char origin[KEY_ID_LEN])
{
	for (size_t i = 0; d && i < d->nwd; i++)
		if (memcmp(d->wd[i].target, id, KEY_ID_LEN) == 0 &&
		    memcmp(d->wd[i].origin, origin, KEY_ID_LEN) == 0)
			return true;
	return false;
}

static bool
withdrawn(const struct decide *d, const struct event *ev)
{
	return withdrawn_id(d, ev->id, ev->origin);
}

bool
decide_withdrawn(struct relay *r, const unsigned char id[KEY_ID_LEN],
    const unsigned char origin[KEY_ID_LEN])
{
	return withdrawn_id(r->decide, id, origin);
}

static void
withdrawal_add(struct decide *d, const unsigned char target[KEY_ID_LEN],
    const unsigned char origin[KEY_ID_LEN])
{
	if (d->nwd == d->capwd) {
		size_t cap = d->capwd ? 2 * d->capwd : 16;
		struct withdrawal *nw = realloc(d->wd, cap * sizeof(*nw));
		if (nw == NULL) {
			log_err("decide: out of memory recording a withdrawal");
			return;
		}
		d->wd = nw;
		d->capwd = cap;
	}
	memcpy(d->wd[d->nwd].target, target, KEY_ID_LEN);
	memcpy(d->wd[d->nwd].origin, origin, KEY_ID_LEN);
	d->nwd++;
}

/* ------------------------------------------------------------ store */

/* Parse a stored envelope (verified when it was accepted). */
static struct event *
parse_stored(const void *raw, size_t len)
{
	char reason[PROTO_REASON_MAX];
	struct envelope *env = NULL;
	struct event *ev = NULL;

	if (envelope_parse(raw, len, &env, reason) != PROTO_OK ||
	    event_parse(env, &ev, reason) != PROTO_OK) {
		log_err("decide: a stored event does not parse: %s", reason);
		ev = NULL;
	}
	envelope_free(env);
	return ev;
}

typedef void (*row_cb)(void *arg, struct event *ev);

/* Run sql with up to three bound values (text zone, int64 a, blob id),
 * handing each row's envelope (column 0) parsed to cb, which owns it. */
static int
each_event(struct relay *r, const char *sql, const char *zone, long long a,
    const unsigned char *blob, row_cb cb, void *arg)
{
	sqlite3 *db = store_sqlite(r->store);
	sqlite3_stmt *st;
	int rc, i = 1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_err("decide: %s", sqlite3_errmsg(db));
		return -1;
	}
	if (zone)
		sqlite3_bind_text(st, i++, zone, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, i++, a);
	if (blob)
		sqlite3_bind_blob(st, i++, blob, KEY_ID_LEN, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct event *ev = parse_stored(sqlite3_column_blob(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0));
		if (ev)
			cb(arg, ev);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		log_err("decide: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

static void
collect(void *arg, struct event *ev)
{
	struct eval *e = arg;
	struct event **nv;

	if ((nv = realloc(e->ev, (e->n + 1) * sizeof(*nv))) == NULL) {
		event_free(ev);
		return;
	}
	e->ev = nv;
	e->ev[e->n++] = ev;
}

static void
eval_free(struct eval *e)
{
	for (size_t i = 0; i < e->n; i++)
		event_free(e->ev[i]);
	free(e->ev);
	free(e->qe);
	memset(e, 0, sizeof(*e));
}

static int
enum_index(const char *const *names, const char *v)
{
	for (int i = 0; v && names[i]; i++)
		if (strcmp(names[i], v) == 0)
			return i;
	return 0;
}

/* Evaluate zone at now into *e (eval_free it). */
static int
evaluate(struct relay *r, const char *zone, long long now, struct eval *e)
{
	const struct relay_config *c = &r->cfg;
	unsigned char flagged[64][KEY_ID_LEN];
	size_t nflagged = 0;

	memset(e, 0, sizeof(*e));
	e->now = now;
	e->pol.quorum = c->quorum;
	e->pol.members = (int)trust_index_votes(r->tidx);
	e->pol.evidence = c->quorum_evidence;
	e->pol.resolve_after = c->resolve_after;
	e->pol.max_lifetime = c->nta_max_lifetime;
	e->pol.veto_assessment = c->veto_attack_assessment;
	e->pol.veto_unbacked = c->veto_unbacked;
	e->pol.veto_statement = c->veto_zone_statement;
	/* the newest KEY_EVENTS of each key and kind: enough for the current
	 * view and a validation run (a longer run is counted from the oldest
	 * read, which only errs on the safe side), and a member flooding a
	 * zone cannot push the others' events out */
	if (each_event(r, "SELECT envelope FROM (SELECT envelope, ROW_NUMBER() "
	    "OVER (PARTITION BY key, kind ORDER BY seq DESC) AS n FROM events "
	    "WHERE zone = ?1 AND kind IN (0, 1, 2) AND exp > ?2) WHERE n <= 64 "
	    "LIMIT 8192", zone, now - c->resolve_after, NULL, collect, e) != 0)
		return -1;
	if (e->n && (e->qe = calloc(e->n, sizeof(*e->qe))) == NULL)
		return -1;
	/* an operator caught equivocating stops counting until a person
	 * clears the flag (DESIGN.md §5; ntactl equivocation clear) */
	if (store_flagged_origins(r->store, flagged, 64, &nflagged) != 0)
		nflagged = 0;
	for (size_t i = 0; i < e->n; i++) {
		const struct event *ev = e->ev[i];
		struct quorum_event *q = &e->qe[i];
		struct trust_answer a;

		memcpy(q->id, ev->id, KEY_ID_LEN);
		memcpy(q->origin, ev->origin, KEY_ID_LEN);
		memcpy(q->key, ev->key, KEY_ID_LEN);
		q->kind = ev->kind;
		q->seq = ev->seq;
		q->ts = ev->ts;
		q->exp = ev->exp;
		/* who counts is asked now: a revoked key stops at once */
		bool equivocated = false;

		for (size_t k = 0; k < nflagged; k++)
			equivocated |= memcmp(flagged[k], ev->origin, KEY_ID_LEN) == 0;
		if (!equivocated &&
		    trust_index_lookup(r->tidx, ev->key, ev->origin, now, &a) && a.vote_id &&
		    a.operator_id && memcmp(a.operator_id, ev->origin,
		    KEY_ID_LEN) == 0) {
			q->counts = true;
			memcpy(q->vote, a.vote_id, KEY_ID_LEN);
			q->zone_operator = trust_index_may_speak(r->tidx, &a, zone);
		}
		q->withdrawn = withdrawn(r->decide, ev);
		switch (ev->kind) {
		case KIND_OBSERVATION: {
			const char *fp = event_str(ev, "fingerprint");
			q->obs = (enum quorum_obs)enum_index(kind_obs_states,
			    event_str(ev, "state"));
			q->has_fp = fp != NULL &&
			    encoding_hex_decode(fp, q->fp, KEY_ID_LEN) == 0;
			break;
		}
		case KIND_ASSESSMENT:
			q->verdict = (enum quorum_verdict)enum_index(kind_verdicts,
			    event_str(ev, "verdict"));
			q->recommend = event_bool(ev, "recommend_nta");
			q->lifetime = (long)event_int(ev, "lifetime");
			break;
		default:
			q->status = (enum quorum_status)enum_index(
			    kind_statement_status, event_str(ev, "status"));
			break;
		}
	}
	e->res.votes = e->votes;
	e->res.cap = VOTES_MAX;
	quorum_evaluate(e->qe, e->n, &e->pol, now, &e->res);
	return 0;
}

/* ------------------------------------------------------------ decisions */

static json_t *
hexj(const unsigned char *id)
{
	char h[KEY_ID_HEX_LEN + 1];

	return json_string(encoding_hex_encode(id, KEY_ID_LEN, h));
}

/* What makes a decision different from another: state, lifetime,
 * fingerprints, veto event, votes. From an evaluation, or from a
 * published decision's fields (fields != NULL). */
static void
digest_of(const char *state, long lifetime, const json_t *fps,
    const char *veto, const json_t *votes, unsigned char out[32])
{
	crypto_hash_sha256_state h;
	char buf[64];
	size_t i;
	json_t *v;

	crypto_hash_sha256_init(&h);
	crypto_hash_sha256_update(&h, (const unsigned char *)state, strlen(state) + 1);
	snprintf(buf, sizeof(buf), "%ld", lifetime);
	crypto_hash_sha256_update(&h, (const unsigned char *)buf, strlen(buf) + 1);
	json_array_foreach(fps, i, v)
		crypto_hash_sha256_update(&h, (const unsigned char *)
		    json_string_value(v), KEY_ID_HEX_LEN);
	crypto_hash_sha256_update(&h, (const unsigned char *)"|", 1);
	if (veto)
		crypto_hash_sha256_update(&h, (const unsigned char *)veto,
		    strlen(veto));
	crypto_hash_sha256_update(&h, (const unsigned char *)"|", 1);
	json_array_foreach(votes, i, v) {
		const char *o = json_string_value(json_object_get(v, "origin"));
		if (o)
			crypto_hash_sha256_update(&h, (const unsigned char *)o,
			    strlen(o));
	}
	crypto_hash_sha256_final(&h, out);
}

/* The decision kind's fields (PROTOCOL.md 6.10) for an evaluation. */
static json_t *
decision_fields(const struct eval *e, const char *zone, long long since)
{
	const struct quorum_result *q = &e->res;
	json_t *ops = json_array(), *fps = json_array(), *veto = json_null();

	for (size_t i = 0; i < q->nvotes && i < VOTES_MAX; i++) {
		json_t *ids = json_array();
		for (size_t k = 0; k < q->votes[i].nev; k++)
			json_array_append_new(ids, hexj(e->qe[q->votes[i].ev[k]].id));
		json_array_append_new(ops, json_pack("{s:o,s:o}", "origin",
		    hexj(q->votes[i].vote), "events", ids));
	}
	for (size_t i = 0; i < q->nfps; i++)
		json_array_append_new(fps, hexj(q->fps[i]));
	if (q->has_veto)
		veto = json_pack("{s:o,s:o,s:s}", "origin",
		    hexj(e->qe[q->veto_ev].origin), "event",
		    hexj(e->qe[q->veto_ev].id), "reason", q->veto_reason);
	return json_pack("{s:s,s:s,s:I,s:o,s:o,s:o,s:o}", "zone", zone,
	    "state", quorum_state_name(q->state), "since", (json_int_t)since,
	    "lifetime", q->state == QS_NTA_RECOMMENDED ?
	    json_integer(q->lifetime) : json_null(),
	    "operators", ops, "fingerprints", fps, "veto", veto);
}

static void
digest_fields(const json_t *f, unsigned char out[32])
{
	const json_t *veto = json_object_get(f, "veto");

	digest_of(json_string_value(json_object_get(f, "state")),
	    (long)json_integer_value(json_object_get(f, "lifetime")),
	    json_object_get(f, "fingerprints"), json_is_object(veto) ?
	    json_string_value(json_object_get(veto, "event")) : NULL,
	    json_object_get(f, "operators"), out);
}

static json_t *summary(struct relay *r, const struct dzone *z,
    const struct eval *e);

/* Re-evaluate one zone; publish and notify when its decision changed. */
static void
decide_zone(struct relay *r, struct dzone *z, long long now)
{
	unsigned char digest[32];
	struct eval e;
	json_t *fields;
	enum quorum_state prev = z->state;
	bool changed, refresh;

	long long t0 = loop_now_ms();

	z->dirty = false;
	if (evaluate(r, z->zone, now, &e) != 0) {
		eval_free(&e);
		z->dirty = true;   /* try again at the next tick */
		z->next_eval_ms = t0 + 1000;
		return;
	}
	z->next_change = e.res.next_change;
	fields = decision_fields(&e, z->zone, e.res.state == prev ? z->since : now);
	if (fields == NULL) {
		eval_free(&e);
		return;
	}
	digest_fields(fields, digest);
	changed = memcmp(digest, z->digest, sizeof(digest)) != 0;
	/* a zone never decided and clear needs no decision */
	if (!z->has_event && e.res.state == QS_CLEAR)
		changed = false;
	refresh = z->has_event && e.res.state != QS_CLEAR &&
	    now - z->published >= DECISION_REFRESH;
	if (changed || refresh) {
		unsigned char id[KEY_ID_LEN];

		if (e.res.state != prev) {
			z->since = now;
			json_object_set_new(fields, "since", json_integer(now));
		}
		if (changed)
			z->changed = now;
		memcpy(z->digest, digest, sizeof(digest));
		z->state = e.res.state;
		z->lifetime = e.res.lifetime;
		z->nta_until = e.res.nta_until;
		if (gossip_own_id(r, KIND_DECISION, json_incref(fields),
		    DECISION_LIFETIME, id, NULL, 0) == 0) {
			memcpy(z->event, id, KEY_ID_LEN);
			z->has_event = true;
			z->published = now;
		}
		if (changed) {
			r->metrics.decisions++;
			if (prev != z->state)
				log_notice("decision %s: %s -> %s (%s)", z->zone,
				    quorum_state_name(prev),
				    quorum_state_name(z->state), e.res.reason);
			else
				log_notice("decision %s: still %s, its operators, "
				    "fingerprints or lifetime changed (%s)", z->zone,
				    quorum_state_name(z->state), e.res.reason);
			if (r->notify) {
				json_t *doc = decide_zone_json(r, z->zone);
				if (doc)
					notify_decision(r->notify, doc,
					    quorum_state_name(prev));
				json_decref(doc);
			}
		}
	} else {
		z->lifetime = e.res.lifetime;
		z->nta_until = e.res.nta_until;
	}
	json_decref(z->summary);
	z->summary = e.res.state == QS_CLEAR ? NULL : summary(r, z, &e);
	json_decref(fields);
	eval_free(&e);
	z->next_eval_ms = loop_now_ms() + BUDGET * (loop_now_ms() - t0);
}

/* Evaluate the zones that wait for it; within the budget unless force. */
static void
flush(struct relay *r, bool force)
{
	struct decide *d = r->decide;
	long long now = relay_now();
	long long ms = loop_now_ms();

	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n; i++) {
		struct dzone *z = &d->z[i];
		if (d->all)
			z->dirty = true;
		if (!(z->dirty || (z->next_change && z->next_change <= now) ||
		    (z->has_event && z->state != QS_CLEAR &&
		    now - z->published >= DECISION_REFRESH)))
			continue;
		if (!force && ms < z->next_eval_ms) {
			z->dirty = true;   /* the tick comes back for it */
			continue;
		}
		decide_zone(r, z, now);
	}
	d->all = false;
}

void
decide_flush(struct relay *r)
{
	flush(r, false);
}

static void
tick(void *arg)
{
	struct relay *r = arg;

	gossip_begin(r);
	decide_flush(r);
	loop_timer_add(r->loop, TICK_MS, tick, r);
}

void
decide_event(struct relay *r, const struct event *ev)
{
	struct decide *d = r->decide;
	struct dzone *z;

	if (d == NULL)
		return;
	switch (ev->kind) {
	case KIND_OBSERVATION:
	case KIND_ASSESSMENT:
	case KIND_ZONE_STATEMENT:
		if ((z = zone_get(d, ev->zone)) != NULL)
			z->dirty = true;
		break;
	case KIND_WITHDRAW: {
		const char *t = event_str(ev, "target");
		unsigned char target[KEY_ID_LEN];
		if (t == NULL || encoding_hex_decode(t, target, KEY_ID_LEN) != 0)
			break;
		withdrawal_add(d, target, ev->origin);
		if (ev->zone[0] && (z = zone_get(d, ev->zone)) != NULL)
			z->dirty = true;
		break;
	}
	default:
		break;
	}
}

void
decide_all(struct relay *r)
{
	if (r->decide)
		r->decide->all = true;
}

/* ------------------------------------------------------------ start */

static void
load_withdrawal(void *arg, struct event *ev)
{
	struct relay *r = arg;
	const char *t = event_str(ev, "target");
	unsigned char target[KEY_ID_LEN];

	if (t && encoding_hex_decode(t, target, KEY_ID_LEN) == 0)
		withdrawal_add(r->decide, target, ev->origin);
	event_free(ev);
}

static void
load_decision(void *arg, struct event *ev)
{
	struct relay *r = arg;
	struct dzone *z = zone_get(r->decide, ev->zone);
	json_t *f = event_payload_json(ev);

	/* oldest first: the last one read is the relay's current decision */
	if (z != NULL && f != NULL) {
		const char *st = json_string_value(json_object_get(f, "state"));
		enum quorum_state s = st ? quorum_state_from_name(st) : QS__COUNT;
		if (s != QS__COUNT) {
			z->state = s;
			z->since = json_integer_value(json_object_get(f, "since"));
			z->changed = ev->ts;
			z->published = ev->ts;
			z->has_event = true;
			memcpy(z->event, ev->id, KEY_ID_LEN);
			digest_fields(f, z->digest);
		}
	}
	json_decref(f);
	event_free(ev);
}

static void
load_zone(void *arg, struct event *ev)
{
	struct relay *r = arg;
	struct dzone *z = zone_get(r->decide, ev->zone);

	if (z)
		z->dirty = true;
	event_free(ev);
}

int
decide_start(struct relay *r)
{
	long long now = relay_now();

	if ((r->decide = calloc(1, sizeof(*r->decide))) == NULL)
		return -1;
	if (each_event(r, "SELECT envelope FROM events WHERE kind = 3 AND ?1 = ?1",
	    NULL, 0, NULL, load_withdrawal, r) != 0 ||
	    each_event(r, "SELECT envelope FROM events WHERE kind = 9 AND ?1 = ?1 "
	    "AND origin = ?2 ORDER BY ts, seq", NULL, 0, r->origin, load_decision,
	    r) != 0 ||
	    each_event(r, "SELECT envelope FROM events WHERE rowid IN (SELECT "
	    "MIN(rowid) FROM events WHERE kind IN (0, 1, 2) AND exp > ?1 GROUP BY "
	    "zone)", NULL, now - r->cfg.resolve_after, NULL, load_zone, r) != 0)
		return -1;
	/* every zone with a decision or live events: evaluate now, publish
	 * only what changed while the relay was down */
	for (size_t i = 0; i < r->decide->n; i++)
		r->decide->z[i].dirty = true;
	log_info("quorum engine: %zu zones, %zu withdrawals; quorum %s%d, "
	    "quorum_evidence %d, resolve_after %d s", r->decide->n, r->decide->nwd,
	    r->cfg.quorum ? "" : "auto = ", r->cfg.quorum ? r->cfg.quorum :
	    quorum_default((int)trust_index_votes(r->tidx)), r->cfg.quorum_evidence,
	    r->cfg.resolve_after);
	loop_timer_add(r->loop, TICK_MS, tick, r);
	return 0;
}

void
decide_stop(struct relay *r)
{
	if (r->decide == NULL)
		return;
	for (size_t i = 0; i < r->decide->n; i++)
		json_decref(r->decide->z[i].summary);
	free(r->decide->z);
	free(r->decide->wd);
	free(r->decide);
	r->decide = NULL;
}

/* ------------------------------------------------------------ JSON */

static const char *const role_names[] = {
	"recommends", "confirms", "observes", "validates", "vetoes", "attack",
	"assesses", "states"
};

static json_t *
summary(struct relay *r, const struct dzone *z, const struct eval *e)
{
	const struct quorum_result *q = &e->res;
	json_t *fps = json_array();
	const char *vstate = quorum_state_name(q->state);

	(void)r;
	for (size_t i = 0; i < q->nfps; i++)
		json_array_append_new(fps, json_pack("{s:o,s:i}", "fingerprint",
		    hexj(q->fps[i]), "operators", q->fp_votes[i]));
	return json_pack("{s:s,s:s,s:I,s:I,s:o,s:o,s:o,s:o,s:i,s:i,s:i,s:i,s:i,"
	    "s:s,s:o}",
	    "zone", z ? z->zone : "",
	    "state", vstate,
	    "since", (json_int_t)(z && z->state == q->state ? z->since : e->now),
	    "changed", (json_int_t)(z ? z->changed : 0),
	    "lifetime", q->state == QS_NTA_RECOMMENDED ?
	    json_integer(q->lifetime) : json_null(),
	    "nta_until", q->state == QS_NTA_RECOMMENDED ?
	    json_integer(q->nta_until) : json_null(),
	    "fingerprints", fps,
	    "veto", q->has_veto ? json_pack("{s:o,s:o,s:s}", "origin",
	    hexj(e->qe[q->veto_ev].origin), "event", hexj(e->qe[q->veto_ev].id),
	    "reason", q->veto_reason) : json_null(),
	    "recommending", q->recommending, "observing", q->observing,
	    "validating", q->validating, "quorum", q->quorum,
	    "evidence", e->pol.evidence, "reason", q->reason,
	    "decision_event", z && z->has_event ? hexj(z->event) : json_null());
}

/* Readable summary of one event for the audit trail. */
static json_t *
event_json(const struct event *ev, const struct quorum_event *q)
{
	json_t *o = json_pack("{s:o,s:s,s:o,s:o,s:I,s:I,s:I,s:b,s:b}",
	    "id", hexj(ev->id), "kind", kind_name(ev->kind),
	    "origin", hexj(ev->origin), "key", hexj(ev->key),
	    "seq", (json_int_t)ev->seq, "ts", (json_int_t)ev->ts,
	    "exp", (json_int_t)ev->exp, "counts", q->counts,
	    "withdrawn", q->withdrawn);
	static const char *const fields[] = { "state", "fingerprint", "vantage",
	    "reason", "verdict", "status", "note", NULL };

	for (int i = 0; fields[i]; i++) {
		const char *v = event_str(ev, fields[i]);
		if (v)
			json_object_set_new(o, fields[i], json_string(v));
	}
	if (ev->kind == KIND_ASSESSMENT) {
		json_object_set_new(o, "recommend_nta",
		    json_boolean(event_bool(ev, "recommend_nta")));
		json_object_set_new(o, "lifetime",
		    json_integer(event_int(ev, "lifetime")));
	}
	return o;
}

json_t *
decide_zones_json(struct relay *r)
{
	struct decide *d = r->decide;
	long long now = relay_now();
	json_t *zones = json_array();

	/* zones that wait for their evaluation (the budget, the tick) are
	 * evaluated now: the list agrees with GET /v1/zones/{zone}; the others
	 * are served from their last evaluation */
	gossip_begin(r);
	flush(r, true);
	for (size_t i = 0; d && zones && i < d->n; i++)
		if (d->z[i].summary != NULL)
			json_array_append(zones, d->z[i].summary);
	if (zones == NULL)
		return NULL;
	/* most urgent first, then by name: a stable order for people */
	{
		static const int rank[QS__COUNT] = {
			[QS_NTA_RECOMMENDED] = 0, [QS_VETOED] = 1,
			[QS_INCONSISTENT_EVIDENCE] = 2, [QS_OBSERVED] = 3,
			[QS_RESOLVED] = 4, [QS_CLEAR] = 5,
		};
		size_t n = json_array_size(zones);
		for (size_t i = 1; i < n; i++)
			for (size_t j = i; j > 0; j--) {
				json_t *a = json_array_get(zones, j - 1);
				json_t *b = json_array_get(zones, j);
				enum quorum_state sa = quorum_state_from_name(
				    json_string_value(json_object_get(a, "state")));
				enum quorum_state sb = quorum_state_from_name(
				    json_string_value(json_object_get(b, "state")));
				int ra = sa < QS__COUNT ? rank[sa] : 9;
				int rb = sb < QS__COUNT ? rank[sb] : 9;
				if (ra < rb || (ra == rb && strcmp(json_string_value(
				    json_object_get(a, "zone")), json_string_value(
				    json_object_get(b, "zone"))) <= 0))
					break;
				json_incref(a);
				json_array_set(zones, j - 1, b);
				json_array_set_new(zones, j, a);
			}
	}
	return json_pack("{s:I,s:o,s:I,s:o}", "now", (json_int_t)now,
	    "relay", hexj(r->origin), "count", (json_int_t)json_array_size(zones),
	    "zones", zones);
}

static void
history_add(void *arg, struct event *ev)
{
	json_t *h = arg;
	const char *st = event_str(ev, "state");

	json_array_insert_new(h, 0, json_pack("{s:I,s:s,s:o}", "ts",
	    (json_int_t)ev->ts, "state", st ? st : "?", "event", hexj(ev->id)));
	event_free(ev);
}

json_t *
decide_zone_json(struct relay *r, const char *zone)
{
	struct dzone *z = r->decide ? zone_find(r->decide, zone) : NULL;
	struct eval e;
	json_t *doc, *ops, *hist, *stmt = json_null();

	if (evaluate(r, zone, relay_now(), &e) != 0) {
		eval_free(&e);
		return NULL;
	}
	doc = summary(r, z, &e);
	json_object_set_new(doc, "zone", json_string(zone));
	ops = json_array();
	for (size_t i = 0; i < e.res.nvotes; i++) {
		const struct quorum_vote *v = &e.res.votes[i];
		json_t *roles = json_array(), *evs = json_array(), *origins = json_array();

		for (unsigned b = 0; b < sizeof(role_names) / sizeof(role_names[0]); b++)
			if (v->roles & (1u << b))
				json_array_append_new(roles, json_string(role_names[b]));
		for (size_t k = 0; k < v->nev; k++) {
			const struct event *ev = e.ev[v->ev[k]];
			char oh[KEY_ID_HEX_LEN + 1];
			bool have = false;
			size_t j;
			json_t *x;

			json_array_append_new(evs, event_json(ev, &e.qe[v->ev[k]]));
			encoding_hex_encode(ev->origin, KEY_ID_LEN, oh);
			json_array_foreach(origins, j, x)
				have |= strcmp(json_string_value(x), oh) == 0;
			if (!have)
				json_array_append_new(origins, json_string(oh));
			if (ev->kind == KIND_ZONE_STATEMENT && json_is_null(stmt))
				stmt = event_json(ev, &e.qe[v->ev[k]]);
		}
		json_array_append_new(ops, json_pack("{s:o,s:o,s:o,s:o,s:o}", "vote",
		    hexj(v->vote), "origins", origins, "roles", roles,
		    "fingerprint", v->fp >= 0 ? hexj(e.res.fps[v->fp]) : json_null(),
		    "events", evs));
	}
	json_object_set_new(doc, "operators", ops);
	json_object_set_new(doc, "statement", stmt);
	/* events that do not count (not a member, revoked, withdrawn) */
	{
		json_t *ignored = json_array();
		for (size_t i = 0; i < e.n; i++)
			if ((!e.qe[i].counts || e.qe[i].withdrawn ||
			    (e.qe[i].kind == KIND_ZONE_STATEMENT &&
			    !e.qe[i].zone_operator)) && json_array_size(ignored) < 32)
				json_array_append_new(ignored, event_json(e.ev[i], &e.qe[i]));
		json_object_set_new(doc, "not_counted", ignored);
	}
	hist = json_array();
	each_event(r, "SELECT envelope FROM events WHERE zone = ?1 AND kind = 9 "
	    "AND ?2 = ?2 AND origin = ?3 ORDER BY ts DESC, seq DESC LIMIT 50",
	    zone, 0, r->origin, history_add, hist);
	json_object_set_new(doc, "history", hist);
	eval_free(&e);
	return doc;
}
