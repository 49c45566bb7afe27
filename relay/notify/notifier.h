/*
 * relay/notify/notifier.h — a notifier: one way of telling people what the
 * relay decides and sees (Mattermost is the first). relay/notify/notify.c
 * starts every backend of its table that the configuration turns on and
 * hands each what happens; a backend decides what to say, queues it and
 * delivers it, never blocking the loop.
 *
 * Adding a notifier: one file (relay/notify/NAME*.c) that defines a
 * `const struct notifier_backend`, declared below, and one row in
 * notify.c's table.
 *
 * Contract of every callback: loop thread only; never blocks; decision()
 * and event() run inside the loop turn's transaction (what they queue in
 * the store is kept if and only if the decision or event is), deliver()
 * between loop turns, outside it.
 */
#ifndef NTARELAY_RELAY_NOTIFIER_H
#define NTARELAY_RELAY_NOTIFIER_H

#include <jansson.h>

#include "proto/event.h"
#include "relay/notify/notify_env.h"

struct notifier;   /* a backend's running state, its own */

struct notifier_backend {
	const char *name;                 /* "mattermost": logs */
	/* Start: *out the running backend (0), or NULL when the
	 * configuration does not turn it on (0); -1 on failure (logged).
	 * env is borrowed and outlives the backend. */
	int (*start)(const struct notify_env *env, struct notifier **out);
	void (*stop)(struct notifier *n);
	/* A decision changed: doc as decide_zone_json() gives it (borrowed),
	 * the state before ("clear" for a new incident), the phase before
	 * when it was nta_recommended ("failing"/"recovering"), else NULL. */
	void (*decision)(struct notifier *n, const json_t *doc,
	    const char *prev_state, const char *prev_phase);
	/* A verified event was stored for the first time (own or a peer's). */
	void (*event)(struct notifier *n, const struct event *ev);
	/* Send what is queued and may go now. */
	void (*deliver)(struct notifier *n);
};

/* The backends. */
extern const struct notifier_backend mattermost_notifier;  /* mattermost_notify.c */

#endif
