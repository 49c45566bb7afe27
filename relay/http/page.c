/*
 * relay/http/page.c — the public incident page (relay/http/page.h).
 *
 * HTML is written into a struct buf (lib/buf.h); every string from JSON goes through
 * markup_esc() (text and attribute values alike), ids are linked only when
 * they are 64 lowercase hex digits.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto/encoding.h"
#include "lib/incident_text.h"
#include "lib/opname.h"
#include "relay/notify/mattermost.h"
#include "relay/core/metrics.h"
#include "relay/http/page.h"
#include "relay/http/markup.h"
#include "relay/http/timeline.h"

#define PAGE_TEXT_MAX 1024        /* bytes of one event-sourced string */
#define PAGE_LIST_MAX 32          /* operators, events, fingerprints */
#define PAGE_HISTORY_MAX 50
#define PAGE_NOTE_MAX 300         /* bytes of a note in the operators' table */
#define PAGE_UNREACH_MAX 16       /* unreachable operators named */

static const char page_css[] =
    ":root{color-scheme:light dark}"
    "body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "margin:0;background:#f6f7f9;color:#1b1f24}"
    "header,main,footer{max-width:52rem;margin:0 auto;padding:.75rem 1rem}"
    "header{border-bottom:1px solid #d0d7de}"
    "h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.25rem;margin:.2rem 0 .6rem}"
    "h3{font-size:1rem;margin:1rem 0 .3rem}"
    ".meta,dt,.muted{color:#57606a}.meta{font-size:.9rem;margin:.2rem 0}"
    "article,section.box{background:#fff;border-radius:8px;"
    "border-left:6px solid #607d8b;padding:.8rem 1rem;margin:1rem 0;"
    "box-shadow:0 1px 2px rgba(0,0,0,.1);overflow-wrap:anywhere}"
    ".badge{display:inline-block;padding:.05rem .6rem;border-radius:1rem;"
    "color:#fff;font-size:.85rem;font-weight:600;vertical-align:middle}"
    ".hint{color:#666;font-style:italic}"
    "code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em;"
    "overflow-wrap:anywhere}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;"
    "margin:.4rem 0}dd{margin:0}"
    "table{border-collapse:collapse;width:100%;font-size:.95rem}"
    "th,td{text-align:left;padding:.3rem .4rem;border-bottom:1px solid #d0d7de;"
    "vertical-align:top}"
    "ol,ul{padding-left:1.2rem;margin:.3rem 0}"
    ".veto{background:#fdecea;color:#7f1d1d;border:1px solid #c62828;"
    "border-radius:6px;padding:.5rem .7rem;margin:.5rem 0}"
    "a{color:#0b5cad}"
    /* words in tables wrap whole: only an id (code) may break */
    "td,th{overflow-wrap:break-word;word-break:normal}"
    ".tl svg{display:block;width:100%;height:auto;border-radius:6px}"
    "@media (max-width:34rem){dl{grid-template-columns:1fr}dt{font-weight:600;"
    "margin-top:.3rem}th,td{padding:.25rem .2rem}h1{font-size:1.3rem}"
    /* a phone: the operators' table stacked, one block per operator */
    ".ops thead{display:none}.ops tr{display:block;padding:.3rem 0;"
    "border-bottom:1px solid #d0d7de}.ops td{display:block;border:0}}"
    "@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}"
    "article,section.box{background:#161b22}.meta,dt,.muted{color:#8b949e}"
    "th,td,header{border-color:#30363d}a{color:#58a6ff}"
    ".veto{background:#3b1219;color:#ffd7d5}}";

/* ------------------------------------------------------------- helpers */

static const char *
pstr(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool
pint(const json_t *o, const char *k, long long *out)
{
	json_t *v = json_object_get(o, k);

	if (!json_is_integer(v))
		return false;
	*out = (long long)json_integer_value(v);
	return true;
}

static bool
page_is_id(const char *s)
{
	return s && strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

/* An id given as a string, or as an object naming it. */
static const char *
page_id_of(const json_t *v)
{
	const char *s;

	if (json_is_string(v))
		return json_string_value(v);
	if ((s = pstr(v, "id")) != NULL || (s = pstr(v, "event")) != NULL)
		return s;
	return pstr(v, "fingerprint");
}

static void
page_time(struct buf *b, long long t)
{
	char iso[32], shown[32];
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL) {
		buf_printf(b, "-");
		return;
	}
	strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	strftime(shown, sizeof(shown), "%Y-%m-%d %H:%M UTC", &tm);
	buf_printf(b, "<time datetime=\"%s\">%s</time>", iso, shown);
}

/* "45 min", "6 h", "2 h 30 min", "7 d", "1 d 6 h" */
static void
page_duration(struct buf *b, long long s)
{
	if (s < 3600)
		buf_printf(b, "%lld min", s / 60);
	else if (s < 86400)
		buf_printf(b, (s % 3600) / 60 ? "%lld h %lld min" : "%lld h",
		    s / 3600, (s % 3600) / 60);
	else
		buf_printf(b, (s % 86400) / 3600 ? "%lld d %lld h" : "%lld d",
		    s / 86400, (s % 86400) / 3600);
}

/* A link to a signed envelope, its id shortened. */
static void
page_event(struct buf *b, const struct page_info *in, const char *id)
{
	if (!page_is_id(id)) {
		buf_printf(b, "<code>");
		markup_esc(b, id ? id : "-", 80);
		buf_printf(b, "</code>");
		return;
	}
	buf_printf(b, "<a href=\"");
	markup_esc(b, in->base, 512);
	buf_printf(b, "/v1/events/%s\" title=\"the signed envelope %s\">"
	    "<code>%.12s</code></a>", id, id, id);
}

static void
page_badge(struct buf *b, const char *state)
{
	buf_printf(b, "<span class=\"badge\" style=\"background:%s\">",
	    mattermost_state_color(state));
	markup_esc(b, mattermost_state_label(state), 64);
	buf_printf(b, "</span>");
}

/*
 * Operator op named (lib/opname.h), its id in the title: its local name,
 * else the id's first digits and the self-declared hint "~NAME?". names:
 * the zone document ("operator_names") or an entry with "local_name" and
 * "declared_name"; NULL for the id alone.
 */
static void
page_operator(struct buf *b, const json_t *names, const char *op)
{
	const char *local = NULL, *declared = NULL;

	opname_lookup(names, op, &local, &declared);
	buf_printf(b, "<code title=\"");
	markup_esc(b, op ? op : "", 80);
	buf_printf(b, "\">");
	if (local != NULL)
		markup_esc(b, local, 32);
	else
		markup_esc(b, op ? op : "-", 12);
	buf_printf(b, "</code>");
	if (local == NULL && declared != NULL) {
		buf_printf(b, " <span class=\"hint\" title=\"self-declared, not "
		    "checked\">~");
		markup_esc(b, declared, 63);
		buf_printf(b, "?</span>");
	}
}

/* ------------------------------------------------------------ sections */

static void
page_ntas(struct buf *b, const json_t *list)
{
	size_t i, shown = 0;
	json_t *z;
	long long since, until, life;

	buf_printf(b, "<section class=\"box\" id=\"ntas\"><h2>Negative "
	    "Trust Anchors recommended</h2>");
	json_array_foreach(list, i, z) {
		const char *state = pstr(z, "state");
		if (state == NULL || strcmp(state, "nta_recommended") != 0)
			continue;
		if (shown++ == 0)
			buf_printf(b, "<table><thead><tr><th>Zone</th><th>From"
			    "</th><th>Until</th><th>Lifetime</th></tr></thead><tbody>");
		buf_printf(b, "<tr><td><a href=\"#zone-");
		markup_esc(b, pstr(z, "zone"), 256);
		buf_printf(b, "\"><code>");
		markup_esc(b, pstr(z, "zone"), 256);
		buf_printf(b, "</code></a></td><td>");
		page_time(b, pint(z, "since", &since) ? since : 0);
		buf_printf(b, "</td><td>");
		page_time(b, pint(z, "nta_until", &until) ? until : 0);
		buf_printf(b, "</td><td>");
		if (pint(z, "lifetime", &life))
			page_duration(b, life);
		else
			buf_printf(b, "-");
		buf_printf(b, "</td></tr>");
	}
	if (shown)
		buf_printf(b, "</tbody></table><p class=\"meta\">Resolvers "
		    "that follow this federation disable DNSSEC validation for these "
		    "zones only for this time (RFC 7646: never more than a week), "
		    "renewed while the quorum holds, removed when it dissolves.</p>");
	else
		buf_printf(b, "<p>None: no zone has a quorum of operators "
		    "recommending an NTA.</p>");
	buf_printf(b, "</section>");
}

static void
page_counts(struct buf *b, const json_t *z)
{
	long long rec, q, obs, ev, val;
	bool have_rec = pint(z, "recommending", &rec), have_q = pint(z, "quorum", &q);

	if (have_rec) {
		buf_printf(b, "<dt>Quorum</dt><dd>%lld operators recommend "
		    "an NTA", rec);
		if (have_q)
			buf_printf(b, " (%lld needed)", q);
		buf_printf(b, "</dd>");
	}
	if (pint(z, "observing", &obs)) {
		buf_printf(b, "<dt>Evidence</dt><dd>%lld operators observe "
		    "one failure", obs);
		if (pint(z, "evidence", &ev))
			buf_printf(b, " (%lld needed, with one fingerprint)", ev);
		buf_printf(b, "</dd>");
	}
	if (pint(z, "validating", &val) && val > 0)
		buf_printf(b, "<dt>Validating</dt><dd>%lld operators see the "
		    "zone validate again</dd>", val);
}

/* The incident the decision is about: its id, when it opened, the failure
 * it is about, its end. */
static void
page_incident(struct buf *b, const json_t *z)
{
	const json_t *inc = incident_text_incident(z);
	const char *lead, *outcome;
	long long t, relapses;

	if (inc == NULL)
		return;
	buf_printf(b, "<dt>Incident</dt><dd><code class=\"incident\">");
	markup_esc(b, incident_text_id(z), 16);
	buf_printf(b, "</code>");
	if (pint(inc, "opened", &t)) {
		buf_printf(b, ", opened ");
		page_time(b, t);
	}
	if ((lead = pstr(inc, "lead")) != NULL) {
		buf_printf(b, ", about failure <code title=\"failure "
		    "fingerprint ");
		markup_esc(b, lead, 64);
		buf_printf(b, "\">");
		markup_esc(b, lead, 16);
		buf_printf(b, "</code>");
	}
	if (pint(inc, "relapses", &relapses) && relapses > 0)
		buf_printf(b, "; the failure came back %lld time%s while "
		    "the zone was recovering", relapses, relapses == 1 ? "" : "s");
	outcome = pstr(inc, "outcome");
	if (pint(inc, "closed", &t) && outcome && strcmp(outcome, "open") != 0) {
		buf_printf(b, "; closed ");
		page_time(b, t);
		buf_printf(b, " (");
		markup_esc(b, outcome, 16);
		buf_printf(b, ")");
	}
	buf_printf(b, "</dd>");
}

/* "validating again: 2 of 2 operators, 40 s of 900 s": the NTA holds. */
static void
page_recovery(struct buf *b, const json_t *z)
{
	char rec[INCIDENT_TEXT_MAX];

	if (!incident_text_recovery(z, rec, sizeof(rec)))
		return;
	buf_printf(b, "<dt>Recovery</dt><dd>");
	markup_esc(b, rec, sizeof(rec));
	buf_printf(b, "; the NTA holds until then</dd>");
}

struct page_put_ctx {
	struct buf *b;
	const json_t *z;
};

static void
page_put(void *arg, const char *text, const char *op)
{
	const struct page_put_ctx *c = arg;

	if (text)
		markup_esc(c->b, text, INCIDENT_TEXT_MAX);
	else
		page_operator(c->b, c->z, op);
}

/* Vantage points that got no answer: evidence of nothing, shown as such
 * and never among the failures. */
static void
page_unreachable(struct buf *b, const json_t *z)
{
	struct page_put_ctx c = { b, z };
	size_t named;

	if (incident_text_unreachable(z, NULL, 0, &named) <= 0)
		return;
	buf_printf(b, "<dt>Unreachable</dt><dd class=\"unreachable\">");
	incident_text_say_unreachable(z, NULL, PAGE_UNREACH_MAX, page_put, &c);
	buf_printf(b, "</dd>");
}

static void
page_roles(struct buf *b, const json_t *roles)
{
	size_t i, n = 0;
	json_t *r;

	json_array_foreach(roles, i, r) {
		if (!json_is_string(r))
			continue;
		buf_printf(b, "%s", n++ ? ", " : "");
		markup_esc(b, json_string_value(r), 32);
	}
	if (n == 0)
		buf_printf(b, "-");
}

static void
page_operators(struct buf *b, const struct page_info *in,
    const json_t *ops)
{
	size_t i, j;
	json_t *o, *e;

	buf_printf(b, "<h3>Operators that count</h3>");
	if (json_array_size(ops) == 0) {
		buf_printf(b, "<p class=\"muted\">None.</p>");
		return;
	}
	buf_printf(b, "<table class=\"ops\"><thead><tr><th>Operator</th><th>Role</th>"
	    "<th>Signed events</th></tr></thead><tbody>");
	json_array_foreach(ops, i, o) {
		const char *vote = pstr(o, "vote");
		json_t *origins = json_object_get(o, "origins");

		if (i == PAGE_LIST_MAX)
			break;
		buf_printf(b, "<tr><td>");
		page_operator(b, o, vote ? vote : pstr(o, "origin"));
		if (json_array_size(origins) > 1)
			buf_printf(b, " <span class=\"muted\">(%zu affiliated "
			    "operators, counted once)</span>", json_array_size(origins));
		buf_printf(b, "</td><td>");
		page_roles(b, json_object_get(o, "roles"));
		buf_printf(b, "</td><td>");
		json_array_foreach(json_object_get(o, "events"), j, e) {
			const char *v = pstr(e, "verdict"), *st = pstr(e, "state");
			if (j == 8) {
				buf_printf(b, " …");
				break;
			}
			buf_printf(b, "%s", j ? "<br>" : "");
			page_event(b, in, page_id_of(e));
			if (pstr(e, "kind")) {
				buf_printf(b, " ");
				markup_esc(b, pstr(e, "kind"), 32);
			}
			if (v || st) {
				buf_printf(b, ": ");
				markup_esc(b, v ? v : st, 32);
			}
			if (json_is_true(json_object_get(e, "withdrawn")))
				buf_printf(b, " (withdrawn)");
			if (pstr(e, "note") && pstr(e, "note")[0]) {
				buf_printf(b, " <q>");
				markup_esc(b, pstr(e, "note"), PAGE_NOTE_MAX);
				buf_printf(b, "</q>");
			}
		}
		buf_printf(b, "</td></tr>");
	}
	buf_printf(b, "</tbody></table>");
}

static void
page_statement(struct buf *b, const struct page_info *in,
    const json_t *s, const json_t *z)
{
	long long ts;

	buf_printf(b, "<h3>The zone operator's statement</h3>");
	if (!json_is_object(s)) {
		buf_printf(b, "<p class=\"muted\">None yet.</p>");
		return;
	}
	buf_printf(b, "<p><strong>");
	markup_esc(b, pstr(s, "status") ? pstr(s, "status") : "unknown", 64);
	buf_printf(b, "</strong>");
	if (pstr(s, "origin")) {
		buf_printf(b, " by ");
		page_operator(b, z, pstr(s, "origin"));
	}
	if (pint(s, "ts", &ts)) {
		buf_printf(b, ", ");
		page_time(b, ts);
	}
	if (pstr(s, "note")) {
		buf_printf(b, ": “");
		markup_esc(b, pstr(s, "note"), PAGE_TEXT_MAX);
		buf_printf(b, "”");
	}
	if (page_id_of(s)) {
		buf_printf(b, " ");
		page_event(b, in, page_id_of(s));
	}
	buf_printf(b, "</p>");
}

static void
page_timeline(struct buf *b, const struct page_info *in,
    const json_t *hist)
{
	size_t n = json_array_size(hist), start;
	long long ts;

	buf_printf(b, "<h3>Timeline of this relay's decisions</h3>");
	if (n == 0) {
		buf_printf(b, "<p class=\"muted\">No decision signed yet.</p>");
		return;
	}
	start = n > PAGE_HISTORY_MAX ? n - PAGE_HISTORY_MAX : 0;
	buf_printf(b, "<ol class=\"timeline\">");
	for (size_t i = start; i < n; i++) {
		json_t *h = json_array_get(hist, i);
		buf_printf(b, "<li>");
		page_time(b, pint(h, "ts", &ts) ? ts : 0);
		buf_printf(b, " — ");
		markup_esc(b, mattermost_state_label(pstr(h, "state")), 64);
		if (pstr(h, "phase") && strcmp(pstr(h, "phase"), "recovering") == 0)
			buf_printf(b, ", recovering");
		if (pstr(h, "incident")) {
			buf_printf(b, " <span class=\"muted\">(incident <code>");
			markup_esc(b, pstr(h, "incident"), 16);
			buf_printf(b, "</code>)</span>");
		}
		buf_printf(b, " ");
		page_event(b, in, pstr(h, "event"));
		buf_printf(b, "</li>");
	}
	buf_printf(b, "</ol>");
}

/* Signed events of the zone that do not count, for the audit: not a
 * member's, revoked, withdrawn, of another incident. */
static void
page_not_counted(struct buf *b, const struct page_info *in,
    const json_t *list, const json_t *z)
{
	size_t i;
	json_t *e;

	if (json_array_size(list) == 0)
		return;
	buf_printf(b, "<h3>Signed events that do not count</h3><ul>");
	json_array_foreach(list, i, e) {
		if (i == PAGE_LIST_MAX)
			break;
		buf_printf(b, "<li>");
		page_event(b, in, page_id_of(e));
		buf_printf(b, " ");
		markup_esc(b, pstr(e, "kind") ? pstr(e, "kind") : "event", 32);
		buf_printf(b, " by ");
		page_operator(b, z, pstr(e, "origin"));
		buf_printf(b, " (%s)</li>", incident_text_why_not(e));
	}
	buf_printf(b, "</ul>");
}

/* The failures seen (fingerprints), and the warning when operators see
 * different ones. */
static void
page_fingerprints(struct buf *b, const json_t *z)
{
	json_t *fps, *f;
	size_t i;

	fps = json_object_get(z, "fingerprints");
	if (json_array_size(fps)) {
		buf_printf(b, "<dt>Failure</dt><dd>");
		json_array_foreach(fps, i, f) {
			if (i == PAGE_LIST_MAX)
				break;
			buf_printf(b, "%s<code title=\"failure fingerprint\">",
			    i ? "<br>" : "");
			markup_esc(b, page_id_of(f), 16);
			buf_printf(b, "</code>");
			if (json_is_integer(json_object_get(f, "operators")))
				buf_printf(b, " seen by %lld operators", (long long)
				    json_integer_value(json_object_get(f, "operators")));
		}
		if (json_array_size(fps) > 1)
			buf_printf(b, "<br><strong>Operators see different "
			    "failures: this may be an attack on the path, not an "
			    "accident at the source.</strong>");
		buf_printf(b, "</dd>");
	}
}

static void
page_zone(struct buf *b, const struct page_info *in, const json_t *z)
{
	const char *state = pstr(z, "state"), *zone = pstr(z, "zone");
	json_t *veto = json_object_get(z, "veto");
	char phase[INCIDENT_TEXT_MAX];
	long long t;

	buf_printf(b, "<article id=\"zone-");
	markup_esc(b, zone ? zone : "", 256);
	buf_printf(b, "\" style=\"border-left-color:%s\"><h2><code>",
	    mattermost_state_color(state));
	markup_esc(b, zone ? zone : "(no zone)", 256);
	buf_printf(b, "</code> ");
	page_badge(b, state);
	buf_printf(b, "</h2><dl><dt>State</dt><dd>");
	markup_esc(b, mattermost_state_label(state), 64);
	if (incident_text_phase(z, phase, sizeof(phase))[0]) {
		buf_printf(b, ", ");
		markup_esc(b, phase, sizeof(phase));
	}
	if (pint(z, "since", &t)) {
		buf_printf(b, " since ");
		page_time(b, t);
	}
	buf_printf(b, "</dd>");
	page_incident(b, z);
	page_counts(b, z);
	page_recovery(b, z);
	page_unreachable(b, z);
	if (pint(z, "nta_until", &t)) {
		buf_printf(b, "<dt>NTA</dt><dd>recommended until ");
		page_time(b, t);
		buf_printf(b, "</dd>");
	}
	if (pstr(z, "reason")) {
		buf_printf(b, "<dt>Why</dt><dd>");
		markup_esc(b, pstr(z, "reason"), PAGE_TEXT_MAX);
		buf_printf(b, "</dd>");
	}
	page_fingerprints(b, z);
	if (page_is_id(pstr(z, "decision_event"))) {
		buf_printf(b, "<dt>Decision</dt><dd>");
		page_event(b, in, pstr(z, "decision_event"));
		buf_printf(b, " (signed by this relay)</dd>");
	}
	buf_printf(b, "</dl>");
	if (json_is_object(veto)) {
		buf_printf(b, "<div class=\"veto\"><strong>Veto</strong> by ");
		page_operator(b, z, pstr(veto, "origin"));
		buf_printf(b, ": ");
		markup_esc(b, pstr(veto, "reason"), PAGE_TEXT_MAX);
		buf_printf(b, " ");
		page_event(b, in, page_id_of(veto));
		buf_printf(b, "</div>");
	}
	if (json_object_get(z, "operators")) {
		buf_printf(b, "<h3>The incident over time</h3><div class=\"tl\">");
		timeline_svg(b, z, in->now);
		buf_printf(b, "</div>");
		page_operators(b, in, json_object_get(z, "operators"));
	}
	if (json_object_get(z, "statement"))
		page_statement(b, in, json_object_get(z, "statement"), z);
	if (json_object_get(z, "history"))
		page_timeline(b, in, json_object_get(z, "history"));
	page_not_counted(b, in, json_object_get(z, "not_counted"), z);
	buf_printf(b, "</article>");
}

/* ---------------------------------------------------------------- page */

char *
page_html(const struct page_info *in, const json_t *zones,
    json_t *const *details, size_t ndetails, size_t *len)
{
	struct buf b = { 0 };
	json_t *list = json_object_get(zones, "zones"), *z;
	size_t i;

	buf_printf(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	    "<meta http-equiv=\"refresh\" content=\"%d\">"
	    "<meta name=\"robots\" content=\"noindex\">"
	    "<title>DNSSEC incidents — ntarelay ", PAGE_REFRESH_S);
	markup_esc(&b, in->net, 64);
	buf_printf(&b, "</title><style>%s</style></head><body><header>"
	    "<h1>DNSSEC incidents</h1><p class=\"meta\">As seen by the relay of "
	    "operator ", page_css);
	page_operator(&b, NULL, in->relay);
	buf_printf(&b, " in the <strong>");
	markup_esc(&b, in->net, 64);
	buf_printf(&b, "</strong> federation · ");
	page_time(&b, in->now);
	buf_printf(&b, " · this page refreshes every %d s</p></header>"
	    "<main>", PAGE_REFRESH_S);
	if (incident_text_syncing(zones)) {
		/* an empty list from a relay that has not caught up is not "no
		 * incident" */
		buf_printf(&b, "<section class=\"box\" id=\"syncing\" "
		    "style=\"border-left-color:#607D8B\"><h2>Catching up</h2><p>This "
		    "relay has not caught up with its peers yet (syncing): it signs no "
		    "decision and shows none until it has, so that nobody acts on a "
		    "view assembled from part of the federation's messages.");
		if (pstr(zones, "message")) {
			buf_printf(&b, " <span class=\"muted\">");
			markup_esc(&b, pstr(zones, "message"), PAGE_TEXT_MAX);
			buf_printf(&b, "</span>");
		}
		buf_printf(&b, "</p></section>");
	} else if (json_array_size(list) == 0)
		buf_printf(&b, "<section class=\"box\" id=\"none\" "
		    "style=\"border-left-color:#2E7D32\"><h2>No incident</h2><p>No "
		    "zone is in incident on this relay: no operator of the "
		    "federation reports a DNSSEC failure that counts, and no "
		    "Negative Trust Anchor is recommended.</p></section>");
	else {
		page_ntas(&b, list);
		json_array_foreach(list, i, z) {
			if (i == PAGE_ZONES_MAX) {
				buf_printf(&b, "<p>… and %zu more zones (see "
				    "<code>/v1/zones</code>).</p>", json_array_size(list) - i);
				break;
			}
			page_zone(&b, in, i < ndetails && details[i] ? details[i] : z);
		}
	}
	buf_printf(&b, "</main><footer><p class=\"meta\">Each "
	    "<code>/v1/events/…</code> link is a signed envelope (DSSE, Ed25519) "
	    "exactly as its operator signed it: check it yourself with "
	    "<code>ntactl verify</code> against the operators' public keys. "
	    "ntarelay recommends a Negative Trust Anchor (RFC 7646) only when "
	    "several independent operators agree that a failure is an accident "
	    "and no credible veto stands.</p><p class=\"meta\" id=\"disclosure\">"
	    "The Negative Trust Anchors this federation recommends now and did "
	    "in the last 30 days, with the signed decisions as proof (RFC 7646 "
	    "§2): <a href=\"");
	markup_esc(&b, in->base, 512);
	buf_printf(&b, "/v1/ntas\"><code>/v1/ntas</code></a> (JSON).</p>"
	    "</footer></body></html>\n");
	if (b.failed) {
		buf_free(&b);
		return NULL;
	}
	*len = b.len;
	return b.data;
}
