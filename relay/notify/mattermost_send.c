/*
 * relay/notify/mattermost_send.c — delivering the Mattermost notifier's
 * queue: libcurl's multi interface driven by the relay's loop
 * (relay/notify/mattermost_send.h).
 *
 * Two channels, each with at most one request in flight, so that messages
 * arrive in the order they were queued:
 *   webhook  POST mattermost_webhook (the URL is the credential)
 *   bot      REST API v4 at mattermost_url with the bot token: an
 *            incident's root post is created with POST /api/v4/posts and
 *            edited with PUT /api/v4/posts/{id} (its id is kept in the
 *            incident's row); the other messages are replies (root_id).
 *
 * Results: 2xx delivered; 429 retried after Retry-After; 5xx, 408,
 * connection errors and timeouts retried with exponential backoff (1 s
 * doubling to 5 min, with jitter); any other status dropped with a log
 * line (the server refused the message; retrying would not help); a 404
 * to an edit means the root post is gone: a new one is made. A token
 * bucket per channel keeps to mattermost_rate messages a minute (bursts
 * of up to ten). Nothing here blocks: libcurl's sockets and timers are the
 * loop's descriptors and timers, and a send starts only between loop
 * turns, after the turn's transaction committed the rows it reads.
 *
 * Secrets: the webhook URL and the bot token are borrowed from
 * relay/notify/mattermost_notify.c (sodium_malloc'd there); libcurl gets
 * copies, the header list's is zeroed at stop. Logs name the channel
 * ("webhook") or the API path ("PUT /api/v4/posts/{id}"), never the URL
 * or the token.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "build_config.h"
#include "relay/core/log.h"
#include "relay/notify/mattermost_queue.h"
#include "relay/notify/notify_env.h"
#include "relay/notify/mattermost_send.h"
#include "relay/core/config.h"
#include "relay/core/loop.h"
#include "relay/core/metrics.h"
#include "relay/store/store.h"

#define NOTIFY_CONNECT_TIMEOUT_MS 5000
#define NOTIFY_TIMEOUT_MS 10000
#define NOTIFY_BACKOFF_MIN_MS 1000
#define NOTIFY_BACKOFF_MAX_MS (5 * 60 * 1000)
#define NOTIFY_RETRY_AFTER_MAX_S 3600
#define NOTIFY_RESPONSE_MAX (64 * 1024)
#define NOTIFY_BURST_MAX 10
#define NOTIFY_FDS_MAX 16

enum { NOTIFY_WEBHOOK, NOTIFY_BOT, NOTIFY__CHANNELS };

struct notify_channel {
	struct notify_send *n;
	const char *name;             /* NOTIFY_CHANNEL_WEBHOOK, _BOT */
	bool on;
	CURL *easy;
	struct curl_slist *headers;   /* may hold the bot token: zeroed at stop */
	bool busy;                    /* a request in flight */
	struct notify_item item;      /* its message */
	char what[96];                /* "POST /api/v4/posts", for logs */
	bool creates_root;            /* it creates an incident's root post */
	bool edits_root;              /* it edits one */
	struct buf resp;      /* the response body (bounded) */
	long long not_before;         /* loop ms: backoff, Retry-After */
	long wake;                    /* timer for not_before; 0: none */
	double tokens;                /* rate limit bucket */
	long long refilled;           /* loop ms of the last refill */
};

struct notify_send {
	const struct notify_env *env;  /* borrowed */
	struct notify_queue *q;
	CURLM *multi;
	long curl_timer;              /* 0: none */
	int fds[NOTIFY_FDS_MAX];      /* descriptors curl asked us to watch */
	int nfds;
	struct notify_channel ch[NOTIFY__CHANNELS];
	const char *webhook;          /* borrowed secret */
	char api[600];                /* mattermost_url + "/api/v4/posts" */
	char user_agent[64];
	double rate_per_ms, burst;
};

static void notify_kick(struct notify_send *n);

void
notify_send_gauge(struct notify_send *n)
{
	n->env->metrics->notify_queue = (uint64_t)notify_queue_depth(n->q);
}

/* ------------------------------------------------------------ delivery */

static size_t
notify_on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct notify_channel *ch = arg;
	size_t n = size * nmemb;

	if (ch->resp.len + n <= NOTIFY_RESPONSE_MAX)
		buf_printf(&ch->resp, "%.*s", (int)n, data);
	return n;
}

/* Milliseconds to wait before attempt `attempts` + 1: 1 s doubling to
 * 5 min, each with up to a quarter more at random (so that relays that
 * failed together do not retry together). */
static long
notify_backoff(int attempts)
{
	long ms = NOTIFY_BACKOFF_MIN_MS;

	for (int i = 1; i < attempts && ms < NOTIFY_BACKOFF_MAX_MS; i++)
		ms *= 2;
	if (ms > NOTIFY_BACKOFF_MAX_MS)
		ms = NOTIFY_BACKOFF_MAX_MS;
	return ms + (long)randombytes_uniform((uint32_t)(ms / 4 + 1));
}

static void
notify_on_wake(void *arg)
{
	struct notify_channel *ch = arg;

	ch->wake = 0;
	notify_kick(ch->n);
}

/* Wake up at ch->not_before to try again. */
static void
notify_wake_at(struct notify_channel *ch)
{
	long long wait = ch->not_before - loop_now_ms();

	if (ch->wake)
		loop_timer_cancel(ch->n->env->loop, ch->wake);
	ch->wake = loop_timer_add(ch->n->env->loop, wait > 0 ? (long)wait : 0,
	    notify_on_wake, ch);
	if (ch->wake < 0)
		ch->wake = 0;
}

/* A word from Mattermost's JSON error ({"id":"api.post...app_error"}),
 * safe to log; "" when there is none. */
static void
notify_error_id(const struct buf *resp, char *out, size_t len)
{
	json_t *j;
	const char *id;

	out[0] = '\0';
	if (resp->data == NULL || resp->failed ||
	    (j = json_loadb(resp->data, resp->len, 0, NULL)) == NULL)
		return;
	id = json_string_value(json_object_get(j, "id"));
	if (id && strlen(id) + 4 < len && strspn(id,
	    "abcdefghijklmnopqrstuvwxyz0123456789._") == strlen(id))
		snprintf(out, len, " (%.*s)", (int)(len - 4), id);
	json_decref(j);
}

static void
notify_done_item(struct notify_channel *ch)
{
	char err[NOTIFY_QUEUE_ERR_MAX];

	/* 0: it was dropped from a full queue while in flight */
	if (notify_queue_delete(ch->n->q, ch->item.seq, err) < 0)
		log_err("mattermost: %s", err);
	notify_send_gauge(ch->n);
	ch->not_before = 0;
}

static void
notify_retry(struct notify_channel *ch, long long retry_after_s,
    const char *why)
{
	struct notify_send *n = ch->n;
	char err[NOTIFY_QUEUE_ERR_MAX];
	long wait;
	int a = ++ch->item.attempts;

	if (retry_after_s > 0)
		wait = (long)(retry_after_s > NOTIFY_RETRY_AFTER_MAX_S ?
		    NOTIFY_RETRY_AFTER_MAX_S : retry_after_s) * 1000;
	else
		wait = notify_backoff(a);
	ch->not_before = loop_now_ms() + wait;
	n->env->metrics->notify_retried++;
	if (notify_queue_set_attempts(n->q, ch->item.seq, a, err) != 0)
		log_err("mattermost: %s", err);
	/* a long outage: say so at first, then now and then */
	log_msg(a <= 3 || a % 10 == 0 ? LOG_LVL_WARN : LOG_LVL_DEBUG,
	    "mattermost %s: %s: %s; message %lld retried in %.1f s (attempt %d)",
	    ch->name, ch->what, why, ch->item.seq, wait / 1000.0, a);
	notify_wake_at(ch);
}

static void
notify_drop(struct notify_channel *ch, long status)
{
	char eid[128];

	notify_error_id(&ch->resp, eid, sizeof(eid));
	log_warn("mattermost %s: %s: HTTP %ld%s: message %lld dropped (refused; "
	    "not retried)%s", ch->name, ch->what, status, eid, ch->item.seq,
	    status == 401 || status == 403 ? ch == &ch->n->ch[NOTIFY_BOT] ?
	    ": check mattermost_token_file and the bot's rights in the channel" :
	    ": check mattermost_webhook" : status == 404 && ch ==
	    &ch->n->ch[NOTIFY_WEBHOOK] ? ": is the webhook deleted?" : "");
	ch->n->env->metrics->notify_dropped++;
	notify_done_item(ch);
}

/* A root post created: remember its id for the replies and edits. */
static void
notify_root_created(struct notify_channel *ch)
{
	char err[NOTIFY_QUEUE_ERR_MAX];
	const char *id = NULL;
	json_t *j = NULL;

	if (ch->resp.data && !ch->resp.failed)
		j = json_loadb(ch->resp.data, ch->resp.len, 0, NULL);
	id = json_string_value(json_object_get(j, "id"));
	if (id == NULL || id[0] == '\0' || strlen(id) > NOTIFY_POST_ID_MAX ||
	    strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(id))
		log_warn("mattermost bot: the answer to %s has no post id: the "
		    "incident's replies go to the channel, its next change makes "
		    "a new root post", ch->what);
	else if (notify_incident_set_post(ch->n->q, ch->item.incident, id, err) != 0)
		log_err("mattermost: %s", err);
	else
		log_info("mattermost bot: incident %lld: root post %s",
		    ch->item.incident, id);
	json_decref(j);
}

static void
notify_finish(struct notify_channel *ch, CURLcode code)
{
	struct notify_send *n = ch->n;
	char err[NOTIFY_QUEUE_ERR_MAX];
	curl_off_t retry_after = 0;
	long status = 0;

	ch->busy = false;
	curl_easy_getinfo(ch->easy, CURLINFO_RESPONSE_CODE, &status);
#if LIBCURL_VERSION_NUM >= 0x074200
	curl_easy_getinfo(ch->easy, CURLINFO_RETRY_AFTER, &retry_after);
#endif
	if (code != CURLE_OK)
		notify_retry(ch, 0, curl_easy_strerror(code));
	else if (status >= 200 && status < 300) {
		if (ch->creates_root)
			notify_root_created(ch);
		n->env->metrics->notify_sent++;
		log_debug("mattermost %s: %s: HTTP %ld: message %lld delivered",
		    ch->name, ch->what, status, ch->item.seq);
		notify_done_item(ch);
	} else if (status == 429) {
		notify_retry(ch, (long long)retry_after, "HTTP 429 (rate limited)");
	} else if (status >= 500 || status == 408) {
		char why[32];
		snprintf(why, sizeof(why), "HTTP %ld", status);
		notify_retry(ch, (long long)retry_after, why);
	} else if (status == 404 && ch->edits_root) {
		/* the root post is gone (deleted by someone): make a new one */
		log_warn("mattermost bot: incident %lld: its root post is gone: "
		    "a new one is made", ch->item.incident);
		if (notify_incident_set_post(n->q, ch->item.incident, "", err) != 0)
			log_err("mattermost: %s", err);
	} else
		notify_drop(ch, status);
	notify_item_clear(&ch->item);
	buf_free(&ch->resp);
	ch->creates_root = ch->edits_root = false;
}

/* Finished transfers. */
static void
notify_collect(struct notify_send *n)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(n->multi, &left)) != NULL) {
		CURL *e = m->easy_handle;
		CURLcode code = m->data.result;
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_multi_remove_handle(n->multi, e);
		for (int i = 0; i < NOTIFY__CHANNELS; i++)
			if (n->ch[i].easy == e && n->ch[i].busy)
				notify_finish(&n->ch[i], code);
	}
	notify_kick(n);
}

/* The body to send for the message in flight, and its method and URL. */
static char *
notify_request(struct notify_channel *ch, char *url, size_t urllen, bool *put)
{
	struct notify_send *n = ch->n;
	char err[NOTIFY_QUEUE_ERR_MAX], post[NOTIFY_POST_ID_MAX + 1];
	json_t *body = NULL, *put_body;
	char *text = NULL;

	*put = false;
	if (ch == &n->ch[NOTIFY_WEBHOOK]) {
		snprintf(url, urllen, "%s", n->webhook);
		snprintf(ch->what, sizeof(ch->what), "POST (webhook)");
		return strdup(ch->item.body);
	}
	if ((body = json_loads(ch->item.body, 0, NULL)) == NULL)
		return NULL;
	post[0] = '\0';
	if (ch->item.incident &&
	    notify_incident_post(n->q, ch->item.incident, post, err) != 0)
		log_err("mattermost: %s", err);
	if (strcmp(ch->item.op, "root") == 0 && post[0]) {
		/* PUT /api/v4/posts/{id} {id, message, props} */
		put_body = json_pack("{s:s,s:O,s:O}", "id", post, "message",
		    json_object_get(body, "message"), "props",
		    json_object_get(body, "props"));
		json_decref(body);
		if ((body = put_body) == NULL)
			return NULL;
		snprintf(url, urllen, "%s/%s", n->api, post);
		snprintf(ch->what, sizeof(ch->what), "PUT /api/v4/posts/%s", post);
		*put = true;
		ch->edits_root = true;
	} else {
		if (strcmp(ch->item.op, "root") == 0)
			ch->creates_root = true;
		else if (post[0])
			json_object_set_new(body, "root_id", json_string(post));
		else if (ch->item.incident)
			log_info("mattermost bot: incident %lld has no root post: "
			    "message %lld goes to the channel", ch->item.incident,
			    ch->item.seq);
		snprintf(url, urllen, "%s", n->api);
		snprintf(ch->what, sizeof(ch->what), "POST /api/v4/posts");
	}
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	return text;
}

/* Start sending ch's head message. */
static void
notify_send(struct notify_channel *ch)
{
	struct notify_send *n = ch->n;
	char url[1200], *body;
	bool put = false;
	CURLMcode mc;

	if ((body = notify_request(ch, url, sizeof(url), &put)) == NULL) {
		log_err("mattermost %s: message %lld is not valid JSON, or memory "
		    "ran out: dropped", ch->name, ch->item.seq);
		n->env->metrics->notify_dropped++;
		notify_done_item(ch);
		notify_item_clear(&ch->item);
		ch->creates_root = ch->edits_root = false;
		return;
	}
	curl_easy_reset(ch->easy);
	curl_easy_setopt(ch->easy, CURLOPT_URL, url);
	sodium_memzero(url, sizeof(url));
	curl_easy_setopt(ch->easy, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(ch->easy, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(ch->easy, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(ch->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(ch->easy, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)NOTIFY_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(ch->easy, CURLOPT_TIMEOUT_MS, (long)NOTIFY_TIMEOUT_MS);
	curl_easy_setopt(ch->easy, CURLOPT_HTTPHEADER, ch->headers);
	curl_easy_setopt(ch->easy, CURLOPT_USERAGENT, n->user_agent);
	curl_easy_setopt(ch->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(ch->easy, CURLOPT_COPYPOSTFIELDS, body);
	if (put)
		curl_easy_setopt(ch->easy, CURLOPT_CUSTOMREQUEST, "PUT");
	curl_easy_setopt(ch->easy, CURLOPT_WRITEFUNCTION, notify_on_body);
	curl_easy_setopt(ch->easy, CURLOPT_WRITEDATA, ch);
	free(body);
	buf_free(&ch->resp);
	if ((mc = curl_multi_add_handle(n->multi, ch->easy)) != CURLM_OK) {
		log_err("mattermost %s: %s", ch->name, curl_multi_strerror(mc));
		notify_retry(ch, 0, "cannot start the request");
		notify_item_clear(&ch->item);
		ch->creates_root = ch->edits_root = false;
		return;
	}
	ch->busy = true;
	log_debug("mattermost %s: %s: message %lld (attempt %d)", ch->name,
	    ch->what, ch->item.seq, ch->item.attempts + 1);
}

/* Start what may start: for each idle channel with a message due and a
 * token in its bucket. Never inside the turn's transaction: the rows it
 * would read may not be committed yet. */
static void
notify_kick(struct notify_send *n)
{
	char err[NOTIFY_QUEUE_ERR_MAX];

	if (notify_queue_depth(n->q) == 0 || store_in_transaction(n->env->store))
		return;
	for (int i = 0; i < NOTIFY__CHANNELS; i++) {
		struct notify_channel *ch = &n->ch[i];
		long long now = loop_now_ms();
		int rc;

		if (!ch->on || ch->busy || now < ch->not_before)
			continue;
		ch->tokens += (double)(now - ch->refilled) * n->rate_per_ms;
		if (ch->tokens > n->burst)
			ch->tokens = n->burst;
		ch->refilled = now;
		if (ch->tokens < 1.0) {
			ch->not_before = now + (long long)((1.0 - ch->tokens) /
			    n->rate_per_ms) + 1;
			notify_wake_at(ch);
			continue;
		}
		if ((rc = notify_queue_head(n->q, ch->name, &ch->item, err)) < 0) {
			log_err("mattermost: %s", err);
			ch->not_before = now + NOTIFY_BACKOFF_MIN_MS;
			notify_wake_at(ch);
			continue;
		}
		if (rc == 0)
			continue;
		ch->tokens -= 1.0;
		notify_send(ch);
	}
}

/* ---------------------------------------------------- libcurl and loop */

static void
notify_on_fd(void *arg, int fd, short revents)
{
	struct notify_send *n = arg;
	int flags = 0, running;

	if (revents & (POLLIN | POLLHUP))
		flags |= CURL_CSELECT_IN;
	if (revents & POLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (revents & (POLLERR | POLLNVAL))
		flags |= CURL_CSELECT_ERR;
	curl_multi_socket_action(n->multi, fd, flags, &running);
	notify_collect(n);
}

static int
notify_curl_socket(CURL *e, curl_socket_t s, int what, void *userp,
    void *socketp)
{
	struct notify_send *n = userp;
	short events = 0;

	(void)e;
	(void)socketp;
	if (what == CURL_POLL_REMOVE) {
		loop_fd_del(n->env->loop, s);
		for (int i = 0; i < n->nfds; i++)
			if (n->fds[i] == s) {
				n->fds[i] = n->fds[--n->nfds];
				break;
			}
		return 0;
	}
	if (what & CURL_POLL_IN)
		events |= POLLIN;
	if (what & CURL_POLL_OUT)
		events |= POLLOUT;
	if (loop_fd_add(n->env->loop, s, events, notify_on_fd, n) != 0) {
		log_err("mattermost: too many descriptors for the loop");
		return -1;
	}
	for (int i = 0; i < n->nfds; i++)
		if (n->fds[i] == s)
			return 0;
	if (n->nfds < NOTIFY_FDS_MAX)
		n->fds[n->nfds++] = s;
	return 0;
}

static void
notify_on_curl_timer(void *arg)
{
	struct notify_send *n = arg;
	int running;

	n->curl_timer = 0;
	curl_multi_socket_action(n->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	notify_collect(n);
}

static int
notify_curl_timer(CURLM *m, long timeout_ms, void *userp)
{
	struct notify_send *n = userp;

	(void)m;
	if (n->curl_timer)
		loop_timer_cancel(n->env->loop, n->curl_timer);
	n->curl_timer = 0;
	if (timeout_ms >= 0 && (n->curl_timer = loop_timer_add(n->env->loop,
	    timeout_ms, notify_on_curl_timer, n)) < 0) {
		n->curl_timer = 0;
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------- start and stop */

static struct curl_slist *
notify_headers(const char *auth)
{
	struct curl_slist *h = NULL, *t;

	if ((t = curl_slist_append(h, "Content-Type: application/json")) == NULL)
		goto bad;
	h = t;
	if ((t = curl_slist_append(h, "Accept: application/json")) == NULL)
		goto bad;
	h = t;
	if ((t = curl_slist_append(h, "Expect:")) == NULL)
		goto bad;
	h = t;
	if (auth && (t = curl_slist_append(h, auth)) == NULL)
		goto bad;
	return t;
bad:
	curl_slist_free_all(h);
	return NULL;
}

/* Free a header list, zeroing each line (one holds the bot token). */
static void
notify_headers_free(struct curl_slist *h)
{
	for (struct curl_slist *p = h; p; p = p->next)
		sodium_memzero(p->data, strlen(p->data));
	curl_slist_free_all(h);
}

static int
notify_channel_init(struct notify_send *n, int i, const char *name,
    const char *auth)
{
	struct notify_channel *ch = &n->ch[i];

	ch->n = n;
	ch->name = name;
	ch->on = true;
	ch->tokens = n->burst;
	ch->refilled = loop_now_ms();
	if ((ch->easy = curl_easy_init()) == NULL ||
	    (ch->headers = notify_headers(i == NOTIFY_BOT ? auth : NULL)) == NULL) {
		log_err("mattermost: out of memory");
		return -1;
	}
	return 0;
}

void
notify_send_kick(struct notify_send *n)
{
	if (n)
		notify_kick(n);
}

struct notify_send *
notify_send_start(const struct notify_env *env, struct notify_queue *q, const char *webhook,
    const char *server, const char *auth)
{
	struct notify_send *n;
	size_t len;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		goto nomem;
	n->env = env;
	n->q = q;
	n->webhook = webhook;
	if (server) {
		len = strlen(server);
		while (len > 0 && server[len - 1] == '/')
			len--;
		snprintf(n->api, sizeof(n->api), "%.*s/api/v4/posts", (int)len,
		    server);
	}
	snprintf(n->user_agent, sizeof(n->user_agent), "ntarelay/%s",
	    PACKAGE_VERSION);
	n->rate_per_ms = env->cfg->mattermost_rate / 60000.0;
	n->burst = env->cfg->mattermost_rate < NOTIFY_BURST_MAX ?
	    env->cfg->mattermost_rate : NOTIFY_BURST_MAX;
	if (n->burst < 1)
		n->burst = 1;
	if ((n->multi = curl_multi_init()) == NULL)
		goto nomem;
	curl_multi_setopt(n->multi, CURLMOPT_SOCKETFUNCTION, notify_curl_socket);
	curl_multi_setopt(n->multi, CURLMOPT_SOCKETDATA, n);
	curl_multi_setopt(n->multi, CURLMOPT_TIMERFUNCTION, notify_curl_timer);
	curl_multi_setopt(n->multi, CURLMOPT_TIMERDATA, n);
	if ((webhook && notify_channel_init(n, NOTIFY_WEBHOOK,
	    NOTIFY_CHANNEL_WEBHOOK, NULL) != 0) ||
	    (server && notify_channel_init(n, NOTIFY_BOT, NOTIFY_CHANNEL_BOT,
	    auth) != 0))
		goto bad;
	notify_send_gauge(n);
	return n;
nomem:
	log_err("mattermost: out of memory");
bad:
	notify_send_stop(n);
	return NULL;
}

void
notify_send_stop(struct notify_send *n)
{
	if (n == NULL)
		return;
	for (int i = 0; i < NOTIFY__CHANNELS; i++) {
		struct notify_channel *ch = &n->ch[i];
		if (ch->easy) {
			if (ch->busy && n->multi)
				curl_multi_remove_handle(n->multi, ch->easy);
			curl_easy_cleanup(ch->easy);
		}
		notify_headers_free(ch->headers);
		notify_item_clear(&ch->item);
		buf_free(&ch->resp);
		if (ch->wake)
			loop_timer_cancel(n->env->loop, ch->wake);
	}
	if (n->multi)
		curl_multi_cleanup(n->multi);
	for (int i = 0; i < n->nfds; i++)
		loop_fd_del(n->env->loop, n->fds[i]);
	if (n->curl_timer)
		loop_timer_cancel(n->env->loop, n->curl_timer);
	free(n);
}
