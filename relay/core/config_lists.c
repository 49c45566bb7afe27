/*
 * relay/core/config_lists.c — the repeatable keys of ntarelay.conf and
 * what qualifies them: `link` and the link options that follow it,
 * `watch ZONE NAME...`, `affiliation_group`; their comparison at a reload.
 * Limits (16 links, 256 zones, 8 names a zone and 512 in all, 32 groups of
 * 2-16 operators) are ntarelay.conf(5)'s.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "relay/core/config_keys.h"

/*
 * mqtt://HOST[:PORT] or mqtts://HOST[:PORT], one optional trailing '/'.
 * No user information (link_credentials holds it, out of the URL and out
 * of logs), no path.
 */
int
set_link(struct parser *p, const struct config_key *k, const char *v)
{
	struct relay_config *cfg = p->cfg;
	struct config_link *l;
	char hostport[300];
	const char *rest, *sep;
	size_t n;
	bool ip;
	int port;

	if (cfg->nlinks == CONFIG_LINKS_MAX)
		return config_fail(p, p->line, "link: too many links (at most %d)",
		    CONFIG_LINKS_MAX);
	if (strlen(v) >= sizeof(l->url))
		return config_fail(p, p->line, "link: URL too long");
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
		return config_fail(p, p->line, "link: unsupported scheme '%.*s' (use "
		    "mqtt:// or mqtts://)", (int)(sep - v) > 20 ? 20 : (int)(sep - v), v);
	} else {
		return config_fail(p, p->line, "link: '%.80s' is not a URL (write "
		    "mqtt://HOST:PORT or mqtts://HOST:PORT)", v);
	}
	if (strchr(rest, '@') != NULL)
		return config_fail(p, p->line, "link: user name or password in the URL "
		    "(put them in a file named by link_credentials)");
	n = strlen(rest);
	if (n > 0 && rest[n - 1] == '/')
		n--;
	if (memchr(rest, '/', n) != NULL || memchr(rest, '?', n) != NULL ||
	    memchr(rest, '#', n) != NULL)
		return config_fail(p, p->line, "link: unexpected path in '%.80s' (write "
		    "only the scheme, host and port)", v);
	memcpy(hostport, rest, n);
	hostport[n] = '\0';
	if (config_parse_hostport(p, "link", hostport, l->host, sizeof(l->host), &port,
	    &ip) != 0)
		return -1;
	if (port > 0)
		l->port = port;
	for (size_t i = 0; i < cfg->nlinks; i++)
		if (strcasecmp(cfg->links[i].host, l->host) == 0 &&
		    cfg->links[i].port == l->port)
			return config_fail(p, p->line, "link: same broker as the link on "
			    "line %d", cfg->links[i].line);
	memcpy(l->url, v, strlen(v) + 1);
	l->line = p->line;
	cfg->nlinks++;
	return 0;
}

int
set_link_path(struct parser *p, const struct config_key *k, const char *v)
{
	return config_resolve_path(p, k->name, v, config_field(p, k));
}

/* MQTT 3.1.1 servers must accept 1-23 characters of 0-9 a-z A-Z; '-' and
 * '_' are accepted by every broker in use. */
int
set_link_client_id(struct parser *p, const struct config_key *k, const char *v)
{
	struct config_link *l = config_current_link(p);
	size_t n = strlen(v);

	if (n >= sizeof(l->client_id))
		return config_fail(p, p->line, "link_client_id: longer than %zu characters",
		    sizeof(l->client_id) - 1);
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '-' && v[i] != '_')
			return config_fail(p, p->line, "link_client_id: '%.40s': use 1-23 "
			    "of A-Z a-z 0-9 - _", v);
	memcpy(l->client_id, v, n + 1);
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
int
set_watch(struct parser *p, const struct config_key *k, const char *v)
{
	struct relay_config *cfg = p->cfg;
	char line[CONFIG_LINE_MAX + 1], *tok, *save = NULL;
	char zone[ZONE_TEXT_MAX + 1], name[ZONE_TEXT_MAX + 1];
	const char *why = "invalid";
	size_t first = cfg->nwatch_names, n = 0;

	snprintf(line, sizeof(line), "%s", v);
	tok = strtok_r(line, " \t", &save);
	if (tok == NULL)
		return config_fail(p, p->line, "watch: missing value");
	if (zone_name_normalise(tok, zone, &why) != 0)
		return config_fail(p, p->line, "watch: '%.80s' is not a zone name (%s)",
		    tok, why);
	for (size_t i = 0; i < cfg->nwatch; i++)
		if (strcmp(cfg->watch[i], zone) == 0)
			return config_fail(p, p->line, "watch: %s already watched (line %d)",
			    zone, p->watch_line[i]);
	if (cfg->nwatch == CONFIG_WATCH_MAX)
		return config_fail(p, p->line, "watch: too many zones (at most %d)",
		    CONFIG_WATCH_MAX);
	while ((tok = strtok_r(NULL, " \t", &save)) != NULL) {
		if (config_watch_name(zone, tok, name, &why) != 0)
			return config_fail(p, p->line, "watch %s: name '%.80s': %s", zone,
			    tok, why);
		for (size_t i = first; i < first + n; i++)
			if (strcmp(cfg->watch_names[i], name) == 0)
				return config_fail(p, p->line, "watch %s: %s named twice",
				    zone, name);
		if (n == CONFIG_WATCH_NAMES_MAX)
			return config_fail(p, p->line, "watch %s: too many names (at most "
			    "%d a zone)", zone, CONFIG_WATCH_NAMES_MAX);
		if (first + n == CONFIG_WATCH_NAMES_TOTAL)
			return config_fail(p, p->line, "watch %s: too many names (at most "
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

/* ID,ID[,...]: 64 hex digits each (case folded), spaces after commas
 * allowed. An operator may appear in one group only: write a group once
 * rather than rely on groups merging. */
int
set_group(struct parser *p, const struct config_key *k, const char *v)
{
	struct relay_config *cfg = p->cfg;
	struct config_group g;
	const char *s = v;

	memset(&g, 0, sizeof(g));
	if (cfg->ngroups == CONFIG_GROUPS_MAX)
		return config_fail(p, p->line, "affiliation_group: too many groups (at "
		    "most %d)", CONFIG_GROUPS_MAX);
	for (;;) {
		size_t n = 0;
		char id[65];

		while (*s == ' ' || *s == '\t')
			s++;
		while (s[n] != '\0' && s[n] != ',' && s[n] != ' ' && s[n] != '\t')
			n++;
		if (n != 64 || strspn(s, "0123456789abcdefABCDEF") < 64)
			return config_fail(p, p->line, "affiliation_group: '%.*s' is not an "
			    "operator id (64 hex digits)", n > 70 ? 70 : (int)n, s);
		for (size_t i = 0; i < 64; i++)
			id[i] = (char)tolower((unsigned char)s[i]);
		id[64] = '\0';
		for (size_t i = 0; i < g.n; i++)
			if (strcmp(g.members[i], id) == 0)
				return config_fail(p, p->line, "affiliation_group: operator "
				    "%.16s... listed twice", id);
		for (size_t j = 0; j < cfg->ngroups; j++)
			for (size_t i = 0; i < cfg->groups[j].n; i++)
				if (strcmp(cfg->groups[j].members[i], id) == 0)
					return config_fail(p, p->line, "affiliation_group: "
					    "operator %.16s... is already in the group "
					    "of line %d", id, p->group_line[j]);
		if (g.n == CONFIG_GROUP_MEMBERS_MAX)
			return config_fail(p, p->line, "affiliation_group: too many "
			    "operators (at most %d)", CONFIG_GROUP_MEMBERS_MAX);
		memcpy(g.members[g.n++], id, sizeof(id));
		s += n;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		if (*s != ',')
			return config_fail(p, p->line, "affiliation_group: separate operator "
			    "ids with commas");
		s++;
	}
	if (g.n < 2)
		return config_fail(p, p->line, "affiliation_group: name at least two "
		    "operators");
	cfg->groups[cfg->ngroups] = g;
	p->group_line[cfg->ngroups++] = p->line;
	return 0;
}

/* A link is its URL (host, port and TLS follow from it); its options are
 * keys of their own (config_keys.c compares them link by link). */
bool
config_links_same(const struct relay_config *a, const struct relay_config *b)
{
	if (a->nlinks != b->nlinks)
		return false;
	for (size_t i = 0; i < a->nlinks; i++)
		if (strcmp(a->links[i].url, b->links[i].url) != 0)
			return false;
	return true;
}

bool
config_watch_same(const struct relay_config *a, const struct relay_config *b)
{
	if (a->nwatch != b->nwatch || a->nwatch_names != b->nwatch_names)
		return false;
	for (size_t i = 0; i < a->nwatch; i++)
		if (strcmp(a->watch[i], b->watch[i]) != 0 ||
		    a->watch_name0[i] != b->watch_name0[i] ||
		    a->watch_nnames[i] != b->watch_nnames[i])
			return false;
	for (size_t i = 0; i < a->nwatch_names; i++)
		if (strcmp(a->watch_names[i], b->watch_names[i]) != 0)
			return false;
	return true;
}

bool
config_groups_same(const struct relay_config *a, const struct relay_config *b)
{
	if (a->ngroups != b->ngroups)
		return false;
	for (size_t j = 0; j < a->ngroups; j++) {
		if (a->groups[j].n != b->groups[j].n)
			return false;
		for (size_t i = 0; i < a->groups[j].n; i++)
			if (strcmp(a->groups[j].members[i], b->groups[j].members[i]) != 0)
				return false;
	}
	return true;
}

void
config_groups_copy(struct relay_config *dst, const struct relay_config *src)
{
	memcpy(dst->groups, src->groups, sizeof(dst->groups));
	dst->ngroups = src->ngroups;
}

/* watch: the zones and the names each asks (F_RELOAD, relay/fed/watch.c
 * applies them). */
void
config_watch_copy(struct relay_config *dst, const struct relay_config *src)
{
	memcpy(dst->watch, src->watch, sizeof(dst->watch));
	dst->nwatch = src->nwatch;
	memcpy(dst->watch_name0, src->watch_name0, sizeof(dst->watch_name0));
	memcpy(dst->watch_nnames, src->watch_nnames, sizeof(dst->watch_nnames));
	memcpy(dst->watch_names, src->watch_names, sizeof(dst->watch_names));
	dst->nwatch_names = src->nwatch_names;
}
