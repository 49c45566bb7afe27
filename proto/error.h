/*
 * proto/error.h — the one error enum of the protocol library.
 *
 * Every rejection the protocol can produce is a value here, with a stable
 * short name (used as a metric label and in test vectors: never rename one)
 * and a human sentence. Functions that can fail return enum proto_err and,
 * where a person needs detail, fill a caller's reason buffer naming what was
 * wrong and where (field name, offset).
 *
 * This module must never print, exit or read global state.
 */
#ifndef NTARELAY_PROTO_ERROR_H
#define NTARELAY_PROTO_ERROR_H

#include <stddef.h>

enum proto_err {
	PROTO_OK = 0,

	/* envelope layer: before and during signature verification */
	PROTO_E_TOO_LARGE,          /* envelope over PROTO_ENVELOPE_MAX bytes */
	PROTO_E_MALFORMED_JSON,     /* envelope is not one JSON object */
	PROTO_E_DUPLICATE_KEY,      /* a JSON object repeats a member name */
	PROTO_E_BAD_ENVELOPE,       /* missing, mistyped or unknown envelope member */
	PROTO_E_BAD_BASE64,         /* payload or sig is not base64 */
	PROTO_E_SIGNATURE_COUNT,    /* not exactly one signature */
	PROTO_E_BAD_KEYID,          /* keyid is not 64 lowercase hex digits */
	PROTO_E_UNKNOWN_KEY,        /* no public key known for keyid */
	PROTO_E_BAD_SIGNATURE,      /* Ed25519 verification failed */

	/* payload layer: after the signature verified */
	PROTO_E_BAD_PAYLOAD_TYPE,   /* payloadType is not an ntarelay v1 type */
	PROTO_E_MALFORMED_PAYLOAD,  /* payload is not one JSON object (UTF-8) */
	PROTO_E_TYPE_MISMATCH,      /* payloadType disagrees with payload kind */
	PROTO_E_UNSUPPORTED_VERSION,/* payload v is not 1 */
	PROTO_E_UNKNOWN_KIND,       /* kind is not one of the ten kinds */
	PROTO_E_MISSING_FIELD,      /* a required field is absent */
	PROTO_E_FIELD_TYPE,         /* a field has the wrong JSON type */
	PROTO_E_FIELD_VALUE,        /* a field is out of range or not in its enum */
	PROTO_E_UNKNOWN_FIELD,      /* a field this version does not define */
	PROTO_E_BAD_ZONE,           /* a zone or domain name breaks the name rules */
	PROTO_E_BAD_EVENT_ID,       /* prev, refs or a target is not an event id */
	PROTO_E_KEY_MISMATCH,       /* payload key differs from envelope keyid */
	PROTO_E_ORIGIN_MISMATCH,    /* key does not speak for the origin: a root-only
	                               kind not signed by the root, or a key the
	                               origin's root never certified (relay) */
	PROTO_E_BAD_TIMESTAMPS,     /* exp not after ts, or times out of range */
	PROTO_E_FINGERPRINT_MISMATCH, /* observation fingerprint != its evidence */
	PROTO_E_WRONG_NET,          /* payload net is not this federation */

	/* acceptance: the event is well formed; does it fit now and its chain? */
	PROTO_E_DUPLICATE,          /* this exact event is already known */
	PROTO_E_STALE,              /* seq at or below the chain head, not a gap */
	PROTO_E_FUTURE,             /* ts more than the allowed skew ahead */
	PROTO_E_EXPIRED,            /* exp is not after now */
	PROTO_E_LIFETIME_TOO_LONG,  /* exp - ts over the kind's maximum */
	PROTO_E_EQUIVOCATION,       /* same signer and seq, different event */

	/* trust and transport: produced by trustdb and the relay */
	PROTO_E_UNTRUSTED_KEY,      /* key is not a current key of a member */
	PROTO_E_REVOKED_KEY,        /* key was revoked */
	PROTO_E_TOPIC_MISMATCH,     /* MQTT topic disagrees with the payload */
	PROTO_E_RATE_LIMITED,       /* origin over its rate limit */
	PROTO_E_NOT_OWN_EVENT,      /* withdraw of another origin's event */
	PROTO_E_QUOTA,              /* over the origin's keys or events per zone */

	/* local failures, not the sender's fault */
	PROTO_E_NOMEM,
	PROTO_E_IO,
	PROTO_E_INVALID_ARG,

	PROTO_E__COUNT
};

/* Stable short name ("bad_signature"); never NULL, "unknown" if out of range. */
const char *proto_errname(enum proto_err e);

/* One human sentence, no trailing period; never NULL. */
const char *proto_strerror(enum proto_err e);

/* Look a short name up again; returns PROTO_E__COUNT when unknown. */
enum proto_err proto_err_from_name(const char *name);

/*
 * Size of the reason buffers the library fills. A reason names what was
 * wrong and where, e.g. "field 'seq': must be an integer >= 1".
 */
#define PROTO_REASON_MAX 256

/* printf into a caller's reason buffer; reason may be NULL. Returns e. */
enum proto_err proto_fail(char *reason, enum proto_err e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
