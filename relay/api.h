/*
 * relay/api.h — what the HTTP API reads of the relay: the handlers given
 * to relay/http.c (health, events, peers, metrics).
 */
#ifndef NTARELAY_RELAY_API_H
#define NTARELAY_RELAY_API_H

#include "relay/http.h"
#include "relay/relay.h"

/* Handlers over r (borrowed for the server's lifetime). */
struct http_handlers api_handlers(struct relay *r);

#endif
