/*
 * tests/unit/test_mattermost_page.c — the public incident page's HTML
 * (relay/http/page.c).
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page),
		cmocka_unit_test(test_page_incident),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
