/*
 * proto/pae.c — DSSE PAE and event id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "proto/pae.h"

unsigned char *
pae_build(const char *type, size_t typelen, const unsigned char *body,
    size_t bodylen, size_t *outlen)
{
	char head[64], mid[32];
	unsigned char *buf, *p;
	int hn, mn;

	hn = snprintf(head, sizeof(head), "DSSEv1 %zu ", typelen);
	mn = snprintf(mid, sizeof(mid), " %zu ", bodylen);
	if (hn < 0 || mn < 0)
		return NULL;
	*outlen = (size_t)hn + typelen + (size_t)mn + bodylen;
	if ((buf = malloc(*outlen + 1)) == NULL)
		return NULL;
	p = buf;
	memcpy(p, head, (size_t)hn);
	p += hn;
	memcpy(p, type, typelen);
	p += typelen;
	memcpy(p, mid, (size_t)mn);
	p += mn;
	if (bodylen)
		memcpy(p, body, bodylen);
	buf[*outlen] = '\0';
	return buf;
}

void
pae_event_id(const unsigned char *pae, size_t len, unsigned char id[PAE_ID_LEN])
{
	struct sha256_ctx ctx;

	/* nettle's SHA-256 uses the CPU's SHA extensions where present:
	 * ~7x faster than libsodium's portable code, and the id is hashed
	 * for every event received. */
	sha256_init(&ctx);
	sha256_update(&ctx, len, pae);
	sha256_digest(&ctx, PAE_ID_LEN, id);
}
