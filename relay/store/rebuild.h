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

struct relay;

/* Open r->cfg.store into r->store (rebuilding it when allowed and
 * damaged); r->key, r->origin and r->cert must be loaded. 0, or -1
 * (logged). */
int rebuild_open_store(struct relay *r, bool rebuild);

#endif
