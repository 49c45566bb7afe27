/*
 * client/cmd_verify.c — ntactl verify --pub PREFIX.pub [--raw] [--json] FILE|-
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "client/cli.h"
#include "client/ntactl.h"
#include "proto/encoding.h"
#include "proto/open.h"

static const char usage_text[] =
    "usage: ntactl verify --pub PREFIX.pub [--raw] [--json] FILE|-\n"
    "\n"
    "Verify a DSSE envelope (FILE, or standard input for -) against one\n"
    "public key and print its event id and kind. The payload is parsed only\n"
    "after the signature verified.\n"
    "\n"
    "  --pub FILE   the signer's public key\n"
    "  --raw        check the signature only, not the payload\n"
    "  --json       print {\"valid\":true,\"id\":...,\"kind\":...,\"payloadType\":...,\n"
    "               \"keyid\":...} or {\"valid\":false,\"error\":...,\"reason\":...}\n"
    "  --help       this text\n"
    "\n"
    "Exit status: 0 valid, 1 invalid (reason on standard error),\n"
    "2 usage or I/O error.\n";

int
cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pub", required_argument, NULL, 'p' },
		{ "raw", no_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pubpath = NULL, *kind;
	char reason[PROTO_REASON_MAX] = "", idhex[KEY_ID_HEX_LEN + 1] = "";
	char keyhex[KEY_ID_HEX_LEN + 1] = "";
	struct key_public pub;
	struct envelope *env = NULL;
	struct event *ev = NULL;
	bool raw = false, as_json = false;
	char *buf = NULL;
	size_t len;
	int c, rc = CLI_ERR;
	enum proto_err e;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': pubpath = optarg; break;
		case 'r': raw = true; break;
		case 'j': as_json = true; break;
		case 'h': return cli_usage(usage_text, 1);
		default: return cli_usage(usage_text, 0);
		}
	}
	if (pubpath == NULL || optind != argc - 1)
		return cli_usage(usage_text, 0);
	if (key_public_load(pubpath, &pub, reason) != PROTO_OK) {
		cli_err("verify: %s", reason);
		return CLI_ERR;
	}
	/* Read well past the limit so that too_large is the protocol's
	 * answer, not an I/O error. */
	if (cli_read_input(argv[optind], 16 * ENVELOPE_MAX, &buf, &len) != 0)
		return CLI_ERR;
	e = open_envelope(buf, len, open_lookup_single, &pub, raw ? OPEN_RAW : 0,
	    &env, &ev, reason);
	if (env)
		envelope_id_hex(env, idhex);
	if (e == PROTO_OK) {
		kind = raw ? (kind_from_payload_type(env->payload_type) == KIND__COUNT ?
		    NULL : kind_name(kind_from_payload_type(env->payload_type))) :
		    kind_name(ev->kind);
		encoding_hex_encode(env->keyid, KEY_ID_LEN, keyhex);
		if (as_json) {
			json_t *o = json_pack("{s:b,s:s,s:s?,s:s,s:s}", "valid", 1,
			    "id", idhex, "kind", kind, "payloadType",
			    env->payload_type, "keyid", keyhex);
			char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
			if (s)
				printf("%s\n", s);
			free(s);
			json_decref(o);
		} else
			printf("%s %s\n", idhex, kind ? kind : env->payload_type);
		rc = CLI_OK;
	} else {
		cli_err("verify: %s: %s", proto_errname(e), reason);
		if (as_json) {
			json_t *o = json_pack("{s:b,s:s,s:s,s:s?}", "valid", 0,
			    "error", proto_errname(e), "reason", reason,
			    "id", env ? idhex : NULL);
			char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
			if (s)
				printf("%s\n", s);
			free(s);
			json_decref(o);
		}
		rc = (e == PROTO_E_NOMEM || e == PROTO_E_IO) ? CLI_ERR : CLI_NO;
	}
	event_free(ev);
	envelope_free(env);
	free(buf);
	return rc;
}
