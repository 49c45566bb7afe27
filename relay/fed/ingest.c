/*
 * relay/fed/ingest.c — the receive pipeline (see ingest.h): each step a
 * function, ingest_message() runs them in order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "proto/accept.h"
#include "proto/encoding.h"
#include "proto/open.h"
#include "relay/core/clock.h"
#include "relay/core/log.h"
#include "relay/fed/backfill.h"
#include "relay/fed/ingest.h"
#include "relay/fed/kinds.h"
#include "relay/fed/observer.h"
#include "relay/fed/publish.h"
#include "relay/fed/quota.h"
#include "relay/fed/reject_log.h"
#include "relay/fed/storefault.h"
#include "relay/fed/topic.h"
#include "relay/fed/trustpool.h"
#include "relay/fed/verifier.h"
#include "trustdb/store.h"

/*
 * A refused event: counted, and logged with its id and reason; one signed
 * by a key that does not count (unknown_key, untrusted_key) is logged per
 * event at debug only, and counted per key for the one line a minute of
 * relay/fed/reject_log.h (created at the first one).
 */
static void
reject(struct fed *fed, const char *link, const struct envelope *env,
    enum proto_err e, const char *reason)
{
	char id[KEY_ID_HEX_LEN + 1] = "-";
	bool aggregate = env && reject_log_wants(e) && fed->loop;

	if ((unsigned)e < PROTO_E__COUNT)
		fed->metrics->rejected[e]++;
	if (aggregate && fed->rejects == NULL)
		fed->rejects = reject_log_new(fed->loop, REJECT_LOG_WINDOW_MS);
	if (aggregate && fed->rejects) {
		reject_log_add(fed->rejects, env->keyid, e, reason);
		if (!log_enabled(LOG_LVL_DEBUG))
			return;
	}
	if (env)
		envelope_id_hex(env, id);
	log_msg(aggregate && fed->rejects ? LOG_LVL_DEBUG : LOG_LVL_NOTICE,
	    "reject %s from %s: %s: %s", id, link, proto_errname(e), reason);
}


/*
 * Verifications a link may spend per second on events signed by known keys
 * of non-members (they cannot count: ingest.h step 4), and how many at
 * once. Over it, such events are dropped before their signature is
 * checked, and counted per link.
 */
#define JUNK_RATE 20.0
#define JUNK_BURST 200.0


/* Step 4: does the index know the signer (rebuilt first when stale)? Is
 * it a member's, or a non-member's within the link's budget? PROTO_OK;
 * PROTO_E_UNKNOWN_KEY; PROTO_E__COUNT when dropped as junk (counted). */
static enum proto_err
check_signer(struct fed *fed, struct link *from, const struct envelope *env,
    char *reason)
{
	char k[KEY_ID_HEX_LEN + 1];
	bool member;
	size_t li;

	if (!trust_index_known(fed->trust->tidx, env->keyid, &member) &&
	    !(trust_fresh(fed->trust) && trust_index_known(fed->trust->tidx, env->keyid,
	    &member)))
		return proto_fail(reason, PROTO_E_UNKNOWN_KEY,
		    "no public key known for keyid %.16s...",
		    encoding_hex_encode(env->keyid, KEY_ID_LEN, k));
	if (member || from == NULL || fed->offering)
		return PROTO_OK;
	li = fed_link_index(fed, from);
	if (bucket_take(&fed->junk[li], JUNK_RATE, JUNK_BURST, 1.0, loop_now_ms()))
		return PROTO_OK;
	fed->metrics->links[li].junk_dropped++;
	if (log_enabled(LOG_LVL_DEBUG))
		log_debug("junk from %s: key %s belongs to no member; dropped "
		    "unverified (over the link's budget)", link_url(from),
		    encoding_hex_encode(env->keyid, KEY_ID_LEN, k));
	return PROTO_E__COUNT;
}

/* May ev's key speak for its origin now? A stale index is rebuilt first
 * when the answer is no. Returns whether the key authors the origin. */
static bool
lookup_author(struct fed *fed, const struct event *ev, struct trust_answer *a)
{
	long long now = relay_now();

	if (!trust_index_lookup(fed->trust->tidx, ev->key, ev->origin, now, a) &&
	    trust_fresh(fed->trust))
		trust_index_lookup(fed->trust->tidx, ev->key, ev->origin, now, a);
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
check_author(struct fed *fed, const struct event *ev, bool *pool, char *reason)
{
	char k[KEY_ID_HEX_LEN + 1], o[KEY_ID_HEX_LEN + 1];
	struct trust_answer a;
	bool counts;

	*pool = false;
	if (!lookup_author(fed, ev, &a))
		return proto_fail(reason, PROTO_E_ORIGIN_MISMATCH, "key %.16s... "
		    "does not speak for operator %.16s...: neither its root nor "
		    "certified by it", encoding_hex_encode(ev->key, KEY_ID_LEN, k),
		    encoding_hex_encode(ev->origin, KEY_ID_LEN, o));
	counts = a.reason == TRUST_MEMBER;
	if (a.reason == TRUST_REVOKED || a.reason == TRUST_ROOT_REVOKED)
		return proto_fail(reason, PROTO_E_REVOKED_KEY, "key %.16s...: %s",
		    encoding_hex_encode(ev->key, KEY_ID_LEN, k),
		    trust_reason_text(a.reason));
	if (kinds_is_trust(ev->kind) && !a.op_member) {
		*pool = true;
		return proto_fail(reason, PROTO_E_UNTRUSTED_KEY, "operator "
		    "%.16s... is not a member: its %s is kept aside, not imported",
		    encoding_hex_encode(ev->origin, KEY_ID_LEN, o),
		    kind_name(ev->kind));
	}
	if (!kinds_is_trust(ev->kind) && !counts)
		return proto_fail(reason, PROTO_E_UNTRUSTED_KEY, "key %.16s...: %s",
		    encoding_hex_encode(ev->key, KEY_ID_LEN, k),
		    trust_reason_text(a.reason));
	return PROTO_OK;
}

/* The per-operator quota of a zone (relay/fed/quota.h). */
static enum proto_err
check_zone_quota(struct fed *fed, const struct event *ev, long long now,
    char *reason)
{
	char err[STORE_ERR_MAX] = "";
	enum proto_err e = quota_check(fed->quota, fed->store, ev, now,
	    fed->cfg->zone_keys_per_operator, fed->cfg->zone_events_per_operator,
	    reason, err);

	if (err[0])
		log_err("%s", err);
	return e;
}

/* Publish on the equivocation topic the two envelopes that prove it: the
 * one held for that seq, then the one that contradicts it. */
struct eqv_ctx {
	struct fed *fed;
	const char *topic;
	const unsigned char *other;   /* the new event's id: not the held one */
};

static void
publish_held(void *arg, const struct store_outbox_item *it)
{
	struct eqv_ctx *c = arg;

	if (memcmp(it->id, c->other, KEY_ID_LEN) == 0)
		return;
	for (size_t i = 0; i < c->fed->nlinks; i++)
		link_publish(c->fed->links[i], c->topic, it->id, it->raw, it->rawlen, false, 0, -1);
}

static void
report_equivocation(struct fed *fed, const struct event *ev, const char *raw,
    size_t rawlen)
{
	char topic[TOPIC_MAX], err[STORE_ERR_MAX];
	struct eqv_ctx c = { fed, topic, ev->id };

	topic_equivocation(fed->cfg->net, ev, topic, sizeof(topic));
	if (store_range_each(fed->store, ev->key, ev->seq, ev->seq, publish_held, &c,
	    err) < 0)
		log_err("%s", err);
	for (size_t i = 0; i < fed->nlinks; i++)
		link_publish(fed->links[i], topic, ev->id, raw, rawlen, false, 0, -1);
}


/*
 * A withdraw must name an event of its own origin (PROTOCOL.md 6.4). A
 * target not held yet is let through (it may arrive later; the quorum
 * engine matches origins again); a held one lends the withdraw its zone,
 * so that the zone is evaluated again.
 */
enum proto_err
ingest_check_withdraw(struct fed *fed, struct event *ev, char *reason)
{
	const char *t = event_str(ev, "target");
	unsigned char target[KEY_ID_LEN], origin[KEY_ID_LEN];
	char zone[ZONE_TEXT_MAX + 1];
	int found;

	if (t == NULL || encoding_hex_decode(t, target, KEY_ID_LEN) != 0)
		return proto_fail(reason, PROTO_E_NOT_OWN_EVENT, "no target");
	found = store_lookup(fed->store, target, origin, zone, sizeof(zone), NULL,
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
check_response(struct fed *fed, const char *topic, const struct envelope *env,
    const struct event *ev, char *reason)
{
	char id[KEY_ID_HEX_LEN + 1], live[TOPIC_MAX], k[KEY_ID_HEX_LEN + 1];
	const char *tail = strrchr(topic, '/');
	struct trust_answer a;

	if (tail == NULL || strcmp(tail + 1, envelope_id_hex(env, id)) != 0)
		return proto_fail(reason, PROTO_E_TOPIC_MISMATCH,
		    "backfill topic does not name this event");
	if (!topic_of(fed->cfg->net, ev, live, sizeof(live)))
		return proto_fail(reason, PROTO_E_TOPIC_MISMATCH,
		    "a backfill response must be an event relays publish");
	if (!trust_index_lookup(fed->trust->tidx, ev->key, NULL, relay_now(), &a))
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
note_cert_conflict(struct fed *fed, const struct event *ev)
{
	char o[TRUST_OP_LABEL_MAX], k[KEY_ID_HEX_LEN + 1];
	unsigned char subject[KEY_ID_LEN];
	const char *sub = event_str(ev, "subject");
	struct trust_answer a;
	bool member;

	if (ev->kind != KIND_KEY_CERT || sub == NULL ||
	    encoding_hex_decode(sub, subject, KEY_ID_LEN) != 0 ||
	    !trust_index_known(fed->trust->tidx, subject, &member) || !member)
		return;
	/* a renewal by the same root is no conflict */
	trust_index_lookup(fed->trust->tidx, subject, ev->origin, relay_now(), &a);
	if (a.authored)
		return;
	fed->metrics->cert_conflicts++;
	log_warn("possible attack by operator %s: its key_cert certifies key %s, "
	    "which another member operator holds; stored, and the key still "
	    "counts only for the operator its events name",
	    trust_index_op_label(fed->trust->tidx, ev->origin, o),
	    encoding_hex_encode(subject, KEY_ID_LEN, k));
}

/* Import an accepted trust event; the index is rebuilt at the end of the
 * turn. */
static enum proto_err
import_trust(struct fed *fed, const struct event *ev, const void *payload,
    size_t len, long long now, char *reason)
{
	struct trustdb_import_stats st;
	char treason[TRUSTDB_REASON_MAX];

	/* verified in step 5 already: imported without a second parse or
	 * signature check (the trust database's other checks apply) */
	enum trustdb_err te = trustdb_import_verified(fed->trust->tdb, ev, payload,
	    len, now, &st, treason);

	if (te == TRUSTDB_E_SQL || te == TRUSTDB_E_OPEN || te == TRUSTDB_E_LOCKED ||
	    te == TRUSTDB_E_CORRUPT || te == TRUSTDB_E_NOMEM) {
		/* the trust database cannot write: the event is held, like one
		 * the store could not write (relay/fed/storefault.h) */
		char cause[TRUSTDB_REASON_MAX + 32];
		snprintf(cause, sizeof(cause), "trust database: %s", treason);
		storefault_failed(fed, cause);
		return proto_fail(reason, PROTO_E_IO, "%s", cause);
	}
	if (te != TRUSTDB_OK)
		return proto_fail(reason, st.proto != PROTO_OK ? st.proto :
		    PROTO_E_UNTRUSTED_KEY, "%s", treason);
	if (st.imported) {
		note_cert_conflict(fed, ev);   /* the index is still the old one */
		trust_dirty(fed->trust);
	}
	return PROTO_OK;
}

/* Keep a non-member's trust event aside (trustpool.h). */
static void
pool_trust(struct fed *fed, struct link *from, const struct event *ev,
    const void *payload, size_t len)
{
	char topic[TOPIC_MAX];

	if (!topic_of(fed->cfg->net, ev, topic, sizeof(topic)))
		return;
	if (trustpool_add(fed->pool, ev->id, from, topic, payload, len,
	    &fed->metrics->trust_pool_evicted) == 1)
		fed->metrics->trust_pooled++;
	fed->metrics->trust_pool = trustpool_size(fed->pool);
}

static void
offer_one(void *arg, struct link *from, const char *topic, const void *raw,
    size_t len)
{
	ingest_message(arg, from, topic, raw, len);
}

void
ingest_offer_pool(struct fed *fed)
{
	size_t n = trustpool_size(fed->pool);

	if (n == 0)
		return;
	log_info("the members changed: offering %zu kept-aside trust events again",
	    n);
	fed->offering = true;
	trustpool_drain(fed->pool, offer_one, fed);
	fed->offering = false;
	fed->metrics->trust_pool = trustpool_size(fed->pool);
}

/* ------------------------------------------------------------ pipeline */

/* One message on its way through the pipeline. */
struct msg {
	struct link *from;          /* NULL: local */
	const char *name;           /* the link's URL, or "local" */
	const char *topic;
	const void *payload;
	size_t len;
	bool response;              /* a backfill response addressed to us */
	long long now;
	struct envelope *env;
	struct event *ev;
	bool verified;              /* step 5 ran on a worker (verifier.h) */
	bool sig_valid;             /* and its answer */
	char reason[PROTO_REASON_MAX];
};

/* Steps 1 to 4: what is cheap to refuse. False: dropped (counted). */
static bool
screen(struct fed *fed, struct msg *m)
{
	enum proto_err e;

	/* 1, 2. size, envelope parse, event id (unless parsed already) */
	if (m->env == NULL &&
	    (e = envelope_parse(m->payload, m->len, &m->env, m->reason)) != PROTO_OK) {
		reject(fed, m->name, NULL, e, m->reason);
		return false;
	}
	/* 3. Duplicates are the common case in gossip: drop them before any
	 * expensive work. */
	if (store_has(fed->store, m->env->id)) {
		fed->metrics->duplicates++;
		publish_seen(fed, m->from, m->env->id);   /* relay/fed/forward.h */
		return false;
	}
	/* 4. a signer the relay knows; a non-member's within the link's
	 * budget */
	if ((e = check_signer(fed, m->from, m->env, m->reason)) != PROTO_OK) {
		if (e != PROTO_E__COUNT)
			reject(fed, m->name, m->env, e, m->reason);
		return false;
	}
	return true;
}

/* Steps 5 to 11: signature, payload, federation, topic, authorship,
 * membership, rate and quota. False: refused (counted, logged; a
 * non-member's trust event is kept aside). */
static bool
check(struct fed *fed, struct msg *m)
{
	char k[KEY_ID_HEX_LEN + 1];
	bool pool = false;
	enum proto_err e;

	/* 5, 6. signature, payload validation, on the envelope parsed in
	 * step 2 (parsed once, verified once: here, or on a worker) */
	if (!m->verified)
		e = open_envelope_parsed(m->env, trust_index_lookup_pk,
		    fed->trust->tidx, 0, &m->ev, m->reason);
	else if (!m->sig_valid)
		e = proto_fail(m->reason, PROTO_E_BAD_SIGNATURE, "signature by keyid "
		    "%s does not verify", encoding_hex_encode(m->env->keyid,
		    KEY_ID_LEN, k));
	else
		e = event_parse(m->env, &m->ev, m->reason);
	/* 7. federation */
	if (e == PROTO_OK)
		e = event_check_net(m->ev, fed->cfg->net, m->reason);
	/* 8. topic */
	if (e == PROTO_OK)
		e = m->response ? check_response(fed, m->topic, m->env, m->ev,
		    m->reason) : topic_check(fed->cfg->net, m->topic, m->ev, m->reason);
	/* 9, 10. authorship, membership */
	if (e == PROTO_OK)
		e = check_author(fed, m->ev, &pool, m->reason);
	/* 11. rate limit, charged to the proven origin of a member (an
	 * event replayed after a storage fault was charged when it first
	 * arrived: relay/fed/storefault.h); its own events only withdrawn; the
	 * per-operator quota of the zone (relay/fed/quota.h) */
	if (e == PROTO_OK && !storefault_replaying(fed) &&
	    !ratelimit_take(fed->rl, m->ev->origin, loop_now_ms()))
		e = proto_fail(m->reason, PROTO_E_RATE_LIMITED, "more than %d "
		    "events/s (burst %d) from this origin", fed->cfg->rate_limit,
		    fed->cfg->rate_burst);
	if (e == PROTO_OK && m->ev->kind == KIND_WITHDRAW)
		e = ingest_check_withdraw(fed, m->ev, m->reason);
	if (e == PROTO_OK)
		e = check_zone_quota(fed, m->ev, m->now, m->reason);
	if (e == PROTO_OK)
		return true;
	if (pool)
		pool_trust(fed, m->from, m->ev, m->payload, m->len);
	reject(fed, m->name, m->env, e, m->reason);
	return false;
}

/* Step 12, an equivocation: both versions kept as proof, the origin
 * flagged, the proof published. */
static void
equivocation(struct fed *fed, struct msg *m, const struct accept_chain *c)
{
	char id[KEY_ID_HEX_LEN + 1], key[KEY_ID_HEX_LEN + 1], err[STORE_ERR_MAX];
	char op[TRUST_OP_LABEL_MAX], what[128];
	const struct event *ev = m->ev;

	fed->metrics->rejected[PROTO_E_EQUIVOCATION]++;
	fed->metrics->equivocations++;
	/* Where the two histories part (proto/accept.c): at this seq, or at
	 * the one below, which the new event's prev does not name. */
	if (c->has_at_seq)
		snprintf(what, sizeof(what), "two different events for seq %lld",
		    ev->seq);
	else if (!c->seq_is_gap || (c->has_below && (!ev->has_prev ||
	    memcmp(ev->prev, c->below_id, KEY_ID_LEN) != 0)))
		snprintf(what, sizeof(what), "two different events for seq %lld "
		    "(the prev of seq %lld is not the one held)", ev->seq - 1,
		    ev->seq);
	else
		snprintf(what, sizeof(what), "two different events for seq %lld "
		    "(the held seq %lld names another as its prev)", ev->seq,
		    ev->seq + 1);
	log_err("EQUIVOCATION: key %s signed %s (%s received from %s); both "
	    "kept as proof, the origin is flagged (operator %s)",
	    encoding_hex_encode(ev->key, KEY_ID_LEN, key), what,
	    envelope_id_hex(m->env, id), m->name,
	    trust_index_op_label(fed->trust->tidx, ev->origin, op));
	if (store_put_equivocation(fed->store, ev, m->payload, m->len, m->now,
	    err) != 0)
		log_err("%s", err);
	observers_flagged(fed->observers, ev->origin);   /* it stops counting at once */
	report_equivocation(fed, ev, m->payload, m->len);
	/* Forward the second version as well (once: it is now held as proof,
	 * so it is a duplicate everywhere it comes back): a relay that saw
	 * only one version sees both and flags the key itself, whichever
	 * version reached it first. Best effort: not kept in the outboxes. */
	publish_all(fed, ev, m->payload, m->len, -1, m->from);
}

/* Steps 14 and 15: store with an outbox row for every other link,
 * announce, forward. */
static void
store_and_forward(struct fed *fed, struct msg *m, enum accept_result ar)
{
	const struct event *ev = m->ev;
	int outbox[CONFIG_LINKS_MAX];
	size_t noutbox = 0;
	char err[STORE_ERR_MAX];

	for (size_t i = 0; i < fed->nlinks; i++)
		if (fed->links[i] != m->from)
			outbox[noutbox++] = link_store_id(fed->links[i]);
	struct store_put p = { ev, m->payload, m->len, ar, m->from ?
	    link_store_id(m->from) : STORE_LINK_OWN, m->now, outbox, noutbox, -1 };
	if (store_put(fed->store, &p, err) != 0) {
		log_err("%s", err);
		return;
	}
	fed->metrics->accepted[ev->kind]++;
	quota_admitted(fed->quota, ev);
	if (ar == ACCEPT_SEQ_GAP) {
		fed->metrics->seq_gaps++;
		backfill_gap(fed, ev->key);
	} else if (m->response)
		backfill_gap(fed, ev->key);   /* more of it, if any is missing */
	if (log_enabled(LOG_LVL_DEBUG)) {
		char id[KEY_ID_HEX_LEN + 1];
		log_debug("accept %s %s seq %lld from %s", envelope_id_hex(m->env, id),
		    kind_name(ev->kind), ev->seq, m->name);
	}
	observers_event(fed->observers, ev);
	/* 15. Forward the identical bytes once to every other link; a link
	 * that is down gets it from its outbox when it comes back. */
	if (m->response)   /* asked for: not held */
		publish_all(fed, ev, m->payload, m->len, p.row, m->from);
	else
		publish_forward(fed, ev, m->payload, m->len, p.row, m->from);
	fed->metrics->forwarded += noutbox;
}

/* Steps 12 to 15, for an event that passed every check. */
static void
accept(struct fed *fed, struct msg *m)
{
	struct accept_chain chain;
	enum accept_result ar;
	enum proto_err e;
	char err[STORE_ERR_MAX];

	/* Acknowledged by the broker already: kept until the turn commits. */
	storefault_journal(fed, m->from, m->topic, m->payload, m->len);
	/* 12. acceptance against the signer's chain */
	if (store_chain(fed->store, m->ev, &chain, err) != 0) {
		log_err("%s", err);
		return;
	}
	ar = accept_event(m->ev, &chain, m->now, fed->cfg->skew);
	if (ar == ACCEPT_DUPLICATE) {
		fed->metrics->duplicates++;
		return;
	}
	if (ar == ACCEPT_EQUIVOCATION) {
		equivocation(fed, m, &chain);
		return;
	}
	if (!accept_is_accepted(ar)) {
		/* a signed, expired event in a gap of its chain: that part of
		 * the history is known, and nothing is missing there */
		if (ar == ACCEPT_EXPIRED && chain.seq_is_gap &&
		    store_gap_settle(fed->store, m->ev->key, m->ev->seq, err) != 0)
			log_err("%s", err);
		reject(fed, m->name, m->env, accept_result_err(ar),
		    accept_result_name(ar));
		return;
	}
	/* 13. trust events into the trust database */
	if (kinds_is_trust(m->ev->kind) && (e = import_trust(fed, m->ev,
	    m->payload, m->len, m->now, m->reason)) != PROTO_OK) {
		reject(fed, m->name, m->env, e, m->reason);
		return;
	}
	store_and_forward(fed, m, ar);
}

/* The topics that are no events, and backfill requests answered. True:
 * m is an event to screen. begin: open the turn's transaction now. */
static bool
front(struct fed *fed, struct msg *m, bool begin)
{
	if (topic_is_equivocation(fed->cfg->net, m->topic))
		return false; /* proofs for people and monitors, not events */
	if (begin)
		publish_begin(fed);
	if (backfill_is_request(fed, m->topic)) {
		publish_begin(fed);
		backfill_answer(fed, m->from, m->topic, m->payload, m->len);
		return false;
	}
	if (backfill_is_response(fed, m->topic, &m->response) && !m->response)
		return false; /* an answer to another relay's request */
	return true;
}

/* Everything from step 1 on the loop thread. */
static void
ingest_now(struct fed *fed, struct msg *m)
{
	if (screen(fed, m) && check(fed, m))
		accept(fed, m);
	event_free(m->ev);
	envelope_free(m->env);
}

void
ingest_message(struct fed *fed, struct link *from, const char *topic,
    const void *payload, size_t len)
{
	struct msg m = { from, from ? link_url(from) : "local", topic, payload,
	    len, false, relay_now(), NULL, NULL, false, false, "" };

	if (front(fed, &m, true))
		ingest_now(fed, &m);
}

void
ingest_receive(struct fed *fed, struct link *from, const char *topic,
    const void *payload, size_t len)
{
	struct msg m = { from, from ? link_url(from) : "local", topic, payload,
	    len, false, relay_now(), NULL, NULL, false, false, "" };
	unsigned char pk[KEY_PUBLIC_LEN];
	struct vjob job;
	enum proto_err e;

	if (fed->verifier == NULL) {
		ingest_message(fed, from, topic, payload, len);
		return;
	}
	/* the turn's transaction begins with the first delivery: a turn
	 * that only reads and submits writes nothing */
	if (!front(fed, &m, false))
		return;
	if ((e = envelope_parse(payload, len, &m.env, m.reason)) != PROTO_OK) {
		reject(fed, m.name, NULL, e, m.reason);
		return;
	}
	/*
	 * A trust event changes what the steps after it decide (a key_cert
	 * makes a key known, a revocation makes one stop counting): it waits
	 * for every event before it, and goes through on the loop thread, so
	 * that the events after it are screened with it applied, as if there
	 * were no workers.
	 */
	if (kinds_is_trust(kind_from_payload_type(m.env->payload_type))) {
		verifier_drain(fed->verifier);
		publish_begin(fed);
		ingest_now(fed, &m);
		return;
	}
	if (!screen(fed, &m)) {
		envelope_free(m.env);
		return;
	}
	/* step 5 on a worker; the rest when it is delivered, in order */
	if (trust_index_lookup_pk(fed->trust->tidx, m.env->keyid, pk) &&
	    verifier_job_make(&job, from, topic, payload, len, m.env, pk) == 0) {
		verifier_submit(fed->verifier, &job);
		return;
	}
	/* no key (screen() found one: cannot happen) or no memory: here */
	publish_begin(fed);
	if (check(fed, &m))
		accept(fed, &m);
	event_free(m.ev);
	envelope_free(m.env);
}

void
ingest_verified(void *arg, struct vjob *job)
{
	struct fed *fed = arg;
	char cause[STORE_ERR_MAX];
	struct msg m = { job->from, job->from ? link_url(job->from) : "local",
	    job->topic, job->payload, job->len, false, relay_now(), job->env,
	    NULL, true, job->valid, "" };

	/* the store failed meanwhile: held as it is, replayed from step 1 */
	if (!storefault_writable(fed)) {
		storefault_hold(fed, job->from, job->topic, job->payload, job->len);
		verifier_job_clear(job);
		return;
	}
	publish_begin(fed);
	backfill_is_response(fed, m.topic, &m.response);
	/* a copy that came by another way while this one was checked */
	if (store_has(fed->store, m.env->id)) {
		fed->metrics->duplicates++;
		publish_seen(fed, m.from, m.env->id);   /* relay/fed/forward.h */
	} else if (check(fed, &m))
		accept(fed, &m);
	event_free(m.ev);
	verifier_job_clear(job);   /* frees the envelope too */
	/* a write of this turn failed: read nothing more */
	if (store_faulted(fed->store, cause, sizeof(cause)))
		storefault_failed(fed, cause);
}
