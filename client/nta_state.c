/*
 * client/nta_state.c — the state file of `ntactl nta` (see nta_state.h).
 */
#define _GNU_SOURCE   /* asprintf */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "client/nta_file.h"
#include "client/nta_state.h"
#include "proto/kind.h"

#define NTA_STATE_VERSION 1

static bool
nta_state_driver_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= NTA_DRIVER_NAME_MAX &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* Integer member name of o in [lo, hi] into *v; 0 or -1. */
static int
nta_state_int(const json_t *o, const char *name, long long lo, long long hi,
    long long *v)
{
	const json_t *j = json_object_get(o, name);

	if (!json_is_integer(j))
		return -1;
	*v = (long long)json_integer_value(j);
	return *v >= lo && *v <= hi ? 0 : -1;
}

/* The members of the file beside its records: version, relay_ok_at. */
static int
nta_state_top(const json_t *root, const char *path, struct nta_state *s,
    char *why, size_t whylen)
{
	if (!json_is_object(root) || !json_is_array(json_object_get(root, "ntas")) ||
	    !json_is_integer(json_object_get(root, "version")) ||
	    json_integer_value(json_object_get(root, "version")) !=
	    NTA_STATE_VERSION) {
		snprintf(why, whylen, "%s: not an ntactl nta state file "
		    "(version %d)", path, NTA_STATE_VERSION);
		return -1;
	}
	if (json_object_get(root, "relay_ok_at") != NULL &&
	    nta_state_int(root, "relay_ok_at", 0, KIND_TIME_MAX,
	    &s->relay_ok_at) != 0) {
		snprintf(why, whylen, "%s: \"relay_ok_at\" is not a time", path);
		return -1;
	}
	return 0;
}

int
nta_state_load(const char *path, struct nta_state *s, char *why,
    size_t whylen)
{
	json_error_t jerr;
	struct nta_record rec;
	const json_t *ntas, *e, *z, *d;
	json_t *root = NULL;
	struct stat st;
	FILE *f = NULL;
	size_t i;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_size > NTA_STATE_MAX) {
		snprintf(why, whylen, "%s: larger than %d bytes", path,
		    NTA_STATE_MAX);
		goto out;
	}
	if ((root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		snprintf(why, whylen, "%s: not JSON (line %d: %s)", path,
		    jerr.line, jerr.text);
		goto out;
	}
	ntas = json_object_get(root, "ntas");
	if (nta_state_top(root, path, s, why, whylen) != 0)
		goto out;
	json_array_foreach(ntas, i, e) {
		memset(&rec, 0, sizeof(rec));
		z = json_object_get(e, "zone");
		d = json_object_get(e, "driver");
		if (!json_is_string(z) || !zone_name_valid(json_string_value(z),
		    json_string_length(z), NULL) || !json_is_string(d) ||
		    !nta_state_driver_valid(json_string_value(d)) ||
		    nta_state_int(e, "added_at", 0, KIND_TIME_MAX, &rec.added_at) ||
		    nta_state_int(e, "until", 0, KIND_TIME_MAX, &rec.until) ||
		    nta_state_int(e, "lifetime", 1, NTA_LIFETIME_MAX, &rec.lifetime)) {
			snprintf(why, whylen, "%s: record %zu is malformed (zone, "
			    "driver, added_at, until, lifetime)", path, i + 1);
			goto out;
		}
		snprintf(rec.zone, sizeof(rec.zone), "%s", json_string_value(z));
		snprintf(rec.driver, sizeof(rec.driver), "%s", json_string_value(d));
		if (nta_state_find(s, rec.zone, rec.driver) != NULL) {
			snprintf(why, whylen, "%s: %s is recorded twice for %s", path,
			    rec.zone, rec.driver);
			goto out;
		}
		if (nta_state_put(s, &rec) != 0) {
			snprintf(why, whylen, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	if (rc != 0)
		nta_state_free(s);
	json_decref(root);
	fclose(f);
	return rc;
}

static json_t *
nta_state_to_json(const struct nta_state *s)
{
	json_t *root = json_object(), *ntas = json_array(), *e;

	if (root == NULL || ntas == NULL ||
	    json_object_set_new(root, "version", json_integer(NTA_STATE_VERSION)) ||
	    json_object_set(root, "ntas", ntas) || (s->relay_ok_at > 0 &&
	    json_object_set_new(root, "relay_ok_at", json_integer(s->relay_ok_at))))
		goto fail;
	for (size_t i = 0; i < s->n; i++) {
		const struct nta_record *r = &s->v[i];
		if ((e = json_object()) == NULL || json_array_append_new(ntas, e) ||
		    json_object_set_new(e, "zone", json_string(r->zone)) ||
		    json_object_set_new(e, "driver", json_string(r->driver)) ||
		    json_object_set_new(e, "added_at", json_integer(r->added_at)) ||
		    json_object_set_new(e, "until", json_integer(r->until)) ||
		    json_object_set_new(e, "lifetime", json_integer(r->lifetime)))
			goto fail;
	}
	json_decref(ntas);
	return root;
fail:
	json_decref(ntas);
	json_decref(root);
	return NULL;
}

int
nta_state_save(const char *path, const struct nta_state *s, char *why,
    size_t whylen)
{
	char *text = NULL;
	json_t *root = NULL;
	size_t len;
	int rc = -1;

	if ((root = nta_state_to_json(s)) == NULL ||
	    (text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER)) == NULL) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	len = strlen(text);
	text[len++] = '\n';   /* replaces the NUL: written by length */
	rc = nta_file_replace(path, text, len, 0644, why, whylen);
out:
	free(text);
	json_decref(root);
	return rc;
}

int
nta_state_lock(const char *path, int wait, char *why, size_t whylen)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	char *lock = NULL;
	int fd, tries = wait * 10;

	if (asprintf(&lock, "%s.lock", path) < 0) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if ((fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		snprintf(why, whylen, "%s: %s", lock, strerror(errno));
		free(lock);
		return -1;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if ((errno != EWOULDBLOCK && errno != EINTR) || tries-- <= 0) {
			snprintf(why, whylen, "%s: %s", lock, errno == EWOULDBLOCK ?
			    "held by another ntactl nta (waited)" : strerror(errno));
			close(fd);
			free(lock);
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	free(lock);
	return fd;
}

void
nta_state_unlock(int fd)
{
	if (fd >= 0)
		close(fd);   /* releases the flock */
}

struct nta_record *
nta_state_find(struct nta_state *s, const char *zone, const char *driver)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].zone, zone) == 0 &&
		    strcmp(s->v[i].driver, driver) == 0)
			return &s->v[i];
	return NULL;
}

int
nta_state_put(struct nta_state *s, const struct nta_record *rec)
{
	struct nta_record *r = nta_state_find(s, rec->zone, rec->driver), *nv;
	size_t cap;

	if (r != NULL) {
		*r = *rec;
		return 0;
	}
	if (s->n == s->cap) {
		cap = s->cap ? s->cap * 2 : 16;
		if ((nv = realloc(s->v, cap * sizeof(*nv))) == NULL)
			return -1;
		s->v = nv;
		s->cap = cap;
	}
	s->v[s->n++] = *rec;
	return 0;
}

void
nta_state_del(struct nta_state *s, const char *zone, const char *driver)
{
	struct nta_record *r = nta_state_find(s, zone, driver);
	size_t at;

	if (r == NULL)
		return;
	at = (size_t)(r - s->v);
	memmove(r, r + 1, (s->n - at - 1) * sizeof(*r));
	s->n--;
}

void
nta_state_free(struct nta_state *s)
{
	if (s == NULL)
		return;
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int
nta_state_copy(struct nta_state *dst, const struct nta_state *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->relay_ok_at = src->relay_ok_at;
	if (src->n == 0)
		return 0;
	if ((dst->v = malloc(src->n * sizeof(*dst->v))) == NULL)
		return -1;
	memcpy(dst->v, src->v, src->n * sizeof(*dst->v));
	dst->n = dst->cap = src->n;
	return 0;
}

bool
nta_state_equal(const struct nta_state *a, const struct nta_state *b)
{
	if (a->n != b->n || a->relay_ok_at != b->relay_ok_at)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].zone, b->v[i].zone) != 0 ||
		    strcmp(a->v[i].driver, b->v[i].driver) != 0 ||
		    a->v[i].added_at != b->v[i].added_at ||
		    a->v[i].until != b->v[i].until ||
		    a->v[i].lifetime != b->v[i].lifetime)
			return false;
	return true;
}

void
nta_time_text(long long t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, len, "%lld", t);
}
