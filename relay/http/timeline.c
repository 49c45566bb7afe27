/*
 * relay/http/timeline.c — the SVG timeline of a zone's incident
 * (relay/http/timeline.h).
 *
 * Layout, in viewBox units (TL_W wide; the height follows the lanes): a
 * title, the band of decisions, one lane per operator (its name and roles
 * above a line, its events as marks at their time with a bar to their
 * expiry), the time axis, the legend. Times run from the oldest event or
 * decision to now, left to right.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "relay/http/timeline.h"
#include "relay/http/markup.h"
#include "relay/notify/mattermost.h"

#define TL_W 400                   /* viewBox width */
#define TL_X0 16                   /* the plot, horizontally */
#define TL_X1 384
#define TL_BAND_Y 38               /* the decisions' band */
#define TL_BAND_H 22
#define TL_LANES_Y 70              /* the first lane */
#define TL_LANE_H 42
#define TL_TEXT_MAX 120            /* bytes of a string shown */

struct tl {
	struct buf *b;
	long long t0, t1;              /* the time shown, t0 < t1 */
};

static const char *
tstr(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static long long
tint(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

static int
tl_x(const struct tl *t, long long ts)
{
	if (ts < t->t0)
		ts = t->t0;
	if (ts > t->t1)
		ts = t->t1;
	return TL_X0 + (int)((ts - t->t0) * (TL_X1 - TL_X0) / (t->t1 - t->t0));
}

enum tl_fmt { TL_FULL, TL_DAY, TL_NOW };

static void
tl_time(struct buf *b, long long ts, enum tl_fmt f)
{
	char s[32];
	time_t tt = (time_t)ts;
	struct tm tm;

	if (ts <= 0 || gmtime_r(&tt, &tm) == NULL)
		return;
	if (f == TL_FULL)
		strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%S UTC", &tm);
	else if (f == TL_DAY)
		strftime(s, sizeof(s), "%Y-%m-%d %H:%M", &tm);
	else
		strftime(s, sizeof(s), "%H:%M UTC (now)", &tm);
	buf_printf(b, "%s", s);
}

/* ------------------------------------------------------------- marks */

/* How an event is drawn: shape, colour, letter, words. */
struct tl_mark {
	char shape;             /* c circle, s square, t triangle, d diamond,
	                           r rounded square */
	const char *color, *letter, *what;
};

static struct tl_mark
tl_mark_of(const json_t *e)
{
	const char *kind = tstr(e, "kind"), *st = tstr(e, "state"),
	    *v = tstr(e, "verdict");

	if (kind && strcmp(kind, "observation") == 0) {
		if (st && strcmp(st, "bogus") == 0)
			return (struct tl_mark){ 's', "#c62828", "B", "bogus" };
		if (st && strcmp(st, "secure") == 0)
			return (struct tl_mark){ 'c', "#2e7d32", "S", "secure" };
		if (st && strcmp(st, "insecure") == 0)
			return (struct tl_mark){ 'c', "#2e7d32", "I", "insecure" };
		return (struct tl_mark){ 't', "#616161", "?", "unreachable" };
	}
	if (kind && strcmp(kind, "assessment") == 0) {
		if (v && strstr(v, "attack"))
			return (struct tl_mark){ 'd', "#6d4c41", "!", "assessment: attack" };
		if (json_is_true(json_object_get(e, "recommend_nta")))
			return (struct tl_mark){ 'd', "#ef6c00", "N",
			    "assessment: NTA recommended" };
		return (struct tl_mark){ 'd', "#1565c0", "A", "assessment" };
	}
	return (struct tl_mark){ 'r', "#6a1b9a", "Z", "zone operator's statement" };
}

static void
tl_shape(struct buf *b, const struct tl_mark *m, int x, int y)
{
	switch (m->shape) {
	case 'c':
		buf_printf(b, "<circle cx=\"%d\" cy=\"%d\" r=\"7\"", x, y);
		break;
	case 's':
		buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\"",
		    x - 7, y - 7);
		break;
	case 't':
		buf_printf(b, "<polygon points=\"%d,%d %d,%d %d,%d\"", x, y - 8,
		    x + 8, y + 6, x - 8, y + 6);
		break;
	case 'd':
		buf_printf(b, "<polygon points=\"%d,%d %d,%d %d,%d %d,%d\"", x,
		    y - 9, x + 9, y, x, y + 9, x - 9, y);
		break;
	default:
		buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" "
		    "rx=\"4\"", x - 7, y - 7);
	}
	buf_printf(b, " fill=\"%s\" stroke=\"#fff\" stroke-width=\"1\"/>"
	    "<text x=\"%d\" y=\"%d\" class=\"tl-m\">%s</text>", m->color, x,
	    y + (m->shape == 't' ? 5 : 3), m->letter);
}

/* One event of a lane at height y: its bar to expiry, its mark, its
 * title (what, when, the vantage point, the verdict, the note). */
static void
tl_event(struct tl *t, const json_t *e, int y)
{
	struct tl_mark m = tl_mark_of(e);
	long long ts = tint(e, "ts"), exp = tint(e, "exp");
	int x = tl_x(t, ts);

	if (exp > ts)
		buf_printf(t->b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		    "stroke=\"%s\" stroke-width=\"3\" stroke-opacity=\".35\"/>", x,
		    y, tl_x(t, exp), y, m.color);
	buf_printf(t->b, "<g><title>%s", m.what);
	if (json_is_true(json_object_get(e, "withdrawn")))
		buf_printf(t->b, " (withdrawn)");
	buf_printf(t->b, " at ");
	tl_time(t->b, ts, TL_FULL);
	if (tstr(e, "vantage")) {
		buf_printf(t->b, ", vantage ");
		markup_esc(t->b, tstr(e, "vantage"), 64);
	}
	if (tstr(e, "verdict") || tstr(e, "status")) {
		buf_printf(t->b, ": ");
		markup_esc(t->b, tstr(e, "verdict") ? tstr(e, "verdict") :
		    tstr(e, "status"), 64);
	}
	if (tstr(e, "note") && tstr(e, "note")[0]) {
		buf_printf(t->b, " — ");
		markup_esc(t->b, tstr(e, "note"), TL_TEXT_MAX);
	}
	buf_printf(t->b, "</title>");
	tl_shape(t->b, &m, x, y);
	buf_printf(t->b, "</g>");
}

/* One operator's lane, its top at y. */
static void
tl_lane(struct tl *t, const json_t *o, int y)
{
	const char *vote = tstr(o, "vote");
	json_t *roles = json_object_get(o, "roles"), *r, *e;
	size_t i;
	int ly = y + 27;

	buf_printf(t->b, "<text x=\"%d\" y=\"%d\" class=\"tl-l\">operator "
	    "<tspan class=\"tl-id\">", TL_X0 - 8, y + 11);
	/* by local name, else the id and the self-declared hint (lib/opname.h) */
	if (tstr(o, "local_name"))
		markup_esc(t->b, tstr(o, "local_name"), 32);
	else
		markup_esc(t->b, vote ? vote : "?", 12);
	buf_printf(t->b, "</tspan>");
	if (!tstr(o, "local_name") && tstr(o, "declared_name")) {
		buf_printf(t->b, " ~");
		markup_esc(t->b, tstr(o, "declared_name"), 63);
		buf_printf(t->b, "?");
	}
	json_array_foreach(roles, i, r) {
		if (i == 4)
			break;
		buf_printf(t->b, "%s", i ? ", " : " — ");
		markup_esc(t->b, json_string_value(r), 24);
	}
	buf_printf(t->b, "</text><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "class=\"tl-lane\"/>", TL_X0, ly, TL_X1, ly);
	json_array_foreach(json_object_get(o, "events"), i, e)
		tl_event(t, e, ly);
}

/* ---------------------------------------------------------- decisions */

/* The band of decisions, and a line down through the lanes (to y_end)
 * at each change. */
static void
tl_decisions(struct tl *t, const json_t *hist, int y_end)
{
	size_t n = json_array_size(hist);
	json_t *h;

	buf_printf(t->b, "<text x=\"%d\" y=\"%d\" class=\"tl-l\">this relay's "
	    "decisions</text>", TL_X0 - 8, TL_BAND_Y - 3);
	if (n == 0) {
		buf_printf(t->b, "<text x=\"%d\" y=\"%d\" class=\"tl-l\">(no decision "
		    "signed yet)</text>", TL_X0, TL_BAND_Y + 15);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const char *st = tstr(h = json_array_get(hist, i), "state");
		long long ts = tint(h, "ts"), te = i + 1 < n ?
		    tint(json_array_get(hist, i + 1), "ts") : t->t1;
		int x = tl_x(t, ts), xe = tl_x(t, te);

		buf_printf(t->b, "<g><title>");
		markup_esc(t->b, mattermost_state_label(st), 64);
		buf_printf(t->b, " from ");
		tl_time(t->b, ts, TL_FULL);
		buf_printf(t->b, "</title><rect x=\"%d\" y=\"%d\" width=\"%d\" "
		    "height=\"%d\" fill=\"%s\"/>", x, TL_BAND_Y,
		    xe > x ? xe - x : 1, TL_BAND_H, mattermost_state_color(st));
		if (xe - x >= 60) {
			buf_printf(t->b, "<text x=\"%d\" y=\"%d\" class=\"tl-d\">", x + 3,
			    TL_BAND_Y + 15);
			markup_esc(t->b, mattermost_state_label(st), 40);
			buf_printf(t->b, "</text>");
		}
		buf_printf(t->b, "</g><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		    "class=\"tl-chg\"/>", x, TL_BAND_Y, x, y_end);
	}
}

/* --------------------------------------------------------------- frame */

static void
tl_range(struct tl *t, const json_t *z, long long now)
{
	json_t *o, *e, *h;
	size_t i, j;

	t->t0 = t->t1 = now;
	json_array_foreach(json_object_get(z, "history"), i, h)
		if (tint(h, "ts") > 0 && tint(h, "ts") < t->t0)
			t->t0 = tint(h, "ts");
	json_array_foreach(json_object_get(z, "operators"), i, o)
		json_array_foreach(json_object_get(o, "events"), j, e) {
			long long ts = tint(e, "ts");
			if (ts > 0 && ts < t->t0)
				t->t0 = ts;
			if (ts > t->t1)
				t->t1 = ts;
		}
	if (t->t1 - t->t0 < 60)
		t->t0 = t->t1 - 60;
}

static void
tl_axis(struct tl *t, int y)
{
	buf_printf(t->b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "class=\"tl-axis\"/><text x=\"%d\" y=\"%d\" class=\"tl-l\">", TL_X0, y,
	    TL_X1, y, TL_X0 - 8, y + 14);
	tl_time(t->b, t->t0, TL_DAY);
	buf_printf(t->b, "</text><text x=\"%d\" y=\"%d\" class=\"tl-l\" "
	    "text-anchor=\"end\">", TL_X1 + 8, y + 14);
	tl_time(t->b, t->t1, TL_NOW);
	buf_printf(t->b, "</text>");
}

static void
tl_legend(struct tl *t, int y)
{
	static const struct tl_mark keys[] = {
		{ 'c', "#2e7d32", "S", "secure (I insecure)" },
		{ 's', "#c62828", "B", "bogus" },
		{ 't', "#616161", "?", "unreachable" },
		{ 'd', "#ef6c00", "N", "recommends an NTA" },
		{ 'd', "#1565c0", "A", "assessment (! attack)" },
		{ 'r', "#6a1b9a", "Z", "zone operator" },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		int x = TL_X0 + (int)(i % 2) * 190, yy = y + (int)(i / 2) * 20;
		tl_shape(t->b, &keys[i], x, yy);
		buf_printf(t->b, "<text x=\"%d\" y=\"%d\" class=\"tl-l\">%s</text>",
		    x + 13, yy + 4, keys[i].what);
	}
}

void
timeline_svg(struct buf *b, const json_t *z, long long now)
{
	struct tl t = { b, 0, 0 };
	json_t *ops = json_object_get(z, "operators"), *o;
	size_t nops = json_array_size(ops), shown, i;
	int y, h;

	tl_range(&t, z, now);
	shown = nops > TIMELINE_LANES_MAX ? TIMELINE_LANES_MAX : nops;
	y = TL_LANES_Y + (int)shown * TL_LANE_H + (nops > shown ? 16 : 0) +
	    (nops == 0 ? 20 : 0);
	h = y + 30 + 3 * 20;
	buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %d\" class=\"tl-svg\" role=\"img\" "
	    "font-family=\"system-ui,sans-serif\"><title>Timeline of ", TL_W, h);
	markup_esc(b, tstr(z, "zone") ? tstr(z, "zone") : "?", 256);
	buf_printf(b, "</title><style>.tl-l{font-size:11px;fill:#57606a}"
	    ".tl-id{font-family:ui-monospace,monospace}"
	    ".tl-m{font-size:9px;font-weight:700;fill:#fff;text-anchor:middle}"
	    ".tl-d{font-size:11px;font-weight:600;fill:#fff}"
	    ".tl-t{font-size:13px;font-weight:700;fill:#57606a}"
	    ".tl-lane{stroke:#d0d7de;stroke-width:1}"
	    ".tl-axis{stroke:#8b949e;stroke-width:1}"
	    ".tl-chg{stroke:#57606a;stroke-width:1;stroke-dasharray:3 3}</style>"
	    "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>"
	    "<text x=\"%d\" y=\"14\" class=\"tl-t\">", TL_X0 - 8);
	markup_esc(b, tstr(z, "zone") ? tstr(z, "zone") : "?", 64);
	buf_printf(b, " — ");
	markup_esc(b, mattermost_state_label(tstr(z, "state")), 40);
	buf_printf(b, "</text>");
	tl_decisions(&t, json_object_get(z, "history"), y);
	json_array_foreach(ops, i, o) {
		if (i == shown)
			break;
		tl_lane(&t, o, TL_LANES_Y + (int)i * TL_LANE_H);
	}
	if (nops == 0)
		buf_printf(b, "<text x=\"%d\" y=\"%d\" class=\"tl-l\">no operator has "
		    "a current event for the zone</text>", TL_X0, TL_LANES_Y + 12);
	else if (nops > shown)
		buf_printf(b, "<text x=\"%d\" y=\"%d\" class=\"tl-l\">and %zu more "
		    "operators</text>", TL_X0, y - 4, nops - shown);
	tl_axis(&t, y);
	tl_legend(&t, y + 34);
	buf_printf(b, "</svg>");
}

char *
timeline_document(const json_t *z, long long now, size_t *len)
{
	struct buf b = { 0 };

	buf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	timeline_svg(&b, z, now);
	buf_printf(&b, "\n");
	if (b.failed) {
		buf_free(&b);
		return NULL;
	}
	*len = b.len;
	return buf_take(&b);
}
