/*
 * tests/vectors/vector.h — load and run one protocol test vector.
 *
 * A case is a directory holding envelope.json (the exact bytes) and expect
 * ("key value" lines; see docs/PROTOCOL.md, "Test vectors"). Keys are the
 * .pub files of tests/vectors/keys/.
 */
#ifndef NTARELAY_TESTS_VECTOR_H
#define NTARELAY_TESTS_VECTOR_H

#include <stdbool.h>

#include "proto/key.h"

#define VECTOR_KEYS_MAX 16

struct vector_keys {
	struct key_public pub[VECTOR_KEYS_MAX];
	int n;
};

struct vector {
	char dir[1024];
	char description[256];
	char result[64];      /* expected: accept, seq_gap or an error name */
	char id[KEY_ID_HEX_LEN + 1]; /* expected id, "" if not an envelope */
	char net[64];
	bool raw;
	long long now, skew;
	bool has_head;
	long long head_seq;
	char head_id[KEY_ID_HEX_LEN + 1];
	char known_id[KEY_ID_HEX_LEN + 1];
	bool gap;
	char below_id[KEY_ID_HEX_LEN + 1];  /* id held at seq - 1 */
	char above_prev[KEY_ID_HEX_LEN + 1];/* prev of the event held at seq + 1 */
};

/* Load every .pub in dir. Returns 0 or -1 (message on stderr). */
int vector_load_keys(const char *dir, struct vector_keys *keys);

/* Parse dir/expect. Returns 0 or -1 (message on stderr). */
int vector_load(const char *dir, struct vector *v);

/*
 * Run the case: fills got (result name) and got_id (event id or "").
 * got_reason gets the library's reason text. Returns 0, -1 on I/O error.
 */
int vector_run(const struct vector *v, const struct vector_keys *keys,
    char got[64], char got_id[KEY_ID_HEX_LEN + 1], char got_reason[256]);

#endif
