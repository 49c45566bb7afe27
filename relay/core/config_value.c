/*
 * relay/core/config_value.c — the single values of ntarelay.conf: checked,
 * then stored in the field their key's table row names. Numbers in a
 * range, yes/no, paths (resolved against the file's directory), URLs,
 * addresses, names. Each refusal is "FILE:LINE: key: what is wrong", the
 * words tests/unit/test_config_parse.c and the integration tests expect.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/kind.h"
#include "relay/core/config_keys.h"

bool
config_all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Relative paths are taken from the configuration file's directory, so a
 * file and the keys beside it can move together. */
int
config_resolve_path(struct parser *p, const char *name, const char *v, char *out)
{
	int n;

	if (v[0] == '/')
		n = snprintf(out, PATH_MAX, "%s", v);
	else
		n = snprintf(out, PATH_MAX, "%s/%s", p->dir, v);
	if (n < 0 || n >= PATH_MAX)
		return config_fail(p, p->line, "%s: path too long", name);
	return 0;
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

/* A host that is not an IPv6 literal: dotted digits must make an IPv4
 * address (*ip set), anything else a host name. */
static int
check_host(struct parser *p, const char *key, const char *host, bool *ip)
{
	unsigned char bin[4];

	if (strspn(host, "0123456789.") == strlen(host)) {
		if (inet_pton(AF_INET, host, bin) != 1)
			return config_fail(p, p->line, "%s: '%s' is not an IPv4 "
			    "address", key, host);
		*ip = true;
	} else if (!hostname_valid(host)) {
		return config_fail(p, p->line, "%s: '%.80s' is not a host name",
		    key, host);
	}
	return 0;
}

/* The PORT after "HOST:": 1-65535. */
static int
parse_port(struct parser *p, const char *key, const char *ps, int *port)
{
	size_t plen = strlen(ps);
	long v = 0;

	if (plen == 0)
		return config_fail(p, p->line, "%s: missing port after ':'", key);
	if (!config_all_digits(ps, plen))
		return config_fail(p, p->line, "%s: port '%.20s' is not a number",
		    key, ps);
	for (size_t i = 0; i < plen && v <= 65535; i++)
		v = v * 10 + (ps[i] - '0');
	if (v < 1 || v > 65535)
		return config_fail(p, p->line, "%s: port %.20s out of range "
		    "(1-65535)", key, ps);
	*port = (int)v;
	return 0;
}

/*
 * Split HOST[:PORT] or [IPV6][:PORT] from s. The host goes to host (cap
 * bytes, brackets removed); *port is -1 when no port was written. Sets *ip
 * when the host is an IPv4 or IPv6 literal. Errors are worded for key.
 */
int
config_parse_hostport(struct parser *p, const char *key, const char *s,
    char *host, size_t cap, int *port, bool *ip)
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
			return config_fail(p, p->line, "%s: missing ']' after the IPv6 "
			    "address", key);
		h = s + 1;
		hlen = (size_t)(close - h);
		if (hlen == 0)
			return config_fail(p, p->line, "%s: missing host", key);
		if (hlen >= sizeof(a6))
			return config_fail(p, p->line, "%s: '%.*s' is not an IPv6 address",
			    key, (int)(close - s + 1), s);
		memcpy(a6, h, hlen);
		a6[hlen] = '\0';
		if (inet_pton(AF_INET6, a6, bin) != 1)
			return config_fail(p, p->line, "%s: '[%s]' is not an IPv6 address",
			    key, a6);
		*ip = true;
		rest = close + 1;
		if (*rest != '\0' && *rest != ':')
			return config_fail(p, p->line, "%s: unexpected '%.40s' after the "
			    "address", key, rest);
	} else {
		h = s;
		colon = strchr(s, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL)
			return config_fail(p, p->line, "%s: write an IPv6 address in "
			    "brackets, as [::1]:1883", key);
		hlen = colon ? (size_t)(colon - s) : strlen(s);
		rest = s + hlen;
		if (hlen == 0)
			return config_fail(p, p->line, "%s: missing host", key);
	}
	if (hlen >= cap)
		return config_fail(p, p->line, "%s: host name too long", key);
	memcpy(host, h, hlen);
	host[hlen] = '\0';

	if (!*ip && check_host(p, key, host, ip) != 0)
		return -1;
	if (*rest == ':')
		return parse_port(p, key, rest + 1, port);
	return 0;
}

int
set_net(struct parser *p, const struct config_key *k, const char *v)
{
	size_t n = strlen(v);

	if (n > 63)
		return config_fail(p, p->line, "net: longer than 63 characters");
	for (size_t i = 0; i < n; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9') ||
		    v[i] == '-'))
			return config_fail(p, p->line, "net: '%.64s': use 1-63 of a-z 0-9 -", v);
	memcpy(p->cfg->net, v, n + 1);
	return 0;
}

int
set_path(struct parser *p, const struct config_key *k, const char *v)
{
	char *dst = config_field(p, k);

	if (*v == '\0') {  /* cert: a root key; control_socket: none */
		*dst = '\0';
		return 0;
	}
	return config_resolve_path(p, k->name, v, dst);
}

/* probe_forward ADDR[@PORT]: an IPv4 or IPv6 literal, as libunbound's
 * forward-addr takes it. */
int
set_probe_forward(struct parser *p, const struct config_key *k, const char *v)
{
	char addr[64];
	const char *at = strchr(v, '@');
	size_t n = at ? (size_t)(at - v) : strlen(v);
	unsigned char buf[16];
	long port = 53;
	char *end;

	if (n == 0 || n >= sizeof(addr))
		return config_fail(p, p->line, "probe_forward: expected ADDR[@PORT]");
	memcpy(addr, v, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, buf) != 1 && inet_pton(AF_INET6, addr, buf) != 1)
		return config_fail(p, p->line, "probe_forward: '%s' is not an IPv4 or IPv6 "
		    "address (no host names)", addr);
	if (at) {
		port = strtol(at + 1, &end, 10);
		if (at[1] == '\0' || *end != '\0' || port < 1 || port > 65535)
			return config_fail(p, p->line, "probe_forward: port must be 1-65535");
	}
	snprintf(p->cfg->probe_forward, sizeof(p->cfg->probe_forward), "%s@%ld",
	    addr, port);
	return 0;
}

/* IP literals only: a listening address decided by DNS at start-up is a
 * surprise waiting for the day the resolver is the thing that is broken. */
int
set_http_listen(struct parser *p, const struct config_key *k, const char *v)
{
	struct relay_config *cfg = p->cfg;
	char host[256];
	bool ip;
	int port;

	if (strlen(v) >= sizeof(cfg->http_listen))
		return config_fail(p, p->line, "http_listen: too long");
	if (config_parse_hostport(p, "http_listen", v, host, sizeof(host), &port, &ip) != 0)
		return -1;
	if (!ip)
		return config_fail(p, p->line, "http_listen: '%.80s' is not an IP address "
		    "(host names are refused: write 127.0.0.1:8053 or [::1]:8053)",
		    host);
	if (port < 0)
		return config_fail(p, p->line, "http_listen: missing port (write "
		    "ADDRESS:PORT, as 127.0.0.1:8053)");
	memcpy(cfg->http_listen, v, strlen(v) + 1);
	memcpy(cfg->http_addr, host, strlen(host) + 1);
	cfg->http_port = port;
	return 0;
}

int
set_log_level(struct parser *p, const struct config_key *k, const char *v)
{
	int lvl = log_level_from_name(v);

	if (lvl < 0)
		return config_fail(p, p->line, "log_level: '%.40s' is not one of err, warn, "
		    "notice, info, debug", v);
	*(enum log_level *)config_field(p, k) = (enum log_level)lvl;
	return 0;
}

int
set_log_facility(struct parser *p, const struct config_key *k, const char *v)
{
	int f = log_facility_from_name(v);

	if (f < 0)
		return config_fail(p, p->line, "log_facility: '%.40s' is not one of "
		    "daemon, user, local0 ... local7", v);
	*(int *)config_field(p, k) = f;
	return 0;
}

/* http:// or https:// URL, visible ASCII, no credentials in the
 * authority (they would end up in logs); a webhook URL is a secret of its
 * own and is never logged. */
int
set_url(struct parser *p, const struct config_key *k, const char *v)
{
	size_t n = strlen(v), cap = k->size;
	const char *auth, *end;
	char *dst = config_field(p, k);

	if (strncmp(v, "http://", 7) == 0)
		auth = v + 7;
	else if (strncmp(v, "https://", 8) == 0)
		auth = v + 8;
	else
		return config_fail(p, p->line, "%s: expected an http:// or https:// URL",
		    k->name);
	if (n >= cap)
		return config_fail(p, p->line, "%s: URL longer than %zu characters",
		    k->name, cap - 1);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] <= 0x20 || (unsigned char)v[i] >= 0x7f)
			return config_fail(p, p->line, "%s: the URL holds a space or a "
			    "character that is not visible ASCII", k->name);
	end = auth + strcspn(auth, "/?#");
	if (end == auth)
		return config_fail(p, p->line, "%s: the URL has no host", k->name);
	if (memchr(auth, '@', (size_t)(end - auth)) != NULL)
		return config_fail(p, p->line, "%s: no user:password@ in the URL (use "
		    "a token file)", k->name);
	memcpy(dst, v, n + 1);
	return 0;
}

/* A Mattermost channel id: 26 characters of [a-z0-9]. */
int
set_mm_channel(struct parser *p, const struct config_key *k, const char *v)
{
	if (strlen(v) != 26 || strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789") != 26)
		return config_fail(p, p->line, "mattermost_channel: '%.40s' is not a "
		    "channel id (26 characters of a-z and 0-9; the id, not the "
		    "name)", v);
	memcpy(p->cfg->mattermost_channel, v, 27);
	return 0;
}

/* The name posts are shown under: 1-64 visible characters. */
int
set_mm_username(struct parser *p, const struct config_key *k, const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n >= sizeof(p->cfg->mattermost_username))
		return config_fail(p, p->line, "mattermost_username: 1-%zu characters",
		    sizeof(p->cfg->mattermost_username) - 1);
	memcpy(p->cfg->mattermost_username, v, n + 1);
	return 0;
}

/* KIND[,KIND...]: which first-seen verified events get a message. */
int
set_mm_kinds(struct parser *p, const struct config_key *k, const char *v)
{
	unsigned mask = 0;
	const char *s = v;

	if (strcmp(v, "none") == 0) {
		*(unsigned *)config_field(p, k) = 0;
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
			return config_fail(p, p->line, "mattermost_kinds: expected KIND[,KIND"
			    "...] or none");
		memcpy(name, s, n);
		name[n] = '\0';
		kd = kind_from_name(name);
		if (kd == KIND__COUNT)
			return config_fail(p, p->line, "mattermost_kinds: '%s' is not an "
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
			return config_fail(p, p->line, "mattermost_kinds: separate kinds with "
			    "commas");
		s++;
	}
	*(unsigned *)config_field(p, k) = mask;
	return 0;
}

int
set_bool(struct parser *p, const struct config_key *k, const char *v)
{
	bool b;

	if (strcmp(v, "yes") == 0)
		b = true;
	else if (strcmp(v, "no") == 0)
		b = false;
	else
		return config_fail(p, p->line, "%s: '%.40s': write yes or no",
		    k->name, v);
	*(bool *)config_field(p, k) = b;
	return 0;
}

/* A decimal integer in [min, max] of key k; no sign, no units. */
static int
parse_number(struct parser *p, const struct config_key *d, const char *v,
    long long *out)
{
	size_t n = strlen(v);
	long long x = 0;

	if (!config_all_digits(v, n))
		return config_fail(p, p->line, "%s: '%.40s' is not a number (a decimal "
		    "integer)", d->name, v);
	for (size_t i = 0; i < n && x <= d->max; i++)
		x = x * 10 + (v[i] - '0');
	if (x < d->min || x > d->max)
		return config_fail(p, p->line, "%s: %.40s out of range (%lld-%lld)",
		    d->name, v, d->min, d->max);
	*out = x;
	return 0;
}

int
set_number(struct parser *p, const struct config_key *k, const char *v)
{
	long long x;

	if (parse_number(p, k, v, &x) != 0)
		return -1;
	if (k->size == sizeof(long))   /* retention */
		*(long *)config_field(p, k) = (long)x;
	else
		*(int *)config_field(p, k) = (int)x;
	return 0;
}

/* "auto" (stored as autoval), or a number in the key's range */
static int
set_auto_or_number(struct parser *p, const struct config_key *k, const char *v,
    int autoval)
{
	long long x;

	if (strcmp(v, "auto") == 0) {
		*(int *)config_field(p, k) = autoval;
		return 0;
	}
	if (!config_all_digits(v, strlen(v)))
		return config_fail(p, p->line, "%s: '%.40s': write auto or a number "
		    "(%lld-%lld)", k->name, v, k->min, k->max);
	if (parse_number(p, k, v, &x) != 0)
		return -1;
	*(int *)config_field(p, k) = (int)x;
	return 0;
}

/* auto (-1: the caller decides), or a number in the key's range */
int
set_auto_number(struct parser *p, const struct config_key *k, const char *v)
{
	return set_auto_or_number(p, k, v, -1);
}

/* At least 2: one operator alone must never be able to push an NTA. */
int
set_quorum(struct parser *p, const struct config_key *k, const char *v)
{
	return set_auto_or_number(p, k, v, 0);
}
