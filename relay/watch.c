/*
 * relay/watch.c — probe the watched zones, emit observations on change.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/gossip.h"
#include "relay/log.h"
#include "relay/probe.h"
#include "relay/watch.h"

struct zone_watch {
	struct relay *r;
	char zone[ZONE_TEXT_MAX + 1];
	bool probing;
	char last[512];           /* what the last observation said */
	long long last_emit;
};

static struct {
	struct relay *r;
	struct probe *probe;
	int fd, fd_cd;            /* the probe's descriptors, as watched */
	struct zone_watch *zones;
	size_t n;
} w;

static void on_probe_fd(void *arg, int fd, short revents);

/* Watch the probe's current descriptors (they change between rounds). */
static void
watch_fds(void)
{
	int fd = probe_fd(w.probe), fd_cd = probe_fd_cd(w.probe);

	if (fd != w.fd) {
		if (w.fd >= 0)
			loop_fd_del(w.r->loop, w.fd);
		if (fd >= 0)
			loop_fd_add(w.r->loop, fd, POLLIN, on_probe_fd, NULL);
		w.fd = fd;
	}
	if (fd_cd != w.fd_cd) {
		if (w.fd_cd >= 0)
			loop_fd_del(w.r->loop, w.fd_cd);
		if (fd_cd >= 0)
			loop_fd_add(w.r->loop, fd_cd, POLLIN, on_probe_fd, NULL);
		w.fd_cd = fd_cd;
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
	if (obs == NULL)
		return;
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
	gossip_own(z->r, KIND_OBSERVATION, obs, WATCH_OBS_LIFETIME); /* steals */
}

static void
on_timer(void *arg)
{
	struct zone_watch *z = arg;

	loop_timer_add(z->r->loop, z->r->cfg.probe_interval * 1000L, on_timer, z);
	if (z->probing || z->r->draining)
		return;
	if (probe_zone(w.probe, z->zone, on_result, z) != 0)
		log_warn("watch %s: the probe could not start", z->zone);
	else
		z->probing = true;
	watch_fds();
}

static void
on_probe_fd(void *arg, int fd, short revents)
{
	(void)arg;
	(void)fd;
	(void)revents;
	probe_process(w.probe);
}

int
watch_start(struct relay *r)
{
	char err[256];

	if (r->cfg.nwatch == 0)
		return 0;
	w.probe = probe_new(r->cfg.probe_trust_anchor[0] ? r->cfg.probe_trust_anchor :
	    NULL, r->cfg.probe_forward[0] ? r->cfg.probe_forward : NULL, err,
	    sizeof(err));
	if (w.probe == NULL) {
		log_err("probe: %s", err);
		return -1;
	}
	probe_set_vantage(w.probe, key_secret_public(r->key)->name);
	if ((w.zones = calloc(r->cfg.nwatch, sizeof(*w.zones))) == NULL)
		return -1;
	w.n = r->cfg.nwatch;
	w.r = r;
	w.fd = w.fd_cd = -1;
	watch_fds();
	for (size_t i = 0; i < w.n; i++) {
		struct zone_watch *z = &w.zones[i];
		z->r = r;
		snprintf(z->zone, sizeof(z->zone), "%s", r->cfg.watch[i]);
		/* spread the first probes over the first interval */
		loop_timer_add(r->loop, (long)(i * 1000L * r->cfg.probe_interval / w.n) + 100,
		    on_timer, z);
	}
	log_info("watching %zu zones every %d s%s%s", w.n, r->cfg.probe_interval,
	    r->cfg.probe_forward[0] ? " through " : "", r->cfg.probe_forward);
	return 0;
}

void
watch_stop(void)
{
	if (w.r && w.fd >= 0)
		loop_fd_del(w.r->loop, w.fd);
	if (w.r && w.fd_cd >= 0)
		loop_fd_del(w.r->loop, w.fd_cd);
	probe_free(w.probe);
	w.probe = NULL;
	free(w.zones);
	w.zones = NULL;
	w.n = 0;
}
