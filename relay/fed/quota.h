/*
 * relay/fed/quota.h — the per-operator quota of a zone (docs/PROTOCOL.md
 * §15.7): at most zone_keys_per_operator live keys observing, and at most
 * zone_events_per_operator live observations, assessments and statements
 * of one operator in one zone. It is what bounds the cost of evaluating a
 * zone, whatever one operator sends.
 *
 * Counting an operator's live events for every event it sends would cost
 * as much as the flood it is meant to stop. So the module keeps an
 * estimate per (zone, origin): the count the store gave, plus the events
 * admitted since. Events only ever leave by expiring, so the estimate is
 * never below the truth: while it is under the quota the event is
 * admitted without a query; at the quota the store counts again, exactly
 * and at most quota entries deep. A forgotten estimate (the cache is
 * bounded; the oldest entry of a slot gives way) is counted again: that
 * costs a query, never a wrong answer.
 *
 * Runs on the loop thread only.
 */
#ifndef NTARELAY_RELAY_QUOTA_H
#define NTARELAY_RELAY_QUOTA_H

#include <stddef.h>

#include "proto/error.h"
#include "proto/event.h"
#include "relay/store/store.h"

#define QUOTA_CACHE 8192        /* (zone, origin) estimates kept */

struct quota;

struct quota *quota_new(void);
void quota_free(struct quota *q);

/*
 * May ev (an observation, assessment or zone statement) be added at now?
 * PROTO_OK, or PROTO_E_QUOTA with the reason; other kinds are always
 * admitted. A store error admits (the store says more when it stores)
 * and is logged by the caller from err.
 */
enum proto_err quota_check(struct quota *q, struct store *s,
    const struct event *ev, long long now, int max_keys, int max_events,
    char *reason, char *err);

/* ev was stored: count it in its estimate. */
void quota_admitted(struct quota *q, const struct event *ev);

#endif
