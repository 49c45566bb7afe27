/*
 * relay/fed/topic.h — MQTT topics of protocol v1 (docs/PROTOCOL.md §12).
 *
 *   ntarelay/v1/<net>/obs/<zone>/<origin>        observation     not retained
 *   ntarelay/v1/<net>/asm/<zone>/<origin>        assessment      retained
 *   ntarelay/v1/<net>/stmt/<zone>/<origin>       zone_statement  retained
 *   ntarelay/v1/<net>/wd/<origin>/<event id>     withdraw        retained
 *   ntarelay/v1/<net>/trust/<origin>/<event id>  vouch, unvouch, key_cert,
 *                                                key_revoke      retained
 *   ntarelay/v1/<net>/hb/<origin>/<key>          heartbeat       retained
 *   ntarelay/v1/<net>/decision/<zone>/<key>      decision        retained
 *   ntarelay/v1/<net>/eqv/<origin>/<key>/<seq>   equivocation proofs (both
 *                                                envelopes)      not retained
 *
 * A topic names what the payload must say: its origin, zone, key or event
 * id. topic_check() compares them, so a broker or a peer cannot file an
 * operator's event under another operator's topic (topic_mismatch).
 */
#ifndef NTARELAY_RELAY_TOPIC_H
#define NTARELAY_RELAY_TOPIC_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/error.h"
#include "proto/event.h"

#define TOPIC_MAX 512
#define TOPIC_PREFIX "ntarelay/v1/"

/* The topic of ev in federation net into buf; false when it does not fit. */
bool topic_of(const char *net, const struct event *ev, char *buf, size_t cap);

/* The topic of a stored event from its parts (zone "" for none). */
bool topic_of_parts(const char *net, enum kind kind, const char *zone,
    const unsigned char origin[KEY_ID_LEN], const unsigned char key[KEY_ID_LEN],
    const unsigned char id[KEY_ID_LEN], char *buf, size_t cap);

/* Whether events of this kind are published retained. */
bool topic_retained(enum kind kind);

/* The subscription that receives every event of net: "ntarelay/v1/<net>/#". */
void topic_subscription(const char *net, char *buf, size_t cap);

/*
 * The filters of the retained messages a relay whose store is intact needs
 * from a new subscription: the heads ("ntarelay/v1/<net>/hb/#", each relay
 * key's heartbeat) and the trust events ("ntarelay/v1/<net>/trust/#").
 */
void topic_heads_subscriptions(const char *net, char bufs[2][256]);

/* The equivocation topic for a key and seq. */
void topic_equivocation(const char *net, const struct event *ev, char *buf,
    size_t cap);

/* True when topic is an equivocation report (not an event to ingest). */
bool topic_is_equivocation(const char *net, const char *topic);

/* PROTO_OK when topic is exactly the topic of ev (a '.' of it may arrive
 * as '/': RabbitMQ's MQTT plugin); PROTO_E_TOPIC_MISMATCH with a reason
 * otherwise. */
enum proto_err topic_check(const char *net, const char *topic,
    const struct event *ev, char *reason);

#endif
