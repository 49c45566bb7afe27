/*
 * client/cmd_peers.c — ntactl peers: the members a relay knows, with their
 * keys' heartbeats and flags, from its HTTP API (GET /v1/peers).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "client/cli.h"
#include "client/httpc.h"
#include "client/relayc.h"
#include "client/ntactl.h"
#include "lib/opname.h"

static const char usage_text[] =
    "usage: ntactl peers [-c FILE | --relay URL] [--json] [--full-ids]\n"
    "\n"
    "List the operators a relay counts as members (GET /v1/peers,\n"
    "docs/API.md).\n"
    "\n"
    RELAYC_USAGE
    "  --json             print the relay's JSON answer as it is\n"
    "  --help             this text\n"
    "\n"
    "Without --json: one line per operator with its id (first 16 hex\n"
    "digits), its local name (ntactl trust pin --name) or else its key's\n"
    "self-declared name as the hint ~NAME?, the vote it counts for (by\n"
    "name when it has one, else its first 16 hex digits), whether it\n"
    "is pinned, its number of keys, the age of its newest heartbeat and the\n"
    "flags of its keys (e.g. equivocation).\n"
    "\n"
    "Exit status: 0 success, 1 the relay answered an error (printed),\n"
    "2 usage error or relay not reachable.\n";

/* "42s", "5m", "3h", "2d"; "never" when last is 0. */
static void
peers_age(long long last, long long now, char *out, size_t len)
{
	long long a = now - last;

	if (last <= 0)
		snprintf(out, len, "never");
	else if (a < 0)
		snprintf(out, len, "0s");
	else if (a < 120)
		snprintf(out, len, "%llds", a);
	else if (a < 2 * 3600)
		snprintf(out, len, "%lldm", a / 60);
	else if (a < 2 * 86400)
		snprintf(out, len, "%lldh", a / 3600);
	else
		snprintf(out, len, "%lldd", a / 86400);
}

/* Append each distinct flag of key k to flags ("a,b"). */
static void
peers_flags(const json_t *k, char *flags, size_t len)
{
	const json_t *f;
	char one[40];
	size_t i, n;

	json_array_foreach(json_object_get(k, "flags"), i, f) {
		const char *s = json_string_value(f);
		if (s == NULL)
			continue;
		snprintf(one, sizeof(one), "%s", s);
		for (n = 0; one[n]; n++)
			if ((unsigned char)one[n] <= 0x20 || one[n] == 0x7f ||
			    one[n] == ',')
				one[n] = '?';
		if (strstr(flags, one) != NULL)
			continue;
		n = strlen(flags);
		snprintf(flags + n, len - n, "%s%s", n ? "," : "", one);
	}
}

/* The vote vhex named: the local name of the peer that is that operator,
 * else the id cut to idw. */
static const char *
peers_vote(const json_t *peers, const char *vhex, int idw, char out[OPNAME_MAX])
{
	const json_t *p;
	size_t i;

	if (vhex == NULL)
		return "-";
	json_array_foreach(peers, i, p) {
		const char *op = json_string_value(json_object_get(p, "operator"));
		const char *l = json_string_value(json_object_get(p, "local_name"));
		if (op && l && strcmp(op, vhex) == 0)
			return opname_format(out, OPNAME_MAX, vhex, l, NULL,
			    (size_t)idw, false);
	}
	return opname_format(out, OPNAME_MAX, vhex, NULL, NULL, (size_t)idw, false);
}

/* The NAME column: the local name, else "~self-declared?" ("name" from
 * a relay older than local names is self-declared too), else "-". */
static void
peers_name(const json_t *p, char *out, size_t len)
{
	const char *l = json_string_value(json_object_get(p, "local_name"));
	const char *d = json_string_value(json_object_get(p, "declared_name"));
	char nb[OPNAME_MAX];

	if (d == NULL)
		d = json_string_value(json_object_get(p, "name"));
	if (l == NULL && d == NULL) {
		snprintf(out, len, "-");
		return;
	}
	/* the hint without the id: the OPERATOR column shows it */
	opname_format(nb, sizeof(nb), "", l, d, 0, false);
	snprintf(out, len, "%s", nb[0] == ' ' ? nb + 1 : nb);
}

static int
peers_print_table(const json_t *root, int idw)
{
	const json_t *peers = json_object_get(root, "peers"), *p, *keys, *k;
	char op[70], name[OPNAME_MAX], vote[OPNAME_MAX], age[32], flags[128];
	long long now = (long long)time(NULL), last;
	size_t i, j;

	if (!json_is_array(peers)) {
		cli_err("peers: the relay's answer has no \"peers\" list");
		return CLI_ERR;
	}
	printf("%-*s  %-24s  %-*s  %-6s  %4s  %-14s  %s\n", idw, "OPERATOR",
	    "NAME", idw, "VOTE", "PINNED", "KEYS", "LAST-HEARTBEAT", "FLAGS");
	json_array_foreach(peers, i, p) {
		cli_json_text(p, "operator", (size_t)idw, op, sizeof(op));
		peers_name(p, name, sizeof(name));
		peers_vote(peers, json_string_value(json_object_get(p, "vote")), idw,
		    vote);
		keys = json_object_get(p, "keys");
		last = 0;
		flags[0] = '\0';
		json_array_foreach(keys, j, k) {
			const json_t *hb = json_object_get(k, "last_heartbeat");
			if (json_is_integer(hb) && json_integer_value(hb) > last)
				last = json_integer_value(hb);
			peers_flags(k, flags, sizeof(flags));
		}
		peers_age(last, now, age, sizeof(age));
		printf("%-*s  %-24s  %-*s  %-6s  %4zu  %-14s  %s\n", idw, op, name,
		    idw, vote, json_is_true(json_object_get(p, "pinned")) ? "yes" : "no",
		    json_is_array(keys) ? json_array_size(keys) : 0, age,
		    flags[0] ? flags : "-");
	}
	return CLI_OK;
}

static int
peers_table_short(const json_t *root)
{
	return peers_print_table(root, RELAYC_ID_SHOW);
}

static int
peers_table_full(const json_t *root)
{
	return peers_print_table(root, RELAYC_ID_FULL);
}

int
cmd_peers(int argc, char **argv)
{
	static const struct option opts[] = {
		RELAYC_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct relayc_opts ro = { 0 };
	struct httpc_response r = { 0 };
	struct relayc rc;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		if (relayc_opt(c, optarg, &ro))
			continue;
		switch (c) {
		case 'h': return cli_usage(usage_text, 1);
		default: return cli_usage(usage_text, 0);
		}
	}
	if (optind != argc)
		return cli_usage(usage_text, 0);
	if ((ret = relayc_resolve_opts("peers", &ro, false, &rc)) != CLI_OK)
		return ret;
	ret = relayc_get("peers", &rc, "/v1/peers", NULL, 0, &r);
	if (ret == CLI_OK)
		ret = httpc_show_json("peers", &r, ro.json, ro.full_ids ?
		    peers_table_full : peers_table_short);
	httpc_response_free(&r);
	return ret;
}
