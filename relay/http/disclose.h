/*
 * relay/http/disclose.h — the NTA disclosure (RFC 7646 §2): the document
 * of GET /v1/ntas, public, built from the relay's own signed decisions.
 *
 * An entry is one stretch of time during which the relay's decisions for
 * a zone said nta_recommended: it begins at the "since" of the first such
 * decision (when the zone entered that state) and ends at the "since" of
 * the first decision after it in another state (null while it lasts). It
 * names the relay's incident, says why (the recommending assessments'
 * verdicts and notes, from the events the first decision names) and
 * carries as proof the signed decision envelopes of the stretch (the
 * first ones and the last ones, at most DISCLOSE_PROOF_MAX), each the
 * envelope JSON as GET /v1/events shows it: `ntactl verify --pub
 * RELAY.pub` accepts each one.
 *
 * The window is the last DISCLOSE_DAYS days, unless the store's retention
 * is shorter: events that expired more than `retention` seconds ago are
 * pruned, so only decisions signed in the last `retention` seconds are
 * surely held, and "window_start" says where the document begins. Only
 * the zones with an incident open or closed in the window are read (a
 * decision is always about an incident), each with one indexed query. At
 * most DISCLOSE_ENTRIES_MAX entries (the current ones first, then the
 * newest) and DISCLOSE_DECISIONS_MAX decisions are read; "truncated" says
 * when something was left out. docs/API.md section 14 documents the
 * fields.
 *
 * Loop thread only; reads the store, never writes it.
 */
#ifndef NTARELAY_RELAY_HTTP_DISCLOSE_H
#define NTARELAY_RELAY_HTTP_DISCLOSE_H

#include <jansson.h>

#include "proto/key.h"

#define DISCLOSE_DAYS 30
#define DISCLOSE_ENTRIES_MAX 500
#define DISCLOSE_PROOF_MAX 16
#define DISCLOSE_DECISIONS_MAX 20000
#define DISCLOSE_NOTES_MAX 16           /* assessments read per entry */

struct store;

/* The document (new reference), NULL on failure (logged). origin: the
 * relay's operator; net its federation; now the time of the call;
 * retention the store's (seconds). */
json_t *disclose_json(struct store *st, const unsigned char origin[KEY_ID_LEN],
    const char *net, long long now, long retention);

#endif
