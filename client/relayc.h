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
 *                    http://127.0.0.1:8053 (an error then names the
 *                    configuration looked for).
 * Submissions (assess, statement, withdraw, observe --publish) go through
 * the control socket only: the relay signs them for its operator.
 *
 * Every command that talks to a relay takes the same options, parsed by
 * relayc_opt() (RELAYC_LONGOPTS in its getopt table, "c:" in its short
 * options): -c FILE, --relay URL, --token-file F, --json, --full-ids.
 * ntactl also takes them before the command name (client/ntactl.c).
 *
 * Event ids may be given as unique prefixes of at least RELAYC_ID_MIN hex
 * digits (relayc_event_id()), and are shown RELAYC_ID_SHOW digits long
 * (all of them with --full-ids or --json).
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
	bool fallback;             /* no -c, no --relay, no CONF_DEFAULT_PATH:
	                              HTTPC_RELAY_DEFAULT, said when it fails */
};

/* Options every relay-reading command takes, for usage texts. */
#define RELAYC_USAGE \
    "  -c, --config FILE  the relay's ntarelay.conf (default\n" \
    "                     /etc/ntarelay/ntarelay.conf when it exists): use its\n" \
    "                     control socket, or its HTTP API and token\n" \
    "  --relay URL        a relay's HTTP API instead (read-only commands)\n" \
    "  --token-file F     the API token for --relay (else $NTARELAY_TOKEN)\n" \
    "  --full-ids         show ids in full (64 hex digits), not their first 16\n"

#define RELAYC_ID_MIN 8     /* hex digits of the shortest id prefix taken */
#define RELAYC_ID_SHOW 16   /* hex digits of an id shown in a table */
#define RELAYC_ID_FULL 64

/* The options of relayc_opt(), as getopt_long() returns them. */
enum { RELAYC_O_RELAY = 0x1000, RELAYC_O_TOKEN, RELAYC_O_JSON,
	RELAYC_O_FULL_IDS };

#define RELAYC_LONGOPTS \
	{ "config", required_argument, NULL, 'c' }, \
	{ "relay", required_argument, NULL, RELAYC_O_RELAY }, \
	{ "token-file", required_argument, NULL, RELAYC_O_TOKEN }, \
	{ "json", no_argument, NULL, RELAYC_O_JSON }, \
	{ "full-ids", no_argument, NULL, RELAYC_O_FULL_IDS }

/* What they say; every member NULL / false when not given. */
struct relayc_opts {
	const char *config, *relay, *token;
	bool json, full_ids;
};

/* Take getopt_long()'s option o (its argument arg) into ro when it is one
 * of RELAYC_LONGOPTS: true, else false. */
bool relayc_opt(int o, const char *arg, struct relayc_opts *ro);

/*
 * A subcommand's command line: getopt_long() from the first argument
 * with "c:" and opts (which holds RELAYC_LONGOPTS), those into ro
 * (relayc_opt()), help (the code of its --help) printing usage, and
 * every other option to fn(ctx, o, optarg), which returns -1 when it took
 * it, -2 when it is not one of the command's (usage printed), or the exit
 * status to end with. Returns -1 when every option was taken (optind the
 * first operand), or the exit status.
 */
struct option;
int relayc_getopt(int argc, char **argv, const struct option *opts,
    struct relayc_opts *ro, int help, const char *usage,
    int (*fn)(void *ctx, int o, const char *arg), void *ctx);

/* How many hex digits of an id to show under ro: RELAYC_ID_SHOW, or
 * RELAYC_ID_FULL with --full-ids. */
int relayc_id_width(const struct relayc_opts *ro);

/* Decide where cmd talks to (see above); prints the problem and returns
 * CLI_ERR, or CLI_OK. */
int relayc_resolve(const char *cmd, const char *relay_url,
    const char *config_path, const char *token_file, bool need_control,
    struct relayc *rc);

/* relayc_resolve() with the options of ro. */
int relayc_resolve_opts(const char *cmd, const struct relayc_opts *ro,
    bool need_control, struct relayc *rc);

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

/*
 * The full event id that arg names (out: 65 bytes): 64 hex digits are
 * taken as they are; 8 to 63 are a prefix, looked up among the newest
 * events (at most 1000 per kind) the relay lists (GET /v1/events, with
 * zone when not NULL and each of kinds, a NULL-terminated list, or any
 * kind when kinds is NULL). A prefix that matches no event, or several
 * (they are named), or shorter than RELAYC_ID_MIN, is refused. CLI_OK, or
 * the exit status after saying why.
 */
int relayc_event_id(const char *cmd, const struct relayc *rc, const char *arg,
    const char *zone, const char *const *kinds, char out[65]);

#endif
