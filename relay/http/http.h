/*
 * relay/http/http.h — the relay's HTTP API server (libmicrohttpd).
 *
 * The server is one event source of the relay's loop, not a thread of its
 * own: libmicrohttpd runs in its epoll mode, http_fd() is the descriptor
 * the loop polls, http_run() does the work when it is readable or when
 * http_timeout_ms() expires; http_attach() does all of that on the relay's
 * loop. Handlers therefore run on the loop thread and may read the
 * relay's state without locks; they must not block.
 *
 * Routes (docs/API.md documents each, with examples; relay/http/routes.c
 * holds them, one table row each):
 *   GET /healthz              200 "ok\n" (every link up), 200 "degraded: ..."
 *                             (text: one line per link, some down) or
 *                             503 with the reason and the links
 *   GET /v1/events?zone=&kind=&since=&limit=
 *                             the verified envelopes, as JSON
 *   GET /v1/events/{id}       one envelope as held (public: anyone may
 *                             verify it)
 *   GET /v1/peers             members, last heartbeat, chain head, flags
 *   GET /v1/zones             the zones in incident (quorum engine)
 *   GET /v1/zones/{zone}      one zone's decision and audit trail
 *   GET /v1/decisions/stream  the decisions as they are signed (Server-Sent
 *                             Events, relay/http/stream.c)
 *   GET /v1/ntas              the NTAs recommended now and in the last
 *                             30 days, with signed proof (public)
 *   GET /metrics              Prometheus text
 *   GET /                     the public incident page (status_page yes;
 *                             else 404)
 *   POST /v1/mattermost/slash the slash command (its own token, in the
 *                             form body; else 404)
 *   POST /v1/submit/{kind}    submissions: on the control socket only
 * Anything else: 404 (unknown path) or 405 (other methods), JSON errors
 * {"error":"...","message":"..."}. GET routes take no body (413); POST
 * bodies are collected up to the route's limit (413 beyond). Headers or a
 * URL beyond the limits get 414/431-style refusals; parameters are
 * validated (zone names by proto/zone.h, kind by proto/kind.h, since and
 * limit as decimal integers, ids as 64 lowercase hex digits) and a bad one
 * gets 400 naming it. When a token is configured, /v1/events (the list),
 * /v1/peers, /v1/zones, /v1/zones/{zone}, /v1/decisions/stream and
 * /metrics require
 * "Authorization: Bearer TOKEN", compared in constant time (401
 * otherwise); /healthz, /v1/events/{id}, /v1/ntas, / and the slash
 * command do not,
 * and the control socket never asks (its file permissions decide).
 */
#ifndef NTARELAY_RELAY_HTTP_H
#define NTARELAY_RELAY_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "proto/key.h"
#include "proto/kind.h"
#include "proto/zone.h"
#include "relay/core/metrics.h"

#define HTTP_EVENTS_LIMIT_DEFAULT 100
#define HTTP_EVENTS_LIMIT_MAX 1000
#define HTTP_SUBMIT_MAX (64 * 1024)    /* POST /v1/submit/ bodies */
#define HTTP_SLASH_MAX (16 * 1024)     /* POST /v1/mattermost/slash bodies */
#define HTTP_STREAMS_MAX 32            /* decision streams at once (503 beyond) */
#define HTTP_STREAM_REPLAY 256         /* decision events kept for Last-Event-ID */
#define HTTP_STREAM_KEEPALIVE_MS 15000 /* a comment line this often */

struct http_events_query {
	char zone[ZONE_TEXT_MAX + 1];   /* "" = any */
	enum kind kind;                 /* KIND__COUNT = any */
	long long since;                /* received_at >= since (unix seconds); 0 */
	int limit;                      /* 1..HTTP_EVENTS_LIMIT_MAX */
};

/* What the relay provides to the server; every callback runs on the loop. */
struct http_handlers {
	void *ctx;
	/* Healthy? false with a reason (e.g. "no link connected") in why.
	 * NULL: always healthy. */
	bool (*healthy)(void *ctx, char *why, size_t len);
	/* For /healthz, the links: a JSON array with one object per link,
	 * {"link":URL,"state":"up"|"connecting"|"down"|"paused",
	 * "since":"2026-..Z"} plus, when down, "cause" (relay/fed/link_state.h
	 * names), "detail", and while a retry is scheduled "next_retry"
	 * ("..Z") and "retry_in" (seconds). New reference; NULL (callback or
	 * result): /healthz says nothing of links. */
	json_t *(*links)(void *ctx);
	/* JSON body for /v1/events: {"events":[{"id":...,"received_at":...,
	 * "link":...,"envelope":{...}}...]}, newest first, at most q->limit;
	 * the server adds "count" when it is absent. New reference (the
	 * server releases it); NULL on an internal error (500). */
	json_t *(*events)(void *ctx, const struct http_events_query *q);
	/* JSON body for /v1/peers; new reference, as events; NULL: 500. */
	json_t *(*peers)(void *ctx);
	/* The counters, refreshed (gauges) by the relay before rendering;
	 * borrowed. NULL (callback or result): 500. */
	const struct metrics *(*metrics)(void *ctx);
	/* GET /v1/zones: {"now":..,"count":N,"zones":[..]}; new reference;
	 * NULL: 500. */
	json_t *(*zones)(void *ctx);
	/* GET /v1/zones/{zone} (normalised, any zone); new reference; NULL:
	 * 500. */
	json_t *(*zone)(void *ctx, const char *zone);
	/* GET /v1/events/{id}: the envelope bytes as held, malloc'd (the
	 * server frees them), length in *len; NULL: 404. */
	char *(*event)(void *ctx, const unsigned char id[KEY_ID_LEN], size_t *len);
	/* GET /v1/ntas: the NTA disclosure (relay/http/disclose.h), public;
	 * new reference; NULL (callback or result): 500. */
	json_t *(*ntas)(void *ctx);
	/* GET / : the status page, malloc'd HTML; NULL callback: 404 (the
	 * page is off); NULL result: 500. */
	char *(*page)(void *ctx, size_t *len);
	/* GET /v1/zones/{zone}/timeline.svg (zone normalised): the SVG
	 * document (relay/http/timeline.h), malloc'd; NULL callback: 404;
	 * NULL result: 500. */
	char *(*timeline)(void *ctx, const char *zone, size_t *len);
	/* POST /v1/submit/{what} (the control socket only): the HTTP status,
	 * and *reply a new JSON body ({"id":..} or {"error":..,"message":..}). */
	unsigned (*submit)(void *ctx, const char *what, const char *body,
	    size_t len, json_t **reply);
	/* POST /v1/mattermost/slash: the body as sent (form-encoded), its
	 * Content-Type; the status and *reply (new JSON) to answer. The token
	 * is in the body, so the handler checks it. NULL callback: 404. */
	unsigned (*slash)(void *ctx, const char *body, size_t len,
	    const char *content_type, json_t **reply);
};

struct http_server;
struct loop;

/*
 * Listen on addr:port (addr an IPv4 or IPv6 literal; port 0: any free
 * port). token may be NULL (no authentication), never ""; it is borrowed:
 * only its SHA-256 digest is kept, in sodium_malloc'd memory, so the caller
 * should zero its copy. h is copied. Returns the server (http_stop() frees
 * it), or NULL with err filled. Calls sodium_init().
 */
struct http_server *http_start(const char *addr, int port, const char *token,
    const struct http_handlers *h, char *err, size_t errlen);

/*
 * The local control channel: the same API plus POST /v1/submit/{what},
 * on a unix socket at path (mode 0660: its directory and group decide who
 * may use it; no token). A stale socket at path is replaced; anything else
 * there is an error. Stopping removes the socket.
 */
struct http_server *http_start_unix(const char *path,
    const struct http_handlers *h, char *err, size_t errlen);

/* The descriptor to poll for reading. */
int http_fd(const struct http_server *s);

/* The port the server listens on: the one asked for, or the one the kernel
 * chose when http_start() was given port 0 (tests); -1 if unknown. */
int http_port(const struct http_server *s);

/* Milliseconds until http_run() must run even without input; -1: none. */
long http_timeout_ms(const struct http_server *s);

/* Serve what is ready; never blocks. */
void http_run(struct http_server *s);

/*
 * Serve on loop l (borrowed; it must outlive the server): http_run()
 * when http_fd() is readable and when libmicrohttpd's own timeout
 * (http_timeout_ms()) expires, and at no other time (no polling tick).
 * Returns 0, or -1 when the loop has no room for the descriptor.
 */
int http_attach(struct http_server *s, struct loop *l);

/* A decision changed: push summary (its row of GET /v1/zones, borrowed)
 * to every decision stream of s, and keep it for those that resume (the
 * quorum engine's listener, relay/quorum/decide.h). s NULL: nothing. */
void http_stream_decision(struct http_server *s, const json_t *summary);

/* Stop (leaving the loop it was attached to) and free; NULL allowed.
 * The token is zeroed. */
void http_stop(struct http_server *s);

#endif
