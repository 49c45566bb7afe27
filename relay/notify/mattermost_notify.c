/*
 * relay/notify/mattermost_notify.c — the Mattermost notifier
 * (relay/notify/notifier.h): what the relay tells Mattermost, and when: a
 * message for each decision change and each first-seen verified event of
 * the selected kinds (mattermost_kinds), formatted by
 * relay/notify/mattermost*.c, queued in the store
 * (relay/notify/mattermost_queue.h) in the transaction of the event or
 * decision behind it, delivered by relay/notify/mattermost_send.c.
 *
 * Webhook mode: one message each, naming the zone's incident. Bot mode:
 * one thread per incident of the quorum engine (relay/quorum/incident.h; the
 * decisions name it), with a root post that names the incident and that
 * each decision change edits in place, and the events and decision
 * changes as replies in its thread. A decision about another incident
 * than the open thread's opens a new thread; `resolved` (or a decision
 * back to clear) closes it, and a later decision about the same incident
 * still goes to its thread. A failing observation, assessment or zone
 * statement that comes before the engine's first decision opens a thread
 * that the next decision names.
 *
 * Each message has a unique key (channel, and event id or decision
 * change), so that nothing is queued twice. The webhook URL and the bot
 * token are kept in sodium_malloc'd memory and never logged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "proto/encoding.h"
#include "relay/quorum/decide.h"
#include "lib/incident_text.h"
#include "relay/core/log.h"
#include "relay/notify/mattermost.h"
#include "relay/notify/notifier.h"
#include "relay/notify/mattermost_queue.h"
#include "relay/notify/mattermost_send.h"
#include "relay/core/clock.h"
#include "relay/core/config.h"
#include "relay/core/loop.h"
#include "relay/core/metrics.h"
#include "relay/store/store.h"
#include "relay/core/secretfile.h"

#define NOTIFY_KEYS_KEEP (8 * 86400)        /* dedupe keys, seconds */
#define NOTIFY_HOUSEKEEPING_MS (60 * 1000)
#define NOTIFY_EVENT_AGE_MAX 3600           /* older events: no message */

struct notifier {
	const struct notify_env *env;   /* borrowed from notify.c */
	struct notify_queue *q;
	struct notify_send *send;
	bool webhook_on, bot_on;
	char *webhook;                /* sodium_malloc'd */
	char *auth;                   /* sodium_malloc'd "Authorization: Bearer ..." */
	char channel_id[32];
	struct mattermost_style style;
	char relay_hex[KEY_ID_HEX_LEN + 1];
	long housekeeping;            /* timer id; 0: none */
};

/* ------------------------------------------------------------ counters */

static void
notify_counters_save(struct notifier *n)
{
	char err[NOTIFY_QUEUE_ERR_MAX];

	if (notify_queue_counters_save(n->q, n->env->metrics->notify_sent,
	    n->env->metrics->notify_retried, n->env->metrics->notify_dropped, err) != 0)
		log_warn("mattermost: %s", err);
}

/* ------------------------------------------------------------ queueing */

/* Queue one message; when the queue is full, drop the oldest first. */
static void
notify_enqueue(struct notifier *n, const char *channel, const char *op,
    long long incident, const char *key, json_t *body)
{
	char err[NOTIFY_QUEUE_ERR_MAX], *text;
	long long dropped;
	int rc;

	if (body == NULL) {
		log_err("mattermost: out of memory formatting %s", key);
		n->env->metrics->notify_dropped++;
		return;
	}
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (text == NULL) {
		log_err("mattermost: out of memory formatting %s", key);
		n->env->metrics->notify_dropped++;
		return;
	}
	if ((rc = notify_queue_claim(n->q, key, relay_now(), err)) <= 0) {
		if (rc < 0) {
			log_err("mattermost: %s", err);
			n->env->metrics->notify_dropped++;
		} else
			log_debug("mattermost: %s already queued once: not again", key);
		free(text);
		return;
	}
	/* full? count again first: a rolled-back turn leaves the count high */
	if (notify_queue_depth(n->q) >= n->env->cfg->mattermost_queue_max &&
	    notify_queue_recount(n->q, err) != 0)
		log_err("mattermost: %s", err);
	while (notify_queue_depth(n->q) >= n->env->cfg->mattermost_queue_max) {
		if ((rc = notify_queue_drop_oldest(n->q, &dropped, err)) <= 0) {
			if (rc < 0)
				log_err("mattermost: %s", err);
			break;
		}
		n->env->metrics->notify_dropped++;
		log_warn("mattermost: queue full (mattermost_queue_max %d): "
		    "dropped the oldest message (%lld)", n->env->cfg->mattermost_queue_max,
		    dropped);
	}
	rc = notify_queue_add(n->q, channel, op, incident, key, text,
	    relay_now(), err);
	free(text);
	if (rc < 0) {
		log_err("mattermost: %s", err);
		n->env->metrics->notify_dropped++;
	} else
		log_debug("mattermost: queued %s", key);
	notify_send_gauge(n->send);
}

static bool
notify_wants_incident(const struct event *ev)
{
	const char *state;

	switch (ev->kind) {
	case KIND_ASSESSMENT:
	case KIND_ZONE_STATEMENT:
		return true;
	case KIND_OBSERVATION:
		state = event_str(ev, "state");
		return state && strcmp(state, "bogus") == 0;
	default:
		return false;
	}
}


/* The names of a trust event's subject (a vouched operator, a certified
 * or revoked key), as "subject" + "_local_name"/"_declared_name" members
 * of payload, for the text (lib/opname.h); nothing for other kinds. */
static void
subject_names(struct notifier *n, json_t *payload)
{
	const char *hex = json_string_value(json_object_get(payload, "subject"));
	const char *local = NULL, *declared = NULL;
	unsigned char id[KEY_ID_LEN];

	if (hex == NULL || encoding_hex_decode(hex, id, KEY_ID_LEN) != 0)
		return;
	decide_operator_names(n->env->decide, id, &local, &declared);
	if (local)
		json_object_set_new(payload, "subject_local_name",
		    json_string(local));
	if (declared)
		json_object_set_new(payload, "subject_declared_name",
		    json_string(declared));
}

/* The open thread of zone, opened (with its root post queued) when none
 * is and open is set; ref: the engine's open incident ("" when it has
 * none yet: the next decision names it). 0 when none. */
static long long
notify_incident(struct notifier *n, const char *zone, const char *fp, bool open,
    const char *first, const char *ref)
{
	char err[NOTIFY_QUEUE_ERR_MAX], have[65], key[NOTIFY_KEY_MAX];
	char tref[NOTIFY_REF_MAX + 1];
	long long id;

	if (notify_incident_find(n->q, zone, &id, have, tref, err) != 0) {
		log_err("mattermost: %s", err);
		return 0;
	}
	if (id || !open)
		return id;
	if (notify_incident_new(n->q, zone, fp, ref, relay_now(), &id, err) != 0) {
		log_err("mattermost: %s", err);
		return 0;
	}
	log_info("mattermost: thread %lld opened for %s%s%s", id, zone,
	    ref[0] ? ", incident " : "", ref);
	snprintf(key, sizeof(key), "bot|root:%lld:open", id);
	notify_enqueue(n, NOTIFY_CHANNEL_BOT, "root", id, key, mattermost_root_post(
	    n->channel_id, NULL, zone, fp, first, key, &n->style));
	return id;
}

static void
mm_event(struct notifier *n, const struct event *ev)
{
	char id[KEY_ID_HEX_LEN + 1], key[NOTIFY_KEY_MAX], zone[ZONE_TEXT_MAX + 1];
	char err[NOTIFY_QUEUE_ERR_MAX], *text = NULL;
	char ref[STORE_INCIDENT_ID_LEN + 1] = "";
	json_t *payload = NULL;
	long long incident = 0;

	if (n == NULL || (unsigned)ev->kind >= KIND__COUNT ||
	    !(n->env->cfg->mattermost_kinds & (1u << ev->kind)))
		return;
	encoding_hex_encode(ev->id, KEY_ID_LEN, id);
	/* A relay catching up (a restart after a long outage, a backfill)
	 * stores events signed long ago: news no more, and a flood. */
	if (ev->ts < relay_now() - NOTIFY_EVENT_AGE_MAX) {
		log_debug("mattermost: event %s was signed more than %d s ago: "
		    "no message", id, NOTIFY_EVENT_AGE_MAX);
		return;
	}
	/* the zone (a withdrawal's is its target's) and its incident as the
	 * engine holds it now (the event that opens one is told before the
	 * engine has evaluated it) */
	snprintf(zone, sizeof(zone), "%s", ev->zone);
	if (zone[0] == '\0' && ev->kind == KIND_WITHDRAW) {
		unsigned char target[KEY_ID_LEN];
		const char *t = event_str(ev, "target");
		if (t && encoding_hex_decode(t, target, KEY_ID_LEN) == 0 &&
		    notify_queue_event_zone(n->q, target, zone, err) != 0)
			log_warn("mattermost: %s", err);
	}
	if (zone[0])
		decide_open_incident(n->env->decide, zone, ref);
	if ((payload = event_payload_json(ev)) != NULL) {
		/* the origin's names, for the text (lib/opname.h) */
		const char *local, *declared;
		decide_operator_names(n->env->decide, ev->origin, &local, &declared);
		if (local)
			json_object_set_new(payload, "local_name", json_string(local));
		if (declared)
			json_object_set_new(payload, "declared_name",
			    json_string(declared));
		subject_names(n, payload);
	}
	if (payload == NULL ||
	    (text = mattermost_event_text_in(payload, ref)) == NULL) {
		log_err("mattermost: out of memory formatting event %s", id);
		n->env->metrics->notify_dropped++;
		goto out;
	}
	if (n->webhook_on) {
		snprintf(key, sizeof(key), "webhook|ev:%s", id);
		notify_enqueue(n, NOTIFY_CHANNEL_WEBHOOK, "webhook", 0, key, mattermost_webhook(
		    text, mattermost_event_attachment(payload, id, &n->style), NULL,
		    key, &n->style));
	}
	if (n->bot_on) {
		if (zone[0])
			incident = notify_incident(n, zone, ev->kind == KIND_OBSERVATION &&
			    event_str(ev, "fingerprint") ? event_str(ev, "fingerprint") : "",
			    notify_wants_incident(ev), kind_name(ev->kind), ref);
		snprintf(key, sizeof(key), "bot|ev:%s", id);
		notify_enqueue(n, NOTIFY_CHANNEL_BOT, "post", incident, key, mattermost_post(
		    n->channel_id, text, mattermost_event_attachment(payload, id,
		    &n->style), NULL, key));
	}
out:
	free(text);
	json_decref(payload);
}

/* The lead fingerprint of doc's incident, else its first fingerprint (a
 * string, or {"fingerprint":..}). */
static const char *
notify_lead(const json_t *doc)
{
	const json_t *inc = incident_text_incident(doc);
	json_t *f = json_array_get(json_object_get(doc, "fingerprints"), 0);

	if (inc && json_is_string(json_object_get(inc, "lead")))
		return json_string_value(json_object_get(inc, "lead"));
	return json_is_string(f) ? json_string_value(f) :
	    json_string_value(json_object_get(f, "fingerprint"));
}

/*
 * The thread of the decision's incident (ref): the one that has it, open
 * or closed; else the zone's open thread, which takes ref when it has none
 * yet (opened by an event), or is closed when it is another incident's.
 * *closed: the thread found is closed already. 0 when there is none.
 */
static long long
notify_thread_of(struct notifier *n, const char *zone, const char *ref,
    bool *closed)
{
	char err[NOTIFY_QUEUE_ERR_MAX], fp[65], tref[NOTIFY_REF_MAX + 1];
	long long id = 0;

	*closed = false;
	if (ref && notify_incident_by_ref(n->q, zone, ref, &id, closed, err) != 0)
		goto fail;
	if (id)
		return id;
	if (notify_incident_find(n->q, zone, &id, fp, tref, err) != 0)
		goto fail;
	if (id == 0 || ref == NULL)
		return id;
	if (tref[0] == '\0') {
		if (notify_incident_set_ref(n->q, id, ref, err) != 0)
			goto fail;
		log_info("mattermost: thread %lld of %s is incident %s", id, zone, ref);
		return id;
	}
	log_info("mattermost: %s has a new incident %s: thread %lld (incident %s) "
	    "closed, a new one opened", zone, ref, id, tref);
	if (notify_incident_close(n->q, id, relay_now(), err) != 0)
		goto fail;
	return 0;
fail:
	log_err("mattermost: %s", err);
	return 0;
}

/* Bot mode: the decision edits its incident's root post and is told in
 * its thread; `resolved` (or clear) closes the thread. */
static void
notify_decision_bot(struct notifier *n, const json_t *doc, const char *zone,
    const char *state, const char *dkey, const char *text, const char *card,
    const char *prev)
{
	const char *ref = incident_text_id(doc), *lead = notify_lead(doc);
	char err[NOTIFY_QUEUE_ERR_MAX], key[NOTIFY_KEY_MAX];
	bool ends = strcmp(state, "clear") == 0 || strcmp(state, "resolved") == 0;
	bool closed;
	long long id;

	if (ref && (strlen(ref) > NOTIFY_REF_MAX || *ref == '\0'))
		ref = NULL;
	id = notify_thread_of(n, zone, ref, &closed);
	if (id == 0 && (ends || ref == NULL))
		return;    /* never an incident in a thread: nothing to tell */
	if (id == 0) {
		if (notify_incident_new(n->q, zone, lead ? lead : "", ref, relay_now(),
		    &id, err) != 0) {
			log_err("mattermost: %s", err);
			return;
		}
		log_info("mattermost: thread %lld opened for %s, incident %s", id, zone,
		    ref);
	}
	snprintf(key, sizeof(key), "bot|root:%lld:%s", id, dkey);
	notify_enqueue(n, NOTIFY_CHANNEL_BOT, "root", id, key, mattermost_root_post(
	    n->channel_id, doc, zone, lead, NULL, key, &n->style));
	snprintf(key, sizeof(key), "bot|%s", dkey);
	notify_enqueue(n, NOTIFY_CHANNEL_BOT, "post", id, key, mattermost_post(n->channel_id,
	    text, mattermost_decision_attachment(doc, prev, &n->style), card, key));
	if (ends && !closed) {
		if (notify_incident_close(n->q, id, relay_now(), err) != 0)
			log_err("mattermost: %s", err);
		else
			log_info("mattermost: thread %lld of %s closed (%s)", id, zone,
			    state);
	}
}

static void
mm_decision(struct notifier *n, const json_t *doc, const char *prev_state,
    const char *prev_phase)
{
	const char *zone, *state, *ev;
	char dkey[NOTIFY_KEY_MAX - 32], key[NOTIFY_KEY_MAX];
	char *text = NULL, *card = NULL;
	json_int_t changed;

	if (n == NULL)
		return;
	zone = json_string_value(json_object_get(doc, "zone"));
	state = json_string_value(json_object_get(doc, "state"));
	if (zone == NULL || state == NULL || strlen(zone) > ZONE_TEXT_MAX ||
	    strlen(state) > 32) {
		log_err("mattermost: a decision without zone or state: not told");
		n->env->metrics->notify_dropped++;
		return;
	}
	/* one message per decision change: the signed decision's id names
	 * it; without one, the state and the time it changed */
	ev = json_string_value(json_object_get(doc, "decision_event"));
	changed = json_integer_value(json_object_get(doc, "changed"));
	if (changed == 0)
		changed = json_integer_value(json_object_get(doc, "since"));
	if (ev && strlen(ev) == KEY_ID_HEX_LEN)
		snprintf(dkey, sizeof(dkey), "dec:%s:%s", zone, ev);
	else
		snprintf(dkey, sizeof(dkey), "dec:%s:%s@%lld", zone, state,
		    (long long)changed);
	if ((text = mattermost_change_text(doc, prev_state, prev_phase)) == NULL ||
	    (card = mattermost_zone_detail(doc, &n->style)) == NULL) {
		log_err("mattermost: out of memory formatting %s", dkey);
		n->env->metrics->notify_dropped++;
		goto out;
	}
	if (n->webhook_on) {
		snprintf(key, sizeof(key), "webhook|%s", dkey);
		notify_enqueue(n, NOTIFY_CHANNEL_WEBHOOK, "webhook", 0, key, mattermost_webhook(
		    text, mattermost_decision_attachment(doc, prev_state, &n->style),
		    card, key, &n->style));
	}
	if (n->bot_on)
		notify_decision_bot(n, doc, zone, state, dkey, text, card, prev_state);
out:
	free(text);
	free(card);
}

/* ------------------------------------------------------- start and stop */

static void
mm_deliver(struct notifier *n)
{
	notify_send_kick(n->send);
}

/* Every minute: count the queue again, forget old dedupe keys, save the
 * counters. */
static void
notify_housekeeping(void *arg)
{
	struct notifier *n = arg;
	char err[NOTIFY_QUEUE_ERR_MAX];

	n->housekeeping = 0;
	if (!store_in_transaction(n->env->store)) {
		if (notify_queue_recount(n->q, err) != 0 ||
		    notify_queue_prune_keys(n->q, relay_now() - NOTIFY_KEYS_KEEP,
		    err) != 0)
			log_err("mattermost: %s", err);
		notify_counters_save(n);
		notify_send_gauge(n->send);
	}
	n->housekeeping = loop_timer_add(n->env->loop, NOTIFY_HOUSEKEEPING_MS,
	    notify_housekeeping, n);
	if (n->housekeeping < 0)
		n->housekeeping = 0;
}

static char *
notify_secret_copy(const char *s)
{
	size_t len = strlen(s);
	char *c = sodium_malloc(len + 1);

	if (c)
		memcpy(c, s, len + 1);
	return c;
}

static void
notify_secret_free(char *s)
{
	if (s) {
		sodium_memzero(s, strlen(s));
		sodium_free(s);
	}
}

/* Bot mode: the token's header line, read from mattermost_token_file
 * into locked memory. 0, or -1 (logged). */
static int
mm_bot_auth(struct notifier *n, const struct relay_config *cfg)
{
	char err[PATH_MAX + 64], *token = NULL;
	size_t tlen;

	if (secretfile_read(cfg->mattermost_token_file, SECRETFILE_GROUP_READ,
	    &token, &tlen, err, sizeof(err)) != 0) {
		log_err("mattermost_token_file %s", err);
		return -1;
	}
	if ((n->auth = sodium_malloc(tlen + 32)) == NULL) {
		secretfile_free(token);
		log_err("mattermost: out of memory");
		return -1;
	}
	snprintf(n->auth, tlen + 32, "Authorization: Bearer %s", token);
	secretfile_free(token);
	snprintf(n->channel_id, sizeof(n->channel_id), "%s",
	    cfg->mattermost_channel);
	return 0;
}

static void mm_stop(struct notifier *n);

static int
mm_start(const struct notify_env *env, struct notifier **out)
{
	const struct relay_config *cfg = env->cfg;
	struct metrics *m = env->metrics;
	struct notifier *n = NULL;
	char err[NOTIFY_QUEUE_ERR_MAX];
	bool webhook = cfg->mattermost_webhook[0] != '\0';
	bool bot = cfg->mattermost_url[0] && cfg->mattermost_token_file[0] &&
	    cfg->mattermost_channel[0];

	*out = NULL;
	if (!webhook && !bot)
		return 0;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_err("mattermost: libcurl failed to initialise");
		return -1;
	}
	if ((n = calloc(1, sizeof(*n))) == NULL)
		goto nomem;
	n->env = env;
	n->webhook_on = webhook;
	n->bot_on = bot;
	if (notify_queue_open(store_sqlite(env->store), &n->q, err) != 0) {
		log_err("mattermost: %s", err);
		goto bad;
	}
	if (webhook && (n->webhook = notify_secret_copy(cfg->mattermost_webhook)) ==
	    NULL)
		goto nomem;
	if (bot && mm_bot_auth(n, cfg) != 0)
		goto bad;
	encoding_hex_encode(env->origin, KEY_ID_LEN, n->relay_hex);
	n->style = (struct mattermost_style){ cfg->mattermost_username,
	    cfg->mattermost_icon_url, NULL, cfg->public_url, cfg->net,
	    n->relay_hex };
	if (notify_queue_counters_load(n->q, &m->notify_sent, &m->notify_retried,
	    &m->notify_dropped, err) != 0)
		log_warn("mattermost: %s (counters start from zero)", err);
	if ((n->send = notify_send_start(env, n->q, n->webhook,
	    bot ? cfg->mattermost_url : NULL, n->auth)) == NULL)
		goto bad;
	n->housekeeping = loop_timer_add(env->loop, NOTIFY_HOUSEKEEPING_MS,
	    notify_housekeeping, n);
	if (n->housekeeping < 0)
		n->housekeeping = 0;
	log_info("mattermost: %s%s%s; %ld messages queued", webhook ?
	    "webhook" : "", webhook && bot ? " and " : "", bot ? "bot" : "",
	    notify_queue_depth(n->q));
	*out = n;
	return 0;
nomem:
	log_err("mattermost: out of memory");
bad:
	mm_stop(n);
	return -1;
}

static void
mm_stop(struct notifier *n)
{
	if (n == NULL)
		return;
	notify_send_stop(n->send);
	if (n->housekeeping)
		loop_timer_cancel(n->env->loop, n->housekeeping);
	if (n->q) {
		notify_counters_save(n);
		notify_queue_close(n->q);
	}
	notify_secret_free(n->webhook);
	notify_secret_free(n->auth);
	free(n);
}

const struct notifier_backend mattermost_notifier = {
	.name = "mattermost",
	.start = mm_start,
	.stop = mm_stop,
	.decision = mm_decision,
	.event = mm_event,
	.deliver = mm_deliver,
};
