/*
 * relay/http/markup.h — text made safe for HTML and SVG (XML): the one
 * escaping the incident page (page.c) and the timeline (timeline.c) use.
 *
 * markup_esc() appends s to b with & < > " ' as entities (safe in text
 * and in quoted attribute values alike), tabs and newlines as spaces,
 * other control characters dropped, cut at max bytes on a UTF-8 character
 * boundary with "…" when cut. s NULL appends nothing. Invalid UTF-8 is
 * copied as it is: the strings come from verified, schema-checked events
 * and from the relay's own JSON, whose strings jansson keeps valid.
 */
#ifndef NTARELAY_RELAY_HTTP_MARKUP_H
#define NTARELAY_RELAY_HTTP_MARKUP_H

#include <stddef.h>

#include "lib/buf.h"

void markup_esc(struct buf *b, const char *s, size_t max);

#endif
