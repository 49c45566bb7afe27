/*
 * client/cmd_events.c — ntactl events: the verified events a relay holds,
 * from its HTTP API (GET /v1/events).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "client/cli.h"
#include "client/httpc.h"
#include "client/ntactl.h"
#include "lib/duration.h"
#include "proto/kind.h"
#include "proto/zone.h"

static const char usage_text[] =
    "usage: ntactl events [--relay URL] [--zone Z] [--kind K] [--since T]\n"
    "                     [--limit N] [--json] [--token-file F]\n"
    "\n"
    "List the events a relay verified and stored, newest first (GET\n"
    "/v1/events, docs/API.md).\n"
    "\n"
    "  --relay URL       the relay's HTTP API (default " HTTPC_RELAY_DEFAULT ")\n"
    "  --zone Z          only events about zone Z (\"de\" or \"de.\")\n"
    "  --kind K          only events of kind K (observation, assessment,\n"
    "                    zone_statement, withdraw, vouch, unvouch, key_cert,\n"
    "                    key_revoke, heartbeat, decision)\n"
    "  --since T         only events received at or after T: unix seconds,\n"
    "                    or an age such as 90s, 30m, 6h, 7d\n"
    "  --limit N         at most N events, 1..1000 (default 100)\n"
    "  --json            print the relay's JSON answer as it is\n"
    "  --token-file F    the API token (else $" HTTPC_TOKEN_ENV ")\n"
    "  --help            this text\n"
    "\n"
    "Without --json: one line per event with the time it was received (UTC),\n"
    "kind, zone, origin (first 12 hex digits), seq and event id (first 16).\n"
    "\n"
    "Exit status: 0 success, 1 the relay answered an error (printed),\n"
    "2 usage error or relay not reachable.\n";

#define EVENTS_AGE_MAX (100000LL * 365 * 86400)  /* ~100000 years */

/* Unix seconds, or an age ("30m", a duration with its unit) counted back
 * from now; -1 if neither. */
static long long
events_parse_since(const char *s)
{
	long long v, now = (long long)time(NULL);
	size_t n = strlen(s);

	if (n > 0 && s[n - 1] >= '0' && s[n - 1] <= '9')
		return duration_parse(s, 0, KIND_TIME_MAX, false, &v) == 0 ? v : -1;
	if (duration_parse(s, 0, EVENTS_AGE_MAX, true, &v) != 0)
		return -1;
	return now > v ? now - v : 0;
}

static int
events_print_table(const json_t *root)
{
	const json_t *events = json_object_get(root, "events"), *ev;
	char when[32], kind[32], zone[ZONE_TEXT_MAX + 1], origin[16], id[20];
	char seq[24];
	size_t i;

	if (!json_is_array(events)) {
		cli_err("events: the relay's answer has no \"events\" list");
		return CLI_ERR;
	}
	printf("%-20s  %-14s  %-24s  %-12s  %8s  %s\n", "RECEIVED (UTC)", "KIND",
	    "ZONE", "ORIGIN", "SEQ", "ID");
	json_array_foreach(events, i, ev) {
		const json_t *ra = json_object_get(ev, "received_at");
		const json_t *sq = json_object_get(ev, "seq");
		struct tm tm;
		time_t t;

		if (json_is_integer(ra)) {
			t = (time_t)json_integer_value(ra);
			if (gmtime_r(&t, &tm) == NULL ||
			    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm) == 0)
				snprintf(when, sizeof(when), "%lld",
				    (long long)json_integer_value(ra));
		} else
			snprintf(when, sizeof(when), "-");
		if (json_is_integer(sq))
			snprintf(seq, sizeof(seq), "%lld",
			    (long long)json_integer_value(sq));
		else
			snprintf(seq, sizeof(seq), "-");
		cli_json_text(ev, "kind", 31, kind, sizeof(kind));
		cli_json_text(ev, "zone", ZONE_TEXT_MAX, zone, sizeof(zone));
		cli_json_text(ev, "origin", 12, origin, sizeof(origin));
		cli_json_text(ev, "id", 16, id, sizeof(id));
		printf("%-20s  %-14s  %-24s  %-12s  %8s  %s\n", when, kind, zone,
		    origin, seq, id);
	}
	return CLI_OK;
}

struct events_opts {
	const char *relay, *token_file;
	const char *zone_arg, *kind_arg, *since_arg, *limit_arg;
	bool as_json;
	char zone[ZONE_TEXT_MAX + 1], since[24];   /* the query's values */
};

/* Check here what the relay would refuse, to give exit status 2: -1 to
 * go on, or CLI_ERR (said). Fills o->zone and o->since. */
static int
events_check(struct events_opts *o)
{
	const char *why = NULL;
	long long v;
	char *end;

	if (o->zone_arg && zone_name_normalise(o->zone_arg, o->zone, &why) != 0) {
		cli_err("events: --zone '%s': %s", o->zone_arg, why);
		return CLI_ERR;
	}
	if (o->kind_arg && kind_from_name(o->kind_arg) == KIND__COUNT) {
		cli_err("events: --kind '%s': not a message kind", o->kind_arg);
		return CLI_ERR;
	}
	if (o->since_arg) {
		if ((v = events_parse_since(o->since_arg)) < 0) {
			cli_err("events: --since '%s': unix seconds or an age "
			    "(90s, 30m, 6h, 7d)", o->since_arg);
			return CLI_ERR;
		}
		snprintf(o->since, sizeof(o->since), "%lld", v);
	}
	if (o->limit_arg) {
		v = strtoll(o->limit_arg, &end, 10);
		if (o->limit_arg[0] < '0' || o->limit_arg[0] > '9' || *end != '\0' ||
		    v < 1 || v > 1000) {
			cli_err("events: --limit '%s': an integer, 1..1000",
			    o->limit_arg);
			return CLI_ERR;
		}
	}
	return -1;
}

int
cmd_events(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "relay", required_argument, NULL, 'r' },
		{ "zone", required_argument, NULL, 'z' },
		{ "kind", required_argument, NULL, 'k' },
		{ "since", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "token-file", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct events_opts o;
	struct httpc_response r = { 0 };
	int c, rc;

	memset(&o, 0, sizeof(o));
	o.relay = HTTPC_RELAY_DEFAULT;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': o.relay = optarg; break;
		case 'z': o.zone_arg = optarg; break;
		case 'k': o.kind_arg = optarg; break;
		case 's': o.since_arg = optarg; break;
		case 'l': o.limit_arg = optarg; break;
		case 'j': o.as_json = true; break;
		case 't': o.token_file = optarg; break;
		case 'h': return cli_usage(usage_text, 1);
		default: return cli_usage(usage_text, 0);
		}
	}
	if (optind != argc)
		return cli_usage(usage_text, 0);
	if ((rc = events_check(&o)) >= 0)
		return rc;
	{
		const struct httpc_param params[] = {
			{ "zone", o.zone_arg ? o.zone : NULL },
			{ "kind", o.kind_arg },
			{ "since", o.since_arg ? o.since : NULL },
			{ "limit", o.limit_arg },
		};
		rc = httpc_api_get("events", o.relay, "/v1/events", params,
		    sizeof(params) / sizeof(params[0]), o.token_file, &r);
	}
	if (rc == CLI_OK)
		rc = httpc_show_json("events", &r, o.as_json, events_print_table);
	httpc_response_free(&r);
	return rc;
}
