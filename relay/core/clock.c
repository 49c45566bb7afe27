/*
 * relay/core/clock.c — see clock.h.
 */
#include <time.h>

#include "relay/core/clock.h"

long long
relay_now(void)
{
	return (long long)time(NULL);
}
