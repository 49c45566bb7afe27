/*
 * relay/fed/backfill.c — gap requests and answers (see the header).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/encoding.h"
#include "proto/pjson.h"
#include "relay/core/clock.h"
#include "relay/core/log.h"
#include "relay/fed/backfill.h"
#include "relay/fed/topic.h"

struct backfill {
	/* The keys whose gaps are asked for at the next flush (every key a
	 * turn found a gap in: it grows, it never leaves one out). */
	unsigned char (*keys)[KEY_ID_LEN];
	size_t n, cap;
	long timer;
	/* Requesters' and links' budgets (backfill.h). A requester id gets a
	 * bucket only once its link's budget admitted the request, and a
	 * bucket that refilled to its burst is dropped when the table grows,
	 * so made-up ids cost at most what the link's budget lets through. */
	struct ratelimit *requesters;
	struct bucket link_budget[CONFIG_LINKS_MAX];
};

struct backfill *
backfill_new(void)
{
	return calloc(1, sizeof(struct backfill));
}

void
backfill_free(struct fed *fed)
{
	struct backfill *b = fed->backfill;

	if (b == NULL)
		return;
	if (b->timer > 0 && fed->loop)
		loop_timer_cancel(fed->loop, b->timer);
	ratelimit_free(b->requesters);
	free(b->keys);
	free(b);
	fed->backfill = NULL;
}

static void
own_hex(const struct fed *fed, char out[KEY_ID_HEX_LEN + 1])
{
	encoding_hex_encode(key_secret_public(fed->key)->id, KEY_ID_LEN, out);
}

static void
ask(struct fed *fed, const unsigned char key[KEY_ID_LEN], long long lo,
    long long hi)
{
	char topic[TOPIC_MAX], me[KEY_ID_HEX_LEN + 1], k[KEY_ID_HEX_LEN + 1];
	char body[256];
	int n;

	/* the newest part of a long gap matters most: live events */
	if (hi - lo + 1 > BACKFILL_MAX)
		lo = hi - BACKFILL_MAX + 1;
	own_hex(fed, me);
	snprintf(topic, sizeof(topic), TOPIC_PREFIX "%s/bf/req/%s", fed->cfg->net, me);
	n = snprintf(body, sizeof(body), "{\"key\":\"%s\",\"from\":%lld,\"to\":%lld}",
	    encoding_hex_encode(key, KEY_ID_LEN, k), lo, hi);
	log_info("backfill: asking for seq %lld..%lld of key %.16s...", lo, hi, k);
	for (size_t i = 0; i < fed->nlinks; i++)
		link_publish(fed->links[i], topic, NULL, body, (size_t)n, false, 60, -1);
}

struct gap_ctx {
	struct fed *fed;
	const unsigned char *only;  /* NULL: every key */
};

static void
on_gap(void *arg, const unsigned char key[KEY_ID_LEN], long long lo, long long hi)
{
	struct gap_ctx *g = arg;

	if (g->only == NULL || memcmp(g->only, key, KEY_ID_LEN) == 0)
		ask(g->fed, key, lo, hi);
}

static void
flush_pending(void *arg)
{
	struct fed *fed = arg;
	struct backfill *pending = fed->backfill;
	char err[STORE_ERR_MAX];

	pending->timer = 0;
	for (size_t i = 0; i < pending->n; i++) {
		struct gap_ctx g = { fed, pending->keys[i] };
		if (store_gaps_each(fed->store, pending->keys[i], on_gap, &g, err) != 0)
			log_err("%s", err);
	}
	pending->n = 0;
}

void
backfill_gap(struct fed *fed, const unsigned char key[KEY_ID_LEN])
{
	struct backfill *pending = fed->backfill;

	for (size_t i = 0; i < pending->n; i++)
		if (memcmp(pending->keys[i], key, KEY_ID_LEN) == 0)
			return;
	if (pending->n == pending->cap) {
		size_t cap = pending->cap ? 2 * pending->cap : 64;
		unsigned char (*k)[KEY_ID_LEN] = realloc(pending->keys, cap * KEY_ID_LEN);
		if (k == NULL) {
			/* the periodic scan asks for it (backfill_scan) */
			log_err("backfill: out of memory queueing a gap request");
			return;
		}
		pending->keys = k;
		pending->cap = cap;
	}
	memcpy(pending->keys[pending->n++], key, KEY_ID_LEN);
	if (pending->timer == 0)
		pending->timer = loop_timer_add(fed->loop, BACKFILL_DELAY_MS,
		    flush_pending, fed);
}

void
backfill_scan(struct fed *fed)
{
	struct gap_ctx g = { fed, NULL };
	char err[STORE_ERR_MAX];

	if (store_gaps_each(fed->store, NULL, on_gap, &g, err) != 0)
		log_err("%s", err);
}

static bool
has_prefix(const struct fed *fed, const char *topic, const char *what,
    const char **rest)
{
	char p[128];
	size_t n;

	n = (size_t)snprintf(p, sizeof(p), TOPIC_PREFIX "%s/bf/%s/", fed->cfg->net, what);
	if (strncmp(topic, p, n) != 0)
		return false;
	*rest = topic + n;
	return true;
}

bool
backfill_is_request(const struct fed *fed, const char *topic)
{
	const char *rest;

	return has_prefix(fed, topic, "req", &rest);
}

bool
backfill_is_response(const struct fed *fed, const char *topic, bool *for_us)
{
	char me[KEY_ID_HEX_LEN + 1];
	const char *rest;

	if (!has_prefix(fed, topic, "resp", &rest))
		return false;
	own_hex(fed, me);
	*for_us = strncmp(rest, me, KEY_ID_HEX_LEN) == 0 && rest[KEY_ID_HEX_LEN] == '/';
	return true;
}

struct answer_ctx {
	struct fed *fed;
	struct link *to;            /* NULL: every link */
	char requester[KEY_ID_HEX_LEN + 1];
	long sent;
	size_t bytes;
	bool truncated;
};

static void
send_one(void *arg, const struct store_outbox_item *it)
{
	struct answer_ctx *a = arg;
	char topic[TOPIC_MAX], id[KEY_ID_HEX_LEN + 1];

	/* the byte cap: what one unsigned request can make us send */
	if (a->truncated || a->bytes + it->rawlen > BACKFILL_BYTES) {
		a->truncated = true;
		return;
	}
	snprintf(topic, sizeof(topic), TOPIC_PREFIX "%s/bf/resp/%s/%s", a->fed->cfg->net,
	    a->requester, encoding_hex_encode(it->id, KEY_ID_LEN, id));
	for (size_t i = 0; i < a->fed->nlinks; i++)
		if (a->to == NULL || a->fed->links[i] == a->to)
			link_publish(a->fed->links[i], topic, it->id, it->raw, it->rawlen, false,
			    300, -1);
	a->bytes += it->rawlen;
	a->sent++;
}

static bool
refuse(struct fed *fed, int why, const char *topic, const char *text)
{
	/* counted; logged for debugging only: requests are unsigned, and
	 * a flood of them must not flood the log */
	fed->metrics->backfill_refused[why]++;
	log_debug("backfill: not answering %.200s: %s", topic, text);
	return false;
}

/* May this request be answered? Reserves BACKFILL_BYTES of the link's
 * budget (*budget; NULL for a local call). Counts and logs a refusal. */
static bool
admit(struct fed *fed, struct link *from, const char *topic,
    const unsigned char requester[KEY_ID_LEN], const unsigned char key[KEY_ID_LEN],
    struct bucket **budget)
{
	struct backfill *b = fed->backfill;
	struct trust_answer a;

	*budget = NULL;
	if (!trust_index_lookup(fed->trust->tidx, key, NULL, relay_now(), &a))
		return refuse(fed, METRICS_BF_KEY, topic,
		    "the key asked for is not a current member key");
	for (size_t i = 0; i < fed->nlinks && from; i++)
		if (fed->links[i] == from)
			*budget = &b->link_budget[i];
	if (*budget && !bucket_take(*budget, BACKFILL_LINK_RATE,
	    BACKFILL_LINK_BYTES, BACKFILL_BYTES, loop_now_ms())) {
		*budget = NULL;
		return refuse(fed, METRICS_BF_LINK_RATE, topic,
		    "over the link's budget of backfill bytes");
	}
	if ((b->requesters == NULL && (b->requesters = ratelimit_new(
	    BACKFILL_REQ_RATE, BACKFILL_REQ_BURST)) == NULL) ||
	    !ratelimit_take(b->requesters, requester, loop_now_ms())) {
		if (*budget)
			bucket_refund(*budget, BACKFILL_LINK_BYTES, BACKFILL_BYTES);
		*budget = NULL;
		return refuse(fed, METRICS_BF_REQUESTER_RATE, topic,
		    "over the requester's budget of requests");
	}
	return true;
}

void
backfill_answer(struct fed *fed, struct link *from, const char *topic,
    const void *payload, size_t len)
{
	struct answer_ctx a = { fed, from, "", 0, 0, false };
	struct pjson_doc d = { 0 };
	struct bucket *budget = NULL;
	unsigned char key[KEY_ID_LEN], requester[KEY_ID_LEN];
	char me[KEY_ID_HEX_LEN + 1], err[STORE_ERR_MAX];
	const char *rest, *k;
	long long lo, hi;

	if (!has_prefix(fed, topic, "req", &rest))
		return;
	own_hex(fed, me);
	if (strcmp(rest, me) == 0)
		return; /* our own request */
	if (!encoding_is_id_hex(rest) || len > 512 ||
	    pjson_parse(&d, payload, len) != PJSON_OK ||
	    pjson_type(&d, 0) != PJSON_OBJECT)
		goto bad;
	snprintf(a.requester, sizeof(a.requester), "%s", rest);
	k = pjson_str(&d, pjson_get(&d, 0, "key"));
	lo = pjson_int(&d, pjson_get(&d, 0, "from"));
	hi = pjson_int(&d, pjson_get(&d, 0, "to"));
	if (k == NULL || !encoding_is_id_hex(k) || lo < 1 || hi < lo)
		goto bad;
	if (hi - lo >= BACKFILL_MAX) {
		refuse(fed, METRICS_BF_RANGE, topic, "more than BACKFILL_MAX seqs");
		goto out;
	}
	encoding_hex_decode(k, key, KEY_ID_LEN);
	encoding_hex_decode(rest, requester, KEY_ID_LEN);
	if (!admit(fed, from, topic, requester, key, &budget))
		goto out;
	if (store_range_each(fed->store, key, lo, hi, send_one, &a, err) < 0)
		log_err("%s", err);
	/* the link's budget pays for what was sent, not for the reservation */
	if (budget)
		bucket_refund(budget, BACKFILL_LINK_BYTES,
		    (double)(BACKFILL_BYTES - a.bytes));
	fed->metrics->backfill_answered++;
	fed->metrics->backfill_sent_bytes += a.bytes;
	fed->metrics->backfill_truncated += a.truncated;
	if (a.sent)
		log_info("backfill: sent %ld events (%zu bytes%s) of key %.16s... to "
		    "%.16s...", a.sent, a.bytes, a.truncated ? ", cut at the limit" :
		    "", k, a.requester);
	goto out;
bad:
	refuse(fed, METRICS_BF_MALFORMED, topic, "malformed request");
out:
	pjson_free(&d);
}
