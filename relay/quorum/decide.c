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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "proto/encoding.h"
#include "proto/envelope.h"
#include "proto/event.h"
#include "relay/core/clock.h"
#include "relay/core/log.h"
#include "relay/quorum/decide.h"
#include "relay/quorum/incident.h"
#include "relay/quorum/quorum.h"
#include "relay/store/store_zone.h"

#define VOTES_MAX 128             /* the decision schema's limit */
#define DECISION_LIFETIME 86400   /* exp of a decision event */
#define DECISION_REFRESH 43200    /* re-sign an unchanged one after this */
#define HISTORY_MAX 50
#define INCIDENTS_SHOWN 10
#define TICK_MS 100
/* An evaluation reads the zone's views and words: cheap, and bounded by
 * the per-operator quota. After an evaluation that took C ms the zone
 * waits BUDGET * C ms before the next one, so that evaluating stays under
 * 1/BUDGET of the loop's time whatever happens. */
#define BUDGET 20

struct dzone {
	char zone[ZONE_TEXT_MAX + 1];
	enum quorum_state state;          /* as published */
	bool recovering;
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
	bool has_inc;                     /* the open incident */
	struct store_incident inc;
	bool has_last;                    /* the last closed one */
	struct store_incident last;
	long long resolved_end;           /* the last resolved one ended */
	size_t index;                     /* in decide.v */
	struct dzone *next;               /* hash chain */
	/* The zone as committed, while the loop turn that evaluated it is
	 * open: restored if that turn rolls back (decide_rollback()). */
	bool saved;
	struct dzone_memory {
		enum quorum_state state;
		bool recovering;
		long long since, changed, nta_until, published;
		long lifetime;
		unsigned char digest[crypto_hash_sha256_BYTES];
		bool has_event;
		unsigned char event[KEY_ID_LEN];
		bool has_inc, has_last;
		struct store_incident inc, last;
		long long resolved_end;
	} committed;
};

struct decide {
	/* what the engine works with (decide_new(): struct decide_deps) */
	const struct relay_config *cfg;
	struct store *store;
	const struct trust *trust;
	struct metrics *metrics;
	struct loop *loop;
	unsigned char origin[KEY_ID_LEN];
	struct signer signer;
	struct decide_hooks hooks;
	struct decide_notifier notify;
	bool armed;                       /* the tick's timer is set: */
	long timer;                       /* its id, */
	long long timer_at;               /* when it fires (loop_now_ms) */
	struct dzone **v;                 /* every zone held, in no order */
	size_t n, cap;
	struct dzone **slots;             /* hash table by name */
	size_t nslots;
	bool all;                          /* evaluate every zone */
	bool saved;                        /* a zone holds a saved memory */
};

/* One evaluation: the zone's views and words, and the rule's answer. */
struct eval {
	struct quorum_event *qe;          /* views, then words */
	struct event **ev;                /* words parsed; views NULL */
	struct incident_refs *refs;       /* per entry (words only) */
	long long *fail_start;            /* per entry (views only) */
	struct incident_run *runs;        /* the counting views' runs */
	size_t nruns, capruns;
	size_t n, cap;
	struct quorum_vote *votes;        /* one per entry at most */
	struct quorum_result res;
	struct quorum_policy pol;
	long long now;
	bool stale_words;                 /* live words of a closed incident */
	struct flag { unsigned char origin[KEY_ID_LEN]; bool flagged; } *flags;
	size_t nflags;
};

static void arm(struct decide *d, long long at);
static void schedule(struct decide *d);

/* While syncing: the document the zone endpoints answer instead (new);
 * NULL when caught up. */
static json_t *
syncing_json(const struct decide *d)
{
	return d->hooks.syncing_json ? d->hooks.syncing_json(d->hooks.ctx) : NULL;
}

static bool
caught_up(const struct decide *d)
{
	return d->hooks.caught_up == NULL || d->hooks.caught_up(d->hooks.ctx);
}

static bool
writable(const struct decide *d)
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

static struct dzone *
zone_find(struct decide *d, const char *zone)
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
	struct dzone *z = zone_find(d, zone);
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

/* ------------------------------------------------------------ gathering */

static struct event *
parse_stored(const void *raw, size_t len)
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

static void
eval_free(struct eval *e)
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
	struct event *ev = parse_stored(raw, len);
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
static int
evaluate(struct decide *d, struct dzone *z, long long now, struct eval *e,
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
static int
evaluate_detached(struct decide *d, const char *zone, long long now,
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
	return evaluate(d, tmp, now, e, &opened);
}

/* ------------------------------------------------------------ decisions */

static json_t *
hexj(const unsigned char *id)
{
	char h[KEY_ID_HEX_LEN + 1];

	return json_string(encoding_hex_encode(id, KEY_ID_LEN, h));
}

/* The incident a decision is about: the open one, or the one that just
 * closed (or shows as resolved). */
static const struct store_incident *
about(const struct dzone *z)
{
	if (z->has_inc)
		return &z->inc;
	return z->has_last ? &z->last : NULL;
}

/* What makes a decision different from another. */
static void
digest_of(const char *state, const char *phase, const char *incident,
    long lifetime, const json_t *fps, const char *veto, const json_t *votes,
    unsigned char out[32])
{
	crypto_hash_sha256_state h;
	char buf[64];
	size_t i;
	json_t *v;

	crypto_hash_sha256_init(&h);
	crypto_hash_sha256_update(&h, (const unsigned char *)state, strlen(state) + 1);
	crypto_hash_sha256_update(&h, (const unsigned char *)(phase ? phase : ""),
	    (phase ? strlen(phase) : 0) + 1);
	crypto_hash_sha256_update(&h, (const unsigned char *)(incident ?
	    incident : ""), (incident ? strlen(incident) : 0) + 1);
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

static void
digest_fields(const json_t *f, unsigned char out[32])
{
	const json_t *veto = json_object_get(f, "veto");

	digest_of(json_string_value(json_object_get(f, "state")),
	    json_string_value(json_object_get(f, "phase")),
	    json_string_value(json_object_get(f, "incident")),
	    (long)json_integer_value(json_object_get(f, "lifetime")),
	    json_object_get(f, "fingerprints"), json_is_object(veto) ?
	    json_string_value(json_object_get(veto, "event")) : NULL,
	    json_object_get(f, "operators"), out);
}

/* The decision kind's fields (PROTOCOL.md 6.10) for an evaluation whose
 * state shown is st. */
static json_t *
decision_fields(const struct eval *e, const struct dzone *z,
    enum quorum_state st, long long since)
{
	const struct quorum_result *q = &e->res;
	const struct store_incident *inc = about(z);
	json_t *ops = json_array(), *fps = json_array(), *veto = json_null(), *f;

	for (size_t i = 0; i < q->nvotes && i < VOTES_MAX; i++) {
		json_t *ids = json_array();
		for (size_t k = 0; k < q->votes[i].nev; k++)
			json_array_append_new(ids, hexj(e->qe[q->votes[i].ev[k]].id));
		json_array_append_new(ops, json_pack("{s:o,s:o}", "origin",
		    hexj(q->votes[i].vote), "events", ids));
	}
	for (size_t i = 0; i < q->nfps; i++)
		json_array_append_new(fps, hexj(q->fps[i]));
	if (q->has_veto && st == QS_VETOED)
		veto = json_pack("{s:o,s:o,s:s}", "origin",
		    hexj(e->qe[q->veto_ev].origin), "event",
		    hexj(e->qe[q->veto_ev].id), "reason", q->veto_reason);
	f = json_pack("{s:s,s:s,s:I,s:o,s:o,s:o,s:o}", "zone", z->zone,
	    "state", quorum_state_name(st), "since", (json_int_t)since,
	    "lifetime", st == QS_NTA_RECOMMENDED ?
	    json_integer(q->lifetime) : json_null(),
	    "operators", ops, "fingerprints", fps, "veto", veto);
	if (f && inc && (z->has_inc || st == QS_RESOLVED))
		json_object_set_new(f, "incident", json_string(inc->id));
	if (f && st == QS_NTA_RECOMMENDED)
		json_object_set_new(f, "phase", json_string(q->recovering ?
		    "recovering" : "failing"));
	return f;
}

static json_t *summary(struct decide *d, const struct dzone *z,
    const struct eval *e, enum quorum_state st);

static void
persist_incident(struct decide *d, const struct store_incident *inc)
{
	char err[STORE_ERR_MAX];

	if (store_incident_put(d->store, inc, err) != 0)
		log_err("%s", err);
}

static void
log_incident(const struct dzone *z, const struct store_incident *inc,
    unsigned ch, const struct quorum_result *res)
{
	if (ch & INC_OPENED)
		log_notice("incident %s of %s opened", inc->id, z->zone);
	if (ch & INC_RECOVERING)
		log_notice("incident %s of %s: recovering (%s)", inc->id, z->zone,
		    res->reason);
	if (ch & INC_RELAPSE)
		log_notice("incident %s of %s: relapse: the failure is back while "
		    "recovering; the NTA holds and the window starts again",
		    inc->id, z->zone);
	if (ch & INC_RELEASED)
		log_notice("incident %s of %s: the NTA recommendation is released "
		    "(%s)", inc->id, z->zone, res->reason);
	if (ch & (INC_RESOLVED | INC_ENDED))
		log_notice("incident %s of %s closed: %s", inc->id, z->zone,
		    inc->outcome);
}

/* Step z's incident after an evaluation; the state to show. */
static enum quorum_state
step_incident(struct decide *d, struct dzone *z, const struct eval *e,
    bool opened)
{
	enum quorum_state st = e->res.state;

	if (z->has_inc) {
		struct store_incident before = z->inc;
		unsigned ch = incident_step(&z->inc, &e->res, e->now);

		if (opened)
			ch |= INC_OPENED;
		if (ch || opened || memcmp(&before, &z->inc, sizeof(before)) != 0)
			persist_incident(d, &z->inc);
		log_incident(z, &z->inc, ch, &e->res);
		if (z->inc.closed) {
			z->last = z->inc;
			z->has_last = true;
			z->has_inc = false;
			if (strcmp(z->inc.outcome, "resolved") == 0)
				z->resolved_end = z->inc.closed;
		}
	}
	if (!z->has_inc && st == QS_CLEAR &&
	    incident_shows_resolved(z->has_last ? &z->last : NULL,
	    e->pol.resolve_after, e->stale_words, e->now)) {
		st = QS_RESOLVED;
		/* time alone ends the display */
		if (z->last.closed + e->pol.resolve_after > e->now &&
		    (z->next_change == 0 || z->last.closed + e->pol.resolve_after <
		    z->next_change))
			z->next_change = z->last.closed + e->pol.resolve_after;
	}
	return st;
}

static void
publish(struct decide *d, struct dzone *z, const struct eval *e,
    enum quorum_state st, json_t *fields, bool changed, enum quorum_state prev)
{
	unsigned char id[KEY_ID_LEN];
	/* for people: a phase change within nta_recommended (recovering, a
	 * relapse) is news of its own */
	const char *prev_phase = prev == QS_NTA_RECOMMENDED ? (z->recovering ?
	    "recovering" : "failing") : NULL;

	if (st != prev) {
		z->since = e->now;
		json_object_set_new(fields, "since", json_integer(e->now));
	}
	if (changed)
		z->changed = e->now;
	digest_fields(fields, z->digest);
	z->state = st;
	z->recovering = e->res.recovering && st == QS_NTA_RECOMMENDED;
	z->lifetime = st == QS_NTA_RECOMMENDED ? e->res.lifetime : 0;
	z->nta_until = st == QS_NTA_RECOMMENDED ? e->res.nta_until : 0;
	if (d->signer.sign != NULL && d->signer.sign(d->signer.ctx, KIND_DECISION,
	    json_incref(fields), DECISION_LIFETIME, id, NULL, 0) == 0) {
		memcpy(z->event, id, KEY_ID_LEN);
		z->has_event = true;
		z->published = e->now;
	}
	if (!changed)
		return;
	d->metrics->decisions++;
	if (prev != z->state)
		log_notice("decision %s: %s -> %s (%s)", z->zone,
		    quorum_state_name(prev), quorum_state_name(z->state),
		    e->res.reason);
	else
		log_notice("decision %s: still %s, its phase, incident, operators, "
		    "fingerprints or lifetime changed (%s)", z->zone,
		    quorum_state_name(z->state), e->res.reason);
	if (d->notify.decision) {
		json_t *doc = decide_zone_json(d, z->zone);
		if (doc)
			d->notify.decision(d->notify.ctx, doc,
			    quorum_state_name(prev), prev_phase);
		json_decref(doc);
	}
}

/* Keep what z is as committed, until the turn ends. */
static void
remember(struct decide *d, struct dzone *z)
{
	struct dzone_memory *m = &z->committed;

	if (z->saved)
		return;
	m->state = z->state;
	m->recovering = z->recovering;
	m->since = z->since;
	m->changed = z->changed;
	m->nta_until = z->nta_until;
	m->published = z->published;
	m->lifetime = z->lifetime;
	memcpy(m->digest, z->digest, sizeof(z->digest));
	m->has_event = z->has_event;
	memcpy(m->event, z->event, KEY_ID_LEN);
	m->has_inc = z->has_inc;
	m->has_last = z->has_last;
	m->inc = z->inc;
	m->last = z->last;
	m->resolved_end = z->resolved_end;
	z->saved = true;
	d->saved = true;
}

/* Has z changed anything the store holds in this turn? */
static bool
touched(const struct dzone *z)
{
	const struct dzone_memory *m = &z->committed;

	return z->saved && (z->has_event != m->has_event ||
	    memcmp(z->event, m->event, KEY_ID_LEN) != 0 ||
	    z->has_inc != m->has_inc || z->has_last != m->has_last ||
	    memcmp(&z->inc, &m->inc, sizeof(m->inc)) != 0 ||
	    memcmp(&z->last, &m->last, sizeof(m->last)) != 0);
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

	remember(d, z);
	z->dirty = false;
	if (evaluate(d, z, now, &e, &opened) != 0) {
		eval_free(&e);
		z->dirty = true;   /* try again at the next tick */
		z->next_eval_ms = t0 + 1000;
		return true;
	}
	z->next_change = e.res.next_change;
	st = step_incident(d, z, &e, opened);
	fields = decision_fields(&e, z, st, st == prev ? z->since : now);
	if (fields == NULL) {
		eval_free(&e);
		return true;
	}
	digest_fields(fields, digest);
	changed = memcmp(digest, z->digest, sizeof(digest)) != 0;
	/* a zone never decided and clear needs no decision */
	if (!z->has_event && st == QS_CLEAR)
		changed = false;
	refresh = z->has_event && st != QS_CLEAR &&
	    now - z->published >= DECISION_REFRESH;
	if (changed || refresh) {
		publish(d, z, &e, st, fields, changed, prev);
	} else {
		z->lifetime = st == QS_NTA_RECOMMENDED ? e.res.lifetime : 0;
		z->nta_until = st == QS_NTA_RECOMMENDED ? e.res.nta_until : 0;
	}
	json_decref(z->summary);
	z->summary = st == QS_CLEAR ? NULL : summary(d, z, &e, st);
	json_decref(fields);
	eval_free(&e);
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
	if (d == NULL || !caught_up(d) || !writable(d))
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
		/* a zone dropped in this turn must have nothing to roll back */
		if (!decide_zone(d, z, now) && (!z->has_event ||
		    z->state == QS_CLEAR) && !touched(z)) {
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
arm(struct decide *d, long long at)
{
	long long ms = loop_now_ms();
	long id;

	if (d->loop == NULL)
		return;
	if (at < ms + TICK_MS)
		at = ms + TICK_MS;
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

/* Set the timer at the next deadline: an idle engine sleeps until an
 * event, a trust change or the end of the catch-up marks a zone. */
static void
schedule(struct decide *d)
{
	long long at;

	/* syncing: the end of the catch-up calls decide_all() */
	if (!caught_up(d))
		return;
	if ((at = next_due(d)) < 0)
		return;
	/* the store cannot write: look again every tick (no transaction) */
	arm(d, writable(d) ? at : 0);
}

static void
tick(void *arg)
{
	struct decide *d = arg;

	d->armed = false;
	/* no transaction when there is nothing to do */
	if (caught_up(d) && writable(d) && next_due(d) >= 0 &&
	    next_due(d) <= loop_now_ms()) {
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
	if (d == NULL)
		return;
	switch (ev->kind) {
	case KIND_OBSERVATION:
	case KIND_ASSESSMENT:
	case KIND_ZONE_STATEMENT:
	case KIND_WITHDRAW:      /* its zone is the target's, when held */
		mark(d, ev->zone);
		break;
	default:
		break;
	}
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
	struct dzone *z = d ? zone_find(d, zone) : NULL;

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
	struct event *ev = parse_stored(raw, len);
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
			digest_fields(f, z->digest);
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

/* ------------------------------------------------------------ JSON */

static json_t *
fps_json(const unsigned char (*fps)[KEY_ID_LEN], size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, hexj(fps[i]));
	return a;
}

/* {"id","opened","closed","outcome","lead","fingerprints","held_since",
 * "recovering_since","relapses"} */
static json_t *
incident_json(const struct store_incident *inc)
{
	if (inc == NULL)
		return json_null();
	return json_pack("{s:s,s:I,s:o,s:s,s:o,s:o,s:o,s:o,s:I}",
	    "id", inc->id, "opened", (json_int_t)inc->opened,
	    "closed", inc->closed ? json_integer(inc->closed) : json_null(),
	    "outcome", incident_outcome(inc),
	    "lead", inc->has_lead ? hexj(inc->lead) : json_null(),
	    "fingerprints", fps_json((const unsigned char (*)[KEY_ID_LEN])inc->fps,
	    inc->nfps),
	    "held_since", inc->held_since ? json_integer(inc->held_since) :
	    json_null(),
	    "recovering_since", inc->recovering_since ?
	    json_integer(inc->recovering_since) : json_null(),
	    "relapses", (json_int_t)inc->relapses);
}

static json_t *
recovery_json(const struct eval *e, enum quorum_state st)
{
	const struct quorum_result *q = &e->res;

	if (st != QS_NTA_RECOMMENDED || !q->recovering)
		return json_null();
	return json_pack("{s:i,s:i,s:I,s:i,s:i}", "validating", q->validating_now,
	    "needed", e->pol.evidence, "elapsed", (json_int_t)q->recovered_for,
	    "window", e->pol.resolve_after, "still_failing", q->failing);
}

static json_t *
summary(struct decide *d, const struct dzone *z, const struct eval *e,
    enum quorum_state st)
{
	const struct quorum_result *q = &e->res;
	const struct store_incident *inc = about(z);
	json_t *fps = json_array();
	char shown[sizeof(q->reason)];

	(void)d;
	/* a zone that shows `resolved` after its incident closed is clear
	 * to the rule: say why it shows resolved, not "no assessment" */
	if (st == QS_RESOLVED && q->state != QS_RESOLVED && inc)
		snprintf(shown, sizeof(shown), "incident %s resolved: validated "
		    "again for %d s from %d operators (quorum_evidence %d); its "
		    "assessments no longer count", inc->id, e->pol.resolve_after,
		    e->pol.evidence, e->pol.evidence);
	else
		snprintf(shown, sizeof(shown), "%s", q->reason);
	for (size_t i = 0; i < q->nfps; i++)
		json_array_append_new(fps, json_pack("{s:o,s:i}", "fingerprint",
		    hexj(q->fps[i]), "operators", q->fp_votes[i]));
	return json_pack("{s:s,s:s,s:o,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:i,s:i,s:i,"
	    "s:i,s:i,s:i,s:i,s:s,s:o,s:o}",
	    "zone", z->zone,
	    "state", quorum_state_name(st),
	    "phase", st == QS_NTA_RECOMMENDED ? json_string(q->recovering ?
	    "recovering" : "failing") : json_null(),
	    "since", (json_int_t)(z->state == st ? z->since : e->now),
	    "changed", (json_int_t)z->changed,
	    "lifetime", st == QS_NTA_RECOMMENDED ? json_integer(q->lifetime) :
	    json_null(),
	    "nta_until", st == QS_NTA_RECOMMENDED ? json_integer(q->nta_until) :
	    json_null(),
	    "fingerprints", fps,
	    "veto", q->has_veto && st == QS_VETOED ? json_pack("{s:o,s:o,s:s}",
	    "origin", hexj(e->qe[q->veto_ev].origin), "event",
	    hexj(e->qe[q->veto_ev].id), "reason", q->veto_reason) : json_null(),
	    "incident", incident_json(inc && (z->has_inc || st == QS_RESOLVED) ?
	    inc : NULL),
	    "recommending", q->recommending, "observing", q->observing,
	    "validating", q->validating, "failing", q->failing,
	    "unreachable", q->unreachable, "quorum", q->quorum,
	    "evidence", e->pol.evidence, "reason", shown,
	    "recovery", recovery_json(e, st),
	    "decision_event", z->has_event ? hexj(z->event) : json_null());
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
	if (ev->kind != KIND_OBSERVATION)
		json_object_set_new(o, "bound", json_boolean(q->bound));
	return o;
}

/* Entry i of e as an event object: a word is parsed already, a view's
 * observation is read from the store. */
static json_t *
entry_json(struct decide *d, struct eval *e, size_t i)
{
	if (e->ev[i] == NULL) {
		char *raw = NULL;
		size_t len = 0;
		if (store_lookup(d->store, e->qe[i].id, NULL, NULL, 0, &raw, &len) != 1 ||
		    (e->ev[i] = parse_stored(raw, len)) == NULL) {
			free(raw);
			return json_pack("{s:o,s:s}", "id", hexj(e->qe[i].id),
			    "kind", kind_name(e->qe[i].kind));
		}
		free(raw);
	}
	return event_json(e->ev[i], &e->qe[i]);
}

static void
sort_zones(json_t *zones)
{
	static const int rank[QS__COUNT] = {
		[QS_NTA_RECOMMENDED] = 0, [QS_VETOED] = 1,
		[QS_INCONSISTENT_EVIDENCE] = 2, [QS_OBSERVED] = 3,
		[QS_RESOLVED] = 4, [QS_CLEAR] = 5,
	};
	size_t n = json_array_size(zones);

	/* most urgent first, then by name: a stable order for people */
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

json_t *
decide_zones_json(struct decide *d)
{
	long long now = relay_now();
	json_t *zones = json_array(), *out, *sync;

	if ((sync = syncing_json(d)) != NULL) {
		json_object_set_new(sync, "now", json_integer(now));
		json_object_set_new(sync, "relay", hexj(d->origin));
		json_object_set_new(sync, "count", json_integer(0));
		json_object_set_new(sync, "zones", zones);
		return sync;
	}
	/* zones that wait for their evaluation (the budget, the tick) are
	 * evaluated now: the list agrees with GET /v1/zones/{zone}; the others
	 * are served from their last evaluation */
	if (d->signer.begin)
		d->signer.begin(d->signer.ctx);
	flush(d, true);
	schedule(d);
	for (size_t i = 0; d && zones && i < d->n; i++)
		if (d->v[i]->summary != NULL)
			json_array_append(zones, d->v[i]->summary);
	if (zones == NULL)
		return NULL;
	sort_zones(zones);
	out = json_pack("{s:I,s:o,s:b,s:I,s:o}", "now", (json_int_t)now,
	    "relay", hexj(d->origin), "syncing", 0,
	    "count", (json_int_t)json_array_size(zones), "zones", zones);
	return out;
}

static void
history_add(void *arg, const char *raw, size_t len)
{
	json_t *h = arg;
	struct event *ev = parse_stored(raw, len);
	const char *st, *inc, *ph;

	if (ev == NULL)
		return;
	st = event_str(ev, "state");
	inc = event_str(ev, "incident");
	ph = event_str(ev, "phase");
	json_array_insert_new(h, 0, json_pack("{s:I,s:s,s:o,s:o,s:o}", "ts",
	    (json_int_t)ev->ts, "state", st ? st : "?", "event", hexj(ev->id),
	    "incident", inc ? json_string(inc) : json_null(),
	    "phase", ph ? json_string(ph) : json_null()));
	event_free(ev);
}

static void
incident_add(void *arg, const struct store_incident *inc)
{
	json_array_append_new(arg, incident_json(inc));
}

/* The vote entries of the audit trail. */
static json_t *
operators_json(struct decide *d, struct eval *e, json_t **stmt)
{
	json_t *ops = json_array();

	for (size_t i = 0; i < e->res.nvotes; i++) {
		const struct quorum_vote *v = &e->res.votes[i];
		json_t *roles = json_array(), *evs = json_array(), *origins = json_array();

		for (unsigned b = 0; b < QR__BITS; b++)
			if (v->roles & (1u << b))
				json_array_append_new(roles, json_string(quorum_role_name(b)));
		for (size_t k = 0; k < v->nev; k++) {
			size_t idx = v->ev[k];
			const struct quorum_event *q = &e->qe[idx];
			char oh[KEY_ID_HEX_LEN + 1];
			bool have = false;
			size_t j;
			json_t *x, *ej = entry_json(d, e, idx);

			json_array_append_new(evs, ej);
			encoding_hex_encode(q->origin, KEY_ID_LEN, oh);
			json_array_foreach(origins, j, x)
				have |= strcmp(json_string_value(x), oh) == 0;
			if (!have)
				json_array_append_new(origins, json_string(oh));
			if (q->kind == KIND_ZONE_STATEMENT && json_is_null(*stmt))
				*stmt = json_incref(ej);
		}
		json_array_append_new(ops, json_pack("{s:o,s:o,s:o,s:o,s:o}", "vote",
		    hexj(v->vote), "origins", origins, "roles", roles,
		    "fingerprint", v->fp >= 0 ? hexj(e->res.fps[v->fp]) : json_null(),
		    "events", evs));
	}
	return ops;
}

json_t *
decide_zone_json(struct decide *d, const char *zone)
{
	struct dzone *z = d ? zone_find(d, zone) : NULL, tmp;
	struct eval e;
	char err[STORE_ERR_MAX];
	enum quorum_state st;
	json_t *doc, *hist, *incs, *stmt = json_null(), *sync;
	long long now = relay_now();

	if ((sync = syncing_json(d)) != NULL) {
		json_object_set_new(sync, "zone", json_string(zone));
		json_object_set_new(sync, "state", json_string("syncing"));
		return sync;
	}
	/* evaluated now, from the store; a held zone's incident is read,
	 * never changed, here */
	if (evaluate_detached(d, zone, now, &e, &tmp) != 0) {
		eval_free(&e);
		return NULL;
	}
	if (z != NULL) {
		/* the held zone's published decision, as it stands */
		tmp.state = z->state;
		tmp.since = z->since;
		tmp.changed = z->changed;
		tmp.has_event = z->has_event;
		memcpy(tmp.event, z->event, KEY_ID_LEN);
	}
	st = e.res.state;
	if (!tmp.has_inc && st == QS_CLEAR && incident_shows_resolved(
	    tmp.has_last ? &tmp.last : NULL, e.pol.resolve_after, e.stale_words,
	    now))
		st = QS_RESOLVED;
	if (st == QS_RESOLVED && tmp.has_inc) {
		/* resolving now: the incident it closes */
		tmp.last = tmp.inc;
		tmp.has_last = true;
		tmp.has_inc = false;
	}
	doc = summary(d, &tmp, &e, st);
	json_object_set_new(doc, "operators", operators_json(d, &e, &stmt));
	json_object_set_new(doc, "statement", stmt);
	/* events that do not count (not a member, revoked, withdrawn, a
	 * statement by someone not the zone's operator, a word that judged
	 * another incident) */
	{
		json_t *ignored = json_array();
		for (size_t i = 0; i < e.n; i++) {
			const struct quorum_event *q = &e.qe[i];
			if ((!q->counts || q->withdrawn || (q->kind ==
			    KIND_ZONE_STATEMENT && !q->zone_operator) ||
			    (q->kind != KIND_OBSERVATION && !q->bound)) &&
			    json_array_size(ignored) < 32)
				json_array_append_new(ignored, entry_json(d, &e, i));
		}
		json_object_set_new(doc, "not_counted", ignored);
	}
	hist = json_array();
	if (store_decisions_of(d->store, zone, d->origin, HISTORY_MAX, history_add,
	    hist, err) < 0)
		log_err("%s", err);
	json_object_set_new(doc, "history", hist);
	incs = json_array();
	if (store_incidents_each(d->store, zone, INCIDENTS_SHOWN, incident_add, incs,
	    err) < 0)
		log_err("%s", err);
	json_object_set_new(doc, "incidents", incs);
	eval_free(&e);
	return doc;
}

json_t *
decide_judged(struct decide *d, const char *zone, json_t **refs)
{
	struct dzone tmp;
	struct eval e;
	json_t *fps = json_array(), *about;
	int lead;

	*refs = json_array();
	if (evaluate_detached(d, zone, relay_now(), &e, &tmp) != 0) {
		eval_free(&e);
		json_decref(fps);
		return NULL;
	}
	lead = e.res.lead;
	/* the current failing views, the leading failure's first, at most
	 * KIND_REFS_MAX */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < e.n && json_array_size(*refs) < KIND_REFS_MAX;
		    i++) {
			const struct quorum_event *q = &e.qe[i];
			bool is_lead;
			if (q->kind != KIND_OBSERVATION || !q->counts || q->withdrawn ||
			    e.now >= q->exp || q->obs != QO_BOGUS || !q->has_fp)
				continue;
			is_lead = lead >= 0 && memcmp(q->fp, e.res.fps[lead],
			    KEY_ID_LEN) == 0;
			if ((pass == 0) != is_lead)
				continue;
			json_array_append_new(*refs, hexj(q->id));
		}
	for (size_t i = 0; i < e.res.nfps; i++)
		json_array_append_new(fps, hexj(e.res.fps[i]));
	about = json_pack("{s:o,s:o,s:o,s:i,s:s}",
	    "incident", tmp.has_inc ? json_string(tmp.inc.id) : json_null(),
	    "lead", lead >= 0 ? hexj(e.res.fps[lead]) : json_null(),
	    "fingerprints", fps, "observations", (int)json_array_size(*refs),
	    "state", quorum_state_name(e.res.state));
	eval_free(&e);
	return about;
}
