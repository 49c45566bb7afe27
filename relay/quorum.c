/*
 * relay/quorum.c — the quorum rule (DESIGN.md §6); see quorum.h.
 *
 * Written for auditability before speed: each step is a pass over the
 * zone's events, in the order quorum.h describes. A zone holds few events
 * (a vantage point signs an observation when what it sees changes, an
 * operator a handful of assessments), so the quadratic "is there a newer
 * one" test costs nothing that matters.
 */
#include <stdio.h>
#include <string.h>

#include "relay/quorum.h"

static const char *const state_names[QS__COUNT] = {
	"clear", "observed", "nta_recommended", "vetoed",
	"inconsistent_evidence", "resolved"
};

const char *
quorum_state_name(enum quorum_state s)
{
	return s < QS__COUNT ? state_names[s] : "?";
}

enum quorum_state
quorum_state_from_name(const char *name)
{
	for (int i = 0; i < QS__COUNT; i++)
		if (strcmp(name, state_names[i]) == 0)
			return (enum quorum_state)i;
	return QS__COUNT;
}

int
quorum_default(int members)
{
	int q = (members + 2) / 3;

	return q < 2 ? 2 : q;
}

/* a newer than b in its chain (observations: per key) or in time (the
 * word of an origin: ts, then seq, then id, so that every relay picks the
 * same one) */
static bool
newer(const struct quorum_event *a, const struct quorum_event *b)
{
	if (a->kind == KIND_OBSERVATION)
		return a->seq > b->seq ||
		    (a->seq == b->seq && memcmp(a->id, b->id, KEY_ID_LEN) > 0);
	if (a->ts != b->ts)
		return a->ts > b->ts;
	if (a->seq != b->seq)
		return a->seq > b->seq;
	return memcmp(a->id, b->id, KEY_ID_LEN) > 0;
}

/* Is e the current event of its kind for its key (observations) or its
 * origin (assessments, statements)? Expiry is not looked at here. */
static bool
is_latest(const struct quorum_event *evs, size_t n, size_t i)
{
	const struct quorum_event *e = &evs[i];

	for (size_t j = 0; j < n; j++) {
		const struct quorum_event *o = &evs[j];

		if (j == i || o->kind != e->kind || !o->counts)
			continue;
		if (e->kind == KIND_OBSERVATION ?
		    memcmp(o->key, e->key, KEY_ID_LEN) != 0 :
		    memcmp(o->origin, e->origin, KEY_ID_LEN) != 0)
			continue;
		if (newer(o, e))
			return false;
	}
	return true;
}

static bool
live(const struct quorum_event *e, long long now)
{
	return now < e->exp;
}

static long long
rec_end(const struct quorum_event *e)
{
	long long end = e->ts + e->lifetime;

	return end < e->exp ? end : e->exp;
}

static void
next_at(struct quorum_result *out, long long now, long long t)
{
	if (t > now && (out->next_change == 0 || t < out->next_change))
		out->next_change = t;
}

static bool
validating(enum quorum_obs o)
{
	return o == QO_SECURE || o == QO_INSECURE;
}

/*
 * Does key (the key of evs[k]) validate without a break over the whole
 * window [now - window, now]? Its observations ordered by seq, the
 * trailing run of validating ones must reach back to the window's start,
 * each live until the next one was signed, the last one live now. When
 * the run is not yet long enough, note when it will be.
 */
static bool
sustained(const struct quorum_event *evs, size_t n, size_t k, long long now,
    int window, struct quorum_result *out)
{
	const unsigned char *key = evs[k].key;
	const struct quorum_event *cur = NULL, *start = NULL;
	long long wstart = now - window;

	/* walk the key's observations from the newest down */
	for (;;) {
		const struct quorum_event *prev = NULL;

		for (size_t j = 0; j < n; j++) {
			const struct quorum_event *o = &evs[j];
			if (o->kind != KIND_OBSERVATION || !o->counts ||
			    memcmp(o->key, key, KEY_ID_LEN) != 0)
				continue;
			if (cur != NULL && !newer(cur, o))
				continue;   /* not older than the current step */
			if (prev == NULL || newer(o, prev))
				prev = o;
		}
		if (prev == NULL)
			break;
		if (cur == NULL && !live(prev, now))
			return false;                /* no current view */
		if (prev->withdrawn || !validating(prev->obs))
			break;
		if (cur != NULL && prev->exp < cur->ts)
			break;                       /* a gap in coverage */
		start = prev;
		if (prev->ts <= wstart)
			return true;
		cur = prev;
	}
	if (start != NULL)
		next_at(out, now, start->ts + window);
	return false;
}

/* The vote entry of v, added when new; NULL when the array is full. */
static struct quorum_vote *
vote_of(struct quorum_result *out, const unsigned char v[KEY_ID_LEN])
{
	size_t i;

	for (i = 0; i < out->nvotes; i++)
		if (memcmp(out->votes[i].vote, v, KEY_ID_LEN) == 0)
			return &out->votes[i];
	if (out->nvotes == out->cap) {
		out->truncated = true;
		return NULL;
	}
	memset(&out->votes[i], 0, sizeof(out->votes[i]));
	memcpy(out->votes[i].vote, v, KEY_ID_LEN);
	out->votes[i].fp = -1;
	out->nvotes++;
	return &out->votes[i];
}

static void
vote_add(struct quorum_vote *v, size_t ev, unsigned roles)
{
	v->roles |= roles;
	for (size_t i = 0; i < v->nev; i++)
		if (v->ev[i] == ev)
			return;
	if (v->nev < QUORUM_VOTE_EVENTS)
		v->ev[v->nev++] = ev;
}

static int
fp_index(const struct quorum_result *out, const unsigned char fp[KEY_ID_LEN])
{
	for (size_t i = 0; i < out->nfps; i++)
		if (memcmp(out->fps[i], fp, KEY_ID_LEN) == 0)
			return (int)i;
	return -1;
}

/* Keep fingerprints sorted, so that every relay lists them alike. */
static void
fp_sort(struct quorum_result *out)
{
	for (size_t i = 1; i < out->nfps; i++)
		for (size_t j = i; j > 0 &&
		    memcmp(out->fps[j - 1], out->fps[j], KEY_ID_LEN) > 0; j--) {
			unsigned char t[KEY_ID_LEN];
			int c = out->fp_votes[j];

			memcpy(t, out->fps[j], KEY_ID_LEN);
			memcpy(out->fps[j], out->fps[j - 1], KEY_ID_LEN);
			memcpy(out->fps[j - 1], t, KEY_ID_LEN);
			out->fp_votes[j] = out->fp_votes[j - 1];
			out->fp_votes[j - 1] = c;
		}
}

static void
vote_sort(struct quorum_result *out)
{
	for (size_t i = 1; i < out->nvotes; i++)
		for (size_t j = i; j > 0 && memcmp(out->votes[j - 1].vote,
		    out->votes[j].vote, KEY_ID_LEN) > 0; j--) {
			struct quorum_vote t = out->votes[j];
			out->votes[j] = out->votes[j - 1];
			out->votes[j - 1] = t;
		}
}

void
quorum_evaluate(const struct quorum_event *evs, size_t n,
    const struct quorum_policy *p, long long now, struct quorum_result *out)
{
	struct quorum_vote *votes = out->votes;
	size_t cap = out->cap;
	bool material = false, any_rec = false, confirmed = false;
	long long until = 0;
	long lifetime = 0;
	int lead = -1;

	memset(out, 0, sizeof(*out));
	out->votes = votes;
	out->cap = cap;
	out->quorum = p->quorum > 0 ? p->quorum : quorum_default(p->members);

	/* 1. the current events, by vote */
	for (size_t i = 0; i < n; i++) {
		const struct quorum_event *e = &evs[i];
		struct quorum_vote *v;

		if (!e->counts)
			continue;
		if (live(e, now))
			next_at(out, now, e->exp);
		if (!is_latest(evs, n, i) || e->withdrawn || !live(e, now))
			continue;
		if ((v = vote_of(out, e->vote)) == NULL)
			continue;
		switch (e->kind) {
		case KIND_OBSERVATION:
			if (e->obs == QO_BOGUS && e->has_fp) {
				int f = fp_index(out, e->fp);
				if (f < 0 && out->nfps < QUORUM_FPS_MAX) {
					f = (int)out->nfps++;
					memcpy(out->fps[f], e->fp, KEY_ID_LEN);
				}
				vote_add(v, i, QR_OBSERVES);
				material = true;
			} else {
				if (e->obs == QO_INDETERMINATE)
					material = true;
				vote_add(v, i, 0);
			}
			if (sustained(evs, n, i, now, p->resolve_after, out))
				v->roles |= QR_VALIDATES;
			break;
		case KIND_ASSESSMENT:
			material = true;
			if ((e->verdict == QV_ACCIDENT ||
			    e->verdict == QV_LIKELY_ACCIDENT) && e->recommend &&
			    now < rec_end(e)) {
				next_at(out, now, rec_end(e));
				vote_add(v, i, QR_ASSESSES | QR_RECOMMENDS);
			} else if (e->verdict == QV_ATTACK ||
			    e->verdict == QV_LIKELY_ATTACK) {
				vote_add(v, i, QR_ASSESSES | QR_ATTACK);
			} else {
				vote_add(v, i, QR_ASSESSES);
			}
			break;
		case KIND_ZONE_STATEMENT:
			if (!e->zone_operator)
				break;       /* only the zone's operator speaks for it */
			if (e->status != QT_RESOLVED)
				material = true;
			vote_add(v, i, QR_STATES |
			    (e->status == QT_ACCIDENT_CONFIRMED ? QR_CONFIRMS : 0) |
			    (e->status == QT_ATTACK_SUSPECTED ? QR_ATTACK : 0));
			break;
		default:
			break;
		}
	}

	/* 2. fingerprints: one vote per fingerprint it observes */
	for (size_t f = 0; f < out->nfps; f++) {
		for (size_t i = 0; i < out->nvotes; i++) {
			struct quorum_vote *v = &out->votes[i];
			bool seen = false;
			for (size_t k = 0; k < v->nev && !seen; k++) {
				const struct quorum_event *e = &evs[v->ev[k]];
				seen = e->kind == KIND_OBSERVATION && e->obs == QO_BOGUS &&
				    e->has_fp && memcmp(e->fp, out->fps[f], KEY_ID_LEN) == 0;
			}
			if (seen)
				out->fp_votes[f]++;
		}
	}
	fp_sort(out);
	for (size_t f = 0; f < out->nfps; f++)
		if (lead < 0 || out->fp_votes[f] > out->fp_votes[lead])
			lead = (int)f;
	out->observing = lead < 0 ? 0 : out->fp_votes[lead];
	for (size_t i = 0; i < out->nvotes; i++) {
		struct quorum_vote *v = &out->votes[i];
		for (size_t k = 0; k < v->nev; k++) {
			const struct quorum_event *e = &evs[v->ev[k]];
			if (e->kind == KIND_OBSERVATION && e->obs == QO_BOGUS && e->has_fp)
				v->fp = fp_index(out, e->fp);
		}
	}

	/* 3. veto: the earliest current one decides what is shown */
	for (size_t i = 0; i < out->nvotes; i++) {
		struct quorum_vote *v = &out->votes[i];
		for (size_t k = 0; k < v->nev; k++) {
			size_t ei = v->ev[k];
			const struct quorum_event *e = &evs[ei];
			bool vetoes = false;
			char why[128] = "";

			if (e->kind == KIND_ZONE_STATEMENT &&
			    e->status == QT_ATTACK_SUSPECTED && p->veto_statement) {
				vetoes = true;
				snprintf(why, sizeof(why), "the zone's operator "
				    "suspects an attack (zone statement attack_suspected)");
			} else if (e->kind == KIND_ASSESSMENT &&
			    (e->verdict == QV_ATTACK || e->verdict == QV_LIKELY_ATTACK) &&
			    p->veto_assessment) {
				bool backed = false;
				/* the same operator's own current observation */
				for (size_t j = 0; j < v->nev && !backed; j++) {
					const struct quorum_event *o = &evs[v->ev[j]];
					backed = o->kind == KIND_OBSERVATION &&
					    memcmp(o->origin, e->origin, KEY_ID_LEN) == 0;
				}
				if (backed || p->veto_unbacked) {
					vetoes = true;
					snprintf(why, sizeof(why), "assessment %s%s",
					    e->verdict == QV_ATTACK ? "attack" :
					    "likely_attack", backed ? ", backed by the "
					    "operator's own observation" : " (not backed by "
					    "an observation; veto_unbacked yes)");
				}
			}
			if (vetoes && (!out->has_veto || e->ts < evs[out->veto_ev].ts ||
			    (e->ts == evs[out->veto_ev].ts &&
			    memcmp(e->id, evs[out->veto_ev].id, KEY_ID_LEN) < 0))) {
				out->has_veto = true;
				out->veto_ev = ei;
				memcpy(out->veto_reason, why, sizeof(why));
			}
		}
	}
	if (out->has_veto)
		for (size_t i = 0; i < out->nvotes; i++)
			for (size_t k = 0; k < out->votes[i].nev; k++)
				if (out->votes[i].ev[k] == out->veto_ev)
					out->votes[i].roles |= QR_VETOES;

	/* 4. quorum: recommending votes, the zone operator's confirmation as
	 * one more (never alone), the lifetime the minimum */
	for (size_t i = 0; i < out->nvotes; i++) {
		const struct quorum_vote *v = &out->votes[i];
		if (v->roles & QR_RECOMMENDS) {
			out->recommending++;
			any_rec = true;
			for (size_t k = 0; k < v->nev; k++) {
				const struct quorum_event *e = &evs[v->ev[k]];
				if (e->kind != KIND_ASSESSMENT || !e->recommend)
					continue;
				if (lifetime == 0 || e->lifetime < lifetime)
					lifetime = e->lifetime;
				if (until == 0 || rec_end(e) < until)
					until = rec_end(e);
			}
		} else if ((v->roles & QR_CONFIRMS) && !confirmed) {
			confirmed = true;
		}
		if (v->roles & QR_VALIDATES)
			out->validating++;
	}
	if (confirmed && any_rec)
		out->recommending++;
	if (lifetime > p->max_lifetime)
		lifetime = p->max_lifetime;
	if (lifetime > QUORUM_MAX_LIFETIME)
		lifetime = QUORUM_MAX_LIFETIME;
	if (until > now + lifetime)
		until = now + lifetime;

	/* 5. the state */
	vote_sort(out);
	if (material && out->validating >= p->evidence) {
		out->state = QS_RESOLVED;
		snprintf(out->reason, sizeof(out->reason), "validated for %d s "
		    "from %d operators (quorum_evidence %d)%s", p->resolve_after,
		    out->validating, p->evidence, out->nfps ? "; some vantage "
		    "points still see a failure" : "");
	} else if (out->nfps >= 2) {
		out->state = QS_INCONSISTENT_EVIDENCE;
		snprintf(out->reason, sizeof(out->reason), "vantage points see %zu "
		    "different failures (possible on-path attack): no NTA until "
		    "they agree", out->nfps);
	} else if (out->has_veto) {
		out->state = QS_VETOED;
		snprintf(out->reason, sizeof(out->reason), "vetoed: %s",
		    out->veto_reason);
	} else if (out->recommending >= out->quorum && any_rec &&
	    out->observing >= p->evidence) {
		out->state = QS_NTA_RECOMMENDED;
		out->lifetime = lifetime;
		out->nta_until = until;
		snprintf(out->reason, sizeof(out->reason), "%d operators recommend "
		    "an NTA (quorum %d) and %d observe one failure (quorum_evidence "
		    "%d)", out->recommending, out->quorum, out->observing,
		    p->evidence);
	} else if (material) {
		out->state = QS_OBSERVED;
		snprintf(out->reason, sizeof(out->reason), "%d operators recommend "
		    "an NTA (quorum %d)%s; %d observe one failure (quorum_evidence "
		    "%d)", out->recommending, out->quorum,
		    confirmed && !any_rec ? ", the zone operator's confirmation "
		    "never counts alone" : "", out->observing, p->evidence);
	} else {
		out->state = QS_CLEAR;
		snprintf(out->reason, sizeof(out->reason), "no failure observed, "
		    "no assessment");
	}
}
