/*
 * lib/duration.c — durations on command lines; see duration.h.
 */
#include <stddef.h>

#include "lib/duration.h"

int
duration_parse(const char *s, long long lo, long long hi, bool need_unit,
    long long *out)
{
	long long v = 0, mult;
	size_t i;

	if (s == NULL)
		return -1;
	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		if (i >= DURATION_DIGITS_MAX)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (i == 0 || (s[i] != '\0' && s[i + 1] != '\0'))
		return -1;
	switch (s[i]) {
	case '\0': mult = 1; break;
	case 's': mult = 1; break;
	case 'm': mult = 60; break;
	case 'h': mult = 3600; break;
	case 'd': mult = 86400; break;
	case 'w': mult = 604800; break;
	default: return -1;
	}
	if (need_unit && s[i] == '\0')
		return -1;
	/* at most 12 digits times a week: no overflow in 63 bits */
	v *= mult;
	if (v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}
