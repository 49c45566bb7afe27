/*
 * relay/quorum/decide.c — the quorum engine at work; see decide.h.
 *
 * A zone is evaluated from the store, never from a cache of events: the
 * store holds exactly the accepted events, so what the engine counts and
 * what /v1/events shows cannot drift apart. An evaluation reads the
 * zone's views (one row per signing key: its current observation and its
 * validation run) and words (the newest assessment and zone statement of
 * each origin) — relay/store/store_zone.h — asks the trust index about each
 * signer at `now`, binds each word to the zone's incident
 * (relay/quorum/incident.h), and hands them to quorum_evaluate(). What a
 * decision is (for "did it change?") is a digest of its state, phase,
 * incident, lifetime, fingerprints, veto and the set of votes: the list of
 * events behind a vote changes every time a vantage point refreshes its
 * observation, and that is not news.
 *
 * This file is the engine itself: the zones held, marking them, flushing
 * the marked ones inside the turn's transaction, the tick (set at the next
 * deadline), the turn's commit and rollback, and start-up. The evaluation
 * is in evaluate.c, the decisions in decision.c, the documents in
 * zone_json.c (relay/quorum/decide_int.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto/event.h"
#include "relay/core/clock.h"
#include "relay/core/log.h"
#include "relay/fed/kinds.h"
#include "relay/quorum/decide_int.h"

static void arm(struct decide *d, long long at);
static void schedule(struct decide *d);


/* While syncing: the document the zone endpoints answer instead (new);
 * NULL when caught up. */
json_t *
engine_syncing_json(const struct decide *d)
{
	return d->hooks.syncing_json ? d->hooks.syncing_json(d->hooks.ctx) : NULL;
}

bool
engine_caught_up(const struct decide *d)
{
	return d->hooks.caught_up == NULL || d->hooks.caught_up(d->hooks.ctx);
}

bool
engine_writable(const struct decide *d)
{
	return d->hooks.writable == NULL || d->hooks.writable(d->hooks.ctx);
}
/* ------------------------------------------------------------ zones */

static size_t
zone_hash(const char *zone, size_t nslots)
{
	uint64_t h = 1469598103934665603ULL;

	for (const unsigned char *p = (const unsigned char *)zone; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return (size_t)(h & (nslots - 1));
}

struct dzone *
engine_zone_find(struct decide *d, const char *zone)
{
	if (d == NULL || d->nslots == 0)
		return NULL;
	for (struct dzone *z = d->slots[zone_hash(zone, d->nslots)]; z; z = z->next)
		if (strcmp(z->zone, zone) == 0)
			return z;
	return NULL;
}

static int
zone_rehash(struct decide *d, size_t nslots)
{
	struct dzone **slots = calloc(nslots, sizeof(*slots));

	if (slots == NULL)
		return -1;
	for (size_t i = 0; i < d->n; i++) {
		struct dzone *z = d->v[i];
		size_t h = zone_hash(z->zone, nslots);
		z->next = slots[h];
		slots[h] = z;
	}
	free(d->slots);
	d->slots = slots;
	d->nslots = nslots;
	return 0;
}

/* zone's entry, created (with its incidents read from the store) when
 * new; NULL on allocation failure (logged). */
static struct dzone *
zone_get(struct decide *d, const char *zone)
{
	struct dzone *z = engine_zone_find(d, zone);
	char err[STORE_ERR_MAX];
	size_t h;

	if (z != NULL)
		return z;
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 64;
		struct dzone **v = realloc(d->v, cap * sizeof(*v));
		if (v == NULL)
			goto nomem;
		d->v = v;
		d->cap = cap;
	}
	if (2 * (d->n + 1) > d->nslots && zone_rehash(d, d->nslots ?
	    2 * d->nslots : 128) != 0)
		goto nomem;
	if ((z = calloc(1, sizeof(*z))) == NULL)
		goto nomem;
	snprintf(z->zone, sizeof(z->zone), "%s", zone);
	z->state = QS_CLEAR;
	if (store_incident_open(d->store, zone, &z->inc, err) == 1)
		z->has_inc = true;
	if (store_incident_last_closed(d->store, zone, &z->last, err) == 1)
		z->has_last = true;
	if ((z->resolved_end = store_incident_resolved_end(d->store, zone)) < 0)
		z->resolved_end = 0;
	z->index = d->n;
	d->v[d->n++] = z;
	h = zone_hash(zone, d->nslots);
	z->next = d->slots[h];
	d->slots[h] = z;
	return z;
nomem:
	/* the event is stored; the tick's full pass finds its zone later */
	log_err("decide: out of memory adding zone %s", zone);
	d->all = true;
	arm(d, 0);
	return NULL;
}

/* Forget a zone with nothing to remember (clear, no incident, no
 * decision but a clear one): it comes back from the store with its next
 * event. */
static void
zone_drop(struct decide *d, struct dzone *z)
{
	struct dzone **pp = &d->slots[zone_hash(z->zone, d->nslots)];

	while (*pp && *pp != z)
		pp = &(*pp)->next;
	if (*pp)
		*pp = z->next;
	d->v[z->index] = d->v[--d->n];
	d->v[z->index]->index = z->index;
	json_decref(z->summary);
	free(z);
}
/* Re-evaluate one zone; publish and notify when its decision changed.
 * Returns false when the zone may be forgotten. */
static bool
decide_zone(struct decide *d, struct dzone *z, long long now)
{
	unsigned char digest[32];
	struct eval e;
	json_t *fields;
	enum quorum_state prev = z->state, st;
	bool changed, refresh, opened;
	long long t0 = loop_now_ms();

	engine_remember(d, z);
	z->dirty = false;
	if (engine_evaluate(d, z, now, &e, &opened) != 0) {
		engine_eval_free(&e);
		z->dirty = true;   /* try again at the next tick */
		z->next_eval_ms = t0 + 1000;
		return true;
	}
	z->next_change = e.res.next_change;
	st = engine_step_incident(d, z, &e, opened);
	fields = engine_decision_fields(&e, z, st, st == prev ? z->since : now);
	if (fields == NULL) {
		engine_eval_free(&e);
		return true;
	}
	engine_digest_fields(fields, digest);
	changed = memcmp(digest, z->digest, sizeof(digest)) != 0;
	/* a zone never decided and clear needs no decision */
	if (!z->has_event && st == QS_CLEAR)
		changed = false;
	refresh = z->has_event && st != QS_CLEAR &&
	    now - z->published >= DECISION_REFRESH;
	if (changed || refresh) {
		engine_publish(d, z, &e, st, fields, changed, prev);
	} else {
		z->lifetime = st == QS_NTA_RECOMMENDED ? e.res.lifetime : 0;
		z->nta_until = st == QS_NTA_RECOMMENDED ? e.res.nta_until : 0;
	}
	json_decref(z->summary);
	z->summary = st == QS_CLEAR ? NULL : engine_summary(d, z, &e, st);
	if (changed && d->listen.decision) {
		json_t *sum = z->summary ? json_incref(z->summary) :
		    engine_summary(d, z, &e, st);
		if (sum)
			d->listen.decision(d->listen.ctx, sum);
		json_decref(sum);
	}
	json_decref(fields);
	engine_eval_free(&e);
	z->next_eval_ms = loop_now_ms() + BUDGET * (loop_now_ms() - t0);
	return st != QS_CLEAR || z->has_inc || z->dirty || z->next_change;
}

/* Evaluate the zones that wait for it; within the budget unless force. */
static void
flush(struct decide *d, bool force)
{
	long long now = relay_now();
	long long ms = loop_now_ms();

	/* syncing, or the store cannot write: nothing is signed; the zones
	 * stay marked until it can (relay/fed/catchup.h, relay/fed/storefault.h) */
	if (d == NULL || !engine_caught_up(d) || !engine_writable(d))
		return;
	for (size_t i = 0; i < d->n; i++) {
		struct dzone *z = d->v[i];
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
		if (!force && loop_now_ms() - ms >= SLICE_MS) {
			/* the rest at the next slice (schedule()) */
			for (size_t j = i; d->all && j < d->n; j++)
				d->v[j]->dirty = true;
			d->more = true;
			break;
		}
		/* a zone dropped in this turn must have nothing to roll back */
		if (!decide_zone(d, z, now) && (!z->has_event ||
		    z->state == QS_CLEAR) && !engine_touched(z)) {
			zone_drop(d, z);
			i--;   /* another zone moved into slot i */
		}
	}
	d->all = false;
}

void
decide_flush(struct decide *d)
{
	if (d == NULL)
		return;
	flush(d, false);
	schedule(d);
}

size_t
decide_pending(const struct decide *d)
{
	size_t n = 0;

	for (size_t i = 0; d && i < d->n; i++)
		n += d->v[i]->dirty || d->all;
	return n;
}

/* Unix time now, in ms, as relay_now() counts seconds. */
static long long
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The earliest loop_now_ms() at which a zone needs the tick (marked and
 * its budget spent, an answer that changes with time, a decision due for
 * its refresh), or -1: none, nothing happens until an event marks one. */
static long long
next_due(const struct decide *d)
{
	long long ms = loop_now_ms(), wall = wall_ms(), at = -1, t;

	for (size_t i = 0; i < d->n; i++) {
		const struct dzone *z = d->v[i];
		if (d->all || z->dirty) {
			t = z->next_eval_ms > ms ? z->next_eval_ms : ms;
			at = at < 0 || t < at ? t : at;
		}
		/* when relay_now() reaches a unix time T: T * 1000 - wall ms */
		if (z->next_change) {
			t = ms + (z->next_change * 1000 - wall);
			at = at < 0 || t < at ? t : at;
		}
		if (z->has_event && z->state != QS_CLEAR) {
			t = ms + ((z->published + DECISION_REFRESH) * 1000 - wall);
			at = at < 0 || t < at ? t : at;
		}
	}
	return at;
}

static void tick(void *arg);

/* Have the tick run at loop_now_ms() time at (not sooner than a TICK_MS
 * from now: at most one tick per TICK_MS, as when it polled), unless it
 * runs sooner already. */
static void
arm_gap(struct decide *d, long long at, long gap)
{
	long long ms = loop_now_ms();
	long id;

	if (d->loop == NULL)
		return;
	if (at < ms + gap)
		at = ms + gap;
	if (d->armed && d->timer_at <= at)
		return;
	if (d->armed)
		loop_timer_cancel(d->loop, d->timer);
	d->armed = false;
	if ((id = loop_timer_add(d->loop, (long)(at - ms), tick, d)) < 0) {
		log_err("decide: no timer left");
		return;
	}
	d->timer = id;
	d->timer_at = at;
	d->armed = true;
}

static void
arm(struct decide *d, long long at)
{
	arm_gap(d, at, TICK_MS);
}

/* Set the timer at the next deadline: an idle engine sleeps until an
 * event, a trust change or the end of the catch-up marks a zone. */
static void
schedule(struct decide *d)
{
	long long at;

	/* syncing: the end of the catch-up calls decide_all() */
	if (!engine_caught_up(d))
		return;
	if (d->more) {
		/* a pass ran out of its slice: the rest soon, not a tick later */
		d->more = false;
		arm_gap(d, 0, SLICE_GAP_MS);
		return;
	}
	if ((at = next_due(d)) < 0)
		return;
	/* the store cannot write: look again every tick (no transaction) */
	arm(d, engine_writable(d) ? at : 0);
}

static void
tick(void *arg)
{
	struct decide *d = arg;
	long long due;

	d->armed = false;
	/* no transaction when there is nothing to do */
	if (engine_caught_up(d) && engine_writable(d) &&
	    (due = next_due(d)) >= 0 && due <= loop_now_ms()) {
		if (d->signer.begin)
			d->signer.begin(d->signer.ctx);
		flush(d, false);
	}
	schedule(d);
}

static void
mark(struct decide *d, const char *zone)
{
	struct dzone *z;

	if (zone[0] && (z = zone_get(d, zone)) != NULL) {
		z->dirty = true;
		arm(d, 0);
	}
}

void
decide_event(struct decide *d, const struct event *ev)
{
	/* the kinds table says which kinds are the engine's input (a
	 * withdrawal's zone is its target's, when held) */
	if (d != NULL && kinds_quorum(ev->kind))
		mark(d, ev->zone);
}

static void
mark_zone(void *arg, const char *zone)
{
	mark(arg, zone);
}

void
decide_flagged(struct decide *d, const unsigned char origin[KEY_ID_LEN])
{
	char err[STORE_ERR_MAX];

	if (d == NULL)
		return;
	/* its views' zones; its words' zones are those of its observations
	 * or, failing that, found by the full pass */
	if (store_origin_zones_each(d->store, origin, mark_zone, d, err) < 0) {
		log_err("%s", err);
		d->all = true;
		arm(d, 0);
		return;
	}
	d->all = true;
	arm(d, 0);
}

bool
decide_open_incident(struct decide *d, const char *zone,
    char id[STORE_INCIDENT_ID_LEN + 1])
{
	struct dzone *z = d ? engine_zone_find(d, zone) : NULL;

	id[0] = '\0';
	if (z == NULL || !z->has_inc)
		return false;
	snprintf(id, STORE_INCIDENT_ID_LEN + 1, "%s", z->inc.id);
	return true;
}

bool
decide_withdrawn(struct decide *d, const unsigned char id[KEY_ID_LEN],
    const unsigned char origin[KEY_ID_LEN])
{
	return store_withdrawn(d->store, id, origin);
}

void
decide_committed(struct decide *d)
{

	if (d == NULL || !d->saved)
		return;
	for (size_t i = 0; i < d->n; i++)
		d->v[i]->saved = false;
	d->saved = false;
}

void
decide_rollback(struct decide *d)
{

	if (d == NULL || !d->saved)
		return;
	for (size_t i = 0; i < d->n; i++) {
		struct dzone *z = d->v[i];
		const struct dzone_memory *m = &z->committed;
		if (!z->saved)
			continue;
		z->state = m->state;
		z->recovering = m->recovering;
		z->since = m->since;
		z->changed = m->changed;
		z->nta_until = m->nta_until;
		z->published = m->published;
		z->lifetime = m->lifetime;
		memcpy(z->digest, m->digest, sizeof(z->digest));
		z->has_event = m->has_event;
		memcpy(z->event, m->event, KEY_ID_LEN);
		z->has_inc = m->has_inc;
		z->has_last = m->has_last;
		z->inc = m->inc;
		z->last = m->last;
		z->resolved_end = m->resolved_end;
		z->saved = false;
		z->dirty = true;   /* signed again once the store writes */
	}
	d->saved = false;
	arm(d, 0);
}

void
decide_all(struct decide *d)
{
	if (d) {
		d->all = true;
		arm(d, 0);
	}
}

/* ------------------------------------------------------------ start */

static void
load_decision(void *arg, const char *raw, size_t len)
{
	struct decide *d = arg;
	struct event *ev = engine_parse_stored(raw, len);
	struct dzone *z = ev ? zone_get(d, ev->zone) : NULL;
	json_t *f = ev && z ? event_payload_json(ev) : NULL;

	/* oldest first: the last one read is the relay's current decision */
	if (f != NULL) {
		const char *st = json_string_value(json_object_get(f, "state"));
		const char *ph = json_string_value(json_object_get(f, "phase"));
		enum quorum_state s = st ? quorum_state_from_name(st) : QS__COUNT;
		if (s != QS__COUNT) {
			z->state = s;
			z->recovering = ph && strcmp(ph, "recovering") == 0;
			z->since = json_integer_value(json_object_get(f, "since"));
			z->changed = ev->ts;
			z->published = ev->ts;
			z->has_event = true;
			memcpy(z->event, ev->id, KEY_ID_LEN);
			engine_digest_fields(f, z->digest);
		}
	}
	json_decref(f);
	event_free(ev);
}

static void
load_incident(void *arg, const struct store_incident *inc)
{
	if (inc->closed == 0)
		mark(arg, inc->zone);
}

int
decide_start(struct decide *d)
{
	long long now = relay_now();
	char err[STORE_ERR_MAX];

	if (store_decisions_each(d->store, d->origin, load_decision, d, err) < 0 ||
	    store_incidents_each(d->store, NULL, 0, load_incident, d, err) < 0 ||
	    store_zones_live_each(d->store, now - d->cfg->resolve_after, mark_zone,
	    d, err) < 0) {
		log_err("%s", err);
		return -1;
	}
	/* every zone with a decision, an incident or live events: evaluate
	 * (once caught up), publish only what changed while the relay was
	 * down */
	for (size_t i = 0; i < d->n; i++)
		d->v[i]->dirty = true;
	log_info("quorum engine: %zu zones; quorum %s%d, quorum_evidence %d, "
	    "resolve_after %d s", d->n,
	    d->cfg->quorum ? "" : "auto = ", d->cfg->quorum ? d->cfg->quorum :
	    quorum_default(d->trust->tidx ? (int)trust_index_votes(d->trust->tidx) : 0),
	    d->cfg->quorum_evidence, d->cfg->resolve_after);
	arm(d, 0);
	return 0;
}

struct decide *
decide_new(const struct decide_deps *deps)
{
	struct decide *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->cfg = deps->cfg;
	d->store = deps->store;
	d->trust = deps->trust;
	d->metrics = deps->metrics;
	d->loop = deps->loop;
	memcpy(d->origin, deps->origin, KEY_ID_LEN);
	d->signer = deps->signer;
	d->hooks = deps->hooks;
	d->notify = deps->notify;
	return d;
}

void
decide_set_notifier(struct decide *d, const struct decide_notifier *n)
{
	d->notify = *n;
}

void
decide_set_listener(struct decide *d, const struct decide_listener *l)
{
	d->listen = *l;
}

void
decide_free(struct decide *d)
{
	if (d == NULL)
		return;
	if (d->armed)
		loop_timer_cancel(d->loop, d->timer);
	for (size_t i = 0; i < d->n; i++) {
		json_decref(d->v[i]->summary);
		free(d->v[i]);
	}
	free(d->v);
	free(d->slots);
	free(d);
}

void
engine_eval_now(struct decide *d)
{
	if (d->signer.begin)
		d->signer.begin(d->signer.ctx);
	flush(d, true);
	schedule(d);
}
