/*
 * relay/core/secretfile.c — one-line secrets from files, into locked memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "relay/core/secretfile.h"

/* Room for the line, "\r\n", surrounding whitespace and a few more bytes
 * to tell "too long" from "just fits". */
#define SECRETFILE_BUF (SECRETFILE_MAX + 64)

void
secretfile_free(char *secret)
{
	if (secret == NULL)
		return;
	sodium_memzero(secret, strlen(secret));
	sodium_free(secret);
}

/* Reduce buf (n bytes read, NUL-terminated, SECRETFILE_BUF bytes) to its
 * first line without surrounding blanks, moved to its start, the rest
 * zeroed; *n becomes its length. 0, or -1 with err naming path. */
static int
secret_word(char *buf, size_t *np, const char *path, char *err, size_t errlen)
{
	size_t n = *np;
	char *s, *e;

	/* the first line, without surrounding whitespace */
	s = buf;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strcspn(s, "\r\n");
	if (*e == '\0' && n == SECRETFILE_BUF - 1) {
		snprintf(err, errlen, "%s: the first line is longer than %d "
		    "characters", path, SECRETFILE_MAX);
		return -1;
	}
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e == s) {
		snprintf(err, errlen, "%s: no secret on the first line", path);
		return -1;
	}
	if ((size_t)(e - s) > SECRETFILE_MAX) {
		snprintf(err, errlen, "%s: the secret is longer than %d characters",
		    path, SECRETFILE_MAX);
		return -1;
	}
	for (const char *p = s; p < e; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p == 0x7f) {
			snprintf(err, errlen, "%s: the secret must be one word of "
			    "printable characters", path);
			return -1;
		}
	n = (size_t)(e - s);
	memmove(buf, s, n);
	sodium_memzero(buf + n, SECRETFILE_BUF - n);
	*np = n;
	return 0;
}

int
secretfile_read(const char *path, unsigned flags, char **out, size_t *len,
    char *err, size_t errlen)
{
	char *buf = NULL;
	struct stat st;
	size_t n = 0;
	ssize_t got;
	mode_t forbidden;
	int fd = -1, rc = -1;

	*out = NULL;
	if (len)
		*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	forbidden = S_IRWXO | S_IWGRP | S_IXGRP;
	if (!(flags & SECRETFILE_GROUP_READ))
		forbidden |= S_IRGRP;
	if (st.st_mode & forbidden) {
		snprintf(err, errlen, "%s: permissions %04o are too open: a secret "
		    "must not be accessible by others%s (chmod %s)", path,
		    (unsigned)(st.st_mode & 07777),
		    flags & SECRETFILE_GROUP_READ ? " nor writable by its group" :
		    " or its group", flags & SECRETFILE_GROUP_READ ? "640" : "600");
		goto out;
	}
	if ((buf = sodium_malloc(SECRETFILE_BUF)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	while (n < SECRETFILE_BUF - 1 &&
	    (got = read(fd, buf + n, SECRETFILE_BUF - 1 - n)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		n += (size_t)got;
	}
	buf[n] = '\0';
	if (secret_word(buf, &n, path, err, errlen) != 0)
		goto out;
	*out = buf;
	buf = NULL;
	if (len)
		*len = n;
	rc = 0;
out:
	if (buf) {
		sodium_memzero(buf, SECRETFILE_BUF);
		sodium_free(buf);
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

char *
secretfile_read_line(const char *path, size_t max)
{
	/* the line, its end and the NUL */
	size_t cap = max + 3, len = 0;
	char *buf = sodium_malloc(cap);
	ssize_t n;
	int fd;

	if (buf == NULL)
		return NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		sodium_free(buf);
		return NULL;
	}
	while (len < cap - 1 && (n = read(fd, buf + len, cap - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			sodium_free(buf);   /* zeroes what was read */
			return NULL;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return buf;
}
