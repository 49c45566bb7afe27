/*
 * proto/event.c — payload parsing and the semantic checks that tables
 * cannot express.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/encoding.h"
#include "proto/event.h"
#include "proto/fingerprint.h"
#include "proto/jsonutil.h"

void
event_free(struct event *ev)
{
	if (ev == NULL)
		return;
	json_decref(ev->payload);
	free(ev);
}

enum proto_err
event_check_net(const struct event *ev, const char *net, char *reason)
{
	if (strcmp(ev->net, net) != 0)
		return proto_fail(reason, PROTO_E_WRONG_NET,
		    "field 'net': event of federation '%s', this is '%.63s'",
		    ev->net, net);
	return PROTO_OK;
}

const char *
event_str(const struct event *ev, const char *field)
{
	return json_string_value(json_object_get(ev->payload, field));
}

long long
event_int(const struct event *ev, const char *field)
{
	return json_integer_value(json_object_get(ev->payload, field));
}

bool
event_bool(const struct event *ev, const char *field)
{
	return json_is_true(json_object_get(ev->payload, field));
}

static void
get_id(json_t *obj, const char *field, unsigned char out[KEY_ID_LEN])
{
	encoding_hex_decode(json_string_value(json_object_get(obj, field)), out,
	    KEY_ID_LEN);
}

/* subject must be the key id of subject_key. */
static enum proto_err
check_subject_key(const struct event *ev, char *reason)
{
	unsigned char pk[KEY_PUBLIC_LEN], id[KEY_ID_LEN], subject[KEY_ID_LEN];
	const char *b64 = event_str(ev, "subject_key");
	size_t n;

	encoding_b64_decode(b64, strlen(b64), pk, sizeof(pk), &n);
	key_id_of(pk, id);
	get_id(ev->payload, "subject", subject);
	if (memcmp(id, subject, KEY_ID_LEN) != 0)
		return proto_fail(reason, PROTO_E_FIELD_VALUE,
		    "field 'subject': is not the key id of 'subject_key'");
	return PROTO_OK;
}

/* qname and every RRSIG owner must be the zone or below it. */
static enum proto_err
check_names_in_zone(const struct event *ev, char *reason)
{
	json_t *rrsigs = json_object_get(json_object_get(ev->payload, "evidence"),
	    "rrsigs"), *r;
	size_t i;

	if (!zone_name_in(event_str(ev, "qname"), ev->zone))
		return proto_fail(reason, PROTO_E_BAD_ZONE,
		    "field 'qname': not in zone %s", ev->zone);
	json_array_foreach(rrsigs, i, r)
		if (!zone_name_in(json_string_value(json_object_get(r, "owner")),
		    ev->zone))
			return proto_fail(reason, PROTO_E_BAD_ZONE,
			    "field 'evidence.rrsigs[%zu].owner': not in zone %s",
			    i, ev->zone);
	return PROTO_OK;
}

/* subject_name, where present, follows the key name rules. */
static enum proto_err
check_subject_name(const struct event *ev, char *reason)
{
	const char *name = event_str(ev, "subject_name");

	if (name != NULL && !key_name_valid(name))
		return proto_fail(reason, PROTO_E_FIELD_VALUE,
		    "field 'subject_name': use 1-%d of A-Z a-z 0-9 . _ @ -",
		    KEY_NAME_MAX);
	return PROTO_OK;
}

static enum proto_err
check_kind(const struct event *ev, char *reason)
{
	unsigned char fp[FINGERPRINT_LEN], claimed[FINGERPRINT_LEN];
	const char *state, *verdict;
	enum proto_err e;
	json_t *jfp;

	switch (ev->kind) {
	case KIND_OBSERVATION:
		state = event_str(ev, "state");
		jfp = json_object_get(ev->payload, "fingerprint");
		if ((e = check_names_in_zone(ev, reason)) != PROTO_OK)
			return e;
		if (strcmp(state, "bogus") != 0) {
			/* Only a bogus answer carries data to fingerprint; an
			 * outage (indeterminate) must not look like agreement. */
			if (!json_is_null(jfp))
				return proto_fail(reason, PROTO_E_FIELD_VALUE,
				    "field 'fingerprint': must be null when state is %s",
				    state);
			return PROTO_OK;
		}
		if (json_is_null(jfp))
			return proto_fail(reason, PROTO_E_FIELD_VALUE,
			    "field 'fingerprint': required when state is %s", state);
		if (fingerprint_compute(ev->zone, json_object_get(ev->payload,
		    "evidence"), fp) != PROTO_OK)
			return proto_fail(reason, PROTO_E_NOMEM, "out of memory");
		encoding_hex_decode(json_string_value(jfp), claimed, sizeof(claimed));
		if (memcmp(fp, claimed, sizeof(fp)) != 0)
			return proto_fail(reason, PROTO_E_FINGERPRINT_MISMATCH,
			    "field 'fingerprint': does not match the evidence");
		return PROTO_OK;
	case KIND_ASSESSMENT:
		verdict = event_str(ev, "verdict");
		if (event_bool(ev, "recommend_nta")) {
			if (strcmp(verdict, "accident") != 0 &&
			    strcmp(verdict, "likely_accident") != 0)
				return proto_fail(reason, PROTO_E_FIELD_VALUE,
				    "field 'recommend_nta': true needs verdict "
				    "accident or likely_accident, not %s", verdict);
			if (strcmp(ev->zone, ".") == 0)
				return proto_fail(reason, PROTO_E_FIELD_VALUE,
				    "field 'recommend_nta': never for the root zone");
		}
		return PROTO_OK;
	case KIND_VOUCH: {
		unsigned char subject[KEY_ID_LEN];
		get_id(ev->payload, "subject", subject);
		if (memcmp(subject, ev->origin, KEY_ID_LEN) == 0)
			return proto_fail(reason, PROTO_E_FIELD_VALUE,
			    "field 'subject': an operator cannot vouch for itself");
		if ((e = check_subject_name(ev, reason)) != PROTO_OK)
			return e;
		return check_subject_key(ev, reason);
	}
	case KIND_UNVOUCH: {
		unsigned char subject[KEY_ID_LEN];
		get_id(ev->payload, "subject", subject);
		if (memcmp(subject, ev->origin, KEY_ID_LEN) == 0)
			return proto_fail(reason, PROTO_E_FIELD_VALUE,
			    "field 'subject': an operator cannot unvouch itself");
		return PROTO_OK;
	}
	case KIND_KEY_CERT:
		if (event_int(ev, "not_after") <= event_int(ev, "not_before"))
			return proto_fail(reason, PROTO_E_BAD_TIMESTAMPS,
			    "field 'not_after': must be after not_before");
		if (event_int(ev, "not_after") - event_int(ev, "not_before") >
		    KIND_CERT_LIFETIME_MAX)
			return proto_fail(reason, PROTO_E_LIFETIME_TOO_LONG,
			    "field 'not_after': a certificate is valid for at most "
			    "184 days");
		if (ev->exp != event_int(ev, "not_after"))
			return proto_fail(reason, PROTO_E_BAD_TIMESTAMPS,
			    "field 'exp': must equal not_after");
		{
			unsigned char subject[KEY_ID_LEN];
			get_id(ev->payload, "subject", subject);
			if (memcmp(subject, ev->origin, KEY_ID_LEN) == 0)
				return proto_fail(reason, PROTO_E_FIELD_VALUE,
				    "field 'subject': a root key cannot certify itself");
		}
		if ((e = check_subject_name(ev, reason)) != PROTO_OK)
			return e;
		return check_subject_key(ev, reason);
	case KIND_KEY_REVOKE: {
		unsigned char subject[KEY_ID_LEN];
		get_id(ev->payload, "subject", subject);
		if (memcmp(subject, ev->key, KEY_ID_LEN) != 0 &&
		    memcmp(ev->key, ev->origin, KEY_ID_LEN) != 0)
			return proto_fail(reason, PROTO_E_ORIGIN_MISMATCH,
			    "key_revoke must be signed by the revoked key itself "
			    "or by the origin's root key");
		return PROTO_OK;
	}
	case KIND_DECISION: {
		bool nta = strcmp(event_str(ev, "state"), "nta_recommended") == 0;
		bool has = json_is_integer(json_object_get(ev->payload, "lifetime"));
		if (nta != has)
			return proto_fail(reason, PROTO_E_FIELD_VALUE,
			    "field 'lifetime': %s", nta ?
			    "required when state is nta_recommended" :
			    "must be null unless state is nta_recommended");
		if (nta && event_int(ev, "lifetime") < 60)
			return proto_fail(reason, PROTO_E_FIELD_VALUE,
			    "field 'lifetime': an NTA lasts at least 60 seconds");
		return PROTO_OK;
	}
	default:
		return PROTO_OK;
	}
}

static enum proto_err
parse_header(struct event *ev, const struct envelope *env, char *reason)
{
	json_t *p = ev->payload, *v, *refs;
	enum kind k;
	size_t i;
	enum proto_err e;

	/* Version and kind first: they decide which tables apply. */
	v = json_object_get(p, "v");
	if (v == NULL)
		return proto_fail(reason, PROTO_E_MISSING_FIELD, "field 'v' is required");
	if (!json_is_integer(v) || json_integer_value(v) != 1)
		return proto_fail(reason, PROTO_E_UNSUPPORTED_VERSION,
		    "field 'v': only version 1 is supported");
	v = json_object_get(p, "kind");
	if (v == NULL)
		return proto_fail(reason, PROTO_E_MISSING_FIELD, "field 'kind' is required");
	if (!json_is_string(v))
		return proto_fail(reason, PROTO_E_FIELD_TYPE,
		    "field 'kind': must be a string");
	if ((k = kind_from_name(json_string_value(v))) == KIND__COUNT)
		return proto_fail(reason, PROTO_E_UNKNOWN_KIND,
		    "field 'kind': '%.32s' is not a protocol v1 kind",
		    json_string_value(v));
	if (kind_from_payload_type(env->payload_type) != k)
		return proto_fail(reason, PROTO_E_TYPE_MISMATCH,
		    "payloadType '%.80s' does not match kind '%s'",
		    env->payload_type, kind_name(k));
	ev->kind = k;

	if ((e = schema_check(p, kind_header_fields, kind_fields(k), "", reason)) != PROTO_OK)
		return e;

	snprintf(ev->net, sizeof(ev->net), "%s", json_string_value(json_object_get(p, "net")));
	get_id(p, "origin", ev->origin);
	get_id(p, "key", ev->key);
	ev->seq = json_integer_value(json_object_get(p, "seq"));
	v = json_object_get(p, "prev");
	if ((ev->has_prev = json_is_string(v)))
		get_id(p, "prev", ev->prev);
	ev->ts = json_integer_value(json_object_get(p, "ts"));
	v = json_object_get(p, "exp");
	if ((ev->has_exp = json_is_integer(v)))
		ev->exp = json_integer_value(v);
	refs = json_object_get(p, "refs");
	ev->nrefs = json_array_size(refs);
	for (i = 0; i < ev->nrefs; i++)
		encoding_hex_decode(json_string_value(json_array_get(refs, i)),
		    ev->refs[i], KEY_ID_LEN);
	if (kind_has_zone(k))
		snprintf(ev->zone, sizeof(ev->zone), "%s",
		    json_string_value(json_object_get(p, "zone")));

	if (memcmp(ev->key, env->keyid, KEY_ID_LEN) != 0)
		return proto_fail(reason, PROTO_E_KEY_MISMATCH,
		    "field 'key': differs from the envelope's keyid");
	if (kind_root_only(k) && memcmp(ev->key, ev->origin, KEY_ID_LEN) != 0)
		return proto_fail(reason, PROTO_E_ORIGIN_MISMATCH,
		    "%s must be signed by the origin's root key (key == origin)",
		    kind_name(k));
	if (ev->seq == 1 && ev->has_prev)
		return proto_fail(reason, PROTO_E_FIELD_VALUE,
		    "field 'prev': must be null when seq is 1");
	if (ev->seq > 1 && !ev->has_prev)
		return proto_fail(reason, PROTO_E_FIELD_VALUE,
		    "field 'prev': required when seq is above 1");
	if (k == KIND_KEY_REVOKE) {
		if (ev->has_exp)
			return proto_fail(reason, PROTO_E_BAD_TIMESTAMPS,
			    "field 'exp': must be null, a key_revoke never expires");
	} else {
		if (!ev->has_exp)
			return proto_fail(reason, PROTO_E_BAD_TIMESTAMPS,
			    "field 'exp': required for %s", kind_name(k));
		if (ev->exp <= ev->ts)
			return proto_fail(reason, PROTO_E_BAD_TIMESTAMPS,
			    "field 'exp': must be after ts");
	}
	return PROTO_OK;
}

enum proto_err
event_parse(const struct envelope *env, struct event **out, char *reason)
{
	struct event *ev;
	enum proto_err e;

	*out = NULL;
	if (kind_from_payload_type(env->payload_type) == KIND__COUNT)
		return proto_fail(reason, PROTO_E_BAD_PAYLOAD_TYPE,
		    "payloadType '%.80s' is not an ntarelay v1 type "
		    "(application/vnd.ntarelay.<kind>.v1+json)", env->payload_type);
	if ((ev = calloc(1, sizeof(*ev))) == NULL)
		return proto_fail(reason, PROTO_E_NOMEM, "out of memory");
	e = jsonutil_load((const char *)env->payload, env->payload_len,
	    PROTO_E_MALFORMED_PAYLOAD, "payload", &ev->payload, reason);
	if (e != PROTO_OK)
		goto out;
	if ((e = parse_header(ev, env, reason)) != PROTO_OK)
		goto out;
	if ((e = check_kind(ev, reason)) != PROTO_OK)
		goto out;
	memcpy(ev->id, env->id, KEY_ID_LEN);
	*out = ev;
	ev = NULL;
out:
	event_free(ev);
	return e;
}
