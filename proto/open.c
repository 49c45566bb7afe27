/*
 * proto/open.c — verify before parse.
 */
#include <string.h>

#include "proto/encoding.h"
#include "proto/open.h"

bool
open_lookup_single(void *ctx, const unsigned char keyid[KEY_ID_LEN],
    unsigned char pk[KEY_PUBLIC_LEN])
{
	const struct key_public *pub = ctx;

	if (memcmp(pub->id, keyid, KEY_ID_LEN) != 0)
		return false;
	memcpy(pk, pub->pk, KEY_PUBLIC_LEN);
	return true;
}

enum proto_err
open_envelope_parsed(const struct envelope *env, open_lookup_fn lookup,
    void *ctx, int flags, struct event **ev_out, char *reason)
{
	unsigned char pk[KEY_PUBLIC_LEN];
	char hex[2 * KEY_ID_LEN + 1];
	enum proto_err e;

	if (ev_out)
		*ev_out = NULL;
	if (!lookup(ctx, env->keyid, pk))
		return proto_fail(reason, PROTO_E_UNKNOWN_KEY,
		    "no public key known for keyid %s",
		    encoding_hex_encode(env->keyid, KEY_ID_LEN, hex));
	if ((e = envelope_verify(env, pk)) != PROTO_OK)
		return proto_fail(reason, e, "signature by keyid %s does not verify",
		    encoding_hex_encode(env->keyid, KEY_ID_LEN, hex));
	if (flags & OPEN_RAW)
		return PROTO_OK;
	return event_parse(env, ev_out, reason);
}

enum proto_err
open_envelope(const char *buf, size_t len, open_lookup_fn lookup, void *ctx,
    int flags, struct envelope **env_out, struct event **ev_out, char *reason)
{
	struct envelope *env = NULL;
	enum proto_err e;

	*env_out = NULL;
	if (ev_out)
		*ev_out = NULL;
	if ((e = envelope_parse(buf, len, &env, reason)) != PROTO_OK)
		return e;
	*env_out = env;
	return open_envelope_parsed(env, lookup, ctx, flags, ev_out, reason);
}
