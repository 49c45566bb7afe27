/*
 * relay/http/routes.c — the HTTP API's routes: one table, each row with
 * its method, path, access and handler (relay/http/server.h says what each
 * column means; relay/http/http.h lists the routes for their users).
 *
 * Adding a route: write its handler here (it reads the relay through
 * s->h, struct http_handlers: add a callback there when the relay must
 * provide something new) and add its row to http_routes[]. The router
 * (relay/http/router.c) has checked the path, method, token, URL and
 * parameters of routes that take none before a handler runs; a handler
 * checks its own argument (the rest of a prefix path) and parameters.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto/key.h"
#include "proto/zone.h"
#include "lib/buf.h"
#include "relay/core/metrics.h"
#include "relay/http/params.h"
#include "relay/http/respond.h"
#include "relay/http/server.h"

/* o's string member key; "" when absent. */
static const char *
member(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "";
}

/* One line of /healthz's "degraded" text for link o (http.h, links):
 * "URL: down since T: CAUSE (DETAIL); next retry at T (in N s)". */
static void
healthz_link_line(struct buf *b, const json_t *o)
{
	const char *cause = member(o, "cause"), *detail = member(o, "detail");
	const char *next = member(o, "next_retry");

	buf_printf(b, "%s: %s since %s", member(o, "link"), member(o, "state"),
	    member(o, "since"));
	if (cause[0])
		buf_printf(b, ": %s (%s)", cause, detail[0] ? detail : "no detail");
	if (next[0])
		buf_printf(b, "; next retry at %s (in %lld s)", next, (long long)
		    json_integer_value(json_object_get(o, "retry_in")));
	buf_add(b, "\n", 1);
}

/*
 * GET /healthz: 503 {"error":"unhealthy","message":WHY,"links":[..]} when
 * the relay is not healthy (no link up among them); else "ok\n" when
 * every link is up, or 200 "degraded: D of N links down\n" and one line
 * per link when some are not.
 */
static enum MHD_Result
http_healthz(struct http_server *s, struct MHD_Connection *con,
    const char *rest, const struct http_req *req)
{
	char why[HTTP_MESSAGE_MAX] = "";
	json_t *links = s->h.links ? s->h.links(s->h.ctx) : NULL, *o;
	struct buf b = { 0 };
	size_t i, down = 0;
	char *body;

	(void)rest;
	(void)req;
	if (s->h.healthy && !s->h.healthy(s->h.ctx, why, sizeof(why))) {
		json_t *j = json_pack("{s:s,s:s}", "error", "unhealthy", "message",
		    why[0] ? why : "the relay is not healthy");
		enum MHD_Result ret;

		/* json_object_set_new() takes links, also when it fails */
		if (j == NULL || (links && json_object_set_new(j, "links", links) != 0)) {
			if (j == NULL)
				json_decref(links);
			json_decref(j);
			return http_internal(con, "the health report");
		}
		ret = http_queue_json(con, MHD_HTTP_SERVICE_UNAVAILABLE, j, NULL, NULL);
		json_decref(j);
		return ret;
	}
	json_array_foreach(links, i, o)
		if (strcmp(member(o, "state"), "up") != 0)
			down++;
	if (down == 0) {
		json_decref(links);
		if ((body = strdup("ok\n")) == NULL)
			return MHD_NO;
		return http_queue(con, MHD_HTTP_OK, HTTP_TYPE_TEXT, body, 3, NULL, NULL);
	}
	buf_printf(&b, "degraded: %zu of %zu links down\n", down,
	    json_array_size(links));
	json_array_foreach(links, i, o)
		healthz_link_line(&b, o);
	json_decref(links);
	if ((body = buf_take(&b)) == NULL)
		return http_internal(con, "the health report");
	return http_queue(con, MHD_HTTP_OK, HTTP_TYPE_TEXT, body, strlen(body),
	    NULL, NULL);
}

/* GET /v1/events?zone=&kind=&since=&limit= */
static enum MHD_Result
http_events(struct http_server *s, struct MHD_Connection *con,
    const char *rest, const struct http_req *req)
{
	struct http_events_query q;
	char err[HTTP_MESSAGE_MAX];
	json_t *j, *events;

	(void)rest;
	(void)req;
	if (!http_params_events(con, &q, err))
		return http_error(con, MHD_HTTP_BAD_REQUEST, "bad_request", NULL,
		    NULL, "%s", err);
	if (s->h.events == NULL || (j = s->h.events(s->h.ctx, &q)) == NULL)
		return http_internal(con, "the events");
	/* "count" is part of the interface; add it, first, when the relay
	 * did not. */
	if (json_is_object(j) && json_object_get(j, "count") == NULL &&
	    json_is_array(events = json_object_get(j, "events"))) {
		json_t *o = json_object();

		if (o == NULL || json_object_set_new(o, "count",
		    json_integer((json_int_t)json_array_size(events))) != 0 ||
		    json_object_update(o, j) != 0) {
			json_decref(o);
			json_decref(j);
			return http_internal(con, "the events");
		}
		json_decref(j);
		j = o;
	}
	return http_queue_reply(con, MHD_HTTP_OK, j, "the events");
}

/* GET /v1/peers */
static enum MHD_Result
http_peers(struct http_server *s, struct MHD_Connection *con,
    const char *rest, const struct http_req *req)
{
	(void)rest;
	(void)req;
	return http_queue_reply(con, MHD_HTTP_OK, s->h.peers ?
	    s->h.peers(s->h.ctx) : NULL, "the peer list");
}

/* GET /metrics */
static enum MHD_Result
http_metrics(struct http_server *s, struct MHD_Connection *con,
    const char *rest, const struct http_req *req)
{
	struct buf b = { 0 };
	const struct metrics *m;

	(void)rest;
	(void)req;
	if (s->h.metrics == NULL || (m = s->h.metrics(s->h.ctx)) == NULL)
		return http_internal(con, "the metrics");
	metrics_render(m, &b);
	if (b.failed || b.data == NULL) {
		buf_free(&b);
		return http_internal(con, "the metrics");
	}
	return http_queue(con, MHD_HTTP_OK, HTTP_TYPE_METRICS, b.data, b.len,
	    NULL, NULL);
}

/* A relay that has not caught up answers 503 with its "syncing" body
 * (relay/fed/catchup.h): a resolver must not act on it. */
static unsigned
http_zones_status(const json_t *j)
{
	return json_is_true(json_object_get(j, "syncing")) ?
	    MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_OK;
}

/* GET /v1/zones */
static enum MHD_Result
http_zones(struct http_server *s, struct MHD_Connection *con, const char *rest,
    const struct http_req *req)
{
	json_t *j;

	(void)rest;
	(void)req;
	if (s->h.zones == NULL || (j = s->h.zones(s->h.ctx)) == NULL)
		return http_internal(con, "the zone list");
	return http_queue_reply(con, http_zones_status(j), j, "the zone list");
}

#define HTTP_TIMELINE_SUFFIX "/timeline.svg"

/* GET /v1/zones/{zone}/timeline.svg: the zone's incident drawn
 * (relay/http/timeline.h); name is the {zone} part of rest. */
static enum MHD_Result
http_zone_timeline(struct http_server *s, struct MHD_Connection *con,
    const char *rest, size_t namelen)
{
	char name[ZONE_TEXT_MAX + 2], zone[ZONE_TEXT_MAX + 1], shown[80];
	const char *why = "too long";
	size_t len = 0;
	char *body;

	if (namelen >= sizeof(name) || (memcpy(name, rest, namelen),
	    name[namelen] = '\0', strchr(name, '/') != NULL) ||
	    zone_name_normalise(name, zone, &why) != 0) {
		http_sanitise(rest, shown, sizeof(shown));
		return http_error(con, MHD_HTTP_BAD_REQUEST, "bad_zone", NULL, NULL,
		    "'%s' is not a domain name (%s)", shown, why ? why : "empty");
	}
	if (s->h.timeline == NULL)
		return http_error(con, MHD_HTTP_NOT_FOUND, "not_found", NULL, NULL,
		    "no timeline here");
	if ((body = s->h.timeline(s->h.ctx, zone, &len)) == NULL)
		return http_internal(con, "the timeline");
	return http_queue(con, MHD_HTTP_OK, HTTP_TYPE_SVG, body, len, NULL, NULL);
}

/* GET /v1/zones/{zone}: any zone, clear ones included; and its
 * timeline.svg. */
static enum MHD_Result
http_zone(struct http_server *s, struct MHD_Connection *con, const char *rest,
    const struct http_req *req)
{
	char zone[ZONE_TEXT_MAX + 1], shown[80];
	const char *why = NULL;
	size_t rl = strlen(rest), sl = strlen(HTTP_TIMELINE_SUFFIX);
	json_t *j;

	(void)req;
	if (rl > sl && strcmp(rest + rl - sl, HTTP_TIMELINE_SUFFIX) == 0)
		return http_zone_timeline(s, con, rest, rl - sl);
	if (rest[0] == '\0' || strchr(rest, '/') != NULL ||
	    zone_name_normalise(rest, zone, &why) != 0) {
		http_sanitise(rest, shown, sizeof(shown));
		return http_error(con, MHD_HTTP_BAD_REQUEST, "bad_zone", NULL, NULL,
		    "'%s' is not a domain name (%s)", shown, why ? why : "empty");
	}
	if (s->h.zone == NULL || (j = s->h.zone(s->h.ctx, zone)) == NULL)
		return http_internal(con, "the decision");
	return http_queue_reply(con, http_zones_status(j), j, "the decision");
}

/* GET /v1/events/{id}: the signed envelope exactly as held. */
static enum MHD_Result
http_event(struct http_server *s, struct MHD_Connection *con, const char *rest,
    const struct http_req *req)
{
	unsigned char id[KEY_ID_LEN];
	char shown[80], *body;
	size_t len = 0;

	(void)req;
	if (strlen(rest) != 2 * KEY_ID_LEN ||
	    strspn(rest, "0123456789abcdef") != 2 * KEY_ID_LEN ||
	    sodium_hex2bin(id, sizeof(id), rest, 2 * KEY_ID_LEN, NULL, NULL,
	    NULL) != 0) {
		http_sanitise(rest, shown, sizeof(shown));
		return http_error(con, MHD_HTTP_BAD_REQUEST, "bad_id", NULL, NULL,
		    "'%s' is not an event id (64 lowercase hex digits)", shown);
	}
	if (s->h.event == NULL)
		return http_internal(con, "the event");
	if ((body = s->h.event(s->h.ctx, id, &len)) == NULL)
		return http_error(con, MHD_HTTP_NOT_FOUND, "not_found", NULL, NULL,
		    "no event %s is held here", rest);
	return http_queue(con, MHD_HTTP_OK, HTTP_TYPE_JSON, body, len, NULL, NULL);
}

/* GET /v1/ntas: the NTA disclosure, public (relay/http/disclose.h). */
static enum MHD_Result
http_ntas(struct http_server *s, struct MHD_Connection *con, const char *rest,
    const struct http_req *req)
{
	json_t *j;

	(void)rest;
	(void)req;
	if (s->h.ntas == NULL || (j = s->h.ntas(s->h.ctx)) == NULL)
		return http_internal(con, "the NTA disclosure");
	return http_queue_reply(con, MHD_HTTP_OK, j, "the NTA disclosure");
}

/* Is the status page on (status_page yes)? Else GET / is an unknown path. */
static bool
http_page_on(const struct http_server *s)
{
	return s->h.page != NULL;
}

/* GET /: the public incident page, when enabled. */
static enum MHD_Result
http_page(struct http_server *s, struct MHD_Connection *con, const char *rest,
    const struct http_req *req)
{
	size_t len = 0;
	char *body;

	(void)rest;
	(void)req;
	if (s->h.page == NULL)
		return http_error(con, MHD_HTTP_NOT_FOUND, "not_found", NULL, NULL,
		    "no status page here (status_page no)");
	if ((body = s->h.page(s->h.ctx, &len)) == NULL)
		return http_internal(con, "the status page");
	return http_queue(con, MHD_HTTP_OK, HTTP_TYPE_HTML, body, len,
	    "Refresh", "30");
}

/* POST /v1/submit/{what}: control socket only. */
static enum MHD_Result
http_submit(struct http_server *s, struct MHD_Connection *con, const char *rest,
    const struct http_req *req)
{
	json_t *reply = NULL;
	unsigned status;
	char shown[80];

	if (rest[0] == '\0' || strlen(rest) > 32 ||
	    strspn(rest, "abcdefghijklmnopqrstuvwxyz_") != strlen(rest)) {
		http_sanitise(rest, shown, sizeof(shown));
		return http_error(con, MHD_HTTP_NOT_FOUND, "not_found", NULL, NULL,
		    "nothing to submit as '%s'", shown);
	}
	if (s->h.submit == NULL)
		return http_error(con, MHD_HTTP_NOT_FOUND, "not_found", NULL, NULL,
		    "this relay takes no submissions");
	status = s->h.submit(s->h.ctx, rest, req->body ? req->body : "",
	    req->len, &reply);
	return http_queue_reply(con, status, reply, "the submission's answer");
}

/* POST /v1/mattermost/slash: form-encoded, as Mattermost sends it. */
static enum MHD_Result
http_slash(struct http_server *s, struct MHD_Connection *con, const char *rest,
    const struct http_req *req)
{
	const char *ctype;
	json_t *reply = NULL;
	unsigned status;

	(void)rest;
	if (s->h.slash == NULL)
		return http_error(con, MHD_HTTP_NOT_FOUND, "not_found", NULL, NULL,
		    "no slash command here (mattermost_slash_token_file not set)");
	ctype = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_TYPE);
	status = s->h.slash(s->h.ctx, req->body ? req->body : "", req->len,
	    ctype ? ctype : "", &reply);
	return http_queue_reply(con, status, reply, "the slash command's answer");
}

#define GET "GET"
#define POST "POST"
#define PUBLIC false
#define TOKEN true

const struct http_route http_routes[] = {
	/* method path                  prefix auth   params zone_arg
	 *        body_max         where              present       fn */
	{ GET, "/healthz",              false, PUBLIC, false, false,
	  0,               HTTP_BOTH,         NULL,         http_healthz },
	{ GET, "/v1/events",            false, TOKEN,  true,  false,
	  0,               HTTP_BOTH,         NULL,         http_events },
	{ GET, "/v1/events/",           true,  PUBLIC, false, false,
	  0,               HTTP_BOTH,         NULL,         http_event },
	{ GET, "/v1/peers",             false, TOKEN,  false, false,
	  0,               HTTP_BOTH,         NULL,         http_peers },
	{ GET, "/metrics",              false, TOKEN,  false, false,
	  0,               HTTP_BOTH,         NULL,         http_metrics },
	{ GET, "/v1/zones",             false, TOKEN,  false, false,
	  0,               HTTP_BOTH,         NULL,         http_zones },
	{ GET, "/v1/zones/",            true,  TOKEN,  false, true,
	  0,               HTTP_BOTH,         NULL,         http_zone },
	{ GET, "/v1/decisions/stream",  false, TOKEN,  false, false,
	  0,               HTTP_BOTH,         NULL,         http_stream },
	{ GET, "/v1/ntas",              false, PUBLIC, false, false,
	  0,               HTTP_BOTH,         NULL,         http_ntas },
	{ GET, "/",                     false, PUBLIC, false, false,
	  0,               HTTP_BOTH,         http_page_on, http_page },
	{ POST, "/v1/submit/",          true,  PUBLIC, false, false,
	  HTTP_SUBMIT_MAX, HTTP_CONTROL_ONLY, NULL,         http_submit },
	{ POST, "/v1/mattermost/slash", false, PUBLIC, false, false,
	  HTTP_SLASH_MAX,  HTTP_BOTH,         NULL,         http_slash },
};

const size_t http_nroutes = sizeof(http_routes) / sizeof(http_routes[0]);
