/*
 * tests/unit/http_fixture.h — what the tests/unit/test_http_*.c programs share: fake
 * handlers, a real server (relay/http/http.c) on a loopback port chosen by
 * the kernel, run by a loop thread as in the relay, and a libcurl client.
 * Included once by each; its definitions are static, and a program may
 * leave some unused.
 */
#ifndef NTARELAY_TESTS_UNIT_HTTP_FIXTURE_H
#define NTARELAY_TESTS_UNIT_HTTP_FIXTURE_H

#define TOKEN "s3cret-Token_0123456789"

/* ---------------------------------------------------------------- fakes */

static __attribute__((unused)) struct metrics fake_metrics;
static __attribute__((unused)) struct http_events_query last_query;
static __attribute__((unused)) atomic_int fake_healthy = 1;
static __attribute__((unused)) atomic_int fake_events_fail;

static __attribute__((unused)) bool
fake_healthy_cb(void *ctx, char *why, size_t len)
{
	(void)ctx;
	if (atomic_load(&fake_healthy))
		return true;
	snprintf(why, len, "no link connected");
	return false;
}

static __attribute__((unused)) json_t *
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

static __attribute__((unused)) json_t *
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

static __attribute__((unused)) const struct metrics *
fake_metrics_cb(void *ctx)
{
	(void)ctx;
	return &fake_metrics;
}

static __attribute__((unused)) char last_zone[300];
static __attribute__((unused)) char last_submit[64];
static __attribute__((unused)) char last_body[64];
static __attribute__((unused)) atomic_int slash_calls;

static __attribute__((unused)) json_t *
fake_zones_cb(void *ctx)
{
	(void)ctx;
	return json_pack("{s:i,s:[]}", "count", 0, "zones");
}

static __attribute__((unused)) json_t *
fake_zone_cb(void *ctx, const char *zone)
{
	(void)ctx;
	snprintf(last_zone, sizeof(last_zone), "%s", zone);
	return json_pack("{s:s,s:s}", "zone", zone, "state", "clear");
}

static __attribute__((unused)) char *
fake_event_cb(void *ctx, const unsigned char id[KEY_ID_LEN], size_t *len)
{
	(void)ctx;
	if (id[0] != 0xaa)
		return NULL;
	*len = 8;
	return strdup("{\"x\":1}\n");
}

static __attribute__((unused)) unsigned
fake_submit_cb(void *ctx, const char *what, const char *body, size_t len,
    json_t **reply)
{
	(void)ctx;
	snprintf(last_submit, sizeof(last_submit), "%s", what);
	snprintf(last_body, sizeof(last_body), "%.*s", (int)len, body);
	*reply = json_pack("{s:s}", "id", "00");
	return 201;
}

static __attribute__((unused)) unsigned
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

static __attribute__((unused)) const struct http_handlers fake_handlers = {
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

static __attribute__((unused)) void *
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

static __attribute__((unused)) struct server *
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

static __attribute__((unused)) void
server_stop(struct server *sv)
{
	if (sv == NULL)
		return;
	atomic_store(&sv->stop, 1);
	pthread_join(sv->thread, NULL);
	http_stop(sv->s);
	free(sv);
}

static __attribute__((unused)) struct server *srv;    /* with TOKEN */

static __attribute__((unused)) int
group_setup(void **state)
{
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return -1;
	log_init("test_http", false, LOG_LVL_ERR);
	srv = server_start("127.0.0.1", TOKEN);
	return srv ? 0 : -1;
}

static __attribute__((unused)) int
group_teardown(void **state)
{
	server_stop(srv);
	srv = NULL;
	curl_global_cleanup();
	return 0;
}

#endif
