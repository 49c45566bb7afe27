/*
 * tests/unit/test_mattermost_incident.c — the Mattermost messages of an incident and
 * of a relay still syncing (relay/notify/mattermost.c).
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_incident_messages),
		cmocka_unit_test(test_syncing),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
