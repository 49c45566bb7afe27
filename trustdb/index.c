/*
 * trustdb/index.c — open-addressing hash table over the membership result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/encoding.h"

#include "trustdb/index.h"
#include "trustdb/records.h"
#include "trustdb/store.h"

/* One (key, operator) grant (trustdb/membership.h). */
struct index_grant {
	long long not_before, not_after;
	uint32_t op;
	uint8_t reason;
	uint8_t root;
};

struct index_entry {
	unsigned char id[KEY_ID_LEN];
	unsigned char pk[KEY_PUBLIC_LEN];
	long long not_before, not_after;   /* the summary's */
	uint32_t op;                 /* the summary's; UINT32_MAX when none */
	uint32_t grant0, ngrants;    /* grants[grant0 .. grant0 + ngrants), by op */
	uint8_t reason;              /* the summary's */
	uint8_t is_root;
	uint8_t conflict;
	uint8_t member_signer;       /* a grant's operator is a member */
};

struct index_op {
	unsigned char id[KEY_ID_LEN];
	uint32_t vote;
	bool member;
	char *zones;                 /* owned */
	char local[TRUST_LOCAL_NAME_MAX + 1];  /* pin's local name, "" if none */
	char declared[KEY_NAME_MAX + 1];       /* root's self-declared name */
};

/* 16 bytes: four slots per cache line. */
struct index_slot {
	uint64_t tag;                /* first 8 bytes of the key id */
	uint32_t entry;              /* entry index + 1; 0 = empty */
	uint32_t pad;
};

struct trust_index {
	struct index_slot *slots;
	size_t mask;
	struct index_entry *entries;
	size_t nentries;
	struct index_op *ops;
	size_t nops;
	struct index_grant *grants;
	size_t ngrants;
	size_t conflicts;
	long long next_change;
};

static inline uint64_t
tag_of(const unsigned char id[KEY_ID_LEN])
{
	uint64_t t;

	memcpy(&t, id, sizeof(t));
	return t;
}

void
trust_index_free(struct trust_index *idx)
{
	if (idx == NULL)
		return;
	for (size_t i = 0; i < idx->nops; i++)
		free(idx->ops[i].zones);
	free(idx->ops);
	free(idx->grants);
	free(idx->slots);
	free(idx->entries);
	free(idx);
}

enum trustdb_err
trust_index_build(const struct trust_membership *m, struct trust_index **out,
    char *reason)
{
	struct trust_index *idx;
	size_t cap = 16;

	*out = NULL;
	if (m->nops >= UINT32_MAX || m->nkeys >= UINT32_MAX ||
	    m->ngrants >= UINT32_MAX)
		return trustdb_fail(reason, TRUSTDB_E_INVALID_ARG, "too many keys");
	while (cap < 2 * m->nkeys)   /* load factor <= 1/2 */
		cap *= 2;
	if ((idx = calloc(1, sizeof(*idx))) == NULL ||
	    (idx->slots = calloc(cap, sizeof(*idx->slots))) == NULL ||
	    (idx->entries = calloc(m->nkeys + 1, sizeof(*idx->entries))) == NULL ||
	    (idx->ops = calloc(m->nops + 1, sizeof(*idx->ops))) == NULL ||
	    (idx->grants = calloc(m->ngrants + 1, sizeof(*idx->grants))) == NULL)
		goto nomem;
	for (size_t i = 0; i < m->ngrants; i++) {
		idx->grants[i].op = (uint32_t)m->grants[i].op;
		idx->grants[i].root = m->grants[i].root;
		idx->grants[i].reason = (uint8_t)m->grants[i].reason;
		idx->grants[i].not_before = m->grants[i].not_before;
		idx->grants[i].not_after = m->grants[i].not_after;
	}
	idx->ngrants = m->ngrants;
	idx->mask = cap - 1;
	idx->next_change = m->next_change;
	for (size_t i = 0; i < m->nops; i++) {
		struct index_op *o = &idx->ops[i];
		memcpy(o->id, m->ops[i].id, KEY_ID_LEN);
		o->vote = (uint32_t)m->ops[i].vote;
		o->member = m->ops[i].member;
		if ((o->zones = strdup(m->ops[i].zones ? m->ops[i].zones : "")) == NULL)
			goto nomem;
		idx->nops++;
	}
	for (size_t i = 0; i < m->nkeys; i++) {
		const struct trust_keystate *k = &m->keys[i];
		struct index_entry *e = &idx->entries[i];
		size_t h;

		memcpy(e->id, k->id, KEY_ID_LEN);
		memcpy(e->pk, k->pk, KEY_PUBLIC_LEN);
		e->not_before = k->not_before;
		e->not_after = k->not_after;
		e->op = k->op == TRUST_NONE ? UINT32_MAX : (uint32_t)k->op;
		e->reason = (uint8_t)k->reason;
		e->is_root = k->is_root;
		e->grant0 = (uint32_t)k->grant0;
		e->ngrants = (uint32_t)k->ngrants;
		e->conflict = k->conflict;
		idx->conflicts += k->conflict;
		for (size_t g = k->grant0; g < k->grant0 + k->ngrants; g++)
			e->member_signer |= m->ops[m->grants[g].op].member;
		for (h = tag_of(k->id) & idx->mask; idx->slots[h].entry != 0;
		    h = (h + 1) & idx->mask)
			;
		idx->slots[h].tag = tag_of(k->id);
		idx->slots[h].entry = (uint32_t)i + 1;
	}
	idx->nentries = m->nkeys;
	*out = idx;
	return TRUSTDB_OK;
nomem:
	trust_index_free(idx);
	return trustdb_fail(reason, TRUSTDB_E_NOMEM, "out of memory");
}

void
trust_index_set_names(struct trust_index *idx, const struct trust_records *r)
{
	for (size_t i = 0; i < idx->nops; i++) {
		struct index_op *o = &idx->ops[i];
		const struct trust_pin *p = trust_records_pin(r, o->id);
		const struct trust_keyrec *k = trust_records_key(r, o->id);

		if (p != NULL)
			memcpy(o->local, p->name, sizeof(o->local));
		if (k != NULL)
			memcpy(o->declared, k->name, sizeof(o->declared));
	}
}

enum trustdb_err
trust_index_build_from_db(struct trustdb *db, const struct trust_params *p,
    long long now, struct trust_index **out, char *reason)
{
	struct trust_records *r = NULL;
	struct trust_membership *m = NULL;
	enum trustdb_err e;

	*out = NULL;
	if ((e = trustdb_load(db, &r, reason)) == TRUSTDB_OK &&
	    (e = trust_membership_compute(r, p, now, &m, reason)) == TRUSTDB_OK)
		e = trust_index_build(m, out, reason);
	if (e == TRUSTDB_OK)
		trust_index_set_names(*out, r);
	trust_membership_free(m);
	trust_records_free(r);
	return e;
}

static const struct index_entry *
find(const struct trust_index *idx, const unsigned char keyid[KEY_ID_LEN])
{
	uint64_t tag = tag_of(keyid);
	size_t h = tag & idx->mask;

	for (;; h = (h + 1) & idx->mask) {
		const struct index_slot *s = &idx->slots[h];
		if (s->entry == 0)
			return NULL;
		if (s->tag == tag) {
			const struct index_entry *e = &idx->entries[s->entry - 1];
			if (memcmp(e->id, keyid, KEY_ID_LEN) == 0)
				return e;
		}
	}
}

/* Fill a from grant g (or from the entry's summary when g is NULL). */
static bool
answer(const struct trust_index *idx, const struct index_entry *e,
    const struct index_grant *g, long long now, struct trust_answer *a)
{
	uint32_t op = g ? g->op : e->op;

	a->reason = (enum trust_reason)(g ? g->reason : e->reason);
	a->is_root = g ? g->root : e->is_root;
	a->not_before = g ? g->not_before : e->not_before;
	a->not_after = g ? g->not_after : e->not_after;
	if (op != UINT32_MAX) {
		a->op = op;
		a->operator_id = idx->ops[op].id;
		a->op_member = idx->ops[op].member;
	}
	if (a->reason != TRUST_MEMBER)
		return false;
	if (now < a->not_before)
		a->reason = TRUST_CERT_NOT_YET_VALID;
	else if (now >= a->not_after)
		a->reason = TRUST_CERT_EXPIRED;
	else {
		a->vote_id = idx->ops[idx->ops[op].vote].id;
		return true;
	}
	return false;
}

bool
trust_index_lookup(const struct trust_index *idx,
    const unsigned char keyid[KEY_ID_LEN], const unsigned char *origin,
    long long now, struct trust_answer *a)
{
	const struct index_entry *e = find(idx, keyid);
	const struct index_grant *g;

	memset(a, 0, sizeof(*a));
	a->op = UINT32_MAX;
	a->authored = origin != NULL && memcmp(keyid, origin, KEY_ID_LEN) == 0;
	if (e == NULL) {
		a->reason = TRUST_UNKNOWN_KEY;
		return false;
	}
	a->pk = e->pk;
	a->conflict = e->conflict;
	if (origin == NULL) {
		struct trust_answer t;
		for (uint32_t i = 0; i < e->ngrants; i++) {
			t = *a;
			if (answer(idx, e, &idx->grants[e->grant0 + i], now, &t)) {
				*a = t;
				return true;
			}
		}
		return answer(idx, e, NULL, now, a);
	}
	/* a handful of grants per key: a linear walk */
	for (uint32_t i = 0; i < e->ngrants; i++) {
		g = &idx->grants[e->grant0 + i];
		if (memcmp(idx->ops[g->op].id, origin, KEY_ID_LEN) == 0) {
			a->authored = true;
			return answer(idx, e, g, now, a);
		}
	}
	/* the key signs as its own operator, which the database does not
	 * know as one: no member */
	a->reason = a->authored ? TRUST_NOT_MEMBER : TRUST_WRONG_OPERATOR;
	return false;
}

bool
trust_index_known(const struct trust_index *idx,
    const unsigned char keyid[KEY_ID_LEN], bool *member_signer)
{
	const struct index_entry *e = find(idx, keyid);

	*member_signer = e != NULL && e->member_signer;
	return e != NULL;
}

bool
trust_index_same_members(const struct trust_index *a,
    const struct trust_index *b)
{
	size_t i = 0, j = 0;

	/* ops are sorted by id in both: walk the two lists of members */
	for (;;) {
		while (a && i < a->nops && !a->ops[i].member)
			i++;
		while (b && j < b->nops && !b->ops[j].member)
			j++;
		if (!a || i == a->nops || !b || j == b->nops)
			return (!a || i == a->nops) && (!b || j == b->nops);
		if (memcmp(a->ops[i].id, b->ops[j].id, KEY_ID_LEN) != 0)
			return false;
		i++;
		j++;
	}
}

size_t
trust_index_conflicts(const struct trust_index *idx)
{
	return idx->conflicts;
}

bool
trust_index_may_speak(const struct trust_index *idx,
    const struct trust_answer *a, const char *zone)
{
	if (a->reason != TRUST_MEMBER || a->op >= idx->nops)
		return false;
	return trust_zones_has(idx->ops[a->op].zones, zone);
}

bool
trust_index_lookup_pk(void *ctx, const unsigned char keyid[KEY_ID_LEN],
    unsigned char pk[KEY_PUBLIC_LEN])
{
	const struct index_entry *e = find(ctx, keyid);

	if (e == NULL)
		return false;
	memcpy(pk, e->pk, KEY_PUBLIC_LEN);
	return true;
}

long long
trust_index_next_change(const struct trust_index *idx)
{
	return idx->next_change;
}

size_t
trust_index_size(const struct trust_index *idx)
{
	return idx->nentries;
}

size_t
trust_index_votes(const struct trust_index *idx)
{
	size_t n = 0;

	/* a member operator whose vote is itself heads its vote */
	for (size_t i = 0; i < idx->nops; i++)
		if (idx->ops[i].member && idx->ops[i].vote == i)
			n++;
	return n;
}

bool
trust_index_op_names(const struct trust_index *idx,
    const unsigned char op[KEY_ID_LEN], const char **local,
    const char **declared)
{
	size_t lo = 0, hi = idx ? idx->nops : 0;

	*local = *declared = NULL;
	/* ops are sorted by id */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(idx->ops[mid].id, op, KEY_ID_LEN);
		if (c == 0) {
			const struct index_op *o = &idx->ops[mid];
			*local = o->local[0] ? o->local : NULL;
			*declared = o->declared[0] ? o->declared : NULL;
			return true;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

const char *
trust_index_op_label(const struct trust_index *idx,
    const unsigned char op[KEY_ID_LEN], char out[TRUST_OP_LABEL_MAX])
{
	const char *local, *declared;
	size_t n;

	encoding_hex_encode(op, KEY_ID_LEN, out);
	trust_index_op_names(idx, op, &local, &declared);
	n = strlen(out);
	if (local != NULL)
		snprintf(out + n, TRUST_OP_LABEL_MAX - n, " (%s)", local);
	else if (declared != NULL) {
		snprintf(out + n, TRUST_OP_LABEL_MAX - n, " ~%s?", declared);
		for (char *c = out + n + 2; *c && c[1]; c++)
			if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			    (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' ||
			    *c == '-' || *c == '@'))
				*c = '?';
	}
	return out;
}
