/*
 * client/strbuf.h — a growable NUL-terminated string for ntactl (URLs,
 * HTTP bodies, resolver commands and their output). An allocation failure
 * sets `failed` and later appends do nothing, so callers check once.
 */
#ifndef NTARELAY_CLIENT_STRBUF_H
#define NTARELAY_CLIENT_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *s;          /* NUL-terminated once anything was added */
	size_t len, cap;
	bool failed;
};

/* Append n bytes of s (n may be 0: makes s an empty string). */
void strbuf_add(struct strbuf *b, const char *s, size_t n);

#endif
