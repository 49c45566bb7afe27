/*
 * proto/kind.h — the ten message kinds of protocol v1 and their rules.
 *
 * For each kind: its name, its payloadType
 * ("application/vnd.ntarelay.<kind>.v1+json"), its maximum lifetime
 * (exp - ts), whether it concerns a zone, whether only the origin's root key
 * may sign it, and the table of its fields (proto/schema.h).
 */
#ifndef NTARELAY_PROTO_KIND_H
#define NTARELAY_PROTO_KIND_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/schema.h"

enum kind {
	KIND_OBSERVATION = 0,
	KIND_ASSESSMENT,
	KIND_ZONE_STATEMENT,
	KIND_WITHDRAW,
	KIND_VOUCH,
	KIND_UNVOUCH,
	KIND_KEY_CERT,
	KIND_KEY_REVOKE,
	KIND_HEARTBEAT,
	KIND_DECISION,
	KIND__COUNT
};

#define KIND_TYPE_PREFIX "application/vnd.ntarelay."
#define KIND_TYPE_SUFFIX ".v1+json"

/* Lifetimes, seconds. */
#define KIND_HOUR 3600LL
#define KIND_DAY 86400LL
#define KIND_NTA_LIFETIME_MAX (7 * KIND_DAY) /* RFC 7646: at most a week */
#define KIND_CERT_LIFETIME_MAX (184 * KIND_DAY) /* six months */

/* Upper bound of ts, exp and every epoch time: 9999-12-31T23:59:59Z. */
#define KIND_TIME_MAX 253402300799LL
/* Largest seq: 2^53 - 1, exact in every JSON implementation. */
#define KIND_SEQ_MAX 9007199254740991LL
#define KIND_REFS_MAX 16

const char *kind_name(enum kind k);
/* KIND__COUNT when unknown. */
enum kind kind_from_name(const char *name);

/* payloadType of k into a static string. */
const char *kind_payload_type(enum kind k);
/* KIND__COUNT when type is not an ntarelay v1 type. */
enum kind kind_from_payload_type(const char *type);

/* Maximum exp - ts in seconds; 0 for key_revoke, which never expires. */
long long kind_max_lifetime(enum kind k);
bool kind_has_zone(enum kind k);
/* vouch, unvouch and key_cert must be signed by the origin's root key. */
bool kind_root_only(enum kind k);

/* Header fields, common to every kind. */
extern const struct schema_field kind_header_fields[];
/* Kind-specific fields. */
const struct schema_field *kind_fields(enum kind k);

/* Enumerations, exposed for builders and the quorum engine. */
extern const char *const kind_obs_states[];       /* secure insecure bogus indeterminate */
extern const char *const kind_verdicts[];         /* accident ... attack */
extern const char *const kind_statement_status[]; /* investigating ... resolved */
extern const char *const kind_decision_states[];  /* clear ... resolved */
extern const char *const kind_decision_phases[];  /* failing, recovering */

#endif
