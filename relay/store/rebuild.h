/*
 * relay/store/rebuild.h — opening the store at start, and starting over from the
 * federation when it is damaged (ntarelayd --rebuild-store).
 *
 * A damaged store (not SQLite at all, or pages PRAGMA quick_check finds
 * broken) is refused with a message naming the file and what to do. With
 * --rebuild-store the relay moves the file (and its -wal and -shm) aside,
 * renamed PATH.damaged-YYYYMMDDTHHMMSSZ, and starts with an empty store
 * that its brokers' retained messages and its peers' backfill fill again.
 *
 * What must never happen on the way: the relay's key signing again under
 * seq numbers it used before (every peer holding the first versions would
 * report an equivocation and flag the key). So the relay's chain head is
 * read back from the damaged file when it still answers, and the new store
 * continues the chain from it; when it cannot be read, the rebuild goes on
 * only if the relay's certificate was signed after the damaged file was
 * last written (a new key, as docs/OPERATIONS.md 11.3 asks after a store
 * is lost), and is refused otherwise, leaving the file where it was.
 */
#ifndef NTARELAY_RELAY_REBUILD_H
#define NTARELAY_RELAY_REBUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/key.h"
#include "relay/store/store.h"
#include "trustdb/db.h"

/* Who opens the store: what a rebuild must know of the relay. */
struct rebuild_identity {
	const char *path;                   /* the store file (store in the config) */
	unsigned char key[KEY_ID_LEN];      /* the relay's signing key */
	unsigned char origin[KEY_ID_LEN];   /* its operator */
	const char *cert;                   /* its key_cert envelope, or NULL */
	size_t certlen;
	struct trustdb *tdb;                /* to open the certificate */
};

/* Open id->path into *out (rebuilding it when allowed and damaged). 0, or
 * -1 (logged). */
int rebuild_open_store(const struct rebuild_identity *id, bool rebuild,
    struct store **out);

#endif
