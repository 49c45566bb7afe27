/*
 * relay/http/peers.h — the relay's peers as JSON: GET /v1/peers, and the
 * slash command's `peers` (relay/http/slash.c), which both show it.
 *
 * {"peers":[{"operator":HEX,"name":STRING|null,"vote":HEX|null,
 * "pinned":BOOL,"keys":[{"key":HEX,"last_heartbeat":..,"chain_head":..,
 * "flags":[..],"status":REASON}..]}..]}: every operator that holds a key
 * seen here, then the pinned operators not seen yet (docs/API.md).
 * "cert_conflict" joins a key's flags when a second member root
 * certified it (trustdb/membership.h).
 */
#ifndef NTARELAY_RELAY_HTTP_PEERS_H
#define NTARELAY_RELAY_HTTP_PEERS_H

#include <jansson.h>

#include "relay/http/api_env.h"

/* New reference; NULL on failure (logged when the trust database cannot
 * be read). Reads env->store and env->trust. */
json_t *peers_json(const struct api_env *env);

#endif
