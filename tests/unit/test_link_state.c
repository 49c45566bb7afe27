/*
 * tests/unit/test_link_state.c — what a link says about its health
 * (relay/fed/link_state.h): the cause classification, and the log
 * contract (one warning per outage and per change of cause, one notice
 * when up again, nothing per retry), read back from the log (stderr
 * redirected to a file).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <mqtt_protocol.h>

#include "relay/core/log.h"
#include "relay/fed/link_state.h"

#define URL "mqtt://127.0.0.1:1883"
#define T0 1796472000LL   /* 2026-12-05T12:00:00Z */

static FILE *logfile;        /* the log (stderr) since capture() */
static int saved_stderr = -1;

static void
capture(void)
{
	fflush(stderr);
	logfile = tmpfile();
	assert_non_null(logfile);
	saved_stderr = dup(STDERR_FILENO);
	assert_true(dup2(fileno(logfile), STDERR_FILENO) >= 0);
}

/* The log so far (static), stderr restored. */
static const char *
captured(void)
{
	static char text[8192];
	size_t n;

	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	rewind(logfile);
	n = fread(text, 1, sizeof(text) - 1, logfile);
	text[n] = '\0';
	fclose(logfile);
	return text;
}

/* Lines of text containing needle. */
static int
count(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* The classification, one row a case. */
static const struct {
	enum { BY_ERRNO, BY_CONNACK, BY_TLS } by;
	int code;                   /* errno, or the CONNACK code */
	bool v5;                    /* CONNACK: MQTT 5 reason codes */
	const char *text;           /* TLS: the library's message */
	int cause;
} cause_cases[] = {
	{ BY_ERRNO, ECONNREFUSED, false, NULL, LINK_CAUSE_REFUSED },
	{ BY_ERRNO, ETIMEDOUT, false, NULL, LINK_CAUSE_TIMEOUT },
	{ BY_ERRNO, EHOSTUNREACH, false, NULL, LINK_CAUSE_OTHER },
	{ BY_CONNACK, MQTT_RC_NOT_AUTHORIZED, true, NULL, LINK_CAUSE_AUTH },
	{ BY_CONNACK, MQTT_RC_BAD_USERNAME_OR_PASSWORD, true, NULL,
	    LINK_CAUSE_AUTH },
	{ BY_CONNACK, MQTT_RC_SERVER_UNAVAILABLE, true, NULL, LINK_CAUSE_OTHER },
	{ BY_CONNACK, 5, false, NULL, LINK_CAUSE_AUTH },
	{ BY_CONNACK, 4, false, NULL, LINK_CAUSE_AUTH },
	{ BY_CONNACK, 3, false, NULL, LINK_CAUSE_OTHER },
	{ BY_TLS, 0, false, "error:0A000086:SSL routines::certificate "
	    "verify failed", LINK_CAUSE_TLS },
	{ BY_TLS, 0, false, "host name verification failed.", LINK_CAUSE_TLS },
	{ BY_TLS, 0, false, "error:0A00010B:SSL routines::wrong "
	    "version number", LINK_CAUSE_OTHER },
	{ BY_TLS, 0, false, "", LINK_CAUSE_OTHER },
};

static void
causes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cause_cases) / sizeof(cause_cases[0]);
	    i++) {
		int got;

		switch (cause_cases[i].by) {
		case BY_ERRNO:
			got = link_cause_errno(cause_cases[i].code);
			break;
		case BY_CONNACK:
			got = link_cause_connack(cause_cases[i].code,
			    cause_cases[i].v5);
			break;
		default:
			got = link_cause_tls(cause_cases[i].text);
			break;
		}
		if (got != cause_cases[i].cause)
			print_message("cause_cases[%zu]\n", i);
		assert_int_equal(got, cause_cases[i].cause);
	}
	assert_string_equal(link_cause_name(LINK_CAUSE_TLS), "TLS verification");
	assert_string_equal(link_cause_name(LINK_CAUSE_AUTH), "authorisation");
	assert_string_equal(link_phase_name(LINK_PHASE_DOWN), "down");
}

/* A link that never comes up, refused 50 times: one line; then another
 * cause: one more; then up: "up again". */
static void
once_per_cause(void **state)
{
	struct link_state s;
	const char *log;

	(void)state;
	log_init("test", false, LOG_LVL_INFO);
	capture();
	link_state_init(&s, URL, T0);
	for (int i = 0; i < 50; i++)
		link_state_down(&s, LINK_CAUSE_REFUSED, "Connection refused",
		    T0 + i, 5000);
	assert_int_equal(s.phase, LINK_PHASE_DOWN);
	assert_int_equal(s.since, T0);
	assert_int_equal(s.next_retry, T0 + 49 + 5);
	link_state_down(&s, LINK_CAUSE_DNS, "cannot resolve x", T0 + 60, 499);
	link_state_down(&s, LINK_CAUSE_DNS, "cannot resolve x", T0 + 61, 500);
	link_state_up(&s, T0 + 70);
	assert_int_equal(s.phase, LINK_PHASE_UP);
	log = captured();
	assert_int_equal(count(log, "warn: link " URL ": down: refused "
	    "(Connection refused); next retry at 2026-12-05T12:00:05Z (in 5 s)"), 1);
	assert_int_equal(count(log, "warn: "), 2);
	assert_int_equal(count(log, "warn: link " URL ": still down, now DNS "
	    "(cannot resolve x); next retry at 2026-12-05T12:01:01Z (in 1 s)"), 1);
	assert_int_equal(count(log, "notice: link " URL ": up again after 70 s "
	    "down (DNS: cannot resolve x)"), 1);
	assert_int_equal(count(log, "\n"), 3);
}

/* Up, then lost: nothing until the next attempt says why; a flap (lost,
 * then up at the first retry) is one "up again" line. */
static void
lost_then_cause(void **state)
{
	struct link_state s;
	const char *log;

	(void)state;
	log_init("test", false, LOG_LVL_INFO);
	capture();
	link_state_init(&s, URL, T0);
	link_state_up(&s, T0 + 1);
	link_state_down(&s, LINK_CAUSE_LOST, "The connection was lost.", T0 + 10, 500);
	assert_int_equal(s.phase, LINK_PHASE_DOWN);
	assert_int_equal(s.since, T0 + 10);
	link_state_up(&s, T0 + 11);
	link_state_down(&s, LINK_CAUSE_LOST, "The connection was lost.", T0 + 20, 500);
	link_state_down(&s, LINK_CAUSE_REFUSED, "Connection refused", T0 + 21, 1000);
	link_state_down(&s, LINK_CAUSE_REFUSED, "Connection refused", T0 + 22, 2000);
	log = captured();
	assert_int_equal(count(log, "notice: link " URL ": up again after 1 s down "
	    "(connection lost: The connection was lost.)"), 1);
	assert_int_equal(count(log, "warn: link " URL ": down: refused "
	    "(Connection refused); next retry at"), 1);
	assert_int_equal(count(log, "\n"), 2);
	assert_int_equal(s.since, T0 + 20);
}

/* Paused on purpose: no failure logged, and resumed: connecting again. */
static void
paused(void **state)
{
	struct link_state s;
	const char *log;

	(void)state;
	log_init("test", false, LOG_LVL_INFO);
	capture();
	link_state_init(&s, URL, T0);
	link_state_up(&s, T0);
	link_state_paused(&s, T0 + 5);
	link_state_down(&s, LINK_CAUSE_LOST, "x", T0 + 6, -1);
	assert_int_equal(s.phase, LINK_PHASE_PAUSED);
	link_state_resumed(&s, T0 + 9);
	assert_int_equal(s.phase, LINK_PHASE_CONNECTING);
	assert_int_equal(s.since, T0 + 9);
	link_state_up(&s, T0 + 10);
	log = captured();
	assert_string_equal(log, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(causes),
		cmocka_unit_test(once_per_cause),
		cmocka_unit_test(lost_then_cause),
		cmocka_unit_test(paused),
	};

	return cmocka_run_group_tests_name("link_state", tests, NULL, NULL);
}
