/*
 * client/ntactl.c — ntactl: the operator's command-line tool.
 *
 * Dispatches to one subcommand; every subcommand has --help.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "build_config.h"
#include "client/cli.h"
#include "client/ntactl.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
} commands[] = {
	{ "keygen", cmd_keygen, "create an Ed25519 key pair (PREFIX.key, PREFIX.pub)" },
	{ "sign", cmd_sign, "sign a payload into a DSSE envelope" },
	{ "verify", cmd_verify, "verify an envelope against a public key" },
	{ "id", cmd_id, "print the event id of an envelope" },
	{ "inspect", cmd_inspect, "print an envelope in readable form" },
	{ "cert", cmd_cert, "certify a relay key with an operator root (key_cert)" },
	{ "vouch", cmd_vouch, "vouch for (or --withdraw from) another operator" },
	{ "revoke", cmd_revoke, "revoke a key (key_revoke, never expires)" },
	{ "trust", cmd_trust, "manage and audit a trust database" },
	{ "events", cmd_events, "list the events a relay verified (HTTP API)" },
	{ "observe", cmd_observe, "probe a zone once and print the observation (DNSSEC)" },
	{ "peers", cmd_peers, "list a relay's member operators and keys (HTTP API)" },
	{ "assess", cmd_assess, "sign and publish your assessment of a zone (via your relay)" },
	{ "statement", cmd_statement, "as a zone's operator, state where its failure stands" },
	{ "withdraw", cmd_withdraw, "withdraw one of your own assessments or statements" },
	{ "status", cmd_status, "the zones in incident, or one zone's decision and audit trail" },
	{ "quorum", cmd_quorum, "exit 0 when an NTA is recommended for a zone (scripts)" },
	{ "watch", cmd_watch, "follow the relay's decisions as they change" },
	{ "equivocation", cmd_equivocation, "list keys caught equivocating; clear a flag after review" },
	{ "nta", cmd_nta, "keep a resolver's NTAs in step with a relay (sync, watch, list)" },
};

static int
usage(int ok)
{
	FILE *f = ok ? stdout : stderr;

	fprintf(f, "usage: ntactl [--version] [--help] COMMAND [ARGS]\n\n"
	    "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun 'ntactl COMMAND --help' for the options of a command.\n"
	    "Exit status: 0 success, 1 negative answer (invalid, rejected), "
	    "2 usage or I/O error.\n");
	return ok ? CLI_OK : CLI_ERR;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		return usage(0);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("ntactl (%s) %s, protocol v1\n", PACKAGE_NAME, PACKAGE_VERSION);
		return CLI_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return usage(1);
	if (sodium_init() < 0) {
		cli_err("libsodium failed to initialise");
		return CLI_ERR;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	cli_err("unknown command '%s' (see 'ntactl --help')", argv[1]);
	return CLI_ERR;
}
