/*
 * proto/error.c — names and sentences for enum proto_err.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proto/error.h"

static const struct {
	const char *name;
	const char *text;
} proto_errors[PROTO_E__COUNT] = {
	[PROTO_OK] = { "ok", "no error" },
	[PROTO_E_TOO_LARGE] = { "too_large", "envelope is larger than 65536 bytes" },
	[PROTO_E_MALFORMED_JSON] = { "malformed_json", "envelope is not a well-formed JSON object" },
	[PROTO_E_DUPLICATE_KEY] = { "duplicate_key", "a JSON object repeats a member name" },
	[PROTO_E_BAD_ENVELOPE] = { "bad_envelope", "envelope members are missing, mistyped or unknown" },
	[PROTO_E_BAD_BASE64] = { "bad_base64", "payload or signature is not valid base64" },
	[PROTO_E_SIGNATURE_COUNT] = { "signature_count", "envelope must carry exactly one signature" },
	[PROTO_E_BAD_KEYID] = { "bad_keyid", "keyid is not a key id (64 lowercase hex digits)" },
	[PROTO_E_UNKNOWN_KEY] = { "unknown_key", "no public key is known for the keyid" },
	[PROTO_E_BAD_SIGNATURE] = { "bad_signature", "Ed25519 signature does not verify" },
	[PROTO_E_BAD_PAYLOAD_TYPE] = { "bad_payload_type", "payloadType is not an ntarelay v1 type" },
	[PROTO_E_MALFORMED_PAYLOAD] = { "malformed_payload", "payload is not a well-formed JSON object" },
	[PROTO_E_TYPE_MISMATCH] = { "type_mismatch", "payloadType does not match the payload kind" },
	[PROTO_E_UNSUPPORTED_VERSION] = { "unsupported_version", "payload version is not supported" },
	[PROTO_E_UNKNOWN_KIND] = { "unknown_kind", "payload kind is unknown" },
	[PROTO_E_MISSING_FIELD] = { "missing_field", "a required field is missing" },
	[PROTO_E_FIELD_TYPE] = { "field_type", "a field has the wrong type" },
	[PROTO_E_FIELD_VALUE] = { "field_value", "a field value is out of range or not allowed" },
	[PROTO_E_UNKNOWN_FIELD] = { "unknown_field", "a field is not defined by this protocol version" },
	[PROTO_E_BAD_ZONE] = { "bad_zone", "a zone or domain name is not valid" },
	[PROTO_E_BAD_EVENT_ID] = { "bad_event_id", "an event reference is not an event id" },
	[PROTO_E_KEY_MISMATCH] = { "key_mismatch", "payload key differs from the envelope keyid" },
	[PROTO_E_ORIGIN_MISMATCH] = { "origin_mismatch", "the signing key does not speak for the origin (not its root, nor certified by it)" },
	[PROTO_E_BAD_TIMESTAMPS] = { "bad_timestamps", "timestamps are out of range or out of order" },
	[PROTO_E_FINGERPRINT_MISMATCH] = { "fingerprint_mismatch", "observation fingerprint does not match its evidence" },
	[PROTO_E_WRONG_NET] = { "wrong_net", "event belongs to another federation" },
	[PROTO_E_DUPLICATE] = { "duplicate", "event is already known" },
	[PROTO_E_STALE] = { "stale", "sequence number is at or below the chain head and fills no gap" },
	[PROTO_E_FUTURE] = { "future", "timestamp is ahead of the clock by more than the allowed skew" },
	[PROTO_E_EXPIRED] = { "expired", "event has expired" },
	[PROTO_E_LIFETIME_TOO_LONG] = { "lifetime_too_long", "lifetime exceeds the kind's maximum" },
	[PROTO_E_EQUIVOCATION] = { "equivocation", "signer issued two different events for one sequence number" },
	[PROTO_E_UNTRUSTED_KEY] = { "untrusted_key", "key is not a current key of a member operator" },
	[PROTO_E_REVOKED_KEY] = { "revoked_key", "key has been revoked" },
	[PROTO_E_TOPIC_MISMATCH] = { "topic_mismatch", "MQTT topic does not match the event" },
	[PROTO_E_RATE_LIMITED] = { "rate_limited", "origin exceeded its rate limit" },
	[PROTO_E_NOT_OWN_EVENT] = { "not_own_event", "an origin may only withdraw its own events" },
	[PROTO_E_QUOTA] = { "quota", "origin is over its keys or live events in this zone" },
	[PROTO_E_NOMEM] = { "nomem", "out of memory" },
	[PROTO_E_IO] = { "io", "input/output error" },
	[PROTO_E_INVALID_ARG] = { "invalid_argument", "invalid argument" },
};

const char *
proto_errname(enum proto_err e)
{
	if ((unsigned)e >= PROTO_E__COUNT || proto_errors[e].name == NULL)
		return "unknown";
	return proto_errors[e].name;
}

const char *
proto_strerror(enum proto_err e)
{
	if ((unsigned)e >= PROTO_E__COUNT || proto_errors[e].text == NULL)
		return "unknown error";
	return proto_errors[e].text;
}

enum proto_err
proto_err_from_name(const char *name)
{
	for (unsigned i = 0; i < PROTO_E__COUNT; i++)
		if (proto_errors[i].name && strcmp(proto_errors[i].name, name) == 0)
			return (enum proto_err)i;
	return PROTO_E__COUNT;
}

enum proto_err
proto_fail(char *reason, enum proto_err e, const char *fmt, ...)
{
	va_list ap;

	if (reason == NULL)
		return e;
	va_start(ap, fmt);
	vsnprintf(reason, PROTO_REASON_MAX, fmt, ap);
	va_end(ap);
	return e;
}
