/*
 * relay/notify/mattermost_md.h — the building blocks of every Mattermost
 * message (relay/notify/mattermost*.c only): decision states, times and
 * durations, reading decision JSON leniently (absent or mistyped members
 * are left out, never guessed), markdown with every event-sourced string
 * in a bounded code span (md_code()), attachment fields, and the parts
 * that several messages share (counts, operators, veto, statement,
 * fingerprints, the incident, unreachable vantage points, the recovery).
 *
 * Markdown is built in a struct buf (lib/buf.h, the growing text
 * buffer); buf_take() detaches it. Pure: no I/O, no clock, no globals.
 */
#ifndef NTARELAY_RELAY_NOTIFY_MATTERMOST_MD_H
#define NTARELAY_RELAY_NOTIFY_MATTERMOST_MD_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "relay/core/metrics.h"
#include "relay/notify/mattermost.h"

#define MM_ID_SHORT 12        /* hex digits of an id shown in text */
#define MM_LIST_MAX 20        /* operators, fingerprints listed at most */
#define MM_HISTORY_MAX 20     /* timeline entries in the card */
#define MM_TABLE_MAX 50       /* rows of a slash command table */
#define MM_FIELD_MAX 2000     /* bytes of one attachment field value */
#define MM_UNREACH_MAX 8      /* unreachable operators named */
#define MM_GREY "#607D8B"     /* an unknown state's colour */

int mm_state_index(const char *state);

const char *mm_state_emoji(const char *state);

/* "45 s", "20 min", "6 h", "3 h 20 min", "7 d", "1 d 6 h" */
char *mm_duration(long long s, char *out, size_t len);

const char *mm_jstr(const json_t *o, const char *k);

bool mm_jint(const json_t *o, const char *k, long long *out);

/* An id given as a string, or as an object naming it ({"id":..},
 * {"event":..}, {"fingerprint":..}); NULL when neither. */
const char *mm_jid(const json_t *v);

/* A count given as an integer or as an array of ids; -1 when absent. */
long long mm_jcount(const json_t *o, const char *k);

/* Length of the longest prefix of s within max bytes that does not cut a
 * UTF-8 sequence. */
size_t mm_utf8_cut(const char *s, size_t n, size_t max);

/* s with control characters and backticks replaced, at most max bytes
 * (then "…"); in a code span when code. */
void md_text(struct buf *b, const char *s, size_t max, bool code);

void md_code(struct buf *b, const char *s, size_t max);

/* The first digits of an id (or any short word), as code. */
void md_short(struct buf *b, const char *id);

/* An incident id (16 hex digits) shown whole, as code. */
void md_short16(struct buf *b, const char *id);

/* An id shown short, as code; linked to its envelope when base is set. */
void md_id(struct buf *b, const char *id, const char *base);


/* The base URL without a final slash, into out. */
const char *mm_base(const struct mattermost_style *st, char *out, size_t len);

int mm_field(json_t *fields, const char *title, struct buf *value,
    bool isshort);

void mm_footer(char *out, size_t len, const struct mattermost_style *st);

/* The parts every attachment has. */
json_t *mm_attachment(const char *fallback, const char *color, const char *title,
    const char *title_link, const char *text, json_t *fields, long long ts,
    const struct mattermost_style *st);

/* "2 operators recommend an NTA (quorum 3)" and friends, for one count. */
void mm_count_line(struct buf *b, const json_t *doc);

/*
 * Operator id named (lib/opname.h): its local name as code, or the id's
 * first digits as code followed by the self-declared hint " ~NAME?".
 * Names come from doc's "operator_names" (the zone document), or from
 * doc's own "local_name"/"declared_name"; doc may be NULL (the id alone).
 */
void md_operator(struct buf *b, const json_t *doc, const char *id);

/* A trust event's subject (payload p's "subject"), by its names when p
 * carries "subject_local_name"/"subject_declared_name" (md_operator()). */
void md_subject(struct buf *b, const json_t *p);

/* Lines "`op` roles" for the operators that count; doc: the zone
 * document, for the operators' names (may be NULL). */
void mm_operators(struct buf *b, const json_t *ops, const char *base,
    const json_t *doc);

void mm_veto(struct buf *b, const json_t *veto, const char *base,
    const json_t *doc);

void mm_statement(struct buf *b, const json_t *s, const char *base,
    const json_t *doc);

void mm_fingerprints(struct buf *b, const json_t *fps);

/* A zone name, checked (as code) */
const char *mm_zone(const json_t *o);

/* " (was: Observed)", or " (updated)" when only the operators, the
 * fingerprints or the lifetime changed. */
void mm_was(struct buf *b, const char *prev, const char *state);

/* "incident `ID`" and, when full, ", opened T, about failure `FP`" and
 * its end. Nothing when doc names no incident. */
void mm_incident(struct buf *b, const json_t *doc, bool full,
    const char *word);

/* incident_text's put: arg is a struct buf; operators by id alone. */
void mm_put(void *arg, const char *text, const char *op);

/* "unreachable from `op`, `op` (no answer to judge: not a failure)";
 * nothing when every vantage point got an answer. */
bool mm_unreachable(struct buf *b, const json_t *doc);

/* Cut b back to len bytes (what was written after is dropped). */
void mm_cut(struct buf *b, size_t len);

/* ", recovering" or ", failing again (N relapses)" after the state. */
void mm_phase(struct buf *b, const json_t *doc);

/* What the decision says of the recovery: "validating again: ...; the
 * NTA holds until then", or a relapse; false when neither applies. */
bool mm_recovery(struct buf *b, const json_t *doc, const char *prev_phase);

#endif
