/*
 * client/cmd_inspect.c — ntactl inspect [--pub FILE] FILE|-: a readable dump.
 *
 * Without --pub the signature is not checked, and the dump says so; the
 * payload is shown only as text, never interpreted, until it verified.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "client/cli.h"
#include "client/ntactl.h"
#include "proto/encoding.h"
#include "proto/open.h"

static const char usage_text[] =
    "usage: ntactl inspect [--pub PREFIX.pub] FILE|-\n"
    "\n"
    "Print an envelope for a person: event id, payloadType, keyid, the\n"
    "signature status and the payload, indented. With --pub the signature\n"
    "and the payload are checked and the times are shown in UTC.\n"
    "\n"
    "Exit status: 0 shown (and valid, with --pub), 1 not an envelope or\n"
    "invalid, 2 usage or I/O error.\n";

static void
print_time(const char *label, json_t *v)
{
	char buf[32];
	time_t t;
	struct tm tm;

	if (!json_is_integer(v))
		return;
	t = (time_t)json_integer_value(v);
	if (gmtime_r(&t, &tm) == NULL)
		return;
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("%-12s %s\n", label, buf);
}

/* Unverified payload bytes as ASCII text, everything else escaped, so
 * that a hostile payload cannot drive the terminal. */
static void
print_payload_text(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\n' || (p[i] >= 0x20 && p[i] < 0x7f))
			putchar(p[i]);
		else
			printf("\\x%02x", p[i]);
	}
	putchar('\n');
}

int
cmd_inspect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pub", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char reason[PROTO_REASON_MAX] = "", hex[KEY_ID_HEX_LEN + 1], *buf = NULL;
	const char *pubpath = NULL;
	struct key_public pub;
	struct envelope *env = NULL;
	struct event *ev = NULL;
	size_t len;
	int c, rc = CLI_ERR;
	enum proto_err e;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': pubpath = optarg; break;
		case 'h': return cli_usage(usage_text, 1);
		default: return cli_usage(usage_text, 0);
		}
	}
	if (optind != argc - 1)
		return cli_usage(usage_text, 0);
	if (pubpath && key_public_load(pubpath, &pub, reason) != PROTO_OK) {
		cli_err("inspect: %s", reason);
		return CLI_ERR;
	}
	if (cli_read_input(argv[optind], 16 * ENVELOPE_MAX, &buf, &len) != 0)
		return CLI_ERR;
	if ((e = envelope_parse(buf, len, &env, reason)) != PROTO_OK) {
		cli_err("inspect: %s: %s", proto_errname(e), reason);
		rc = CLI_NO;
		goto out;
	}
	printf("%-12s %s\n", "id", envelope_id_hex(env, hex));
	printf("%-12s %s\n", "payloadType", env->payload_type);
	printf("%-12s %s\n", "keyid", encoding_hex_encode(env->keyid, KEY_ID_LEN, hex));
	if (pubpath == NULL) {
		printf("%-12s not checked (give --pub to verify)\n", "signature");
		printf("%-12s %zu bytes, unverified:\n", "payload", env->payload_len);
		print_payload_text(env->payload, env->payload_len);
		rc = CLI_OK;
		goto out;
	}
	envelope_free(env);
	env = NULL;
	e = open_envelope(buf, len, open_lookup_single, &pub, 0, &env, &ev, reason);
	if (e != PROTO_OK) {
		printf("%-12s INVALID: %s: %s\n", "status", proto_errname(e), reason);
		if (env) {
			printf("%-12s %zu bytes, not trusted:\n", "payload", env->payload_len);
			print_payload_text(env->payload, env->payload_len);
		}
		rc = CLI_NO;
		goto out;
	}
	printf("%-12s valid (signed by %s)\n", "status", pub.name);
	printf("%-12s %s\n", "kind", kind_name(ev->kind));
	printf("%-12s %lld\n", "seq", ev->seq);
	{
		json_t *p = event_payload_json(ev);
		char *s = p ? json_dumps(p, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
		print_time("ts", json_object_get(p, "ts"));
		print_time("exp", json_object_get(p, "exp"));
		printf("payload\n%s\n", s ? s : "(out of memory)");
		free(s);
		json_decref(p);
	}
	rc = CLI_OK;
out:
	event_free(ev);
	envelope_free(env);
	free(buf);
	return rc;
}
