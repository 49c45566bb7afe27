/*
 * relay/gossip.h — what the relay does with events: receive, check,
 * store, forward.
 *
 * Incoming (gossip_ingest), in this order, each step counted and each
 * rejection logged with the event id and reason:
 *   size; envelope parse and event id; duplicate by id (dropped quietly,
 *   before any signature check); signature by a key the trust database
 *   knows; payload validation; federation name; topic matches the event;
 *   the key is a current key of a member (trust kinds: the trust database
 *   verifies and imports them instead); per-origin rate limit (not for a
 *   replayed event: relay/storefault.h); journaled until the turn
 *   commits (relay/storefault.h); acceptance against the signer's chain (equivocations kept as proof and
 *   reported); store with an outbox row for every other link; forward the
 *   identical bytes once to every other link.
 */
#ifndef NTARELAY_RELAY_GOSSIP_H
#define NTARELAY_RELAY_GOSSIP_H

#include <stddef.h>

#include "relay/relay.h"

/* A message from link `from` (NULL: submitted locally). */
void gossip_ingest(struct relay *r, struct link *from, const char *topic,
    const void *payload, size_t len);

/* Publish link l's outbox (it just came up). */
void gossip_flush(struct relay *r, struct link *l);

/* The broker of l acknowledged row: drop it from l's outbox. */
void gossip_acked(struct relay *r, struct link *l, long long row);

/*
 * Sign a payload of the relay's own (kind fields in `fields`, stolen; the
 * header is filled here: v, net, kind, origin, key, seq, prev, ts, exp,
 * refs), append it to the relay's chain, store it with an outbox row for
 * every link and publish it. lifetime in seconds (0 for key_revoke).
 * Returns 0, or -1 (logged). Refused (-1, nothing signed) while the store
 * cannot write.
 */
int gossip_own(struct relay *r, enum kind kind, json_t *fields, long lifetime);
/* The same, giving the new event's id in id_out (KEY_ID_LEN bytes) and,
 * on -1, why the protocol refuses it in why (whylen bytes: "name: text";
 * "store_unwritable: ..." while the store cannot write); both may be
 * NULL. */
int gossip_own_id(struct relay *r, enum kind kind, json_t *fields,
    long lifetime, unsigned char *id_out, char *why, size_t whylen);

/*
 * The loop turn's transaction: gossip_begin() opens it (ingest, own events
 * and acknowledgements call it), gossip_commit() commits it and only then
 * publishes what the turn stored. main.c calls gossip_commit() before every
 * poll; a submission calls it before it answers. A turn that cannot commit
 * is rolled back whole, publishes nothing, and what it accepted is held for
 * a retry (relay/storefault.h): gossip_commit() returns 0 committed, -1
 * rolled back.
 */
void gossip_begin(struct relay *r);
int gossip_commit(struct relay *r);

/* Queue a stored envelope (own or accepted), as-is, for every link but
 * `except`; it leaves at gossip_commit(). */
void gossip_publish_all(struct relay *r, const struct event *ev, const char *raw,
    size_t rawlen, long long row, struct link *except);

#endif
