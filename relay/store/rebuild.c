/*
 * relay/store/rebuild.c — the store at start; a damaged one moved aside (see the
 * header).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "proto/encoding.h"
#include "proto/open.h"
#include "relay/core/log.h"
#include "relay/store/rebuild.h"
#include "trustdb/store.h"

/* Unix time at which the relay's certificate was signed; 0 when the relay
 * runs on its root key (no certificate) or it cannot be read. */
static long long
cert_signed_at(const struct rebuild_identity *r)
{
	char reason[PROTO_REASON_MAX];
	struct envelope *env = NULL;
	struct event *ev = NULL;
	long long ts = 0;

	if (r->cert && open_envelope(r->cert, r->certlen, trustdb_lookup_known,
	    r->tdb, 0, &env, &ev, reason) == PROTO_OK)
		ts = ev->ts;
	event_free(ev);
	envelope_free(env);
	return ts;
}

/*
 * May a fresh store be started with this key? Yes when the damaged file
 * tells the key's chain head (found: the new store continues it), or that
 * the key has none; or when the certificate is newer than the file's last
 * write (the key cannot have signed into it).
 */
static bool
chain_is_safe(const struct rebuild_identity *r, const char *path, bool *found, long long *seq,
    unsigned char head[KEY_ID_LEN])
{
	const unsigned char *key = r->key;
	char err[STORE_ERR_MAX], keyhex[KEY_ID_HEX_LEN + 1];
	long long cert_ts = cert_signed_at(r);
	struct stat st;

	encoding_hex_encode(key, KEY_ID_LEN, keyhex);
	if (store_salvage_head(path, key, found, seq, head, err) == 0)
		return true;
	if (cert_ts > 0 && stat(path, &st) == 0 && cert_ts > (long long)st.st_mtime) {
		log_notice("store: the damaged file does not tell key %.16s...'s "
		    "chain head (%s), but the key's certificate was signed after "
		    "the file was last written: a new key, whose chain starts "
		    "afresh", keyhex, err);
		return true;
	}
	log_err("store: not rebuilding %s: the chain head of this relay's key "
	    "%.16s... cannot be read back from it (%s), and with an empty store "
	    "the key would sign again under seq numbers it has used, which every "
	    "peer holding its events reports as an equivocation. Give the relay "
	    "a new key and certificate first (docs/OPERATIONS.md 11.3), then "
	    "start it with --rebuild-store again. The file is left as it is.",
	    path, keyhex, err);
	return false;
}

/* Rename path (and its -wal, -shm) to path.damaged-STAMP; the new name of
 * the main file in aside. */
static int
move_aside(const char *path, char *aside, size_t len)
{
	static const char *const suffix[] = { "-wal", "-shm" };
	char stamp[32], from[PATH_MAX + 8], to[PATH_MAX + 64];
	time_t now = time(NULL);
	struct tm tm;

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) == 0)
		return -1;
	snprintf(aside, len, "%s.damaged-%s", path, stamp);
	if (rename(path, aside) != 0) {
		log_err("store: cannot move %s aside to %s: %s", path, aside,
		    strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(from, sizeof(from), "%s%s", path, suffix[i]);
		snprintf(to, sizeof(to), "%s%s", aside, suffix[i]);
		if (rename(from, to) != 0 && errno != ENOENT) {
			log_err("store: cannot move %s aside to %s: %s", from, to,
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

int
rebuild_open_store(const struct rebuild_identity *r, bool rebuild,
    struct store **out)
{
	const char *path = r->path;
	char err[STORE_ERR_MAX], damage[STORE_ERR_MAX], aside[PATH_MAX + 64];
	char keyhex[KEY_ID_HEX_LEN + 1];
	unsigned char head[KEY_ID_LEN];
	long long seq = 0;
	bool found = false;
	int rc;

	rc = store_open(path, out, err);
	if (rc == 0) {
		if (rebuild)
			log_notice("store: %s passed its check; --rebuild-store has "
			    "nothing to do", path);
		return 0;
	}
	if (rc != STORE_DAMAGED) {
		log_err("%s", err);
		return -1;
	}
	if (!rebuild) {
		log_err("%s. The relay does not start on a damaged store. Keep the "
		    "file for analysis, then start once with --rebuild-store: it "
		    "moves %s (and its -wal and -shm) aside, renamed with a "
		    "timestamp, and starts with an empty store that the brokers' "
		    "retained messages and the peers' backfill fill again (see "
		    "ntarelayd(8))", err, path);
		return -1;
	}
	snprintf(damage, sizeof(damage), "%s", err);
	if (!chain_is_safe(r, path, &found, &seq, head) ||
	    move_aside(path, aside, sizeof(aside)) != 0)
		return -1;
	if (store_open(path, out, err) != 0) {
		log_err("%s", err);
		return -1;
	}
	encoding_hex_encode(r->key, KEY_ID_LEN, keyhex);
	if (found) {
		if (store_seed_head(*out, r->key, r->origin,
		    seq, head, err) != 0) {
			log_err("%s", err);
			return -1;
		}
		log_notice("store: key %.16s... continues its chain after seq %lld, "
		    "read back from the damaged store", keyhex, seq);
	}
	log_notice("store: rebuilding: %s; the damaged file is kept as %s; "
	    "starting with an empty store, which the brokers' retained messages "
	    "and the peers' backfill fill again", damage, aside);
	return 0;
}
