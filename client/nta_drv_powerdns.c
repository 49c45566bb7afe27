/*
 * client/nta_drv_powerdns.c — the powerdns driver of `ntactl nta`:
 * rec_control [--config-dir=D] [--socket-dir=S] get-ntas | add-nta Z
 * NOTE | clear-nta Z, NOTE being "ntarelay incident ID until TIME URL"
 * (nta_driver.h). The Recursor's NTAs have no lifetime: ntactl removes
 * them. See nta_backend.h.
 */
#define _GNU_SOURCE   /* asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/nta_backend.h"
#include "client/nta_state.h"

/* d->state: "--config-dir=D", "--socket-dir=S" (NULL when not given). */
struct pdns_opts {
	char *opt[2];
};

static void
pdns_close(struct nta_driver *d)
{
	struct pdns_opts *o = d->state;

	if (o != NULL) {
		free(o->opt[0]);
		free(o->opt[1]);
		free(o);
	}
	d->state = NULL;
}

static int
pdns_open(struct nta_driver *d, char *why, size_t whylen)
{
	const struct nta_driver_conf *c = d->c;
	struct pdns_opts *o = calloc(1, sizeof(*o));

	d->state = o;
	if (o == NULL || (c->config_dir && asprintf(&o->opt[0],
	    "--config-dir=%s", c->config_dir) < 0) || (c->socket_dir &&
	    asprintf(&o->opt[1], "--socket-dir=%s", c->socket_dir) < 0)) {
		if (o != NULL)
			o->opt[0] = o->opt[1] = NULL;  /* unset after a failure */
		pdns_close(d);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	return 0;
}

static void
pdns_conn_args(const struct nta_driver *d, char **argv, size_t *n)
{
	const struct pdns_opts *o = d->state;

	if (o->opt[0])
		argv[(*n)++] = o->opt[0];
	if (o->opt[1])
		argv[(*n)++] = o->opt[1];
}

static int
pdns_list(struct nta_driver *d, struct nta_present *p, char *why,
    size_t whylen)
{
	static const char *const args[] = { "get-ntas", NULL };
	char *argv[NTA_RUN_ARGV_MAX];
	struct nta_run_result r = { 0 };
	const char *line;
	int rc = -1;

	nta_driver_argv(d, argv, args);
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
	    true) != 0) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	rc = 0;
out:
	if (rc != 0)
		nta_present_free(p);
	nta_run_result_free(&r);
	return rc;
}

static int
pdns_add(struct nta_driver *d, const char *zone, long long lifetime,
    long long until, const char *reason, const char *note, bool dry_run,
    json_t *commands, char *why, size_t whylen)
{
	char when[32], text[64];
	const char *args[] = { "add-nta", zone, note, NULL };

	(void)lifetime;
	(void)reason;
	if (note == NULL) {
		nta_time_text(until, when, sizeof(when));
		snprintf(text, sizeof(text), "ntarelay until %s", when);
		args[2] = text;
	}
	return nta_driver_run(d, args, dry_run, commands, why, whylen);
}

static int
pdns_remove(struct nta_driver *d, const char *zone, const char *reason,
    bool dry_run, json_t *commands, char *why, size_t whylen)
{
	const char *args[] = { "clear-nta", zone, NULL };

	(void)reason;
	return nta_driver_run(d, args, dry_run, commands, why, whylen);
}

const struct nta_backend nta_drv_powerdns = {
	.name = "powerdns",
	.program = "rec_control",
	.program_opt = "rec-control",
	.resolver_lifetime = false,
	.opt_dirs = true,
	.open = pdns_open,
	.close = pdns_close,
	.conn_args = pdns_conn_args,
	.list = pdns_list,
	.add = pdns_add,
	.remove = pdns_remove,
};
