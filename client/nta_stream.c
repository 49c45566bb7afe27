/*
 * client/nta_stream.c — a relay's decision stream, read with libcurl's
 * multi interface so that waiting never blocks beyond the caller's
 * timeout (client/nta_stream.h has the contract).
 *
 * The Server-Sent Events are parsed line by line: "id:" sets the id to
 * resume from, "event:" the type; a blank line ends an event: "decision"
 * and "reset" ask for a pass; comments (": keep-alive") and anything else
 * are ignored. A 200 that is not text/event-stream, or a 404, means that
 * the relay has no stream.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "client/httpc.h"
#include "client/nta_stream.h"

struct nta_stream {
	CURLM *multi;
	CURL *easy;                 /* NULL: not connected */
	struct curl_slist *hdrs;
	char *url;
	const char *token;
	nta_stream_log_fn log;
	char last_id[32];           /* "" before the first id */
	char pend_id[32];           /* the id field of the event being read */
	char event[32];             /* its event field */
	bool has_id;
	char *line;                 /* a partial line */
	size_t len, cap;
	bool checked;               /* this connection's status was looked at */
	bool answered;              /* ... and it is a stream (200) */
	bool sync, gone, said;
	bool ever;                  /* a connection was answered once */
	unsigned decisions;
	int backoff;                /* seconds before the next attempt */
	long long retry_at;         /* ms (CLOCK_MONOTONIC); 0: now */
	char cerr[CURL_ERROR_SIZE];
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct nta_stream *
nta_stream_new(const char *relay, const char *token, nta_stream_log_fn log,
    char *err, size_t errlen)
{
	struct nta_stream *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->token = token;
	s->log = log;
	s->backoff = NTA_STREAM_BACKOFF_MIN;
	if ((s->url = httpc_build_url(relay, "/v1/decisions/stream", NULL, 0,
	    err, errlen)) == NULL || (s->multi = curl_multi_init()) == NULL) {
		if (s->url)
			snprintf(err, errlen, "libcurl failed to initialise");
		nta_stream_free(s);
		return NULL;
	}
	return s;
}

static void
stream_close(struct nta_stream *s)
{
	if (s->easy) {
		curl_multi_remove_handle(s->multi, s->easy);
		curl_easy_cleanup(s->easy);
		s->easy = NULL;
	}
	curl_slist_free_all(s->hdrs);
	s->hdrs = NULL;
	s->len = 0;
	s->event[0] = s->pend_id[0] = '\0';
	s->has_id = false;
}

void
nta_stream_free(struct nta_stream *s)
{
	if (s == NULL)
		return;
	stream_close(s);
	if (s->multi)
		curl_multi_cleanup(s->multi);
	free(s->url);
	free(s->line);
	free(s);
}

/* One line of the stream (no line end). */
static void
stream_line(struct nta_stream *s, char *l)
{
	char *v;

	if (l[0] == '\0') {          /* the end of an event */
		if (s->has_id)
			memcpy(s->last_id, s->pend_id, sizeof(s->last_id));
		if (strcmp(s->event, "decision") == 0) {
			s->decisions++;
			s->sync = true;
		} else if (strcmp(s->event, "reset") == 0)
			s->sync = true;
		s->event[0] = s->pend_id[0] = '\0';
		s->has_id = false;
		return;
	}
	if (l[0] == ':' || (v = strchr(l, ':')) == NULL)
		return;
	*v++ = '\0';
	if (*v == ' ')
		v++;
	if (strcmp(l, "event") == 0)
		snprintf(s->event, sizeof(s->event), "%s", v);
	else if (strcmp(l, "id") == 0 && strlen(v) < sizeof(s->pend_id) &&
	    strspn(v, "0123456789") == strlen(v)) {
		memcpy(s->pend_id, v, strlen(v) + 1);
		s->has_id = true;
	}
}

/* Is this connection a stream? Said once, at its first header's end. */
static void
stream_check(struct nta_stream *s)
{
	long code = 0;
	char *ct = NULL;

	if (s->checked)
		return;
	s->checked = true;
	curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(s->easy, CURLINFO_CONTENT_TYPE, &ct);
	if (code == 404 || (code == 200 && (ct == NULL ||
	    strncasecmp(ct, "text/event-stream", 17) != 0))) {
		s->gone = true;
		return;
	}
	if (code != 200)
		return;
	s->answered = true;
	s->sync = true;            /* decisions may have been missed */
	s->backoff = NTA_STREAM_BACKOFF_MIN;
	s->log("decision stream %s", s->ever ? "connected again" :
	    "connected");
	s->ever = true;
	s->said = false;
}

static size_t
stream_header(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct nta_stream *s = arg;
	size_t n = size * nmemb;

	/* the blank line that ends the headers of the final response */
	if ((n == 2 && ptr[0] == '\r') || (n == 1 && ptr[0] == '\n')) {
		long code = 0;
		curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code);
		if (code >= 200)
			stream_check(s);
	}
	return n;
}

static size_t
stream_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct nta_stream *s = arg;
	size_t n = size * nmemb;

	stream_check(s);
	if (!s->answered)
		return s->gone ? 0 : n;     /* an error body: not read */
	for (size_t i = 0; i < n; i++) {
		if (ptr[i] == '\n') {
			if (s->len > 0 && s->line[s->len - 1] == '\r')
				s->len--;
			s->line[s->len] = '\0';
			stream_line(s, s->line);
			s->len = 0;
			continue;
		}
		if (s->len + 2 > s->cap) {
			size_t cap = s->cap ? 2 * s->cap : 4096;
			char *p;
			if (cap > NTA_STREAM_LINE_MAX ||
			    (p = realloc(s->line, cap)) == NULL)
				return 0;   /* a line too long: drop the connection */
			s->line = p;
			s->cap = cap;
		}
		s->line[s->len++] = ptr[i];
	}
	return n;
}

/* Start a connection; on failure the next attempt is scheduled. */
static void
stream_connect(struct nta_stream *s)
{
	char hdr[64];
	CURL *c;

	s->checked = s->answered = false;
	s->cerr[0] = '\0';
	s->hdrs = curl_slist_append(NULL, "Accept: text/event-stream");
	if (s->last_id[0]) {
		snprintf(hdr, sizeof(hdr), "Last-Event-ID: %s", s->last_id);
		s->hdrs = curl_slist_append(s->hdrs, hdr);
	}
	if ((c = s->easy = curl_easy_init()) == NULL || s->hdrs == NULL ||
	    curl_easy_setopt(c, CURLOPT_URL, s->url) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
	    (long)HTTPC_CONNECT_TIMEOUT) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME,
	    (long)NTA_STREAM_SILENT) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_HTTPHEADER, s->hdrs) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s->cerr) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, stream_header) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_HEADERDATA, s) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, stream_write) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, s) != CURLE_OK ||
	    (s->token && (curl_easy_setopt(c, CURLOPT_HTTPAUTH,
	    (long)CURLAUTH_BEARER) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, s->token) != CURLE_OK)) ||
	    curl_multi_add_handle(s->multi, c) != CURLM_OK) {
		if (c)
			curl_easy_cleanup(c);
		s->easy = NULL;
		curl_slist_free_all(s->hdrs);
		s->hdrs = NULL;
		s->retry_at = now_ms() + 1000L * s->backoff;
	}
}

/* The connection ended (res): say so once, schedule the next one. */
static void
stream_ended(struct nta_stream *s, CURLcode res)
{
	char why[CURL_ERROR_SIZE + 64];
	long code = 0;

	curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code);
	if (s->answered)
		snprintf(why, sizeof(why), "%s", res == CURLE_OK ?
		    "the relay closed it" : s->cerr[0] ? s->cerr :
		    curl_easy_strerror(res));
	else if (code > 0)
		snprintf(why, sizeof(why), "HTTP %ld", code);
	else
		snprintf(why, sizeof(why), "%s", s->cerr[0] ? s->cerr :
		    curl_easy_strerror(res));
	stream_close(s);
	if (s->gone)
		return;
	if (!s->said)
		s->log("decision stream lost (%s): reconnecting in %d s, then "
		    "with a backoff up to %d s", why, s->backoff,
		    NTA_STREAM_BACKOFF_MAX);
	s->said = true;
	s->retry_at = now_ms() + 1000L * s->backoff;
	s->backoff = s->backoff * 2 > NTA_STREAM_BACKOFF_MAX ?
	    NTA_STREAM_BACKOFF_MAX : s->backoff * 2;
}

/* Run the connection; wait at most ms for it. */
static void
stream_step(struct nta_stream *s, long ms)
{
	CURLMsg *m;
	int running, left;

	curl_multi_perform(s->multi, &running);
	while ((m = curl_multi_info_read(s->multi, &left)) != NULL)
		if (m->msg == CURLMSG_DONE && m->easy_handle == s->easy) {
			stream_ended(s, m->data.result);
			return;
		}
	if (s->sync || s->gone || ms <= 0)
		return;
	curl_multi_poll(s->multi, NULL, 0, (int)(ms > 1000 ? 1000 : ms), NULL);
	curl_multi_perform(s->multi, &running);
	while ((m = curl_multi_info_read(s->multi, &left)) != NULL)
		if (m->msg == CURLMSG_DONE && m->easy_handle == s->easy)
			stream_ended(s, m->data.result);
}

enum nta_stream_what
nta_stream_wait(struct nta_stream *s, long timeout_ms)
{
	long long end = now_ms() + timeout_ms, t;

	for (;;) {
		if (s->gone) {
			stream_close(s);
			return NTA_STREAM_GONE;
		}
		if (s->sync) {
			s->sync = false;
			return NTA_STREAM_SYNC;
		}
		if ((t = now_ms()) >= end)
			return NTA_STREAM_NOTHING;
		if (s->easy == NULL && t >= s->retry_at)
			stream_connect(s);
		if (s->easy != NULL)
			stream_step(s, (long)(end - t));
		else
			poll(NULL, 0, (int)((s->retry_at < end ? s->retry_at :
			    end) - t));
	}
}

unsigned
nta_stream_take_decisions(struct nta_stream *s)
{
	unsigned n = s->decisions;

	s->decisions = 0;
	return n;
}
