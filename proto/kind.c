/*
 * proto/kind.c — kind table and per-kind field schemas.
 *
 * Changing a table here changes protocol v1: update docs/PROTOCOL.md and the
 * vectors in the same commit.
 */
#include <stdio.h>
#include <string.h>

#include "proto/kind.h"

const char *const kind_obs_states[] = {
	"secure", "insecure", "bogus", "indeterminate", NULL
};
const char *const kind_verdicts[] = {
	"accident", "likely_accident", "unknown", "likely_attack", "attack", NULL
};
const char *const kind_statement_status[] = {
	"investigating", "accident_confirmed", "attack_suspected", "resolved", NULL
};
const char *const kind_decision_states[] = {
	"clear", "observed", "nta_recommended", "vetoed",
	"inconsistent_evidence", "resolved", NULL
};
const char *const kind_decision_phases[] = {
	"failing", "recovering", NULL
};
static const char *const kind_names[] = {
	"observation", "assessment", "zone_statement", "withdraw", "vouch",
	"unvouch", "key_cert", "key_revoke", "heartbeat", "decision", NULL
};

#define U16 0, 65535
#define U32 0, 4294967295LL
#define TIME 0, KIND_TIME_MAX
#define END { .type = ST_END }

const struct schema_field kind_header_fields[] = {
	{ "v", ST_INT, true, 1, 1, 0, NULL, NULL },
	{ "net", ST_NET, true, 0, 0, 0, NULL, NULL },
	{ "kind", ST_ENUM, true, 0, 0, 0, kind_names, NULL },
	{ "origin", ST_ID, true, 0, 0, 0, NULL, NULL },
	{ "key", ST_ID, true, 0, 0, 0, NULL, NULL },
	{ "seq", ST_INT, true, 1, KIND_SEQ_MAX, 0, NULL, NULL },
	{ "prev", ST_ID_OR_NULL, true, 0, 0, 0, NULL, NULL },
	{ "ts", ST_INT, true, TIME, 0, NULL, NULL },
	{ "exp", ST_INT_OR_NULL, true, TIME, 0, NULL, NULL },
	{ "refs", ST_ID_ARRAY, true, 0, 0, KIND_REFS_MAX, NULL, NULL },
	END
};

static const struct schema_field rrsig_fields[] = {
	{ "owner", ST_ZONE, true, 0, 0, 0, NULL, NULL },
	{ "type", ST_QTYPE, true, 0, 0, 0, NULL, NULL },
	{ "alg", ST_INT, true, 0, 255, 0, NULL, NULL },
	{ "tag", ST_INT, true, U16, 0, NULL, NULL },
	{ "inception", ST_INT, true, U32, 0, NULL, NULL },
	{ "expiration", ST_INT, true, U32, 0, NULL, NULL },
	END
};

static const struct schema_field soa_fields[] = {
	{ "server", ST_STRING, true, 1, 64, 0, NULL, NULL },
	{ "serial", ST_INT, true, U32, 0, NULL, NULL },
	END
};

static const struct schema_field evidence_fields[] = {
	{ "dnskey_digest", ST_ID_OR_NULL, true, 0, 0, 0, NULL, NULL },
	{ "dnskey_tags", ST_INT_ARRAY, true, U16, 64, NULL, NULL },
	{ "ds_digest", ST_ID_OR_NULL, true, 0, 0, 0, NULL, NULL },
	{ "ds_tags", ST_INT_ARRAY, true, U16, 64, NULL, NULL },
	{ "rrsigs", ST_OBJECT_ARRAY, true, 0, 0, 64, NULL, rrsig_fields },
	{ "soa_serials", ST_OBJECT_ARRAY, true, 0, 0, 32, NULL, soa_fields },
	END
};

static const struct schema_field observation_fields[] = {
	{ "zone", ST_ZONE, true, 0, 0, 0, NULL, NULL },
	{ "vantage", ST_STRING, true, 1, 64, 0, NULL, NULL },
	{ "validator", ST_STRING, true, 1, 64, 0, NULL, NULL },
	{ "qname", ST_ZONE, true, 0, 0, 0, NULL, NULL },
	{ "qtype", ST_QTYPE, true, 0, 0, 0, NULL, NULL },
	{ "rcode", ST_INT_OR_NULL, true, 0, 4095, 0, NULL, NULL },
	{ "ede", ST_INT_ARRAY, true, U16, 16, NULL, NULL },
	{ "state", ST_ENUM, true, 0, 0, 0, kind_obs_states, NULL },
	{ "reason", ST_STRING, true, 0, 512, 0, NULL, NULL },
	{ "evidence", ST_OBJECT, true, 0, 0, 0, NULL, evidence_fields },
	{ "fingerprint", ST_ID_OR_NULL, true, 0, 0, 0, NULL, NULL },
	END
};

static const struct schema_field assessment_fields[] = {
	{ "zone", ST_ZONE, true, 0, 0, 0, NULL, NULL },
	{ "verdict", ST_ENUM, true, 0, 0, 0, kind_verdicts, NULL },
	{ "recommend_nta", ST_BOOL, true, 0, 0, 0, NULL, NULL },
	{ "lifetime", ST_INT, true, 60, KIND_NTA_LIFETIME_MAX, 0, NULL, NULL },
	{ "note", ST_STRING, false, 0, 1024, 0, NULL, NULL },
	END
};

static const struct schema_field statement_fields[] = {
	{ "zone", ST_ZONE, true, 0, 0, 0, NULL, NULL },
	{ "status", ST_ENUM, true, 0, 0, 0, kind_statement_status, NULL },
	{ "note", ST_STRING, false, 0, 1024, 0, NULL, NULL },
	END
};

static const struct schema_field withdraw_fields[] = {
	{ "target", ST_ID, true, 0, 0, 0, NULL, NULL },
	{ "note", ST_STRING, false, 0, 1024, 0, NULL, NULL },
	END
};

static const struct schema_field vouch_fields[] = {
	{ "subject", ST_ID, true, 0, 0, 0, NULL, NULL },
	{ "subject_key", ST_KEY_B64, true, 0, 0, 0, NULL, NULL },
	{ "subject_name", ST_STRING, false, 1, 63, 0, NULL, NULL },
	{ "zones", ST_ZONE_ARRAY, true, 0, 0, 64, NULL, NULL },
	{ "affiliation", ST_STRING_OR_NULL, true, 1, 64, 0, NULL, NULL },
	END
};

static const struct schema_field unvouch_fields[] = {
	{ "subject", ST_ID, true, 0, 0, 0, NULL, NULL },
	END
};

static const struct schema_field key_cert_fields[] = {
	{ "subject", ST_ID, true, 0, 0, 0, NULL, NULL },
	{ "subject_key", ST_KEY_B64, true, 0, 0, 0, NULL, NULL },
	{ "subject_name", ST_STRING, false, 1, 63, 0, NULL, NULL },
	{ "not_before", ST_INT, true, TIME, 0, NULL, NULL },
	{ "not_after", ST_INT, true, TIME, 0, NULL, NULL },
	END
};

static const struct schema_field key_revoke_fields[] = {
	{ "subject", ST_ID, true, 0, 0, 0, NULL, NULL },
	{ "note", ST_STRING, false, 0, 1024, 0, NULL, NULL },
	END
};

static const struct schema_field heartbeat_fields[] = {
	{ "uptime", ST_INT, true, 0, KIND_TIME_MAX, 0, NULL, NULL },
	{ "version", ST_STRING, true, 1, 64, 0, NULL, NULL },
	END
};

static const struct schema_field vote_fields[] = {
	{ "origin", ST_ID, true, 0, 0, 0, NULL, NULL },
	{ "events", ST_ID_ARRAY, true, 0, 0, 32, NULL, NULL },
	END
};

static const struct schema_field veto_fields[] = {
	{ "origin", ST_ID, true, 0, 0, 0, NULL, NULL },
	{ "event", ST_ID, true, 0, 0, 0, NULL, NULL },
	{ "reason", ST_STRING, true, 0, 256, 0, NULL, NULL },
	END
};

static const struct schema_field decision_fields[] = {
	{ "zone", ST_ZONE, true, 0, 0, 0, NULL, NULL },
	{ "state", ST_ENUM, true, 0, 0, 0, kind_decision_states, NULL },
	{ "since", ST_INT, true, TIME, 0, NULL, NULL },
	{ "lifetime", ST_INT_OR_NULL, true, 0, KIND_NTA_LIFETIME_MAX, 0, NULL, NULL },
	{ "operators", ST_OBJECT_ARRAY, true, 0, 0, 128, NULL, vote_fields },
	{ "fingerprints", ST_ID_ARRAY, true, 0, 0, 32, NULL, NULL },
	{ "veto", ST_OBJECT_OR_NULL, true, 0, 0, 0, NULL, veto_fields },
	{ "incident", ST_STRING, false, 1, 32, 0, NULL, NULL },
	{ "phase", ST_ENUM, false, 0, 0, 0, kind_decision_phases, NULL },
	END
};

static const struct {
	const struct schema_field *fields;
	long long max_lifetime;
	bool has_zone, root_only;
} kinds[KIND__COUNT] = {
	[KIND_OBSERVATION] = { observation_fields, KIND_HOUR, true, false },
	[KIND_ASSESSMENT] = { assessment_fields, 6 * KIND_HOUR, true, false },
	[KIND_ZONE_STATEMENT] = { statement_fields, KIND_DAY, true, false },
	[KIND_WITHDRAW] = { withdraw_fields, 7 * KIND_DAY, false, false },
	[KIND_VOUCH] = { vouch_fields, 90 * KIND_DAY, false, true },
	[KIND_UNVOUCH] = { unvouch_fields, 90 * KIND_DAY, false, true },
	[KIND_KEY_CERT] = { key_cert_fields, KIND_CERT_LIFETIME_MAX, false, true },
	[KIND_KEY_REVOKE] = { key_revoke_fields, 0, false, false },
	[KIND_HEARTBEAT] = { heartbeat_fields, 180, false, false },
	[KIND_DECISION] = { decision_fields, 7 * KIND_DAY, true, false },
};

const char *
kind_name(enum kind k)
{
	return (unsigned)k < KIND__COUNT ? kind_names[k] : "unknown";
}

enum kind
kind_from_name(const char *name)
{
	int i = schema_enum_index(kind_names, name);
	return i < 0 ? KIND__COUNT : (enum kind)i;
}

const char *
kind_payload_type(enum kind k)
{
#define T(name) KIND_TYPE_PREFIX name KIND_TYPE_SUFFIX
	static const char *const types[KIND__COUNT] = {
		T("observation"), T("assessment"), T("zone_statement"),
		T("withdraw"), T("vouch"), T("unvouch"), T("key_cert"),
		T("key_revoke"), T("heartbeat"), T("decision"),
	};
#undef T
	return (unsigned)k < KIND__COUNT ? types[k] : NULL;
}

enum kind
kind_from_payload_type(const char *type)
{
	size_t pl = strlen(KIND_TYPE_PREFIX), sl = strlen(KIND_TYPE_SUFFIX);
	size_t n = strlen(type);
	char name[32];

	if (n <= pl + sl || n - pl - sl >= sizeof(name) ||
	    strncmp(type, KIND_TYPE_PREFIX, pl) != 0 ||
	    strcmp(type + n - sl, KIND_TYPE_SUFFIX) != 0)
		return KIND__COUNT;
	memcpy(name, type + pl, n - pl - sl);
	name[n - pl - sl] = '\0';
	return kind_from_name(name);
}

long long
kind_max_lifetime(enum kind k)
{
	return (unsigned)k < KIND__COUNT ? kinds[k].max_lifetime : 0;
}

bool
kind_has_zone(enum kind k)
{
	return (unsigned)k < KIND__COUNT && kinds[k].has_zone;
}

bool
kind_root_only(enum kind k)
{
	return (unsigned)k < KIND__COUNT && kinds[k].root_only;
}

const struct schema_field *
kind_fields(enum kind k)
{
	return (unsigned)k < KIND__COUNT ? kinds[k].fields : NULL;
}
