/*
 * lib/conf.c — the syntax of ntarelay.conf; see conf.h. The messages are
 * word for word those of relay/core/config.c, which reads the same file.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "proto/zone.h"
#include "lib/conf.h"

int
conf_fail(struct conf_reader *r, int line, const char *fmt, ...)
{
	char msg[CONF_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(r->err, r->errlen, "%s:%d: %s", r->file, line, msg);
	else
		snprintf(r->err, r->errlen, "%s: %s", r->file, msg);
	return -1;
}

/*
 * r->dir = the directory the file was named in, made absolute (symbolic
 * links among the directories resolved), and r->path = r->dir + its
 * name. A symbolic link to the file itself is not followed for this: the
 * paths in the file are relative to where the administrator sees it.
 */
static int
absolute_dir(struct conf_reader *r, const char *path)
{
	char d[PATH_MAX];
	const char *slash = strrchr(path, '/'), *base;
	size_t n;

	if (slash == NULL) {
		memcpy(d, ".", 2);
		base = path;
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= sizeof(d))
			return conf_fail(r, 0, "path too long");
		memcpy(d, path, n);
		d[n] = '\0';
		base = slash + 1;
	}
	if (realpath(d, r->dir) == NULL)
		return conf_fail(r, 0, "%s", strerror(errno));
	n = (size_t)snprintf(r->path, sizeof(r->path), "%s%s%s", r->dir,
	    strcmp(r->dir, "/") == 0 ? "" : "/", base);
	if (n >= sizeof(r->path))
		return conf_fail(r, 0, "path too long");
	return 0;
}

int
conf_open(struct conf_reader *r, const char *path, char *err, size_t errlen)
{
	struct stat st;

	memset(r, 0, sizeof(*r));
	r->file = path;
	r->err = err;
	r->errlen = errlen;
	if ((r->buf = malloc(CONF_LINE_MAX + 1)) == NULL) {
		conf_fail(r, 0, "out of memory");
		goto fail;
	}
	if ((r->fp = fopen(path, "re")) == NULL) {
		conf_fail(r, 0, "%s", strerror(errno));
		goto fail;
	}
	/* The file may hold a credential (mattermost_webhook): read it
	 * through a buffer of ours, cleared on close, not one of stdio's. */
	if ((r->iobuf = malloc(BUFSIZ)) == NULL ||
	    setvbuf(r->fp, r->iobuf, _IOFBF, BUFSIZ) != 0) {
		conf_fail(r, 0, "out of memory");
		goto fail;
	}
	if (fstat(fileno(r->fp), &st) != 0 || !S_ISREG(st.st_mode)) {
		conf_fail(r, 0, "not a regular file");
		goto fail;
	}
	if (absolute_dir(r, path) != 0)
		goto fail;
	return 0;
fail:
	conf_close(r);
	return -1;
}

void
conf_close(struct conf_reader *r)
{
	if (r->fp != NULL)
		fclose(r->fp);
	r->fp = NULL;
	if (r->iobuf)
		explicit_bzero(r->iobuf, BUFSIZ);
	free(r->iobuf);
	r->iobuf = NULL;
	if (r->buf)
		explicit_bzero(r->buf, CONF_LINE_MAX + 1);
	free(r->buf);
	r->buf = NULL;
}

/* The next line into r->buf, without its "\n" or "\r\n": 1, 0 at the
 * end, -1 with the message set. */
static int
read_line(struct conf_reader *r)
{
	char *buf = r->buf;
	size_t len = 0;
	int c;

	while ((c = getc(r->fp)) != EOF && c != '\n') {
		if (len == CONF_LINE_MAX)
			return conf_fail(r, r->line + 1, "line longer than %d bytes",
			    CONF_LINE_MAX);
		buf[len++] = (char)c;
	}
	if (c == EOF) {
		if (ferror(r->fp))
			return conf_fail(r, r->line + 1, "%s", strerror(errno));
		if (len == 0)
			return 0;
	}
	r->line++;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (memchr(buf, '\0', len) != NULL)
		return conf_fail(r, r->line, "NUL byte in the line");
	buf[len] = '\0';
	for (size_t i = 0; i < len; i++) {
		unsigned char u = (unsigned char)buf[i];
		if ((u < 0x20 && u != '\t') || u == 0x7f)
			return conf_fail(r, r->line, "control character 0x%02x in "
			    "the line", u);
	}
	return 1;
}

int
conf_next(struct conf_reader *r, char **key, char **value)
{
	char *s, *end;
	int rc;

	for (;;) {
		if ((rc = read_line(r)) != 1)
			return rc;
		s = r->buf;
		/* an editor's UTF-8 byte order mark at the start of the file */
		if (r->line == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
			s += 3;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s != '\0' && *s != '#')
			break;
	}
	*key = s;
	while (*s != '\0' && *s != ' ' && *s != '\t')
		s++;
	if (*s != '\0')
		*s++ = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	*value = s;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return 1;
}

bool
conf_has_space(const char *v)
{
	return strpbrk(v, " \t") != NULL;
}

int
conf_path(struct conf_reader *r, const char *key, const char *v, char *out)
{
	int n;

	if (v[0] == '/')
		n = snprintf(out, PATH_MAX, "%s", v);
	else
		n = snprintf(out, PATH_MAX, "%s/%s", r->dir, v);
	if (n < 0 || n >= PATH_MAX)
		return conf_fail(r, r->line, "%s: path too long", key);
	return 0;
}

int
conf_watch_name(const char *zone, const char *name, char *out, const char **why)
{
	char buf[2 * ZONE_TEXT_MAX + 2];
	size_t n = strlen(name);

	if (n == 0) {
		*why = "empty name";
		return -1;
	}
	if (strcmp(name, "@") == 0)
		snprintf(buf, sizeof(buf), "%s", zone);
	else if (name[n - 1] == '.' || n > ZONE_TEXT_MAX)
		snprintf(buf, sizeof(buf), "%s", name);
	else if (strcmp(zone, ".") == 0)
		snprintf(buf, sizeof(buf), "%s.", name);
	else
		snprintf(buf, sizeof(buf), "%s.%s", name, zone);
	if (strlen(buf) > ZONE_TEXT_MAX) {
		*why = "name longer than 255 octets in wire form";
		return -1;
	}
	if (zone_name_normalise(buf, out, why) != 0)
		return -1;
	if (!zone_name_in(out, zone)) {
		*why = "not the zone nor a name below it";
		return -1;
	}
	return 0;
}

static bool
all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* A hostname: labels of letters, digits and '-', 1-63 each, 253 in all,
 * an optional final dot. */
static bool
hostname_valid(const char *h)
{
	size_t n = strlen(h), label = 0;

	if (n > 0 && h[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || h[i] == '.') {
			if (label == 0 || label > 63 || h[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)h[i]) && h[i] != '-')
			return false;
		if (label == 0 && h[i] == '-')
			return false;
		label++;
	}
	return true;
}

/* [IPV6] at s: the address into a6 (INET6_ADDRSTRLEN + 1 bytes), *rest
 * after the ']'. */
static int
bracketed(struct conf_reader *r, const char *key, const char *s, char *a6,
    const char **rest)
{
	const char *close = strchr(s, ']'), *h = s + 1;
	unsigned char bin[16];
	size_t hlen;

	if (close == NULL)
		return conf_fail(r, r->line, "%s: missing ']' after the IPv6 "
		    "address", key);
	hlen = (size_t)(close - h);
	if (hlen == 0)
		return conf_fail(r, r->line, "%s: missing host", key);
	if (hlen >= INET6_ADDRSTRLEN + 1)
		return conf_fail(r, r->line, "%s: '%.*s' is not an IPv6 address",
		    key, (int)(close - s + 1), s);
	memcpy(a6, h, hlen);
	a6[hlen] = '\0';
	if (inet_pton(AF_INET6, a6, bin) != 1)
		return conf_fail(r, r->line, "%s: '[%s]' is not an IPv6 address",
		    key, a6);
	*rest = close + 1;
	if (**rest != '\0' && **rest != ':')
		return conf_fail(r, r->line, "%s: unexpected '%.40s' after the "
		    "address", key, *rest);
	return 0;
}

/* ":PORT" at s (s at the ':'), into *port. */
static int
port_after(struct conf_reader *r, const char *key, const char *s, int *port)
{
	const char *ps = s + 1;
	size_t plen = strlen(ps);
	long v = 0;

	if (plen == 0)
		return conf_fail(r, r->line, "%s: missing port after ':'", key);
	if (!all_digits(ps, plen))
		return conf_fail(r, r->line, "%s: port '%.20s' is not a number",
		    key, ps);
	for (size_t i = 0; i < plen && v <= 65535; i++)
		v = v * 10 + (ps[i] - '0');
	if (v < 1 || v > 65535)
		return conf_fail(r, r->line, "%s: port %.20s out of range "
		    "(1-65535)", key, ps);
	*port = (int)v;
	return 0;
}

int
conf_hostport(struct conf_reader *r, const char *key, const char *s,
    char *host, size_t cap, int *port, bool *ip)
{
	char a6[INET6_ADDRSTRLEN + 1];
	const char *h = s, *rest = s, *colon;
	size_t hlen;

	*port = -1;
	*ip = false;
	if (s[0] == '[') {
		if (bracketed(r, key, s, a6, &rest) != 0)
			return -1;
		h = a6;
		hlen = strlen(a6);
		*ip = true;
	} else {
		colon = strchr(s, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL)
			return conf_fail(r, r->line, "%s: write an IPv6 address in "
			    "brackets, as [::1]:1883", key);
		hlen = colon ? (size_t)(colon - s) : strlen(s);
		rest = s + hlen;
		if (hlen == 0)
			return conf_fail(r, r->line, "%s: missing host", key);
	}
	if (hlen >= cap)
		return conf_fail(r, r->line, "%s: host name too long", key);
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (!*ip) {
		bool dotted = true;
		unsigned char bin[4];

		for (size_t i = 0; i < hlen; i++)
			if (!(isdigit((unsigned char)host[i]) || host[i] == '.'))
				dotted = false;
		if (dotted) {
			if (inet_pton(AF_INET, host, bin) != 1)
				return conf_fail(r, r->line, "%s: '%s' is not an "
				    "IPv4 address", key, host);
			*ip = true;
		} else if (!hostname_valid(host)) {
			return conf_fail(r, r->line, "%s: '%.80s' is not a host "
			    "name", key, host);
		}
	}
	if (*rest == ':')
		return port_after(r, key, rest, port);
	return 0;
}
