/*
 * client/strbuf.c — a growable NUL-terminated string; see strbuf.h.
 */
#include <stdlib.h>
#include <string.h>

#include "client/strbuf.h"

void
strbuf_add(struct strbuf *b, const char *s, size_t n)
{
	size_t cap;
	char *ns;

	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((ns = realloc(b->s, cap)) == NULL) {
			b->failed = true;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
	if (n)
		memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}
