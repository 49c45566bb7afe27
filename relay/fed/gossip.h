/*
 * relay/fed/gossip.h — what the relay does with events: receive, check,
 * store, forward.
 *
 * Incoming (gossip_ingest), in this order, each step counted and each
 * rejection logged with the event id and reason. Nothing is charged,
 * flagged, stored or forwarded before the event's origin is proven by its
 * key (steps 9 and 10):
 *   1. size;
 *   2. envelope parse and event id;
 *   3. duplicate by id: dropped quietly, before any signature check;
 *   4. signer: a key the trust index knows (else unknown_key; a stale index
 *      is rebuilt first). A known key none of whose operators is a member
 *      signs junk: each link may spend a budget of verifications on such
 *      events (JUNK_RATE, JUNK_BURST); over it they are dropped unverified
 *      and counted (ntarelay_link_junk_dropped_total{link});
 *   5. signature; 6. payload validation (proto/open.h);
 *   7. federation name;
 *   8. topic: a live event's topic must be exactly its own (topic_check);
 *      a backfill response bf/resp/<us>/<event id> must name this event,
 *      be of a kind relays publish, and be signed by a current member key;
 *   9. authorship: the key is the origin's root, or the trust database
 *      holds a key_cert by the origin's root for it (any window, revoked
 *      or not), else origin_mismatch. So a key speaks only for the
 *      operators that certified it, whichever kind it signs;
 *  10. membership: other kinds need a key that may speak for the origin
 *      now (trustdb/index.h); trust kinds need the origin to be a member
 *      and the key not revoked (a member decides about its own keys and
 *      vouches; a key it certified may revoke itself after its certificate
 *      expired). A non-member's trust event is kept aside in the trust
 *      pool (relay/fed/trustpool.h), not imported, and offered again when the
 *      members change;
 *  11. rate limit per proven origin (relay/fed/ratelimit.h; not for an event
 *      replayed after a storage fault, relay/fed/storefault.h); a withdraw must
 *      name its own origin's event; the per-operator quota of the zone
 *      (relay/fed/quota.h: refused as quota); from here the event is
 *      journaled until the loop turn commits (relay/fed/storefault.h);
 *  12. acceptance against the signer's chain (equivocations kept as proof,
 *      reported and forwarded once; the flag re-evaluates the origin's
 *      zones at once; an expired event in a gap of its chain settles it);
 *  13. trust kinds: import into the trust database (the index is rebuilt
 *      once, at the end of the loop turn: relay/core/trust.h trust_dirty()); a key_cert
 *      for a key another member holds is logged as a possible attack and
 *      counted (ntarelay_cert_conflicts_total);
 *  14. store, with an outbox row for every other link;
 *  15. forward the identical bytes once to every other link (never back
 *      to the link it came from).
 */
#ifndef NTARELAY_RELAY_GOSSIP_H
#define NTARELAY_RELAY_GOSSIP_H

#include <stddef.h>

#include "relay/relay.h"

/* A message from link `from` (NULL: submitted locally). */
void gossip_ingest(struct relay *r, struct link *from, const char *topic,
    const void *payload, size_t len);

/* Offer the kept-aside trust events again (the members changed; called
 * at the end of the loop turn). */
void gossip_offer_pool(struct relay *r);

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
 * a retry (relay/fed/storefault.h): gossip_commit() returns 0 committed, -1
 * rolled back.
 */
void gossip_begin(struct relay *r);
int gossip_commit(struct relay *r);

/* Queue a stored envelope (own or accepted), as-is, for every link but
 * `except`; it leaves at gossip_commit(). */
void gossip_publish_all(struct relay *r, const struct event *ev, const char *raw,
    size_t rawlen, long long row, struct link *except);

#endif
