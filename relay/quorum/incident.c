/*
 * relay/quorum/incident.c — incidents; see incident.h.
 */
#include <stdio.h>
#include <string.h>

#include "relay/quorum/incident.h"

bool
incident_binds(const struct store_incident *inc, long long last_end,
    long long ts, const struct incident_refs *r)
{
	long long judged = r->nbogus ? r->newest : ts;

	if (judged <= last_end)
		return false;        /* of an incident that is over */
	if (inc == NULL || !inc->has_lead || r->nbogus == 0)
		return true;
	for (size_t i = 0; i < r->nbogus; i++)
		if (memcmp(r->fps[i], inc->lead, KEY_ID_LEN) == 0)
			return true;
	return false;                /* judged another failure */
}

static bool
qualifies(const struct incident_run *r, long long judged, long long before,
    int window, long long now)
{
	long long end = r->end ? r->end : now;

	return r->start > judged && (before == 0 || r->start < before) &&
	    end - r->start >= window;
}

bool
incident_recovered_since(long long judged, long long before,
    const struct incident_run *runs, size_t n, int m, int window,
    long long now)
{
	int votes = 0;

	for (size_t i = 0; i < n && votes < m; i++) {
		bool seen = false;

		if (!qualifies(&runs[i], judged, before, window, now))
			continue;
		/* one per vote: a vote's earlier qualifying run was counted */
		for (size_t j = 0; j < i && !seen; j++)
			seen = memcmp(runs[j].vote, runs[i].vote, KEY_ID_LEN) == 0 &&
			    qualifies(&runs[j], judged, before, window, now);
		if (!seen)
			votes++;
	}
	return votes >= m;
}

void
incident_open(struct store_incident *inc, const char *zone, const char *id,
    long long start)
{
	memset(inc, 0, sizeof(*inc));
	snprintf(inc->id, sizeof(inc->id), "%s", id);
	snprintf(inc->zone, sizeof(inc->zone), "%s", zone);
	inc->opened = start;
}

static bool
remember_fp(struct store_incident *inc, const unsigned char fp[KEY_ID_LEN])
{
	for (size_t i = 0; i < inc->nfps; i++)
		if (memcmp(inc->fps[i], fp, KEY_ID_LEN) == 0)
			return false;
	if (inc->nfps == STORE_INCIDENT_FPS)
		return false;        /* the first ones seen are kept */
	memcpy(inc->fps[inc->nfps++], fp, KEY_ID_LEN);
	return true;
}

unsigned
incident_step(struct store_incident *inc, const struct quorum_result *res,
    long long now)
{
	unsigned ch = 0;

	for (size_t i = 0; i < res->nfps; i++)
		remember_fp(inc, res->fps[i]);
	if (res->lead >= 0 && (!inc->has_lead ||
	    memcmp(inc->lead, res->fps[res->lead], KEY_ID_LEN) != 0)) {
		/* the leading failure is what the incident is about; it
		 * changes only when another one leads */
		memcpy(inc->lead, res->fps[res->lead], KEY_ID_LEN);
		inc->has_lead = true;
	}
	if (res->state == QS_NTA_RECOMMENDED) {
		if (!inc->held) {
			inc->held = true;
			if (!inc->held_since)
				inc->held_since = now;
			ch |= INC_HELD;
		}
		if (res->recovering && !inc->recovering_since) {
			inc->recovering_since = now;
			ch |= INC_RECOVERING;
		} else if (!res->recovering && inc->recovering_since) {
			inc->recovering_since = 0;
			inc->relapses++;
			ch |= INC_RELAPSE;
		}
	} else if (inc->held && res->state != QS_RESOLVED) {
		inc->held = false;
		inc->recovering_since = 0;
		ch |= INC_RELEASED;
	}
	if (res->state == QS_RESOLVED) {
		inc->closed = now;
		inc->held = false;
		snprintf(inc->outcome, sizeof(inc->outcome), "resolved");
		ch |= INC_RESOLVED;
	} else if (res->state == QS_CLEAR) {
		inc->closed = now;
		inc->held = false;
		snprintf(inc->outcome, sizeof(inc->outcome), "ended");
		ch |= INC_ENDED;
	}
	return ch;
}

bool
incident_shows_resolved(const struct store_incident *last, int resolve_after,
    bool stale_words, long long now)
{
	if (last == NULL || strcmp(last->outcome, "resolved") != 0)
		return false;
	return stale_words || now - last->closed < resolve_after;
}

const char *
incident_outcome(const struct store_incident *inc)
{
	return inc->closed ? inc->outcome : "open";
}
