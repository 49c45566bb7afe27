/*
 * proto/key.c — key ids, .pub/.key files, signing with guarded secrets.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "proto/encoding.h"
#include "proto/key.h"

struct key_secret {
	unsigned char sk[KEY_SECRET_LEN];
	struct key_public pub;
	bool root;
};

#define PUB_TAG "ntarelay-ed25519"
#define SEC_TAG "ntarelay-ed25519-secret"

void
key_id_of(const unsigned char pk[KEY_PUBLIC_LEN], unsigned char id[KEY_ID_LEN])
{
	crypto_hash_sha256(id, pk, KEY_PUBLIC_LEN);
}

bool
key_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > KEY_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '-' || c == '@'))
			return false;
	}
	return true;
}

/*
 * Split one line into at most 4 space-separated tokens. The line must be
 * printable ASCII; a trailing "\n" (or "\r\n") is allowed, nothing after it.
 */
static int
split_line(char *line, size_t len, char *tok[4], int *ntok)
{
	char *p;

	if (len > 0 && line[len - 1] == '\n')
		line[--len] = '\0';
	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] > 0x7e)
			return -1;
	*ntok = 0;
	for (p = strtok(line, " "); p != NULL; p = strtok(NULL, " ")) {
		if (*ntok == 4)
			return -1;
		tok[(*ntok)++] = p;
	}
	return 0;
}

enum proto_err
key_public_parse(const char *text, size_t len, struct key_public *out,
    char *reason)
{
	char line[KEY_FILE_MAX];
	char *tok[4], *nl;
	size_t n;
	int ntok;

	memset(out, 0, sizeof(*out));
	if (len >= sizeof(line))
		return proto_fail(reason, PROTO_E_FIELD_VALUE,
		    "public key file is longer than %d bytes", KEY_FILE_MAX);
	memcpy(line, text, len);
	line[len] = '\0';
	nl = memchr(line, '\n', len);
	if (memchr(line, '\0', len) != NULL || (nl != NULL && nl != line + len - 1))
		return proto_fail(reason, PROTO_E_FIELD_VALUE,
		    "public key file must hold exactly one line");
	if (split_line(line, len, tok, &ntok) != 0 || ntok != 3)
		return proto_fail(reason, PROTO_E_FIELD_VALUE,
		    "expected '" PUB_TAG " <base64 key> <name>'");
	if (strcmp(tok[0], PUB_TAG) != 0)
		return proto_fail(reason, PROTO_E_FIELD_VALUE,
		    "unknown key type '%.32s' (expected '" PUB_TAG "')", tok[0]);
	if (encoding_b64_decode(tok[1], strlen(tok[1]), out->pk,
	    sizeof(out->pk), &n) != 0)
		return proto_fail(reason, PROTO_E_BAD_BASE64,
		    "public key is not base64");
	if (n != KEY_PUBLIC_LEN)
		return proto_fail(reason, PROTO_E_FIELD_VALUE,
		    "public key is %zu bytes, an Ed25519 key is %d", n,
		    KEY_PUBLIC_LEN);
	if (!key_name_valid(tok[2]))
		return proto_fail(reason, PROTO_E_FIELD_VALUE,
		    "key name must be 1-%d characters of A-Z a-z 0-9 . _ @ -",
		    KEY_NAME_MAX);
	strcpy(out->name, tok[2]);
	key_id_of(out->pk, out->id);
	return PROTO_OK;
}

/* Read a whole small file into buf (NUL-terminated). */
static enum proto_err
read_small(int fd, const char *path, char *buf, size_t cap, size_t *len,
    char *reason)
{
	size_t n = 0;

	for (;;) {
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return proto_fail(reason, PROTO_E_IO, "%s: %s", path,
			    strerror(errno));
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == cap - 1)
			return proto_fail(reason, PROTO_E_FIELD_VALUE,
			    "%s: file is larger than %zu bytes", path, cap - 2);
	}
	buf[n] = '\0';
	*len = n;
	return PROTO_OK;
}

enum proto_err
key_public_load(const char *path, struct key_public *out, char *reason)
{
	char buf[KEY_FILE_MAX + 1];
	char sub[PROTO_REASON_MAX];
	size_t len;
	enum proto_err e;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return proto_fail(reason, PROTO_E_IO, "%s: %s", path,
		    strerror(errno));
	e = read_small(fd, path, buf, sizeof(buf), &len, reason);
	close(fd);
	if (e != PROTO_OK)
		return e;
	if ((e = key_public_parse(buf, len, out, sub)) != PROTO_OK)
		return proto_fail(reason, e, "%s: %s", path, sub);
	return PROTO_OK;
}

int
key_public_format(const struct key_public *pub, char *buf, size_t cap)
{
	char b64[ENCODING_B64_LEN(KEY_PUBLIC_LEN)];
	int n;

	encoding_b64_encode(pub->pk, KEY_PUBLIC_LEN, b64);
	n = snprintf(buf, cap, PUB_TAG " %s %s\n", b64, pub->name);
	return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}

static struct key_secret *
secret_new(const char *name, bool root)
{
	struct key_secret *sk;

	if (!key_name_valid(name))
		return NULL;
	if ((sk = sodium_malloc(sizeof(*sk))) == NULL)
		return NULL;
	memset(sk, 0, sizeof(*sk));
	strcpy(sk->pub.name, name);
	sk->root = root;
	return sk;
}

struct key_secret *
key_secret_from_seed(const unsigned char seed[KEY_SEED_LEN], const char *name,
    bool root)
{
	struct key_secret *sk;

	if ((sk = secret_new(name, root)) == NULL)
		return NULL;
	crypto_sign_seed_keypair(sk->pub.pk, sk->sk, seed);
	key_id_of(sk->pub.pk, sk->pub.id);
	return sk;
}

struct key_secret *
key_secret_generate(const char *name, bool root)
{
	unsigned char seed[KEY_SEED_LEN];
	struct key_secret *sk;

	randombytes_buf(seed, sizeof(seed));
	sk = key_secret_from_seed(seed, name, root);
	sodium_memzero(seed, sizeof(seed));
	return sk;
}

enum proto_err
key_secret_load(const char *path, struct key_secret **out, char *reason)
{
	unsigned char seed[KEY_SEED_LEN];
	char *buf = NULL, *tok[4];
	struct stat st;
	enum proto_err e = PROTO_E_IO;
	size_t len, n;
	int fd = -1, ntok;
	bool root = false;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		e = proto_fail(reason, PROTO_E_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		e = proto_fail(reason, PROTO_E_IO, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		e = proto_fail(reason, PROTO_E_IO,
		    "%s: permissions %04o are too open: a secret key must not "
		    "be accessible by group or others (chmod 600)", path,
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if ((buf = sodium_malloc(KEY_FILE_MAX + 1)) == NULL) {
		e = proto_fail(reason, PROTO_E_NOMEM, "out of memory");
		goto out;
	}
	if ((e = read_small(fd, path, buf, KEY_FILE_MAX + 1, &len, reason)) != PROTO_OK)
		goto out;
	e = PROTO_E_FIELD_VALUE;
	if (memchr(buf, '\0', len) != NULL || split_line(buf, len, tok, &ntok) != 0 ||
	    ntok < 3 || strcmp(tok[0], SEC_TAG) != 0) {
		proto_fail(reason, e, "%s: expected '" SEC_TAG
		    " <base64 seed> <name> [root]'", path);
		goto out;
	}
	if (ntok == 4) {
		if (strcmp(tok[3], "root") != 0) {
			proto_fail(reason, e, "%s: unexpected '%.16s' after the name",
			    path, tok[3]);
			goto out;
		}
		root = true;
	}
	if (encoding_b64_decode(tok[1], strlen(tok[1]), seed, sizeof(seed), &n) != 0 ||
	    n != KEY_SEED_LEN) {
		proto_fail(reason, e, "%s: secret key is not %d bytes of base64",
		    path, KEY_SEED_LEN);
		goto out;
	}
	if (!key_name_valid(tok[2])) {
		proto_fail(reason, e, "%s: invalid key name", path);
		goto out;
	}
	if ((*out = key_secret_from_seed(seed, tok[2], root)) == NULL) {
		e = proto_fail(reason, PROTO_E_NOMEM, "out of memory");
		goto out;
	}
	e = PROTO_OK;
out:
	sodium_memzero(seed, sizeof(seed));
	if (buf)
		sodium_free(buf); /* zeroes */
	if (fd >= 0)
		close(fd);
	return e;
}

enum proto_err
key_secret_save(const struct key_secret *sk, const char *path, char *reason)
{
	char *line = NULL, *b64;
	enum proto_err e = PROTO_E_IO;
	size_t len;
	int fd = -1, n;

	if ((line = sodium_malloc(KEY_FILE_MAX)) == NULL)
		return proto_fail(reason, PROTO_E_NOMEM, "out of memory");
	if ((b64 = sodium_malloc(ENCODING_B64_LEN(KEY_SEED_LEN))) == NULL) {
		sodium_free(line);
		return proto_fail(reason, PROTO_E_NOMEM, "out of memory");
	}
	/* The seed is the first half of libsodium's 64-byte secret key. */
	encoding_b64_encode(sk->sk, KEY_SEED_LEN, b64);
	n = snprintf(line, KEY_FILE_MAX, SEC_TAG " %s %s%s\n", b64, sk->pub.name,
	    sk->root ? " root" : "");
	if (n < 0 || n >= KEY_FILE_MAX)
		goto out;
	len = (size_t)n;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600)) < 0) {
		proto_fail(reason, PROTO_E_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (write(fd, line, len) != (ssize_t)len || fsync(fd) != 0) {
		proto_fail(reason, PROTO_E_IO, "%s: %s", path, strerror(errno));
		unlink(path);
		goto out;
	}
	e = PROTO_OK;
out:
	if (fd >= 0)
		close(fd);
	sodium_free(b64);
	sodium_free(line);
	return e;
}

void
key_secret_free(struct key_secret *sk)
{
	if (sk != NULL)
		sodium_free(sk);
}

const struct key_public *
key_secret_public(const struct key_secret *sk)
{
	return &sk->pub;
}

bool
key_secret_is_root(const struct key_secret *sk)
{
	return sk->root;
}

void
key_secret_sign(const struct key_secret *sk, const unsigned char *msg,
    size_t len, unsigned char sig[KEY_SIG_LEN])
{
	crypto_sign_detached(sig, NULL, msg, len, sk->sk);
}

enum proto_err
key_arg_parse(const char *arg, struct key_public *out, bool *has_pk,
    char *reason)
{
	memset(out, 0, sizeof(*out));
	*has_pk = false;
	if (encoding_is_id_hex(arg)) {
		encoding_hex_decode(arg, out->id, KEY_ID_LEN);
		return PROTO_OK;
	}
	*has_pk = true;
	return key_public_load(arg, out, reason);
}
