/*
 * relay/http/slash.h — the Mattermost slash command (/nta) on the HTTP API:
 * POST /v1/mattermost/slash.
 *
 * Mattermost posts application/x-www-form-urlencoded fields (token,
 * team_id, team_domain, channel_id, channel_name, user_id, user_name,
 * command, text, response_url, trigger_id). The token must equal the one
 * in mattermost_slash_token_file: both are hashed (SHA-256) and the
 * digests compared in constant time; a missing or wrong token gets 401
 * and nothing else. The file is read again when it changes (token
 * rotation needs no restart); only the digest is kept, in
 * sodium_malloc'd memory.
 *
 * Commands (the `text` field): `status` (the zones in incident),
 * `status ZONE` (one zone in detail), `peers`, `help`. Answers are
 * {"response_type":"ephemeral","text":MARKDOWN}: only the person who asked
 * sees them; `--public` after `status` makes it "in_channel", for the
 * whole channel. Every request is counted by result
 * (ntarelay_slash_requests_total) and every refusal logged, without the
 * token.
 *
 * Runs on the loop thread (an HTTP handler); never blocks.
 */
#ifndef NTARELAY_RELAY_SLASH_H
#define NTARELAY_RELAY_SLASH_H

#include <stddef.h>

#include <jansson.h>

#include "relay/http/api_env.h"

#define SLASH_FIELD_MAX 4096      /* bytes of one decoded form value */

/*
 * Answer one request: body (len bytes, borrowed) as sent, content_type
 * its Content-Type ("" when none). Returns the HTTP status and sets
 * *reply to a new JSON body: the answer for Mattermost (200), or
 * {"error":..,"message":..} (400, 401, 404, 415, 503).
 */
unsigned slash_handle(struct api_env *env, const char *body, size_t len,
    const char *content_type, json_t **reply);

/* The token's cache (env->slash): empty until the first request. NULL
 * when out of memory. slash_free() zeroes the digest; NULL allowed. */
struct slash *slash_new(void);
void slash_free(struct slash *t);

#endif
