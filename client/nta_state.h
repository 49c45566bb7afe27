/*
 * client/nta_state.h — the record of the NTAs `ntactl nta` added to a
 * resolver: the only ones it will ever remove.
 *
 * The state file is JSON:
 *   {"version":1,"ntas":[{"zone":"de.","driver":"unbound",
 *     "added_at":1779961900,"until":1780048300,"lifetime":86400}, ...],
 *    "relay_ok_at":1779961900}
 * (times in unix seconds; unknown members are ignored; relay_ok_at, the
 * last pass the relay answered, is kept only with --stale-after). It is replaced
 * atomically (temporary file in the same directory, fsync, rename, mode
 * 0644) while FILE.lock is held with flock(2), so that a cron job and a
 * watcher never interleave. A missing file is an empty record; a malformed
 * one is an error, never silently reset: forgetting an NTA would leave it on
 * the resolver for good.
 *
 * This module never prints; errors come back in the caller's buffer.
 */
#ifndef NTARELAY_CLIENT_NTA_STATE_H
#define NTARELAY_CLIENT_NTA_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/zone.h"

#define NTA_STATE_DIR "/var/lib/ntarelay"   /* default: DIR/nta-DRIVER.json */
#define NTA_STATE_MAX (16 * 1024 * 1024)   /* bytes of state file */
#define NTA_DRIVER_NAME_MAX 15
#define NTA_LIFETIME_MAX (7 * 86400LL)     /* RFC 7646: at most a week */

struct nta_record {
	char zone[ZONE_TEXT_MAX + 1];          /* protocol form, "de." */
	char driver[NTA_DRIVER_NAME_MAX + 1];  /* "unbound", ... */
	long long added_at;                    /* first added, unix s */
	long long until;                       /* must be gone by then */
	long long lifetime;                    /* seconds, as last applied */
};

struct nta_state {
	struct nta_record *v;
	size_t n, cap;
	long long relay_ok_at;   /* last pass the relay answered, 0: unknown */
};

/*
 * Read path into s (which it initialises). A missing file gives an empty
 * state. Returns 0, or -1 with why filled (s left empty).
 */
int nta_state_load(const char *path, struct nta_state *s, char *why,
    size_t whylen);

/* Write s to path atomically, mode 0644. Returns 0, or -1 with why. */
int nta_state_save(const char *path, const struct nta_state *s, char *why,
    size_t whylen);

/*
 * Take the exclusive lock of path (the file path + ".lock", created mode
 * 0644), waiting at most wait seconds. Returns the lock's descriptor, or -1
 * with why filled. nta_state_unlock() releases it (-1 allowed).
 */
int nta_state_lock(const char *path, int wait, char *why, size_t whylen);
void nta_state_unlock(int fd);

/* The record of zone for driver, or NULL. Borrowed, valid until s changes. */
struct nta_record *nta_state_find(struct nta_state *s, const char *zone,
    const char *driver);

/* Add or replace the record of (rec->zone, rec->driver). 0, or -1 (memory). */
int nta_state_put(struct nta_state *s, const struct nta_record *rec);

/* Remove the record of zone for driver, if any. */
void nta_state_del(struct nta_state *s, const char *zone, const char *driver);

/* Free s's records; s itself is the caller's. NULL allowed. */
void nta_state_free(struct nta_state *s);

/* t (unix s) as "2026-05-28T10:00:00Z" into out. */
void nta_time_text(long long t, char *out, size_t len);

/* A deep copy of src into dst (initialised by it). 0, or -1 (memory). */
int nta_state_copy(struct nta_state *dst, const struct nta_state *src);

/* True when a and b hold the same records in the same order. */
bool nta_state_equal(const struct nta_state *a, const struct nta_state *b);

#endif
