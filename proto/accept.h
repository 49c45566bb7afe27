/*
 * proto/accept.h — acceptance: does a well-formed, verified event fit the
 * clock and its signer's chain?
 *
 * A pure function: no I/O, no clock, no allocation. The caller (the relay's
 * ingest, or a test vector) supplies what it knows of the signer's chain.
 *
 * Order of the checks (the first that applies answers):
 *   1. duplicate      an event with this id is already held at this seq
 *   2. equivocation   a different event is held at this seq
 *   3. lifetime_too_long  exp - ts over the kind's maximum
 *   4. future         ts > now + skew
 *   5. expired        exp <= now (key_revoke never expires)
 *   6. equivocation   seq == head + 1 but prev is not the head's id (a fork)
 *   7. stale          seq <= head, nothing held there, and not a known gap
 *      equivocation   filling a gap, but prev is not the id held at seq - 1,
 *                     or the event held at seq + 1 does not point back to it
 *   8. seq_gap        seq > head + 1, or no head yet and seq > 1: accepted,
 *                     the caller records the missing range
 *   9. accept
 * The past is bounded by exp, not by the skew: retained MQTT messages and
 * backfill legitimately deliver events signed long before now.
 */
#ifndef NTARELAY_PROTO_ACCEPT_H
#define NTARELAY_PROTO_ACCEPT_H

#include <stdbool.h>

#include "proto/error.h"
#include "proto/event.h"

#define ACCEPT_SKEW_DEFAULT 300

enum accept_result {
	ACCEPT_OK = 0,
	ACCEPT_SEQ_GAP,          /* accepted, but events are missing before it */
	ACCEPT_DUPLICATE,
	ACCEPT_STALE,
	ACCEPT_FUTURE,
	ACCEPT_EXPIRED,
	ACCEPT_LIFETIME_TOO_LONG,
	ACCEPT_EQUIVOCATION,
	ACCEPT__COUNT
};

struct accept_chain {
	bool has_head;               /* any event of this key seen before */
	long long head_seq;          /* highest seq seen */
	unsigned char head_id[KEY_ID_LEN];
	bool has_at_seq;             /* an event is held at the new event's seq */
	unsigned char id_at_seq[KEY_ID_LEN];
	bool seq_is_gap;             /* the new seq is in a recorded gap */
	/* Neighbours of a gap-filling event, where the caller holds them. */
	bool has_below;              /* an event is held at seq - 1 */
	unsigned char below_id[KEY_ID_LEN];
	bool has_above;              /* an event is held at seq + 1 */
	unsigned char above_prev[KEY_ID_LEN]; /* ... and this is its prev */
};

enum accept_result accept_event(const struct event *ev,
    const struct accept_chain *chain, long long now, long long skew);

/* True for ACCEPT_OK and ACCEPT_SEQ_GAP. */
bool accept_is_accepted(enum accept_result r);

/* Stable short name: "accept", "seq_gap", "duplicate", ... */
const char *accept_result_name(enum accept_result r);

/* The proto_err of a rejection (PROTO_OK for the two accepted results). */
enum proto_err accept_result_err(enum accept_result r);

#endif
