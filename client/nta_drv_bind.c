/*
 * client/nta_drv_bind.c — the bind driver of `ntactl nta`: rndc [-c FILE]
 * nta -dump | nta -lifetime Ns Z | nta -remove Z. BIND ends an NTA at its
 * lifetime (the decision's end, at most BIND's week): a renewal adds it
 * again. BIND's own recheck stays on (it lifts the NTA as soon as the zone
 * validates again, so a fix is seen at once); --no-recheck adds -force,
 * which holds the NTA to its end. See nta_backend.h and ntactl(1).
 */
#define _GNU_SOURCE   /* memmem */
#include <stdio.h>
#include <string.h>

#include "client/nta_backend.h"

#define NTA_BIND_LIFETIME_MAX (7 * 86400LL)   /* rndc nta: at most 1w */

static void
bind_conn_args(const struct nta_driver *d, char **argv, size_t *n)
{
	if (d->c->control_config) {
		argv[(*n)++] = (char *)"-c";
		argv[(*n)++] = (char *)d->c->control_config;
	}
}

/* "NAME/VIEW: expiry DATE" or "NAME/VIEW: expired DATE" lines into p,
 * each name once (BIND lists it once per view). */
static int
bind_parse_dump(struct nta_present *p, const char *out, size_t len)
{
	const char *line, *end, *nl, *colon, *slash;

	for (line = out, end = out + len; line < end; line = nl ? nl + 1 : end) {
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
			return -1;
	}
	return 0;
}

static int
bind_list(struct nta_driver *d, struct nta_present *p, char *why,
    size_t whylen)
{
	static const char *const args[] = { "nta", "-dump", NULL };
	char *argv[NTA_RUN_ARGV_MAX];
	struct nta_run_result r = { 0 };
	int rc = 0;

	nta_driver_argv(d, argv, args);
	if (nta_driver_cmd(d, argv, NULL, NULL, false, NULL, &r, why,
	    whylen) != 0)
		return -1;
	if (bind_parse_dump(p, r.out, r.out_len) != 0) {
		snprintf(why, whylen, "out of memory");
		nta_present_free(p);
		rc = -1;
	}
	nta_run_result_free(&r);
	return rc;
}

static int
bind_add(struct nta_driver *d, const char *zone, long long lifetime,
    long long until, const char *reason, const char *note, bool dry_run,
    json_t *commands, char *why, size_t whylen)
{
	char life[32];
	/* Without -force BIND rechecks the zone (nta-recheck) and lifts the
	 * NTA once it validates: the fix is seen at once, and an NTA is never
	 * held on a zone that validates. nta_sync does not put it back while
	 * the recommendation is only held (phase recovering). -force (the
	 * operator's --no-recheck) holds it to its lifetime. */
	const char *args[] = { "nta", "-lifetime", life,
	    d->c->no_recheck ? "-force" : zone, d->c->no_recheck ? zone : NULL,
	    NULL };

	(void)until;
	(void)reason;
	(void)note;
	snprintf(life, sizeof(life), "%llds", lifetime < NTA_BIND_LIFETIME_MAX ?
	    lifetime : NTA_BIND_LIFETIME_MAX);
	return nta_driver_run(d, args, dry_run, commands, why, whylen);
}

static int
bind_remove(struct nta_driver *d, const char *zone, const char *reason,
    bool dry_run, json_t *commands, char *why, size_t whylen)
{
	const char *args[] = { "nta", "-remove", zone, NULL };

	(void)reason;
	return nta_driver_run(d, args, dry_run, commands, why, whylen);
}

const struct nta_backend nta_drv_bind = {
	.name = "bind",
	.program = "rndc",
	.program_opt = "rndc",
	.resolver_lifetime = true,
	.opt_control_config = true,
	.opt_recheck = true,
	.conn_args = bind_conn_args,
	.list = bind_list,
	.add = bind_add,
	.remove = bind_remove,
};
