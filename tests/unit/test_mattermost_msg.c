/*
 * tests/unit/test_mattermost_msg.c — the Mattermost message formats
 * (relay/notify/mattermost.c), field by field against Mattermost's
 * documented incoming-webhook and REST API v4 fields, and the slash
 * command's tables.
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

#include "tests/unit/mattermost_fixture.h"

static const char *const webhook_fields[] = { "text", "channel", "username",
	"icon_url", "icon_emoji", "attachments", "type", "props", "priority", NULL };
static const char *const post_fields[] = { "channel_id", "message", "root_id",
	"file_ids", "props", "metadata", NULL };

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
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
