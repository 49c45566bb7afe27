/*
 * lib/duration.h — the one parser of durations on command lines: "90",
 * "90s", "30m", "6h", "7d", "1w".
 *
 * Syntax (ntactl(1), --lifetime): one to twelve ASCII digits, then at most
 * one unit letter: s (seconds, the same as none), m (minutes), h (hours),
 * d (days) or w (weeks). Nothing else: no sign, no spaces, no fraction,
 * no upper case, no second unit.
 */
#ifndef NTARELAY_LIB_DURATION_H
#define NTARELAY_LIB_DURATION_H

#include <stdbool.h>

#define DURATION_DIGITS_MAX 12

/*
 * s as seconds into *out when it has the syntax above and the value lies
 * in [lo, hi]; returns 0. Returns -1 (and leaves *out alone) otherwise,
 * or when s is NULL. need_unit: a bare number is refused (for arguments
 * where a bare number means something else, such as a point in time).
 */
int duration_parse(const char *s, long long lo, long long hi, bool need_unit,
    long long *out);

#endif
