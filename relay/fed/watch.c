/*
 * relay/fed/watch.c — probe the watched zones, emit observations on change.
 *
 * Each probe that ends is counted with its duration (metrics_probe_observe())
 * and its state kept for GET /metrics: ntarelay_probe_state{zone,state}, a
 * state set over the observation states (proto/kind.h kind_obs_states, the
 * probe's own names), rendered by this module's collector.
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
	const char *names[CONFIG_WATCH_NAMES_MAX]; /* in fed->cfg */
	size_t nnames;
	bool probing;
	long long started_ms;     /* the running probe started (loop_now_ms) */
	char state[32];           /* the last probe's state; "" before one */
	char last[512];           /* what the last observation said */
	long long last_emit;
};

struct watch {
	struct fed *fed;
	const bool *draining;     /* the relay drains: probe no more */
	struct probe *probe;
	int fds[PROBE_FDS_MAX];   /* the probe's descriptors, as watched */
	int nfds;
	long timer;               /* the probe's wake-up, 0 when none */
	long long timer_due;      /* loop_now_ms() */
	struct zone_watch *zones;
	size_t n;
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

static void
on_result(void *arg, json_t *obs)
{
	struct zone_watch *z = arg;
	long long now = relay_now();
	char now_says[512];

	z->probing = false;
	metrics_probe_observe(z->w->fed->metrics,
	    (double)(loop_now_ms() - z->started_ms) / 1000.0);
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

	loop_timer_add(w->fed->loop, w->fed->cfg->probe_interval * 1000L, on_timer, z);
	if (z->probing || *w->draining)
		return;
	z->started_ms = loop_now_ms();
	if (probe_zone(w->probe, z->zone, z->names, z->nnames, on_result, z) != 0)
		log_warn("watch %s: the probe could not start", z->zone);
	else
		z->probing = true;
	watch_sync(w);
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
		metrics_state_set(out, "ntarelay_probe_state", "zone",
		    w->zones[i].zone, kind_obs_states, n,
		    w->zones[i].state[0] ? w->zones[i].state : NULL);
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
	if (metrics_collector_add(fed->metrics, watch_metrics, w) != 0) {
		log_err("metrics: no room for the probe's collector");
		free(w);
		return NULL;
	}
	if (cfg->nwatch == 0)
		return w;
	w->probe = probe_new(cfg->probe_trust_anchor[0] ? cfg->probe_trust_anchor :
	    NULL, cfg->probe_forward[0] ? cfg->probe_forward : NULL, err,
	    sizeof(err));
	if (w->probe == NULL) {
		log_err("probe: %s", err);
		watch_free(w);
		return NULL;
	}
	probe_set_vantage(w->probe, key_secret_public(fed->key)->name);
	if ((w->zones = calloc(cfg->nwatch, sizeof(*w->zones))) == NULL) {
		watch_free(w);
		return NULL;
	}
	w->n = cfg->nwatch;
	watch_sync(w);
	for (size_t i = 0; i < w->n; i++) {
		struct zone_watch *z = &w->zones[i];
		z->w = w;
		snprintf(z->zone, sizeof(z->zone), "%s", cfg->watch[i]);
		for (size_t k = 0; k < cfg->watch_nnames[i] &&
		    k < CONFIG_WATCH_NAMES_MAX; k++)
			z->names[z->nnames++] =
			    cfg->watch_names[cfg->watch_name0[i] + k];
		/* spread the first probes over the first interval */
		loop_timer_add(fed->loop, (long)(i * 1000L * cfg->probe_interval / w->n) +
		    100, on_timer, z);
	}
	log_info("watching %zu zones every %d s%s%s", w->n, cfg->probe_interval,
	    cfg->probe_forward[0] ? " through " : "", cfg->probe_forward);
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
	free(w->zones);
	free(w);
}
