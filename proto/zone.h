/*
 * proto/zone.h — the domain name rules of protocol v1.
 *
 * A zone or domain name in a payload is written in presentation form,
 * lowercase, absolute (ends with a dot), at most 255 octets in wire form
 * (so at most 254 characters of text), each label 1-63 characters of
 * a-z 0-9 '-' '_'. "." is the root. No escapes, no uppercase, no IDN
 * U-labels (use the xn-- A-label): one name has exactly one spelling, so
 * names compare with strcmp.
 */
#ifndef NTARELAY_PROTO_ZONE_H
#define NTARELAY_PROTO_ZONE_H

#include <stdbool.h>
#include <stddef.h>

#define ZONE_TEXT_MAX 254

/* True when s (len bytes, need not be NUL-terminated) is a valid name.
 * On false, why (if not NULL) gets a short static explanation. */
bool zone_name_valid(const char *s, size_t len, const char **why);

/* True when valid name equals zone or lies below it. */
bool zone_name_in(const char *name, const char *zone);

/*
 * Normalise a name typed by a person ("DE", "example.com") into the protocol
 * form ("de.", "example.com.") in out (ZONE_TEXT_MAX + 1 bytes): lowercases
 * and adds the final dot. Returns 0, or -1 (with why) when it is not valid.
 * This is the one rule for every zone that comes from a URL, a form or a
 * submission: nothing else is changed (no escapes, no IDN, no trimming).
 */
int zone_name_normalise(const char *in, char *out, const char **why);
/* The same for len bytes that need not be NUL-terminated: a NUL byte among
 * them is refused ("NUL byte in the name"), never taken as the end. */
int zone_name_normalise_n(const char *in, size_t len, char *out,
    const char **why);

#endif
