/*
 * relay/fed/kinds.h — what the relay does with each event kind, in one
 * table: its MQTT topic (segment and the two parts after it, as
 * docs/PROTOCOL.md §12 and relay/fed/topic.h give them), whether it is
 * published retained, whether it is a trust event (imported into the trust
 * database), whether the quorum engine takes it as input, whether the
 * control socket signs it on request, whether it counts against an
 * operator's quota in a zone.
 *
 * proto/kind.h says what a kind is in the protocol; this says how this
 * relay handles it. Every enum kind has a row (tests/unit/test_kinds.c).
 * Asking about a value out of range (KIND__COUNT for an unknown name)
 * answers NULL or false.
 */
#ifndef NTARELAY_RELAY_FED_KINDS_H
#define NTARELAY_RELAY_FED_KINDS_H

#include <stdbool.h>

#include "proto/kind.h"

/* What a part of a topic names. */
enum kinds_part {
	KINDS_ZONE,     /* the event's zone */
	KINDS_ORIGIN,   /* its origin (operator id, hex) */
	KINDS_KEY,      /* the signing key id (hex) */
	KINDS_ID        /* the event id (hex) */
};

struct kinds_row {
	const char *segment;        /* ntarelay/v1/<net>/<segment>/... */
	enum kinds_part part[2];    /* .../<part[0]>/<part[1]> */
	bool retained;              /* published retained */
	bool latest;                /* its topic holds the latest event of an
	                               origin (or key) in a zone: a late copy
	                               must not replace a newer one */
	bool trust;                 /* a trust event: imported into the trust
	                               database (of members only) */
	bool quorum;                /* input of the quorum engine: marks its
	                               zone for evaluation */
	bool submittable;           /* POST /v1/submit/{kind} on the control
	                               socket signs it */
	bool zone_quota;            /* counted in zone_events_per_operator */
};

/* The row of kind k; NULL when k is not a kind. */
const struct kinds_row *kinds_get(enum kind k);

bool kinds_retained(enum kind k);
bool kinds_is_trust(enum kind k);
bool kinds_quorum(enum kind k);
bool kinds_submittable(enum kind k);
bool kinds_zone_quota(enum kind k);

#endif
