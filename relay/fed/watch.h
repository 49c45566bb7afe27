/*
 * relay/fed/watch.h — the relay's watched zones: probe each on an interval and
 * sign an observation when what it sees changes.
 *
 * An observation is emitted when the state or the evidence that the
 * fingerprint covers (DNSKEY and DS digests, failing signatures) changes,
 * and refreshed before it expires (OBS_LIFETIME), not on every probe: a
 * zone that flaps between secure and bogus shows as a series of changes,
 * which is what the quorum engine needs to refuse "sustained validation"
 * to a zone that validates only some of the time.
 */
#ifndef NTARELAY_RELAY_WATCH_H
#define NTARELAY_RELAY_WATCH_H

#include "relay/relay.h"

#define WATCH_OBS_LIFETIME 3600   /* seconds an observation lives */
#define WATCH_REFRESH 2700        /* re-sign an unchanged one after this */

/* Start probing every `watch` zone of r's configuration (none: nothing).
 * Returns 0, or -1 (logged) when the probe cannot be set up. */
int watch_start(struct relay *r);
void watch_stop(void);

#endif
