/*
 * relay/fed/gossip.c — the ingest pipeline, forwarding, own events.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "proto/encoding.h"
#include "proto/open.h"
#include "relay/fed/backfill.h"
#include "relay/quorum/decide.h"
#include "relay/fed/gossip.h"
#include "relay/notify/notify.h"
#include "relay/core/log.h"
#include "relay/fed/quota.h"
#include "relay/fed/storefault.h"
#include "relay/fed/topic.h"
#include "relay/fed/trustpool.h"
#include "trustdb/store.h"

static void
reject(struct relay *r, const char *link, const struct envelope *env,
    enum proto_err e, const char *reason)
{
	char id[KEY_ID_HEX_LEN + 1] = "-";

	if ((unsigned)e < PROTO_E__COUNT)
		r->metrics.rejected[e]++;
	if (env)
		envelope_id_hex(env, id);
	log_notice("reject %s from %s: %s: %s", id, link, proto_errname(e), reason);
}

static bool
is_trust_kind(enum kind k)
{
	return k == KIND_VOUCH || k == KIND_UNVOUCH || k == KIND_KEY_CERT ||
	    k == KIND_KEY_REVOKE;
}

/*
 * Verifications a link may spend per second on events signed by known keys
 * of non-members (they cannot count: gossip.h step 4), and how many at
 * once. Over it, such events are dropped before their signature is
 * checked, and counted per link.
 */
#define JUNK_RATE 20.0
#define JUNK_BURST 200.0

static struct bucket junk[CONFIG_LINKS_MAX];
static bool offering;   /* the pool is offered again: verified once already */

static size_t
link_index(const struct relay *r, const struct link *l)
{
	for (size_t i = 0; i < r->nlinks; i++)
		if (r->links[i] == l)
			return i;
	return 0;
}

/* Step 4: does the index know the signer (rebuilt first when stale)? Is
 * it a member's, or a non-member's within the link's budget? PROTO_OK;
 * PROTO_E_UNKNOWN_KEY; PROTO_E__COUNT when dropped as junk (counted). */
static enum proto_err
check_signer(struct relay *r, struct link *from, const struct envelope *env,
    char *reason)
{
	char k[KEY_ID_HEX_LEN + 1];
	bool member;
	size_t li;

	if (!trust_index_known(r->trust.tidx, env->keyid, &member) &&
	    !(trust_fresh(&r->trust) && trust_index_known(r->trust.tidx, env->keyid,
	    &member)))
		return proto_fail(reason, PROTO_E_UNKNOWN_KEY,
		    "no public key known for keyid %.16s...",
		    encoding_hex_encode(env->keyid, KEY_ID_LEN, k));
	if (member || from == NULL || offering)
		return PROTO_OK;
	li = link_index(r, from);
	if (bucket_take(&junk[li], JUNK_RATE, JUNK_BURST, 1.0, loop_now_ms()))
		return PROTO_OK;
	r->metrics.links[li].junk_dropped++;
	if (log_enabled(LOG_LVL_DEBUG))
		log_debug("junk from %s: key %s belongs to no member; dropped "
		    "unverified (over the link's budget)", link_url(from),
		    encoding_hex_encode(env->keyid, KEY_ID_LEN, k));
	return PROTO_E__COUNT;
}

/* May ev's key speak for its origin now? A stale index is rebuilt first
 * when the answer is no. Returns whether the key authors the origin. */
static bool
lookup_author(struct relay *r, const struct event *ev, struct trust_answer *a)
{
	long long now = relay_now();

	if (!trust_index_lookup(r->trust.tidx, ev->key, ev->origin, now, a) &&
	    trust_fresh(&r->trust))
		trust_index_lookup(r->trust.tidx, ev->key, ev->origin, now, a);
	return a->authored;
}

/*
 * Steps 9 and 10: the event's origin is proven by its key (the origin's
 * root, or a key that root certified), and then the key may count for it
 * (other kinds) or the origin is a member (trust kinds: a member decides
 * about its own keys and vouches; a key it certified may still revoke
 * itself after its certificate expired). *pool: a trust event whose
 * author is proven but whose operator is not a member (yet).
 */
static enum proto_err
check_author(struct relay *r, const struct event *ev, bool *pool, char *reason)
{
	char k[KEY_ID_HEX_LEN + 1], o[KEY_ID_HEX_LEN + 1];
	struct trust_answer a;
	bool counts;

	*pool = false;
	if (!lookup_author(r, ev, &a))
		return proto_fail(reason, PROTO_E_ORIGIN_MISMATCH, "key %.16s... "
		    "does not speak for operator %.16s...: neither its root nor "
		    "certified by it", encoding_hex_encode(ev->key, KEY_ID_LEN, k),
		    encoding_hex_encode(ev->origin, KEY_ID_LEN, o));
	counts = a.reason == TRUST_MEMBER;
	if (a.reason == TRUST_REVOKED || a.reason == TRUST_ROOT_REVOKED)
		return proto_fail(reason, PROTO_E_REVOKED_KEY, "key %.16s...: %s",
		    encoding_hex_encode(ev->key, KEY_ID_LEN, k),
		    trust_reason_text(a.reason));
	if (is_trust_kind(ev->kind) && !a.op_member) {
		*pool = true;
		return proto_fail(reason, PROTO_E_UNTRUSTED_KEY, "operator "
		    "%.16s... is not a member: its %s is kept aside, not imported",
		    encoding_hex_encode(ev->origin, KEY_ID_LEN, o),
		    kind_name(ev->kind));
	}
	if (!is_trust_kind(ev->kind) && !counts)
		return proto_fail(reason, PROTO_E_UNTRUSTED_KEY, "key %.16s...: %s",
		    encoding_hex_encode(ev->key, KEY_ID_LEN, k),
		    trust_reason_text(a.reason));
	return PROTO_OK;
}

/* The per-operator quota of a zone (relay/fed/quota.h). */
static enum proto_err
check_zone_quota(struct relay *r, const struct event *ev, long long now,
    char *reason)
{
	char err[STORE_ERR_MAX] = "";
	enum proto_err e = quota_check(r->quota, r->store, ev, now,
	    r->cfg.zone_keys_per_operator, r->cfg.zone_events_per_operator,
	    reason, err);

	if (err[0])
		log_err("%s", err);
	return e;
}

/* Publish on the equivocation topic the two envelopes that prove it: the
 * one held for that seq, then the one that contradicts it. */
struct eqv_ctx {
	struct relay *r;
	const char *topic;
	const unsigned char *other;   /* the new event's id: not the held one */
};

static void
publish_held(void *arg, const struct store_outbox_item *it)
{
	struct eqv_ctx *c = arg;

	if (memcmp(it->id, c->other, KEY_ID_LEN) == 0)
		return;
	for (size_t i = 0; i < c->r->nlinks; i++)
		link_publish(c->r->links[i], c->topic, it->raw, it->rawlen, false, 0, -1);
}

static void
report_equivocation(struct relay *r, const struct event *ev, const char *raw,
    size_t rawlen)
{
	char topic[TOPIC_MAX], err[STORE_ERR_MAX];
	struct eqv_ctx c = { r, topic, ev->id };

	topic_equivocation(r->cfg.net, ev, topic, sizeof(topic));
	if (store_range_each(r->store, ev->key, ev->seq, ev->seq, publish_held, &c,
	    err) < 0)
		log_err("%s", err);
	for (size_t i = 0; i < r->nlinks; i++)
		link_publish(r->links[i], topic, raw, rawlen, false, 0, -1);
}

/*
 * Publications wait for the commit of the loop turn's transaction: nothing
 * leaves the relay before it is stored. gossip_commit() commits and then
 * publishes them.
 */
struct pending {
	char topic[TOPIC_MAX];
	char *raw;
	size_t len;
	bool retain;
	long expiry;
	long long row;
	struct link *except;
};

static struct {
	struct pending *v;
	size_t n, cap;
} queue;

static void
queue_drop(void)
{
	for (size_t i = 0; i < queue.n; i++)
		free(queue.v[i].raw);
	queue.n = 0;
}

void
gossip_publish_all(struct relay *r, const struct event *ev, const char *raw,
    size_t rawlen, long long row, struct link *except)
{
	struct pending *p;
	long expiry = ev->has_exp ? (long)(ev->exp - relay_now()) : 0;

	if (queue.n == queue.cap) {
		size_t ncap = queue.cap ? 2 * queue.cap : 256;
		struct pending *v = realloc(queue.v, ncap * sizeof(*v));
		if (v == NULL)
			return; /* the outbox keeps it: sent at the next reconnect */
		queue.v = v;
		queue.cap = ncap;
	}
	p = &queue.v[queue.n];
	if (!topic_of(r->cfg.net, ev, p->topic, sizeof(p->topic)) ||
	    (p->raw = malloc(rawlen)) == NULL)
		return;
	memcpy(p->raw, raw, rawlen);
	p->len = rawlen;
	p->retain = topic_retained(ev->kind);
	/* A late copy must not replace a newer retained message. */
	if (p->retain && ev->kind != KIND_WITHDRAW && !is_trust_kind(ev->kind) &&
	    ev->kind != KIND_HEARTBEAT &&
	    store_newer_exists(r->store, ev->kind, ev->zone, ev->origin, ev->ts))
		p->retain = false;
	p->expiry = expiry < 0 ? 1 : expiry;
	p->row = row;
	p->except = except;
	queue.n++;
}

void
gossip_begin(struct relay *r)
{
	char err[STORE_ERR_MAX];

	if (store_in_transaction(r->store) || store_begin(r->store, err) == 0)
		return;
	/* nothing began: what follows writes alone, and the turn is held */
	store_rollback(r->store);
	storefault_failed(r, err);
}

int
gossip_commit(struct relay *r)
{
	char err[STORE_ERR_MAX] = "";

	/* decisions the turn's events changed are signed in the same
	 * transaction, and leave with them */
	if (store_in_transaction(r->store) && storefault_writable(r))
		decide_flush(r->decide);

	/* A turn that cannot commit is rolled back as a whole and what it
	 * accepted is held for a retry (relay/fed/storefault.h): nothing of it
	 * was published, and no own event of it exists anywhere. */
	if (!storefault_writable(r) || (store_in_transaction(r->store) &&
	    store_commit(r->store, err) != 0)) {
		store_rollback(r->store);
		queue_drop();
		decide_rollback(r->decide);
		storefault_turn_end(r, false, err);
		return -1;
	}
	decide_committed(r->decide);
	storefault_turn_end(r, true, NULL);
	for (size_t i = 0; i < queue.n; i++) {
		struct pending *p = &queue.v[i];
		for (size_t l = 0; l < r->nlinks; l++) {
			if (r->links[l] == p->except)
				continue;
			if (link_publish(r->links[l], p->topic, p->raw, p->len, p->retain,
			    p->expiry, p->row) == 0)
				r->metrics.links[l].published++;
		}
	}
	queue_drop();
	return 0;
}

/*
 * A withdraw must name an event of its own origin (PROTOCOL.md 6.4). A
 * target not held yet is let through (it may arrive later; the quorum
 * engine matches origins again); a held one lends the withdraw its zone,
 * so that the zone is evaluated again.
 */
static enum proto_err
check_withdraw(struct relay *r, struct event *ev, char *reason)
{
	const char *t = event_str(ev, "target");
	unsigned char target[KEY_ID_LEN], origin[KEY_ID_LEN];
	char zone[ZONE_TEXT_MAX + 1];
	int found;

	if (t == NULL || encoding_hex_decode(t, target, KEY_ID_LEN) != 0)
		return proto_fail(reason, PROTO_E_NOT_OWN_EVENT, "no target");
	found = store_lookup(r->store, target, origin, zone, sizeof(zone), NULL,
	    NULL);
	if (found == 1 && memcmp(origin, ev->origin, KEY_ID_LEN) != 0)
		return proto_fail(reason, PROTO_E_NOT_OWN_EVENT, "the target %.16s... "
		    "is another origin's event", t);
	if (found == 1)
		snprintf(ev->zone, sizeof(ev->zone), "%s", zone);
	return PROTO_OK;
}

/*
 * Step 8 for a backfill response, bf/resp/<us>/<event id>: the last level
 * must be this event's id, and the event must have a live topic (a kind
 * relays publish). The topic names no origin: the origin is bound by the
 * authorship step (10), as for a live event. Only a current member key's
 * events are backfilled: a response signed by any other key is refused.
 */
static enum proto_err
check_response(struct relay *r, const char *topic, const struct envelope *env,
    const struct event *ev, char *reason)
{
	char id[KEY_ID_HEX_LEN + 1], live[TOPIC_MAX], k[KEY_ID_HEX_LEN + 1];
	const char *tail = strrchr(topic, '/');
	struct trust_answer a;

	if (tail == NULL || strcmp(tail + 1, envelope_id_hex(env, id)) != 0)
		return proto_fail(reason, PROTO_E_TOPIC_MISMATCH,
		    "backfill topic does not name this event");
	if (!topic_of(r->cfg.net, ev, live, sizeof(live)))
		return proto_fail(reason, PROTO_E_TOPIC_MISMATCH,
		    "a backfill response must be an event relays publish");
	if (!trust_index_lookup(r->trust.tidx, ev->key, NULL, relay_now(), &a))
		return proto_fail(reason, PROTO_E_UNTRUSTED_KEY, "a backfill "
		    "response signed by key %.16s..., not a current member key: %s",
		    encoding_hex_encode(ev->key, KEY_ID_LEN, k),
		    trust_reason_text(a.reason));
	return PROTO_OK;
}

/* A member root certifies a key that another member operator holds: kept
 * (every relay must reach the same answer whatever the order), and shown
 * as what it may be, an attack by the signer (trustdb/membership.h). */
static void
note_cert_conflict(struct relay *r, const struct event *ev)
{
	char o[KEY_ID_HEX_LEN + 1], k[KEY_ID_HEX_LEN + 1];
	unsigned char subject[KEY_ID_LEN];
	const char *sub = event_str(ev, "subject");
	struct trust_answer a;
	bool member;

	if (ev->kind != KIND_KEY_CERT || sub == NULL ||
	    encoding_hex_decode(sub, subject, KEY_ID_LEN) != 0 ||
	    !trust_index_known(r->trust.tidx, subject, &member) || !member)
		return;
	/* a renewal by the same root is no conflict */
	trust_index_lookup(r->trust.tidx, subject, ev->origin, relay_now(), &a);
	if (a.authored)
		return;
	r->metrics.cert_conflicts++;
	log_warn("possible attack by operator %s: its key_cert certifies key %s, "
	    "which another member operator holds; stored, and the key still "
	    "counts only for the operator its events name",
	    encoding_hex_encode(ev->origin, KEY_ID_LEN, o),
	    encoding_hex_encode(subject, KEY_ID_LEN, k));
}

/* Import an accepted trust event; the index is rebuilt at the end of the
 * turn. */
static enum proto_err
import_trust(struct relay *r, const struct event *ev, const void *payload,
    size_t len, long long now, char *reason)
{
	struct trustdb_import_stats st;
	char treason[TRUSTDB_REASON_MAX];

	enum trustdb_err te = trustdb_import(r->trust.tdb, payload, len, now, &st, treason);

	if (te == TRUSTDB_E_SQL || te == TRUSTDB_E_OPEN || te == TRUSTDB_E_LOCKED ||
	    te == TRUSTDB_E_CORRUPT || te == TRUSTDB_E_NOMEM) {
		/* the trust database cannot write: the event is held, like one
		 * the store could not write (relay/fed/storefault.h) */
		char cause[TRUSTDB_REASON_MAX + 32];
		snprintf(cause, sizeof(cause), "trust database: %s", treason);
		storefault_failed(r, cause);
		return proto_fail(reason, PROTO_E_IO, "%s", cause);
	}
	if (te != TRUSTDB_OK)
		return proto_fail(reason, st.proto != PROTO_OK ? st.proto :
		    PROTO_E_UNTRUSTED_KEY, "%s", treason);
	if (st.imported) {
		note_cert_conflict(r, ev);   /* the index is still the old one */
		trust_dirty(&r->trust);
	}
	return PROTO_OK;
}

/* Keep a non-member's trust event aside (trustpool.h). */
static void
pool_trust(struct relay *r, struct link *from, const struct event *ev,
    const void *payload, size_t len)
{
	char topic[TOPIC_MAX];

	if (!topic_of(r->cfg.net, ev, topic, sizeof(topic)))
		return;
	if (trustpool_add(r->pool, ev->id, from, topic, payload, len,
	    &r->metrics.trust_pool_evicted) == 1)
		r->metrics.trust_pooled++;
	r->metrics.trust_pool = trustpool_size(r->pool);
}

static void
offer_one(void *arg, struct link *from, const char *topic, const void *raw,
    size_t len)
{
	gossip_ingest(arg, from, topic, raw, len);
}

void
gossip_offer_pool(struct relay *r)
{
	size_t n = trustpool_size(r->pool);

	if (n == 0)
		return;
	log_info("the members changed: offering %zu kept-aside trust events again",
	    n);
	offering = true;
	trustpool_drain(r->pool, offer_one, r);
	offering = false;
	r->metrics.trust_pool = trustpool_size(r->pool);
}

void
gossip_ingest(struct relay *r, struct link *from, const char *topic,
    const void *payload, size_t len)
{
	const char *name = from ? link_url(from) : "local";
	char reason[PROTO_REASON_MAX] = "", err[STORE_ERR_MAX];
	struct envelope *env = NULL;
	struct event *ev = NULL;
	struct accept_chain chain;
	enum accept_result ar;
	enum proto_err e;
	int outbox[CONFIG_LINKS_MAX];
	size_t noutbox = 0;
	long long now = relay_now();
	bool response = false, pool = false;

	if (topic_is_equivocation(r->cfg.net, topic))
		return; /* proofs for people and monitors, not events */
	gossip_begin(r);
	if (backfill_is_request(r, topic)) {
		backfill_answer(r, from, topic, payload, len);
		return;
	}
	if (backfill_is_response(r, topic, &response) && !response)
		return; /* an answer to another relay's request */
	/* 1, 2. size, envelope parse, event id */
	if ((e = envelope_parse(payload, len, &env, reason)) != PROTO_OK) {
		reject(r, name, NULL, e, reason);
		goto out;
	}
	/* 3. Duplicates are the common case in gossip: drop them before any
	 * expensive work. */
	if (store_has(r->store, env->id)) {
		r->metrics.duplicates++;
		goto out;
	}
	/* 4. a signer the relay knows; a non-member's within the link's
	 * budget */
	if ((e = check_signer(r, from, env, reason)) != PROTO_OK) {
		if (e != PROTO_E__COUNT)
			reject(r, name, env, e, reason);
		goto out;
	}
	envelope_free(env);
	env = NULL;
	/* 5, 6. signature, payload validation */
	e = open_envelope(payload, len, trust_index_lookup_pk, r->trust.tidx, 0, &env, &ev,
	    reason);
	/* 7. federation */
	if (e == PROTO_OK)
		e = event_check_net(ev, r->cfg.net, reason);
	/* 8. topic */
	if (e == PROTO_OK)
		e = response ? check_response(r, topic, env, ev, reason) :
		    topic_check(r->cfg.net, topic, ev, reason);
	/* 9, 10. authorship, membership */
	if (e == PROTO_OK)
		e = check_author(r, ev, &pool, reason);
	/* 11. rate limit, charged to the proven origin of a member (an
	 * event replayed after a storage fault was charged when it first
	 * arrived: relay/fed/storefault.h); its own events only withdrawn; the
	 * per-operator quota of the zone (relay/fed/quota.h) */
	if (e == PROTO_OK && !storefault_replaying(r) &&
	    !ratelimit_take(r->rl, ev->origin, loop_now_ms()))
		e = proto_fail(reason, PROTO_E_RATE_LIMITED, "more than %d events/s "
		    "(burst %d) from this origin", r->cfg.rate_limit, r->cfg.rate_burst);
	if (e == PROTO_OK && ev->kind == KIND_WITHDRAW)
		e = check_withdraw(r, ev, reason);
	if (e == PROTO_OK)
		e = check_zone_quota(r, ev, now, reason);
	if (e != PROTO_OK) {
		if (pool)
			pool_trust(r, from, ev, payload, len);
		reject(r, name, env, e, reason);
		goto out;
	}
	/* Acknowledged by the broker already: kept until the turn commits. */
	storefault_journal(r, from, topic, payload, len);
	/* 12. acceptance against the signer's chain */
	if (store_chain(r->store, ev, &chain, err) != 0) {
		log_err("%s", err);
		goto out;
	}
	ar = accept_event(ev, &chain, now, r->cfg.skew);
	if (ar == ACCEPT_DUPLICATE) {
		r->metrics.duplicates++;
		goto out;
	}
	if (ar == ACCEPT_EQUIVOCATION) {
		char id[KEY_ID_HEX_LEN + 1], key[KEY_ID_HEX_LEN + 1];
		r->metrics.rejected[PROTO_E_EQUIVOCATION]++;
		r->metrics.equivocations++;
		log_err("EQUIVOCATION: key %s signed two different events for seq %lld "
		    "(%s received from %s); both kept as proof, the origin is flagged",
		    encoding_hex_encode(ev->key, KEY_ID_LEN, key), ev->seq,
		    envelope_id_hex(env, id), name);
		if (store_put_equivocation(r->store, ev, payload, len, now, err) != 0)
			log_err("%s", err);
		decide_flagged(r->decide, ev->origin);   /* it stops counting at once */
		report_equivocation(r, ev, payload, len);
		/* Forward the second version as well (once: it is now held
		 * as proof, so it is a duplicate everywhere it comes back):
		 * a relay that saw only one version sees both and flags the
		 * key itself, whichever version reached it first. Best effort:
		 * not kept in the outboxes. */
		gossip_publish_all(r, ev, payload, len, -1, from);
		goto out;
	}
	if (!accept_is_accepted(ar)) {
		/* a signed, expired event in a gap of its chain: that part of
		 * the history is known, and nothing is missing there */
		if (ar == ACCEPT_EXPIRED && chain.seq_is_gap &&
		    store_gap_settle(r->store, ev->key, ev->seq, err) != 0)
			log_err("%s", err);
		reject(r, name, env, accept_result_err(ar), accept_result_name(ar));
		goto out;
	}
	/* 13. trust events into the trust database */
	if (is_trust_kind(ev->kind) &&
	    (e = import_trust(r, ev, payload, len, now, reason)) != PROTO_OK) {
		reject(r, name, env, e, reason);
		goto out;
	}
	/* 14. store, with an outbox row for every other link */
	for (size_t i = 0; i < r->nlinks; i++)
		if (r->links[i] != from)
			outbox[noutbox++] = link_store_id(r->links[i]);
	{
		struct store_put p = { ev, payload, len, ar, from ? link_store_id(from) :
		    STORE_LINK_OWN, now, outbox, noutbox, -1 };
		if (store_put(r->store, &p, err) != 0) {
			log_err("%s", err);
			goto out;
		}
		r->metrics.accepted[ev->kind]++;
		quota_admitted(r->quota, ev);
		if (ar == ACCEPT_SEQ_GAP) {
			r->metrics.seq_gaps++;
			backfill_gap(r, ev->key);
		} else if (response)
			backfill_gap(r, ev->key);   /* more of it, if any is missing */
		if (log_enabled(LOG_LVL_DEBUG)) {
			char id[KEY_ID_HEX_LEN + 1];
			log_debug("accept %s %s seq %lld from %s", envelope_id_hex(env, id),
			    kind_name(ev->kind), ev->seq, name);
		}
		decide_event(r->decide, ev);
		notify_event(r->notify, ev);
		/* 15. Forward the identical bytes once to every other link; a
		 * link that is down gets it from its outbox when it comes back. */
		gossip_publish_all(r, ev, payload, len, p.row, from);
		r->metrics.forwarded += noutbox;
	}
out:
	event_free(ev);
	envelope_free(env);
}

/* ------------------------------------------------------------ outboxes */

struct flush_ctx {
	struct relay *r;
	struct link *l;
	size_t idx;
	long sent;
};

static void
flush_one(void *arg, const struct store_outbox_item *it)
{
	struct flush_ctx *f = arg;
	char topic[TOPIC_MAX];
	long expiry = it->exp ? (long)(it->exp - relay_now()) : 0;

	if (link_inflight(f->l, it->row))
		return;
	if (!topic_of_parts(f->r->cfg.net, it->kind, it->zone, it->origin, it->key,
	    it->id, topic, sizeof(topic)))
		return;
	if (expiry < 0)
		expiry = 1; /* expired meanwhile: receivers will refuse it */
	if (link_publish(f->l, topic, it->raw, it->rawlen, topic_retained(it->kind) &&
	    !store_newer_exists(f->r->store, it->kind, it->zone, it->origin, it->ts),
	    expiry, it->row) == 0) {
		f->sent++;
		f->r->metrics.links[f->idx].published++;
	}
}

void
gossip_flush(struct relay *r, struct link *l)
{
	struct flush_ctx f = { r, l, 0, 0 };
	char err[STORE_ERR_MAX];

	for (size_t i = 0; i < r->nlinks; i++)
		if (r->links[i] == l)
			f.idx = i;
	if (store_outbox_each(r->store, link_store_id(l), 0, flush_one, &f, err) < 0)
		log_err("%s", err);
	else if (f.sent)
		log_info("link %s: sent %ld queued events", link_url(l), f.sent);
}

void
gossip_acked(struct relay *r, struct link *l, long long row)
{
	char err[STORE_ERR_MAX];

	if (row < 0)
		return;   /* published without an outbox row */
	gossip_begin(r);
	if (store_outbox_ack(r->store, link_store_id(l), row, err) != 0)
		log_err("%s", err);
}

/* ---------------------------------------------------------- own events */

int
gossip_own(struct relay *r, enum kind kind, json_t *fields, long lifetime)
{
	return gossip_own_id(r, kind, fields, lifetime, NULL, NULL, 0);
}

int
gossip_own_id(struct relay *r, enum kind kind, json_t *fields, long lifetime,
    unsigned char *id_out, char *why, size_t whylen)
{
	enum proto_err e;
	const struct key_public *pub = key_secret_public(r->key);
	char keyhex[KEY_ID_HEX_LEN + 1], orighex[KEY_ID_HEX_LEN + 1];
	char prevhex[KEY_ID_HEX_LEN + 1], reason[PROTO_REASON_MAX], err[STORE_ERR_MAX];
	unsigned char head_id[KEY_ID_LEN];
	long long head_seq = 0, now = relay_now();
	int outbox[CONFIG_LINKS_MAX];
	struct envelope *env = NULL;
	struct event *ev = NULL;
	json_t *p = json_object();
	char *payload = NULL, *json = NULL;
	size_t jlen;
	bool has;
	int rc = -1;

	if (p == NULL || fields == NULL)
		goto out;
	if (!storefault_writable(r)) {
		/* never signed, so never a seq to take back */
		char cause[STORE_ERR_MAX];
		r->metrics.own_events_refused++;
		storefault_describe(r, cause, sizeof(cause));
		if (why)
			snprintf(why, whylen, "store_unwritable: %s", cause);
		else
			log_notice("not signing a %s: %s", kind_name(kind), cause);
		goto out;
	}
	gossip_begin(r);
	if (store_head(r->store, pub->id, &has, &head_seq, head_id, err) != 0) {
		log_err("%s", err);
		goto out;
	}
	encoding_hex_encode(pub->id, KEY_ID_LEN, keyhex);
	encoding_hex_encode(r->origin, KEY_ID_LEN, orighex);
	json_object_set_new(p, "v", json_integer(1));
	json_object_set_new(p, "net", json_string(r->cfg.net));
	json_object_set_new(p, "kind", json_string(kind_name(kind)));
	json_object_set_new(p, "origin", json_string(orighex));
	json_object_set_new(p, "key", json_string(keyhex));
	json_object_set_new(p, "seq", json_integer(has ? head_seq + 1 : 1));
	json_object_set_new(p, "prev", has ? json_string(encoding_hex_encode(head_id,
	    KEY_ID_LEN, prevhex)) : json_null());
	json_object_set_new(p, "ts", json_integer(now));
	json_object_set_new(p, "exp", lifetime > 0 ? json_integer(now + lifetime) :
	    json_null());
	if (json_object_get(fields, "refs") == NULL)
		json_object_set_new(p, "refs", json_array());
	json_object_update(p, fields);
	if ((payload = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL)
		goto out;
	if ((e = envelope_sign(kind_payload_type(kind), (unsigned char *)payload,
	    strlen(payload), r->key, &json, &jlen, &env, reason)) != PROTO_OK ||
	    (e = event_parse(env, &ev, reason)) != PROTO_OK) {
		/* a submission the protocol refuses is the submitter's
		 * problem; anything else is the relay's */
		if (why)
			snprintf(why, whylen, "%s: %s", proto_errname(e), reason);
		else
			log_err("signing a %s: %s", kind_name(kind), reason);
		goto out;
	}
	if (kind == KIND_WITHDRAW && check_withdraw(r, ev, reason) != PROTO_OK) {
		log_warn("not signing a withdraw: %s", reason);
		if (why)
			snprintf(why, whylen, "not_own_event: %s", reason);
		goto out;
	}
	for (size_t i = 0; i < r->nlinks; i++)
		outbox[i] = link_store_id(r->links[i]);
	{
		struct store_put sp = { ev, json, jlen, has && head_seq + 1 == ev->seq ?
		    ACCEPT_OK : ACCEPT_OK, STORE_LINK_OWN, now, outbox, r->nlinks, -1 };
		if (store_put(r->store, &sp, err) != 0) {
			log_err("%s", err);
			goto out;
		}
		r->metrics.own_events++;
		r->metrics.accepted[kind]++;
		quota_admitted(r->quota, ev);
		decide_event(r->decide, ev);
		notify_event(r->notify, ev);
		gossip_publish_all(r, ev, json, jlen, sp.row, NULL);
		if (id_out)
			memcpy(id_out, ev->id, KEY_ID_LEN);
	}
	rc = 0;
out:
	json_decref(fields);
	json_decref(p);
	free(payload);
	free(json);
	event_free(ev);
	envelope_free(env);
	return rc;
}
