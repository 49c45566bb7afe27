/*
 * client/cmd_cert.c — ntactl cert --root ROOT.key --subject RELAY.pub
 *
 * The operator's root certifies one relay signing key for at most 184 days
 * (key_cert). The root's chain state is kept in ROOT.key.chain.
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
    "usage: ntactl cert --root ROOT.key --subject RELAY.pub [--days N]\n"
    "                   (--net NAME | --db DB)\n"
    "\n"
    "Print a key_cert envelope, signed by the operator's root key, that\n"
    "certifies RELAY.pub as a signing key of the operator from now for N\n"
    "days. Import it into every trust database (ntactl trust import).\n"
    "\n"
    "  --root FILE      the operator's root secret key (keygen --root)\n"
    "  --subject FILE   the relay's public key (.pub)\n"
    "  --days N         validity, 1-184 days (default 90)\n"
    "  --net NAME       federation name for the envelope header\n"
    "  --db DB          or take the federation name from this trust database\n"
    "  --help           this text\n"
    "\n"
    "The root key's chain (seq, prev) is kept in ROOT.key.chain.\n"
    "Exit status: 0 printed, 2 usage, key or I/O error.\n";

struct cert_opts {
	const char *rootpath, *subpath, *netopt, *dbopt;
	long days;
};

/* The command line into o: -1 to go on, or the exit status. */
static int
cert_args(int argc, char **argv, struct cert_opts *o)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "subject", required_argument, NULL, 's' },
		{ "days", required_argument, NULL, 'd' },
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
		case 's': o->subpath = optarg; break;
		case 'd':
			o->days = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || o->days < 1 ||
			    o->days > 184) {
				cli_err("cert: --days: give 1 to 184");
				return CLI_ERR;
			}
			break;
		case 'n': o->netopt = optarg; break;
		case 'b': o->dbopt = optarg; break;
		case 'h': return cli_usage(usage_text, 1);
		default: return cli_usage(usage_text, 0);
		}
	}
	if (optind != argc || o->rootpath == NULL || o->subpath == NULL)
		return cli_usage(usage_text, 0);
	return -1;
}

/* The key_cert payload: sk certifies sub for days from now. */
static json_t *
cert_payload(const char *net, struct key_secret *sk,
    const struct key_public *sub, long days)
{
	char b64[ENCODING_B64_LEN(KEY_PUBLIC_LEN)], hex[KEY_ID_HEX_LEN + 1];
	long long now = (long long)time(NULL), na = now + days * KIND_DAY;
	json_t *p;

	if ((p = chain_header(KIND_KEY_CERT, net, key_secret_public(sk)->id, sk,
	    now, na)) == NULL)
		return NULL;
	json_object_set_new(p, "subject", json_string(
	    encoding_hex_encode(sub->id, KEY_ID_LEN, hex)));
	json_object_set_new(p, "subject_key", json_string(
	    encoding_b64_encode(sub->pk, KEY_PUBLIC_LEN, b64)));
	if (sub->name[0] != '\0')
		json_object_set_new(p, "subject_name", json_string(sub->name));
	json_object_set_new(p, "not_before", json_integer(now));
	json_object_set_new(p, "not_after", json_integer(na));
	return p;
}

int
cmd_cert(int argc, char **argv)
{
	char reason[PROTO_REASON_MAX], net[CHAIN_NET_MAX + 1], *json = NULL;
	struct cert_opts o;
	struct key_secret *sk = NULL;
	struct key_public sub;
	json_t *p = NULL;
	int rc;

	if ((rc = cert_args(argc, argv, &o)) >= 0)
		return rc;
	rc = CLI_ERR;
	if (chain_resolve_net("cert", o.netopt, o.dbopt, net) != 0)
		return CLI_ERR;
	if (key_public_load(o.subpath, &sub, reason) != PROTO_OK) {
		cli_err("cert: --subject: %s", reason);
		return CLI_ERR;
	}
	if (key_secret_load(o.rootpath, &sk, reason) != PROTO_OK) {
		cli_err("cert: --root: %s", reason);
		return CLI_ERR;
	}
	if (!key_secret_is_root(sk)) {
		cli_err("cert: --root %s is not a root key (made with keygen --root)",
		    o.rootpath);
		goto out;
	}
	if (memcmp(sub.id, key_secret_public(sk)->id, KEY_ID_LEN) == 0) {
		cli_err("cert: a root key does not certify itself; it signs as "
		    "the operator already");
		goto out;
	}
	if ((p = cert_payload(net, sk, &sub, o.days)) == NULL) {
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
