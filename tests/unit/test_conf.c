/*
 * tests/unit/test_conf.c — lib/conf_client.h against the relay's own
 * reader (relay/core/config.h): for each file below, a file the relay
 * takes gives the client the same socket, address, port and token file;
 * a file that is wrong in a key the client reads gives the client the
 * relay's message, word for word. Then what only the client does: it
 * skips the keys it does not read, and still needs store and http_listen.
 * And conf_watch_name(), the names of a watch line.
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

#include "lib/conf_client.h"
#include "relay/core/config.h"

static char dir[] = "/tmp/ntarelay-test-conf-XXXXXX";
static char conf[256];
static struct relay_config cfg;     /* large: not on the stack */
static struct conf_client cc;

#define HEAD \
	"net testnet\n" \
	"key relay.key\n" \
	"cert relay.cert\n" \
	"trustdb trust.db\n" \
	"link mqtt://127.0.0.1:1883\n"

static void
write_conf(const char *text, size_t len)
{
	FILE *fp;

	unlink(conf);
	fp = fopen(conf, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* Both readers on text: both succeed with the same values, or both fail
 * with the same message. Returns whether they succeeded. */
static bool
same(const char *text, size_t len)
{
	char e1[CONFIG_ERR_MAX] = "", e2[CONF_ERR_MAX] = "";
	int r1, r2;

	write_conf(text, len);
	r1 = config_load(conf, &cfg, e1, sizeof(e1));
	r2 = conf_client_load(conf, &cc, e2, sizeof(e2));
	if (r1 != r2)
		fail_msg("relay %d (%s), client %d (%s) on:\n%s", r1, e1, r2, e2, text);
	if (r1 != 0) {
		assert_string_equal(e2, e1);
		return false;
	}
	assert_string_equal(cc.path, cfg.path);
	assert_string_equal(cc.control_socket, cfg.control_socket);
	assert_string_equal(cc.http_listen, cfg.http_listen);
	assert_string_equal(cc.http_addr, cfg.http_addr);
	assert_int_equal(cc.http_port, cfg.http_port);
	assert_string_equal(cc.http_token_file, cfg.http_token_file);
	return true;
}

static bool
same_text(const char *text)
{
	return same(text, strlen(text));
}

static void
test_valid(void **state)
{
	static const char *const files[] = {
		HEAD "store store.db\nhttp_listen 127.0.0.1:8053\n",
		HEAD "store /var/lib/x/store.db\nhttp_listen [::1]:8053\n",
		"\xef\xbb\xbf" HEAD "store s.db\r\nhttp_listen 10.0.0.1:1\r\n",
		HEAD "# a comment\n\n  store   sub/store.db  \nhttp_listen 0.0.0.0:65535\n"
		    "http_token_file token\ncontrol_socket /run/x.sock\n",
		HEAD "store store.db\nhttp_listen 127.0.0.1:8053\ncontrol_socket\n",
		HEAD "store store.db\nhttp_listen 127.0.0.1:8053\n"
		    "control_socket my socket\nhttp_token_file /etc/a b\n",
		HEAD "store store.db\nhttp_listen [2001:db8::1]:80\n"
		    "log_level debug\nwatch example. www\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		assert_true(same_text(files[i]));
	/* the default socket lies beside the store; "" is off */
	same_text(files[0]);
	assert_non_null(strstr(cc.control_socket, "/control.sock"));
	same_text(files[4]);
	assert_string_equal(cc.control_socket, "");
	same_text(files[1]);
	assert_string_equal(cc.control_socket, "/var/lib/x/control.sock");
	assert_string_equal(cc.http_addr, "::1");
}

static void
test_errors(void **state)
{
	static const char *const files[] = {
		HEAD "http_listen 127.0.0.1:8053\n",                  /* no store */
		HEAD "store s.db\n",                                  /* no listen */
		HEAD "store s.db\nhttp_listen\n",
		HEAD "store s.db\nhttp_listen 127.0.0.1:8053\nhttp_listen 127.0.0.1:8054\n",
		HEAD "store s.db\nstore t.db\nhttp_listen 127.0.0.1:8053\n",
		HEAD "store s.db\nhttp_listen 127.0.0.1:8053 # here\n",
		HEAD "store s.db\nhttp_listen localhost:8053\n",
		HEAD "store s.db\nhttp_listen 127.0.0.1\n",
		HEAD "store s.db\nhttp_listen 127.0.0.300:1\n",
		HEAD "store s.db\nhttp_listen ::1:8053\n",
		HEAD "store s.db\nhttp_listen [::1\n",
		HEAD "store s.db\nhttp_listen []:1\n",
		HEAD "store s.db\nhttp_listen [::g]:1\n",
		HEAD "store s.db\nhttp_listen [::1]x\n",
		HEAD "store s.db\nhttp_listen 127.0.0.1:\n",
		HEAD "store s.db\nhttp_listen 127.0.0.1:http\n",
		HEAD "store s.db\nhttp_listen 127.0.0.1:70000\n",
		HEAD "store s.db\nhttp_listen 127.0.0.1:0\n",
		HEAD "store s.db\nhttp_listen :8053\n",
		HEAD "store s.db\nhttp_listen -bad-:8053\n",
		HEAD "store s.db\nhttp_listen 1234567890123456789012345678901234567890"
		    "1234567890123456789012345678901234567890:1\n",
		HEAD "store s.db\nhttp_listen 127.0.0.1:8053\nhttp_token_file\n",
		HEAD "store s.db\nhttp_listen 127.0.0.1:8053\ncontrol_socket /"
		    "0123456789012345678901234567890123456789"
		    "0123456789012345678901234567890123456789"
		    "0123456789012345678901234567890123456789\n",
		HEAD "store s.db\nhttp_listen 127.0.0.1:8053\n\x01\n",
		HEAD "store s.db\nhttp_listen 127.0.0.1:8053\x7f\n",
	};
	char nul[] = HEAD "store s.db\nhttp_listen 127.0.0.1:8053\nx\0y\n";
	char *long_line;

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		assert_false(same_text(files[i]));
	assert_false(same(nul, sizeof(nul) - 1));
	long_line = malloc(CONF_LINE_MAX + 100);
	assert_non_null(long_line);
	memset(long_line, 'a', CONF_LINE_MAX + 99);
	long_line[CONF_LINE_MAX + 99] = '\0';
	assert_false(same_text(long_line));
	free(long_line);
}

static void
test_missing_file(void **state)
{
	char e1[CONFIG_ERR_MAX], e2[CONF_ERR_MAX], path[300];

	(void)state;
	snprintf(path, sizeof(path), "%s/none.conf", dir);
	assert_int_equal(config_load(path, &cfg, e1, sizeof(e1)), -1);
	assert_int_equal(conf_client_load(path, &cc, e2, sizeof(e2)), -1);
	assert_string_equal(e2, e1);
	assert_int_equal(config_load(dir, &cfg, e1, sizeof(e1)), -1);
	assert_int_equal(conf_client_load(dir, &cc, e2, sizeof(e2)), -1);
	assert_string_equal(e2, e1);
}

/* Keys the client does not read are the relay's to judge. */
static void
test_client_only(void **state)
{
	char e[CONF_ERR_MAX];
	static const char text[] = "store s.db\nhttp_listen 127.0.0.1:8053\n"
	    "no_such_key x\nnet BAD NET\n";

	(void)state;
	write_conf(text, strlen(text));
	assert_int_equal(conf_client_load(conf, &cc, e, sizeof(e)), 0);
	assert_int_equal(cc.http_port, 8053);
	assert_int_equal(config_load(conf, &cfg, e, sizeof(e)), -1);
}

static void
test_watch_name(void **state)
{
	char out[ZONE_TEXT_MAX + 1];
	const char *why = NULL;

	(void)state;
	assert_int_equal(conf_watch_name("example.", "www", out, &why), 0);
	assert_string_equal(out, "www.example.");
	assert_int_equal(conf_watch_name("example.", "@", out, &why), 0);
	assert_string_equal(out, "example.");
	assert_int_equal(conf_watch_name("example.", "A.Example.", out, &why), 0);
	assert_string_equal(out, "a.example.");
	assert_int_equal(conf_watch_name(".", "de", out, &why), 0);
	assert_string_equal(out, "de.");
	assert_int_equal(conf_watch_name("example.", "other.", out, &why), -1);
	assert_string_equal(why, "not the zone nor a name below it");
	assert_int_equal(conf_watch_name("example.", "", out, &why), -1);
	assert_string_equal(why, "empty name");
}

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(conf, sizeof(conf), "%s/ntarelay.conf", dir);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[400];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_client_only),
		cmocka_unit_test(test_watch_name),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
