/*
 * relay/fed/ingest.h — the receive pipeline: check, store, announce and
 * forward what a link (or the relay itself) hands in.
 *
 * Incoming (ingest_message()), in this order, each step counted and each
 * rejection logged with the event id and reason (those for a key that
 * does not count, unknown_key and untrusted_key, at debug, and counted
 * per key in one line a minute: relay/fed/reject_log.h). Nothing is charged,
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
 *  15. announce it to the observers (relay/fed/observer.h: the quorum
 *      engine, the notifier) and forward the identical bytes once to every
 *      other link (never back to the link it came from), when the turn
 *      commits (relay/fed/publish.h).
 * A gap in the signer's chain (and every backfill response) makes
 * backfill ask for the rest (relay/fed/backfill.h).
 *
 * Step 5 may run on worker threads (relay/fed/verifier.h: ingest_receive());
 * everything else runs on the loop thread; the state lives in struct fed
 * (relay/fed/fed.h).
 */
#ifndef NTARELAY_RELAY_FED_INGEST_H
#define NTARELAY_RELAY_FED_INGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/event.h"
#include "proto/kind.h"
#include "relay/fed/fed.h"

/* A message from link `from` (NULL: submitted locally). */
void ingest_message(struct fed *fed, struct link *from, const char *topic,
    const void *payload, size_t len);

/*
 * A message from link `from`, as ingest_message(), but with step 5 on the
 * verifier's workers when the relay has them (fed->verifier): steps 1 to 4
 * run now, the rest when ingest_verified() is handed the job, in arrival
 * order (relay/fed/verifier.h). A trust event (its envelope's payloadType
 * says so) waits for every event before it and goes through on the loop
 * thread: the events after it are screened with it applied, exactly as
 * without workers.
 */
void ingest_receive(struct fed *fed, struct link *from, const char *topic,
    const void *payload, size_t len);

/* The verifier's delivery (verifier_deliver_fn; arg: the struct fed). A
 * job delivered while the store cannot write is held as it came
 * (relay/fed/storefault.h). */
struct vjob;
void ingest_verified(void *arg, struct vjob *job);

/* Offer the kept-aside trust events again (the members changed; called
 * at the end of the loop turn). */
void ingest_offer_pool(struct fed *fed);

/*
 * A withdraw must name an event of its own origin (PROTOCOL.md 6.4): a
 * target not held yet is let through, a held one lends the withdraw its
 * zone. PROTO_OK, or PROTO_E_... with the reason. Used for own events too
 * (relay/fed/publish.c).
 */
enum proto_err ingest_check_withdraw(struct fed *fed, struct event *ev,
    char *reason);

#endif
