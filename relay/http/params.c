/*
 * relay/http/params.c — validating the HTTP API's query parameters
 * (relay/http/params.h).
 */
#include <stdio.h>
#include <string.h>

#include "proto/kind.h"
#include "proto/zone.h"
#include "relay/http/params.h"

struct http_params {
	struct http_events_query *q;
	unsigned seen;               /* bit per known parameter */
	char *err;                   /* first problem; "" = none */
};

/* A decimal integer without sign, spaces or leading zeros, lo..hi. */
static bool
http_parse_int(const char *s, long long lo, long long hi, long long *out)
{
	long long v = 0;
	size_t i;

	if (s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
		return false;
	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 18)
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* The value of known parameter i (0 zone, 1 kind, 2 since, 3 limit). */
static bool
http_param_value(struct http_params *p, unsigned i, const char *value)
{
	const char *why = NULL;
	long long v;

	switch (i) {
	case 0:
		if (zone_name_normalise(value, p->q->zone, &why) == 0)
			return true;
		snprintf(p->err, HTTP_MESSAGE_MAX,
		    "parameter 'zone': not a domain name (%s)",
		    why ? why : "invalid");
		return false;
	case 1:
		if ((p->q->kind = kind_from_name(value)) != KIND__COUNT)
			return true;
		snprintf(p->err, HTTP_MESSAGE_MAX,
		    "parameter 'kind': not a message kind (observation, "
		    "assessment, zone_statement, withdraw, vouch, unvouch, "
		    "key_cert, key_revoke, heartbeat, decision)");
		return false;
	case 2:
		if (http_parse_int(value, 0, KIND_TIME_MAX, &v)) {
			p->q->since = v;
			return true;
		}
		snprintf(p->err, HTTP_MESSAGE_MAX,
		    "parameter 'since': must be a unix time in seconds, "
		    "0..%lld", KIND_TIME_MAX);
		return false;
	default:
		if (http_parse_int(value, 1, HTTP_EVENTS_LIMIT_MAX, &v)) {
			p->q->limit = (int)v;
			return true;
		}
		snprintf(p->err, HTTP_MESSAGE_MAX,
		    "parameter 'limit': must be an integer, 1..%d",
		    HTTP_EVENTS_LIMIT_MAX);
		return false;
	}
}

static enum MHD_Result
http_param(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	static const char *const names[] = { "zone", "kind", "since", "limit" };
	struct http_params *p = cls;
	char shown[80];
	unsigned i;

	(void)kind;
	if (p->err[0])
		return MHD_NO;
	http_sanitise(key, shown, sizeof(shown));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(key, names[i]) == 0)
			break;
	if (i == sizeof(names) / sizeof(names[0])) {
		snprintf(p->err, HTTP_MESSAGE_MAX,
		    "unknown parameter '%s' (known: zone, kind, since, limit)", shown);
		return MHD_NO;
	}
	if (p->seen & (1u << i)) {
		snprintf(p->err, HTTP_MESSAGE_MAX, "parameter '%s' given twice",
		    shown);
		return MHD_NO;
	}
	p->seen |= 1u << i;
	if (value == NULL || value[0] == '\0') {
		snprintf(p->err, HTTP_MESSAGE_MAX, "parameter '%s' needs a value",
		    shown);
		return MHD_NO;
	}
	return http_param_value(p, i, value) ? MHD_YES : MHD_NO;
}

/* Any query parameter on a route that takes none is a 400 as well. */
static enum MHD_Result
http_param_none(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct http_params *p = cls;
	char shown[80];

	(void)kind;
	(void)value;
	http_sanitise(key, shown, sizeof(shown));
	snprintf(p->err, HTTP_MESSAGE_MAX,
	    "unknown parameter '%s' (this path takes none)", shown);
	return MHD_NO;
}

bool
http_params_events(struct MHD_Connection *con, struct http_events_query *q,
    char err[HTTP_MESSAGE_MAX])
{
	struct http_params p = { .q = q, .err = err };

	*q = (struct http_events_query){ .zone = "", .kind = KIND__COUNT,
	    .since = 0, .limit = HTTP_EVENTS_LIMIT_DEFAULT };
	err[0] = '\0';
	MHD_get_connection_values(con, MHD_GET_ARGUMENT_KIND, http_param, &p);
	return err[0] == '\0';
}

bool
http_params_none(struct MHD_Connection *con, char err[HTTP_MESSAGE_MAX])
{
	struct http_params p = { .err = err };

	err[0] = '\0';
	MHD_get_connection_values(con, MHD_GET_ARGUMENT_KIND, http_param_none,
	    &p);
	return err[0] == '\0';
}
