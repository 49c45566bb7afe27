/*
 * client/cmd_revoke.c — ntactl revoke --key K.key [--subject KEY]
 *
 * A key_revoke never expires. A key may revoke itself (when its holder
 * knows it is compromised or retired); an operator's root may revoke the
 * relay keys it certified, and itself.
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

static const char usage_text[] =
    "usage: ntactl revoke --key K.key [--subject KEY] [--origin OPERATOR]\n"
    "                     [--note TEXT] (--net NAME | --db DB)\n"
    "\n"
    "Print a key_revoke envelope signed by K.key. Without --subject, K\n"
    "revokes itself; with --subject, K must be the root key that certified\n"
    "KEY. A revocation never expires, and the revoked key's events stop\n"
    "counting at once, including events received before it.\n"
    "\n"
    "  --key FILE           the signing secret key\n"
    "  --subject KEY        the key to revoke (.pub file or key id)\n"
    "  --origin OPERATOR    the operator K belongs to (.pub or operator id);\n"
    "                       required when K is not a root key\n"
    "  --note TEXT          a reason for people (up to 1024 bytes)\n"
    "  --net NAME           federation name for the envelope header\n"
    "  --db DB              or take the federation name from this trust database\n"
    "  --help               this text\n"
    "\n"
    "K's chain (seq, prev) is kept in K.key.chain.\n"
    "Exit status: 0 printed, 2 usage, key or I/O error.\n";

struct revoke_opts {
	const char *keypath, *subarg, *originarg, *note, *netopt, *dbopt;
};

/* The command line into o: -1 to go on, or the exit status. */
static int
revoke_args(int argc, char **argv, struct revoke_opts *o)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "subject", required_argument, NULL, 's' },
		{ "origin", required_argument, NULL, 'o' },
		{ "note", required_argument, NULL, 'm' },
		{ "net", required_argument, NULL, 'n' },
		{ "db", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k': o->keypath = optarg; break;
		case 's': o->subarg = optarg; break;
		case 'o': o->originarg = optarg; break;
		case 'm': o->note = optarg; break;
		case 'n': o->netopt = optarg; break;
		case 'b': o->dbopt = optarg; break;
		case 'h': return cli_usage(usage_text, 1);
		default: return cli_usage(usage_text, 0);
		}
	}
	if (optind != argc || o->keypath == NULL)
		return cli_usage(usage_text, 0);
	if (o->note != NULL && strlen(o->note) > 1024) {
		cli_err("revoke: --note: at most 1024 bytes");
		return CLI_ERR;
	}
	return -1;
}

/*
 * Who revokes what: a root key speaks for its own operator and may revoke
 * any key; a relay key only itself, for the operator --origin names.
 * *subject_id and *origin_id point into sub, origin or sk. 0, or -1 said.
 */
static int
revoke_ids(const struct revoke_opts *o, const struct key_secret *sk,
    const struct key_public *sub, const struct key_public *origin,
    const unsigned char **subject_id, const unsigned char **origin_id)
{
	const unsigned char *own = key_secret_public(sk)->id;

	*subject_id = o->subarg ? sub->id : own;
	if (key_secret_is_root(sk)) {
		*origin_id = own;
		if (o->originarg != NULL && memcmp(origin->id, own, KEY_ID_LEN) != 0) {
			cli_err("revoke: --origin: a root key's operator is itself");
			return -1;
		}
		return 0;
	}
	if (o->originarg == NULL) {
		cli_err("revoke: --key %s is not a root key: give --origin, the "
		    "operator it belongs to", o->keypath);
		return -1;
	}
	*origin_id = origin->id;
	if (memcmp(*subject_id, own, KEY_ID_LEN) != 0) {
		cli_err("revoke: a relay key can only revoke itself; sign with "
		    "the root key to revoke another key");
		return -1;
	}
	return 0;
}

int
cmd_revoke(int argc, char **argv)
{
	char reason[PROTO_REASON_MAX], net[CHAIN_NET_MAX + 1], *json = NULL;
	char hex[KEY_ID_HEX_LEN + 1];
	struct revoke_opts o;
	struct key_secret *sk = NULL;
	struct key_public sub, origin;
	const unsigned char *subject_id, *origin_id;
	json_t *p = NULL;
	bool has_pk;
	int rc;

	if ((rc = revoke_args(argc, argv, &o)) >= 0)
		return rc;
	rc = CLI_ERR;
	if (chain_resolve_net("revoke", o.netopt, o.dbopt, net) != 0)
		return CLI_ERR;
	if (o.subarg != NULL &&
	    key_arg_parse(o.subarg, &sub, &has_pk, reason) != PROTO_OK) {
		cli_err("revoke: --subject: %s", reason);
		return CLI_ERR;
	}
	if (o.originarg != NULL &&
	    key_arg_parse(o.originarg, &origin, &has_pk, reason) != PROTO_OK) {
		cli_err("revoke: --origin: %s", reason);
		return CLI_ERR;
	}
	if (key_secret_load(o.keypath, &sk, reason) != PROTO_OK) {
		cli_err("revoke: --key: %s", reason);
		return CLI_ERR;
	}
	if (revoke_ids(&o, sk, &sub, &origin, &subject_id, &origin_id) != 0)
		goto out;
	if ((p = chain_header(KIND_KEY_REVOKE, net, origin_id, sk,
	    (long long)time(NULL), 0)) == NULL) {
		cli_err("out of memory");
		goto out;
	}
	json_object_set_new(p, "subject", json_string(
	    encoding_hex_encode(subject_id, KEY_ID_LEN, hex)));
	if (o.note != NULL)
		json_object_set_new(p, "note", json_string(o.note));
	if (chain_sign(o.keypath, sk, p, &json) != 0)
		goto out;
	printf("%s\n", json);
	rc = fflush(stdout) == 0 ? CLI_OK : CLI_ERR;
out:
	json_decref(p);
	free(json);
	key_secret_free(sk);
	return rc;
}
