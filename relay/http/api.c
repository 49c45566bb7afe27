/*
 * relay/http/api.c — the relay's answers to the HTTP API (docs/API.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/encoding.h"
#include "relay/http/api.h"
#include "relay/http/api_store.h"
#include "relay/fed/catchup.h"
#include "relay/http/control.h"
#include "relay/quorum/decide.h"
#include "relay/http/page.h"
#include "relay/http/slash.h"
#include "relay/core/log.h"
#include "relay/fed/storefault.h"
#include "trustdb/membership.h"
#include "trustdb/store.h"

static bool
healthy(void *ctx, char *why, size_t len)
{
	struct relay *r = ctx;
	bool up = false;

	/* first: a store that cannot write is why the links are down, and
	 * what to fix */
	if (!storefault_writable(r)) {
		storefault_describe(r, why, len);
		return false;
	}
	/* then not caught up: it is what a resolver must not act on, and its
	 * text says when no link came up yet */
	if (!catchup_done(r)) {
		catchup_text(r, why, len);
		return false;
	}
	for (size_t i = 0; i < r->nlinks; i++)
		up |= link_is_up(r->links[i]);
	if (r->nlinks > 0 && !up) {
		snprintf(why, len, "no link connected");
		return false;
	}
	return true;
}

static const char *
link_name(void *ctx, int store_id)
{
	struct relay *r = ctx;

	for (size_t i = 0; i < r->nlinks; i++)
		if (link_store_id(r->links[i]) == store_id)
			return link_url(r->links[i]);
	return "(a link no longer configured)";
}

static json_t *
events(void *ctx, const struct http_events_query *q)
{
	struct relay *r = ctx;

	return api_store_events_json(r->store, q->zone,
	    q->kind == KIND__COUNT ? -1 : (int)q->kind, q->since, q->limit,
	    link_name, r);
}

static json_t *
hex(const unsigned char id[KEY_ID_LEN])
{
	char h[KEY_ID_HEX_LEN + 1];

	return json_string(encoding_hex_encode(id, KEY_ID_LEN, h));
}

/* Members and the operators of every key seen, with their chains. */
static json_t *
peers(void *ctx)
{
	struct relay *r = ctx;
	struct trust_records *rec = NULL;
	json_t *keys = api_store_keys_json(r->store), *out = json_array(), *byop;
	char reason[256];
	const char *k;
	json_t *v;

	if (keys == NULL || out == NULL || (byop = json_object()) == NULL)
		goto bad;
	if (trustdb_load(r->trust.tdb, &rec, reason) != TRUSTDB_OK) {
		log_err("peers: %s", reason);
		json_decref(byop);
		goto bad;
	}
	/* operators first: pinned or holding keys we have seen */
	json_object_foreach(keys, k, v) {
		const char *op = json_string_value(json_object_get(v, "origin"));
		unsigned char opid[KEY_ID_LEN], keyid[KEY_ID_LEN];
		struct trust_answer a;
		json_t *entry, *flags;
		if (op == NULL || encoding_hex_decode(op, opid, KEY_ID_LEN) != 0 ||
		    encoding_hex_decode(k, keyid, KEY_ID_LEN) != 0)
			continue;
		if ((entry = json_object_get(byop, op)) == NULL) {
			const struct trust_keyrec *kr = trust_records_key(rec, opid);
			entry = json_pack("{s:s,s:o,s:n,s:b,s:[]}", "operator", op,
			    "name", kr && kr->name[0] ? json_string(kr->name) : json_null(),
			    "vote", "pinned", trust_records_pin(rec, opid) != NULL, "keys");
			json_object_set_new(byop, op, entry);
		}
		/* the key as it speaks for this operator (its events' origin) */
		if (trust_index_lookup(r->trust.tidx, keyid, opid, relay_now(), &a) && a.vote_id)
			json_object_set_new(entry, "vote", hex(a.vote_id));
		flags = json_deep_copy(json_object_get(v, "flags"));
		/* a second member root certified it: a possible attack by one
		 * of them (trustdb/membership.h) */
		if (a.conflict && flags)
			json_array_append_new(flags, json_string("cert_conflict"));
		json_array_append_new(json_object_get(entry, "keys"), json_pack(
		    "{s:s,s:O,s:O,s:o,s:s}", "key", k,
		    "last_heartbeat", json_object_get(v, "last_heartbeat"),
		    "chain_head", json_object_get(v, "chain_head"),
		    "flags", flags ? flags : json_array(),
		    "status", trust_reason_name(a.reason)));
	}
	for (size_t i = 0; i < rec->npins; i++) {
		char h[KEY_ID_HEX_LEN + 1];
		encoding_hex_encode(rec->pins[i].op, KEY_ID_LEN, h);
		if (json_object_get(byop, h) == NULL) {
			const struct trust_keyrec *kr = trust_records_key(rec, rec->pins[i].op);
			json_object_set_new(byop, h, json_pack("{s:s,s:o,s:s,s:b,s:[]}",
			    "operator", h, "name", kr && kr->name[0] ?
			    json_string(kr->name) : json_null(), "vote", h, "pinned", 1,
			    "keys"));
		}
	}
	json_object_foreach(byop, k, v)
		json_array_append(out, v);
	json_decref(byop);
	json_decref(keys);
	trust_records_free(rec);
	return json_pack("{s:o}", "peers", out);
bad:
	trust_records_free(rec);
	json_decref(keys);
	json_decref(out);
	return NULL;
}

static const struct metrics *
metrics(void *ctx)
{
	struct relay *r = ctx;

	long long n = store_count(r->store);

	/* the last count known while the store cannot answer */
	if (n >= 0)
		r->metrics.stored_events = (uint64_t)n;
	r->metrics.store_writable = storefault_writable(r) ? 1 : 0;
	r->metrics.store_held = storefault_held(r);
	r->metrics.nlinks = r->nlinks;
	for (size_t i = 0; i < r->nlinks; i++) {
		long d = store_outbox_depth(r->store, link_store_id(r->links[i]));
		r->metrics.links[i].up = link_is_up(r->links[i]);
		r->metrics.links[i].outbox = d > 0 ? (uint64_t)d : 0;
		r->metrics.links[i].refused = link_refused(r->links[i]);
	}
	return &r->metrics;
}

static json_t *
zones(void *ctx)
{
	return decide_zones_json(((struct relay *)ctx)->decide);
}

static json_t *
zone(void *ctx, const char *name)
{
	return decide_zone_json(((struct relay *)ctx)->decide, name);
}

static char *
event(void *ctx, const unsigned char id[KEY_ID_LEN], size_t *len)
{
	struct relay *r = ctx;
	char *raw = NULL;

	if (store_lookup(r->store, id, NULL, NULL, 0, &raw, len) != 1) {
		free(raw);
		return NULL;
	}
	return raw;
}

static char *
page(void *ctx, size_t *len)
{
	return page_render(ctx, len);
}

static unsigned
slash(void *ctx, const char *body, size_t len, const char *content_type,
    json_t **reply)
{
	return slash_handle(ctx, body, len, content_type, reply);
}

unsigned
api_submit(void *ctx, const char *what, const char *body, size_t len,
    json_t **reply)
{
	return control_submit(ctx, what, body, len, reply);
}

struct http_handlers
api_handlers(struct relay *r)
{
	struct http_handlers h = { .ctx = r, .healthy = healthy, .events = events,
	    .peers = peers, .metrics = metrics, .zones = zones, .zone = zone,
	    .event = event };

	if (r->cfg.status_page)
		h.page = page;
	if (r->cfg.mattermost_slash_token_file[0])
		h.slash = slash;

	return h;
}
