/*
 * client/cmd_events.c — ntactl events: the verified events a relay holds,
 * from its HTTP API (GET /v1/events), and ntactl events show ID: one of
 * them, the envelope as stored (GET /v1/events/{id}), its id checked.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "lib/opname.h"
#include "client/cli.h"
#include "client/httpc.h"
#include "client/relayc.h"
#include "client/ntactl.h"
#include "lib/duration.h"
#include "proto/encoding.h"
#include "proto/envelope.h"
#include "proto/kind.h"
#include "proto/zone.h"

static const char usage_text[] =
    "usage: ntactl events [-c FILE | --relay URL] [--zone Z] [--kind K]\n"
    "                     [--since T] [--limit N] [--json] [--full-ids]\n"
    "       ntactl events show ID [-c FILE | --relay URL] [--json]\n"
    "\n"
    "List the events a relay verified and stored, newest first (GET\n"
    "/v1/events, docs/API.md). show: one event, the envelope as the relay\n"
    "holds it (GET /v1/events/{id}), its id checked; ID may be a unique\n"
    "prefix of at least 8 hex digits among the newest 1000 events.\n"
    "\n"
    RELAYC_USAGE
    "  --zone Z          only events about zone Z (\"de\" or \"de.\")\n"
    "  --kind K          only events of kind K (observation, assessment,\n"
    "                    zone_statement, withdraw, vouch, unvouch, key_cert,\n"
    "                    key_revoke, heartbeat, decision)\n"
    "  --since T         only events received at or after T: unix seconds,\n"
    "                    or an age such as 90s, 30m, 6h, 7d\n"
    "  --limit N         at most N events, 1..1000 (default 100)\n"
    "  --json             print the relay's JSON answer as it is (show: the\n"
    "                     envelope, for ntactl verify or inspect)\n"
    "  --help             this text\n"
    "\n"
    "Without --json: one line per event with the time it was received (UTC),\n"
    "kind, zone, origin, seq and event id (ids: their first 16 hex digits);\n"
    "show: the id, payloadType, keyid and the payload, not verified.\n"
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
events_print_table(const json_t *root, int idw)
{
	const json_t *events = json_object_get(root, "events"), *ev;
	char when[32], kind[32], zone[ZONE_TEXT_MAX + 1], origin[OPNAME_MAX], id[70];
	char seq[24];
	size_t i;

	if (!json_is_array(events)) {
		cli_err("events: the relay's answer has no \"events\" list");
		return CLI_ERR;
	}
	printf("%-20s  %-14s  %-24s  %-*s  %8s  %s\n", "RECEIVED (UTC)", "KIND",
	    "ZONE", idw, "ORIGIN", "SEQ", "ID");
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
		/* by its local name, else the id and the self-declared hint */
		cli_json_text(ev, "origin", (size_t)idw, id, sizeof(id));
		opname_format(origin, sizeof(origin), id, json_string_value(
		    json_object_get(ev, "origin_local_name")), json_string_value(
		    json_object_get(ev, "origin_declared_name")), (size_t)idw,
		    idw > 16);
		cli_json_text(ev, "id", (size_t)idw, id, sizeof(id));
		printf("%-20s  %-14s  %-24s  %-*s  %8s  %s\n", when, kind, zone,
		    idw, origin, seq, id);
	}
	return CLI_OK;
}

struct events_opts {
	struct relayc_opts ro;
	const char *zone_arg, *kind_arg, *since_arg, *limit_arg;
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

/* Unverified payload bytes as text, everything else escaped, so that a
 * hostile payload cannot drive the terminal. */
static void
events_payload_text(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\n' || (p[i] >= 0x20 && p[i] < 0x7f))
			putchar(p[i]);
		else
			printf("\\x%02x", p[i]);
	}
	putchar('\n');
}

/* events show ARG: the envelope of the event ARG names. */
static int
events_show(const struct events_opts *o, const char *arg)
{
	char id[65], path[80], hex[KEY_ID_HEX_LEN + 1], reason[PROTO_REASON_MAX];
	struct httpc_response r;
	struct envelope *env = NULL;
	struct relayc rc;
	int ret;

	if ((ret = relayc_resolve_opts("events", &o->ro, false, &rc)) != CLI_OK ||
	    (ret = relayc_event_id("events", &rc, arg, NULL, NULL, id)) != CLI_OK)
		return ret;
	snprintf(path, sizeof(path), "/v1/events/%s", id);
	if ((ret = relayc_get("events", &rc, path, NULL, 0, &r)) != CLI_OK)
		return ret;
	if (envelope_parse(r.body, r.len, &env, reason) != PROTO_OK ||
	    strcmp(envelope_id_hex(env, hex), id) != 0) {
		cli_err("events: the relay's answer for %s is not that event's "
		    "envelope", id);
		ret = CLI_ERR;
	} else if (o->ro.json) {
		fwrite(r.body, 1, r.len, stdout);
		putchar('\n');
	} else {
		printf("%-12s %s\n", "id", id);
		printf("%-12s %s\n", "payloadType", env->payload_type);
		printf("%-12s %s\n", "keyid", encoding_hex_encode(env->keyid,
		    KEY_ID_LEN, hex));
		printf("%-12s not checked (ntactl events show --json ID | ntactl "
		    "verify --pub KEY.pub -)\n", "signature");
		printf("%-12s %zu bytes, unverified:\n", "payload", env->payload_len);
		events_payload_text(env->payload, env->payload_len);
	}
	envelope_free(env);
	httpc_response_free(&r);
	return ret;
}

static int
events_table(const json_t *root, bool full)
{
	return events_print_table(root, full ? RELAYC_ID_FULL : RELAYC_ID_SHOW);
}

static int
events_table_short(const json_t *root)
{
	return events_table(root, false);
}

static int
events_table_full(const json_t *root)
{
	return events_table(root, true);
}

/* events [filters]: the list. */
static int
events_list(struct events_opts *o)
{
	struct httpc_response r = { 0 };
	struct relayc rc;
	int ret;

	if ((ret = events_check(o)) >= 0)
		return ret;
	if ((ret = relayc_resolve_opts("events", &o->ro, false, &rc)) != CLI_OK)
		return ret;
	{
		const struct httpc_param params[] = {
			{ "zone", o->zone_arg ? o->zone : NULL },
			{ "kind", o->kind_arg },
			{ "since", o->since_arg ? o->since : NULL },
			{ "limit", o->limit_arg },
		};
		ret = relayc_get("events", &rc, "/v1/events", params,
		    sizeof(params) / sizeof(params[0]), &r);
	}
	if (ret == CLI_OK)
		ret = httpc_show_json("events", &r, o->ro.json, o->ro.full_ids ?
		    events_table_full : events_table_short);
	httpc_response_free(&r);
	return ret;
}

int
cmd_events(int argc, char **argv)
{
	enum { O_ZONE = 256, O_KIND, O_SINCE, O_LIMIT, O_HELP };
	static const struct option opts[] = {
		RELAYC_LONGOPTS,
		{ "zone", required_argument, NULL, O_ZONE },
		{ "kind", required_argument, NULL, O_KIND },
		{ "since", required_argument, NULL, O_SINCE },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct events_opts o;
	int c;

	memset(&o, 0, sizeof(o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		if (relayc_opt(c, optarg, &o.ro))
			continue;
		switch (c) {
		case O_ZONE: o.zone_arg = optarg; break;
		case O_KIND: o.kind_arg = optarg; break;
		case O_SINCE: o.since_arg = optarg; break;
		case O_LIMIT: o.limit_arg = optarg; break;
		case O_HELP: return cli_usage(usage_text, 1);
		default: return cli_usage(usage_text, 0);
		}
	}
	if (optind == argc - 2 && strcmp(argv[optind], "show") == 0)
		return events_show(&o, argv[optind + 1]);
	if (optind != argc)
		return cli_usage(usage_text, 0);
	return events_list(&o);
}
