/*
 * client/nta_drv_exec.c — the exec driver of `ntactl nta`: a program of
 * the operator's, run with NTA_ACTION=list|add|remove, NTA_ZONE,
 * NTA_LIFETIME, NTA_UNTIL, NTA_RELAY, NTA_REASON (the relay's words) and
 * NTA_NOTE (add: the short text a resolver keeps, nta_driver.h) in its
 * environment (the caller's NTA_* variables are not passed on); list
 * prints one zone a line. Its NTAs may have a lifetime: a renewal adds again. See
 * nta_backend.h and ntactl(1).
 */
#define _GNU_SOURCE   /* asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/nta_backend.h"

extern char **environ;

static int
exec_open(struct nta_driver *d, char *why, size_t whylen)
{
	if (d->c->program == NULL) {
		snprintf(why, whylen, "--driver exec needs --exec PROGRAM");
		return -1;
	}
	return 0;
}

/* The exec driver's environment: ours without NTA_*, then the given. */
static char **
exec_env(const char *const *set)
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
exec_run(const struct nta_driver *d, const char *action,
    const char *zone, long long lifetime, long long until, const char *reason,
    const char *short_note, bool dry_run, json_t *commands,
    struct nta_run_result *r, char *why, size_t whylen)
{
	char v[4][ZONE_TEXT_MAX + 16], show[4 * (ZONE_TEXT_MAX + 16) + 8];
	char *relay = NULL, *note = NULL, *snote = NULL, **env = NULL;
	char *argv[2] = { (char *)d->program, NULL };
	const char *set[8];
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
	if (short_note) {
		if (asprintf(&snote, "NTA_NOTE=%s", short_note) < 0) {
			snote = NULL;
			goto nomem;
		}
		set[n++] = snote;
	}
	set[n] = NULL;
	/* Shown: the variables that say what to do (the reason is long). */
	snprintf(show, sizeof(show), "%s%s%s%s%s%s%s", v[0], zone ? " " : "",
	    zone ? v[1] : "", lifetime > 0 ? " " : "", lifetime > 0 ? v[2] : "",
	    lifetime > 0 ? " " : "", lifetime > 0 ? v[3] : "");
	if ((env = exec_env(set)) == NULL)
		goto nomem;
	rc = nta_driver_cmd(d, argv, env, show, dry_run, commands, r, why, whylen);
	goto out;
nomem:
	snprintf(why, whylen, "out of memory");
out:
	free(env);
	free(relay);
	free(note);
	free(snote);
	return rc;
}

static int
exec_list(struct nta_driver *d, struct nta_present *p, char *why,
    size_t whylen)
{
	struct nta_run_result r = { 0 };
	int rc = 0;

	if (exec_run(d, "list", NULL, 0, 0, NULL, NULL, false, NULL, &r, why,
	    whylen) != 0)
		return -1;
	if (nta_present_lines(p, r.out, r.out_len, false) != 0) {
		snprintf(why, whylen, "out of memory");
		nta_present_free(p);
		rc = -1;
	}
	nta_run_result_free(&r);
	return rc;
}

static int
exec_add(struct nta_driver *d, const char *zone, long long lifetime,
    long long until, const char *reason, const char *note, bool dry_run,
    json_t *commands, char *why, size_t whylen)
{
	return exec_run(d, "add", zone, lifetime, until, reason, note, dry_run,
	    commands, NULL, why, whylen);
}

static int
exec_remove(struct nta_driver *d, const char *zone, const char *reason,
    bool dry_run, json_t *commands, char *why, size_t whylen)
{
	return exec_run(d, "remove", zone, 0, 0, reason, NULL, dry_run, commands,
	    NULL, why, whylen);
}

const struct nta_backend nta_drv_exec = {
	.name = "exec",
	.program = NULL,
	.program_opt = "exec",
	.resolver_lifetime = true,
	.open = exec_open,
	.list = exec_list,
	.add = exec_add,
	.remove = exec_remove,
};
