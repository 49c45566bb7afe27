/*
 * trustdb/records.c — the snapshot's accessors.
 */
#include <stdlib.h>
#include <string.h>

#include "trustdb/records.h"

void
trust_records_free(struct trust_records *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->npins; i++)
		free(r->pins[i].zones);
	for (size_t i = 0; i < r->nstmts; i++) {
		free(r->stmts[i].zones);
		free(r->stmts[i].affiliation);
	}
	free(r->keys);
	free(r->pins);
	free(r->stmts);
	free(r);
}

static int
cmp_key(const void *a, const void *b)
{
	return memcmp(a, ((const struct trust_keyrec *)b)->id, KEY_ID_LEN);
}

static int
cmp_pin(const void *a, const void *b)
{
	return memcmp(a, ((const struct trust_pin *)b)->op, KEY_ID_LEN);
}

const struct trust_keyrec *
trust_records_key(const struct trust_records *r, const unsigned char id[KEY_ID_LEN])
{
	if (r->nkeys == 0)
		return NULL;
	return bsearch(id, r->keys, r->nkeys, sizeof(r->keys[0]), cmp_key);
}

const struct trust_pin *
trust_records_pin(const struct trust_records *r, const unsigned char op[KEY_ID_LEN])
{
	if (r->npins == 0)
		return NULL;
	return bsearch(op, r->pins, r->npins, sizeof(r->pins[0]), cmp_pin);
}

bool
trust_zones_has(const char *list, const char *zone)
{
	size_t n = strlen(zone);
	const char *p = list;

	if (list == NULL || n == 0)
		return false;
	while (*p) {
		const char *e = strchr(p, ' ');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && memcmp(p, zone, n) == 0)
			return true;
		if (e == NULL)
			break;
		p = e + 1;
	}
	return false;
}
