/*
 * tests/unit/test_encoding.c — base64 alphabets and padding, hex.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "proto/encoding.h"

static int
dec(const char *s, unsigned char *out, size_t cap, size_t *n)
{
	return encoding_b64_decode(s, strlen(s), out, cap, n);
}

static void
b64_alphabets(void **state)
{
	unsigned char out[16];
	size_t n;

	(void)state;
	/* 0xfb 0xff = "+/8=" standard, "-_8=" URL-safe */
	assert_int_equal(dec("+/8=", out, sizeof(out), &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(out[0], 0xfb);
	assert_int_equal(out[1], 0xff);
	assert_int_equal(dec("-_8=", out, sizeof(out), &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(out[1], 0xff);
	assert_int_equal(dec("-_8", out, sizeof(out), &n), 0);
	assert_int_equal(dec("+/8", out, sizeof(out), &n), 0);
	/* mixed alphabets */
	assert_int_equal(dec("+_8=", out, sizeof(out), &n), -1);
}

static void
b64_rejects(void **state)
{
	unsigned char out[16];
	size_t n;

	(void)state;
	assert_int_equal(dec("aGVsbG8!", out, sizeof(out), &n), -1);
	assert_int_equal(dec("aGVsb", out, sizeof(out), &n), -1);      /* 5 = 1 mod 4 */
	assert_int_equal(dec("aGVsbG8==", out, sizeof(out), &n), -1);  /* bad padding */
	assert_int_equal(dec("aGV sbG8=", out, sizeof(out), &n), -1);  /* space */
	assert_int_equal(dec("aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ=", out, 4, &n), -1); /* too big */
	assert_int_equal(dec("", out, sizeof(out), &n), 0);
	assert_int_equal(n, 0);
}

static void
b64_roundtrip(void **state)
{
	unsigned char in[64], out[64];
	char text[ENCODING_B64_LEN(64)];
	size_t n;

	(void)state;
	for (size_t len = 0; len < sizeof(in); len++) {
		randombytes_buf(in, len);
		encoding_b64_encode(in, len, text);
		assert_int_equal(strlen(text) % 4, 0);
		assert_int_equal(dec(text, out, sizeof(out), &n), 0);
		assert_int_equal(n, len);
		assert_memory_equal(in, out, len);
	}
}

/* The table decoder for public data accepts exactly what libsodium's
 * constant-time decoder accepts, with the same bytes. */
static void
b64_public_matches(void **state)
{
	static const char al[] = "ABCab01+/-_==";
	unsigned char o1[64], o2[64];
	size_t n1, n2;
	char s[16];

	(void)state;
	for (long it = 0; it < 300000; it++) {
		size_t len = (size_t)randombytes_uniform(12);
		int r1, r2;
		for (size_t i = 0; i < len; i++)
			s[i] = al[randombytes_uniform(sizeof(al) - 1)];
		s[len] = '\0';
		r1 = encoding_b64_decode(s, len, o1, sizeof(o1), &n1);
		r2 = encoding_b64_decode_public(s, len, o2, sizeof(o2), &n2);
		if (r1 != r2 || (r1 == 0 && (n1 != n2 || memcmp(o1, o2, n1) != 0)))
			fail_msg("'%s': sodium %d, public %d", s, r1, r2);
	}
}

static void
hex(void **state)
{
	unsigned char b[2] = { 0xab, 0x01 }, out[2];
	char text[5];
	char id[65];

	(void)state;
	assert_string_equal(encoding_hex_encode(b, 2, text), "ab01");
	assert_int_equal(encoding_hex_decode("ab01", out, 2), 0);
	assert_memory_equal(out, b, 2);
	assert_int_equal(encoding_hex_decode("AB01", out, 2), -1);
	assert_int_equal(encoding_hex_decode("ab0", out, 2), -1);
	assert_int_equal(encoding_hex_decode("ab012", out, 2), -1);
	memset(id, 'a', 64);
	id[64] = '\0';
	assert_true(encoding_is_id_hex(id));
	id[63] = 'g';
	assert_false(encoding_is_id_hex(id));
	id[63] = '\0';
	assert_false(encoding_is_id_hex(id));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(b64_alphabets),
		cmocka_unit_test(b64_rejects),
		cmocka_unit_test(b64_roundtrip),
		cmocka_unit_test(b64_public_matches),
		cmocka_unit_test(hex),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests_name("encoding", tests, NULL, NULL);
}
