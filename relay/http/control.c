/*
 * relay/http/control.c — what operators' staff submit on the relay's local
 * control socket (POST /v1/submit/{kind}): the relay signs it with its own
 * key, in its own chain, and publishes it like any event of its own.
 *
 * The control socket is a unix socket (control_socket in ntarelay.conf,
 * mode 0660): who may write to it may speak for the operator, so its
 * directory and group are the access control; it is never on the network.
 * The body is a JSON object with the kind's own fields (PROTOCOL.md §6):
 *
 *   assessment      zone, verdict, recommend_nta, lifetime, [note], [refs]
 *                   (without refs, the relay names the failing
 *                   observations it holds: the assessment counts for that
 *                   failure only, relay/quorum/incident.h)
 *                   (exp = ts + lifetime, at most 6 h as the protocol
 *                   allows: a longer lifetime is kept alive by
 *                   relay/quorum/renew.c, which re-signs it until it ends)
 *   zone_statement  zone, status, [note], [refs], [expires_in] (86400,
 *                   the protocol's most)
 *   withdraw        target, [note]  (exp: 7 days); the target must be an
 *                   event of this operator held here, and the renewals
 *                   of a withdrawn assessment are withdrawn with it
 *   observation     the fields of an observation (ntactl observe
 *                   --publish); exp = ts + 3600
 *
 * The header (v, net, kind, origin, key, seq, prev, ts, exp) is the
 * relay's to write; a body that sets it is refused. What the protocol
 * would refuse is refused here with the same error name and reason
 * (400), before anything is signed or stored. 201 {"id": EVENT_ID,
 * "kind": ..., "zone": ...} when the event was signed and stored: the
 * turn's transaction is committed before the answer. While the store
 * cannot write (relay/fed/storefault.h), or when that commit fails, 503
 * store_unwritable: nothing was signed, published or kept.
 *
 * A zone is canonicalised as everywhere a person types one (lower case, a
 * final dot added: proto/zone.h zone_name_normalise()); a name that is not
 * valid even so is refused (400 bad_zone).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proto/encoding.h"
#include "proto/error.h"
#include "proto/kind.h"
#include "proto/zone.h"
#include "relay/core/log.h"
#include "relay/core/metrics.h"
#include "relay/fed/gossip.h"
#include "relay/fed/storefault.h"
#include "relay/fed/kinds.h"
#include "relay/http/control.h"
#include "relay/quorum/decide.h"
#include "relay/quorum/renew.h"
#include "relay/store/store.h"

#define STATEMENT_LIFETIME 86400
#define WITHDRAW_LIFETIME (7 * 86400)
#define OBSERVATION_LIFETIME 3600

static unsigned refuse(struct api_env *env, json_t **reply, unsigned status,
    const char *name, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static unsigned
refuse(struct api_env *env, json_t **reply, unsigned status, const char *name,
    const char *fmt, ...)
{
	char msg[PROTO_REASON_MAX + 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	env->metrics->submissions_refused++;
	log_warn("control: submission refused: %s: %s", name, msg);
	*reply = json_pack("{s:s,s:s}", "error", name, "message", msg);
	return status;
}

/* A client's text for a message: printable ASCII, others as '?', cut. */
static void
shown_text(const char *in, size_t len, char *out, size_t cap)
{
	size_t i;

	for (i = 0; i < len && i + 1 < cap; i++)
		out[i] = in[i] >= 0x20 && in[i] < 0x7f ? in[i] : '?';
	out[i] = '\0';
}

/* 503: the store cannot write (now, or the commit of this submission
 * failed): nothing was kept, the submitter may try again later. */
static unsigned
unwritable(struct api_env *env, json_t **reply)
{
	char why[STORE_ERR_MAX + 64];

	storefault_describe(env->owner, why, sizeof(why));
	return refuse(env, reply, 503, "store_unwritable", "%s; nothing was signed "
	    "or kept: submit again when GET /healthz answers ok", why);
}

/*
 * POST /v1/submit/clear_equivocation {"key": KEYID}: a person looked at
 * the proof (GET /v1/peers flags, the eqv/ topic) and lets the operator
 * count again. The proof stays in the store.
 */
static unsigned
clear_equivocation(struct api_env *env, const char *body, size_t len, json_t **reply)
{
	char err[STORE_ERR_MAX];
	unsigned char key[KEY_ID_LEN];
	json_error_t jerr;
	json_t *f = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	const char *k = json_string_value(json_object_get(f, "key"));
	int rc;

	if (k == NULL || strlen(k) != KEY_ID_HEX_LEN ||
	    encoding_hex_decode(k, key, KEY_ID_LEN) != 0) {
		json_decref(f);
		return refuse(env, reply, 400, "bad_request", "%s", "expected "
		    "{\"key\": KEYID} (64 hex digits)");
	}
	if (!storefault_writable(env->owner)) {
		json_decref(f);
		return unwritable(env, reply);
	}
	gossip_begin(env->owner);
	if ((rc = store_clear_equivocation(env->store, key, err)) < 0) {
		json_decref(f);
		if (gossip_commit(env->owner) != 0)
			return unwritable(env, reply);
		return refuse(env, reply, 500, "internal", "%s", err);
	}
	if (gossip_commit(env->owner) != 0) {
		json_decref(f);
		return unwritable(env, reply);
	}
	if (rc == 0) {
		unsigned st = refuse(env, reply, 404, "not_flagged", "key %.16s... is "
		    "not flagged for equivocation", k);
		json_decref(f);
		return st;
	}
	log_notice("control: the equivocation flag of key %s was cleared by a "
	    "person; its operator counts again", k);
	decide_all(env->owner);
	*reply = json_pack("{s:s,s:b}", "key", k, "cleared", 1);
	json_decref(f);
	return 200;
}

/* The body of a submission of kind: a JSON object (*out, new) with its
 * zone canonicalised and none of the header's fields. 0, or the status
 * of the refusal in *reply. */
static unsigned
control_body(struct api_env *env, const char *body, size_t len, json_t **out,
    json_t **reply)
{
	static const char *const header[] = { "v", "net", "kind", "origin",
	    "key", "seq", "prev", "ts", "exp", NULL };
	char zonebuf[ZONE_TEXT_MAX + 1];
	json_error_t jerr;
	json_t *f, *v;

	*out = NULL;
	f = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(f)) {
		json_decref(f);
		return refuse(env, reply, 400, "bad_request", "the body is not a "
		    "JSON object: %s", jerr.text);
	}
	if ((v = json_object_get(f, "zone")) != NULL) {
		const char *zwhy = NULL;
		char shown[80];
		if (!json_is_string(v) || zone_name_normalise_n(json_string_value(v),
		    json_string_length(v), zonebuf, &zwhy) != 0) {
			shown_text(json_is_string(v) ? json_string_value(v) : "",
			    json_is_string(v) ? json_string_length(v) : 0, shown,
			    sizeof(shown));
			json_decref(f);
			return refuse(env, reply, 400, "bad_zone", "zone '%s' is not a "
			    "domain name (%s)", shown, zwhy ? zwhy : "not a string");
		}
		json_object_set_new(f, "zone", json_string(zonebuf));
	}
	for (int i = 0; header[i]; i++)
		if (json_object_get(f, header[i]) != NULL) {
			json_decref(f);
			return refuse(env, reply, 400, "field_value", "'%s' is the "
			    "relay's to set", header[i]);
		}
	*out = f;
	return 0;
}

/* A withdrawal's target must be an event of this operator held here.
 * 0, or the status of the refusal in *reply. */
static unsigned
control_target(struct api_env *env, const json_t *f, json_t **reply)
{
	unsigned char tid[KEY_ID_LEN], origin[KEY_ID_LEN];
	const char *t = json_string_value(json_object_get(f, "target"));
	int found = -1;

	if (t != NULL && strlen(t) == KEY_ID_HEX_LEN &&
	    encoding_hex_decode(t, tid, KEY_ID_LEN) == 0)
		found = store_lookup(env->store, tid, origin, NULL, 0, NULL, NULL);
	if (found == 0)
		return refuse(env, reply, 404, "unknown_event", "no event %s is "
		    "held here (a typo?)", t);
	if (found == 1 && memcmp(origin, env->origin, KEY_ID_LEN) != 0)
		return refuse(env, reply, 400, "not_own_event", "event %.16s... "
		    "is another operator's", t);
	return 0;
}

/* The lifetime of the event to sign (kind's rules, the body's asks;
 * expires_in is taken out of f). 0, or the status of the refusal. */
static unsigned
control_lifetime(struct api_env *env, enum kind kind, json_t *f,
    long *lifetime, json_t **reply)
{
	json_t *v;
	unsigned st;

	switch (kind) {
	case KIND_ASSESSMENT:
		v = json_object_get(f, "lifetime");
		if (!json_is_integer(v) || json_integer_value(v) < 60 ||
		    json_integer_value(v) > 604800)
			return refuse(env, reply, 400, "field_value", "%s",
			    "lifetime: an integer, 60-604800 seconds");
		*lifetime = (long)json_integer_value(v);
		break;
	case KIND_ZONE_STATEMENT:
		*lifetime = STATEMENT_LIFETIME;
		if ((v = json_object_get(f, "expires_in")) != NULL) {
			if (!json_is_integer(v) || json_integer_value(v) < 60 ||
			    json_integer_value(v) > STATEMENT_LIFETIME)
				return refuse(env, reply, 400, "field_value", "%s",
				    "expires_in: an integer, 60-86400 seconds (a zone "
				    "statement lives at most a day; sign a new one)");
			*lifetime = (long)json_integer_value(v);
			json_object_del(f, "expires_in");
		}
		break;
	case KIND_WITHDRAW:
		if ((st = control_target(env, f, reply)) != 0)
			return st;
		*lifetime = WITHDRAW_LIFETIME;
		break;
	default:
		*lifetime = OBSERVATION_LIFETIME;
		break;
	}
	if (*lifetime > kind_max_lifetime(kind))
		*lifetime = (long)kind_max_lifetime(kind);
	return 0;
}

/* Signing failed: why is "name: text" for a protocol refusal, "" for
 * anything else (the log says). The turn is committed (what the attempt
 * stored is kept, or the store has become unwritable). */
static unsigned
control_unsigned(struct api_env *env, const char *why, json_t **reply)
{
	char name[40] = "refused";
	const char *colon = strchr(why, ':'), *text = why;

	if (gossip_commit(env->owner) != 0 || !storefault_writable(env->owner))
		return unwritable(env, reply);
	if (why[0] == '\0')
		return refuse(env, reply, 500, "internal", "%s",
		    "the relay could not sign or store the event (see its log)");
	if (colon && colon - why < (long)sizeof(name) &&
	    strspn(why, "abcdefghijklmnopqrstuvwxyz_") == (size_t)(colon - why)) {
		snprintf(name, sizeof(name), "%.*s", (int)(colon - why), why);
		for (text = colon + 1; *text == ' '; text++)
			;
	}
	return refuse(env, reply, 400, name, "%s", text);
}

/* Sign f (stolen) as kind `what`, store it and commit the turn. */
static unsigned
control_sign(struct api_env *env, const char *what, enum kind kind, json_t *f,
    long lifetime, json_t **reply)
{
	char why[PROTO_REASON_MAX] = "", idhex[KEY_ID_HEX_LEN + 1];
	char zonebuf[ZONE_TEXT_MAX + 1], target[KEY_ID_HEX_LEN + 1] = "";
	unsigned char id[KEY_ID_LEN];
	const char *zone;
	json_t *judged = NULL;

	gossip_begin(env->owner);
	zone = json_string_value(json_object_get(f, "zone"));
	/* an assessment or statement counts for the failure it judged: the
	 * relay names it in refs unless the submitter did */
	if ((kind == KIND_ASSESSMENT || kind == KIND_ZONE_STATEMENT) && zone &&
	    json_object_get(f, "refs") == NULL) {
		json_t *refs = NULL;
		judged = decide_judged(env->owner, zone, &refs);
		if (refs)
			json_object_set_new(f, "refs", refs);
	}
	snprintf(zonebuf, sizeof(zonebuf), "%s", zone ? zone : "");
	if (kind == KIND_WITHDRAW && json_is_string(json_object_get(f, "target")))
		snprintf(target, sizeof(target), "%s",
		    json_string_value(json_object_get(f, "target")));
	if (gossip_own_id(env->owner, kind, f, lifetime, id, why,
	    sizeof(why)) != 0) {
		json_decref(judged);
		return control_unsigned(env, why, reply);
	}
	if (kind == KIND_WITHDRAW && target[0])
		renew_withdrawn(env->owner, target);
	/* stored for good before the answer says so */
	if (gossip_commit(env->owner) != 0) {
		json_decref(judged);
		return unwritable(env, reply);
	}
	env->metrics->submissions++;
	encoding_hex_encode(id, KEY_ID_LEN, idhex);
	log_notice("control: signed %s %s%s%s", what, idhex, zonebuf[0] ? " for " :
	    "", zonebuf);
	*reply = json_pack("{s:s,s:s,s:s}", "id", idhex, "kind", what,
	    "zone", zonebuf);
	if (judged)
		json_object_set_new(*reply, "judged", judged);
	return 201;
}

unsigned
control_submit(struct api_env *env, const char *what, const char *body,
    size_t len, json_t **reply)
{
	enum kind kind = kind_from_name(what);
	long lifetime;
	unsigned st;
	json_t *f;

	if (strcmp(what, "clear_equivocation") == 0)
		return clear_equivocation(env, body, len, reply);
	if (!kinds_submittable(kind))
		return refuse(env, reply, 404, "not_found", "'%s' cannot be "
		    "submitted (assessment, zone_statement, withdraw, observation)",
		    what);
	if (!storefault_writable(env->owner))
		return unwritable(env, reply);
	if ((st = control_body(env, body, len, &f, reply)) != 0)
		return st;
	if ((st = control_lifetime(env, kind, f, &lifetime, reply)) != 0) {
		json_decref(f);
		return st;
	}
	return control_sign(env, what, kind, f, lifetime, reply);
}
