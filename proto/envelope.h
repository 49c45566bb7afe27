/*
 * proto/envelope.h — the DSSE envelope of protocol v1.
 *
 *   {"payload":"<base64>","payloadType":"<type>",
 *    "signatures":[{"keyid":"<64 hex>","sig":"<base64>"}]}
 *
 * Exactly one Ed25519 signature over PAE(payloadType, payload). Parsing an
 * envelope decodes it and computes its event id but does not look inside the
 * payload: the payload is parsed only after the signature verified
 * (proto/open.h). Envelopes over ENVELOPE_MAX bytes are refused before any
 * parsing. Members other than the four above are refused.
 */
#ifndef NTARELAY_PROTO_ENVELOPE_H
#define NTARELAY_PROTO_ENVELOPE_H

#include <stddef.h>

#include "proto/error.h"
#include "proto/key.h"

#define ENVELOPE_MAX 65536
#define ENVELOPE_TYPE_MAX 128

struct envelope {
	char *payload_type;          /* NUL-terminated */
	unsigned char *payload;      /* payload_len bytes, plus a NUL after;
	                                points into pae */
	size_t payload_len;
	unsigned char *pae;          /* the signed bytes, NUL-terminated */
	size_t pae_len;
	unsigned char keyid[KEY_ID_LEN];
	unsigned char sig[KEY_SIG_LEN];
	unsigned char id[KEY_ID_LEN]; /* SHA-256(pae) */
};

/*
 * Parse envelope text (need not be NUL-terminated). On success *out is new
 * (envelope_free). Errors: too_large, malformed_json, duplicate_key,
 * bad_envelope, bad_base64, signature_count, bad_keyid, nomem.
 */
enum proto_err envelope_parse(const char *buf, size_t len,
    struct envelope **out, char *reason);

/* PROTO_OK when sig verifies under pk, PROTO_E_BAD_SIGNATURE otherwise.
 * Does not check that keyid matches pk: see proto/open.h. */
enum proto_err envelope_verify(const struct envelope *env,
    const unsigned char pk[KEY_PUBLIC_LEN]);

/*
 * Sign payload under type with sk and serialise the envelope as one line of
 * JSON (no newline), members in the order above. *json_out is new (free());
 * *env_out, if not NULL, receives the parsed envelope (new).
 */
enum proto_err envelope_sign(const char *type, const unsigned char *payload,
    size_t len, const struct key_secret *sk, char **json_out, size_t *json_len,
    struct envelope **env_out, char *reason);

/* Event id as 64 lowercase hex digits into out (65 bytes). */
char *envelope_id_hex(const struct envelope *env, char out[2 * KEY_ID_LEN + 1]);

void envelope_free(struct envelope *env);

#endif
