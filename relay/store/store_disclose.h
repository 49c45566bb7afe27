/*
 * relay/store/store_disclose.h — what the NTA disclosure (GET /v1/ntas,
 * relay/http/disclose.c) reads from the store: one origin's decision
 * events over a window of time, in one bounded query.
 *
 * Runs on the loop thread only. Returns a count or -1 with a message in
 * the caller's err buffer (STORE_ERR_MAX bytes).
 */
#ifndef NTARELAY_RELAY_STORE_DISCLOSE_H
#define NTARELAY_RELAY_STORE_DISCLOSE_H

#include "proto/key.h"
#include "relay/store/store.h"
#include "relay/store/store_zone.h"

/* origin's decision events signed at since or later (ts), oldest first
 * (ts, then seq), at most limit, as envelope bytes (borrowed for the
 * call). */
long store_decisions_since(struct store *s,
    const unsigned char origin[KEY_ID_LEN], long long since, long limit,
    store_raw_cb cb, void *arg, char *err);

#endif
