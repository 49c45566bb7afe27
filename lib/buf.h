/*
 * lib/buf.h — the one growable buffer: bytes appended (buf_add) or
 * formatted (buf_printf) at its end, kept NUL-terminated. For URLs, HTTP
 * bodies, resolver commands and their output (ntactl), and the relay's
 * metrics, JSON answers, pages and chat messages.
 *
 * A zeroed struct buf is an empty buffer with nothing allocated (data is
 * NULL until something is added; adding 0 bytes makes it ""). An
 * allocation failure sets `failed` and every later append does nothing,
 * so a caller checks once at the end. Not for secrets: a grown buffer's
 * old copy is freed without being cleared.
 */
#ifndef NTARELAY_LIB_BUF_H
#define NTARELAY_LIB_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *data;       /* NUL-terminated once anything was added */
	size_t len, cap;  /* len bytes before the NUL; cap allocated */
	bool failed;      /* an allocation (or a format) failed: incomplete */
};

/* Append n bytes of s (s may be NULL when n is 0). */
void buf_add(struct buf *b, const void *s, size_t n);

/* Append the printf-formatted text. */
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Hand the text over (the caller frees it) and leave b empty: "" when
 * nothing was added; NULL, b freed, when b failed or "" cannot be had. */
char *buf_take(struct buf *b);

/* Free the text and leave b empty and usable. Accepts NULL. */
void buf_free(struct buf *b);

#endif
