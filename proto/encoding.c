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

/* Value of one base64 character in the given alphabet, or -1. */
static inline int
b64_value(unsigned c, int url)
{
	if (c >= 'A' && c <= 'Z')
		return (int)(c - 'A');
	if (c >= 'a' && c <= 'z')
		return (int)(c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (int)(c - '0' + 52);
	if (c == (url ? '-' : '+'))
		return 62;
	if (c == (url ? '_' : '/'))
		return 63;
	return -1;
}

/*
 * Base64 characters of either alphabet for the public decoder: bits 0-5 the
 * value, B64_OK for every base64 character, B64_STD for '+' '/' (standard
 * alphabet only), B64_URL for '-' '_' (URL-safe only); 0 is not base64.
 */
#define B64_OK 0x100
#define B64_STD 0x200
#define B64_URL 0x400
#define V(x) (B64_OK | (x))
static const unsigned short b64_table[256] = {
	['A'] = V(0), ['B'] = V(1), ['C'] = V(2), ['D'] = V(3), ['E'] = V(4), ['F'] = V(5),
	['G'] = V(6), ['H'] = V(7), ['I'] = V(8), ['J'] = V(9), ['K'] = V(10), ['L'] = V(11),
	['M'] = V(12), ['N'] = V(13), ['O'] = V(14), ['P'] = V(15), ['Q'] = V(16), ['R'] = V(17),
	['S'] = V(18), ['T'] = V(19), ['U'] = V(20), ['V'] = V(21), ['W'] = V(22), ['X'] = V(23),
	['Y'] = V(24), ['Z'] = V(25), ['a'] = V(26), ['b'] = V(27), ['c'] = V(28), ['d'] = V(29),
	['e'] = V(30), ['f'] = V(31), ['g'] = V(32), ['h'] = V(33), ['i'] = V(34), ['j'] = V(35),
	['k'] = V(36), ['l'] = V(37), ['m'] = V(38), ['n'] = V(39), ['o'] = V(40), ['p'] = V(41),
	['q'] = V(42), ['r'] = V(43), ['s'] = V(44), ['t'] = V(45), ['u'] = V(46), ['v'] = V(47),
	['w'] = V(48), ['x'] = V(49), ['y'] = V(50), ['z'] = V(51), ['0'] = V(52), ['1'] = V(53),
	['2'] = V(54), ['3'] = V(55), ['4'] = V(56), ['5'] = V(57), ['6'] = V(58), ['7'] = V(59),
	['8'] = V(60), ['9'] = V(61),
	['+'] = V(62) | B64_STD, ['/'] = V(63) | B64_STD,
	['-'] = V(62) | B64_URL, ['_'] = V(63) | B64_URL,
};
#undef V

int
encoding_b64_decode_public(const char *text, size_t len, unsigned char *out,
    size_t outcap, size_t *outlen)
{
	const unsigned char *t = (const unsigned char *)text;
	unsigned all = B64_OK, any = 0; /* AND and OR of the entries */
	size_t n = len, o = 0, i;
	unsigned acc;

	if (len == 0) {
		*outlen = 0;
		return 0;
	}
	if (t[len - 1] == '=') {
		if (len % 4 != 0)
			return -1;
		n = len - 1;
		if (t[n - 1] == '=')
			n--;
		/* exactly the padding that completes the last quantum */
		if (n % 4 == 0 || n % 4 == 1 || (len - n) != 4 - n % 4)
			return -1;
	} else if (len % 4 == 1)
		return -1;
	if (n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0) > outcap)
		return -1;
	/* Whole quanta: 4 characters, 3 bytes. */
	for (i = 0; i + 4 <= n; i += 4) {
		unsigned a = b64_table[t[i]], b = b64_table[t[i + 1]];
		unsigned c = b64_table[t[i + 2]], d = b64_table[t[i + 3]];
		all &= a & b & c & d;
		any |= a | b | c | d;
		acc = (a & 63) << 18 | (b & 63) << 12 | (c & 63) << 6 | (d & 63);
		out[o] = (unsigned char)(acc >> 16);
		out[o + 1] = (unsigned char)(acc >> 8);
		out[o + 2] = (unsigned char)acc;
		o += 3;
	}
	/* The last 2 or 3 characters; their unused low bits must be zero. */
	if (i < n) {
		unsigned a = b64_table[t[i]], b = b64_table[t[i + 1]];
		unsigned c = n - i == 3 ? b64_table[t[i + 2]] : B64_OK;
		all &= a & b & c;
		any |= a | b | c;
		acc = (a & 63) << 18 | (b & 63) << 12 | (c & 63) << 6;
		out[o++] = (unsigned char)(acc >> 16);
		if (n - i == 3) {
			out[o++] = (unsigned char)(acc >> 8);
			if (acc & 0xff)
				return -1;
		} else if (acc & 0xffff)
			return -1;
	}
	/* a character outside both alphabets, or the two alphabets mixed */
	if (!(all & B64_OK) || (any & (B64_STD | B64_URL)) == (B64_STD | B64_URL))
		return -1;
	*outlen = o;
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
