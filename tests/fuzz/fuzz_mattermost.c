/*
 * tests/fuzz/fuzz_mattermost.c — libFuzzer target for what the Mattermost
 * side of the relay reads from the network or from events: slash command
 * form bodies (relay/http/form.c), and JSON turned into markdown and HTML
 * (relay/notify/mattermost.c, relay/http/page.c). Nothing may crash, leak or read out
 * of bounds, and every string built must stay valid UTF-8 (jansson
 * refuses it otherwise).
 *
 *   clang -g -fsanitize=fuzzer,address,undefined -I. -I build \
 *     tests/fuzz/fuzz_mattermost.c relay/http/form.c relay/notify/mattermost*.c \
 *     relay/core/metrics.c relay/http/page.c lib/incident_text.c build/proto/libproto.a \
 *     $(pkg-config --cflags --libs jansson libsodium nettle) -o fuzz_mattermost
 *   ./fuzz_mattermost -max_total_time=60
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "relay/http/form.h"
#include "relay/notify/mattermost.h"
#include "relay/core/clock.h"
#include "relay/http/page.h"

/* A fixed clock for the formatters. */
long long relay_now(void) { return 1790000000; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct mattermost_style style = {
	"ntarelay", "https://example.net/i.png", NULL, "https://relay.example.net/",
	"testnet", "8c1d6a4e2f0b9c7d5e3f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d"
};

static void
check_json(json_t *j)
{
	char *s;

	if (j == NULL)
		return;
	s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	if (s == NULL)
		abort();   /* a string that is not UTF-8 got in */
	free(s);
	json_decref(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "token", "text", "user_name",
	    "channel_id", "" };
	char out[256];
	json_t *doc, *zones;
	size_t len;
	char *t;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		(void)form_value((const char *)data, size, names[i], out,
		    i % 2 ? sizeof(out) : 8);

	if ((doc = json_loadb((const char *)data, size, 0, NULL)) == NULL)
		return 0;
	check_json(mattermost_decision_attachment(doc, "observed", &style));
	check_json(mattermost_event_attachment(doc, "1111111111111111111111111111111111111111111111111111111111111111", &style));
	check_json(mattermost_root_post("abcdefghijklmnopqrstuvwxyz", doc, "de.",
	    "3f6c", "assessment", "k", &style));
	t = mattermost_decision_text(doc, "clear");
	check_json(t ? json_string(t) : NULL);
	free(t);
	t = mattermost_change_text(doc, "nta_recommended", "recovering");
	check_json(t ? json_string(t) : NULL);
	free(t);
	t = mattermost_event_text(doc);
	check_json(t ? json_string(t) : NULL);
	free(t);
	t = mattermost_event_text_in(doc, "a1b2c3d4e5f60718");
	check_json(t ? json_string(t) : NULL);
	free(t);
	t = mattermost_zone_detail(doc, &style);
	check_json(t ? json_string(t) : NULL);
	free(t);
	t = mattermost_zones_table(doc, &style);
	check_json(t ? json_string(t) : NULL);
	free(t);
	t = mattermost_peers_table(doc);
	check_json(t ? json_string(t) : NULL);
	free(t);
	{
		struct page_info in = { "testnet", style.relay, "", 1790000000 };
		json_t *details[1] = { doc };
		zones = json_pack("{s:[O]}", "zones", doc);
		free(page_html(&in, doc, NULL, 0, &len));
		free(page_html(&in, zones, details, 1, &len));
		json_decref(zones);
	}
	json_decref(doc);
	return 0;
}
