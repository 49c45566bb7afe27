/*
 * client/cli.c — shared helpers of ntactl.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "client/cli.h"

void
cli_err(const char *fmt, ...)
{
	va_list ap;

	fputs("ntactl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cli_read_input(const char *path, size_t max, char **bufp, size_t *lenp)
{
	const char *name = strcmp(path, "-") == 0 ? "standard input" : path;
	size_t cap = 4096, len = 0;
	char *buf = NULL, *nb;
	int fd, rc = -1;

	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		cli_err("%s: %s", name, strerror(errno));
		return -1;
	}
	if ((buf = malloc(cap)) == NULL)
		goto nomem;
	for (;;) {
		ssize_t r;
		if (len + 1 == cap) {
			if (cap > max + 1) {
				cli_err("%s: larger than %zu bytes", name, max);
				goto out;
			}
			cap *= 2;
			if ((nb = realloc(buf, cap)) == NULL)
				goto nomem;
			buf = nb;
		}
		r = read(fd, buf + len, cap - 1 - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			cli_err("%s: %s", name, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > max) {
		cli_err("%s: larger than %zu bytes", name, max);
		goto out;
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	buf = NULL;
	rc = 0;
	goto out;
nomem:
	cli_err("out of memory");
out:
	free(buf);
	if (fd != STDIN_FILENO)
		close(fd);
	return rc;
}

int
cli_usage(const char *text, int ok)
{
	fputs(text, ok ? stdout : stderr);
	return ok ? CLI_OK : CLI_ERR;
}

void
cli_json_text(const json_t *o, const char *name, size_t n, char *out, size_t len)
{
	const char *s = json_string_value(json_object_get(o, name));
	size_t i;

	if (s == NULL) {
		snprintf(out, len, "-");
		return;
	}
	for (i = 0; s[i] && i < n && i + 1 < len; i++)
		out[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	out[i] = '\0';
}
