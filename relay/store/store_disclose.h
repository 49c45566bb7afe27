/*
 * relay/store/store_disclose.h — what the NTA disclosure (GET /v1/ntas,
 * relay/http/disclose.c) reads from the store, in bounded, indexed
 * queries: the zones that had an incident in a window of time, and for
 * each, one origin's decision events of the window.
 *
 * Runs on the loop thread only. Functions return a count or -1 with a
 * message in the caller's err buffer (STORE_ERR_MAX bytes).
 */
#ifndef NTARELAY_RELAY_STORE_DISCLOSE_H
#define NTARELAY_RELAY_STORE_DISCLOSE_H

#include "proto/key.h"
#include "relay/store/store.h"
#include "relay/store/store_zone.h"

/* The zones with an incident (table incidents, relay/store/store_zone.h)
 * open, or closed at since or later, in name order, at most limit. A
 * decision is always about an incident, so these are the only zones
 * whose decisions may have recommended an NTA in the window. */
long store_incident_zones_since(struct store *s, long long since, long limit,
    void (*cb)(void *arg, const char *zone), void *arg, char *err);

/* origin's decision events for zone signed at since or later (ts),
 * oldest first (ts, then seq), at most limit, as envelope bytes
 * (borrowed for the call); index events_zone_kind. */
long store_decisions_since(struct store *s, const char *zone,
    const unsigned char origin[KEY_ID_LEN], long long since, long limit,
    store_raw_cb cb, void *arg, char *err);

#endif
