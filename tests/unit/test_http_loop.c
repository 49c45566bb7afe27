/*
 * tests/unit/test_http_loop.c — the HTTP server attached to the relay's loop
 * (relay/core/loop.c): it does not wake the loop while idle.
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

/* ---------------------------------------------------------------- the loop */

/*
 * http_attach(): the server lives in the relay's loop, woken by its
 * descriptor and by libmicrohttpd's own timeout only. Once settled, an
 * idle server does not wake the loop: in the idle 0.6 s below a polling
 * tick every 250 ms would wake it 2 or 3 times; the loop's own longest
 * sleep (1 s, relay/core/loop.c) may wake it once. And a request is
 * served.
 */
struct attach_test {
	struct loop *loop;
	int pipe[2];
	atomic_int wakeups;        /* loop iterations (prepare hook calls) */
	atomic_int idle_wakeups;   /* of them, in 0.6 s of idleness */
	long status;
	char url[64];
};

static void
attach_count(void *arg)
{
	struct attach_test *t = arg;

	atomic_fetch_add(&t->wakeups, 1);
}

static void
attach_stop(void *arg, int fd, short revents)
{
	struct attach_test *t = arg;

	(void)fd;
	(void)revents;
	loop_stop(t->loop);
}

static void *
attach_client(void *arg)
{
	struct attach_test *t = arg;
	CURL *c;
	int settled;

	usleep(600 * 1000);
	settled = atomic_load(&t->wakeups);
	usleep(600 * 1000);
	atomic_store(&t->idle_wakeups, atomic_load(&t->wakeups) - settled);
	if ((c = curl_easy_init()) != NULL) {
		curl_easy_setopt(c, CURLOPT_URL, t->url);
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
		if (curl_easy_perform(c) == CURLE_OK)
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &t->status);
		curl_easy_cleanup(c);
	}
	if (write(t->pipe[1], "x", 1) != 1)
		abort();
	return NULL;
}

static void
test_attach(void **state)
{
	struct attach_test t = { 0 };
	struct http_handlers h = { 0 };     /* always healthy */
	struct http_server *s;
	pthread_t client;
	char err[256];

	(void)state;
	assert_non_null(t.loop = loop_new());
	assert_int_equal(pipe(t.pipe), 0);
	assert_non_null(s = http_start("127.0.0.1", 0, NULL, &h, err,
	    sizeof(err)));
	assert_int_equal(http_attach(s, t.loop), 0);
	assert_int_equal(loop_prepare_add(t.loop, attach_count, &t), 0);
	assert_int_equal(loop_fd_add(t.loop, t.pipe[0], POLLIN, attach_stop,
	    &t), 0);
	snprintf(t.url, sizeof(t.url), "http://127.0.0.1:%d/healthz",
	    http_port(s));
	assert_int_equal(pthread_create(&client, NULL, attach_client, &t), 0);
	assert_int_equal(loop_run(t.loop), 0);
	pthread_join(client, NULL);
	assert_int_equal(t.status, 200);
	print_message("loop iterations while idle: %d, in all: %d\n",
	    atomic_load(&t.idle_wakeups), atomic_load(&t.wakeups));
	assert_true(atomic_load(&t.idle_wakeups) <= 1);
	http_stop(s);            /* leaves the loop: before loop_free() */
	loop_free(t.loop);
	close(t.pipe[0]);
	close(t.pipe[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attach),
	};

	return cmocka_run_group_tests_name("http_loop", tests, group_setup,
	    group_teardown);
}
