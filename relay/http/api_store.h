/*
 * relay/http/api_store.h — the HTTP API's documents read straight from the
 * store: GET /v1/events and the chain part of GET /v1/peers (docs/API.md).
 * The store hands out rows (relay/store/store.h store_events_each(),
 * store_keys_each()); the JSON is built here, by the API that owns it.
 */
#ifndef NTARELAY_RELAY_HTTP_API_STORE_H
#define NTARELAY_RELAY_HTTP_API_STORE_H

#include <jansson.h>

#include "relay/store/store.h"
#include "trustdb/index.h"

/* {"count":N,"events":[{"id","kind","origin","origin_local_name",
 * "origin_declared_name","key","seq","zone","ts","exp","received_at",
 * "link","envelope"}..]}, newest received first; the origin's names from
 * tidx (NULL: both null); kind -1: any; link_name names a link's store id
 * (NULL: none). NULL on failure. */
json_t *api_store_events_json(struct store *s, const struct trust_index *tidx,
    const char *zone, int kind, long long since, int limit,
    const char *(*link_name)(void *, int), void *arg);

/* {"<key hex>": {"origin":..,"chain_head":{"seq","id"}|null,
 * "last_heartbeat":N|null,"flags":["equivocation"..]}}; NULL on failure. */
json_t *api_store_keys_json(struct store *s);

#endif
