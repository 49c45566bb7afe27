/*
 * relay/http/stream.c — GET /v1/decisions/stream: the relay's decisions
 * pushed as Server-Sent Events as they are signed (docs/API.md §8a).
 *
 * Contract:
 *  - every decision change (http_stream_decision(), wired by the relay to
 *    the quorum engine's listener, relay/quorum/decide.h) becomes one event
 *      id: SEQ
 *      event: decision
 *      data: SUMMARY          (the zone's row of GET /v1/zones, one line)
 *    SEQ increases by one per event; it starts at the server's start time
 *    in milliseconds times 1000, so that the ids of a restarted relay are
 *    above those of the one before (a client resuming across a restart is
 *    told to reset);
 *  - the last HTTP_STREAM_REPLAY events are kept: a client that sends
 *    Last-Event-ID: N gets the events after N when they are all still
 *    held, else (N too old, unknown, from another run, or no Last-Event-ID
 *    at all) first an "event: reset" (its id the newest SEQ) that tells it
 *    to read GET /v1/zones again; the same happens to a client too slow to
 *    keep up with the buffer;
 *  - a comment line (": keep-alive") every HTTP_STREAM_KEEPALIVE_MS;
 *  - at most HTTP_STREAMS_MAX streams at once per server: 503 beyond.
 *
 * How: the response is produced by a content reader
 * (MHD_create_response_from_callback); when it has nothing to send, the
 * reader suspends its connection (MHD_ALLOW_SUSPEND_RESUME), and a new
 * event or the keep-alive timer resumes every suspended stream and asks
 * the server to run at once (http_kick()). A suspended stream's socket is
 * watched by the loop meanwhile: the client closing it ends the stream at
 * once (MHD does not look at suspended connections). Nothing blocks the
 * loop; an idle stream costs a timer every 15 s.
 *
 * Runs on the loop thread only.
 */
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "relay/core/log.h"
#include "relay/core/loop.h"
#include "relay/http/respond.h"
#include "relay/http/server.h"

#define HTTP_STREAM_BLOCK 4096
#define HTTP_STREAM_TIMEOUT_S 60   /* MHD's idle limit; keep-alives reset it */

/* A decision event. It keeps the engine's summary (a reference: the engine
 * replaces a zone's summary, never changes one) and is formatted when a
 * client first needs it: a relay nobody streams from spends nothing on
 * formatting (bench_federation measured 8% of ingest's CPU for it). */
struct sse_event {
	unsigned long long seq;   /* 0: empty slot */
	json_t *summary;          /* until formatted */
	char *text;               /* NULL until formatted */
	size_t len;
};

struct http_stream {
	struct http_streams *hub;
	struct MHD_Connection *con;
	struct http_stream *prev, *next;
	unsigned long long sent;  /* the last SEQ handed over (or reset to) */
	char *out;                /* what is being handed over */
	size_t len, off;
	bool suspended, keepalive, reset;
	bool watched;             /* fd is in the loop while suspended, */
	int fd;
	bool peer_gone;           /* ... and became readable: the client left */
};

struct http_streams {
	struct http_server *srv;
	unsigned long long base;  /* the SEQ before the first event */
	unsigned long long last;  /* the newest SEQ (base: none yet) */
	struct sse_event ring[HTTP_STREAM_REPLAY];
	struct http_stream *list;
	size_t n;
	long timer;               /* the keep-alive timer; 0: none */
	bool closing;
};

/* *out = the formatted text (new); its length, or -1. */
static int stream_fmt(char **out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int
stream_fmt(char **out, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (*out = malloc((size_t)n + 1)) == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(*out, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return n;
}

struct http_streams *
http_streams_new(struct http_server *srv)
{
	struct http_streams *h = calloc(1, sizeof(*h));
	struct timespec ts;

	if (h == NULL)
		return NULL;
	h->srv = srv;
	clock_gettime(CLOCK_REALTIME, &ts);
	h->base = ((unsigned long long)ts.tv_sec * 1000ULL +
	    (unsigned long long)ts.tv_nsec / 1000000ULL) * 1000ULL;
	h->last = h->base;
	return h;
}

/* The oldest SEQ still held. */
static unsigned long long
stream_oldest(const struct http_streams *h)
{
	return h->last - h->base > HTTP_STREAM_REPLAY ?
	    h->last - HTTP_STREAM_REPLAY + 1 : h->base + 1;
}

static void
stream_resume(struct http_stream *st)
{
	if (st->watched) {
		loop_fd_del(st->hub->srv->loop, st->fd);
		st->watched = false;
	}
	if (st->suspended) {
		st->suspended = false;
		MHD_resume_connection(st->con);
	}
}

/* A suspended stream's socket is readable: the client closed it (it sends
 * nothing else); MHD does not look at a suspended connection, so the
 * stream is resumed to be ended now, not at the next keep-alive. */
static void
stream_on_fd(void *arg, int fd, short revents)
{
	struct http_stream *st = arg;

	(void)fd;
	(void)revents;
	st->peer_gone = true;
	stream_resume(st);
	http_kick(st->hub->srv);
}

static void
stream_suspend(struct http_stream *st)
{
	struct loop *l = st->hub->srv->loop;
	const union MHD_ConnectionInfo *ci;

	st->suspended = true;
	MHD_suspend_connection(st->con);
	if (l == NULL || (ci = MHD_get_connection_info(st->con,
	    MHD_CONNECTION_INFO_CONNECTION_FD)) == NULL)
		return;
	st->fd = ci->connect_fd;
	st->watched = loop_fd_add(l, st->fd, POLLIN, stream_on_fd, st) == 0;
}

/* Resume every suspended stream and have the server run now. */
static void
stream_wake(struct http_streams *h)
{
	for (struct http_stream *st = h->list; st; st = st->next)
		stream_resume(st);
	http_kick(h->srv);
}

static void
stream_keepalive(void *arg)
{
	struct http_streams *h = arg;

	h->timer = 0;
	if (h->n == 0)
		return;
	for (struct http_stream *st = h->list; st; st = st->next)
		st->keepalive = true;
	stream_wake(h);
	h->timer = loop_timer_add(h->srv->loop, HTTP_STREAM_KEEPALIVE_MS,
	    stream_keepalive, h);
	if (h->timer < 0)
		h->timer = 0;
}

void
http_streams_close(struct http_streams *h)
{
	if (h == NULL)
		return;
	h->closing = true;
	if (h->timer && h->srv->loop)
		loop_timer_cancel(h->srv->loop, h->timer);
	h->timer = 0;
	for (struct http_stream *st = h->list; st; st = st->next)
		stream_resume(st);
}

void
http_streams_free(struct http_streams *h)
{
	if (h == NULL)
		return;
	/* streams still listed (none after MHD_stop_daemon) lose their hub */
	for (struct http_stream *st = h->list; st; st = st->next)
		st->hub = NULL;
	for (size_t i = 0; i < HTTP_STREAM_REPLAY; i++) {
		free(h->ring[i].text);
		json_decref(h->ring[i].summary);
	}
	free(h);
}

void
http_stream_decision(struct http_server *s, const json_t *summary)
{
	struct http_streams *h;
	struct sse_event *e;

	if (s == NULL || (h = s->streams) == NULL || h->closing)
		return;
	h->last++;
	e = &h->ring[h->last % HTTP_STREAM_REPLAY];
	free(e->text);
	json_decref(e->summary);
	e->seq = h->last;
	e->summary = json_incref((json_t *)summary);
	e->text = NULL;
	e->len = 0;
	if (h->n > 0)
		stream_wake(h);
}

/* e's text, formatted now if it is not yet; false: out of memory. */
static bool
event_text(struct sse_event *e)
{
	char *data;
	int n;

	if (e->text != NULL)
		return true;
	if ((data = json_dumps(e->summary, JSON_COMPACT)) == NULL)
		return false;
	n = stream_fmt(&e->text, "id: %llu\nevent: decision\ndata: %s\n\n",
	    e->seq, data);
	free(data);
	if (n < 0) {
		e->text = NULL;
		log_warn("http: out of memory for a decision event");
		return false;
	}
	e->len = (size_t)n;
	json_decref(e->summary);
	e->summary = NULL;
	return true;
}

/* The next thing st has to send into st->out; false when nothing. */
static bool
stream_next(struct http_stream *st)
{
	struct http_streams *h = st->hub;
	struct sse_event *e;
	int n = -1;

	free(st->out);
	st->out = NULL;
	st->len = st->off = 0;
	if (st->sent < h->last && st->sent + 1 < stream_oldest(h))
		st->reset = true;   /* fell behind the buffer */
	if (st->reset) {
		st->reset = false;
		st->sent = h->last;
		n = stream_fmt(&st->out, "id: %llu\nevent: reset\ndata: "
		    "{\"reason\":\"read GET /v1/zones again\"}\n\n", h->last);
	} else if (st->sent < h->last) {
		e = &h->ring[(st->sent + 1) % HTTP_STREAM_REPLAY];
		st->sent++;
		if (event_text(e) && (st->out = malloc(e->len)) != NULL) {
			memcpy(st->out, e->text, e->len);
			n = (int)e->len;
		}
	} else if (st->keepalive) {
		st->keepalive = false;
		n = stream_fmt(&st->out, ": keep-alive\n\n");
	}
	if (n < 0) {
		st->out = NULL;
		return false;
	}
	st->len = (size_t)n;
	return true;
}

static ssize_t
stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct http_stream *st = cls;
	size_t k;

	(void)pos;
	if (st->hub == NULL || st->hub->closing)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (st->peer_gone)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (st->off >= st->len && !stream_next(st)) {
		/* nothing now: wait for an event, the keep-alive or the
		 * client's leaving */
		stream_suspend(st);
		return 0;
	}
	k = st->len - st->off < max ? st->len - st->off : max;
	memcpy(buf, st->out + st->off, k);
	st->off += k;
	return (ssize_t)k;
}

/* The response is gone (the connection closed): forget the stream. */
static void
stream_gone(void *cls)
{
	struct http_stream *st = cls;
	struct http_streams *h = st->hub;

	if (h) {
		if (st->watched)
			loop_fd_del(h->srv->loop, st->fd);
		if (st->prev)
			st->prev->next = st->next;
		else
			h->list = st->next;
		if (st->next)
			st->next->prev = st->prev;
		h->n--;
	}
	free(st->out);
	free(st);
}

/* Where a new stream starts: after Last-Event-ID when the buffer holds
 * everything after it, else with a reset. */
static void
stream_start_at(struct http_stream *st, const char *last_id)
{
	struct http_streams *h = st->hub;
	unsigned long long l;
	char *end;

	st->sent = h->last;
	st->reset = true;
	if (last_id == NULL || last_id[0] < '0' || last_id[0] > '9')
		return;
	l = strtoull(last_id, &end, 10);
	if (*end != '\0' || l > h->last || l + 1 < stream_oldest(h))
		return;
	st->sent = l;
	st->reset = false;
}

/* GET /v1/decisions/stream */
enum MHD_Result
http_stream(struct http_server *s, struct MHD_Connection *con,
    const char *rest, const struct http_req *req)
{
	struct http_streams *h = s->streams;
	struct MHD_Response *resp;
	struct http_stream *st;
	enum MHD_Result ret;

	(void)rest;
	(void)req;
	if (h == NULL || h->closing)
		return http_internal(con, "the decision stream");
	if (h->n >= HTTP_STREAMS_MAX)
		return http_error(con, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "too_many_streams", "Retry-After", "30",
		    "%d decision streams are open already", HTTP_STREAMS_MAX);
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return MHD_NO;
	st->hub = h;
	st->con = con;
	stream_start_at(st, MHD_lookup_connection_value(con, MHD_HEADER_KIND,
	    "Last-Event-ID"));
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN,
	    HTTP_STREAM_BLOCK, stream_read, st, stream_gone);
	if (resp == NULL) {
		free(st);
		return MHD_NO;
	}
	st->next = h->list;
	if (h->list)
		h->list->prev = st;
	h->list = st;
	if (h->n++ == 0 && h->timer == 0 && s->loop &&
	    (h->timer = loop_timer_add(s->loop, HTTP_STREAM_KEEPALIVE_MS,
	    stream_keepalive, h)) < 0)
		h->timer = 0;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/event-stream");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_set_connection_option(con, MHD_CONNECTION_OPTION_TIMEOUT,
	    (unsigned int)HTTP_STREAM_TIMEOUT_S);
	ret = MHD_queue_response(con, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);   /* stream_gone() when the connection ends */
	return ret;
}
