/*
 * client/nta_sync.h — one pass of `ntactl nta sync`: bring a resolver's
 * run-time NTAs in step with a relay's decisions, touching only the NTAs
 * this tool added (its state file, nta_state.h).
 *
 * The rules (ntactl(1), NTA SYNC):
 *  - nta_recommended zone, not on the resolver: add it for
 *    min(decision lifetime, nta_until - relay now, --max-lifetime, 7 days),
 *    never at the root; record it before adding (a crash never leaves an
 *    unrecorded NTA behind).
 *  - ours and still recommended: renew (the record's until follows the
 *    decision) when its until has passed, when the decision now ends
 *    earlier, or when less than half its lifetime is left; re-add it, and
 *    report drift, when the resolver lost it (unbound reload, restart).
 *  - ours and no longer recommended (another state, or not listed): remove.
 *  - not ours: never removed; reported as drift.
 *  - relay unreachable, not caught up with its peers (an answer that says
 *    "syncing", docs/API.md §8) or its answer malformed: nothing is added
 *    and nothing removed on the relay's account; only our NTAs whose
 *    recorded until has passed are removed (their lifetime ended: not a
 *    relay decision).
 *  - relay silent: with --stale-after T, once the relay has not answered
 *    (unreachable, syncing or malformed) for longer than T since the last
 *    pass it did (the state file's relay_ok_at; before the first such
 *    pass, the newest added_at), every NTA of ours is removed: a feed (or
 *    a resolver) must not keep NTAs nobody can vouch for any more.
 *  - the resolver lifts NTAs itself (bind without --no-recheck): an NTA of
 *    ours it no longer has while the recommendation is only held (phase
 *    recovering: the zone validates again) is left lifted, not re-added;
 *    it is re-added if the failure comes back (phase failing).
 *  - drivers that gather the changes of a pass (feedzone) apply them at
 *    its end (nta_driver_commit), before the state file is written; when
 *    that fails, the state file keeps what it had (removals and renewals
 *    are tried again next pass).
 *  - nta_recommended in either phase (failing, or recovering: the
 *    recommendation held while the zone validates again) is a
 *    recommendation: an NTA is removed only when the decision is another
 *    state (resolved, vetoed, inconsistent_evidence, ...), no longer
 *    listed, or its nta_until has passed.
 *
 * The outcome is a JSON report (also what `--json` prints):
 *   {"actions":[{"action":"add|renew|remove|forget","zone":..,"lifetime":..,
 *     "until":..,"reason":..,"commands":[..]}],
 *    "drift":[{"zone":..,"kind":"missing|foreign|foreign_recommended|
 *     refused","fixed":bool,"message":..}],
 *    "errors":[{"zone":..|null,"message":..}],
 *    "commit":[COMMAND..] (what the end of the pass ran: feedzone),
 *    "relay":URL,"relay_ok":bool,"driver":..,"dry_run":bool,"now":..}
 */
#ifndef NTARELAY_CLIENT_NTA_SYNC_H
#define NTARELAY_CLIENT_NTA_SYNC_H

#include <stdbool.h>

#include <jansson.h>

#include "client/nta_driver.h"

#define NTA_SYNC_SLACK 60         /* seconds: ends that differ less are equal */
#define NTA_SYNC_LOCK_WAIT 60     /* seconds to wait for the state lock */

struct nta_sync_opts {
	const char *relay;        /* base URL of the relay's HTTP API */
	const char *token_file;   /* NULL: $NTARELAY_TOKEN or none */
	const char *state_path;
	long long max_lifetime;   /* seconds, 1..7 days */
	long long stale_after;    /* seconds; 0: never (see above) */
	const char *public_url;   /* the relay's public URL for notes; NULL:
	                             relay */
	bool dry_run;             /* run nothing, write nothing */
};

/*
 * One pass with driver d. *report is a new JSON object (caller decrefs), or
 * NULL when out of memory. Returns 0 in step (drift fixed counts as in
 * step), 1 when drift was left that must not or could not be fixed
 * (a foreign NTA, a refused recommendation), 2 on any error (relay,
 * driver, state file).
 */
int nta_sync_pass(struct nta_driver *d, const struct nta_sync_opts *o,
    json_t **report);

#endif
