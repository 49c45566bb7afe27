/*
 * trustdb/membership.c — the membership rules (see membership.h).
 *
 * Everything is sorted arrays and binary search: a rebuild over 1,000
 * operators and 10,000 keys is a few sorts, not a quadratic walk.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/zone.h"
#include "trustdb/membership.h"

static const struct {
	const char *name, *text;
} reasons[TRUST__COUNT] = {
	[TRUST_MEMBER] = { "member", "a current key of a member operator" },
	[TRUST_UNKNOWN_KEY] = { "unknown_key", "the trust database does not know this key" },
	[TRUST_NOT_MEMBER] = { "not_member", "its operator is neither pinned nor vouched for by enough pinned members" },
	[TRUST_UNVOUCHED] = { "unvouched", "its operator is not a member, and a pinned member withdrew its vouch" },
	[TRUST_NO_CERT] = { "no_cert", "no member operator's root certified this key" },
	[TRUST_REVOKED] = { "revoked", "the key was revoked" },
	[TRUST_ROOT_REVOKED] = { "root_revoked", "its operator's root key was revoked" },
	[TRUST_CERT_EXPIRED] = { "cert_expired", "its key certificate has expired" },
	[TRUST_CERT_NOT_YET_VALID] = { "cert_not_yet_valid", "its key certificate is not valid yet" },
	[TRUST_WRONG_OPERATOR] = { "wrong_operator", "the key is neither this operator's root nor certified by its root" },
};

const char *
trust_reason_name(enum trust_reason r)
{
	return (unsigned)r < TRUST__COUNT ? reasons[r].name : "unknown";
}

const char *
trust_reason_text(enum trust_reason r)
{
	return (unsigned)r < TRUST__COUNT ? reasons[r].text : "unknown reason";
}

static enum trust_reason
window_at(enum trust_reason r, long long nb, long long na, long long now)
{
	if (r != TRUST_MEMBER)
		return r;
	if (now < nb)
		return TRUST_CERT_NOT_YET_VALID;
	if (now >= na)
		return TRUST_CERT_EXPIRED;
	return TRUST_MEMBER;
}

enum trust_reason
trust_keystate_at(const struct trust_keystate *k, long long now)
{
	return window_at(k->reason, k->not_before, k->not_after, now);
}

enum trust_reason
trust_grant_at(const struct trust_grant *g, long long now)
{
	return window_at(g->reason, g->not_before, g->not_after, now);
}

/* ---- working state ------------------------------------------------- */

struct work {
	const struct trust_records *r;
	const struct trust_params *p;
	struct trust_membership *m;
	long long now;
	const struct trust_stmt **certs;    /* by (subject, origin) */
	size_t ncerts;
	const struct trust_stmt **revokes;  /* by subject */
	size_t nrevokes;
	const struct trust_stmt **latest;   /* latest vouch/unvouch per pair, by (subject, origin) */
	size_t nlatest;
	size_t *parent;                     /* union-find over ops */
	size_t *votes;                      /* scratch: votes of one subject's vouchers */
};

static int
cmp_id(const void *a, const void *b)
{
	return memcmp(a, b, KEY_ID_LEN);
}

static int
cmp_subject_origin(const void *a, const void *b)
{
	const struct trust_stmt *x = *(const struct trust_stmt *const *)a;
	const struct trust_stmt *y = *(const struct trust_stmt *const *)b;
	int c = memcmp(x->subject, y->subject, KEY_ID_LEN);

	return c ? c : memcmp(x->origin, y->origin, KEY_ID_LEN);
}

/* (subject, origin), then chronological: the last of a run is the latest. */
static int
cmp_pair_time(const void *a, const void *b)
{
	const struct trust_stmt *x = *(const struct trust_stmt *const *)a;
	const struct trust_stmt *y = *(const struct trust_stmt *const *)b;
	int c = cmp_subject_origin(a, b);

	if (c)
		return c;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return memcmp(x->id, y->id, KEY_ID_LEN);
}

/* First index in a by-subject-sorted array whose subject is >= id. */
static size_t
lower_bound(const struct trust_stmt *const *a, size_t n,
    const unsigned char id[KEY_ID_LEN])
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (memcmp(a[mid]->subject, id, KEY_ID_LEN) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The latest vouch/unvouch of origin about subject, or NULL. */
static const struct trust_stmt *
latest_of(const struct work *w, const unsigned char origin[KEY_ID_LEN],
    const unsigned char subject[KEY_ID_LEN])
{
	for (size_t i = lower_bound(w->latest, w->nlatest, subject);
	    i < w->nlatest && memcmp(w->latest[i]->subject, subject, KEY_ID_LEN) == 0;
	    i++)
		if (memcmp(w->latest[i]->origin, origin, KEY_ID_LEN) == 0)
			return w->latest[i];
	return NULL;
}

static bool
live_vouch(const struct trust_stmt *s, long long now)
{
	return s != NULL && s->kind == KIND_VOUCH && s->has_exp && s->exp > now;
}

/* Did root certify key (any certificate, at any time)? */
static bool
certified_by(const struct work *w, const unsigned char key[KEY_ID_LEN],
    const unsigned char root[KEY_ID_LEN])
{
	for (size_t i = lower_bound(w->certs, w->ncerts, key);
	    i < w->ncerts && memcmp(w->certs[i]->subject, key, KEY_ID_LEN) == 0; i++)
		if (memcmp(w->certs[i]->origin, root, KEY_ID_LEN) == 0)
			return true;
	return false;
}

/*
 * Is key revoked: by itself, or (root not NULL) by that root, which must
 * have certified it?
 */
static bool
revoked(const struct work *w, const unsigned char key[KEY_ID_LEN],
    const unsigned char *root)
{
	for (size_t i = lower_bound(w->revokes, w->nrevokes, key);
	    i < w->nrevokes && memcmp(w->revokes[i]->subject, key, KEY_ID_LEN) == 0;
	    i++) {
		const struct trust_stmt *s = w->revokes[i];
		if (memcmp(s->key, key, KEY_ID_LEN) == 0)
			return true;
		if (root != NULL && memcmp(s->key, root, KEY_ID_LEN) == 0 &&
		    certified_by(w, key, root))
			return true;
	}
	return false;
}

/* ---- union-find: the representative is the smallest index (= id) ---- */

static size_t
uf_find(size_t *parent, size_t i)
{
	while (parent[i] != i) {
		parent[i] = parent[parent[i]];
		i = parent[i];
	}
	return i;
}

static void
uf_union(size_t *parent, size_t a, size_t b)
{
	a = uf_find(parent, a);
	b = uf_find(parent, b);
	if (a < b)
		parent[b] = a;
	else if (b < a)
		parent[a] = b;
}

/*
 * Group the operators for which in[] is true: local groups, then mutual
 * affiliation declarations between two of them.
 */
static void
collapse(struct work *w, const bool *in)
{
	struct trust_membership *m = w->m;

	for (size_t i = 0; i < m->nops; i++)
		w->parent[i] = i;
	for (size_t g = 0; g < w->p->ngroups; g++) {
		size_t first = TRUST_NONE;
		for (size_t j = 0; j < w->p->groups[g].n; j++) {
			size_t o = trust_membership_op(m, w->p->groups[g].ops[j]);
			if (o == TRUST_NONE || !in[o])
				continue;
			if (first == TRUST_NONE)
				first = o;
			else
				uf_union(w->parent, first, o);
		}
	}
	for (size_t i = 0; i < w->nlatest; i++) {
		const struct trust_stmt *ab = w->latest[i], *ba;
		size_t a, b;
		if (!live_vouch(ab, w->now) || ab->affiliation == NULL)
			continue;
		a = trust_membership_op(m, ab->origin);
		b = trust_membership_op(m, ab->subject);
		if (a == TRUST_NONE || b == TRUST_NONE || !in[a] || !in[b])
			continue;
		ba = latest_of(w, ab->subject, ab->origin);
		if (live_vouch(ba, w->now) && ba->affiliation != NULL &&
		    strcmp(ba->affiliation, ab->affiliation) == 0)
			uf_union(w->parent, a, b);
	}
}

/* ---- building ------------------------------------------------------ */

static int
collect_ops(struct work *w)
{
	const struct trust_records *r = w->r;
	unsigned char (*ids)[KEY_ID_LEN];
	size_t n = 0, u = 0;

	if ((ids = malloc((r->npins + 2 * r->nstmts + 1) * KEY_ID_LEN)) == NULL)
		return -1;
	for (size_t i = 0; i < r->npins; i++)
		memcpy(ids[n++], r->pins[i].op, KEY_ID_LEN);
	for (size_t i = 0; i < r->nstmts; i++) {
		const struct trust_stmt *s = &r->stmts[i];
		if (s->kind == KIND_VOUCH || s->kind == KIND_UNVOUCH)
			memcpy(ids[n++], s->subject, KEY_ID_LEN);
		if (s->kind != KIND_KEY_REVOKE)   /* root-only kinds: key == origin */
			memcpy(ids[n++], s->origin, KEY_ID_LEN);
	}
	qsort(ids, n, KEY_ID_LEN, cmp_id);
	for (size_t i = 0; i < n; i++)
		if (u == 0 || memcmp(ids[u - 1], ids[i], KEY_ID_LEN) != 0)
			memmove(ids[u++], ids[i], KEY_ID_LEN);
	if ((w->m->ops = calloc(u + 1, sizeof(*w->m->ops))) == NULL) {
		free(ids);
		return -1;
	}
	for (size_t i = 0; i < u; i++) {
		memcpy(w->m->ops[i].id, ids[i], KEY_ID_LEN);
		w->m->ops[i].vote = i;
	}
	w->m->nops = u;
	free(ids);
	return 0;
}

static int
index_stmts(struct work *w)
{
	const struct trust_records *r = w->r;
	size_t n = r->nstmts + 1, k = 0;

	if ((w->certs = malloc(n * sizeof(*w->certs))) == NULL ||
	    (w->revokes = malloc(n * sizeof(*w->revokes))) == NULL ||
	    (w->latest = malloc(n * sizeof(*w->latest))) == NULL)
		return -1;
	for (size_t i = 0; i < r->nstmts; i++) {
		const struct trust_stmt *s = &r->stmts[i];
		switch (s->kind) {
		case KIND_KEY_CERT: w->certs[w->ncerts++] = s; break;
		case KIND_KEY_REVOKE: w->revokes[w->nrevokes++] = s; break;
		case KIND_VOUCH: case KIND_UNVOUCH: w->latest[w->nlatest++] = s; break;
		default: break;
		}
	}
	qsort(w->certs, w->ncerts, sizeof(*w->certs), cmp_subject_origin);
	qsort(w->revokes, w->nrevokes, sizeof(*w->revokes), cmp_subject_origin);
	qsort(w->latest, w->nlatest, sizeof(*w->latest), cmp_pair_time);
	/* keep the last of each (subject, origin) run */
	for (size_t i = 0; i < w->nlatest; i++) {
		if (i + 1 < w->nlatest &&
		    cmp_subject_origin(&w->latest[i], &w->latest[i + 1]) == 0)
			continue;
		w->latest[k++] = w->latest[i];
	}
	w->nlatest = k;
	return 0;
}

static void
note_change(struct trust_membership *m, long long t)
{
	if (t > m->now && t < m->next_change)
		m->next_change = t;
}

/*
 * Count the votes among pinned members (pinned[]) vouching for each
 * operator; fill vouches, unvouched and the zones claimed by >= V votes.
 */
static int
count_vouches(struct work *w, const bool *pinned)
{
	struct trust_membership *m = w->m;
	size_t i = 0;

	while (i < w->nlatest) {
		const unsigned char *subject = w->latest[i]->subject;
		size_t j = i, nv = 0, s = trust_membership_op(m, subject);
		struct trust_op *op = &m->ops[s];
		size_t cap = 1, len = 0;
		char *zones;

		for (; j < w->nlatest &&
		    memcmp(w->latest[j]->subject, subject, KEY_ID_LEN) == 0; j++) {
			const struct trust_stmt *st = w->latest[j];
			size_t v = trust_membership_op(m, st->origin), vote;
			if (v == TRUST_NONE || !pinned[v])
				continue;
			if (st->kind == KIND_UNVOUCH) {
				op->unvouched = true;
				continue;
			}
			if (!live_vouch(st, w->now))
				continue;
			note_change(m, st->exp);
			vote = uf_find(w->parent, v);
			bool seen = false;
			for (size_t k = 0; k < nv; k++)
				seen |= w->votes[k] == vote;
			if (!seen)
				w->votes[nv++] = vote;
			cap += strlen(st->zones) + 1;
		}
		op->vouches = (unsigned)nv;
		/* zones: each claimed zone with >= V distinct votes */
		if ((zones = malloc(cap)) == NULL)
			return -1;
		zones[0] = '\0';
		for (size_t a = i; a < j && nv >= m->threshold; a++) {
			const struct trust_stmt *st = w->latest[a];
			size_t v = trust_membership_op(m, st->origin);
			const char *p = st->zones;
			if (v == TRUST_NONE || !pinned[v] || !live_vouch(st, w->now))
				continue;
			while (p && *p) {
				const char *e = strchr(p, ' ');
				size_t zl = e ? (size_t)(e - p) : strlen(p), nz = 0;
				char z[ZONE_TEXT_MAX + 1];
				if (zl > ZONE_TEXT_MAX)
					zl = ZONE_TEXT_MAX;
				memcpy(z, p, zl);
				z[zl] = '\0';
				p = e ? e + 1 : NULL;
				if (trust_zones_has(zones, z))
					continue;
				for (size_t b = i; b < j; b++) {
					const struct trust_stmt *o = w->latest[b];
					size_t ov = trust_membership_op(m, o->origin), vote;
					bool seen = false;
					if (ov == TRUST_NONE || !pinned[ov] ||
					    !live_vouch(o, w->now) || !trust_zones_has(o->zones, z))
						continue;
					vote = uf_find(w->parent, ov);
					for (size_t k = 0; k < nz; k++)
						seen |= w->votes[nv + k] == vote;
					if (!seen)
						w->votes[nv + nz++] = vote;
				}
				if (nz >= m->threshold)
					len += (size_t)snprintf(zones + len, cap - len, "%s%s",
					    len ? " " : "", z);
			}
		}
		free(op->zones);
		op->zones = zones;
		i = j;
	}
	return 0;
}

/* Add the zones of a pin to op->zones. */
static int
add_pin_zones(struct trust_op *op, const char *pz)
{
	size_t cap = (op->zones ? strlen(op->zones) : 0) + strlen(pz) + 2, len;
	const char *p = pz;
	char *z;

	if ((z = malloc(cap)) == NULL)
		return -1;
	snprintf(z, cap, "%s", op->zones ? op->zones : "");
	len = strlen(z);
	while (*p) {
		const char *e = strchr(p, ' ');
		size_t zl = e ? (size_t)(e - p) : strlen(p);
		char one[ZONE_TEXT_MAX + 1];
		if (zl > ZONE_TEXT_MAX)
			zl = ZONE_TEXT_MAX;
		memcpy(one, p, zl);
		one[zl] = '\0';
		if (!trust_zones_has(z, one))
			len += (size_t)snprintf(z + len, cap - len, "%s%s",
			    len ? " " : "", one);
		if (e == NULL)
			break;
		p = e + 1;
	}
	free(op->zones);
	op->zones = z;
	return 0;
}

struct span {
	long long nb, na;
};

static int
cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->nb < y->nb ? -1 : x->nb > y->nb;
}

/*
 * The certificate window of key by root that matters at now: the certs are
 * merged into disjoint intervals; the first that has not ended is chosen
 * (it holds now, or starts later), else the last one (expired). When the
 * grant counts (watch), the membership must be recomputed when the chosen
 * interval starts, and when it ends if a later interval follows.
 */
static int
cert_window(struct work *w, const unsigned char key[KEY_ID_LEN],
    const unsigned char *root, bool watch, long long *nb, long long *na)
{
	size_t lo = lower_bound(w->certs, w->ncerts, key), n = 0, u = 0, pick;
	struct span *sp;

	for (size_t i = lo; i < w->ncerts &&
	    memcmp(w->certs[i]->subject, key, KEY_ID_LEN) == 0; i++)
		n++;
	if ((sp = malloc((n + 1) * sizeof(*sp))) == NULL)
		return -1;
	n = 0;
	for (size_t i = lo; i < w->ncerts &&
	    memcmp(w->certs[i]->subject, key, KEY_ID_LEN) == 0; i++)
		if (memcmp(w->certs[i]->origin, root, KEY_ID_LEN) == 0) {
			sp[n].nb = w->certs[i]->not_before;
			sp[n++].na = w->certs[i]->not_after;
		}
	qsort(sp, n, sizeof(*sp), cmp_span);
	for (size_t i = 0; i < n; i++) {
		if (u > 0 && sp[i].nb <= sp[u - 1].na) {
			if (sp[i].na > sp[u - 1].na)
				sp[u - 1].na = sp[i].na;
		} else
			sp[u++] = sp[i];
	}
	for (pick = 0; pick < u && sp[pick].na <= w->now; pick++)
		;
	if (pick == u)
		pick = u - 1;
	else if (pick + 1 < u && watch)
		note_change(w->m, sp[pick].na);
	if (u > 0 && sp[pick].nb > w->now && watch)
		note_change(w->m, sp[pick].nb);
	*nb = u ? sp[pick].nb : 0;
	*na = u ? sp[pick].na : 0;
	free(sp);
	return 0;
}

/* Why operator o does not count, or MEMBER. */
static enum trust_reason
op_reason(const struct trust_op *op)
{
	if (op->revoked)
		return TRUST_ROOT_REVOKED;
	if (!op->member)
		return op->unvouched ? TRUST_UNVOUCHED : TRUST_NOT_MEMBER;
	return TRUST_MEMBER;
}

static int
cmp_grant_op(const void *a, const void *b)
{
	const struct trust_grant *x = a, *y = b;

	return x->op < y->op ? -1 : x->op > y->op;
}

/* Rank of a grant for the summary: counts now, counts at another time,
 * does not count; a root grant first among equals. */
static int
grant_rank(const struct trust_grant *g, long long now)
{
	int rank = trust_grant_at(g, now) == TRUST_MEMBER ? 0 :
	    g->reason == TRUST_MEMBER ? 2 : 4;

	return rank + !g->root;
}

/*
 * The grants of key k: its own operator's (when the key is an operator's
 * root) and one per certifying root; then the summary.
 */
static int
classify_key(struct work *w, struct trust_keystate *k)
{
	struct trust_membership *m = w->m;
	size_t o = trust_membership_op(m, k->id), members = 0, best = TRUST_NONE;
	size_t lo = lower_bound(w->certs, w->ncerts, k->id);
	struct trust_grant *g = &m->grants[m->ngrants], *gs = g;

	k->grant0 = m->ngrants;
	if (o != TRUST_NONE) {
		g->op = o;
		g->root = true;
		g->reason = op_reason(&m->ops[o]);
		g->not_before = LLONG_MIN;
		g->not_after = TRUST_FOREVER;
		g++;
	}
	/* certs are sorted by (subject, origin): one grant per origin */
	for (size_t i = lo; i < w->ncerts &&
	    memcmp(w->certs[i]->subject, k->id, KEY_ID_LEN) == 0; i++) {
		size_t c = trust_membership_op(m, w->certs[i]->origin);
		if (c == TRUST_NONE || c == o ||
		    (i > lo && memcmp(w->certs[i - 1]->origin, w->certs[i]->origin,
		    KEY_ID_LEN) == 0))
			continue;
		g->op = c;
		g->root = false;
		g->reason = op_reason(&m->ops[c]);
		if (g->reason == TRUST_MEMBER && revoked(w, k->id, m->ops[c].id))
			g->reason = TRUST_REVOKED;
		if (cert_window(w, k->id, m->ops[c].id, g->reason == TRUST_MEMBER,
		    &g->not_before, &g->not_after) != 0)
			return -1;
		g++;
	}
	k->ngrants = (size_t)(g - gs);
	m->ngrants += k->ngrants;
	qsort(gs, k->ngrants, sizeof(*gs), cmp_grant_op);
	for (size_t i = 0; i < k->ngrants; i++) {
		members += m->ops[gs[i].op].member;
		if (best == TRUST_NONE ||
		    grant_rank(&gs[i], w->now) < grant_rank(&gs[best], w->now))
			best = i;
	}
	k->conflict = members > 1;
	if (best == TRUST_NONE) {
		k->op = TRUST_NONE;
		k->is_root = false;
		k->reason = TRUST_NO_CERT;
		k->not_before = LLONG_MIN;
		k->not_after = TRUST_FOREVER;
		return 0;
	}
	k->op = gs[best].op;
	k->is_root = gs[best].root;
	k->reason = gs[best].reason;
	k->not_before = gs[best].not_before;
	k->not_after = gs[best].not_after;
	return 0;
}

/* Long (about 90 lines) on purpose: the membership rule of TRUST.md is
 * applied as one sequence, in the order that document gives it, so that
 * the code can be read against the text step by step. */
enum trustdb_err
trust_membership_compute(const struct trust_records *r,
    const struct trust_params *p, long long now, struct trust_membership **out,
    char *reason)
{
	static const struct trust_params defaults = { 0, NULL, 0 };
	struct work w;
	struct trust_membership *m;
	bool *pinned = NULL, *member = NULL;
	enum trustdb_err e = TRUSTDB_E_NOMEM;

	*out = NULL;
	memset(&w, 0, sizeof(w));
	if (p == NULL)
		p = &defaults;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return trustdb_fail(reason, e, "out of memory");
	m->threshold = p->threshold ? p->threshold : TRUST_THRESHOLD_DEFAULT;
	m->now = now;
	m->next_change = TRUST_FOREVER;
	w.r = r;
	w.p = p;
	w.m = m;
	w.now = now;
	if (collect_ops(&w) != 0 || index_stmts(&w) != 0)
		goto out;
	if ((pinned = calloc(m->nops + 1, sizeof(bool))) == NULL ||
	    (member = calloc(m->nops + 1, sizeof(bool))) == NULL ||
	    (w.parent = calloc(m->nops + 1, sizeof(size_t))) == NULL ||
	    (w.votes = calloc(2 * m->nops + 2, sizeof(size_t))) == NULL)
		goto out;

	/* 1. revoked roots and pinned members */
	for (size_t i = 0; i < m->nops; i++) {
		struct trust_op *op = &m->ops[i];
		op->revoked = revoked(&w, op->id, NULL);
		op->pinned = trust_records_pin(r, op->id) != NULL;
		pinned[i] = op->pinned && !op->revoked;
	}
	/* 2. votes among pinned members, then vouches counted by vote */
	collapse(&w, pinned);
	if (count_vouches(&w, pinned) != 0)
		goto out;
	/* 3. members */
	for (size_t i = 0; i < m->nops; i++) {
		struct trust_op *op = &m->ops[i];
		op->member = pinned[i] || (!op->revoked && op->vouches >= m->threshold);
		member[i] = op->member;
		if (!op->member) {
			free(op->zones);
			op->zones = NULL;
		}
	}
	/* 4. votes among all members */
	collapse(&w, member);
	for (size_t i = 0; i < m->nops; i++) {
		const struct trust_pin *pin;
		struct trust_op *op = &m->ops[i];
		op->vote = op->member ? uf_find(w.parent, i) : i;
		if (op->member && (pin = trust_records_pin(r, op->id)) != NULL &&
		    add_pin_zones(op, pin->zones) != 0)
			goto out;
		if (op->zones == NULL && (op->zones = strdup("")) == NULL)
			goto out;
	}
	/* 5. keys: at most one root grant per key and one grant per cert */
	if ((m->keys = calloc(r->nkeys + 1, sizeof(*m->keys))) == NULL ||
	    (m->grants = calloc(r->nkeys + w.ncerts + 1, sizeof(*m->grants))) == NULL)
		goto out;
	for (size_t i = 0; i < r->nkeys; i++) {
		struct trust_keystate *k = &m->keys[i];
		memcpy(k->id, r->keys[i].id, KEY_ID_LEN);
		memcpy(k->pk, r->keys[i].pk, KEY_PUBLIC_LEN);
		if (classify_key(&w, k) != 0)
			goto out;
	}
	m->nkeys = r->nkeys;
	*out = m;
	m = NULL;
	e = TRUSTDB_OK;
out:
	if (e != TRUSTDB_OK)
		trustdb_fail(reason, e, "out of memory");
	trust_membership_free(m);
	free(pinned);
	free(member);
	free(w.parent);
	free(w.votes);
	free(w.certs);
	free(w.revokes);
	free(w.latest);
	return e;
}

void
trust_membership_free(struct trust_membership *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->nops; i++)
		free(m->ops[i].zones);
	free(m->ops);
	free(m->keys);
	free(m->grants);
	free(m);
}

size_t
trust_membership_op(const struct trust_membership *m,
    const unsigned char id[KEY_ID_LEN])
{
	const struct trust_op *op;

	if (m->nops == 0)
		return TRUST_NONE;
	op = bsearch(id, m->ops, m->nops, sizeof(*op), cmp_id);
	return op ? (size_t)(op - m->ops) : TRUST_NONE;
}

size_t
trust_membership_key(const struct trust_membership *m,
    const unsigned char id[KEY_ID_LEN])
{
	const struct trust_keystate *k;

	if (m->nkeys == 0)
		return TRUST_NONE;
	k = bsearch(id, m->keys, m->nkeys, sizeof(*k), cmp_id);
	return k ? (size_t)(k - m->keys) : TRUST_NONE;
}
