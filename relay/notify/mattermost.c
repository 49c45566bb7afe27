/*
 * relay/notify/mattermost.c — Mattermost messages built from decisions and
 * events (formats in relay/notify/mattermost.h and docs/OPERATIONS.md).
 *
 * Markdown is built in a metrics_buf (relay/core/metrics.h's growing text
 * buffer); event-sourced strings go through md_code() only.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/incident_text.h"
#include "relay/notify/mattermost.h"
#include "relay/core/metrics.h"

#define MM_ID_SHORT 12        /* hex digits of an id shown in text */
#define MM_LIST_MAX 20        /* operators, fingerprints listed at most */
#define MM_HISTORY_MAX 20     /* timeline entries in the card */
#define MM_TABLE_MAX 50       /* rows of a slash command table */
#define MM_FIELD_MAX 2000     /* bytes of one attachment field value */
#define MM_UNREACH_MAX 8      /* unreachable operators named */

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

#define MM_GREY "#607D8B"

static int
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

static const char *
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
static char *
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

static const char *
jstr(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool
jint(const json_t *o, const char *k, long long *out)
{
	json_t *v = json_object_get(o, k);

	if (!json_is_integer(v))
		return false;
	*out = (long long)json_integer_value(v);
	return true;
}

/* An id given as a string, or as an object naming it ({"id":..},
 * {"event":..}, {"fingerprint":..}); NULL when neither. */
static const char *
jid(const json_t *v)
{
	const char *s;

	if (json_is_string(v))
		return json_string_value(v);
	if ((s = jstr(v, "id")) != NULL || (s = jstr(v, "event")) != NULL)
		return s;
	return jstr(v, "fingerprint");
}

/* A count given as an integer or as an array of ids; -1 when absent. */
static long long
jcount(const json_t *o, const char *k)
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
static size_t
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
static void
md_text(struct metrics_buf *b, const char *s, size_t max, bool code)
{
	size_t n, cut;

	if (s == NULL || *s == '\0') {
		metrics_buf_printf(b, "%s", code ? "`-`" : "-");
		return;
	}
	n = strlen(s);
	cut = mm_utf8_cut(s, n, max);
	if (code)
		metrics_buf_printf(b, "`");
	for (size_t i = 0; i < cut; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			c = ' ';
		else if (c == '`')
			c = '\'';
		metrics_buf_printf(b, "%c", c);
	}
	if (cut < n)
		metrics_buf_printf(b, "…");
	if (code)
		metrics_buf_printf(b, "`");
}

static void
md_code(struct metrics_buf *b, const char *s, size_t max)
{
	md_text(b, s, max, true);
}

/* The first digits of an id (or any short word), as code. */
static void
md_short(struct metrics_buf *b, const char *id)
{
	size_t n;

	if (id == NULL || *id == '\0') {
		metrics_buf_printf(b, "`-`");
		return;
	}
	n = strlen(id) > MM_ID_SHORT ? MM_ID_SHORT : strlen(id);
	if (strspn(id, "0123456789abcdef") >= n)
		metrics_buf_printf(b, "`%.*s`", (int)n, id);
	else
		md_code(b, id, MM_ID_SHORT);
}

/* An incident id (16 hex digits) shown whole, as code. */
static void
md_short16(struct metrics_buf *b, const char *id)
{
	if (id && strlen(id) <= 16 && strspn(id, "0123456789abcdef") == strlen(id)
	    && *id)
		metrics_buf_printf(b, "`%s`", id);
	else
		md_code(b, id, 16);
}

/* An id shown short, as code; linked to its envelope when base is set. */
static void
md_id(struct metrics_buf *b, const char *id, const char *base)
{
	if (id == NULL) {
		metrics_buf_printf(b, "`-`");
		return;
	}
	if (base && *base && strlen(id) == 64 &&
	    strspn(id, "0123456789abcdef") == 64)
		metrics_buf_printf(b, "[`%.*s`](%s/v1/events/%s)", MM_ID_SHORT, id,
		    base, id);
	else
		md_short(b, id);
}

/* Detach the buffer's text as a malloc'd string; NULL when it failed. */
static char *
mm_take(struct metrics_buf *b)
{
	char *s;

	if (b->failed) {
		metrics_buf_free(b);
		return NULL;
	}
	if (b->data == NULL)
		return strdup("");
	s = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

/* The base URL without a final slash, into out. */
static const char *
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

static int
mm_field(json_t *fields, const char *title, struct metrics_buf *value,
    bool isshort)
{
	char *v = mm_take(value);
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

static void
mm_footer(char *out, size_t len, const struct mattermost_style *st)
{
	snprintf(out, len, "ntarelay%s%s%s%.*s", st && st->net && st->net[0] ?
	    " · " : "", st && st->net ? st->net : "",
	    st && st->relay && st->relay[0] ? " · relay " : "",
	    MM_ID_SHORT, st && st->relay ? st->relay : "");
}

/* The parts every attachment has. */
static json_t *
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
static void
mm_count_line(struct metrics_buf *b, const json_t *doc)
{
	long long rec = jcount(doc, "recommending"), q = jcount(doc, "quorum"),
	    obs = jcount(doc, "observing"), ev = jcount(doc, "evidence"),
	    val = jcount(doc, "validating");
	const char *sep = "";

	if (rec >= 0) {
		if (q >= 0)
			metrics_buf_printf(b, "%lld operators recommend an NTA "
			    "(quorum %lld)", rec, q);
		else
			metrics_buf_printf(b, "%lld operators recommend an NTA", rec);
		sep = "; ";
	}
	if (obs >= 0) {
		metrics_buf_printf(b, "%s%lld observe one failure", sep, obs);
		if (ev >= 0)
			metrics_buf_printf(b, " (%lld needed)", ev);
		sep = "; ";
	}
	if (val > 0)
		metrics_buf_printf(b, "%s%lld see it validate", sep, val);
}

/* Lines "`op` roles" for the operators that count. */
static void
mm_operators(struct metrics_buf *b, const json_t *ops, const char *base)
{
	size_t i;
	json_t *o;

	json_array_foreach(ops, i, o) {
		const char *vote = jstr(o, "vote");
		json_t *roles = json_object_get(o, "roles"), *r, *evs, *members;
		size_t j;

		if (i == MM_LIST_MAX) {
			metrics_buf_printf(b, "… and %zu more\n", json_array_size(ops) - i);
			break;
		}
		if (vote == NULL)
			vote = jstr(o, "origin");
		if (vote == NULL)
			vote = jstr(o, "operator");
		metrics_buf_printf(b, "- ");
		md_short(b, vote);
		if (jstr(o, "name")) {
			metrics_buf_printf(b, " ");
			md_code(b, jstr(o, "name"), 64);
		}
		members = json_object_get(o, "origins");
		if (members == NULL)
			members = json_object_get(o, "operators");
		if (json_array_size(members) > 1)
			metrics_buf_printf(b, " (%zu affiliated operators)",
			    json_array_size(members));
		if (json_is_string(roles)) {
			metrics_buf_printf(b, " ");
			md_text(b, json_string_value(roles), 64, false);
		}
		json_array_foreach(roles, j, r) {
			if (!json_is_string(r))
				continue;
			metrics_buf_printf(b, "%s", j ? ", " : " ");
			md_text(b, json_string_value(r), 64, false);
		}
		evs = json_object_get(o, "events");
		json_array_foreach(evs, j, r) {
			if (j == 4)
				break;
			metrics_buf_printf(b, "%s", j ? " " : " — ");
			md_id(b, jid(r), base);
		}
		metrics_buf_printf(b, "\n");
	}
}

static void
mm_veto(struct metrics_buf *b, const json_t *veto, const char *base)
{
	md_short(b, jstr(veto, "origin"));
	metrics_buf_printf(b, ": ");
	md_code(b, jstr(veto, "reason"), MATTERMOST_NOTE_MAX);
	if (jid(veto)) {
		metrics_buf_printf(b, " ");
		md_id(b, jid(veto), base);
	}
}

static void
mm_statement(struct metrics_buf *b, const json_t *s, const char *base)
{
	const char *status = jstr(s, "status");

	metrics_buf_printf(b, "**%s**", status &&
	    strspn(status, "abcdefghijklmnopqrstuvwxyz_") == strlen(status) ?
	    status : "unknown");
	if (jstr(s, "origin")) {
		metrics_buf_printf(b, " by ");
		md_short(b, jstr(s, "origin"));
	}
	if (jstr(s, "note")) {
		metrics_buf_printf(b, ": ");
		md_code(b, jstr(s, "note"), MATTERMOST_NOTE_MAX);
	}
	if (jid(s)) {
		metrics_buf_printf(b, " ");
		md_id(b, jid(s), base);
	}
}

static void
mm_fingerprints(struct metrics_buf *b, const json_t *fps)
{
	size_t i;
	json_t *f;

	json_array_foreach(fps, i, f) {
		if (i == MM_LIST_MAX) {
			metrics_buf_printf(b, " …");
			break;
		}
		metrics_buf_printf(b, "%s", i ? " " : "");
		md_short(b, jid(f));
		if (json_is_integer(json_object_get(f, "operators")))
			metrics_buf_printf(b, " (%lld operators)", (long long)
			    json_integer_value(json_object_get(f, "operators")));
	}
}

/* A zone name, checked (as code) */
static const char *
mm_zone(const json_t *o)
{
	const char *z = jstr(o, "zone");

	return z ? z : "(no zone)";
}

/* " (was: Observed)", or " (updated)" when only the operators, the
 * fingerprints or the lifetime changed. */
static void
mm_was(struct metrics_buf *b, const char *prev, const char *state)
{
	if (prev == NULL || *prev == '\0')
		return;
	if (state && strcmp(prev, state) == 0)
		metrics_buf_printf(b, " (updated)");
	else
		metrics_buf_printf(b, " (was: %s)", mattermost_state_label(prev));
}

/* ------------------------------------------------------------- incidents */

/* "incident `ID`" and, when full, ", opened T, about failure `FP`" and
 * its end. Nothing when doc names no incident. */
static void
mm_incident(struct metrics_buf *b, const json_t *doc, bool full,
    const char *word)
{
	const json_t *inc = incident_text_incident(doc);
	const char *outcome;
	char t[32];
	long long n;

	if (inc == NULL)
		return;
	metrics_buf_printf(b, "%s ", word);
	md_short16(b, jstr(inc, "id"));
	if (!full)
		return;
	if (jint(inc, "opened", &n))
		metrics_buf_printf(b, ", opened %s", mattermost_time(n, t, sizeof(t)));
	if (jstr(inc, "lead")) {
		metrics_buf_printf(b, ", about failure ");
		md_short(b, jstr(inc, "lead"));
	}
	outcome = jstr(inc, "outcome");
	if (jint(inc, "closed", &n) && outcome && strcmp(outcome, "open") != 0) {
		metrics_buf_printf(b, ", closed %s (", mattermost_time(n, t,
		    sizeof(t)));
		md_text(b, outcome, 16, false);
		metrics_buf_printf(b, ")");
	}
}

static void
mm_put(void *arg, const char *text, const char *op)
{
	if (text)
		metrics_buf_printf(arg, "%s", text);
	else
		md_short(arg, op);
}

/* "unreachable from `op`, `op` (no answer to judge: not a failure)";
 * nothing when every vantage point got an answer. */
static bool
mm_unreachable(struct metrics_buf *b, const json_t *doc)
{
	return incident_text_say_unreachable(doc, NULL, MM_UNREACH_MAX, mm_put, b);
}

/* Cut b back to len bytes (what was written after is dropped). */
static void
mm_cut(struct metrics_buf *b, size_t len)
{
	b->len = len;
	if (b->data)
		b->data[len] = '\0';
}

/* ", recovering" or ", failing again (N relapses)" after the state. */
static void
mm_phase(struct metrics_buf *b, const json_t *doc)
{
	char ph[INCIDENT_TEXT_MAX];

	if (incident_text_phase(doc, ph, sizeof(ph))[0])
		metrics_buf_printf(b, ", %s", ph);
}

/* What the decision says of the recovery: "validating again: ...; the
 * NTA holds until then", or a relapse; false when neither applies. */
static bool
mm_recovery(struct metrics_buf *b, const json_t *doc, const char *prev_phase)
{
	char rec[INCIDENT_TEXT_MAX];
	const char *phase = jstr(doc, "phase");

	if (incident_text_recovery(doc, rec, sizeof(rec))) {
		metrics_buf_printf(b, "%s; the NTA holds until then", rec);
		return true;
	}
	if (prev_phase && strcmp(prev_phase, "recovering") == 0 && phase &&
	    strcmp(phase, "failing") == 0) {
		metrics_buf_printf(b, "relapse: the failure is back while "
		    "recovering; the NTA holds and the window starts again");
		return true;
	}
	return false;
}

json_t *
mattermost_decision_attachment(const json_t *doc, const char *prev,
    const struct mattermost_style *st)
{
	struct metrics_buf b = { 0 };
	const char *state = jstr(doc, "state"), *zone = mm_zone(doc), *ev;
	char title[400], fallback[400], link[700], basebuf[512], t[32];
	const char *base = mm_base(st, basebuf, sizeof(basebuf));
	json_t *fields = json_array(), *a = NULL, *v;
	long long n;
	char *text = NULL, *pretext = NULL;

	if (fields == NULL)
		return NULL;
	snprintf(title, sizeof(title), "%.254s — %s", zone,
	    mattermost_state_label(state));
	if (prev && *prev && state && strcmp(prev, state) == 0)
		snprintf(fallback, sizeof(fallback), "%.254s: %s (updated)", zone,
		    mattermost_state_label(state));
	else if (prev && *prev)
		snprintf(fallback, sizeof(fallback), "%.254s: %s (was: %s)", zone,
		    mattermost_state_label(state), mattermost_state_label(prev));
	else
		snprintf(fallback, sizeof(fallback), "%.254s: %s", zone,
		    mattermost_state_label(state));

	metrics_buf_printf(&b, "%s", mattermost_state_label(state));
	mm_phase(&b, doc);
	mm_was(&b, prev, state);
	if (mm_field(fields, "State", &b, true) != 0)
		goto out;
	if (jint(doc, "since", &n)) {
		metrics_buf_printf(&b, "%s", mattermost_time(n, t, sizeof(t)));
		if (mm_field(fields, "Since", &b, true) != 0)
			goto out;
	}
	mm_count_line(&b, doc);
	if (b.len && mm_field(fields, "Quorum", &b, false) != 0)
		goto out;
	if (mm_recovery(&b, doc, NULL) &&
	    mm_field(fields, "Recovery", &b, false) != 0)
		goto out;
	if (mm_unreachable(&b, doc) &&
	    mm_field(fields, "Unreachable", &b, false) != 0)
		goto out;
	if (jint(doc, "nta_until", &n)) {
		metrics_buf_printf(&b, "%s", mattermost_time(n, t, sizeof(t)));
		if (mm_field(fields, "NTA until", &b, true) != 0)
			goto out;
	}
	if (jint(doc, "lifetime", &n)) {
		mm_duration(n, t, sizeof(t));
		metrics_buf_printf(&b, "%s", t);
		if (mm_field(fields, "NTA lifetime", &b, true) != 0)
			goto out;
	}
	if (json_array_size(json_object_get(doc, "fingerprints"))) {
		mm_fingerprints(&b, json_object_get(doc, "fingerprints"));
		if (mm_field(fields, "Evidence (failure fingerprints)", &b, false) != 0)
			goto out;
	}
	if (json_is_object(v = json_object_get(doc, "veto"))) {
		mm_veto(&b, v, base);
		if (mm_field(fields, "Veto", &b, false) != 0)
			goto out;
	}
	if (json_array_size(v = json_object_get(doc, "operators"))) {
		mm_operators(&b, v, base);
		if (mm_field(fields, "Operators", &b, false) != 0)
			goto out;
	}
	if (json_is_object(v = json_object_get(doc, "statement"))) {
		mm_statement(&b, v, base);
		if (mm_field(fields, "Zone operator", &b, false) != 0)
			goto out;
	}
	if (jstr(doc, "reason")) {
		md_code(&b, jstr(doc, "reason"), MATTERMOST_NOTE_MAX);
		if ((text = mm_take(&b)) == NULL)
			goto out;
	}
	ev = jstr(doc, "decision_event");
	if (base && ev && strlen(ev) == 64 && strspn(ev, "0123456789abcdef") == 64)
		snprintf(link, sizeof(link), "%s/v1/events/%s", base, ev);
	else
		link[0] = '\0';
	if (!jint(doc, "changed", &n) && !jint(doc, "since", &n))
		n = 0;
	a = mm_attachment(fallback, mattermost_state_color(state), title,
	    link[0] ? link : NULL, text, fields, n, st);
	fields = NULL;
	/* the incident it is about, above the attachment */
	mm_incident(&b, doc, true, "Incident");
	if (a && b.len) {
		if ((pretext = mm_take(&b)) == NULL ||
		    json_object_set_new(a, "pretext", json_string(pretext)) != 0) {
			json_decref(a);
			a = NULL;
		}
	}
out:
	metrics_buf_free(&b);
	json_decref(fields);
	free(text);
	free(pretext);
	return a;
}

/* " (was: failing)" for a change of phase within nta_recommended, else as
 * mm_was(). */
static void
mm_was_phase(struct metrics_buf *b, const char *prev, const char *prev_phase,
    const json_t *doc)
{
	const char *state = jstr(doc, "state"), *phase = jstr(doc, "phase");

	if (prev && state && strcmp(prev, state) == 0 && prev_phase && phase &&
	    strcmp(prev_phase, phase) != 0 &&
	    strspn(prev_phase, "abcdefghijklmnopqrstuvwxyz_") == strlen(prev_phase))
		metrics_buf_printf(b, " (was: %.16s)", prev_phase);
	else
		mm_was(b, prev, state);
}

char *
mattermost_decision_text(const json_t *doc, const char *prev)
{
	return mattermost_change_text(doc, prev, NULL);
}

char *
mattermost_change_text(const json_t *doc, const char *prev,
    const char *prev_phase)
{
	struct metrics_buf b = { 0 };
	const char *state = jstr(doc, "state");
	size_t before;
	long long n;
	char t[32];

	metrics_buf_printf(&b, "%s ", mm_state_emoji(state));
	md_code(&b, mm_zone(doc), 256);
	metrics_buf_printf(&b, ": **%s**", mattermost_state_label(state));
	mm_phase(&b, doc);
	mm_was_phase(&b, prev, prev_phase, doc);
	before = b.len;
	metrics_buf_printf(&b, " — ");
	if (mm_recovery(&b, doc, prev_phase)) {
		/* the progress says it all */
	} else if (jcount(doc, "recommending") >= 0 ||
	    jcount(doc, "observing") >= 0) {
		mm_count_line(&b, doc);
	} else {
		mm_cut(&b, before);
	}
	if (jint(doc, "nta_until", &n))
		metrics_buf_printf(&b, "; NTA until %s", mattermost_time(n, t,
		    sizeof(t)));
	if (json_is_object(json_object_get(doc, "veto"))) {
		metrics_buf_printf(&b, "; **veto** by ");
		md_short(&b, jstr(json_object_get(doc, "veto"), "origin"));
	}
	before = b.len;
	metrics_buf_printf(&b, "; ");
	if (!mm_unreachable(&b, doc))
		mm_cut(&b, before);
	if (incident_text_incident(doc)) {
		metrics_buf_printf(&b, " · ");
		mm_incident(&b, doc, false, "incident");
		if (state && strcmp(state, "resolved") == 0)
			metrics_buf_printf(&b, " closed");
	}
	return mm_take(&b);
}

/* ---------------------------------------------------------------- events */

static const char *
mm_kind_title(const char *kind)
{
	if (kind == NULL)
		return "Event";
	if (strcmp(kind, "observation") == 0) return "Observation";
	if (strcmp(kind, "assessment") == 0) return "Assessment";
	if (strcmp(kind, "zone_statement") == 0) return "Zone statement";
	if (strcmp(kind, "withdraw") == 0) return "Withdrawal";
	if (strcmp(kind, "vouch") == 0) return "Vouch";
	if (strcmp(kind, "unvouch") == 0) return "Unvouch";
	if (strcmp(kind, "key_cert") == 0) return "Key certificate";
	if (strcmp(kind, "key_revoke") == 0) return "Key revocation";
	if (strcmp(kind, "heartbeat") == 0) return "Heartbeat";
	if (strcmp(kind, "decision") == 0) return "Decision";
	return "Event";
}

static const char *
mm_event_color(const json_t *p)
{
	const char *kind = jstr(p, "kind"), *v;

	if (kind == NULL)
		return MM_GREY;
	if (strcmp(kind, "assessment") == 0 && (v = jstr(p, "verdict"))) {
		if (strcmp(v, "attack") == 0 || strcmp(v, "likely_attack") == 0)
			return "#C62828";
		if (strcmp(v, "accident") == 0 || strcmp(v, "likely_accident") == 0)
			return "#EF6C00";
		return MM_GREY;
	}
	if (strcmp(kind, "zone_statement") == 0 && (v = jstr(p, "status"))) {
		if (strcmp(v, "attack_suspected") == 0)
			return "#C62828";
		if (strcmp(v, "accident_confirmed") == 0)
			return "#EF6C00";
		if (strcmp(v, "resolved") == 0)
			return "#2E7D32";
		return "#F9A825";
	}
	if (strcmp(kind, "observation") == 0 && (v = jstr(p, "state"))) {
		if (strcmp(v, "bogus") == 0)
			return "#F9A825";
		if (strcmp(v, "secure") == 0)
			return "#2E7D32";
		return MM_GREY;
	}
	if (strcmp(kind, "decision") == 0)
		return mattermost_state_color(jstr(p, "state"));
	if (strcmp(kind, "key_revoke") == 0 || strcmp(kind, "unvouch") == 0)
		return "#C62828";
	return MM_GREY;
}

/* The short description after the kind: "accident, recommends an NTA for
 * 1 h" (markdown); empty when there is none. */
static void
mm_event_summary(struct metrics_buf *b, const json_t *p)
{
	const char *kind = jstr(p, "kind");
	long long n;
	char t[32];

	if (kind == NULL)
		return;
	if (strcmp(kind, "assessment") == 0) {
		md_text(b, jstr(p, "verdict"), 32, false);
		if (json_is_true(json_object_get(p, "recommend_nta"))) {
			metrics_buf_printf(b, ", recommends an NTA");
			if (jint(p, "lifetime", &n))
				metrics_buf_printf(b, " for %s", mm_duration(n, t, sizeof(t)));
		} else
			metrics_buf_printf(b, ", no NTA");
	} else if (strcmp(kind, "zone_statement") == 0) {
		md_text(b, jstr(p, "status"), 32, false);
	} else if (strcmp(kind, "observation") == 0) {
		md_text(b, jstr(p, "state"), 32, false);
		if (jstr(p, "reason") && jstr(p, "reason")[0]) {
			metrics_buf_printf(b, ": ");
			md_code(b, jstr(p, "reason"), 120);
		}
	} else if (strcmp(kind, "withdraw") == 0) {
		metrics_buf_printf(b, "of ");
		md_short(b, jstr(p, "target"));
	} else if (strcmp(kind, "decision") == 0) {
		md_text(b, mattermost_state_label(jstr(p, "state")), 40, false);
	} else if (jstr(p, "subject")) {
		metrics_buf_printf(b, "of ");
		md_short(b, jstr(p, "subject"));
	}
}

char *
mattermost_event_text(const json_t *p)
{
	return mattermost_event_text_in(p, NULL);
}

char *
mattermost_event_text_in(const json_t *p, const char *incident)
{
	struct metrics_buf b = { 0 };
	const char *kind = jstr(p, "kind"), *zone = jstr(p, "zone");
	size_t before;

	metrics_buf_printf(&b, "%s **%s**", kind && strcmp(kind, "assessment") == 0 ?
	    ":memo:" : kind && strcmp(kind, "zone_statement") == 0 ?
	    ":loudspeaker:" : kind && strcmp(kind, "withdraw") == 0 ?
	    ":leftwards_arrow_with_hook:" : ":information_source:",
	    mm_kind_title(kind));
	if (zone) {
		metrics_buf_printf(&b, " %s ", kind && strcmp(kind,
		    "zone_statement") == 0 ? "for" : "of");
		md_code(&b, zone, 256);
	}
	metrics_buf_printf(&b, " by ");
	md_short(&b, jstr(p, "origin"));
	before = b.len;
	metrics_buf_printf(&b, ": ");
	mm_event_summary(&b, p);
	if (b.len == before + 2)   /* nothing to say: no colon */
		mm_cut(&b, before);
	if (incident && *incident) {
		metrics_buf_printf(&b, " · incident ");
		md_short16(&b, incident);
	}
	return mm_take(&b);
}

json_t *
mattermost_event_attachment(const json_t *p, const char *id,
    const struct mattermost_style *st)
{
	struct metrics_buf b = { 0 };
	const char *kind = jstr(p, "kind"), *zone = jstr(p, "zone");
	char title[400], link[700], basebuf[512], t[32];
	const char *base = mm_base(st, basebuf, sizeof(basebuf));
	json_t *fields = json_array(), *a = NULL, *v;
	long long n, ts = 0;
	char *fallback = NULL;

	if (fields == NULL)
		return NULL;
	if (zone)
		snprintf(title, sizeof(title), "%s %s %.254s", mm_kind_title(kind),
		    kind && strcmp(kind, "zone_statement") == 0 ? "for" : "of", zone);
	else
		snprintf(title, sizeof(title), "%s", mm_kind_title(kind));
	if (base && id)
		snprintf(link, sizeof(link), "%s/v1/events/%s", base, id);
	else
		link[0] = '\0';

	md_short(&b, jstr(p, "origin"));
	if (mm_field(fields, kind && strcmp(kind, "zone_statement") == 0 ?
	    "Zone operator" : "Operator", &b, true) != 0)
		goto out;
	if (kind && strcmp(kind, "assessment") == 0) {
		md_text(&b, jstr(p, "verdict"), 32, false);
		if (mm_field(fields, "Verdict", &b, true) != 0)
			goto out;
		metrics_buf_printf(&b, "%s", json_is_true(json_object_get(p,
		    "recommend_nta")) ? "yes" : "no");
		if (jint(p, "lifetime", &n))
			metrics_buf_printf(&b, ", for %s", mm_duration(n, t, sizeof(t)));
		if (mm_field(fields, "Recommends an NTA", &b, true) != 0)
			goto out;
	} else if (kind && strcmp(kind, "zone_statement") == 0) {
		md_text(&b, jstr(p, "status"), 32, false);
		if (mm_field(fields, "Status", &b, true) != 0)
			goto out;
	} else if (kind && strcmp(kind, "observation") == 0) {
		md_text(&b, jstr(p, "state"), 32, false);
		if (mm_field(fields, "Validation", &b, true) != 0)
			goto out;
		md_code(&b, jstr(p, "vantage"), 64);
		metrics_buf_printf(&b, " / ");
		md_code(&b, jstr(p, "validator"), 64);
		if (mm_field(fields, "Vantage / validator", &b, true) != 0)
			goto out;
		if (jstr(p, "reason") && jstr(p, "reason")[0]) {
			md_code(&b, jstr(p, "reason"), MATTERMOST_NOTE_MAX);
			if (mm_field(fields, "Reason", &b, false) != 0)
				goto out;
		}
		if (json_array_size(v = json_object_get(p, "ede"))) {
			size_t i;
			json_t *e;
			json_array_foreach(v, i, e)
				metrics_buf_printf(&b, "%s%lld", i ? ", " : "",
				    (long long)json_integer_value(e));
			if (mm_field(fields, "EDE", &b, true) != 0)
				goto out;
		}
		if (jstr(p, "fingerprint")) {
			md_short(&b, jstr(p, "fingerprint"));
			if (mm_field(fields, "Fingerprint", &b, true) != 0)
				goto out;
		}
	} else if (kind && strcmp(kind, "withdraw") == 0) {
		md_id(&b, jstr(p, "target"), base);
		if (mm_field(fields, "Withdraws", &b, true) != 0)
			goto out;
	} else if (kind && strcmp(kind, "decision") == 0) {
		metrics_buf_printf(&b, "%s", mattermost_state_label(jstr(p, "state")));
		if (mm_field(fields, "State", &b, true) != 0)
			goto out;
	} else if (jstr(p, "subject")) {
		md_short(&b, jstr(p, "subject"));
		if (mm_field(fields, "Subject", &b, true) != 0)
			goto out;
	}
	if (jstr(p, "note") && jstr(p, "note")[0]) {
		md_code(&b, jstr(p, "note"), MATTERMOST_NOTE_MAX);
		if (mm_field(fields, "Note", &b, false) != 0)
			goto out;
	}
	md_id(&b, id, base);
	if (jint(p, "seq", &n))
		metrics_buf_printf(&b, " (seq %lld)", n);
	if (mm_field(fields, "Event", &b, true) != 0)
		goto out;
	if (jint(p, "ts", &ts)) {
		metrics_buf_printf(&b, "%s", mattermost_time(ts, t, sizeof(t)));
		if (mm_field(fields, "Signed", &b, true) != 0)
			goto out;
	}
	/* fallback: the text without markdown */
	metrics_buf_printf(&b, "%s", title);
	if (jstr(p, "origin"))
		metrics_buf_printf(&b, " by %.12s", jstr(p, "origin"));
	if ((fallback = mm_take(&b)) == NULL)
		goto out;
	a = mm_attachment(fallback, mm_event_color(p), title,
	    link[0] ? link : NULL, NULL, fields, ts, st);
	fields = NULL;
out:
	metrics_buf_free(&b);
	json_decref(fields);
	free(fallback);
	return a;
}

/* -------------------------------------------------------------- payloads */

/* text bounded by Mattermost's limit, on a UTF-8 boundary */
static json_t *
mm_bounded(const char *text)
{
	size_t n = strlen(text);

	return json_stringn(text, mm_utf8_cut(text, n, MATTERMOST_TEXT_MAX));
}

static int
mm_props(json_t *props, const char *card, const char *key)
{
	if (card && json_object_set_new(props, "card", mm_bounded(card)) != 0)
		return -1;
	if (key && json_object_set_new(props, "ntarelay_key", json_string(key)) != 0)
		return -1;
	return 0;
}

json_t *
mattermost_webhook(const char *text, json_t *attachment, const char *card,
    const char *key, const struct mattermost_style *st)
{
	json_t *w = json_object(), *props = json_object();

	if (w == NULL || props == NULL)
		goto bad;
	if (json_object_set_new(w, "text", mm_bounded(text ? text : "")) != 0)
		goto bad;
	if (st && st->username && st->username[0] &&
	    json_object_set_new(w, "username", json_string(st->username)) != 0)
		goto bad;
	if (st && st->icon_url && st->icon_url[0] &&
	    json_object_set_new(w, "icon_url", json_string(st->icon_url)) != 0)
		goto bad;
	if (st && st->channel && st->channel[0] &&
	    json_object_set_new(w, "channel", json_string(st->channel)) != 0)
		goto bad;
	if (attachment) {
		if (json_object_set_new(w, "attachments", json_pack("[o]",
		    attachment)) != 0) {
			attachment = NULL;
			goto bad;
		}
		attachment = NULL;
	}
	if (mm_props(props, card, key) != 0)
		goto bad;
	if (json_object_set_new(w, "props", props) != 0) {
		props = NULL;
		goto bad;
	}
	return w;
bad:
	json_decref(attachment);
	json_decref(props);
	json_decref(w);
	return NULL;
}

json_t *
mattermost_post(const char *channel_id, const char *message, json_t *attachment,
    const char *card, const char *key)
{
	json_t *p = json_object(), *props = json_object();

	if (p == NULL || props == NULL)
		goto bad;
	if (json_object_set_new(p, "channel_id", json_string(channel_id ?
	    channel_id : "")) != 0 ||
	    json_object_set_new(p, "message", mm_bounded(message ? message : "")) != 0)
		goto bad;
	if (attachment) {
		if (json_object_set_new(props, "attachments", json_pack("[o]",
		    attachment)) != 0) {
			attachment = NULL;
			goto bad;
		}
		attachment = NULL;
	}
	if (mm_props(props, card, key) != 0)
		goto bad;
	if (json_object_set_new(p, "props", props) != 0) {
		props = NULL;
		goto bad;
	}
	return p;
bad:
	json_decref(attachment);
	json_decref(props);
	json_decref(p);
	return NULL;
}

json_t *
mattermost_root_post(const char *channel_id, const json_t *doc, const char *zone,
    const char *fingerprint, const char *first, const char *key,
    const struct mattermost_style *st)
{
	struct metrics_buf b = { 0 };
	const char *state = doc ? jstr(doc, "state") : NULL;
	json_t *att = NULL, *post = NULL;
	char *msg = NULL, t[32];
	long long n;

	metrics_buf_printf(&b, "#### %s Incident ", doc ? mm_state_emoji(state) :
	    ":mag:");
	md_code(&b, zone, 256);
	metrics_buf_printf(&b, " — %s\n", doc ? mattermost_state_label(state) :
	    "opened");
	if (doc && incident_text_incident(doc)) {
		/* which incident this thread is: one thread, one incident */
		mm_incident(&b, doc, true, "Incident");
		metrics_buf_printf(&b, "\n");
	}
	if (doc) {
		metrics_buf_printf(&b, "State **%s**", mattermost_state_label(state));
		mm_phase(&b, doc);
		if (jint(doc, "since", &n))
			metrics_buf_printf(&b, " since %s", mattermost_time(n, t,
			    sizeof(t)));
		if (jcount(doc, "recommending") >= 0 || jcount(doc, "observing") >= 0) {
			metrics_buf_printf(&b, " · ");
			mm_count_line(&b, doc);
		}
		if (jint(doc, "nta_until", &n))
			metrics_buf_printf(&b, " · NTA until %s", mattermost_time(n, t,
			    sizeof(t)));
	} else {
		metrics_buf_printf(&b, "First signal: ");
		md_text(&b, first ? first : "an event", 64, false);
		metrics_buf_printf(&b, ". The relay has no decision for the zone "
		    "yet.");
	}
	if (fingerprint && *fingerprint) {
		metrics_buf_printf(&b, " · failure ");
		md_short(&b, fingerprint);
	}
	if (doc) {
		size_t before = b.len;
		metrics_buf_printf(&b, "\n");
		if (mm_recovery(&b, doc, NULL))
			metrics_buf_printf(&b, ".");
		else
			mm_cut(&b, before);
		before = b.len;
		metrics_buf_printf(&b, "\n");
		if (!mm_unreachable(&b, doc))
			mm_cut(&b, before);
	}
	if (doc && state && (strcmp(state, "resolved") == 0 ||
	    strcmp(state, "clear") == 0))
		metrics_buf_printf(&b, "\n_This incident is over and its thread "
		    "closed: a new failure of the zone opens a new incident and a "
		    "new thread._");
	else
		metrics_buf_printf(&b, "\n_This post is edited as the relay's "
		    "decision changes; the thread tells the story._");
	if ((msg = mm_take(&b)) == NULL)
		goto out;
	if (doc && (att = mattermost_decision_attachment(doc, NULL, st)) == NULL)
		goto out;
	post = mattermost_post(channel_id, msg, att, NULL, key);
out:
	metrics_buf_free(&b);
	free(msg);
	return post;
}

/* ------------------------------------------------------ tables and help */

/* A relay that has not caught up says so, and nothing else: an empty
 * list from it would read as "all clear". */
static void
mm_syncing(struct metrics_buf *b, const json_t *doc)
{
	metrics_buf_printf(b, ":hourglass_flowing_sand: This relay has not caught "
	    "up with its peers yet (syncing): it signs no decision and shows "
	    "none until it has");
	if (jstr(doc, "message")) {
		metrics_buf_printf(b, ": ");
		md_code(b, jstr(doc, "message"), MATTERMOST_NOTE_MAX);
	}
	metrics_buf_printf(b, ". Ask again in a moment.");
}

char *
mattermost_zones_table(const json_t *zones, const struct mattermost_style *st)
{
	struct metrics_buf b = { 0 };
	json_t *list = json_object_get(zones, "zones"), *z;
	size_t i;
	char t[32];
	long long n;

	(void)st;
	if (incident_text_syncing(zones)) {
		mm_syncing(&b, zones);
		return mm_take(&b);
	}
	if (json_array_size(list) == 0) {
		metrics_buf_printf(&b, ":white_check_mark: No zone is in incident "
		    "on this relay.");
		return mm_take(&b);
	}
	metrics_buf_printf(&b, "| Zone | State | Since | Recommending | "
	    "Observing | NTA until |\n|:--|:--|:--|--:|--:|:--|\n");
	json_array_foreach(list, i, z) {
		long long rec = jcount(z, "recommending"), q = jcount(z, "quorum"),
		    obs = jcount(z, "observing");
		if (i == MM_TABLE_MAX) {
			metrics_buf_printf(&b, "\n… and %zu more zones",
			    json_array_size(list) - i);
			break;
		}
		metrics_buf_printf(&b, "| ");
		md_code(&b, mm_zone(z), 256);
		if (incident_text_id(z)) {
			metrics_buf_printf(&b, " (");
			mm_incident(&b, z, false, "incident");
			metrics_buf_printf(&b, ")");
		}
		metrics_buf_printf(&b, " | %s %s", mm_state_emoji(jstr(z, "state")),
		    mattermost_state_label(jstr(z, "state")));
		mm_phase(&b, z);
		metrics_buf_printf(&b, " | ");
		metrics_buf_printf(&b, "%s | ", jint(z, "since", &n) ?
		    mattermost_time(n, t, sizeof(t)) : "-");
		if (rec >= 0 && q >= 0)
			metrics_buf_printf(&b, "%lld (quorum %lld) | ", rec, q);
		else if (rec >= 0)
			metrics_buf_printf(&b, "%lld | ", rec);
		else
			metrics_buf_printf(&b, "- | ");
		if (obs >= 0)
			metrics_buf_printf(&b, "%lld | ", obs);
		else
			metrics_buf_printf(&b, "- | ");
		metrics_buf_printf(&b, "%s |\n", jint(z, "nta_until", &n) ?
		    mattermost_time(n, t, sizeof(t)) : "-");
	}
	return mm_take(&b);
}

char *
mattermost_zone_detail(const json_t *doc, const struct mattermost_style *st)
{
	struct metrics_buf b = { 0 };
	const char *state = jstr(doc, "state");
	char basebuf[512], t[32];
	const char *base = mm_base(st, basebuf, sizeof(basebuf));
	json_t *v, *h;
	long long n;
	size_t i, start, before;

	if (incident_text_syncing(doc)) {
		mm_syncing(&b, doc);
		return mm_take(&b);
	}
	metrics_buf_printf(&b, "#### %s ", mm_state_emoji(state));
	md_code(&b, mm_zone(doc), 256);
	metrics_buf_printf(&b, " — %s", mattermost_state_label(state));
	mm_phase(&b, doc);
	metrics_buf_printf(&b, "\n");
	if (incident_text_incident(doc)) {
		mm_incident(&b, doc, true, "Incident");
		metrics_buf_printf(&b, ".\n");
	}
	if (jint(doc, "since", &n))
		metrics_buf_printf(&b, "Since %s. ", mattermost_time(n, t, sizeof(t)));
	mm_count_line(&b, doc);
	metrics_buf_printf(&b, "\n");
	if (mm_recovery(&b, doc, NULL))
		metrics_buf_printf(&b, ".\n");
	before = b.len;
	metrics_buf_printf(&b, "\n");
	if (mm_unreachable(&b, doc))
		metrics_buf_printf(&b, "\n");
	else
		mm_cut(&b, before);
	if (jint(doc, "nta_until", &n))
		metrics_buf_printf(&b, "\n**NTA until %s**\n", mattermost_time(n, t,
		    sizeof(t)));
	if (json_is_object(v = json_object_get(doc, "veto"))) {
		metrics_buf_printf(&b, "\n**Veto**: ");
		mm_veto(&b, v, base);
		metrics_buf_printf(&b, "\n");
	}
	if (jstr(doc, "reason")) {
		metrics_buf_printf(&b, "\nWhy: ");
		md_code(&b, jstr(doc, "reason"), MATTERMOST_NOTE_MAX);
		metrics_buf_printf(&b, "\n");
	}
	if (json_array_size(v = json_object_get(doc, "fingerprints"))) {
		metrics_buf_printf(&b, "\nFailure fingerprints: ");
		mm_fingerprints(&b, v);
		metrics_buf_printf(&b, "\n");
	}
	if (json_array_size(v = json_object_get(doc, "operators"))) {
		metrics_buf_printf(&b, "\n**Operators that count**\n");
		mm_operators(&b, v, base);
	}
	if (json_is_object(v = json_object_get(doc, "statement"))) {
		metrics_buf_printf(&b, "\n**Zone operator**: ");
		mm_statement(&b, v, base);
		metrics_buf_printf(&b, "\n");
	}
	if (json_array_size(v = json_object_get(doc, "history"))) {
		metrics_buf_printf(&b, "\n| Time | State | Decision |\n|:--|:--|:--|\n");
		start = json_array_size(v) > MM_HISTORY_MAX ?
		    json_array_size(v) - MM_HISTORY_MAX : 0;
		for (i = start; i < json_array_size(v); i++) {
			h = json_array_get(v, i);
			metrics_buf_printf(&b, "| %s | %s%s | ", jint(h, "ts", &n) ?
			    mattermost_time(n, t, sizeof(t)) : "-",
			    mattermost_state_label(jstr(h, "state")),
			    jstr(h, "phase") && strcmp(jstr(h, "phase"),
			    "recovering") == 0 ? ", recovering" : "");
			md_id(&b, jstr(h, "event"), base);
			metrics_buf_printf(&b, " |\n");
		}
	}
	return mm_take(&b);
}

char *
mattermost_peers_table(const json_t *peers)
{
	struct metrics_buf b = { 0 };
	json_t *list = json_object_get(peers, "peers"), *p, *k;
	size_t i, j;

	if (json_array_size(list) == 0) {
		metrics_buf_printf(&b, "No peers known to this relay.");
		return mm_take(&b);
	}
	metrics_buf_printf(&b, "| Operator | Name | Member | Keys | Status |\n"
	    "|:--|:--|:--|--:|:--|\n");
	json_array_foreach(list, i, p) {
		json_t *keys = json_object_get(p, "keys");
		bool flagged = false, member = false;

		if (i == MM_TABLE_MAX) {
			metrics_buf_printf(&b, "\n… and %zu more operators",
			    json_array_size(list) - i);
			break;
		}
		json_array_foreach(keys, j, k) {
			const char *s = jstr(k, "status");
			if (s && strcmp(s, "member") == 0)
				member = true;
			if (json_array_size(json_object_get(k, "flags")))
				flagged = true;
		}
		metrics_buf_printf(&b, "| ");
		md_short(&b, jstr(p, "operator"));
		metrics_buf_printf(&b, " | ");
		if (jstr(p, "name"))
			md_code(&b, jstr(p, "name"), 64);
		else
			metrics_buf_printf(&b, "-");
		metrics_buf_printf(&b, " | %s | %zu | %s |\n",
		    json_is_true(json_object_get(p, "pinned")) ? "pinned" :
		    member ? "vouched" : "no", json_array_size(keys),
		    flagged ? ":warning: flagged (equivocation)" : member ||
		    json_is_true(json_object_get(p, "pinned")) ? "ok" : "-");
	}
	return mm_take(&b);
}

const char *
mattermost_help_text(void)
{
	return "**/nta** asks this ntarelay relay what it knows:\n"
	    "- `status`: the zones in incident, most urgent first\n"
	    "- `status ZONE`: one zone in detail (operators that count, veto, "
	    "zone operator's statement, timeline)\n"
	    "- `status ZONE --public`: the same, shown to the whole channel\n"
	    "- `peers`: the operators of the federation and their keys\n"
	    "- `help`: this text\n"
	    "Answers are visible to you only, unless `--public` is given.";
}
