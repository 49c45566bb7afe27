/*
 * relay/fed/trustpool.c — a bounded ring of envelopes (see the header).
 *
 * A linear search for duplicates: the pool is small, and an envelope
 * reaches it only after its signature verified within its link's junk
 * budget (relay/fed/ingest.c), so the search is not the expensive part.
 */
#include <stdlib.h>
#include <string.h>

#include "relay/fed/trustpool.h"

struct pooled {
	unsigned char id[KEY_ID_LEN];
	struct link *from;
	char *topic;
	char *raw;
	size_t len;
};

struct trustpool {
	struct pooled *v;   /* a ring: v[(head + i) % max], i < n */
	size_t max, head, n;
};

static void
pooled_clear(struct pooled *e)
{
	free(e->topic);
	free(e->raw);
	memset(e, 0, sizeof(*e));
}

struct trustpool *
trustpool_new(size_t max)
{
	struct trustpool *p = calloc(1, sizeof(*p));

	if (p == NULL || max == 0 || (p->v = calloc(max, sizeof(*p->v))) == NULL) {
		free(p);
		return NULL;
	}
	p->max = max;
	return p;
}

void
trustpool_free(struct trustpool *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->max; i++)
		pooled_clear(&p->v[i]);
	free(p->v);
	free(p);
}

size_t
trustpool_size(const struct trustpool *p)
{
	return p->n;
}

int
trustpool_add(struct trustpool *p, const unsigned char id[KEY_ID_LEN],
    struct link *from, const char *topic, const void *raw, size_t len,
    uint64_t *evicted)
{
	struct pooled e = { .from = from, .len = len };

	for (size_t i = 0; i < p->n; i++)
		if (memcmp(p->v[(p->head + i) % p->max].id, id, KEY_ID_LEN) == 0)
			return 0;
	memcpy(e.id, id, KEY_ID_LEN);
	if ((e.topic = strdup(topic)) == NULL || (e.raw = malloc(len ? len : 1)) == NULL) {
		pooled_clear(&e);
		return -1;
	}
	memcpy(e.raw, raw, len);
	if (p->n == p->max) {
		pooled_clear(&p->v[p->head]);
		p->head = (p->head + 1) % p->max;
		p->n--;
		if (evicted)
			(*evicted)++;
	}
	p->v[(p->head + p->n) % p->max] = e;
	p->n++;
	return 1;
}

void
trustpool_drain(struct trustpool *p, void (*fn)(void *, struct link *,
    const char *, const void *, size_t), void *arg)
{
	size_t n = p->n;
	struct pooled *taken;

	if (n == 0)
		return;
	/* take them out first: fn may add some back */
	if ((taken = malloc(n * sizeof(*taken))) == NULL)
		return;    /* kept for the next change */
	for (size_t i = 0; i < n; i++) {
		taken[i] = p->v[(p->head + i) % p->max];
		memset(&p->v[(p->head + i) % p->max], 0, sizeof(*taken));
	}
	p->head = p->n = 0;
	for (size_t i = 0; i < n; i++) {
		fn(arg, taken[i].from, taken[i].topic, taken[i].raw, taken[i].len);
		pooled_clear(&taken[i]);
	}
	free(taken);
}
