/*
 * relay/quorum/incident.h — incidents: the memory of the quorum engine
 * (docs/PROTOCOL.md §15.3).
 *
 * The rule of relay/quorum/quorum.h answers "what do the current events say?".
 * An incident remembers what they said before, so that a decision is a
 * state machine and not a function of the latest probe:
 *
 *   Opening. A zone's incident opens with the first material evaluation:
 *   a counting vote's live bogus view, or a live bound assessment or
 *   zone statement (not `resolved`). Unreachable vantage points open
 *   nothing. It gets a stable id (16 hex digits, this relay's), a start
 *   (the earliest of the failing views' runs and the words that opened
 *   it) and remembers the fingerprints seen, the leading one first.
 *
 *   Binding. An assessment or zone statement counts only for the failure
 *   it judged. Its refs name the observations it judged (the relay fills
 *   them when staff submit it); those this relay holds, if bogus, give
 *   the word's fingerprints and the time of the newest. A word is bound
 *   to the zone's current incident when
 *     - it judged something after the zone's last incident was
 *       resolved: its newest referenced bogus observation, or the word
 *       itself when it references none this relay holds, is later than
 *       that; and
 *     - when it references bogus observations and the incident has a
 *       leading fingerprint, that fingerprint is among them.
 *   So an assessment of fingerprint X never counts for a failure with
 *   fingerprint Y, and after `resolved` a new failure needs new
 *   assessments.
 *   A relay may lack that memory: it joined after the incident was
 *   resolved, or started with an empty store. So a word is also over when
 *   the views show a recovery after it and before the open incident
 *   began (or since, when none is open): at least M votes with a
 *   validating run that began in between and lasted resolve_after (their
 *   current run, or the last one that ended). That is what `resolved`
 *   means, read from the observations every relay can hold; a relay with
 *   the memory reaches the same answer, or a stricter one. A recovery
 *   inside the open incident (its recovering phase) never ends a word:
 *   that is the hold.
 *
 *   Holding. Once nta_recommended, the recommendation is held: it stays
 *   while the zone validates again (the evidence requirement is the
 *   hold), until M votes have validated for resolve_after with no vote's
 *   view still failing (resolved), or the recommendations end (expiry,
 *   withdrawal, revocation, a new failure nobody judged), or a veto or
 *   inconsistent evidence arrives — any state other than nta_recommended
 *   releases the hold. A relapse while recovering keeps the NTA and
 *   restarts the window (the failing view breaks its key's run).
 *
 *   Closing. `resolved` closes the incident (outcome "resolved"); a clear
 *   evaluation (nothing live and bound is left) closes it too (outcome
 *   "ended"). The zone shows `resolved` for resolve_after seconds after
 *   it resolved, or while the closed incident's words are still live.
 *
 * This module must never print, read the clock, allocate or touch the
 * store; the caller persists the record (relay/store/store_zone.h).
 */
#ifndef NTARELAY_RELAY_INCIDENT_H
#define NTARELAY_RELAY_INCIDENT_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/kind.h"
#include "relay/quorum/quorum.h"
#include "relay/store/store_zone.h"

/* What binding needs to know of a word's refs. */
struct incident_refs {
	size_t nbogus;                       /* refs held, bogus, with a fp */
	unsigned char fps[KIND_REFS_MAX][KEY_ID_LEN];
	long long newest;                    /* ts of the newest of them */
};

/*
 * Is a word signed at ts with refs r bound to the zone's current (or
 * next) incident? inc: the open incident, or NULL; last_end: when the
 * zone's last incident was resolved (0: none known). (An incident that
 * ended with nothing counting left draws no line: a word that stopped
 * counting — its operator flagged, say — and counts again judged the
 * same failure.)
 */
bool incident_binds(const struct store_incident *inc, long long last_end,
    long long ts, const struct incident_refs *r);

/* A vote's validating run: the current one (end 0) or the last that
 * ended. */
struct incident_run {
	unsigned char vote[KEY_ID_LEN];
	long long start, end;
};

/*
 * Did the zone recover after a word judged at `judged`, and before
 * `before` (the open incident's start; 0: no bound): do at least m votes
 * have a run that began in between and lasted window seconds (an ongoing
 * run until now)?
 */
bool incident_recovered_since(long long judged, long long before,
    const struct incident_run *runs, size_t n, int m, int window,
    long long now);

/* Changes incident_step() reports (bits). */
#define INC_OPENED 0x01
#define INC_HELD 0x02        /* nta_recommended for the first time, or again */
#define INC_RELEASED 0x04    /* the hold ended without resolution */
#define INC_RECOVERING 0x08  /* the failure faded while held */
#define INC_RELAPSE 0x10     /* it came back while recovering */
#define INC_RESOLVED 0x20    /* closed: resolved */
#define INC_ENDED 0x40       /* closed: nothing live is left */

/*
 * Open an incident for zone at now (caller has no open one): id is the
 * caller's (16 hex digits), start the earliest of the material events.
 */
void incident_open(struct store_incident *inc, const char *zone,
    const char *id, long long start);

/*
 * After an evaluation res of the zone at now (held = inc->held going in):
 * remember the fingerprints, hold or release, note recovery and relapse,
 * close. Returns INC_* bits of the transitions (the caller persists the
 * record whenever it differs from what it was).
 */
unsigned incident_step(struct store_incident *inc, const struct quorum_result *res,
    long long now);

/* Should a zone with no open incident show `resolved` (last: the last
 * closed incident, or NULL; stale_words: live words bound to it)? */
bool incident_shows_resolved(const struct store_incident *last,
    int resolve_after, bool stale_words, long long now);

/* "resolved", "ended", or "open". */
const char *incident_outcome(const struct store_incident *inc);

#endif
