/*
 * client/cmd_incident.c — ntactl incident export|verify: the portable
 * incident record (client/incident_bundle.h); each subcommand lives in
 * its own file (incident_export.c, incident_verify.c).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/cli.h"
#include "client/incident_bundle.h"
#include "client/ntactl.h"
#include "proto/encoding.h"
#include "proto/envelope.h"

static const char usage_text[] =
    "usage: ntactl incident export ZONE [--incident ID] [-o FILE] [relay options]\n"
    "       ntactl incident verify BUNDLE --pin ROOT.pub [--pin ...] [--json]\n"
    "\n"
    "export  write the incident's record: every signed event of it\n"
    "        (observations, assessments, statements, withdrawals, the\n"
    "        relay's decisions) and the trust events that verify them\n"
    "verify  check a record offline against the operators' pinned root\n"
    "        keys; print its timeline and the decision it supports\n"
    "\n"
    "ntactl incident export --help and ntactl incident verify --help say more.\n";

json_t *
bundle_entry(const json_t *envobj, json_t **payload)
{
	struct envelope *env = NULL;
	char hex[KEY_ID_HEX_LEN + 1], *text;
	json_t *p = NULL, *e = NULL;

	if (payload)
		*payload = NULL;
	if ((text = json_dumps(envobj, JSON_COMPACT)) == NULL)
		return NULL;
	if (envelope_parse(text, strlen(text), &env, NULL) == PROTO_OK &&
	    (p = json_loadb((const char *)env->payload, env->payload_len, 0,
	    NULL)) != NULL)
		e = json_pack("{s:s,s:O?,s:O?,s:O?,s:O}",
		    "id", envelope_id_hex(env, hex),
		    "kind", json_object_get(p, "kind"),
		    "origin", json_object_get(p, "origin"),
		    "ts", json_object_get(p, "ts"), "envelope", envobj);
	envelope_free(env);
	free(text);
	if (payload && e)
		*payload = p;
	else
		json_decref(p);
	return e;
}

/* The subcommand is the first word that is not an option or an option's
 * argument (ntactl puts relay options given before "incident" first). */
static int
subcommand(int argc, char **argv)
{
	static const char *const with_arg[] = { "-c", "--config", "--relay",
	    "--token-file", "--incident", "-o", "--output", "--pin", NULL };

	for (int i = 1; i < argc; i++) {
		bool takes = false;
		if (argv[i][0] != '-')
			return i;
		for (int k = 0; with_arg[k]; k++)
			takes |= strcmp(argv[i], with_arg[k]) == 0;
		i += takes;
	}
	return 0;
}

int
cmd_incident(int argc, char **argv)
{
	char **av;
	int s, rc;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0))
		return cli_usage(usage_text, 1);
	if ((s = subcommand(argc, argv)) == 0)
		return cli_usage(usage_text, 0);
	if (strcmp(argv[s], "export") != 0 && strcmp(argv[s], "verify") != 0) {
		cli_err("incident: unknown subcommand '%s' (export, verify)",
		    argv[s]);
		return cli_usage(usage_text, 0);
	}
	/* SUBCOMMAND, then every other argument in its order */
	if ((av = calloc((size_t)argc + 1, sizeof(*av))) == NULL) {
		cli_err("out of memory");
		return CLI_ERR;
	}
	av[0] = argv[s];
	memcpy(av + 1, argv + 1, (size_t)(s - 1) * sizeof(*av));
	memcpy(av + s, argv + s + 1, (size_t)(argc - s - 1) * sizeof(*av));
	rc = strcmp(av[0], "export") == 0 ? incident_export(argc - 1, av) :
	    incident_verify(argc - 1, av);
	free(av);
	return rc;
}
