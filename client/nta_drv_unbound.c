/*
 * client/nta_drv_unbound.c — the unbound driver of `ntactl nta`:
 * unbound-control [-c FILE] list_insecure | insecure_add Z + flush_zone Z
 * | insecure_remove Z + flush_zone Z. Unbound's NTAs have no lifetime:
 * ntactl removes them. See nta_backend.h.
 */
#include <stddef.h>

#include "client/nta_backend.h"

static void
unbound_conn_args(const struct nta_driver *d, char **argv, size_t *n)
{
	if (d->c->control_config) {
		argv[(*n)++] = (char *)"-c";
		argv[(*n)++] = (char *)d->c->control_config;
	}
}

static int
unbound_list(struct nta_driver *d, struct nta_present *p, char *why,
    size_t whylen)
{
	static const char *const args[] = { "list_insecure", NULL };
	char *argv[NTA_RUN_ARGV_MAX];
	struct nta_run_result r = { 0 };
	int rc = 0;

	nta_driver_argv(d, argv, args);
	if (nta_driver_cmd(d, argv, NULL, NULL, false, NULL, &r, why,
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

/* A command on zone, then flush_zone: without it, what the resolver
 * cached under the zone (SERVFAIL, or insecure answers) stays. */
static int
unbound_then_flush(struct nta_driver *d, const char *command, const char *zone,
    bool dry_run, json_t *commands, char *why, size_t whylen)
{
	const char *args[] = { command, zone, NULL };
	const char *flush[] = { "flush_zone", zone, NULL };

	if (nta_driver_run(d, args, dry_run, commands, why, whylen) != 0)
		return -1;
	return nta_driver_run(d, flush, dry_run, commands, why, whylen);
}

static int
unbound_add(struct nta_driver *d, const char *zone, long long lifetime,
    long long until, const char *reason, const char *note, bool dry_run,
    json_t *commands, char *why, size_t whylen)
{
	(void)lifetime;
	(void)until;
	(void)reason;
	(void)note;
	return unbound_then_flush(d, "insecure_add", zone, dry_run, commands, why,
	    whylen);
}

static int
unbound_remove(struct nta_driver *d, const char *zone, const char *reason,
    bool dry_run, json_t *commands, char *why, size_t whylen)
{
	(void)reason;
	return unbound_then_flush(d, "insecure_remove", zone, dry_run, commands,
	    why, whylen);
}

const struct nta_backend nta_drv_unbound = {
	.name = "unbound",
	.program = "unbound-control",
	.program_opt = "unbound-control",
	.resolver_lifetime = false,
	.opt_control_config = true,
	.stdout_error = true,
	.conn_args = unbound_conn_args,
	.list = unbound_list,
	.add = unbound_add,
	.remove = unbound_remove,
};
