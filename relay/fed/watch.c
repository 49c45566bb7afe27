/*
 * relay/fed/watch.c — probe the watched zones, emit observations on change.
 *
 * Each probe that ends is counted with its duration (metrics_probe_observe())
 * and its state kept for GET /metrics: ntarelay_probe_state{zone,state}, a
 * state set over the observation states (proto/kind.h kind_obs_states, the
 * probe's own names), rendered by this module's collector.
 *
 * The zones are kept here, each with a copy of its names and its own
 * timer, so that a reload (watch_reload()) can add and remove zones and
 * reschedule them; a zone removed while its probe runs is marked gone and
 * freed when the probe answers (or is dropped with the probe).
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/probe.h"
#include "relay/core/clock.h"
#include "relay/core/log.h"
#include "relay/fed/publish.h"
#include "relay/fed/watch.h"

struct zone_watch {
	struct watch *w;
	char zone[ZONE_TEXT_MAX + 1];
	char names[CONFIG_WATCH_NAMES_MAX][ZONE_TEXT_MAX + 1]; /* copies */
	const char *pnames[CONFIG_WATCH_NAMES_MAX]; /* names[i], for the probe */
	size_t nnames;
	bool probing;
	bool gone;                /* removed by a reload while its probe ran:
	                             freed when the probe answers */
	long timer;               /* its next round, 0 when none */
	long long started_ms;     /* the running probe started (loop_now_ms) */
	char state[32];           /* the last probe's state; "" before one */
	char last[512];           /* what the last observation said */
	long long last_emit;
};

struct watch {
	struct fed *fed;
	const bool *draining;     /* the relay drains: probe no more */
	struct probe *probe;      /* NULL while no zone was ever watched */
	int fds[PROBE_FDS_MAX];   /* the probe's descriptors, as watched */
	int nfds;
	long timer;               /* the probe's wake-up, 0 when none */
	long long timer_due;      /* loop_now_ms() */
	struct zone_watch **zones; /* the watched zones, and gone ones */
	size_t n, cap;
	/* the probe settings in use, to tell what a reload changes */
	int interval;
	char anchor[PATH_MAX];
	char forward[80];
};

static void on_probe_fd(void *arg, int fd, short revents);
static void on_probe_timer(void *arg);

static bool
fd_in(int fd, const int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] == fd)
			return true;
	return false;
}

/*
 * Watch the probe's current descriptors and wake it when it asks. Called
 * right after every probe_zone() and probe_process(): the probe closes
 * descriptors in there, and the loop must drop them before another
 * source opens (and watches) one under the same number.
 */
static void
watch_sync(struct watch *w)
{
	int fds[PROBE_FDS_MAX], n = probe_fds(w->probe, fds, PROBE_FDS_MAX);
	int ms = probe_timeout(w->probe);

	for (int i = 0; i < w->nfds; i++)
		if (!fd_in(w->fds[i], fds, n))
			loop_fd_del(w->fed->loop, w->fds[i]);
	for (int i = 0; i < n; i++)
		if (!fd_in(fds[i], w->fds, w->nfds))
			loop_fd_add(w->fed->loop, fds[i], POLLIN, on_probe_fd, w);
	memcpy(w->fds, fds, sizeof(fds));
	w->nfds = n;
	if (ms >= 0 && (w->timer == 0 || loop_now_ms() + ms < w->timer_due)) {
		if (w->timer > 0)
			loop_timer_cancel(w->fed->loop, w->timer);
		w->timer = loop_timer_add(w->fed->loop, ms, on_probe_timer, w);
		w->timer_due = loop_now_ms() + ms;
		if (w->timer < 0)
			w->timer = 0;
	}
}

/* The part of an observation whose change is news: the state and what
 * the fingerprint covers. */
static void
summary(json_t *obs, char *out, size_t len)
{
	json_t *ev = json_object_get(obs, "evidence");
	json_t *fp = json_object_get(obs, "fingerprint");

	snprintf(out, len, "%s %s %s %s",
	    json_string_value(json_object_get(obs, "state")),
	    json_is_string(fp) ? json_string_value(fp) : "-",
	    json_is_string(json_object_get(ev, "dnskey_digest")) ?
	    json_string_value(json_object_get(ev, "dnskey_digest")) : "-",
	    json_is_string(json_object_get(ev, "ds_digest")) ?
	    json_string_value(json_object_get(ev, "ds_digest")) : "-");
}

/* Take zone z out of the list and free it (its timer cancelled). */
static void
zone_free(struct watch *w, struct zone_watch *z)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->zones[i] == z) {
			w->zones[i] = w->zones[--w->n];
			break;
		}
	if (z->timer > 0)
		loop_timer_cancel(w->fed->loop, z->timer);
	free(z);
}

static void
on_result(void *arg, json_t *obs)
{
	struct zone_watch *z = arg;
	long long now = relay_now();
	char now_says[512];

	z->probing = false;
	metrics_probe_observe(z->w->fed->metrics,
	    (double)(loop_now_ms() - z->started_ms) / 1000.0);
	if (z->gone) {
		json_decref(obs);
		zone_free(z->w, z);
		return;
	}
	if (obs == NULL)
		return;
	snprintf(z->state, sizeof(z->state), "%s",
	    json_is_string(json_object_get(obs, "state")) ?
	    json_string_value(json_object_get(obs, "state")) : "");
	summary(obs, now_says, sizeof(now_says));
	if (strcmp(now_says, z->last) == 0 && now - z->last_emit < WATCH_REFRESH) {
		json_decref(obs);
		return;
	}
	if (strcmp(now_says, z->last) != 0)
		log_notice("watch %s: %s (%s)", z->zone,
		    json_string_value(json_object_get(obs, "state")),
		    json_string_value(json_object_get(obs, "reason")));
	snprintf(z->last, sizeof(z->last), "%s", now_says);
	z->last_emit = now;
	publish_own(z->w->fed, KIND_OBSERVATION, obs, WATCH_OBS_LIFETIME); /* steals */
}

static void
on_timer(void *arg)
{
	struct zone_watch *z = arg;
	struct watch *w = z->w;

	z->timer = loop_timer_add(w->fed->loop, w->interval * 1000L, on_timer, z);
	if (z->timer < 0)
		z->timer = 0;
	if (z->probing || *w->draining || w->probe == NULL)
		return;
	z->started_ms = loop_now_ms();
	if (probe_zone(w->probe, z->zone, z->pnames, z->nnames, on_result, z) != 0) {
		log_warn("watch %s: the probe could not start", z->zone);
	} else {
		z->probing = true;
		log_debug("watch %s: probing", z->zone);
	}
	watch_sync(w);
}

/* The next round of z in ms milliseconds (its pending one cancelled). */
static void
zone_schedule(struct watch *w, struct zone_watch *z, long ms)
{
	if (z->timer > 0)
		loop_timer_cancel(w->fed->loop, z->timer);
	z->timer = loop_timer_add(w->fed->loop, ms, on_timer, z);
	if (z->timer < 0)
		z->timer = 0;
}

/* The k-th of n first rounds: spread over one interval. */
static long
spread_ms(const struct watch *w, size_t k, size_t n)
{
	return (long)(k * 1000L * w->interval / (n ? n : 1)) + 100;
}

static void
on_probe_fd(void *arg, int fd, short revents)
{
	struct watch *w = arg;

	(void)fd;
	(void)revents;
	probe_process(w->probe);
	watch_sync(w);
}

/* A retransmission or the end of an SOA phase is due. */
static void
on_probe_timer(void *arg)
{
	struct watch *w = arg;

	w->timer = 0;
	probe_process(w->probe);
	watch_sync(w);
}

/* The probe for the settings of cfg, or NULL with the reason in err. */
static struct probe *
probe_for(const struct watch *w, const struct relay_config *cfg, char *err,
    size_t errlen)
{
	struct probe *p = probe_new(cfg->probe_trust_anchor[0] ?
	    cfg->probe_trust_anchor : NULL, cfg->probe_forward[0] ?
	    cfg->probe_forward : NULL, err, errlen);

	if (p != NULL)
		probe_set_vantage(p, key_secret_public(w->fed->key)->name);
	return p;
}

/* Put probe p in service in place of the running one (if any), whose
 * rounds in flight are dropped: their zones are probed again at their
 * next round. */
static void
probe_swap(struct watch *w, struct probe *p, const struct relay_config *cfg)
{
	for (int i = 0; i < w->nfds; i++)
		loop_fd_del(w->fed->loop, w->fds[i]);
	w->nfds = 0;
	if (w->timer > 0)
		loop_timer_cancel(w->fed->loop, w->timer);
	w->timer = 0;
	probe_free(w->probe);
	w->probe = p;
	for (size_t i = w->n; i-- > 0;) {
		w->zones[i]->probing = false;
		if (w->zones[i]->gone)
			zone_free(w, w->zones[i]);
	}
	snprintf(w->anchor, sizeof(w->anchor), "%s", cfg->probe_trust_anchor);
	snprintf(w->forward, sizeof(w->forward), "%s", cfg->probe_forward);
	watch_sync(w);
}

/* A zone watched as cfg's i-th `watch` line: new, not scheduled; NULL
 * when out of memory. */
static struct zone_watch *
zone_add(struct watch *w, const struct relay_config *cfg, size_t i)
{
	struct zone_watch *z;

	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 16;
		struct zone_watch **zs = realloc(w->zones, cap * sizeof(*zs));
		if (zs == NULL)
			return NULL;
		w->zones = zs;
		w->cap = cap;
	}
	if ((z = calloc(1, sizeof(*z))) == NULL)
		return NULL;
	z->w = w;
	snprintf(z->zone, sizeof(z->zone), "%s", cfg->watch[i]);
	w->zones[w->n++] = z;
	return z;
}

/* Whether z asks the names of cfg's i-th `watch` line; with set, make it
 * ask them. */
static bool
zone_names(struct zone_watch *z, const struct relay_config *cfg, size_t i,
    bool set)
{
	size_t n = cfg->watch_nnames[i] < CONFIG_WATCH_NAMES_MAX ?
	    cfg->watch_nnames[i] : CONFIG_WATCH_NAMES_MAX;
	bool same = n == z->nnames;

	for (size_t k = 0; k < n && same; k++)
		same = strcmp(z->names[k], cfg->watch_names[cfg->watch_name0[i] + k])
		    == 0;
	if (!set || same)
		return same;
	for (size_t k = 0; k < n; k++) {
		snprintf(z->names[k], sizeof(z->names[k]), "%s",
		    cfg->watch_names[cfg->watch_name0[i] + k]);
		z->pnames[k] = z->names[k];
	}
	z->nnames = n;
	return false;
}

/* GET /metrics: the last state of each watched zone's probe. */
static void
watch_metrics(void *ctx, struct buf *out)
{
	struct watch *w = ctx;
	size_t n = 0;

	while (kind_obs_states[n] != NULL)
		n++;
	metrics_family(out, "ntarelay_probe_state", "gauge",
	    "The last probe of each watched zone: 1 for its state, 0 for the "
	    "others (all 0 before the first probe ended).");
	for (size_t i = 0; i < w->n; i++)
		if (!w->zones[i]->gone)
			metrics_state_set(out, "ntarelay_probe_state", "zone",
			    w->zones[i]->zone, kind_obs_states, n,
			    w->zones[i]->state[0] ? w->zones[i]->state : NULL);
}

struct watch *
watch_new(struct fed *fed, const bool *draining)
{
	const struct relay_config *cfg = fed->cfg;
	struct watch *w = calloc(1, sizeof(*w));
	char err[256];

	if (w == NULL)
		return NULL;
	w->fed = fed;
	w->draining = draining;
	w->interval = cfg->probe_interval;
	snprintf(w->anchor, sizeof(w->anchor), "%s", cfg->probe_trust_anchor);
	snprintf(w->forward, sizeof(w->forward), "%s", cfg->probe_forward);
	if (metrics_collector_add(fed->metrics, watch_metrics, w) != 0) {
		log_err("metrics: no room for the probe's collector");
		free(w);
		return NULL;
	}
	if (cfg->nwatch == 0)
		return w;
	if ((w->probe = probe_for(w, cfg, err, sizeof(err))) == NULL) {
		log_err("probe: %s", err);
		watch_free(w);
		return NULL;
	}
	watch_sync(w);
	for (size_t i = 0; i < cfg->nwatch; i++) {
		struct zone_watch *z = zone_add(w, cfg, i);
		if (z == NULL) {
			watch_free(w);
			return NULL;
		}
		(void)zone_names(z, cfg, i, true);
		/* spread the first probes over the first interval */
		zone_schedule(w, z, spread_ms(w, i, cfg->nwatch));
	}
	log_info("watching %zu zones every %d s%s%s", w->n, w->interval,
	    w->forward[0] ? " through " : "", w->forward);
	return w;
}

void
watch_free(struct watch *w)
{
	if (w == NULL)
		return;
	metrics_collector_del(w->fed->metrics, watch_metrics, w);
	for (int i = 0; i < w->nfds; i++)
		loop_fd_del(w->fed->loop, w->fds[i]);
	if (w->timer > 0)
		loop_timer_cancel(w->fed->loop, w->timer);
	probe_free(w->probe);
	while (w->n > 0)
		zone_free(w, w->zones[w->n - 1]);
	free(w->zones);
	free(w);
}

/* ------------------------------------------------------------- reload */

/* "reload: KEY: NEW (was OLD)" for the probe keys that changed. */
static void
log_probe_changes(const struct watch *w, const struct relay_config *cfg)
{
	if (strcmp(w->anchor, cfg->probe_trust_anchor) != 0)
		log_notice("reload: probe_trust_anchor: %s (was %s)",
		    cfg->probe_trust_anchor[0] ? cfg->probe_trust_anchor :
		    "the root KSKs", w->anchor[0] ? w->anchor : "the root KSKs");
	if (strcmp(w->forward, cfg->probe_forward) != 0)
		log_notice("reload: probe_forward: %s (was %s)",
		    cfg->probe_forward[0] ? cfg->probe_forward : "none",
		    w->forward[0] ? w->forward : "none");
}

/* probe_trust_anchor, probe_forward: a new probe for new settings; the
 * first probe when the first zone comes. */
static void
reload_probe(struct watch *w, const struct relay_config *cfg)
{
	bool changed = strcmp(w->anchor, cfg->probe_trust_anchor) != 0 ||
	    strcmp(w->forward, cfg->probe_forward) != 0;
	struct probe *p;
	char err[256];

	if (!changed && (w->probe != NULL || cfg->nwatch == 0))
		return;
	if (w->probe == NULL && cfg->nwatch == 0) {
		/* nothing to probe: the settings wait for a zone */
		log_probe_changes(w, cfg);
		snprintf(w->anchor, sizeof(w->anchor), "%s", cfg->probe_trust_anchor);
		snprintf(w->forward, sizeof(w->forward), "%s", cfg->probe_forward);
		return;
	}
	if ((p = probe_for(w, cfg, err, sizeof(err))) == NULL) {
		log_err("reload: probe: %s (the probe keeps its running settings)",
		    err);
		return;
	}
	log_probe_changes(w, cfg);
	probe_swap(w, p, cfg);
}

/* probe_interval: every zone's next round spread over the new one. */
static void
reload_interval(struct watch *w, const struct relay_config *cfg)
{
	size_t k = 0, live = 0;

	if (w->interval == cfg->probe_interval)
		return;
	log_notice("reload: probe_interval: %d s (was %d s)", cfg->probe_interval,
	    w->interval);
	w->interval = cfg->probe_interval;
	for (size_t i = 0; i < w->n; i++)
		live += !w->zones[i]->gone;
	for (size_t i = 0; i < w->n; i++)
		if (!w->zones[i]->gone)
			zone_schedule(w, w->zones[i], spread_ms(w, k++, live));
}

/* The zone of the list named zone (gone ones not counted). */
static struct zone_watch *
zone_find(struct watch *w, const char *zone)
{
	for (size_t i = 0; i < w->n; i++)
		if (!w->zones[i]->gone && strcmp(w->zones[i]->zone, zone) == 0)
			return w->zones[i];
	return NULL;
}

static bool
in_config(const struct relay_config *cfg, const char *zone)
{
	for (size_t i = 0; i < cfg->nwatch; i++)
		if (strcmp(cfg->watch[i], zone) == 0)
			return true;
	return false;
}

/* " NAME" onto the list text (a bounded log line; the count says all). */
static void
list_add(char *list, size_t cap, size_t *n, const char *zone)
{
	size_t len = strlen(list);

	if (len + strlen(zone) + 5 < cap)
		snprintf(list + len, cap - len, " %s", zone);
	else if (len + 5 < cap && strcmp(list + (len >= 4 ? len - 4 : 0), " ...") != 0)
		snprintf(list + len, cap - len, " ...");
	(*n)++;
}

/* `watch`: zones that left stop (a round in flight is let finish and
 * dropped), new zones' first rounds spread over the next interval, the
 * names of kept zones replaced. One log line says what changed. */
static void
reload_zones(struct watch *w, const struct relay_config *cfg)
{
	char added[600] = "", removed[600] = "", renamed[600] = "";
	size_t nadd = 0, nrm = 0, nren = 0, k = 0;
	struct zone_watch *z;

	for (size_t i = w->n; i-- > 0;) {
		z = w->zones[i];
		if (z->gone || in_config(cfg, z->zone))
			continue;
		list_add(removed, sizeof(removed), &nrm, z->zone);
		if (z->probing) {
			z->gone = true;
			if (z->timer > 0)
				loop_timer_cancel(w->fed->loop, z->timer);
			z->timer = 0;
		} else {
			zone_free(w, z);
		}
	}
	for (size_t i = 0; i < cfg->nwatch; i++)
		if (zone_find(w, cfg->watch[i]) == NULL)
			nadd++;
	for (size_t i = 0; i < cfg->nwatch; i++) {
		if ((z = zone_find(w, cfg->watch[i])) != NULL) {
			if (!zone_names(z, cfg, i, true))
				list_add(renamed, sizeof(renamed), &nren, z->zone);
			continue;
		}
		if ((z = zone_add(w, cfg, i)) == NULL) {
			log_err("reload: watch %s: out of memory", cfg->watch[i]);
			continue;
		}
		(void)zone_names(z, cfg, i, true);
		list_add(added, sizeof(added), &k, z->zone);
		zone_schedule(w, z, spread_ms(w, k - 1, nadd));
	}
	if (k + nrm + nren == 0)
		return;
	/* "reload: watch: added a. b., removed c., names changed for d.
	 * (3 zones)" */
	log_notice("reload: watch:%s%s%s%s%s%s%s%s (%zu zones)",
	    k ? " added" : "", added, k && nrm + nren ? "," : "",
	    nrm ? " removed" : "", removed, nrm && nren ? "," : "",
	    nren ? " names changed for" : "", renamed, cfg->nwatch);
}

void
watch_reload(struct watch *w)
{
	const struct relay_config *cfg;

	if (w == NULL)
		return;
	cfg = w->fed->cfg;
	reload_probe(w, cfg);
	reload_interval(w, cfg);
	reload_zones(w, cfg);
}
