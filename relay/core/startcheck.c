/*
 * relay/core/startcheck.c — the checks `ntarelayd -t` and the start share
 * (startcheck.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <sodium.h>

#include "lib/probe.h"
#include "proto/key.h"
#include "relay/core/identity.h"
#include "relay/core/startcheck.h"
#include "trustdb/db.h"

/* The directory part of path into dir ("." when it has none). */
static void
dir_of(const char *path, char dir[PATH_MAX])
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, PATH_MAX, ".");
	else if (slash == path)
		snprintf(dir, PATH_MAX, "/");
	else
		snprintf(dir, PATH_MAX, "%.*s", (int)(slash - path), path);
}

/* The directory of path exists and the running user may create files in
 * it (access() with the real ids, which are the relay's: it is not
 * set-uid; a read-only file system fails too). */
static int
dir_writable(struct config_check *c, int line, const char *key,
    const char *path)
{
	char dir[PATH_MAX];
	struct stat st;

	dir_of(path, dir);
	if (stat(dir, &st) != 0)
		return config_check_fail(c, line, "%s: directory %s: %s", key, dir,
		    strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return config_check_fail(c, line, "%s: %s: not a directory", key, dir);
	if (access(dir, W_OK | X_OK) != 0)
		return config_check_fail(c, line, "%s: directory %s: not writable by this user "
		    "(uid %u): %s", key, dir, (unsigned)geteuid(), strerror(errno));
	return 0;
}

/* An existing file the relay opens for reading and writing. */
static int
file_rw(struct config_check *c, int line, const char *key,
    const char *path)
{
	if (access(path, R_OK | W_OK) != 0)
		return config_check_fail(c, line, "%s: %s: not readable and writable by this "
		    "user (uid %u): %s", key, path, (unsigned)geteuid(),
		    strerror(errno));
	return 0;
}

/* The trust database belongs to net, and the certificate checks out with
 * its keys. Opened without creating it; nothing is written. */
static int
check_trust(struct config_check *c, long long now)
{
	const struct relay_config *cfg = c->cfg;
	char reason[256], dbnet[TRUSTDB_NET_MAX + 1], why[CONFIG_ERR_MAX];
	char preason[PROTO_REASON_MAX];
	struct trustdb *tdb = NULL;
	struct key_secret *sk = NULL;
	struct stat st;
	bool has;
	int rc = -1;

	if (stat(cfg->trustdb, &st) != 0) {
		if (errno != ENOENT)
			return config_check_fail(c, cfg->line.trustdb, "trustdb: %s: %s",
			    cfg->trustdb, strerror(errno));
		if (dir_writable(c, cfg->line.trustdb, "trustdb", cfg->trustdb) != 0)
			return -1;
		if (cfg->cert[0])
			return config_check_fail(c, cfg->line.cert, "cert: %s: cannot be checked: "
			    "the trust database %s does not exist yet (pin the "
			    "operator's root: ntactl trust --db %s --net %s pin "
			    "ROOT.pub)", cfg->cert, cfg->trustdb, cfg->trustdb,
			    cfg->net);
		return 0;
	}
	if (dir_writable(c, cfg->line.trustdb, "trustdb", cfg->trustdb) != 0 ||
	    file_rw(c, cfg->line.trustdb, "trustdb", cfg->trustdb) != 0)
		return -1;
	if (trustdb_open(cfg->trustdb, 0, 5000, &tdb, reason) != TRUSTDB_OK) {
		config_check_fail(c, cfg->line.trustdb, "trustdb: %s", reason);
		goto out;
	}
	if (trustdb_net_get(tdb, dbnet, &has, reason) != TRUSTDB_OK) {
		config_check_fail(c, cfg->line.trustdb, "trustdb: %s", reason);
		goto out;
	}
	if (has && strcmp(dbnet, cfg->net) != 0) {
		config_check_fail(c, cfg->line.net, "net: '%s', but the trust database %s "
		    "belongs to federation '%s'", cfg->net, cfg->trustdb, dbnet);
		goto out;
	}
	if (cfg->cert[0]) {
		if (key_secret_load(cfg->key, &sk, preason) != PROTO_OK) {
			config_check_fail(c, cfg->line.key, "key: %s", preason);
			goto out;
		}
		if (identity_check_cert(cfg, tdb, now, sk, why, sizeof(why)) != 0) {
			config_check_fail(c, cfg->line.cert, "%s", why);
			goto out;
		}
	}
	rc = 0;
out:
	key_secret_free(sk);
	trustdb_close(tdb);
	return rc;
}

static int
check_store(struct config_check *c)
{
	const struct relay_config *cfg = c->cfg;
	struct stat st;

	if (dir_writable(c, cfg->line.store, "store", cfg->store) != 0)
		return -1;
	if (stat(cfg->store, &st) != 0) {
		if (errno == ENOENT)
			return 0;   /* the start creates it */
		return config_check_fail(c, cfg->line.store, "store: %s: %s", cfg->store,
		    strerror(errno));
	}
	if (!S_ISREG(st.st_mode))
		return config_check_fail(c, cfg->line.store, "store: %s: not a regular file",
		    cfg->store);
	return file_rw(c, cfg->line.store, "store", cfg->store);
}

static int
check_control(struct config_check *c)
{
	const struct relay_config *cfg = c->cfg;
	struct sockaddr_un sun;
	struct stat st;
	/* the default sits beside the store: name the store's line then */
	int line = cfg->line.control_socket ? cfg->line.control_socket :
	    cfg->line.store;

	if (cfg->control_socket[0] == '\0')
		return 0;
	if (strlen(cfg->control_socket) >= sizeof(sun.sun_path))
		return config_check_fail(c, line, "control_socket: %s: longer than the %zu "
		    "bytes a unix socket's path may have", cfg->control_socket,
		    sizeof(sun.sun_path) - 1);
	if (dir_writable(c, line, "control_socket", cfg->control_socket) != 0)
		return -1;
	if (lstat(cfg->control_socket, &st) == 0 && !S_ISSOCK(st.st_mode))
		return config_check_fail(c, line, "control_socket: %s: exists and is not a "
		    "socket", cfg->control_socket);
	return 0;
}

/* The probe of the watched zones, made as watch_new() makes it. */
static int
check_probe(struct config_check *c)
{
	const struct relay_config *cfg = c->cfg;
	char why[256];
	struct probe *p;

	if (cfg->nwatch == 0)
		return 0;
	p = probe_new(cfg->probe_trust_anchor[0] ? cfg->probe_trust_anchor : NULL,
	    cfg->probe_forward[0] ? cfg->probe_forward : NULL, why, sizeof(why));
	if (p == NULL)
		return config_check_fail(c, cfg->probe_trust_anchor[0] ?
		    cfg->line.probe_trust_anchor : 0, "probe: %s", why);
	probe_free(p);
	return 0;
}

int
startcheck_run(const struct relay_config *cfg, long long now, char *err,
    size_t errlen)
{
	struct config_check c = { cfg, err, errlen };

	if (sodium_init() < 0)
		return config_check_fail(&c, 0, "libsodium failed to initialise");
	if (config_check_files(cfg, err, errlen) != 0)
		return -1;
	if (check_trust(&c, now) != 0 || check_store(&c) != 0 ||
	    check_control(&c) != 0 || check_probe(&c) != 0)
		return -1;
	return 0;
}
