/*
 * tests/unit/test_mattermost_form.c — the slash command's form decoding
 * (relay/http/form.c) and the secret files (relay/core/secretfile.c).
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

/* ---------------------------------------------------------------- form */

static void
test_form(void **state)
{
	const char body[] = "token=abc%2Bdef&team_id=t1&text=status+de.+--public"
	    "&user_name=j%C3%B6rg&empty=&flag";
	char out[64];

	(void)state;
	assert_int_equal(form_value(body, strlen(body), "token", out, sizeof(out)), 1);
	assert_string_equal(out, "abc+def");
	assert_int_equal(form_value(body, strlen(body), "text", out, sizeof(out)), 1);
	assert_string_equal(out, "status de. --public");
	assert_int_equal(form_value(body, strlen(body), "user_name", out, sizeof(out)), 1);
	assert_string_equal(out, "j\xc3\xb6rg");
	assert_int_equal(form_value(body, strlen(body), "empty", out, sizeof(out)), 1);
	assert_string_equal(out, "");
	assert_int_equal(form_value(body, strlen(body), "flag", out, sizeof(out)), 1);
	assert_int_equal(form_value(body, strlen(body), "missing", out, sizeof(out)), 0);
	assert_string_equal(out, "");
	/* the body need not be terminated: a name cut by len is not found */
	assert_int_equal(form_value(body, 5, "token", out, sizeof(out)), 1);
	assert_string_equal(out, "");
	/* refusals */
	assert_int_equal(form_value("token=a&token=b", 15, "token", out, sizeof(out)), -1);
	assert_int_equal(form_value("token=%zz", 9, "token", out, sizeof(out)), -1);
	assert_int_equal(form_value("token=%4", 8, "token", out, sizeof(out)), -1);
	assert_int_equal(form_value("token=a%00b", 11, "token", out, sizeof(out)), -1);
	assert_int_equal(form_value("token=abcdefgh", 14, "token", out, 8), -1);
	assert_int_equal(form_value("token=abcdefg", 13, "token", out, 8), 1);
	/* an encoded name matches; a malformed other pair does not matter */
	assert_int_equal(form_value("to%6Ben=x&y=%zz", 15, "token", out, sizeof(out)), 1);
	assert_string_equal(out, "x");
}

/* --------------------------------------------------------- secret files */

static void
test_secretfile(void **state)
{
	char dir[] = "/tmp/ntarelay-test-mm-XXXXXX", path[64], err[512], *s;
	size_t len;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/token", dir);
	f = fopen(path, "w");
	fputs("  s3cr3t-token \nsecond line\n", f);
	fclose(f);
	chmod(path, 0600);
	assert_int_equal(secretfile_read(path, 0, &s, &len, err, sizeof(err)), 0);
	assert_string_equal(s, "s3cr3t-token");
	assert_int_equal(len, 12);
	secretfile_free(s);
	chmod(path, 0640);
	assert_int_equal(secretfile_read(path, 0, &s, &len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too open"));
	assert_null(strstr(err, "s3cr3t"));
	assert_int_equal(secretfile_read(path, SECRETFILE_GROUP_READ, &s, NULL, err,
	    sizeof(err)), 0);
	secretfile_free(s);
	chmod(path, 0660);
	assert_int_equal(secretfile_read(path, SECRETFILE_GROUP_READ, &s, NULL, err,
	    sizeof(err)), -1);
	chmod(path, 0604);
	assert_int_equal(secretfile_read(path, SECRETFILE_GROUP_READ, &s, NULL, err,
	    sizeof(err)), -1);
	f = fopen(path, "w");
	fputs("two words\n", f);
	fclose(f);
	chmod(path, 0600);
	assert_int_equal(secretfile_read(path, 0, &s, NULL, err, sizeof(err)), -1);
	assert_null(strstr(err, "two"));
	f = fopen(path, "w");
	fclose(f);
	assert_int_equal(secretfile_read(path, 0, &s, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no secret"));
	unlink(path);
	assert_int_equal(secretfile_read(path, 0, &s, NULL, err, sizeof(err)), -1);
	secretfile_free(NULL);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_secretfile),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
