/*
 * relay/fed/forward.h — forward suppression: forwards held per link.
 *
 * A relay forwards every event it accepts from a link to each of its
 * other links. With several relays on one broker, each that heard the
 * event elsewhere publishes it there, and the broker hands every copy to
 * all its subscribers. So a forwarded event (accepted from a link; never
 * the relay's own events, equivocation proofs or backfill responses) is
 * held per target link for a random delay in [d/2, d] (d: the
 * forward_delay key, milliseconds; 0: no hold) before it is published
 * there. When a copy of the same event arrives FROM that link meanwhile,
 * its broker already has it: the forward is cancelled and the link's
 * outbox row acknowledged as if the broker had acknowledged it
 * (ntarelay_forwards_suppressed_total{link}).
 *
 * Nothing is lost: the outbox row stays until the publication is
 * acknowledged or suppressed. A held forward whose link is down when its
 * delay ends stays in the outbox; a link that comes up publishes its
 * whole outbox (publish_flush()), so its held forwards are forgotten
 * first (forward_link_up()); a relay that dies holding sends them from
 * the outbox at its next start. At SIGTERM forward_release() sends every
 * held forward at once and holds nothing more (the drain).
 *
 * Loop thread only. The state lives in fed->forward (fed_new()).
 */
#ifndef NTARELAY_RELAY_FED_FORWARD_H
#define NTARELAY_RELAY_FED_FORWARD_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/key.h"
#include "relay/fed/fed.h"

struct forward;

/* An empty hold queue; NULL when out of memory. */
struct forward *forward_new(void);
/* Cancel the timers of what is held (on loop) and free it (NULL allowed);
 * the held forwards stay in the outboxes. */
void forward_free(struct forward *fw, struct loop *loop);

/* Whether a forward to link index li is to be held now: a delay is set,
 * the relay does not drain, the link is up. */
bool forward_holds(const struct fed *fed, size_t li);

/*
 * Hold the publication of a forwarded event on link index li (its topic,
 * id, stored bytes, retain flag, absolute expiry in seconds since the
 * epoch or 0, outbox row) for a random delay in [d/2, d]. 0 held, -1 not
 * (out of memory: the caller publishes it at once).
 */
int forward_hold(struct fed *fed, size_t li, const char *topic,
    const unsigned char *id, const char *raw, size_t len, bool retain,
    long long exp, long long row);

/* A copy of event id arrived from link `from`: cancel its forward held
 * for that link, acknowledging the outbox row (in the loop turn's
 * transaction). True when one was held. */
bool forward_seen(struct fed *fed, const struct link *from,
    const unsigned char *id);

/* Link l came up and publishes its outbox: forget its held forwards. */
void forward_link_up(struct fed *fed, const struct link *l);

/* Publish every held forward now, and hold nothing more (SIGTERM). */
void forward_release(struct fed *fed);

/* Forwards held now (all links). */
size_t forward_held(const struct forward *fw);

#endif
