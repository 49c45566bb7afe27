/*
 * client/cmd_id.c — ntactl id FILE|-: the event id of an envelope.
 *
 * The id is SHA-256 over the PAE bytes and needs no key: it names the
 * envelope, it does not vouch for it (use ntactl verify for that).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/cli.h"
#include "client/ntactl.h"
#include "proto/envelope.h"

static const char usage_text[] =
    "usage: ntactl id FILE|-\n"
    "\n"
    "Print the event id (lowercase hex SHA-256 of the DSSE PAE bytes) of an\n"
    "envelope. The signature is not checked.\n"
    "\n"
    "Exit status: 0 printed, 1 not an envelope, 2 usage or I/O error.\n";

int
cmd_id(int argc, char **argv)
{
	char reason[PROTO_REASON_MAX], hex[KEY_ID_HEX_LEN + 1], *buf = NULL;
	struct envelope *env = NULL;
	size_t len;
	enum proto_err e;
	int rc;

	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		return cli_usage(usage_text, 1);
	if (argc != 2)
		return cli_usage(usage_text, 0);
	if (cli_read_input(argv[1], 16 * ENVELOPE_MAX, &buf, &len) != 0)
		return CLI_ERR;
	if ((e = envelope_parse(buf, len, &env, reason)) != PROTO_OK) {
		cli_err("id: %s: %s", proto_errname(e), reason);
		rc = e == PROTO_E_NOMEM ? CLI_ERR : CLI_NO;
	} else {
		printf("%s\n", envelope_id_hex(env, hex));
		rc = CLI_OK;
	}
	envelope_free(env);
	free(buf);
	return rc;
}
