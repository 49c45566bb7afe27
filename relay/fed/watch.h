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
 * Loop thread only; the state lives in struct watch (watch_new()), which
 * keeps its own copy of the zones, their names and the probe settings, so
 * that a reload (watch_reload()) can tell what changed.
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
/*
 * After a reload (SIGHUP) copied `watch` and the probe_* keys into fed's
 * configuration: apply them to the running watch, logging one line per
 * key that changed ("reload: watch: added A, removed B (N zones)",
 * "reload: probe_interval: N s (was M s)", "reload: probe_forward: ...",
 * "reload: probe_trust_anchor: ..."). Zones removed stop being probed (a
 * round in flight is dropped when it ends); added zones' first rounds are
 * spread over the next interval; a new interval reschedules every zone
 * over it; a new trust anchor or forwarder makes a new probe (rounds in
 * flight dropped). A probe that cannot be made is logged and the running
 * one kept, with its settings; the next reload tries again.
 */
void watch_reload(struct watch *w);
/* Stop probing and free (NULL allowed). The loop must still exist. */
void watch_free(struct watch *w);

#endif
