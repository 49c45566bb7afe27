/*
 * client/cmd_status.c — the quorum engine's answers for people and
 * scripts: ntactl status, ntactl quorum, ntactl watch (GET /v1/zones and
 * /v1/zones/{zone}, docs/API.md).
 */
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "client/cli.h"
#include "client/ntactl.h"
#include "client/relayc.h"
#include "lib/opname.h"
#include "proto/zone.h"
#include "lib/incident_text.h"

static const char status_usage[] =
    "usage: ntactl status [ZONE] [-c FILE | --relay URL] [--json] [--full-ids]\n"
    "\n"
    "Without ZONE: every zone the relay's quorum engine does not consider\n"
    "clear, one line each. With ZONE: its decision and the audit trail behind\n"
    "it: the operators that count and their events, fingerprints, veto, the\n"
    "zone operator's statement and the relay's history of decisions.\n"
    "\n"
    RELAYC_USAGE
    "  --json             print the relay's JSON answer as it is\n"
    "\n"
    "States: clear, observed (failures seen, no quorum), nta_recommended\n"
    "(phase failing, or recovering: held while the zone validates again),\n"
    "vetoed, inconsistent_evidence (vantage points disagree: possible attack),\n"
    "resolved (validates again from enough operators for long enough).\n"
    "Each zone in incident names its incident; vantage points that got no\n"
    "answer are shown as unreachable, never as failures.\n"
    "\n"
    "Exit status: 0 success, 1 the relay answered an error, 2 usage error,\n"
    "relay unreachable, or not caught up with its peers (syncing).\n";

static const char quorum_usage[] =
    "usage: ntactl quorum ZONE [-c FILE | --relay URL] [--quiet] [--json]\n"
    "\n"
    "For scripts: is an NTA recommended for ZONE right now?\n"
    "\n"
    RELAYC_USAGE
    "  -q, --quiet        print nothing\n"
    "  --json             print one JSON object: nta_recommended (true or\n"
    "                     false), zone, state, phase, lifetime, nta_until,\n"
    "                     incident (null when absent)\n"
    "\n"
    "Prints \"ZONE STATE\" (and the NTA lifetime and end when recommended;\n"
    "\"recovering\" while the recommendation is held as the zone validates\n"
    "again, which is still exit 0).\n"
    "Exit status: 0 nta_recommended, 1 any other state, 2 error (usage,\n"
    "relay unreachable, not caught up with its peers, bad answer) -- never 0\n"
    "when in doubt.\n";

static const char watch_usage[] =
    "usage: ntactl watch [-c FILE | --relay URL] [--interval SECONDS] [--json]\n"
    "                    [--full-ids]\n"
    "\n"
    "Follow the relay's decisions: one line per decision the relay signed\n"
    "(from each zone's history, so that a state shorter than the interval\n"
    "is shown too), with its phase and incident, asked every --interval\n"
    "seconds (default 2), until interrupted; at the start, each zone's\n"
    "current decision. A relay that cannot be reached, or that has not\n"
    "caught up with its peers (syncing), is reported once, and again when\n"
    "it answers.\n"
    "\n"
    RELAYC_USAGE
    "  --interval S       seconds between questions (1-3600, default 2)\n"
    "  --json             one JSON object per change\n"
    "\n"
    "Exit status: 0 when interrupted, 2 usage error.\n";

enum { O_HELP = 256, O_INTERVAL };

static const struct option opts[] = {
	RELAYC_LONGOPTS,
	{ "quiet", no_argument, NULL, 'q' },
	{ "interval", required_argument, NULL, O_INTERVAL },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 }
};

struct args {
	struct relayc_opts ro;
	bool quiet;
	long interval;
	int idw;             /* hex digits of the ids shown */
};

static int
parse(int argc, char **argv, const char *usage, struct args *a)
{
	int o;

	optind = 1;
	a->interval = 2;
	while ((o = getopt_long(argc, argv, "c:q", opts, NULL)) != -1) {
		if (relayc_opt(o, optarg, &a->ro))
			continue;
		switch (o) {
		case 'q': a->quiet = true; break;
		case O_INTERVAL: {
			char *end;
			a->interval = strtol(optarg, &end, 10);
			if (*end || a->interval < 1 || a->interval > 3600) {
				cli_err("--interval: 1-3600 seconds");
				return -1;
			}
			break;
		}
		case O_HELP: cli_usage(usage, 1); return 1;
		default: cli_usage(usage, 0); return -1;
		}
	}
	a->idw = relayc_id_width(&a->ro);
	return 0;
}

/* "12m", "3h", "2d" */
static void
span(long long s, char *out, size_t len)
{
	if (s < 0)
		s = 0;
	if (s < 120)
		snprintf(out, len, "%llds", s);
	else if (s < 7200)
		snprintf(out, len, "%lldm", s / 60);
	else if (s < 172800)
		snprintf(out, len, "%lldh", s / 3600);
	else
		snprintf(out, len, "%lldd", s / 86400);
}

static void
utc(long long t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(out, len,
	    "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, len, "%lld", t);
}

static long long
num(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static int
zones_table(const json_t *root)
{
	const json_t *zones = json_object_get(root, "zones"), *z;
	long long now = num(root, "now");
	size_t i;

	if (!json_is_array(zones))
		return CLI_ERR;
	if (json_array_size(zones) == 0) {
		printf("no zone in incident: every zone the relay knows is clear\n");
		return CLI_OK;
	}
	printf("%-28s %-22s %-10s %6s %9s %5s %5s %3s %-16s %-12s %s\n", "ZONE",
	    "STATE", "PHASE", "SINCE", "NTA", "REC", "OBS", "UNR", "INCIDENT",
	    "FINGERPRINT", "REASON");
	json_array_foreach(zones, i, z) {
		char zone[29], state[23], reason[200], fp[24], since[16], nta[24];
		char phase[16], incident[20];
		const json_t *fps = json_object_get(z, "fingerprints");

		cli_json_text(z, "zone", 28, zone, sizeof(zone));
		cli_json_text(z, "state", 22, state, sizeof(state));
		cli_json_text(z, "phase", 10, phase, sizeof(phase));
		cli_json_text(json_object_get(z, "incident"), "id", 16, incident,
		    sizeof(incident));
		/* the recovery in the same words everywhere; else the reason */
		if (!incident_text_recovery(z, reason, sizeof(reason)))
			cli_json_text(z, "reason", 100, reason, sizeof(reason));
		if (json_array_size(fps) > 0)
			cli_json_text(json_array_get(fps, 0), "fingerprint", 12, fp,
			    sizeof(fp));
		else
			snprintf(fp, sizeof(fp), "-");
		if (json_array_size(fps) > 1)
			snprintf(fp, sizeof(fp), "%zu differ", json_array_size(fps));
		span(now - num(z, "since"), since, sizeof(since));
		if (json_is_integer(json_object_get(z, "nta_until"))) {
			char left[16];
			span(num(z, "nta_until") - now, left, sizeof(left));
			snprintf(nta, sizeof(nta), "%s left", left);
		} else {
			snprintf(nta, sizeof(nta), "-");
		}
		printf("%-28s %-22s %-10s %6s %9s %2lld/%-2lld %2lld/%-2lld %3lld "
		    "%-16s %-12s %s\n", zone, state, phase, since, nta,
		    num(z, "recommending"), num(z, "quorum"), num(z, "observing"),
		    num(z, "evidence"), num(z, "unreachable"), incident, fp, reason);
	}
	return CLI_OK;
}

/* "incident:     ID, opened T, about failure FP, 1 relapse, closed T
 * (resolved)" when the decision names one. */
static void
incident_line(const json_t *z)
{
	const json_t *inc = incident_text_incident(z);
	char id[20], lead[70], outcome[20], t[32];

	if (inc == NULL)
		return;
	cli_json_text(inc, "id", 16, id, sizeof(id));
	printf("incident:     %s", id);
	if (json_is_integer(json_object_get(inc, "opened"))) {
		utc(num(inc, "opened"), t, sizeof(t));
		printf(", opened %s", t);
	}
	cli_json_text(inc, "lead", 64, lead, sizeof(lead));
	if (strcmp(lead, "-") != 0)
		printf(", about failure %s", lead);
	if (num(inc, "relapses") > 0)
		printf(", %lld relapse%s", num(inc, "relapses"),
		    num(inc, "relapses") == 1 ? "" : "s");
	cli_json_text(inc, "outcome", 16, outcome, sizeof(outcome));
	if (json_is_integer(json_object_get(inc, "closed"))) {
		utc(num(inc, "closed"), t, sizeof(t));
		printf(", closed %s (%s)", t, outcome);
	}
	printf("\n");
}

/* Operator id of the zone document z named for people: its local name,
 * else the id (idw digits) and its self-declared hint (lib/opname.h). */
static const char *
opshow(const json_t *z, const char *id, int idw, char out[OPNAME_MAX])
{
	if (id == NULL)
		return "-";
	return opname_of(out, OPNAME_MAX, z, id, (size_t)idw,
	    idw >= RELAYC_ID_FULL);
}

struct put_ctx {
	const json_t *z;
	int idw;
};

static void
put_text(void *arg, const char *text, const char *op)
{
	const struct put_ctx *c = arg;
	char nb[OPNAME_MAX];

	if (text) {
		fputs(text, stdout);
		return;
	}
	/* an id from the relay's answer: named, cleaned, never raw */
	fputs(opshow(c->z, op, c->idw, nb), stdout);
}

/* "unreachable:  from OP, OP (...)": evidence of nothing, never a
 * failure. */
static void
unreachable_line(const json_t *z, int idw)
{
	struct put_ctx c = { z, idw };
	size_t named;

	if (incident_text_unreachable(z, NULL, 0, &named) <= 0)
		return;
	fputs("unreachable:  ", stdout);
	incident_text_say_unreachable(z, "from ", (size_t)idw, put_text, &c);
	putchar('\n');
}

/* The fingerprints, a veto and the zone operator's statement. */
static void
detail_evidence(const json_t *z, int idw)
{
	const json_t *v;
	char buf[200], nb[OPNAME_MAX];
	size_t i;

	json_array_foreach(json_object_get(z, "fingerprints"), i, v) {
		cli_json_text(v, "fingerprint", 64, buf, sizeof(buf));
		printf("fingerprint:  %s seen by %lld operators\n", buf,
		    num(v, "operators"));
	}
	if (json_is_object(v = json_object_get(z, "veto"))) {
		cli_json_text(v, "reason", 150, buf, sizeof(buf));
		printf("VETO:         %s\n", buf);
		printf("              by operator %s\n", opshow(z,
		    json_string_value(json_object_get(v, "origin")), idw, nb));
		cli_json_text(v, "event", (size_t)idw, buf, sizeof(buf));
		printf("              event %s\n", buf);
	}
	if (json_is_object(v = json_object_get(z, "statement"))) {
		char note[120];
		cli_json_text(v, "status", 40, buf, sizeof(buf));
		cli_json_text(v, "note", 100, note, sizeof(note));
		printf("statement:    %s (zone operator) %s\n", buf, note);
	}
}

/* One operator: its vote and roles, then the events that count. */
static void
detail_operator(const json_t *z, const json_t *o, long long now, int idw)
{
	const json_t *v, *e;
	char t[32], roles[120] = "", nb[OPNAME_MAX];
	size_t k;

	json_array_foreach(json_object_get(o, "roles"), k, v) {
		size_t n = strlen(roles);
		snprintf(roles + n, sizeof(roles) - n, "%s%s", n ? "," : "",
		    json_string_value(v) ? json_string_value(v) : "?");
	}
	printf("  %s  %s\n", opshow(z, json_string_value(json_object_get(o,
	    "vote")), idw, nb), roles[0] ? roles : "-");
	json_array_foreach(json_object_get(o, "events"), k, e) {
		char kind[20], id[70], what[80] = "";
		cli_json_text(e, "kind", 16, kind, sizeof(kind));
		cli_json_text(e, "id", (size_t)idw, id, sizeof(id));
		if (strcmp(kind, "observation") == 0)
			cli_json_text(e, "state", 20, what, sizeof(what));
		else if (strcmp(kind, "assessment") == 0) {
			char vv[24];
			cli_json_text(e, "verdict", 20, vv, sizeof(vv));
			snprintf(what, sizeof(what), "%s%s", vv,
			    json_is_true(json_object_get(e, "recommend_nta")) ?
			    " +nta" : "");
		} else
			cli_json_text(e, "status", 24, what, sizeof(what));
		span(now - num(e, "ts"), t, sizeof(t));
		printf("      %-12s %s  %-22s %s ago\n", kind, id, what, t);
	}
}

/* The events not counted, and the zone's history. */
static void
detail_tail(const json_t *z, int idw)
{
	const json_t *v, *e;
	char buf[200], t[32];
	size_t i;

	if (json_array_size(json_object_get(z, "not_counted")) > 0) {
		printf("not counted:\n");
		json_array_foreach(json_object_get(z, "not_counted"), i, e) {
			char kind[20], id[70], nb[OPNAME_MAX];
			cli_json_text(e, "kind", 16, kind, sizeof(kind));
			cli_json_text(e, "id", (size_t)idw, id, sizeof(id));
			printf("  %-12s %s  by %s  %s\n", kind, id, opshow(z,
			    json_string_value(json_object_get(e, "origin")), idw, nb),
			    incident_text_why_not(e));
		}
	}
	if (json_array_size(json_object_get(z, "history")) > 0) {
		printf("history:\n");
		json_array_foreach(json_object_get(z, "history"), i, v) {
			char phase[16], inc[20];
			cli_json_text(v, "state", 40, buf, sizeof(buf));
			cli_json_text(v, "phase", 12, phase, sizeof(phase));
			cli_json_text(v, "incident", 16, inc, sizeof(inc));
			utc(num(v, "ts"), t, sizeof(t));
			printf("  %s  %-22s %-10s incident %s\n", t, buf,
			    strcmp(phase, "-") ? phase : "", inc);
		}
	}
}

static int
zone_detail(const json_t *z, int idw)
{
	const json_t *o;
	char buf[200], t[32];
	long long now = time(NULL);
	size_t i;

	if (!json_is_object(z))
		return CLI_ERR;
	cli_json_text(z, "zone", 100, buf, sizeof(buf));
	printf("zone:         %s\n", buf);
	cli_json_text(z, "state", 40, buf, sizeof(buf));
	span(now - num(z, "since"), t, sizeof(t));
	printf("state:        %s (for %s)\n", buf, t);
	if (incident_text_phase(z, buf, sizeof(buf))[0])
		printf("phase:        %s\n", buf);
	incident_line(z);
	if (incident_text_recovery(z, buf, sizeof(buf)))
		printf("recovery:     %s; the NTA holds until then\n", buf);
	cli_json_text(z, "reason", 190, buf, sizeof(buf));
	printf("reason:       %s\n", buf);
	printf("quorum:       %lld operators recommend an NTA (quorum %lld); "
	    "%lld observe one failure (needed %lld); %lld fail; %lld validate "
	    "again\n", num(z, "recommending"), num(z, "quorum"),
	    num(z, "observing"), num(z, "evidence"), num(z, "failing"),
	    num(z, "validating"));
	unreachable_line(z, idw);
	if (json_is_integer(json_object_get(z, "nta_until"))) {
		utc(num(z, "nta_until"), t, sizeof(t));
		printf("nta:          lifetime %lld s, until %s\n",
		    num(z, "lifetime"), t);
	}
	detail_evidence(z, idw);
	printf("operators:\n");
	json_array_foreach(json_object_get(z, "operators"), i, o)
		detail_operator(z, o, now, idw);
	detail_tail(z, idw);
	return CLI_OK;
}

static int
zone_path(const char *cmd, const char *arg, char *path, size_t len)
{
	char zone[ZONE_TEXT_MAX + 1];
	const char *why = NULL;

	if (zone_name_normalise(arg, zone, &why) != 0) {
		cli_err("%s: '%s' is not a domain name (%s)", cmd, arg,
		    why ? why : "invalid");
		return -1;
	}
	snprintf(path, len, "/v1/zones/%s", zone);
	return 0;
}

int
cmd_status(int argc, char **argv)
{
	char path[ZONE_TEXT_MAX + 32] = "/v1/zones", why[HTTPC_ERR_MAX];
	struct httpc_response r;
	struct relayc rc;
	struct args a = { 0 };
	bool syncing;
	int ret;
	json_t *root;

	if ((ret = parse(argc, argv, status_usage, &a)) != 0)
		return ret > 0 ? CLI_OK : CLI_ERR;
	if (argc - optind > 1)
		return cli_usage(status_usage, 0);
	if (optind < argc && zone_path("status", argv[optind], path,
	    sizeof(path)) != 0)
		return CLI_ERR;
	if ((ret = relayc_resolve_opts("status", &a.ro, false, &rc)) != CLI_OK)
		return ret;
	if ((ret = relayc_get_decisions("status", &rc, path, &r, &syncing, why,
	    sizeof(why))) != CLI_OK) {
		if (syncing)
			cli_err("status: not caught up: the relay has not caught up "
			    "with its peers yet and decides nothing until it has (%s)",
			    why);
		return ret;
	}
	if (a.ro.json) {
		fwrite(r.body, 1, r.len, stdout);
		httpc_response_free(&r);
		return CLI_OK;
	}
	if ((root = json_loadb(r.body, r.len, 0, NULL)) == NULL) {
		cli_err("status: the relay's answer is not JSON");
		httpc_response_free(&r);
		return CLI_ERR;
	}
	ret = optind < argc ? zone_detail(root, a.idw) : zones_table(root);
	if (ret != CLI_OK)
		cli_err("status: the relay's answer is not what docs/API.md "
		    "describes");
	json_decref(root);
	httpc_response_free(&r);
	return ret;
}

/* quorum --json: the answer in one line, members as in docs/API.md §9. */
static void
quorum_json(const json_t *root, bool yes)
{
	static const char *const keep[] = { "zone", "state", "phase", "lifetime",
	    "nta_until", NULL };
	json_t *o = json_pack("{s:b}", "nta_recommended", yes);
	char *out;

	for (int k = 0; o && keep[k]; k++)
		json_object_set(o, keep[k], json_object_get(root, keep[k]) ?
		    json_object_get(root, keep[k]) : json_null());
	json_object_set(o, "incident", json_object_get(json_object_get(root,
	    "incident"), "id") ? json_object_get(json_object_get(root,
	    "incident"), "id") : json_null());
	out = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	if (out)
		printf("%s\n", out);
	free(out);
	json_decref(o);
}

int
cmd_quorum(int argc, char **argv)
{
	char path[ZONE_TEXT_MAX + 32], t[32], why[HTTPC_ERR_MAX];
	struct httpc_response r;
	struct relayc rc;
	struct args a = { 0 };
	const char *state, *phase;
	bool syncing;
	json_t *root;
	int ret;

	if ((ret = parse(argc, argv, quorum_usage, &a)) != 0)
		return ret > 0 ? CLI_OK : CLI_ERR;
	if (argc - optind != 1)
		return cli_usage(quorum_usage, 0);
	if (zone_path("quorum", argv[optind], path, sizeof(path)) != 0)
		return CLI_ERR;
	if ((ret = relayc_resolve_opts("quorum", &a.ro, false, &rc)) != CLI_OK)
		return CLI_ERR;
	if (relayc_get_decisions("quorum", &rc, path, &r, &syncing, why,
	    sizeof(why)) != CLI_OK) {
		/* whatever went wrong: not a yes, and not a no either */
		if (syncing)
			cli_err("quorum: %s: not caught up: the relay has not caught up "
			    "with its peers yet; ask again later (%s)", argv[optind],
			    why);
		return CLI_ERR;
	}
	root = json_loadb(r.body, r.len, 0, NULL);
	httpc_response_free(&r);
	state = json_string_value(json_object_get(root, "state"));
	if (state == NULL) {
		cli_err("quorum: the relay's answer has no state");
		json_decref(root);
		return CLI_ERR;
	}
	ret = strcmp(state, "nta_recommended") == 0 ? CLI_OK : CLI_NO;
	if (ret == CLI_OK && !json_is_integer(json_object_get(root, "lifetime"))) {
		cli_err("quorum: nta_recommended without a lifetime");
		json_decref(root);
		return CLI_ERR;
	}
	phase = json_string_value(json_object_get(root, "phase"));
	if (!a.quiet && a.ro.json)
		quorum_json(root, ret == CLI_OK);
	else if (!a.quiet) {
		char zone[300], st[40];
		cli_json_text(root, "zone", 255, zone, sizeof(zone));
		cli_json_text(root, "state", 30, st, sizeof(st));
		if (ret == CLI_OK) {
			utc(num(root, "nta_until"), t, sizeof(t));
			/* recovering: still a yes, the NTA holds until resolved */
			printf("%s %s lifetime %lld until %s%s\n", zone, st,
			    num(root, "lifetime"), t, phase && strcmp(phase,
			    "recovering") == 0 ? " recovering" : "");
		} else {
			printf("%s %s\n", zone, st);
		}
	}
	json_decref(root);
	return ret;
}

static volatile sig_atomic_t stop;

static void
on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

/* One decision of zone's history h as a JSON line: the entry's members
 * (state, phase, incident, ts, event) and, for the newest, the current
 * reason and the API's recovery, failing and unreachable members. */
static void
watch_json(const char *zone, const json_t *h, const json_t *doc, bool newest)
{
	static const char *const entry[] = { "state", "phase", "incident", "ts",
	    "event", NULL };
	static const char *const current[] = { "reason", "recovery", "failing",
	    "unreachable", NULL };
	json_t *o = json_pack("{s:s}", "zone", zone);
	char *out;

	for (int k = 0; o && entry[k]; k++)
		json_object_set(o, entry[k], json_object_get(h, entry[k]) ?
		    json_object_get(h, entry[k]) : json_null());
	for (int k = 0; o && current[k]; k++)
		json_object_set(o, current[k], newest && json_object_get(doc,
		    current[k]) ? json_object_get(doc, current[k]) : json_null());
	out = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (out)
		printf("%s\n", out);
	free(out);
	json_decref(o);
}

/* "TIME ZONE STATE PHASE incident ID REASON"; the reason (the recovery's
 * progress while recovering, and unreachable vantage points) is the
 * current one, shown with the newest decision only. */
static void
watch_text(const json_t *h, const json_t *doc, bool newest, int idw)
{
	char st[40], t[32], zn[300], reason[300] = "", phase[16], inc[20];
	size_t n;

	cli_json_text(h, "state", 30, st, sizeof(st));
	cli_json_text(h, "phase", 12, phase, sizeof(phase));
	cli_json_text(h, "incident", 16, inc, sizeof(inc));
	cli_json_text(doc, "zone", 255, zn, sizeof(zn));
	if (newest && !incident_text_recovery(doc, reason, sizeof(reason)))
		cli_json_text(doc, "reason", 190, reason, sizeof(reason));
	n = strlen(reason);
	if (newest && json_is_object(json_object_get(doc, "veto"))) {
		char nb[OPNAME_MAX];
		snprintf(reason + n, sizeof(reason) - n, " (veto by %s)", opshow(doc,
		    json_string_value(json_object_get(json_object_get(doc, "veto"),
		    "origin")), idw, nb));
		n = strlen(reason);
	}
	if (newest && num(doc, "unreachable") > 0)
		snprintf(reason + n, sizeof(reason) - n, "; unreachable from %lld "
		    "operator%s (no answer: not a failure)", num(doc, "unreachable"),
		    num(doc, "unreachable") == 1 ? "" : "s");
	utc(num(h, "ts"), t, sizeof(t));
	printf("%s %-28s %-22s %-10s incident %-16s %s\n", t, zn, st, phase, inc,
	    reason);
}

/*
 * Print the decisions of zone not printed yet, oldest first, from its
 * history (the relay's signed decision events), so that a state that
 * lasted less than the polling interval is shown too. printed: zone ->
 * array of event ids already shown. first: remember, do not print.
 */
static void
watch_zone(const struct relayc *rc, const char *zone, json_t *printed,
    bool as_json, bool first, int idw)
{
	char path[ZONE_TEXT_MAX + 32], why[HTTPC_ERR_MAX];
	struct httpc_response r;
	json_t *doc, *h, *ids;
	bool syncing, newest;
	size_t i;

	snprintf(path, sizeof(path), "/v1/zones/%s", zone);
	if (relayc_get_decisions("watch", rc, path, &r, &syncing, why,
	    sizeof(why)) != CLI_OK)
		return;   /* a relay that stopped answering is said by the loop */
	doc = json_loadb(r.body, r.len, 0, NULL);
	httpc_response_free(&r);
	if ((ids = json_object_get(printed, zone)) == NULL) {
		ids = json_array();
		json_object_set_new(printed, zone, ids);
	}
	json_array_foreach(json_object_get(doc, "history"), i, h) {
		const char *id = json_string_value(json_object_get(h, "event"));
		bool seen = false;
		size_t k;
		json_t *x;

		if (id == NULL)
			continue;
		json_array_foreach(ids, k, x)
			seen |= strcmp(json_string_value(x), id) == 0;
		if (seen)
			continue;
		json_array_append_new(ids, json_string(id));
		while (json_array_size(ids) > 200)
			json_array_remove(ids, 0);
		/* at the start: the current decision only */
		if (first && i + 1 != json_array_size(json_object_get(doc, "history")))
			continue;
		newest = i + 1 == json_array_size(json_object_get(doc, "history"));
		if (as_json)
			watch_json(zone, h, doc, newest);
		else
			watch_text(h, doc, newest, idw);
	}
	json_decref(doc);
}

int
cmd_watch(int argc, char **argv)
{
	struct args a = { 0 };
	struct relayc rc;
	json_t *seen = json_object();     /* zone -> "state/changed" */
	json_t *printed = json_object();  /* zone -> [decision event ids] */
	bool down = false, first = true, syncing;
	char why[HTTPC_ERR_MAX];
	int ret;

	if ((ret = parse(argc, argv, watch_usage, &a)) != 0)
		return ret > 0 ? CLI_OK : CLI_ERR;
	if (argc != optind)
		return cli_usage(watch_usage, 0);
	if ((ret = relayc_resolve_opts("watch", &a.ro, false, &rc)) != CLI_OK)
		return ret;
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (!stop) {
		struct httpc_response r;
		json_t *root, *now_seen = json_object(), *z;
		const char *k;
		void *tmp;
		size_t i;

		if (relayc_get_decisions("watch", &rc, "/v1/zones", &r, &syncing, why,
		    sizeof(why)) != CLI_OK) {
			if (!down && syncing)
				cli_err("watch: not caught up: the relay has not caught up "
				    "with its peers yet and decides nothing until it has; "
				    "asking again every %ld s", a.interval);
			else if (!down)
				cli_err("watch: no answer from the relay; retrying "
				    "every %ld s", a.interval);
			down = true;
			json_decref(now_seen);
			for (long s = 0; s < a.interval && !stop; s++)
				sleep(1);
			continue;
		}
		if (down)
			cli_err("watch: the relay answers again");
		down = false;
		root = json_loadb(r.body, r.len, 0, NULL);
		httpc_response_free(&r);
		json_array_foreach(json_object_get(root, "zones"), i, z) {
			char key[80];
			const char *zone = json_string_value(json_object_get(z, "zone"));
			const char *old;
			if (zone == NULL)
				continue;
			snprintf(key, sizeof(key), "%.40s/%lld", json_string_value(
			    json_object_get(z, "state")) ? json_string_value(
			    json_object_get(z, "state")) : "?", num(z, "changed"));
			json_object_set_new(now_seen, zone, json_string(key));
			old = json_string_value(json_object_get(seen, zone));
			if (old == NULL || strcmp(old, key) != 0)
				watch_zone(&rc, zone, printed, a.ro.json, first, a.idw);
		}
		/* zones no longer listed are clear now: their last decisions */
		json_object_foreach_safe(seen, tmp, k, z)
			if (json_object_get(now_seen, k) == NULL)
				watch_zone(&rc, k, printed, a.ro.json, false, a.idw);
		json_decref(seen);
		seen = now_seen;
		json_decref(root);
		first = false;
		for (long s = 0; s < a.interval && !stop; s++)
			sleep(1);
	}
	json_decref(seen);
	json_decref(printed);
	return CLI_OK;
}
