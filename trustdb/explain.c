/*
 * trustdb/explain.c — the facts behind one key's verdict.
 *
 * Linear scans of the snapshot: this answers a person, once, not the hot
 * path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trustdb/explain.h"

const char *
trust_fact_name(enum trust_fact_kind k)
{
	static const char *const names[TRUST_FACT__COUNT] = {
		"pinned", "vouch", "unvouch", "cert", "revoke", "affiliated",
	};
	return (unsigned)k < TRUST_FACT__COUNT ? names[k] : "unknown";
}

void
trust_explanation_free(struct trust_explanation *x)
{
	if (x == NULL)
		return;
	free(x->facts);
	free(x);
}

static struct trust_fact *
add(struct trust_explanation *x, size_t *cap, enum trust_fact_kind kind,
    const struct trust_records *r, const unsigned char who[KEY_ID_LEN])
{
	struct trust_fact *f;
	const struct trust_keyrec *k;

	if (x->nfacts == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		struct trust_fact *nf = realloc(x->facts, nc * sizeof(*nf));
		if (nf == NULL)
			return NULL;
		x->facts = nf;
		*cap = nc;
	}
	f = &x->facts[x->nfacts++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	memcpy(f->who, who, KEY_ID_LEN);
	if ((k = trust_records_key(r, who)) != NULL)
		snprintf(f->who_name, sizeof(f->who_name), "%s", k->name);
	return f;
}

static void
set_event(struct trust_fact *f, const struct trust_stmt *s)
{
	memcpy(f->event, s->id, KEY_ID_LEN);
	f->has_event = true;
	f->t1 = s->ts;
}

/* Is there a later vouch/unvouch of s->origin about s->subject? */
static bool
superseded(const struct trust_records *r, const struct trust_stmt *s)
{
	for (size_t i = 0; i < r->nstmts; i++) {
		const struct trust_stmt *o = &r->stmts[i];
		if ((o->kind != KIND_VOUCH && o->kind != KIND_UNVOUCH) || o == s ||
		    memcmp(o->origin, s->origin, KEY_ID_LEN) != 0 ||
		    memcmp(o->subject, s->subject, KEY_ID_LEN) != 0)
			continue;
		if (o->ts > s->ts || (o->ts == s->ts && (o->seq > s->seq ||
		    (o->seq == s->seq && memcmp(o->id, s->id, KEY_ID_LEN) > 0))))
			return true;
	}
	return false;
}

static const struct trust_op *
op_of(const struct trust_membership *m, const unsigned char id[KEY_ID_LEN])
{
	size_t i = trust_membership_op(m, id);
	return i == TRUST_NONE ? NULL : &m->ops[i];
}

/* Facts about operator op: pin, root revocation, vouches, affiliation. */
static int
explain_operator(struct trust_explanation *x, size_t *cap,
    const struct trust_records *r, const struct trust_membership *m,
    size_t o, long long now)
{
	const struct trust_op *op = &m->ops[o];
	const struct trust_pin *pin = trust_records_pin(r, op->id);
	struct trust_fact *f;

	if (pin != NULL) {
		if ((f = add(x, cap, TRUST_FACT_PINNED, r, op->id)) == NULL)
			return -1;
		f->t1 = pin->created;
		f->zones = pin->zones;
		f->counts = !op->revoked;
		f->why_not = op->revoked ? "the root key was revoked" : NULL;
	}
	for (size_t i = 0; i < r->nstmts; i++) {
		const struct trust_stmt *s = &r->stmts[i];
		const struct trust_op *v;
		if (memcmp(s->subject, op->id, KEY_ID_LEN) != 0)
			continue;
		if (s->kind == KIND_KEY_REVOKE) {
			if ((f = add(x, cap, TRUST_FACT_REVOKE, r, s->key)) == NULL)
				return -1;
			set_event(f, s);
			f->counts = memcmp(s->key, op->id, KEY_ID_LEN) == 0;
			f->why_not = f->counts ? NULL :
			    "a root key can only be revoked by itself";
			continue;
		}
		if (s->kind != KIND_VOUCH && s->kind != KIND_UNVOUCH)
			continue;
		if ((f = add(x, cap, s->kind == KIND_VOUCH ? TRUST_FACT_VOUCH :
		    TRUST_FACT_UNVOUCH, r, s->origin)) == NULL)
			return -1;
		set_event(f, s);
		f->t2 = s->has_exp ? s->exp : 0;
		f->zones = s->zones;
		f->affiliation = s->affiliation;
		v = op_of(m, s->origin);
		if (superseded(r, s))
			f->why_not = "superseded by a later statement of the same voucher";
		else if (v == NULL || !v->pinned)
			f->why_not = v && v->member ? "the voucher is a vouched member, "
			    "not pinned (vouches count at depth 1 only)" :
			    "the voucher is not a pinned member";
		else if (v->revoked)
			f->why_not = "the voucher's root key was revoked";
		else if (s->kind == KIND_VOUCH && s->exp <= now)
			f->why_not = "expired";
		else if (s->kind == KIND_UNVOUCH)
			f->why_not = NULL;     /* an unvouch "counts" by removing */
		f->counts = f->why_not == NULL;
	}
	if (op->member)
		for (size_t i = 0; i < m->nops; i++)
			if (i != o && m->ops[i].member && m->ops[i].vote == op->vote) {
				if ((f = add(x, cap, TRUST_FACT_AFFILIATED, r,
				    m->ops[i].id)) == NULL)
					return -1;
				f->counts = true;
			}
	return 0;
}

/* Did root certify key (any certificate)? */
static bool
certified(const struct trust_records *r, const unsigned char key[KEY_ID_LEN],
    const unsigned char root[KEY_ID_LEN])
{
	for (size_t i = 0; i < r->nstmts; i++)
		if (r->stmts[i].kind == KIND_KEY_CERT &&
		    memcmp(r->stmts[i].subject, key, KEY_ID_LEN) == 0 &&
		    memcmp(r->stmts[i].origin, root, KEY_ID_LEN) == 0)
			return true;
	return false;
}

/* Was key revoked by itself or by root? */
static bool
revoked_for(const struct trust_records *r, const unsigned char key[KEY_ID_LEN],
    const unsigned char root[KEY_ID_LEN])
{
	for (size_t i = 0; i < r->nstmts; i++) {
		const struct trust_stmt *s = &r->stmts[i];
		if (s->kind == KIND_KEY_REVOKE &&
		    memcmp(s->subject, key, KEY_ID_LEN) == 0 &&
		    (memcmp(s->key, key, KEY_ID_LEN) == 0 ||
		    memcmp(s->key, root, KEY_ID_LEN) == 0))
			return true;
	}
	return false;
}

/*
 * Facts about a relay key: its certificates and revocations. Each
 * certificate is judged for its own root: a key certified by several
 * roots speaks for each in its events for that root's operator.
 */
static int
explain_relay(struct trust_explanation *x, size_t *cap,
    const struct trust_records *r, const struct trust_membership *m,
    long long now)
{
	struct trust_fact *f;

	for (size_t i = 0; i < r->nstmts; i++) {
		const struct trust_stmt *s = &r->stmts[i];
		const struct trust_op *o;
		if (memcmp(s->subject, x->key, KEY_ID_LEN) != 0)
			continue;
		if (s->kind == KIND_KEY_CERT) {
			if ((f = add(x, cap, TRUST_FACT_CERT, r, s->origin)) == NULL)
				return -1;
			set_event(f, s);
			f->t1 = s->not_before;
			f->t2 = s->not_after;
			o = op_of(m, s->origin);
			if (o == NULL || !o->member)
				f->why_not = "the certifying root is not a member";
			else if (revoked_for(r, x->key, s->origin))
				f->why_not = "the key was revoked (by itself or by this root)";
			else if (now < s->not_before)
				f->why_not = "not valid yet";
			else if (now >= s->not_after)
				f->why_not = "expired";
			f->counts = f->why_not == NULL;
		} else if (s->kind == KIND_KEY_REVOKE) {
			if ((f = add(x, cap, TRUST_FACT_REVOKE, r, s->key)) == NULL)
				return -1;
			set_event(f, s);
			f->counts = memcmp(s->key, x->key, KEY_ID_LEN) == 0 ||
			    certified(r, x->key, s->key);
			f->why_not = f->counts ? NULL :
			    "signed by a root that never certified this key";
		}
	}
	return 0;
}

enum trustdb_err
trust_explain(const struct trust_records *r, const struct trust_membership *m,
    const unsigned char key[KEY_ID_LEN], long long now,
    struct trust_explanation **out, char *reason)
{
	struct trust_explanation *x;
	const struct trust_keyrec *kr;
	const struct trust_keystate *ks = NULL;
	size_t cap = 0, o = TRUST_NONE, k;

	*out = NULL;
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return trustdb_fail(reason, TRUSTDB_E_NOMEM, "out of memory");
	memcpy(x->key, key, KEY_ID_LEN);
	x->threshold = m->threshold;
	x->reason = TRUST_UNKNOWN_KEY;
	if ((kr = trust_records_key(r, key)) != NULL)
		snprintf(x->key_name, sizeof(x->key_name), "%s", kr->name);
	if ((k = trust_membership_key(m, key)) != TRUST_NONE) {
		ks = &m->keys[k];
		x->known = true;
		x->is_root = ks->is_root;
		x->reason = trust_keystate_at(ks, now);
		x->not_before = ks->not_before;
		x->not_after = ks->not_after;
		x->conflict = ks->conflict;
		o = ks->op;
	}
	if (o == TRUST_NONE)      /* an operator id whose key the db lacks */
		o = trust_membership_op(m, key);
	if (ks != NULL && !ks->is_root && explain_relay(x, &cap, r, m, now) != 0)
		goto nomem;
	if (o != TRUST_NONE) {
		const struct trust_op *op = &m->ops[o];
		x->has_operator = true;
		memcpy(x->op, op->id, KEY_ID_LEN);
		if ((kr = trust_records_key(r, op->id)) != NULL)
			snprintf(x->op_name, sizeof(x->op_name), "%s", kr->name);
		x->op_member = op->member;
		x->op_pinned = op->pinned;
		x->vouches = op->vouches;
		x->zones = op->zones;
		if (op->member) {
			x->has_vote = true;
			memcpy(x->vote, m->ops[op->vote].id, KEY_ID_LEN);
		}
		if (explain_operator(x, &cap, r, m, o, now) != 0)
			goto nomem;
	}
	*out = x;
	return TRUSTDB_OK;
nomem:
	trust_explanation_free(x);
	return trustdb_fail(reason, TRUSTDB_E_NOMEM, "out of memory");
}
