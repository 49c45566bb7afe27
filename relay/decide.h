/*
 * relay/decide.h — the relay's quorum engine at work: which zones are in
 * incident, what the rule of relay/quorum.h says about each, and the
 * signed decision events that publish every change.
 *
 * Every accepted observation, assessment, zone statement or withdrawal
 * marks its zone; before the loop turn's transaction commits, each marked
 * zone is evaluated again from the store (the live events of the zone)
 * and the trust index (who counts, and for which vote). A timer evaluates
 * the zones again when the answer may change with time alone (an event
 * expiring, a sustained-validation window filling), and a trust index
 * reload (a revocation) evaluates every zone. A change of state, of the
 * operators that count, of the fingerprints, of the veto or of the
 * lifetime is signed as a `decision` event (retained on the relay's
 * decision topic) and handed to the notifiers.
 *
 * Runs on the loop thread only.
 */
#ifndef NTARELAY_RELAY_DECIDE_H
#define NTARELAY_RELAY_DECIDE_H

#include <stdbool.h>

#include <jansson.h>

#include "proto/event.h"

struct relay;

/* Load the zones with live events and the relay's last decisions from the
 * store, evaluate them (without publishing what did not change). */
int decide_start(struct relay *r);
void decide_stop(struct relay *r);

/* An accepted event that may change a decision (own or a peer's). */
void decide_event(struct relay *r, const struct event *ev);

/* Has origin withdrawn event id? */
bool decide_withdrawn(struct relay *r, const unsigned char id[KEY_ID_LEN],
    const unsigned char origin[KEY_ID_LEN]);

/* Evaluate every zone again (the trust index changed). */
void decide_all(struct relay *r);

/* Evaluate the marked zones (called inside the turn's transaction). */
void decide_flush(struct relay *r);

/*
 * GET /v1/zones: {"now":N,"relay":OPERATOR,"count":N,"zones":[SUMMARY..]},
 * every zone not clear, most urgent first (nta_recommended, vetoed,
 * inconsistent_evidence, observed, resolved; then by zone). SUMMARY: zone, state, since,
 * changed, lifetime, nta_until, fingerprints, veto, recommending,
 * observing, validating, quorum, evidence, reason (docs/API.md).
 * New reference, NULL on allocation failure.
 */
json_t *decide_zones_json(struct relay *r);

/*
 * GET /v1/zones/{zone}: SUMMARY plus "operators" (every vote with its
 * operators, roles and events), "statement" (the zone operator's),
 * "not_counted" (events of the zone that do not count: not a member's,
 * revoked, withdrawn, a statement by someone not the zone's operator),
 * and "history" (the relay's decisions for the zone, oldest first, at most
 * 50: {"ts","state","event"}). A zone never seen answers state "clear".
 */
json_t *decide_zone_json(struct relay *r, const char *zone);

#endif
