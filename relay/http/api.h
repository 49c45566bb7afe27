/*
 * relay/http/api.h — the relay's answers to its HTTP API: the handlers
 * given to the server (relay/http/http.h) over an api_env
 * (relay/http/api_env.h): health, events, peers, metrics, zones, one
 * event, the status page, the slash command and, on the control socket,
 * submissions.
 */
#ifndef NTARELAY_RELAY_API_H
#define NTARELAY_RELAY_API_H

#include "relay/http/api_env.h"
#include "relay/http/http.h"

/* Handlers over env (borrowed for the server's lifetime); the page and
 * the slash command only when configured (status_page,
 * mattermost_slash_token_file). control: the control socket's set (adds
 * POST /v1/submit/{what}). */
struct http_handlers api_handlers(struct api_env *env, bool control);

#endif
