/*
 * client/incident_export.c — ntactl incident export ZONE [--incident ID]
 * [-o FILE]: the incident's record (client/incident_bundle.h), read from
 * a relay's HTTP API like every relay-reading command (client/relayc.h).
 *
 * What goes in, from GET /v1/events (at most 1000 per kind, the API's
 * limit) and GET /v1/events/{id}:
 *   - the decisions of the zone that name the incident (any relay's, but
 *     incident ids are each relay's own);
 *   - every event those decisions name (operators' events, a veto);
 *   - the zone's assessments and zone statements live during the
 *     incident (expiring after its first decision, signed before the
 *     first later decision that names another incident or none), and
 *     the withdrawals of any event included;
 *   - the key_certs of every signing key, and every vouch, unvouch and
 *     key_revoke the relay holds.
 * Without --incident: the incident of the relay's newest decision for
 * the zone that names one (GET /v1/zones/{zone}, "history").
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/cli.h"
#include "client/incident_bundle.h"
#include "client/relayc.h"
#include "proto/zone.h"

static const char usage_text[] =
    "usage: ntactl incident export ZONE [--incident ID] [-o FILE] [relay options]\n"
    "\n"
    "Write one self-contained record of a zone's incident (JSON): every\n"
    "signed event of it and the trust events (key_cert, vouch, unvouch,\n"
    "key_revoke) needed to verify them offline with `ntactl incident verify`.\n"
    "\n"
    "  --incident ID      the relay's incident id (default: the incident of\n"
    "                     the relay's newest decision for ZONE)\n"
    "  -o, --output FILE  write there (default: standard output)\n"
    RELAYC_USAGE
    "\n"
    "Exit status: 0 written, 1 no such incident, 2 usage, I/O or relay error.\n";

struct exp {
	struct relayc rc;
	const char *zone;
	const char *incident;
	json_t *events;      /* id -> ENTRY */
	json_t *trust;       /* id -> ENTRY */
	json_t *payloads;    /* id -> payload */
	json_t *missing;     /* [ID] */
	long long t0, t1;    /* the incident's decisions: first since, last ts */
	long long t_end;     /* a later decision of another incident; 0: none */
	char op[65];         /* the relay's operator; "" unknown */
};

/* GET /v1/events?kind=KIND[&zone=ZONE]&limit=1000: the "events" array
 * (new), or NULL after saying why. */
static json_t *
list(struct exp *x, const char *kind, const char *zone)
{
	const struct httpc_param params[] = {
		{ "kind", kind }, { "zone", zone }, { "limit", "1000" },
	};
	struct httpc_response r = { 0 };
	json_t *j, *a = NULL;

	if (relayc_get("incident", &x->rc, "/v1/events", params, 3, &r) != CLI_OK)
		return NULL;
	if ((j = json_loadb(r.body, r.len, 0, NULL)) != NULL)
		a = json_incref(json_object_get(j, "events"));
	if (!json_is_array(a))
		cli_err("incident: the relay's event list is not JSON");
	json_decref(j);
	httpc_response_free(&r);
	return a;
}

/* Add envelope env to set (x->events or x->trust). */
static void
add(struct exp *x, json_t *set, const json_t *env)
{
	json_t *p = NULL, *e = bundle_entry(env, &p);
	const char *id = json_string_value(json_object_get(e, "id"));

	if (id != NULL && json_object_get(set, id) == NULL) {
		json_object_set(set, id, e);
		json_object_set(x->payloads, id, p);
	}
	json_decref(e);
	json_decref(p);
}

static long long
jint(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* The decisions that name the incident, and the window they span. */
static int
decisions(struct exp *x)
{
	json_t *a = list(x, "decision", x->zone), *row, *p;
	size_t i;

	if (a == NULL)
		return CLI_ERR;
	json_array_foreach(a, i, row) {
		json_t *e = bundle_entry(json_object_get(row, "envelope"), &p);
		const char *inc = json_string_value(json_object_get(p, "incident"));

		if (e && inc && strcmp(inc, x->incident) == 0) {
			long long since = jint(p, "since"), ts = jint(p, "ts");
			add(x, x->events, json_object_get(row, "envelope"));
			if (x->op[0] == '\0' &&
			    json_string_value(json_object_get(p, "origin")))
				snprintf(x->op, sizeof(x->op), "%s",
				    json_string_value(json_object_get(p, "origin")));
			if (x->t0 == 0 || since < x->t0)
				x->t0 = since;
			if (ts > x->t1)
				x->t1 = ts;
		}
		json_decref(e);
		json_decref(p);
	}
	/* the incident's words may come after its last decision: they count
	 * until a decision of the zone names another incident, or none */
	json_array_foreach(a, i, row) {
		json_t *e = bundle_entry(json_object_get(row, "envelope"), &p);
		const char *inc = json_string_value(json_object_get(p, "incident"));
		long long ts = jint(p, "ts");

		if (e && (inc == NULL || strcmp(inc, x->incident) != 0) &&
		    ts > x->t1 && (x->t_end == 0 || ts < x->t_end))
			x->t_end = ts;
		json_decref(e);
		json_decref(p);
	}
	json_decref(a);
	if (json_object_size(x->events) == 0) {
		cli_err("incident: the relay holds no decision for %s naming "
		    "incident %s", x->zone, x->incident);
		return CLI_NO;
	}
	return CLI_OK;
}

/* One event by id (GET /v1/events/{id}); a 404 goes to "missing". */
static void
fetch(struct exp *x, const char *id)
{
	struct httpc_response r = { 0 };
	char path[96];
	json_t *env;

	if (json_object_get(x->events, id) != NULL)
		return;
	snprintf(path, sizeof(path), "/v1/events/%s", id);
	if (relayc_get("incident", &x->rc, path, NULL, 0, &r) == CLI_OK &&
	    (env = json_loadb(r.body, r.len, 0, NULL)) != NULL) {
		add(x, x->events, env);
		json_decref(env);
	} else
		json_array_append_new(x->missing, json_string(id));
	httpc_response_free(&r);
}

/* The events the decisions name. */
static void
named(struct exp *x)
{
	json_t *dec = json_deep_copy(x->payloads), *p, *op, *ev;
	const char *id;
	size_t i, j;

	json_object_foreach(dec, id, p) {
		json_array_foreach(json_object_get(p, "operators"), i, op)
			json_array_foreach(json_object_get(op, "events"), j, ev)
				if (json_string_value(ev))
					fetch(x, json_string_value(ev));
		if (json_string_value(json_object_get(json_object_get(p, "veto"),
		    "event")))
			fetch(x, json_string_value(json_object_get(json_object_get(p,
			    "veto"), "event")));
	}
	json_decref(dec);
}

/* The zone's words live during the incident. */
static int
words(struct exp *x)
{
	static const char *const kinds[] = { "assessment", "zone_statement" };
	json_t *a, *row;
	size_t i;

	for (size_t k = 0; k < 2; k++) {
		if ((a = list(x, kinds[k], x->zone)) == NULL)
			return CLI_ERR;
		json_array_foreach(a, i, row)
			if ((x->t_end == 0 || jint(row, "ts") < x->t_end) &&
			    jint(row, "exp") >= x->t0)
				add(x, x->events, json_object_get(row, "envelope"));
		json_decref(a);
	}
	if ((a = list(x, "withdraw", NULL)) == NULL)
		return CLI_ERR;
	json_array_foreach(a, i, row) {
		json_t *p = NULL, *e = bundle_entry(json_object_get(row, "envelope"), &p);
		const char *t = json_string_value(json_object_get(p, "target"));
		if (t && json_object_get(x->events, t))
			add(x, x->events, json_object_get(row, "envelope"));
		json_decref(e);
		json_decref(p);
	}
	json_decref(a);
	return CLI_OK;
}

/* The keys that signed what the record holds. */
static void
signers(const json_t *set, json_t *keys)
{
	const char *id;
	json_t *e;

	json_object_foreach((json_t *)set, id, e) {
		const char *k = json_string_value(json_object_get(json_object_get(
		    json_object_get(e, "envelope"), "signatures") ?
		    json_array_get(json_object_get(json_object_get(e, "envelope"),
		    "signatures"), 0) : NULL, "keyid"));
		if (k)
			json_object_set_new(keys, k, json_true());
	}
}

static int
trust(struct exp *x)
{
	static const char *const kinds[] = { "vouch", "unvouch", "key_revoke" };
	json_t *a, *row, *keys = json_object(), *p;
	size_t i;

	for (size_t k = 0; k < 3; k++) {
		if ((a = list(x, kinds[k], NULL)) == NULL) {
			json_decref(keys);
			return CLI_ERR;
		}
		json_array_foreach(a, i, row)
			add(x, x->trust, json_object_get(row, "envelope"));
		json_decref(a);
	}
	signers(x->events, keys);
	signers(x->trust, keys);
	if ((a = list(x, "key_cert", NULL)) == NULL) {
		json_decref(keys);
		return CLI_ERR;
	}
	json_array_foreach(a, i, row) {
		json_t *e = bundle_entry(json_object_get(row, "envelope"), &p);
		const char *sub = json_string_value(json_object_get(p, "subject"));
		if (sub && json_object_get(keys, sub))
			add(x, x->trust, json_object_get(row, "envelope"));
		json_decref(e);
		json_decref(p);
	}
	json_decref(a);
	json_decref(keys);
	return CLI_OK;
}

static int
by_ts(const void *a, const void *b)
{
	long long x = jint(*(json_t *const *)a, "ts");
	long long y = jint(*(json_t *const *)b, "ts");

	return x < y ? -1 : x > y;
}

/* The entries of set as an array, oldest first (new). */
static json_t *
sorted(const json_t *set)
{
	size_t n = json_object_size(set), i = 0;
	json_t **v = calloc(n ? n : 1, sizeof(*v)), *out = json_array(), *e;
	const char *id;

	if (v == NULL)
		return out;
	json_object_foreach((json_t *)set, id, e)
		v[i++] = e;
	qsort(v, n, sizeof(*v), by_ts);
	for (i = 0; i < n; i++)
		json_array_append(out, v[i]);
	free(v);
	return out;
}

/* Without --incident: the newest incident of the relay's decisions;
 * the relay's operator in x->op. */
static int
which(struct exp *x, char *inc, size_t len)
{
	struct httpc_response r = { 0 };
	char path[ZONE_TEXT_MAX + 16];
	json_t *j, *h;
	size_t i;
	int ret;

	snprintf(path, sizeof(path), "/v1/zones/%s", x->zone);
	if ((ret = relayc_get("incident", &x->rc, path, NULL, 0, &r)) != CLI_OK)
		return ret;
	j = json_loadb(r.body, r.len, 0, NULL);
	httpc_response_free(&r);
	if (json_string_value(json_object_get(j, "relay")))
		snprintf(x->op, sizeof(x->op), "%s", json_string_value(json_object_get(j, "relay")));
	h = json_object_get(j, "history");
	for (i = json_array_size(h); x->incident == NULL && i-- > 0;) {
		const char *id = json_string_value(json_object_get(
		    json_array_get(h, i), "incident"));
		if (id) {
			snprintf(inc, len, "%s", id);
			x->incident = inc;
		}
	}
	json_decref(j);
	if (x->incident == NULL) {
		cli_err("incident: the relay's decisions for %s name no incident "
		    "(give --incident ID)", x->zone);
		return CLI_NO;
	}
	return CLI_OK;
}

static int
write_bundle(struct exp *x, const char *out)
{
	json_t *any = json_object_iter_value(json_object_iter(x->payloads));
	json_t *doc = json_pack("{s:s,s:i,s:s,s:s,s:O?,s:{s:s,s:s?},s:I,"
	    "s:{s:I,s:I},s:o,s:o,s:O}",
	    "format", BUNDLE_FORMAT, "version", BUNDLE_VERSION,
	    "zone", x->zone, "incident", x->incident,
	    "net", json_object_get(any, "net"),
	    "relay", "url", x->rc.socket[0] ? "control socket" : x->rc.url,
	    "operator", x->op[0] ? x->op : NULL,
	    "exported_at", (json_int_t)time(NULL),
	    "window", "from", (json_int_t)x->t0, "until", (json_int_t)x->t1,
	    "events", sorted(x->events), "trust", sorted(x->trust),
	    "missing", x->missing);
	int rc = CLI_ERR;

	if (doc == NULL)
		cli_err("incident: out of memory");
	else if (out == NULL || strcmp(out, "-") == 0) {
		if (json_dumpf(doc, stdout, JSON_INDENT(1)) == 0 && putchar('\n') != EOF)
			rc = CLI_OK;
	} else if (json_dump_file(doc, out, JSON_INDENT(1)) == 0)
		rc = CLI_OK;
	else
		cli_err("incident: cannot write %s", out);
	if (rc == CLI_OK && out && strcmp(out, "-") != 0)
		fprintf(stderr, "ntactl: incident %s of %s: %zu events, %zu trust "
		    "events%s written to %s\n", x->incident, x->zone,
		    json_array_size(json_object_get(doc, "events")),
		    json_array_size(json_object_get(doc, "trust")),
		    json_array_size(x->missing) ? " (some named events no longer "
		    "held: see \"missing\")" : "", out);
	json_decref(doc);
	return rc;
}

int
incident_export(int argc, char **argv)
{
	enum { O_INCIDENT = 256, O_HELP };
	static const struct option opts[] = {
		RELAYC_LONGOPTS,
		{ "incident", required_argument, NULL, O_INCIDENT },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct relayc_opts ro = { 0 };
	struct exp x = { 0 };
	char zone[ZONE_TEXT_MAX + 1], inc[40] = "";
	const char *out = NULL, *why = NULL;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:o:", opts, NULL)) != -1) {
		if (relayc_opt(c, optarg, &ro))
			continue;
		switch (c) {
		case O_INCIDENT: x.incident = optarg; break;
		case 'o': out = optarg; break;
		case O_HELP: return cli_usage(usage_text, 1);
		default: return cli_usage(usage_text, 0);
		}
	}
	if (optind != argc - 1)
		return cli_usage(usage_text, 0);
	if (zone_name_normalise(argv[optind], zone, &why) != 0) {
		cli_err("incident: '%s' is not a zone name (%s)", argv[optind],
		    why ? why : "invalid");
		return CLI_ERR;
	}
	x.zone = zone;
	if ((ret = relayc_resolve_opts("incident", &ro, false, &x.rc)) != CLI_OK)
		return ret;
	if (x.incident == NULL && (ret = which(&x, inc, sizeof(inc))) != CLI_OK)
		return ret;
	x.events = json_object();
	x.trust = json_object();
	x.payloads = json_object();
	x.missing = json_array();
	if ((ret = decisions(&x)) == CLI_OK) {
		named(&x);
		if ((ret = words(&x)) == CLI_OK && (ret = trust(&x)) == CLI_OK)
			ret = write_bundle(&x, out);
	}
	json_decref(x.events);
	json_decref(x.trust);
	json_decref(x.payloads);
	json_decref(x.missing);
	return ret;
}
