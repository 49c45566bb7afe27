/*
 * proto/open.h — open a received envelope in the only safe order:
 * size check, envelope parse, key lookup, signature verification, and only
 * then payload parse and strict validation.
 *
 * The key lookup is the caller's (trustdb in the relay, a .pub file in
 * ntactl): it maps the envelope keyid to a public key or says it knows none.
 *
 * open_envelope() takes the bytes; open_envelope_parsed() takes an
 * envelope the caller parsed already (the relay parses once to drop
 * duplicates by id before any signature check) and goes on from the key
 * lookup, so that an event is parsed once and verified once.
 */
#ifndef NTARELAY_PROTO_OPEN_H
#define NTARELAY_PROTO_OPEN_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/envelope.h"
#include "proto/event.h"

/* Fill pk for keyid and return true, or return false when unknown. */
typedef bool (*open_lookup_fn)(void *ctx, const unsigned char keyid[KEY_ID_LEN],
    unsigned char pk[KEY_PUBLIC_LEN]);

#define OPEN_RAW 0x1  /* stop after the signature: do not parse the payload */

/*
 * On PROTO_OK, *env_out is new and (without OPEN_RAW) *ev_out is new.
 * On failure after the envelope parsed, *env_out is still returned (new)
 * so that the caller can log the event id; *ev_out is NULL.
 */
enum proto_err open_envelope(const char *buf, size_t len, open_lookup_fn lookup,
    void *ctx, int flags, struct envelope **env_out, struct event **ev_out,
    char *reason);

/*
 * The same from the key lookup on, for an envelope parsed by
 * envelope_parse() (borrowed: it stays the caller's, and must outlive
 * *ev_out). On PROTO_OK without OPEN_RAW, *ev_out is new; else NULL.
 */
enum proto_err open_envelope_parsed(const struct envelope *env,
    open_lookup_fn lookup, void *ctx, int flags, struct event **ev_out,
    char *reason);

/* A lookup over one public key, for ntactl verify and tests. */
bool open_lookup_single(void *ctx, const unsigned char keyid[KEY_ID_LEN],
    unsigned char pk[KEY_PUBLIC_LEN]);

#endif
