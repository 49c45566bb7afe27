/*
 * client/cmd_vouch.c — ntactl vouch --root ROOT.key --subject OPERATOR.pub
 *
 * One operator's root vouches for another operator (vouch), optionally
 * claiming the zones the subject operates and an affiliation; --withdraw
 * signs an unvouch instead.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/chain.h"
#include "client/cli.h"
#include "client/ntactl.h"
#include "proto/encoding.h"
#include "proto/zone.h"

static const char usage_text[] =
    "usage: ntactl vouch --root ROOT.key --subject OPERATOR.pub\n"
    "                    [--zones ZONE,...] [--affiliation NAME] [--days N]\n"
    "                    (--net NAME | --db DB)\n"
    "       ntactl vouch --withdraw --root ROOT.key --subject OPERATOR\n"
    "                    (--net NAME | --db DB)\n"
    "\n"
    "Print a vouch envelope, signed by your operator root key, saying that\n"
    "OPERATOR (the subject's root public key) is a genuine operator. A trust\n"
    "database admits an operator vouched for by at least V pinned members\n"
    "(default 2). With --withdraw, print an unvouch instead: it cancels your\n"
    "earlier vouch (OPERATOR may then be a key id).\n"
    "\n"
    "  --root FILE          your operator root secret key\n"
    "  --subject FILE|ID    the other operator's root public key (.pub)\n"
    "  --zones Z,...        zones the subject operates: its zone statements\n"
    "                       count once V members claim the same zone\n"
    "  --affiliation NAME   you and the subject belong to one organisation\n"
    "                       NAME; when the subject vouches for you with the\n"
    "                       same NAME, you count as one vote\n"
    "  --days N             validity, 1-90 days (default 90)\n"
    "  --withdraw           sign an unvouch\n"
    "  --net NAME           federation name for the envelope header\n"
    "  --db DB              or take the federation name from this trust database\n"
    "  --help               this text\n"
    "\n"
    "The root key's chain (seq, prev) is kept in ROOT.key.chain.\n"
    "Exit status: 0 printed, 2 usage, key or I/O error.\n";

/* "de,example.com" -> array of normalised names. */
static json_t *
parse_zones(const char *arg)
{
	char *copy = strdup(arg), *tok, *save = NULL, norm[ZONE_TEXT_MAX + 1];
	json_t *arr = json_array();
	const char *why;

	if (copy == NULL || arr == NULL)
		goto fail;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (zone_name_normalise(tok, norm, &why) != 0) {
			cli_err("--zones: '%s': %s", tok, why);
			goto fail;
		}
		json_array_append_new(arr, json_string(norm));
	}
	if (json_array_size(arr) == 0 || json_array_size(arr) > 64) {
		cli_err("--zones: give 1 to 64 zones, separated by commas");
		goto fail;
	}
	free(copy);
	return arr;
fail:
	free(copy);
	json_decref(arr);
	return NULL;
}

struct vouch_opts {
	const char *rootpath, *subarg, *zonesarg, *aff, *netopt, *dbopt;
	bool withdraw;
	long days;
};

/* The command line into o: -1 to go on, or the exit status. */
static int
vouch_args(int argc, char **argv, struct vouch_opts *o)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "subject", required_argument, NULL, 's' },
		{ "zones", required_argument, NULL, 'z' },
		{ "affiliation", required_argument, NULL, 'a' },
		{ "days", required_argument, NULL, 'd' },
		{ "withdraw", no_argument, NULL, 'w' },
		{ "net", required_argument, NULL, 'n' },
		{ "db", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->days = 90;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': o->rootpath = optarg; break;
		case 's': o->subarg = optarg; break;
		case 'z': o->zonesarg = optarg; break;
		case 'a': o->aff = optarg; break;
		case 'd':
			o->days = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || o->days < 1 ||
			    o->days > 90) {
				cli_err("vouch: --days: give 1 to 90");
				return CLI_ERR;
			}
			break;
		case 'w': o->withdraw = true; break;
		case 'n': o->netopt = optarg; break;
		case 'b': o->dbopt = optarg; break;
		case 'h': return cli_usage(usage_text, 1);
		default: return cli_usage(usage_text, 0);
		}
	}
	if (optind != argc || o->rootpath == NULL || o->subarg == NULL)
		return cli_usage(usage_text, 0);
	if (o->withdraw && (o->zonesarg || o->aff)) {
		cli_err("vouch: --withdraw takes no --zones or --affiliation");
		return CLI_ERR;
	}
	if (o->aff != NULL && (strlen(o->aff) < 1 || strlen(o->aff) > 64)) {
		cli_err("vouch: --affiliation: 1 to 64 characters");
		return CLI_ERR;
	}
	return -1;
}

/* The root key of o, checked (a root key, not the subject's); NULL when
 * not (said). */
static struct key_secret *
vouch_root(const struct vouch_opts *o, const struct key_public *sub)
{
	char reason[PROTO_REASON_MAX];
	struct key_secret *sk = NULL;

	if (key_secret_load(o->rootpath, &sk, reason) != PROTO_OK) {
		cli_err("vouch: --root: %s", reason);
		return NULL;
	}
	if (!key_secret_is_root(sk)) {
		cli_err("vouch: --root %s is not a root key (made with keygen --root)",
		    o->rootpath);
	} else if (memcmp(sub->id, key_secret_public(sk)->id, KEY_ID_LEN) == 0) {
		cli_err("vouch: an operator cannot vouch for itself");
	} else {
		return sk;
	}
	key_secret_free(sk);
	return NULL;
}

/* The vouch (or unvouch) payload; takes zones. NULL: out of memory. */
static json_t *
vouch_payload(const struct vouch_opts *o, const char *net,
    struct key_secret *sk, const struct key_public *sub, json_t *zones)
{
	char b64[ENCODING_B64_LEN(KEY_PUBLIC_LEN)], hex[KEY_ID_HEX_LEN + 1];
	long long now = (long long)time(NULL);
	json_t *p;

	if ((p = chain_header(o->withdraw ? KIND_UNVOUCH : KIND_VOUCH, net,
	    key_secret_public(sk)->id, sk, now, now + o->days * KIND_DAY)) == NULL) {
		json_decref(zones);
		return NULL;
	}
	json_object_set_new(p, "subject", json_string(
	    encoding_hex_encode(sub->id, KEY_ID_LEN, hex)));
	if (!o->withdraw) {
		json_object_set_new(p, "subject_key", json_string(
		    encoding_b64_encode(sub->pk, KEY_PUBLIC_LEN, b64)));
		if (sub->name[0] != '\0')
			json_object_set_new(p, "subject_name", json_string(sub->name));
		json_object_set_new(p, "zones", zones ? zones : json_array());
		zones = NULL;
		json_object_set_new(p, "affiliation", o->aff ? json_string(o->aff) :
		    json_null());
	}
	json_decref(zones);
	return p;
}

int
cmd_vouch(int argc, char **argv)
{
	char reason[PROTO_REASON_MAX], net[CHAIN_NET_MAX + 1], *json = NULL;
	struct vouch_opts o;
	struct key_secret *sk = NULL;
	struct key_public sub;
	json_t *p = NULL, *zones = NULL;
	bool has_pk;
	int rc;

	if ((rc = vouch_args(argc, argv, &o)) >= 0)
		return rc;
	rc = CLI_ERR;
	if (chain_resolve_net("vouch", o.netopt, o.dbopt, net) != 0)
		return CLI_ERR;
	if (key_arg_parse(o.subarg, &sub, &has_pk, reason) != PROTO_OK) {
		cli_err("vouch: --subject: %s", reason);
		return CLI_ERR;
	}
	if (!o.withdraw && !has_pk) {
		cli_err("vouch: --subject: give the operator's root .pub file "
		    "(a vouch carries the key itself)");
		return CLI_ERR;
	}
	if (o.zonesarg != NULL && (zones = parse_zones(o.zonesarg)) == NULL)
		return CLI_ERR;
	if ((sk = vouch_root(&o, &sub)) == NULL) {
		json_decref(zones);
		return CLI_ERR;
	}
	if ((p = vouch_payload(&o, net, sk, &sub, zones)) == NULL) {
		cli_err("out of memory");
		goto out;
	}
	if (chain_sign(o.rootpath, sk, p, &json) != 0)
		goto out;
	printf("%s\n", json);
	rc = fflush(stdout) == 0 ? CLI_OK : CLI_ERR;
out:
	json_decref(p);
	free(json);
	key_secret_free(sk);
	return rc;
}
