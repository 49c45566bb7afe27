/*
 * client/nta_file.c — atomic replacement of a file (see nta_file.h).
 */
#define _GNU_SOURCE   /* asprintf */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/nta_file.h"

/* All of len bytes of text to fd. 0, or -1 (errno). */
static int
nta_file_write_all(int fd, const char *text, size_t len)
{
	size_t off = 0;
	ssize_t w;

	while (off < len) {
		w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

int
nta_file_replace(const char *path, const char *text, size_t len, mode_t mode,
    char *why, size_t whylen)
{
	char *tmp = NULL, *dircopy = NULL;
	int fd = -1, dfd = -1, rc = -1;

	if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0) {
		tmp = NULL;
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	if ((fd = mkstemp(tmp)) < 0) {
		snprintf(why, whylen, "%s: %s", tmp, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if (nta_file_write_all(fd, text, len) != 0 || fchmod(fd, mode) != 0 ||
	    fsync(fd) != 0) {
		snprintf(why, whylen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		snprintf(why, whylen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	/* The rename itself is durable once the directory is synced. */
	if ((dircopy = strdup(path)) != NULL &&
	    (dfd = open(dirname(dircopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
		(void)fsync(dfd);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (tmp != NULL)
		unlink(tmp);
	if (dfd >= 0)
		close(dfd);
	free(tmp);
	free(dircopy);
	return rc;
}
