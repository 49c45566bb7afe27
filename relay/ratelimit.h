/*
 * relay/ratelimit.h — a token bucket per origin.
 *
 * An operator whose relay goes wild (or whose key is abused) cannot flood
 * the federation: past its burst, its events are refused (rate_limited)
 * until tokens refill at rate per second. Fixed memory: at most
 * RATELIMIT_ORIGINS origins are tracked; beyond that the least recently
 * refilled bucket is reused.
 */
#ifndef NTARELAY_RELAY_RATELIMIT_H
#define NTARELAY_RELAY_RATELIMIT_H

#include <stdbool.h>

#include "proto/key.h"

#define RATELIMIT_ORIGINS 4096

struct ratelimit;

struct ratelimit *ratelimit_new(double rate, double burst);
void ratelimit_free(struct ratelimit *rl);
void ratelimit_set(struct ratelimit *rl, double rate, double burst);

/* Take one token for origin at now_ms; false when the bucket is empty. */
bool ratelimit_take(struct ratelimit *rl, const unsigned char origin[KEY_ID_LEN],
    long long now_ms);

#endif
