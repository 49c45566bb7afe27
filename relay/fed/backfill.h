/*
 * relay/fed/backfill.h — filling the gaps of a signer's chain over MQTT.
 *
 * A relay that misses events (it joined late, it was down, or its MQTT
 * client acknowledged a message that it then could not store because it
 * was killed: libmosquitto acknowledges QoS 1 before the callback runs)
 * sees a gap in the signer's chain when a later event arrives. It then
 * asks its brokers for the missing range:
 *
 *   ntarelay/v1/<net>/bf/req/<requester key>
 *       {"key":"<64 hex>","from":N,"to":M}          (M - N < BACKFILL_MAX)
 *
 * and every relay that holds events of that key in that range publishes
 * them, byte for byte as stored, to
 *
 *   ntarelay/v1/<net>/bf/resp/<requester key>/<event id>
 *
 * Responses go through the whole ingest pipeline (signature, authorship,
 * membership, acceptance: a gap filler must link to its held neighbours);
 * a relay ingests only responses addressed to its own key, and only for
 * keys that are current member keys. A response that leaves part of a gap
 * open makes the requester ask again (BACKFILL_DELAY_MS later).
 *
 * Requests are not signed: anyone who can publish may ask, under any
 * requester id. So a responder bounds what requests can make it send: it
 * answers only for keys that are current member keys, at most
 * BACKFILL_MAX seqs and BACKFILL_BYTES of envelopes per request, only on
 * the link the request came from, within a budget of envelope bytes per
 * link (BACKFILL_LINK_BYTES at once, BACKFILL_LINK_RATE bytes per second
 * after that; each request answered reserves BACKFILL_BYTES of it and
 * gives back what it did not send) and a budget of requests per requester
 * id (BACKFILL_REQ_BURST, BACKFILL_REQ_RATE per second). Every refusal is
 * counted by reason (ntarelay_backfill_refused_total). So whatever
 * arrives on a link, a relay sends at most BACKFILL_LINK_BYTES plus
 * BACKFILL_LINK_RATE bytes per second of answers on it.
 *
 * Loop thread only; the state lives in struct fed (fed->backfill).
 */
#ifndef NTARELAY_RELAY_BACKFILL_H
#define NTARELAY_RELAY_BACKFILL_H

#include <stddef.h>

#include "relay/fed/fed.h"

#define BACKFILL_MAX 1000       /* seqs asked for or answered per request */
#define BACKFILL_BYTES 65536    /* envelope bytes answered per request */
#define BACKFILL_LINK_BYTES (4 * BACKFILL_BYTES) /* per link, at once */
#define BACKFILL_LINK_RATE 65536.0 /* per link, bytes per second */
#define BACKFILL_REQ_BURST 32   /* requests answered per requester, at once */
#define BACKFILL_REQ_RATE 2.0   /* ... per second after that */
#define BACKFILL_DELAY_MS 1500  /* wait for stragglers before asking */

/* A gap was recorded for key: ask for it soon (requests are coalesced). */
void backfill_gap(struct fed *fed, const unsigned char key[KEY_ID_LEN]);

/* Ask for every recorded gap (at start and periodically). */
void backfill_scan(struct fed *fed);

/* Is topic a backfill request or response of net? */
bool backfill_is_request(const struct fed *fed, const char *topic);
/* A response: *for_us tells whether it is addressed to this relay. */
bool backfill_is_response(const struct fed *fed, const char *topic, bool *for_us);

/* Answer a request from another relay, received on link from, on that
 * link (NULL: every link). */
void backfill_answer(struct fed *fed, struct link *from, const char *topic,
    const void *payload, size_t len);

/* The state (fed_new() creates it as fed->backfill: the gaps to ask for,
 * the requesters' and links' budgets); NULL when out of memory. */
struct backfill *backfill_new(void);
/* Free fed->backfill (at exit); NULL state allowed. */
void backfill_free(struct fed *fed);

#endif
