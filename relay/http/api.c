/*
 * relay/http/api.c — the relay's answers to the HTTP API (docs/API.md), over
 * the parts of the relay an api_env points to (relay/http/api.h).
 *
 * Each handler is the thin link between a route (relay/http/routes.c) and
 * the module that knows the answer: the store, the quorum engine
 * (decide_*), the peers (peers.c), the page (page.c), the slash command
 * (slash.c), submissions (control.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/encoding.h"
#include "relay/core/clock.h"
#include "relay/core/config.h"
#include "relay/core/log.h"
#include "relay/core/loop.h"
#include "relay/core/metrics.h"
#include "relay/fed/catchup.h"
#include "relay/fed/link.h"
#include "relay/fed/storefault.h"
#include "relay/http/api.h"
#include "relay/core/trust.h"
#include "relay/http/api_store.h"
#include "relay/http/control.h"
#include "relay/http/disclose.h"
#include "relay/http/page.h"
#include "relay/http/peers.h"
#include "relay/http/slash.h"
#include "relay/http/timeline.h"
#include "relay/quorum/decide.h"
#include "relay/store/store.h"

static bool
healthy(void *ctx, char *why, size_t len)
{
	struct api_env *env = ctx;
	bool up = false;

	/* first: a store that cannot write is why the links are down, and
	 * what to fix */
	if (!storefault_writable(env->fed)) {
		storefault_describe(env->fed, why, len);
		return false;
	}
	/* then not caught up: it is what a resolver must not act on, and its
	 * text says when no link came up yet */
	if (!catchup_done(env->fed)) {
		catchup_text(env->fed, why, len);
		return false;
	}
	for (size_t i = 0; i < *env->nlinks; i++)
		up |= link_is_up(env->links[i]);
	if (*env->nlinks > 0 && !up) {
		snprintf(why, len, "no link connected");
		return false;
	}
	return true;
}

/* For /healthz: each link's state (relay/http/http.h, links). */
static json_t *
links(void *ctx)
{
	struct api_env *env = ctx;
	long long now = relay_now();
	json_t *a = json_array();
	char t[32];

	for (size_t i = 0; a && i < *env->nlinks; i++) {
		const struct link_state *st = link_health(env->links[i]);
		bool up = link_is_up(env->links[i]);
		json_t *o;

		link_state_utc(st->since, t, sizeof(t));
		/* "up" is the connection's own word (link_is_up()), as in the
		 * ntarelay_link_up metric */
		o = json_pack("{s:s,s:s,s:s}", "link", link_url(env->links[i]),
		    "state", up ? "up" : link_phase_name(st->phase ==
		    LINK_PHASE_UP ? LINK_PHASE_CONNECTING : st->phase), "since", t);
		if (o && !up && st->phase == LINK_PHASE_DOWN) {
			json_object_set_new(o, "cause",
			    json_string(link_cause_name(st->cause)));
			json_object_set_new(o, "detail", json_string(st->detail));
		}
		if (o && !up && st->next_retry > 0) {
			link_state_utc(st->next_retry, t, sizeof(t));
			json_object_set_new(o, "next_retry", json_string(t));
			json_object_set_new(o, "retry_in", json_integer(
			    st->next_retry > now ? st->next_retry - now : 0));
		}
		if (o == NULL || json_array_append_new(a, o) != 0) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

static const char *
link_name(void *ctx, int store_id)
{
	struct api_env *env = ctx;

	for (size_t i = 0; i < *env->nlinks; i++)
		if (link_store_id(env->links[i]) == store_id)
			return link_url(env->links[i]);
	return "(a link no longer configured)";
}

static json_t *
events(void *ctx, const struct http_events_query *q)
{
	struct api_env *env = ctx;

	return api_store_events_json(env->store, env->trust->tidx, q->zone,
	    q->kind == KIND__COUNT ? -1 : (int)q->kind, q->since, q->limit,
	    link_name, env);
}

static json_t *
peers(void *ctx)
{
	return peers_json(ctx);
}

static const struct metrics *
metrics(void *ctx)
{
	struct api_env *env = ctx;
	struct metrics *m = env->metrics;
	long long n = store_count(env->store);
	int busy;

	/* the last count known while the store cannot answer */
	if (n >= 0)
		m->stored_events = (uint64_t)n;
	m->store_writable = storefault_writable(env->fed) ? 1 : 0;
	m->store_held = storefault_held(env->fed);
	busy = env->loop ? loop_busy_pct(env->loop) : -1;
	m->loop_busy = busy > 0 ? (uint64_t)busy : 0;   /* -1: no window yet */
	m->nlinks = *env->nlinks;
	for (size_t i = 0; i < *env->nlinks; i++) {
		long d = store_outbox_depth(env->store,
		    link_store_id(env->links[i]));
		m->links[i].up = link_is_up(env->links[i]);
		m->links[i].outbox = d > 0 ? (uint64_t)d : 0;
		m->links[i].refused = link_refused(env->links[i]);
	}
	return m;
}

static json_t *
zones(void *ctx)
{
	struct api_env *env = ctx;

	return decide_zones_json(env->decide);
}

static json_t *
zone(void *ctx, const char *name)
{
	struct api_env *env = ctx;

	return decide_zone_json(env->decide, name);
}

static char *
timeline(void *ctx, const char *name, size_t *len)
{
	struct api_env *env = ctx;
	json_t *z = decide_zone_json(env->decide, name);
	char *svg;

	if (z == NULL)
		return NULL;
	svg = timeline_document(z, relay_now(), len);
	json_decref(z);
	return svg;
}

static char *
event(void *ctx, const unsigned char id[KEY_ID_LEN], size_t *len)
{
	struct api_env *env = ctx;
	char *raw = NULL;

	if (store_lookup(env->store, id, NULL, NULL, 0, &raw, len) != 1) {
		free(raw);
		return NULL;
	}
	return raw;
}

/* GET /v1/ntas (relay/http/disclose.h) */
static json_t *
ntas(void *ctx)
{
	struct api_env *env = ctx;

	return disclose_json(env->store, env->origin, env->cfg->net, relay_now(),
	    env->cfg->retention);
}

/* GET /: the zones in incident and, for the first PAGE_ZONES_MAX, their
 * detail, as the engine holds them now (page.c renders them). */
static char *
page(void *ctx, size_t *len)
{
	struct api_env *env = ctx;
	const char *url = env->cfg->public_url;
	char hex[KEY_ID_HEX_LEN + 1], base[512];
	json_t *all, *details[PAGE_ZONES_MAX] = { 0 }, *z;
	struct page_info in;
	size_t i, n = 0, bl;
	char *html;

	if ((all = decide_zones_json(env->decide)) == NULL)
		return NULL;
	json_array_foreach(json_object_get(all, "zones"), i, z) {
		const char *name = json_string_value(json_object_get(z, "zone"));
		if (i == PAGE_ZONES_MAX)
			break;
		details[i] = name ? decide_zone_json(env->decide, name) : NULL;
		n = i + 1;
	}
	bl = strlen(url);
	while (bl > 0 && url[bl - 1] == '/')
		bl--;
	snprintf(base, sizeof(base), "%.*s", (int)bl, url);
	in = (struct page_info){ env->cfg->net, encoding_hex_encode(env->origin,
	    KEY_ID_LEN, hex), base, relay_now() };
	html = page_html(&in, all, details, n, len);
	for (i = 0; i < n; i++)
		json_decref(details[i]);
	json_decref(all);
	return html;
}

static unsigned
slash(void *ctx, const char *body, size_t len, const char *content_type,
    json_t **reply)
{
	return slash_handle(ctx, body, len, content_type, reply);
}

static unsigned
submit(void *ctx, const char *what, const char *body, size_t len,
    json_t **reply)
{
	return control_submit(ctx, what, body, len, reply);
}

struct http_handlers
api_handlers(struct api_env *env, bool control)
{
	struct http_handlers h = { .ctx = env, .healthy = healthy, .links = links,
	    .events = events, .peers = peers, .metrics = metrics, .zones = zones,
	    .zone = zone, .event = event, .ntas = ntas, .timeline = timeline };

	if (env->cfg->status_page)
		h.page = page;
	if (env->cfg->mattermost_slash_token_file[0])
		h.slash = slash;
	if (control)
		h.submit = submit;
	return h;
}

struct api_env *
api_env_new(const struct api_env *deps)
{
	struct api_env *env = malloc(sizeof(*env));

	if (env == NULL)
		return NULL;
	*env = *deps;
	if ((env->slash = slash_new()) == NULL) {
		free(env);
		return NULL;
	}
	return env;
}

void
api_env_free(struct api_env *env)
{
	if (env == NULL)
		return;
	slash_free(env->slash);
	free(env);
}
