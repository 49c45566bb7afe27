/*
 * relay/notify/mattermost_md.c — the building blocks of Mattermost messages
 * (relay/notify/mattermost_md.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "relay/core/metrics.h"
#include "relay/notify/mattermost.h"
#include "relay/notify/mattermost_md.h"
#include "lib/incident_text.h"
#include "lib/opname.h"

static const struct {
	const char *state, *label, *color, *emoji;
} mm_states[] = {
	{ "clear", "Clear", "#2E7D32", ":white_check_mark:" },
	{ "observed", "Failures observed", "#F9A825", ":warning:" },
	{ "nta_recommended", "NTA recommended", "#EF6C00", ":rotating_light:" },
	{ "vetoed", "Vetoed", "#C62828", ":no_entry:" },
	{ "inconsistent_evidence", "Inconsistent evidence", "#6A1B9A",
	  ":question:" },
	{ "resolved", "Resolved", "#2E7D32", ":white_check_mark:" },
};

int
mm_state_index(const char *state)
{
	if (state == NULL)
		return -1;
	for (size_t i = 0; i < sizeof(mm_states) / sizeof(mm_states[0]); i++)
		if (strcmp(mm_states[i].state, state) == 0)
			return (int)i;
	return -1;
}

const char *
mattermost_state_color(const char *state)
{
	int i = mm_state_index(state);

	return i < 0 ? MM_GREY : mm_states[i].color;
}

const char *
mattermost_state_label(const char *state)
{
	int i = mm_state_index(state);

	if (i >= 0)
		return mm_states[i].label;
	return state ? state : "unknown";
}

const char *
mm_state_emoji(const char *state)
{
	int i = mm_state_index(state);

	return i < 0 ? ":grey_question:" : mm_states[i].emoji;
}

char *
mattermost_time(long long t, char *out, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, len, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(out, len, "(unknown time)");
	return out;
}

/* "45 s", "20 min", "6 h", "3 h 20 min", "7 d", "1 d 6 h" */
char *
mm_duration(long long s, char *out, size_t len)
{
	if (s < 60)
		snprintf(out, len, "%lld s", s < 0 ? 0 : s);
	else if (s < 3600)
		snprintf(out, len, "%lld min", s / 60);
	else if (s < 86400)
		snprintf(out, len, (s % 3600) / 60 ? "%lld h %lld min" : "%lld h",
		    s / 3600, (s % 3600) / 60);
	else
		snprintf(out, len, (s % 86400) / 3600 ? "%lld d %lld h" : "%lld d",
		    s / 86400, (s % 86400) / 3600);
	return out;
}

/* ------------------------------------------------------------ JSON reads */

const char *
mm_jstr(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

bool
mm_jint(const json_t *o, const char *k, long long *out)
{
	json_t *v = json_object_get(o, k);

	if (!json_is_integer(v))
		return false;
	*out = (long long)json_integer_value(v);
	return true;
}

/* An id given as a string, or as an object naming it ({"id":..},
 * {"event":..}, {"fingerprint":..}); NULL when neither. */
const char *
mm_jid(const json_t *v)
{
	const char *s;

	if (json_is_string(v))
		return json_string_value(v);
	if ((s = mm_jstr(v, "id")) != NULL || (s = mm_jstr(v, "event")) != NULL)
		return s;
	return mm_jstr(v, "fingerprint");
}

/* A count given as an integer or as an array of ids; -1 when absent. */
long long
mm_jcount(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	if (json_is_integer(v))
		return (long long)json_integer_value(v);
	if (json_is_array(v))
		return (long long)json_array_size(v);
	return -1;
}

/* ------------------------------------------------------ markdown output */

/* Length of the longest prefix of s within max bytes that does not cut a
 * UTF-8 sequence. */
size_t
mm_utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

/* s with control characters and backticks replaced, at most max bytes
 * (then "…"); in a code span when code. */
void
md_text(struct buf *b, const char *s, size_t max, bool code)
{
	size_t n, cut;

	if (s == NULL || *s == '\0') {
		buf_printf(b, "%s", code ? "`-`" : "-");
		return;
	}
	n = strlen(s);
	cut = mm_utf8_cut(s, n, max);
	if (code)
		buf_printf(b, "`");
	for (size_t i = 0; i < cut; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			c = ' ';
		else if (c == '`')
			c = '\'';
		buf_printf(b, "%c", c);
	}
	if (cut < n)
		buf_printf(b, "…");
	if (code)
		buf_printf(b, "`");
}

void
md_code(struct buf *b, const char *s, size_t max)
{
	md_text(b, s, max, true);
}

/* The first digits of an id (or any short word), as code. */
void
md_short(struct buf *b, const char *id)
{
	size_t n;

	if (id == NULL || *id == '\0') {
		buf_printf(b, "`-`");
		return;
	}
	n = strlen(id) > MM_ID_SHORT ? MM_ID_SHORT : strlen(id);
	if (strspn(id, "0123456789abcdef") >= n)
		buf_printf(b, "`%.*s`", (int)n, id);
	else
		md_code(b, id, MM_ID_SHORT);
}

/* An incident id (16 hex digits) shown whole, as code. */
void
md_short16(struct buf *b, const char *id)
{
	if (id && strlen(id) <= 16 && strspn(id, "0123456789abcdef") == strlen(id)
	    && *id)
		buf_printf(b, "`%s`", id);
	else
		md_code(b, id, 16);
}

/* An id shown short, as code; linked to its envelope when base is set. */
void
md_id(struct buf *b, const char *id, const char *base)
{
	if (id == NULL) {
		buf_printf(b, "`-`");
		return;
	}
	if (base && *base && strlen(id) == 64 &&
	    strspn(id, "0123456789abcdef") == 64)
		buf_printf(b, "[`%.*s`](%s/v1/events/%s)", MM_ID_SHORT, id,
		    base, id);
	else
		md_short(b, id);
}

/* The base URL without a final slash, into out. */
const char *
mm_base(const struct mattermost_style *st, char *out, size_t len)
{
	size_t n;

	if (st == NULL || st->public_url == NULL || st->public_url[0] == '\0')
		return NULL;
	n = strlen(st->public_url);
	while (n > 0 && st->public_url[n - 1] == '/')
		n--;
	if (n == 0 || n >= len)
		return NULL;
	memcpy(out, st->public_url, n);
	out[n] = '\0';
	return out;
}

/* ---------------------------------------------------------- attachments */

int
mm_field(json_t *fields, const char *title, struct buf *value,
    bool isshort)
{
	char *v = buf_take(value);
	json_t *f;

	if (v == NULL)
		return -1;
	if (strlen(v) > MM_FIELD_MAX)
		v[mm_utf8_cut(v, strlen(v), MM_FIELD_MAX)] = '\0';
	f = json_pack("{s:s,s:s,s:b}", "title", title, "value", v, "short",
	    isshort);
	free(v);
	if (f == NULL || json_array_append_new(fields, f) != 0)
		return -1;
	return 0;
}

void
mm_footer(char *out, size_t len, const struct mattermost_style *st)
{
	snprintf(out, len, "ntarelay%s%s%s%.*s", st && st->net && st->net[0] ?
	    " · " : "", st && st->net ? st->net : "",
	    st && st->relay && st->relay[0] ? " · relay " : "",
	    MM_ID_SHORT, st && st->relay ? st->relay : "");
}

/* The parts every attachment has. */
json_t *
mm_attachment(const char *fallback, const char *color, const char *title,
    const char *title_link, const char *text, json_t *fields, long long ts,
    const struct mattermost_style *st)
{
	char footer[128];
	json_t *a;

	mm_footer(footer, sizeof(footer), st);
	a = json_pack("{s:s,s:s,s:s,s:s,s:o,s:s}", "fallback", fallback,
	    "color", color, "title", title, "text", text ? text : "", "fields",
	    fields, "footer", footer);
	if (a == NULL)
		return NULL;
	if (title_link && json_object_set_new(a, "title_link",
	    json_string(title_link)) != 0)
		goto bad;
	if (ts > 0 && json_object_set_new(a, "ts", json_integer(ts)) != 0)
		goto bad;
	return a;
bad:
	json_decref(a);
	return NULL;
}

/* "2 operators recommend an NTA (quorum 3)" and friends, for one count. */
void
mm_count_line(struct buf *b, const json_t *doc)
{
	long long rec = mm_jcount(doc, "recommending"), q = mm_jcount(doc, "quorum"),
	    obs = mm_jcount(doc, "observing"), ev = mm_jcount(doc, "evidence"),
	    val = mm_jcount(doc, "validating");
	const char *sep = "";

	if (rec >= 0) {
		if (q >= 0)
			buf_printf(b, "%lld operators recommend an NTA "
			    "(quorum %lld)", rec, q);
		else
			buf_printf(b, "%lld operators recommend an NTA", rec);
		sep = "; ";
	}
	if (obs >= 0) {
		buf_printf(b, "%s%lld observe one failure", sep, obs);
		if (ev >= 0)
			buf_printf(b, " (%lld needed)", ev);
		sep = "; ";
	}
	if (val > 0)
		buf_printf(b, "%s%lld see it validate", sep, val);
}

void
md_operator(struct buf *b, const json_t *doc, const char *id)
{
	const char *local = NULL, *declared = NULL;
	char clean[OPNAME_MAX];

	opname_lookup(doc, id, &local, &declared);
	if (local != NULL) {
		md_code(b, opname_format(clean, sizeof(clean), local, NULL, NULL,
		    0, false), 32);
		return;
	}
	md_short(b, id);
	if (declared != NULL) {
		/* a hint, never shown as a name: ~NAME? outside the code span */
		opname_format(clean, sizeof(clean), declared, NULL, NULL, 63, false);
		buf_printf(b, " ~");
		md_text(b, clean, 63, false);
		buf_printf(b, "?");
	}
}

void
md_subject(struct buf *b, const json_t *p)
{
	json_t *names = json_pack("{s:O?,s:O?}",
	    "local_name", json_object_get(p, "subject_local_name"),
	    "declared_name", json_object_get(p, "subject_declared_name"));

	md_operator(b, names, json_string_value(json_object_get(p, "subject")));
	json_decref(names);
}

/* Lines "`op` roles" for the operators that count. */
void
mm_operators(struct buf *b, const json_t *ops, const char *base,
    const json_t *doc)
{
	size_t i;
	json_t *o;

	json_array_foreach(ops, i, o) {
		const char *vote = mm_jstr(o, "vote");
		json_t *roles = json_object_get(o, "roles"), *r, *evs, *members;
		size_t j;

		if (i == MM_LIST_MAX) {
			buf_printf(b, "… and %zu more\n", json_array_size(ops) - i);
			break;
		}
		if (vote == NULL)
			vote = mm_jstr(o, "origin");
		if (vote == NULL)
			vote = mm_jstr(o, "operator");
		buf_printf(b, "- ");
		/* the entry's own names, else the document's list */
		if (json_object_get(o, "local_name") || json_object_get(o,
		    "declared_name") || doc == NULL)
			md_operator(b, o, vote);
		else
			md_operator(b, doc, vote);
		if (mm_jstr(o, "name")) {
			buf_printf(b, " ");
			md_code(b, mm_jstr(o, "name"), 64);
		}
		members = json_object_get(o, "origins");
		if (members == NULL)
			members = json_object_get(o, "operators");
		if (json_array_size(members) > 1)
			buf_printf(b, " (%zu affiliated operators)",
			    json_array_size(members));
		if (json_is_string(roles)) {
			buf_printf(b, " ");
			md_text(b, json_string_value(roles), 64, false);
		}
		json_array_foreach(roles, j, r) {
			if (!json_is_string(r))
				continue;
			buf_printf(b, "%s", j ? ", " : " ");
			md_text(b, json_string_value(r), 64, false);
		}
		evs = json_object_get(o, "events");
		json_array_foreach(evs, j, r) {
			if (j == 4)
				break;
			buf_printf(b, "%s", j ? " " : " — ");
			md_id(b, mm_jid(r), base);
		}
		buf_printf(b, "\n");
	}
}

void
mm_veto(struct buf *b, const json_t *veto, const char *base,
    const json_t *doc)
{
	md_operator(b, doc, mm_jstr(veto, "origin"));
	buf_printf(b, ": ");
	md_code(b, mm_jstr(veto, "reason"), MATTERMOST_NOTE_MAX);
	if (mm_jid(veto)) {
		buf_printf(b, " ");
		md_id(b, mm_jid(veto), base);
	}
}

void
mm_statement(struct buf *b, const json_t *s, const char *base,
    const json_t *doc)
{
	const char *status = mm_jstr(s, "status");

	buf_printf(b, "**%s**", status &&
	    strspn(status, "abcdefghijklmnopqrstuvwxyz_") == strlen(status) ?
	    status : "unknown");
	if (mm_jstr(s, "origin")) {
		buf_printf(b, " by ");
		md_operator(b, doc, mm_jstr(s, "origin"));
	}
	if (mm_jstr(s, "note")) {
		buf_printf(b, ": ");
		md_code(b, mm_jstr(s, "note"), MATTERMOST_NOTE_MAX);
	}
	if (mm_jid(s)) {
		buf_printf(b, " ");
		md_id(b, mm_jid(s), base);
	}
}

void
mm_fingerprints(struct buf *b, const json_t *fps)
{
	size_t i;
	json_t *f;

	json_array_foreach(fps, i, f) {
		if (i == MM_LIST_MAX) {
			buf_printf(b, " …");
			break;
		}
		buf_printf(b, "%s", i ? " " : "");
		md_short(b, mm_jid(f));
		if (json_is_integer(json_object_get(f, "operators")))
			buf_printf(b, " (%lld operators)", (long long)
			    json_integer_value(json_object_get(f, "operators")));
	}
}

/* A zone name, checked (as code) */
const char *
mm_zone(const json_t *o)
{
	const char *z = mm_jstr(o, "zone");

	return z ? z : "(no zone)";
}

/* " (was: Observed)", or " (updated)" when only the operators, the
 * fingerprints or the lifetime changed. */
void
mm_was(struct buf *b, const char *prev, const char *state)
{
	if (prev == NULL || *prev == '\0')
		return;
	if (state && strcmp(prev, state) == 0)
		buf_printf(b, " (updated)");
	else
		buf_printf(b, " (was: %s)", mattermost_state_label(prev));
}

/* ------------------------------------------------------------- incidents */

/* "incident `ID`" and, when full, ", opened T, about failure `FP`" and
 * its end. Nothing when doc names no incident. */
void
mm_incident(struct buf *b, const json_t *doc, bool full,
    const char *word)
{
	const json_t *inc = incident_text_incident(doc);
	const char *outcome;
	char t[32];
	long long n;

	if (inc == NULL)
		return;
	buf_printf(b, "%s ", word);
	md_short16(b, mm_jstr(inc, "id"));
	if (!full)
		return;
	if (mm_jint(inc, "opened", &n))
		buf_printf(b, ", opened %s", mattermost_time(n, t, sizeof(t)));
	if (mm_jstr(inc, "lead")) {
		buf_printf(b, ", about failure ");
		md_short(b, mm_jstr(inc, "lead"));
	}
	outcome = mm_jstr(inc, "outcome");
	if (mm_jint(inc, "closed", &n) && outcome && strcmp(outcome, "open") != 0) {
		buf_printf(b, ", closed %s (", mattermost_time(n, t,
		    sizeof(t)));
		md_text(b, outcome, 16, false);
		buf_printf(b, ")");
	}
}

void
mm_put(void *arg, const char *text, const char *op)
{
	if (text)
		buf_printf(arg, "%s", text);
	else
		md_short(arg, op);
}

struct mm_put_ctx {
	struct buf *b;
	const json_t *doc;
};

/* mm_put with the operators named from the document. */
static void
mm_put_named(void *arg, const char *text, const char *op)
{
	const struct mm_put_ctx *c = arg;

	if (text)
		buf_printf(c->b, "%s", text);
	else
		md_operator(c->b, c->doc, op);
}

/* "unreachable from `op`, `op` (no answer to judge: not a failure)";
 * nothing when every vantage point got an answer. */
bool
mm_unreachable(struct buf *b, const json_t *doc)
{
	struct mm_put_ctx c = { b, doc };

	return incident_text_say_unreachable(doc, NULL, MM_UNREACH_MAX,
	    mm_put_named, &c);
}

/* Cut b back to len bytes (what was written after is dropped). */
void
mm_cut(struct buf *b, size_t len)
{
	b->len = len;
	if (b->data)
		b->data[len] = '\0';
}

/* ", recovering" or ", failing again (N relapses)" after the state. */
void
mm_phase(struct buf *b, const json_t *doc)
{
	char ph[INCIDENT_TEXT_MAX];

	if (incident_text_phase(doc, ph, sizeof(ph))[0])
		buf_printf(b, ", %s", ph);
}

/* What the decision says of the recovery: "validating again: ...; the
 * NTA holds until then", or a relapse; false when neither applies. */
bool
mm_recovery(struct buf *b, const json_t *doc, const char *prev_phase)
{
	char rec[INCIDENT_TEXT_MAX];
	const char *phase = mm_jstr(doc, "phase");

	if (incident_text_recovery(doc, rec, sizeof(rec))) {
		buf_printf(b, "%s; the NTA holds until then", rec);
		return true;
	}
	if (prev_phase && strcmp(prev_phase, "recovering") == 0 && phase &&
	    strcmp(phase, "failing") == 0) {
		buf_printf(b, "relapse: the failure is back while "
		    "recovering; the NTA holds and the window starts again");
		return true;
	}
	return false;
}
