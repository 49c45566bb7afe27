/*
 * proto/pae.h — DSSE Pre-Authentication Encoding and event ids.
 *
 * PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, where
 * LEN is the byte length in ASCII decimal without leading zeros. The
 * signature covers these bytes, and the event id is the lowercase hex of
 * SHA-256 over them: the same id on every relay, whatever base64 alphabet
 * or JSON spacing carried the envelope.
 */
#ifndef NTARELAY_PROTO_PAE_H
#define NTARELAY_PROTO_PAE_H

#include <stddef.h>

#define PAE_ID_LEN 32

/* Build PAE bytes. Returns a new buffer (caller frees with free()) and sets
 * *outlen, or NULL on allocation failure. */
unsigned char *pae_build(const char *type, size_t typelen,
    const unsigned char *body, size_t bodylen, size_t *outlen);

/* SHA-256 of PAE bytes: the event id. */
void pae_event_id(const unsigned char *pae, size_t len, unsigned char id[PAE_ID_LEN]);

#endif
