/*
 * relay/quorum/decide_metrics.c — the engine's zones for GET /metrics:
 * ntarelay_zone_state{zone,state}, a state set (decide.h decide_metrics()).
 *
 * A zone is listed when GET /v1/zones lists it (its last evaluation is not
 * clear) or when the relay watches it (`watch`; clear when the engine
 * holds no other state for it). The state is the one GET /v1/zones shows,
 * from the same last evaluation: nothing is evaluated for a scrape.
 */
#include <jansson.h>

#include "relay/quorum/decide_int.h"

void
decide_metrics(void *ctx, struct buf *out)
{
	struct decide *d = ctx;
	const char *names[QS__COUNT];

	for (int i = 0; i < QS__COUNT; i++)
		names[i] = quorum_state_name((enum quorum_state)i);
	metrics_family(out, "ntarelay_zone_state", "gauge",
	    "The quorum engine's decision state of each zone in incident or "
	    "watched: 1 for its state, 0 for the others.");
	for (size_t i = 0; d != NULL && i < d->n; i++) {
		const struct dzone *z = d->v[i];
		if (z->summary == NULL)
			continue;
		metrics_state_set(out, "ntarelay_zone_state", "zone", z->zone,
		    names, QS__COUNT, json_string_value(json_object_get(z->summary,
		    "state")));
	}
	for (size_t w = 0; d != NULL && w < d->cfg->nwatch; w++) {
		const struct dzone *z = engine_zone_find(d, d->cfg->watch[w]);
		if (z != NULL && z->summary != NULL)
			continue;    /* listed above */
		metrics_state_set(out, "ntarelay_zone_state", "zone",
		    d->cfg->watch[w], names, QS__COUNT,
		    quorum_state_name(QS_CLEAR));
	}
}
