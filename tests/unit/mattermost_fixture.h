/*
 * tests/unit/mattermost_fixture.h — what the tests/unit/test_mattermost_*.c programs
 * share: hand-written fixtures in the shapes of relay/quorum/decide.c's
 * JSON and of verified event payloads, and checks of Mattermost's fields.
 * Included once by each; its definitions are static, and a program may
 * leave some unused.
 */
#ifndef NTARELAY_TESTS_UNIT_MATTERMOST_FIXTURE_H
#define NTARELAY_TESTS_UNIT_MATTERMOST_FIXTURE_H

/* A fixed clock for the formatters. */
long long relay_now(void) { return 1790000400; }

#define OP_A "8c1d6a4e2f0b9c7d5e3f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d"
#define OP_Z "5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a7c"
#define FP "3f6c1a0e9b7d24c58e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f"
#define EV1 "1111111111111111111111111111111111111111111111111111111111111111"
#define EV2 "2222222222222222222222222222222222222222222222222222222222222222"
#define EV3 "3333333333333333333333333333333333333333333333333333333333333333"
#define DEC "abababababababababababababababababababababababababababababababab"

static __attribute__((unused)) const char decision_doc[] =
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

static __attribute__((unused)) const char assessment[] =
    "{\"v\":1,\"net\":\"testnet\",\"kind\":\"assessment\",\"origin\":\"" OP_A
    "\",\"key\":\"" OP_A "\",\"seq\":12,\"prev\":null,\"ts\":1790000000,"
    "\"exp\":1790003600,\"refs\":[],\"zone\":\"de.\",\"verdict\":\"accident\","
    "\"recommend_nta\":true,\"lifetime\":3600,\"note\":\"signer bug\"}";

static __attribute__((unused)) const struct mattermost_style style = {
	"ntarelay", "https://example.net/ntarelay.png", NULL,
	"https://relay.example.net/", "testnet", OP_A
};

static __attribute__((unused)) json_t *
load(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);

	if (j == NULL)
		fail_msg("fixture: %s at %d", e.text, e.position);
	return j;
}

/* Every member of o is one of the names in allowed (NULL-terminated). */
static __attribute__((unused)) void
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
static __attribute__((unused)) const char *const attachment_fields[] = { "fallback", "color",
	"pretext", "author_name", "author_link", "author_icon", "title",
	"title_link", "text", "fields", "image_url", "thumb_url", "footer",
	"footer_icon", "ts", NULL };
static __attribute__((unused)) const char *const field_fields[] = { "title", "value", "short", NULL };

static __attribute__((unused)) bool
is_color(const char *c)
{
	return c && strlen(c) == 7 && c[0] == '#' &&
	    strspn(c + 1, "0123456789ABCDEF") == 6;
}

/* The value of the field titled t in attachment a; fails when absent. */
static __attribute__((unused)) const char *
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

static __attribute__((unused)) void
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

/* ------------------------------------------------------------ incidents */

#define INC "a1b2c3d4e5f60718"
#define OP_U "7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e"

/* A decision held while the zone validates again: one operator's vantage
 * point gets no answer, one still sees the failure. */
static __attribute__((unused)) const char recovering_doc[] =
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

#endif
