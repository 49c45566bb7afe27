/*
 * tests/unit/test_config_docs.c — the shipped example configuration loads, and the
 * manual page documents every key and what a reload changes.
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

static int
load_text_extra(const char *extra)
{
	char text[8192];

	snprintf(text, sizeof(text), "%s%s", MINIMAL, extra);
	return load_text(text);
}

/* Read a file of the source tree (srcdir as make check sets it). */
static char *
source_file(const char *rel, char *path, size_t cap)
{
	const char *srcdir = getenv("srcdir");
	FILE *fp;
	char *buf;
	long n;

	snprintf(path, cap, "%s/%s", srcdir ? srcdir : ".", rel);
	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	return buf;
}

/* The example shipped in docs/ parses; its files are not there. */
static void
example_file(void **state)
{
	char path[PATH_MAX];
	char *text = source_file("docs/ntarelay.conf.example", path, sizeof(path));

	(void)state;
	if (text == NULL)
		skip();
	free(text);
	if (config_load(path, &cfg, err, sizeof(err)) != 0)
		fail_msg("example refused: %s", err);
	assert_string_equal(cfg.net, "example-dnsops");
	assert_int_equal(cfg.nlinks, 2);
	assert_int_equal(cfg.links[0].port, 1883);
	assert_true(cfg.links[1].tls);
	assert_int_equal(cfg.links[1].port, 8883);
	assert_string_equal(cfg.http_listen, "127.0.0.1:8053");
	assert_int_equal(cfg.nwatch, 2);
	assert_int_equal(cfg.watch_nnames[0], 2);
	assert_string_equal(cfg.watch_names[cfg.watch_name0[0]], "nic.de.");
	assert_string_equal(cfg.watch_names[cfg.watch_name0[0] + 1], "www.denic.de.");
}

/* ntarelay.conf(5) documents every key (config.h: "the two must agree"). */
/* Every key of the table has its paragraph in ntarelay.conf(5). */
static void
man_page_keys(void **state)
{
	char path[PATH_MAX], want[64], want2[64];
	char *man = source_file("docs/man/ntarelay.conf.5", path, sizeof(path));

	(void)state;
	if (man == NULL)
		skip();
	for (size_t i = 0; i < config_nkeys; i++) {
		const char *name = config_keys[i].name;

		snprintf(want, sizeof(want), ".TP\n.BI %s ", name);
		snprintf(want2, sizeof(want2), ".TP\n.BR %s ", name);
		if (strstr(man, want) == NULL && strstr(man, want2) == NULL)
			fail_msg("ntarelay.conf(5) does not document '%s'", name);
		/* and the parser knows it */
		snprintf(want, sizeof(want), "%s ?\n", name);
		if (load_text_extra(want) != 0 && strstr(err, "unknown key") != NULL)
			fail_msg("the parser does not know '%s'", name);
	}
	free(man);
}

/*
 * ntarelayd(8), SIGNALS, names the keys a SIGHUP applies ("... take effect
 * at once"): exactly the keys the table flags F_RELOAD (the veto_ keys as
 * "the veto_ keys").
 */
static void
man_page_reload(void **state)
{
	char path[PATH_MAX], want[64], want2[64];
	char *man = source_file("docs/man/ntarelayd.8", path, sizeof(path));
	char *start, *end;

	(void)state;
	if (man == NULL)
		skip();
	start = strstr(man, ".SH SIGNALS\n");
	assert_non_null(start);
	start = strstr(start, ".B SIGHUP\n");
	assert_non_null(start);
	end = strstr(start, "take effect at once");
	assert_non_null(end);
	*end = '\0';
	for (size_t i = 0; i < config_nkeys; i++) {
		const char *name = config_keys[i].name;
		bool named;

		snprintf(want, sizeof(want), " %s\n", name);
		snprintf(want2, sizeof(want2), " %s ,\n", name);
		named = strstr(start, want) != NULL || strstr(start, want2) != NULL ||
		    (strncmp(name, "veto_", 5) == 0 && strstr(start, "veto_") != NULL);
		if (named != !!(config_keys[i].flags & F_RELOAD)) {
			print_error("ntarelayd(8) SIGHUP and the key table disagree "
			    "on '%s'\n", name);
			fail();
		}
	}
	free(man);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(example_file),
		cmocka_unit_test(man_page_keys),
		cmocka_unit_test(man_page_reload),
	};
	return cmocka_run_group_tests_name("config_docs", tests, setup, teardown);
}
