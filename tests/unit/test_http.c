/*
 * tests/unit/test_http.c — the HTTP API server (relay/http/http.c), its metrics
 * rendering (relay/core/metrics.c) and the ntactl client side (client/httpc.c,
 * ntactl events/peers), against a real server on a loopback port chosen by
 * the kernel.
 *
 * The server runs as in the relay: a loop thread polls http_fd() and calls
 * http_run(); the fake handlers run there. The test thread is the client
 * (libcurl easy, blocking).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "client/httpc.h"
#include "client/ntactl.h"
#include "build_config.h"
#include "relay/http/http.h"
#include "relay/core/log.h"
#include "relay/core/loop.h"
#include "relay/core/metrics.h"

#define TOKEN "s3cret-Token_0123456789"

/* ---------------------------------------------------------------- fakes */

static struct metrics fake_metrics;
static struct http_events_query last_query;
static atomic_int fake_healthy = 1;
static atomic_int fake_events_fail;

static bool
fake_healthy_cb(void *ctx, char *why, size_t len)
{
	(void)ctx;
	if (atomic_load(&fake_healthy))
		return true;
	snprintf(why, len, "no link connected");
	return false;
}

static json_t *
fake_events_cb(void *ctx, const struct http_events_query *q)
{
	(void)ctx;
	last_query = *q;
	if (atomic_load(&fake_events_fail))
		return NULL;
	return json_pack("{s:[{s:s,s:s,s:s,s:s,s:i,s:s,s:i,s:i,s:i,s:n,s:{}}]}",
	    "events",
	    "id", "aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44",
	    "kind", "assessment",
	    "origin", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	    "key", "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
	    "seq", 12, "zone", "de.", "ts", 1790000000, "exp", 1790003600,
	    "received_at", 1790000001, "link", "envelope");
}

static json_t *
fake_peers_cb(void *ctx)
{
	(void)ctx;
	return json_pack("{s:[{s:s,s:s,s:s,s:b,s:[{s:s,s:i,s:n,s:[s]}]}]}",
	    "peers",
	    "operator", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	    "name", "Example DNS",
	    "vote", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	    "pinned", 1, "keys",
	    "key", "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
	    "last_heartbeat", 1790000000, "chain_head", "flags", "equivocation");
}

static const struct metrics *
fake_metrics_cb(void *ctx)
{
	(void)ctx;
	return &fake_metrics;
}

static char last_zone[300];
static char last_submit[64];
static char last_body[64];
static atomic_int slash_calls;

static json_t *
fake_zones_cb(void *ctx)
{
	(void)ctx;
	return json_pack("{s:i,s:[]}", "count", 0, "zones");
}

static json_t *
fake_zone_cb(void *ctx, const char *zone)
{
	(void)ctx;
	snprintf(last_zone, sizeof(last_zone), "%s", zone);
	return json_pack("{s:s,s:s}", "zone", zone, "state", "clear");
}

static char *
fake_event_cb(void *ctx, const unsigned char id[KEY_ID_LEN], size_t *len)
{
	(void)ctx;
	if (id[0] != 0xaa)
		return NULL;
	*len = 8;
	return strdup("{\"x\":1}\n");
}

static unsigned
fake_submit_cb(void *ctx, const char *what, const char *body, size_t len,
    json_t **reply)
{
	(void)ctx;
	snprintf(last_submit, sizeof(last_submit), "%s", what);
	snprintf(last_body, sizeof(last_body), "%.*s", (int)len, body);
	*reply = json_pack("{s:s}", "id", "00");
	return 201;
}

static unsigned
fake_slash_cb(void *ctx, const char *body, size_t len, const char *ctype,
    json_t **reply)
{
	(void)ctx;
	(void)body;
	(void)len;
	(void)ctype;
	atomic_fetch_add(&slash_calls, 1);
	*reply = json_pack("{s:s,s:s}", "response_type", "ephemeral", "text", "ok");
	return 200;
}

static const struct http_handlers fake_handlers = {
	.ctx = NULL,
	.healthy = fake_healthy_cb,
	.events = fake_events_cb,
	.peers = fake_peers_cb,
	.metrics = fake_metrics_cb,
	.zones = fake_zones_cb,
	.zone = fake_zone_cb,
	.event = fake_event_cb,
	.submit = fake_submit_cb,
	.slash = fake_slash_cb,
};

/* ---------------------------------------------------------------- server */

struct server {
	struct http_server *s;
	pthread_t thread;
	atomic_int stop;
	char base[64];
};

static void *
server_loop(void *arg)
{
	struct server *sv = arg;
	struct pollfd pfd = { .fd = http_fd(sv->s), .events = POLLIN };

	while (!atomic_load(&sv->stop)) {
		long t = http_timeout_ms(sv->s);
		if (t < 0 || t > 20)
			t = 20;
		(void)poll(&pfd, 1, (int)t);
		http_run(sv->s);
	}
	return NULL;
}

static struct server *
server_start(const char *addr, const char *token)
{
	char err[256] = "";
	struct server *sv = calloc(1, sizeof(*sv));

	assert_non_null(sv);
	sv->s = http_start(addr, 0, token, &fake_handlers, err, sizeof(err));
	if (sv->s == NULL) {
		print_message("http_start(%s): %s\n", addr, err);
		free(sv);
		return NULL;
	}
	assert_true(http_fd(sv->s) >= 0);
	assert_true(http_port(sv->s) > 0);
	snprintf(sv->base, sizeof(sv->base), strchr(addr, ':') ?
	    "http://[%s]:%d" : "http://%s:%d", addr, http_port(sv->s));
	assert_int_equal(pthread_create(&sv->thread, NULL, server_loop, sv), 0);
	return sv;
}

static void
server_stop(struct server *sv)
{
	if (sv == NULL)
		return;
	atomic_store(&sv->stop, 1);
	pthread_join(sv->thread, NULL);
	http_stop(sv->s);
	free(sv);
}

/* ---------------------------------------------------------------- client */

struct reply {
	long status;
	char *body;
	size_t len;
	char headers[8192];
	size_t hlen;
};

static size_t
reply_body(char *p, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;
	char *nb = realloc(r->body, r->len + size * n + 1);

	if (nb == NULL)
		return 0;
	r->body = nb;
	memcpy(r->body + r->len, p, size * n);
	r->len += size * n;
	r->body[r->len] = '\0';
	return size * n;
}

static size_t
reply_header(char *p, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;
	size_t k = size * n;

	if (r->hlen + k < sizeof(r->headers)) {
		memcpy(r->headers + r->hlen, p, k);
		r->hlen += k;
		r->headers[r->hlen] = '\0';
	}
	return k;
}

static void
reply_free(struct reply *r)
{
	free(r->body);
	memset(r, 0, sizeof(*r));
}

static const char *
reply_header_value(const struct reply *r, const char *name, char *out,
    size_t len)
{
	char pat[64];
	const char *p, *e;

	snprintf(pat, sizeof(pat), "\n%s:", name);
	if ((p = strcasestr(r->headers, pat)) == NULL)
		return NULL;
	p += strlen(pat);
	while (*p == ' ')
		p++;
	e = p + strcspn(p, "\r\n");
	snprintf(out, len, "%.*s", (int)(e - p), p);
	return out;
}

static struct server *srv;    /* with TOKEN */

/*
 * One request: method NULL = GET; auth NULL = no Authorization header;
 * body NULL = none; extra an extra header line or NULL.
 */
static void
request(struct reply *r, const char *method, const char *path,
    const char *auth, const char *body, const char *extra)
{
	struct curl_slist *hs = NULL;
	char url[32768], line[512];
	CURL *c = curl_easy_init();

	memset(r, 0, sizeof(*r));
	assert_non_null(c);
	snprintf(url, sizeof(url), "%s%s", srv->base, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, reply_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, reply_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		hs = curl_slist_append(hs, "Expect:");
	}
	if (method && strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (method)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (auth) {
		snprintf(line, sizeof(line), "Authorization: %s", auth);
		hs = curl_slist_append(hs, line);
	}
	if (extra)
		hs = curl_slist_append(hs, extra);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(hs);
	curl_easy_cleanup(c);
}

static void
get(struct reply *r, const char *path, bool with_token)
{
	request(r, NULL, path, with_token ? "Bearer " TOKEN : NULL, NULL, NULL);
}

/* The body is {"error":name,"message":...} containing needle (if set). */
static void
assert_error(const struct reply *r, long status, const char *name,
    const char *needle)
{
	char v[128];
	json_t *j;

	if (r->status != status)
		print_message("status %ld, body %s\n", r->status, r->body);
	assert_int_equal(r->status, status);
	assert_non_null(reply_header_value(r, "Content-Type", v, sizeof(v)));
	assert_string_equal(v, "application/json");
	assert_non_null(r->body);
	j = json_loads(r->body, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "error")), name);
	assert_non_null(json_string_value(json_object_get(j, "message")));
	if (needle && strstr(json_string_value(json_object_get(j, "message")),
	    needle) == NULL) {
		print_message("message '%s' lacks '%s'\n",
		    json_string_value(json_object_get(j, "message")), needle);
		fail();
	}
	json_decref(j);
}

static void
assert_common_headers(const struct reply *r)
{
	char v[128];

	assert_non_null(reply_header_value(r, "Cache-Control", v, sizeof(v)));
	assert_string_equal(v, "no-store");
	assert_non_null(reply_header_value(r, "X-Content-Type-Options", v,
	    sizeof(v)));
	assert_string_equal(v, "nosniff");
}

/* ---------------------------------------------------------------- tests */

static void
test_healthz(void **state)
{
	struct reply r;
	char v[128];

	get(&r, "/healthz", false);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "ok\n");
	assert_non_null(reply_header_value(&r, "Content-Type", v, sizeof(v)));
	assert_string_equal(v, "text/plain; charset=utf-8");
	assert_common_headers(&r);
	reply_free(&r);

	atomic_store(&fake_healthy, 0);
	get(&r, "/healthz", false);
	atomic_store(&fake_healthy, 1);
	assert_error(&r, 503, "unhealthy", "no link connected");
	assert_common_headers(&r);
	reply_free(&r);

	request(&r, "HEAD", "/healthz", NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_null(r.body);
	reply_free(&r);
}

static void
test_events(void **state)
{
	struct reply r;
	json_t *j;

	memset(&last_query, 0, sizeof(last_query));
	get(&r, "/v1/events", true);
	assert_int_equal(r.status, 200);
	assert_common_headers(&r);
	j = json_loads(r.body, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 1);
	assert_true(strncmp(r.body, "{\"count\":1,\"events\":[", 20) == 0);
	assert_int_equal(json_array_size(json_object_get(j, "events")), 1);
	json_decref(j);
	assert_string_equal(last_query.zone, "");
	assert_int_equal(last_query.kind, KIND__COUNT);
	assert_int_equal(last_query.since, 0);
	assert_int_equal(last_query.limit, HTTP_EVENTS_LIMIT_DEFAULT);
	reply_free(&r);

	get(&r, "/v1/events?zone=Example.DE&kind=assessment&since=1790000000"
	    "&limit=1000", true);
	assert_int_equal(r.status, 200);
	assert_string_equal(last_query.zone, "example.de.");
	assert_int_equal(last_query.kind, KIND_ASSESSMENT);
	assert_int_equal(last_query.since, 1790000000LL);
	assert_int_equal(last_query.limit, 1000);
	reply_free(&r);

	get(&r, "/v1/events?zone=.&since=0&limit=1", true);
	assert_int_equal(r.status, 200);
	assert_string_equal(last_query.zone, ".");
	assert_int_equal(last_query.limit, 1);
	reply_free(&r);

	atomic_store(&fake_events_fail, 1);
	get(&r, "/v1/events", true);
	atomic_store(&fake_events_fail, 0);
	assert_error(&r, 500, "internal", NULL);
	reply_free(&r);
}

static void
test_events_bad_params(void **state)
{
	static const struct {
		const char *query, *needle;
	} cases[] = {
		{ "zone=a..b", "'zone'" },
		{ "zone=", "'zone'" },
		{ "zone", "'zone'" },
		{ "kind=gossip", "'kind'" },
		{ "kind=Assessment", "'kind'" },
		{ "limit=0", "'limit'" },
		{ "limit=1001", "'limit'" },
		{ "limit=01", "'limit'" },
		{ "limit=%2B5", "'limit'" },
		{ "limit=5%20", "'limit'" },
		{ "since=-1", "'since'" },
		{ "since=abc", "'since'" },
		{ "since=1e9", "'since'" },
		{ "since=99999999999999999999999", "'since'" },
		{ "since=253402300800", "'since'" },
		{ "foo=1", "'foo'" },
		{ "zone=de&zone=nl", "'zone'" },
		{ "limit=5&bogus", "'bogus'" },
	};
	struct reply r;
	char path[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), "/v1/events?%s", cases[i].query);
		get(&r, path, true);
		assert_error(&r, 400, "bad_request", cases[i].needle);
		reply_free(&r);
	}
	get(&r, "/v1/peers?zone=de.", true);
	assert_error(&r, 400, "bad_request", "'zone'");
	reply_free(&r);
	get(&r, "/metrics?x=1", true);
	assert_error(&r, 400, "bad_request", "'x'");
	reply_free(&r);
}

static void
test_peers(void **state)
{
	struct reply r;
	json_t *j;

	get(&r, "/v1/peers", true);
	assert_int_equal(r.status, 200);
	assert_common_headers(&r);
	j = json_loads(r.body, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_array_size(json_object_get(j, "peers")), 1);
	json_decref(j);
	reply_free(&r);
}

static void
test_metrics_http(void **state)
{
	struct reply r;
	char v[128], line[256];

	fake_metrics.rejected[PROTO_E_BAD_SIGNATURE] = 7;
	fake_metrics.accepted[KIND_HEARTBEAT] = 3;
	get(&r, "/metrics", true);
	assert_int_equal(r.status, 200);
	assert_common_headers(&r);
	assert_non_null(reply_header_value(&r, "Content-Type", v, sizeof(v)));
	assert_string_equal(v, "text/plain; version=0.0.4; charset=utf-8");
	assert_non_null(strstr(r.body,
	    "# TYPE ntarelay_events_rejected_total counter\n"));
	assert_non_null(strstr(r.body,
	    "ntarelay_events_rejected_total{reason=\"bad_signature\"} 7\n"));
	assert_non_null(strstr(r.body,
	    "ntarelay_events_accepted_total{kind=\"heartbeat\"} 3\n"));
	for (int e = PROTO_OK + 1; e < PROTO_E__COUNT; e++) {
		snprintf(line, sizeof(line),
		    "ntarelay_events_rejected_total{reason=\"%s\"} ",
		    proto_errname((enum proto_err)e));
		assert_non_null(strstr(r.body, line));
	}
	assert_null(strstr(r.body, "reason=\"ok\""));
	reply_free(&r);
}

static void
test_not_found_and_method(void **state)
{
	struct reply r;
	char v[64];

	get(&r, "/nope", true);
	assert_error(&r, 404, "not_found", "/nope");
	assert_common_headers(&r);
	reply_free(&r);
	get(&r, "/v1/events/", true);
	assert_error(&r, 400, "bad_id", NULL);
	reply_free(&r);
	get(&r, "/v1/eventsX", true);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	get(&r, "/", false);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);

	request(&r, "DELETE", "/v1/events", "Bearer " TOKEN, NULL, NULL);
	assert_error(&r, 405, "method_not_allowed", NULL);
	assert_non_null(reply_header_value(&r, "Allow", v, sizeof(v)));
	assert_string_equal(v, "GET, HEAD");
	reply_free(&r);
	request(&r, "PUT", "/healthz", NULL, NULL, NULL);
	assert_error(&r, 405, "method_not_allowed", NULL);
	reply_free(&r);
}

/* /v1/zones, /v1/zones/{zone}, /v1/events/{id}: arguments checked
 * before a handler sees them. */
static void
test_zone_routes(void **state)
{
	static const char *const bad[] = {
		"/v1/zones/", "/v1/zones/a..b", "/v1/zones/a%2Fb", "/v1/zones/de/x",
		"/v1/zones/%20", "/v1/zones/"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	};
	struct reply r;

	(void)state;
	get(&r, "/v1/zones", true);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"zones\""));
	reply_free(&r);
	get(&r, "/v1/zones", false);
	assert_error(&r, 401, "unauthorized", NULL);
	reply_free(&r);
	get(&r, "/v1/zones/DE", false);
	assert_error(&r, 401, "unauthorized", NULL);
	reply_free(&r);
	get(&r, "/v1/zones/DE", true);
	assert_int_equal(r.status, 200);
	assert_string_equal(last_zone, "de.");
	reply_free(&r);
	get(&r, "/v1/zones/example.com.", true);
	assert_int_equal(r.status, 200);
	assert_string_equal(last_zone, "example.com.");
	reply_free(&r);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		last_zone[0] = '\0';
		get(&r, bad[i], true);
		assert_error(&r, 400, "bad_zone", NULL);
		assert_string_equal(last_zone, "");
		reply_free(&r);
	}
	get(&r, "/v1/zones/de?x=1", true);
	assert_error(&r, 400, "bad_request", NULL);
	reply_free(&r);
}

/*
 * Zone names in URLs, one rule (docs/API.md §3.1): upper case and a
 * missing final dot are canonicalised; a NUL or any byte not valid in a
 * zone name is a 400 naming the problem, and the handler never sees it.
 * A NUL must not end the name early: "lim.example.%00x" is not
 * "lim.example.".
 */
static void
test_zone_names_in_urls(void **state)
{
	static const struct {
		const char *path, *error, *needle;
	} bad[] = {
		{ "/v1/zones/lim.example.%00x", "bad_zone", "NUL byte" },
		{ "/v1/zones/lim.example.%00", "bad_zone", "NUL byte" },
		{ "/v1/zones/%00", "bad_zone", "NUL byte" },
		{ "/v1/zones/lim%00.example.", "bad_zone", "NUL byte" },
		{ "/v1/zones/lim.example%2e%00", "bad_zone", "NUL byte" },
		{ "/v1/zones/l%C3%A9.example.", "bad_zone", "a-z 0-9" },
		{ "/v1/zones/lim.example.%0A", "bad_zone", "a-z 0-9" },
		{ "/v1/zones/lim%09example.", "bad_zone", "a-z 0-9" },
		{ "/v1/zones/lim.example..", "bad_zone", "empty label" },
		{ "/v1/events?zone=lim.example.%00x", "bad_request", "NUL byte" },
		{ "/v1/events?kind=assessment%00x", "bad_request", "NUL byte" },
		{ "/v1/events?zone=l%C3%A9.example.", "bad_request", "a-z 0-9" },
		{ "/v1/events/%00", "bad_request", "NUL byte" },
		{ "/healthz?%00", "bad_request", "NUL byte" },
	};
	static const struct {
		const char *path, *zone;
	} good[] = {
		{ "/v1/zones/lim.example.", "lim.example." },
		{ "/v1/zones/lim.example", "lim.example." },
		{ "/v1/zones/LIM.Example", "lim.example." },
		{ "/v1/zones/LIM.EXAMPLE.", "lim.example." },
		{ "/v1/zones/%4Cim.example", "lim.example." },
		{ "/v1/zones/%2E", "." },   /* curl would drop a bare "." */
	};
	struct reply r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		last_zone[0] = '\0';
		memset(&last_query, 0xa5, sizeof(last_query));
		get(&r, bad[i].path, true);
		assert_error(&r, 400, bad[i].error, bad[i].needle);
		assert_string_equal(last_zone, "");
		reply_free(&r);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		last_zone[0] = '\0';
		get(&r, good[i].path, true);
		if (r.status != 200)
			print_message("%s: %s\n", good[i].path, r.body);
		assert_int_equal(r.status, 200);
		assert_string_equal(last_zone, good[i].zone);
		reply_free(&r);
	}
	/* the same rule for the events' zone parameter */
	get(&r, "/v1/events?zone=LIM.Example", true);
	assert_int_equal(r.status, 200);
	assert_string_equal(last_query.zone, "lim.example.");
	reply_free(&r);
	/* the envelopes are public: anyone may verify them */
	get(&r, "/v1/events/aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44",
	    false);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "{\"x\":1}\n");
	reply_free(&r);
	get(&r, "/v1/events/bb11bb22cc33dd44ee55ff66aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44",
	    false);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	get(&r, "/v1/events/AA11BB22CC33DD44EE55FF66AA11BB22CC33DD44EE55FF66AA11BB22CC33DD44",
	    false);
	assert_error(&r, 400, "bad_id", NULL);
	reply_free(&r);
	get(&r, "/v1/events/aa11", false);
	assert_error(&r, 400, "bad_id", NULL);
	reply_free(&r);
}

/* POST routes: submissions never on the TCP API; bodies bounded. */
static void
test_post_routes(void **state)
{
	static char big[HTTP_SLASH_MAX + 100];
	struct reply r;
	char v[64];

	(void)state;
	request(&r, "POST", "/v1/submit/assessment", "Bearer " TOKEN, "{}", NULL);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	assert_string_equal(last_submit, "");
	request(&r, NULL, "/v1/mattermost/slash", NULL, NULL, NULL);
	assert_error(&r, 405, "method_not_allowed", NULL);
	assert_non_null(reply_header_value(&r, "Allow", v, sizeof(v)));
	assert_string_equal(v, "POST");
	reply_free(&r);
	memset(big, 'a', sizeof(big) - 1);
	request(&r, "POST", "/v1/mattermost/slash", NULL, big, NULL);
	assert_error(&r, 413, "content_too_large", NULL);
	reply_free(&r);
	assert_int_equal(atomic_load(&slash_calls), 0);
	request(&r, "POST", "/v1/mattermost/slash", NULL, "token=x&text=help", NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(atomic_load(&slash_calls), 1);
	reply_free(&r);
}

static void *
unix_loop(void *arg)
{
	struct server *sv = arg;
	struct pollfd pfd = { .fd = http_fd(sv->s), .events = POLLIN };

	while (!atomic_load(&sv->stop)) {
		(void)poll(&pfd, 1, 20);
		http_run(sv->s);
	}
	return NULL;
}

/* The control socket: mode 0660, the API without a token, submissions. */
static void
test_control_socket(void **state)
{
	char dir[] = "/tmp/ntarelay-test.httpXXXXXX", path[128], err[256];
	struct server sv = { 0 };
	struct stat st;
	struct reply r;
	CURL *c;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/control.sock", dir);
	/* anything but a socket at the path is not ours to replace */
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	assert_null(http_start_unix(path, &fake_handlers, err, sizeof(err)));
	assert_non_null(strstr(err, "not a socket"));
	unlink(path);
	sv.s = http_start_unix(path, &fake_handlers, err, sizeof(err));
	assert_non_null(sv.s);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660);
	assert_int_equal(pthread_create(&sv.thread, NULL, unix_loop, &sv), 0);
	/* a second server on a live socket is refused */
	assert_null(http_start_unix(path, &fake_handlers, err, sizeof(err)));
	assert_non_null(strstr(err, "in use"));

	for (int i = 0; i < 5; i++) {
		static const char *const paths[] = { "/v1/zones",
		    "/v1/submit/assessment", "/v1/submit/no-such",
		    "/v1/submit/assessment%00x", "/v1/zones/lim.example.%00x" };
		memset(&r, 0, sizeof(r));
		c = curl_easy_init();
		curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, path);
		snprintf(err, sizeof(err), "http://localhost%s", paths[i]);
		curl_easy_setopt(c, CURLOPT_URL, err);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, reply_body);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
		if (i > 0 && i < 4)
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{\"zone\":\"de.\"}");
		last_submit[0] = '\0';
		assert_int_equal(curl_easy_perform(c), CURLE_OK);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
		curl_easy_cleanup(c);
		if (i == 0)
			assert_int_equal(r.status, 200);    /* no token needed */
		else if (i == 1) {
			assert_int_equal(r.status, 201);
			assert_string_equal(last_submit, "assessment");
			assert_string_equal(last_body, "{\"zone\":\"de.\"}");
		} else if (i == 2)
			assert_int_equal(r.status, 404);
		else {
			/* a NUL in the URL: refused before any handler */
			assert_int_equal(r.status, 400);
			assert_non_null(strstr(r.body, "NUL byte"));
			assert_string_equal(last_submit, "");
		}
		reply_free(&r);
	}
	atomic_store(&sv.stop, 1);
	pthread_join(sv.thread, NULL);
	http_stop(sv.s);
	assert_int_not_equal(stat(path, &st), 0);   /* removed at stop */
	rmdir(dir);
}

static void
test_token(void **state)
{
	struct reply r;
	char v[128];
	static const char *const wrong[] = {
		"Bearer wrong", "Bearer " TOKEN "x", "Bearer s3cret",
		"Basic " TOKEN, "Bearer", "Bearer ", "Bearer" TOKEN,
		"Bearer  " TOKEN " x",
	};

	request(&r, NULL, "/v1/events", NULL, NULL, NULL);
	assert_error(&r, 401, "unauthorized", NULL);
	assert_non_null(reply_header_value(&r, "WWW-Authenticate", v, sizeof(v)));
	assert_true(strncmp(v, "Bearer", 6) == 0);
	assert_common_headers(&r);
	reply_free(&r);

	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		request(&r, NULL, "/metrics", wrong[i], NULL, NULL);
		assert_error(&r, 401, "unauthorized", NULL);
		assert_non_null(reply_header_value(&r, "WWW-Authenticate", v,
		    sizeof(v)));
		reply_free(&r);
	}
	request(&r, NULL, "/v1/peers", NULL, NULL, NULL);
	assert_error(&r, 401, "unauthorized", NULL);
	reply_free(&r);

	/* The scheme is case-insensitive. */
	request(&r, NULL, "/v1/peers", "bearer " TOKEN, NULL, NULL);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	/* /healthz never needs it. */
	request(&r, NULL, "/healthz", "Bearer wrong", NULL, NULL);
	assert_int_equal(r.status, 200);
	reply_free(&r);
}

static void
test_no_token_server(void **state)
{
	struct server *saved = srv, *open_srv = server_start("127.0.0.1", NULL);
	struct reply r;

	assert_non_null(open_srv);
	srv = open_srv;
	get(&r, "/v1/peers", false);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	srv = saved;
	server_stop(open_srv);
}

static void
test_ipv6(void **state)
{
	struct server *saved = srv, *v6 = server_start("::1", TOKEN);
	struct reply r;

	if (v6 == NULL)
		skip();   /* no IPv6 loopback here */
	srv = v6;
	get(&r, "/healthz", false);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	srv = saved;
	server_stop(v6);
}

static void
test_body_refused(void **state)
{
	struct reply r;

	request(&r, "POST", "/v1/events", "Bearer " TOKEN, "x", NULL);
	assert_error(&r, 413, "content_too_large", NULL);
	reply_free(&r);
	request(&r, "GET", "/v1/events", "Bearer " TOKEN, "{\"a\":1}", NULL);
	assert_error(&r, 413, "content_too_large", NULL);
	reply_free(&r);
	request(&r, "GET", "/healthz", NULL, NULL, "Transfer-Encoding: chunked");
	assert_int_equal(r.status, 413);
	reply_free(&r);
	/* Content-Length: 0 is no body. */
	request(&r, "GET", "/healthz", NULL, NULL, "Content-Length: 0");
	assert_int_equal(r.status, 200);
	reply_free(&r);
}

static void
test_limits(void **state)
{
	static char path[20000], header[20000];
	struct reply r;

	/* A URL just over our 2048 bytes: our JSON 414. */
	snprintf(path, sizeof(path), "/v1/events?zone=");
	memset(path + strlen(path), 'a', 2100);
	path[16 + 2100] = '\0';
	get(&r, path, true);
	assert_error(&r, 414, "uri_too_long", "2048");
	reply_free(&r);

	/* Exactly 2048 is fine (the zone is then refused as a name). */
	snprintf(path, sizeof(path), "/v1/events?zone=");
	memset(path + strlen(path), 'a', 2048 - 16);
	path[2048] = '\0';
	get(&r, path, true);
	assert_error(&r, 400, "bad_request", "'zone'");
	reply_free(&r);

	/* Beyond the connection's memory: libmicrohttpd's own 414. */
	snprintf(path, sizeof(path), "/v1/events?zone=");
	memset(path + strlen(path), 'a', sizeof(path) - 100);
	path[sizeof(path) - 100] = '\0';
	get(&r, path, true);
	assert_int_equal(r.status, 414);
	reply_free(&r);

	/* Headers beyond it: 431. */
	snprintf(header, sizeof(header), "X-Big: ");
	memset(header + 7, 'b', sizeof(header) - 8);
	header[sizeof(header) - 1] = '\0';
	request(&r, NULL, "/healthz", NULL, NULL, header);
	assert_int_equal(r.status, 431);
	reply_free(&r);

	/* And the server still serves. */
	get(&r, "/healthz", false);
	assert_int_equal(r.status, 200);
	reply_free(&r);
}

static void
test_start_errors(void **state)
{
	char err[256] = "";

	assert_null(http_start("localhost", 0, NULL, &fake_handlers, err,
	    sizeof(err)));
	assert_non_null(strstr(err, "localhost"));
	assert_null(http_start("127.0.0.1", 70000, NULL, &fake_handlers, err,
	    sizeof(err)));
	assert_null(http_start("127.0.0.1", 0, "", &fake_handlers, err,
	    sizeof(err)));
	assert_non_null(strstr(err, "empty"));
	/* The port is taken. */
	assert_null(http_start("127.0.0.1", http_port(srv->s), NULL,
	    &fake_handlers, err, sizeof(err)));
	http_stop(NULL);
}

static void
test_metrics_render(void **state)
{
	struct metrics m;
	struct buf b = { 0 };
	char line[256];

	memset(&m, 0, sizeof(m));
	m.nlinks = 2;
	snprintf(m.links[0].name, sizeof(m.links[0].name), "mqtt://127.0.0.1:1883");
	m.links[0].up = 1;
	m.links[0].connects = 2;
	m.links[0].outbox = 5;
	snprintf(m.links[1].name, sizeof(m.links[1].name), "a\"b\\c\nd");
	m.started = 1790000000;
	m.duplicates = 4;
	m.stored_events = 99;
	metrics_render(&m, &b);
	assert_false(b.failed);
	assert_non_null(b.data);
	assert_non_null(strstr(b.data,
	    "ntarelay_link_up{link=\"mqtt://127.0.0.1:1883\"} 1\n"));
	assert_non_null(strstr(b.data,
	    "ntarelay_link_connects_total{link=\"mqtt://127.0.0.1:1883\"} 2\n"));
	assert_non_null(strstr(b.data,
	    "ntarelay_link_outbox{link=\"mqtt://127.0.0.1:1883\"} 5\n"));
	assert_non_null(strstr(b.data,
	    "ntarelay_link_up{link=\"a\\\"b\\\\c\\nd\"} 0\n"));
	assert_non_null(strstr(b.data, "ntarelay_events_duplicate_total 4\n"));
	assert_non_null(strstr(b.data, "# TYPE ntarelay_store_events gauge\n"));
	assert_non_null(strstr(b.data, "ntarelay_store_events 99\n"));
	assert_non_null(strstr(b.data,
	    "ntarelay_start_time_seconds 1790000000\n"));
	for (int k = 0; k < KIND__COUNT; k++) {
		snprintf(line, sizeof(line),
		    "ntarelay_events_accepted_total{kind=\"%s\"} 0\n",
		    kind_name((enum kind)k));
		assert_non_null(strstr(b.data, line));
	}
	for (int e = PROTO_OK + 1; e < PROTO_E__COUNT; e++) {
		snprintf(line, sizeof(line),
		    "ntarelay_events_rejected_total{reason=\"%s\"} 0\n",
		    proto_errname((enum proto_err)e));
		assert_non_null(strstr(b.data, line));
	}
	/* Every family has HELP and TYPE, each exactly once. */
	static const char *const fams[] = {
		"ntarelay_events_accepted_total", "ntarelay_events_rejected_total",
		"ntarelay_events_duplicate_total", "ntarelay_events_forwarded_total",
		"ntarelay_seq_gaps_total", "ntarelay_equivocations_total",
		"ntarelay_own_events_total", "ntarelay_store_events",
		"ntarelay_link_up", "ntarelay_link_connects_total",
		"ntarelay_link_received_total", "ntarelay_link_published_total",
		"ntarelay_link_outbox", "ntarelay_start_time_seconds",
	};
	for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		const char *p;
		snprintf(line, sizeof(line), "# HELP %s ", fams[i]);
		assert_non_null(p = strstr(b.data, line));
		assert_null(strstr(p + 1, line));
		snprintf(line, sizeof(line), "# TYPE %s ", fams[i]);
		assert_non_null(strstr(b.data, line));
	}
	buf_free(&b);
	buf_free(NULL);
}

/* A collector as the quorum engine's: one state set per zone. */
static void
fake_collect(void *ctx, struct buf *out)
{
	static const char *const states[] = { "clear", "nta_recommended" };

	metrics_family(out, "ntarelay_zone_state", "gauge", "Zone states.");
	metrics_state_set(out, "ntarelay_zone_state", "zone", ctx, states, 2,
	    "nta_recommended");
	metrics_sample(out, "ntarelay_vouch_expiry_seconds", "operator", "ab",
	    -5);
}

static void
test_metrics_families(void **state)
{
	struct metrics m;
	struct buf b = { 0 };
	char zone[] = "d\"e.";

	(void)state;
	memset(&m, 0, sizeof(m));
	m.version = PACKAGE_VERSION;
	metrics_probe_observe(&m, 0.07);    /* 0.1 */
	metrics_probe_observe(&m, 0.1);     /* 0.1: le is inclusive */
	metrics_probe_observe(&m, -1);      /* 0.05, as 0 */
	metrics_probe_observe(&m, 100);     /* +Inf only */
	assert_int_equal(metrics_collector_add(&m, fake_collect, zone), 0);
	metrics_render(&m, &b);
	assert_false(b.failed);
	assert_non_null(strstr(b.data, "ntarelay_build_info{version=\"" PACKAGE_VERSION
	    "\",protocol=\"v1\"} 1\n"));
	assert_non_null(strstr(b.data, "ntarelay_probe_rounds_total 4\n"));
	assert_non_null(strstr(b.data,
	    "# TYPE ntarelay_probe_duration_seconds histogram\n"));
	assert_non_null(strstr(b.data,
	    "ntarelay_probe_duration_seconds_bucket{le=\"0.05\"} 1\n"));
	assert_non_null(strstr(b.data,
	    "ntarelay_probe_duration_seconds_bucket{le=\"0.1\"} 3\n"));
	assert_non_null(strstr(b.data,
	    "ntarelay_probe_duration_seconds_bucket{le=\"30\"} 3\n"));
	assert_non_null(strstr(b.data,
	    "ntarelay_probe_duration_seconds_bucket{le=\"+Inf\"} 4\n"));
	assert_non_null(strstr(b.data, "ntarelay_probe_duration_seconds_count 4\n"));
	assert_non_null(strstr(b.data,
	    "ntarelay_probe_duration_seconds_sum 100.170000\n"));
	assert_non_null(strstr(b.data,
	    "ntarelay_zone_state{zone=\"d\\\"e.\",state=\"clear\"} 0\n"
	    "ntarelay_zone_state{zone=\"d\\\"e.\",state=\"nta_recommended\"} 1\n"));
	assert_non_null(strstr(b.data,
	    "ntarelay_vouch_expiry_seconds{operator=\"ab\"} -5\n"));
	buf_free(&b);

	/* removed: no longer rendered; the table has a limit */
	metrics_collector_del(&m, fake_collect, zone);
	metrics_collector_del(&m, fake_collect, zone);
	memset(&b, 0, sizeof(b));
	metrics_render(&m, &b);
	assert_null(strstr(b.data, "ntarelay_zone_state"));
	buf_free(&b);
	for (int i = 0; i < METRICS_COLLECTORS_MAX; i++)
		assert_int_equal(metrics_collector_add(&m, fake_collect, zone), 0);
	assert_int_equal(metrics_collector_add(&m, fake_collect, zone), -1);
}

static void
test_httpc_build_url(void **state)
{
	const struct httpc_param p[] = {
		{ "zone", "de." }, { "kind", NULL }, { "since", "0" },
		{ "note", "a b&c=d/é" },
	};
	char err[256];
	char *u;

	u = httpc_build_url("http://127.0.0.1:8053", "/v1/events", p, 4, err,
	    sizeof(err));
	assert_non_null(u);
	assert_string_equal(u, "http://127.0.0.1:8053/v1/events?zone=de.&since=0"
	    "&note=a%20b%26c%3Dd%2F%C3%A9");
	free(u);
	u = httpc_build_url("https://relay.example/api//", "v1/peers", NULL, 0,
	    err, sizeof(err));
	assert_non_null(u);
	assert_string_equal(u, "https://relay.example/api/v1/peers");
	free(u);
	u = httpc_build_url("http://[::1]:8053/", "/healthz", p, 0, err,
	    sizeof(err));
	assert_string_equal(u, "http://[::1]:8053/healthz");
	free(u);
	assert_null(httpc_build_url("ftp://x", "/", NULL, 0, err, sizeof(err)));
	assert_null(httpc_build_url("127.0.0.1:8053", "/", NULL, 0, err,
	    sizeof(err)));
	assert_null(httpc_build_url("http://", "/", NULL, 0, err, sizeof(err)));
	assert_null(httpc_build_url("http://user:pw@host", "/", NULL, 0, err,
	    sizeof(err)));
	assert_null(strstr(err, "pw"));
	assert_null(httpc_build_url("http://host/?a=1", "/", NULL, 0, err,
	    sizeof(err)));
}

/* Run a command with stdout and stderr sent to /dev/null. */
static int
run_quiet(int (*fn)(int, char **), int argc, char **argv)
{
	int out = dup(1), errfd = dup(2), null = open("/dev/null", O_WRONLY);
	int rc;

	fflush(stdout);
	fflush(stderr);
	dup2(null, 1);
	dup2(null, 2);
	rc = fn(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(out, 1);
	dup2(errfd, 2);
	close(out);
	close(errfd);
	close(null);
	return rc;
}

static int
closed_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

static void
test_httpc_token(void **state)
{
	char path[] = "/tmp/test_http_tokenXXXXXX", err[256];
	char *tok = NULL;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "  " TOKEN "\n", strlen(TOKEN) + 3),
	    (ssize_t)strlen(TOKEN) + 3);
	close(fd);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(httpc_token_load(path, &tok, err, sizeof(err)), 0);
	assert_string_equal(tok, TOKEN);
	httpc_token_free(tok);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(httpc_token_load(path, &tok, err, sizeof(err)), -1);
	assert_null(strstr(err, TOKEN));
	unlink(path);
	assert_int_equal(httpc_token_load(path, &tok, err, sizeof(err)), -1);

	setenv(HTTPC_TOKEN_ENV, "from-env", 1);
	assert_int_equal(httpc_token_load(NULL, &tok, err, sizeof(err)), 0);
	assert_string_equal(tok, "from-env");
	httpc_token_free(tok);
	setenv(HTTPC_TOKEN_ENV, "two words", 1);
	assert_int_equal(httpc_token_load(NULL, &tok, err, sizeof(err)), -1);
	assert_null(strstr(err, "words"));
	unsetenv(HTTPC_TOKEN_ENV);
	assert_int_equal(httpc_token_load(NULL, &tok, err, sizeof(err)), 0);
	assert_null(tok);
	httpc_token_free(NULL);
}

static void
test_httpc_get(void **state)
{
	struct httpc_response r;
	char url[128], err[256], text[256];

	snprintf(url, sizeof(url), "%s/v1/peers", srv->base);
	assert_int_equal(httpc_get(url, TOKEN, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"peers\""));
	httpc_response_free(&r);

	assert_int_equal(httpc_get(url, "nope", &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, 401);
	httpc_error_text(&r, text, sizeof(text));
	assert_string_equal(text, "unauthorized: the token is not valid");
	httpc_response_free(&r);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", closed_port());
	assert_int_equal(httpc_get(url, NULL, &r, err, sizeof(err)), -1);
	assert_true(err[0] != '\0');
	httpc_response_free(&r);
}

static void
test_cmds(void **state)
{
	char path[] = "/tmp/test_http_tokenXXXXXX", closed[64];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, TOKEN "\n", strlen(TOKEN) + 1),
	    (ssize_t)strlen(TOKEN) + 1);
	close(fd);
	assert_int_equal(chmod(path, 0600), 0);
	snprintf(closed, sizeof(closed), "http://127.0.0.1:%d", closed_port());
	unsetenv(HTTPC_TOKEN_ENV);

	{
		char *a[] = { "events", "--relay", srv->base, "--token-file", path,
		    "--zone", "DE", "--kind", "assessment", "--since", "1h",
		    "--limit", "5", NULL };
		assert_int_equal(run_quiet(cmd_events, 13, a), 0);
		assert_string_equal(last_query.zone, "de.");
		assert_int_equal(last_query.kind, KIND_ASSESSMENT);
		assert_int_equal(last_query.limit, 5);
		assert_true(last_query.since > 1700000000LL);
	}
	{
		char *a[] = { "events", "--relay", srv->base, "--token-file", path,
		    "--json", NULL };
		assert_int_equal(run_quiet(cmd_events, 6, a), 0);
	}
	{
		char *a[] = { "events", "--relay", srv->base, NULL };
		assert_int_equal(run_quiet(cmd_events, 3, a), 1);   /* 401 */
	}
	{
		char *a[] = { "events", "--relay", closed, NULL };
		assert_int_equal(run_quiet(cmd_events, 3, a), 2);
	}
	{
		char *a[] = { "events", "--limit", "0", NULL };
		assert_int_equal(run_quiet(cmd_events, 3, a), 2);
	}
	{
		char *a[] = { "events", "--zone", "a..b", NULL };
		assert_int_equal(run_quiet(cmd_events, 3, a), 2);
	}
	{
		char *a[] = { "events", "--since", "yesterday", NULL };
		assert_int_equal(run_quiet(cmd_events, 3, a), 2);
	}
	{
		char *a[] = { "events", "--help", NULL };
		assert_int_equal(run_quiet(cmd_events, 2, a), 0);
	}
	{
		char *a[] = { "peers", "--relay", srv->base, "--token-file", path,
		    NULL };
		assert_int_equal(run_quiet(cmd_peers, 5, a), 0);
	}
	{
		char *a[] = { "peers", "--relay", srv->base, "--token-file", path,
		    "--json", NULL };
		assert_int_equal(run_quiet(cmd_peers, 6, a), 0);
	}
	{
		char *a[] = { "peers", "--relay", srv->base, NULL };
		assert_int_equal(run_quiet(cmd_peers, 3, a), 1);
	}
	{
		char *a[] = { "peers", "--relay", closed, NULL };
		assert_int_equal(run_quiet(cmd_peers, 3, a), 2);
	}
	{
		char *a[] = { "peers", "extra", NULL };
		assert_int_equal(run_quiet(cmd_peers, 2, a), 2);
	}
	unlink(path);
}

static int
group_setup(void **state)
{
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return -1;
	log_init("test_http", false, LOG_LVL_ERR);
	srv = server_start("127.0.0.1", TOKEN);
	return srv ? 0 : -1;
}

static int
group_teardown(void **state)
{
	server_stop(srv);
	srv = NULL;
	curl_global_cleanup();
	return 0;
}

/* ---------------------------------------------------------------- the loop */

/*
 * http_attach(): the server lives in the relay's loop, woken by its
 * descriptor and by libmicrohttpd's own timeout only. Once settled, an
 * idle server does not wake the loop: in the idle 0.6 s below a polling
 * tick every 250 ms would wake it 2 or 3 times; the loop's own longest
 * sleep (1 s, relay/core/loop.c) may wake it once. And a request is
 * served.
 */
struct attach_test {
	struct loop *loop;
	int pipe[2];
	atomic_int wakeups;        /* loop iterations (prepare hook calls) */
	atomic_int idle_wakeups;   /* of them, in 0.6 s of idleness */
	long status;
	char url[64];
};

static void
attach_count(void *arg)
{
	struct attach_test *t = arg;

	atomic_fetch_add(&t->wakeups, 1);
}

static void
attach_stop(void *arg, int fd, short revents)
{
	struct attach_test *t = arg;

	(void)fd;
	(void)revents;
	loop_stop(t->loop);
}

static void *
attach_client(void *arg)
{
	struct attach_test *t = arg;
	CURL *c;
	int settled;

	usleep(600 * 1000);
	settled = atomic_load(&t->wakeups);
	usleep(600 * 1000);
	atomic_store(&t->idle_wakeups, atomic_load(&t->wakeups) - settled);
	if ((c = curl_easy_init()) != NULL) {
		curl_easy_setopt(c, CURLOPT_URL, t->url);
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
		if (curl_easy_perform(c) == CURLE_OK)
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &t->status);
		curl_easy_cleanup(c);
	}
	if (write(t->pipe[1], "x", 1) != 1)
		abort();
	return NULL;
}

static void
test_attach(void **state)
{
	struct attach_test t = { 0 };
	struct http_handlers h = { 0 };     /* always healthy */
	struct http_server *s;
	pthread_t client;
	char err[256];

	(void)state;
	assert_non_null(t.loop = loop_new());
	assert_int_equal(pipe(t.pipe), 0);
	assert_non_null(s = http_start("127.0.0.1", 0, NULL, &h, err,
	    sizeof(err)));
	assert_int_equal(http_attach(s, t.loop), 0);
	assert_int_equal(loop_prepare_add(t.loop, attach_count, &t), 0);
	assert_int_equal(loop_fd_add(t.loop, t.pipe[0], POLLIN, attach_stop,
	    &t), 0);
	snprintf(t.url, sizeof(t.url), "http://127.0.0.1:%d/healthz",
	    http_port(s));
	assert_int_equal(pthread_create(&client, NULL, attach_client, &t), 0);
	assert_int_equal(loop_run(t.loop), 0);
	pthread_join(client, NULL);
	assert_int_equal(t.status, 200);
	print_message("loop iterations while idle: %d, in all: %d\n",
	    atomic_load(&t.idle_wakeups), atomic_load(&t.wakeups));
	assert_true(atomic_load(&t.idle_wakeups) <= 1);
	http_stop(s);            /* leaves the loop: before loop_free() */
	loop_free(t.loop);
	close(t.pipe[0]);
	close(t.pipe[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthz),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_events_bad_params),
		cmocka_unit_test(test_peers),
		cmocka_unit_test(test_metrics_http),
		cmocka_unit_test(test_not_found_and_method),
		cmocka_unit_test(test_zone_routes),
		cmocka_unit_test(test_zone_names_in_urls),
		cmocka_unit_test(test_post_routes),
		cmocka_unit_test(test_control_socket),
		cmocka_unit_test(test_token),
		cmocka_unit_test(test_no_token_server),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_body_refused),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_start_errors),
		cmocka_unit_test(test_metrics_render),
		cmocka_unit_test(test_metrics_families),
		cmocka_unit_test(test_httpc_build_url),
		cmocka_unit_test(test_httpc_token),
		cmocka_unit_test(test_httpc_get),
		cmocka_unit_test(test_cmds),
		cmocka_unit_test(test_attach),
	};

	return cmocka_run_group_tests_name("http", tests, group_setup,
	    group_teardown);
}
