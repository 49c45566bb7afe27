/*
 * tests/unit/test_key.c — key files: formats, permissions, round trips.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "proto/encoding.h"
#include "proto/key.h"

static char dir[] = "/tmp/ntarelay-test-key-XXXXXX";

static enum proto_err
parse(const char *text, struct key_public *pub)
{
	char reason[PROTO_REASON_MAX];
	return key_public_parse(text, strlen(text), pub, reason);
}

static void
pub_formats(void **state)
{
	struct key_public pub, pub2;
	char line[256];
	struct key_secret *sk = key_secret_generate("alice", false);

	(void)state;
	assert_int_equal(key_public_format(key_secret_public(sk), line, sizeof(line)), 0);
	assert_int_equal(parse(line, &pub), PROTO_OK);
	assert_memory_equal(pub.pk, key_secret_public(sk)->pk, KEY_PUBLIC_LEN);
	assert_memory_equal(pub.id, key_secret_public(sk)->id, KEY_ID_LEN);
	assert_string_equal(pub.name, "alice");
	line[strlen(line) - 1] = '\0'; /* no newline is fine */
	assert_int_equal(parse(line, &pub2), PROTO_OK);
	key_secret_free(sk);

	/* wrong tag, wrong length, bad base64, bad name, extra tokens */
	assert_int_not_equal(parse("ssh-ed25519 AAAA x", &pub), PROTO_OK);
	assert_int_not_equal(parse("ntarelay-ed25519 AAAA x", &pub), PROTO_OK);
	assert_int_not_equal(parse("ntarelay-ed25519 !!!! x", &pub), PROTO_OK);
	assert_int_not_equal(parse("ntarelay-ed25519 "
	    "qvLBmoo0lfGxraeV8Xkwc6sHnSAjNU84lYt+68qNJ3E= bad/name", &pub), PROTO_OK);
	assert_int_not_equal(parse("ntarelay-ed25519 "
	    "qvLBmoo0lfGxraeV8Xkwc6sHnSAjNU84lYt+68qNJ3E= a b", &pub), PROTO_OK);
	assert_int_not_equal(parse("ntarelay-ed25519 "
	    "qvLBmoo0lfGxraeV8Xkwc6sHnSAjNU84lYt+68qNJ3E= a\nsecond", &pub), PROTO_OK);
	/* 33 bytes */
	assert_int_not_equal(parse("ntarelay-ed25519 "
	    "qvLBmoo0lfGxraeV8Xkwc6sHnSAjNU84lYt+68qNJ3EA a", &pub), PROTO_OK);
	assert_int_equal(parse("ntarelay-ed25519 "
	    "qvLBmoo0lfGxraeV8Xkwc6sHnSAjNU84lYt+68qNJ3E= a", &pub), PROTO_OK);
}

static void
secret_roundtrip_and_perms(void **state)
{
	char path[256], reason[PROTO_REASON_MAX];
	struct key_secret *sk = key_secret_generate("relay1", true), *back = NULL;
	unsigned char sig1[KEY_SIG_LEN], sig2[KEY_SIG_LEN];
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/k.key", dir);
	assert_int_equal(key_secret_save(sk, path, reason), PROTO_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* never overwrite */
	assert_int_equal(key_secret_save(sk, path, reason), PROTO_E_IO);
	assert_int_equal(key_secret_load(path, &back, reason), PROTO_OK);
	assert_true(key_secret_is_root(back));
	assert_memory_equal(key_secret_public(back)->pk, key_secret_public(sk)->pk,
	    KEY_PUBLIC_LEN);
	key_secret_sign(sk, (unsigned char *)"m", 1, sig1);
	key_secret_sign(back, (unsigned char *)"m", 1, sig2);
	assert_memory_equal(sig1, sig2, KEY_SIG_LEN);
	key_secret_free(back);
	back = NULL;

	chmod(path, 0640);
	assert_int_equal(key_secret_load(path, &back, reason), PROTO_E_IO);
	assert_non_null(strstr(reason, "too open"));
	assert_null(back);
	chmod(path, 0604);
	assert_int_equal(key_secret_load(path, &back, reason), PROTO_E_IO);
	chmod(path, 0400);
	assert_int_equal(key_secret_load(path, &back, reason), PROTO_OK);
	key_secret_free(back);
	key_secret_free(sk);
	unlink(path);
}

static void
secret_bad_files(void **state)
{
	static const char *bad[] = {
		"",
		"ntarelay-ed25519-secret\n",
		"ntarelay-ed25519-secret AAAA name\n",
		"ntarelay-ed25519 qvLBmoo0lfGxraeV8Xkwc6sHnSAjNU84lYt+68qNJ3E= name\n",
		"ntarelay-ed25519-secret qvLBmoo0lfGxraeV8Xkwc6sHnSAjNU84lYt+68qNJ3E= name admin\n",
		"ntarelay-ed25519-secret qvLBmoo0lfGxraeV8Xkwc6sHnSAjNU84lYt+68qNJ3E= na/me\n",
	};
	char path[256], reason[PROTO_REASON_MAX];
	struct key_secret *sk;

	(void)state;
	snprintf(path, sizeof(path), "%s/bad.key", dir);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FILE *f = fopen(path, "w");
		fputs(bad[i], f);
		fclose(f);
		chmod(path, 0600);
		assert_int_not_equal(key_secret_load(path, &sk, reason), PROTO_OK);
		assert_null(sk);
		unlink(path);
	}
	assert_int_equal(key_secret_load("/nonexistent/x.key", &sk, reason), PROTO_E_IO);
}

static void
key_arg(void **state)
{
	char reason[PROTO_REASON_MAX], hex[65];
	struct key_public pub;
	bool has;

	(void)state;
	memset(hex, 'a', 64);
	hex[64] = '\0';
	assert_int_equal(key_arg_parse(hex, &pub, &has, reason), PROTO_OK);
	assert_false(has);
	assert_int_equal(pub.id[0], 0xaa);
	assert_int_equal(key_arg_parse("/nonexistent.pub", &pub, &has, reason), PROTO_E_IO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pub_formats),
		cmocka_unit_test(secret_roundtrip_and_perms),
		cmocka_unit_test(secret_bad_files),
		cmocka_unit_test(key_arg),
	};
	int rc;

	if (sodium_init() < 0 || mkdtemp(dir) == NULL)
		return 1;
	rc = cmocka_run_group_tests_name("key", tests, NULL, NULL);
	rmdir(dir);
	return rc;
}
