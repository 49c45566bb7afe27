/*
 * relay/fed/quota.c — the per-operator zone quota; see quota.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relay/fed/kinds.h"
#include "relay/fed/quota.h"
#include "relay/store/store_zone.h"

struct estimate {
	uint64_t hash;               /* 0: empty */
	unsigned char origin[KEY_ID_LEN];
	char zone[ZONE_TEXT_MAX + 1];
	long events;                 /* never below the live count */
};

struct quota {
	struct estimate e[QUOTA_CACHE];
};

static uint64_t
hash_of(const char *zone, const unsigned char origin[KEY_ID_LEN])
{
	uint64_t h = 1469598103934665603ULL;

	for (const unsigned char *p = (const unsigned char *)zone; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	for (size_t i = 0; i < KEY_ID_LEN; i++)
		h = (h ^ origin[i]) * 1099511628211ULL;
	return h ? h : 1;
}

/* The slot of (zone, origin): its estimate, or the one to replace. */
static struct estimate *
slot(struct quota *q, const char *zone, const unsigned char origin[KEY_ID_LEN],
    bool *found)
{
	uint64_t h = hash_of(zone, origin);
	struct estimate *e = &q->e[h % QUOTA_CACHE];

	*found = e->hash == h && memcmp(e->origin, origin, KEY_ID_LEN) == 0 &&
	    strcmp(e->zone, zone) == 0;
	if (!*found) {
		e->hash = h;
		memcpy(e->origin, origin, KEY_ID_LEN);
		strcpy(e->zone, zone);
		e->events = -1;   /* not known: ask the store */
	}
	return e;
}

struct quota *
quota_new(void)
{
	return calloc(1, sizeof(struct quota));
}

void
quota_free(struct quota *q)
{
	free(q);
}

enum proto_err
quota_check(struct quota *q, struct store *s, const struct event *ev,
    long long now, int max_keys, int max_events, char *reason, char *err)
{
	struct estimate *e;
	long keys = 0, events = 0;
	bool found;

	if (!kinds_zone_quota(ev->kind))
		return PROTO_OK;
	e = slot(q, ev->zone, ev->origin, &found);
	if (ev->kind != KIND_OBSERVATION && e->events >= 0 &&
	    e->events < max_events)
		return PROTO_OK;   /* under the quota, whatever expired */
	/* an observation may bring a new key: the keys are few, counted
	 * each time (at most max_keys rows of the views) */
	if (store_zone_usage(s, ev->zone, ev->origin, ev->key, now,
	    e->events >= 0 && e->events < max_events ? 0 : max_events, &keys,
	    &events, err) != 0)
		return PROTO_OK;
	if (!(e->events >= 0 && e->events < max_events))
		e->events = events;
	if (ev->kind == KIND_OBSERVATION && keys >= max_keys)
		return proto_fail(reason, PROTO_E_QUOTA, "the origin already "
		    "observes %s with %ld other live keys (zone_keys_per_operator "
		    "%d)", ev->zone, keys, max_keys);
	if (e->events >= max_events)
		return proto_fail(reason, PROTO_E_QUOTA, "the origin already has "
		    "%ld live events for %s (zone_events_per_operator %d)",
		    e->events, ev->zone, max_events);
	return PROTO_OK;
}

void
quota_admitted(struct quota *q, const struct event *ev)
{
	struct estimate *e;
	bool found;

	if (!kinds_zone_quota(ev->kind))
		return;
	e = slot(q, ev->zone, ev->origin, &found);
	if (found && e->events >= 0)
		e->events++;
}
