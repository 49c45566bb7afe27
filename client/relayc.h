/*
 * client/relayc.h — how an ntactl command reaches a relay.
 *
 * In this order:
 *   --relay URL      that relay's HTTP API (read-only commands), with the
 *                    token of --token-file or $NTARELAY_TOKEN;
 *   -c FILE          the relay's own ntarelay.conf: its control socket
 *                    (control_socket; no token: the socket's permissions
 *                    are the access control), or, when the socket cannot
 *                    be used, its http_listen with its http_token_file;
 *   neither          /etc/ntarelay/ntarelay.conf when it exists, else
 *                    http://127.0.0.1:8053.
 * Submissions (assess, statement, withdraw, observe --publish) go through
 * the control socket only: the relay signs them for its operator.
 */
#ifndef NTARELAY_CLIENT_RELAYC_H
#define NTARELAY_CLIENT_RELAYC_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "client/httpc.h"

struct relayc {
	char url[1024];            /* base URL ("http://localhost" for the socket) */
	char socket[108];          /* control socket path, "" = TCP */
	char token_file[PATH_MAX]; /* "" = $NTARELAY_TOKEN or none */
	char config[PATH_MAX];     /* the configuration used, "" = none */
};

/* Options every relay-reading command takes, for usage texts. */
#define RELAYC_USAGE \
    "  -c, --config FILE  the relay's ntarelay.conf (default\n" \
    "                     /etc/ntarelay/ntarelay.conf when it exists): use its\n" \
    "                     control socket, or its HTTP API and token\n" \
    "  --relay URL        a relay's HTTP API instead (read-only commands)\n" \
    "  --token-file F     the API token for --relay (else $NTARELAY_TOKEN)\n"

/* Decide where cmd talks to (see above); prints the problem and returns
 * CLI_ERR, or CLI_OK. */
int relayc_resolve(const char *cmd, const char *relay_url,
    const char *config_path, const char *token_file, bool need_control,
    struct relayc *rc);

/* GET path (query params as httpc_api_get); CLI_OK with r filled on 200,
 * CLI_NO after printing the relay's error, CLI_ERR when unreachable. */
int relayc_get(const char *cmd, const struct relayc *rc, const char *path,
    const struct httpc_param *params, size_t nparams, struct httpc_response *r);

/*
 * relayc_get() for the relay's decisions (/v1/zones, /v1/zones/{zone}): an
 * answer that says the relay has not caught up with its peers (HTTP 503,
 * or any answer with "syncing": true, docs/API.md §8) is not printed here:
 * CLI_ERR with *syncing set, and the relay's message in why (whylen
 * bytes), for the caller to say what it does about it.
 */
int relayc_get_decisions(const char *cmd, const struct relayc *rc,
    const char *path, struct httpc_response *r, bool *syncing, char *why,
    size_t whylen);

/* POST a JSON body to path on the control socket; CLI_OK with r filled
 * on 2xx, CLI_NO after printing the relay's refusal, CLI_ERR otherwise. */
int relayc_post(const char *cmd, const struct relayc *rc, const char *path,
    const json_t *body, struct httpc_response *r);

#endif
