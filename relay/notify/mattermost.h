/*
 * relay/notify/mattermost.h — what the relay says in Mattermost: incoming-webhook
 * payloads, REST API v4 post bodies, slash command answers.
 *
 * Pure functions from JSON to JSON (or to markdown text): no I/O, no clock,
 * no globals, so that tests/unit/test_mattermost_msg.c checks every field.
 * relay/notify/mattermost_notify.c queues and delivers what these build;
 * relay/http/slash.c answers with them.
 *
 * Inputs:
 *  - decision documents as relay/quorum/decide.h's decide_zone_json() gives them
 *    (a SUMMARY: zone, state, phase, incident, recovery, since, changed,
 *    lifetime, nta_until, fingerprints, veto, recommending, observing,
 *    validating, failing, unreachable, quorum, evidence, reason; plus
 *    operators, vetoes, statement, decision_event, history), and the list
 *    of decide_zones_json() ({"zones":[SUMMARY..]}, or its {"syncing":
 *    true,...} answer while the relay has not caught up: said as such,
 *    never as "no zone in incident"); members that are absent or of
 *    another type are left out of the message, never guessed. Counts
 *    (recommending, observing, validating, quorum, evidence) may be
 *    integers or arrays of operator ids.
 *  - the incident a decision is about is named in every message about it
 *    (the attachment's pretext "Incident `ID`, opened T, about failure
 *    `FP`", the text's "· incident `ID`"); the recovery phase reads
 *    "validating again: V of M operators, E s of W s" (lib/incident_text.h);
 *    vantage points that got no answer are "unreachable from `OP`", a
 *    field of their own, never counted as failures.
 *  - verified event payloads (event_payload_json()) with their event id.
 *
 * Every string that comes from an event or a decision (notes, reasons,
 * names) is shown inside a markdown code span, with backticks and control
 * characters replaced and its length bounded, so that no event can
 * mention @channel, inject links or break the layout. Zone names and ids
 * are protocol-checked, but are shown as code too.
 *
 * Formats (docs/OPERATIONS.md, "Mattermost", shows rendered examples):
 *  - webhook: {"text", "username", "icon_url", "channel" (only when set),
 *    "attachments":[{"fallback","color","title","title_link","text",
 *    "fields":[{"title","value","short"}],"footer","ts"}],
 *    "props":{"card", "ntarelay_key"}} (Slack-compatible attachments, as
 *    Mattermost documents them for incoming webhooks);
 *  - REST API v4 (bot mode): POST /api/v4/posts {"channel_id","message",
 *    "props":{"attachments":[..],"card","ntarelay_key"}} (the caller adds
 *    "root_id" for replies), PUT /api/v4/posts/{id} {"id","message",
 *    "props"}.
 * "ntarelay_key" is the message's unique key (relay/notify/mattermost_notify.c
 * dedupes by it); Mattermost keeps unknown props with the post.
 */
#ifndef NTARELAY_RELAY_MATTERMOST_H
#define NTARELAY_RELAY_MATTERMOST_H

#include <stddef.h>

#include <jansson.h>

#define MATTERMOST_TEXT_MAX 16383   /* Mattermost's limit for a post */
#define MATTERMOST_NOTE_MAX 300     /* bytes of an event's note shown */

/* How the relay presents itself; every member may be NULL or "". */
struct mattermost_style {
	const char *username;    /* webhook: override the hook's user name */
	const char *icon_url;    /* webhook: override the hook's icon */
	const char *channel;     /* webhook: override the hook's channel */
	const char *public_url;  /* base URL of this relay's HTTP API for
	                            links to signed envelopes; none when "" */
	const char *net;         /* federation name, in footers */
	const char *relay;       /* this relay's operator id (hex), in footers */
};

/* "#RRGGBB" of a decision state; grey for an unknown one. Static. */
const char *mattermost_state_color(const char *state);
/* A person's name for a decision state ("NTA recommended"); the state
 * itself when unknown. Static or state. */
const char *mattermost_state_label(const char *state);

/*
 * The attachment and the one-line markdown text for a decision change.
 * doc: decide_zone_json() (borrowed); prev: the state before (NULL or ""
 * when unknown). New references / new strings (free()); NULL on
 * allocation failure.
 */
json_t *mattermost_decision_attachment(const json_t *doc, const char *prev,
    const struct mattermost_style *st);
char *mattermost_decision_text(const json_t *doc, const char *prev);

/*
 * mattermost_decision_text() that also knows the phase before (NULL, or
 * "failing"/"recovering" when prev was nta_recommended), so that entering
 * the recovery ("validating again: 2 of 2 operators, 40 s of 900 s; the
 * NTA holds until then") and a relapse ("relapse: the failure is back
 * while recovering; ...") are told as such. Names the decision's incident
 * when doc has one. New string; NULL on allocation failure.
 */
char *mattermost_change_text(const json_t *doc, const char *prev,
    const char *prev_phase);

/*
 * The attachment and the text for a verified event. payload: the event's
 * payload (borrowed); id: its event id, 64 hex digits. New; NULL on
 * allocation failure.
 */
json_t *mattermost_event_attachment(const json_t *payload, const char *id,
    const struct mattermost_style *st);
char *mattermost_event_text(const json_t *payload);
/* The same, naming the zone's incident (16 hex digits; NULL or "": none
 * known) after the summary: " · incident `ID`". */
char *mattermost_event_text_in(const json_t *payload, const char *incident);

/*
 * Incoming-webhook payload: text, the style's overrides, one attachment
 * (stolen, may be NULL), props {card (may be NULL), ntarelay_key}. New;
 * NULL on allocation failure (the attachment is released then too).
 */
json_t *mattermost_webhook(const char *text, json_t *attachment,
    const char *card, const char *key, const struct mattermost_style *st);

/*
 * REST API v4 post body {channel_id, message, props {attachments, card,
 * ntarelay_key}}; attachment stolen (may be NULL); card may be NULL. New.
 */
json_t *mattermost_post(const char *channel_id, const char *message,
    json_t *attachment, const char *card, const char *key);

/*
 * The root post of an incident (bot mode: one thread per incident of the
 * quorum engine), edited in place as the decision changes: a heading with
 * the zone and its state, the incident (id, opened, the failure it is
 * about, and its end), a summary line, the recovery progress, unreachable
 * vantage points, and the decision's attachment. doc may be NULL (the
 * thread was opened by an event before any decision: `first` then names
 * it, e.g. "assessment").
 * New post body (as mattermost_post()); NULL on allocation failure.
 */
json_t *mattermost_root_post(const char *channel_id, const json_t *doc,
    const char *zone, const char *fingerprint, const char *first,
    const char *key, const struct mattermost_style *st);

/*
 * Markdown for people, shared by the slash command and the side-panel card:
 * the zones in incident as a table (decide_zones_json()), one zone in
 * detail (decide_zone_json()), the peers as a table (GET /v1/peers's
 * {"peers":[..]}), and the command's help. New strings (free()); NULL on
 * allocation failure.
 */
char *mattermost_zones_table(const json_t *zones, const struct mattermost_style *st);
char *mattermost_zone_detail(const json_t *doc, const struct mattermost_style *st);
char *mattermost_peers_table(const json_t *peers);
const char *mattermost_help_text(void);

/* "2026-09-21 12:53 UTC" into out (at least 32 bytes); returns out. */
char *mattermost_time(long long t, char *out, size_t len);

#endif
