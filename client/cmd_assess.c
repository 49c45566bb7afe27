/*
 * client/cmd_assess.c — what an operator's staff say about a zone:
 * ntactl assess, ntactl statement and ntactl withdraw. Each is signed by
 * the operator's relay (its key, its chain) and published by it; ntactl
 * hands the fields over the relay's control socket (client/relayc.h).
 *
 * Before it submits an assessment, ntactl asks the relay what it holds
 * of the zone (GET /v1/zones/{zone}): a zone no operator observed is
 * refused without --force (a typo?), and what is assessed (the incident,
 * the leading failure) is said on standard error, so that standard
 * output's first line stays the event id's line scripts read.
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
#include "lib/incident_text.h"
#include "proto/zone.h"

static const char assess_usage[] =
    "usage: ntactl assess ZONE --verdict VERDICT [--nta] [--lifetime DURATION]\n"
    "                     [--refs ID,...] [--note TEXT] [--force] [-c FILE]\n"
    "                     [--json]\n"
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
    "  --refs ID,...      event ids it rests on (observations), at most 16;\n"
    "                     each may be a unique prefix of at least 8 hex\n"
    "                     digits among the relay's events of ZONE\n"
    "  --note TEXT        for people, at most 1024 bytes\n"
    "  --force            assess ZONE even though no operator observed it\n"
    RELAYC_USAGE
    "  --json             print the relay's answer as JSON\n"
    "\n"
    "Before submitting, ntactl asks the relay what it holds of ZONE and says\n"
    "on standard error what is assessed: the incident and its leading\n"
    "failure. A zone that no operator observed (state clear, no observation)\n"
    "is refused unless --force: a typo? The first line of standard output\n"
    "is \"assessment ID signed by the relay and published\" (ID in full).\n"
    "\n"
    "An attack or likely_attack verdict backed by your relay's own\n"
    "observation of the zone vetoes any NTA (docs/RATIONALE.md §6).\n"
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
    "ID is the event id, or a unique prefix of at least 8 hex digits among\n"
    "the newest assessments and statements the relay holds.\n"
    "\n"
    "  --note TEXT        for people, at most 1024 bytes\n"
    RELAYC_USAGE
    "  --json             print the relay's answer as JSON\n"
    "\n"
    "Exit status: 0 signed and published, 1 refused, 2 usage error or relay\n"
    "unreachable.\n";

struct common {
	struct relayc_opts ro;
	const char *note;
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

/* Submit body as kind to the relay rc; print the outcome. */
static int
submit(const char *cmd, const struct common *c, const struct relayc *rc,
    const char *kind, json_t *body)
{
	struct httpc_response r;
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
	snprintf(path, sizeof(path), "/v1/submit/%s", kind);
	ret = relayc_post(cmd, rc, path, body, &r);
	json_decref(body);
	if (ret != CLI_OK)
		return ret;
	ans = json_loads(r.body, 0, NULL);
	if (c->ro.json)
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

enum { O_NTA = 256, O_LIFETIME, O_REFS, O_NOTE, O_VERDICT, O_STATUS,
	O_EXPIRES, O_HELP, O_FORCE };

static const struct option opts[] = {
	RELAYC_LONGOPTS,
	{ "verdict", required_argument, NULL, O_VERDICT },
	{ "nta", no_argument, NULL, O_NTA },
	{ "lifetime", required_argument, NULL, O_LIFETIME },
	{ "refs", required_argument, NULL, O_REFS },
	{ "note", required_argument, NULL, O_NOTE },
	{ "status", required_argument, NULL, O_STATUS },
	{ "expires-in", required_argument, NULL, O_EXPIRES },
	{ "force", no_argument, NULL, O_FORCE },
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

/* Has any operator observed the zone of doc (GET /v1/zones/{zone})? */
static bool
zone_observed(const json_t *doc)
{
	const json_t *op, *ev;
	const char *st = json_string_value(json_object_get(doc, "state"));
	size_t i, k;

	if (st == NULL || strcmp(st, "clear") != 0 ||
	    json_integer_value(json_object_get(doc, "observing")) > 0 ||
	    json_integer_value(json_object_get(doc, "failing")) > 0)
		return true;
	json_array_foreach(json_object_get(doc, "operators"), i, op)
		json_array_foreach(json_object_get(op, "events"), k, ev)
			if (json_is_string(json_object_get(ev, "kind")) &&
			    strcmp(json_string_value(json_object_get(ev, "kind")),
			    "observation") == 0)
				return true;
	return false;
}

/* On standard error: what the relay's doc says is being assessed. */
static void
say_assessing(const char *zone, const json_t *doc)
{
	const json_t *inc = incident_text_incident(doc);
	char id[20], st[40], lead[70];

	cli_json_text(doc, "state", 30, st, sizeof(st));
	/* a fingerprint, not an id: in full, as judged_lines() and
	 * ntactl observe print it */
	cli_json_text(inc, "lead", 64, lead, sizeof(lead));
	if (strcmp(lead, "-") == 0)
		cli_json_text(json_array_get(json_object_get(doc, "fingerprints"), 0),
		    "fingerprint", 64, lead, sizeof(lead));
	if (inc != NULL) {
		cli_json_text(inc, "id", 16, id, sizeof(id));
		fprintf(stderr, "assessing %s: incident %s (the zone is %s), "
		    "leading failure %s\n", zone, id, st, lead);
	} else
		fprintf(stderr, "assessing %s: no open incident (the zone is %s), "
		    "leading failure %s: it counts for the next incident\n", zone,
		    st, lead);
}

/*
 * Before an assessment: is the zone known to the relay rc, and what is
 * assessed? -1 to go on, or the exit status (said).
 */
static int
assess_check(const struct relayc *rc, const char *zone, bool force)
{
	char path[ZONE_TEXT_MAX + 16], why[HTTPC_ERR_MAX];
	struct httpc_response r;
	bool syncing;
	json_t *doc;
	int ret;

	snprintf(path, sizeof(path), "/v1/zones/%s", zone);
	if ((ret = relayc_get_decisions("assess", rc, path, &r, &syncing, why,
	    sizeof(why))) != CLI_OK) {
		if (!syncing)
			return ret;
		cli_err("assess: the relay has not caught up with its peers (%s): "
		    "cannot tell what %s is assessed for%s", why, zone, force ?
		    "" : " (--force to assess anyway)");
		return force ? -1 : CLI_ERR;
	}
	doc = json_loadb(r.body, r.len, 0, NULL);
	httpc_response_free(&r);
	if (!json_is_object(doc)) {
		cli_err("assess: the relay's answer for %s is not JSON", zone);
		return CLI_ERR;
	}
	ret = -1;
	if (!zone_observed(doc) && !force) {
		cli_err("assess: no observation of %s by any operator: a typo? "
		    "(--force to assess anyway)", zone);
		ret = CLI_ERR;
	} else
		say_assessing(zone, doc);
	json_decref(doc);
	return ret;
}

/* --refs ID,...: each id, or unique prefix among the zone's events. */
static int
assess_refs(const struct relayc *rc, const char *zone, const char *refs,
    json_t *body)
{
	char *copy = strdup(refs), *save = NULL, *t, id[65];
	json_t *ra = json_array();
	int ret = CLI_OK;

	for (t = copy ? strtok_r(copy, ",", &save) : NULL; t && ret == CLI_OK;
	    t = strtok_r(NULL, ",", &save))
		if ((ret = relayc_event_id("assess", rc, t, zone, NULL, id)) ==
		    CLI_OK)
			json_array_append_new(ra, json_string(id));
	free(copy);
	json_object_set_new(body, "refs", ra);
	return copy == NULL ? CLI_ERR : ret;
}

/* What assess was told. */
struct assess_args {
	struct common c;
	const char *verdict, *refs;
	char zone[ZONE_TEXT_MAX + 1];
	long long lifetime;
	bool nta, force;
};

/* One option of assess's own into a (relayc_getopt()). */
static int
assess_opt(void *ctx, int o, const char *arg)
{
	struct assess_args *a = ctx;

	switch (o) {
	case O_VERDICT: a->verdict = arg; break;
	case O_NTA: a->nta = true; break;
	case O_FORCE: a->force = true; break;
	case O_LIFETIME:
		if (duration_parse(arg, 60, 604800, false, &a->lifetime) != 0) {
			cli_err("assess: --lifetime '%s': seconds or 90m, 6h, "
			    "2d, 1w; 60 s to 7 days", arg);
			return CLI_ERR;
		}
		break;
	case O_REFS: a->refs = arg; break;
	case O_NOTE: a->c.note = arg; break;
	default: return -2;
	}
	return -1;
}

/* The command line into a: -1 to go on, or the exit status. */
static int
assess_parse(int argc, char **argv, struct assess_args *a)
{
	int ret;

	a->lifetime = 6 * 3600;
	if ((ret = relayc_getopt(argc, argv, opts, &a->c.ro, O_HELP,
	    assess_usage, assess_opt, a)) >= 0)
		return ret;
	if (optind != argc - 1 || a->verdict == NULL)
		return cli_usage(assess_usage, 0);
	if (zone_arg("assess", argv[optind], a->zone) != 0)
		return CLI_ERR;
	return -1;
}

/* What is refused before the relay is asked: -1, or CLI_ERR (said). */
static int
assess_valid(const struct assess_args *a)
{
	static const char *const verdicts[] = { "accident", "likely_accident",
	    "unknown", "likely_attack", "attack", NULL };

	if (!in_list(a->verdict, verdicts)) {
		cli_err("assess: --verdict '%s': accident, likely_accident, unknown, "
		    "likely_attack or attack", a->verdict);
		return CLI_ERR;
	}
	if (a->nta && strcmp(a->verdict, "accident") != 0 &&
	    strcmp(a->verdict, "likely_accident") != 0) {
		cli_err("assess: --nta goes with --verdict accident or "
		    "likely_accident only");
		return CLI_ERR;
	}
	if (a->nta && strcmp(a->zone, ".") == 0) {
		cli_err("assess: an NTA is never recommended for the root");
		return CLI_ERR;
	}
	return -1;
}

int
cmd_assess(int argc, char **argv)
{
	struct assess_args a;
	struct relayc rc;
	json_t *body;
	int ret;

	memset(&a, 0, sizeof(a));
	if ((ret = assess_parse(argc, argv, &a)) >= 0 ||
	    (ret = assess_valid(&a)) >= 0)
		return ret;
	if ((ret = relayc_resolve_opts("assess", &a.c.ro, true, &rc)) != CLI_OK)
		return ret;
	if ((ret = assess_check(&rc, a.zone, a.force)) >= 0)
		return ret;
	body = json_pack("{s:s,s:s,s:b,s:I}", "zone", a.zone, "verdict",
	    a.verdict, "recommend_nta", a.nta, "lifetime", (json_int_t)a.lifetime);
	if (a.refs != NULL && (ret = assess_refs(&rc, a.zone, a.refs, body)) !=
	    CLI_OK) {
		json_decref(body);
		return ret;
	}
	return submit("assess", &a.c, &rc, "assessment", body);
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
	struct relayc rc;
	json_t *body;
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		if (relayc_opt(o, optarg, &c.ro))
			continue;
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
	if (zone_arg("statement", argv[optind], zone) != 0 ||
	    (o = relayc_resolve_opts("statement", &c.ro, true, &rc)) != CLI_OK)
		return CLI_ERR;
	body = json_pack("{s:s,s:s}", "zone", zone, "status", status);
	if (expires)
		json_object_set_new(body, "expires_in", json_integer(expires));
	return submit("statement", &c, &rc, "zone_statement", body);
}

int
cmd_withdraw(int argc, char **argv)
{
	static const char *const kinds[] = { "assessment", "zone_statement",
	    NULL };
	struct common c = { 0 };
	struct relayc rc;
	char id[65];
	int o, ret;

	optind = 1;
	while ((o = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		if (relayc_opt(o, optarg, &c.ro))
			continue;
		switch (o) {
		case O_NOTE: c.note = optarg; break;
		case O_HELP: return cli_usage(withdraw_usage, 1);
		default: return cli_usage(withdraw_usage, 0);
		}
	}
	if (optind != argc - 1)
		return cli_usage(withdraw_usage, 0);
	if ((ret = relayc_resolve_opts("withdraw", &c.ro, true, &rc)) != CLI_OK ||
	    (ret = relayc_event_id("withdraw", &rc, argv[optind], NULL, kinds,
	    id)) != CLI_OK)
		return ret;
	return submit("withdraw", &c, &rc, "withdraw",
	    json_pack("{s:s}", "target", id));
}
