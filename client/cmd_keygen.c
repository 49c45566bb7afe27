/*
 * client/cmd_keygen.c — ntactl keygen --name NAME --out PREFIX [--root]
 *
 * Writes PREFIX.key (secret seed, mode 0600) and PREFIX.pub; never
 * overwrites either. A root key is an operator's identity and belongs
 * offline; relay keys are certified by it (ntactl cert).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client/cli.h"
#include "client/ntactl.h"
#include "proto/encoding.h"
#include "proto/key.h"

static const char usage_text[] =
    "usage: ntactl keygen --name NAME --out PREFIX [--root]\n"
    "\n"
    "Create an Ed25519 key pair: PREFIX.key (secret, mode 0600) and\n"
    "PREFIX.pub (one line: ntarelay-ed25519 <base64 key> <NAME>).\n"
    "Existing files are never overwritten.\n"
    "\n"
    "  --name NAME    label stored with the key (1-63 of A-Z a-z 0-9 . _ @ -)\n"
    "  --out PREFIX   path prefix of the two files\n"
    "  --root         an operator root key (keep it offline); its key id is\n"
    "                 the operator id\n"
    "  --help         this text\n";

int
cmd_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "out", required_argument, NULL, 'o' },
		{ "root", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL, *prefix = NULL;
	char keypath[4096], pubpath[4096], line[256], reason[PROTO_REASON_MAX];
	char idhex[KEY_ID_HEX_LEN + 1];
	struct key_secret *sk = NULL;
	bool root = false;
	int c, fd = -1, rc = CLI_ERR;
	size_t n;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': name = optarg; break;
		case 'o': prefix = optarg; break;
		case 'r': root = true; break;
		case 'h': return cli_usage(usage_text, 1);
		default: return cli_usage(usage_text, 0);
		}
	}
	if (optind != argc || name == NULL || prefix == NULL)
		return cli_usage(usage_text, 0);
	if (!key_name_valid(name)) {
		cli_err("keygen: --name '%s': use 1-%d of A-Z a-z 0-9 . _ @ -",
		    name, KEY_NAME_MAX);
		return CLI_ERR;
	}
	if (snprintf(keypath, sizeof(keypath), "%s.key", prefix) >= (int)sizeof(keypath) ||
	    snprintf(pubpath, sizeof(pubpath), "%s.pub", prefix) >= (int)sizeof(pubpath)) {
		cli_err("keygen: --out: path too long");
		return CLI_ERR;
	}
	if (access(pubpath, F_OK) == 0) {
		cli_err("keygen: %s exists; refusing to overwrite", pubpath);
		return CLI_ERR;
	}
	if ((sk = key_secret_generate(name, root)) == NULL) {
		cli_err("keygen: cannot allocate secure memory");
		return CLI_ERR;
	}
	if (key_secret_save(sk, keypath, reason) != PROTO_OK) {
		cli_err("keygen: %s", reason);
		goto out;
	}
	if (key_public_format(key_secret_public(sk), line, sizeof(line)) != 0)
		goto out;
	n = strlen(line);
	if ((fd = open(pubpath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0 ||
	    write(fd, line, n) != (ssize_t)n || fsync(fd) != 0) {
		cli_err("keygen: %s: %s", pubpath, strerror(errno));
		unlink(keypath);
		goto out;
	}
	encoding_hex_encode(key_secret_public(sk)->id, KEY_ID_LEN, idhex);
	printf("%s %s\n", root ? "operator" : "key", idhex);
	rc = CLI_OK;
out:
	if (fd >= 0)
		close(fd);
	key_secret_free(sk);
	return rc;
}
