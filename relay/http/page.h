/*
 * relay/http/page.h — the public incident page: GET / on the HTTP API when
 * `status_page yes`.
 *
 * A read-only HTML page an outsider can read during a crisis: each zone in
 * incident (decide_zones_json()), its state, the operators that count,
 * the zone operator's statement, the timeline of the relay's decisions,
 * the NTAs the quorum recommends with their start and end (RFC 7646 asks
 * that NTAs in place be disclosed), and links to the signed envelopes
 * (/v1/events/{id}) so that anyone can verify what the page says with
 * `ntactl verify`. Plain HTML and inline CSS, no JavaScript, readable on
 * a phone (viewport, one column), refreshing itself every 30 s (meta
 * refresh; relay/http/routes.c also sends "Refresh: 30"). The relay's
 * handler (relay/http/api.c) gathers the zones from the engine and calls
 * page_html().
 *
 * Every string that comes from an event (notes, reasons, names) is
 * HTML-escaped. The page never needs the API token and shows nothing that
 * is not in the signed events anyone can fetch.
 */
#ifndef NTARELAY_RELAY_PAGE_H
#define NTARELAY_RELAY_PAGE_H

#include <stddef.h>

#include <jansson.h>

#define PAGE_REFRESH_S 30
#define PAGE_ZONES_MAX 50         /* zones shown in detail */

/* Who the page is about, for page_html(). */
struct page_info {
	const char *net;          /* federation name */
	const char *relay;        /* the relay's operator id, hex */
	const char *base;         /* prefix of /v1/events/ links: "" (same
	                             host) or public_url */
	long long now;            /* unix time of the page */
};

/*
 * The page from JSON: zones as decide_zones_json() gives it, details[i]
 * decide_zone_json() of its i-th zone (NULL entries allowed: the summary
 * is shown). Pure (no I/O, no clock), for tests. malloc'd; NULL on
 * allocation failure.
 */
char *page_html(const struct page_info *info, const json_t *zones,
    json_t *const *details, size_t ndetails, size_t *len);

#endif
