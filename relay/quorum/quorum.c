/*
 * relay/quorum/quorum.c — the quorum rule; see quorum.h.
 *
 * Written for auditability before speed: each step is a pass over the
 * zone's views and words, in the order quorum.h describes. A zone holds
 * one view per key and two words per origin, so the quadratic "is there
 * a newer one" test costs nothing that matters.
 */
#include <stdio.h>
#include <string.h>

#include "relay/quorum/quorum.h"

static const char *const state_names[QS__COUNT] = {
	"clear", "observed", "nta_recommended", "vetoed",
	"inconsistent_evidence", "resolved"
};

static const char *const role_names[QR__BITS] = {
	"recommends", "confirms", "observes", "validates", "vetoes", "attack",
	"assesses", "states", "unreachable", "validating"
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

const char *
quorum_role_name(unsigned b)
{
	return b < QR__BITS ? role_names[b] : "?";
}

int
quorum_default(int members)
{
	int q = (members + 2) / 3;

	return q < 2 ? 2 : q;
}

/* a newer than b in its chain (views: per key) or in time (the word of
 * an origin: ts, then seq, then id, so that every relay picks the same
 * one) */
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

/* Is e the current event of its kind for its key (views) or its origin
 * (words)? Expiry is not looked at here. */
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

/* 1. A current view: what the vote sees now. */
static void
add_view(const struct quorum_event *e, size_t i, struct quorum_vote *v,
    const struct quorum_policy *p, long long now, struct quorum_result *out)
{
	switch (e->obs) {
	case QO_BOGUS:
		if (!e->has_fp)
			break;
		if (fp_index(out, e->fp) < 0 && out->nfps < QUORUM_FPS_MAX)
			memcpy(out->fps[out->nfps++], e->fp, KEY_ID_LEN);
		vote_add(v, i, QR_OBSERVES);
		out->material = true;
		return;
	case QO_SECURE:
	case QO_INSECURE:
		vote_add(v, i, QR_VALIDATING);
		if (e->run_start && (v->run_start == 0 || e->run_start < v->run_start))
			v->run_start = e->run_start;
		if (e->run_start && now - e->run_start >= p->resolve_after)
			v->roles |= QR_VALIDATES;
		else if (e->run_start)
			next_at(out, now, e->run_start + p->resolve_after);
		return;
	default:
		break;
	}
	vote_add(v, i, QR_UNREACHABLE);
}

/* 1. A current word: what the operator says of this incident. */
static void
add_word(const struct quorum_event *e, size_t i, struct quorum_vote *v,
    long long now, struct quorum_result *out)
{
	if (e->kind == KIND_ASSESSMENT) {
		out->material = true;
		if ((e->verdict == QV_ACCIDENT || e->verdict == QV_LIKELY_ACCIDENT) &&
		    e->recommend && now < rec_end(e)) {
			next_at(out, now, rec_end(e));
			vote_add(v, i, QR_ASSESSES | QR_RECOMMENDS);
		} else if (e->verdict == QV_ATTACK || e->verdict == QV_LIKELY_ATTACK) {
			vote_add(v, i, QR_ASSESSES | QR_ATTACK);
		} else {
			vote_add(v, i, QR_ASSESSES);
		}
		return;
	}
	if (!e->zone_operator)
		return;       /* only the zone's operator speaks for it */
	if (e->status != QT_RESOLVED)
		out->material = true;
	vote_add(v, i, QR_STATES |
	    (e->status == QT_ACCIDENT_CONFIRMED ? QR_CONFIRMS : 0) |
	    (e->status == QT_ATTACK_SUSPECTED ? QR_ATTACK : 0));
}

/* Do two current views show different data (the RFC 7646 §7 hint of an
 * on-path attack)? Unreachable views show nothing. */
static bool
pictures_differ(const struct quorum_event *a, const struct quorum_event *b)
{
	bool ab = a->obs == QO_BOGUS, bb = b->obs == QO_BOGUS;

	if (a->obs == QO_INDETERMINATE || b->obs == QO_INDETERMINATE)
		return false;
	if (ab != bb)
		return true;
	if (!ab)
		return false;   /* both validate */
	if (a->has_fp != b->has_fp || (a->has_fp &&
	    memcmp(a->fp, b->fp, KEY_ID_LEN) != 0))
		return true;
	if (a->has_dnskey && b->has_dnskey &&
	    memcmp(a->dnskey, b->dnskey, KEY_ID_LEN) != 0)
		return true;
	return a->has_ds && b->has_ds && memcmp(a->ds, b->ds, KEY_ID_LEN) != 0;
}

/* Does vote v's current view back an attack claim? */
static bool
backed(const struct quorum_event *evs, const struct quorum_result *out,
    const struct quorum_vote *v)
{
	for (size_t k = 0; k < v->nev; k++) {
		const struct quorum_event *mine = &evs[v->ev[k]];
		if (mine->kind != KIND_OBSERVATION)
			continue;
		for (size_t o = 0; o < out->nvotes; o++) {
			const struct quorum_vote *w = &out->votes[o];
			if (w == v)
				continue;
			for (size_t j = 0; j < w->nev; j++) {
				const struct quorum_event *theirs = &evs[w->ev[j]];
				if (theirs->kind == KIND_OBSERVATION &&
				    pictures_differ(mine, theirs))
					return true;
			}
		}
	}
	return false;
}

/* 3. The veto: the earliest current one decides what is shown. */
static void
find_veto(const struct quorum_event *evs, const struct quorum_policy *p,
    struct quorum_result *out)
{
	for (size_t i = 0; i < out->nvotes; i++) {
		struct quorum_vote *v = &out->votes[i];
		for (size_t k = 0; k < v->nev; k++) {
			size_t ei = v->ev[k];
			const struct quorum_event *e = &evs[ei];
			bool vetoes = false;
			char why[128] = "";

			if (e->kind == KIND_ZONE_STATEMENT && e->zone_operator &&
			    e->status == QT_ATTACK_SUSPECTED && p->veto_statement) {
				vetoes = true;
				snprintf(why, sizeof(why), "the zone's operator "
				    "suspects an attack (zone statement attack_suspected)");
			} else if (e->kind == KIND_ASSESSMENT &&
			    (e->verdict == QV_ATTACK || e->verdict == QV_LIKELY_ATTACK) &&
			    p->veto_assessment) {
				bool b = backed(evs, out, v);
				if (b || p->veto_unbacked) {
					vetoes = true;
					snprintf(why, sizeof(why), "assessment %s%s",
					    e->verdict == QV_ATTACK ? "attack" :
					    "likely_attack", b ? ", backed by the "
					    "operator's own observation of other data" :
					    " (not backed by an observation of other data; "
					    "veto_unbacked yes)");
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
}

/* 2. Fingerprints: one vote per fingerprint it observes; the leader. */
static void
count_fingerprints(const struct quorum_event *evs, struct quorum_result *out)
{
	for (size_t f = 0; f < out->nfps; f++)
		for (size_t i = 0; i < out->nvotes; i++) {
			const struct quorum_vote *v = &out->votes[i];
			bool seen = false;
			for (size_t k = 0; k < v->nev && !seen; k++) {
				const struct quorum_event *e = &evs[v->ev[k]];
				seen = e->kind == KIND_OBSERVATION && e->obs == QO_BOGUS &&
				    e->has_fp && memcmp(e->fp, out->fps[f], KEY_ID_LEN) == 0;
			}
			if (seen)
				out->fp_votes[f]++;
		}
	fp_sort(out);
	out->lead = -1;
	for (size_t f = 0; f < out->nfps; f++)
		if (out->lead < 0 || out->fp_votes[f] > out->fp_votes[out->lead])
			out->lead = (int)f;
	out->observing = out->lead < 0 ? 0 : out->fp_votes[out->lead];
	for (size_t i = 0; i < out->nvotes; i++) {
		struct quorum_vote *v = &out->votes[i];
		for (size_t k = 0; k < v->nev; k++) {
			const struct quorum_event *e = &evs[v->ev[k]];
			if (e->kind == KIND_OBSERVATION && e->obs == QO_BOGUS && e->has_fp)
				v->fp = fp_index(out, e->fp);
		}
	}
}

/* The M-th longest current validating run, in seconds (0: fewer). */
static long
recovered_for(const struct quorum_result *out, int m, int window, long long now)
{
	long best[8] = { 0 };
	int n = m < 1 ? 1 : m > 8 ? 8 : m, have = 0;

	for (size_t i = 0; i < out->nvotes; i++) {
		long long rs = out->votes[i].run_start;
		long len;
		if (!(out->votes[i].roles & QR_VALIDATING) || rs == 0)
			continue;
		len = (long)(now - rs);
		have++;
		/* keep the n longest, longest first */
		for (int k = 0; k < n; k++)
			if (len > best[k]) {
				memmove(&best[k + 1], &best[k], (size_t)(n - k - 1) *
				    sizeof(best[0]));
				best[k] = len;
				break;
			}
	}
	if (have < n)
		return 0;
	return best[n - 1] > window ? window : best[n - 1];
}

/* 4. Quorum: recommending votes, the zone operator's confirmation as one
 * more (never alone), the lifetime the minimum. */
static void
count_quorum(const struct quorum_event *evs, const struct quorum_policy *p,
    long long now, struct quorum_result *out)
{
	bool any_rec = false, confirmed = false;
	long long until = 0;
	long lifetime = 0;

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
		if (v->roles & QR_VALIDATING)
			out->validating_now++;
		if (v->roles & QR_OBSERVES)
			out->failing++;
		if ((v->roles & (QR_UNREACHABLE | QR_OBSERVES | QR_VALIDATING)) ==
		    QR_UNREACHABLE)
			out->unreachable++;
	}
	if (confirmed && any_rec)
		out->recommending++;
	if (!any_rec)
		out->recommending = 0;
	if (lifetime > p->max_lifetime)
		lifetime = p->max_lifetime;
	if (lifetime > QUORUM_MAX_LIFETIME)
		lifetime = QUORUM_MAX_LIFETIME;
	if (until > now + lifetime)
		until = now + lifetime;
	out->lifetime = lifetime;
	out->nta_until = until;
}

/* 5. The state. */
static void
decide_state(const struct quorum_policy *p, bool held, bool confirmed_alone,
    long long now, struct quorum_result *out)
{
	long lifetime = out->lifetime;

	out->lifetime = 0;
	out->recovered_for = recovered_for(out, p->evidence, p->resolve_after, now);
	if ((out->material || held) && out->validating >= p->evidence &&
	    out->failing == 0) {
		out->state = QS_RESOLVED;
		out->nta_until = 0;
		snprintf(out->reason, sizeof(out->reason), "validated for %d s "
		    "from %d operators (quorum_evidence %d), and no vantage point "
		    "sees the failure any more", p->resolve_after, out->validating,
		    p->evidence);
	} else if (out->nfps >= 2) {
		out->state = QS_INCONSISTENT_EVIDENCE;
		out->nta_until = 0;
		snprintf(out->reason, sizeof(out->reason), "vantage points see %zu "
		    "different failures (possible on-path attack): no NTA until "
		    "they agree", out->nfps);
	} else if (out->has_veto) {
		out->state = QS_VETOED;
		out->nta_until = 0;
		snprintf(out->reason, sizeof(out->reason), "vetoed: %s",
		    out->veto_reason);
	} else if (out->recommending >= out->quorum &&
	    (held || out->observing >= p->evidence)) {
		out->state = QS_NTA_RECOMMENDED;
		out->lifetime = lifetime;
		out->recovering = held && out->observing < p->evidence;
		if (!out->recovering)
			snprintf(out->reason, sizeof(out->reason), "%d operators "
			    "recommend an NTA (quorum %d) and %d observe one failure "
			    "(quorum_evidence %d)", out->recommending, out->quorum,
			    out->observing, p->evidence);
		else
			snprintf(out->reason, sizeof(out->reason), "recovering: "
			    "validating again: %d of %d operators, %ld s of %d s%s; "
			    "the NTA holds until then", out->validating_now <
			    p->evidence ? out->validating_now : p->evidence,
			    p->evidence, out->recovered_for, p->resolve_after,
			    out->failing ? ", some still see the failure" : "");
	} else {
		out->nta_until = 0;
		if (out->material) {
			out->state = QS_OBSERVED;
			snprintf(out->reason, sizeof(out->reason), "%d operators "
			    "recommend an NTA (quorum %d)%s; %d observe one failure "
			    "(quorum_evidence %d)", out->recommending, out->quorum,
			    confirmed_alone ? ", the zone operator's confirmation "
			    "never counts alone" : "", out->observing, p->evidence);
		} else {
			out->state = QS_CLEAR;
			snprintf(out->reason, sizeof(out->reason), "%s",
			    out->unreachable ? "no failure observed (some vantage "
			    "points got no answer)" : "no failure observed, no "
			    "assessment");
		}
	}
}

void
quorum_evaluate(const struct quorum_event *evs, size_t n,
    const struct quorum_policy *p, bool held, long long now,
    struct quorum_result *out)
{
	struct quorum_vote *votes = out->votes;
	size_t cap = out->cap;
	bool confirmed_alone;

	memset(out, 0, sizeof(*out));
	out->votes = votes;
	out->cap = cap;
	out->lead = -1;
	out->quorum = p->quorum > 0 ? p->quorum : quorum_default(p->members);

	/* 1. the current views and words, by vote */
	for (size_t i = 0; i < n; i++) {
		const struct quorum_event *e = &evs[i];
		struct quorum_vote *v;

		if (!e->counts)
			continue;
		if (live(e, now))
			next_at(out, now, e->exp);
		if (!is_latest(evs, n, i) || e->withdrawn || !live(e, now))
			continue;
		if (e->kind != KIND_OBSERVATION && !e->bound)
			continue;   /* judged another incident */
		if ((v = vote_of(out, e->vote)) == NULL)
			continue;
		if (e->kind == KIND_OBSERVATION)
			add_view(e, i, v, p, now, out);
		else
			add_word(e, i, v, now, out);
	}
	count_fingerprints(evs, out);
	find_veto(evs, p, out);
	count_quorum(evs, p, now, out);
	/* the zone operator confirmed, and nobody recommends */
	confirmed_alone = false;
	for (size_t i = 0; i < out->nvotes && out->recommending == 0; i++)
		confirmed_alone |= (out->votes[i].roles & QR_CONFIRMS) != 0;
	vote_sort(out);
	decide_state(p, held, confirmed_alone, now, out);
}
