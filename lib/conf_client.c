/*
 * lib/conf_client.c — a client's keys of ntarelay.conf; see
 * conf_client.h. The checks and messages are those of
 * relay/core/config.c for the same keys.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lib/conf_client.h"

enum { C_STORE, C_HTTP_LISTEN, C_HTTP_TOKEN_FILE, C_CONTROL_SOCKET, C_TRUSTDB,
	C__COUNT };

static const struct {
	const char *name;
	bool required, empty, spaces;
} ckeys[C__COUNT] = {
	[C_STORE] = { "store", true, false, true },
	[C_HTTP_LISTEN] = { "http_listen", true, false, false },
	[C_HTTP_TOKEN_FILE] = { "http_token_file", false, false, true },
	[C_CONTROL_SOCKET] = { "control_socket", false, true, true },
	[C_TRUSTDB] = { "trustdb", false, false, true },
};

struct cread {
	struct conf_reader r;
	struct conf_client *c;
	char store[PATH_MAX];
	int seen[C__COUNT];   /* line of each key, 0 = not given */
};

/* IP literals only, as the relay listens (relay/core/config.c). */
static int
set_http_listen(struct cread *cr, const char *v)
{
	struct conf_client *c = cr->c;
	char host[256];
	bool ip;
	int port;

	if (strlen(v) >= sizeof(c->http_listen))
		return conf_fail(&cr->r, cr->r.line, "http_listen: too long");
	if (conf_hostport(&cr->r, "http_listen", v, host, sizeof(host), &port,
	    &ip) != 0)
		return -1;
	if (!ip)
		return conf_fail(&cr->r, cr->r.line, "http_listen: '%.80s' is not "
		    "an IP address (host names are refused: write 127.0.0.1:8053 "
		    "or [::1]:8053)", host);
	if (port < 0)
		return conf_fail(&cr->r, cr->r.line, "http_listen: missing port "
		    "(write ADDRESS:PORT, as 127.0.0.1:8053)");
	memcpy(c->http_listen, v, strlen(v) + 1);
	memcpy(c->http_addr, host, strlen(host) + 1);  /* an IP literal: fits */
	c->http_port = port;
	return 0;
}

static int
set_key(struct cread *cr, int k, const char *v)
{
	const char *name = ckeys[k].name;
	char *dst;

	if (*v == '\0' && !ckeys[k].empty)
		return conf_fail(&cr->r, cr->r.line, "%s: missing value", name);
	if (cr->seen[k])
		return conf_fail(&cr->r, cr->r.line, "%s given twice (first on "
		    "line %d)", name, cr->seen[k]);
	if (!ckeys[k].spaces && conf_has_space(v))
		return conf_fail(&cr->r, cr->r.line, "%s: '%.80s' is not one word "
		    "(comments go on lines of their own)", name, v);
	cr->seen[k] = cr->r.line;
	switch (k) {
	case C_HTTP_LISTEN: return set_http_listen(cr, v);
	case C_STORE: dst = cr->store; break;
	case C_HTTP_TOKEN_FILE: dst = cr->c->http_token_file; break;
	case C_TRUSTDB: dst = cr->c->trustdb; break;
	default: dst = cr->c->control_socket; break;
	}
	if (*v == '\0') {  /* control_socket: none */
		*dst = '\0';
		return 0;
	}
	return conf_path(&cr->r, name, v, dst);
}

/* Once every line is read: the keys required, the default socket. */
static int
complete(struct cread *cr)
{
	struct conf_client *c = cr->c;

	for (int k = 0; k < C__COUNT; k++)
		if (ckeys[k].required && !cr->seen[k])
			return conf_fail(&cr->r, 0, "missing required key '%s'",
			    ckeys[k].name);
	if (!cr->seen[C_CONTROL_SOCKET]) {
		const char *slash = strrchr(cr->store, '/');
		int n = slash == NULL ? -1 : snprintf(c->control_socket,
		    sizeof(c->control_socket), "%.*s/control.sock",
		    (int)(slash - cr->store), cr->store);

		if (n < 0 || (size_t)n >= sizeof(c->control_socket))
			return conf_fail(&cr->r, cr->seen[C_STORE], "store: path too "
			    "long to put control.sock beside it (set control_socket)");
	}
	if (strlen(c->control_socket) >= CONF_SOCKET_MAX)
		return conf_fail(&cr->r, cr->seen[C_CONTROL_SOCKET] ?
		    cr->seen[C_CONTROL_SOCKET] : cr->seen[C_STORE], "control_socket: "
		    "'%s' is longer than a unix socket path may be (107 bytes)",
		    c->control_socket);
	return 0;
}

int
conf_client_load(const char *path, struct conf_client *c, char *err,
    size_t errlen)
{
	struct cread cr;
	char *key, *value;
	int r, rc = -1;

	memset(c, 0, sizeof(*c));
	memset(&cr, 0, sizeof(cr));
	cr.c = c;
	if (conf_open(&cr.r, path, err, errlen) != 0)
		return -1;
	memcpy(c->path, cr.r.path, sizeof(c->path));
	while ((r = conf_next(&cr.r, &key, &value)) == 1) {
		int k;

		for (k = 0; k < C__COUNT; k++)
			if (strcmp(key, ckeys[k].name) == 0)
				break;
		if (k < C__COUNT && set_key(&cr, k, value) != 0)
			goto out;
	}
	if (r == 0 && complete(&cr) == 0)
		rc = 0;
out:
	conf_close(&cr.r);
	return rc;
}
