/*
 * relay/fed/storefault.c — the store cannot write: pause, hold, retry, resume
 * (see the header).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "relay/core/clock.h"
#include "relay/core/log.h"
#include "relay/fed/fed.h"
#include "relay/fed/ingest.h"
#include "relay/fed/publish.h"
#include "relay/fed/storefault.h"

enum storefault_state {
	STOREFAULT_WRITABLE,
	STOREFAULT_FAILED,      /* links paused, own events refused */
	STOREFAULT_RETRYING,    /* a retry's transaction is open */
};

/* One message kept for a retry: topic and bytes in one allocation. */
struct storefault_msg {
	struct link *from;      /* NULL: local */
	bool charged;           /* its rate was charged when it arrived */
	char *topic;            /* malloc'd: topic, NUL, payload */
	const char *payload;    /* inside topic's allocation */
	size_t len;
};

struct storefault_queue {
	struct storefault_msg *v;
	size_t n, cap;
	size_t bytes;
};

struct storefault {
	enum storefault_state state;
	char cause[STORE_ERR_MAX];
	long long since;                   /* unix time of the failure */
	struct storefault_queue journal;   /* this turn's events */
	struct storefault_queue held;      /* what failed to commit */
	long timer;                        /* the retry; 0: none */
	long backoff_ms;
	bool replaying;                    /* a charged message is replayed */
	bool warned_full;                  /* the held cap was hit (logged) */
};

/* ------------------------------------------------------------ queues */

static void
queue_clear(struct storefault_queue *q)
{
	for (size_t i = 0; i < q->n; i++)
		free(q->v[i].topic);
	q->n = 0;
	q->bytes = 0;
}

static void
queue_free(struct storefault_queue *q)
{
	queue_clear(q);
	free(q->v);
	memset(q, 0, sizeof(*q));
}

static int
queue_push(struct storefault_queue *q, const struct storefault_msg *m,
    size_t bytes)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? 2 * q->cap : 64;
		struct storefault_msg *v = realloc(q->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		q->v = v;
		q->cap = cap;
	}
	q->v[q->n++] = *m;
	q->bytes += bytes;
	return 0;
}

/* Move every message of src to the end of dst (src ends empty). */
static int
queue_move(struct storefault_queue *dst, struct storefault_queue *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		if (queue_push(dst, &src->v[i], strlen(src->v[i].topic) + 1 +
		    src->v[i].len) != 0)
			break;
	if (i < src->n) {
		/* out of memory: what did not move is lost, visibly */
		size_t lost = src->n - i;
		for (; i < src->n; i++)
			free(src->v[i].topic);
		src->n = 0;
		src->bytes = 0;
		return (int)lost;
	}
	src->n = 0;
	src->bytes = 0;
	return 0;
}

/* ------------------------------------------------------------- state */

bool
storefault_writable(const struct fed *fed)
{
	return fed->storefault == NULL ||
	    fed->storefault->state != STOREFAULT_FAILED;
}

size_t
storefault_held(const struct fed *fed)
{
	return fed->storefault ? fed->storefault->held.n : 0;
}

bool
storefault_replaying(const struct fed *fed)
{
	return fed->storefault && fed->storefault->replaying;
}

void
storefault_describe(const struct fed *fed, char *why, size_t len)
{
	const struct storefault *f = fed->storefault;
	char when[32] = "?";
	time_t t;
	struct tm tm;

	if (f == NULL || f->state != STOREFAULT_FAILED) {
		snprintf(why, len, "the store is writable");
		return;
	}
	t = (time_t)f->since;
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(why, len, "the store cannot write since %s: %s; %zu events held "
	    "for retry, links paused", when, f->cause, f->held.n);
}

/* Keep a copy of a message in q, unless the held cap is reached. */
static void
keep(struct fed *fed, struct storefault_queue *q, struct link *from,
    bool charged, const char *topic, const void *payload, size_t len)
{
	struct storefault *f = fed->storefault;
	size_t tlen = strlen(topic), bytes = tlen + 1 + len;
	struct storefault_msg m = { from, charged, NULL, NULL, len };

	if (f->journal.bytes + f->held.bytes + bytes > STOREFAULT_HELD_MAX ||
	    (m.topic = malloc(bytes)) == NULL) {
		fed->metrics->store_held_dropped++;
		if (!f->warned_full)
			log_err("store: cannot keep more events for a retry (%zu bytes "
			    "held, at most %d, or out of memory): events are dropped "
			    "until the store writes again (peers keep them: backfill "
			    "asks for them later)", f->journal.bytes + f->held.bytes,
			    STOREFAULT_HELD_MAX);
		f->warned_full = true;
		return;
	}
	memcpy(m.topic, topic, tlen + 1);
	memcpy(m.topic + tlen + 1, payload, len);
	m.payload = m.topic + tlen + 1;
	if (queue_push(q, &m, bytes) != 0) {
		free(m.topic);
		fed->metrics->store_held_dropped++;
		log_err("store: out of memory keeping an event for a retry");
	}
}

void
storefault_journal(struct fed *fed, struct link *from, const char *topic,
    const void *payload, size_t len)
{
	if (fed->storefault)
		keep(fed, &fed->storefault->journal, from, true, topic, payload, len);
}

void
storefault_hold(struct fed *fed, struct link *from, const char *topic,
    const void *payload, size_t len)
{
	if (fed->storefault)
		keep(fed, &fed->storefault->held, from, false, topic, payload, len);
}

static void retry(void *arg);

static void
schedule(struct fed *fed)
{
	struct storefault *f = fed->storefault;

	if (f->timer)
		return;
	f->timer = loop_timer_add(fed->loop, f->backoff_ms, retry, fed);
	if (f->timer < 0)
		f->timer = 0;
	f->backoff_ms = f->backoff_ms * 2 > STOREFAULT_RETRY_MAX_MS ?
	    STOREFAULT_RETRY_MAX_MS : f->backoff_ms * 2;
}

void
storefault_failed(struct fed *fed, const char *cause)
{
	struct storefault *f = fed->storefault;
	bool was_writable;

	if (f == NULL || f->state == STOREFAULT_FAILED)
		return;
	fed->metrics->store_write_failures++;
	was_writable = f->state == STOREFAULT_WRITABLE;
	f->state = STOREFAULT_FAILED;
	snprintf(f->cause, sizeof(f->cause), "%s", cause && cause[0] ? cause :
	    "a write failed");
	for (size_t i = 0; i < fed->nlinks; i++)
		link_pause(fed->links[i]);
	if (was_writable) {
		f->since = relay_now();
		f->warned_full = false;
		log_err("store: cannot write: %s; taking no more messages from the "
		    "brokers (links paused), holding what this turn received, "
		    "refusing own events, retrying every %d to %d s; GET /healthz "
		    "answers 503 until a write succeeds", f->cause,
		    STOREFAULT_RETRY_MIN_MS / 1000, STOREFAULT_RETRY_MAX_MS / 1000);
	}
	schedule(fed);
}

void
storefault_turn_end(struct fed *fed, bool committed, const char *cause)
{
	struct storefault *f = fed->storefault;
	int lost;

	if (f == NULL)
		return;
	if (committed) {
		queue_clear(&f->journal);
		if (f->state == STOREFAULT_RETRYING) {
			f->state = STOREFAULT_WRITABLE;
			f->backoff_ms = STOREFAULT_RETRY_MIN_MS;
			log_notice("store: writable again after %lld s (%s); resuming "
			    "the links", relay_now() - f->since, f->cause);
			f->cause[0] = '\0';
			for (size_t i = 0; i < fed->nlinks; i++)
				link_resume(fed->links[i]);
		}
		return;
	}
	storefault_failed(fed, cause);
	if ((lost = queue_move(&f->held, &f->journal)) > 0) {
		fed->metrics->store_held_dropped += (uint64_t)lost;
		log_err("store: out of memory holding %d events for a retry (peers "
		    "keep them: backfill asks for them later)", lost);
	}
	schedule(fed);
}

/*
 * Replay what is held in one transaction and commit it. Messages are
 * replayed in the order they arrived; the replay stops at the first fault,
 * and what it did not reach is held again, after what it did.
 */
static void
retry(void *arg)
{
	struct fed *fed = arg;
	struct storefault *f = fed->storefault;
	struct storefault_queue q = f->held, rest = { 0 };
	char err[STORE_ERR_MAX];
	size_t i;

	f->timer = 0;
	memset(&f->held, 0, sizeof(f->held));
	f->state = STOREFAULT_RETRYING;
	publish_begin(fed);
	for (i = 0; i < q.n && f->state == STOREFAULT_RETRYING &&
	    store_in_transaction(fed->store) && !store_faulted(fed->store, NULL, 0);
	    i++) {
		f->replaying = q.v[i].charged;
		ingest_message(fed, q.v[i].from, q.v[i].topic, q.v[i].payload,
		    q.v[i].len);
		f->replaying = false;
	}
	/* With nothing to replay, a write of our own tells whether the store
	 * writes again. */
	if (q.n == 0 && store_in_transaction(fed->store) &&
	    store_counters_save(fed->store, fed->metrics, err) != 0 &&
	    !store_faulted(fed->store, NULL, 0))
		storefault_failed(fed, err);
	if (!store_in_transaction(fed->store))
		storefault_failed(fed, "cannot begin a transaction");
	for (size_t j = 0; j < i; j++)
		free(q.v[j].topic);  /* replayed: journaled again if accepted */
	for (size_t j = i; j < q.n; j++)
		queue_push(&rest, &q.v[j], strlen(q.v[j].topic) + 1 + q.v[j].len);
	free(q.v);
	publish_commit(fed);
	if (rest.n && queue_move(&f->held, &rest) > 0)
		log_err("store: out of memory holding events for a retry");
	queue_free(&rest);
	if (f->state == STOREFAULT_RETRYING) {
		/* nothing was written (no transaction): try again later */
		f->state = STOREFAULT_FAILED;
		schedule(fed);
	}
}

struct storefault *
storefault_new(void)
{
	struct storefault *f = calloc(1, sizeof(*f));

	if (f)
		f->backoff_ms = STOREFAULT_RETRY_MIN_MS;
	return f;
}

void
storefault_free(struct fed *fed)
{
	struct storefault *f = fed->storefault;

	if (f == NULL)
		return;
	if (f->held.n)
		log_warn("store: %zu events held for a retry were not stored (peers "
		    "keep them: backfill asks for them after the restart)",
		    f->held.n);
	if (f->timer)
		loop_timer_cancel(fed->loop, f->timer);
	queue_free(&f->journal);
	queue_free(&f->held);
	free(f);
	fed->storefault = NULL;
}
