/*
 * relay/http/respond.h — how the HTTP server answers: a body with the
 * headers every response carries (Content-Type, Cache-Control: no-store,
 * X-Content-Type-Options: nosniff), a JSON body, a JSON error
 * {"error":NAME,"message":TEXT}, and client text made safe to echo.
 *
 * Part of the server (relay/http/server.h); loop thread only. Each
 * function queues the response on con and returns what the MHD access
 * callback must return.
 */
#ifndef NTARELAY_RELAY_HTTP_RESPOND_H
#define NTARELAY_RELAY_HTTP_RESPOND_H

#include <stddef.h>

#include <jansson.h>
#include <microhttpd.h>

#define HTTP_MESSAGE_MAX 256

#ifndef MHD_HTTP_CONTENT_TOO_LARGE  /* its name before 0.9.74 */
#define MHD_HTTP_CONTENT_TOO_LARGE 413
#endif

#define HTTP_TYPE_JSON "application/json"
#define HTTP_TYPE_TEXT "text/plain; charset=utf-8"
#define HTTP_TYPE_METRICS "text/plain; version=0.0.4; charset=utf-8"
#define HTTP_TYPE_HTML "text/html; charset=utf-8"
#define HTTP_TYPE_SVG "image/svg+xml; charset=utf-8"

/* status with body (malloc'd; stolen, also on failure), plus one extra
 * header when xname is set. */
enum MHD_Result http_queue(struct MHD_Connection *con, unsigned int status,
    const char *ctype, char *body, size_t len, const char *xname,
    const char *xvalue);

/* j (borrowed) serialised, one line; 500 if that fails. */
enum MHD_Result http_queue_json(struct MHD_Connection *con, unsigned int status,
    const json_t *j, const char *xname, const char *xvalue);

/* reply (stolen) with status; NULL: 500 naming what. */
enum MHD_Result http_queue_reply(struct MHD_Connection *con, unsigned status,
    json_t *reply, const char *what);

/* {"error":name,"message":fmt...} with status. */
enum MHD_Result http_error(struct MHD_Connection *con, unsigned int status,
    const char *name, const char *xname, const char *xvalue,
    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* 500 "the relay could not produce WHAT" (and a log line). */
enum MHD_Result http_internal(struct MHD_Connection *con, const char *what);

/* A client-supplied string kept printable ASCII and short (64 bytes and
 * "..."), so that it can go into a JSON message and a log line. */
void http_sanitise(const char *in, char *out, size_t outlen);

#endif
