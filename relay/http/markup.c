/*
 * relay/http/markup.c — see markup.h.
 */
#include <string.h>

#include "relay/http/markup.h"

void
markup_esc(struct buf *b, const char *s, size_t max)
{
	size_t n;

	if (s == NULL)
		return;
	n = strlen(s);
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '&': buf_printf(b, "&amp;"); break;
		case '<': buf_printf(b, "&lt;"); break;
		case '>': buf_printf(b, "&gt;"); break;
		case '"': buf_printf(b, "&quot;"); break;
		case '\'': buf_printf(b, "&#39;"); break;
		default:
			if (c >= 0x20 && c != 0x7f)
				buf_printf(b, "%c", c);
			else if (c == '\n' || c == '\t')
				buf_printf(b, " ");
		}
	}
	if (n < strlen(s))
		buf_printf(b, "…");
}
