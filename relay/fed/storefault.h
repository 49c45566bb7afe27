/*
 * relay/fed/storefault.h — when the store cannot write: stop taking messages,
 * keep what was acknowledged, say so, resume when a write succeeds.
 *
 * libmosquitto acknowledges an incoming QoS 1 message (PUBACK) as it reads
 * it, before the relay could store it, and has no manual acknowledgement.
 * So the relay:
 *   - journals, in memory, every event of the loop turn that passed the
 *     checks that charge its rate (topic, bytes, link), until the turn's
 *     transaction commits;
 *   - on a write failure (a full disk, an I/O error such as EFBIG under a
 *     file size limit, a lock held past the timeout, the trust database
 *     failing to import) rolls the turn back, moves its journal to the
 *     held queue, pauses every link (relay/fed/link.h: nothing more is read,
 *     so nothing more is acknowledged; the brokers keep the rest in our
 *     persistent sessions), answers /healthz with 503 and the cause,
 *     refuses own events (a submission gets 503), and logs once;
 *   - retries on a timer (1 s, doubling to 10 s): replays the held events
 *     (their rate was paid when they arrived) and commits, or, with
 *     nothing held, writes the counters; the first retry that commits makes
 *     the store writable again, logs once, and resumes the links.
 * Nothing the relay acknowledged is lost while it runs. The held queue
 * holds at most what one turn read (a link reads at most 1 MiB in a
 * burst and nothing while paused); past STOREFAULT_HELD_MAX it refuses
 * visibly (logged, counted). Events held when the process dies are gone
 * from this relay: its peers still have them, and the chain heads their
 * heartbeats announce make the relay ask for them by backfill.
 *
 * It must never drop an acknowledged event without a log line and a
 * counter, and never let a turn that failed to commit publish anything.
 *
 * Loop thread only; the state lives in struct fed (fed->storefault).
 */
#ifndef NTARELAY_RELAY_STOREFAULT_H
#define NTARELAY_RELAY_STOREFAULT_H

#include <stdbool.h>
#include <stddef.h>

#define STOREFAULT_HELD_MAX (64 * 1024 * 1024)   /* bytes held, at most */
#define STOREFAULT_RETRY_MIN_MS 1000
#define STOREFAULT_RETRY_MAX_MS 10000

struct fed;
struct link;
struct storefault;

/* The state (fed_new() creates it as fed->storefault); NULL when out of
 * memory. */
struct storefault *storefault_new(void);
/* Free fed->storefault, with whatever is still held (logged); NULL state
 * allowed. */
void storefault_free(struct fed *fed);

/* False from a write failure until a retry commits. */
bool storefault_writable(const struct fed *fed);

/* For /healthz: "the store cannot write since 2026-..Z: CAUSE; N events
 * held for retry; links paused". */
void storefault_describe(const struct fed *fed, char *why, size_t len);

/* Events held for retry (gauge). */
size_t storefault_held(const struct fed *fed);

/*
 * An event of this turn (from link `from`, NULL: local) passed the checks
 * that charge its rate and is about to be stored: keep a copy until the
 * turn commits. Borrowed arguments.
 */
void storefault_journal(struct fed *fed, struct link *from, const char *topic,
    const void *payload, size_t len);

/* A message that arrived while the store cannot write: held as it is (its
 * checks, rate included, run when it is replayed). Borrowed arguments. */
void storefault_hold(struct fed *fed, struct link *from, const char *topic,
    const void *payload, size_t len);

/* True while a held event whose rate was already charged is replayed. */
bool storefault_replaying(const struct fed *fed);

/* A write failed (cause: the store's or the trust database's words):
 * pause the links now, count it, log when the state changes. */
void storefault_failed(struct fed *fed, const char *cause);

/* The turn's transaction ended: committed (the journal is forgotten; a
 * retry that commits makes the store writable again) or rolled back (the
 * journal is held, and a retry is scheduled). */
void storefault_turn_end(struct fed *fed, bool committed, const char *cause);

#endif
