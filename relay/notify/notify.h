/*
 * relay/notify/notify.h — telling people: Mattermost messages for decision
 * changes and for first-seen verified events (relay/notify/mattermost.c formats
 * them), through a bounded queue kept in the store so that delivery never
 * blocks ingest and a restart loses nothing.
 *
 * Configured by the mattermost_* keys of ntarelay.conf(5): webhook mode
 * (mattermost_webhook), bot mode (mattermost_url, mattermost_token_file,
 * mattermost_channel), or both. With neither, notify_start() gives NULL
 * and every call below accepts NULL and does nothing.
 *
 * Runs on the loop thread only; the queue rows are written in the loop
 * turn's transaction (relay/fed/publish.h), so a message is queued if and only
 * if the event or decision behind it was stored.
 */
#ifndef NTARELAY_RELAY_NOTIFY_H
#define NTARELAY_RELAY_NOTIFY_H

#include <stddef.h>

#include <jansson.h>

#include "proto/event.h"

struct relay;
struct notify;

/* Start delivering (registers its descriptors and timers on r->loop).
 * *out is NULL when nothing is configured. Returns 0, or -1 (logged). */
int notify_start(struct relay *r, struct notify **out);
void notify_stop(struct notify *n);

/* A decision changed. doc is what decide_zone_json() gives for the zone
 * (borrowed), prev_state the state before ("clear" for a new incident),
 * prev_phase the phase before when it was nta_recommended ("failing" or
 * "recovering"), else NULL. */
void notify_decision(struct notify *n, const json_t *doc, const char *prev_state,
    const char *prev_phase);

/* A verified event was stored for the first time (the relay's own or a
 * peer's). Only kinds selected by mattermost_kinds give a message. */
void notify_event(struct notify *n, const struct event *ev);

#endif
