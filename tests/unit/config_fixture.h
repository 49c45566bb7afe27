/*
 * tests/unit/config_fixture.h — what the tests/unit/test_config_*.c programs share: a temporary directory
 * with ntarelay.conf, loading text as a configuration, expecting its errors.
 * Included once by each; its definitions are static, and a program may
 * leave some unused.
 */
#ifndef NTARELAY_TESTS_UNIT_CONFIG_FIXTURE_H
#define NTARELAY_TESTS_UNIT_CONFIG_FIXTURE_H

static __attribute__((unused)) char dir[] = "/tmp/ntarelay-test-config-XXXXXX";
static __attribute__((unused)) char conf[256];          /* dir/ntarelay.conf */
static __attribute__((unused)) struct relay_config cfg;      /* large: not on the stack */
static __attribute__((unused)) char err[CONFIG_ERR_MAX];

/* The seven keys a relay runs from; line numbers 1-7. */
#define MINIMAL \
	"net testnet\n" \
	"key relay.key\n" \
	"cert relay.cert\n" \
	"trustdb trust.db\n" \
	"store store.db\n" \
	"link mqtt://127.0.0.1:1883\n" \
	"http_listen 127.0.0.1:8053\n"

static __attribute__((unused)) void
write_bytes(const char *path, const char *data, size_t len, mode_t mode)
{
	FILE *fp;

	unlink(path);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static __attribute__((unused)) const char *
in_dir(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static __attribute__((unused)) int
load_text(const char *text)
{
	write_bytes(conf, text, strlen(text), 0644);
	err[0] = '\0';
	return config_load(conf, &cfg, err, sizeof(err));
}

/* Loading text fails with exactly "CONF:msg" (msg starts at the line). */
static __attribute__((unused)) void
expect_error(const char *text, const char *msg)
{
	char want[CONFIG_ERR_MAX + PATH_MAX];

	snprintf(want, sizeof(want), "%s:%s", conf, msg);
	if (load_text(text) == 0)
		fail_msg("accepted, expected \"%s\"", want);
	assert_string_equal(err, want);
}

/* MINIMAL plus extra lines (line 8 on) fails with msg. */
static __attribute__((unused)) void
expect_extra_error(const char *extra, const char *msg)
{
	char text[8192];

	snprintf(text, sizeof(text), "%s%s", MINIMAL, extra);
	expect_error(text, msg);
}

static __attribute__((unused)) void
expect_extra_ok(const char *extra)
{
	char text[8192];

	snprintf(text, sizeof(text), "%s%s", MINIMAL, extra);
	if (load_text(text) != 0)
		fail_msg("refused: %s", err);
}

static __attribute__((unused)) int
setup(void **state)
{
	(void)state;
	if (sodium_init() < 0 || mkdtemp(dir) == NULL)
		return -1;
	snprintf(conf, sizeof(conf), "%s/ntarelay.conf", dir);
	return 0;
}

static __attribute__((unused)) int
teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

#endif
