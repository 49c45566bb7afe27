/*
 * relay/fed/publish.h — what leaves the relay: the loop turn's
 * transaction and publish queue, the outboxes, and the relay's own events.
 *
 * The loop turn's transaction: publish_begin() opens it (ingest, own
 * events and acknowledgements call it), publish_commit() lets the
 * observers sign what the turn changed (relay/fed/observer.h flush()),
 * commits, and only then publishes what the turn stored. relay/main.c
 * calls publish_commit() before every poll; a submission calls it before
 * it answers. A turn that cannot commit is rolled back whole, publishes
 * nothing, and what it accepted is held for a retry
 * (relay/fed/storefault.h): publish_commit() returns 0 committed, -1
 * rolled back.
 *
 * Own events (publish_own_id(), or through the struct signer of
 * relay/fed/signer.h that publish_signer() gives): the header is filled
 * here (v, net, kind, origin, key, seq, prev, ts, exp, refs), the event is
 * signed with the relay's key, appended to its chain, stored with an
 * outbox row for every link, announced to the observers and queued.
 *
 * Loop thread only; the queue lives in struct publish (fed->publish).
 */
#ifndef NTARELAY_RELAY_FED_PUBLISH_H
#define NTARELAY_RELAY_FED_PUBLISH_H

#include <stddef.h>

#include <jansson.h>

#include "proto/event.h"
#include "proto/kind.h"
#include "relay/fed/fed.h"
#include "relay/fed/signer.h"

/* The publish queue (fed_new() creates it); NULL when out of memory. */
struct publish *publish_new(void);
void publish_free(struct publish *q);

void publish_begin(struct fed *fed);
int publish_commit(struct fed *fed);

/* Queue a stored envelope (own or accepted), as-is, for every link but
 * `except`; it leaves at publish_commit(). */
void publish_all(struct fed *fed, const struct event *ev, const char *raw,
    size_t rawlen, long long row, struct link *except);

/* The same for an event accepted from link `from` (not NULL, row >= 0:
 * it has outbox rows): held per other link for forward_delay
 * (relay/fed/forward.h). */
void publish_forward(struct fed *fed, const struct event *ev, const char *raw,
    size_t rawlen, long long row, struct link *from);

/* A copy of event id arrived from link `from` (a duplicate): its forward
 * to that link, held or queued in this turn, is cancelled and the outbox
 * row acknowledged (relay/fed/forward.h). Nothing when forward_delay is
 * 0. */
void publish_seen(struct fed *fed, struct link *from, const unsigned char *id);

/* Publish link l's outbox (it just came up); its held forwards are
 * forgotten (the outbox has them). */
void publish_flush(struct fed *fed, struct link *l);

/* The broker of l acknowledged row: drop it from l's outbox. */
void publish_acked(struct fed *fed, struct link *l, long long row);

/*
 * Sign and publish an event of the relay's own (kind fields in `fields`,
 * stolen). lifetime in seconds (0 for key_revoke). Returns 0, or -1
 * (logged). Refused (-1, nothing signed) while the store cannot write.
 */
int publish_own(struct fed *fed, enum kind kind, json_t *fields, long lifetime);
/* The same, giving the new event's id in id_out (KEY_ID_LEN bytes) and,
 * on -1, why the protocol refuses it in why (whylen bytes: "name: text";
 * "store_unwritable: ..." while the store cannot write); both may be
 * NULL. */
int publish_own_id(struct fed *fed, enum kind kind, json_t *fields,
    long lifetime, unsigned char *id_out, char *why, size_t whylen);

/* relay/fed/signer.h over publish_own_id() and publish_begin(). */
struct signer publish_signer(struct fed *fed);

#endif
