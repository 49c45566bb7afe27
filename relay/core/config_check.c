/*
 * relay/core/config_check.c — beyond syntax, the files the configuration
 * names exist, are readable, and secrets are private
 * (config_check_files(), config.h). The first step of the checks that
 * `ntarelayd -t` and the start share (relay/core/startcheck.c), which add
 * the trust database, the certificate, the directories and the probe.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "proto/key.h"
#include "relay/core/config.h"
#include "relay/core/secretfile.h"

#define CONFIG_CERT_MAX (64 * 1024)     /* a key_cert envelope (PROTO max) */
#define CONFIG_CREDENTIALS_MAX 1024
#define CONFIG_SECRET_SLACK 4      /* room for "\r\n" and detecting more */

/* "FILE:LINE: message", or "FILE: message" for line 0; returns -1
 * (config.h). */
int
config_check_fail(struct config_check *c, int line, const char *fmt, ...)
{
	char msg[CONFIG_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(c->err, c->errlen, "%s:%d: %s", c->cfg->path, line, msg);
	else
		snprintf(c->err, c->errlen, "%s: %s", c->cfg->path, msg);
	return -1;
}

/* Open path for reading as the relay will (the real test, not access()),
 * a regular file. Returns the descriptor, or -1 with the message set. */
static int
open_regular(struct config_check *c, int line, const char *key,
    const char *path,
    struct stat *st)
{
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return config_check_fail(c, line, "%s: %s: %s", key, path, strerror(errno));
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return config_check_fail(c, line, "%s: %s: not a regular file", key, path);
	}
	return fd;
}

static int
check_readable(struct config_check *c, int line, const char *key,
    const char *path)
{
	struct stat st;
	int fd;

	if ((fd = open_regular(c, line, key, path, &st)) < 0)
		return -1;
	close(fd);
	return 0;
}

static int
check_private(struct config_check *c, int line, const char *key,
    const char *path,
    const struct stat *st)
{
	if (st->st_mode & (S_IRWXG | S_IRWXO))
		return config_check_fail(c, line, "%s: %s: permissions %04o are too open: a "
		    "secret must not be accessible by group or others (chmod 600)",
		    key, path, (unsigned)(st->st_mode & 07777));
	return 0;
}

/* Read a small secret file whole into buf (cap bytes, NUL-terminated). */
static int
read_secret(struct config_check *c, int line, const char *key,
    const char *path,
    char *buf, size_t cap, size_t *len)
{
	struct stat st;
	ssize_t n;
	int fd, rc = -1;

	*len = 0;
	if ((fd = open_regular(c, line, key, path, &st)) < 0)
		return -1;
	if (check_private(c, line, key, path, &st) != 0)
		goto out;
	while ((n = read(fd, buf + *len, cap - 1 - *len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			config_check_fail(c, line, "%s: %s: %s", key, path, strerror(errno));
			goto out;
		}
		*len += (size_t)n;
		if (*len == cap - 1) {
			config_check_fail(c, line, "%s: %s: too large", key, path);
			goto out;
		}
	}
	buf[*len] = '\0';
	rc = 0;
out:
	close(fd);
	return rc;
}

/* Strip one final "\n" or "\r\n"; true when what is left is one line of
 * printable characters (no NUL, no control characters). */
static bool
one_line(char *buf, size_t *len)
{
	if (*len > 0 && buf[*len - 1] == '\n')
		buf[--*len] = '\0';
	if (*len > 0 && buf[*len - 1] == '\r')
		buf[--*len] = '\0';
	for (size_t i = 0; i < *len; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			return false;
	return true;
}

/* One line USERNAME:PASSWORD, both non-empty; never echoed. */
static int
check_credentials(struct config_check *c, const struct config_link *l)
{
	char buf[CONFIG_CREDENTIALS_MAX + CONFIG_SECRET_SLACK];
	const char *colon;
	size_t len;
	int rc = -1;

	if (read_secret(c, l->credentials_line, "link_credentials", l->credentials,
	    buf, sizeof(buf), &len) != 0)
		goto out;
	colon = memchr(buf, ':', len);
	if (!one_line(buf, &len) || colon == NULL || colon == buf ||
	    (size_t)(colon - buf) + 1 >= len) {
		config_check_fail(c, l->credentials_line, "link_credentials: %s: expected one "
		    "line USERNAME:PASSWORD", l->credentials);
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

static int
check_token(struct config_check *c)
{
	const struct relay_config *cfg = c->cfg;
	char buf[CONFIG_TOKEN_MAX + CONFIG_SECRET_SLACK];
	size_t len;
	int rc = -1;

	if (read_secret(c, cfg->line.http_token_file, "http_token_file",
	    cfg->http_token_file, buf, sizeof(buf), &len) != 0)
		goto out;
	if (!one_line(buf, &len) || len < CONFIG_TOKEN_MIN || len > CONFIG_TOKEN_MAX ||
	    strpbrk(buf, " \t") != NULL) {
		config_check_fail(c, cfg->line.http_token_file, "http_token_file: %s: expected "
		    "one line of %d to %d characters without spaces",
		    cfg->http_token_file, CONFIG_TOKEN_MIN, CONFIG_TOKEN_MAX);
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

/* A Mattermost token file (bot, slash command): one word on its first
 * line, mode 0600 or 0640 (relay/core/secretfile.h); never echoed. */
static int
check_mm_token(struct config_check *c, int line, const char *key,
    const char *path)
{
	char why[CONFIG_ERR_MAX], *tok = NULL;

	if (secretfile_read(path, SECRETFILE_GROUP_READ, &tok, NULL, why,
	    sizeof(why)) != 0)
		return config_check_fail(c, line, "%s: %s", key, why);
	secretfile_free(tok);
	return 0;
}

/* The file need not exist yet (the relay creates it), its directory must. */
static int
check_parent(struct config_check *c, int line, const char *key,
    const char *path)
{
	char dir[PATH_MAX];
	struct stat st;
	char *slash;

	if (stat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode))
			return config_check_fail(c, line, "%s: %s: not a regular file", key, path);
		return 0;
	}
	memcpy(dir, path, strlen(path) + 1);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		return 0;
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (stat(dir, &st) != 0)
		return config_check_fail(c, line, "%s: directory %s: %s", key, dir,
		    strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return config_check_fail(c, line, "%s: %s: not a directory", key, dir);
	return 0;
}

static int
check_link(struct config_check *c, const struct config_link *l)
{
	struct stat st;
	int fd;

	if (l->cafile[0] && check_readable(c, l->cafile_line, "link_cafile",
	    l->cafile) != 0)
		return -1;
	if (l->certfile[0] && check_readable(c, l->certfile_line, "link_certfile",
	    l->certfile) != 0)
		return -1;
	if (l->keyfile[0]) {
		/* group-readable is the Debian ssl-cert convention; world is not */
		if ((fd = open_regular(c, l->keyfile_line, "link_keyfile",
		    l->keyfile, &st)) < 0)
			return -1;
		close(fd);
		if (st.st_mode & S_IRWXO)
			return config_check_fail(c, l->keyfile_line, "link_keyfile: %s: "
			    "permissions %04o are too open: a private key must not "
			    "be accessible by others (chmod 640 or 600)", l->keyfile,
			    (unsigned)(st.st_mode & 07777));
	}
	if (l->credentials[0] && check_credentials(c, l) != 0)
		return -1;
	return 0;
}

int
config_check_files(const struct relay_config *cfg, char *err, size_t errlen)
{
	struct config_check c = { cfg, err, errlen };
	char reason[PROTO_REASON_MAX];
	struct key_secret *sk = NULL;
	struct stat st;
	int rc = -1, fd;

	if (sodium_init() < 0) {
		config_check_fail(&c, 0, "libsodium failed to initialise");
		goto out;
	}
	if (key_secret_load(cfg->key, &sk, reason) != PROTO_OK) {
		config_check_fail(&c, cfg->line.key, "key: %s", reason);
		goto out;
	}
	if (cfg->cert[0] == '\0') {
		if (!key_secret_is_root(sk)) {
			config_check_fail(&c, cfg->line.cert, "cert: empty, but %s is not a root "
			    "key: name the key_cert file that certifies it (ntactl "
			    "cert)", cfg->key);
			goto out;
		}
	} else {
		if ((fd = open_regular(&c, cfg->line.cert, "cert", cfg->cert,
		    &st)) < 0)
			goto out;
		close(fd);
		if (st.st_size == 0 || st.st_size > CONFIG_CERT_MAX) {
			config_check_fail(&c, cfg->line.cert, "cert: %s: %s", cfg->cert,
			    st.st_size == 0 ? "empty" : "larger than 64 KiB");
			goto out;
		}
	}
	for (size_t i = 0; i < cfg->nlinks; i++)
		if (check_link(&c, &cfg->links[i]) != 0)
			goto out;
	if (cfg->http_token_file[0] && check_token(&c) != 0)
		goto out;
	if (cfg->mattermost_token_file[0] && check_mm_token(&c,
	    cfg->line.mattermost_token_file, "mattermost_token_file",
	    cfg->mattermost_token_file) != 0)
		goto out;
	if (cfg->mattermost_slash_token_file[0] && check_mm_token(&c,
	    cfg->line.mattermost_slash_token_file, "mattermost_slash_token_file",
	    cfg->mattermost_slash_token_file) != 0)
		goto out;
	if (check_parent(&c, cfg->line.trustdb, "trustdb", cfg->trustdb) != 0 ||
	    check_parent(&c, cfg->line.store, "store", cfg->store) != 0)
		goto out;
	rc = 0;
out:
	key_secret_free(sk);
	return rc;
}
