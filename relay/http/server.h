/*
 * relay/http/server.h — the HTTP server's insides, shared by the files that
 * make it up (http.c: the daemon and its place in the loop; router.c: from
 * a request to its route; routes.c: the route table and its handlers;
 * respond.c and params.c: helpers). Not for anything outside the server:
 * the relay talks to it through relay/http/http.h only.
 *
 * Everything here runs on the loop thread (libmicrohttpd in its epoll mode
 * without a thread of its own).
 */
#ifndef NTARELAY_RELAY_HTTP_SERVER_H
#define NTARELAY_RELAY_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include <microhttpd.h>

#include "relay/http/http.h"

struct loop;

#define HTTP_URL_MAX 2048                 /* path and query, as sent */

struct http_server {
	struct MHD_Daemon *mhd;
	struct http_handlers h;
	unsigned char *token_hash;   /* sodium_malloc'd; NULL: no token */
	bool control;                /* the local control socket */
	char unix_path[108];         /* its path, unlinked at stop */
	struct loop *loop;           /* http_attach()ed to; NULL: polled by hand */
	long timer;                  /* the loop timer of MHD's timeout; 0: none */
	struct http_streams *streams; /* GET /v1/decisions/stream (stream.c) */
};

struct http_route;

/* A request with a body (POST routes): the body collected, bounded. */
struct http_req {
	const struct http_route *route;
	char *body;
	size_t len, cap;
	bool too_big;
};

/* A route's handler: rest is what follows a prefix path ("" otherwise),
 * req the collected body (POST routes; NULL for GET). */
typedef enum MHD_Result (*http_route_fn)(struct http_server *s,
    struct MHD_Connection *con, const char *rest, const struct http_req *req);

enum http_where { HTTP_BOTH, HTTP_CONTROL_ONLY };

/*
 * One row of the route table (routes.c). The router (router.c) checks,
 * in this order, everything the row says before fn is called: the path
 * (exact, or the longest prefix), whether the route is on (present), the
 * method, the token, the URL's NULs, the query parameters, the body.
 */
struct http_route {
	const char *method;     /* "GET" (HEAD too, no body) or "POST" (a body
	                           of at most body_max bytes) */
	const char *path;
	bool prefix;            /* path is a prefix: the rest is the argument */
	bool auth;              /* needs the token, when one is configured */
	bool params;            /* takes /v1/events query parameters (else
	                           any query parameter is a 400) */
	bool zone_arg;          /* the rest is a zone name (errors say so) */
	size_t body_max;        /* POST only */
	enum http_where where;
	/* NULL, or false when the route is off on s (then 404, as an
	 * unknown path) */
	bool (*present)(const struct http_server *s);
	http_route_fn fn;
};

extern const struct http_route http_routes[];
extern const size_t http_nroutes;

/* router.c: the MHD callbacks of both servers (TCP and control). */
enum MHD_Result http_access(void *cls, struct MHD_Connection *con,
    const char *url, const char *method, const char *version,
    const char *upload_data, size_t *upload_data_size, void **con_cls);
void *http_uri_log(void *cls, const char *uri, struct MHD_Connection *con);
void http_completed(void *cls, struct MHD_Connection *con, void **con_cls,
    enum MHD_RequestTerminationCode toe);

/* http.c: run the server as soon as the loop turns (a suspended
 * connection was resumed); nothing when it is not attached to a loop. */
void http_kick(struct http_server *s);

/* stream.c: the decision streams of s (GET /v1/decisions/stream). */
struct http_streams;
struct http_streams *http_streams_new(struct http_server *s);
/* Before MHD_stop_daemon(): every stream resumed and ended. */
void http_streams_close(struct http_streams *h);
/* After MHD_stop_daemon(); NULL allowed. */
void http_streams_free(struct http_streams *h);
enum MHD_Result http_stream(struct http_server *s, struct MHD_Connection *con,
    const char *rest, const struct http_req *req);

#endif
