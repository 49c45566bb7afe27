/*
 * lib/incident_text.h — the words people read about an incident,
 * shared by the chat messages (relay/notify/mattermost.c, and through it the
 * slash command), the public page (relay/http/page.c) and `ntactl status`
 * (client/cmd_status.c), so that all of them
 * say the same thing: which incident a decision is about, how far the
 * recovery has come ("validating again: 2 of 2 operators, 40 s of 900 s"),
 * a relapse, and the vantage points that got no answer ("unreachable from
 * OPERATOR": evidence of nothing, never a failure).
 *
 * Inputs are the decision documents of relay/quorum/decide.h (GET /v1/zones and
 * GET /v1/zones/{zone}, docs/API.md §8 and §9); members that are absent or
 * of another type give no text, never a guess. Outputs are plain text (no
 * markdown, no HTML): the caller escapes what it shows. Strings returned
 * are borrowed from the document.
 *
 * This module must never print, read the clock, allocate or touch the
 * store.
 */
#ifndef NTARELAY_LIB_INCIDENT_TEXT_H
#define NTARELAY_LIB_INCIDENT_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define INCIDENT_TEXT_MAX 192     /* bytes of one line built here */
#define INCIDENT_TEXT_OPS_MAX 16  /* unreachable operators named */

/* doc's "incident" object when it has an "id", else NULL. */
const json_t *incident_text_incident(const json_t *doc);

/* The incident's id, or NULL. */
const char *incident_text_id(const json_t *doc);

/* Is doc a relay's "syncing" answer (not caught up with its peers)? */
bool incident_text_syncing(const json_t *doc);

/*
 * The recovery progress of a decision in phase "recovering", from its
 * "recovery" object: "validating again: V of M operators, E s of W s"
 * (V at most M: progress toward the M needed), and when some still fail
 * "; F operators still see the failure". False (out "") when doc is not
 * recovering.
 */
bool incident_text_recovery(const json_t *doc, char *out, size_t len);

/*
 * The phase of an nta_recommended decision for people: "recovering",
 * "failing again (N relapses)" after a relapse, "" otherwise (failing
 * for the first time, or another state). Returns out.
 */
const char *incident_text_phase(const json_t *doc, char *out, size_t len);

/*
 * The votes whose vantage points got no answer to judge: at most max of
 * their operator ids in ops (from doc's "operators", roles "unreachable"
 * without "observes" or "validating"), *nops how many were put there.
 * Returns how many there are: doc's "unreachable" count when it has one,
 * else *nops.
 */
long incident_text_unreachable(const json_t *doc, const char **ops,
    size_t max, size_t *nops);

/*
 * Say "unreachable from OP, OP and N more (no answer to judge: not a
 * failure)" (or "from N operators" when doc names none; lead replaces
 * "unreachable from ") through put, in pieces: plain text (op NULL) and
 * operator ids (text NULL), which the caller shows and escapes its own
 * way. At most max operators are named. False, and nothing said, when no
 * vote is unreachable.
 */
bool incident_text_say_unreachable(const json_t *doc, const char *lead,
    size_t max, void (*put)(void *arg, const char *text, const char *op),
    void *arg);

/* Why an event of "not_counted" does not count (docs/API.md §9):
 * "withdrawn", "not a current member's key", "judged another incident or
 * failure", or "its operator does not speak for the zone". Static. */
const char *incident_text_why_not(const json_t *event);

#endif
