/*
 * tests/fuzz/fuzz_http.c — libFuzzer target for the relay's HTTP server as
 * a client meets it: libmicrohttpd's request parsing, then the router
 * (relay/http/router.c: URL, body, path, method, token, NUL checks), the
 * query parameters (params.c), the route table and its handlers
 * (routes.c) and the responses (respond.c).
 *
 * The real server code runs in-process, as in the relay (epoll mode, no
 * thread, http_run() by hand), twice: on a loopback TCP port with a bearer
 * token, and as the control socket (a unix socket, no token, the submit
 * route). The relay behind it is faked (struct http_handlers), as in
 * tests/unit/http_fixture.h: what the relay answers is not under test here,
 * what reaches it is.
 *
 * Input: the first byte picks the server (even: TCP, odd: control socket),
 * the rest is sent as is on a fresh connection, whose writing side is then
 * shut; the response is read until the server closes. The seed corpus
 * (tests/fuzz/corpus/fuzz_http) holds one request of every route, good and
 * bad, with and without the token. FUZZ_HTTP_DEBUG=1 prints the status
 * line of each answer.
 *
 * Invariants checked (abort() when broken), besides the sanitizers:
 *   - whatever the server writes starts "HTTP/1.x NNN " with NNN a status
 *     code between 100 and 599;
 *   - on TCP, a handler of a route that needs the token (the event list,
 *     peers, zones, one zone, metrics) runs only when the request carried
 *     "Bearer " and the token;
 *   - submit runs only on the control socket, the slash command's body
 *     stays within HTTP_SLASH_MAX, a submitted body within HTTP_SUBMIT_MAX;
 *   - the events query is in range (limit 1..HTTP_EVENTS_LIMIT_MAX, kind
 *     a kind or any, since >= 0), and a zone given to the zone handler is
 *     a valid normalised name.
 * A request left incomplete (the client shut its side before the end of
 * the headers or body) is held by libmicrohttpd until its connection
 * timeout (10 s) and not closed at the client's EOF: when the server has
 * answered nothing and sits idle with that timeout ahead, the target
 * drops the connection by restarting that server (a few ms) instead of
 * waiting. A server still busy 5 s after the request was sent fails the
 * run.
 *
 * Build: tests/fuzz/run.sh, or ./configure CC=clang --enable-fuzzing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "proto/kind.h"
#include "proto/zone.h"
#include "relay/core/log.h"
#include "relay/core/metrics.h"
#include "relay/http/form.h"
#include "relay/http/http.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz_http: invariant failed: %s (%s:%d)\n", \
		    #cond, __FILE__, __LINE__);				\
		abort();						\
	}								\
} while (0)

#define TOKEN "fuzz-Token_0123456789abcdef"
#define INPUT_MAX (96 * 1024)       /* beyond HTTP_SUBMIT_MAX: 413s */
#define ANSWER_MAX (1024 * 1024)
#define WAIT_MS 5000

struct side {
	bool tcp;
	struct http_server *s;
};

static struct side tcp_side = { .tcp = true }, unix_side = { .tcp = false };
static char unix_path[108];
static struct sockaddr_in tcp_addr;
static struct metrics fake_metrics;
static bool debug;   /* FUZZ_HTTP_DEBUG: each answer's status line */
/* The request being served, for the token invariant. */
static const uint8_t *cur;
static size_t cur_len;

/*
 * Whether the request carries the token the way the router accepts it:
 * the scheme "Bearer" in any case (RFC 9110 11.1), then spaces or tabs,
 * then the token. A loose oracle (it does not insist that this is the
 * Authorization header) but a sound one: a request without it anywhere
 * must never reach a protected route.
 */
static bool
has_token(void)
{
	const size_t tl = strlen(TOKEN);
	const uint8_t *p, *end = cur + cur_len;
	const uint8_t *q;

	for (p = cur; p + tl <= end &&
	    (p = memmem(p, (size_t)(end - p), TOKEN, tl)) != NULL; p++) {
		q = p;
		if (q == cur || (q[-1] != ' ' && q[-1] != '\t'))
			continue;
		while (q > cur && (q[-1] == ' ' || q[-1] == '\t'))
			q--;
		if (q - cur >= 6 &&
		    strncasecmp((const char *)q - 6, "Bearer", 6) == 0)
			return true;
	}
	return false;
}

static void
protected(void *ctx)
{
	const struct side *sd = ctx;

	if (sd->tcp)
		CHECK(has_token());
}

static bool
fake_healthy(void *ctx, char *why, size_t len)
{
	(void)ctx;
	if (cur_len > 0 && (cur[cur_len - 1] & 1)) {
		snprintf(why, len, "no link connected");
		return false;
	}
	return true;
}

static json_t *
fake_events(void *ctx, const struct http_events_query *q)
{
	protected(ctx);
	CHECK(q->limit >= 1 && q->limit <= HTTP_EVENTS_LIMIT_MAX);
	CHECK((unsigned)q->kind <= KIND__COUNT);
	CHECK(q->since >= 0);
	CHECK(memchr(q->zone, '\0', sizeof(q->zone)) != NULL);
	if (q->limit == 13)
		return NULL;   /* a 500 now and then */
	return json_pack("{s:[{s:s,s:i}]}", "events", "zone", q->zone,
	    "limit", q->limit);
}

static json_t *
fake_peers(void *ctx)
{
	protected(ctx);
	return json_pack("{s:[]}", "peers");
}

static const struct metrics *
fake_metrics_cb(void *ctx)
{
	protected(ctx);
	return &fake_metrics;
}

static json_t *
fake_zones(void *ctx)
{
	protected(ctx);
	return json_pack("{s:i,s:[]}", "count", 0, "zones");
}

static json_t *
fake_zone(void *ctx, const char *zone)
{
	char norm[ZONE_TEXT_MAX + 1];
	const char *why;

	protected(ctx);
	CHECK(strlen(zone) <= ZONE_TEXT_MAX);
	CHECK(zone_name_normalise(zone, norm, &why) == 0);
	CHECK(strcmp(norm, zone) == 0);
	return json_pack("{s:s,s:s}", "zone", zone, "state", "clear");
}

static char *
fake_event(void *ctx, const unsigned char id[KEY_ID_LEN], size_t *len)
{
	(void)ctx;
	if (id[0] != 0xaa)
		return NULL;
	*len = 8;
	return strdup("{\"x\":1}\n");
}

static char *
fake_page(void *ctx, size_t *len)
{
	(void)ctx;
	*len = 15;
	return strdup("<html></html>\n");
}

static unsigned
fake_submit(void *ctx, const char *what, const char *body, size_t len,
    json_t **reply)
{
	const struct side *sd = ctx;

	CHECK(!sd->tcp);
	CHECK(len <= HTTP_SUBMIT_MAX);
	CHECK(what != NULL);
	/* what a submission handler does first: parse the body */
	json_decref(json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL));
	*reply = json_pack("{s:s}", "id", "00");
	return len % 2 ? 400 : 201;
}

static unsigned
fake_slash(void *ctx, const char *body, size_t len, const char *ctype,
    json_t **reply)
{
	static const char *const names[] = { "token", "text", "user_name",
	    "channel_id", "command" };
	char out[512];
	size_t i;

	(void)ctx;
	(void)ctype;
	CHECK(len <= HTTP_SLASH_MAX);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (form_value(body, len, names[i], out, sizeof(out)) == 1)
			CHECK(strlen(out) < sizeof(out));
	*reply = json_pack("{s:s,s:s}", "response_type", "ephemeral", "text", "ok");
	return 200;
}

static const struct http_handlers handlers = {
	.healthy = fake_healthy,
	.events = fake_events,
	.peers = fake_peers,
	.metrics = fake_metrics_cb,
	.zones = fake_zones,
	.zone = fake_zone,
	.event = fake_event,
	.page = fake_page,
	.submit = fake_submit,
	.slash = fake_slash,
};

static void
start_servers(void)
{
	struct http_handlers h = handlers;
	char err[256], dir[] = "/tmp/ntarelay-fuzz-http.XXXXXX";

	h.ctx = &tcp_side;
	if ((tcp_side.s = http_start("127.0.0.1", 0, TOKEN, &h, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "http_start: %s\n", err);
		abort();
	}
	memset(&tcp_addr, 0, sizeof(tcp_addr));
	tcp_addr.sin_family = AF_INET;
	tcp_addr.sin_port = htons((uint16_t)http_port(tcp_side.s));
	tcp_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(unix_path, sizeof(unix_path), "%s/control.sock", dir);
	h.ctx = &unix_side;
	if ((unix_side.s = http_start_unix(unix_path, &h, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "http_start_unix: %s\n", err);
		abort();
	}
}

/* A fresh server for sd: the quickest way to drop a connection that
 * libmicrohttpd holds, waiting for the rest of a request, until its
 * connection timeout (10 s; it does not close at the client's EOF). */
static void
restart(struct side *sd)
{
	struct http_handlers h = handlers;
	char err[256];

	http_stop(sd->s);
	h.ctx = sd;
	if (sd->tcp) {
		sd->s = http_start("127.0.0.1", 0, TOKEN, &h, err, sizeof(err));
		if (sd->s != NULL)
			tcp_addr.sin_port = htons((uint16_t)http_port(sd->s));
	} else {
		sd->s = http_start_unix(unix_path, &h, err, sizeof(err));
	}
	if (sd->s == NULL) {
		fprintf(stderr, "restart: %s\n", err);
		abort();
	}
}

static void
stop_servers(void)
{
	char dir[108];

	http_stop(tcp_side.s);
	http_stop(unix_side.s);
	snprintf(dir, sizeof(dir), "%s", unix_path);
	*strrchr(dir, '/') = '\0';
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init("fuzz_http", false, LOG_LVL_ERR);
	debug = getenv("FUZZ_HTTP_DEBUG") != NULL;
	start_servers();
	atexit(stop_servers);
	return 0;
}

static int
client_try(bool tcp)
{
	struct linger lg = { 1, 0 };
	struct sockaddr_un un;
	int fd, rc;

	if (tcp) {
		if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
			return -1;
		/* closed with a reset: no TIME_WAIT piling up over a long run */
		(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		rc = connect(fd, (struct sockaddr *)&tcp_addr, sizeof(tcp_addr));
	} else {
		memset(&un, 0, sizeof(un));
		un.sun_family = AF_UNIX;
		snprintf(un.sun_path, sizeof(un.sun_path), "%s", unix_path);
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
			return -1;
		rc = connect(fd, (struct sockaddr *)&un, sizeof(un));
	}
	if (rc != 0 || fcntl(fd, F_SETFL, O_NONBLOCK) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A connection to sd's server. A failure to connect is the harness's
 * (the machine's ports, file descriptors), not the server's: retried,
 * with a fresh server after a few tries. */
static int
client_connect(struct side *sd)
{
	int fd, i;

	for (i = 0; i < 50; i++) {
		if ((fd = client_try(sd->tcp)) >= 0)
			return fd;
		if (i == 0)
			fprintf(stderr, "fuzz_http: connect: %s (retrying)\n",
			    strerror(errno));
		if (i % 10 == 9)
			restart(sd);
		usleep(10000);
	}
	fprintf(stderr, "fuzz_http: cannot connect to the server: %s\n",
	    strerror(errno));
	abort();
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* The answer so far: every response in it starts with a status line. */
static void
check_answer(const char *a, size_t n)
{
	int code;

	if (n < 13)
		return;   /* nothing, or checked when complete */
	CHECK(memcmp(a, "HTTP/1.", 7) == 0);
	CHECK(a[8] == ' ' && a[12] == ' ');
	code = (a[9] - '0') * 100 + (a[10] - '0') * 10 + (a[11] - '0');
	CHECK(code >= 100 && code <= 599);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char answer[ANSWER_MAX];
	struct side *sd;
	size_t sent = 0, got = 0;
	long long deadline;
	bool eof = false, done = false;
	int fd, idle = 0;

	if (size < 1 || size > INPUT_MAX)
		return -1;
	sd = (data[0] & 1) ? &unix_side : &tcp_side;
	cur = data + 1;
	cur_len = size - 1;
	fd = client_connect(sd);

	deadline = now_ms() + WAIT_MS;
	while (!eof && now_ms() < deadline) {
		struct pollfd p[2] = {
			{ .fd = http_fd(sd->s), .events = POLLIN },
			{ .fd = fd, .events = POLLIN },
		};
		size_t before = got;
		ssize_t n;

		if (!done) {
			n = cur_len > sent ? send(fd, cur + sent, cur_len - sent,
			    MSG_NOSIGNAL) : 0;
			if (n > 0)
				sent += (size_t)n;
			else if (n < 0 && errno != EAGAIN)
				sent = cur_len;   /* reset by the server */
			if (sent == cur_len) {
				shutdown(fd, SHUT_WR);
				done = true;
			}
		}
		http_run(sd->s);
		for (;;) {
			n = recv(fd, answer + got, ANSWER_MAX - got, 0);
			if (n > 0) {
				got += (size_t)n;
				if (got < ANSWER_MAX)
					continue;
			}
			if (n >= 0 || errno != EAGAIN)
				eof = true;
			break;
		}
		if (eof)
			break;
		/* Sent, nothing new, and the server idle until a
		 * connection times out: it waits for the rest of a request
		 * that will never come. */
		if (done && got == before && poll(p, 2, 5) == 0 &&
		    http_timeout_ms(sd->s) > 1000) {
			if (++idle >= 2)
				break;
		} else {
			idle = 0;
		}
	}
	close(fd);
	if (debug)
		fprintf(stderr, "fuzz_http: %s, %zu bytes: %.*s\n", eof ? "closed" :
		    "held", got, (int)(memchr(answer, '\r', got) ?
		    (char *)memchr(answer, '\r', got) - answer : (long)got), answer);
	check_answer(answer, got);
	if (!eof && idle < 2) {
		fprintf(stderr, "fuzz_http: the server was still busy %d ms "
		    "after the request was sent\n", WAIT_MS);
		abort();
	}
	if (!eof)
		restart(sd);   /* drop the connection it holds */
	else
		http_run(sd->s);   /* let the server see the close */
	return 0;
}
