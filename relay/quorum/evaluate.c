/*
 * relay/quorum/evaluate.c — one evaluation of a zone (see decide_int.h):
 * the zone's views and words read from the store
 * (relay/store/store_zone.h), who counts asked of the trust index at `now`,
 * the words bound to the zone's incident (relay/quorum/incident.h), and the
 * rule of relay/quorum/quorum.h over them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/encoding.h"
#include "proto/envelope.h"
#include "proto/event.h"
#include "relay/core/clock.h"
#include "relay/core/log.h"
#include "relay/quorum/decide_int.h"

struct event *
engine_parse_stored(const void *raw, size_t len)
{
	char reason[PROTO_REASON_MAX];
	struct envelope *env = NULL;
	struct event *ev = NULL;

	/* verified when it was accepted */
	if (envelope_parse(raw, len, &env, reason) != PROTO_OK ||
	    event_parse(env, &ev, reason) != PROTO_OK) {
		log_err("decide: a stored event does not parse: %s", reason);
		ev = NULL;
	}
	envelope_free(env);
	return ev;
}

static struct quorum_event *
eval_add(struct eval *e)
{
	if (e->n == e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 32;
		struct quorum_event *qe = realloc(e->qe, cap * sizeof(*qe));
		struct event **ev = qe ? realloc(e->ev, cap * sizeof(*ev)) : NULL;
		struct incident_refs *rf = ev ? realloc(e->refs, cap * sizeof(*rf)) : NULL;
		long long *fs = rf ? realloc(e->fail_start, cap * sizeof(*fs)) : NULL;

		if (qe)
			e->qe = qe;
		if (ev)
			e->ev = ev;
		if (rf)
			e->refs = rf;
		if (fs == NULL)
			return NULL;
		e->fail_start = fs;
		e->cap = cap;
	}
	memset(&e->qe[e->n], 0, sizeof(e->qe[0]));
	memset(&e->refs[e->n], 0, sizeof(e->refs[0]));
	e->ev[e->n] = NULL;
	e->fail_start[e->n] = 0;
	return &e->qe[e->n++];
}

void
engine_eval_free(struct eval *e)
{
	for (size_t i = 0; i < e->n; i++)
		event_free(e->ev[i]);
	free(e->ev);
	free(e->qe);
	free(e->refs);
	free(e->fail_start);
	free(e->flags);
	free(e->votes);
	free(e->runs);
	memset(e, 0, sizeof(*e));
}

/* Is origin flagged for equivocation? Asked once per origin. */
static bool
flagged(struct decide *d, struct eval *e, const unsigned char origin[KEY_ID_LEN])
{
	struct flag *f;

	for (size_t i = 0; i < e->nflags; i++)
		if (memcmp(e->flags[i].origin, origin, KEY_ID_LEN) == 0)
			return e->flags[i].flagged;
	if ((f = realloc(e->flags, (e->nflags + 1) * sizeof(*f))) == NULL)
		return true;   /* fail closed */
	e->flags = f;
	f = &e->flags[e->nflags++];
	memcpy(f->origin, origin, KEY_ID_LEN);
	f->flagged = store_origin_flagged(d->store, origin);
	return f->flagged;
}

/*
 * Who counts is asked now: a revoked key stops at once. A key counts for
 * the event's origin when it is a current member key of that operator,
 * and the operator was not caught equivocating (it stops
 * counting until a person clears the flag: docs/PROTOCOL.md §10.3).
 */
static void
who_counts(struct decide *d, struct eval *e, const char *zone,
    struct quorum_event *q)
{
	struct trust_answer a;

	if (d->trust->tidx && trust_index_lookup(d->trust->tidx, q->key, q->origin, e->now, &a) &&
	    a.vote_id && a.operator_id &&
	    memcmp(a.operator_id, q->origin, KEY_ID_LEN) == 0 &&
	    !flagged(d, e, q->origin)) {
		q->counts = true;
		memcpy(q->vote, a.vote_id, KEY_ID_LEN);
		q->zone_operator = trust_index_may_speak(d->trust->tidx, &a, zone);
	}
}

struct gather_ctx {
	struct decide *d;
	struct eval *e;
	const char *zone;
	int failed;
};

/* A view's validating run, for words judged before a recovery. */
static void
add_run(struct gather_ctx *g, const unsigned char vote[KEY_ID_LEN],
    long long start, long long end)
{
	struct eval *e = g->e;

	if (start == 0)
		return;
	if (e->nruns == e->capruns) {
		size_t cap = e->capruns ? 2 * e->capruns : 32;
		struct incident_run *r = realloc(e->runs, cap * sizeof(*r));
		if (r == NULL) {
			g->failed = 1;
			return;
		}
		e->runs = r;
		e->capruns = cap;
	}
	memcpy(e->runs[e->nruns].vote, vote, KEY_ID_LEN);
	e->runs[e->nruns].start = start;
	e->runs[e->nruns].end = end;
	e->nruns++;
}

static void
gather_view(void *arg, const struct store_view *v)
{
	struct gather_ctx *g = arg;
	struct quorum_event *q = eval_add(g->e);

	if (q == NULL) {
		g->failed = 1;
		return;
	}
	q->kind = KIND_OBSERVATION;
	memcpy(q->id, v->id, KEY_ID_LEN);
	memcpy(q->key, v->key, KEY_ID_LEN);
	memcpy(q->origin, v->origin, KEY_ID_LEN);
	q->seq = v->seq;
	q->ts = v->ts;
	q->exp = v->exp;
	q->obs = (enum quorum_obs)v->state;
	q->has_fp = v->has_fp && v->state == STORE_OBS_BOGUS;
	memcpy(q->fp, v->fp, KEY_ID_LEN);
	q->has_dnskey = v->has_dnskey;
	memcpy(q->dnskey, v->dnskey, KEY_ID_LEN);
	q->has_ds = v->has_ds;
	memcpy(q->ds, v->ds, KEY_ID_LEN);
	q->run_start = v->run_start;
	g->e->fail_start[g->e->n - 1] = v->fail_start;
	q->withdrawn = store_withdrawn(g->d->store, v->id, v->origin);
	who_counts(g->d, g->e, g->zone, q);
	if (q->counts && !q->withdrawn) {
		add_run(g, q->vote, v->run_start, 0);
		add_run(g, q->vote, v->prev_run_start, v->prev_run_end);
	}
}

static int
enum_index(const char *const *names, const char *v)
{
	for (int i = 0; v && names[i]; i++)
		if (strcmp(names[i], v) == 0)
			return i;
	return 0;
}

/* What the word's refs say it judged: the bogus observations held. */
static void
resolve_refs(struct decide *d, const struct event *ev, struct incident_refs *rf)
{
	for (size_t i = 0; i < ev->nrefs; i++) {
		struct store_obs o;
		if (store_observation(d->store, ev->refs[i], &o) != 1 ||
		    o.state != STORE_OBS_BOGUS || !o.has_fp ||
		    strcmp(o.zone, ev->zone) != 0)
			continue;
		memcpy(rf->fps[rf->nbogus++], o.fp, KEY_ID_LEN);
		if (o.ts > rf->newest)
			rf->newest = o.ts;
	}
}

static void
gather_word(void *arg, const char *raw, size_t len)
{
	struct gather_ctx *g = arg;
	struct event *ev = engine_parse_stored(raw, len);
	struct quorum_event *q;

	if (ev == NULL)
		return;
	if ((q = eval_add(g->e)) == NULL) {
		event_free(ev);
		g->failed = 1;
		return;
	}
	g->e->ev[g->e->n - 1] = ev;
	q->kind = ev->kind;
	memcpy(q->id, ev->id, KEY_ID_LEN);
	memcpy(q->origin, ev->origin, KEY_ID_LEN);
	memcpy(q->key, ev->key, KEY_ID_LEN);
	q->seq = ev->seq;
	q->ts = ev->ts;
	q->exp = ev->exp;
	if (ev->kind == KIND_ASSESSMENT) {
		q->verdict = (enum quorum_verdict)enum_index(kind_verdicts,
		    event_str(ev, "verdict"));
		q->recommend = event_bool(ev, "recommend_nta");
		q->lifetime = (long)event_int(ev, "lifetime");
	} else {
		q->status = (enum quorum_status)enum_index(kind_statement_status,
		    event_str(ev, "status"));
	}
	q->withdrawn = store_withdrawn(g->d->store, ev->id, ev->origin);
	resolve_refs(g->d, ev, &g->e->refs[g->e->n - 1]);
	who_counts(g->d, g->e, g->zone, q);
}

/* Read zone's views and words at now into *e (eval_free it). */
static int
gather(struct decide *d, const char *zone, long long now, struct eval *e)
{
	const struct relay_config *c = d->cfg;
	struct gather_ctx g = { d, e, zone, 0 };
	char err[STORE_ERR_MAX];

	memset(e, 0, sizeof(*e));
	e->now = now;
	e->pol.quorum = c->quorum;
	e->pol.members = d->trust->tidx ? (int)trust_index_votes(d->trust->tidx) : 0;
	e->pol.evidence = c->quorum_evidence;
	e->pol.resolve_after = c->resolve_after;
	e->pol.max_lifetime = c->nta_max_lifetime;
	e->pol.veto_assessment = c->veto_attack_assessment;
	e->pol.veto_unbacked = c->veto_unbacked;
	e->pol.veto_statement = c->veto_zone_statement;
	if (store_views_each(d->store, zone, now, gather_view, &g, err) < 0 ||
	    store_words_each(d->store, zone, now - c->resolve_after, gather_word,
	    &g, err) < 0) {
		log_err("decide: %s", err);
		return -1;
	}
	return g.failed ? -1 : 0;
}

/* Bind the words to z's incident (or to the next one). */
static void
bind_words(const struct dzone *z, struct eval *e)
{
	e->stale_words = false;
	for (size_t i = 0; i < e->n; i++) {
		struct quorum_event *q = &e->qe[i];
		const struct incident_refs *rf = &e->refs[i];
		long long judged = rf->nbogus ? rf->newest : q->ts;

		if (q->kind == KIND_OBSERVATION)
			continue;
		q->bound = incident_binds(z->has_inc ? &z->inc : NULL,
		    z->resolved_end, q->ts, rf);
		/* over, too, if the zone recovered after it and before this
		 * incident began (a relay without the memory of a resolution
		 * reads it from the views) */
		if (q->bound && incident_recovered_since(judged, z->has_inc ?
		    z->inc.opened : 0, e->runs, e->nruns, e->pol.evidence,
		    e->pol.resolve_after, e->now))
			q->bound = false;
		if (!q->bound && q->counts && !q->withdrawn && e->now < q->exp)
			e->stale_words = true;
	}
}

static void
run_rule(const struct decide *d, const struct dzone *z, struct eval *e)
{
	(void)d;
	bind_words(z, e);
	/* a vote per entry at most: every vote is counted, whatever the
	 * decision schema lists (VOTES_MAX) */
	free(e->votes);
	e->votes = e->n ? calloc(e->n, sizeof(*e->votes)) : NULL;
	e->res.votes = e->votes;
	e->res.cap = e->votes ? e->n : 0;
	quorum_evaluate(e->qe, e->n, &e->pol, z->has_inc && z->inc.held, e->now,
	    &e->res);
}

/* When the failure began, as far as this relay can tell: the earliest
 * run of a failing view, or bound word, that is current. */
static long long
incident_start(const struct eval *e)
{
	long long start = e->now;

	for (size_t i = 0; i < e->n; i++) {
		const struct quorum_event *q = &e->qe[i];
		long long t;
		if (!q->counts || q->withdrawn || e->now >= q->exp)
			continue;
		if (q->kind == KIND_OBSERVATION)
			t = q->obs == QO_BOGUS ? e->fail_start[i] : 0;
		else
			t = q->bound ? q->ts : 0;
		if (t > 0 && t < start)
			start = t;
	}
	return start;
}

/*
 * Evaluate zone z at now: the rule over the bound words, the incident
 * opened when the evaluation is material and none is open (then the rule
 * once more: the incident's leading fingerprint binds the words).
 */
int
engine_evaluate(struct decide *d, struct dzone *z, long long now, struct eval *e,
    bool *opened)
{
	*opened = false;
	if (gather(d, z->zone, now, e) != 0)
		return -1;
	run_rule(d, z, e);
	if (e->n && e->votes == NULL)
		return -1;   /* out of memory: counting fewer votes fails open */
	if (!z->has_inc && e->res.material) {
		unsigned char rnd[STORE_INCIDENT_ID_LEN / 2];
		char id[STORE_INCIDENT_ID_LEN + 1];

		randombytes_buf(rnd, sizeof(rnd));
		encoding_hex_encode(rnd, sizeof(rnd), id);
		incident_open(&z->inc, z->zone, id, incident_start(e));
		if (e->res.lead >= 0) {
			memcpy(z->inc.lead, e->res.fps[e->res.lead], KEY_ID_LEN);
			z->inc.has_lead = true;
		}
		z->has_inc = true;
		*opened = true;
		run_rule(d, z, e);
	}
	return 0;
}

/* Evaluate a zone that is not held (GET /v1/zones/{zone} of a quiet
 * zone): the same, without touching any incident. */
int
engine_evaluate_detached(struct decide *d, const char *zone, long long now,
    struct eval *e, struct dzone *tmp)
{
	char err[STORE_ERR_MAX];
	bool opened;

	memset(tmp, 0, sizeof(*tmp));
	snprintf(tmp->zone, sizeof(tmp->zone), "%s", zone);
	if (store_incident_open(d->store, zone, &tmp->inc, err) == 1)
		tmp->has_inc = true;
	if (store_incident_last_closed(d->store, zone, &tmp->last, err) == 1)
		tmp->has_last = true;
	if ((tmp->resolved_end = store_incident_resolved_end(d->store, zone)) < 0)
		tmp->resolved_end = 0;
	return engine_evaluate(d, tmp, now, e, &opened);
}
