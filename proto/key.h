/*
 * proto/key.h — Ed25519 keys, key ids and the key file formats.
 *
 * Key id: lowercase hex of SHA-256 over the 32 raw public key bytes. An
 * operator id is the key id of the operator's root key.
 *
 * PREFIX.pub holds one line:  ntarelay-ed25519 <base64 public key> <NAME>
 * PREFIX.key holds one line:  ntarelay-ed25519-secret <base64 seed> <NAME> [root]
 * where the seed is the 32-byte Ed25519 seed. A secret key file readable or
 * writable by group or others is refused, as ssh refuses such files.
 *
 * Secret keys live in sodium_malloc'd memory (guarded, locked, zeroed on
 * free) and are never printed by this module.
 */
#ifndef NTARELAY_PROTO_KEY_H
#define NTARELAY_PROTO_KEY_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/error.h"

#define KEY_PUBLIC_LEN 32
#define KEY_SECRET_LEN 64
#define KEY_SEED_LEN 32
#define KEY_ID_LEN 32
#define KEY_ID_HEX_LEN 64
#define KEY_SIG_LEN 64
#define KEY_NAME_MAX 63
#define KEY_FILE_MAX 4096

struct key_public {
	unsigned char pk[KEY_PUBLIC_LEN];
	unsigned char id[KEY_ID_LEN];
	char name[KEY_NAME_MAX + 1];
};

/* Opaque: lives in guarded memory. */
struct key_secret;

/* id = SHA-256(pk). */
void key_id_of(const unsigned char pk[KEY_PUBLIC_LEN], unsigned char id[KEY_ID_LEN]);

/* True when name is 1..63 chars of [A-Za-z0-9._@-]. */
bool key_name_valid(const char *name);

/* Parse the text of a .pub file (one line, trailing newline allowed).
 * Fills *out. reason names what was wrong. */
enum proto_err key_public_parse(const char *text, size_t len,
    struct key_public *out, char *reason);

/* Read and parse a .pub file. */
enum proto_err key_public_load(const char *path, struct key_public *out,
    char *reason);

/* Format the .pub line (with trailing newline) into buf. Returns 0, or -1
 * if cap is too small. */
int key_public_format(const struct key_public *pub, char *buf, size_t cap);

/* New key pair in guarded memory; NULL on allocation failure. */
struct key_secret *key_secret_generate(const char *name, bool root);

/* Key pair from a 32-byte seed (test vectors); NULL on failure. */
struct key_secret *key_secret_from_seed(const unsigned char seed[KEY_SEED_LEN],
    const char *name, bool root);

/* Load a .key file: refuses group/world access, bad format, wrong length. */
enum proto_err key_secret_load(const char *path, struct key_secret **out,
    char *reason);

/* Write PREFIX.key (mode 0600, must not exist yet). */
enum proto_err key_secret_save(const struct key_secret *sk, const char *path,
    char *reason);

/* Zero and free; NULL allowed. */
void key_secret_free(struct key_secret *sk);

/* Borrowed views of the key pair. */
const struct key_public *key_secret_public(const struct key_secret *sk);
bool key_secret_is_root(const struct key_secret *sk);

/* Sign msg; sig receives KEY_SIG_LEN bytes. */
void key_secret_sign(const struct key_secret *sk, const unsigned char *msg,
    size_t len, unsigned char sig[KEY_SIG_LEN]);

/*
 * Parse a KEY argument as the CLI takes it: a path to a .pub file, or a key id
 * (64 lowercase hex). With a key id, out->pk is left zero and *has_pk false.
 */
enum proto_err key_arg_parse(const char *arg, struct key_public *out,
    bool *has_pk, char *reason);

#endif
