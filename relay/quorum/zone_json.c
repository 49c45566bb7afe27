/*
 * relay/quorum/zone_json.c — the engine's documents (decide.h): GET
 * /v1/zones (the zones' last summaries), GET /v1/zones/{zone} (the zone
 * evaluated now, with its audit trail), and what staff judge when they
 * assess a zone (decide_judged()).
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

static json_t *
fps_json(const unsigned char (*fps)[KEY_ID_LEN], size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, engine_hexj(fps[i]));
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
	    "lead", inc->has_lead ? engine_hexj(inc->lead) : json_null(),
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

json_t *
engine_summary(struct decide *d, const struct dzone *z, const struct eval *e,
    enum quorum_state st)
{
	const struct quorum_result *q = &e->res;
	const struct store_incident *inc = engine_about(z);
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
		    engine_hexj(q->fps[i]), "operators", q->fp_votes[i]));
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
	    "origin", engine_hexj(e->qe[q->veto_ev].origin), "event",
	    engine_hexj(e->qe[q->veto_ev].id), "reason", q->veto_reason) : json_null(),
	    "incident", incident_json(inc && (z->has_inc || st == QS_RESOLVED) ?
	    inc : NULL),
	    "recommending", q->recommending, "observing", q->observing,
	    "validating", q->validating, "failing", q->failing,
	    "unreachable", q->unreachable, "quorum", q->quorum,
	    "evidence", e->pol.evidence, "reason", shown,
	    "recovery", recovery_json(e, st),
	    "decision_event", z->has_event ? engine_hexj(z->event) : json_null());
}

/* Readable summary of one event for the audit trail. */
static json_t *
event_json(const struct event *ev, const struct quorum_event *q)
{
	json_t *o = json_pack("{s:o,s:s,s:o,s:o,s:I,s:I,s:I,s:b,s:b}",
	    "id", engine_hexj(ev->id), "kind", kind_name(ev->kind),
	    "origin", engine_hexj(ev->origin), "key", engine_hexj(ev->key),
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
		    (e->ev[i] = engine_parse_stored(raw, len)) == NULL) {
			free(raw);
			return json_pack("{s:o,s:s}", "id", engine_hexj(e->qe[i].id),
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

	if ((sync = engine_syncing_json(d)) != NULL) {
		json_object_set_new(sync, "now", json_integer(now));
		json_object_set_new(sync, "relay", engine_hexj(d->origin));
		json_object_set_new(sync, "count", json_integer(0));
		json_object_set_new(sync, "zones", zones);
		return sync;
	}
	/* zones that wait for their evaluation (the budget, the tick) are
	 * evaluated now: the list agrees with GET /v1/zones/{zone}; the others
	 * are served from their last evaluation */
	engine_eval_now(d);
	for (size_t i = 0; d && zones && i < d->n; i++)
		if (d->v[i]->summary != NULL)
			json_array_append(zones, d->v[i]->summary);
	if (zones == NULL)
		return NULL;
	sort_zones(zones);
	out = json_pack("{s:I,s:o,s:b,s:I,s:o}", "now", (json_int_t)now,
	    "relay", engine_hexj(d->origin), "syncing", 0,
	    "count", (json_int_t)json_array_size(zones), "zones", zones);
	return out;
}

static void
history_add(void *arg, const char *raw, size_t len)
{
	json_t *h = arg;
	struct event *ev = engine_parse_stored(raw, len);
	const char *st, *inc, *ph;

	if (ev == NULL)
		return;
	st = event_str(ev, "state");
	inc = event_str(ev, "incident");
	ph = event_str(ev, "phase");
	json_array_insert_new(h, 0, json_pack("{s:I,s:s,s:o,s:o,s:o}", "ts",
	    (json_int_t)ev->ts, "state", st ? st : "?", "event", engine_hexj(ev->id),
	    "incident", inc ? json_string(inc) : json_null(),
	    "phase", ph ? json_string(ph) : json_null()));
	event_free(ev);
}

static void
incident_add(void *arg, const struct store_incident *inc)
{
	json_array_append_new(arg, incident_json(inc));
}

void
decide_operator_names(const struct decide *d,
    const unsigned char op[KEY_ID_LEN], const char **local,
    const char **declared)
{
	*local = *declared = NULL;
	if (d != NULL && d->trust != NULL)
		trust_index_op_names(d->trust->tidx, op, local, declared);
}

/* {"local_name": ..., "declared_name": ...} of operator id into o. */
static void
names_set(const struct decide *d, json_t *o, const unsigned char *id)
{
	const char *local = NULL, *declared = NULL;

	if (id != NULL && d->trust != NULL)
		trust_index_op_names(d->trust->tidx, id, &local, &declared);
	json_object_set_new(o, "local_name", local ? json_string(local) :
	    json_null());
	json_object_set_new(o, "declared_name", declared ? json_string(declared) :
	    json_null());
}

/* Add operator idhex to the list of names once (hex from the document). */
static void
names_add(const struct decide *d, json_t *list, const json_t *idj)
{
	const char *hex = json_string_value(idj);
	unsigned char id[KEY_ID_LEN];
	const json_t *x;
	json_t *e;
	size_t i;

	if (hex == NULL || encoding_hex_decode(hex, id, KEY_ID_LEN) != 0)
		return;
	json_array_foreach(list, i, x)
		if (strcmp(json_string_value(json_object_get(x, "operator")), hex) == 0)
			return;
	if ((e = json_pack("{s:s}", "operator", hex)) == NULL)
		return;
	names_set(d, e, id);
	json_array_append_new(list, e);
}

/*
 * "operator_names": the local and self-declared names of every operator
 * the document names (votes, origins, the veto, events not counted), so
 * that readers never show a bare id where a name is known (lib/opname.h).
 */
static json_t *
operator_names_json(const struct decide *d, const json_t *doc)
{
	json_t *list = json_array(), *o, *x;
	size_t i, j;

	json_array_foreach(json_object_get(doc, "operators"), i, o) {
		names_add(d, list, json_object_get(o, "vote"));
		json_array_foreach(json_object_get(o, "origins"), j, x)
			names_add(d, list, x);
	}
	names_add(d, list, json_object_get(json_object_get(doc, "veto"), "origin"));
	names_add(d, list, json_object_get(json_object_get(doc, "statement"),
	    "origin"));
	json_array_foreach(json_object_get(doc, "not_counted"), i, o)
		names_add(d, list, json_object_get(o, "origin"));
	return list;
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
		json_t *oj = json_pack("{s:o,s:o,s:o,s:o,s:o}", "vote",
		    engine_hexj(v->vote), "origins", origins, "roles", roles,
		    "fingerprint", v->fp >= 0 ? engine_hexj(e->res.fps[v->fp]) : json_null(),
		    "events", evs);
		if (oj != NULL)
			names_set(d, oj, v->vote);
		json_array_append_new(ops, oj);
	}
	return ops;
}

json_t *
decide_zone_json(struct decide *d, const char *zone)
{
	struct dzone *z = d ? engine_zone_find(d, zone) : NULL, tmp;
	struct eval e;
	char err[STORE_ERR_MAX];
	enum quorum_state st;
	json_t *doc, *hist, *incs, *stmt = json_null(), *sync;
	long long now = relay_now();

	if ((sync = engine_syncing_json(d)) != NULL) {
		json_object_set_new(sync, "zone", json_string(zone));
		json_object_set_new(sync, "state", json_string("syncing"));
		return sync;
	}
	/* evaluated now, from the store; a held zone's incident is read,
	 * never changed, here */
	if (engine_evaluate_detached(d, zone, now, &e, &tmp) != 0) {
		engine_eval_free(&e);
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
	doc = engine_summary(d, &tmp, &e, st);
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
	json_object_set_new(doc, "operator_names", operator_names_json(d, doc));
	engine_eval_free(&e);
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
	if (engine_evaluate_detached(d, zone, relay_now(), &e, &tmp) != 0) {
		engine_eval_free(&e);
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
			json_array_append_new(*refs, engine_hexj(q->id));
		}
	for (size_t i = 0; i < e.res.nfps; i++)
		json_array_append_new(fps, engine_hexj(e.res.fps[i]));
	about = json_pack("{s:o,s:o,s:o,s:i,s:s}",
	    "incident", tmp.has_inc ? json_string(tmp.inc.id) : json_null(),
	    "lead", lead >= 0 ? engine_hexj(e.res.fps[lead]) : json_null(),
	    "fingerprints", fps, "observations", (int)json_array_size(*refs),
	    "state", quorum_state_name(e.res.state));
	engine_eval_free(&e);
	return about;
}
