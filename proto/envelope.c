/*
 * proto/envelope.c — DSSE envelope parse, sign, verify.
 */
#include <stdlib.h>
#include <string.h>

#include <stdio.h>
#include <sodium.h>

#include "proto/encoding.h"
#include "proto/envelope.h"
#include "proto/pjson.h"
#include "proto/pae.h"

void
envelope_free(struct envelope *env)
{
	if (env == NULL)
		return;
	free(env->payload_type);
	free(env->pae); /* payload points into it */
	free(env);
}

char *
envelope_id_hex(const struct envelope *env, char out[2 * KEY_ID_LEN + 1])
{
	return encoding_hex_encode(env->id, KEY_ID_LEN, out);
}

/*
 * Members of the envelope (in any order) and of its one signature object.
 * Unknown members are refused.
 */
static enum proto_err
members(const struct pjson_doc *d, int obj, const char *const *allowed,
    int *found, const char *where, char *reason)
{
	for (int k = pjson_first(d, obj); k >= 0; k = pjson_next(d, obj, k)) {
		const char *name = pjson_str(d, k);
		int i;
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(allowed[i], name) == 0)
				break;
		if (allowed[i] == NULL)
			return proto_fail(reason, PROTO_E_BAD_ENVELOPE,
			    "%s: unknown member '%.64s'", where, name);
		found[i] = k + 1;
	}
	for (int i = 0; allowed[i] != NULL; i++)
		if (found[i] < 0)
			return proto_fail(reason, PROTO_E_BAD_ENVELOPE,
			    "%s: '%s' is missing", where, allowed[i]);
	return PROTO_OK;
}

/* Long (about 125 lines) on purpose: one pass over untrusted bytes, each
 * check beside the field it guards and each failure naming it; split, the
 * order of the checks (size, then structure, then each member) would be
 * harder to audit. */
enum proto_err
envelope_parse(const char *buf, size_t len, struct envelope **out, char *reason)
{
	static const char *const env_members[] = { "payload", "payloadType",
		"signatures", NULL };
	static const char *const sig_members[] = { "keyid", "sig", NULL };
	struct pjson_doc d = { 0 };
	struct envelope *env = NULL;
	int em[3] = { -1, -1, -1 }, sm[2] = { -1, -1 }, sig0;
	const char *ptext, *ttext, *ktext, *stext;
	size_t plen, tlen, slen, siglen;
	enum pjson_status st;
	enum proto_err e;

	*out = NULL;
	if (len > ENVELOPE_MAX)
		return proto_fail(reason, PROTO_E_TOO_LARGE,
		    "envelope is %zu bytes, the maximum is %d", len, ENVELOPE_MAX);
	if ((st = pjson_parse(&d, buf, len)) != PJSON_OK) {
		e = st == PJSON_E_DUPLICATE ? PROTO_E_DUPLICATE_KEY :
		    st == PJSON_E_NOMEM ? PROTO_E_NOMEM : PROTO_E_MALFORMED_JSON;
		proto_fail(reason, e, "envelope: %s", d.error);
		goto out;
	}
	e = PROTO_E_MALFORMED_JSON;
	if (pjson_type(&d, 0) != PJSON_OBJECT) {
		proto_fail(reason, e, "envelope: must be a JSON object");
		goto out;
	}
	if ((e = members(&d, 0, env_members, em, "envelope", reason)) != PROTO_OK)
		goto out;
	e = PROTO_E_BAD_ENVELOPE;
	if (pjson_type(&d, em[0]) != PJSON_STRING) {
		proto_fail(reason, e, "envelope: 'payload' must be a string");
		goto out;
	}
	if (pjson_type(&d, em[1]) != PJSON_STRING) {
		proto_fail(reason, e, "envelope: 'payloadType' must be a string");
		goto out;
	}
	if (pjson_type(&d, em[2]) != PJSON_ARRAY) {
		proto_fail(reason, e, "envelope: 'signatures' must be an array");
		goto out;
	}
	if (pjson_count(&d, em[2]) != 1) {
		e = proto_fail(reason, PROTO_E_SIGNATURE_COUNT,
		    "envelope: %u signatures, exactly 1 is required",
		    pjson_count(&d, em[2]));
		goto out;
	}
	sig0 = pjson_first(&d, em[2]);
	if (pjson_type(&d, sig0) != PJSON_OBJECT) {
		proto_fail(reason, e, "envelope: signatures[0] must be an object");
		goto out;
	}
	if ((e = members(&d, sig0, sig_members, sm, "signatures[0]", reason)) != PROTO_OK)
		goto out;
	e = PROTO_E_BAD_ENVELOPE;
	if (pjson_type(&d, sm[0]) != PJSON_STRING || pjson_type(&d, sm[1]) != PJSON_STRING) {
		proto_fail(reason, e, "signatures[0]: 'keyid' and 'sig' must be strings");
		goto out;
	}
	ptext = pjson_str(&d, em[0]);
	plen = pjson_strlen(&d, em[0]);
	ttext = pjson_str(&d, em[1]);
	tlen = pjson_strlen(&d, em[1]);
	ktext = pjson_str(&d, sm[0]);
	stext = pjson_str(&d, sm[1]);
	slen = pjson_strlen(&d, sm[1]);

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
	if (encoding_b64_decode_public(stext, slen, env->sig, sizeof(env->sig),
	    &siglen) != 0 || siglen != KEY_SIG_LEN) {
		e = proto_fail(reason, PROTO_E_BAD_BASE64,
		    "signatures[0]: 'sig' must be base64 of %d bytes", KEY_SIG_LEN);
		goto out;
	}
	/* The PAE is built in place: the decoded payload is written right
	 * after its header, so no second copy is needed. Decoded payload is
	 * at most 3/4 of its text. */
	{
		char head[64], mid[32];
		int hn = snprintf(head, sizeof(head), "DSSEv1 %zu ", tlen), mn;
		size_t cap = (size_t)hn + tlen + 32 + plen / 4 * 3 + 4;
		unsigned char *p;
		if ((env->pae = malloc(cap)) == NULL ||
		    (env->payload_type = strdup(ttext)) == NULL) {
			e = proto_fail(reason, PROTO_E_NOMEM, "out of memory");
			goto out;
		}
		/* Decode first into the tail of the buffer to learn the length. */
		p = env->pae + (size_t)hn + tlen + 32;
		if (encoding_b64_decode_public(ptext, plen, p, plen / 4 * 3 + 3,
		    &env->payload_len) != 0) {
			e = proto_fail(reason, PROTO_E_BAD_BASE64,
			    "envelope: 'payload' is not base64");
			goto out;
		}
		mn = snprintf(mid, sizeof(mid), " %zu ", env->payload_len);
		memcpy(env->pae, head, (size_t)hn);
		memcpy(env->pae + hn, ttext, tlen);
		memcpy(env->pae + (size_t)hn + tlen, mid, (size_t)mn);
		env->pae_len = (size_t)hn + tlen + (size_t)mn + env->payload_len;
		env->payload = env->pae + env->pae_len - env->payload_len;
		memmove(env->payload, p, env->payload_len);
		env->pae[env->pae_len] = '\0';
	}
	pae_event_id(env->pae, env->pae_len, env->id);
	*out = env;
	env = NULL;
	e = PROTO_OK;
out:
	envelope_free(env);
	pjson_free(&d);
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
