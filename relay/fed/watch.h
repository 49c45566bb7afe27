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
 *
 * Loop thread only; the state lives in struct watch (watch_new()).
 */
#ifndef NTARELAY_RELAY_WATCH_H
#define NTARELAY_RELAY_WATCH_H

#include <stdbool.h>

#include "relay/fed/fed.h"

#define WATCH_OBS_LIFETIME 3600   /* seconds an observation lives */
#define WATCH_REFRESH 2700        /* re-sign an unchanged one after this */

struct watch;

/* Start probing every `watch` zone of fed's configuration (none: an idle
 * watch); observations are signed with publish_own() (relay/fed/publish.h),
 * none while *draining. NULL (logged) when the probe cannot be set up. */
struct watch *watch_new(struct fed *fed, const bool *draining);
/* Stop probing and free (NULL allowed). The loop must still exist. */
void watch_free(struct watch *w);

#endif
