/*
 * tests/unit/test_config_reload.c — config_reload(): what a reload takes, refuses
 * and reports changed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "proto/key.h"
#include "proto/kind.h"
#include "relay/core/config.h"
#include "relay/core/config_keys.h"

#include "tests/unit/config_fixture.h"

/* SIGHUP: the reloadable keys are copied, each other key that changed is
 * named once, and moved lines alone change nothing. */
static void
reload(void **state)
{
	static struct relay_config run, fresh;
	const char *changed[8];
	size_t n;

	(void)state;
	assert_int_equal(load_text(MINIMAL
	    "link mqtts://b.example:8883\n"
	    "link_client_id one\n"
	    "watch example.\n"
	    "mattermost_webhook https://mm.example/hooks/abc\n"), 0);
	run = cfg;
	/* the relay wipes the webhook URL from its configuration */
	memset(run.mattermost_webhook, 0, sizeof(run.mattermost_webhook));
	assert_int_equal(load_text("# a comment moves every line\n" MINIMAL
	    "link mqtts://b.example:8883\n"
	    "link_client_id one\n"
	    "watch example.\n"
	    "mattermost_webhook https://mm.example/hooks/abc\n"), 0);
	fresh = cfg;
	assert_int_equal(config_reload(&run, &fresh, changed, 8), 0);

	assert_int_equal(load_text("net othernet\n"
	    "key relay.key\n"
	    "cert relay.cert\n"
	    "trustdb trust.db\n"
	    "store store.db\n"
	    "link mqtt://127.0.0.1:1883\n"
	    "http_listen 127.0.0.1:8053\n"
	    "link mqtts://b.example:8883\n"
	    "link_client_id two\n"
	    "watch example. www\n"
	    "mattermost_webhook https://mm.example/hooks/xyz\n"
	    "log_level debug\n"
	    "rate_limit 7\n"
	    "affiliation_group " "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,"
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n"
	    "veto_unbacked yes\n"
	    "heartbeat_interval 30\n"), 0);
	fresh = cfg;
	n = config_reload(&run, &fresh, changed, 8);
	assert_int_equal(n, 4);
	assert_string_equal(changed[0], "net");
	assert_string_equal(changed[1], "link_client_id");
	assert_string_equal(changed[2], "heartbeat_interval");
	assert_string_equal(changed[3], "mattermost_webhook");
	/* applied */
	assert_int_equal(run.log_level, LOG_LVL_DEBUG);
	assert_int_equal(run.rate_limit, 7);
	assert_int_equal(run.ngroups, 1);
	assert_true(run.veto_unbacked);
	/* kept */
	assert_string_equal(run.net, "testnet");
	assert_int_equal(run.heartbeat_interval, 60);
	assert_string_equal(run.links[1].client_id, "one");
	/* watch applies (relay/fed/watch.c takes it) */
	assert_int_equal(run.nwatch, 1);
	assert_int_equal(run.nwatch_names, 1);
	assert_string_equal(run.watch_names[0], "www.example.");
	/* a link more */
	assert_int_equal(load_text(MINIMAL "link mqtt://c.example\n"), 0);
	fresh = cfg;
	n = config_reload(&run, &fresh, changed, 1);
	assert_int_equal(n, 3);   /* link, link_client_id, webhook */
	assert_string_equal(changed[0], "link");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reload),
	};
	return cmocka_run_group_tests_name("config_reload", tests, setup, teardown);
}
