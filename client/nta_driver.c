/*
 * client/nta_driver.c — the resolver drivers of `ntactl nta` that run a
 * control program (unbound, bind, powerdns, exec) and the dispatch to the
 * kresd control socket (nta_knot.c). See nta_driver.h.
 */
#define _GNU_SOURCE   /* asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/nta_driver.h"
#include "client/nta_run.h"
#include "client/nta_state.h"

extern char **environ;

enum nta_kind { NTA_UNBOUND, NTA_BIND, NTA_KNOT, NTA_POWERDNS, NTA_EXEC };

static const struct {
	const char *name;
	enum nta_kind kind;
	const char *program;    /* default control program */
	bool resolver_lifetime; /* the resolver ends the NTA itself: renew re-adds */
} nta_drivers[] = {
	{ "unbound", NTA_UNBOUND, "unbound-control", false },
	{ "bind", NTA_BIND, "rndc", true },
	{ "knot", NTA_KNOT, NULL, false },
	{ "powerdns", NTA_POWERDNS, "rec_control", false },
	{ "exec", NTA_EXEC, NULL, true },
};
#define NTA_NDRIVERS (sizeof(nta_drivers) / sizeof(nta_drivers[0]))

struct nta_driver {
	size_t index;                      /* into nta_drivers */
	const struct nta_driver_conf *c;
	const char *program;
	char *opt[2];                      /* "--config-dir=D", "--socket-dir=S" */
	struct nta_present knot_now;       /* knot: the list last read or set */
};

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

/* True when p holds raw (len bytes) as written: BIND lists a name once per
 * view. */
static bool
nta_present_has_raw(const struct nta_present *p, const char *raw, size_t len)
{
	for (size_t i = 0; i < p->n; i++)
		if (strlen(p->raw[i]) == len && memcmp(p->raw[i], raw, len) == 0)
			return true;
	return false;
}

/* Remove zone from p (every spelling of it). */
static void
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

/* Each line of text (len bytes) that is not blank and not a "#" comment,
 * trimmed, cut at the first tab or space when cut, appended to p. */
static int
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

bool
nta_driver_known(const char *name)
{
	for (size_t i = 0; name && i < NTA_NDRIVERS; i++)
		if (strcmp(name, nta_drivers[i].name) == 0)
			return true;
	return false;
}

const char *
nta_driver_default_program(const char *name)
{
	for (size_t i = 0; name && i < NTA_NDRIVERS; i++)
		if (strcmp(name, nta_drivers[i].name) == 0)
			return nta_drivers[i].program;
	return NULL;
}

struct nta_driver *
nta_driver_new(const struct nta_driver_conf *c, char *why, size_t whylen)
{
	struct nta_driver *d;
	size_t i;

	for (i = 0; i < NTA_NDRIVERS; i++)
		if (c->driver && strcmp(c->driver, nta_drivers[i].name) == 0)
			break;
	if (i == NTA_NDRIVERS) {
		snprintf(why, whylen, "--driver must be unbound, bind, knot, "
		    "powerdns or exec");
		return NULL;
	}
	if (nta_drivers[i].kind == NTA_EXEC && c->program == NULL) {
		snprintf(why, whylen, "--driver exec needs --exec PROGRAM");
		return NULL;
	}
	if (nta_drivers[i].kind == NTA_KNOT && c->control_socket == NULL) {
		snprintf(why, whylen, "--driver knot needs --control-socket PATH "
		    "(kresd's control socket, e.g. /run/knot-resolver/control/1)");
		return NULL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	d->index = i;
	d->c = c;
	d->program = c->program ? c->program : nta_drivers[i].program;
	if ((c->config_dir && asprintf(&d->opt[0], "--config-dir=%s",
	    c->config_dir) < 0) || (c->socket_dir && asprintf(&d->opt[1],
	    "--socket-dir=%s", c->socket_dir) < 0)) {
		d->opt[0] = d->opt[1] = NULL;
		nta_driver_free(d);
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	return d;
}

void
nta_driver_free(struct nta_driver *d)
{
	if (d == NULL)
		return;
	free(d->opt[0]);
	free(d->opt[1]);
	nta_present_free(&d->knot_now);
	free(d);
}

const char *
nta_driver_name(const struct nta_driver *d)
{
	return nta_drivers[d->index].name;
}

/* ---------------------------------------------------------------- commands */

/* argv = the driver's program and its connection options, then args. */
static void
nta_driver_argv(const struct nta_driver *d, char **argv, const char *const *args)
{
	size_t n = 0;

	argv[n++] = (char *)d->program;
	switch (nta_drivers[d->index].kind) {
	case NTA_UNBOUND:
	case NTA_BIND:
		if (d->c->control_config) {
			argv[n++] = (char *)"-c";
			argv[n++] = (char *)d->c->control_config;
		}
		break;
	case NTA_POWERDNS:
		if (d->opt[0])
			argv[n++] = d->opt[0];
		if (d->opt[1])
			argv[n++] = d->opt[1];
		break;
	default:
		break;
	}
	for (size_t i = 0; args && args[i] && n + 1 < NTA_RUN_ARGV_MAX; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
}

/*
 * Run argv (with environment envp, NULL: ours; show: the NTA_ variables to
 * print before the command). The line goes to commands; with dry_run that
 * is all. On success with r not NULL, r holds the output (caller frees).
 */
static int
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
	    (nta_drivers[d->index].kind == NTA_UNBOUND &&
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

/* The exec driver's environment: ours without NTA_*, then the given. */
static char **
nta_driver_env(const char *const *set)
{
	size_t n = 0, m = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	while (set[m])
		m++;
	if ((env = calloc(n + m + 1, sizeof(*env))) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "NTA_", 4) != 0)
			env[k++] = environ[i];
	for (size_t i = 0; i < m; i++)
		env[k++] = (char *)set[i];
	env[k] = NULL;
	return env;
}

/* Run the exec driver's program for action. */
static int
nta_driver_exec(const struct nta_driver *d, const char *action,
    const char *zone, long long lifetime, long long until, const char *reason,
    bool dry_run, json_t *commands, struct nta_run_result *r, char *why,
    size_t whylen)
{
	char v[4][ZONE_TEXT_MAX + 16], show[4 * (ZONE_TEXT_MAX + 16) + 8];
	char *relay = NULL, *note = NULL, **env = NULL;
	char *argv[2] = { (char *)d->program, NULL };
	const char *set[7];
	size_t n = 0;
	int rc = -1;

	snprintf(v[0], sizeof(v[0]), "NTA_ACTION=%s", action);
	snprintf(v[1], sizeof(v[1]), "NTA_ZONE=%s", zone ? zone : "");
	snprintf(v[2], sizeof(v[2]), "NTA_LIFETIME=%lld", lifetime);
	snprintf(v[3], sizeof(v[3]), "NTA_UNTIL=%lld", until);
	set[n++] = v[0];
	if (zone)
		set[n++] = v[1];
	if (lifetime > 0) {
		set[n++] = v[2];
		set[n++] = v[3];
	}
	if (asprintf(&relay, "NTA_RELAY=%s", d->c->relay ? d->c->relay : "") < 0) {
		relay = NULL;
		goto nomem;
	}
	set[n++] = relay;
	if (reason) {
		if (asprintf(&note, "NTA_REASON=%s", reason) < 0) {
			note = NULL;
			goto nomem;
		}
		set[n++] = note;
	}
	set[n] = NULL;
	/* Shown: the variables that say what to do (the reason is long). */
	snprintf(show, sizeof(show), "%s%s%s%s%s%s%s", v[0], zone ? " " : "",
	    zone ? v[1] : "", lifetime > 0 ? " " : "", lifetime > 0 ? v[2] : "",
	    lifetime > 0 ? " " : "", lifetime > 0 ? v[3] : "");
	if ((env = nta_driver_env(set)) == NULL)
		goto nomem;
	rc = nta_driver_cmd(d, argv, env, show, dry_run, commands, r, why, whylen);
	goto out;
nomem:
	snprintf(why, whylen, "out of memory");
out:
	free(env);
	free(relay);
	free(note);
	return rc;
}

/* ---------------------------------------------------------------- list */

int
nta_driver_list(struct nta_driver *d, struct nta_present *p, char *why,
    size_t whylen)
{
	static const char *const unbound_list[] = { "list_insecure", NULL };
	static const char *const bind_list[] = { "nta", "-dump", NULL };
	static const char *const pdns_list[] = { "get-ntas", NULL };
	char *argv[NTA_RUN_ARGV_MAX];
	struct nta_run_result r = { 0 };
	const char *line, *end, *nl, *colon, *slash;
	int rc = -1;

	memset(p, 0, sizeof(*p));
	switch (nta_drivers[d->index].kind) {
	case NTA_KNOT:
		nta_present_free(&d->knot_now);
		if (nta_knot_list(d->c->control_socket, d->c->timeout, p, why,
		    whylen) != 0)
			return -1;
		/* Remember the list as kresd has it: set_insecure replaces all. */
		for (size_t i = 0; i < p->n; i++)
			if (nta_present_add(&d->knot_now, p->raw[i],
			    strlen(p->raw[i])) != 0) {
				snprintf(why, whylen, "out of memory");
				nta_present_free(p);
				return -1;
			}
		return 0;
	case NTA_EXEC:
		if (nta_driver_exec(d, "list", NULL, 0, 0, NULL, false, NULL, &r,
		    why, whylen) != 0)
			return -1;
		if (nta_present_lines(p, r.out, r.out_len, false) != 0)
			goto nomem;
		break;
	case NTA_UNBOUND:
		nta_driver_argv(d, argv, unbound_list);
		if (nta_driver_cmd(d, argv, NULL, NULL, false, NULL, &r, why,
		    whylen) != 0)
			return -1;
		if (nta_present_lines(p, r.out, r.out_len, false) != 0)
			goto nomem;
		break;
	case NTA_POWERDNS:
		nta_driver_argv(d, argv, pdns_list);
		if (nta_driver_cmd(d, argv, NULL, NULL, false, NULL, &r, why,
		    whylen) != 0)
			return -1;
		/* "Configured Negative Trust Anchors:" then "NAME\tREASON" */
		line = strchr(r.out, '\n');
		if (strncmp(r.out, "Configured Negative Trust Anchors:", 34) != 0 ||
		    line == NULL) {
			if (r.out_len == 0 || strncmp(r.out, "Configured", 10) != 0) {
				snprintf(why, whylen, "%s get-ntas: unexpected output",
				    d->program);
				goto out;
			}
			line = r.out + r.out_len;
		}
		if (nta_present_lines(p, line, (size_t)(r.out + r.out_len - line),
		    true) != 0)
			goto nomem;
		break;
	case NTA_BIND:
		nta_driver_argv(d, argv, bind_list);
		if (nta_driver_cmd(d, argv, NULL, NULL, false, NULL, &r, why,
		    whylen) != 0)
			return -1;
		/* "NAME/VIEW: expiry DATE" or "NAME/VIEW: expired DATE" */
		for (line = r.out, end = r.out + r.out_len; line < end;
		    line = nl ? nl + 1 : end) {
			nl = memchr(line, '\n', (size_t)(end - line));
			colon = memmem(line, (size_t)((nl ? nl : end) - line), ": ", 2);
			if (colon == NULL)
				continue;
			if (strncmp(colon + 2, "expired", 7) == 0)
				continue;   /* ended, not yet cleaned up */
			for (slash = colon; slash > line && *slash != '/'; slash--)
				;
			if (slash == line)
				slash = colon;
			if (slash > line && !nta_present_has_raw(p, line,
			    (size_t)(slash - line)) &&
			    nta_present_add(p, line, (size_t)(slash - line)) != 0)
				goto nomem;
		}
		break;
	}
	rc = 0;
	goto out;
nomem:
	snprintf(why, whylen, "out of memory");
out:
	if (rc != 0)
		nta_present_free(p);
	nta_run_result_free(&r);
	return rc;
}

/* ---------------------------------------------------------------- add, remove */

int
nta_driver_add(struct nta_driver *d, const char *zone, long long lifetime,
    long long until, const char *reason, bool renew, bool present,
    bool dry_run, json_t *commands, char *why, size_t whylen)
{
	char *argv[NTA_RUN_ARGV_MAX], life[32], when[32], note[64];
	enum nta_kind kind = nta_drivers[d->index].kind;

	if (strcmp(zone, ".") == 0) {
		/* Never: an NTA at the root turns validation off. */
		snprintf(why, whylen, "refused: the root never gets an NTA");
		return -1;
	}
	if (renew && present && !nta_drivers[d->index].resolver_lifetime)
		return 0;   /* no lifetime on the resolver: only the record moves */
	switch (kind) {
	case NTA_UNBOUND: {
		/* insecure_add takes one name; flush, or SERVFAIL stays cached */
		const char *add[] = { "insecure_add", zone, NULL };
		const char *flush[] = { "flush_zone", zone, NULL };
		nta_driver_argv(d, argv, add);
		if (nta_driver_cmd(d, argv, NULL, NULL, dry_run, commands, NULL,
		    why, whylen) != 0)
			return -1;
		nta_driver_argv(d, argv, flush);
		return nta_driver_cmd(d, argv, NULL, NULL, dry_run, commands, NULL,
		    why, whylen);
	}
	case NTA_BIND: {
		/* -force: the relay decides when the zone validates again (for
		 * M operators, sustained); BIND's own recheck would lift the NTA
		 * on one good answer and the next pass would put it back. */
		const char *add[] = { "nta", "-lifetime", life, "-force", zone, NULL };
		snprintf(life, sizeof(life), "%llds", lifetime);
		nta_driver_argv(d, argv, add);
		return nta_driver_cmd(d, argv, NULL, NULL, dry_run, commands, NULL,
		    why, whylen);
	}
	case NTA_POWERDNS: {
		const char *add[] = { "add-nta", zone, note, NULL };
		nta_time_text(until, when, sizeof(when));
		snprintf(note, sizeof(note), "ntarelay until %s", when);
		nta_driver_argv(d, argv, add);
		return nta_driver_cmd(d, argv, NULL, NULL, dry_run, commands, NULL,
		    why, whylen);
	}
	case NTA_KNOT: {
		bool had = nta_present_has(&d->knot_now, zone);
		if (!had && nta_present_add(&d->knot_now, zone, strlen(zone)) != 0) {
			snprintf(why, whylen, "out of memory");
			return -1;
		}
		if (nta_knot_set(d->c->control_socket, d->c->timeout, &d->knot_now,
		    zone, dry_run, commands, why, whylen) == 0)
			return 0;
		if (!had)   /* kresd still has the list it had */
			nta_present_remove(&d->knot_now, zone);
		return -1;
	}
	case NTA_EXEC:
		return nta_driver_exec(d, "add", zone, lifetime, until, reason,
		    dry_run, commands, NULL, why, whylen);
	}
	return -1;
}

int
nta_driver_remove(struct nta_driver *d, const char *zone, const char *reason,
    bool dry_run, json_t *commands, char *why, size_t whylen)
{
	char *argv[NTA_RUN_ARGV_MAX];

	switch (nta_drivers[d->index].kind) {
	case NTA_UNBOUND: {
		/* flush, or the insecure answers stay cached */
		const char *rm[] = { "insecure_remove", zone, NULL };
		const char *flush[] = { "flush_zone", zone, NULL };
		nta_driver_argv(d, argv, rm);
		if (nta_driver_cmd(d, argv, NULL, NULL, dry_run, commands, NULL,
		    why, whylen) != 0)
			return -1;
		nta_driver_argv(d, argv, flush);
		return nta_driver_cmd(d, argv, NULL, NULL, dry_run, commands, NULL,
		    why, whylen);
	}
	case NTA_BIND: {
		const char *rm[] = { "nta", "-remove", zone, NULL };
		nta_driver_argv(d, argv, rm);
		return nta_driver_cmd(d, argv, NULL, NULL, dry_run, commands, NULL,
		    why, whylen);
	}
	case NTA_POWERDNS: {
		const char *rm[] = { "clear-nta", zone, NULL };
		nta_driver_argv(d, argv, rm);
		return nta_driver_cmd(d, argv, NULL, NULL, dry_run, commands, NULL,
		    why, whylen);
	}
	case NTA_KNOT: {
		struct nta_present keep = { 0 };
		int rc = -1;
		/* kresd keeps its list when the call fails: so do we */
		for (size_t i = 0; i < d->knot_now.n; i++)
			if (nta_present_add(&keep, d->knot_now.raw[i],
			    strlen(d->knot_now.raw[i])) != 0) {
				nta_present_free(&keep);
				snprintf(why, whylen, "out of memory");
				return -1;
			}
		nta_present_remove(&d->knot_now, zone);
		if (nta_knot_set(d->c->control_socket, d->c->timeout, &d->knot_now,
		    zone, dry_run, commands, why, whylen) == 0)
			rc = 0;
		else {
			nta_present_free(&d->knot_now);
			d->knot_now = keep;
			keep = (struct nta_present){ 0 };
		}
		nta_present_free(&keep);
		return rc;
	}
	case NTA_EXEC:
		return nta_driver_exec(d, "remove", zone, 0, 0, reason, dry_run,
		    commands, NULL, why, whylen);
	}
	return -1;
}
