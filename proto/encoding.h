/*
 * proto/encoding.h — base64 and hex, the two text encodings of protocol v1.
 *
 * Base64 input is accepted in the standard and the URL-safe alphabet, with or
 * without padding (DSSE allows either); a string that mixes the alphabets is
 * rejected. Output is always standard base64 with padding. Hex output is
 * lowercase; hex input must be lowercase too, so that an id has exactly one
 * spelling.
 */
#ifndef NTARELAY_PROTO_ENCODING_H
#define NTARELAY_PROTO_ENCODING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes needed to base64-encode n bytes, with padding and the final NUL. */
#define ENCODING_B64_LEN(n) ((((n) + 2) / 3) * 4 + 1)

/*
 * Decode base64 text of length len into out (capacity outcap). Returns 0 and
 * sets *outlen, or -1 when the text is not base64 in one alphabet or does not
 * fit. Never reads past len.
 */
int encoding_b64_decode(const char *text, size_t len, unsigned char *out,
    size_t outcap, size_t *outlen);

/*
 * The same language as encoding_b64_decode(), decoded with a lookup table
 * instead of libsodium's constant-time code: for public data only (envelope
 * payloads and signatures), never for secrets.
 */
int encoding_b64_decode_public(const char *text, size_t len, unsigned char *out,
    size_t outcap, size_t *outlen);

/* Encode n bytes as standard padded base64 into out, which must hold
 * ENCODING_B64_LEN(n) bytes. Returns out. */
char *encoding_b64_encode(const unsigned char *in, size_t n, char *out);

/* Lowercase hex of n bytes into out (2n+1 bytes). Returns out. */
char *encoding_hex_encode(const unsigned char *in, size_t n, char *out);

/* Parse exactly 2n lowercase hex digits (text must be NUL-terminated and of
 * exactly that length). Returns 0, or -1 on any other input. */
int encoding_hex_decode(const char *text, unsigned char *out, size_t n);

/* True when text is exactly 64 lowercase hex digits (an id). */
bool encoding_is_id_hex(const char *text);

#endif
