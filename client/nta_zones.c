/*
 * client/nta_zones.c — read a relay's GET /v1/zones answer (see
 * nta_zones.h and docs/API.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "client/nta_zones.h"
#include "proto/kind.h"

/* The states of docs/RATIONALE.md §6; others count as not recommended. */
static const char *const nta_zones_states[] = {
	"clear", "observed", "nta_recommended", "vetoed",
	"inconsistent_evidence", "resolved",
};

static bool
nta_zones_hex64(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

/* An optional member: absent or null is fine, else it must be an integer
 * in [lo, hi]. */
static bool
nta_zones_opt_int(const json_t *o, const char *name, long long lo, long long hi)
{
	const json_t *j = json_object_get(o, name);

	if (j == NULL || json_is_null(j))
		return true;
	return json_is_integer(j) && json_integer_value(j) >= lo &&
	    json_integer_value(j) <= hi;
}

static int
nta_zones_cmp(const void *a, const void *b)
{
	return strcmp(((const struct nta_decision *)a)->zone,
	    ((const struct nta_decision *)b)->zone);
}

/* The members only shown or used for a note, never a reason to refuse
 * the answer: the phase, the incident's id (lowercase hex, else left
 * out). */
static void
nta_zones_extra(const json_t *e, struct nta_decision *d)
{
	const json_t *inc = json_object_get(e, "incident");
	const json_t *id = json_object_get(inc, "id");
	const char *s = json_string_value(id);

	d->recovering = json_is_string(json_object_get(e, "phase")) &&
	    strcmp(json_string_value(json_object_get(e, "phase")),
	    "recovering") == 0;
	if (s != NULL && s[0] != '\0' && strlen(s) <= NTA_INCIDENT_MAX &&
	    strspn(s, "0123456789abcdef") == strlen(s))
		snprintf(d->incident, sizeof(d->incident), "%s", s);
}

/* Check one element of "zones" into d; NULL, or what is wrong with it. */
static const char *
nta_zones_one(const json_t *e, struct nta_decision *d)
{
	const json_t *z = json_object_get(e, "zone"), *st, *fp, *f, *rs;
	const json_t *lt, *nu;
	const char *s;
	size_t i, n;

	if (!json_is_object(e))
		return "an element of \"zones\" is not an object";
	if (!json_is_string(z) || !zone_name_valid(json_string_value(z),
	    json_string_length(z), NULL))
		return "\"zone\" is not a valid zone name (lowercase, ending in a dot)";
	snprintf(d->zone, sizeof(d->zone), "%s", json_string_value(z));
	st = json_object_get(e, "state");
	if (!json_is_string(st))
		return "\"state\" is not a string";
	s = json_string_value(st);
	n = json_string_length(st);
	if (n == 0 || n > NTA_STATE_NAME_MAX ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyz_") != n)
		return "\"state\" is not a state name";
	snprintf(d->state, sizeof(d->state), "%s", s);
	d->recommended = strcmp(s, "nta_recommended") == 0;
	nta_zones_extra(e, d);
	if (!nta_zones_opt_int(e, "since", 0, KIND_TIME_MAX) ||
	    !nta_zones_opt_int(e, "changed", 0, KIND_TIME_MAX) ||
	    !nta_zones_opt_int(e, "recommending", 0, 1000000) ||
	    !nta_zones_opt_int(e, "observing", 0, 1000000) ||
	    !nta_zones_opt_int(e, "quorum", 0, 1000000))
		return "\"since\", \"changed\", \"recommending\", \"observing\" or "
		    "\"quorum\" is not a number in range";
	fp = json_object_get(e, "fingerprints");
	if (fp != NULL && !json_is_null(fp)) {
		if (!json_is_array(fp))
			return "\"fingerprints\" is not a list";
		/* a string, or an object naming it with what it counts
		 * ({"fingerprint": HEX, "operators": N}) */
		json_array_foreach(fp, i, f) {
			const json_t *h = json_is_object(f) ?
			    json_object_get(f, "fingerprint") : f;
			if (!json_is_string(h) || !nta_zones_hex64(json_string_value(h)))
				return "a fingerprint is not 64 lowercase hex digits";
		}
	}
	rs = json_object_get(e, "reason");
	if (rs != NULL && !json_is_null(rs) && !json_is_string(rs))
		return "\"reason\" is not a string";
	if (json_is_string(rs)) {
		s = json_string_value(rs);
		for (i = 0; s[i] && i + 1 < sizeof(d->reason); i++)
			d->reason[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ?
			    '?' : s[i];
		/* never cut a UTF-8 sequence in two */
		if (s[i] != '\0')
			while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
				i--;
		d->reason[i] = '\0';
	}
	lt = json_object_get(e, "lifetime");
	nu = json_object_get(e, "nta_until");
	/* 0 is a lifetime that has ended: nothing to add, ours removed */
	if (!nta_zones_opt_int(e, "lifetime", 0, NTA_DECISION_LIFETIME_MAX))
		return "\"lifetime\" is not a number of seconds in range";
	if (!nta_zones_opt_int(e, "nta_until", 0, KIND_TIME_MAX))
		return "\"nta_until\" is not a time in range";
	if (d->recommended) {
		if (!json_is_integer(lt) || !json_is_integer(nu))
			return "nta_recommended without \"lifetime\" and \"nta_until\"";
		d->lifetime = (long long)json_integer_value(lt);
		d->nta_until = (long long)json_integer_value(nu);
	} else if ((lt != NULL && !json_is_null(lt)) ||
	    (nu != NULL && !json_is_null(nu)))
		return "\"lifetime\" or \"nta_until\" set for a zone that is not "
		    "nta_recommended";
	return NULL;
}

int
nta_answer_parse(const char *body, size_t len, struct nta_answer *a,
    char *why, size_t whylen)
{
	const json_t *zones, *e, *now, *count, *relay;
	json_error_t jerr;
	json_t *root = NULL;
	const char *bad;
	size_t i;
	int rc = -1;

	memset(a, 0, sizeof(*a));
	if ((root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		snprintf(why, whylen, "not JSON (line %d: %s)", jerr.line, jerr.text);
		return -1;
	}
	zones = json_object_get(root, "zones");
	now = json_object_get(root, "now");
	count = json_object_get(root, "count");
	relay = json_object_get(root, "relay");
	if (!json_is_object(root) || !json_is_array(zones)) {
		snprintf(why, whylen, "no \"zones\" list");
		goto out;
	}
	if (!json_is_integer(now) || json_integer_value(now) < 1 ||
	    json_integer_value(now) > KIND_TIME_MAX) {
		snprintf(why, whylen, "\"now\" is not a time in range");
		goto out;
	}
	if (count != NULL && (!json_is_integer(count) ||
	    json_integer_value(count) != (json_int_t)json_array_size(zones))) {
		snprintf(why, whylen, "\"count\" is not the number of zones listed");
		goto out;
	}
	if (relay != NULL && !json_is_null(relay) && (!json_is_string(relay) ||
	    !nta_zones_hex64(json_string_value(relay)))) {
		snprintf(why, whylen, "\"relay\" is not 64 lowercase hex digits");
		goto out;
	}
	if (json_array_size(zones) > NTA_ZONES_MAX) {
		snprintf(why, whylen, "more than %d zones", NTA_ZONES_MAX);
		goto out;
	}
	a->now = (long long)json_integer_value(now);
	if (json_array_size(zones) > 0 &&
	    (a->v = calloc(json_array_size(zones), sizeof(*a->v))) == NULL) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	json_array_foreach(zones, i, e) {
		if ((bad = nta_zones_one(e, &a->v[i])) != NULL) {
			snprintf(why, whylen, "zone %zu%s%s%s: %s", i + 1,
			    a->v[i].zone[0] ? " (" : "", a->v[i].zone,
			    a->v[i].zone[0] ? ")" : "", bad);
			goto out;
		}
		a->n++;
	}
	if (a->n > 1)
		qsort(a->v, a->n, sizeof(*a->v), nta_zones_cmp);
	for (i = 1; i < a->n; i++)
		if (strcmp(a->v[i - 1].zone, a->v[i].zone) == 0) {
			snprintf(why, whylen, "zone %s is listed twice", a->v[i].zone);
			goto out;
		}
	rc = 0;
out:
	if (rc != 0)
		nta_answer_free(a);
	json_decref(root);
	return rc;
}

const struct nta_decision *
nta_answer_find(const struct nta_answer *a, const char *zone)
{
	struct nta_decision key;

	if (a->n == 0)
		return NULL;
	snprintf(key.zone, sizeof(key.zone), "%s", zone);
	return bsearch(&key, a->v, a->n, sizeof(*a->v), nta_zones_cmp);
}

void
nta_answer_free(struct nta_answer *a)
{
	if (a == NULL)
		return;
	free(a->v);
	memset(a, 0, sizeof(*a));
}

bool
nta_zones_state_known(const char *state)
{
	for (size_t i = 0; i < sizeof(nta_zones_states) / sizeof(nta_zones_states[0]); i++)
		if (strcmp(state, nta_zones_states[i]) == 0)
			return true;
	return false;
}
