/*
 * relay/http/control.h — submissions on the local control socket: the relay
 * signs what its operator's staff submit (ntactl assess, statement,
 * withdraw, observe --publish). See control.c for the body of each kind.
 */
#ifndef NTARELAY_RELAY_CONTROL_H
#define NTARELAY_RELAY_CONTROL_H

#include <stddef.h>

#include <jansson.h>

#include "relay/http/api_env.h"

/* The http_handlers `submit` callback: POST /v1/submit/{what}. Returns
 * the HTTP status, *reply a new JSON body. */
unsigned control_submit(struct api_env *env, const char *what,
    const char *body, size_t len, json_t **reply);

#endif
