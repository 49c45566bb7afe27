/*
 * relay/quorum/decide.h — the relay's quorum engine at work: which zones are in
 * incident, what the rule of relay/quorum/quorum.h says about each, and the
 * signed decision events that publish every change.
 *
 * Every accepted observation, assessment, zone statement or withdrawal
 * marks its zone; before the loop turn's transaction commits, each marked
 * zone is evaluated again from the store (the live events of the zone)
 * and the trust index (who counts, and for which vote), unless its
 * evaluation budget (decide.c: BUDGET) defers it to the timer. The timer
 * (set at the next deadline, at most every TICK_MS) evaluates the deferred zones and those whose answer may
 * change with time alone (an event expiring, a sustained-validation
 * window filling), and a trust index reload (a revocation, SIGHUP, which
 * also applies a new quorum policy) evaluates every zone. A pass of the
 * timer works for at most SLICE_MS and goes on SLICE_GAP_MS later
 * (decide_int.h), so that deciding 100,000 zones after a catch-up does not
 * stop the loop for seconds. A change of state, of the
 * operators that count, of the fingerprints, of the veto or of the
 * lifetime is signed as a `decision` event (retained on the relay's
 * decision topic) and handed to the notifiers.
 *
 * The engine holds what it works with (struct decide_deps, given to
 * decide_new()): the configuration, the store, the trust index, the
 * counters, the loop, the relay's operator, the signer its decisions are
 * signed with (relay/fed/signer.h), hooks that say whether the relay caught
 * up with the federation and may write its store, and the notifier that
 * hears every decision change. It includes nothing above relay/fed/.
 *
 * Idle costs nothing: the timer is set at the next deadline (a zone marked
 * and its budget spent, an answer that changes with time, a decision due
 * for its refresh), never polled; the tick opens no transaction when
 * nothing is due.
 *
 * Runs on the loop thread only.
 */
#ifndef NTARELAY_RELAY_DECIDE_H
#define NTARELAY_RELAY_DECIDE_H

#include <stdbool.h>

#include <jansson.h>

#include "proto/event.h"
#include "relay/core/config.h"
#include "relay/core/loop.h"
#include "relay/core/metrics.h"
#include "relay/core/trust.h"
#include "relay/fed/signer.h"
#include "relay/store/store_zone.h"

/* What the engine asks of the relay; every callback may be NULL. */
struct decide_hooks {
	/* caught up with the federation's recent history (relay/fed/catchup.h)?
	 * Until then nothing is signed; when it is, the relay calls
	 * decide_all(). NULL: always. */
	bool (*caught_up)(void *ctx);
	/* while syncing: what GET /v1/zones and /v1/zones/{zone} answer
	 * instead (new reference); NULL when caught up */
	json_t *(*syncing_json)(void *ctx);
	/* may the store write (relay/fed/storefault.h)? NULL: always */
	bool (*writable)(void *ctx);
	void *ctx;
};

/* Who hears a decision change: doc is the zone's document
 * (decide_zone_json(), borrowed), prev_state the state before, prev_phase
 * the phase before when it was nta_recommended, else NULL
 * (relay/notify/notify.h notify_decision()). */
struct decide_notifier {
	void (*decision)(void *ctx, const json_t *doc, const char *prev_state,
	    const char *prev_phase);
	void *ctx;
};

/* Who hears a decision change as its summary (the zone's row of GET
 * /v1/zones, decide_zones_json(); borrowed; built for a clear zone too):
 * cheap, no live evaluation (relay/http/stream.c pushes it). Called at the
 * same changes as the notifier, after it. */
struct decide_listener {
	void (*decision)(void *ctx, const json_t *summary);
	void *ctx;
};

struct decide_deps {
	const struct relay_config *cfg;   /* quorum policy (read at each use) */
	struct store *store;
	const struct trust *trust;        /* its tidx may change: read at each use */
	struct metrics *metrics;          /* decisions */
	struct loop *loop;                /* the tick's timer */
	unsigned char origin[KEY_ID_LEN]; /* the relay's operator */
	struct signer signer;             /* signs the decisions */
	struct decide_hooks hooks;
	struct decide_notifier notify;
};

struct decide;

/* The engine, holding copies of deps (the pointers must outlive it);
 * NULL on allocation failure. */
struct decide *decide_new(const struct decide_deps *deps);
/* NULL allowed; cancels the timer. */
void decide_free(struct decide *d);

/* Who hears decision changes from now on (replaces deps->notify). With no
 * notifier (decision NULL) the engine builds no document for it: the
 * document is a live evaluation of the zone, too dear to build for
 * nobody. */
void decide_set_notifier(struct decide *d, const struct decide_notifier *n);

/* Who hears decision changes as summaries from now on (a second listener
 * beside the notifier; decision NULL: none). */
void decide_set_listener(struct decide *d, const struct decide_listener *l);

/* Load the zones with live events and the relay's last decisions from the
 * store, evaluate them (without publishing what did not change). */
int decide_start(struct decide *d);

/* An accepted event that may change a decision (own or a peer's). */
void decide_event(struct decide *d, const struct event *ev);

/* zone's open incident, as the engine holds it after its last
 * evaluation: true and its id (16 hex digits) in id, or false ("" in id).
 * For messages that name the incident; decides nothing. */
bool decide_open_incident(struct decide *d, const char *zone,
    char id[STORE_INCIDENT_ID_LEN + 1]);

/* Has origin withdrawn event id? */
bool decide_withdrawn(struct decide *d, const unsigned char id[KEY_ID_LEN],
    const unsigned char origin[KEY_ID_LEN]);

/*
 * What staff judge when they assess zone now: *refs (new array) the ids
 * of the current failing observations (the leading failure's first, at
 * most KIND_REFS_MAX), which the relay puts in the assessment's refs so
 * that it counts for this failure only (relay/quorum/incident.h); returns
 * {"incident":ID|null,"lead":FP|null,"fingerprints":[FP..],
 * "observations":N,"state":STATE} (new), NULL on failure.
 */
json_t *decide_judged(struct decide *d, const char *zone, json_t **refs);

/* origin was flagged for equivocation (or cleared): evaluate its zones
 * again at once. */
void decide_flagged(struct decide *d, const unsigned char origin[KEY_ID_LEN]);

/* Evaluate every zone again (the trust index changed). */
void decide_all(struct decide *d);

/* Evaluate the marked zones (called inside the turn's transaction);
 * nothing while the store cannot write (relay/fed/storefault.h). */
void decide_flush(struct decide *d);

/* Zones marked and not evaluated yet: each zone's evaluations are spaced
 * by a multiple of what the last one cost (the budget), so a flush may
 * leave a zone for the tick. For tests and diagnostics. */
size_t decide_pending(const struct decide *d);

/* The turn's transaction committed, or rolled back: then every decision
 * signed in it is forgotten (state, digest, event) and its zone is
 * evaluated again, so that it is signed once the store writes. */
void decide_committed(struct decide *d);
void decide_rollback(struct decide *d);

/*
 * GET /metrics: a collector (relay/core/metrics.h; ctx: the engine) that
 * appends ntarelay_zone_state{zone,state}, one series per state of
 * relay/quorum/quorum.h for each zone GET /v1/zones lists and each watched
 * zone: 1 for the zone's state in its last evaluation (clear for a watched
 * zone the engine holds no other state for), 0 for the other states
 * (relay/quorum/decide_metrics.c).
 */
void decide_metrics(void *ctx, struct buf *out);

/*
 * GET /v1/zones: {"now":N,"relay":OPERATOR,"count":N,"zones":[SUMMARY..]},
 * every zone not clear, most urgent first (nta_recommended, vetoed,
 * inconsistent_evidence, observed, resolved; then by zone name). Nothing
 * is evaluated for the call: each SUMMARY is the zone's last evaluation
 * by decide_zone() (at most a TICK_MS tick, or BUDGET times the last
 * evaluation's duration, behind a live one); "now" is the time of the
 * call. A zone not yet evaluated is not listed.
 *
 * SUMMARY (summary()): "zone", "state", "since", "changed" (integers),
 * "lifetime" and "nta_until" (integers in nta_recommended, else null),
 * "fingerprints" (an array of objects {"fingerprint":HEX,"operators":N},
 * N the votes observing it, sorted by fingerprint), "veto" (null or
 * {"origin":OPERATOR,"event":EVENT_ID,"reason":TEXT}), "recommending",
 * "observing", "validating" (counts of votes), "quorum" (Q in force),
 * "evidence" (M, the quorum_evidence policy: not a count), "reason"
 * (text) and "decision_event" (EVENT_ID or null) (docs/API.md §8).
 * New reference, NULL on allocation failure.
 */
json_t *decide_zones_json(struct decide *d);

/*
 * GET /v1/zones/{zone}: the zone evaluated now (live, not the cached
 * summary): SUMMARY plus
 *   "operators": [{"vote":OPERATOR,"origins":[OPERATOR..],"roles":[ROLE..],
 *     "fingerprint":HEX or null,"events":[EVENT..]}], sorted by vote;
 *     "events" are event objects, not ids;
 *   "statement": the zone operator's statement as an EVENT object
 *     ({"id":..,"kind":"zone_statement",..,"status":..}), or null;
 *   "not_counted": [EVENT..], at most 32: events of the zone that do not
 *     count (not a member's key, revoked, withdrawn, a statement by
 *     someone not the zone's operator);
 *   "history": the relay's decisions for the zone, oldest first, at most
 *     50: [{"ts":T,"state":STATE,"event":EVENT_ID,"incident":ID|null,
 *     "phase":"failing"|"recovering"|null}].
 * EVENT (event_json()): "id", "kind", "origin", "key", "seq", "ts", "exp",
 * "counts", "withdrawn", and those of "state", "fingerprint", "vantage",
 * "reason", "verdict", "status", "note" the event has; assessments also
 * "recommend_nta" and "lifetime". A zone never seen answers state "clear".
 * (The signed decision event's "operators" are {"origin":VOTE,"events":
 * [EVENT_ID..]} and its "fingerprints" plain strings: decision_fields().)
 */
json_t *decide_zone_json(struct decide *d, const char *zone);

/*
 * The names of operator op from the trust index (trustdb/index.h,
 * trust_index_op_names()): its pin's local name and its self-declared
 * name, each NULL when none; borrowed until the index is rebuilt. For the
 * notifiers, which name an event's origin (lib/opname.h).
 */
void decide_operator_names(const struct decide *d,
    const unsigned char op[KEY_ID_LEN], const char **local,
    const char **declared);

#endif
