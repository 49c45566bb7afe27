/*
 * client/nta_drv_knot.c — the knot driver of `ntactl nta`: Knot Resolver
 * 5's control socket (a Lua console), --control-socket PATH. Its NTAs
 * have no lifetime: ntactl removes them. See nta_backend.h.
 *
 * Protocol (kresd daemon/io.c, sandbox.lua map()): connect, send
 * "__binary\n", read the prompt "> ", send one line of Lua, read a 4-byte
 * big-endian length and that many bytes: the command's value as text, or a
 * Lua error message. Our commands return "ntactl-ok..." on success, so an
 * error is anything else.
 *
 * trust_anchors.set_insecure() REPLACES the whole list of NTAs, so every
 * call sends the full list: the names the resolver had (ours or not) plus
 * or minus the one that changes. Names already cached as bogus (or, after
 * a removal, as insecure) stay until cache.clear('ZONE').
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "client/nta_backend.h"
#include "lib/buf.h"

#define NTA_KNOT_REPLY_MAX (1024 * 1024)
#define NTA_KNOT_OK "ntactl-ok"


static void
nta_knot_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* s as a Lua string literal: safe characters as they are, the rest as
 * decimal escapes (the console reads one line: no newline may pass). */
static void
nta_knot_quote(struct buf *b, const char *s)
{
	char esc[8];

	buf_add(b, "'", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_')
			buf_add(b, s, 1);
		else {
			snprintf(esc, sizeof(esc), "\\%03u", c);
			buf_add(b, esc, 4);
		}
	}
	buf_add(b, "'", 1);
}

static int
nta_knot_io(int fd, bool writing, void *buf, size_t n)
{
	size_t done = 0;
	ssize_t r;

	while (done < n) {
		r = writing ? write(fd, (char *)buf + done, n - done) :
		    read(fd, (char *)buf + done, n - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = ECONNRESET;
			return -1;
		}
		done += (size_t)r;
	}
	return 0;
}

/* Send cmd, return the reply (new, NUL-terminated) or NULL with why. */
static char *
nta_knot_call(const char *path, int timeout, const char *cmd, char *why,
    size_t whylen)
{
	struct sockaddr_un sa;
	struct timeval tv = { timeout, 0 };
	unsigned char len4[4];
	char prompt[2], *reply = NULL;
	uint32_t len;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(why, whylen, "%s: path too long for a socket", path);
		return NULL;
	}
	memcpy(sa.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(why, whylen, "socket: %s", strerror(errno));
		return NULL;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		snprintf(why, whylen, "kresd control socket %s: %s", path,
		    strerror(errno));
		goto out;
	}
	errno = 0;
	if (nta_knot_io(fd, true, "__binary\n", 9) != 0 ||
	    nta_knot_io(fd, false, prompt, 2) != 0 ||
	    memcmp(prompt, "> ", 2) != 0 ||
	    nta_knot_io(fd, true, (void *)cmd, strlen(cmd)) != 0 ||
	    nta_knot_io(fd, true, "\n", 1) != 0 ||
	    nta_knot_io(fd, false, len4, 4) != 0) {
		snprintf(why, whylen, "kresd control socket %s: %s", path,
		    errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" :
		    errno ? strerror(errno) : "not a kresd control socket");
		goto out;
	}
	len = (uint32_t)len4[0] << 24 | (uint32_t)len4[1] << 16 |
	    (uint32_t)len4[2] << 8 | len4[3];
	if (len > NTA_KNOT_REPLY_MAX) {
		snprintf(why, whylen, "kresd control socket %s: a reply of %u "
		    "bytes", path, len);
		goto out;
	}
	if ((reply = malloc((size_t)len + 1)) == NULL) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	if (nta_knot_io(fd, false, reply, len) != 0) {
		snprintf(why, whylen, "kresd control socket %s: %s", path,
		    strerror(errno));
		free(reply);
		reply = NULL;
		goto out;
	}
	reply[len] = '\0';
out:
	close(fd);
	return reply;
}

/* A reply that is not ours: an error text, shown bounded and printable. */
static void
nta_knot_error(const char *what, const char *reply, char *why, size_t whylen)
{
	char shown[240];
	size_t i;

	for (i = 0; reply[i] && i + 1 < sizeof(shown); i++)
		shown[i] = ((unsigned char)reply[i] < 0x20 || reply[i] == 0x7f) ?
		    ' ' : reply[i];
	shown[i] = '\0';
	snprintf(why, whylen, "kresd refused %s: %s", what,
	    shown[0] ? shown : "(no answer)");
}

static int
nta_knot_list(const char *socket_path, int timeout, struct nta_present *p,
    char *why, size_t whylen)
{
	static const char cmd[] = "return '" NTA_KNOT_OK "\\n' .. "
	    "table.concat(trust_anchors.insecure, '\\n')";
	char *reply, *line, *nl;
	size_t ok = strlen(NTA_KNOT_OK);
	int rc = -1;

	memset(p, 0, sizeof(*p));
	if ((reply = nta_knot_call(socket_path, timeout, cmd, why, whylen)) == NULL)
		return -1;
	if (strncmp(reply, NTA_KNOT_OK, ok) != 0 ||
	    (reply[ok] != '\n' && reply[ok] != '\0')) {
		nta_knot_error("listing trust_anchors.insecure", reply, why, whylen);
		goto out;
	}
	for (line = reply[ok] ? reply + ok + 1 : reply + ok; *line;
	    line = nl ? nl + 1 : line + strlen(line)) {
		nl = strchr(line, '\n');
		if ((nl ? (size_t)(nl - line) : strlen(line)) > 0 &&
		    nta_present_add(p, line, nl ? (size_t)(nl - line) :
		    strlen(line)) != 0) {
			snprintf(why, whylen, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	if (rc != 0)
		nta_present_free(p);
	free(reply);
	return rc;
}

static int
nta_knot_set(const char *socket_path, int timeout,
    const struct nta_present *want, const char *flush_zone, bool dry_run,
    json_t *commands, char *why, size_t whylen)
{
	struct buf call = { 0 }, show = { 0 };
	char *reply = NULL;
	int rc = -1;

	/* What a person sees: the two calls, as in kresd's console. */
	nta_knot_str(&show, "trust_anchors.set_insecure({");
	for (size_t i = 0; i < want->n; i++) {
		if (i > 0)
			nta_knot_str(&show, ", ");
		nta_knot_quote(&show, want->zone[i] ? want->zone[i] : want->raw[i]);
	}
	nta_knot_str(&show, "}); cache.clear(");
	nta_knot_quote(&show, flush_zone);
	nta_knot_str(&show, ")");
	/* What is sent: the same, in pcall, answering ntactl-ok or the error. */
	nta_knot_str(&call, "return (function() local ok, e = pcall(function() ");
	buf_add(&call, show.data ? show.data : "", show.len);
	nta_knot_str(&call, " end) if ok then return '" NTA_KNOT_OK "' end "
	    "return 'error: ' .. tostring(e) end)()");
	if (call.failed || show.failed) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	if (commands != NULL) {
		struct buf line = { 0 };
		nta_knot_str(&line, "kresd ");
		nta_knot_str(&line, socket_path);
		nta_knot_str(&line, ": ");
		buf_add(&line, show.data, show.len);
		if (!line.failed)
			json_array_append_new(commands, json_string(line.data));
		free(line.data);
	}
	if (dry_run) {
		rc = 0;
		goto out;
	}
	if ((reply = nta_knot_call(socket_path, timeout, call.data, why,
	    whylen)) == NULL)
		goto out;
	if (strcmp(reply, NTA_KNOT_OK) != 0) {
		nta_knot_error("set_insecure", reply, why, whylen);
		goto out;
	}
	rc = 0;
out:
	free(reply);
	free(call.data);
	free(show.data);
	return rc;
}

/* ---------------------------------------------------------------- backend */

/* d->state: the list as kresd has it (set_insecure replaces it all). */
static int
knot_open(struct nta_driver *d, char *why, size_t whylen)
{
	if (d->c->control_socket == NULL) {
		snprintf(why, whylen, "--driver knot needs --control-socket PATH "
		    "(kresd's control socket, e.g. /run/knot-resolver/control/1)");
		return -1;
	}
	if ((d->state = calloc(1, sizeof(struct nta_present))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	return 0;
}

static void
knot_close(struct nta_driver *d)
{
	nta_present_free(d->state);
	free(d->state);
	d->state = NULL;
}

static int
knot_list(struct nta_driver *d, struct nta_present *p, char *why,
    size_t whylen)
{
	struct nta_present *now = d->state;

	nta_present_free(now);
	if (nta_knot_list(d->c->control_socket, d->c->timeout, p, why,
	    whylen) != 0)
		return -1;
	/* Remember the list as kresd has it: set_insecure replaces all. */
	for (size_t i = 0; i < p->n; i++)
		if (nta_present_add(now, p->raw[i], strlen(p->raw[i])) != 0) {
			snprintf(why, whylen, "out of memory");
			nta_present_free(p);
			return -1;
		}
	return 0;
}

static int
knot_add(struct nta_driver *d, const char *zone, long long lifetime,
    long long until, const char *reason, const char *note, bool dry_run,
    json_t *commands, char *why, size_t whylen)
{
	struct nta_present *now = d->state;
	bool had = nta_present_has(now, zone);

	(void)lifetime;
	(void)until;
	(void)reason;
	(void)note;
	if (!had && nta_present_add(now, zone, strlen(zone)) != 0) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if (nta_knot_set(d->c->control_socket, d->c->timeout, now, zone, dry_run,
	    commands, why, whylen) == 0)
		return 0;
	if (!had)   /* kresd still has the list it had */
		nta_present_remove(now, zone);
	return -1;
}

static int
knot_remove(struct nta_driver *d, const char *zone, const char *reason,
    bool dry_run, json_t *commands, char *why, size_t whylen)
{
	struct nta_present *now = d->state, keep = { 0 };
	int rc = -1;

	(void)reason;
	/* kresd keeps its list when the call fails: so do we */
	for (size_t i = 0; i < now->n; i++)
		if (nta_present_add(&keep, now->raw[i], strlen(now->raw[i])) != 0) {
			nta_present_free(&keep);
			snprintf(why, whylen, "out of memory");
			return -1;
		}
	nta_present_remove(now, zone);
	if (nta_knot_set(d->c->control_socket, d->c->timeout, now, zone, dry_run,
	    commands, why, whylen) == 0) {
		rc = 0;
	} else {
		nta_present_free(now);
		*now = keep;
		keep = (struct nta_present){ 0 };
	}
	nta_present_free(&keep);
	return rc;
}

const struct nta_backend nta_drv_knot = {
	.name = "knot",
	.program = NULL,
	.program_opt = NULL,
	.resolver_lifetime = false,
	.opt_control_socket = true,
	.open = knot_open,
	.close = knot_close,
	.list = knot_list,
	.add = knot_add,
	.remove = knot_remove,
};
