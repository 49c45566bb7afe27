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

void
event_free(struct event *ev)
{
	if (ev == NULL)
		return;
	pjson_free(&ev->doc);
	free(ev->payload);
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

int
event_field(const struct event *ev, const char *field)
{
	return pjson_get(&ev->doc, 0, field);
}

const char *
event_str(const struct event *ev, const char *field)
{
	return pjson_str(&ev->doc, event_field(ev, field));
}

long long
event_int(const struct event *ev, const char *field)
{
	return pjson_int(&ev->doc, event_field(ev, field));
}

bool
event_bool(const struct event *ev, const char *field)
{
	int v = event_field(ev, field);
	return v >= 0 && pjson_type(&ev->doc, v) == PJSON_TRUE;
}

json_t *
event_payload_json(const struct event *ev)
{
	return json_loadb(ev->payload, ev->payload_len, JSON_REJECT_DUPLICATES, NULL);
}

/* A validated id field into out. */
static void
get_id(const struct event *ev, const char *field, unsigned char out[KEY_ID_LEN])
{
	encoding_hex_decode(event_str(ev, field), out, KEY_ID_LEN);
}

/* subject must be the key id of subject_key. */
static enum proto_err
check_subject_key(const struct event *ev, char *reason)
{
	unsigned char pk[KEY_PUBLIC_LEN], id[KEY_ID_LEN], subject[KEY_ID_LEN];
	const char *b64 = event_str(ev, "subject_key");
	size_t n;

	encoding_b64_decode_public(b64, strlen(b64), pk, sizeof(pk), &n);
	key_id_of(pk, id);
	get_id(ev, "subject", subject);
	if (memcmp(id, subject, KEY_ID_LEN) != 0)
		return proto_fail(reason, PROTO_E_FIELD_VALUE,
		    "field 'subject': is not the key id of 'subject_key'");
	return PROTO_OK;
}

/* subject must not be the origin itself. */
static enum proto_err
check_subject_not_origin(const struct event *ev, const char *what, char *reason)
{
	unsigned char subject[KEY_ID_LEN];

	get_id(ev, "subject", subject);
	if (memcmp(subject, ev->origin, KEY_ID_LEN) == 0)
		return proto_fail(reason, PROTO_E_FIELD_VALUE, "field 'subject': %s",
		    what);
	return PROTO_OK;
}

/* qname and every RRSIG owner must be the zone or below it. */
static enum proto_err
check_names_in_zone(const struct event *ev, char *reason)
{
	const struct pjson_doc *d = &ev->doc;
	int rrsigs = pjson_get(d, event_field(ev, "evidence"), "rrsigs");
	size_t i = 0;

	if (!zone_name_in(event_str(ev, "qname"), ev->zone))
		return proto_fail(reason, PROTO_E_BAD_ZONE,
		    "field 'qname': not in zone %s", ev->zone);
	for (int r = pjson_first(d, rrsigs); r >= 0; r = pjson_next(d, rrsigs, r), i++)
		if (!zone_name_in(pjson_str(d, pjson_get(d, r, "owner")), ev->zone))
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
check_observation(const struct event *ev, char *reason)
{
	unsigned char fp[FINGERPRINT_LEN], claimed[FINGERPRINT_LEN];
	const char *state = event_str(ev, "state");
	int jfp = event_field(ev, "fingerprint");
	enum proto_err e;

	if ((e = check_names_in_zone(ev, reason)) != PROTO_OK)
		return e;
	if (strcmp(state, "bogus") != 0) {
		/* Only a bogus answer carries data to fingerprint; an outage
		 * (indeterminate) must not look like agreement. */
		if (pjson_type(&ev->doc, jfp) != PJSON_NULL)
			return proto_fail(reason, PROTO_E_FIELD_VALUE,
			    "field 'fingerprint': must be null when state is %s", state);
		return PROTO_OK;
	}
	if (pjson_type(&ev->doc, jfp) == PJSON_NULL)
		return proto_fail(reason, PROTO_E_FIELD_VALUE,
		    "field 'fingerprint': required when state is bogus");
	if (fingerprint_compute_doc(ev->zone, &ev->doc, event_field(ev, "evidence"),
	    fp) != PROTO_OK)
		return proto_fail(reason, PROTO_E_INVALID_ARG, "too many rrsigs");
	encoding_hex_decode(pjson_str(&ev->doc, jfp), claimed, sizeof(claimed));
	if (memcmp(fp, claimed, sizeof(fp)) != 0)
		return proto_fail(reason, PROTO_E_FINGERPRINT_MISMATCH,
		    "field 'fingerprint': does not match the evidence");
	return PROTO_OK;
}

static enum proto_err
check_kind(const struct event *ev, char *reason)
{
	const char *verdict;
	enum proto_err e;

	switch (ev->kind) {
	case KIND_OBSERVATION:
		return check_observation(ev, reason);
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
	case KIND_VOUCH:
		if ((e = check_subject_not_origin(ev,
		    "an operator cannot vouch for itself", reason)) != PROTO_OK ||
		    (e = check_subject_name(ev, reason)) != PROTO_OK)
			return e;
		return check_subject_key(ev, reason);
	case KIND_UNVOUCH:
		return check_subject_not_origin(ev,
		    "an operator cannot unvouch itself", reason);
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
		if ((e = check_subject_not_origin(ev,
		    "a root key cannot certify itself", reason)) != PROTO_OK ||
		    (e = check_subject_name(ev, reason)) != PROTO_OK)
			return e;
		return check_subject_key(ev, reason);
	case KIND_KEY_REVOKE: {
		unsigned char subject[KEY_ID_LEN];
		get_id(ev, "subject", subject);
		if (memcmp(subject, ev->key, KEY_ID_LEN) != 0 &&
		    memcmp(ev->key, ev->origin, KEY_ID_LEN) != 0)
			return proto_fail(reason, PROTO_E_ORIGIN_MISMATCH,
			    "key_revoke must be signed by the revoked key itself "
			    "or by the origin's root key");
		return PROTO_OK;
	}
	case KIND_DECISION: {
		bool nta = strcmp(event_str(ev, "state"), "nta_recommended") == 0;
		bool has = pjson_type(&ev->doc, event_field(ev, "lifetime")) == PJSON_INT;
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
	const struct pjson_doc *d = &ev->doc;
	enum proto_err e;
	enum kind k;
	int v, refs;
	size_t i = 0;

	/* Version and kind first: they decide which tables apply. */
	v = event_field(ev, "v");
	if (v < 0)
		return proto_fail(reason, PROTO_E_MISSING_FIELD, "field 'v' is required");
	if (pjson_type(d, v) != PJSON_INT || pjson_int(d, v) != 1)
		return proto_fail(reason, PROTO_E_UNSUPPORTED_VERSION,
		    "field 'v': only version 1 is supported");
	v = event_field(ev, "kind");
	if (v < 0)
		return proto_fail(reason, PROTO_E_MISSING_FIELD, "field 'kind' is required");
	if (pjson_type(d, v) != PJSON_STRING)
		return proto_fail(reason, PROTO_E_FIELD_TYPE,
		    "field 'kind': must be a string");
	if ((k = kind_from_name(pjson_str(d, v))) == KIND__COUNT)
		return proto_fail(reason, PROTO_E_UNKNOWN_KIND,
		    "field 'kind': '%.32s' is not a protocol v1 kind", pjson_str(d, v));
	if (kind_from_payload_type(env->payload_type) != k)
		return proto_fail(reason, PROTO_E_TYPE_MISMATCH,
		    "payloadType '%.80s' does not match kind '%s'",
		    env->payload_type, kind_name(k));
	ev->kind = k;

	if ((e = schema_check(d, 0, kind_header_fields, kind_fields(k), reason)) != PROTO_OK)
		return e;

	snprintf(ev->net, sizeof(ev->net), "%s", event_str(ev, "net"));
	get_id(ev, "origin", ev->origin);
	get_id(ev, "key", ev->key);
	ev->seq = event_int(ev, "seq");
	if ((ev->has_prev = pjson_type(d, event_field(ev, "prev")) == PJSON_STRING))
		get_id(ev, "prev", ev->prev);
	ev->ts = event_int(ev, "ts");
	v = event_field(ev, "exp");
	if ((ev->has_exp = pjson_type(d, v) == PJSON_INT))
		ev->exp = pjson_int(d, v);
	refs = event_field(ev, "refs");
	ev->nrefs = pjson_count(d, refs);
	for (int r = pjson_first(d, refs); r >= 0; r = pjson_next(d, refs, r))
		encoding_hex_decode(pjson_str(d, r), ev->refs[i++], KEY_ID_LEN);
	if (kind_has_zone(k))
		snprintf(ev->zone, sizeof(ev->zone), "%s", event_str(ev, "zone"));

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
	enum pjson_status st;
	struct event *ev;
	enum proto_err e;

	*out = NULL;
	if (kind_from_payload_type(env->payload_type) == KIND__COUNT)
		return proto_fail(reason, PROTO_E_BAD_PAYLOAD_TYPE,
		    "payloadType '%.80s' is not an ntarelay v1 type "
		    "(application/vnd.ntarelay.<kind>.v1+json)", env->payload_type);
	if ((ev = calloc(1, sizeof(*ev))) == NULL ||
	    (ev->payload = malloc(env->payload_len + 1)) == NULL) {
		free(ev);
		return proto_fail(reason, PROTO_E_NOMEM, "out of memory");
	}
	memcpy(ev->payload, env->payload, env->payload_len);
	ev->payload[env->payload_len] = '\0';
	ev->payload_len = env->payload_len;
	if ((st = pjson_parse(&ev->doc, ev->payload, ev->payload_len)) != PJSON_OK) {
		e = proto_fail(reason, st == PJSON_E_DUPLICATE ? PROTO_E_DUPLICATE_KEY :
		    st == PJSON_E_NOMEM ? PROTO_E_NOMEM : PROTO_E_MALFORMED_PAYLOAD,
		    "payload: %s", ev->doc.error);
		goto out;
	}
	if (pjson_type(&ev->doc, 0) != PJSON_OBJECT) {
		e = proto_fail(reason, PROTO_E_MALFORMED_PAYLOAD,
		    "payload: must be a JSON object");
		goto out;
	}
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
