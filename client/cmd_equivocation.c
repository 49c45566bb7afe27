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

#include "lib/opname.h"
#include "client/cli.h"
#include "client/ntactl.h"
#include "client/relayc.h"

static const char usage_text[] =
    "usage: ntactl equivocation list [-c FILE | --relay URL] [--json] [--full-ids]\n"
    "       ntactl equivocation clear KEYID [-c FILE]\n"
    "\n"
    "A key that signs two different events with one seq is flagged by every\n"
    "relay that sees both; both envelopes are kept as proof (published on\n"
    "the eqv/ topic) and the key's operator stops counting toward any\n"
    "quorum until a person clears the flag on that relay.\n"
    "\n"
    "  list               the flagged keys (from GET /v1/peers)\n"
    "  clear KEYID        clear the flag of KEYID (64 hex digits, or a unique\n"
    "                     prefix of at least 8 among the flagged keys) on your\n"
    "                     relay, through its control socket; the proof stays\n"
    RELAYC_USAGE
    "  --json             list: print the keys as a JSON array\n"
    "\n"
    "Exit status: 0 done, 1 the relay refused (e.g. the key is not flagged),\n"
    "2 usage error or relay unreachable.\n";

enum { O_HELP = 256 };

/* Where to reach the relay (relayc.h). */
struct equiv_opts {
	struct relayc_opts ro;
};

static json_t *equiv_flagged(const json_t *root);

/* The key id that arg names among the keys flagged on the relay rc (a
 * unique prefix of at least RELAYC_ID_MIN hex digits), into out. */
static int
equiv_key(const struct relayc *rc, const char *arg, char out[65])
{
	struct httpc_response r;
	json_t *root, *keys, *k;
	size_t n = strlen(arg), i, hits = 0;
	int ret;

	if (n == 64 && strspn(arg, "0123456789abcdef") == 64) {
		memcpy(out, arg, 65);
		return CLI_OK;
	}
	if (n < RELAYC_ID_MIN || n > 64 || strspn(arg, "0123456789abcdef") != n) {
		cli_err("equivocation: '%s' is not a key id (64 lowercase hex "
		    "digits, or a unique prefix of at least %d)", arg,
		    RELAYC_ID_MIN);
		return CLI_ERR;
	}
	if ((ret = relayc_get("equivocation", rc, "/v1/peers", NULL, 0, &r)) !=
	    CLI_OK)
		return ret;
	root = json_loadb(r.body, r.len, 0, NULL);
	httpc_response_free(&r);
	keys = equiv_flagged(root);
	json_array_foreach(keys, i, k) {
		const char *id = json_string_value(json_object_get(k, "key"));
		if (id && strlen(id) == 64 && strncmp(id, arg, n) == 0 && hits++ == 0)
			memcpy(out, id, 65);
	}
	if (hits != 1) {
		cli_err("equivocation: %s: %s", arg, hits == 0 ? "no flagged key "
		    "starts with it" : "ambiguous: several flagged keys start with "
		    "it:");
		json_array_foreach(keys, i, k)
			if (hits > 1 && strncmp(json_string_value(json_object_get(k,
			    "key")) ? json_string_value(json_object_get(k, "key")) :
			    "", arg, n) == 0)
				fprintf(stderr, "  %s\n", json_string_value(
				    json_object_get(k, "key")));
	}
	json_decref(keys);
	json_decref(root);
	return hits == 1 ? CLI_OK : hits == 0 ? CLI_NO : CLI_ERR;
}

/* equivocation clear KEY: the relay counts the key's operator again. */
static int
equiv_clear(const struct equiv_opts *o, const char *arg)
{
	struct httpc_response r;
	struct relayc rc;
	char k[65];
	json_t *body;
	int ret;

	if ((ret = relayc_resolve_opts("equivocation", &o->ro, true, &rc)) !=
	    CLI_OK || (ret = equiv_key(&rc, arg, k)) != CLI_OK)
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
					json_array_append_new(out, json_pack("{s:O,s:O,s:O,s:O}",
					    "key", json_object_get(key, "key"),
					    "operator", json_object_get(peer, "operator"),
					    "local_name", json_object_get(peer, "local_name") ?
					    json_object_get(peer, "local_name") : json_null(),
					    "declared_name", json_object_get(peer, "name") ?
					    json_object_get(peer, "name") : json_null()));
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

	if ((ret = relayc_resolve_opts("equivocation", &o->ro, false, &rc)) !=
	    CLI_OK || (ret = relayc_get("equivocation", &rc,
	    "/v1/peers", NULL, 0, &r)) != CLI_OK)
		return ret;
	root = json_loadb(r.body, r.len, 0, NULL);
	httpc_response_free(&r);
	out = equiv_flagged(root);
	if (o->ro.json) {
		char *s = json_dumps(out, JSON_COMPACT);
		printf("%s\n", s ? s : "[]");
		free(s);
	} else if (json_array_size(out) == 0) {
		printf("no key is flagged for equivocation\n");
	} else {
		json_array_foreach(out, i, key) {
			char kk[70], op[OPNAME_MAX];
			size_t w = (size_t)relayc_id_width(&o->ro);
			cli_json_text(key, "key", w, kk, sizeof(kk));
			opname_format(op, sizeof(op), json_string_value(
			    json_object_get(key, "operator")) ?
			    json_string_value(json_object_get(key, "operator")) : "",
			    json_string_value(json_object_get(key, "local_name")),
			    json_string_value(json_object_get(key, "declared_name")),
			    w, o->ro.full_ids);
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
		RELAYC_LONGOPTS,
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 }
	};
	struct equiv_opts eo = { { 0 } };
	int o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		if (relayc_opt(o, optarg, &eo.ro))
			continue;
		switch (o) {
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
