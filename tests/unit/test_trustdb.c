/*
 * tests/unit/test_trustdb.c — the membership rules, end to end: signed
 * envelopes imported into a real database, the index built from it, and
 * lookups at chosen times.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "proto/kind.h"
#include "proto/open.h"
#include "tests/unit/testutil.h"
#include "tests/unit/test_trustdb_util.h"

#define TS (TU_NOW - 100)
#define EXP (TU_NOW + 30 * KIND_DAY)
#define NOW TU_NOW

/* Operators a..f (roots) and relay keys. */
static struct key_secret *ra, *rb, *rc, *rd, *re, *rf;

static int
setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	ra = tu_key("root-a", 1);
	rb = tu_key("root-b", 1);
	rc = tu_key("root-c", 1);
	rd = tu_key("root-d", 1);
	re = tu_key("root-e", 1);
	rf = tu_key("root-f", 1);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	key_secret_free(ra); key_secret_free(rb); key_secret_free(rc);
	key_secret_free(rd); key_secret_free(re); key_secret_free(rf);
	return 0;
}

static const unsigned char *
id(const struct key_secret *k)
{
	return key_secret_public(k)->id;
}

static void
pinned_root_is_member(void **state)
{
	struct trustdb *db = tt_db();
	struct trust_index *idx;
	struct trust_answer a;

	(void)state;
	tt_pin(db, ra, NULL);
	idx = tt_index(db, 2, NULL, 0, NOW);
	assert_true(trust_index_lookup(idx, id(ra), NULL, NOW, &a));
	assert_true(a.is_root);
	assert_memory_equal(a.operator_id, id(ra), KEY_ID_LEN);
	assert_memory_equal(a.vote_id, id(ra), KEY_ID_LEN);
	assert_memory_equal(a.pk, key_secret_public(ra)->pk, KEY_PUBLIC_LEN);
	assert_false(trust_index_lookup(idx, id(rb), NULL, NOW, &a));
	assert_int_equal(a.reason, TRUST_UNKNOWN_KEY);
	assert_null(a.pk);
	assert_int_equal(trust_index_size(idx), 1);
	trust_index_free(idx);
	tt_cleanup(db);
}

static void
two_vouches_from_pinned(void **state)
{
	struct trustdb *db = tt_db();
	struct trust_index *idx;

	(void)state;
	tt_pin(db, ra, NULL);
	tt_pin(db, rb, NULL);
	tt_import(db, tt_vouch(ra, rc, NULL, NULL, TS, EXP), NOW);
	idx = tt_index(db, 2, NULL, 0, NOW);
	assert_int_equal(tt_reason(idx, rc, NOW), TRUST_NOT_MEMBER);
	trust_index_free(idx);
	/* V = 1 (configurable): one vouch is enough */
	idx = tt_index(db, 1, NULL, 0, NOW);
	assert_int_equal(tt_reason(idx, rc, NOW), TRUST_MEMBER);
	trust_index_free(idx);
	tt_import(db, tt_vouch(rb, rc, NULL, NULL, TS, EXP), NOW);
	idx = tt_index(db, 2, NULL, 0, NOW);
	assert_int_equal(tt_reason(idx, rc, NOW), TRUST_MEMBER);
	/* the vouches expire: the index says when to rebuild */
	assert_int_equal(trust_index_next_change(idx), EXP);
	trust_index_free(idx);
	idx = tt_index(db, 2, NULL, 0, EXP);
	assert_int_equal(tt_reason(idx, rc, EXP), TRUST_NOT_MEMBER);
	trust_index_free(idx);
	tt_cleanup(db);
}

static void
vouch_from_non_member_ignored(void **state)
{
	struct trustdb *db = tt_db();
	struct trust_index *idx;

	(void)state;
	tt_pin(db, ra, NULL);
	tt_pin(db, rb, NULL);
	/* a vouches c (c known, not a member); c's vouch for d must not count */
	tt_import(db, tt_vouch(ra, rc, NULL, NULL, TS, EXP), NOW);
	tt_import(db, tt_vouch(rc, rd, NULL, NULL, TS, EXP), NOW);
	tt_import(db, tt_vouch(ra, rd, NULL, NULL, TS, EXP), NOW);
	idx = tt_index(db, 2, NULL, 0, NOW);
	assert_int_equal(tt_reason(idx, rc, NOW), TRUST_NOT_MEMBER);
	assert_int_equal(tt_reason(idx, rd, NOW), TRUST_NOT_MEMBER);
	trust_index_free(idx);
	tt_cleanup(db);
}

static void
depth_two_ignored(void **state)
{
	struct trustdb *db = tt_db();
	struct trust_index *idx;

	(void)state;
	tt_pin(db, ra, NULL);
	tt_pin(db, rb, NULL);
	/* c is a vouched member; c and a vouch for d: only a counts */
	tt_import(db, tt_vouch(ra, rc, NULL, NULL, TS, EXP), NOW);
	tt_import(db, tt_vouch(rb, rc, NULL, NULL, TS, EXP), NOW);
	tt_import(db, tt_vouch(rc, rd, NULL, NULL, TS, EXP), NOW);
	tt_import(db, tt_vouch(ra, rd, NULL, NULL, TS, EXP), NOW);
	idx = tt_index(db, 2, NULL, 0, NOW);
	assert_int_equal(tt_reason(idx, rc, NOW), TRUST_MEMBER);
	assert_int_equal(tt_reason(idx, rd, NOW), TRUST_NOT_MEMBER);
	trust_index_free(idx);
	tt_cleanup(db);
}

static void
revoked_voucher_drops_vouches(void **state)
{
	struct trustdb *db = tt_db();
	struct trust_index *idx;

	(void)state;
	tt_pin(db, ra, NULL);
	tt_pin(db, rb, NULL);
	tt_import(db, tt_vouch(ra, rc, NULL, NULL, TS, EXP), NOW);
	tt_import(db, tt_vouch(rb, rc, NULL, NULL, TS, EXP), NOW);
	idx = tt_index(db, 2, NULL, 0, NOW);
	assert_int_equal(tt_reason(idx, rc, NOW), TRUST_MEMBER);
	trust_index_free(idx);
	/* a's root revokes itself: a is out, and its vouch for c with it */
	tt_import(db, tt_revoke(ra, ra, ra, NOW), NOW);
	idx = tt_index(db, 2, NULL, 0, NOW);
	assert_int_equal(tt_reason(idx, ra, NOW), TRUST_ROOT_REVOKED);
	assert_int_equal(tt_reason(idx, rc, NOW), TRUST_NOT_MEMBER);
	trust_index_free(idx);
	tt_cleanup(db);
}

static void
unpin_and_unvouch(void **state)
{
	char reason[TRUSTDB_REASON_MAX];
	struct trustdb *db = tt_db();
	struct trust_index *idx;

	(void)state;
	tt_pin(db, ra, NULL);
	tt_pin(db, rb, NULL);
	tt_pin(db, rd, NULL);
	tt_import(db, tt_vouch(ra, rc, NULL, NULL, TS, EXP), NOW);
	tt_import(db, tt_vouch(rb, rc, NULL, NULL, TS, EXP), NOW);
	/* unvouch by a, later than its vouch */
	tt_import(db, tt_unvouch(ra, rc, TS + 10), NOW);
	idx = tt_index(db, 2, NULL, 0, NOW);
	assert_int_equal(tt_reason(idx, rc, NOW), TRUST_UNVOUCHED);
	trust_index_free(idx);
	/* a vouches again, later still: the latest statement wins */
	tt_import(db, tt_vouch(ra, rc, NULL, NULL, TS + 20, EXP), NOW);
	idx = tt_index(db, 2, NULL, 0, NOW);
	assert_int_equal(tt_reason(idx, rc, NOW), TRUST_MEMBER);
	trust_index_free(idx);
	/* an older unvouch imported late changes nothing */
	tt_import(db, tt_unvouch(ra, rc, TS + 5), NOW);
	idx = tt_index(db, 2, NULL, 0, NOW);
	assert_int_equal(tt_reason(idx, rc, NOW), TRUST_MEMBER);
	trust_index_free(idx);
	/* unpinning b removes b and its vouch */
	assert_int_equal(trustdb_unpin(db, id(rb), reason), TRUSTDB_OK);
	assert_int_equal(trustdb_unpin(db, id(rb), reason), TRUSTDB_E_NOT_FOUND);
	idx = tt_index(db, 2, NULL, 0, NOW);
	assert_int_equal(tt_reason(idx, rb, NOW), TRUST_NOT_MEMBER);
	assert_int_equal(tt_reason(idx, rc, NOW), TRUST_NOT_MEMBER);
	trust_index_free(idx);
	tt_cleanup(db);
}

static void
cert_windows(void **state)
{
	struct trustdb *db = tt_db();
	struct key_secret *relay = tu_key("relay-a1", 0);
	struct trust_index *idx;
	struct trust_answer a;
	long long nb = NOW + 100, na = NOW + 10 * KIND_DAY;

	(void)state;
	tt_pin(db, ra, NULL);
	tt_import(db, tt_cert(ra, relay, nb, na, TS), NOW);
	idx = tt_index(db, 2, NULL, 0, NOW);
	assert_int_equal(tt_reason(idx, relay, NOW), TRUST_CERT_NOT_YET_VALID);
	assert_int_equal(tt_reason(idx, relay, nb - 1), TRUST_CERT_NOT_YET_VALID);
	assert_true(trust_index_lookup(idx, id(relay), NULL, nb, &a));
	assert_false(a.is_root);
	assert_memory_equal(a.operator_id, id(ra), KEY_ID_LEN);
	assert_memory_equal(a.vote_id, id(ra), KEY_ID_LEN);
	assert_int_equal(tt_reason(idx, relay, na - 1), TRUST_MEMBER);
	assert_int_equal(tt_reason(idx, relay, na), TRUST_CERT_EXPIRED);
	trust_index_free(idx);
	/* a renewal that starts before the first ends extends the window */
	tt_import(db, tt_cert(ra, relay, na - KIND_DAY, na + 50 * KIND_DAY, TS + 1), NOW);
	idx = tt_index(db, 2, NULL, 0, NOW);
	assert_int_equal(tt_reason(idx, relay, na + KIND_DAY), TRUST_MEMBER);
	assert_int_equal(tt_reason(idx, relay, na + 50 * KIND_DAY), TRUST_CERT_EXPIRED);
	trust_index_free(idx);
	key_secret_free(relay);
	tt_cleanup(db);
}

static void
cert_by_wrong_root(void **state)
{
	struct trustdb *db = tt_db();
	struct key_secret *relay = tu_key("relay-x", 0);
	struct trust_index *idx;
	json_t *o;
	char *env;

	(void)state;
	tt_pin(db, ra, NULL);
	tt_pin(db, rb, NULL);
	/* a cert claiming origin a but signed with b's key: refused */
	env = tt_cert(ra, relay, NOW - 10, NOW + KIND_DAY, TS);
	free(env);
	o = tu_header("key_cert", ra, ra, 1, NULL, TS, NOW + KIND_DAY);
	json_object_set_new(o, "subject", json_string(tu_id(relay)));
	json_object_set_new(o, "subject_key", json_string("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
	json_object_set_new(o, "not_before", json_integer(NOW - 10));
	json_object_set_new(o, "not_after", json_integer(NOW + KIND_DAY));
	env = tt_sign(o, rb);
	assert_int_not_equal(tt_try_import(db, env, NOW), TRUSTDB_OK);
	/* a cert by a root that is not a member: the key is not trusted */
	tt_import(db, tt_vouch(ra, rc, NULL, NULL, TS, EXP), NOW);
	tt_import(db, tt_cert(rc, relay, NOW - 10, NOW + KIND_DAY, TS), NOW);
	idx = tt_index(db, 2, NULL, 0, NOW);
	assert_int_equal(tt_reason(idx, relay, NOW), TRUST_NOT_MEMBER);
	trust_index_free(idx);
	/* certified by a member: counts, for that member only */
	tt_import(db, tt_cert(ra, relay, NOW - 10, NOW + KIND_DAY, TS), NOW);
	idx = tt_index(db, 2, NULL, 0, NOW);
	assert_int_equal(tt_reason(idx, relay, NOW), TRUST_MEMBER);
	trust_index_free(idx);
	key_secret_free(relay);
	tt_cleanup(db);
}

/* The answers for key k speaking for each of a, b and d. */
struct hijack {
	enum trust_reason for_a, for_b, for_d;
	bool conflict;
};

static struct hijack
hijack_answers(struct trustdb *db, const struct key_secret *k, long long now)
{
	struct trust_index *idx = tt_index(db, 2, NULL, 0, now);
	struct trust_answer a;
	struct hijack h;

	trust_index_lookup(idx, id(k), id(ra), now, &a);
	h.for_a = a.reason;
	assert_false(a.authored);
	trust_index_lookup(idx, id(k), id(rb), now, &a);
	h.for_b = a.reason;
	assert_true(a.authored);
	if (a.reason == TRUST_MEMBER)
		assert_memory_equal(a.vote_id, id(rb), KEY_ID_LEN);
	trust_index_lookup(idx, id(k), id(rd), now, &a);
	h.for_d = a.reason;
	h.conflict = a.conflict;
	assert_int_equal(trust_index_conflicts(idx), h.conflict ? 1 : 0);
	trust_index_free(idx);
	return h;
}

/* ntactl trust why shows the conflict, each certificate counting. */
static void
hijack_explained(struct trustdb *db, const struct key_secret *k)
{
	char reason[TRUSTDB_REASON_MAX];
	struct trust_records *r = NULL;
	struct trust_membership *m = NULL;
	struct trust_explanation *x = NULL;
	struct trust_params p = { 2, NULL, 0 };
	size_t counting = 0;

	assert_int_equal(trustdb_load(db, &r, reason), TRUSTDB_OK);
	assert_int_equal(trust_membership_compute(r, &p, NOW, &m, reason), TRUSTDB_OK);
	assert_int_equal(trust_explain(r, m, id(k), NOW, &x, reason), TRUSTDB_OK);
	assert_true(x->conflict);
	assert_int_equal(x->reason, TRUST_MEMBER);
	for (size_t i = 0; i < x->nfacts; i++)
		counting += x->facts[i].kind == TRUST_FACT_CERT && x->facts[i].counts;
	assert_int_equal(counting, 2);
	trust_explanation_free(x);
	trust_membership_free(m);
	trust_records_free(r);
}

/*
 * D certifies B's relay key (issue 12, attack 2): B's events still count
 * for B, D gains a key only for events the key's holder signs for D, the
 * conflict is reported, and the answer is the same whatever the order the
 * certificates arrive in.
 */
static void
second_root_cannot_hijack(void **state)
{
	struct key_secret *kb = tu_key("relay-b", 0);
	struct hijack h;
	struct trustdb *db;

	(void)state;
	for (int order = 0; order < 2; order++) {
		db = tt_db();
		tt_pin(db, ra, NULL);
		tt_pin(db, rb, NULL);
		tt_pin(db, rd, NULL);
		if (order == 0) {
			tt_import(db, tt_cert(rb, kb, NOW - 10, NOW + KIND_DAY, TS), NOW);
			h = hijack_answers(db, kb, NOW);
			assert_int_equal(h.for_b, TRUST_MEMBER);
			assert_int_equal(h.for_d, TRUST_WRONG_OPERATOR);
			assert_false(h.conflict);
		}
		tt_import(db, tt_cert(rd, kb, NOW - 20, NOW + 2 * KIND_DAY, TS + 1), NOW);
		if (order == 1)
			tt_import(db, tt_cert(rb, kb, NOW - 10, NOW + KIND_DAY, TS), NOW);
		h = hijack_answers(db, kb, NOW);
		assert_int_equal(h.for_a, TRUST_WRONG_OPERATOR);
		assert_int_equal(h.for_b, TRUST_MEMBER);
		assert_int_equal(h.for_d, TRUST_MEMBER);
		assert_true(h.conflict);
		hijack_explained(db, kb);
		/* D's certificate outlives B's: B's events stop at B's end */
		h = hijack_answers(db, kb, NOW + KIND_DAY);
		assert_int_equal(h.for_b, TRUST_CERT_EXPIRED);
		assert_int_equal(h.for_d, TRUST_MEMBER);
		/* D revokes "its" key: that withdraws D's certificate only */
		tt_import(db, tt_revoke(rd, rd, kb, NOW), NOW);
		h = hijack_answers(db, kb, NOW + 60);
		assert_int_equal(h.for_b, TRUST_MEMBER);
		assert_int_equal(h.for_d, TRUST_REVOKED);
		/* the key revokes itself: for everyone */
		tt_import(db, tt_revoke(kb, rb, kb, NOW + 1), NOW + 1);
		h = hijack_answers(db, kb, NOW + 60);
		assert_int_equal(h.for_b, TRUST_REVOKED);
		assert_int_equal(h.for_d, TRUST_REVOKED);
		tt_cleanup(db);
	}
	key_secret_free(kb);
}

/*
 * Authorship does not depend on time, membership or revocation: a key
 * whose certificate expired is still its operator's (its key_revoke is
 * that operator's); a key never certified by an origin is not, and the
 * trust database refuses a key_revoke that names such an origin.
 */
static void
authorship(void **state)
{
	struct trustdb *db = tt_db();
	struct key_secret *kb = tu_key("relay-b", 0);
	struct trustdb_import_stats st;
	struct trust_index *idx;
	struct trust_answer a;
	char reason[TRUSTDB_REASON_MAX], *env;
	bool member;

	(void)state;
	tt_pin(db, ra, NULL);
	tt_pin(db, rb, NULL);
	tt_import(db, tt_vouch(ra, rc, NULL, NULL, TS, EXP), NOW); /* c: one vouch */
	tt_import(db, tt_cert(rb, kb, NOW - 10, NOW + KIND_DAY, TS), NOW);
	idx = tt_index(db, 2, NULL, 0, NOW + 2 * KIND_DAY);
	assert_false(trust_index_lookup(idx, id(kb), id(rb), NOW + 2 * KIND_DAY, &a));
	assert_int_equal(a.reason, TRUST_CERT_EXPIRED);
	assert_true(a.authored);
	assert_true(a.op_member);
	/* c's root authors c, which is no member */
	assert_false(trust_index_lookup(idx, id(rc), id(rc), NOW, &a));
	assert_true(a.authored);
	assert_false(a.op_member);
	assert_int_equal(a.reason, TRUST_NOT_MEMBER);
	/* ... and not b */
	assert_false(trust_index_lookup(idx, id(rc), id(rb), NOW, &a));
	assert_false(a.authored);
	assert_int_equal(a.reason, TRUST_WRONG_OPERATOR);
	/* known keys: members' and junk signers */
	assert_true(trust_index_known(idx, id(kb), &member));
	assert_true(member);
	assert_true(trust_index_known(idx, id(rc), &member));
	assert_false(member);
	assert_false(trust_index_known(idx, id(rf), &member));
	trust_index_free(idx);
	/* c revoking itself "as b": refused by the database */
	env = tt_revoke(rc, rb, rc, NOW);
	assert_int_equal(trustdb_import(db, env, strlen(env), NOW, &st, reason),
	    TRUSTDB_E_REJECTED);
	assert_int_equal(st.proto, PROTO_E_ORIGIN_MISMATCH);
	free(env);
	/* kb revoking itself as b after its certificate expired: accepted */
	tt_import(db, tt_revoke(kb, rb, kb, NOW + 2 * KIND_DAY), NOW + 2 * KIND_DAY);
	key_secret_free(kb);
	tt_cleanup(db);
}

/* trust_index_same_members: what the relay compares to offer the pool of
 * non-members' trust events again. */
static void
same_members(void **state)
{
	struct trustdb *db = tt_db();
	struct trust_index *one, *two;

	(void)state;
	tt_pin(db, ra, NULL);
	tt_pin(db, rb, NULL);
	tt_import(db, tt_vouch(ra, rc, NULL, NULL, TS, EXP), NOW);
	one = tt_index(db, 2, NULL, 0, NOW);
	two = tt_index(db, 2, NULL, 0, NOW);
	assert_true(trust_index_same_members(one, two));
	trust_index_free(two);
	tt_import(db, tt_vouch(rb, rc, NULL, NULL, TS, EXP), NOW);   /* c joins */
	two = tt_index(db, 2, NULL, 0, NOW);
	assert_false(trust_index_same_members(one, two));
	assert_false(trust_index_same_members(two, NULL));
	assert_true(trust_index_same_members(NULL, NULL));
	trust_index_free(one);
	trust_index_free(two);
	tt_cleanup(db);
}

static void
affiliation_collapse(void **state)
{
	struct trustdb *db = tt_db();
	struct trust_index *idx;
	struct trust_answer a, b, c;
	const unsigned char *lo;

	(void)state;
	tt_pin(db, ra, NULL);
	tt_pin(db, rb, NULL);
	tt_pin(db, rc, NULL);
	/* one side only: no collapse */
	tt_import(db, tt_vouch(ra, rb, NULL, "acme", TS, EXP), NOW);
	idx = tt_index(db, 2, NULL, 0, NOW);
	trust_index_lookup(idx, id(ra), NULL, NOW, &a);
	trust_index_lookup(idx, id(rb), NULL, NOW, &b);
	assert_memory_not_equal(a.vote_id, b.vote_id, KEY_ID_LEN);
	trust_index_free(idx);
	/* the other side with another name: no collapse */
	tt_import(db, tt_vouch(rb, ra, NULL, "other", TS, EXP), NOW);
	idx = tt_index(db, 2, NULL, 0, NOW);
	trust_index_lookup(idx, id(ra), NULL, NOW, &a);
	trust_index_lookup(idx, id(rb), NULL, NOW, &b);
	assert_memory_not_equal(a.vote_id, b.vote_id, KEY_ID_LEN);
	trust_index_free(idx);
	/* both sides, same name: one vote, the smaller operator id */
	tt_import(db, tt_vouch(rb, ra, NULL, "acme", TS + 1, EXP), NOW);
	idx = tt_index(db, 2, NULL, 0, NOW);
	trust_index_lookup(idx, id(ra), NULL, NOW, &a);
	trust_index_lookup(idx, id(rb), NULL, NOW, &b);
	trust_index_lookup(idx, id(rc), NULL, NOW, &c);
	assert_memory_equal(a.vote_id, b.vote_id, KEY_ID_LEN);
	lo = memcmp(id(ra), id(rb), KEY_ID_LEN) < 0 ? id(ra) : id(rb);
	assert_memory_equal(a.vote_id, lo, KEY_ID_LEN);
	assert_memory_not_equal(c.vote_id, a.vote_id, KEY_ID_LEN);
	trust_index_free(idx);
	/* affiliated vouchers count once: a and b alone cannot admit d */
	tt_import(db, tt_vouch(ra, rd, NULL, NULL, TS, EXP), NOW);
	tt_import(db, tt_vouch(rb, rd, NULL, NULL, TS, EXP), NOW);
	idx = tt_index(db, 2, NULL, 0, NOW);
	assert_int_equal(tt_reason(idx, rd, NOW), TRUST_NOT_MEMBER);
	trust_index_free(idx);
	tt_import(db, tt_vouch(rc, rd, NULL, NULL, TS, EXP), NOW);
	idx = tt_index(db, 2, NULL, 0, NOW);
	assert_int_equal(tt_reason(idx, rd, NOW), TRUST_MEMBER);
	trust_index_free(idx);
	tt_cleanup(db);
}

static void
local_group_collapse(void **state)
{
	struct trustdb *db = tt_db();
	struct trust_index *idx;
	struct trust_answer a, c;
	unsigned char ids[2][KEY_ID_LEN];
	struct trust_group g = { (const unsigned char (*)[KEY_ID_LEN])ids, 2 };

	(void)state;
	memcpy(ids[0], id(ra), KEY_ID_LEN);
	memcpy(ids[1], id(rc), KEY_ID_LEN);
	tt_pin(db, ra, NULL);
	tt_pin(db, rc, NULL);
	idx = tt_index(db, 2, &g, 1, NOW);
	trust_index_lookup(idx, id(ra), NULL, NOW, &a);
	trust_index_lookup(idx, id(rc), NULL, NOW, &c);
	assert_memory_equal(a.vote_id, c.vote_id, KEY_ID_LEN);
	trust_index_free(idx);
	tt_cleanup(db);
}

static void
five_relays_one_vote(void **state)
{
	struct trustdb *db = tt_db();
	struct key_secret *relays[5];
	struct trust_index *idx;
	struct trust_answer a;
	unsigned char votes[6][KEY_ID_LEN];
	size_t distinct = 0;

	(void)state;
	tt_pin(db, ra, NULL);
	tt_pin(db, rb, NULL);
	for (int i = 0; i < 5; i++) {
		char label[32];
		snprintf(label, sizeof(label), "relay-a%d", i);
		relays[i] = tu_key(label, 0);
		tt_import(db, tt_cert(ra, relays[i], NOW - 10, NOW + KIND_DAY, TS), NOW);
	}
	idx = tt_index(db, 2, NULL, 0, NOW);
	for (int i = 0; i < 6; i++) {
		bool seen = false;
		assert_true(trust_index_lookup(idx, id(i < 5 ? relays[i] : rb), NULL, NOW, &a));
		for (size_t j = 0; j < distinct; j++)
			seen |= memcmp(votes[j], a.vote_id, KEY_ID_LEN) == 0;
		if (!seen)
			memcpy(votes[distinct++], a.vote_id, KEY_ID_LEN);
	}
	assert_int_equal(distinct, 2);   /* a's five relays + b */
	trust_index_free(idx);
	for (int i = 0; i < 5; i++)
		key_secret_free(relays[i]);
	tt_cleanup(db);
}

static void
zone_claims_need_v(void **state)
{
	struct trustdb *db = tt_db();
	struct key_secret *relay = tu_key("relay-c", 0);
	struct trust_index *idx;
	struct trust_answer a;

	(void)state;
	tt_pin(db, ra, "com.");
	tt_pin(db, rb, NULL);
	tt_import(db, tt_vouch(ra, rc, "de. example.", NULL, TS, EXP), NOW);
	tt_import(db, tt_vouch(rb, rc, "nl.", NULL, TS, EXP), NOW);
	tt_import(db, tt_cert(rc, relay, NOW - 10, NOW + KIND_DAY, TS), NOW);
	idx = tt_index(db, 2, NULL, 0, NOW);
	assert_true(trust_index_lookup(idx, id(relay), NULL, NOW, &a));
	assert_false(trust_index_may_speak(idx, &a, "de."));
	assert_false(trust_index_may_speak(idx, &a, "nl."));
	trust_index_lookup(idx, id(ra), NULL, NOW, &a);
	assert_true(trust_index_may_speak(idx, &a, "com."));   /* pinned --zones */
	assert_false(trust_index_may_speak(idx, &a, "de."));
	trust_index_free(idx);
	tt_import(db, tt_vouch(rb, rc, "de. nl.", NULL, TS + 1, EXP), NOW);
	idx = tt_index(db, 2, NULL, 0, NOW);
	assert_true(trust_index_lookup(idx, id(relay), NULL, NOW, &a));
	assert_true(trust_index_may_speak(idx, &a, "de."));
	assert_false(trust_index_may_speak(idx, &a, "nl."));
	assert_false(trust_index_may_speak(idx, &a, "example."));
	assert_false(trust_index_may_speak(idx, &a, "sub.de."));
	/* not a member at that time: speaks for nothing */
	trust_index_lookup(idx, id(relay), NULL, NOW + 2 * KIND_DAY, &a);
	assert_false(trust_index_may_speak(idx, &a, "de."));
	trust_index_free(idx);
	key_secret_free(relay);
	tt_cleanup(db);
}

static void
revocation_applies_to_earlier_events(void **state)
{
	struct trustdb *db = tt_db();
	struct key_secret *r1 = tu_key("relay-a1", 0), *r2 = tu_key("relay-a2", 0);
	struct key_secret *r3 = tu_key("relay-b1", 0);
	char reason[PROTO_REASON_MAX];
	struct trust_index *idx;
	struct trust_answer a;
	struct envelope *env = NULL;
	struct event *ev = NULL;
	char *json;

	(void)state;
	tt_pin(db, ra, NULL);
	tt_pin(db, rb, NULL);
	tt_import(db, tt_cert(ra, r1, NOW - 10, NOW + KIND_DAY, TS), NOW);
	tt_import(db, tt_cert(ra, r2, NOW - 10, NOW + KIND_DAY, TS), NOW);
	tt_import(db, tt_cert(rb, r3, NOW - 10, NOW + KIND_DAY, TS), NOW);
	/* an event signed by r1 before the revocation, verified with the
	 * index's key lookup, counts now */
	json = tt_sign(tu_assessment(r1, ra), r1);
	idx = tt_index(db, 2, NULL, 0, NOW);
	assert_int_equal(open_envelope(json, strlen(json), trust_index_lookup_pk,
	    idx, 0, &env, &ev, reason), PROTO_OK);
	assert_true(trust_index_lookup(idx, ev->key, NULL, NOW, &a));
	trust_index_free(idx);
	/* r1 revokes itself, the root revokes r2, b's root tries r3's sibling */
	tt_import(db, tt_revoke(r1, ra, r1, NOW), NOW);
	tt_import(db, tt_revoke(ra, ra, r2, NOW), NOW);
	tt_import(db, tt_revoke(ra, ra, r3, NOW), NOW);
	idx = tt_index(db, 2, NULL, 0, NOW + 60);
	assert_false(trust_index_lookup(idx, ev->key, NULL, NOW + 60, &a));
	assert_int_equal(a.reason, TRUST_REVOKED);
	assert_int_equal(tt_reason(idx, r2, NOW + 60), TRUST_REVOKED);
	assert_int_equal(tt_reason(idx, r3, NOW + 60), TRUST_MEMBER);
	/* revocations never expire */
	assert_int_equal(tt_reason(idx, r1, NOW + 100 * KIND_DAY), TRUST_REVOKED);
	trust_index_free(idx);
	event_free(ev);
	envelope_free(env);
	free(json);
	key_secret_free(r1);
	key_secret_free(r2);
	key_secret_free(r3);
	tt_cleanup(db);
}

static void
explain_facts(void **state)
{
	char reason[TRUSTDB_REASON_MAX];
	struct trustdb *db = tt_db();
	struct key_secret *relay = tu_key("relay-c", 0);
	struct trust_records *r = NULL;
	struct trust_membership *m = NULL;
	struct trust_explanation *x = NULL;
	struct trust_params p = { 2, NULL, 0 };
	size_t vouches = 0, counting = 0, certs = 0;

	(void)state;
	tt_pin(db, ra, NULL);
	tt_pin(db, rb, NULL);
	tt_import(db, tt_vouch(ra, rc, NULL, NULL, TS, EXP), NOW);
	tt_import(db, tt_vouch(rb, rc, NULL, NULL, TS, EXP), NOW);
	tt_import(db, tt_vouch(ra, rd, NULL, NULL, TS, EXP), NOW); /* d known */
	tt_import(db, tt_vouch(rd, rc, NULL, NULL, TS, EXP), NOW);
	tt_import(db, tt_cert(rc, relay, NOW - 10, NOW + KIND_DAY, TS), NOW);
	assert_int_equal(trustdb_load(db, &r, reason), TRUSTDB_OK);
	assert_int_equal(trust_membership_compute(r, &p, NOW, &m, reason), TRUSTDB_OK);
	assert_int_equal(trust_explain(r, m, id(relay), NOW, &x, reason), TRUSTDB_OK);
	assert_int_equal(x->reason, TRUST_MEMBER);
	assert_true(x->has_operator);
	assert_memory_equal(x->op, id(rc), KEY_ID_LEN);
	assert_int_equal(x->vouches, 2);
	for (size_t i = 0; i < x->nfacts; i++) {
		if (x->facts[i].kind == TRUST_FACT_VOUCH) {
			vouches++;
			counting += x->facts[i].counts;
		}
		certs += x->facts[i].kind == TRUST_FACT_CERT;
	}
	assert_int_equal(vouches, 3);
	assert_int_equal(counting, 2);
	assert_int_equal(certs, 1);
	trust_explanation_free(x);
	/* unknown key */
	assert_int_equal(trust_explain(r, m, id(rf), NOW, &x, reason), TRUSTDB_OK);
	assert_int_equal(x->reason, TRUST_UNKNOWN_KEY);
	assert_false(x->known);
	trust_explanation_free(x);
	trust_membership_free(m);
	trust_records_free(r);
	key_secret_free(relay);
	tt_cleanup(db);
}

static void
names(void **state)
{
	(void)state;
	for (int i = 0; i < TRUST__COUNT; i++)
		assert_string_not_equal(trust_reason_name((enum trust_reason)i), "unknown");
	assert_string_equal(trust_reason_name(TRUST_CERT_NOT_YET_VALID), "cert_not_yet_valid");
	for (int i = 0; i < TRUSTDB_E__COUNT; i++)
		assert_string_not_equal(trustdb_errname((enum trustdb_err)i), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pinned_root_is_member),
		cmocka_unit_test(two_vouches_from_pinned),
		cmocka_unit_test(vouch_from_non_member_ignored),
		cmocka_unit_test(depth_two_ignored),
		cmocka_unit_test(revoked_voucher_drops_vouches),
		cmocka_unit_test(unpin_and_unvouch),
		cmocka_unit_test(cert_windows),
		cmocka_unit_test(cert_by_wrong_root),
		cmocka_unit_test(second_root_cannot_hijack),
		cmocka_unit_test(authorship),
		cmocka_unit_test(same_members),
		cmocka_unit_test(affiliation_collapse),
		cmocka_unit_test(local_group_collapse),
		cmocka_unit_test(five_relays_one_vote),
		cmocka_unit_test(zone_claims_need_v),
		cmocka_unit_test(revocation_applies_to_earlier_events),
		cmocka_unit_test(explain_facts),
		cmocka_unit_test(names),
	};
	return cmocka_run_group_tests_name("trustdb", tests, setup, teardown);
}
