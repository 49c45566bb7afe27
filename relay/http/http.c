/*
 * relay/http/http.c — the relay's HTTP API on libmicrohttpd, as one event source
 * of the relay's loop (MHD_USE_EPOLL without an internal thread).
 *
 * Order of the checks, so that each request gets the most useful refusal
 * and no handler sees an unchecked request:
 *   URL too long (414) → request body (413) → unknown path (404) →
 *   method (405) → token (401) → parameters (400) → handler.
 * libmicrohttpd itself refuses request lines and headers that do not fit
 * in the connection's memory (414, 431) before we are called.
 *
 * The token is never kept: only its SHA-256 digest, in sodium_malloc'd
 * read-only memory, and a presented token is hashed and the two fixed-size
 * digests compared with sodium_memcmp, so that neither the contents nor
 * the length of the configured token leak through timing.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "relay/http/http.h"
#include "relay/core/log.h"

#define HTTP_URL_MAX 2048                 /* path and query, as sent */
#define HTTP_CONNECTIONS_MAX 64
#define HTTP_CONNECTIONS_PER_IP 16
#define HTTP_TIMEOUT_S 10
#define HTTP_CONNECTION_MEMORY (16 * 1024) /* request line + headers ~ 8 KiB */
#define HTTP_MESSAGE_MAX 256

#ifndef MHD_HTTP_CONTENT_TOO_LARGE  /* its name before 0.9.74 */
#define MHD_HTTP_CONTENT_TOO_LARGE 413
#endif

#define HTTP_TYPE_JSON "application/json"
#define HTTP_TYPE_TEXT "text/plain; charset=utf-8"
#define HTTP_TYPE_METRICS "text/plain; version=0.0.4; charset=utf-8"
#define HTTP_TYPE_HTML "text/html; charset=utf-8"

struct http_server {
	struct MHD_Daemon *mhd;
	struct http_handlers h;
	unsigned char *token_hash;   /* sodium_malloc'd; NULL: no token */
	bool control;                /* the local control socket */
	char unix_path[108];         /* its path, unlinked at stop */
};

/* What the URI callback learns about a request before MHD parses it; a
 * pointer to one of these becomes the request's context, so nothing is
 * allocated per request that carries no body. An encoded NUL (%00) is
 * seen here, in the URL as sent: once decoded, every string would end at
 * it ("/v1/zones/lim.example.%00x" would answer for "lim.example."). */
static char http_uri_ok, http_uri_long, http_uri_nul;

static bool
http_uri_marker(const void *p)
{
	return p == &http_uri_ok || p == &http_uri_long || p == &http_uri_nul;
}

/* A request with a body (POST routes): the body collected, bounded. */
struct http_req {
	const struct http_route *route;
	char *body;
	size_t len, cap;
	bool too_big;
};

/* ---------------------------------------------------------------- responses */

/* Append size bytes for json_dump_callback. */
static int
http_dump_cb(const char *buffer, size_t size, void *data)
{
	struct metrics_buf *b = data;

	if (size > INT_MAX)
		return -1;
	metrics_buf_printf(b, "%.*s", (int)size, buffer);
	return b->failed ? -1 : 0;
}

/*
 * Queue status with body (malloc'd; stolen, also on failure) and the
 * headers every response carries, plus one extra header when xname is set.
 */
static enum MHD_Result
http_queue(struct MHD_Connection *con, unsigned int status, const char *ctype,
    char *body, size_t len, const char *xname, const char *xvalue)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype) != MHD_YES ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store") != MHD_YES ||
	    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff") != MHD_YES ||
	    (xname && MHD_add_response_header(r, xname, xvalue) != MHD_YES)) {
		MHD_destroy_response(r);
		return MHD_NO;
	}
	ret = MHD_queue_response(con, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* Serialise j (borrowed) and queue it; 500 if that fails. */
static enum MHD_Result
http_queue_json(struct MHD_Connection *con, unsigned int status,
    const json_t *j, const char *xname, const char *xvalue)
{
	struct metrics_buf b = { 0 };
	static const char fallback[] =
	    "{\"error\":\"internal\",\"message\":\"out of memory\"}\n";
	char *copy;

	if (json_dump_callback(j, http_dump_cb, &b, JSON_COMPACT) == 0)
		metrics_buf_printf(&b, "\n");
	else
		b.failed = 1;
	if (!b.failed)
		return http_queue(con, status, HTTP_TYPE_JSON, b.data, b.len,
		    xname, xvalue);
	metrics_buf_free(&b);
	log_warn("http: cannot serialise a response");
	if ((copy = strdup(fallback)) == NULL)
		return MHD_NO;
	return http_queue(con, MHD_HTTP_INTERNAL_SERVER_ERROR, HTTP_TYPE_JSON,
	    copy, strlen(copy), NULL, NULL);
}

/* Keep a client-supplied string printable ASCII and short, so that it
 * can go into a JSON message (which must be UTF-8) and a log line. */
static void
http_sanitise(const char *in, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; in[i] && i + 4 < outlen && i < 64; i++)
		out[i] = (in[i] >= 0x20 && in[i] < 0x7f) ? in[i] : '?';
	if (in[i] && i + 4 < outlen) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
}

static enum MHD_Result
http_error(struct MHD_Connection *con, unsigned int status, const char *name,
    const char *xname, const char *xvalue, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* {"error":name,"message":...} with status. */
static enum MHD_Result
http_error(struct MHD_Connection *con, unsigned int status, const char *name,
    const char *xname, const char *xvalue, const char *fmt, ...)
{
	char msg[HTTP_MESSAGE_MAX];
	enum MHD_Result ret;
	va_list ap;
	json_t *j;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	j = json_pack("{s:s,s:s}", "error", name, "message", msg);
	if (j == NULL)
		return http_queue_json(con, status, NULL, xname, xvalue);
	ret = http_queue_json(con, status, j, xname, xvalue);
	json_decref(j);
	return ret;
}

static enum MHD_Result
http_internal(struct MHD_Connection *con, const char *what)
{
	log_warn("http: %s failed", what);
	return http_error(con, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", NULL,
	    NULL, "the relay could not produce %s", what);
}

/* ---------------------------------------------------------------- parameters */

struct http_params {
	struct http_events_query *q;
	unsigned seen;               /* bit per known parameter */
	char err[HTTP_MESSAGE_MAX];  /* first problem; "" = none */
};

/* A decimal integer without sign, spaces or leading zeros, lo..hi. */
static bool
http_parse_int(const char *s, long long lo, long long hi, long long *out)
{
	long long v = 0;
	size_t i;

	if (s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
		return false;
	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 18)
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static enum MHD_Result
http_param(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	static const char *const names[] = { "zone", "kind", "since", "limit" };
	struct http_params *p = cls;
	char shown[80];
	const char *why = NULL;
	long long v;
	unsigned i;

	(void)kind;
	if (p->err[0])
		return MHD_NO;
	http_sanitise(key, shown, sizeof(shown));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(key, names[i]) == 0)
			break;
	if (i == sizeof(names) / sizeof(names[0])) {
		snprintf(p->err, sizeof(p->err),
		    "unknown parameter '%s' (known: zone, kind, since, limit)", shown);
		return MHD_NO;
	}
	if (p->seen & (1u << i)) {
		snprintf(p->err, sizeof(p->err), "parameter '%s' given twice", shown);
		return MHD_NO;
	}
	p->seen |= 1u << i;
	if (value == NULL || value[0] == '\0') {
		snprintf(p->err, sizeof(p->err), "parameter '%s' needs a value",
		    shown);
		return MHD_NO;
	}
	switch (i) {
	case 0:
		if (zone_name_normalise(value, p->q->zone, &why) != 0) {
			snprintf(p->err, sizeof(p->err),
			    "parameter 'zone': not a domain name (%s)",
			    why ? why : "invalid");
			return MHD_NO;
		}
		break;
	case 1:
		if ((p->q->kind = kind_from_name(value)) == KIND__COUNT) {
			snprintf(p->err, sizeof(p->err),
			    "parameter 'kind': not a message kind (observation, "
			    "assessment, zone_statement, withdraw, vouch, unvouch, "
			    "key_cert, key_revoke, heartbeat, decision)");
			return MHD_NO;
		}
		break;
	case 2:
		if (!http_parse_int(value, 0, KIND_TIME_MAX, &v)) {
			snprintf(p->err, sizeof(p->err),
			    "parameter 'since': must be a unix time in seconds, "
			    "0..%lld", KIND_TIME_MAX);
			return MHD_NO;
		}
		p->q->since = v;
		break;
	default:
		if (!http_parse_int(value, 1, HTTP_EVENTS_LIMIT_MAX, &v)) {
			snprintf(p->err, sizeof(p->err),
			    "parameter 'limit': must be an integer, 1..%d",
			    HTTP_EVENTS_LIMIT_MAX);
			return MHD_NO;
		}
		p->q->limit = (int)v;
		break;
	}
	return MHD_YES;
}

/* Any query parameter on a route that takes none is a 400 as well. */
static enum MHD_Result
http_param_none(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct http_params *p = cls;
	char shown[80];

	(void)kind;
	(void)value;
	http_sanitise(key, shown, sizeof(shown));
	snprintf(p->err, sizeof(p->err),
	    "unknown parameter '%s' (this path takes none)", shown);
	return MHD_NO;
}

static enum MHD_Result
http_bad_params(struct MHD_Connection *con, const struct http_params *p)
{
	return http_error(con, MHD_HTTP_BAD_REQUEST, "bad_request", NULL, NULL,
	    "%s", p->err);
}

/* ---------------------------------------------------------------- routes */

static enum MHD_Result
http_healthz(struct http_server *s, struct MHD_Connection *con)
{
	char why[HTTP_MESSAGE_MAX] = "";
	char *body;

	if (s->h.healthy && !s->h.healthy(s->h.ctx, why, sizeof(why)))
		return http_error(con, MHD_HTTP_SERVICE_UNAVAILABLE, "unhealthy",
		    NULL, NULL, "%s", why[0] ? why : "the relay is not healthy");
	if ((body = strdup("ok\n")) == NULL)
		return MHD_NO;
	return http_queue(con, MHD_HTTP_OK, HTTP_TYPE_TEXT, body, 3, NULL, NULL);
}

static enum MHD_Result
http_events(struct http_server *s, struct MHD_Connection *con)
{
	struct http_events_query q = { .zone = "", .kind = KIND__COUNT,
	    .since = 0, .limit = HTTP_EVENTS_LIMIT_DEFAULT };
	struct http_params p = { .q = &q };
	enum MHD_Result ret;
	json_t *j, *events;

	MHD_get_connection_values(con, MHD_GET_ARGUMENT_KIND, http_param, &p);
	if (p.err[0])
		return http_bad_params(con, &p);
	if (s->h.events == NULL || (j = s->h.events(s->h.ctx, &q)) == NULL)
		return http_internal(con, "the events");
	/* "count" is part of the interface; add it, first, when the relay
	 * did not. */
	if (json_is_object(j) && json_object_get(j, "count") == NULL &&
	    json_is_array(events = json_object_get(j, "events"))) {
		json_t *o = json_pack("{s:I}", "count",
		    (json_int_t)json_array_size(events));
		if (o == NULL || json_object_update(o, j) != 0) {
			json_decref(o);
			json_decref(j);
			return http_internal(con, "the events");
		}
		json_decref(j);
		j = o;
	}
	ret = http_queue_json(con, MHD_HTTP_OK, j, NULL, NULL);
	json_decref(j);
	return ret;
}

static enum MHD_Result
http_peers(struct http_server *s, struct MHD_Connection *con)
{
	enum MHD_Result ret;
	json_t *j;

	if (s->h.peers == NULL || (j = s->h.peers(s->h.ctx)) == NULL)
		return http_internal(con, "the peer list");
	ret = http_queue_json(con, MHD_HTTP_OK, j, NULL, NULL);
	json_decref(j);
	return ret;
}

static enum MHD_Result
http_metrics(struct http_server *s, struct MHD_Connection *con)
{
	struct metrics_buf b = { 0 };
	const struct metrics *m;

	if (s->h.metrics == NULL || (m = s->h.metrics(s->h.ctx)) == NULL)
		return http_internal(con, "the metrics");
	metrics_render(m, &b);
	if (b.failed || b.data == NULL) {
		metrics_buf_free(&b);
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
	enum MHD_Result ret;
	json_t *j;

	(void)rest;
	(void)req;
	if (s->h.zones == NULL || (j = s->h.zones(s->h.ctx)) == NULL)
		return http_internal(con, "the zone list");
	ret = http_queue_json(con, http_zones_status(j), j, NULL, NULL);
	json_decref(j);
	return ret;
}

/* GET /v1/zones/{zone}: any zone, clear ones included. */
static enum MHD_Result
http_zone(struct http_server *s, struct MHD_Connection *con, const char *rest,
    const struct http_req *req)
{
	char zone[ZONE_TEXT_MAX + 1], shown[80];
	const char *why = NULL;
	enum MHD_Result ret;
	json_t *j;

	(void)req;
	if (rest[0] == '\0' || strchr(rest, '/') != NULL ||
	    zone_name_normalise(rest, zone, &why) != 0) {
		http_sanitise(rest, shown, sizeof(shown));
		return http_error(con, MHD_HTTP_BAD_REQUEST, "bad_zone", NULL, NULL,
		    "'%s' is not a domain name (%s)", shown, why ? why : "empty");
	}
	if (s->h.zone == NULL || (j = s->h.zone(s->h.ctx, zone)) == NULL)
		return http_internal(con, "the decision");
	ret = http_queue_json(con, http_zones_status(j), j, NULL, NULL);
	json_decref(j);
	return ret;
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

/* Hand a collected body to a handler that answers JSON with a status. */
static enum MHD_Result
http_body_reply(struct MHD_Connection *con, unsigned status, json_t *reply,
    const char *what)
{
	enum MHD_Result ret;

	if (reply == NULL)
		return http_internal(con, what);
	ret = http_queue_json(con, status, reply, NULL, NULL);
	json_decref(reply);
	return ret;
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
	return http_body_reply(con, status, reply, "the submission's answer");
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
	return http_body_reply(con, status, reply, "the slash command's answer");
}

enum http_where { HTTP_BOTH, HTTP_CONTROL_ONLY };

static const struct http_route {
	const char *path;
	enum MHD_Result (*fn)(struct http_server *, struct MHD_Connection *,
	    const char *rest, const struct http_req *);
	bool auth;     /* needs the token, when one is configured */
	bool params;   /* takes /v1/events query parameters */
	bool prefix;   /* path is a prefix: the rest is the argument */
	bool post;     /* POST with a body (else GET/HEAD, no body) */
	size_t body_max;
	enum http_where where;
} http_routes[] = {
	{ "/healthz", NULL, false, false, false, false, 0, HTTP_BOTH },
	{ "/v1/events", NULL, true, true, false, false, 0, HTTP_BOTH },
	{ "/v1/events/", http_event, false, false, true, false, 0, HTTP_BOTH },
	{ "/v1/peers", NULL, true, false, false, false, 0, HTTP_BOTH },
	{ "/metrics", NULL, true, false, false, false, 0, HTTP_BOTH },
	{ "/v1/zones", http_zones, true, false, false, false, 0, HTTP_BOTH },
	{ "/v1/zones/", http_zone, true, false, true, false, 0, HTTP_BOTH },
	{ "/", http_page, false, false, false, false, 0, HTTP_BOTH },
	{ "/v1/submit/", http_submit, false, false, true, true,
	  HTTP_SUBMIT_MAX, HTTP_CONTROL_ONLY },
	{ "/v1/mattermost/slash", http_slash, false, false, false, true,
	  HTTP_SLASH_MAX, HTTP_BOTH },
};

/* The handlers written before routes took arguments. */
static enum MHD_Result
http_plain(struct http_server *s, struct MHD_Connection *con,
    const struct http_route *r)
{
	if (strcmp(r->path, "/healthz") == 0)
		return http_healthz(s, con);
	if (strcmp(r->path, "/v1/events") == 0)
		return http_events(s, con);
	if (strcmp(r->path, "/v1/peers") == 0)
		return http_peers(s, con);
	return http_metrics(s, con);
}

/* ---------------------------------------------------------------- auth */

/* Check "Authorization: Bearer TOKEN"; 0 ok, -1 missing, -2 wrong. */
static int
http_check_token(const struct http_server *s, struct MHD_Connection *con)
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	const char *v, *tok;
	int rc;

	v = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	if (v == NULL)
		return -1;
	/* The scheme is case-insensitive (RFC 9110 11.1). */
	if (strncasecmp(v, "Bearer", 6) != 0 || (v[6] != ' ' && v[6] != '\t'))
		return -2;
	for (tok = v + 6; *tok == ' ' || *tok == '\t'; tok++)
		;
	crypto_hash_sha256(digest, (const unsigned char *)tok, strlen(tok));
	rc = sodium_memcmp(digest, s->token_hash, sizeof(digest)) == 0 ? 0 : -2;
	sodium_memzero(digest, sizeof(digest));
	return rc;
}

/* ---------------------------------------------------------------- MHD glue */

static void *
http_uri_log(void *cls, const char *uri, struct MHD_Connection *con)
{
	(void)cls;
	(void)con;
	if (strlen(uri) > HTTP_URL_MAX)
		return &http_uri_long;
	return strstr(uri, "%00") ? &http_uri_nul : &http_uri_ok;
}

static bool
http_has_body(struct MHD_Connection *con)
{
	const char *cl, *te;

	cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	te = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_TRANSFER_ENCODING);
	return te != NULL || (cl != NULL && strcmp(cl, "0") != 0);
}

/* The route of url (exact match first, then the longest prefix). */
static const struct http_route *
http_route_find(const struct http_server *s, const char *url, const char **rest)
{
	const struct http_route *best = NULL;
	size_t i, n, bestn = 0;

	for (i = 0; i < sizeof(http_routes) / sizeof(http_routes[0]); i++) {
		const struct http_route *r = &http_routes[i];

		if (r->where == HTTP_CONTROL_ONLY && !s->control)
			continue;
		n = strlen(r->path);
		if (!r->prefix && strcmp(url, r->path) == 0) {
			*rest = url + n;
			return r;
		}
		if (r->prefix && strncmp(url, r->path, n) == 0 && n > bestn) {
			best = r;
			bestn = n;
		}
	}
	if (best)
		*rest = url + bestn;
	return best;
}

static void
http_completed(void *cls, struct MHD_Connection *con, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_req *req;

	(void)cls;
	(void)con;
	(void)toe;
	if (con_cls == NULL || *con_cls == NULL || http_uri_marker(*con_cls))
		return;
	req = *con_cls;
	if (req->body) {
		sodium_memzero(req->body, req->cap);  /* may hold a token */
		free(req->body);
	}
	free(req);
	*con_cls = NULL;
}

/* Collect a chunk of a POST body; false when it grew beyond the route's
 * limit (the rest is read and dropped, then refused). */
static void
http_collect(struct http_req *req, const char *data, size_t n)
{
	size_t want;
	char *nb;

	if (req->too_big)
		return;
	if (n > req->route->body_max - req->len) {
		req->too_big = true;
		return;
	}
	want = req->len + n + 1;
	if (want > req->cap) {
		size_t cap = req->cap ? req->cap : 1024;

		while (cap < want)
			cap *= 2;
		if ((nb = malloc(cap)) == NULL) {
			req->too_big = true;
			return;
		}
		if (req->body) {
			memcpy(nb, req->body, req->len);
			sodium_memzero(req->body, req->cap);
			free(req->body);
		}
		req->body = nb;
		req->cap = cap;
	}
	memcpy(req->body + req->len, data, n);
	req->len += n;
	req->body[req->len] = '\0';
}

static enum MHD_Result
http_access(void *cls, struct MHD_Connection *con, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct http_server *s = cls;
	const struct http_route *r = NULL;
	struct http_params p = { 0 };
	struct http_req *req;
	const char *rest = "";
	bool nul;
	int t;

	(void)version;
	/* A request with a body: second and later calls bring the body,
	 * the last (size 0) asks for the answer. */
	if (!http_uri_marker(*con_cls)) {
		if ((req = *con_cls) == NULL)
			return MHD_NO;
		if (*upload_data_size != 0) {
			http_collect(req, upload_data, *upload_data_size);
			*upload_data_size = 0;
			return MHD_YES;
		}
		if (req->too_big)
			return http_error(con, MHD_HTTP_CONTENT_TOO_LARGE,
			    "content_too_large", NULL, NULL, "the request body is "
			    "larger than %zu bytes", req->route->body_max);
		(void)http_route_find(s, url, &rest);
		return req->route->fn(s, con, rest, req);
	}
	if (*upload_data_size != 0)
		return MHD_NO;
	if (*con_cls == &http_uri_long) {
		*con_cls = NULL;
		return http_error(con, MHD_HTTP_URI_TOO_LONG, "uri_too_long",
		    NULL, NULL, "the URL is longer than %d bytes", HTTP_URL_MAX);
	}
	nul = *con_cls == &http_uri_nul;
	*con_cls = NULL;
	if ((r = http_route_find(s, url, &rest)) == NULL ||
	    (strcmp(r->path, "/") == 0 && s->h.page == NULL)) {
		char shown[80];
		http_sanitise(url, shown, sizeof(shown));
		return http_error(con, MHD_HTTP_NOT_FOUND, "not_found", NULL,
		    NULL, "no such path: %s", shown);
	}
	if (r->post) {
		if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
			return http_error(con, MHD_HTTP_METHOD_NOT_ALLOWED,
			    "method_not_allowed", MHD_HTTP_HEADER_ALLOW, "POST",
			    "%s takes POST only", r->path);
	} else {
		if (http_has_body(con))
			return http_error(con, MHD_HTTP_CONTENT_TOO_LARGE,
			    "content_too_large", NULL, NULL,
			    "this path takes no request body");
		if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
		    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
			return http_error(con, MHD_HTTP_METHOD_NOT_ALLOWED,
			    "method_not_allowed", MHD_HTTP_HEADER_ALLOW, "GET, HEAD",
			    "%s takes GET only", r->path);
	}
	/* The control socket is authenticated by its file permissions. */
	if (r->auth && !s->control && s->token_hash != NULL &&
	    (t = http_check_token(s, con)) != 0)
		return http_error(con, MHD_HTTP_UNAUTHORIZED, "unauthorized",
		    MHD_HTTP_HEADER_WWW_AUTHENTICATE, t == -1 ?
		    "Bearer realm=\"ntarelay\"" :
		    "Bearer realm=\"ntarelay\", error=\"invalid_token\"",
		    t == -1 ? "this path needs \"Authorization: Bearer TOKEN\"" :
		    "the token is not valid");
	/* One rule for every name taken from a URL: a NUL is refused, never
	 * taken as the end of it (zones: "a NUL byte in the name"). */
	if (nul) {
		char shown[80];
		http_sanitise(rest, shown, sizeof(shown));
		if (r->fn == http_zone)
			return http_error(con, MHD_HTTP_BAD_REQUEST, "bad_zone", NULL,
			    NULL, "'%s%%00...' is not a domain name (NUL byte in "
			    "the name)", shown);
		return http_error(con, MHD_HTTP_BAD_REQUEST, "bad_request", NULL,
		    NULL, "the URL holds an encoded NUL byte (%%00): no path or "
		    "parameter may contain one");
	}
	if (!r->params) {
		MHD_get_connection_values(con, MHD_GET_ARGUMENT_KIND,
		    http_param_none, &p);
		if (p.err[0])
			return http_bad_params(con, &p);
	}
	if (r->post) {
		if ((req = calloc(1, sizeof(*req))) == NULL)
			return MHD_NO;
		req->route = r;
		*con_cls = req;
		return MHD_YES;
	}
	if (r->fn == NULL)
		return http_plain(s, con, r);
	return r->fn(s, con, rest, NULL);
}

static void http_mhd_log(void *cls, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void
http_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	size_t n;

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	log_info("http: %s", line);
}

/* ---------------------------------------------------------------- API */

struct http_server *
http_start(const char *addr, int port, const char *token,
    const struct http_handlers *h, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct http_server *s = NULL;
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;

	memset(&ss, 0, sizeof(ss));
	if (port < 0 || port > 65535) {
		snprintf(err, errlen, "http: port %d out of range", port);
		goto fail;
	}
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		flags |= MHD_USE_IPv6;
	} else {
		snprintf(err, errlen, "http: '%s' is not an IPv4 or IPv6 address",
		    addr);
		goto fail;
	}
	if (sodium_init() < 0) {
		snprintf(err, errlen, "http: libsodium failed to initialise");
		goto fail;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "http: out of memory");
		goto fail;
	}
	if (h)
		s->h = *h;
	if (token != NULL) {
		if (token[0] == '\0') {
			snprintf(err, errlen, "http: the token is empty");
			goto fail;
		}
		if ((s->token_hash = sodium_malloc(crypto_hash_sha256_BYTES)) == NULL) {
			snprintf(err, errlen, "http: out of secure memory");
			goto fail;
		}
		crypto_hash_sha256(s->token_hash, (const unsigned char *)token,
		    strlen(token));
		sodium_mprotect_readonly(s->token_hash);
	}
	s->mhd = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL,
	    http_access, s,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_CONNECTIONS_MAX,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)HTTP_CONNECTIONS_PER_IP,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONNECTION_MEMORY,
	    MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
	    MHD_OPTION_URI_LOG_CALLBACK, http_uri_log, (void *)s,
	    MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, (void *)s,
	    MHD_OPTION_NOTIFY_COMPLETED, http_completed, (void *)s,
	    MHD_OPTION_END);
	if (s->mhd == NULL) {
		snprintf(err, errlen, "http: cannot listen on %s%s%s:%d (address "
		    "in use, or not a local address?)", flags & MHD_USE_IPv6 ?
		    "[" : "", addr, flags & MHD_USE_IPv6 ? "]" : "", port);
		goto fail;
	}
	return s;
fail:
	http_stop(s);
	return NULL;
}

struct http_server *
http_start_unix(const char *path, const struct http_handlers *h, char *err,
    size_t errlen)
{
	struct sockaddr_un sun;
	struct http_server *s = NULL;
	struct stat st;
	int fd = -1;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control: %s: path too long for a unix socket",
		    path);
		return NULL;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	/* A socket left by a relay that died is replaced; a live one (another
	 * relay with the same configuration) or anything else at that path
	 * is not ours to remove. */
	if (lstat(path, &st) == 0) {
		int probe;

		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "control: %s exists and is not a "
			    "socket", path);
			return NULL;
		}
		if ((probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) >= 0) {
			int live = connect(probe, (struct sockaddr *)&sun,
			    sizeof(sun)) == 0;
			close(probe);
			if (live) {
				snprintf(err, errlen, "control: %s is in use by a "
				    "running process (another relay?)", path);
				return NULL;
			}
		}
		if (unlink(path) != 0) {
			snprintf(err, errlen, "control: cannot remove the old "
			    "socket %s: %s", path, strerror(errno));
			return NULL;
		}
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    chmod(path, 0660) != 0 || listen(fd, 16) != 0) {
		snprintf(err, errlen, "control: cannot listen on %s: %s", path,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "control: out of memory");
		close(fd);
		unlink(path);
		return NULL;
	}
	s->control = true;
	memcpy(s->unix_path, path, strlen(path) + 1);
	if (h)
		s->h = *h;
	s->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL,
	    NULL, http_access, s,
	    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_CONNECTIONS_MAX,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONNECTION_MEMORY,
	    MHD_OPTION_URI_LOG_CALLBACK, http_uri_log, (void *)s,
	    MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, (void *)s,
	    MHD_OPTION_NOTIFY_COMPLETED, http_completed, (void *)s,
	    MHD_OPTION_END);
	if (s->mhd == NULL) {
		snprintf(err, errlen, "control: libmicrohttpd refused the socket %s",
		    path);
		close(fd);
		http_stop(s);
		return NULL;
	}
	return s;
}

int
http_fd(const struct http_server *s)
{
	const union MHD_DaemonInfo *i;

	i = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	return i ? i->epoll_fd : -1;
}

int
http_port(const struct http_server *s)
{
	const union MHD_DaemonInfo *i;

	i = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
	return i ? (int)i->port : -1;
}

long
http_timeout_ms(const struct http_server *s)
{
	MHD_UNSIGNED_LONG_LONG t;

	if (MHD_get_timeout(s->mhd, &t) != MHD_YES)
		return -1;
	return t > (MHD_UNSIGNED_LONG_LONG)LONG_MAX ? LONG_MAX : (long)t;
}

void
http_run(struct http_server *s)
{
	if (MHD_run(s->mhd) != MHD_YES)
		log_warn("http: MHD_run failed");
}

void
http_stop(struct http_server *s)
{
	if (s == NULL)
		return;
	if (s->mhd)
		MHD_stop_daemon(s->mhd);
	if (s->unix_path[0])
		unlink(s->unix_path);
	sodium_free(s->token_hash);   /* zeroes it (after unprotecting) */
	free(s);
}
