/*
 * relay/quorum/decision.c — the engine's decisions (see decide_int.h): the
 * decision kind's fields and the digest that says whether one changed,
 * stepping the zone's incident (relay/quorum/incident.h) and persisting it,
 * signing a decision through the engine's signer and handing a change to
 * its notifier, and the memory that undoes a turn rolled back.
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

json_t *
engine_hexj(const unsigned char *id)
{
	char h[KEY_ID_HEX_LEN + 1];

	return json_string(encoding_hex_encode(id, KEY_ID_LEN, h));
}

/* The incident a decision is about: the open one, or the one that just
 * closed (or shows as resolved). */
const struct store_incident *
engine_about(const struct dzone *z)
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

void
engine_digest_fields(const json_t *f, unsigned char out[32])
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
json_t *
engine_decision_fields(const struct eval *e, const struct dzone *z,
    enum quorum_state st, long long since)
{
	const struct quorum_result *q = &e->res;
	const struct store_incident *inc = engine_about(z);
	json_t *ops = json_array(), *fps = json_array(), *veto = json_null(), *f;

	for (size_t i = 0; i < q->nvotes && i < VOTES_MAX; i++) {
		json_t *ids = json_array();
		for (size_t k = 0; k < q->votes[i].nev; k++)
			json_array_append_new(ids, engine_hexj(e->qe[q->votes[i].ev[k]].id));
		json_array_append_new(ops, json_pack("{s:o,s:o}", "origin",
		    engine_hexj(q->votes[i].vote), "events", ids));
	}
	for (size_t i = 0; i < q->nfps; i++)
		json_array_append_new(fps, engine_hexj(q->fps[i]));
	if (q->has_veto && st == QS_VETOED)
		veto = json_pack("{s:o,s:o,s:s}", "origin",
		    engine_hexj(e->qe[q->veto_ev].origin), "event",
		    engine_hexj(e->qe[q->veto_ev].id), "reason", q->veto_reason);
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
enum quorum_state
engine_step_incident(struct decide *d, struct dzone *z, const struct eval *e,
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

void
engine_publish(struct decide *d, struct dzone *z, const struct eval *e,
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
	engine_digest_fields(fields, z->digest);
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
void
engine_remember(struct decide *d, struct dzone *z)
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
bool
engine_touched(const struct dzone *z)
{
	const struct dzone_memory *m = &z->committed;

	return z->saved && (z->has_event != m->has_event ||
	    memcmp(z->event, m->event, KEY_ID_LEN) != 0 ||
	    z->has_inc != m->has_inc || z->has_last != m->has_last ||
	    memcmp(&z->inc, &m->inc, sizeof(m->inc)) != 0 ||
	    memcmp(&z->last, &m->last, sizeof(m->last)) != 0);
}
