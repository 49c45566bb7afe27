/*
 * relay/fed/link.c — an MQTT link on the relay's loop (see link.h); what it
 * says about its health, and when, is relay/fed/link_state.h's.
 */
#include <errno.h>
#include <netdb.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <sodium.h>

#include "relay/core/clock.h"
#include "relay/core/log.h"
#include "relay/fed/link.h"
#include "relay/fed/link_state.h"
#include "relay/fed/rowset.h"

#define SESSION_EXPIRY_S (3 * 86400) /* the broker keeps our session and
                                       queues for us this long while we
                                       are away (MQTT v5) */
#define BACKOFF_MIN_MS LINK_BACKOFF_MIN_MS
#define BACKOFF_MAX_MS LINK_BACKOFF_MAX_MS
#define PROBE_TIMEOUT_MS 10000 /* a TCP connect that takes longer: "timeout" */
#define WHY_MAX 512            /* a failure's text as made (link_state keeps
                                  LINK_STATE_DETAIL_MAX of it) */
#define KEEPALIVE_S 30
/* mosquitto_loop_misc() sends the keepalive PINGREQ and notices a broker
 * that stopped answering; every KEEPALIVE_S / 6 is early enough for both
 * (the broker waits 1.5 x KEEPALIVE_S) and lets an idle relay sleep: a
 * closed connection is seen at once anyway, by poll(2). */
#define MISC_MS (KEEPALIVE_S * 1000 / 6)
#define INFLIGHT_MAX 65536     /* tracked PUBACKs: mid -> row */
#define LINK_ID_SHORT 8        /* an event id in the log: 16 hex digits */
#define BURST_BYTES (1024 * 1024) /* payload read in one go: what one turn
                                    may hold in memory if it cannot commit */

struct inflight {
	int mid;                   /* 0 = empty */
	long long row;
	unsigned char id[LINK_ID_SHORT];   /* the event id's first bytes */
	char *topic;               /* owned; NULL when out of memory */
};

struct link {
	struct loop *loop;
	struct mosquitto *m;
	struct config_link cfg;
	struct link_callbacks cb;
	char subscription[256];
	int store_id;
	int fd;                    /* watched socket, -1 when none */
	int probe_fd;              /* non-blocking TCP probe, -1 when none */
	bool up;
	bool paused;               /* link_pause(): not connected on purpose */
	size_t burst;              /* payload bytes read in this burst */
	int protocol;              /* MQTT_PROTOCOL_V5 or MQTT_PROTOCOL_V311 */
	bool v5_answered;          /* the broker answered a v5 CONNECT once */
	bool subscribed_once;      /* connected and subscribed once: retained
	                              messages only for a new subscription */
	int nheads;                /* link_heads_only(): 2, else 0 */
	char heads[2][256];        /* the filters whose retained messages a
	                              relay with an intact store takes */
	bool v311_by_close;        /* 3.1.1 because the broker closed a v5
	                              CONNECT unanswered */
	uint64_t refused;          /* publications the broker refused */
	long backoff_ms;
	long reconnect_timer, misc_timer, probe_timer;
	struct link_state st;      /* what /healthz and the log say */
	char tls_text[LINK_STATE_DETAIL_MAX]; /* libmosquitto's error lines
	                              during this attempt (its TLS failures) */
	struct inflight *inflight; /* indexed by mid (slot()) */
	size_t ninflight;
	struct rowset rows;        /* the rows of inflight: link_inflight() */
};

static void link_down(struct link *l, enum link_cause cause,
    const char *detail);
static void close_probe(struct link *l);
static void watch_socket(struct link *l);

/* --------------------------------------------------------- in-flight map */

/* libmosquitto's message ids are 16 bits (1..65535) and unique among a
 * connection's unacknowledged publications, so the map is indexed by the id
 * itself: no probing, and taking an entry touches one slot. */
static struct inflight *
slot(const struct link *l, int mid)
{
	if (mid <= 0 || mid >= INFLIGHT_MAX)
		return NULL;
	return &l->inflight[mid];
}

/* Track mid: row, and what a refusal is logged with (the topic, the
 * event id's first LINK_ID_SHORT bytes; id may be NULL). */
static void
inflight_put(struct link *l, int mid, long long row, const char *topic,
    const unsigned char *id)
{
	struct inflight *s;

	if (l->ninflight >= INFLIGHT_MAX / 2 || (s = slot(l, mid)) == NULL)
		return; /* untracked: the outbox re-sends it after a reconnect */
	if (s->mid == 0)
		l->ninflight++;
	else {
		free(s->topic);
		rowset_del(&l->rows, s->row);
	}
	/* never full: it holds at most ninflight <= INFLIGHT_MAX / 2 rows */
	(void)rowset_add(&l->rows, row);
	s->mid = mid;
	s->row = row;
	s->topic = strdup(topic);
	if (id)
		memcpy(s->id, id, LINK_ID_SHORT);
	else
		memset(s->id, 0, LINK_ID_SHORT);
}

/* Forget every tracked publication. */
static void
inflight_clear(struct link *l)
{
	for (size_t i = 0; l->ninflight && i < INFLIGHT_MAX; i++)
		if (l->inflight[i].mid) {
			free(l->inflight[i].topic);
			l->ninflight--;
		}
	memset(l->inflight, 0, INFLIGHT_MAX * sizeof(*l->inflight));
	rowset_clear(&l->rows);
	l->ninflight = 0;
}

/* Take mid's entry out into *out (the caller frees out->topic). */
static bool
inflight_take(struct link *l, int mid, struct inflight *out)
{
	struct inflight *s = slot(l, mid);

	if (s == NULL || s->mid != mid)
		return false;
	*out = *s;
	rowset_del(&l->rows, s->row);
	s->mid = 0;
	s->topic = NULL;   /* out in *out */
	l->ninflight--;
	return true;
}

/* O(1): asked for every outbox row during a reconnect flush */
bool
link_inflight(const struct link *l, long long row)
{
	return l->ninflight && rowset_has(&l->rows, row);
}

/* ---------------------------------------------------------- callbacks */

static void
on_connect(struct mosquitto *m, void *arg, int rc, int flags,
    const mosquitto_property *props)
{
	struct link *l = arg;
	/* The broker's retained messages at the relay's first connection
	 * (a store that was rebuilt or is new fills from them); after that
	 * only for a subscription the broker did not hold (it lost the
	 * session): a resumed session keeps ours, and its queue brings what
	 * was published meanwhile. Re-sent at every reconnect, the retained
	 * messages (one per zone and origin: 100,000 after a run of
	 * bench/bench_catchup.sh) came before that queue, and the relay read
	 * and dropped each as a duplicate before it saw anything new. */
	int opts = MQTT_SUB_OPT_NO_LOCAL | (l->subscribed_once ?
	    MQTT_SUB_OPT_SEND_RETAIN_NEW : MQTT_SUB_OPT_SEND_RETAIN_ALWAYS);

	(void)props;
	if (l->protocol == MQTT_PROTOCOL_V5)
		l->v5_answered = true;
	if (rc != 0) {
		bool v5 = l->protocol == MQTT_PROTOCOL_V5;
		char why[WHY_MAX];

		if (v5 && (rc == MQTT_RC_UNSUPPORTED_PROTOCOL_VERSION || rc == 1)) {
			log_notice("link %s: broker does not speak MQTT v5, using 3.1.1",
			    l->cfg.url);
			l->protocol = MQTT_PROTOCOL_V311;
			mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, l->protocol);
			link_down(l, LINK_CAUSE_NONE, NULL);
			return;
		}
		/* "connection refused: " is the broker's CONNACK (tls.sh) */
		snprintf(why, sizeof(why), "connection refused: %s",
		    v5 ? mosquitto_reason_string(rc) : mosquitto_connack_string(rc));
		link_down(l, link_cause_connack(rc, v5), why);
		return;
	}
	if (l->protocol != MQTT_PROTOCOL_V5)
		opts = 0; /* 3.1.1 has neither "no local" (own copies are
		           deduplicated) nor retain handling */
	/* A store that is intact needs, of the broker's retained messages,
	 * only the heads (heartbeats) and the trust events: what else it
	 * lacks, the heads show as gaps and backfill fills, event by event
	 * (docs/PROTOCOL.md 12.2). Every other retained message (one per
	 * zone and signer: decisions, assessments) would come again to a new
	 * subscription, to be dropped as a duplicate. The heads' filters
	 * first, so that the heads come before anything else. */
	if (l->protocol == MQTT_PROTOCOL_V5 && l->nheads > 0) {
		rc = MOSQ_ERR_SUCCESS;
		for (int i = 0; i < l->nheads && rc == MOSQ_ERR_SUCCESS; i++)
			rc = mosquitto_subscribe_v5(m, NULL, l->heads[i], 1, opts,
			    NULL);
		opts = MQTT_SUB_OPT_NO_LOCAL | MQTT_SUB_OPT_SEND_RETAIN_NEVER;
	} else {
		rc = MOSQ_ERR_SUCCESS;
	}
	if (rc == MOSQ_ERR_SUCCESS)
		rc = mosquitto_subscribe_v5(m, NULL, l->subscription, 1, opts, NULL);
	if (rc != MOSQ_ERR_SUCCESS) {
		char why[WHY_MAX];

		snprintf(why, sizeof(why), "subscribe failed: %s",
		    mosquitto_strerror(rc));
		link_down(l, LINK_CAUSE_OTHER, why);
		return;
	}
	if (!(flags & 1) && l->ninflight) {
		/* no session on the broker: what was in flight is gone; the
		 * outbox flush below sends it again */
		inflight_clear(l);
	}
	l->up = true;
	l->subscribed_once = true;
	l->v311_by_close = false;  /* the broker speaks 3.1.1: keep it */
	l->backoff_ms = BACKOFF_MIN_MS;
	/* libmosquitto's log is read only while connecting (its formatting
	 * costs a malloc per packet) */
	mosquitto_log_callback_set(m, NULL);
	link_state_up(&l->st, relay_now());
	log_info("link %s: connected (MQTT %s, session %s)", l->cfg.url,
	    l->protocol == MQTT_PROTOCOL_V5 ? "v5" : "3.1.1",
	    (flags & 1) ? "resumed" : "new");
	if (l->cb.on_up)
		l->cb.on_up(l->cb.arg, l);
}

static void
on_disconnect(struct mosquitto *m, void *arg, int rc, const mosquitto_property *p)
{
	struct link *l = arg;
	char why[WHY_MAX];

	(void)p;
	/* fd < 0: the relay closed it (link_down(), a pause), and the cause
	 * is already known */
	if (l->fd < 0)
		return;
	if (rc == MOSQ_ERR_KEEPALIVE) {   /* from mosquitto_loop_misc() */
		snprintf(why, sizeof(why), "no answer within the keepalive (%d s)",
		    KEEPALIVE_S);
		link_down(l, l->up ? LINK_CAUSE_LOST : LINK_CAUSE_TIMEOUT, why);
		return;
	}
	/*
	 * Closed before any CONNACK. A broker without MQTT v5 may answer a v5
	 * CONNECT by closing the connection rather than with CONNACK 1
	 * (RabbitMQ 3.x's MQTT plugin does): try 3.1.1 next. Never for a
	 * broker that answered v5 once; and back to v5 if 3.1.1 is closed
	 * unanswered too (the broker was going away, not refusing v5).
	 */
	if (!l->up && rc == MOSQ_ERR_CONN_LOST) {
		if (l->protocol == MQTT_PROTOCOL_V5 && !l->v5_answered) {
			log_notice("link %s: the broker closed the connection without "
			    "answering MQTT v5, trying 3.1.1", l->cfg.url);
			l->protocol = MQTT_PROTOCOL_V311;
			l->v311_by_close = true;
			mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, l->protocol);
			link_down(l, LINK_CAUSE_NONE, NULL);
			return;
		}
		if (l->protocol == MQTT_PROTOCOL_V311 && l->v311_by_close) {
			l->protocol = MQTT_PROTOCOL_V5;
			l->v311_by_close = false;
			mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, l->protocol);
		}
	}
	if (rc == 0)
		snprintf(why, sizeof(why), "the broker disconnected");
	else   /* a DISCONNECT's reason code, or libmosquitto's error */
		snprintf(why, sizeof(why), "%s", rc >= 0x80 ?
		    mosquitto_reason_string(rc) : mosquitto_strerror(rc));
	link_down(l, l->up ? LINK_CAUSE_LOST : LINK_CAUSE_OTHER, why);
}

/* libmosquitto's own error lines, kept while connecting: OpenSSL's text
 * for a failed TLS handshake ("certificate verify failed"), "host name
 * verification failed". Its messages hold no secrets. */
static void
on_log(struct mosquitto *m, void *arg, int level, const char *text)
{
	struct link *l = arg;
	size_t n = strlen(l->tls_text);

	(void)m;
	if (level != MOSQ_LOG_ERR || text == NULL || n + 3 >= sizeof(l->tls_text))
		return;
	if (strncmp(text, "OpenSSL Error[", 14) == 0 && strchr(text, ':'))
		text = strchr(text, ':') + 1;
	else if (strncmp(text, "Error: ", 7) == 0)
		text += 7;
	while (*text == ' ')
		text++;
	snprintf(l->tls_text + n, sizeof(l->tls_text) - n, "%s%s",
	    n ? "; " : "", text);
}

/* Why a libmosquitto call failed with rc, for link_down(). */
static void
fail_rc(struct link *l, int rc, int err)
{
	char why[WHY_MAX];
	enum link_cause c;

	if (rc == MOSQ_ERR_ERRNO) {
		c = link_cause_errno(err);
		snprintf(why, sizeof(why), "%s", strerror(err));
	} else if (rc == MOSQ_ERR_TLS) {
		c = link_cause_tls(l->tls_text);
		snprintf(why, sizeof(why), "TLS: %s", l->tls_text[0] ?
		    l->tls_text : mosquitto_strerror(rc));
	} else if (rc == MOSQ_ERR_EAI) {
		c = LINK_CAUSE_DNS;
		snprintf(why, sizeof(why), "cannot resolve %s", l->cfg.host);
	} else {
		c = LINK_CAUSE_OTHER;
		snprintf(why, sizeof(why), "%s", mosquitto_strerror(rc));
	}
	link_down(l, l->up ? LINK_CAUSE_LOST : c, why);
}

static void
on_message(struct mosquitto *m, void *arg, const struct mosquitto_message *msg,
    const mosquitto_property *p)
{
	struct link *l = arg;

	(void)m;
	(void)p;
	if (msg->payloadlen < 0)
		return;
	l->burst += (size_t)msg->payloadlen;
	l->cb.on_message(l->cb.arg, l, msg->topic, msg->payload,
	    (size_t)msg->payloadlen);
}

static void
on_publish(struct mosquitto *m, void *arg, int mid, int reason,
    const mosquitto_property *p)
{
	struct link *l = arg;
	struct inflight it;
	char id[2 * LINK_ID_SHORT + 1];

	(void)m;
	(void)p;
	if (!inflight_take(l, mid, &it))
		return;
	if (reason >= 0x80) {
		/* refused (v5), e.g. 135 not authorized by the broker's ACL
		 * (which keeps each operator on its own topics): it would be
		 * refused again at every reconnect, so it leaves the outbox;
		 * the event stays in the store, and peers that may receive it
		 * get it on other links or by backfill */
		l->refused++;
		for (size_t i = 0; i < LINK_ID_SHORT; i++)
			snprintf(id + 2 * i, 3, "%02x", it.id[i]);
		log_warn("link %s: broker refused a publication (%s); dropped from "
		    "this link's outbox: event %s... on topic %s", l->cfg.url,
		    mosquitto_reason_string(reason), id,
		    it.topic ? it.topic : "(unknown)");
	}
	free(it.topic);
	if (l->cb.on_acked)
		l->cb.on_acked(l->cb.arg, l, it.row);
}

/* ------------------------------------------------------- loop plumbing */

static void
on_socket(void *arg, int fd, short revents)
{
	struct link *l = arg;
	int rc = MOSQ_ERR_SUCCESS;

	if (l->paused)
		return;   /* prepare() disconnects it */
	if (revents & (POLLIN | POLLERR | POLLHUP)) {
		/* Read every packet already here (a burst), so that one turn of
		 * the loop stores them in one transaction. libmosquitto reads
		 * one packet per call and buffers nothing beyond it. The burst
		 * stops at once when the relay pauses the link (its store
		 * cannot write: libmosquitto acknowledges a QoS 1 message as it
		 * reads it), and after BURST_BYTES, which bounds what a turn
		 * that fails to commit leaves in memory. */
		int avail = 0, n = 0;
		l->burst = 0;
		do
			rc = mosquitto_loop_read(l->m, 1);
		while (rc == MOSQ_ERR_SUCCESS && l->fd >= 0 && !l->paused &&
		    ++n < 1024 && l->burst < BURST_BYTES &&
		    ioctl(fd, FIONREAD, &avail) == 0 && avail > 0);
		if (l->paused)
			return;
	}
	if (rc == MOSQ_ERR_SUCCESS && l->fd >= 0 && (revents & POLLOUT))
		rc = mosquitto_loop_write(l->m, 1);
	if (rc != MOSQ_ERR_SUCCESS && l->fd >= 0)
		fail_rc(l, rc, errno);
}

/* Leave the broker cleanly, keeping the session (it queues our QoS 1
 * messages meanwhile), and do not come back before link_resume(). */
static void
disconnect_paused(struct link *l)
{
	bool was_up = l->up;

	/* down first: libmosquitto reports the DISCONNECT it writes through
	 * on_disconnect, at once */
	l->up = false;
	if (was_up)
		log_notice("link %s: paused (the broker keeps the session and its "
		    "messages until the relay resumes)", l->cfg.url);
	link_state_paused(&l->st, relay_now());
	if (l->fd >= 0) {
		loop_fd_del(l->loop, l->fd);
		l->fd = -1;
		mosquitto_disconnect(l->m);
	}
	close_probe(l);
	if (l->reconnect_timer) {
		loop_timer_cancel(l->loop, l->reconnect_timer);
		l->reconnect_timer = 0;
	}
	if (was_up && l->cb.on_down)
		l->cb.on_down(l->cb.arg, l);
}

static void
prepare(void *arg)
{
	struct link *l = arg;

	/* Outside libmosquitto's callbacks, where a DISCONNECT is written
	 * at once rather than queued. */
	if (l->paused && (l->fd >= 0 || l->probe_fd >= 0 || l->reconnect_timer))
		disconnect_paused(l);
	if (l->fd >= 0)
		loop_fd_events(l->loop, l->fd, (short)(POLLIN |
		    (mosquitto_want_write(l->m) ? POLLOUT : 0)));
}

static void
on_misc(void *arg)
{
	struct link *l = arg;

	l->misc_timer = loop_timer_add(l->loop, MISC_MS, on_misc, l);
	/* a keepalive timeout calls on_disconnect, which closes the link
	 * (fd < 0 then) */
	if (l->fd >= 0 && !l->paused && mosquitto_loop_misc(l->m) != MOSQ_ERR_SUCCESS &&
	    l->fd >= 0) {
		char why[WHY_MAX];

		snprintf(why, sizeof(why), "no answer within the keepalive (%d s)",
		    KEEPALIVE_S);
		link_down(l, l->up ? LINK_CAUSE_LOST : LINK_CAUSE_TIMEOUT, why);
	}
}

static void
watch_socket(struct link *l)
{
	int fd = mosquitto_socket(l->m);

	if (fd < 0)
		return;
	l->fd = fd;
	loop_fd_add(l->loop, fd, POLLIN | POLLOUT, on_socket, l);
}

/*
 * Connecting. libmosquitto sends CONNECT properties (the v5 session expiry
 * that makes a session persistent) only from its blocking connect call, and
 * a blocking connect to an unreachable broker would stall the loop for the
 * kernel's connect timeout. So a link first proves the broker reachable
 * with a non-blocking TCP connect of its own, on the loop, and only then
 * makes libmosquitto's connect, which then completes at once.
 */
static void
mqtt_connect(struct link *l)
{
	mosquitto_property *props = NULL;
	int rc, err;

	if (l->protocol == MQTT_PROTOCOL_V5)
		mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL,
		    SESSION_EXPIRY_S);
	rc = mosquitto_connect_bind_v5(l->m, l->cfg.host, l->cfg.port, KEEPALIVE_S,
	    NULL, props);
	err = errno;
	mosquitto_property_free_all(&props);
	if (rc != MOSQ_ERR_SUCCESS) {
		log_debug("link %s: connect: %s", l->cfg.url,
		    rc == MOSQ_ERR_ERRNO ? strerror(err) : mosquitto_strerror(rc));
		fail_rc(l, rc, err);
		return;
	}
	watch_socket(l);
}

static void
close_probe(struct link *l)
{
	if (l->probe_fd >= 0) {
		loop_fd_del(l->loop, l->probe_fd);
		close(l->probe_fd);
		l->probe_fd = -1;
	}
	if (l->probe_timer) {
		loop_timer_cancel(l->loop, l->probe_timer);
		l->probe_timer = 0;
	}
}

/* The broker neither accepted nor refused in PROBE_TIMEOUT_MS: a host
 * that drops packets, or a firewall. */
static void
on_probe_timeout(void *arg)
{
	struct link *l = arg;
	char why[WHY_MAX];

	l->probe_timer = 0;
	close_probe(l);
	if (l->paused)
		return;
	snprintf(why, sizeof(why), "no answer to a TCP connect within %d s",
	    PROBE_TIMEOUT_MS / 1000);
	link_down(l, LINK_CAUSE_TIMEOUT, why);
}

static void
on_probe(void *arg, int fd, short revents)
{
	struct link *l = arg;
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	(void)revents;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
		soerr = errno;
	close_probe(l);
	if (l->paused)
		return;
	if (soerr != 0) {
		link_down(l, link_cause_errno(soerr), strerror(soerr));
		return;
	}
	mqtt_connect(l);
}

static void
on_reconnect(void *arg)
{
	struct link *l = arg;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	char port[8], why[WHY_MAX];
	int fd, rc, err;

	l->reconnect_timer = 0;
	if (l->paused)
		return;
	/* a new attempt: libmosquitto's error lines, from now on */
	l->tls_text[0] = '\0';
	mosquitto_log_callback_set(l->m, on_log);
	snprintf(port, sizeof(port), "%d", l->cfg.port);
	if ((rc = getaddrinfo(l->cfg.host, port, &hints, &ai)) != 0 || ai == NULL) {
		snprintf(why, sizeof(why), "cannot resolve %s: %s", l->cfg.host,
		    rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		link_down(l, LINK_CAUSE_DNS, why);
		return;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 &&
	    errno != EINPROGRESS)) {
		err = errno;
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		link_down(l, link_cause_errno(err), strerror(err));
		return;
	}
	freeaddrinfo(ai);
	l->probe_fd = fd;
	loop_fd_add(l->loop, fd, POLLOUT, on_probe, l);
	l->probe_timer = loop_timer_add(l->loop, PROBE_TIMEOUT_MS, on_probe_timeout, l);
}

/*
 * The connection (or the attempt) ended for cause (detail: its text;
 * LINK_CAUSE_NONE: no failure, e.g. retrying in MQTT 3.1.1): close it,
 * schedule the next attempt (exponential backoff from BACKOFF_MIN_MS,
 * doubling to BACKOFF_MAX_MS, each delay varied by +-25% and never above
 * BACKOFF_MAX_MS), and tell link_state, which logs a change.
 */
static void
link_down(struct link *l, enum link_cause cause, const char *detail)
{
	bool was_up = l->up;
	long ms = -1;

	if (l->fd >= 0) {
		loop_fd_del(l->loop, l->fd);
		l->fd = -1;
		mosquitto_disconnect(l->m);
	}
	l->up = false;
	if (!l->reconnect_timer && !l->paused) {
		ms = l->backoff_ms;
		ms += (long)randombytes_uniform((uint32_t)(ms / 2 + 1)) - ms / 4;
		if (ms > BACKOFF_MAX_MS)
			ms = BACKOFF_MAX_MS;
		l->backoff_ms = l->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
		    l->backoff_ms * 2;
		l->reconnect_timer = loop_timer_add(l->loop, ms, on_reconnect, l);
	}
	if (!l->paused)
		link_state_down(&l->st, cause, detail, relay_now(), ms);
	if (was_up && l->cb.on_down)
		l->cb.on_down(l->cb.arg, l);
}

/* -------------------------------------------------------------- public */

static int
set_credentials(struct link *l, char *err, size_t errlen)
{
	char *buf, *colon;
	ssize_t n;
	int fd, rc = -1;

	if ((buf = sodium_malloc(1024)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((fd = open(l->cfg.credentials, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: %s", l->cfg.credentials, strerror(errno));
		goto out;
	}
	n = read(fd, buf, 1023);
	close(fd);
	if (n <= 0) {
		snprintf(err, errlen, "%s: empty or unreadable", l->cfg.credentials);
		goto out;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if ((colon = strchr(buf, ':')) == NULL || colon == buf) {
		snprintf(err, errlen, "%s: expected USERNAME:PASSWORD", l->cfg.credentials);
		goto out;
	}
	*colon = '\0';
	if (mosquitto_username_pw_set(l->m, buf, colon + 1) != MOSQ_ERR_SUCCESS) {
		snprintf(err, errlen, "%s: refused by libmosquitto", l->cfg.credentials);
		goto out;
	}
	rc = 0;
out:
	sodium_free(buf); /* zeroes the password */
	return rc;
}

struct link *
link_new(struct loop *loop, const struct config_link *cfg, int store_id,
    const char *client_id, const char *subscription,
    const struct link_callbacks *cb, char *err, size_t errlen)
{
	struct link *l = calloc(1, sizeof(*l));

	if (l == NULL || (l->inflight = calloc(INFLIGHT_MAX, sizeof(*l->inflight))) == NULL ||
	    rowset_init(&l->rows, INFLIGHT_MAX) != 0) {
		if (l)
			free(l->inflight);
		free(l);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l->loop = loop;
	l->cfg = *cfg;
	l->cb = *cb;
	l->store_id = store_id;
	l->fd = -1;
	l->probe_fd = -1;
	l->protocol = MQTT_PROTOCOL_V5;
	l->backoff_ms = BACKOFF_MIN_MS;
	link_state_init(&l->st, l->cfg.url, relay_now());
	snprintf(l->subscription, sizeof(l->subscription), "%s", subscription);
	if ((l->m = mosquitto_new(client_id, false, l)) == NULL) {
		snprintf(err, errlen, "link %s: cannot create an MQTT client", cfg->url);
		goto bad;
	}
	mosquitto_int_option(l->m, MOSQ_OPT_PROTOCOL_VERSION, l->protocol);
	mosquitto_int_option(l->m, MOSQ_OPT_TCP_NODELAY, 1);
	mosquitto_max_inflight_messages_set(l->m, 1000);
	mosquitto_connect_v5_callback_set(l->m, on_connect);
	mosquitto_disconnect_v5_callback_set(l->m, on_disconnect);
	mosquitto_message_v5_callback_set(l->m, on_message);
	mosquitto_publish_v5_callback_set(l->m, on_publish);
	if (cfg->credentials[0] && set_credentials(l, err, errlen) != 0)
		goto bad;
	if (cfg->tls) {
		int rc = mosquitto_tls_set(l->m, cfg->cafile[0] ? cfg->cafile : NULL,
		    cfg->cafile[0] ? NULL : "/etc/ssl/certs",
		    cfg->certfile[0] ? cfg->certfile : NULL,
		    cfg->keyfile[0] ? cfg->keyfile : NULL, NULL);
		if (rc != MOSQ_ERR_SUCCESS) {
			snprintf(err, errlen, "link %s: TLS: %s", cfg->url,
			    mosquitto_strerror(rc));
			goto bad;
		}
		mosquitto_tls_opts_set(l->m, 1, "tlsv1.2", NULL);
	}
	loop_prepare_add(loop, prepare, l);
	return l;
bad:
	link_free(l);
	return NULL;
}

void
link_heads_only(struct link *l, const char filters[2][256])
{
	for (int i = 0; i < 2; i++)
		snprintf(l->heads[i], sizeof(l->heads[i]), "%s", filters[i]);
	l->nheads = 2;
}

void
link_start(struct link *l)
{
	l->misc_timer = loop_timer_add(l->loop, MISC_MS, on_misc, l);
	on_reconnect(l);
}

int
link_publish(struct link *l, const char *topic, const unsigned char *id,
    const void *payload, size_t len, bool retain, long expiry, long long row)
{
	mosquitto_property *props = NULL;
	int mid = 0, rc;

	if (!l->up)
		return -1;
	if (l->protocol == MQTT_PROTOCOL_V5 && expiry > 0)
		mosquitto_property_add_int32(&props, MQTT_PROP_MESSAGE_EXPIRY_INTERVAL,
		    (uint32_t)expiry);
	rc = mosquitto_publish_v5(l->m, &mid, topic, (int)len, payload, 1, retain, props);
	mosquitto_property_free_all(&props);
	if (rc != MOSQ_ERR_SUCCESS) {
		log_debug("link %s: publish: %s", l->cfg.url, mosquitto_strerror(rc));
		return -1;
	}
	if (row >= 0)
		inflight_put(l, mid, row, topic, id);
	return 0;
}

void
link_pause(struct link *l)
{
	l->paused = true;
}

void
link_resume(struct link *l)
{
	if (!l->paused)
		return;
	l->paused = false;
	l->backoff_ms = BACKOFF_MIN_MS;
	link_state_resumed(&l->st, relay_now());
	if (l->fd < 0 && l->probe_fd < 0 && l->reconnect_timer == 0) {
		log_notice("link %s: resumed", l->cfg.url);
		on_reconnect(l);
	}
}

bool
link_is_paused(const struct link *l)
{
	return l->paused;
}

uint64_t
link_refused(const struct link *l)
{
	return l->refused;
}

bool
link_is_up(const struct link *l)
{
	return l->up;
}

const struct link_state *
link_health(const struct link *l)
{
	return &l->st;
}

int
link_store_id(const struct link *l)
{
	return l->store_id;
}

const char *
link_url(const struct link *l)
{
	return l->cfg.url;
}

int
link_protocol(const struct link *l)
{
	return l->protocol == MQTT_PROTOCOL_V5 ? 5 : 4;
}

void
link_free(struct link *l)
{
	if (l == NULL)
		return;
	/* A disconnect the relay asks for (it stops): said at info; the
	 * DISCONNECT below calls on_disconnect at once, and with the link
	 * paused it neither warns nor schedules a reconnection. */
	if (l->up)
		log_info("link %s: closed (the relay stops)", l->cfg.url);
	l->up = false;
	l->paused = true;
	if (l->fd >= 0) {
		loop_fd_del(l->loop, l->fd);
		l->fd = -1;
	}
	close_probe(l);
	if (l->reconnect_timer)
		loop_timer_cancel(l->loop, l->reconnect_timer);
	if (l->misc_timer)
		loop_timer_cancel(l->loop, l->misc_timer);
	if (l->m) {
		mosquitto_disconnect(l->m);
		mosquitto_destroy(l->m);
	}
	if (l->inflight)
		inflight_clear(l);
	free(l->inflight);
	rowset_free(&l->rows);
	free(l);
}
