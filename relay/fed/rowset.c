/*
 * relay/fed/rowset.c — the multiset of rows (see rowset.h): open
 * addressing with linear probing, a count per row (0 = an empty slot),
 * and deletion by moving the rest of a probe run back (no tombstones), so
 * that a set filled and emptied many times stays as fast as a new one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relay/fed/rowset.h"

struct rowref {
	long long row;
	unsigned count;
};

static size_t
home(const struct rowset *s, long long row)
{
	uint64_t h = (uint64_t)row * 0x9E3779B97F4A7C15ull;

	return (size_t)(h >> 32) & (s->size - 1);
}

/* row's slot, or the empty slot that ends its probe run (there is always
 * one: at most size / 2 rows are held). */
static size_t
find(const struct rowset *s, long long row)
{
	size_t i = home(s, row);

	while (s->slot[i].count && s->slot[i].row != row)
		i = (i + 1) & (s->size - 1);
	return i;
}

int
rowset_init(struct rowset *s, size_t size)
{
	s->size = size;
	s->n = 0;
	s->slot = calloc(size, sizeof(*s->slot));
	return s->slot ? 0 : -1;
}

bool
rowset_add(struct rowset *s, long long row)
{
	size_t i = find(s, row);

	if (s->slot[i].count == 0) {
		if (s->n >= s->size / 2)
			return false;
		s->n++;
		s->slot[i].row = row;
	}
	s->slot[i].count++;
	return true;
}

void
rowset_del(struct rowset *s, long long row)
{
	size_t mask = s->size - 1, i = find(s, row), j, h;

	if (s->slot[i].count == 0 || --s->slot[i].count > 0)
		return;
	s->n--;
	/* the hole at i: an entry further in the run moves into it unless
	 * its home lies cyclically in (i, j] (it would then be unreachable) */
	for (j = (i + 1) & mask; s->slot[j].count; j = (j + 1) & mask) {
		h = home(s, s->slot[j].row);
		if (((j - h) & mask) >= ((j - i) & mask)) {
			s->slot[i] = s->slot[j];
			s->slot[j].count = 0;
			i = j;
		}
	}
}

bool
rowset_has(const struct rowset *s, long long row)
{
	return s->n && s->slot[find(s, row)].count > 0;
}

void
rowset_clear(struct rowset *s)
{
	if (s->slot)
		memset(s->slot, 0, s->size * sizeof(*s->slot));
	s->n = 0;
}

void
rowset_free(struct rowset *s)
{
	free(s->slot);
	s->slot = NULL;
	s->n = 0;
}
