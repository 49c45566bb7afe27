/*
 * tests/unit/test_http_api.c — the HTTP API server (relay/http/http.c): routes,
 * errors, tokens, limits, the control socket, against a real server on a
 * loopback port chosen by the kernel (tests/unit/http_fixture.h).
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

#include "tests/unit/http_fixture.h"

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
	};

	return cmocka_run_group_tests_name("http_api", tests, group_setup,
	    group_teardown);
}
