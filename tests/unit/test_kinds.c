/*
 * tests/unit/test_kinds.c — the relay's table of event kinds
 * (relay/fed/kinds.h) against proto/kind.h: every kind has a row, topic
 * segments are unique but for the trust kinds, which share "trust"; a
 * topic names the zone exactly when the kind has one; and the topics
 * built from the table are those of docs/PROTOCOL.md §12.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "proto/key.h"
#include "proto/error.h"
#include "proto/event.h"
#include "proto/kind.h"
#include "relay/fed/kinds.h"
#include "relay/fed/topic.h"

static void
every_kind_has_a_row(void **state)
{
	(void)state;
	for (int k = 0; k < KIND__COUNT; k++) {
		const struct kinds_row *r = kinds_get((enum kind)k);

		assert_non_null(r);
		assert_non_null(r->segment);
		assert_true(strlen(r->segment) > 0);
		assert_null(strchr(r->segment, '/'));
		assert_true(r->part[0] != r->part[1]);
		/* a zone in the topic exactly when the kind has a zone */
		assert_int_equal(r->part[0] == KINDS_ZONE || r->part[1] == KINDS_ZONE,
		    kind_has_zone((enum kind)k));
		/* only events that stand for a zone's latest state are kept as
		   "the latest" of their topic */
		if (r->latest)
			assert_true(r->part[0] == KINDS_ZONE);
		if (r->zone_quota)
			assert_true(kind_has_zone((enum kind)k));
	}
	assert_null(kinds_get(KIND__COUNT));
	assert_null(kinds_get((enum kind)-1));
	assert_false(kinds_retained(KIND__COUNT));
	assert_false(kinds_submittable(KIND__COUNT));
	assert_false(kinds_is_trust(KIND__COUNT));
	assert_false(kinds_quorum(KIND__COUNT));
	assert_false(kinds_zone_quota(KIND__COUNT));
}

/* Unique segments, except that the trust kinds share one, "trust", and
 * no other kind uses it; the trust kinds are those proto/kind.h has sign
 * by a root key, and key_revoke. */
static void
segments_unique(void **state)
{
	(void)state;
	for (int a = 0; a < KIND__COUNT; a++) {
		const struct kinds_row *ra = kinds_get((enum kind)a);

		assert_int_equal(ra->trust, strcmp(ra->segment, "trust") == 0);
		assert_int_equal(ra->trust, kind_root_only((enum kind)a) ||
		    a == KIND_KEY_REVOKE);
		for (int b = a + 1; b < KIND__COUNT; b++) {
			const struct kinds_row *rb = kinds_get((enum kind)b);

			if (strcmp(ra->segment, rb->segment) == 0)
				assert_true(ra->trust && rb->trust);
		}
	}
}

/* fixture into out: OO, KK and II stand for the 64 hex digits of the
 * origin (0a...), key (0b...) and event id (0c...). */
static void
expand(const char *fixture, char *out)
{
	size_t len = 0;

	for (const char *s = fixture; *s; s++) {
		const char *byte = NULL;

		if (s[0] == 'O' && s[1] == 'O')
			byte = "0a";
		else if (s[0] == 'K' && s[1] == 'K')
			byte = "0b";
		else if (s[0] == 'I' && s[1] == 'I')
			byte = "0c";
		if (byte == NULL) {
			out[len++] = *s;
			continue;
		}
		for (int j = 0; j < KEY_ID_LEN; j++, len += 2)
			memcpy(out + len, byte, 2);
		s++;
	}
	out[len] = '\0';
}

/* The topics docs/PROTOCOL.md §12 and relay/fed/topic.h list, byte for
 * byte, and which are retained. */
static void
topics(void **state)
{
	static const struct {
		enum kind k;
		const char *topic;
		bool retained;
	} want[] = {
		{ KIND_OBSERVATION, "ntarelay/v1/n/obs/z./OO", false },
		{ KIND_ASSESSMENT, "ntarelay/v1/n/asm/z./OO", true },
		{ KIND_ZONE_STATEMENT, "ntarelay/v1/n/stmt/z./OO", true },
		{ KIND_WITHDRAW, "ntarelay/v1/n/wd/OO/II", true },
		{ KIND_VOUCH, "ntarelay/v1/n/trust/OO/II", true },
		{ KIND_UNVOUCH, "ntarelay/v1/n/trust/OO/II", true },
		{ KIND_KEY_CERT, "ntarelay/v1/n/trust/OO/II", true },
		{ KIND_KEY_REVOKE, "ntarelay/v1/n/trust/OO/II", true },
		{ KIND_HEARTBEAT, "ntarelay/v1/n/hb/OO/KK", true },
		{ KIND_DECISION, "ntarelay/v1/n/decision/z./KK", true },
	};
	unsigned char o[KEY_ID_LEN], k[KEY_ID_LEN], i[KEY_ID_LEN];
	char got[TOPIC_MAX], expect[TOPIC_MAX];

	(void)state;
	assert_int_equal(sizeof(want) / sizeof(want[0]), KIND__COUNT);
	memset(o, 0x0a, sizeof(o));
	memset(k, 0x0b, sizeof(k));
	memset(i, 0x0c, sizeof(i));
	for (size_t n = 0; n < KIND__COUNT; n++) {
		expand(want[n].topic, expect);
		assert_true(topic_of_parts("n", want[n].k, "z.", o, k, i, got,
		    sizeof(got)));
		assert_string_equal(got, expect);
		assert_int_equal(topic_retained(want[n].k), want[n].retained);
	}
	assert_false(topic_of_parts("n", KIND__COUNT, "z.", o, k, i, got,
	    sizeof(got)));
	/* too small a buffer */
	assert_false(topic_of_parts("n", KIND_ASSESSMENT, "z.", o, k, i, got, 20));
}

/* topic_check(): the exact topic, or the same with a '.' arriving as '/'
 * (RabbitMQ's MQTT plugin); any other difference is a mismatch, the
 * reverse mapping too. */
static void
topic_checked(void **state)
{
	static struct event ev;   /* static: struct event is large */
	char reason[256], want[TOPIC_MAX], slashed[TOPIC_MAX];

	(void)state;
	ev.kind = KIND_OBSERVATION;
	snprintf(ev.zone, sizeof(ev.zone), "%s", "a.example.");
	memset(ev.origin, 0x0a, sizeof(ev.origin));
	memset(ev.key, 0x0b, sizeof(ev.key));
	memset(ev.id, 0x0c, sizeof(ev.id));
	assert_true(topic_of("n", &ev, want, sizeof(want)));
	assert_int_equal(topic_check("n", want, &ev, reason), PROTO_OK);
	snprintf(slashed, sizeof(slashed), "%s", want);
	/* the zone level as RabbitMQ delivers it: "a/example/" */
	for (char *c = strstr(slashed, "a.example."), *end = c + 10; c < end; c++)
		if (*c == '.')
			*c = '/';
	assert_string_not_equal(slashed, want);
	assert_int_equal(topic_check("n", slashed, &ev, reason), PROTO_OK);
	/* another zone, origin or a truncated or longer topic: refused */
	assert_int_equal(topic_check("n", "ntarelay/v1/n/obs/b.example./x", &ev,
	    reason), PROTO_E_TOPIC_MISMATCH);
	slashed[strlen(slashed) - 1] ^= 1;
	assert_int_equal(topic_check("n", slashed, &ev, reason),
	    PROTO_E_TOPIC_MISMATCH);
	want[strlen(want) - 1] = '\0';
	assert_int_equal(topic_check("n", want, &ev, reason),
	    PROTO_E_TOPIC_MISMATCH);
	/* a '/' of the expected topic never arrives as '.' */
	assert_true(topic_of("n", &ev, want, sizeof(want)));
	*strchr(want, '/') = '.';
	assert_int_equal(topic_check("n", want, &ev, reason),
	    PROTO_E_TOPIC_MISMATCH);
}

/* What the control socket signs: the refusal text of relay/http/control.c
 * names exactly these. */
static void
submittable(void **state)
{
	(void)state;
	for (int k = 0; k < KIND__COUNT; k++)
		assert_int_equal(kinds_submittable((enum kind)k),
		    k == KIND_ASSESSMENT || k == KIND_ZONE_STATEMENT ||
		    k == KIND_WITHDRAW || k == KIND_OBSERVATION);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_kind_has_a_row),
		cmocka_unit_test(segments_unique),
		cmocka_unit_test(topics),
		cmocka_unit_test(topic_checked),
		cmocka_unit_test(submittable),
	};
	return cmocka_run_group_tests_name("kinds", tests, NULL, NULL);
}
