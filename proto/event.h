/*
 * proto/event.h — a verified envelope's payload, parsed and validated.
 *
 * Payload header (every kind): v, net, kind, origin, key, seq, prev, ts, exp,
 * refs; then the kind's own fields (proto/kind.c). event_parse() must only be
 * given an envelope whose signature already verified: use proto/open.h,
 * which enforces that order.
 */
#ifndef NTARELAY_PROTO_EVENT_H
#define NTARELAY_PROTO_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "proto/envelope.h"
#include "proto/error.h"
#include "proto/kind.h"
#include "proto/pjson.h"
#include "proto/zone.h"

struct event {
	enum kind kind;
	char net[64];
	unsigned char origin[KEY_ID_LEN];
	unsigned char key[KEY_ID_LEN];
	long long seq;
	bool has_prev;
	unsigned char prev[KEY_ID_LEN];
	long long ts;
	bool has_exp;                 /* false only for key_revoke */
	long long exp;
	size_t nrefs;
	unsigned char refs[KIND_REFS_MAX][KEY_ID_LEN];
	char zone[ZONE_TEXT_MAX + 1]; /* "" when the kind has no zone */
	unsigned char id[KEY_ID_LEN]; /* the envelope's event id */
	struct pjson_doc doc;         /* the parsed payload; node 0 is its root */
	char *payload;                /* the payload bytes (NUL-terminated) */
	size_t payload_len;
};

/*
 * Parse and strictly validate env's payload. *out is new (event_free).
 * The payload type must be the kind's; the payload key must equal the
 * envelope keyid; root-only kinds must have key == origin.
 */
enum proto_err event_parse(const struct envelope *env, struct event **out,
    char *reason);

void event_free(struct event *ev);

/* PROTO_E_WRONG_NET (with reason) unless ev belongs to federation net. */
enum proto_err event_check_net(const struct event *ev, const char *net,
    char *reason);

/* Borrowed top-level field accessors; NULL / 0 / false when absent. */
const char *event_str(const struct event *ev, const char *field);
long long event_int(const struct event *ev, const char *field);
bool event_bool(const struct event *ev, const char *field);

/* Node of a top-level field in ev->doc (pjson_* to read it), or -1. */
int event_field(const struct event *ev, const char *field);

/*
 * The payload as a jansson object (new reference; NULL on allocation
 * failure), for code that builds JSON from events or reads deep fields
 * comfortably. Not for the ingest hot path: it parses the payload again.
 */
json_t *event_payload_json(const struct event *ev);

#endif
