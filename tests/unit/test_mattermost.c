/*
 * tests/unit/test_mattermost.c — the Mattermost message formats
 * (relay/notify/mattermost.c), field by field against Mattermost's documented
 * incoming-webhook and REST API v4 fields; the slash command's form
 * decoding (relay/http/form.c); the secret files (relay/core/secretfile.c); and the
 * public incident page's HTML (relay/http/page.c).
 *
 * Inputs are hand-written fixtures in the shapes of relay/quorum/decide.c's JSON
 * (decide_zone_json, decide_zones_json) and of verified event payloads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "relay/http/form.h"
#include "relay/notify/mattermost.h"
#include "relay/core/clock.h"
#include "relay/http/page.h"
#include "relay/core/secretfile.h"
#include "relay/notify/mattermost_md.h"
#include "lib/buf.h"
#include "lib/opname.h"

/* A fixed clock for the formatters. */
long long relay_now(void) { return 1790000400; }

#define OP_A "8c1d6a4e2f0b9c7d5e3f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d"
#define OP_Z "5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a7c"
#define FP "3f6c1a0e9b7d24c58e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f"
#define EV1 "1111111111111111111111111111111111111111111111111111111111111111"
#define EV2 "2222222222222222222222222222222222222222222222222222222222222222"
#define EV3 "3333333333333333333333333333333333333333333333333333333333333333"
#define DEC "abababababababababababababababababababababababababababababababab"

static const char decision_doc[] =
    "{\"zone\":\"de.\",\"state\":\"nta_recommended\",\"since\":1790000000,"
    "\"changed\":1790000300,\"lifetime\":3600,\"nta_until\":1790003600,"
    "\"fingerprints\":[{\"fingerprint\":\"" FP "\",\"operators\":5}],"
    "\"veto\":null,\"recommending\":4,\"observing\":5,\"validating\":0,"
    "\"quorum\":3,\"evidence\":2,"
    "\"reason\":\"4 operators recommend an NTA (quorum 3)\","
    "\"decision_event\":\"" DEC "\","
    "\"operators\":[{\"vote\":\"" OP_A "\",\"origins\":[\"" OP_A "\"],"
    "\"roles\":[\"recommends\",\"observes\"],\"fingerprint\":\"" FP "\","
    "\"events\":[{\"id\":\"" EV1 "\",\"kind\":\"assessment\",\"origin\":\"" OP_A
    "\",\"verdict\":\"accident\",\"note\":\"<i>signer</i>\",\"counts\":true,"
    "\"withdrawn\":false}]}],"
    "\"statement\":{\"id\":\"" EV2 "\",\"kind\":\"zone_statement\",\"origin\":\""
    OP_Z "\",\"status\":\"accident_confirmed\",\"note\":\"signer bug, fixing\","
    "\"ts\":1790000100},"
    "\"not_counted\":[],"
    "\"history\":[{\"ts\":1789999000,\"state\":\"observed\",\"event\":\"" EV3
    "\"},{\"ts\":1790000300,\"state\":\"nta_recommended\",\"event\":\"" DEC "\"}]}";

static const char assessment[] =
    "{\"v\":1,\"net\":\"testnet\",\"kind\":\"assessment\",\"origin\":\"" OP_A
    "\",\"key\":\"" OP_A "\",\"seq\":12,\"prev\":null,\"ts\":1790000000,"
    "\"exp\":1790003600,\"refs\":[],\"zone\":\"de.\",\"verdict\":\"accident\","
    "\"recommend_nta\":true,\"lifetime\":3600,\"note\":\"signer bug\"}";

static const struct mattermost_style style = {
	"ntarelay", "https://example.net/ntarelay.png", NULL,
	"https://relay.example.net/", "testnet", OP_A
};

static json_t *
load(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);

	if (j == NULL)
		fail_msg("fixture: %s at %d", e.text, e.position);
	return j;
}

/* Every member of o is one of the names in allowed (NULL-terminated). */
static void
assert_keys_within(const json_t *o, const char *const *allowed)
{
	const char *k;
	json_t *v;

	assert_true(json_is_object(o));
	json_object_foreach((json_t *)o, k, v) {
		bool ok = false;
		(void)v;
		for (size_t i = 0; allowed[i]; i++)
			ok |= strcmp(allowed[i], k) == 0;
		if (!ok)
			fail_msg("member '%s' is not one Mattermost documents", k);
	}
}

static const char *const webhook_fields[] = { "text", "channel", "username",
	"icon_url", "icon_emoji", "attachments", "type", "props", "priority", NULL };
static const char *const attachment_fields[] = { "fallback", "color",
	"pretext", "author_name", "author_link", "author_icon", "title",
	"title_link", "text", "fields", "image_url", "thumb_url", "footer",
	"footer_icon", "ts", NULL };
static const char *const field_fields[] = { "title", "value", "short", NULL };
static const char *const post_fields[] = { "channel_id", "message", "root_id",
	"file_ids", "props", "metadata", NULL };

static bool
is_color(const char *c)
{
	return c && strlen(c) == 7 && c[0] == '#' &&
	    strspn(c + 1, "0123456789ABCDEF") == 6;
}

/* The value of the field titled t in attachment a; fails when absent. */
static const char *
field(const json_t *a, const char *t, bool *isshort)
{
	size_t i;
	json_t *f;

	json_array_foreach(json_object_get(a, "fields"), i, f) {
		if (strcmp(json_string_value(json_object_get(f, "title")), t) == 0) {
			if (isshort)
				*isshort = json_is_true(json_object_get(f, "short"));
			return json_string_value(json_object_get(f, "value"));
		}
	}
	fail_msg("no field '%s'", t);
	return NULL;
}

static void
check_attachment(const json_t *a)
{
	size_t i;
	json_t *f;

	assert_keys_within(a, attachment_fields);
	assert_non_null(json_string_value(json_object_get(a, "fallback")));
	assert_true(strlen(json_string_value(json_object_get(a, "fallback"))) > 0);
	assert_true(is_color(json_string_value(json_object_get(a, "color"))));
	assert_true(json_is_array(json_object_get(a, "fields")));
	json_array_foreach(json_object_get(a, "fields"), i, f) {
		assert_keys_within(f, field_fields);
		assert_true(json_is_string(json_object_get(f, "title")));
		assert_true(json_is_string(json_object_get(f, "value")));
		assert_true(json_is_boolean(json_object_get(f, "short")));
	}
}

/* ------------------------------------------------------------- states */

static void
test_states(void **state)
{
	(void)state;
	assert_string_equal(mattermost_state_label("nta_recommended"), "NTA recommended");
	assert_string_equal(mattermost_state_label("vetoed"), "Vetoed");
	assert_string_equal(mattermost_state_label("something_new"), "something_new");
	assert_string_equal(mattermost_state_color("clear"), "#2E7D32");
	assert_string_equal(mattermost_state_color("nta_recommended"), "#EF6C00");
	assert_string_equal(mattermost_state_color("vetoed"), "#C62828");
	assert_string_equal(mattermost_state_color("inconsistent_evidence"), "#6A1B9A");
	assert_string_equal(mattermost_state_color("observed"), "#F9A825");
	assert_string_equal(mattermost_state_color(NULL), "#607D8B");
	{
		char t[32];
		assert_string_equal(mattermost_time(1790000000, t, sizeof(t)),
		    "2026-09-21 14:13 UTC");
	}
}

/* ---------------------------------------------------- decision webhook */

static void
test_decision_webhook(void **state)
{
	json_t *doc = load(decision_doc), *w, *a, *props;
	char *text, *card;
	bool isshort;

	(void)state;
	text = mattermost_decision_text(doc, "observed");
	assert_non_null(text);
	assert_string_equal(text, ":rotating_light: `de.`: **NTA recommended** "
	    "(was: Failures observed) — 4 operators recommend an NTA (quorum 3); 5 "
	    "observe one failure (2 needed); NTA until 2026-09-21 "
	    "15:13 UTC");
	card = mattermost_zone_detail(doc, &style);
	assert_non_null(card);
	w = mattermost_webhook(text, mattermost_decision_attachment(doc, "observed",
	    &style), card, "webhook|dec:de.:" DEC, &style);
	assert_non_null(w);
	assert_keys_within(w, webhook_fields);
	assert_string_equal(json_string_value(json_object_get(w, "text")), text);
	assert_string_equal(json_string_value(json_object_get(w, "username")), "ntarelay");
	assert_string_equal(json_string_value(json_object_get(w, "icon_url")),
	    "https://example.net/ntarelay.png");
	assert_null(json_object_get(w, "channel"));   /* the hook's own */
	props = json_object_get(w, "props");
	assert_string_equal(json_string_value(json_object_get(props, "ntarelay_key")),
	    "webhook|dec:de.:" DEC);
	assert_string_equal(json_string_value(json_object_get(props, "card")), card);

	assert_int_equal(json_array_size(json_object_get(w, "attachments")), 1);
	a = json_array_get(json_object_get(w, "attachments"), 0);
	check_attachment(a);
	assert_string_equal(json_string_value(json_object_get(a, "fallback")),
	    "de.: NTA recommended (was: Failures observed)");
	assert_string_equal(json_string_value(json_object_get(a, "color")), "#EF6C00");
	assert_string_equal(json_string_value(json_object_get(a, "title")),
	    "de. — NTA recommended");
	assert_string_equal(json_string_value(json_object_get(a, "title_link")),
	    "https://relay.example.net/v1/events/" DEC);
	assert_string_equal(json_string_value(json_object_get(a, "text")),
	    "`4 operators recommend an NTA (quorum 3)`");
	assert_string_equal(json_string_value(json_object_get(a, "footer")),
	    "ntarelay · testnet · relay 8c1d6a4e2f0b");
	assert_int_equal(json_integer_value(json_object_get(a, "ts")), 1790000300);
	assert_string_equal(field(a, "State", &isshort),
	    "NTA recommended (was: Failures observed)");
	assert_true(isshort);
	assert_string_equal(field(a, "Since", &isshort), "2026-09-21 14:13 UTC");
	assert_string_equal(field(a, "Quorum", &isshort), "4 operators "
	    "recommend an NTA (quorum 3); 5 observe one failure (2 needed)");
	assert_false(isshort);
	assert_string_equal(field(a, "NTA until", NULL), "2026-09-21 15:13 UTC");
	assert_string_equal(field(a, "NTA lifetime", NULL), "1 h");
	assert_string_equal(field(a, "Evidence (failure fingerprints)", NULL),
	    "`3f6c1a0e9b7d` (5 operators)");
	assert_string_equal(field(a, "Operators", NULL), "- `8c1d6a4e2f0b` "
	    "recommends, observes — [`111111111111`](https://relay.example.net/"
	    "v1/events/" EV1 ")\n");
	assert_string_equal(field(a, "Zone operator", NULL), "**accident_confirmed** "
	    "by `5a7c9e1b3d5f`: `signer bug, fixing` [`222222222222`]"
	    "(https://relay.example.net/v1/events/" EV2 ")");
	/* the card: the zone in detail, with the timeline */
	assert_non_null(strstr(card, "**Operators that count**"));
	assert_non_null(strstr(card, "| 2026-09-21 13:56 UTC | Failures observed | "
	    "[`333333333333`](https://relay.example.net/v1/events/" EV3 ") |"));
	json_decref(w);
	free(text);
	free(card);
	json_decref(doc);
}

/*
 * Each count in its place: the quorum (Q), the evidence policy (M,
 * quorum_evidence) and the votes recommending and observing are four
 * different numbers here, so that printing one where another belongs
 * (the quorum where the evidence count goes: "(3 needed)") fails.
 */
static void
test_counts_in_place(void **state)
{
	json_t *doc = load("{\"zone\":\"de.\",\"state\":\"observed\","
	    "\"since\":1790000000,\"recommending\":1,\"observing\":4,"
	    "\"validating\":0,\"quorum\":3,\"evidence\":2,\"fingerprints\":[],"
	    "\"veto\":null,\"decision_event\":null}");
	json_t *a;
	char *text;

	(void)state;
	text = mattermost_decision_text(doc, NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "1 operators recommend an NTA (quorum 3); "
	    "4 observe one failure (2 needed)"));
	assert_null(strstr(text, "(3 needed)"));
	assert_null(strstr(text, "(quorum 2)"));
	a = mattermost_decision_attachment(doc, NULL, &style);
	assert_non_null(a);
	assert_string_equal(field(a, "Quorum", NULL), "1 operators recommend an "
	    "NTA (quorum 3); 4 observe one failure (2 needed)");
	json_decref(a);
	free(text);
	json_decref(doc);
}

/* A vetoed decision: the veto is shown, red. */
static void
test_decision_veto(void **state)
{
	json_t *doc = load("{\"zone\":\"example.\",\"state\":\"vetoed\","
	    "\"since\":1790000000,\"lifetime\":null,\"nta_until\":null,"
	    "\"fingerprints\":[],\"veto\":{\"origin\":\"" OP_Z "\",\"event\":\""
	    EV1 "\",\"reason\":\"attack suspected by the zone operator\"},"
	    "\"recommending\":1,\"observing\":1,\"quorum\":2,\"decision_event\":null}");
	json_t *a = mattermost_decision_attachment(doc, "observed", &style);
	char *text = mattermost_decision_text(doc, NULL);

	(void)state;
	assert_non_null(a);
	check_attachment(a);
	assert_string_equal(json_string_value(json_object_get(a, "color")), "#C62828");
	assert_null(json_object_get(a, "title_link"));   /* no decision event */
	assert_string_equal(field(a, "Veto", NULL), "`5a7c9e1b3d5f`: `attack "
	    "suspected by the zone operator` [`111111111111`](https://relay."
	    "example.net/v1/events/" EV1 ")");
	assert_non_null(strstr(text, "**veto** by `5a7c9e1b3d5f`"));
	assert_null(strstr(text, "was:"));
	free(text);
	/* the same state, other operators or fingerprints: "updated" */
	text = mattermost_decision_text(doc, "vetoed");
	assert_non_null(strstr(text, "**Vetoed** (updated)"));
	json_decref(a);
	free(text);
	json_decref(doc);
}

/* ------------------------------------------------------- event webhook */

static void
test_event_webhook(void **state)
{
	json_t *p = load(assessment), *w, *a;
	char *text = mattermost_event_text(p);

	(void)state;
	assert_string_equal(text, ":memo: **Assessment** of `de.` by "
	    "`8c1d6a4e2f0b`: accident, recommends an NTA for 1 h");
	w = mattermost_webhook(text, mattermost_event_attachment(p, EV1, &style),
	    NULL, "webhook|ev:" EV1, &style);
	assert_keys_within(w, webhook_fields);
	assert_null(json_object_get(json_object_get(w, "props"), "card"));
	a = json_array_get(json_object_get(w, "attachments"), 0);
	check_attachment(a);
	assert_string_equal(json_string_value(json_object_get(a, "title")),
	    "Assessment of de.");
	assert_string_equal(json_string_value(json_object_get(a, "title_link")),
	    "https://relay.example.net/v1/events/" EV1);
	assert_string_equal(json_string_value(json_object_get(a, "fallback")),
	    "Assessment of de. by 8c1d6a4e2f0b");
	assert_string_equal(json_string_value(json_object_get(a, "color")), "#EF6C00");
	assert_string_equal(field(a, "Operator", NULL), "`8c1d6a4e2f0b`");
	assert_string_equal(field(a, "Verdict", NULL), "accident");
	assert_string_equal(field(a, "Recommends an NTA", NULL), "yes, for 1 h");
	assert_string_equal(field(a, "Note", NULL), "`signer bug`");
	assert_string_equal(field(a, "Event", NULL), "[`111111111111`](https://"
	    "relay.example.net/v1/events/" EV1 ") (seq 12)");
	assert_string_equal(field(a, "Signed", NULL), "2026-09-21 14:13 UTC");
	assert_int_equal(json_integer_value(json_object_get(a, "ts")), 1790000000);
	json_decref(w);
	free(text);
	json_decref(p);
}

static void
test_event_kinds(void **state)
{
	json_t *st = load("{\"kind\":\"zone_statement\",\"origin\":\"" OP_Z "\","
	    "\"zone\":\"de.\",\"status\":\"attack_suspected\",\"ts\":1790000000}");
	json_t *wd = load("{\"kind\":\"withdraw\",\"origin\":\"" OP_A "\","
	    "\"target\":\"" EV2 "\",\"ts\":1790000000}");
	json_t *hb = load("{\"kind\":\"heartbeat\",\"origin\":\"" OP_A "\","
	    "\"uptime\":5,\"version\":\"x\",\"ts\":1790000000}");
	json_t *a;
	char *t;

	(void)state;
	t = mattermost_event_text(st);
	assert_string_equal(t, ":loudspeaker: **Zone statement** for `de.` by "
	    "`5a7c9e1b3d5f`: attack_suspected");
	free(t);
	a = mattermost_event_attachment(st, EV1, NULL);   /* no style: no links */
	check_attachment(a);
	assert_string_equal(json_string_value(json_object_get(a, "color")), "#C62828");
	assert_null(json_object_get(a, "title_link"));
	assert_string_equal(field(a, "Zone operator", NULL), "`5a7c9e1b3d5f`");
	assert_string_equal(field(a, "Status", NULL), "attack_suspected");
	assert_string_equal(json_string_value(json_object_get(a, "footer")), "ntarelay");
	json_decref(a);
	t = mattermost_event_text(wd);
	assert_string_equal(t, ":leftwards_arrow_with_hook: **Withdrawal** by "
	    "`8c1d6a4e2f0b`: of `222222222222`");
	free(t);
	t = mattermost_event_text(hb);
	assert_string_equal(t, ":information_source: **Heartbeat** by `8c1d6a4e2f0b`");
	free(t);
	{
		/* a trust event's subject by its local name, else the id and
		 * the marked hint (the notifier adds the names) */
		json_t *v = load("{\"kind\":\"vouch\",\"origin\":\"" OP_A "\","
		    "\"subject\":\"" EV2 "\",\"subject_local_name\":\"isp-b\","
		    "\"ts\":1790000000}");
		char *vt = mattermost_event_text(v);
		assert_non_null(strstr(vt, ": of `isp-b`"));
		free(vt);
		json_object_del(v, "subject_local_name");
		json_object_set_new(v, "subject_declared_name", json_string("B-root"));
		vt = mattermost_event_text(v);
		assert_non_null(strstr(vt, ": of `222222222222` ~B-root?"));
		free(vt);
		json_decref(v);
	}
	json_decref(st);
	json_decref(wd);
	json_decref(hb);
}

/* Strings from events cannot mention, link, or break the layout. */
static void
test_escaping(void **state)
{
	char note[2048], *t;
	json_t *p, *a;
	const char *v;

	(void)state;
	p = load(assessment);
	json_object_set_new(p, "note", json_string("@channel `x` [click](http://"
	    "evil.example/)\n# heading"));
	a = mattermost_event_attachment(p, EV1, &style);
	v = field(a, "Note", NULL);
	assert_string_equal(v, "`@channel 'x' [click](http://evil.example/) "
	    "# heading`");
	json_decref(a);
	/* bounded, cut on a UTF-8 boundary */
	memset(note, 0, sizeof(note));
	for (size_t i = 0; i + 2 < 1000; i += 2)
		memcpy(note + i, "\xc3\xa9", 2);   /* é */
	json_object_set_new(p, "note", json_string(note));
	a = mattermost_event_attachment(p, EV1, &style);
	v = field(a, "Note", NULL);
	assert_true(strlen(v) <= MATTERMOST_NOTE_MAX + 2 + strlen("…"));
	assert_non_null(strstr(v, "…`"));
	{
		json_t *js = json_string(v);   /* still valid UTF-8 */
		assert_non_null(js);
		json_decref(js);
	}
	json_decref(a);
	json_decref(p);
	/* a text beyond Mattermost's limit is cut to it */
	t = malloc(20000);
	memset(t, 'x', 19999);
	t[19999] = '\0';
	a = mattermost_webhook(t, NULL, NULL, "k", &style);
	assert_int_equal(strlen(json_string_value(json_object_get(a, "text"))),
	    MATTERMOST_TEXT_MAX);
	assert_null(json_object_get(a, "attachments"));
	json_decref(a);
	free(t);
}

/* ------------------------------------------------------------ bot mode */

static void
test_posts(void **state)
{
	json_t *doc = load(decision_doc), *p, *props;
	const char *m;

	(void)state;
	p = mattermost_post("abcdefghijklmnopqrstuvwxyz", "hello",
	    mattermost_decision_attachment(doc, "observed", &style), "card",
	    "bot|dec:de.:" DEC);
	assert_keys_within(p, post_fields);
	assert_string_equal(json_string_value(json_object_get(p, "channel_id")),
	    "abcdefghijklmnopqrstuvwxyz");
	assert_string_equal(json_string_value(json_object_get(p, "message")), "hello");
	assert_null(json_object_get(p, "root_id"));   /* relay/notify/notify.c adds it */
	props = json_object_get(p, "props");
	assert_int_equal(json_array_size(json_object_get(props, "attachments")), 1);
	check_attachment(json_array_get(json_object_get(props, "attachments"), 0));
	assert_string_equal(json_string_value(json_object_get(props, "card")), "card");
	json_decref(p);

	/* the root post of an incident, with and without a decision */
	p = mattermost_root_post("abcdefghijklmnopqrstuvwxyz", NULL, "de.", "",
	    "assessment", "bot|root:1:open", &style);
	assert_keys_within(p, post_fields);
	m = json_string_value(json_object_get(p, "message"));
	assert_non_null(strstr(m, "#### :mag: Incident `de.` — opened\n"));
	assert_non_null(strstr(m, "First signal: assessment."));
	assert_null(json_object_get(json_object_get(p, "props"), "attachments"));
	json_decref(p);
	p = mattermost_root_post("abcdefghijklmnopqrstuvwxyz", doc, "de.", FP, NULL,
	    "bot|root:1:x", &style);
	m = json_string_value(json_object_get(p, "message"));
	assert_non_null(strstr(m, "#### :rotating_light: Incident `de.` — NTA "
	    "recommended\nState **NTA recommended** since 2026-09-21 14:13 UTC · "
	    "4 operators recommend an NTA (quorum 3)"));
	assert_non_null(strstr(m, "failure `3f6c1a0e9b7d`"));
	assert_int_equal(json_array_size(json_object_get(json_object_get(p, "props"),
	    "attachments")), 1);
	json_decref(p);
	json_decref(doc);
}

/* ------------------------------------------------------- slash answers */

static void
test_tables(void **state)
{
	json_t *zones = load("{\"now\":1790000400,\"count\":2,\"zones\":["
	    "{\"zone\":\"de.\",\"state\":\"nta_recommended\",\"since\":1790000000,"
	    "\"recommending\":4,\"quorum\":3,\"observing\":5,\"nta_until\":1790003600},"
	    "{\"zone\":\"example.\",\"state\":\"observed\",\"since\":1790000000,"
	    "\"recommending\":0,\"quorum\":3,\"observing\":1,\"nta_until\":null}]}");
	json_t *empty = load("{\"zones\":[]}");
	json_t *peers = load("{\"peers\":[{\"operator\":\"" OP_A "\",\"name\":"
	    "\"Example DNS\",\"pinned\":true,\"keys\":[{\"status\":\"member\","
	    "\"flags\":[]}]},{\"operator\":\"" OP_Z "\",\"name\":null,"
	    "\"local_name\":\"isp-z\",\"pinned\":"
	    "false,\"keys\":[{\"status\":\"not_member\",\"flags\":[\"equivocation\"]}]}]}");
	char *t;

	(void)state;
	t = mattermost_zones_table(zones, &style);
	assert_string_equal(t, "| Zone | State | Since | Recommending | Observing "
	    "| NTA until |\n|:--|:--|:--|--:|--:|:--|\n"
	    "| `de.` | :rotating_light: NTA recommended | 2026-09-21 14:13 UTC | "
	    "4 (quorum 3) | 5 | 2026-09-21 15:13 UTC |\n"
	    "| `example.` | :warning: Failures observed | 2026-09-21 14:13 UTC | "
	    "0 (quorum 3) | 1 | - |\n");
	free(t);
	t = mattermost_zones_table(empty, &style);
	assert_string_equal(t, ":white_check_mark: No zone is in incident on this "
	    "relay.");
	free(t);
	t = mattermost_peers_table(peers);
	assert_string_equal(t, "| Operator | Name | Member | Keys | Status |\n"
	    "|:--|:--|:--|--:|:--|\n"
	    "| `8c1d6a4e2f0b` | ~Example DNS? | pinned | 1 | ok |\n"
	    "| `5a7c9e1b3d5f` | `isp-z` | no | 1 | :warning: flagged (equivocation) |\n");
	free(t);
	assert_non_null(strstr(mattermost_help_text(), "`status ZONE --public`"));
	json_decref(zones);
	json_decref(empty);
	json_decref(peers);
}

/* ---------------------------------------------------------------- form */

static void
test_form(void **state)
{
	const char body[] = "token=abc%2Bdef&team_id=t1&text=status+de.+--public"
	    "&user_name=j%C3%B6rg&empty=&flag";
	char out[64];

	(void)state;
	assert_int_equal(form_value(body, strlen(body), "token", out, sizeof(out)), 1);
	assert_string_equal(out, "abc+def");
	assert_int_equal(form_value(body, strlen(body), "text", out, sizeof(out)), 1);
	assert_string_equal(out, "status de. --public");
	assert_int_equal(form_value(body, strlen(body), "user_name", out, sizeof(out)), 1);
	assert_string_equal(out, "j\xc3\xb6rg");
	assert_int_equal(form_value(body, strlen(body), "empty", out, sizeof(out)), 1);
	assert_string_equal(out, "");
	assert_int_equal(form_value(body, strlen(body), "flag", out, sizeof(out)), 1);
	assert_int_equal(form_value(body, strlen(body), "missing", out, sizeof(out)), 0);
	assert_string_equal(out, "");
	/* the body need not be terminated: a name cut by len is not found */
	assert_int_equal(form_value(body, 5, "token", out, sizeof(out)), 1);
	assert_string_equal(out, "");
	/* refusals */
	assert_int_equal(form_value("token=a&token=b", 15, "token", out, sizeof(out)), -1);
	assert_int_equal(form_value("token=%zz", 9, "token", out, sizeof(out)), -1);
	assert_int_equal(form_value("token=%4", 8, "token", out, sizeof(out)), -1);
	assert_int_equal(form_value("token=a%00b", 11, "token", out, sizeof(out)), -1);
	assert_int_equal(form_value("token=abcdefgh", 14, "token", out, 8), -1);
	assert_int_equal(form_value("token=abcdefg", 13, "token", out, 8), 1);
	/* an encoded name matches; a malformed other pair does not matter */
	assert_int_equal(form_value("to%6Ben=x&y=%zz", 15, "token", out, sizeof(out)), 1);
	assert_string_equal(out, "x");
}

/* --------------------------------------------------------- secret files */

static void
test_secretfile(void **state)
{
	char dir[] = "/tmp/ntarelay-test-mm-XXXXXX", path[64], err[512], *s;
	size_t len;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/token", dir);
	f = fopen(path, "w");
	fputs("  s3cr3t-token \nsecond line\n", f);
	fclose(f);
	chmod(path, 0600);
	assert_int_equal(secretfile_read(path, 0, &s, &len, err, sizeof(err)), 0);
	assert_string_equal(s, "s3cr3t-token");
	assert_int_equal(len, 12);
	secretfile_free(s);
	chmod(path, 0640);
	assert_int_equal(secretfile_read(path, 0, &s, &len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too open"));
	assert_null(strstr(err, "s3cr3t"));
	assert_int_equal(secretfile_read(path, SECRETFILE_GROUP_READ, &s, NULL, err,
	    sizeof(err)), 0);
	secretfile_free(s);
	chmod(path, 0660);
	assert_int_equal(secretfile_read(path, SECRETFILE_GROUP_READ, &s, NULL, err,
	    sizeof(err)), -1);
	chmod(path, 0604);
	assert_int_equal(secretfile_read(path, SECRETFILE_GROUP_READ, &s, NULL, err,
	    sizeof(err)), -1);
	f = fopen(path, "w");
	fputs("two words\n", f);
	fclose(f);
	chmod(path, 0600);
	assert_int_equal(secretfile_read(path, 0, &s, NULL, err, sizeof(err)), -1);
	assert_null(strstr(err, "two"));
	f = fopen(path, "w");
	fclose(f);
	assert_int_equal(secretfile_read(path, 0, &s, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no secret"));
	unlink(path);
	assert_int_equal(secretfile_read(path, 0, &s, NULL, err, sizeof(err)), -1);
	secretfile_free(NULL);
	rmdir(dir);
}

/* ---------------------------------------------------------------- page */

static void
test_page(void **state)
{
	json_t *doc = load(decision_doc), *zones, *details[1];
	struct page_info in = { "testnet", OP_A, "", 1790000400 };
	size_t len = 0;
	char *html;

	(void)state;
	/* an event-sourced string with markup must come out as text */
	json_object_set_new(json_object_get(doc, "statement"), "note",
	    json_string("<script>alert(1)</script> & \"quotes\""));
	zones = json_pack("{s:I,s:i,s:[O]}", "now", (json_int_t)1790000400,
	    "count", 1, "zones", doc);
	details[0] = doc;
	html = page_html(&in, zones, details, 1, &len);
	assert_non_null(html);
	assert_int_equal(strlen(html), len);
	assert_true(strncmp(html, "<!DOCTYPE html>", 15) == 0);
	assert_non_null(strstr(html, "<meta name=\"viewport\" content=\"width="
	    "device-width, initial-scale=1\">"));
	assert_non_null(strstr(html, "<meta http-equiv=\"refresh\" content=\"30\">"));
	assert_null(strstr(html, "<script"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; "
	    "&quot;quotes&quot;"));
	assert_non_null(strstr(html, "<article id=\"zone-de.\""));
	assert_non_null(strstr(html, "<code>de.</code> <span class=\"badge\" "
	    "style=\"background:#EF6C00\">NTA recommended</span>"));
	assert_non_null(strstr(html, "<a href=\"/v1/events/" EV1 "\""));
	assert_non_null(strstr(html, "Negative Trust Anchors recommended"));
	assert_non_null(strstr(html, "<time datetime=\"2026-09-21T15:13:20Z\">"));
	assert_non_null(strstr(html, "accident_confirmed"));
	assert_non_null(strstr(html, "Timeline of this relay"));
	assert_non_null(strstr(html, ": accident <q>&lt;i&gt;signer&lt;/i&gt;</q>"));
	free(html);
	/* with public_url, links are absolute */
	in.base = "https://relay.example.net";
	html = page_html(&in, zones, details, 1, &len);
	assert_non_null(strstr(html, "<a href=\"https://relay.example.net/v1/events/"
	    DEC "\""));
	free(html);
	json_decref(zones);
	/* no incident */
	zones = json_pack("{s:[]}", "zones");
	html = page_html(&in, zones, NULL, 0, &len);
	assert_non_null(strstr(html, "<h2>No incident</h2>"));
	assert_null(strstr(html, "<article"));
	free(html);
	json_decref(zones);
	json_decref(doc);
}

/* ------------------------------------------------------------ incidents */

#define INC "a1b2c3d4e5f60718"
#define OP_U "7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e"

/* A decision held while the zone validates again: one operator's vantage
 * point gets no answer, one still sees the failure. */
static const char recovering_doc[] =
    "{\"zone\":\"de.\",\"state\":\"nta_recommended\",\"phase\":\"recovering\","
    "\"incident\":{\"id\":\"" INC "\",\"opened\":1789999800,\"closed\":null,"
    "\"outcome\":\"open\",\"lead\":\"" FP "\",\"fingerprints\":[\"" FP "\"],"
    "\"held_since\":1790000000,\"recovering_since\":1790000360,\"relapses\":1},"
    "\"recovery\":{\"validating\":2,\"needed\":2,\"elapsed\":40,\"window\":900,"
    "\"still_failing\":1},"
    "\"since\":1790000000,\"changed\":1790000360,\"lifetime\":3600,"
    "\"nta_until\":1790003600,"
    "\"fingerprints\":[{\"fingerprint\":\"" FP "\",\"operators\":1}],"
    "\"veto\":null,\"recommending\":2,\"observing\":1,\"validating\":0,"
    "\"failing\":1,\"unreachable\":1,\"quorum\":2,\"evidence\":2,"
    "\"reason\":\"recovering\",\"decision_event\":\"" DEC "\","
    "\"operators\":[{\"vote\":\"" OP_A "\",\"origins\":[\"" OP_A "\"],"
    "\"roles\":[\"recommends\",\"validating\"],\"fingerprint\":null,\"events\":[]},"
    "{\"vote\":\"" OP_U "\",\"origins\":[\"" OP_U "\"],"
    "\"roles\":[\"unreachable\"],\"fingerprint\":null,\"events\":[]}],"
    "\"statement\":null,"
    "\"not_counted\":[{\"id\":\"" EV3 "\",\"kind\":\"assessment\",\"origin\":\""
    OP_Z "\",\"counts\":true,\"withdrawn\":false,\"bound\":false}],"
    "\"history\":[{\"ts\":1790000000,\"state\":\"nta_recommended\",\"event\":\""
    EV1 "\",\"incident\":\"" INC "\",\"phase\":\"failing\"},{\"ts\":1790000360,"
    "\"state\":\"nta_recommended\",\"event\":\"" DEC "\",\"incident\":\"" INC
    "\",\"phase\":\"recovering\"}]}";

/* The recovery phase, the incident and the unreachable vantage point in
 * every message: text, attachment, root post, card and table. */
static void
test_incident_messages(void **state)
{
	json_t *doc = load(recovering_doc), *a, *p, *zones;
	const char *m;
	char *t;

	(void)state;
	t = mattermost_change_text(doc, "nta_recommended", "failing");
	assert_string_equal(t, ":rotating_light: `de.`: **NTA recommended**, "
	    "recovering (was: failing) — validating again: 2 of 2 operators, 40 s "
	    "of 900 s; 1 operator still sees the failure; the NTA holds until "
	    "then; NTA until 2026-09-21 15:13 UTC; unreachable from "
	    "`7e7e7e7e7e7e` (no answer to judge: not a failure) · incident `" INC "`");
	free(t);
	a = mattermost_decision_attachment(doc, "nta_recommended", &style);
	check_attachment(a);
	assert_string_equal(json_string_value(json_object_get(a, "pretext")),
	    "Incident `" INC "`, opened 2026-09-21 14:10 UTC, about failure "
	    "`3f6c1a0e9b7d`");
	assert_string_equal(field(a, "State", NULL),
	    "NTA recommended, recovering (updated)");
	assert_string_equal(field(a, "Recovery", NULL), "validating again: 2 of 2 "
	    "operators, 40 s of 900 s; 1 operator still sees the failure; the NTA "
	    "holds until then");
	assert_string_equal(field(a, "Unreachable", NULL), "unreachable from "
	    "`7e7e7e7e7e7e` (no answer to judge: not a failure)");
	/* never among the failures */
	assert_null(strstr(field(a, "Evidence (failure fingerprints)", NULL),
	    "7e7e7e7e7e7e"));
	json_decref(a);

	p = mattermost_root_post("abcdefghijklmnopqrstuvwxyz", doc, "de.", FP, NULL,
	    "bot|root:1:x", &style);
	m = json_string_value(json_object_get(p, "message"));
	assert_non_null(strstr(m, "#### :rotating_light: Incident `de.` — NTA "
	    "recommended\nIncident `" INC "`, opened 2026-09-21 14:10 UTC, about "
	    "failure `3f6c1a0e9b7d`\nState **NTA recommended**, recovering since "));
	assert_non_null(strstr(m, "\nvalidating again: 2 of 2 operators, 40 s of "
	    "900 s; 1 operator still sees the failure; the NTA holds until then.\n"
	    "unreachable from `7e7e7e7e7e7e`"));
	assert_non_null(strstr(m, "_This post is edited as the relay's decision "
	    "changes"));
	json_decref(p);

	t = mattermost_zone_detail(doc, &style);
	assert_non_null(strstr(t, "#### :rotating_light: `de.` — NTA recommended, "
	    "recovering\nIncident `" INC "`, opened"));
	assert_non_null(strstr(t, "validating again: 2 of 2 operators, 40 s of "
	    "900 s"));
	assert_non_null(strstr(t, "unreachable from `7e7e7e7e7e7e`"));
	assert_non_null(strstr(t, "| NTA recommended, recovering | "));
	free(t);

	zones = json_pack("{s:I,s:i,s:[O]}", "now", (json_int_t)1790000400,
	    "count", 1, "zones", doc);
	t = mattermost_zones_table(zones, &style);
	assert_non_null(strstr(t, "| `de.` (incident `" INC "`) | :rotating_light: "
	    "NTA recommended, recovering | "));
	free(t);
	json_decref(zones);

	/* a relapse: the failure is back while recovering */
	json_object_set_new(doc, "phase", json_string("failing"));
	json_object_set_new(doc, "recovery", json_null());
	t = mattermost_change_text(doc, "nta_recommended", "recovering");
	assert_non_null(strstr(t, "**NTA recommended**, failing again (1 relapse) "
	    "(was: recovering) — relapse: the failure is back while recovering; "
	    "the NTA holds and the window starts again"));
	free(t);
	/* resolved: the incident is named, and closed */
	json_object_set_new(doc, "state", json_string("resolved"));
	json_object_set_new(doc, "phase", json_null());
	json_object_set_new(json_object_get(doc, "incident"), "closed",
	    json_integer(1790001000));
	json_object_set_new(json_object_get(doc, "incident"), "outcome",
	    json_string("resolved"));
	t = mattermost_change_text(doc, "nta_recommended", "recovering");
	assert_non_null(strstr(t, ":white_check_mark: `de.`: **Resolved** (was: "
	    "NTA recommended)"));
	assert_non_null(strstr(t, "· incident `" INC "` closed"));
	free(t);
	p = mattermost_root_post("abcdefghijklmnopqrstuvwxyz", doc, "de.", FP, NULL,
	    "bot|root:1:y", &style);
	m = json_string_value(json_object_get(p, "message"));
	assert_non_null(strstr(m, ", closed 2026-09-21 14:30 UTC (resolved)"));
	assert_non_null(strstr(m, "_This incident is over and its thread closed"));
	json_decref(p);
	/* an event names the zone's incident */
	{
		json_t *ev = load(assessment);
		t = mattermost_event_text_in(ev, INC);
		assert_string_equal(t, ":memo: **Assessment** of `de.` by "
		    "`8c1d6a4e2f0b`: accident, recommends an NTA for 1 h · incident `"
		    INC "`");
		free(t);
		json_decref(ev);
	}
	json_decref(doc);
}

/* A relay that has not caught up says so: never "no zone in incident". */
static void
test_syncing(void **state)
{
	json_t *zones = load("{\"syncing\":true,\"error\":\"syncing\",\"message\":"
	    "\"syncing: not caught up with its peers yet (2 member keys missing "
	    "recent history; at most 100 s more)\",\"behind\":2,\"until\":1790000500,"
	    "\"now\":1790000400,\"relay\":\"" OP_A "\",\"count\":0,\"zones\":[]}");
	json_t *zone = load("{\"syncing\":true,\"error\":\"syncing\",\"message\":"
	    "\"syncing: not caught up\",\"zone\":\"de.\",\"state\":\"syncing\"}");
	struct page_info in = { "testnet", OP_A, "", 1790000400 };
	size_t len;
	char *t;

	(void)state;
	t = mattermost_zones_table(zones, &style);
	assert_non_null(strstr(t, "has not caught up with its peers yet "
	    "(syncing)"));
	assert_null(strstr(t, "No zone is in incident"));
	free(t);
	t = mattermost_zone_detail(zone, &style);
	assert_non_null(strstr(t, "(syncing)"));
	assert_null(strstr(t, "####"));
	free(t);
	t = page_html(&in, zones, NULL, 0, &len);
	assert_non_null(strstr(t, "<h2>Catching up</h2>"));
	assert_non_null(strstr(t, "not caught up with its peers yet (2 member"));
	assert_null(strstr(t, "No incident"));
	free(t);
	json_decref(zones);
	json_decref(zone);
}

/* The page: the incident, the recovery, the unreachable vantage point, a
 * word of another incident and why it does not count. */
static void
test_page_incident(void **state)
{
	json_t *doc = load(recovering_doc), *zones, *details[1];
	struct page_info in = { "testnet", OP_A, "", 1790000400 };
	size_t len;
	char *html;

	(void)state;
	zones = json_pack("{s:I,s:i,s:[O]}", "now", (json_int_t)1790000400,
	    "count", 1, "zones", doc);
	details[0] = doc;
	html = page_html(&in, zones, details, 1, &len);
	assert_non_null(html);
	assert_non_null(strstr(html, "<dt>State</dt><dd>NTA recommended, "
	    "recovering since "));
	assert_non_null(strstr(html, "<dt>Incident</dt><dd><code class=\"incident\">"
	    INC "</code>, opened <time datetime=\"2026-09-21T14:10:00Z\">"));
	assert_non_null(strstr(html, "about failure <code title=\"failure "
	    "fingerprint " FP "\">3f6c1a0e9b7d24c5…</code>; the failure came back 1 "
	    "time while the zone was recovering</dd>"));
	assert_non_null(strstr(html, "<dt>Recovery</dt><dd>validating again: 2 of "
	    "2 operators, 40 s of 900 s; 1 operator still sees the failure; the "
	    "NTA holds until then</dd>"));
	assert_non_null(strstr(html, "<dt>Unreachable</dt><dd class=\"unreachable\">"
	    "unreachable from <code title=\"" OP_U "\">7e7e7e7e7e7e…</code> (no "
	    "answer to judge: not a failure)</dd>"));
	assert_non_null(strstr(html, ", recovering <span class=\"muted\">(incident "
	    "<code>" INC "</code>)</span>"));
	assert_non_null(strstr(html, "(judged another incident or failure)"
	    "</li>"));
	free(html);
	json_decref(zones);
	json_decref(doc);
}

/* Operators by name (lib/opname.h): a local name alone, else the id and
 * the self-declared hint marked ~NAME?, never a hint as a name. */
static void
test_operator_names(void **state)
{
	const char *id = "5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a7c";
	json_t *doc = json_pack("{s:[{s:s,s:s,s:s},{s:s,s:n,s:s}]}",
	    "operator_names", "operator", id, "local_name", "isp-b",
	    "declared_name", "op-b-root", "operator",
	    "8c1d6a4e2f0b9c7d5e3f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d",
	    "local_name", "declared_name", "op-b-root");
	struct buf b = { 0 };
	char out[OPNAME_MAX], *t;

	(void)state;
	assert_string_equal(opname_of(out, sizeof(out), doc, id, 16, false), "isp-b");
	assert_string_equal(opname_of(out, sizeof(out), doc, id, 16, true),
	    "isp-b (5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a7c)");
	assert_string_equal(opname_of(out, sizeof(out), doc,
	    "8c1d6a4e2f0b9c7d5e3f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d", 16,
	    false), "8c1d6a4e2f0b9c7d ~op-b-root?");
	assert_string_equal(opname_format(out, sizeof(out), "abc", NULL,
	    "bad`name\n", 16, false), "abc ~bad?name??");
	assert_string_equal(opname_format(out, sizeof(out), "abc", NULL, NULL, 16,
	    false), "abc");
	md_operator(&b, doc, id);
	buf_printf(&b, "|");
	md_operator(&b, doc,
	    "8c1d6a4e2f0b9c7d5e3f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d");
	buf_printf(&b, "|");
	md_operator(&b, NULL, id);
	t = buf_take(&b);
	assert_string_equal(t, "`isp-b`|`8c1d6a4e2f0b` ~op-b-root?|`5a7c9e1b3d5f`");
	free(t);
	json_decref(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_decision_webhook),
		cmocka_unit_test(test_counts_in_place),
		cmocka_unit_test(test_decision_veto),
		cmocka_unit_test(test_event_webhook),
		cmocka_unit_test(test_event_kinds),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_posts),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_operator_names),
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_secretfile),
		cmocka_unit_test(test_page),
		cmocka_unit_test(test_incident_messages),
		cmocka_unit_test(test_syncing),
		cmocka_unit_test(test_page_incident),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
