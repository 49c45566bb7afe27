/*
 * relay/http/router.c — from a request to its route (relay/http/server.h):
 * libmicrohttpd's callbacks for every request of both servers.
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
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "relay/http/params.h"
#include "relay/http/respond.h"
#include "relay/http/server.h"

/* What the URI callback learns about a request before MHD parses it; a
 * pointer to one of these becomes the request's context, so nothing is
 * allocated per request that carries no body. An encoded NUL (%00) is
 * seen here, in the URL as sent: once decoded, every string would end at
 * it ("/v1/zones/lim.example.%00x" would answer for "lim.example.").
 * Constant markers, compared by address: never written. */
static const char http_uri_ok, http_uri_long, http_uri_nul;

static bool
http_uri_marker(const void *p)
{
	return p == &http_uri_ok || p == &http_uri_long || p == &http_uri_nul;
}

void *
http_uri_log(void *cls, const char *uri, struct MHD_Connection *con)
{
	(void)cls;
	(void)con;
	if (strlen(uri) > HTTP_URL_MAX)
		return (void *)&http_uri_long;
	return (void *)(strstr(uri, "%00") ? &http_uri_nul : &http_uri_ok);
}

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

	for (i = 0; i < http_nroutes; i++) {
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

void
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

/* Collect a chunk of a POST body; too_big when it grew beyond the route's
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

/* Second and later calls of a request with a body: they bring the body,
 * the last (size 0) asks for the answer. */
static enum MHD_Result
http_body(struct http_server *s, struct MHD_Connection *con, const char *url,
    const char *upload_data, size_t *upload_data_size, struct http_req *req)
{
	const char *rest = "";

	if (req == NULL)
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

/* The method of route r (and no body on GET); true when right, else
 * false with the refusal queued (*ret to return). */
static bool
http_method_ok(const struct http_route *r, struct MHD_Connection *con,
    const char *method, enum MHD_Result *ret)
{
	if (strcmp(r->method, MHD_HTTP_METHOD_POST) == 0) {
		if (strcmp(method, MHD_HTTP_METHOD_POST) == 0)
			return true;
		*ret = http_error(con, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "method_not_allowed", MHD_HTTP_HEADER_ALLOW, "POST",
		    "%s takes POST only", r->path);
		return false;
	}
	if (http_has_body(con)) {
		*ret = http_error(con, MHD_HTTP_CONTENT_TOO_LARGE,
		    "content_too_large", NULL, NULL,
		    "this path takes no request body");
		return false;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
	    strcmp(method, MHD_HTTP_METHOD_HEAD) == 0)
		return true;
	*ret = http_error(con, MHD_HTTP_METHOD_NOT_ALLOWED,
	    "method_not_allowed", MHD_HTTP_HEADER_ALLOW, "GET, HEAD",
	    "%s takes GET only", r->path);
	return false;
}

/* One rule for every name taken from a URL: a NUL is refused, never
 * taken as the end of it (zones: "a NUL byte in the name"). */
static enum MHD_Result
http_nul(const struct http_route *r, struct MHD_Connection *con,
    const char *rest)
{
	char shown[80];

	http_sanitise(rest, shown, sizeof(shown));
	if (r->zone_arg)
		return http_error(con, MHD_HTTP_BAD_REQUEST, "bad_zone", NULL,
		    NULL, "'%s%%00...' is not a domain name (NUL byte in "
		    "the name)", shown);
	return http_error(con, MHD_HTTP_BAD_REQUEST, "bad_request", NULL,
	    NULL, "the URL holds an encoded NUL byte (%%00): no path or "
	    "parameter may contain one");
}

/* The first call of a request: everything the route's row says is
 * checked, in the order of this file's header. */
static enum MHD_Result
http_request(struct http_server *s, struct MHD_Connection *con,
    const char *url, const char *method, bool nul, void **con_cls)
{
	const struct http_route *r;
	char err[HTTP_MESSAGE_MAX];
	struct http_req *req;
	const char *rest = "";
	enum MHD_Result ret;
	int t;

	if ((r = http_route_find(s, url, &rest)) == NULL ||
	    (r->present && !r->present(s))) {
		char shown[80];
		http_sanitise(url, shown, sizeof(shown));
		return http_error(con, MHD_HTTP_NOT_FOUND, "not_found", NULL,
		    NULL, "no such path: %s", shown);
	}
	if (!http_method_ok(r, con, method, &ret))
		return ret;
	/* The control socket is authenticated by its file permissions. */
	if (r->auth && !s->control && s->token_hash != NULL &&
	    (t = http_check_token(s, con)) != 0)
		return http_error(con, MHD_HTTP_UNAUTHORIZED, "unauthorized",
		    MHD_HTTP_HEADER_WWW_AUTHENTICATE, t == -1 ?
		    "Bearer realm=\"ntarelay\"" :
		    "Bearer realm=\"ntarelay\", error=\"invalid_token\"",
		    t == -1 ? "this path needs \"Authorization: Bearer TOKEN\"" :
		    "the token is not valid");
	if (nul)
		return http_nul(r, con, rest);
	if (!r->params && !http_params_none(con, err))
		return http_error(con, MHD_HTTP_BAD_REQUEST, "bad_request", NULL,
		    NULL, "%s", err);
	if (strcmp(r->method, MHD_HTTP_METHOD_POST) == 0) {
		if ((req = calloc(1, sizeof(*req))) == NULL)
			return MHD_NO;
		req->route = r;
		*con_cls = req;
		return MHD_YES;
	}
	return r->fn(s, con, rest, NULL);
}

enum MHD_Result
http_access(void *cls, struct MHD_Connection *con, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct http_server *s = cls;
	bool nul;

	(void)version;
	if (!http_uri_marker(*con_cls))
		return http_body(s, con, url, upload_data, upload_data_size,
		    *con_cls);
	if (*upload_data_size != 0)
		return MHD_NO;
	if (*con_cls == &http_uri_long) {
		*con_cls = NULL;
		return http_error(con, MHD_HTTP_URI_TOO_LONG, "uri_too_long",
		    NULL, NULL, "the URL is longer than %d bytes", HTTP_URL_MAX);
	}
	nul = *con_cls == &http_uri_nul;
	*con_cls = NULL;
	return http_request(s, con, url, method, nul, con_cls);
}
