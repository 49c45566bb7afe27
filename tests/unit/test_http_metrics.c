/*
 * tests/unit/test_http_metrics.c — the metrics rendering (relay/core/metrics.c)
 * and GET /metrics's families.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "client/httpc.h"
#include "client/ntactl.h"
#include "build_config.h"
#include "relay/http/http.h"
#include "relay/core/log.h"
#include "relay/core/loop.h"
#include "relay/core/metrics.h"

#include "tests/unit/http_fixture.h"

static void
test_metrics_render(void **state)
{
	struct metrics m;
	struct buf b = { 0 };
	char line[256];

	memset(&m, 0, sizeof(m));
	m.nlinks = 2;
	snprintf(m.links[0].name, sizeof(m.links[0].name), "mqtt://127.0.0.1:1883");
	m.links[0].up = 1;
	m.links[0].connects = 2;
	m.links[0].outbox = 5;
	snprintf(m.links[1].name, sizeof(m.links[1].name), "a\"b\\c\nd");
	m.started = 1790000000;
	m.duplicates = 4;
	m.stored_events = 99;
	metrics_render(&m, &b);
	assert_false(b.failed);
	assert_non_null(b.data);
	assert_non_null(strstr(b.data,
	    "ntarelay_link_up{link=\"mqtt://127.0.0.1:1883\"} 1\n"));
	assert_non_null(strstr(b.data,
	    "ntarelay_link_connects_total{link=\"mqtt://127.0.0.1:1883\"} 2\n"));
	assert_non_null(strstr(b.data,
	    "ntarelay_link_outbox{link=\"mqtt://127.0.0.1:1883\"} 5\n"));
	assert_non_null(strstr(b.data,
	    "ntarelay_link_up{link=\"a\\\"b\\\\c\\nd\"} 0\n"));
	assert_non_null(strstr(b.data, "ntarelay_events_duplicate_total 4\n"));
	assert_non_null(strstr(b.data, "# TYPE ntarelay_store_events gauge\n"));
	assert_non_null(strstr(b.data, "ntarelay_store_events 99\n"));
	assert_non_null(strstr(b.data,
	    "ntarelay_start_time_seconds 1790000000\n"));
	for (int k = 0; k < KIND__COUNT; k++) {
		snprintf(line, sizeof(line),
		    "ntarelay_events_accepted_total{kind=\"%s\"} 0\n",
		    kind_name((enum kind)k));
		assert_non_null(strstr(b.data, line));
	}
	for (int e = PROTO_OK + 1; e < PROTO_E__COUNT; e++) {
		snprintf(line, sizeof(line),
		    "ntarelay_events_rejected_total{reason=\"%s\"} 0\n",
		    proto_errname((enum proto_err)e));
		assert_non_null(strstr(b.data, line));
	}
	/* Every family has HELP and TYPE, each exactly once. */
	static const char *const fams[] = {
		"ntarelay_events_accepted_total", "ntarelay_events_rejected_total",
		"ntarelay_events_duplicate_total", "ntarelay_events_forwarded_total",
		"ntarelay_seq_gaps_total", "ntarelay_equivocations_total",
		"ntarelay_own_events_total", "ntarelay_store_events",
		"ntarelay_link_up", "ntarelay_link_connects_total",
		"ntarelay_link_received_total", "ntarelay_link_published_total",
		"ntarelay_link_outbox", "ntarelay_start_time_seconds",
	};
	for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		const char *p;
		snprintf(line, sizeof(line), "# HELP %s ", fams[i]);
		assert_non_null(p = strstr(b.data, line));
		assert_null(strstr(p + 1, line));
		snprintf(line, sizeof(line), "# TYPE %s ", fams[i]);
		assert_non_null(strstr(b.data, line));
	}
	buf_free(&b);
	buf_free(NULL);
}

/* A collector as the quorum engine's: one state set per zone. */
static void
fake_collect(void *ctx, struct buf *out)
{
	static const char *const states[] = { "clear", "nta_recommended" };

	metrics_family(out, "ntarelay_zone_state", "gauge", "Zone states.");
	metrics_state_set(out, "ntarelay_zone_state", "zone", ctx, states, 2,
	    "nta_recommended");
	metrics_sample(out, "ntarelay_vouch_expiry_seconds", "operator", "ab",
	    -5);
}

static void
test_metrics_families(void **state)
{
	struct metrics m;
	struct buf b = { 0 };
	char zone[] = "d\"e.";

	(void)state;
	memset(&m, 0, sizeof(m));
	m.version = PACKAGE_VERSION;
	metrics_probe_observe(&m, 0.07);    /* 0.1 */
	metrics_probe_observe(&m, 0.1);     /* 0.1: le is inclusive */
	metrics_probe_observe(&m, -1);      /* 0.05, as 0 */
	metrics_probe_observe(&m, 100);     /* +Inf only */
	assert_int_equal(metrics_collector_add(&m, fake_collect, zone), 0);
	metrics_render(&m, &b);
	assert_false(b.failed);
	assert_non_null(strstr(b.data, "ntarelay_build_info{version=\"" PACKAGE_VERSION
	    "\",protocol=\"v1\"} 1\n"));
	assert_non_null(strstr(b.data, "ntarelay_probe_rounds_total 4\n"));
	assert_non_null(strstr(b.data,
	    "# TYPE ntarelay_probe_duration_seconds histogram\n"));
	assert_non_null(strstr(b.data,
	    "ntarelay_probe_duration_seconds_bucket{le=\"0.05\"} 1\n"));
	assert_non_null(strstr(b.data,
	    "ntarelay_probe_duration_seconds_bucket{le=\"0.1\"} 3\n"));
	assert_non_null(strstr(b.data,
	    "ntarelay_probe_duration_seconds_bucket{le=\"30\"} 3\n"));
	assert_non_null(strstr(b.data,
	    "ntarelay_probe_duration_seconds_bucket{le=\"+Inf\"} 4\n"));
	assert_non_null(strstr(b.data, "ntarelay_probe_duration_seconds_count 4\n"));
	assert_non_null(strstr(b.data,
	    "ntarelay_probe_duration_seconds_sum 100.170000\n"));
	assert_non_null(strstr(b.data,
	    "ntarelay_zone_state{zone=\"d\\\"e.\",state=\"clear\"} 0\n"
	    "ntarelay_zone_state{zone=\"d\\\"e.\",state=\"nta_recommended\"} 1\n"));
	assert_non_null(strstr(b.data,
	    "ntarelay_vouch_expiry_seconds{operator=\"ab\"} -5\n"));
	buf_free(&b);

	/* removed: no longer rendered; the table has a limit */
	metrics_collector_del(&m, fake_collect, zone);
	metrics_collector_del(&m, fake_collect, zone);
	memset(&b, 0, sizeof(b));
	metrics_render(&m, &b);
	assert_null(strstr(b.data, "ntarelay_zone_state"));
	buf_free(&b);
	for (int i = 0; i < METRICS_COLLECTORS_MAX; i++)
		assert_int_equal(metrics_collector_add(&m, fake_collect, zone), 0);
	assert_int_equal(metrics_collector_add(&m, fake_collect, zone), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics_render),
		cmocka_unit_test(test_metrics_families),
	};

	return cmocka_run_group_tests_name("http_metrics", tests, group_setup,
	    group_teardown);
}
