/*
 * client/nta_driver.c — the resolver drivers of `ntactl nta` behind one
 * interface (nta_driver.h): the table of drivers (one file each,
 * client/nta_drv_*.c, nta_backend.h), the names a resolver has, the rules
 * every driver shares (options, the root, renewals), and the running of
 * a control program.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/nta_backend.h"
#include "client/nta_driver.h"
#include "client/nta_run.h"

/* Every driver, in the order ntactl(1) and the messages name them. */
static const struct nta_backend *const nta_backends[] = {
	&nta_drv_unbound,
	&nta_drv_bind,
	&nta_drv_knot,
	&nta_drv_powerdns,
	&nta_drv_exec,
	&nta_drv_feedzone,
};
#define NTA_NBACKENDS (sizeof(nta_backends) / sizeof(nta_backends[0]))

/* ---------------------------------------------------------------- names */

int
nta_present_add(struct nta_present *p, const char *raw, size_t len)
{
	char zone[ZONE_TEXT_MAX + 1], *r, *z = NULL, **nz, **nr;
	const char *why;

	if ((r = strndup(raw, len)) == NULL)
		return -1;
	for (size_t i = 0; r[i]; i++)
		if ((unsigned char)r[i] < 0x20 || r[i] == 0x7f)
			r[i] = '?';
	if (strlen(r) == len && zone_name_normalise(r, zone, &why) == 0 &&
	    (z = strdup(zone)) == NULL) {
		free(r);
		return -1;
	}
	if ((nz = realloc(p->zone, (p->n + 1) * sizeof(*nz))) == NULL) {
		free(r);
		free(z);
		return -1;
	}
	p->zone = nz;
	if ((nr = realloc(p->raw, (p->n + 1) * sizeof(*nr))) == NULL) {
		free(r);
		free(z);
		return -1;
	}
	p->raw = nr;
	p->zone[p->n] = z;
	p->raw[p->n] = r;
	p->n++;
	return 0;
}

bool
nta_present_has(const struct nta_present *p, const char *zone)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->zone[i] != NULL && strcmp(p->zone[i], zone) == 0)
			return true;
	return false;
}

void
nta_present_free(struct nta_present *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n; i++) {
		free(p->zone[i]);
		free(p->raw[i]);
	}
	free(p->zone);
	free(p->raw);
	memset(p, 0, sizeof(*p));
}

/* BIND lists a name once per view: the names as written count once. */
bool
nta_present_has_raw(const struct nta_present *p, const char *raw, size_t len)
{
	for (size_t i = 0; i < p->n; i++)
		if (strlen(p->raw[i]) == len && memcmp(p->raw[i], raw, len) == 0)
			return true;
	return false;
}

void
nta_present_remove(struct nta_present *p, const char *zone)
{
	size_t i = 0;

	while (i < p->n) {
		if (p->zone[i] != NULL && strcmp(p->zone[i], zone) == 0) {
			free(p->zone[i]);
			free(p->raw[i]);
			memmove(p->zone + i, p->zone + i + 1,
			    (p->n - i - 1) * sizeof(*p->zone));
			memmove(p->raw + i, p->raw + i + 1,
			    (p->n - i - 1) * sizeof(*p->raw));
			p->n--;
		} else
			i++;
	}
}

int
nta_present_lines(struct nta_present *p, const char *text, size_t len,
    bool cut)
{
	const char *line = text, *end = text + len, *nl, *e;

	while (line < end) {
		nl = memchr(line, '\n', (size_t)(end - line));
		e = nl ? nl : end;
		while (line < e && (*line == ' ' || *line == '\t'))
			line++;
		if (cut) {
			const char *sp = line;
			while (sp < e && *sp != ' ' && *sp != '\t')
				sp++;
			e = sp;
		}
		while (e > line && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if (e > line && *line != '#' && nta_present_add(p, line,
		    (size_t)(e - line)) != 0)
			return -1;
		line = nl ? nl + 1 : end;
	}
	return 0;
}

/* ---------------------------------------------------------------- setup */

static const struct nta_backend *
nta_backend_find(const char *name)
{
	for (size_t i = 0; name && i < NTA_NBACKENDS; i++)
		if (strcmp(name, nta_backends[i]->name) == 0)
			return nta_backends[i];
	return NULL;
}

bool
nta_driver_known(const char *name)
{
	return nta_backend_find(name) != NULL;
}

const char *
nta_driver_default_program(const char *name)
{
	const struct nta_backend *b = nta_backend_find(name);

	return b ? b->program : NULL;
}

const char *
nta_driver_at(size_t i)
{
	return i < NTA_NBACKENDS ? nta_backends[i]->name : NULL;
}

const char *
nta_driver_names(char *out, size_t len)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < NTA_NBACKENDS && n < len; i++)
		n += (size_t)snprintf(out + n, len - n, "%s%s", i == 0 ? "" :
		    i + 1 == NTA_NBACKENDS ? " or " : ", ", nta_backends[i]->name);
	return out;
}

bool
nta_driver_accepts(const struct nta_driver_conf *c, const char *program_opt)
{
	const struct nta_backend *b = nta_backend_find(c->driver);

	if (b == NULL)
		return false;
	if (program_opt && (b->program_opt == NULL ||
	    strcmp(program_opt, b->program_opt) != 0))
		return false;
	return !((c->control_config && !b->opt_control_config) ||
	    ((c->config_dir || c->socket_dir) && !b->opt_dirs) ||
	    (c->control_socket && !b->opt_control_socket) ||
	    (c->no_recheck && !b->opt_recheck) ||
	    ((c->feed_zone || c->feed_file || c->feed_type || c->reload_cmd) &&
	    !b->opt_feed));
}

struct nta_driver *
nta_driver_new(const struct nta_driver_conf *c, char *why, size_t whylen)
{
	const struct nta_backend *b = nta_backend_find(c->driver);
	struct nta_driver *d;
	char names[128];

	if (b == NULL) {
		snprintf(why, whylen, "--driver must be %s",
		    nta_driver_names(names, sizeof(names)));
		return NULL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	d->b = b;
	d->c = c;
	d->program = c->program ? c->program : b->program;
	if (b->open != NULL && b->open(d, why, whylen) != 0) {
		free(d);
		return NULL;
	}
	return d;
}

void
nta_driver_free(struct nta_driver *d)
{
	if (d == NULL)
		return;
	if (d->b->close != NULL)
		d->b->close(d);
	free(d);
}

const char *
nta_driver_name(const struct nta_driver *d)
{
	return d->b->name;
}

/* ---------------------------------------------------------------- commands */

void
nta_driver_argv(const struct nta_driver *d, char **argv, const char *const *args)
{
	size_t n = 0;

	argv[n++] = (char *)d->program;
	if (d->b->conn_args != NULL)
		d->b->conn_args(d, argv, &n);
	for (size_t i = 0; args && args[i] && n + 1 < NTA_RUN_ARGV_MAX; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
}

int
nta_driver_cmd(const struct nta_driver *d, char **argv, char **envp,
    const char *show, bool dry_run, json_t *commands,
    struct nta_run_result *r, char *why, size_t whylen)
{
	struct nta_run_result res;
	char line[2048], text[512], err[256];
	int rc = -1;

	nta_run_format(argv, text, sizeof(text));
	snprintf(line, sizeof(line), "%s%s%s", show ? show : "", show ? " " : "",
	    text);
	if (commands != NULL)
		json_array_append_new(commands, json_string(line));
	if (dry_run)
		return 0;
	if (nta_run(argv, envp, d->c->timeout, &res, err, sizeof(err)) != 0) {
		snprintf(why, whylen, "%s: cannot run: %s", text, err);
		return -1;
	}
	if (!nta_run_ok(&res) ||
	    /* unbound-control answers "error ..." for a refused command */
	    (d->b->stdout_error &&
	    strncmp(res.out, "error", 5) == 0)) {
		nta_run_describe(&res, d->c->timeout, err, sizeof(err));
		snprintf(why, whylen, "%s failed: %s", text, err);
		if (nta_run_ok(&res) && res.out_len > 0) {
			/* exit 0 but an error on standard output: show that */
			size_t n = strcspn(res.out, "\n");
			snprintf(why, whylen, "%s failed: %.*s", text,
			    (int)(n > 200 ? 200 : n), res.out);
		}
		goto out;
	}
	rc = 0;
	if (r != NULL) {
		*r = res;
		return 0;
	}
out:
	nta_run_result_free(&res);
	return rc;
}

int
nta_driver_run(const struct nta_driver *d, const char *const *args,
    bool dry_run, json_t *commands, char *why, size_t whylen)
{
	char *argv[NTA_RUN_ARGV_MAX];

	nta_driver_argv(d, argv, args);
	return nta_driver_cmd(d, argv, NULL, NULL, dry_run, commands, NULL, why,
	    whylen);
}

/* ---------------------------------------------------------------- the calls */

int
nta_driver_list(struct nta_driver *d, struct nta_present *p, char *why,
    size_t whylen)
{
	memset(p, 0, sizeof(*p));
	return d->b->list(d, p, why, whylen);
}

int
nta_driver_add(struct nta_driver *d, const char *zone, long long lifetime,
    long long until, const char *reason, const char *note, bool renew,
    bool present, bool dry_run, json_t *commands, char *why, size_t whylen)
{
	if (strcmp(zone, ".") == 0) {
		/* Never: an NTA at the root turns validation off. */
		snprintf(why, whylen, "refused: the root never gets an NTA");
		return -1;
	}
	if (renew && present && !d->b->resolver_lifetime)
		return 0;   /* no lifetime on the resolver: only the record moves */
	return d->b->add(d, zone, lifetime, until, reason, note, dry_run,
	    commands, why, whylen);
}

int
nta_driver_remove(struct nta_driver *d, const char *zone, const char *reason,
    bool dry_run, json_t *commands, char *why, size_t whylen)
{
	return d->b->remove(d, zone, reason, dry_run, commands, why, whylen);
}

int
nta_driver_commit(struct nta_driver *d, bool dry_run, json_t *commands,
    char *why, size_t whylen)
{
	return d->b->commit ? d->b->commit(d, dry_run, commands, why, whylen) : 0;
}

bool
nta_driver_rechecks(const struct nta_driver *d)
{
	return d->b->opt_recheck && !d->c->no_recheck;
}
