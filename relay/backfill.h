/*
 * relay/backfill.h — filling the gaps of a signer's chain over MQTT.
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
 * Responses go through the whole ingest pipeline (signature, trust,
 * acceptance: a gap filler must link to its held neighbours); a relay
 * ingests only responses addressed to its own key. Requests carry no
 * authority: anyone may ask, and the answer is only what the asker could
 * verify anyway; responders cap what one request can make them send.
 */
#ifndef NTARELAY_RELAY_BACKFILL_H
#define NTARELAY_RELAY_BACKFILL_H

#include <stddef.h>

#include "relay/relay.h"

#define BACKFILL_MAX 1000       /* seqs asked for or answered per request */
#define BACKFILL_DELAY_MS 1500  /* wait for stragglers before asking */

/* A gap was recorded for key: ask for it soon (requests are coalesced). */
void backfill_gap(struct relay *r, const unsigned char key[KEY_ID_LEN]);

/* Ask for every recorded gap (at start and periodically). */
void backfill_scan(struct relay *r);

/* Is topic a backfill request or response of net? */
bool backfill_is_request(const struct relay *r, const char *topic);
/* A response: *for_us tells whether it is addressed to this relay. */
bool backfill_is_response(const struct relay *r, const char *topic, bool *for_us);

/* Answer a request from another relay. */
void backfill_answer(struct relay *r, const char *topic, const void *payload,
    size_t len);

#endif
