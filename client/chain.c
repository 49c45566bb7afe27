/*
 * client/chain.c — see chain.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "client/chain.h"
#include "client/cli.h"
#include "proto/encoding.h"
#include "proto/envelope.h"
#include "proto/event.h"
#include "trustdb/db.h"

json_t *
chain_header(enum kind kind, const char *net,
    const unsigned char origin[KEY_ID_LEN], const struct key_secret *sk,
    long long ts, long long exp)
{
	char o[KEY_ID_HEX_LEN + 1], k[KEY_ID_HEX_LEN + 1];
	json_t *p = json_object();

	if (p == NULL)
		return NULL;
	json_object_set_new(p, "v", json_integer(1));
	json_object_set_new(p, "net", json_string(net));
	json_object_set_new(p, "kind", json_string(kind_name(kind)));
	json_object_set_new(p, "origin", json_string(
	    encoding_hex_encode(origin, KEY_ID_LEN, o)));
	json_object_set_new(p, "key", json_string(
	    encoding_hex_encode(key_secret_public(sk)->id, KEY_ID_LEN, k)));
	json_object_set_new(p, "seq", json_integer(1));
	json_object_set_new(p, "prev", json_null());
	json_object_set_new(p, "ts", json_integer(ts));
	json_object_set_new(p, "exp", exp ? json_integer(exp) : json_null());
	json_object_set_new(p, "refs", json_array());
	return p;
}

/* Read <keypath>.chain: 0 with *seq = 0 when absent. */
static int
chain_read(const char *path, long long *seq, unsigned char prev[KEY_ID_LEN])
{
	char line[160], hex[KEY_ID_HEX_LEN + 2], extra;
	FILE *f;
	int n;

	*seq = 0;
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return 0;
		cli_err("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fgets(line, sizeof(line), f) == NULL ||
	    (n = sscanf(line, "%lld %65s %c", seq, hex, &extra)) != 2 ||
	    *seq < 1 || *seq >= KIND_SEQ_MAX ||
	    encoding_hex_decode(hex, prev, KEY_ID_LEN) != 0) {
		fclose(f);
		cli_err("%s: not a chain state file (one line: SEQ ID); refusing to "
		    "guess the next seq", path);
		return -1;
	}
	fclose(f);
	return 0;
}

static int
chain_write(const char *path, long long seq, const unsigned char id[KEY_ID_LEN])
{
	char tmp[4300], line[160], hex[KEY_ID_HEX_LEN + 1];
	int fd, n;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		cli_err("%s: path too long", path);
		return -1;
	}
	n = snprintf(line, sizeof(line), "%lld %s\n", seq,
	    encoding_hex_encode(id, KEY_ID_LEN, hex));
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0 ||
	    write(fd, line, (size_t)n) != n || fsync(fd) != 0) {
		cli_err("%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		cli_err("%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
chain_sign(const char *keypath, const struct key_secret *sk, json_t *payload,
    char **json_out)
{
	char chainpath[4200], reason[PROTO_REASON_MAX], hex[KEY_ID_HEX_LEN + 1];
	unsigned char prev[KEY_ID_LEN];
	struct envelope *env = NULL;
	struct event *ev = NULL;
	char *body = NULL, *json = NULL;
	long long seq;
	size_t jlen;
	enum proto_err e;
	int lockfd = -1, rc = -1;
	const char *kind = json_string_value(json_object_get(payload, "kind"));

	*json_out = NULL;
	if (snprintf(chainpath, sizeof(chainpath), "%s.chain", keypath) >=
	    (int)sizeof(chainpath)) {
		cli_err("%s: path too long", keypath);
		return -1;
	}
	if ((lockfd = open(keypath, O_RDONLY | O_CLOEXEC)) < 0 ||
	    flock(lockfd, LOCK_EX) != 0) {
		cli_err("%s: cannot lock: %s", keypath, strerror(errno));
		goto out;
	}
	if (chain_read(chainpath, &seq, prev) != 0)
		goto out;
	json_object_set_new(payload, "seq", json_integer(seq + 1));
	json_object_set_new(payload, "prev", seq ? json_string(
	    encoding_hex_encode(prev, KEY_ID_LEN, hex)) : json_null());
	if ((body = json_dumps(payload, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL) {
		cli_err("out of memory");
		goto out;
	}
	e = envelope_sign(kind_payload_type(kind_from_name(kind ? kind : "")),
	    (unsigned char *)body, strlen(body), sk, &json, &jlen, &env, reason);
	if (e != PROTO_OK) {
		cli_err("sign: %s: %s", proto_errname(e), reason);
		goto out;
	}
	if ((e = event_parse(env, &ev, reason)) != PROTO_OK) {
		cli_err("refusing to sign an invalid %s: %s: %s", kind,
		    proto_errname(e), reason);
		goto out;
	}
	/* The chain advances before anything is printed: an envelope that
	 * was shown is never signed again with the same seq. */
	if (chain_write(chainpath, seq + 1, env->id) != 0)
		goto out;
	*json_out = json;
	json = NULL;
	rc = 0;
out:
	if (lockfd >= 0)
		close(lockfd);      /* releases the lock */
	event_free(ev);
	envelope_free(env);
	free(body);
	free(json);
	return rc;
}

int
chain_resolve_net(const char *cmd, const char *net_opt, const char *db_opt,
    char *out)
{
	char reason[TRUSTDB_REASON_MAX], net[TRUSTDB_NET_MAX + 1];
	struct trustdb *db = NULL;
	enum trustdb_err e;
	bool has = false;

	if (net_opt != NULL && !trustdb_net_valid(net_opt)) {
		cli_err("%s: --net '%s': use 1-63 of a-z 0-9 -", cmd, net_opt);
		return -1;
	}
	if (db_opt != NULL) {
		if ((e = trustdb_open(db_opt, 0, 0, &db, reason)) != TRUSTDB_OK ||
		    (e = trustdb_net_get(db, net, &has, reason)) != TRUSTDB_OK) {
			cli_err("%s: %s", cmd, reason);
			trustdb_close(db);
			return -1;
		}
		trustdb_close(db);
		if (!has && net_opt == NULL) {
			cli_err("%s: %s has no federation name yet; give --net", cmd,
			    db_opt);
			return -1;
		}
		if (has && net_opt != NULL && strcmp(net, net_opt) != 0) {
			cli_err("%s: --net %s, but %s belongs to federation '%s'", cmd,
			    net_opt, db_opt, net);
			return -1;
		}
	}
	if (net_opt == NULL && !has) {
		cli_err("%s: the federation name is required: give --net NAME, or "
		    "--db DB to take it from a trust database", cmd);
		return -1;
	}
	snprintf(out, CHAIN_NET_MAX + 1, "%s", net_opt ? net_opt : net);
	return 0;
}
