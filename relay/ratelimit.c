/*
 * relay/ratelimit.c — token buckets per origin.
 */
#include <stdlib.h>
#include <string.h>

#include "relay/ratelimit.h"

struct bucket {
	unsigned char origin[KEY_ID_LEN];
	double tokens;
	long long last_ms;
	bool used;
};

struct ratelimit {
	double rate, burst;
	struct bucket b[RATELIMIT_ORIGINS];
};

struct ratelimit *
ratelimit_new(double rate, double burst)
{
	struct ratelimit *rl = calloc(1, sizeof(*rl));

	if (rl)
		ratelimit_set(rl, rate, burst);
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	free(rl);
}

void
ratelimit_set(struct ratelimit *rl, double rate, double burst)
{
	rl->rate = rate;
	rl->burst = burst;
}

bool
ratelimit_take(struct ratelimit *rl, const unsigned char origin[KEY_ID_LEN],
    long long now_ms)
{
	size_t home, i, oldest = 0;
	struct bucket *b = NULL;

	memcpy(&home, origin, sizeof(home));
	home %= RATELIMIT_ORIGINS;
	/* a short probe: 8 slots from the origin's home slot */
	for (size_t n = 0; n < 8; n++) {
		i = (home + n) % RATELIMIT_ORIGINS;
		if (rl->b[i].used && memcmp(rl->b[i].origin, origin, KEY_ID_LEN) == 0) {
			b = &rl->b[i];
			break;
		}
		if (!rl->b[i].used) {
			b = &rl->b[i];
			b->used = true;
			memcpy(b->origin, origin, KEY_ID_LEN);
			b->tokens = rl->burst;
			b->last_ms = now_ms;
			break;
		}
		if (n == 0 || rl->b[i].last_ms < rl->b[oldest].last_ms)
			oldest = i;
	}
	if (b == NULL) {
		b = &rl->b[oldest];
		memcpy(b->origin, origin, KEY_ID_LEN);
		b->tokens = rl->burst;
		b->last_ms = now_ms;
	}
	b->tokens += (double)(now_ms - b->last_ms) / 1000.0 * rl->rate;
	if (b->tokens > rl->burst)
		b->tokens = rl->burst;
	b->last_ms = now_ms;
	if (b->tokens < 1.0)
		return false;
	b->tokens -= 1.0;
	return true;
}
