/*
 * proto/encoding.c — base64 (via libsodium, constant time) and hex.
 */
#include <string.h>

#include <sodium.h>

#include "proto/encoding.h"

/* Which alphabet a base64 string uses; -1 when it mixes both. */
static int
b64_variant(const char *text, size_t len, bool *padded)
{
	bool std = false, url = false;

	*padded = len > 0 && text[len - 1] == '=';
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '+' || text[i] == '/')
			std = true;
		else if (text[i] == '-' || text[i] == '_')
			url = true;
	}
	if (std && url)
		return -1;
	if (url)
		return *padded ? sodium_base64_VARIANT_URLSAFE :
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING;
	return *padded ? sodium_base64_VARIANT_ORIGINAL :
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
}

int
encoding_b64_decode(const char *text, size_t len, unsigned char *out,
    size_t outcap, size_t *outlen)
{
	const char *end = NULL;
	bool padded;
	int variant;

	if (len == 0) {
		*outlen = 0;
		return 0;
	}
	if ((variant = b64_variant(text, len, &padded)) < 0)
		return -1;
	/* Unpadded text must not have a length that padding would complete
	 * to something impossible (1 char left over). */
	if (!padded && len % 4 == 1)
		return -1;
	if (padded && len % 4 != 0)
		return -1;
	if (sodium_base642bin(out, outcap, text, len, NULL, outlen, &end,
	    variant) != 0)
		return -1;
	if (end != text + len)
		return -1;
	return 0;
}

char *
encoding_b64_encode(const unsigned char *in, size_t n, char *out)
{
	return sodium_bin2base64(out, ENCODING_B64_LEN(n), in, n,
	    sodium_base64_VARIANT_ORIGINAL);
}

char *
encoding_hex_encode(const unsigned char *in, size_t n, char *out)
{
	return sodium_bin2hex(out, 2 * n + 1, in, n);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
encoding_hex_decode(const char *text, unsigned char *out, size_t n)
{
	if (strlen(text) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(text[2 * i]), lo = hexval(text[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

bool
encoding_is_id_hex(const char *text)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (hexval(text[i]) < 0)
			return false;
	return text[64] == '\0';
}
