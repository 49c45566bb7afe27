/*
 * relay/notify/notify.h — telling people: every notifier the configuration
 * turns on (relay/notify/notifier.h; Mattermost today: messages for
 * decision changes and for first-seen verified events, through a bounded
 * queue kept in the store so that delivery never blocks ingest and a
 * restart loses nothing).
 *
 * With no notifier configured (for Mattermost: neither mattermost_webhook
 * nor mattermost_url + mattermost_token_file + mattermost_channel),
 * notify_start() gives NULL and every call below accepts NULL and does
 * nothing.
 *
 * Runs on the loop thread only; what the notifiers queue is written in
 * the loop turn's transaction (relay/fed/gossip.h), so a message is
 * queued if and only if the event or decision behind it was stored.
 */
#ifndef NTARELAY_RELAY_NOTIFY_H
#define NTARELAY_RELAY_NOTIFY_H

#include <stddef.h>

#include <jansson.h>

#include "proto/event.h"
#include "relay/fed/observer.h"
#include "relay/notify/notify_env.h"

struct notify;

/* Start every configured notifier (they register their descriptors and
 * timers on env->loop; env is copied, what it points to is borrowed).
 * *out is NULL when nothing is configured. Returns 0, or -1 (logged). */
int notify_start(const struct notify_env *env, struct notify **out);
void notify_stop(struct notify *n);

/* A decision changed. doc is what decide_zone_json() gives for the zone
 * (borrowed), prev_state the state before ("clear" for a new incident),
 * prev_phase the phase before when it was nta_recommended ("failing" or
 * "recovering"), else NULL. */
void notify_decision(struct notify *n, const json_t *doc, const char *prev_state,
    const char *prev_phase);

/* A verified event was stored for the first time (the relay's own or a
 * peer's). Each notifier chooses what it tells (Mattermost: the kinds of
 * mattermost_kinds). */
void notify_event(struct notify *n, const struct event *ev);

/* The notifier as an observer of accepted events (relay/fed/observer.h),
 * for relay/main.c to register: its event() is notify_event(). n may be
 * NULL (nothing configured): an observer with no callback. */
struct observer notify_observer(struct notify *n);

#endif
