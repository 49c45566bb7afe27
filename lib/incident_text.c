/*
 * lib/incident_text.c — the words about an incident; see incident_text.h.
 */
#include <stdio.h>
#include <string.h>

#include "lib/incident_text.h"

static bool
it_int(const json_t *o, const char *k, long long *out)
{
	json_t *v = json_object_get(o, k);

	if (!json_is_integer(v))
		return false;
	*out = (long long)json_integer_value(v);
	return true;
}

static bool
it_is(const json_t *o, const char *k, const char *want)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) && strcmp(json_string_value(v), want) == 0;
}

const json_t *
incident_text_incident(const json_t *doc)
{
	json_t *inc = json_object_get(doc, "incident");

	return json_is_object(inc) && json_is_string(json_object_get(inc, "id")) ?
	    inc : NULL;
}

const char *
incident_text_id(const json_t *doc)
{
	const json_t *inc = incident_text_incident(doc);

	return inc ? json_string_value(json_object_get(inc, "id")) : NULL;
}

bool
incident_text_syncing(const json_t *doc)
{
	return json_is_true(json_object_get(doc, "syncing"));
}

bool
incident_text_recovery(const json_t *doc, char *out, size_t len)
{
	const json_t *rec = json_object_get(doc, "recovery");
	long long v, m, e, w, f = 0;
	int n;

	out[0] = '\0';
	if (!json_is_object(rec) || !it_is(doc, "phase", "recovering") ||
	    !it_int(rec, "validating", &v) || !it_int(rec, "needed", &m) ||
	    !it_int(rec, "elapsed", &e) || !it_int(rec, "window", &w))
		return false;
	/* progress toward the M needed: more than M validating is M of M */
	n = snprintf(out, len, "validating again: %lld of %lld operator%s, "
	    "%lld s of %lld s", v < m ? v : m, m, m == 1 ? "" : "s", e, w);
	if (it_int(rec, "still_failing", &f) && f > 0 && n > 0 &&
	    (size_t)n < len)
		snprintf(out + n, len - (size_t)n, "; %lld operator%s still see%s "
		    "the failure", f, f == 1 ? "" : "s", f == 1 ? "s" : "");
	return true;
}

const char *
incident_text_phase(const json_t *doc, char *out, size_t len)
{
	const json_t *inc = incident_text_incident(doc);
	long long relapses = 0;

	out[0] = '\0';
	if (!it_is(doc, "state", "nta_recommended"))
		return out;
	if (it_is(doc, "phase", "recovering"))
		snprintf(out, len, "recovering");
	else if (it_is(doc, "phase", "failing") && inc &&
	    it_int(inc, "relapses", &relapses) && relapses > 0)
		snprintf(out, len, "failing again (%lld relapse%s)", relapses,
		    relapses == 1 ? "" : "s");
	return out;
}

/* Is role name in the vote's roles? */
static bool
it_role(const json_t *vote, const char *name)
{
	json_t *r;
	size_t i;

	json_array_foreach(json_object_get(vote, "roles"), i, r)
		if (json_is_string(r) && strcmp(json_string_value(r), name) == 0)
			return true;
	return false;
}

long
incident_text_unreachable(const json_t *doc, const char **ops, size_t max,
    size_t *nops)
{
	json_t *v;
	long long count;
	size_t i;

	*nops = 0;
	json_array_foreach(json_object_get(doc, "operators"), i, v) {
		const char *id = json_string_value(json_object_get(v, "vote"));
		/* as the count: a vote none of whose vantage points got an
		 * answer to judge */
		if (id == NULL || !it_role(v, "unreachable") ||
		    it_role(v, "observes") || it_role(v, "validating"))
			continue;
		if (*nops < max)
			ops[(*nops)++] = id;
	}
	if (it_int(doc, "unreachable", &count) && count >= 0)
		return (long)count;
	return (long)*nops;
}

bool
incident_text_say_unreachable(const json_t *doc, const char *lead,
    size_t max, void (*put)(void *arg, const char *text, const char *op),
    void *arg)
{
	const char *ops[INCIDENT_TEXT_OPS_MAX];
	char num[48];
	size_t n;
	long count;

	if (max > INCIDENT_TEXT_OPS_MAX)
		max = INCIDENT_TEXT_OPS_MAX;
	if ((count = incident_text_unreachable(doc, ops, max, &n)) <= 0)
		return false;
	put(arg, lead ? lead : "unreachable from ", NULL);
	if (n == 0) {
		snprintf(num, sizeof(num), "%ld operator%s", count, count == 1 ?
		    "" : "s");
		put(arg, num, NULL);
	}
	for (size_t i = 0; i < n; i++) {
		if (i)
			put(arg, ", ", NULL);
		put(arg, NULL, ops[i]);
	}
	if (n > 0 && (long)n < count) {
		snprintf(num, sizeof(num), " and %ld more", count - (long)n);
		put(arg, num, NULL);
	}
	put(arg, " (no answer to judge: not a failure)", NULL);
	return true;
}

const char *
incident_text_why_not(const json_t *e)
{
	if (json_is_true(json_object_get(e, "withdrawn")))
		return "withdrawn";
	if (json_is_false(json_object_get(e, "counts")))
		return "not a current member's key";
	if (json_is_false(json_object_get(e, "bound")))
		return "judged another incident or failure";
	if (it_is(e, "kind", "zone_statement"))
		return "its operator does not speak for the zone";
	return "not a current member's key";
}
