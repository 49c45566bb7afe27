/*
 * client/cmd_equivocation.c — ntactl equivocation: the keys a relay caught
 * signing two different events for one place in their chain, and, after a
 * person looked at the proof, letting their operator count again.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "client/cli.h"
#include "client/ntactl.h"
#include "client/relayc.h"

static const char usage_text[] =
    "usage: ntactl equivocation list [-c FILE | --relay URL] [--json]\n"
    "       ntactl equivocation clear KEYID [-c FILE]\n"
    "\n"
    "A key that signs two different events with one seq is flagged by every\n"
    "relay that sees both; both envelopes are kept as proof (published on\n"
    "the eqv/ topic) and the key's operator stops counting toward any\n"
    "quorum until a person clears the flag on that relay.\n"
    "\n"
    "  list               the flagged keys (from GET /v1/peers)\n"
    "  clear KEYID        clear the flag of KEYID (64 hex digits) on your\n"
    "                     relay, through its control socket; the proof stays\n"
    RELAYC_USAGE
    "  --json             list: print the keys as a JSON array\n"
    "\n"
    "Exit status: 0 done, 1 the relay refused (e.g. the key is not flagged),\n"
    "2 usage error or relay unreachable.\n";

enum { O_JSON = 256, O_HELP, O_RELAY, O_TOKEN };

/* Where to reach the relay (relayc.h). */
struct equiv_opts {
	const char *config, *relay, *token;
	bool json;
};

/* equivocation clear KEY: the relay counts the key's operator again. */
static int
equiv_clear(const struct equiv_opts *o, const char *k)
{
	struct httpc_response r;
	struct relayc rc;
	json_t *body;
	int ret;

	if (strlen(k) != 64 || strspn(k, "0123456789abcdef") != 64) {
		cli_err("equivocation: '%s' is not a key id (64 lowercase hex "
		    "digits)", k);
		return CLI_ERR;
	}
	if ((ret = relayc_resolve("equivocation", o->relay, o->config, o->token,
	    true, &rc)) != CLI_OK)
		return ret;
	body = json_pack("{s:s}", "key", k);
	ret = relayc_post("equivocation", &rc, "/v1/submit/clear_equivocation",
	    body, &r);
	json_decref(body);
	if (ret != CLI_OK)
		return ret;
	httpc_response_free(&r);
	printf("the equivocation flag of %s is cleared; its operator counts "
	    "again on this relay\n", k);
	return CLI_OK;
}

/* The keys of the relay's /v1/peers answer flagged for equivocation:
 * [{"key", "operator"}, ...]. */
static json_t *
equiv_flagged(const json_t *root)
{
	json_t *peer, *key, *f, *out = json_array();
	size_t i, j, k;

	json_array_foreach(json_object_get(root, "peers"), i, peer)
		json_array_foreach(json_object_get(peer, "keys"), j, key)
			json_array_foreach(json_object_get(key, "flags"), k, f)
				if (json_is_string(f) && strcmp(json_string_value(f),
				    "equivocation") == 0)
					json_array_append_new(out, json_pack("{s:O,s:O}",
					    "key", json_object_get(key, "key"),
					    "operator", json_object_get(peer, "operator")));
	return out;
}

/* equivocation list: the flagged keys. */
static int
equiv_list(const struct equiv_opts *o)
{
	struct httpc_response r;
	struct relayc rc;
	json_t *root, *out, *key;
	size_t i;
	int ret;

	if ((ret = relayc_resolve("equivocation", o->relay, o->config, o->token,
	    false, &rc)) != CLI_OK || (ret = relayc_get("equivocation", &rc,
	    "/v1/peers", NULL, 0, &r)) != CLI_OK)
		return ret;
	root = json_loadb(r.body, r.len, 0, NULL);
	httpc_response_free(&r);
	out = equiv_flagged(root);
	if (o->json) {
		char *s = json_dumps(out, JSON_COMPACT);
		printf("%s\n", s ? s : "[]");
		free(s);
	} else if (json_array_size(out) == 0) {
		printf("no key is flagged for equivocation\n");
	} else {
		json_array_foreach(out, i, key) {
			char kk[70], op[70];
			cli_json_text(key, "key", 64, kk, sizeof(kk));
			cli_json_text(key, "operator", 64, op, sizeof(op));
			printf("%s  operator %s\n", kk, op);
		}
	}
	json_decref(out);
	json_decref(root);
	return CLI_OK;
}

int
cmd_equivocation(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "relay", required_argument, NULL, O_RELAY },
		{ "token-file", required_argument, NULL, O_TOKEN },
		{ "json", no_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 }
	};
	struct equiv_opts eo = { NULL, NULL, NULL, false };
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		switch (o) {
		case 'c': eo.config = optarg; break;
		case O_RELAY: eo.relay = optarg; break;
		case O_TOKEN: eo.token = optarg; break;
		case O_JSON: eo.json = true; break;
		case O_HELP: return cli_usage(usage_text, 1);
		default: return cli_usage(usage_text, 0);
		}
	}
	if (optind >= argc)
		return cli_usage(usage_text, 0);
	if (strcmp(argv[optind], "clear") == 0 && argc - optind == 2)
		return equiv_clear(&eo, argv[optind + 1]);
	if (strcmp(argv[optind], "list") == 0 && argc - optind == 1)
		return equiv_list(&eo);
	return cli_usage(usage_text, 0);
}
