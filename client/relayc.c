/*
 * client/relayc.c — how an ntactl command reaches a relay; see relayc.h.
 */
#include <errno.h>
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
			    "(%s does not exist)", cmd, CONF_DEFAULT_PATH);
			return CLI_ERR;
		}
		snprintf(rc->url, sizeof(rc->url), "%s", HTTPC_RELAY_DEFAULT);
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
