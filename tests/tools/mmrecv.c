/*
 * tests/tools/mmrecv.c — a stand-in for a Mattermost server in tests: it
 * records every request and answers as the test tells it to.
 *
 *   mmrecv --port PORT --log FILE [--token TOKEN] [--addr 127.0.0.1]
 *
 * Every request (but the control paths below) becomes one JSON line in
 * FILE, written before the answer: {"n","t" (unix ms),"method","path",
 * "content_type","authorization","expect","user_agent","body" (the JSON
 * body parsed, else the raw text),"status" (what it answered; 0: hung)}.
 *
 * Answers, in the current mode:
 *   ok     incoming webhooks (any path but /api/v4/...): 200 text/plain
 *          "ok", or 400 when the body is not JSON or has neither "text"
 *          nor "attachments" (as Mattermost does);
 *          REST API v4: "Authorization: Bearer TOKEN" required (401
 *          otherwise) when --token is given; POST /api/v4/posts answers
 *          201 with a post object with a new 26-character "id";
 *          PUT /api/v4/posts/{id} answers 200 with the post updated (404
 *          when no such post, 400 when the body's id differs).
 *   429    429 with "Retry-After: S" and a Mattermost-style JSON error
 *   500    500 with a JSON error
 *   404    404 with a JSON error (a refusal that must not be retried)
 *   hang   no answer: the connection is held open (up to 120 s)
 *
 * Control (not recorded), so that a test changes the mode at run time:
 *   GET /_ctl/mode?status=ok|429|500|404|hang[&count=N][&retry_after=S]
 *       the next N requests (default: all until changed) get this mode,
 *       then it goes back to ok
 *   GET /_ctl/count   number of requests recorded so far
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <sodium.h>

#define MMRECV_BODY_MAX (1024 * 1024)
#define MMRECV_POSTS_MAX 4096
#define MMRECV_HANG_S 120

enum mode { M_OK, M_429, M_500, M_404, M_HANG };

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static FILE *reqlog;
static const char *token;
static enum mode mode = M_OK;
static long mode_count = -1;       /* requests left in mode; -1: until changed */
static long retry_after = 1;
static long nrequests;
static volatile sig_atomic_t stopping;
static struct { char id[27]; json_t *post; } posts[MMRECV_POSTS_MAX];
static size_t nposts;

struct req {
	char *body;
	size_t len;
	bool too_big;
};

static long long
now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static enum MHD_Result
answer(struct MHD_Connection *c, unsigned status, const char *type,
    const char *body, const char *hname, const char *hvalue)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body),
	    (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	if (hname)
		MHD_add_response_header(r, hname, hvalue);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
answer_json(struct MHD_Connection *c, unsigned status, json_t *j,
    const char *hname, const char *hvalue)
{
	char *s = json_dumps(j, JSON_COMPACT);
	enum MHD_Result ret;

	json_decref(j);
	if (s == NULL)
		return MHD_NO;
	ret = answer(c, status, "application/json", s, hname, hvalue);
	free(s);
	return ret;
}

static json_t *
mm_error(const char *id, const char *message, unsigned status)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:i}", "id", id, "message", message,
	    "detailed_error", "", "request_id", "mmrecv", "status_code", status);
}

static void
new_id(char out[27])
{
	static const char a[] = "abcdefghijkmnopqrstuvwxyz13456789";

	for (int i = 0; i < 26; i++)
		out[i] = a[randombytes_uniform(sizeof(a) - 1)];
	out[26] = '\0';
}

/* The REST API v4, as far as ntarelay uses it. Called with mu held. */
static enum MHD_Result
api(struct MHD_Connection *c, const char *method, const char *path,
    json_t *body, unsigned *status)
{
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "Authorization");
	char want[1100];
	json_t *post;

	if (token) {
		snprintf(want, sizeof(want), "Bearer %s", token);
		if (auth == NULL || strcmp(auth, want) != 0) {
			*status = 401;
			return answer_json(c, 401, mm_error(
			    "api.context.session_expired.app_error", "Invalid or "
			    "expired session, please login again.", 401), NULL, NULL);
		}
	}
	if (!json_is_object(body)) {
		*status = 400;
		return answer_json(c, 400, mm_error("api.context.invalid_body_param."
		    "app_error", "Invalid or missing post in request body.", 400),
		    NULL, NULL);
	}
	if (strcmp(method, "POST") == 0 && strcmp(path, "/api/v4/posts") == 0) {
		long long t = now_ms();
		const char *ch = json_string_value(json_object_get(body, "channel_id"));
		if (ch == NULL || strlen(ch) != 26 || nposts == MMRECV_POSTS_MAX) {
			*status = 400;
			return answer_json(c, 400, mm_error("api.context.invalid_param."
			    "app_error", "Invalid channel_id parameter.", 400), NULL, NULL);
		}
		post = json_deep_copy(body);
		new_id(posts[nposts].id);
		json_object_set_new(post, "id", json_string(posts[nposts].id));
		json_object_set_new(post, "create_at", json_integer(t));
		json_object_set_new(post, "update_at", json_integer(t));
		json_object_set_new(post, "edit_at", json_integer(0));
		json_object_set_new(post, "user_id", json_string("mmrecvbotuser0000000000000"));
		if (json_object_get(post, "root_id") == NULL)
			json_object_set_new(post, "root_id", json_string(""));
		posts[nposts++].post = json_incref(post);
		*status = 201;
		return answer_json(c, 201, post, NULL, NULL);
	}
	if (strcmp(method, "PUT") == 0 && strncmp(path, "/api/v4/posts/", 14) == 0) {
		const char *id = path + 14, *bid = json_string_value(json_object_get(body,
		    "id"));
		for (size_t i = 0; i < nposts; i++) {
			if (strcmp(posts[i].id, id) != 0)
				continue;
			if (bid == NULL || strcmp(bid, id) != 0) {
				*status = 400;
				return answer_json(c, 400, mm_error("api.context.invalid_param."
				    "app_error", "Invalid post id.", 400), NULL, NULL);
			}
			json_object_set(posts[i].post, "message", json_object_get(body,
			    "message"));
			if (json_object_get(body, "props"))
				json_object_set(posts[i].post, "props",
				    json_object_get(body, "props"));
			json_object_set_new(posts[i].post, "edit_at", json_integer(now_ms()));
			*status = 200;
			return answer_json(c, 200, json_deep_copy(posts[i].post), NULL, NULL);
		}
		*status = 404;
		return answer_json(c, 404, mm_error("app.post.get.app_error",
		    "Unable to get the post.", 404), NULL, NULL);
	}
	*status = 404;
	return answer_json(c, 404, mm_error("api.no_route", "no such route", 404),
	    NULL, NULL);
}

static enum MHD_Result
control(struct MHD_Connection *c, const char *path)
{
	char buf[64];

	if (strcmp(path, "/_ctl/count") == 0) {
		pthread_mutex_lock(&mu);
		snprintf(buf, sizeof(buf), "%ld\n", nrequests);
		pthread_mutex_unlock(&mu);
		return answer(c, 200, "text/plain", buf, NULL, NULL);
	}
	if (strcmp(path, "/_ctl/mode") == 0) {
		const char *s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
		    "status");
		const char *n = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
		    "count");
		const char *ra = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
		    "retry_after");
		enum mode m;

		if (s == NULL)
			return answer(c, 400, "text/plain", "status?\n", NULL, NULL);
		if (strcmp(s, "ok") == 0 || strcmp(s, "200") == 0) m = M_OK;
		else if (strcmp(s, "429") == 0) m = M_429;
		else if (strcmp(s, "500") == 0) m = M_500;
		else if (strcmp(s, "404") == 0) m = M_404;
		else if (strcmp(s, "hang") == 0) m = M_HANG;
		else
			return answer(c, 400, "text/plain", "unknown status\n", NULL, NULL);
		pthread_mutex_lock(&mu);
		mode = m;
		mode_count = n ? atol(n) : -1;
		retry_after = ra ? atol(ra) : 1;
		pthread_mutex_unlock(&mu);
		return answer(c, 200, "text/plain", "ok\n", NULL, NULL);
	}
	return answer(c, 404, "text/plain", "no such control\n", NULL, NULL);
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct req *rq = *con_cls;
	const char *ctype, *auth, *expect, *ua;
	json_t *body = NULL, *rec;
	enum mode m;
	unsigned status = 0;
	enum MHD_Result ret;
	char ra[32], *line;

	(void)cls;
	(void)version;
	if (rq == NULL) {
		if ((rq = calloc(1, sizeof(*rq))) == NULL)
			return MHD_NO;
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_size) {
		if (rq->len + *upload_size > MMRECV_BODY_MAX)
			rq->too_big = true;
		else {
			char *nb = realloc(rq->body, rq->len + *upload_size + 1);
			if (nb == NULL)
				return MHD_NO;
			rq->body = nb;
			memcpy(rq->body + rq->len, upload, *upload_size);
			rq->len += *upload_size;
			rq->body[rq->len] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (strncmp(url, "/_ctl/", 6) == 0)
		return control(c, url);

	ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	expect = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Expect");
	ua = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent");
	if (rq->body)
		body = json_loadb(rq->body, rq->len, 0, NULL);

	pthread_mutex_lock(&mu);
	m = mode;
	if (mode_count > 0 && --mode_count == 0)
		mode = M_OK;
	nrequests++;
	if (m == M_429) {
		status = 429;
		snprintf(ra, sizeof(ra), "%ld", retry_after);
		ret = answer_json(c, 429, mm_error("api.context.rate_limit.app_error",
		    "Too many requests.", 429), "Retry-After", ra);
	} else if (m == M_500) {
		status = 500;
		ret = answer_json(c, 500, mm_error("app.internal.app_error",
		    "An internal error occurred.", 500), NULL, NULL);
	} else if (m == M_404) {
		status = 404;
		ret = answer_json(c, 404, mm_error("web.incoming_webhook.invalid."
		    "app_error", "Invalid webhook.", 404), NULL, NULL);
	} else if (m == M_HANG) {
		status = 0;
		ret = MHD_NO;
	} else if (strncmp(url, "/api/v4/", 8) == 0) {
		ret = api(c, method, url, body, &status);
	} else if (!json_is_object(body) || (json_object_get(body, "text") == NULL &&
	    json_object_get(body, "attachments") == NULL)) {
		status = 400;
		ret = answer_json(c, 400, mm_error("web.incoming_webhook.parse."
		    "app_error", "Unable to parse the incoming data.", 400), NULL, NULL);
	} else {
		status = 200;
		ret = answer(c, 200, "text/plain", "ok", NULL, NULL);
	}
	rec = json_pack("{s:I,s:I,s:s,s:s,s:s?,s:s?,s:s?,s:s?,s:o,s:i}",
	    "n", (json_int_t)nrequests, "t", (json_int_t)now_ms(), "method", method,
	    "path", url, "content_type", ctype, "authorization", auth, "expect",
	    expect, "user_agent", ua, "body", body ? json_incref(body) :
	    rq->body ? json_string(rq->body) : json_null(), "status", status);
	if (rec && (line = json_dumps(rec, JSON_COMPACT)) != NULL) {
		fprintf(reqlog, "%s\n", line);
		fflush(reqlog);
		free(line);
	}
	json_decref(rec);
	pthread_mutex_unlock(&mu);
	json_decref(body);
	if (m == M_HANG) {
		/* hold the connection (thread per connection) */
		for (int i = 0; i < MMRECV_HANG_S * 10 && !stopping; i++)
			usleep(100000);
	}
	return ret;
}

static void
completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct req *rq = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (rq) {
		free(rq->body);
		free(rq);
	}
	*con_cls = NULL;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", 1, NULL, 'p' }, { "log", 1, NULL, 'l' },
		{ "token", 1, NULL, 't' }, { "addr", 1, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	const char *logpath = NULL, *addr = "127.0.0.1";
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	int port = 0, c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': port = atoi(optarg); break;
		case 'l': logpath = optarg; break;
		case 't': token = optarg; break;
		case 'a': addr = optarg; break;
		default:
			fprintf(stderr, "usage: mmrecv --port PORT --log FILE "
			    "[--token TOKEN] [--addr ADDR]\n");
			return 2;
		}
	}
	if (port <= 0 || port > 65535 || logpath == NULL) {
		fprintf(stderr, "usage: mmrecv --port PORT --log FILE [--token TOKEN] "
		    "[--addr ADDR]\n");
		return 2;
	}
	if (sodium_init() < 0 || (reqlog = fopen(logpath, "a")) == NULL) {
		fprintf(stderr, "mmrecv: %s: %s\n", logpath, strerror(errno));
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "mmrecv: bad address %s\n", addr);
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port,
	    NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR, &sa,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(MMRECV_HANG_S + 10),
	    MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "mmrecv: cannot listen on %s:%d\n", addr, port);
		return 1;
	}
	while (!stopping)
		usleep(100000);   /* the signal may go to any thread */
	MHD_stop_daemon(d);
	for (size_t i = 0; i < nposts; i++)
		json_decref(posts[i].post);
	fclose(reqlog);
	return 0;
}
