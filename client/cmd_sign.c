/*
 * client/cmd_sign.c — ntactl sign --key PREFIX.key [--raw] [--type T] FILE|-
 *
 * The payload bytes are signed exactly as read (no re-serialisation): what
 * the operator reviewed is what gets signed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/cli.h"
#include "client/ntactl.h"
#include "proto/envelope.h"
#include "proto/event.h"
#include "proto/pjson.h"
#include "proto/kind.h"

static const char usage_text[] =
    "usage: ntactl sign --key PREFIX.key [--raw] [--type PAYLOADTYPE] FILE|-\n"
    "\n"
    "Sign a payload (FILE, or standard input for -) and print the DSSE\n"
    "envelope on one line. The payload bytes are kept exactly as read.\n"
    "\n"
    "  --key FILE       secret key (must not be readable by group or others)\n"
    "  --type TYPE      payloadType; default: from the payload's \"kind\"\n"
    "                   (application/vnd.ntarelay.<kind>.v1+json)\n"
    "  --raw            sign any bytes; skip the protocol validation of the\n"
    "                   payload\n"
    "  --help           this text\n"
    "\n"
    "Exit status: 0 signed, 1 payload refused by its kind's validator,\n"
    "2 usage or I/O error.\n";

/* payloadType from the payload's "kind" member. */
static int
type_from_payload(const char *buf, size_t len, const char **type)
{
	struct pjson_doc d = { 0 };
	enum kind kind;
	const char *k;
	int rc = -1;

	if (pjson_parse(&d, buf, len) != PJSON_OK || pjson_type(&d, 0) != PJSON_OBJECT) {
		cli_err("sign: payload is not a JSON object%s%s (use --type to sign "
		    "something else with --raw)", d.error[0] ? ": " : "", d.error);
		goto out;
	}
	k = pjson_str(&d, pjson_get(&d, 0, "kind"));
	if (k == NULL || (kind = kind_from_name(k)) == KIND__COUNT) {
		cli_err("sign: payload has no known \"kind\"; give --type");
		goto out;
	}
	*type = kind_payload_type(kind);
	rc = 0;
out:
	pjson_free(&d);
	return rc;
}

int
cmd_sign(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "raw", no_argument, NULL, 'r' },
		{ "type", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *keypath = NULL, *type = NULL;
	char reason[PROTO_REASON_MAX], *buf = NULL, *json = NULL;
	struct key_secret *sk = NULL;
	struct envelope *env = NULL;
	struct event *ev = NULL;
	bool raw = false;
	size_t len, jlen;
	int c, rc = CLI_ERR;
	enum proto_err e;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k': keypath = optarg; break;
		case 'r': raw = true; break;
		case 't': type = optarg; break;
		case 'h': return cli_usage(usage_text, 1);
		default: return cli_usage(usage_text, 0);
		}
	}
	if (keypath == NULL || optind != argc - 1)
		return cli_usage(usage_text, 0);
	if (key_secret_load(keypath, &sk, reason) != PROTO_OK) {
		cli_err("sign: %s", reason);
		return CLI_ERR;
	}
	if (cli_read_input(argv[optind], ENVELOPE_MAX, &buf, &len) != 0)
		goto out;
	if (type == NULL && type_from_payload(buf, len, &type) != 0) {
		rc = raw ? CLI_ERR : CLI_NO;
		goto out;
	}
	e = envelope_sign(type, (unsigned char *)buf, len, sk, &json, &jlen,
	    &env, reason);
	if (e != PROTO_OK) {
		cli_err("sign: %s: %s", proto_errname(e), reason);
		rc = e == PROTO_E_NOMEM ? CLI_ERR : CLI_NO;
		goto out;
	}
	if (!raw && (e = event_parse(env, &ev, reason)) != PROTO_OK) {
		cli_err("sign: payload refused: %s: %s", proto_errname(e), reason);
		rc = CLI_NO;
		goto out;
	}
	printf("%s\n", json);
	rc = fflush(stdout) == 0 ? CLI_OK : CLI_ERR;
out:
	event_free(ev);
	envelope_free(env);
	free(json);
	free(buf);
	key_secret_free(sk);
	return rc;
}
