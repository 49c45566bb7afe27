/*
 * client/relayc.c — how an ntactl command reaches a relay; see relayc.h.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "client/cli.h"
#include "client/relayc.h"
#include "lib/conf_client.h"

/* Can we connect to the socket at path? (permissions, a relay there) */
static bool
socket_usable(const char *path)
{
	struct sockaddr_un sun;
	int fd, ok;

	if (strlen(path) >= sizeof(sun.sun_path))
		return false;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return false;
	ok = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return ok;
}

bool
relayc_opt(int o, const char *arg, struct relayc_opts *ro)
{
	switch (o) {
	case 'c': ro->config = arg; return true;
	case RELAYC_O_RELAY: ro->relay = arg; return true;
	case RELAYC_O_TOKEN: ro->token = arg; return true;
	case RELAYC_O_JSON: ro->json = true; return true;
	case RELAYC_O_FULL_IDS: ro->full_ids = true; return true;
	default: return false;
	}
}

int
relayc_getopt(int argc, char **argv, const struct option *opts,
    struct relayc_opts *ro, int help, const char *usage,
    int (*fn)(void *ctx, int o, const char *arg), void *ctx)
{
	int o, ret;

	optind = 1;
	while ((o = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		if (relayc_opt(o, optarg, ro))
			continue;
		if (o == help)
			return cli_usage(usage, 1);
		if ((ret = fn(ctx, o, optarg)) == -2)
			return cli_usage(usage, 0);
		if (ret != -1)
			return ret;
	}
	return -1;
}

int
relayc_id_width(const struct relayc_opts *ro)
{
	return ro != NULL && ro->full_ids ? RELAYC_ID_FULL : RELAYC_ID_SHOW;
}

int
relayc_resolve_opts(const char *cmd, const struct relayc_opts *ro,
    bool need_control, struct relayc *rc)
{
	return relayc_resolve(cmd, ro->relay, ro->config, ro->token, need_control,
	    rc);
}

int
relayc_resolve(const char *cmd, const char *relay_url, const char *config_path,
    const char *token_file, bool need_control, struct relayc *rc)
{
	struct conf_client *cfg;
	char err[CONF_ERR_MAX];
	struct stat st;

	memset(rc, 0, sizeof(*rc));
	if (token_file)
		snprintf(rc->token_file, sizeof(rc->token_file), "%s", token_file);
	if (relay_url != NULL) {
		if (need_control) {
			cli_err("%s: --relay reaches a relay's read-only API; "
			    "submissions go through the control socket of your own "
			    "relay (-c ntarelay.conf)", cmd);
			return CLI_ERR;
		}
		snprintf(rc->url, sizeof(rc->url), "%s", relay_url);
		return CLI_OK;
	}
	if (config_path == NULL && stat(CONF_DEFAULT_PATH, &st) == 0)
		config_path = CONF_DEFAULT_PATH;
	if (config_path == NULL) {
		if (need_control) {
			cli_err("%s: no relay configuration: give -c ntarelay.conf "
			    "(looked for %s: it does not exist)", cmd,
			    CONF_DEFAULT_PATH);
			return CLI_ERR;
		}
		snprintf(rc->url, sizeof(rc->url), "%s", HTTPC_RELAY_DEFAULT);
		rc->fallback = true;
		return CLI_OK;
	}
	if ((cfg = malloc(sizeof(*cfg))) == NULL) {
		cli_err("%s: out of memory", cmd);
		return CLI_ERR;
	}
	if (conf_client_load(config_path, cfg, err, sizeof(err)) != 0) {
		cli_err("%s: %s", cmd, err);
		free(cfg);
		return CLI_ERR;
	}
	snprintf(rc->config, sizeof(rc->config), "%s", config_path);
	if (cfg->control_socket[0] && socket_usable(cfg->control_socket)) {
		snprintf(rc->socket, sizeof(rc->socket), "%s", cfg->control_socket);
		snprintf(rc->url, sizeof(rc->url), "http://localhost");
	} else if (need_control) {
		if (cfg->control_socket[0] == '\0')
			cli_err("%s: %s: control_socket is off; the relay takes no "
			    "submissions", cmd, config_path);
		else
			cli_err("%s: cannot use the relay's control socket %s: %s "
			    "(is ntarelayd running, and are you in the socket's "
			    "group?)", cmd, cfg->control_socket, strerror(errno));
		free(cfg);
		return CLI_ERR;
	} else {
		snprintf(rc->url, sizeof(rc->url), "http://%s%s%s:%d",
		    strchr(cfg->http_addr, ':') ? "[" : "", cfg->http_addr,
		    strchr(cfg->http_addr, ':') ? "]" : "", cfg->http_port);
		if (token_file == NULL && cfg->http_token_file[0])
			snprintf(rc->token_file, sizeof(rc->token_file), "%s",
			    cfg->http_token_file);
	}
	free(cfg);
	return CLI_OK;
}

/* sync: NULL, or where a "syncing" answer is reported instead of printed
 * (relayc_get_decisions()). */
struct relayc_sync {
	bool *syncing;
	char *why;
	size_t whylen;
};

static int
relayc_do(const char *cmd, const struct relayc *rc, const char *path,
    const struct httpc_param *params, size_t nparams, const char *body,
    size_t bodylen, struct httpc_response *r, const struct relayc_sync *sync)
{
	char err[HTTPC_ERR_MAX], text[HTTPC_ERR_MAX];
	char *url = NULL, *token = NULL;
	int ret = CLI_ERR;

	memset(r, 0, sizeof(*r));
	if ((url = httpc_build_url(rc->url, path, params, nparams, err,
	    sizeof(err))) == NULL) {
		cli_err("%s: %s", cmd, err);
		goto out;
	}
	if (rc->socket[0] == '\0' && httpc_token_load(rc->token_file[0] ?
	    rc->token_file : NULL, &token, err, sizeof(err)) != 0) {
		cli_err("%s: %s", cmd, err);
		goto out;
	}
	if (httpc_request(NULL, url, rc->socket[0] ? rc->socket : NULL, token,
	    body, bodylen, r, err, sizeof(err)) != 0) {
		cli_err("%s: relay unreachable at %s: %s", cmd, rc->socket[0] ?
		    rc->socket : url, err);
		if (rc->fallback)
			cli_err("%s: no -c or --relay given, and no configuration at "
			    "%s (looked for it): give -c ntarelay.conf or --relay URL",
			    cmd, CONF_DEFAULT_PATH);
		else if (rc->config[0])
			cli_err("%s: the relay of %s (is ntarelayd running?)", cmd,
			    rc->config);
		goto out;
	}
	if (sync && httpc_syncing(r)) {
		/* not caught up: the caller says what that means for it */
		*sync->syncing = true;
		httpc_error_text(r, sync->why, sync->whylen);
		httpc_response_free(r);
		goto out;
	}
	if (r->status < 200 || r->status > 299) {
		httpc_error_text(r, text, sizeof(text));
		cli_err("%s: the relay answered %ld: %s", cmd, r->status, text);
		if (r->status == 401)
			cli_err("%s: give the relay's token with --token-file FILE "
			    "or $%s", cmd, HTTPC_TOKEN_ENV);
		httpc_response_free(r);
		ret = r->status >= 500 ? CLI_ERR : CLI_NO;
		goto out;
	}
	ret = CLI_OK;
out:
	httpc_token_free(token);
	free(url);
	return ret;
}

int
relayc_get(const char *cmd, const struct relayc *rc, const char *path,
    const struct httpc_param *params, size_t nparams, struct httpc_response *r)
{
	return relayc_do(cmd, rc, path, params, nparams, NULL, 0, r, NULL);
}

int
relayc_get_decisions(const char *cmd, const struct relayc *rc,
    const char *path, struct httpc_response *r, bool *syncing, char *why,
    size_t whylen)
{
	struct relayc_sync sync = { syncing, why, whylen };

	*syncing = false;
	why[0] = '\0';
	return relayc_do(cmd, rc, path, NULL, 0, NULL, 0, r, &sync);
}

int
relayc_post(const char *cmd, const struct relayc *rc, const char *path,
    const json_t *body, struct httpc_response *r)
{
	char *s = json_dumps(body, JSON_COMPACT);
	int ret;

	if (s == NULL) {
		cli_err("%s: out of memory", cmd);
		return CLI_ERR;
	}
	ret = relayc_do(cmd, rc, path, NULL, 0, s, strlen(s), r, NULL);
	free(s);
	return ret;
}

/* Collect into ids the events of one listing whose id starts with pfx. */
static int
prefix_list(const char *cmd, const struct relayc *rc, const char *pfx,
    const char *zone, const char *kind, json_t *ids)
{
	const struct httpc_param params[] = {
		{ "zone", zone }, { "kind", kind }, { "limit", "1000" },
	};
	struct httpc_response r;
	json_t *root, *ev;
	size_t i;
	int ret;

	if ((ret = relayc_get(cmd, rc, "/v1/events", params,
	    sizeof(params) / sizeof(params[0]), &r)) != CLI_OK)
		return ret;
	root = json_loadb(r.body, r.len, 0, NULL);
	httpc_response_free(&r);
	if (!json_is_array(json_object_get(root, "events"))) {
		cli_err("%s: the relay's event list is not what docs/API.md "
		    "describes", cmd);
		json_decref(root);
		return CLI_ERR;
	}
	json_array_foreach(json_object_get(root, "events"), i, ev) {
		const char *id = json_string_value(json_object_get(ev, "id"));
		if (id != NULL && strlen(id) == 64 &&
		    strncmp(id, pfx, strlen(pfx)) == 0)
			json_object_set_new(ids, id, json_true());
	}
	json_decref(root);
	return CLI_OK;
}

int
relayc_event_id(const char *cmd, const struct relayc *rc, const char *arg,
    const char *zone, const char *const *kinds, char out[65])
{
	char pfx[65];
	size_t n = strlen(arg), i;
	json_t *ids, *v;
	const char *id;
	int ret = CLI_OK;

	if (n > 64 || strspn(arg, "0123456789abcdefABCDEF") != n || n == 0) {
		cli_err("%s: '%s' is not an event id (64 hex digits, or a unique "
		    "prefix of at least %d)", cmd, arg, RELAYC_ID_MIN);
		return CLI_ERR;
	}
	for (i = 0; i <= n; i++)
		pfx[i] = (char)(arg[i] >= 'A' && arg[i] <= 'F' ? arg[i] + 32 : arg[i]);
	if (n == 64) {
		memcpy(out, pfx, 65);
		return CLI_OK;
	}
	if (n < RELAYC_ID_MIN) {
		cli_err("%s: id prefix '%s' is too short: give at least %d hex "
		    "digits", cmd, arg, RELAYC_ID_MIN);
		return CLI_ERR;
	}
	ids = json_object();
	for (i = 0; ret == CLI_OK && (kinds == NULL ? i == 0 : kinds[i] != NULL);
	    i++)
		ret = prefix_list(cmd, rc, pfx, zone, kinds ? kinds[i] : NULL, ids);
	if (ret == CLI_OK && json_object_size(ids) == 0) {
		cli_err("%s: no event id starts with %s among the newest events the "
		    "relay lists%s%s (give more digits, or the whole id)", cmd, pfx,
		    zone ? " for " : "", zone ? zone : "");
		ret = CLI_NO;
	} else if (ret == CLI_OK && json_object_size(ids) > 1) {
		cli_err("%s: id prefix %s is ambiguous: it begins each of", cmd, pfx);
		json_object_foreach(ids, id, v)
			fprintf(stderr, "  %s\n", id);
		ret = CLI_ERR;
	} else if (ret == CLI_OK) {
		json_object_foreach(ids, id, v)
			memcpy(out, id, 65);
	}
	json_decref(ids);
	return ret;
}
