/*
 * relay/notify/notify.c — the notifiers in service (relay/notify/notify.h):
 * the table of backends (relay/notify/notifier.h), those the configuration
 * turns on started, and every decision change and first-seen event handed
 * to each. Delivery runs from the loop's prepare hook, between loop turns,
 * after the turn's transaction committed what was queued.
 */
#include <stdlib.h>

#include "relay/core/log.h"
#include "relay/core/loop.h"
#include "relay/notify/notifier.h"
#include "relay/notify/notify.h"

/* Every notifier this relay knows; one row each. */
static const struct notifier_backend *const notify_backends[] = {
	&mattermost_notifier,
};

#define NOTIFY_BACKENDS (sizeof(notify_backends) / sizeof(notify_backends[0]))

struct notify {
	struct notify_env env;           /* a copy; the backends borrow it */
	struct {
		const struct notifier_backend *b;
		struct notifier *n;
	} on[NOTIFY_BACKENDS];
	size_t non;
	bool hooked;                     /* the prepare hook is in the loop */
};

static void
notify_prepare(void *arg)
{
	struct notify *n = arg;

	for (size_t i = 0; i < n->non; i++)
		if (n->on[i].b->deliver)
			n->on[i].b->deliver(n->on[i].n);
}

int
notify_start(const struct notify_env *env, struct notify **out)
{
	struct notify *n;
	struct notifier *b;

	*out = NULL;
	if ((n = calloc(1, sizeof(*n))) == NULL) {
		log_err("notify: out of memory");
		return -1;
	}
	n->env = *env;
	for (size_t i = 0; i < NOTIFY_BACKENDS; i++) {
		if (notify_backends[i]->start(&n->env, &b) != 0)
			goto bad;
		if (b == NULL)
			continue;
		n->on[n->non].b = notify_backends[i];
		n->on[n->non].n = b;
		n->non++;
	}
	if (n->non == 0) {
		free(n);
		return 0;
	}
	if (loop_prepare_add(env->loop, notify_prepare, n) != 0) {
		log_err("notify: cannot hook into the loop");
		goto bad;
	}
	n->hooked = true;
	*out = n;
	return 0;
bad:
	notify_stop(n);
	return -1;
}

void
notify_stop(struct notify *n)
{
	if (n == NULL)
		return;
	if (n->hooked)
		loop_prepare_del(n->env.loop, notify_prepare, n);
	for (size_t i = n->non; i-- > 0;)
		n->on[i].b->stop(n->on[i].n);
	free(n);
}

void
notify_decision(struct notify *n, const json_t *doc, const char *prev_state,
    const char *prev_phase)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->non; i++)
		if (n->on[i].b->decision)
			n->on[i].b->decision(n->on[i].n, doc, prev_state,
			    prev_phase);
}

static void
notify_observe(void *ctx, const struct event *ev)
{
	notify_event(ctx, ev);
}

struct observer
notify_observer(struct notify *n)
{
	return (struct observer){ .event = n ? notify_observe : NULL, .ctx = n };
}

void
notify_event(struct notify *n, const struct event *ev)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->non; i++)
		if (n->on[i].b->event)
			n->on[i].b->event(n->on[i].n, ev);
}
