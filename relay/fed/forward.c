/*
 * relay/fed/forward.c — forwards held per link, cancelled when a copy
 * comes back from the link (see forward.h).
 *
 * Each held forward is in two lists: its hash bucket (by event id, for
 * forward_seen()) and its link's queue, in the order the forwards were
 * held. The due times of one link's queue never decrease (a forward is due
 * at the later of its own random time and the one before it, which keeps
 * the delay within [d/2, d]), so one timer per link, set for the head of
 * its queue, is enough, and a link publishes the events of one chain in
 * the order they were accepted.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "relay/core/clock.h"
#include "relay/core/log.h"
#include "relay/fed/forward.h"
#include "relay/fed/publish.h"
#include "relay/fed/topic.h"

#define FORWARD_BUCKETS 1024
/* beyond this many held forwards, publish at once (bounded memory) */
#define FORWARD_HELD_MAX 100000

struct held {
	struct held *hnext, **hpprev;   /* hash bucket */
	struct held *next, *prev;       /* the link's queue */
	size_t li;
	long long due;                  /* loop_now_ms() */
	unsigned char id[KEY_ID_LEN];
	char topic[TOPIC_MAX];
	char *raw;
	size_t len;
	bool retain;
	long long exp;                  /* seconds since the epoch, 0: none */
	long long row;
};

struct fwlink {
	struct held *head, *tail;
	long timer;                     /* 0: none */
	long long last_due;
	struct fed *fed;                /* for the timer */
	size_t li;
};

struct forward {
	struct held *bucket[FORWARD_BUCKETS];
	struct fwlink link[CONFIG_LINKS_MAX];
	size_t n;
	bool released;                  /* draining: hold nothing more */
};

static size_t
bucket_of(const unsigned char *id)
{
	return ((size_t)id[0] | (size_t)id[1] << 8) % FORWARD_BUCKETS;
}

struct forward *
forward_new(void)
{
	return calloc(1, sizeof(struct forward));
}

/* Take h out of both lists and free it (its timer is the link's). */
static void
unlink_free(struct forward *fw, struct held *h)
{
	struct fwlink *q = &fw->link[h->li];

	if ((*h->hpprev = h->hnext) != NULL)
		h->hnext->hpprev = h->hpprev;
	if (h->prev)
		h->prev->next = h->next;
	else
		q->head = h->next;
	if (h->next)
		h->next->prev = h->prev;
	else
		q->tail = h->prev;
	fw->n--;
	free(h->raw);
	free(h);
}

void
forward_free(struct forward *fw, struct loop *loop)
{
	if (fw == NULL)
		return;
	for (size_t li = 0; li < CONFIG_LINKS_MAX; li++) {
		if (fw->link[li].timer > 0 && loop)
			loop_timer_cancel(loop, fw->link[li].timer);
		while (fw->link[li].head)
			unlink_free(fw, fw->link[li].head);
	}
	free(fw);
}

size_t
forward_held(const struct forward *fw)
{
	return fw ? fw->n : 0;
}

bool
forward_holds(const struct fed *fed, size_t li)
{
	return fed->forward && fed->cfg->forward_delay > 0 && !fed->forward->released &&
	    li < fed->nlinks && link_is_up(fed->links[li]);
}

/* Publish h on its link (out of the queue: the caller frees it). */
static void
send_one(struct fed *fed, struct held *h)
{
	long long expiry = h->exp ? h->exp - relay_now() : 0;

	if (expiry < 0)
		expiry = 1; /* expired meanwhile: receivers will refuse it */
	/* a link that is down keeps it in its outbox: sent when it is up */
	if (link_publish(fed->links[h->li], h->topic, h->id, h->raw, h->len, h->retain,
	    (long)expiry, h->row) == 0)
		fed->metrics->links[h->li].published++;
}

static void fire(void *arg);

/* Set q's timer for its head, if any and none is set. */
static void
arm(struct fwlink *q)
{
	long long ms;

	if (q->head == NULL || q->timer > 0)
		return;
	ms = q->head->due - loop_now_ms();
	q->timer = loop_timer_add(q->fed->loop, ms > 0 ? (long)ms : 0, fire, q);
	if (q->timer < 0) {
		/* no timer left: what is held goes now */
		q->timer = 0;
		while (q->head) {
			send_one(q->fed, q->head);
			unlink_free(q->fed->forward, q->head);
		}
	}
}

/* The link's timer: publish what is due, in order, and wait for the rest. */
static void
fire(void *arg)
{
	struct fwlink *q = arg;
	long long now = loop_now_ms();

	q->timer = 0;
	while (q->head && q->head->due <= now) {
		send_one(q->fed, q->head);
		unlink_free(q->fed->forward, q->head);
	}
	arm(q);
}

int
forward_hold(struct fed *fed, size_t li, const char *topic,
    const unsigned char *id, const char *raw, size_t len, bool retain,
    long long exp, long long row)
{
	struct forward *fw = fed->forward;
	struct fwlink *q;
	struct held *h;
	long d = fed->cfg->forward_delay;
	long long due;
	size_t b;

	if (fw->n >= FORWARD_HELD_MAX || (h = calloc(1, sizeof(*h))) == NULL)
		return -1;
	if ((h->raw = malloc(len)) == NULL) {
		free(h);
		return -1;
	}
	memcpy(h->raw, raw, len);
	h->len = len;
	snprintf(h->topic, sizeof(h->topic), "%s", topic);
	memcpy(h->id, id, KEY_ID_LEN);
	h->retain = retain;
	h->exp = exp;
	h->row = row;
	h->li = li;
	/* a random delay in [d/2, d], never before the forward held before */
	q = &fw->link[li];
	due = loop_now_ms() + d / 2 + (long long)randombytes_uniform((uint32_t)(d - d / 2 + 1));
	if (due < q->last_due)
		due = q->last_due;
	h->due = q->last_due = due;
	q->fed = fed;
	q->li = li;
	b = bucket_of(id);
	if ((h->hnext = fw->bucket[b]) != NULL)
		h->hnext->hpprev = &h->hnext;
	fw->bucket[b] = h;
	h->hpprev = &fw->bucket[b];
	if ((h->prev = q->tail) != NULL)
		q->tail->next = h;
	else
		q->head = h;
	q->tail = h;
	fw->n++;
	arm(q);
	return 0;
}

bool
forward_seen(struct fed *fed, const struct link *from,
    const unsigned char *id)
{
	struct forward *fw = fed->forward;
	size_t li;

	if (fw == NULL || from == NULL || fw->n == 0)
		return false;
	li = fed_link_index(fed, from);
	for (struct held *h = fw->bucket[bucket_of(id)]; h; h = h->hnext) {
		if (h->li != li || memcmp(h->id, id, KEY_ID_LEN) != 0)
			continue;
		/* the broker has it: as good as its PUBACK (the link's timer
		 * may wake for nothing) */
		publish_acked(fed, fed->links[li], h->row);
		fed->metrics->links[li].suppressed++;
		unlink_free(fw, h);
		return true;
	}
	return false;
}

void
forward_link_up(struct fed *fed, const struct link *l)
{
	struct forward *fw = fed->forward;
	struct fwlink *q;

	if (fw == NULL)
		return;
	q = &fw->link[fed_link_index(fed, l)];
	if (q->timer > 0)
		loop_timer_cancel(fed->loop, q->timer);
	q->timer = 0;
	while (q->head)
		unlink_free(fw, q->head);
}

void
forward_release(struct fed *fed)
{
	struct forward *fw = fed->forward;

	if (fw == NULL)
		return;
	fw->released = true;
	for (size_t li = 0; li < CONFIG_LINKS_MAX; li++) {
		struct fwlink *q = &fw->link[li];
		if (q->timer > 0)
			loop_timer_cancel(fed->loop, q->timer);
		q->timer = 0;
		while (q->head) {
			send_one(fed, q->head);
			unlink_free(fw, q->head);
		}
	}
}
