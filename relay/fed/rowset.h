/*
 * relay/fed/rowset.h — a multiset of outbox rows: which rows a link has in
 * flight, and under how many message ids, so that asking about one row
 * touches a few slots rather than the whole in-flight map (a reconnect
 * flush asks it for every outbox row).
 */
#ifndef RELAY_FED_ROWSET_H
#define RELAY_FED_ROWSET_H

#include <stdbool.h>
#include <stddef.h>

struct rowref;

struct rowset {
	struct rowref *slot;
	size_t size;               /* a power of two */
	size_t n;                  /* distinct rows held */
};

/* Room for up to size / 2 distinct rows (size: a power of two). Returns
 * -1 when out of memory. */
int rowset_init(struct rowset *s, size_t size);
/* One more reference to row; false (and nothing added) when the set
 * already holds size / 2 distinct rows and row is not among them. */
bool rowset_add(struct rowset *s, long long row);
/* One reference fewer to row (nothing when it holds none). */
void rowset_del(struct rowset *s, long long row);
/* True when row has a reference. */
bool rowset_has(const struct rowset *s, long long row);
void rowset_clear(struct rowset *s);
void rowset_free(struct rowset *s);

#endif
