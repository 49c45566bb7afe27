/*
 * lib/conf.h — the syntax of ntarelay.conf, shared by whatever reads it:
 * lines, "key value" pairs, paths relative to the file, HOST[:PORT]
 * values and the names of a `watch` line. What each key means is its
 * reader's business (relay/core/config.c for the relay, lib/conf_client.h
 * for ntactl); ntarelay.conf(5) documents both.
 *
 * The rules (relay/core/config.h states them for the operator): lines of
 * at most CONF_LINE_MAX bytes, "\r\n" endings and a UTF-8 byte order mark
 * at the start accepted, NUL and control characters but tab refused; '#'
 * starts a comment line; the key is the first word, the value the rest
 * of the line with surrounding blanks trimmed. Every message is
 * "FILE:LINE: message" (or "FILE: message"), the words the relay uses, in
 * the caller's err buffer; nothing here prints, logs or exits.
 */
#ifndef NTARELAY_LIB_CONF_H
#define NTARELAY_LIB_CONF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Where operators look for it, whatever the installation prefix (the
 * systemd unit and the man pages name it). */
#define CONF_DEFAULT_PATH "/etc/ntarelay/ntarelay.conf"
#define CONF_LINE_MAX 4096    /* bytes of one line, without its end */
#define CONF_ERR_MAX 512

struct conf_reader {
	const char *file;     /* as named by the caller, for messages */
	int line;             /* of the line last read */
	char dir[PATH_MAX];   /* its directory, absolute: relative paths */
	char path[PATH_MAX];  /* dir + its name */
	char *err;            /* the caller's buffer */
	size_t errlen;
	FILE *fp;
	char *buf, *iobuf;    /* cleared when closed: the file may hold a credential */
};

/* Open path for reading. 0, or -1 with the message set (the reader is
 * then closed). */
int conf_open(struct conf_reader *r, const char *path, char *err,
    size_t errlen);

/*
 * The next "key value" line: *key and *value point into the reader's
 * buffer until the next call. Returns 1 with a line, 0 at the end, -1
 * with the message set (too long, NUL, control character, read error).
 */
int conf_next(struct conf_reader *r, char **key, char **value);

/* Close (and clear) what conf_open opened; the reader may be closed twice. */
void conf_close(struct conf_reader *r);

/* "FILE:LINE: message" into the caller's buffer (line 0: "FILE: message");
 * returns -1. */
int conf_fail(struct conf_reader *r, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Whether v holds a blank (a value that must be one word: the message is
 * conf_fail("KEY: 'V' is not one word ...")). */
bool conf_has_space(const char *v);

/* v as a path: absolute as written, else from the file's directory, into
 * out (PATH_MAX bytes). -1 with "KEY: path too long". */
int conf_path(struct conf_reader *r, const char *key, const char *v, char *out);

/*
 * Split HOST[:PORT] or [IPV6][:PORT]: the host into host (cap bytes,
 * brackets removed), *port -1 when none was written, *ip set when the
 * host is an IPv4 or IPv6 literal (else it is a valid host name). Errors
 * are worded for key, at the current line.
 */
int conf_hostport(struct conf_reader *r, const char *key, const char *s,
    char *host, size_t cap, int *port, bool *ip);

/*
 * One name of "watch ZONE NAME...": relative to zone unless it ends in a
 * dot, "@" for the apex; protocol form into out (ZONE_TEXT_MAX + 1
 * bytes). -1 with *why when it is not a name, or not zone or below it.
 */
int conf_watch_name(const char *zone, const char *name, char *out,
    const char **why);

#endif
