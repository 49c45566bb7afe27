/*
 * tests/unit/test_vectors.c — runs every case of tests/vectors/cases as one
 * cmocka test, and checks that the set covers every rejection reason of the
 * protocol layer.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "proto/error.h"
#include "tests/vectors/vector.h"

#define MAX_CASES 512

static struct vector_keys keys;
static struct vector cases[MAX_CASES];
static int ncases;

static void
run_case(void **state)
{
	const struct vector *v = *state;
	char got[64], id[KEY_ID_HEX_LEN + 1], reason[256];

	assert_int_equal(vector_run(v, &keys, got, id, reason), 0);
	if (strcmp(got, v->result) != 0)
		fail_msg("%s: expected %s, got %s (%s)", v->dir, v->result, got, reason);
	assert_string_equal(id, v->id);
}

/* Every rejection the protocol layer can produce appears in some case. */
static void
coverage(void **state)
{
	static const enum proto_err proto_layer[] = {
		PROTO_E_TOO_LARGE, PROTO_E_MALFORMED_JSON, PROTO_E_DUPLICATE_KEY,
		PROTO_E_BAD_ENVELOPE, PROTO_E_BAD_BASE64, PROTO_E_SIGNATURE_COUNT,
		PROTO_E_BAD_KEYID, PROTO_E_UNKNOWN_KEY, PROTO_E_BAD_SIGNATURE,
		PROTO_E_BAD_PAYLOAD_TYPE, PROTO_E_MALFORMED_PAYLOAD,
		PROTO_E_TYPE_MISMATCH, PROTO_E_UNSUPPORTED_VERSION,
		PROTO_E_UNKNOWN_KIND, PROTO_E_MISSING_FIELD, PROTO_E_FIELD_TYPE,
		PROTO_E_FIELD_VALUE, PROTO_E_UNKNOWN_FIELD, PROTO_E_BAD_ZONE,
		PROTO_E_BAD_EVENT_ID, PROTO_E_KEY_MISMATCH, PROTO_E_ORIGIN_MISMATCH,
		PROTO_E_BAD_TIMESTAMPS, PROTO_E_FINGERPRINT_MISMATCH,
		PROTO_E_WRONG_NET, PROTO_E_DUPLICATE, PROTO_E_STALE, PROTO_E_FUTURE,
		PROTO_E_EXPIRED, PROTO_E_LIFETIME_TOO_LONG, PROTO_E_EQUIVOCATION,
	};
	(void)state;
	for (size_t i = 0; i < sizeof(proto_layer) / sizeof(proto_layer[0]); i++) {
		int found = 0;
		for (int c = 0; c < ncases; c++)
			if (strcmp(cases[c].result, proto_errname(proto_layer[i])) == 0)
				found = 1;
		if (!found)
			fail_msg("no vector expects %s", proto_errname(proto_layer[i]));
	}
	assert_true(ncases >= 30);
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(void)
{
	const char *top = getenv("top_srcdir");
	char casedir[1024], keydir[1024], path[2048];
	char *names[MAX_CASES];
	struct CMUnitTest *tests;
	struct dirent *de;
	int nnames = 0, rc;
	DIR *d;

	if (top == NULL)
		top = ".";
	if (sodium_init() < 0)
		return 1;
	snprintf(casedir, sizeof(casedir), "%s/tests/vectors/cases", top);
	snprintf(keydir, sizeof(keydir), "%s/tests/vectors/keys", top);
	if (vector_load_keys(keydir, &keys) != 0 || (d = opendir(casedir)) == NULL) {
		fprintf(stderr, "test_vectors: cannot read %s\n", casedir);
		return 1;
	}
	while ((de = readdir(d)) != NULL && nnames < MAX_CASES)
		if (de->d_name[0] != '.')
			names[nnames++] = strdup(de->d_name);
	closedir(d);
	qsort(names, (size_t)nnames, sizeof(names[0]), cmp_name);

	tests = calloc((size_t)nnames + 1, sizeof(*tests));
	for (int i = 0; i < nnames; i++) {
		snprintf(path, sizeof(path), "%s/%s", casedir, names[i]);
		if (vector_load(path, &cases[ncases]) != 0)
			return 1;
		tests[i] = (struct CMUnitTest){ .name = names[i],
		    .test_func = run_case, .initial_state = &cases[ncases] };
		ncases++;
	}
	tests[nnames] = (struct CMUnitTest){ .name = "vector_coverage",
	    .test_func = coverage };
	rc = _cmocka_run_group_tests("vectors", tests, (size_t)nnames + 1, NULL, NULL);
	for (int i = 0; i < nnames; i++)
		free(names[i]);
	free(tests);
	return rc;
}
