/*
 * relay/fed/link.h — one MQTT link: a libmosquitto client to one broker,
 * driven by the relay's loop (no libmosquitto thread).
 *
 * MQTT v5 where the broker speaks it (else 3.1.1), QoS 1, a persistent
 * session (clean session off, a stable client id), reconnection with
 * exponential backoff and jitter (LINK_BACKOFF_MIN_MS doubling to at most
 * LINK_BACKOFF_MAX_MS, so that a link finds its broker again within a few
 * seconds of its return however long it was away), TLS and
 * username/password. A TCP connect that gets no answer in 10 s fails as
 * a timeout. Its state, the cause of a failure, the next retry and the
 * log lines that report them: relay/fed/link_state.h (link_health()).
 *
 * Publishing is tied to the store's outbox: link_publish() is given the
 * event's row and the link reports the broker's PUBACK for that row
 * (on_acked), so that an event leaves the outbox only when the broker has
 * it. A link that is down publishes nothing: the outbox keeps the event
 * and the relay flushes it when the link comes up (on_up).
 */
#ifndef NTARELAY_RELAY_LINK_H
#define NTARELAY_RELAY_LINK_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "relay/core/config.h"
#include "relay/core/loop.h"
#include "relay/fed/link_state.h"

#define LINK_BACKOFF_MIN_MS 500    /* first retry after a failure */
#define LINK_BACKOFF_MAX_MS 5000   /* the cap (docs/OPERATIONS.md, Links) */

struct link;

struct link_callbacks {
	void *arg;
	/* A message arrived (topic NUL-terminated; payload as received). */
	void (*on_message)(void *arg, struct link *l, const char *topic,
	    const void *payload, size_t len);
	/* Connected and subscribed; flush the outbox now. */
	void (*on_up)(void *arg, struct link *l);
	void (*on_down)(void *arg, struct link *l);
	/* The broker acknowledged the publication of row. */
	void (*on_acked)(void *arg, struct link *l, long long row);
};

/*
 * A link for cfg, not yet connected. store_id identifies it in the store;
 * client_id is the stable MQTT client id; subscription the topic filter.
 */
struct link *link_new(struct loop *loop, const struct config_link *cfg,
    int store_id, const char *client_id, const char *subscription,
    const struct link_callbacks *cb, char *err, size_t errlen);

/*
 * For a relay whose store is intact (it holds events of other keys): of
 * the broker's retained messages, take only those under filters (the heads
 * and the trust events, topic_heads_subscriptions()), subscribed beside
 * the subscription with retain handling "never" (MQTT v5; 3.1.1 has no
 * retain handling and takes them all). Before link_start().
 */
void link_heads_only(struct link *l, const char filters[2][256]);

/* Start connecting (asynchronously). */
void link_start(struct link *l);

/*
 * Publish with QoS 1. row >= 0 is reported through on_acked when the
 * broker acknowledges; expiry (seconds, 0 = none) becomes the MQTT v5
 * message expiry. id: the event's id (KEY_ID_LEN bytes; NULL for what is
 * not an event): a publication the broker refuses (MQTT v5 reason code
 * 0x80 or above) is logged with its topic and the id's first 16 hex
 * digits. Returns 0, or -1 when the link is down or the client refused
 * (the outbox keeps the event).
 */
int link_publish(struct link *l, const char *topic, const unsigned char *id,
    const void *payload, size_t len, bool retain, long expiry, long long row);

/*
 * Stop taking messages from the broker, at once: libmosquitto acknowledges
 * a QoS 1 message (PUBACK) as it reads it, before the relay could store
 * it, so a relay whose store cannot write must not read. A read burst in
 * progress ends after the current message; before the next poll the link
 * disconnects cleanly (a connection left unread would time out anyway),
 * keeping its persistent session, in which the broker queues our QoS 1
 * messages (up to its max_queued_messages) and redelivers those it sent
 * without our PUBACK. No reconnection until link_resume().
 */
void link_pause(struct link *l);
/* Connect again (at once) after link_pause(). */
void link_resume(struct link *l);
bool link_is_paused(const struct link *l);

/* True when row is published and not yet acknowledged on this link. */
bool link_inflight(const struct link *l, long long row);

bool link_is_up(const struct link *l);
/* Phase, since, cause and next retry (for /healthz); valid while l is. */
const struct link_state *link_health(const struct link *l);
/* Publications the broker refused (and that left the outbox). */
uint64_t link_refused(const struct link *l);
int link_store_id(const struct link *l);
const char *link_url(const struct link *l);
int link_protocol(const struct link *l);   /* 5 or 4 (3.1.1) */

/* Disconnect and free; NULL allowed. */
void link_free(struct link *l);

#endif
