/*
 * relay/core/config_read.c — read ntarelay.conf: one pass over the file,
 * one line at a time, each key handled by its row of the key table
 * (config_keys.c); whole-file rules (required keys, a link's certificate
 * without its key, the default control socket) are checked at the end.
 * Every error names the file and line, because the person reading it has
 * the file open in an editor and nothing else.
 *
 * Nothing here opens anything but the configuration file itself.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "relay/core/config_keys.h"

/* "FILE:LINE: message" (or "FILE: message" for line 0) into p->err. */
int
config_fail(struct parser *p, int line, const char *fmt, ...)
{
	char msg[CONFIG_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(p->err, p->errlen, "%s:%d: %s", p->file, line, msg);
	else
		snprintf(p->err, p->errlen, "%s: %s", p->file, msg);
	return -1;
}

/* Levenshtein distance ignoring case, small strings only, for "did you
 * mean". */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[40], prev, tmp;

	if (la >= 40 || lb >= 40)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t best = prev + (tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]));
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

static int
unknown_key(struct parser *p, const char *name)
{
	const char *best = NULL;
	size_t bd = 3;

	if (strchr(name, '=') != NULL)
		return config_fail(p, p->line, "unknown key '%.60s' (write 'key value', "
		    "without '=')", name);
	for (size_t i = 0; i < config_nkeys; i++) {
		size_t d = distance(name, config_keys[i].name);
		if (d < bd) {
			bd = d;
			best = config_keys[i].name;
		}
	}
	if (best != NULL)
		return config_fail(p, p->line, "unknown key '%.60s' (did you mean '%s'?)",
		    name, best);
	return config_fail(p, p->line, "unknown key '%.60s'", name);
}

/*
 * Split line s in place into its key and value: the key is the first word,
 * the value the rest without the blanks around it. Returns false for a
 * blank or comment line.
 */
static bool
split_line(char *s, char **name, char **value)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || *s == '#')
		return false;
	*name = s;
	while (*s != '\0' && *s != ' ' && *s != '\t')
		s++;
	if (*s != '\0')
		*s++ = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	*value = s;
	end = s + strlen(s);
	while (end > *value && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return true;
}

/* Whether key d may be given here: a link option below a link of the
 * right scheme, once per link; another key once, unless a list. Sets
 * *seen to where its first line is kept. */
static int
check_place(struct parser *p, const struct config_key *d, int **seen)
{
	size_t k = (size_t)(d - config_keys);

	if (d->flags & F_LINKOPT) {
		struct config_link *l;

		if (p->cfg->nlinks == 0)
			return config_fail(p, p->line, "%s: no link above (link "
			    "options follow the link line they qualify)", d->name);
		l = config_current_link(p);
		if ((d->flags & F_TLS) && !l->tls)
			return config_fail(p, p->line, "%s: the link on line %d is "
			    "mqtt:// (TLS options need mqtts://)", d->name, l->line);
		*seen = &p->lopt[(p->cfg->nlinks - 1) * config_nkeys + k];
		if (**seen)
			return config_fail(p, p->line, "%s given twice for the link "
			    "on line %d (first on line %d)", d->name, l->line, **seen);
	} else {
		*seen = &p->seen[k];
		if (**seen && !(d->flags & F_REPEAT))
			return config_fail(p, p->line, "%s given twice (first on "
			    "line %d)", d->name, **seen);
	}
	return 0;
}

static int
parse_line(struct parser *p, char *s)
{
	const struct config_key *d;
	char *name, *value;
	int *seen = NULL;

	if (!split_line(s, &name, &value))
		return 0;
	if ((d = config_key_find(name)) == NULL)
		return unknown_key(p, name);
	if (*value == '\0' && !(d->flags & F_EMPTY))
		return config_fail(p, p->line, "%s: missing value", d->name);
	if (check_place(p, d, &seen) != 0)
		return -1;
	if (!(d->flags & F_SPACES) && strpbrk(value, " \t") != NULL)
		return config_fail(p, p->line, "%s: '%.80s' is not one word "
		    "(comments go on lines of their own)", d->name, value);
	if (d->set(p, d, value) != 0)
		return -1;
	if (d->lineoff != 0)   /* the int at lineoff in the field's struct */
		*(int *)((char *)config_field(p, d) - d->off + d->lineoff) =
		    p->line;
	if (!*seen)
		*seen = p->line;
	return 0;
}

int
parser_seen(const struct parser *p, const char *name)
{
	const struct config_key *k = config_key_find(name);

	return k == NULL || p->seen == NULL ? 0 : p->seen[k - config_keys];
}

/* The line of the first of two keys given (0 when neither was). */
static int
seen_either(const struct parser *p, const char *a, const char *b)
{
	int line = parser_seen(p, a);

	return line ? line : parser_seen(p, b);
}

void *
config_field(struct parser *p, const struct config_key *k)
{
	if (k->flags & F_LINKOPT)
		return (char *)config_current_link(p) + k->off;
	return (char *)p->cfg + k->off;
}

struct config_link *
config_current_link(struct parser *p)
{
	return &p->cfg->links[p->cfg->nlinks - 1];
}

/* A link's client certificate and its key come together. */
static int
check_links(struct parser *p)
{
	struct relay_config *cfg = p->cfg;

	for (size_t i = 0; i < cfg->nlinks; i++) {
		const struct config_link *l = &cfg->links[i];

		if (l->certfile_line && !l->keyfile_line)
			return config_fail(p, l->certfile_line, "link_certfile: the "
			    "link on line %d has no link_keyfile", l->line);
		if (l->keyfile_line && !l->certfile_line)
			return config_fail(p, l->keyfile_line, "link_keyfile: the "
			    "link on line %d has no link_certfile", l->line);
	}
	return 0;
}

/* control_socket: "control.sock" beside the store unless given; a unix
 * socket path in any case. */
static int
check_control_socket(struct parser *p)
{
	struct relay_config *cfg = p->cfg;

	if (cfg->line.control_socket == 0) {
		const char *slash = strrchr(cfg->store, '/');
		int n = slash == NULL ? -1 : snprintf(cfg->control_socket,
		    sizeof(cfg->control_socket), "%.*s/control.sock",
		    (int)(slash - cfg->store), cfg->store);

		if (n < 0 || (size_t)n >= sizeof(cfg->control_socket))
			return config_fail(p, parser_seen(p, "store"), "store: path "
			    "too long to put control.sock beside it (set "
			    "control_socket)");
	}
	if (strlen(cfg->control_socket) >= 108)   /* sun_path */
		return config_fail(p, seen_either(p, "control_socket", "store"),
		    "control_socket: '%s' is longer than a unix socket path may "
		    "be (107 bytes)", cfg->control_socket);
	return 0;
}

/* Whole-file rules, once every line is read. */
static int
check_complete(struct parser *p)
{
	struct relay_config *cfg = p->cfg;
	int bot;

	if (check_links(p) != 0)
		return -1;
	for (size_t k = 0; k < config_nkeys; k++)
		if ((config_keys[k].flags & F_REQUIRED) && !p->seen[k])
			return config_fail(p, 0, "missing required key '%s'",
			    config_keys[k].name);
	if (cfg->rate_burst < cfg->rate_limit)
		return config_fail(p, seen_either(p, "rate_burst", "rate_limit"),
		    "rate_burst %d is below rate_limit %d", cfg->rate_burst,
		    cfg->rate_limit);
	if (check_control_socket(p) != 0)
		return -1;
	bot = !!cfg->mattermost_url[0] + !!cfg->mattermost_token_file[0] +
	    !!cfg->mattermost_channel[0];
	if (bot != 0 && bot != 3)
		return config_fail(p, parser_seen(p, "mattermost_url") ?
		    parser_seen(p, "mattermost_url") :
		    seen_either(p, "mattermost_token_file", "mattermost_channel"),
		    "bot mode needs mattermost_url, mattermost_token_file and "
		    "mattermost_channel together");
	/* so that a reload sees a new webhook once this one is wiped */
	crypto_generichash(cfg->mattermost_webhook_digest,
	    sizeof(cfg->mattermost_webhook_digest),
	    (const unsigned char *)cfg->mattermost_webhook,
	    strlen(cfg->mattermost_webhook), NULL, 0);
	return 0;
}

/*
 * Read the next line into buf (CONFIG_LINE_MAX + 1 bytes), without its
 * "\n" or "\r\n". Returns 1 with a line, 0 at the end, -1 on error (too
 * long, NUL, control character, read error), with the message set.
 */
static int
read_line(struct parser *p, FILE *fp, char *buf)
{
	size_t len = 0;
	int c;

	while ((c = getc(fp)) != EOF && c != '\n') {
		if (len == CONFIG_LINE_MAX)
			return config_fail(p, p->line + 1, "line longer than %d bytes",
			    CONFIG_LINE_MAX);
		buf[len++] = (char)c;
	}
	if (c == EOF) {
		if (ferror(fp))
			return config_fail(p, p->line + 1, "%s", strerror(errno));
		if (len == 0)
			return 0;
	}
	p->line++;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (memchr(buf, '\0', len) != NULL)
		return config_fail(p, p->line, "NUL byte in the line");
	buf[len] = '\0';
	for (size_t i = 0; i < len; i++) {
		unsigned char u = (unsigned char)buf[i];
		if ((u < 0x20 && u != '\t') || u == 0x7f)
			return config_fail(p, p->line, "control character 0x%02x in the "
			    "line", u);
	}
	return 1;
}

/*
 * p->dir = the directory the file was named in, made absolute (symbolic
 * links among the directories resolved), and cfg->path = p->dir + its
 * name. A symbolic link to the file itself is not followed for this: the
 * paths in the file are relative to where the administrator sees it.
 */
static int
absolute_dir(struct parser *p, const char *path)
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
			return config_fail(p, 0, "path too long");
		memcpy(d, path, n);
		d[n] = '\0';
		base = slash + 1;
	}
	if (realpath(d, p->dir) == NULL)
		return config_fail(p, 0, "%s", strerror(errno));
	n = (size_t)snprintf(p->cfg->path, sizeof(p->cfg->path), "%s%s%s",
	    p->dir, strcmp(p->dir, "/") == 0 ? "" : "/", base);
	if (n >= sizeof(p->cfg->path))
		return config_fail(p, 0, "path too long");
	return 0;
}

int
config_load(const char *path, struct relay_config *cfg, char *err, size_t errlen)
{
	struct parser *p;
	char *buf = NULL, *iobuf = NULL;
	struct stat st;
	FILE *fp = NULL;
	int rc = -1, r;

	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->seen = calloc(config_nkeys, sizeof(int))) == NULL ||
	    (p->lopt = calloc(CONFIG_LINKS_MAX * config_nkeys, sizeof(int))) == NULL) {
		if (p != NULL)
			free(p->seen);
		free(p);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	config_defaults(cfg);
	p->file = path;
	p->cfg = cfg;
	p->err = err;
	p->errlen = errlen;
	if ((buf = malloc(CONFIG_LINE_MAX + 1)) == NULL) {
		config_fail(p, 0, "out of memory");
		goto out;
	}
	if ((fp = fopen(path, "re")) == NULL) {
		config_fail(p, 0, "%s", strerror(errno));
		goto out;
	}
	/* The file may hold a credential (mattermost_webhook): read it
	 * through a buffer of ours, zeroed below, not one of stdio's. */
	if ((iobuf = malloc(BUFSIZ)) == NULL ||
	    setvbuf(fp, iobuf, _IOFBF, BUFSIZ) != 0) {
		config_fail(p, 0, "out of memory");
		goto out;
	}
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
		config_fail(p, 0, "not a regular file");
		goto out;
	}
	if (absolute_dir(p, path) != 0)
		goto out;

	while ((r = read_line(p, fp, buf)) == 1) {
		char *s = buf;

		/* an editor's UTF-8 byte order mark at the start of the file */
		if (p->line == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
			s += 3;
		if (parse_line(p, s) != 0)
			goto out;
	}
	if (r < 0)
		goto out;
	if (check_complete(p) != 0)
		goto out;
	rc = 0;
out:
	if (fp != NULL)
		fclose(fp);
	if (iobuf)
		explicit_bzero(iobuf, BUFSIZ);
	free(iobuf);
	if (buf)
		explicit_bzero(buf, CONFIG_LINE_MAX + 1);
	free(buf);
	free(p->lopt);
	free(p->seen);
	free(p);
	return rc;
}
