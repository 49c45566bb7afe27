/*
 * relay/http/form.c — application/x-www-form-urlencoded decoding
 * (relay/http/form.h).
 */
#include <string.h>

#include "relay/http/form.h"

static int
form_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode s (n bytes) into out (cap bytes); -1 when malformed or too long. */
static int
form_decode(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i], hi, lo;

		if (c == '+')
			c = ' ';
		else if (c == '%') {
			if (i + 2 >= n || (hi = form_hexval(s[i + 1])) < 0 ||
			    (lo = form_hexval(s[i + 2])) < 0)
				return -1;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c == 0 || o + 1 >= cap)
			return -1;
		out[o++] = (char)c;
	}
	if (cap == 0)
		return -1;
	out[o] = '\0';
	return 0;
}

int
form_value(const char *body, size_t len, const char *name, char *out,
    size_t cap)
{
	const char *p = body, *end = body + len;
	size_t nlen = strlen(name);
	int found = 0;

	if (cap)
		out[0] = '\0';
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *pair_end = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(pair_end - p));
		const char *kend = eq ? eq : pair_end;
		char key[FORM_NAME_MAX + 1];

		if (kend > p && form_decode(p, (size_t)(kend - p), key,
		    sizeof(key)) == 0 && strlen(key) == nlen &&
		    memcmp(key, name, nlen) == 0) {
			if (found)
				return -1;   /* given twice: which one counts? */
			if (form_decode(eq ? eq + 1 : pair_end, eq ?
			    (size_t)(pair_end - eq - 1) : 0, out, cap) != 0)
				return -1;
			found = 1;
		}
		p = pair_end + (amp ? 1 : 0);
	}
	return found;
}
