/*
 * client/incident_verify.c — ntactl incident verify BUNDLE --pin ROOT.pub
 * [--pin ...] [--json]: check an incident record (client/incident_bundle.h)
 * offline.
 *
 * A temporary trust database (a private directory under $TMPDIR, removed
 * at exit) gets the pinned roots, then the record's trust events, each
 * verified on import (trustdb/store.h; those that need another first are
 * tried again until nothing more goes in). Its index (trustdb/index.h),
 * built at the record's export time, then answers for every event: the
 * signature verifies under a key the index knows (proto/open.h), the
 * payload is valid, and the key may speak for the event's origin at the
 * event's own time (a member's current key). The record's own fields
 * (id, kind, origin, ts) are never believed: an id that is not the
 * envelope's is a failure. Then the relay's decisions are checked against
 * the events: every event a decision names is in the record and verified,
 * and an nta_recommended decision names verified recommending
 * assessments. The quorum rule itself is not run again here (it lives in
 * the relay, relay/quorum/quorum.c): the decision is shown with what backs
 * it.
 *
 * Exit: 0 everything verified, 1 something did not (each named), 2 usage
 * or I/O.
 */
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/cli.h"
#include "client/incident_bundle.h"
#include "proto/encoding.h"
#include "proto/open.h"
#include "trustdb/db.h"
#include "trustdb/index.h"
#include "trustdb/store.h"

static const char usage_text[] =
    "usage: ntactl incident verify BUNDLE --pin ROOT.pub [--pin ...] [--json]\n"
    "\n"
    "Check an incident record offline: every event's signature and its\n"
    "signer's authority, from the pinned operators' root keys and the\n"
    "record's own trust events (key_cert, vouch, unvouch, key_revoke); then\n"
    "print the timeline and the decision the events support.\n"
    "\n"
    "  --pin FILE   an operator's root public key (repeat for each operator\n"
    "               you trust; members are as in a trust database: pinned,\n"
    "               or vouched for by enough pinned ones)\n"
    "  --json       the result as JSON\n"
    "  --help       this text\n"
    "\n"
    "Exit status: 0 verified, 1 something did not verify (listed),\n"
    "2 usage or I/O error.\n";

#define PINS_MAX 64

struct ver {
	const json_t *doc;
	struct trustdb *db;
	struct trust_index *idx;
	long long now;          /* the record's export time */
	json_t *events;         /* [{id,ts,kind,origin,what,ok,error}] */
	json_t *trust;          /* [{id,kind,ok,error}] */
	json_t *problems;       /* [text] */
	json_t *good;           /* id -> payload of each verified event */
	char dir[PATH_MAX];
};

static void
problem(struct ver *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
problem(struct ver *v, const char *fmt, ...)
{
	char text[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	json_array_append_new(v->problems, json_string(text));
}

static const char *
str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "?";
}

/* The envelope of entry e as text (new), "" when none. */
static char *
env_text(const json_t *e)
{
	const json_t *env = json_object_get(e, "envelope");

	return env ? json_dumps(env, JSON_COMPACT) : strdup("");
}

/* ------------------------------------------------------------ trust */

static int
open_db(struct ver *v, char **pins, size_t npins)
{
	char path[PATH_MAX + 16], reason[TRUSTDB_REASON_MAX];
	struct key_public pub;
	char preason[PROTO_REASON_MAX];
	const char *tmp = getenv("TMPDIR");

	snprintf(v->dir, sizeof(v->dir), "%.4000s/ntactl-verify.XXXXXX",
	    tmp && tmp[0] ? tmp : "/tmp");
	if (mkdtemp(v->dir) == NULL) {
		cli_err("incident: cannot make a temporary directory in %s",
		    tmp && tmp[0] ? tmp : "/tmp");
		v->dir[0] = '\0';
		return CLI_ERR;
	}
	snprintf(path, sizeof(path), "%s/trust.db", v->dir);
	if (trustdb_open(path, TRUSTDB_OPEN_CREATE, 0, &v->db, reason) !=
	    TRUSTDB_OK ||
	    trustdb_net_set(v->db, str(v->doc, "net"), reason) != TRUSTDB_OK) {
		cli_err("incident: temporary trust database: %s", reason);
		return CLI_ERR;
	}
	for (size_t i = 0; i < npins; i++) {
		if (key_public_load(pins[i], &pub, preason) != PROTO_OK) {
			cli_err("incident: %s", preason);
			return CLI_ERR;
		}
		if (trustdb_pin(v->db, &pub, NULL, 0, v->now, reason) != TRUSTDB_OK) {
			cli_err("incident: pin %s: %s", pins[i], reason);
			return CLI_ERR;
		}
	}
	return CLI_OK;
}

/* Import the trust events, again and again while some go in. */
static int
import_trust(struct ver *v)
{
	const json_t *list = json_object_get(v->doc, "trust");
	size_t n = json_array_size(list), i, left = n, before;
	char reason[TRUSTDB_REASON_MAX];
	char **why = calloc(n ? n : 1, sizeof(*why));
	bool *done = calloc(n ? n : 1, sizeof(*done));

	if (why == NULL || done == NULL) {
		free(why);
		free(done);
		cli_err("incident: out of memory");
		return CLI_ERR;
	}
	do {
		before = left;
		for (i = 0; i < n; i++) {
			char *t;
			if (done[i])
				continue;
			t = env_text(json_array_get(list, i));
			if (t && trustdb_import(v->db, t, strlen(t), v->now, NULL,
			    reason) == TRUSTDB_OK) {
				done[i] = true;
				left--;
			} else {
				free(why[i]);
				why[i] = strdup(t ? reason : "out of memory");
			}
			free(t);
		}
	} while (left > 0 && left < before);
	for (i = 0; i < n; i++) {
		const json_t *e = json_array_get(list, i);
		json_array_append_new(v->trust, json_pack("{s:s,s:s,s:b,s:s?}",
		    "id", str(e, "id"), "kind", str(e, "kind"), "ok", done[i],
		    "error", done[i] ? NULL : why[i]));
		if (!done[i])
			problem(v, "trust event %s (%s) does not verify: %s",
			    str(e, "id"), str(e, "kind"), why[i] ? why[i] : "?");
		free(why[i]);
	}
	free(why);
	free(done);
	return CLI_OK;
}

/* ------------------------------------------------------------ events */

/* What an event says, in a few words. */
static void
what(const json_t *p, char *out, size_t len)
{
	const char *k = str(p, "kind");

	if (strcmp(k, "observation") == 0)
		snprintf(out, len, "%s (%s)", str(p, "state"), str(p, "vantage"));
	else if (strcmp(k, "assessment") == 0)
		snprintf(out, len, "%s%s", str(p, "verdict"),
		    json_is_true(json_object_get(p, "recommend_nta")) ?
		    ", recommends an NTA" : "");
	else if (strcmp(k, "zone_statement") == 0)
		snprintf(out, len, "%s", str(p, "status"));
	else if (strcmp(k, "withdraw") == 0)
		snprintf(out, len, "withdraws %.16s", str(p, "target"));
	else if (strcmp(k, "decision") == 0)
		snprintf(out, len, "%s%s%s", str(p, "state"),
		    json_object_get(p, "phase") ? " " : "",
		    json_object_get(p, "phase") ? str(p, "phase") : "");
	else
		out[0] = '\0';
}

/* Verify one event; the reason of a failure in why. */
static bool
check_event(struct ver *v, const json_t *e, json_t **payload, char *why,
    size_t len)
{
	char reason[PROTO_REASON_MAX] = "", hex[KEY_ID_HEX_LEN + 1];
	char *t = env_text(e);
	struct envelope *env = NULL;
	struct event *ev = NULL;
	struct trust_answer a;
	enum proto_err pe;
	bool ok = false;

	pe = open_envelope(t ? t : "", t ? strlen(t) : 0, trust_index_lookup_pk,
	    v->idx, 0, &env, &ev, reason);
	if (pe == PROTO_E_UNKNOWN_KEY && env)
		snprintf(why, len, "signed by key %s, which no pinned root "
		    "certifies in this record (its key_cert is missing, or "
		    "signed by a root not pinned)",
		    encoding_hex_encode(env->keyid, KEY_ID_LEN, hex));
	else if (pe != PROTO_OK)
		snprintf(why, len, "%s: %s", proto_errname(pe), reason);
	else if (strcmp(envelope_id_hex(env, hex), str(e, "id")) != 0)
		snprintf(why, len, "the record calls it %s, but the envelope's "
		    "id is %s", str(e, "id"), hex);
	else if (!trust_index_lookup(v->idx, ev->key, ev->origin, ev->ts, &a))
		snprintf(why, len, "its key may not speak for operator %.16s at "
		    "%lld: %s", encoding_hex_encode(ev->origin, KEY_ID_LEN, hex),
		    ev->ts, trust_reason_text(a.reason));
	else {
		*payload = json_loadb(ev->payload, ev->payload_len, 0, NULL);
		ok = *payload != NULL;
	}
	event_free(ev);
	envelope_free(env);
	free(t);
	return ok;
}

static void
check_events(struct ver *v)
{
	const json_t *list = json_object_get(v->doc, "events"), *e;
	const char *zone = str(v->doc, "zone");
	char why[600], w[160];
	json_t *p;
	size_t i;

	json_array_foreach(list, i, e) {
		bool ok;
		p = NULL;
		why[0] = w[0] = '\0';
		ok = check_event(v, e, &p, why, sizeof(why));
		if (ok && json_object_get(p, "zone") &&
		    strcmp(str(p, "zone"), zone) != 0) {
			snprintf(why, sizeof(why), "it is about %s, not %s",
			    str(p, "zone"), zone);
			ok = false;
		}
		if (ok) {
			what(p, w, sizeof(w));
			json_object_set(v->good, str(e, "id"), p);
		} else
			problem(v, "event %s (%s) does not verify: %s",
			    str(e, "id"), str(e, "kind"), why);
		json_array_append_new(v->events, json_pack("{s:s,s:I,s:s,s:s,"
		    "s:s,s:b,s:s?}", "id", str(e, "id"), "ts",
		    (json_int_t)json_integer_value(json_object_get(ok ? p : e, "ts")),
		    "kind", str(ok ? p : e, "kind"), "origin",
		    str(ok ? p : e, "origin"), "what", w, "ok", ok,
		    "error", ok ? NULL : why));
		json_decref(p);
	}
}

/* Every event a verified decision names is here and verified; an
 * nta_recommended one names verified recommending assessments. */
static json_t *
check_decisions(struct ver *v)
{
	json_t *out = json_array(), *p, *op, *ev;
	const char *id;
	size_t i, j;

	json_object_foreach(v->good, id, p) {
		size_t recs = 0, named = 0;
		if (strcmp(str(p, "kind"), "decision") != 0)
			continue;
		json_array_foreach(json_object_get(p, "operators"), i, op) {
			json_array_foreach(json_object_get(op, "events"), j, ev) {
				const json_t *q = json_object_get(v->good,
				    json_string_value(ev) ? json_string_value(ev) : "");
				named++;
				if (q == NULL)
					problem(v, "decision %.16s names event %s, "
					    "which is not a verified event of this record",
					    id, json_string_value(ev) ?
					    json_string_value(ev) : "?");
				else if (strcmp(str(q, "kind"), "assessment") == 0 &&
				    json_is_true(json_object_get(q, "recommend_nta")))
					recs++;
			}
		}
		if (strcmp(str(p, "state"), "nta_recommended") == 0 && recs == 0)
			problem(v, "decision %.16s says nta_recommended but names no "
			    "verified assessment that recommends an NTA", id);
		json_array_append_new(out, json_pack("{s:s,s:O,s:s,s:O?,s:O?,"
		    "s:I,s:I}", "id", id, "ts", json_object_get(p, "ts"),
		    "state", str(p, "state"), "phase", json_object_get(p, "phase"),
		    "lifetime", json_object_get(p, "lifetime"),
		    "events_named", (json_int_t)named,
		    "recommending_assessments", (json_int_t)recs));
	}
	return out;
}

/* ------------------------------------------------------------ output */

static int
by_ts(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "ts"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "ts"));

	return x < y ? -1 : x > y;
}

static void
sort_by_ts(json_t *arr)
{
	size_t n = json_array_size(arr), i;
	json_t **v = calloc(n ? n : 1, sizeof(*v));

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(arr, i));
	qsort(v, n, sizeof(*v), by_ts);
	json_array_clear(arr);
	for (i = 0; i < n; i++)
		json_array_append_new(arr, v[i]);
	free(v);
}

static void
print_text(struct ver *v, const json_t *decs)
{
	const json_t *e, *last = NULL;
	char when[32];
	size_t i;

	printf("incident %s of %s (net %s), exported from %s\n",
	    str(v->doc, "incident"), str(v->doc, "zone"), str(v->doc, "net"),
	    str(json_object_get(v->doc, "relay"), "url"));
	json_array_foreach(v->events, i, e) {
		time_t t = (time_t)json_integer_value(json_object_get(e, "ts"));
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%SZ", gmtime(&t));
		printf("%s  %.16s  %-14s %s%s\n", when, str(e, "origin"),
		    str(e, "kind"), json_is_true(json_object_get(e, "ok")) ?
		    str(e, "what") : "DOES NOT VERIFY: ", json_is_true(
		    json_object_get(e, "ok")) ? "" : str(e, "error"));
	}
	json_array_foreach(decs, i, e)
		last = e;
	if (last)
		printf("decision: %s%s%s (the relay's last verified decision, "
		    "%s; %lld events named, %lld recommending assessments)\n",
		    str(last, "state"), json_object_get(last, "phase") ? " " : "",
		    json_object_get(last, "phase") ? str(last, "phase") : "",
		    str(last, "id"), (long long)json_integer_value(
		    json_object_get(last, "events_named")),
		    (long long)json_integer_value(json_object_get(last,
		    "recommending_assessments")));
	else
		printf("decision: none verified\n");
	json_array_foreach(v->problems, i, e)
		fprintf(stderr, "ntactl: incident verify: %s\n", json_string_value(e));
	printf("%s\n", json_array_size(v->problems) ? "NOT VERIFIED" : "verified");
}

static int
run(struct ver *v, char **pins, size_t npins, bool as_json)
{
	char reason[TRUSTDB_REASON_MAX];
	json_t *decs;
	int rc;

	if ((rc = open_db(v, pins, npins)) != CLI_OK ||
	    (rc = import_trust(v)) != CLI_OK)
		return rc;
	if (trust_index_build_from_db(v->db, &(struct trust_params){ 0 }, v->now,
	    &v->idx, reason) != TRUSTDB_OK) {
		cli_err("incident: trust index: %s", reason);
		return CLI_ERR;
	}
	check_events(v);
	decs = check_decisions(v);
	sort_by_ts(decs);
	if (json_array_size(json_object_get(v->doc, "missing")))
		problem(v, "the record says %zu named events were no longer held "
		    "by the relay (\"missing\")",
		    json_array_size(json_object_get(v->doc, "missing")));
	if (as_json) {
		json_t *o = json_pack("{s:b,s:O,s:O,s:O,s:o,s:O,s:O}",
		    "verified", json_array_size(v->problems) == 0,
		    "zone", json_object_get(v->doc, "zone"),
		    "incident", json_object_get(v->doc, "incident"),
		    "events", v->events, "decisions", decs,
		    "trust", v->trust, "problems", v->problems);
		char *s = o ? json_dumps(o, JSON_INDENT(1)) : NULL;
		if (s)
			printf("%s\n", s);
		free(s);
		json_decref(o);
	} else {
		print_text(v, decs);
		json_decref(decs);
	}
	return json_array_size(v->problems) ? CLI_NO : CLI_OK;
}

static void
cleanup(struct ver *v)
{
	char path[PATH_MAX + 32];

	trust_index_free(v->idx);
	trustdb_close(v->db);
	if (v->dir[0]) {
		static const char *const files[] = { "trust.db", "trust.db-wal",
		    "trust.db-shm", "trust.db-journal" };
		for (size_t i = 0; i < 4; i++) {
			snprintf(path, sizeof(path), "%s/%s", v->dir, files[i]);
			unlink(path);
		}
		rmdir(v->dir);
	}
	json_decref(v->events);
	json_decref(v->trust);
	json_decref(v->problems);
	json_decref(v->good);
}

int
incident_verify(int argc, char **argv)
{
	enum { O_PIN = 256, O_JSON, O_HELP };
	static const struct option opts[] = {
		{ "pin", required_argument, NULL, O_PIN },
		{ "json", no_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	char *pins[PINS_MAX], *buf = NULL;
	size_t npins = 0, len;
	bool as_json = false;
	struct ver v = { 0 };
	json_error_t jerr;
	json_t *doc;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_PIN:
			if (npins == PINS_MAX) {
				cli_err("incident: at most %d --pin", PINS_MAX);
				return CLI_ERR;
			}
			pins[npins++] = optarg;
			break;
		case O_JSON: as_json = true; break;
		case O_HELP: return cli_usage(usage_text, 1);
		default: return cli_usage(usage_text, 0);
		}
	}
	if (optind != argc - 1 || npins == 0)
		return cli_usage(usage_text, 0);
	if (cli_read_input(argv[optind], BUNDLE_MAX, &buf, &len) != 0)
		return CLI_ERR;
	doc = json_loadb(buf, len, 0, &jerr);
	free(buf);
	if (doc == NULL || strcmp(str(doc, "format"), BUNDLE_FORMAT) != 0 ||
	    json_integer_value(json_object_get(doc, "version")) != BUNDLE_VERSION ||
	    !json_is_array(json_object_get(doc, "events")) ||
	    !json_is_array(json_object_get(doc, "trust"))) {
		cli_err("incident: %s is not an incident record (format %s "
		    "version %d)%s%s", argv[optind], BUNDLE_FORMAT, BUNDLE_VERSION,
		    doc ? "" : ": ", doc ? "" : jerr.text);
		json_decref(doc);
		return CLI_ERR;
	}
	v.doc = doc;
	/* trust events are imported as of the export (a certificate that
	 * expired since still verifies what it signed then) */
	v.now = json_integer_value(json_object_get(doc, "exported_at"));
	if (v.now <= 0)
		v.now = (long long)time(NULL);
	v.events = json_array();
	v.trust = json_array();
	v.problems = json_array();
	v.good = json_object();
	rc = run(&v, pins, npins, as_json);
	cleanup(&v);
	json_decref(doc);
	return rc;
}
