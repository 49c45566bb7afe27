/*
 * relay/fed/publish.c — the turn's transaction and publish queue, the
 * outboxes, the relay's own events (see publish.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "proto/accept.h"
#include "proto/encoding.h"
#include "relay/core/clock.h"
#include "relay/core/log.h"
#include "relay/fed/ingest.h"
#include "relay/fed/forward.h"
#include "relay/fed/kinds.h"
#include "relay/fed/observer.h"
#include "relay/fed/publish.h"
#include "relay/fed/quota.h"
#include "relay/fed/storefault.h"
#include "relay/fed/topic.h"

/*
 * Publications wait for the commit of the loop turn's transaction: nothing
 * leaves the relay before it is stored. publish_commit() commits and then
 * publishes them.
 */
struct pending {
	char topic[TOPIC_MAX];
	char *raw;
	size_t len;
	bool retain;
	long expiry;
	long long row;
	unsigned char id[KEY_ID_LEN];
	struct link *except;
	bool forward;               /* held per link (relay/fed/forward.h) */
	bool seen[CONFIG_LINKS_MAX]; /* a copy came from that link this turn */
};

struct publish {
	struct pending *v;
	size_t n, cap;
};

struct publish *
publish_new(void)
{
	return calloc(1, sizeof(struct publish));
}

static void
queue_drop(struct publish *q)
{
	for (size_t i = 0; i < q->n; i++)
		free(q->v[i].raw);
	q->n = 0;
}

void
publish_free(struct publish *q)
{
	if (q == NULL)
		return;
	queue_drop(q);
	free(q->v);
	free(q);
}

static void
queue_add(struct fed *fed, const struct event *ev, const char *raw,
    size_t rawlen, long long row, struct link *except, bool forward)
{
	struct publish *queue = fed->publish;
	struct pending *p;
	long expiry = ev->has_exp ? (long)(ev->exp - relay_now()) : 0;

	if (queue->n == queue->cap) {
		size_t ncap = queue->cap ? 2 * queue->cap : 256;
		struct pending *v = realloc(queue->v, ncap * sizeof(*v));
		if (v == NULL)
			return; /* the outbox keeps it: sent at the next reconnect */
		queue->v = v;
		queue->cap = ncap;
	}
	p = &queue->v[queue->n];
	if (!topic_of(fed->cfg->net, ev, p->topic, sizeof(p->topic)) ||
	    (p->raw = malloc(rawlen)) == NULL)
		return;
	memcpy(p->raw, raw, rawlen);
	p->len = rawlen;
	p->retain = topic_retained(ev->kind);
	/* A late copy must not replace a newer retained message. */
	if (p->retain && kinds_get(ev->kind)->latest &&
	    store_newer_exists(fed->store, ev->kind, ev->zone, ev->origin, ev->ts))
		p->retain = false;
	p->expiry = expiry < 0 ? 1 : expiry;
	p->row = row;
	memcpy(p->id, ev->id, KEY_ID_LEN);
	p->except = except;
	p->forward = forward;
	memset(p->seen, 0, sizeof(p->seen));
	queue->n++;
}

void
publish_all(struct fed *fed, const struct event *ev, const char *raw,
    size_t rawlen, long long row, struct link *except)
{
	queue_add(fed, ev, raw, rawlen, row, except, false);
}

void
publish_forward(struct fed *fed, const struct event *ev, const char *raw,
    size_t rawlen, long long row, struct link *from)
{
	queue_add(fed, ev, raw, rawlen, row, from, from != NULL && row >= 0);
}

void
publish_seen(struct fed *fed, struct link *from, const unsigned char *id)
{
	struct publish *q = fed->publish;
	size_t li;

	if (from == NULL || fed->cfg->forward_delay <= 0)
		return;
	if (forward_seen(fed, from, id))
		return;
	/* accepted earlier in this turn, not yet held: not held at all */
	li = fed_link_index(fed, from);
	for (size_t i = 0; i < q->n; i++) {
		struct pending *p = &q->v[i];
		if (!p->forward || p->seen[li] || p->except == from ||
		    memcmp(p->id, id, KEY_ID_LEN) != 0)
			continue;
		p->seen[li] = true;
		publish_acked(fed, from, p->row);
		fed->metrics->links[li].suppressed++;
		return;
	}
}

void
publish_begin(struct fed *fed)
{
	char err[STORE_ERR_MAX];

	if (store_in_transaction(fed->store) || store_begin(fed->store, err) == 0)
		return;
	/* nothing began: what follows writes alone, and the turn is held */
	store_rollback(fed->store);
	storefault_failed(fed, err);
}

int
publish_commit(struct fed *fed)
{
	struct publish *queue = fed->publish;
	char err[STORE_ERR_MAX] = "";

	/* decisions the turn's events changed are signed in the same
	 * transaction, and leave with them */
	if (store_in_transaction(fed->store) && storefault_writable(fed))
		observers_flush(fed->observers);

	/* A turn that cannot commit is rolled back as a whole and what it
	 * accepted is held for a retry (relay/fed/storefault.h): nothing of it
	 * was published, and no own event of it exists anywhere. */
	if (!storefault_writable(fed) || (store_in_transaction(fed->store) &&
	    store_commit(fed->store, err) != 0)) {
		store_rollback(fed->store);
		queue_drop(fed->publish);
		observers_rolled_back(fed->observers);
		storefault_turn_end(fed, false, err);
		return -1;
	}
	observers_committed(fed->observers);
	storefault_turn_end(fed, true, NULL);
	for (size_t i = 0; i < queue->n; i++) {
		struct pending *p = &queue->v[i];
		for (size_t l = 0; l < fed->nlinks; l++) {
			if (fed->links[l] == p->except || p->seen[l])
				continue;
			if (p->forward && forward_holds(fed, l) &&
			    forward_hold(fed, l, p->topic, p->id, p->raw, p->len, p->retain,
			    p->expiry ? relay_now() + p->expiry : 0, p->row) == 0)
				continue;
			if (link_publish(fed->links[l], p->topic, p->id, p->raw, p->len, p->retain,
			    p->expiry, p->row) == 0)
				fed->metrics->links[l].published++;
		}
	}
	queue_drop(fed->publish);
	return 0;
}

/* ------------------------------------------------------------ outboxes */

struct flush_ctx {
	struct fed *fed;
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
	if (!topic_of_parts(f->fed->cfg->net, it->kind, it->zone, it->origin, it->key,
	    it->id, topic, sizeof(topic)))
		return;
	if (expiry < 0)
		expiry = 1; /* expired meanwhile: receivers will refuse it */
	if (link_publish(f->l, topic, it->id, it->raw, it->rawlen, topic_retained(it->kind) &&
	    !store_newer_exists(f->fed->store, it->kind, it->zone, it->origin, it->ts),
	    expiry, it->row) == 0) {
		f->sent++;
		f->fed->metrics->links[f->idx].published++;
	}
}

void
publish_flush(struct fed *fed, struct link *l)
{
	struct flush_ctx f = { fed, l, 0, 0 };
	char err[STORE_ERR_MAX];

	for (size_t i = 0; i < fed->nlinks; i++)
		if (fed->links[i] == l)
			f.idx = i;
	forward_link_up(fed, l);   /* the outbox has its held forwards */
	if (store_outbox_each(fed->store, link_store_id(l), 0, flush_one, &f, err) < 0)
		log_err("%s", err);
	else if (f.sent)
		log_info("link %s: sent %ld queued events", link_url(l), f.sent);
}

void
publish_acked(struct fed *fed, struct link *l, long long row)
{
	char err[STORE_ERR_MAX];

	if (row < 0)
		return;   /* published without an outbox row */
	publish_begin(fed);
	if (store_outbox_ack(fed->store, link_store_id(l), row, err) != 0)
		log_err("%s", err);
}

/* ---------------------------------------------------------- own events */

int
publish_own(struct fed *fed, enum kind kind, json_t *fields, long lifetime)
{
	return publish_own_id(fed, kind, fields, lifetime, NULL, NULL, 0);
}

/* The header of the relay's next event (v, net, kind, origin, key, seq,
 * prev, ts, exp, refs) with `fields` over it, as compact JSON (malloc'd),
 * or NULL (logged). */
static char *
own_payload(struct fed *fed, enum kind kind, const json_t *fields,
    long lifetime, long long now)
{
	const struct key_public *pub = key_secret_public(fed->key);
	char keyhex[KEY_ID_HEX_LEN + 1], orighex[KEY_ID_HEX_LEN + 1];
	char prevhex[KEY_ID_HEX_LEN + 1], err[STORE_ERR_MAX], *payload;
	unsigned char head_id[KEY_ID_LEN];
	long long head_seq = 0;
	json_t *p;
	bool has;

	if (store_head(fed->store, pub->id, &has, &head_seq, head_id, err) != 0) {
		log_err("%s", err);
		return NULL;
	}
	if ((p = json_object()) == NULL)
		return NULL;
	encoding_hex_encode(pub->id, KEY_ID_LEN, keyhex);
	encoding_hex_encode(fed->origin, KEY_ID_LEN, orighex);
	json_object_set_new(p, "v", json_integer(1));
	json_object_set_new(p, "net", json_string(fed->cfg->net));
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
	json_object_update(p, (json_t *)fields);
	payload = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(p);
	return payload;
}

/* Refused while the store cannot write: never signed, so never a seq to
 * take back. */
static bool
own_writable(struct fed *fed, enum kind kind, char *why, size_t whylen)
{
	char cause[STORE_ERR_MAX];

	if (storefault_writable(fed))
		return true;
	fed->metrics->own_events_refused++;
	storefault_describe(fed, cause, sizeof(cause));
	if (why)
		snprintf(why, whylen, "store_unwritable: %s", cause);
	else
		log_notice("not signing a %s: %s", kind_name(kind), cause);
	return false;
}

/* Store a signed own event with an outbox row for every link, announce
 * it, queue it. 0 or -1 (logged). */
static int
own_store(struct fed *fed, const struct event *ev, const char *json,
    size_t jlen, long long now)
{
	int outbox[CONFIG_LINKS_MAX];
	char err[STORE_ERR_MAX];

	for (size_t i = 0; i < fed->nlinks; i++)
		outbox[i] = link_store_id(fed->links[i]);
	struct store_put sp = { ev, json, jlen, ACCEPT_OK, STORE_LINK_OWN, now,
	    outbox, fed->nlinks, -1 };
	if (store_put(fed->store, &sp, err) != 0) {
		log_err("%s", err);
		return -1;
	}
	fed->metrics->own_events++;
	fed->metrics->accepted[ev->kind]++;
	quota_admitted(fed->quota, ev);
	observers_event(fed->observers, ev);
	publish_all(fed, ev, json, jlen, sp.row, NULL);
	return 0;
}

int
publish_own_id(struct fed *fed, enum kind kind, json_t *fields, long lifetime,
    unsigned char *id_out, char *why, size_t whylen)
{
	char reason[PROTO_REASON_MAX], *payload = NULL, *json = NULL;
	long long now = relay_now();
	struct envelope *env = NULL;
	struct event *ev = NULL;
	enum proto_err e;
	size_t jlen;
	int rc = -1;

	if (fields == NULL || !own_writable(fed, kind, why, whylen))
		goto out;
	publish_begin(fed);
	if ((payload = own_payload(fed, kind, fields, lifetime, now)) == NULL)
		goto out;
	if ((e = envelope_sign(kind_payload_type(kind), (unsigned char *)payload,
	    strlen(payload), fed->key, &json, &jlen, &env, reason)) != PROTO_OK ||
	    (e = event_parse(env, &ev, reason)) != PROTO_OK) {
		/* a submission the protocol refuses is the submitter's
		 * problem; anything else is the relay's */
		if (why)
			snprintf(why, whylen, "%s: %s", proto_errname(e), reason);
		else
			log_err("signing a %s: %s", kind_name(kind), reason);
		goto out;
	}
	if (kind == KIND_WITHDRAW && ingest_check_withdraw(fed, ev, reason) != PROTO_OK) {
		log_warn("not signing a withdraw: %s", reason);
		if (why)
			snprintf(why, whylen, "not_own_event: %s", reason);
		goto out;
	}
	if (own_store(fed, ev, json, jlen, now) != 0)
		goto out;
	if (id_out)
		memcpy(id_out, ev->id, KEY_ID_LEN);
	rc = 0;
out:
	json_decref(fields);
	free(payload);
	free(json);
	event_free(ev);
	envelope_free(env);
	return rc;
}

/* ------------------------------------------------------------- signer */

static int
signer_sign(void *ctx, enum kind kind, json_t *fields, long lifetime,
    unsigned char *id_out, char *why, size_t whylen)
{
	return publish_own_id(ctx, kind, fields, lifetime, id_out, why, whylen);
}

static void
signer_begin(void *ctx)
{
	publish_begin(ctx);
}

struct signer
publish_signer(struct fed *fed)
{
	struct signer s = { signer_sign, signer_begin, fed };

	return s;
}
