/*
 * relay/fed/ratelimit.c — token buckets in a growing open-addressing table.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relay/fed/ratelimit.h"

#define RATELIMIT_MIN_SLOTS 16

struct slot {
	unsigned char id[KEY_ID_LEN];
	struct bucket b;
	bool used;
};

struct ratelimit {
	double rate, burst;
	struct slot *slots;
	size_t cap, n;        /* cap: a power of two; n <= cap / 2 */
};

static void
refill(struct bucket *b, double rate, double burst, long long now_ms)
{
	if (!b->started) {
		b->started = true;
		b->tokens = burst;
		b->last_ms = now_ms;
	}
	if (now_ms > b->last_ms)
		b->tokens += (double)(now_ms - b->last_ms) / 1000.0 * rate;
	if (b->tokens > burst)
		b->tokens = burst;   /* idle time does not accumulate */
	b->last_ms = now_ms;
}

bool
bucket_take(struct bucket *b, double rate, double burst, double n,
    long long now_ms)
{
	refill(b, rate, burst, now_ms);
	if (b->tokens < n)
		return false;
	b->tokens -= n;
	return true;
}

void
bucket_refund(struct bucket *b, double burst, double n)
{
	b->tokens += n;
	if (b->tokens > burst)
		b->tokens = burst;
}

struct ratelimit *
ratelimit_new(double rate, double burst)
{
	struct ratelimit *rl = calloc(1, sizeof(*rl));

	if (rl == NULL)
		return NULL;
	if ((rl->slots = calloc(RATELIMIT_MIN_SLOTS, sizeof(*rl->slots))) == NULL) {
		free(rl);
		return NULL;
	}
	rl->cap = RATELIMIT_MIN_SLOTS;
	ratelimit_set(rl, rate, burst);
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	free(rl->slots);
	free(rl);
}

void
ratelimit_set(struct ratelimit *rl, double rate, double burst)
{
	rl->rate = rate;
	rl->burst = burst;
}

size_t
ratelimit_size(const struct ratelimit *rl)
{
	return rl->n;
}

/* The slot of id, or the empty slot where it would go. Ids are SHA-256
 * output: their first bytes are already uniform. */
static struct slot *
probe(struct slot *slots, size_t cap, const unsigned char id[KEY_ID_LEN])
{
	uint64_t h;
	size_t i;

	memcpy(&h, id, sizeof(h));
	for (i = (size_t)h & (cap - 1);; i = (i + 1) & (cap - 1))
		if (!slots[i].used || memcmp(slots[i].id, id, KEY_ID_LEN) == 0)
			return &slots[i];
}

/*
 * Make room for one more: move the buckets that are not full at now_ms
 * into a table with room for twice their number. A full bucket is
 * dropped: a new one starts full, so nobody gains a token.
 */
static int
grow(struct ratelimit *rl, long long now_ms)
{
	size_t live = 0, cap = RATELIMIT_MIN_SLOTS;
	struct slot *ns;

	for (size_t i = 0; i < rl->cap; i++) {
		struct slot *s = &rl->slots[i];
		if (!s->used)
			continue;
		refill(&s->b, rl->rate, rl->burst, now_ms);
		if (s->b.tokens < rl->burst)
			live++;
		else
			s->used = false;
	}
	while (cap < 4 * (live + 1))
		cap *= 2;
	if ((ns = calloc(cap, sizeof(*ns))) == NULL)
		return -1;
	for (size_t i = 0; i < rl->cap; i++)
		if (rl->slots[i].used)
			*probe(ns, cap, rl->slots[i].id) = rl->slots[i];
	free(rl->slots);
	rl->slots = ns;
	rl->cap = cap;
	rl->n = live;
	return 0;
}

bool
ratelimit_take(struct ratelimit *rl, const unsigned char id[KEY_ID_LEN],
    long long now_ms)
{
	struct slot *s = probe(rl->slots, rl->cap, id);

	if (!s->used) {
		if (2 * (rl->n + 1) > rl->cap) {
			if (grow(rl, now_ms) != 0)
				return false;    /* fail closed */
			s = probe(rl->slots, rl->cap, id);
		}
		memset(s, 0, sizeof(*s));
		memcpy(s->id, id, KEY_ID_LEN);
		s->used = true;
		rl->n++;
	}
	return bucket_take(&s->b, rl->rate, rl->burst, 1.0, now_ms);
}
