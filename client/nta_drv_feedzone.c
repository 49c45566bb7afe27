/*
 * client/nta_drv_feedzone.c — the feedzone driver of `ntactl nta`: the
 * NTAs as an NTA feed zone (draft-muks-dns-nta-feed-zones-00), a zone
 * file an authoritative server (NSD, Knot DNS) serves and resolvers
 * transfer (AXFR/IXFR with TSIG). See nta_backend.h and ntactl(1).
 *
 * The file (--feed-file), rewritten as a whole, atomically (nta_file.h):
 *
 *   ; ntarelay NTA feed zone (draft-muks-dns-nta-feed-zones-00) ...
 *   feed.example. 60 IN SOA localhost. nta-maintainer.localhost. (
 *                         SERIAL REFRESH RETRY EXPIRE MINIMUM) on one line
 *   feed.example. 60 IN NS localhost.
 *   de.feed.example. 60 IN TYPE65280 \# 12 0264650000000000xxxxxxxx
 *
 * One NTA RR per NTA, its owner the NTA's name below the feed zone's
 * origin (the draft, section 4), its RDATA the draft's (section 3): DOMAIN
 * (the NTA's name, uncompressed wire form) then EXPIRY (64-bit unsigned
 * seconds since the epoch, network byte order), written in RFC 3597
 * generic syntax, as the draft's type has no code assigned yet: the code
 * is --feed-type (default 65280, private use). EXPIRY is the NTA's end,
 * never more than 7 days away (RFC 7646).
 *
 * add and remove change the list in memory; commit (the end of a pass)
 * writes the file only when the list changed (or when there is no file
 * yet), with the SOA serial bumped: max(serial + 1, now). Then it runs
 * the reload command: --reload-cmd nsd-control (nsd-control [-c F] reload
 * ZONE), knotc (knotc [-c F] zone-reload ZONE), or any other command
 * line, split on blanks and run without a shell. A file that does not
 * begin with our first line is never replaced. list reads the file back:
 * the file is what the feed has.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/nta_backend.h"
#include "client/nta_file.h"
#include "client/nta_state.h"
#include "lib/buf.h"

#define FEED_HEADER "; ntarelay NTA feed zone (draft-muks-dns-nta-feed-zones-00)"
#define FEED_TYPE_DEFAULT 65280u  /* private use (RFC 6895) */
#define FEED_TTL 60
#define FEED_SOA_TIMERS "60 30 7200 60"   /* refresh retry expire minimum */
#define FEED_FILE_MAX (64 * 1024 * 1024)
#define FEED_RELOAD_MAX 1024

struct feed_entry {
	char zone[ZONE_TEXT_MAX + 1];
	long long expiry;
};

struct feed {
	char origin[ZONE_TEXT_MAX + 1];   /* the feed zone, protocol form */
	unsigned type;
	struct feed_entry *v;             /* the list as it becomes */
	size_t n, cap;
	uint32_t serial;                  /* of the file read, 0: none */
	bool exists;                      /* the file was there */
	bool dirty;                       /* changed since read */
	char reload[FEED_RELOAD_MAX];     /* the command's words, NUL-split */
	char *argv[NTA_RUN_ARGV_MAX];     /* the reload command, or argv[0]
	                                     NULL: none */
};

/* ---------------------------------------------------------------- setup */

/* The reload command of conf into f->argv. 0, or -1 with why. */
static int
feed_reload_argv(const struct nta_driver_conf *c, struct feed *f, char *why,
    size_t whylen)
{
	size_t n = 0;
	char *w, *save = NULL;
	bool nsd, knot;

	if (c->reload_cmd == NULL)
		return 0;
	if (strlen(c->reload_cmd) >= sizeof(f->reload)) {
		snprintf(why, whylen, "--reload-cmd: too long");
		return -1;
	}
	snprintf(f->reload, sizeof(f->reload), "%s", c->reload_cmd);
	nsd = strcmp(f->reload, "nsd-control") == 0;
	knot = strcmp(f->reload, "knotc") == 0;
	for (w = strtok_r(f->reload, " \t", &save); w != NULL;
	    w = strtok_r(NULL, " \t", &save)) {
		if (n + 1 >= NTA_RUN_ARGV_MAX - 4) {
			snprintf(why, whylen, "--reload-cmd: too many words");
			return -1;
		}
		f->argv[n++] = w;
	}
	if (n == 0) {
		snprintf(why, whylen, "--reload-cmd: empty");
		return -1;
	}
	if ((nsd || knot) && c->control_config) {
		f->argv[n++] = (char *)"-c";
		f->argv[n++] = (char *)c->control_config;
	}
	if (nsd || knot) {
		f->argv[n++] = (char *)(nsd ? "reload" : "zone-reload");
		f->argv[n++] = f->origin;
	} else if (c->control_config) {
		snprintf(why, whylen, "--control-config is for --reload-cmd "
		    "nsd-control or knotc");
		return -1;
	}
	f->argv[n] = NULL;
	return 0;
}

static void
feed_close(struct nta_driver *d)
{
	struct feed *f = d->state;

	if (f != NULL) {
		free(f->v);
		free(f);
	}
	d->state = NULL;
}

static int
feed_open(struct nta_driver *d, char *why, size_t whylen)
{
	const struct nta_driver_conf *c = d->c;
	const char *bad;
	struct feed *f;

	if (c->feed_zone == NULL || c->feed_file == NULL) {
		snprintf(why, whylen, "--driver feedzone needs --feed-zone ZONE and "
		    "--feed-file FILE");
		return -1;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	d->state = f;
	if (zone_name_normalise(c->feed_zone, f->origin, &bad) != 0 ||
	    strcmp(f->origin, ".") == 0) {
		snprintf(why, whylen, "--feed-zone '%s': %s", c->feed_zone,
		    strcmp(f->origin, ".") == 0 ? "not the root" : bad);
		feed_close(d);
		return -1;
	}
	f->type = c->feed_type ? c->feed_type : FEED_TYPE_DEFAULT;
	if (feed_reload_argv(c, f, why, whylen) != 0) {
		feed_close(d);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- the list */

static struct feed_entry *
feed_find(struct feed *f, const char *zone)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].zone, zone) == 0)
			return &f->v[i];
	return NULL;
}

static int
feed_put(struct feed *f, const char *zone, long long expiry)
{
	struct feed_entry *e = feed_find(f, zone), *nv;

	if (e != NULL) {
		e->expiry = expiry;
		return 0;
	}
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		if ((nv = realloc(f->v, cap * sizeof(*nv))) == NULL)
			return -1;
		f->v = nv;
		f->cap = cap;
	}
	snprintf(f->v[f->n].zone, sizeof(f->v[f->n].zone), "%s", zone);
	f->v[f->n++].expiry = expiry;
	return 0;
}

/* ---------------------------------------------------------------- reading */

static int
feed_hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
	    c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The RDATA of hex (the draft's DOMAIN then EXPIRY) into zone and
 * *expiry. 0, or -1 when it is not that. */
static int
feed_rdata_parse(const char *hex, char *zone, size_t zlen, long long *expiry)
{
	unsigned char w[ZONE_TEXT_MAX + 16];
	size_t n = 0, i = 0, o = 0, hl = strlen(hex);
	uint64_t x = 0;

	if (hl % 2 != 0 || hl / 2 > sizeof(w))
		return -1;
	for (; n < hl / 2; n++) {
		int a = feed_hexval(hex[2 * n]), b = feed_hexval(hex[2 * n + 1]);
		if (a < 0 || b < 0)
			return -1;
		w[n] = (unsigned char)(a << 4 | b);
	}
	while (i < n && w[i] != 0) {
		size_t l = w[i++];
		if (l > 63 || i + l > n || o + l + 2 > zlen)
			return -1;
		for (size_t k = 0; k < l; k++, i++)
			zone[o++] = (w[i] > 0x20 && w[i] < 0x7f) ? (char)w[i] : '?';
		zone[o++] = '.';
	}
	if (i >= n || n - i - 1 != 8)
		return -1;
	if (o == 0)
		zone[o++] = '.';
	zone[o] = '\0';
	for (i++; i < n; i++)
		x = x << 8 | w[i];
	*expiry = x > (uint64_t)INT64_MAX ? INT64_MAX : (long long)x;
	return 0;
}

/* One line of our file: the SOA's serial, or an NTA RR of our type. */
static void
feed_read_line(struct feed *f, char *line)
{
	char *fld[12], *save = NULL, type[32];
	size_t n = 0;
	char zone[ZONE_TEXT_MAX + 2];
	long long expiry;

	for (char *w = strtok_r(line, " \t\r\n", &save); w != NULL && n < 12;
	    w = strtok_r(NULL, " \t\r\n", &save))
		fld[n++] = w;
	if (n < 4 || fld[0][0] == ';' || fld[0][0] == '$')
		return;
	if (strcmp(fld[3], "SOA") == 0 && n >= 7) {
		f->serial = (uint32_t)strtoul(fld[6], NULL, 10);
		return;
	}
	snprintf(type, sizeof(type), "TYPE%u", f->type);
	if (strcmp(fld[3], type) != 0 || n != 7 || strcmp(fld[4], "\\#") != 0 ||
	    feed_rdata_parse(fld[6], zone, sizeof(zone), &expiry) != 0)
		return;
	(void)feed_put(f, zone, expiry);
}

/* Read the file into f (its list replaced). 0, or -1 with why. */
static int
feed_read(const struct nta_driver *d, struct feed *f, char *why,
    size_t whylen)
{
	const char *path = d->c->feed_file;
	char *line = NULL;
	size_t cap = 0, total = 0;
	ssize_t len;
	FILE *in;
	int rc = -1;

	f->n = 0;
	f->serial = 0;
	f->exists = f->dirty = false;
	if ((in = fopen(path, "re")) == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((len = getline(&line, &cap, in)) < 0 ||
	    strncmp(line, FEED_HEADER, strlen(FEED_HEADER)) != 0) {
		snprintf(why, whylen, "%s: not an NTA feed zone written by ntactl "
		    "(its first line is not \"%s\"): left alone", path, FEED_HEADER);
		goto out;
	}
	f->exists = true;
	while ((len = getline(&line, &cap, in)) >= 0) {
		if ((total += (size_t)len) > FEED_FILE_MAX) {
			snprintf(why, whylen, "%s: larger than %d bytes", path,
			    FEED_FILE_MAX);
			goto out;
		}
		feed_read_line(f, line);
	}
	rc = 0;
out:
	free(line);
	fclose(in);
	return rc;
}

static int
feed_list(struct nta_driver *d, struct nta_present *p, char *why,
    size_t whylen)
{
	struct feed *f = d->state;

	if (feed_read(d, f, why, whylen) != 0)
		return -1;
	for (size_t i = 0; i < f->n; i++)
		if (nta_present_add(p, f->v[i].zone, strlen(f->v[i].zone)) != 0) {
			snprintf(why, whylen, "out of memory");
			nta_present_free(p);
			return -1;
		}
	return 0;
}

/* ---------------------------------------------------------------- changes */

/* "de." below the feed's origin ("de.feed.example."): 0, or -1 when the
 * name would be too long. */
static int
feed_owner(const struct feed *f, const char *zone, char *out, size_t len)
{
	int n = snprintf(out, len, "%s%s", zone, f->origin);

	return n < 0 || (size_t)n >= len || n > ZONE_TEXT_MAX ? -1 : 0;
}

static int
feed_add(struct nta_driver *d, const char *zone, long long lifetime,
    long long until, const char *reason, const char *note, bool dry_run,
    json_t *commands, char *why, size_t whylen)
{
	struct feed *f = d->state;
	struct feed_entry *e = feed_find(f, zone);
	long long now = (long long)time(NULL), expiry = until;
	char owner[2 * ZONE_TEXT_MAX + 2], line[6 * ZONE_TEXT_MAX];

	(void)lifetime;
	(void)reason;
	(void)note;
	(void)dry_run;
	if (expiry > now + NTA_LIFETIME_MAX)
		expiry = now + NTA_LIFETIME_MAX;   /* RFC 7646: at most a week */
	if (feed_owner(f, zone, owner, sizeof(owner)) != 0) {
		snprintf(why, whylen, "%s: too long a name below the feed zone %s",
		    zone, f->origin);
		return -1;
	}
	snprintf(line, sizeof(line), "feed %s: %s TYPE%u %s %lld", f->origin,
	    owner, f->type, zone, expiry);
	if (commands != NULL)
		json_array_append_new(commands, json_string(line));
	if (e != NULL && e->expiry == expiry)
		return 0;
	if (feed_put(f, zone, expiry) != 0) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	f->dirty = true;
	return 0;
}

static int
feed_remove(struct nta_driver *d, const char *zone, const char *reason,
    bool dry_run, json_t *commands, char *why, size_t whylen)
{
	struct feed *f = d->state;
	struct feed_entry *e = feed_find(f, zone);
	char line[2 * ZONE_TEXT_MAX + 32];

	(void)reason;
	(void)dry_run;
	(void)why;
	(void)whylen;
	snprintf(line, sizeof(line), "feed %s: remove %s", f->origin, zone);
	if (commands != NULL)
		json_array_append_new(commands, json_string(line));
	if (e != NULL) {
		*e = f->v[--f->n];
		f->dirty = true;
	}
	return 0;
}

/* ---------------------------------------------------------------- writing */

static int
feed_cmp(const void *a, const void *b)
{
	return strcmp(((const struct feed_entry *)a)->zone,
	    ((const struct feed_entry *)b)->zone);
}

/* One NTA RR of e, in RFC 3597 generic syntax, appended to b. */
static void
feed_rr(struct buf *b, const struct feed *f, const struct feed_entry *e)
{
	char owner[2 * ZONE_TEXT_MAX + 2], head[2 * ZONE_TEXT_MAX + 64], hex[4];
	size_t wire = 1, start = 0;
	const char *z = e->zone;
	uint64_t x = (uint64_t)e->expiry;

	if (feed_owner(f, z, owner, sizeof(owner)) != 0)
		return;   /* refused by feed_add: never in the list */
	if (strcmp(z, ".") != 0)
		wire = strlen(z) + 1;
	snprintf(head, sizeof(head), "%s %d IN TYPE%u \\# %zu ", owner, FEED_TTL,
	    f->type, wire + 8);
	buf_add(b, head, strlen(head));
	for (size_t i = 0; strcmp(z, ".") != 0 && z[i]; i++) {
		if (z[i] != '.')
			continue;
		snprintf(hex, sizeof(hex), "%02x", (unsigned)(i - start));
		buf_add(b, hex, 2);
		for (size_t k = start; k < i; k++) {
			snprintf(hex, sizeof(hex), "%02x", (unsigned char)z[k]);
			buf_add(b, hex, 2);
		}
		start = i + 1;
	}
	buf_add(b, "00", 2);
	for (int k = 7; k >= 0; k--) {
		snprintf(hex, sizeof(hex), "%02x", (unsigned)(x >> (8 * k)) & 0xff);
		buf_add(b, hex, 2);
	}
	buf_add(b, "\n", 1);
}

/* The whole file for serial into b. */
static void
feed_text(struct buf *b, const struct nta_driver *d, const struct feed *f,
    uint32_t serial)
{
	char line[2 * ZONE_TEXT_MAX + 256];

	snprintf(line, sizeof(line), FEED_HEADER ", written by ntactl nta sync "
	    "from %s: do not edit, it is replaced as a whole.\n; The NTA RR "
	    "type has no code yet: TYPE%u here (RFC 3597 syntax); RDATA = "
	    "DOMAIN (wire form) + EXPIRY (64-bit, unix seconds).\n",
	    d->c->relay ? d->c->relay : "a relay", f->type);
	buf_add(b, line, strlen(line));
	snprintf(line, sizeof(line), "%s %d IN SOA localhost. "
	    "nta-maintainer.localhost. %" PRIu32 " " FEED_SOA_TIMERS "\n"
	    "%s %d IN NS localhost.\n", f->origin, FEED_TTL, serial, f->origin,
	    FEED_TTL);
	buf_add(b, line, strlen(line));
	for (size_t i = 0; i < f->n; i++)
		feed_rr(b, f, &f->v[i]);
}

/* The next serial: max(serial + 1, now), in 32 bits (RFC 1982). */
static uint32_t
feed_next_serial(uint32_t serial, long long now)
{
	uint32_t next = serial + 1;

	if (now > 0 && now <= (long long)UINT32_MAX &&
	    (uint32_t)now - next < 0x80000000u && (uint32_t)now != next - 1)
		next = (uint32_t)now;
	return next ? next : 1;
}

static int
feed_commit(struct nta_driver *d, bool dry_run, json_t *commands, char *why,
    size_t whylen)
{
	struct feed *f = d->state;
	struct buf b = { 0 };
	uint32_t serial;
	char line[4096 + 64];
	int rc = -1;

	if (f->exists && !f->dirty)
		return 0;   /* the serial moves on a change, and only then */
	serial = feed_next_serial(f->serial, (long long)time(NULL));
	if (f->n > 1)
		qsort(f->v, f->n, sizeof(*f->v), feed_cmp);
	snprintf(line, sizeof(line), "write %s (zone %s, serial %" PRIu32
	    ", %zu NTA%s)", d->c->feed_file, f->origin, serial, f->n,
	    f->n == 1 ? "" : "s");
	if (commands != NULL)
		json_array_append_new(commands, json_string(line));
	if (dry_run)
		goto reload;
	feed_text(&b, d, f, serial);
	if (b.failed) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	if (nta_file_replace(d->c->feed_file, b.data, b.len, 0644, why,
	    whylen) != 0)
		goto out;
	f->serial = serial;
	f->exists = true;
	f->dirty = false;
reload:
	rc = 0;
	if (f->argv[0] != NULL && nta_driver_cmd(d, f->argv, NULL, NULL, dry_run,
	    commands, NULL, why, whylen) != 0)
		rc = 1;   /* written, not reloaded: said, and the state follows */
out:
	buf_free(&b);
	return rc;
}

const struct nta_backend nta_drv_feedzone = {
	.name = "feedzone",
	.program = NULL,
	.program_opt = NULL,
	.resolver_lifetime = true,   /* EXPIRY: a renewal writes the new one */
	.opt_control_config = true,  /* for --reload-cmd nsd-control, knotc */
	.opt_feed = true,
	.open = feed_open,
	.close = feed_close,
	.list = feed_list,
	.add = feed_add,
	.remove = feed_remove,
	.commit = feed_commit,
};
