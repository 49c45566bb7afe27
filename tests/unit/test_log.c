/*
 * tests/unit/test_log.c — the log's formats (relay/core/log.h): the
 * journal's "<N>" lines when JOURNAL_STREAM names standard error, the
 * terminal's otherwise; and the one line per key per window of
 * relay/fed/reject_log.h, on a real loop with a short window.
 *
 * Standard error is a temporary file for the test; what the log wrote is
 * read back from it.
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

#include "proto/key.h"
#include "relay/core/log.h"
#include "relay/core/loop.h"
#include "relay/fed/reject_log.h"

struct capture {
	char path[64];
	int saved;                 /* the real standard error */
	char *text;                /* what was written, after capture_read() */
};

static int
setup(void **state)
{
	struct capture *c = calloc(1, sizeof(*c));
	int fd;

	assert_non_null(c);
	snprintf(c->path, sizeof(c->path), "/tmp/test_log.XXXXXX");
	assert_true((fd = mkstemp(c->path)) >= 0);
	fflush(stderr);
	c->saved = dup(STDERR_FILENO);
	assert_true(dup2(fd, STDERR_FILENO) == STDERR_FILENO);
	close(fd);
	unsetenv("JOURNAL_STREAM");
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct capture *c = *state;

	dup2(c->saved, STDERR_FILENO);
	close(c->saved);
	unlink(c->path);
	free(c->text);
	free(c);
	unsetenv("JOURNAL_STREAM");
	log_init("test_log", false, LOG_LVL_INFO);
	return 0;
}

/* Read what standard error got so far into c->text. */
static const char *
capture_read(struct capture *c)
{
	FILE *f = fopen(c->path, "r");
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	free(c->text);
	assert_non_null(c->text = calloc(1, (size_t)n + 1));
	assert_int_equal(fread(c->text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return c->text;
}

/* "DEV:INO" of fd, as systemd writes JOURNAL_STREAM. */
static void
dev_ino(int fd, char *out, size_t n)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	snprintf(out, n, "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);
}

static void
journal_stream_match(void **state)
{
	char v[64], w[80];
	struct stat st;

	(void)state;
	dev_ino(STDERR_FILENO, v, sizeof(v));
	assert_true(log_journal_stream_is(v, STDERR_FILENO));
	assert_int_equal(fstat(STDERR_FILENO, &st), 0);
	snprintf(w, sizeof(w), "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino + 1);
	assert_false(log_journal_stream_is(w, STDERR_FILENO));
	snprintf(w, sizeof(w), "%llu:%llu", (unsigned long long)st.st_dev + 1,
	    (unsigned long long)st.st_ino);
	assert_false(log_journal_stream_is(w, STDERR_FILENO));
	snprintf(w, sizeof(w), "%s ", v);
	assert_false(log_journal_stream_is(w, STDERR_FILENO));
	snprintf(w, sizeof(w), "%s:1", v);
	assert_false(log_journal_stream_is(w, STDERR_FILENO));
	snprintf(w, sizeof(w), " %s", v);
	assert_false(log_journal_stream_is(w, STDERR_FILENO));
	assert_false(log_journal_stream_is(NULL, STDERR_FILENO));
	assert_false(log_journal_stream_is("", STDERR_FILENO));
	assert_false(log_journal_stream_is(":", STDERR_FILENO));
	assert_false(log_journal_stream_is("1:", STDERR_FILENO));
	assert_false(log_journal_stream_is(":1", STDERR_FILENO));
	assert_false(log_journal_stream_is("-1:-1", STDERR_FILENO));
	assert_false(log_journal_stream_is("99999999999999999999999:1", STDERR_FILENO));
	assert_false(log_journal_stream_is(v, 12345));   /* not open */
}

static void
journal_lines(void **state)
{
	struct capture *c = *state;
	char v[64];

	dev_ino(STDERR_FILENO, v, sizeof(v));
	setenv("JOURNAL_STREAM", v, 1);
	log_init("test_log", false, LOG_LVL_DEBUG);
	assert_true(log_to_journal());
	log_err("e %d", 1);
	log_warn("w");
	log_notice("decision example.: clear -> observed");
	log_info("i");
	log_debug("d\n<3>forged");
	assert_string_equal(capture_read(c), "<3>e 1\n<4>w\n"
	    "<5>decision example.: clear -> observed\n<6>i\n<7>d <3>forged\n");
	log_set_level(LOG_LVL_WARN);
	log_notice("not shown");
	assert_null(strstr(capture_read(c), "not shown"));
}

static void
terminal_lines(void **state)
{
	struct capture *c = *state;
	char want[64];
	const char *t;

	setenv("JOURNAL_STREAM", "1:1", 1);   /* another file's */
	log_init("test_log", false, LOG_LVL_INFO);
	assert_false(log_to_journal());
	log_warn("w");
	t = capture_read(c);
	/* 2026-12-05T11:20:39.123Z test_log[PID] warn: w */
	snprintf(want, sizeof(want), "Z test_log[%d] warn: w\n", (int)getpid());
	assert_int_equal(strlen(t), 24 + strlen(want) - 1);
	assert_true(t[4] == '-' && t[10] == 'T' && t[19] == '.');
	assert_string_equal(t + 23, want);
	unsetenv("JOURNAL_STREAM");
	log_init("test_log", false, LOG_LVL_INFO);
	assert_false(log_to_journal());
}

static void
names(void **state)
{
	(void)state;
	assert_int_equal(log_level_syslog(LOG_LVL_ERR), LOG_ERR);
	assert_int_equal(log_level_syslog(LOG_LVL_WARN), LOG_WARNING);
	assert_int_equal(log_level_syslog(LOG_LVL_NOTICE), LOG_NOTICE);
	assert_int_equal(log_level_syslog(LOG_LVL_INFO), LOG_INFO);
	assert_int_equal(log_level_syslog(LOG_LVL_DEBUG), LOG_DEBUG);
	assert_int_equal(log_facility_from_name("daemon"), LOG_DAEMON);
	assert_int_equal(log_facility_from_name("local7"), LOG_LOCAL7);
	assert_int_equal(log_facility_from_name("kern"), -1);
	assert_int_equal(log_facility_from_name(""), -1);
}

/* ------------------------------------------------------------ reject_log */

static void
stop_loop(void *arg)
{
	loop_stop(arg);
}

static const unsigned char *
keyn(unsigned n, unsigned char *k)
{
	memset(k, 0x5a, KEY_ID_LEN);
	memcpy(k, &n, sizeof(n));
	return k;
}

static size_t
count(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static void
reject_window(void **state)
{
	struct capture *c = *state;
	struct loop *loop = loop_new();
	struct reject_log *rl;
	unsigned char k[KEY_ID_LEN];
	char line[256];
	const char *t;

	assert_non_null(loop);
	dev_ino(STDERR_FILENO, line, sizeof(line));
	setenv("JOURNAL_STREAM", line, 1);
	log_init("test_log", false, LOG_LVL_INFO);
	assert_non_null(rl = reject_log_new(loop, 20));
	assert_true(reject_log_wants(PROTO_E_UNKNOWN_KEY));
	assert_true(reject_log_wants(PROTO_E_UNTRUSTED_KEY));
	assert_false(reject_log_wants(PROTO_E_BAD_SIGNATURE));
	assert_false(reject_log_wants(PROTO_E_EXPIRED));
	/* key 1 three times (on three links, say), key 2 twice for another
	 * reason, then 40 more keys: 30 named (32 in all), 10 summed */
	for (int i = 0; i < 3; i++)
		reject_log_add(rl, keyn(1, k), PROTO_E_UNKNOWN_KEY, "first");
	reject_log_add(rl, keyn(2, k), PROTO_E_UNTRUSTED_KEY, "not a member");
	reject_log_add(rl, keyn(2, k), PROTO_E_UNTRUSTED_KEY, "later reason");
	for (unsigned i = 100; i < 140; i++)
		reject_log_add(rl, keyn(i, k), PROTO_E_UNKNOWN_KEY, "x");
	assert_string_equal(capture_read(c), "");   /* nothing before the window ends */
	loop_timer_add(loop, 200, stop_loop, loop);
	assert_int_equal(loop_run(loop), 0);
	t = capture_read(c);
	snprintf(line, sizeof(line), "<5>rejected 3 events from non-member ");
	assert_int_equal(count(t, line), 1);
	assert_non_null(strstr(t, "5a5a5a in the last 0 s: unknown_key: first\n"));
	assert_non_null(strstr(t, "<5>rejected 2 events from non-member 02000000"));
	assert_non_null(strstr(t, "in the last 0 s: untrusted_key: not a member\n"));
	assert_null(strstr(t, "later reason"));
	assert_int_equal(count(t, "<5>rejected 1 events from non-member "), 30);
	assert_non_null(strstr(t, "<5>rejected 10 events from further non-member keys "
	    "in the last 0 s (the first 32 keys are named)\n"));
	assert_int_equal(count(t, "\n"), 33);
	/* a new window; its counts are logged when it is freed (a stop) */
	reject_log_add(rl, keyn(1, k), PROTO_E_UNKNOWN_KEY, "again");
	reject_log_free(rl);
	t = capture_read(c);
	assert_int_equal(count(t, "\n"), 34);
	assert_non_null(strstr(t, "<5>rejected 1 events from non-member 01000000"));
	assert_non_null(strstr(t, ": unknown_key: again\n"));
	reject_log_flush(NULL);
	reject_log_free(NULL);
	loop_free(loop);
}

/* Nothing counted: the timer never runs and free logs nothing. */
static void
reject_nothing(void **state)
{
	struct capture *c = *state;
	struct loop *loop = loop_new();
	struct reject_log *rl = reject_log_new(loop, 10);

	assert_non_null(rl);
	reject_log_flush(rl);
	reject_log_free(rl);
	assert_string_equal(capture_read(c), "");
	loop_free(loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(journal_stream_match, setup, teardown),
		cmocka_unit_test_setup_teardown(journal_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(terminal_lines, setup, teardown),
		cmocka_unit_test(names),
		cmocka_unit_test_setup_teardown(reject_window, setup, teardown),
		cmocka_unit_test_setup_teardown(reject_nothing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
