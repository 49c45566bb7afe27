/*
 * relay/http/respond.c — queueing the HTTP server's responses
 * (relay/http/respond.h).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/core/log.h"
#include "relay/core/metrics.h"
#include "relay/http/respond.h"

/* Append size bytes for json_dump_callback. */
static int
http_dump_cb(const char *buffer, size_t size, void *data)
{
	struct buf *b = data;

	if (size > INT_MAX)
		return -1;
	buf_printf(b, "%.*s", (int)size, buffer);
	return b->failed ? -1 : 0;
}

enum MHD_Result
http_queue(struct MHD_Connection *con, unsigned int status, const char *ctype,
    char *body, size_t len, const char *xname, const char *xvalue)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype) != MHD_YES ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store") != MHD_YES ||
	    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff") != MHD_YES ||
	    (xname && MHD_add_response_header(r, xname, xvalue) != MHD_YES)) {
		MHD_destroy_response(r);
		return MHD_NO;
	}
	ret = MHD_queue_response(con, status, r);
	MHD_destroy_response(r);
	return ret;
}

enum MHD_Result
http_queue_json(struct MHD_Connection *con, unsigned int status,
    const json_t *j, const char *xname, const char *xvalue)
{
	struct buf b = { 0 };
	static const char fallback[] =
	    "{\"error\":\"internal\",\"message\":\"out of memory\"}\n";
	char *copy;

	if (json_dump_callback(j, http_dump_cb, &b, JSON_COMPACT) == 0)
		buf_printf(&b, "\n");
	else
		b.failed = 1;
	if (!b.failed)
		return http_queue(con, status, HTTP_TYPE_JSON, b.data, b.len,
		    xname, xvalue);
	buf_free(&b);
	log_warn("http: cannot serialise a response");
	if ((copy = strdup(fallback)) == NULL)
		return MHD_NO;
	return http_queue(con, MHD_HTTP_INTERNAL_SERVER_ERROR, HTTP_TYPE_JSON,
	    copy, strlen(copy), NULL, NULL);
}

enum MHD_Result
http_queue_reply(struct MHD_Connection *con, unsigned status, json_t *reply,
    const char *what)
{
	enum MHD_Result ret;

	if (reply == NULL)
		return http_internal(con, what);
	ret = http_queue_json(con, status, reply, NULL, NULL);
	json_decref(reply);
	return ret;
}

void
http_sanitise(const char *in, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; in[i] && i + 4 < outlen && i < 64; i++)
		out[i] = (in[i] >= 0x20 && in[i] < 0x7f) ? in[i] : '?';
	if (in[i] && i + 4 < outlen) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
}

enum MHD_Result
http_error(struct MHD_Connection *con, unsigned int status, const char *name,
    const char *xname, const char *xvalue, const char *fmt, ...)
{
	char msg[HTTP_MESSAGE_MAX];
	enum MHD_Result ret;
	va_list ap;
	json_t *j;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	j = json_pack("{s:s,s:s}", "error", name, "message", msg);
	if (j == NULL)
		return http_queue_json(con, status, NULL, xname, xvalue);
	ret = http_queue_json(con, status, j, xname, xvalue);
	json_decref(j);
	return ret;
}

enum MHD_Result
http_internal(struct MHD_Connection *con, const char *what)
{
	log_warn("http: %s failed", what);
	return http_error(con, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", NULL,
	    NULL, "the relay could not produce %s", what);
}
