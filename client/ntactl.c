/*
 * client/ntactl.c — ntactl: the operator's command-line tool.
 *
 * Dispatches to one subcommand; every subcommand has --help. The options
 * that say how to reach a relay (-c FILE, --relay URL, --token-file F,
 * --json, --full-ids: client/relayc.h) may come before the command name
 * too, as in `ntactl -c ntarelay.conf status`: they are handed to the
 * command as if given after its name, to a command that talks to a relay
 * only.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "build_config.h"
#include "client/cli.h"
#include "client/ntactl.h"
#include "lib/conf.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	bool relay;          /* takes the relay options (before its name too) */
	const char *summary;
} commands[] = {
	{ "keygen", cmd_keygen, false, "create an Ed25519 key pair (PREFIX.key, PREFIX.pub)" },
	{ "sign", cmd_sign, false, "sign a payload into a DSSE envelope" },
	{ "verify", cmd_verify, false, "verify an envelope against a public key" },
	{ "id", cmd_id, false, "print the event id of an envelope" },
	{ "inspect", cmd_inspect, false, "print an envelope in readable form" },
	{ "cert", cmd_cert, false, "certify a relay key with an operator root (key_cert)" },
	{ "vouch", cmd_vouch, false, "vouch for (or --withdraw from) another operator" },
	{ "revoke", cmd_revoke, false, "revoke a key (key_revoke, never expires)" },
	{ "trust", cmd_trust, false, "manage and audit a trust database" },
	{ "broker", cmd_broker, true, "Mosquitto ACL and password lines for a trust database's members" },
	{ "events", cmd_events, true, "list the events a relay verified, or show one" },
	{ "observe", cmd_observe, true, "probe a zone once and print the observation (DNSSEC)" },
	{ "peers", cmd_peers, true, "list a relay's member operators and keys (HTTP API)" },
	{ "assess", cmd_assess, true, "sign and publish your assessment of a zone (via your relay)" },
	{ "statement", cmd_statement, true, "as a zone's operator, state where its failure stands" },
	{ "withdraw", cmd_withdraw, true, "withdraw one of your own assessments or statements" },
	{ "status", cmd_status, true, "the zones in incident, or one zone's decision and audit trail" },
	{ "quorum", cmd_quorum, true, "exit 0 when an NTA is recommended for a zone (scripts)" },
	{ "watch", cmd_watch, true, "follow the relay's decisions as they change" },
	{ "incident", cmd_incident, true, "export an incident's signed record, or verify one offline" },
	{ "equivocation", cmd_equivocation, true, "list keys caught equivocating; clear a flag after review" },
	{ "nta", cmd_nta, false, "keep a resolver's NTAs in step with a relay (sync, watch, list)" },
};

static int
usage(int ok)
{
	FILE *f = ok ? stdout : stderr;

	fprintf(f, "usage: ntactl [--version] [--help] [RELAY-OPTIONS] COMMAND [ARGS]\n\n"
	    "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRelay options, before or after the command name, for the "
	    "commands that\ntalk to a relay (broker to equivocation above; nta "
	    "has its own, after\nits name):\n"
	    "  -c, --config FILE  the relay's ntarelay.conf (default %s)\n"
	    "  --relay URL        a relay's HTTP API (read-only commands)\n"
	    "  --token-file F     the API token for --relay (else $NTARELAY_TOKEN)\n"
	    "  --json             JSON output\n"
	    "  --full-ids         ids in full, not their first 16 hex digits\n"
	    "\n  -V, --version      print the version\n"
	    "\nRun 'ntactl COMMAND --help' for the options of a command.\n"
	    "Exit status: 0 success, 1 negative answer (invalid, rejected), "
	    "2 usage or I/O error.\n", CONF_DEFAULT_PATH);
	return ok ? CLI_OK : CLI_ERR;
}

/*
 * The relay options before the command name, from argv[1]: how many
 * arguments they take (0 when none), or -1 after saying what is wrong.
 */
static int
leading_opts(int argc, char **argv)
{
	static const char *const with_arg[] = { "-c", "--config", "--relay",
	    "--token-file", NULL };
	static const char *const alone[] = { "--json", "--full-ids", NULL };
	int i = 1;

	while (i < argc && argv[i][0] == '-' && argv[i][1] != '\0') {
		const char *a = argv[i];
		bool known = false;

		for (int k = 0; alone[k]; k++)
			known |= strcmp(a, alone[k]) == 0;
		for (int k = 0; !known && with_arg[k]; k++) {
			size_t n = strlen(with_arg[k]);
			if (strcmp(a, with_arg[k]) == 0) {
				if (i + 1 >= argc) {
					cli_err("%s needs a value", a);
					return -1;
				}
				i++;
				known = true;
			} else if (strncmp(a, with_arg[k], n) == 0 && (a[n] == '=' ||
			    (n == 2 && a[n] != '\0')))
				known = true;   /* --relay=URL, -cFILE */
		}
		if (!known) {
			cli_err("unknown option '%s' (see 'ntactl --help')", a);
			return -1;
		}
		i++;
	}
	return i - 1;
}

/* Run command c with the nlead options of argv[1..] after its name. */
static int
run(size_t c, int nlead, int argc, char **argv)
{
	char **av;
	int ret;

	if (nlead == 0)
		return commands[c].fn(argc - 1, argv + 1);
	if (!commands[c].relay) {
		cli_err("%s does not talk to a relay: '%s' goes after the command "
		    "name, if %s takes it", commands[c].name, argv[1],
		    commands[c].name);
		return CLI_ERR;
	}
	if ((av = calloc((size_t)argc + 1, sizeof(*av))) == NULL) {
		cli_err("out of memory");
		return CLI_ERR;
	}
	/* COMMAND OPTS... ARGS... */
	av[0] = argv[nlead + 1];
	memcpy(av + 1, argv + 1, (size_t)nlead * sizeof(*av));
	memcpy(av + 1 + nlead, argv + nlead + 2,
	    (size_t)(argc - nlead - 2) * sizeof(*av));
	ret = commands[c].fn(argc - 1, av);
	free(av);
	return ret;
}

int
main(int argc, char **argv)
{
	int nlead;

	if (argc < 2)
		return usage(0);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("ntactl (%s) %s, protocol v1\n", PACKAGE_NAME, PACKAGE_VERSION);
		return CLI_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return usage(1);
	if ((nlead = leading_opts(argc, argv)) < 0)
		return CLI_ERR;
	if (nlead + 1 >= argc) {
		cli_err("no command after the options (see 'ntactl --help')");
		return CLI_ERR;
	}
	if (sodium_init() < 0) {
		cli_err("libsodium failed to initialise");
		return CLI_ERR;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[nlead + 1], commands[i].name) == 0)
			return run(i, nlead, argc, argv);
	cli_err("unknown command '%s' (see 'ntactl --help')", argv[nlead + 1]);
	return CLI_ERR;
}
