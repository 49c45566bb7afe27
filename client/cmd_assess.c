/*
 * client/cmd_assess.c — what an operator's staff say about a zone:
 * ntactl assess, ntactl statement and ntactl withdraw. Each is signed by
 * the operator's relay (its key, its chain) and published by it; ntactl
 * hands the fields over the relay's control socket (client/relayc.h).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "client/cli.h"
#include "client/relayc.h"
#include "client/ntactl.h"
#include "lib/duration.h"
#include "proto/zone.h"

static const char assess_usage[] =
    "usage: ntactl assess ZONE --verdict VERDICT [--nta] [--lifetime DURATION]\n"
    "                     [--refs ID,...] [--note TEXT] [-c FILE] [--json]\n"
    "\n"
    "Sign (through your relay) and publish your assessment of ZONE's DNSSEC\n"
    "failure. Your newest assessment of a zone replaces your older ones.\n"
    "\n"
    "  --verdict V        accident, likely_accident, unknown, likely_attack\n"
    "                     or attack\n"
    "  --nta              recommend a Negative Trust Anchor (only with\n"
    "                     accident or likely_accident; never for the root)\n"
    "  --lifetime D       how long the recommendation holds: seconds, or\n"
    "                     with a unit: 90m, 6h, 2d, 1w (default 6h; 60 s to\n"
    "                     7 days, RFC 7646). An assessment event lives at\n"
    "                     most 6 h: your relay signs it again until the\n"
    "                     lifetime ends, unless you withdraw it or assess\n"
    "                     the zone again\n"
    "  --refs ID,...      event ids it rests on (observations), at most 16\n"
    "  --note TEXT        for people, at most 1024 bytes\n"
    RELAYC_USAGE
    "  --json             print the relay's answer as JSON\n"
    "\n"
    "An attack or likely_attack verdict backed by your relay's own\n"
    "observation of the zone vetoes any NTA (docs/DESIGN.md §6).\n"
    "\n"
    "Exit status: 0 signed and published, 1 the relay refused it (the\n"
    "reason is printed), 2 usage error or relay unreachable.\n";

static const char statement_usage[] =
    "usage: ntactl statement ZONE --status STATUS [--note TEXT]\n"
    "                        [--expires-in DURATION] [-c FILE] [--json]\n"
    "\n"
    "As the operator of ZONE, state where its failure stands. It counts only\n"
    "when your operator is vouched (or pinned) as an operator of ZONE.\n"
    "\n"
    "  --status S         investigating, accident_confirmed (counts as one\n"
    "                     operator toward the quorum, never alone),\n"
    "                     attack_suspected (vetoes any NTA) or resolved\n"
    "  --note TEXT        for people, at most 1024 bytes\n"
    "  --expires-in D     how long it stands (default and most 1d, the\n"
    "                     protocol's limit; sign a new one to go on)\n"
    RELAYC_USAGE
    "  --json             print the relay's answer as JSON\n"
    "\n"
    "Exit status: 0 signed and published, 1 refused, 2 usage error or relay\n"
    "unreachable.\n";

static const char withdraw_usage[] =
    "usage: ntactl withdraw ID [--note TEXT] [-c FILE] [--json]\n"
    "\n"
    "Withdraw one of your operator's own assessments or statements before it\n"
    "expires (the relay refuses another operator's event: not_own_event).\n"
    "\n"
    "  --note TEXT        for people, at most 1024 bytes\n"
    RELAYC_USAGE
    "  --json             print the relay's answer as JSON\n"
    "\n"
    "Exit status: 0 signed and published, 1 refused, 2 usage error or relay\n"
    "unreachable.\n";

struct common {
	const char *config, *note;
	bool json;
};

/*
 * What the relay says the assessment or statement judged (the 201's
 * "judged", docs/API.md §11): the incident, the leading failure and how
 * many failing observations its refs name. It counts for that failure
 * only, and never for an incident after one that was resolved.
 */
static void
judged_lines(const json_t *j)
{
	char inc[20], lead[70], st[40];
	long long nobs = json_integer_value(json_object_get(j, "observations"));
	size_t nfps = json_array_size(json_object_get(j, "fingerprints"));

	if (!json_is_object(j))
		return;
	cli_json_text(j, "incident", 16, inc, sizeof(inc));
	cli_json_text(j, "lead", 64, lead, sizeof(lead));
	cli_json_text(j, "state", 30, st, sizeof(st));
	if (json_is_string(json_object_get(j, "incident")))
		printf("judged: incident %s (the zone was %s)\n", inc, st);
	else
		printf("judged: no open incident (the zone was %s): it counts for "
		    "the next one\n", st);
	if (json_is_string(json_object_get(j, "lead")))
		printf("judged: failure %s%s\n", lead, nfps > 1 ?
		    " (the leading one of several)" : "");
	if (nobs > 0)
		printf("judged: %lld failing observation%s referenced\n", nobs,
		    nobs == 1 ? "" : "s");
	else
		printf("judged: no failing observation held to refer to\n");
}

/* Submit body as kind; print the outcome. */
static int
submit(const char *cmd, const struct common *c, const char *kind, json_t *body)
{
	struct httpc_response r;
	struct relayc rc;
	char path[64];
	json_t *ans;
	int ret;

	if (c->note != NULL) {
		if (strlen(c->note) > 1024) {
			cli_err("%s: --note is longer than 1024 bytes", cmd);
			json_decref(body);
			return CLI_ERR;
		}
		json_object_set_new(body, "note", json_string(c->note));
	}
	if ((ret = relayc_resolve(cmd, NULL, c->config, NULL, true, &rc)) != CLI_OK) {
		json_decref(body);
		return ret;
	}
	snprintf(path, sizeof(path), "/v1/submit/%s", kind);
	ret = relayc_post(cmd, &rc, path, body, &r);
	json_decref(body);
	if (ret != CLI_OK)
		return ret;
	ans = json_loads(r.body, 0, NULL);
	if (c->json)
		printf("%s%s", r.body, r.len && r.body[r.len - 1] == '\n' ? "" : "\n");
	else if (json_is_string(json_object_get(ans, "id"))) {
		/* the first line is what scripts read: it stays as it is */
		printf("%s %s signed by the relay and published\n", kind,
		    json_string_value(json_object_get(ans, "id")));
		judged_lines(json_object_get(ans, "judged"));
	} else
		printf("%s submitted\n", kind);
	json_decref(ans);
	httpc_response_free(&r);
	return CLI_OK;
}

static int
zone_arg(const char *cmd, const char *arg, char *zone)
{
	const char *why = NULL;

	if (zone_name_normalise(arg, zone, &why) != 0) {
		cli_err("%s: '%s' is not a domain name (%s)", cmd, arg,
		    why ? why : "invalid");
		return -1;
	}
	return 0;
}

enum { O_NTA = 256, O_LIFETIME, O_REFS, O_NOTE, O_JSON, O_VERDICT, O_STATUS,
	O_EXPIRES, O_HELP, O_RELAY, O_TOKEN };

static const struct option opts[] = {
	{ "verdict", required_argument, NULL, O_VERDICT },
	{ "nta", no_argument, NULL, O_NTA },
	{ "lifetime", required_argument, NULL, O_LIFETIME },
	{ "refs", required_argument, NULL, O_REFS },
	{ "note", required_argument, NULL, O_NOTE },
	{ "status", required_argument, NULL, O_STATUS },
	{ "expires-in", required_argument, NULL, O_EXPIRES },
	{ "config", required_argument, NULL, 'c' },
	{ "relay", required_argument, NULL, O_RELAY },
	{ "token-file", required_argument, NULL, O_TOKEN },
	{ "json", no_argument, NULL, O_JSON },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 }
};

static bool
in_list(const char *v, const char *const *list)
{
	for (int i = 0; v && list[i]; i++)
		if (strcmp(v, list[i]) == 0)
			return true;
	return false;
}

int
cmd_assess(int argc, char **argv)
{
	static const char *const verdicts[] = { "accident", "likely_accident",
	    "unknown", "likely_attack", "attack", NULL };
	struct common c = { 0 };
	const char *verdict = NULL, *refs = NULL;
	char zone[ZONE_TEXT_MAX + 1];
	long long lifetime = 6 * 3600;
	bool nta = false;
	json_t *body, *ra;
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		switch (o) {
		case O_VERDICT: verdict = optarg; break;
		case O_NTA: nta = true; break;
		case O_LIFETIME:
			if (duration_parse(optarg, 60, 604800, false, &lifetime) != 0) {
				cli_err("assess: --lifetime '%s': seconds or 90m, 6h, "
				    "2d, 1w; 60 s to 7 days", optarg);
				return CLI_ERR;
			}
			break;
		case O_REFS: refs = optarg; break;
		case O_NOTE: c.note = optarg; break;
		case 'c': c.config = optarg; break;
		case O_JSON: c.json = true; break;
		case O_HELP: return cli_usage(assess_usage, 1);
		case O_RELAY: case O_TOKEN:
			cli_err("assess: submissions go through your own relay's "
			    "control socket (-c ntarelay.conf), not --relay");
			return CLI_ERR;
		default: return cli_usage(assess_usage, 0);
		}
	}
	if (optind != argc - 1 || verdict == NULL)
		return cli_usage(assess_usage, 0);
	if (!in_list(verdict, verdicts)) {
		cli_err("assess: --verdict '%s': accident, likely_accident, unknown, "
		    "likely_attack or attack", verdict);
		return CLI_ERR;
	}
	if (zone_arg("assess", argv[optind], zone) != 0)
		return CLI_ERR;
	if (nta && strcmp(verdict, "accident") != 0 &&
	    strcmp(verdict, "likely_accident") != 0) {
		cli_err("assess: --nta goes with --verdict accident or "
		    "likely_accident only");
		return CLI_ERR;
	}
	if (nta && strcmp(zone, ".") == 0) {
		cli_err("assess: an NTA is never recommended for the root");
		return CLI_ERR;
	}
	body = json_pack("{s:s,s:s,s:b,s:I}", "zone", zone, "verdict", verdict,
	    "recommend_nta", nta, "lifetime", (json_int_t)lifetime);
	if (refs != NULL) {
		char *copy = strdup(refs), *save = NULL, *t;
		ra = json_array();
		for (t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
			json_array_append_new(ra, json_string(t));
		free(copy);
		json_object_set_new(body, "refs", ra);
	}
	return submit("assess", &c, "assessment", body);
}

int
cmd_statement(int argc, char **argv)
{
	static const char *const statuses[] = { "investigating",
	    "accident_confirmed", "attack_suspected", "resolved", NULL };
	struct common c = { 0 };
	const char *status = NULL;
	char zone[ZONE_TEXT_MAX + 1];
	long long expires = 0;
	json_t *body;
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		switch (o) {
		case O_STATUS: status = optarg; break;
		case O_NOTE: c.note = optarg; break;
		case O_EXPIRES:
			if (duration_parse(optarg, 60, 86400, false, &expires) != 0) {
				cli_err("statement: --expires-in '%s': seconds or 90m, "
				    "6h, 1d; 60 s to 1 day", optarg);
				return CLI_ERR;
			}
			break;
		case 'c': c.config = optarg; break;
		case O_JSON: c.json = true; break;
		case O_HELP: return cli_usage(statement_usage, 1);
		default: return cli_usage(statement_usage, 0);
		}
	}
	if (optind != argc - 1 || status == NULL)
		return cli_usage(statement_usage, 0);
	if (!in_list(status, statuses)) {
		cli_err("statement: --status '%s': investigating, accident_confirmed, "
		    "attack_suspected or resolved", status);
		return CLI_ERR;
	}
	if (zone_arg("statement", argv[optind], zone) != 0)
		return CLI_ERR;
	body = json_pack("{s:s,s:s}", "zone", zone, "status", status);
	if (expires)
		json_object_set_new(body, "expires_in", json_integer(expires));
	return submit("statement", &c, "zone_statement", body);
}

int
cmd_withdraw(int argc, char **argv)
{
	struct common c = { 0 };
	const char *id;
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		switch (o) {
		case O_NOTE: c.note = optarg; break;
		case 'c': c.config = optarg; break;
		case O_JSON: c.json = true; break;
		case O_HELP: return cli_usage(withdraw_usage, 1);
		default: return cli_usage(withdraw_usage, 0);
		}
	}
	if (optind != argc - 1)
		return cli_usage(withdraw_usage, 0);
	id = argv[optind];
	if (strlen(id) != 64 || strspn(id, "0123456789abcdef") != 64) {
		cli_err("withdraw: '%s' is not an event id (64 lowercase hex digits)",
		    id);
		return CLI_ERR;
	}
	return submit("withdraw", &c, "withdraw", json_pack("{s:s}", "target", id));
}
