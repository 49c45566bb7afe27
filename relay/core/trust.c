/*
 * relay/core/trust.c — see trust.h.
 */
#include <stdlib.h>

#include "proto/encoding.h"
#include "relay/core/clock.h"
#include "relay/core/log.h"
#include "relay/core/trust.h"
#include "trustdb/store.h"

int
trust_reload(struct trust *t)
{
	const struct relay_config *cfg = t->cfg;
	unsigned char (*ids)[KEY_ID_LEN] = NULL;
	struct trust_group groups[CONFIG_GROUPS_MAX];
	struct trust_params p = { (unsigned)cfg->vouch_threshold, groups,
	    cfg->ngroups };
	struct trust_index *idx = NULL, *old;
	struct trust_records *recs = NULL;
	struct trust_membership *mem = NULL;
	long long now = relay_now();
	size_t nids = 0;
	char reason[256];

	for (size_t g = 0; g < cfg->ngroups; g++)
		nids += cfg->groups[g].n;
	if (nids && (ids = calloc(nids, KEY_ID_LEN)) == NULL)
		return -1;
	nids = 0;
	for (size_t g = 0; g < cfg->ngroups; g++) {
		groups[g].ops = (const unsigned char (*)[KEY_ID_LEN])&ids[nids];
		groups[g].n = cfg->groups[g].n;
		for (size_t i = 0; i < cfg->groups[g].n; i++)
			encoding_hex_decode(cfg->groups[g].members[i], ids[nids++],
			    KEY_ID_LEN);
	}
	/* trust_index_build_from_db()'s steps, so that `loaded` sees them */
	if (trustdb_load(t->tdb, &recs, reason) != TRUSTDB_OK ||
	    trust_membership_compute(recs, &p, now, &mem, reason) != TRUSTDB_OK ||
	    trust_index_build(mem, &idx, reason) != TRUSTDB_OK) {
		log_err("trust database %s: %s", cfg->trustdb, reason);
		trust_membership_free(mem);
		trust_records_free(recs);
		free(ids);
		return -1;
	}
	free(ids);
	trust_index_set_names(idx, recs);
	if (t->loaded)
		t->loaded(t->loaded_ctx, recs, mem, now);
	trust_membership_free(mem);
	trust_records_free(recs);
	old = t->tidx;
	t->tidx = idx;
	t->next_change = trust_index_next_change(idx);
	t->dirty = false;
	t->metrics->trust_rebuilds++;
	log_debug("trust index: %zu keys", trust_index_size(idx));
	if (t->rebuilt)
		t->rebuilt(t->rebuilt_ctx, old, idx);
	trust_index_free(old);
	return 0;
}

void
trust_dirty(struct trust *t)
{
	t->dirty = true;
}

bool
trust_fresh(struct trust *t)
{
	return t->dirty && trust_reload(t) == 0;
}

void
trust_tick(struct trust *t, long long now)
{
	if (t->next_change > 0 && now >= t->next_change)
		trust_reload(t);
}

void
trust_free(struct trust *t)
{
	trust_index_free(t->tidx);
	t->tidx = NULL;
}
