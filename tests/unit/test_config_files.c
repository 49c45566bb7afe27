/*
 * tests/unit/test_config_files.c — config_check_files(): the files ntarelay.conf
 * names exist, are readable, secrets are private, credentials well formed.
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

static void
write_text(const char *name, const char *text, mode_t mode)
{
	write_bytes(in_dir(name), text, strlen(text), mode);
}

/* ---- config_check_files ---------------------------------------------- */

static void
make_key(const char *name, bool root, mode_t mode)
{
	char reason[PROTO_REASON_MAX];
	struct key_secret *sk = key_secret_generate("relay", root);

	assert_non_null(sk);
	unlink(in_dir(name));
	assert_int_equal(key_secret_save(sk, in_dir(name), reason), PROTO_OK);
	key_secret_free(sk);
	assert_int_equal(chmod(in_dir(name), mode), 0);
}

static int
check(const char *extra)
{
	expect_extra_ok(extra);
	err[0] = '\0';
	return config_check_files(&cfg, err, sizeof(err));
}

static void
expect_check_error(const char *extra, const char *msg)
{
	char want[CONFIG_ERR_MAX + PATH_MAX];

	snprintf(want, sizeof(want), "%s:%s", conf, msg);
	if (check(extra) == 0)
		fail_msg("files accepted, expected \"%s\"", want);
	assert_string_equal(err, want);
}

static void
file_checks(void **state)
{
	char want[2048];

	(void)state;
	make_key("relay.key", false, 0600);
	write_text("relay.cert", "{\"payload\":\"...\"}\n", 0644);
	unlink(in_dir("store.db"));
	unlink(in_dir("trust.db"));
	if (check("") != 0)
		fail_msg("refused: %s", err);

	/* the secret key: permissions, presence, format */
	chmod(in_dir("relay.key"), 0640);
	snprintf(want, sizeof(want), "2: key: %s: permissions 0640 are too open: a "
	    "secret key must not be accessible by group or others (chmod 600)",
	    in_dir("relay.key"));
	expect_check_error("", want);
	chmod(in_dir("relay.key"), 0600);
	snprintf(want, sizeof(want), "8: key given twice (first on line 2)");
	expect_extra_error("key other.key\n", want);
	write_text("garbage.key", "not a key\n", 0600);
	assert_int_equal(load_text("net testnet\nkey garbage.key\ncert relay.cert\n"
	    "trustdb trust.db\nstore store.db\nlink mqtt://h\nhttp_listen 127.0.0.1:1\n"), 0);
	assert_int_equal(config_check_files(&cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":2: key: "));
	assert_non_null(strstr(err, "expected 'ntarelay-ed25519-secret"));
	assert_int_equal(load_text("net testnet\nkey none.key\ncert relay.cert\n"
	    "trustdb trust.db\nstore store.db\nlink mqtt://h\nhttp_listen 127.0.0.1:1\n"), 0);
	assert_int_equal(config_check_files(&cfg, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: key: %s: No such file or directory",
	    conf, in_dir("none.key"));
	assert_string_equal(err, want);

	/* cert: empty only for a root key; present, at most 64 KiB */
	assert_int_equal(load_text("net testnet\nkey relay.key\ncert\n"
	    "trustdb trust.db\nstore store.db\nlink mqtt://h\nhttp_listen 127.0.0.1:1\n"), 0);
	assert_int_equal(config_check_files(&cfg, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:3: cert: empty, but %s is not a root key: "
	    "name the key_cert file that certifies it (ntactl cert)", conf,
	    in_dir("relay.key"));
	assert_string_equal(err, want);
	make_key("root.key", true, 0600);
	assert_int_equal(load_text("net testnet\nkey root.key\ncert\n"
	    "trustdb trust.db\nstore store.db\nlink mqtt://h\nhttp_listen 127.0.0.1:1\n"), 0);
	if (config_check_files(&cfg, err, sizeof(err)) != 0)
		fail_msg("root key without cert refused: %s", err);

	unlink(in_dir("relay.cert"));
	snprintf(want, sizeof(want), "3: cert: %s: No such file or directory",
	    in_dir("relay.cert"));
	expect_check_error("", want);
	{
		char *blob = calloc(1, 64 * 1024 + 1);

		assert_non_null(blob);
		memset(blob, 'x', 64 * 1024);
		write_text("relay.cert", blob, 0644);
		assert_int_equal(check(""), 0);           /* exactly 64 KiB */
		blob[64 * 1024] = 'y';
		write_bytes(in_dir("relay.cert"), blob, 64 * 1024 + 1, 0644);
		snprintf(want, sizeof(want), "3: cert: %s: larger than 64 KiB",
		    in_dir("relay.cert"));
		expect_check_error("", want);
		free(blob);
	}
	write_text("relay.cert", "", 0644);
	snprintf(want, sizeof(want), "3: cert: %s: empty", in_dir("relay.cert"));
	expect_check_error("", want);
	write_text("relay.cert", "{}\n", 0000);
	if (geteuid() != 0) {
		snprintf(want, sizeof(want), "3: cert: %s: Permission denied",
		    in_dir("relay.cert"));
		expect_check_error("", want);
	}
	write_text("relay.cert", "{}\n", 0644);

	/* directories of store and trustdb */
	assert_int_equal(load_text("net testnet\nkey relay.key\ncert relay.cert\n"
	    "trustdb trust.db\nstore nodir/s.db\nlink mqtt://h\n"
	    "http_listen 127.0.0.1:1\n"), 0);
	assert_int_equal(config_check_files(&cfg, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:5: store: directory %s/nodir: No such file "
	    "or directory", conf, dir);
	assert_string_equal(err, want);
	write_text("afile", "x", 0644);
	assert_int_equal(load_text("net testnet\nkey relay.key\ncert relay.cert\n"
	    "trustdb afile/t.db\nstore s.db\nlink mqtt://h\n"
	    "http_listen 127.0.0.1:1\n"), 0);
	assert_int_equal(config_check_files(&cfg, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:4: trustdb: %s/afile: not a directory",
	    conf, dir);
	assert_string_equal(err, want);
	assert_int_equal(load_text("net testnet\nkey relay.key\ncert relay.cert\n"
	    "trustdb .\nstore s.db\nlink mqtt://h\nhttp_listen 127.0.0.1:1\n"), 0);
	assert_int_equal(config_check_files(&cfg, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:4: trustdb: %s/.: not a regular file",
	    conf, dir);
	assert_string_equal(err, want);
}

static void
credential_checks(void **state)
{
	char want[2048];

	(void)state;
	make_key("relay.key", false, 0600);
	write_text("relay.cert", "{}\n", 0644);

	write_text("cred", "relay-a:s3cret\n", 0600);
	if (check("link_credentials cred\n") != 0)
		fail_msg("refused: %s", err);
	write_text("cred", "relay-a:s3:cr:et", 0400);     /* no newline, ':' in pw */
	assert_int_equal(check("link_credentials cred\n"), 0);
	write_text("cred", "relay-a:s3cret\r\n", 0600);
	assert_int_equal(check("link_credentials cred\n"), 0);

	write_text("cred", "relay-a:s3cret\n", 0640);
	snprintf(want, sizeof(want), "8: link_credentials: %s: permissions 0640 are "
	    "too open: a secret must not be accessible by group or others (chmod "
	    "600)", in_dir("cred"));
	expect_check_error("link_credentials cred\n", want);
	write_text("cred", "relay-a:s3cret\n", 0604);
	snprintf(want, sizeof(want), "8: link_credentials: %s: permissions 0604 are "
	    "too open: a secret must not be accessible by group or others (chmod "
	    "600)", in_dir("cred"));
	expect_check_error("link_credentials cred\n", want);

	snprintf(want, sizeof(want), "8: link_credentials: %s: expected one line "
	    "USERNAME:PASSWORD", in_dir("cred"));
	{
		static const char *const bad[] = {
			"", "\n", "relay-a\n", ":pw\n", "user:\n", "user:pw\nmore\n",
			"user:pw\n\n", "user:p\tw\n",
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			write_text("cred", bad[i], 0600);
			expect_check_error("link_credentials cred\n", want);
			/* the message never echoes the password */
			assert_null(strstr(err, "pw"));
		}
	}
	{
		char blob[2048];

		memset(blob, 'a', sizeof(blob) - 1);
		blob[sizeof(blob) - 1] = '\0';
		blob[3] = ':';
		write_text("cred", blob, 0600);
		snprintf(want, sizeof(want), "8: link_credentials: %s: too large",
		    in_dir("cred"));
		expect_check_error("link_credentials cred\n", want);
	}
	unlink(in_dir("cred"));
	snprintf(want, sizeof(want), "8: link_credentials: %s: No such file or "
	    "directory", in_dir("cred"));
	expect_check_error("link_credentials cred\n", want);

	/* TLS files */
	write_text("ca.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
	write_text("client.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
	write_text("client.key", "-----BEGIN PRIVATE KEY-----\n", 0640);
	assert_int_equal(check("link mqtts://h\nlink_cafile ca.pem\n"
	    "link_certfile client.pem\nlink_keyfile client.key\n"), 0);
	chmod(in_dir("client.key"), 0644);
	snprintf(want, sizeof(want), "11: link_keyfile: %s: permissions 0644 are "
	    "too open: a private key must not be accessible by others (chmod 640 "
	    "or 600)", in_dir("client.key"));
	expect_check_error("link mqtts://h\nlink_cafile ca.pem\n"
	    "link_certfile client.pem\nlink_keyfile client.key\n", want);
	snprintf(want, sizeof(want), "9: link_cafile: %s: No such file or "
	    "directory", in_dir("none.pem"));
	expect_check_error("link mqtts://h\nlink_cafile none.pem\n", want);
	snprintf(want, sizeof(want), "9: link_certfile: %s: No such file or "
	    "directory", in_dir("none.pem"));
	expect_check_error("link mqtts://h\nlink_certfile none.pem\n"
	    "link_keyfile client.key\n", want);

	/* the HTTP token */
	write_text("token", "0123456789abcdef0123\n", 0600);
	assert_int_equal(check("http_token_file token\n"), 0);
	write_text("token", "short\n", 0600);
	snprintf(want, sizeof(want), "8: http_token_file: %s: expected one line of "
	    "16 to 1024 characters without spaces", in_dir("token"));
	expect_check_error("http_token_file token\n", want);
	write_text("token", "0123456789abcdef0123\n", 0644);
	snprintf(want, sizeof(want), "8: http_token_file: %s: permissions 0644 are "
	    "too open: a secret must not be accessible by group or others (chmod "
	    "600)", in_dir("token"));
	expect_check_error("http_token_file token\n", want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(file_checks),
		cmocka_unit_test(credential_checks),
	};
	return cmocka_run_group_tests_name("config_files", tests, setup, teardown);
}
