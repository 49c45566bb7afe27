/*
 * relay/http/api.h — what the HTTP API reads of the relay: the handlers given
 * to relay/http/http.c (health, events, peers, metrics).
 */
#ifndef NTARELAY_RELAY_API_H
#define NTARELAY_RELAY_API_H

#include "relay/http/http.h"
#include "relay/relay.h"

/* Handlers over r (borrowed for the server's lifetime). */
struct http_handlers api_handlers(struct relay *r);

/* The control socket's extra handler (POST /v1/submit/{what}). */
unsigned api_submit(void *ctx, const char *what, const char *body, size_t len,
    json_t **reply);

#endif
