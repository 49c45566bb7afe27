/*
 * relay/core/config.c — read and check ntarelay.conf.
 *
 * One pass over the file, one line at a time, each key handled by the
 * entry of its name in the key table; whole-file rules (required keys, a
 * link's certificate without its key) are checked at the end. Every error
 * names the file and line, because the person reading it has the file open
 * in an editor and nothing else.
 *
 * Nothing here opens anything but the configuration file itself, except
 * config_check_files(), whose whole purpose is to look at the files named.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "proto/key.h"
#include "proto/kind.h"
#include "relay/core/config.h"

#define CONFIG_LINE_MAX 4096            /* bytes of one line, without its end */

enum key_id {
	K_NET, K_KEY, K_CERT, K_TRUSTDB, K_STORE, K_LINK, K_HTTP_LISTEN,
	K_LINK_CAFILE, K_LINK_CERTFILE, K_LINK_KEYFILE, K_LINK_CREDENTIALS,
	K_LINK_CLIENT_ID,
	K_WATCH, K_LOG_LEVEL, K_LOG_SYSLOG, K_HEARTBEAT_INTERVAL, K_CLOCK_SKEW,
	K_RETENTION, K_RATE_LIMIT, K_RATE_BURST, K_VOUCH_THRESHOLD, K_QUORUM,
	K_QUORUM_EVIDENCE, K_RESOLVE_AFTER, K_AFFILIATION_GROUP,
	K_DRAIN_TIMEOUT, K_HTTP_TOKEN_FILE, K_PROBE_TRUST_ANCHOR, K_PROBE_FORWARD,
	K_PROBE_INTERVAL, K_NTA_MAX_LIFETIME, K_VETO_ATTACK_ASSESSMENT,
	K_VETO_UNBACKED, K_VETO_ZONE_STATEMENT, K_CONTROL_SOCKET, K_STATUS_PAGE,
	K_PUBLIC_URL, K_MATTERMOST_WEBHOOK, K_MATTERMOST_URL,
	K_MATTERMOST_TOKEN_FILE, K_MATTERMOST_CHANNEL,
	K_MATTERMOST_SLASH_TOKEN_FILE, K_MATTERMOST_USERNAME,
	K_MATTERMOST_ICON_URL, K_MATTERMOST_KINDS, K_MATTERMOST_RATE,
	K_MATTERMOST_QUEUE_MAX, K_SYNC_WAIT, K_ZONE_KEYS_PER_OPERATOR,
	K_ZONE_EVENTS_PER_OPERATOR, K_CORE_DUMPS,
	K__COUNT
};

struct parser;

/* flags of a key */
#define F_REQUIRED 0x01   /* must be given */
#define F_REPEAT 0x02     /* may be given more than once: a list */
#define F_LINKOPT 0x04    /* qualifies the link above */
#define F_TLS 0x08        /* link option for mqtts:// only */
#define F_EMPTY 0x10      /* an empty value is allowed */
#define F_SPACES 0x20     /* the value may hold spaces (paths, lists) */

struct keydef {
	const char *name;
	unsigned flags;
	int (*set)(struct parser *p, enum key_id k, const char *v);
	long long min, max;         /* numeric keys */
};

struct parser {
	const char *file;           /* as the caller wrote it, for messages */
	char dir[PATH_MAX];         /* absolute directory of the file */
	struct relay_config *cfg;
	int line;
	char *err;
	size_t errlen;
	int seen[K__COUNT];         /* line a single-valued key was given on */
	int lopt[CONFIG_LINKS_MAX][K__COUNT]; /* same, per link, for link options */
	int watch_line[CONFIG_WATCH_MAX];
	int group_line[CONFIG_GROUPS_MAX];
};

static int set_net(struct parser *, enum key_id, const char *);
static int set_path(struct parser *, enum key_id, const char *);
static int set_link(struct parser *, enum key_id, const char *);
static int set_http_listen(struct parser *, enum key_id, const char *);
static int set_link_path(struct parser *, enum key_id, const char *);
static int set_link_client_id(struct parser *, enum key_id, const char *);
static int set_watch(struct parser *, enum key_id, const char *);
static int set_log_level(struct parser *, enum key_id, const char *);
static int set_bool(struct parser *, enum key_id, const char *);
static int set_number(struct parser *, enum key_id, const char *);
static int set_quorum(struct parser *, enum key_id, const char *);
static int set_group(struct parser *, enum key_id, const char *);
static int set_probe_forward(struct parser *, enum key_id, const char *);
static int set_url(struct parser *, enum key_id, const char *);
static int set_mm_channel(struct parser *, enum key_id, const char *);
static int set_mm_username(struct parser *, enum key_id, const char *);
static int set_mm_kinds(struct parser *, enum key_id, const char *);

/* The public contract: ntarelay.conf(5) documents each of these. */
static const struct keydef keys[K__COUNT] = {
	[K_NET] = { "net", F_REQUIRED, set_net, 0, 0 },
	[K_KEY] = { "key", F_REQUIRED | F_SPACES, set_path, 0, 0 },
	[K_CERT] = { "cert", F_REQUIRED | F_EMPTY | F_SPACES, set_path, 0, 0 },
	[K_TRUSTDB] = { "trustdb", F_REQUIRED | F_SPACES, set_path, 0, 0 },
	[K_STORE] = { "store", F_REQUIRED | F_SPACES, set_path, 0, 0 },
	[K_LINK] = { "link", F_REQUIRED | F_REPEAT, set_link, 0, 0 },
	[K_HTTP_LISTEN] = { "http_listen", F_REQUIRED, set_http_listen, 0, 0 },
	[K_LINK_CAFILE] = { "link_cafile", F_LINKOPT | F_TLS | F_SPACES, set_link_path, 0, 0 },
	[K_LINK_CERTFILE] = { "link_certfile", F_LINKOPT | F_TLS | F_SPACES, set_link_path, 0, 0 },
	[K_LINK_KEYFILE] = { "link_keyfile", F_LINKOPT | F_TLS | F_SPACES, set_link_path, 0, 0 },
	[K_LINK_CREDENTIALS] = { "link_credentials", F_LINKOPT | F_SPACES, set_link_path, 0, 0 },
	[K_LINK_CLIENT_ID] = { "link_client_id", F_LINKOPT, set_link_client_id, 0, 0 },
	[K_WATCH] = { "watch", F_REPEAT | F_SPACES, set_watch, 0, 0 },
	[K_LOG_LEVEL] = { "log_level", 0, set_log_level, 0, 0 },
	[K_LOG_SYSLOG] = { "log_syslog", 0, set_bool, 0, 0 },
	[K_HEARTBEAT_INTERVAL] = { "heartbeat_interval", 0, set_number, 10, 170 },
	[K_CLOCK_SKEW] = { "clock_skew", 0, set_number, 0, 3600 },
	[K_RETENTION] = { "retention", 0, set_number, 3600, 31536000 },
	[K_RATE_LIMIT] = { "rate_limit", 0, set_number, 1, 100000 },
	[K_RATE_BURST] = { "rate_burst", 0, set_number, 1, 1000000 },
	[K_VOUCH_THRESHOLD] = { "vouch_threshold", 0, set_number, 1, 100 },
	[K_QUORUM] = { "quorum", 0, set_quorum, 2, 1000 },
	[K_QUORUM_EVIDENCE] = { "quorum_evidence", 0, set_number, 1, 1000 },
	[K_RESOLVE_AFTER] = { "resolve_after", 0, set_number, 5, 86400 },
	[K_AFFILIATION_GROUP] = { "affiliation_group", F_REPEAT | F_SPACES, set_group, 0, 0 },
	[K_DRAIN_TIMEOUT] = { "drain_timeout", 0, set_number, 0, 60 },
	[K_HTTP_TOKEN_FILE] = { "http_token_file", F_SPACES, set_path, 0, 0 },
	[K_PROBE_TRUST_ANCHOR] = { "probe_trust_anchor", F_SPACES, set_path, 0, 0 },
	[K_PROBE_FORWARD] = { "probe_forward", 0, set_probe_forward, 0, 0 },
	[K_PROBE_INTERVAL] = { "probe_interval", 0, set_number, 1, 3600 },
	[K_NTA_MAX_LIFETIME] = { "nta_max_lifetime", 0, set_number, 60, 604800 },
	[K_VETO_ATTACK_ASSESSMENT] = { "veto_attack_assessment", 0, set_bool, 0, 0 },
	[K_VETO_UNBACKED] = { "veto_unbacked", 0, set_bool, 0, 0 },
	[K_VETO_ZONE_STATEMENT] = { "veto_zone_statement", 0, set_bool, 0, 0 },
	[K_CONTROL_SOCKET] = { "control_socket", F_EMPTY | F_SPACES, set_path, 0, 0 },
	[K_STATUS_PAGE] = { "status_page", 0, set_bool, 0, 0 },
	[K_PUBLIC_URL] = { "public_url", 0, set_url, 0, 0 },
	[K_MATTERMOST_WEBHOOK] = { "mattermost_webhook", 0, set_url, 0, 0 },
	[K_MATTERMOST_URL] = { "mattermost_url", 0, set_url, 0, 0 },
	[K_MATTERMOST_TOKEN_FILE] = { "mattermost_token_file", F_SPACES, set_path, 0, 0 },
	[K_MATTERMOST_CHANNEL] = { "mattermost_channel", 0, set_mm_channel, 0, 0 },
	[K_MATTERMOST_SLASH_TOKEN_FILE] = { "mattermost_slash_token_file", F_SPACES, set_path, 0, 0 },
	[K_MATTERMOST_USERNAME] = { "mattermost_username", 0, set_mm_username, 0, 0 },
	[K_MATTERMOST_ICON_URL] = { "mattermost_icon_url", 0, set_url, 0, 0 },
	[K_MATTERMOST_KINDS] = { "mattermost_kinds", F_SPACES, set_mm_kinds, 0, 0 },
	[K_MATTERMOST_RATE] = { "mattermost_rate", 0, set_number, 1, 6000 },
	[K_MATTERMOST_QUEUE_MAX] = { "mattermost_queue_max", 0, set_number, 10, 1000000 },
	[K_SYNC_WAIT] = { "sync_wait", 0, set_number, 0, 3600 },
	[K_ZONE_KEYS_PER_OPERATOR] = { "zone_keys_per_operator", 0, set_number, 1, 128 },
	[K_ZONE_EVENTS_PER_OPERATOR] = { "zone_events_per_operator", 0, set_number, 16, 100000 },
	[K_CORE_DUMPS] = { "core_dumps", 0, set_bool, 0, 0 },
};

static int fail(struct parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "FILE:LINE: message" (or "FILE: message" for line 0) into p->err. */
static int
fail(struct parser *p, int line, const char *fmt, ...)
{
	char msg[CONFIG_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(p->err, p->errlen, "%s:%d: %s", p->file, line, msg);
	else
		snprintf(p->err, p->errlen, "%s: %s", p->file, msg);
	return -1;
}

void
config_defaults(struct relay_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->log_level = LOG_LVL_INFO;
	cfg->log_syslog = false;
	cfg->heartbeat_interval = 60;
	cfg->skew = 300;
	cfg->retention = 604800;
	cfg->rate_limit = 50;
	cfg->rate_burst = 2000; /* above one backfill answer (1000 events) */
	cfg->vouch_threshold = 2;
	cfg->quorum = 0;
	cfg->quorum_evidence = 2;
	cfg->resolve_after = 900;
	cfg->sync_wait = 120;
	cfg->zone_keys_per_operator = 8;
	cfg->zone_events_per_operator = 512;
	cfg->drain_timeout = 5;
	cfg->probe_interval = 60;
	cfg->nta_max_lifetime = 604800;
	cfg->veto_attack_assessment = true;
	cfg->veto_unbacked = false;
	cfg->veto_zone_statement = true;
	cfg->control_socket_default = true;
	cfg->status_page = false;
	snprintf(cfg->mattermost_username, sizeof(cfg->mattermost_username),
	    "ntarelay");
	cfg->mattermost_kinds = (1u << KIND_ASSESSMENT) | (1u << KIND_ZONE_STATEMENT) |
	    (1u << KIND_WITHDRAW);
	cfg->mattermost_rate = 30;
	cfg->mattermost_queue_max = 10000;
}

/* ---- values ---------------------------------------------------------- */

static bool
has_space(const char *v)
{
	return strpbrk(v, " \t") != NULL;
}

/* Relative paths are taken from the configuration file's directory, so a
 * file and the keys beside it can move together. */
static int
resolve_path(struct parser *p, enum key_id k, const char *v, char *out)
{
	int n;

	if (v[0] == '/')
		n = snprintf(out, PATH_MAX, "%s", v);
	else
		n = snprintf(out, PATH_MAX, "%s/%s", p->dir, v);
	if (n < 0 || n >= PATH_MAX)
		return fail(p, p->line, "%s: path too long", keys[k].name);
	return 0;
}

static int
set_net(struct parser *p, enum key_id k, const char *v)
{
	size_t n = strlen(v);

	if (n > 63)
		return fail(p, p->line, "net: longer than 63 characters");
	for (size_t i = 0; i < n; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9') ||
		    v[i] == '-'))
			return fail(p, p->line, "net: '%.64s': use 1-63 of a-z 0-9 -", v);
	memcpy(p->cfg->net, v, n + 1);
	return 0;
}

static int
set_path(struct parser *p, enum key_id k, const char *v)
{
	struct relay_config *cfg = p->cfg;
	char *dst;

	switch (k) {
	case K_KEY: dst = cfg->key; cfg->line.key = p->line; break;
	case K_CERT: dst = cfg->cert; cfg->line.cert = p->line; break;
	case K_TRUSTDB: dst = cfg->trustdb; cfg->line.trustdb = p->line; break;
	case K_STORE: dst = cfg->store; cfg->line.store = p->line; break;
	case K_HTTP_TOKEN_FILE:
		dst = cfg->http_token_file;
		cfg->line.http_token_file = p->line;
		break;
	case K_PROBE_TRUST_ANCHOR:
		dst = cfg->probe_trust_anchor;
		cfg->line.probe_trust_anchor = p->line;
		break;
	case K_CONTROL_SOCKET:
		dst = cfg->control_socket;
		cfg->control_socket_default = false;
		cfg->line.control_socket = p->line;
		break;
	case K_MATTERMOST_TOKEN_FILE:
		dst = cfg->mattermost_token_file;
		cfg->line.mattermost_token_file = p->line;
		break;
	case K_MATTERMOST_SLASH_TOKEN_FILE:
		dst = cfg->mattermost_slash_token_file;
		cfg->line.mattermost_slash_token_file = p->line;
		break;
	default:
		return fail(p, p->line, "%s: internal error", keys[k].name);
	}
	if (*v == '\0') {  /* cert: a root key; control_socket: none */
		*dst = '\0';
		return 0;
	}
	return resolve_path(p, k, v, dst);
}

/* probe_forward ADDR[@PORT]: an IPv4 or IPv6 literal, as libunbound's
 * forward-addr takes it. */
static int
set_probe_forward(struct parser *p, enum key_id k, const char *v)
{
	char addr[64];
	const char *at = strchr(v, '@');
	size_t n = at ? (size_t)(at - v) : strlen(v);
	unsigned char buf[16];
	long port = 53;
	char *end;

	(void)k;
	if (n == 0 || n >= sizeof(addr))
		return fail(p, p->line, "probe_forward: expected ADDR[@PORT]");
	memcpy(addr, v, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, buf) != 1 && inet_pton(AF_INET6, addr, buf) != 1)
		return fail(p, p->line, "probe_forward: '%s' is not an IPv4 or IPv6 "
		    "address (no host names)", addr);
	if (at) {
		port = strtol(at + 1, &end, 10);
		if (at[1] == '\0' || *end != '\0' || port < 1 || port > 65535)
			return fail(p, p->line, "probe_forward: port must be 1-65535");
	}
	snprintf(p->cfg->probe_forward, sizeof(p->cfg->probe_forward), "%s@%ld",
	    addr, port);
	return 0;
}

static bool
all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* A hostname: labels of letters, digits and '-', 1-63 each, 253 in all,
 * an optional final dot. */
static bool
hostname_valid(const char *h)
{
	size_t n = strlen(h), label = 0;

	if (n > 0 && h[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || h[i] == '.') {
			if (label == 0 || label > 63 || h[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)h[i]) && h[i] != '-')
			return false;
		if (label == 0 && h[i] == '-')
			return false;
		label++;
	}
	return true;
}

/*
 * Split HOST[:PORT] or [IPV6][:PORT] from s. The host goes to host (cap
 * bytes, brackets removed); *port is -1 when no port was written. Sets *ip
 * when the host is an IPv4 or IPv6 literal. Errors are worded for key.
 */
static int
parse_hostport(struct parser *p, const char *key, const char *s, char *host,
    size_t cap, int *port, bool *ip)
{
	const char *h, *rest, *colon;
	size_t hlen;

	*port = -1;
	*ip = false;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		char a6[INET6_ADDRSTRLEN + 1];
		unsigned char bin[16];

		if (close == NULL)
			return fail(p, p->line, "%s: missing ']' after the IPv6 "
			    "address", key);
		h = s + 1;
		hlen = (size_t)(close - h);
		if (hlen == 0)
			return fail(p, p->line, "%s: missing host", key);
		if (hlen >= sizeof(a6))
			return fail(p, p->line, "%s: '%.*s' is not an IPv6 address",
			    key, (int)(close - s + 1), s);
		memcpy(a6, h, hlen);
		a6[hlen] = '\0';
		if (inet_pton(AF_INET6, a6, bin) != 1)
			return fail(p, p->line, "%s: '[%s]' is not an IPv6 address",
			    key, a6);
		*ip = true;
		rest = close + 1;
		if (*rest != '\0' && *rest != ':')
			return fail(p, p->line, "%s: unexpected '%.40s' after the "
			    "address", key, rest);
	} else {
		h = s;
		colon = strchr(s, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL)
			return fail(p, p->line, "%s: write an IPv6 address in "
			    "brackets, as [::1]:1883", key);
		hlen = colon ? (size_t)(colon - s) : strlen(s);
		rest = s + hlen;
		if (hlen == 0)
			return fail(p, p->line, "%s: missing host", key);
	}
	if (hlen >= cap)
		return fail(p, p->line, "%s: host name too long", key);
	memcpy(host, h, hlen);
	host[hlen] = '\0';

	if (!*ip) {
		bool dotted = true;
		unsigned char bin[4];

		for (size_t i = 0; i < hlen; i++)
			if (!(isdigit((unsigned char)host[i]) || host[i] == '.'))
				dotted = false;
		if (dotted) {
			if (inet_pton(AF_INET, host, bin) != 1)
				return fail(p, p->line, "%s: '%s' is not an IPv4 "
				    "address", key, host);
			*ip = true;
		} else if (!hostname_valid(host)) {
			return fail(p, p->line, "%s: '%.80s' is not a host name",
			    key, host);
		}
	}

	if (*rest == ':') {
		const char *ps = rest + 1;
		size_t plen = strlen(ps);
		long v = 0;

		if (plen == 0)
			return fail(p, p->line, "%s: missing port after ':'", key);
		if (!all_digits(ps, plen))
			return fail(p, p->line, "%s: port '%.20s' is not a number",
			    key, ps);
		for (size_t i = 0; i < plen && v <= 65535; i++)
			v = v * 10 + (ps[i] - '0');
		if (v < 1 || v > 65535)
			return fail(p, p->line, "%s: port %.20s out of range "
			    "(1-65535)", key, ps);
		*port = (int)v;
	}
	return 0;
}

/*
 * mqtt://HOST[:PORT] or mqtts://HOST[:PORT], one optional trailing '/'.
 * No user information (link_credentials holds it, out of the URL and out
 * of logs), no path.
 */
static int
set_link(struct parser *p, enum key_id k, const char *v)
{
	struct relay_config *cfg = p->cfg;
	struct config_link *l;
	char hostport[300];
	const char *rest, *sep;
	size_t n;
	bool ip;
	int port;

	if (cfg->nlinks == CONFIG_LINKS_MAX)
		return fail(p, p->line, "link: too many links (at most %d)",
		    CONFIG_LINKS_MAX);
	if (strlen(v) >= sizeof(l->url))
		return fail(p, p->line, "link: URL too long");
	l = &cfg->links[cfg->nlinks];
	memset(l, 0, sizeof(*l));
	if (strncmp(v, "mqtt://", 7) == 0) {
		rest = v + 7;
		l->port = 1883;
	} else if (strncmp(v, "mqtts://", 8) == 0) {
		rest = v + 8;
		l->tls = true;
		l->port = 8883;
	} else if ((sep = strstr(v, "://")) != NULL) {
		return fail(p, p->line, "link: unsupported scheme '%.*s' (use "
		    "mqtt:// or mqtts://)", (int)(sep - v) > 20 ? 20 : (int)(sep - v), v);
	} else {
		return fail(p, p->line, "link: '%.80s' is not a URL (write "
		    "mqtt://HOST:PORT or mqtts://HOST:PORT)", v);
	}
	if (strchr(rest, '@') != NULL)
		return fail(p, p->line, "link: user name or password in the URL "
		    "(put them in a file named by link_credentials)");
	n = strlen(rest);
	if (n > 0 && rest[n - 1] == '/')
		n--;
	if (memchr(rest, '/', n) != NULL || memchr(rest, '?', n) != NULL ||
	    memchr(rest, '#', n) != NULL)
		return fail(p, p->line, "link: unexpected path in '%.80s' (write "
		    "only the scheme, host and port)", v);
	memcpy(hostport, rest, n);
	hostport[n] = '\0';
	if (parse_hostport(p, "link", hostport, l->host, sizeof(l->host), &port,
	    &ip) != 0)
		return -1;
	if (port > 0)
		l->port = port;
	for (size_t i = 0; i < cfg->nlinks; i++)
		if (strcasecmp(cfg->links[i].host, l->host) == 0 &&
		    cfg->links[i].port == l->port)
			return fail(p, p->line, "link: same broker as the link on "
			    "line %d", cfg->links[i].line);
	memcpy(l->url, v, strlen(v) + 1);
	l->line = p->line;
	cfg->nlinks++;
	return 0;
}

/* IP literals only: a listening address decided by DNS at start-up is a
 * surprise waiting for the day the resolver is the thing that is broken. */
static int
set_http_listen(struct parser *p, enum key_id k, const char *v)
{
	struct relay_config *cfg = p->cfg;
	char host[256];
	bool ip;
	int port;

	if (strlen(v) >= sizeof(cfg->http_listen))
		return fail(p, p->line, "http_listen: too long");
	if (parse_hostport(p, "http_listen", v, host, sizeof(host), &port, &ip) != 0)
		return -1;
	if (!ip)
		return fail(p, p->line, "http_listen: '%.80s' is not an IP address "
		    "(host names are refused: write 127.0.0.1:8053 or [::1]:8053)",
		    host);
	if (port < 0)
		return fail(p, p->line, "http_listen: missing port (write "
		    "ADDRESS:PORT, as 127.0.0.1:8053)");
	memcpy(cfg->http_listen, v, strlen(v) + 1);
	memcpy(cfg->http_addr, host, strlen(host) + 1);
	cfg->http_port = port;
	return 0;
}

static struct config_link *
current_link(struct parser *p)
{
	return &p->cfg->links[p->cfg->nlinks - 1];
}

static int
set_link_path(struct parser *p, enum key_id k, const char *v)
{
	struct config_link *l = current_link(p);
	char *dst;

	switch (k) {
	case K_LINK_CAFILE: dst = l->cafile; l->cafile_line = p->line; break;
	case K_LINK_CERTFILE: dst = l->certfile; l->certfile_line = p->line; break;
	case K_LINK_KEYFILE: dst = l->keyfile; l->keyfile_line = p->line; break;
	case K_LINK_CREDENTIALS:
		dst = l->credentials;
		l->credentials_line = p->line;
		break;
	default:
		return fail(p, p->line, "%s: internal error", keys[k].name);
	}
	return resolve_path(p, k, v, dst);
}

/* MQTT 3.1.1 servers must accept 1-23 characters of 0-9 a-z A-Z; '-' and
 * '_' are accepted by every broker in use. */
static int
set_link_client_id(struct parser *p, enum key_id k, const char *v)
{
	struct config_link *l = current_link(p);
	size_t n = strlen(v);

	if (n >= sizeof(l->client_id))
		return fail(p, p->line, "link_client_id: longer than %zu characters",
		    sizeof(l->client_id) - 1);
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '-' && v[i] != '_')
			return fail(p, p->line, "link_client_id: '%.40s': use 1-23 "
			    "of A-Z a-z 0-9 - _", v);
	memcpy(l->client_id, v, n + 1);
	l->client_id_line = p->line;
	return 0;
}

int
config_watch_name(const char *zone, const char *name, char *out, const char **why)
{
	char buf[2 * ZONE_TEXT_MAX + 2];
	size_t n = strlen(name);

	if (n == 0) {
		*why = "empty name";
		return -1;
	}
	if (strcmp(name, "@") == 0)
		snprintf(buf, sizeof(buf), "%s", zone);
	else if (name[n - 1] == '.' || n > ZONE_TEXT_MAX)
		snprintf(buf, sizeof(buf), "%s", name);
	else if (strcmp(zone, ".") == 0)
		snprintf(buf, sizeof(buf), "%s.", name);
	else
		snprintf(buf, sizeof(buf), "%s.%s", name, zone);
	if (strlen(buf) > ZONE_TEXT_MAX) {
		*why = "name longer than 255 octets in wire form";
		return -1;
	}
	if (zone_name_normalise(buf, out, why) != 0)
		return -1;
	if (!zone_name_in(out, zone)) {
		*why = "not the zone nor a name below it";
		return -1;
	}
	return 0;
}

/* watch ZONE [NAME ...]: a zone, and the names the probe asks in it
 * beside the apex (ntarelay.conf(5)). */
static int
set_watch(struct parser *p, enum key_id k, const char *v)
{
	struct relay_config *cfg = p->cfg;
	char line[CONFIG_LINE_MAX + 1], *tok, *save = NULL;
	char zone[ZONE_TEXT_MAX + 1], name[ZONE_TEXT_MAX + 1];
	const char *why = "invalid";
	size_t first = cfg->nwatch_names, n = 0;

	snprintf(line, sizeof(line), "%s", v);
	tok = strtok_r(line, " \t", &save);
	if (tok == NULL)
		return fail(p, p->line, "watch: missing value");
	if (zone_name_normalise(tok, zone, &why) != 0)
		return fail(p, p->line, "watch: '%.80s' is not a zone name (%s)",
		    tok, why);
	for (size_t i = 0; i < cfg->nwatch; i++)
		if (strcmp(cfg->watch[i], zone) == 0)
			return fail(p, p->line, "watch: %s already watched (line %d)",
			    zone, p->watch_line[i]);
	if (cfg->nwatch == CONFIG_WATCH_MAX)
		return fail(p, p->line, "watch: too many zones (at most %d)",
		    CONFIG_WATCH_MAX);
	while ((tok = strtok_r(NULL, " \t", &save)) != NULL) {
		if (config_watch_name(zone, tok, name, &why) != 0)
			return fail(p, p->line, "watch %s: name '%.80s': %s", zone,
			    tok, why);
		for (size_t i = first; i < first + n; i++)
			if (strcmp(cfg->watch_names[i], name) == 0)
				return fail(p, p->line, "watch %s: %s named twice",
				    zone, name);
		if (n == CONFIG_WATCH_NAMES_MAX)
			return fail(p, p->line, "watch %s: too many names (at most "
			    "%d a zone)", zone, CONFIG_WATCH_NAMES_MAX);
		if (first + n == CONFIG_WATCH_NAMES_TOTAL)
			return fail(p, p->line, "watch %s: too many names (at most "
			    "%d in all watch lines)", zone, CONFIG_WATCH_NAMES_TOTAL);
		memcpy(cfg->watch_names[first + n], name, sizeof(name));
		n++;
	}
	memcpy(cfg->watch[cfg->nwatch], zone, sizeof(zone));
	cfg->watch_name0[cfg->nwatch] = first;
	cfg->watch_nnames[cfg->nwatch] = n;
	cfg->nwatch_names = first + n;
	p->watch_line[cfg->nwatch++] = p->line;
	return 0;
}

static int
set_log_level(struct parser *p, enum key_id k, const char *v)
{
	int lvl = log_level_from_name(v);

	if (lvl < 0)
		return fail(p, p->line, "log_level: '%.40s' is not one of err, warn, "
		    "notice, info, debug", v);
	p->cfg->log_level = (enum log_level)lvl;
	return 0;
}

/* http:// or https:// URL, visible ASCII, no credentials in the
 * authority (they would end up in logs); a webhook URL is a secret of its
 * own and is never logged. */
static int
set_url(struct parser *p, enum key_id k, const char *v)
{
	struct relay_config *cfg = p->cfg;
	size_t n = strlen(v), cap;
	const char *auth, *end;
	char *dst;

	switch (k) {
	case K_PUBLIC_URL: dst = cfg->public_url; cap = sizeof(cfg->public_url); break;
	case K_MATTERMOST_WEBHOOK:
		dst = cfg->mattermost_webhook;
		cap = sizeof(cfg->mattermost_webhook);
		break;
	case K_MATTERMOST_URL:
		dst = cfg->mattermost_url;
		cap = sizeof(cfg->mattermost_url);
		break;
	case K_MATTERMOST_ICON_URL:
		dst = cfg->mattermost_icon_url;
		cap = sizeof(cfg->mattermost_icon_url);
		break;
	default:
		return fail(p, p->line, "%s: internal error", keys[k].name);
	}
	if (strncmp(v, "http://", 7) == 0)
		auth = v + 7;
	else if (strncmp(v, "https://", 8) == 0)
		auth = v + 8;
	else
		return fail(p, p->line, "%s: expected an http:// or https:// URL",
		    keys[k].name);
	if (n >= cap)
		return fail(p, p->line, "%s: URL longer than %zu characters",
		    keys[k].name, cap - 1);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] <= 0x20 || (unsigned char)v[i] >= 0x7f)
			return fail(p, p->line, "%s: the URL holds a space or a "
			    "character that is not visible ASCII", keys[k].name);
	end = auth + strcspn(auth, "/?#");
	if (end == auth)
		return fail(p, p->line, "%s: the URL has no host", keys[k].name);
	if (memchr(auth, '@', (size_t)(end - auth)) != NULL)
		return fail(p, p->line, "%s: no user:password@ in the URL (use "
		    "a token file)", keys[k].name);
	memcpy(dst, v, n + 1);
	return 0;
}

/* A Mattermost channel id: 26 characters of [a-z0-9]. */
static int
set_mm_channel(struct parser *p, enum key_id k, const char *v)
{
	(void)k;
	if (strlen(v) != 26 || strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789") != 26)
		return fail(p, p->line, "mattermost_channel: '%.40s' is not a "
		    "channel id (26 characters of a-z and 0-9; the id, not the "
		    "name)", v);
	memcpy(p->cfg->mattermost_channel, v, 27);
	return 0;
}

/* The name posts are shown under: 1-64 visible characters. */
static int
set_mm_username(struct parser *p, enum key_id k, const char *v)
{
	size_t n = strlen(v);

	(void)k;
	if (n == 0 || n >= sizeof(p->cfg->mattermost_username))
		return fail(p, p->line, "mattermost_username: 1-%zu characters",
		    sizeof(p->cfg->mattermost_username) - 1);
	memcpy(p->cfg->mattermost_username, v, n + 1);
	return 0;
}

/* KIND[,KIND...]: which first-seen verified events get a message. */
static int
set_mm_kinds(struct parser *p, enum key_id k, const char *v)
{
	unsigned mask = 0;
	const char *s = v;

	(void)k;
	if (strcmp(v, "none") == 0) {
		p->cfg->mattermost_kinds = 0;
		return 0;
	}
	for (;;) {
		char name[32];
		size_t n;
		enum kind kd;

		while (*s == ' ' || *s == '\t')
			s++;
		n = strcspn(s, ", \t");
		if (n == 0 || n >= sizeof(name))
			return fail(p, p->line, "mattermost_kinds: expected KIND[,KIND"
			    "...] or none");
		memcpy(name, s, n);
		name[n] = '\0';
		kd = kind_from_name(name);
		if (kd == KIND__COUNT)
			return fail(p, p->line, "mattermost_kinds: '%s' is not an "
			    "event kind (observation, assessment, zone_statement, "
			    "withdraw, vouch, unvouch, key_cert, key_revoke, heartbeat, "
			    "decision)", name);
		mask |= 1u << kd;
		s += n;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		if (*s != ',')
			return fail(p, p->line, "mattermost_kinds: separate kinds with "
			    "commas");
		s++;
	}
	p->cfg->mattermost_kinds = mask;
	return 0;
}

static int
set_bool(struct parser *p, enum key_id k, const char *v)
{
	bool b;

	if (strcmp(v, "yes") == 0)
		b = true;
	else if (strcmp(v, "no") == 0)
		b = false;
	else
		return fail(p, p->line, "%s: '%.40s': write yes or no",
		    keys[k].name, v);
	switch (k) {
	case K_LOG_SYSLOG: p->cfg->log_syslog = b; break;
	case K_VETO_ATTACK_ASSESSMENT: p->cfg->veto_attack_assessment = b; break;
	case K_VETO_UNBACKED: p->cfg->veto_unbacked = b; break;
	case K_VETO_ZONE_STATEMENT: p->cfg->veto_zone_statement = b; break;
	case K_STATUS_PAGE: p->cfg->status_page = b; break;
	case K_CORE_DUMPS: p->cfg->core_dumps = b; break;
	default: return fail(p, p->line, "%s: internal error", keys[k].name);
	}
	return 0;
}

/* A decimal integer in [min, max] of key k; no sign, no units. */
static int
parse_number(struct parser *p, enum key_id k, const char *v, long long *out)
{
	const struct keydef *d = &keys[k];
	size_t n = strlen(v);
	long long x = 0;

	if (!all_digits(v, n))
		return fail(p, p->line, "%s: '%.40s' is not a number (a decimal "
		    "integer)", d->name, v);
	for (size_t i = 0; i < n && x <= d->max; i++)
		x = x * 10 + (v[i] - '0');
	if (x < d->min || x > d->max)
		return fail(p, p->line, "%s: %.40s out of range (%lld-%lld)",
		    d->name, v, d->min, d->max);
	*out = x;
	return 0;
}

static int
set_number(struct parser *p, enum key_id k, const char *v)
{
	struct relay_config *cfg = p->cfg;
	long long x;

	if (parse_number(p, k, v, &x) != 0)
		return -1;
	switch (k) {
	case K_HEARTBEAT_INTERVAL: cfg->heartbeat_interval = (int)x; break;
	case K_CLOCK_SKEW: cfg->skew = (int)x; break;
	case K_RETENTION: cfg->retention = (long)x; break;
	case K_RATE_LIMIT: cfg->rate_limit = (int)x; break;
	case K_RATE_BURST: cfg->rate_burst = (int)x; break;
	case K_VOUCH_THRESHOLD: cfg->vouch_threshold = (int)x; break;
	case K_QUORUM_EVIDENCE: cfg->quorum_evidence = (int)x; break;
	case K_RESOLVE_AFTER: cfg->resolve_after = (int)x; break;
	case K_DRAIN_TIMEOUT: cfg->drain_timeout = (int)x; break;
	case K_PROBE_INTERVAL: cfg->probe_interval = (int)x; break;
	case K_NTA_MAX_LIFETIME: cfg->nta_max_lifetime = (int)x; break;
	case K_MATTERMOST_RATE: cfg->mattermost_rate = (int)x; break;
	case K_MATTERMOST_QUEUE_MAX: cfg->mattermost_queue_max = (int)x; break;
	case K_SYNC_WAIT: cfg->sync_wait = (int)x; break;
	case K_ZONE_KEYS_PER_OPERATOR: cfg->zone_keys_per_operator = (int)x; break;
	case K_ZONE_EVENTS_PER_OPERATOR: cfg->zone_events_per_operator = (int)x; break;
	default: return fail(p, p->line, "%s: internal error", keys[k].name);
	}
	return 0;
}

/* At least 2: one operator alone must never be able to push an NTA. */
static int
set_quorum(struct parser *p, enum key_id k, const char *v)
{
	long long x;

	if (strcmp(v, "auto") == 0) {
		p->cfg->quorum = 0;
		return 0;
	}
	if (!all_digits(v, strlen(v)))
		return fail(p, p->line, "quorum: '%.40s': write auto or a number "
		    "(%lld-%lld)", v, keys[k].min, keys[k].max);
	if (parse_number(p, k, v, &x) != 0)
		return -1;
	p->cfg->quorum = (int)x;
	return 0;
}

/* ID,ID[,...]: 64 hex digits each (case folded), spaces after commas
 * allowed. An operator may appear in one group only: write a group once
 * rather than rely on groups merging. */
static int
set_group(struct parser *p, enum key_id k, const char *v)
{
	struct relay_config *cfg = p->cfg;
	struct config_group g;
	const char *s = v;

	memset(&g, 0, sizeof(g));
	if (cfg->ngroups == CONFIG_GROUPS_MAX)
		return fail(p, p->line, "affiliation_group: too many groups (at "
		    "most %d)", CONFIG_GROUPS_MAX);
	for (;;) {
		size_t n = 0;
		char id[65];

		while (*s == ' ' || *s == '\t')
			s++;
		while (s[n] != '\0' && s[n] != ',' && s[n] != ' ' && s[n] != '\t')
			n++;
		if (n != 64 || strspn(s, "0123456789abcdefABCDEF") < 64)
			return fail(p, p->line, "affiliation_group: '%.*s' is not an "
			    "operator id (64 hex digits)", n > 70 ? 70 : (int)n, s);
		for (size_t i = 0; i < 64; i++)
			id[i] = (char)tolower((unsigned char)s[i]);
		id[64] = '\0';
		for (size_t i = 0; i < g.n; i++)
			if (strcmp(g.members[i], id) == 0)
				return fail(p, p->line, "affiliation_group: operator "
				    "%.16s... listed twice", id);
		for (size_t j = 0; j < cfg->ngroups; j++)
			for (size_t i = 0; i < cfg->groups[j].n; i++)
				if (strcmp(cfg->groups[j].members[i], id) == 0)
					return fail(p, p->line, "affiliation_group: "
					    "operator %.16s... is already in the group "
					    "of line %d", id, p->group_line[j]);
		if (g.n == CONFIG_GROUP_MEMBERS_MAX)
			return fail(p, p->line, "affiliation_group: too many "
			    "operators (at most %d)", CONFIG_GROUP_MEMBERS_MAX);
		memcpy(g.members[g.n++], id, sizeof(id));
		s += n;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		if (*s != ',')
			return fail(p, p->line, "affiliation_group: separate operator "
			    "ids with commas");
		s++;
	}
	if (g.n < 2)
		return fail(p, p->line, "affiliation_group: name at least two "
		    "operators");
	cfg->groups[cfg->ngroups] = g;
	p->group_line[cfg->ngroups++] = p->line;
	return 0;
}

/* ---- lines ----------------------------------------------------------- */

/* Levenshtein distance ignoring case, small strings only, for "did you
 * mean". */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[40], prev, tmp;

	if (la >= 40 || lb >= 40)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t best = prev + (tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]));
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

static int
unknown_key(struct parser *p, const char *name)
{
	const char *best = NULL;
	size_t bd = 3;

	if (strchr(name, '=') != NULL)
		return fail(p, p->line, "unknown key '%.60s' (write 'key value', "
		    "without '=')", name);
	for (int i = 0; i < K__COUNT; i++) {
		size_t d = distance(name, keys[i].name);
		if (d < bd) {
			bd = d;
			best = keys[i].name;
		}
	}
	if (best != NULL)
		return fail(p, p->line, "unknown key '%.60s' (did you mean '%s'?)",
		    name, best);
	return fail(p, p->line, "unknown key '%.60s'", name);
}

static int
parse_line(struct parser *p, char *s)
{
	const struct keydef *d;
	char *name, *value, *end;
	enum key_id k;
	int *seen;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || *s == '#')
		return 0;
	name = s;
	while (*s != '\0' && *s != ' ' && *s != '\t')
		s++;
	if (*s != '\0')
		*s++ = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	value = s;
	end = s + strlen(s);
	while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';

	for (k = 0; k < K__COUNT; k++)
		if (strcmp(keys[k].name, name) == 0)
			break;
	if (k == K__COUNT)
		return unknown_key(p, name);
	d = &keys[k];
	if (*value == '\0' && !(d->flags & F_EMPTY))
		return fail(p, p->line, "%s: missing value", d->name);

	if (d->flags & F_LINKOPT) {
		struct config_link *l;

		if (p->cfg->nlinks == 0)
			return fail(p, p->line, "%s: no link above (link options "
			    "follow the link line they qualify)", d->name);
		l = current_link(p);
		if ((d->flags & F_TLS) && !l->tls)
			return fail(p, p->line, "%s: the link on line %d is mqtt:// "
			    "(TLS options need mqtts://)", d->name, l->line);
		seen = &p->lopt[p->cfg->nlinks - 1][k];
		if (*seen)
			return fail(p, p->line, "%s given twice for the link on line "
			    "%d (first on line %d)", d->name, l->line, *seen);
	} else {
		seen = &p->seen[k];
		if (*seen && !(d->flags & F_REPEAT))
			return fail(p, p->line, "%s given twice (first on line %d)",
			    d->name, *seen);
	}
	if (!(d->flags & F_SPACES) && has_space(value))
		return fail(p, p->line, "%s: '%.80s' is not one word (comments "
		    "go on lines of their own)", d->name, value);
	if (d->set(p, k, value) != 0)
		return -1;
	if (!*seen)
		*seen = p->line;
	return 0;
}

/* Whole-file rules, once every line is read. */
static int
check_complete(struct parser *p)
{
	struct relay_config *cfg = p->cfg;

	for (size_t i = 0; i < cfg->nlinks; i++) {
		const struct config_link *l = &cfg->links[i];

		if (l->certfile_line && !l->keyfile_line)
			return fail(p, l->certfile_line, "link_certfile: the link on "
			    "line %d has no link_keyfile", l->line);
		if (l->keyfile_line && !l->certfile_line)
			return fail(p, l->keyfile_line, "link_keyfile: the link on "
			    "line %d has no link_certfile", l->line);
	}
	for (int k = 0; k < K__COUNT; k++)
		if ((keys[k].flags & F_REQUIRED) && !p->seen[k])
			return fail(p, 0, "missing required key '%s'", keys[k].name);
	if (cfg->rate_burst < cfg->rate_limit)
		return fail(p, p->seen[K_RATE_BURST] ? p->seen[K_RATE_BURST] :
		    p->seen[K_RATE_LIMIT], "rate_burst %d is below rate_limit %d",
		    cfg->rate_burst, cfg->rate_limit);
	if (cfg->control_socket_default) {
		const char *slash = strrchr(cfg->store, '/');
		int n = slash == NULL ? -1 : snprintf(cfg->control_socket,
		    sizeof(cfg->control_socket), "%.*s/control.sock",
		    (int)(slash - cfg->store), cfg->store);

		if (n < 0 || (size_t)n >= sizeof(cfg->control_socket))
			return fail(p, p->seen[K_STORE], "store: path too long to "
			    "put control.sock beside it (set control_socket)");
	}
	if (strlen(cfg->control_socket) >= 108)   /* sun_path */
		return fail(p, p->seen[K_CONTROL_SOCKET] ? p->seen[K_CONTROL_SOCKET] :
		    p->seen[K_STORE], "control_socket: '%s' is longer than a unix "
		    "socket path may be (107 bytes)", cfg->control_socket);
	{
		int bot = !!cfg->mattermost_url[0] + !!cfg->mattermost_token_file[0] +
		    !!cfg->mattermost_channel[0];
		int line = p->seen[K_MATTERMOST_URL] ? p->seen[K_MATTERMOST_URL] :
		    p->seen[K_MATTERMOST_TOKEN_FILE] ? p->seen[K_MATTERMOST_TOKEN_FILE] :
		    p->seen[K_MATTERMOST_CHANNEL];

		if (bot != 0 && bot != 3)
			return fail(p, line, "bot mode needs mattermost_url, "
			    "mattermost_token_file and mattermost_channel together");
	}
	return 0;
}

/*
 * Read the next line into buf (CONFIG_LINE_MAX + 1 bytes), without its
 * "\n" or "\r\n". Returns 1 with a line, 0 at the end, -1 on error (too
 * long, NUL, control character, read error), with the message set.
 */
static int
read_line(struct parser *p, FILE *fp, char *buf)
{
	size_t len = 0;
	int c;

	while ((c = getc(fp)) != EOF && c != '\n') {
		if (len == CONFIG_LINE_MAX)
			return fail(p, p->line + 1, "line longer than %d bytes",
			    CONFIG_LINE_MAX);
		buf[len++] = (char)c;
	}
	if (c == EOF) {
		if (ferror(fp))
			return fail(p, p->line + 1, "%s", strerror(errno));
		if (len == 0)
			return 0;
	}
	p->line++;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (memchr(buf, '\0', len) != NULL)
		return fail(p, p->line, "NUL byte in the line");
	buf[len] = '\0';
	for (size_t i = 0; i < len; i++) {
		unsigned char u = (unsigned char)buf[i];
		if ((u < 0x20 && u != '\t') || u == 0x7f)
			return fail(p, p->line, "control character 0x%02x in the "
			    "line", u);
	}
	return 1;
}

/*
 * p->dir = the directory the file was named in, made absolute (symbolic
 * links among the directories resolved), and cfg->path = p->dir + its
 * name. A symbolic link to the file itself is not followed for this: the
 * paths in the file are relative to where the administrator sees it.
 */
static int
absolute_dir(struct parser *p, const char *path)
{
	char d[PATH_MAX];
	const char *slash = strrchr(path, '/'), *base;
	size_t n;

	if (slash == NULL) {
		memcpy(d, ".", 2);
		base = path;
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= sizeof(d))
			return fail(p, 0, "path too long");
		memcpy(d, path, n);
		d[n] = '\0';
		base = slash + 1;
	}
	if (realpath(d, p->dir) == NULL)
		return fail(p, 0, "%s", strerror(errno));
	n = (size_t)snprintf(p->cfg->path, sizeof(p->cfg->path), "%s%s%s",
	    p->dir, strcmp(p->dir, "/") == 0 ? "" : "/", base);
	if (n >= sizeof(p->cfg->path))
		return fail(p, 0, "path too long");
	return 0;
}

int
config_load(const char *path, struct relay_config *cfg, char *err, size_t errlen)
{
	struct parser *p;
	char *buf = NULL, *iobuf = NULL;
	struct stat st;
	FILE *fp = NULL;
	int rc = -1, r;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	config_defaults(cfg);
	p->file = path;
	p->cfg = cfg;
	p->err = err;
	p->errlen = errlen;
	if ((buf = malloc(CONFIG_LINE_MAX + 1)) == NULL) {
		fail(p, 0, "out of memory");
		goto out;
	}
	if ((fp = fopen(path, "re")) == NULL) {
		fail(p, 0, "%s", strerror(errno));
		goto out;
	}
	/* The file may hold a credential (mattermost_webhook): read it
	 * through a buffer of ours, zeroed below, not one of stdio's. */
	if ((iobuf = malloc(BUFSIZ)) == NULL ||
	    setvbuf(fp, iobuf, _IOFBF, BUFSIZ) != 0) {
		fail(p, 0, "out of memory");
		goto out;
	}
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
		fail(p, 0, "not a regular file");
		goto out;
	}
	if (absolute_dir(p, path) != 0)
		goto out;

	while ((r = read_line(p, fp, buf)) == 1) {
		char *s = buf;

		/* an editor's UTF-8 byte order mark at the start of the file */
		if (p->line == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
			s += 3;
		if (parse_line(p, s) != 0)
			goto out;
	}
	if (r < 0)
		goto out;
	if (check_complete(p) != 0)
		goto out;
	rc = 0;
out:
	if (fp != NULL)
		fclose(fp);
	if (iobuf)
		explicit_bzero(iobuf, BUFSIZ);
	free(iobuf);
	if (buf)
		explicit_bzero(buf, CONFIG_LINE_MAX + 1);
	free(buf);
	free(p);
	return rc;
}
