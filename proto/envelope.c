/*
 * proto/envelope.c — DSSE envelope parse, sign, verify.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "proto/encoding.h"
#include "proto/envelope.h"
#include "proto/jsonutil.h"
#include "proto/pae.h"

void
envelope_free(struct envelope *env)
{
	if (env == NULL)
		return;
	free(env->payload_type);
	free(env->payload);
	free(env->pae);
	free(env);
}

char *
envelope_id_hex(const struct envelope *env, char out[2 * KEY_ID_LEN + 1])
{
	return encoding_hex_encode(env->id, KEY_ID_LEN, out);
}

/* Allowed members of the envelope and of a signature object. */
static const char *const env_members[] = { "payload", "payloadType", "signatures", NULL };
static const char *const sig_members[] = { "keyid", "sig", NULL };

static enum proto_err
check_members(json_t *obj, const char *const *allowed, const char *where,
    char *reason)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v) {
		const char *const *a;
		for (a = allowed; *a != NULL; a++)
			if (strcmp(*a, k) == 0)
				break;
		if (*a == NULL)
			return proto_fail(reason, PROTO_E_BAD_ENVELOPE,
			    "%s: unknown member '%.64s'", where, k);
	}
	return PROTO_OK;
}

enum proto_err
envelope_parse(const char *buf, size_t len, struct envelope **out, char *reason)
{
	struct envelope *env = NULL;
	json_t *root = NULL, *sigs, *sig0, *jp, *jt, *jk, *js;
	const char *ptext, *ttext, *ktext, *stext;
	size_t plen, tlen, slen, siglen;
	enum proto_err e;

	*out = NULL;
	if (len > ENVELOPE_MAX)
		return proto_fail(reason, PROTO_E_TOO_LARGE,
		    "envelope is %zu bytes, the maximum is %d", len, ENVELOPE_MAX);
	if ((e = jsonutil_load(buf, len, PROTO_E_MALFORMED_JSON, "envelope",
	    &root, reason)) != PROTO_OK)
		return e;
	e = PROTO_E_BAD_ENVELOPE;
	if ((e = check_members(root, env_members, "envelope", reason)) != PROTO_OK)
		goto out;
	e = PROTO_E_BAD_ENVELOPE;
	jp = json_object_get(root, "payload");
	jt = json_object_get(root, "payloadType");
	sigs = json_object_get(root, "signatures");
	if (!json_is_string(jp)) {
		proto_fail(reason, e, "envelope: 'payload' %s",
		    jp ? "must be a string" : "is missing");
		goto out;
	}
	if (!json_is_string(jt)) {
		proto_fail(reason, e, "envelope: 'payloadType' %s",
		    jt ? "must be a string" : "is missing");
		goto out;
	}
	if (!json_is_array(sigs)) {
		proto_fail(reason, e, "envelope: 'signatures' %s",
		    sigs ? "must be an array" : "is missing");
		goto out;
	}
	if (json_array_size(sigs) != 1) {
		e = proto_fail(reason, PROTO_E_SIGNATURE_COUNT,
		    "envelope: %zu signatures, exactly 1 is required",
		    json_array_size(sigs));
		goto out;
	}
	sig0 = json_array_get(sigs, 0);
	if (!json_is_object(sig0)) {
		proto_fail(reason, e, "envelope: signatures[0] must be an object");
		goto out;
	}
	if ((e = check_members(sig0, sig_members, "signatures[0]", reason)) != PROTO_OK)
		goto out;
	e = PROTO_E_BAD_ENVELOPE;
	jk = json_object_get(sig0, "keyid");
	js = json_object_get(sig0, "sig");
	if (!json_is_string(jk) || !json_is_string(js)) {
		proto_fail(reason, e, "signatures[0]: 'keyid' and 'sig' must be strings");
		goto out;
	}
	ptext = json_string_value(jp);
	plen = json_string_length(jp);
	ttext = json_string_value(jt);
	tlen = json_string_length(jt);
	ktext = json_string_value(jk);
	stext = json_string_value(js);
	slen = json_string_length(js);

	if (tlen == 0 || tlen > ENVELOPE_TYPE_MAX || strlen(ttext) != tlen) {
		proto_fail(reason, e, "envelope: 'payloadType' must be 1-%d bytes",
		    ENVELOPE_TYPE_MAX);
		goto out;
	}
	if ((env = calloc(1, sizeof(*env))) == NULL) {
		e = proto_fail(reason, PROTO_E_NOMEM, "out of memory");
		goto out;
	}
	if (!encoding_is_id_hex(ktext) ||
	    encoding_hex_decode(ktext, env->keyid, KEY_ID_LEN) != 0) {
		e = proto_fail(reason, PROTO_E_BAD_KEYID,
		    "signatures[0]: 'keyid' must be 64 lowercase hex digits");
		goto out;
	}
	if (encoding_b64_decode(stext, slen, env->sig, sizeof(env->sig),
	    &siglen) != 0 || siglen != KEY_SIG_LEN) {
		e = proto_fail(reason, PROTO_E_BAD_BASE64,
		    "signatures[0]: 'sig' must be base64 of %d bytes", KEY_SIG_LEN);
		goto out;
	}
	/* Decoded payload is at most 3/4 of its text. */
	if ((env->payload = malloc(plen / 4 * 3 + 4)) == NULL ||
	    (env->payload_type = strdup(ttext)) == NULL) {
		e = proto_fail(reason, PROTO_E_NOMEM, "out of memory");
		goto out;
	}
	if (encoding_b64_decode(ptext, plen, env->payload, plen / 4 * 3 + 3,
	    &env->payload_len) != 0) {
		e = proto_fail(reason, PROTO_E_BAD_BASE64,
		    "envelope: 'payload' is not base64");
		goto out;
	}
	env->payload[env->payload_len] = '\0';
	if ((env->pae = pae_build(env->payload_type, tlen, env->payload,
	    env->payload_len, &env->pae_len)) == NULL) {
		e = proto_fail(reason, PROTO_E_NOMEM, "out of memory");
		goto out;
	}
	pae_event_id(env->pae, env->pae_len, env->id);
	*out = env;
	env = NULL;
	e = PROTO_OK;
out:
	envelope_free(env);
	json_decref(root);
	return e;
}

enum proto_err
envelope_verify(const struct envelope *env, const unsigned char pk[KEY_PUBLIC_LEN])
{
	if (crypto_sign_verify_detached(env->sig, env->pae, env->pae_len, pk) != 0)
		return PROTO_E_BAD_SIGNATURE;
	return PROTO_OK;
}

enum proto_err
envelope_sign(const char *type, const unsigned char *payload, size_t len,
    const struct key_secret *sk, char **json_out, size_t *json_len,
    struct envelope **env_out, char *reason)
{
	unsigned char sig[KEY_SIG_LEN], *pae = NULL;
	char keyhex[2 * KEY_ID_LEN + 1], sigb64[ENCODING_B64_LEN(KEY_SIG_LEN)];
	char *pb64 = NULL, *json = NULL;
	size_t tlen = strlen(type), pae_len, cap;
	enum proto_err e = PROTO_E_NOMEM;
	int n;

	*json_out = NULL;
	if (env_out)
		*env_out = NULL;
	if (tlen == 0 || tlen > ENVELOPE_TYPE_MAX)
		return proto_fail(reason, PROTO_E_BAD_PAYLOAD_TYPE,
		    "payloadType must be 1-%d bytes", ENVELOPE_TYPE_MAX);
	for (size_t i = 0; i < tlen; i++)
		if ((unsigned char)type[i] < 0x20 || type[i] == '"' ||
		    type[i] == '\\' || (unsigned char)type[i] > 0x7e)
			return proto_fail(reason, PROTO_E_BAD_PAYLOAD_TYPE,
			    "payloadType must be printable ASCII without quotes");
	if ((pae = pae_build(type, tlen, payload, len, &pae_len)) == NULL)
		goto out;
	key_secret_sign(sk, pae, pae_len, sig);
	if ((pb64 = malloc(ENCODING_B64_LEN(len))) == NULL)
		goto out;
	encoding_b64_encode(payload, len, pb64);
	encoding_hex_encode(key_secret_public(sk)->id, KEY_ID_LEN, keyhex);
	encoding_b64_encode(sig, KEY_SIG_LEN, sigb64);
	cap = strlen(pb64) + tlen + sizeof(keyhex) + sizeof(sigb64) + 96;
	if ((json = malloc(cap)) == NULL)
		goto out;
	n = snprintf(json, cap, "{\"payload\":\"%s\",\"payloadType\":\"%s\","
	    "\"signatures\":[{\"keyid\":\"%s\",\"sig\":\"%s\"}]}",
	    pb64, type, keyhex, sigb64);
	if (n < 0 || (size_t)n >= cap)
		goto out;
	if ((size_t)n > ENVELOPE_MAX) {
		e = proto_fail(reason, PROTO_E_TOO_LARGE,
		    "signed envelope would be %d bytes, the maximum is %d", n,
		    ENVELOPE_MAX);
		goto out;
	}
	if (env_out && (e = envelope_parse(json, (size_t)n, env_out, reason)) != PROTO_OK)
		goto out;
	*json_out = json;
	*json_len = (size_t)n;
	json = NULL;
	e = PROTO_OK;
out:
	if (e == PROTO_E_NOMEM)
		proto_fail(reason, e, "out of memory");
	free(json);
	free(pb64);
	free(pae);
	return e;
}
