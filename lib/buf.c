/*
 * lib/buf.c — the growable buffer; see buf.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"

#define BUF_FIRST_CAP 256

/* Room for need more bytes and the NUL; false (b failed) when none. */
static bool
buf_grow(struct buf *b, size_t need)
{
	size_t cap;
	char *nd;

	if (b->failed)
		return false;
	if (need > (size_t)-1 / 2 - b->len) {
		b->failed = true;
		return false;
	}
	if (b->data != NULL && b->len + need + 1 <= b->cap)
		return true;
	cap = b->cap ? b->cap : BUF_FIRST_CAP;
	while (cap < b->len + need + 1)
		cap *= 2;
	if ((nd = realloc(b->data, cap)) == NULL) {
		b->failed = true;
		return false;
	}
	b->data = nd;
	b->cap = cap;
	return true;
}

void
buf_add(struct buf *b, const void *s, size_t n)
{
	if (!buf_grow(b, n))
		return;
	if (n)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->data ? b->data + b->len : NULL,
	    b->data ? b->cap - b->len : 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if (b->data != NULL && (size_t)n < b->cap - b->len) {
		b->len += (size_t)n;
		return;
	}
	/* Grow to fit, then format again. */
	if (!buf_grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len) {
		b->failed = true;
		return;
	}
	b->len += (size_t)n;
}

char *
buf_take(struct buf *b)
{
	char *s;

	if (!b->failed && b->data == NULL)
		buf_add(b, "", 0);
	if (b->failed) {
		buf_free(b);
		return NULL;
	}
	s = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

void
buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = false;
}
