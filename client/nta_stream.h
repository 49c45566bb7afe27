/*
 * client/nta_stream.h — the client side of a relay's decision stream
 * (GET /v1/decisions/stream, Server-Sent Events, docs/API.md §8a) for
 * `ntactl nta watch`.
 *
 * Contract: nta_stream_wait() keeps one connection to the stream open,
 * reconnecting by itself after it ends or fails, with a backoff from
 * NTA_STREAM_BACKOFF_MIN to NTA_STREAM_BACKOFF_MAX seconds (doubling;
 * back to the minimum once a connection was answered 200), resuming with
 * Last-Event-ID (the id of the last event received). It reports what
 * calls for a sync pass: a decision event, a reset event, or a new
 * connection (decisions may have been missed while down). A relay that
 * answers 404 has no stream (an older relay): the stream is then "gone"
 * for good and the caller polls. A connection that hears nothing, not
 * even a keep-alive comment, for NTA_STREAM_SILENT seconds is dropped and
 * made again. Problems are said through the log callback, once per
 * reconnection. Never blocks longer than the timeout given.
 */
#ifndef NTARELAY_CLIENT_NTA_STREAM_H
#define NTARELAY_CLIENT_NTA_STREAM_H

#include <stdbool.h>

#define NTA_STREAM_BACKOFF_MIN 1     /* seconds */
#define NTA_STREAM_BACKOFF_MAX 30    /* seconds */
#define NTA_STREAM_SILENT 45         /* seconds without a byte: reconnect */
#define NTA_STREAM_LINE_MAX (1024 * 1024)

struct nta_stream;

/* For messages: printf-like, one line each. */
typedef void (*nta_stream_log_fn)(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/*
 * A stream of relay (the base URL) with token (borrowed; NULL: none; it
 * must outlive the stream). Connects at the first nta_stream_wait().
 * NULL on error with err filled.
 */
struct nta_stream *nta_stream_new(const char *relay, const char *token,
    nta_stream_log_fn log, char *err, size_t errlen);
void nta_stream_free(struct nta_stream *s);

enum nta_stream_what {
	NTA_STREAM_NOTHING = 0,   /* the timeout passed */
	NTA_STREAM_SYNC = 1,      /* a decision, a reset or a new connection */
	NTA_STREAM_GONE = 2,      /* the relay has no stream (404): poll */
};

/* Wait up to timeout_ms for something that calls for a pass. */
enum nta_stream_what nta_stream_wait(struct nta_stream *s, long timeout_ms);

/* The decision events received since the last call (for logs). */
unsigned nta_stream_take_decisions(struct nta_stream *s);

#endif
