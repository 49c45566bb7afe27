/*
 * relay/http/timeline.h — a zone's incident as a picture: an SVG timeline
 * drawn by the relay, for GET /v1/zones/{zone}/timeline.svg and inline in
 * the public page (relay/http/page.c).
 *
 * Input: the zone document of decide_zone_json() (relay/quorum/
 * zone_json.c; docs/API.md section 9): its operators with their current
 * events, and its history of decisions. Output: one <svg> element with a
 * viewBox (no fixed size: it scales to its container; drawn to be read at
 * 390 px), one lane per operator (at most TIMELINE_LANES_MAX) with its
 * observations (secure/insecure, bogus, unreachable) and assessments and
 * statements at their times, and a band on top with the relay's decisions
 * (each change a labelled segment in the state's colour, and a line down
 * through the lanes). Every kind of mark has its own shape and letter as
 * well as its colour, explained in a legend, and a <title> for each mark.
 *
 * Every string taken from the document is XML-escaped (and control
 * characters dropped); no script, no external reference. Pure: no I/O, no
 * clock (now is given), for tests.
 */
#ifndef NTARELAY_RELAY_HTTP_TIMELINE_H
#define NTARELAY_RELAY_HTTP_TIMELINE_H

#include <jansson.h>

#include "lib/buf.h"

#define TIMELINE_LANES_MAX 24     /* operators drawn; the rest are counted */

/* Append the <svg> element for zone document z, at time now, to b. */
void timeline_svg(struct buf *b, const json_t *z, long long now);

/* The standalone document (XML declaration + the <svg>), malloc'd, its
 * length in *len; NULL when out of memory. */
char *timeline_document(const json_t *z, long long now, size_t *len);

#endif
