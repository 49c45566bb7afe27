/*
 * relay/notify/mattermost_send.h — delivering the Mattermost notifier's
 * queue (relay/notify/mattermost_queue.h), without ever blocking the loop.
 *
 * Part of the Mattermost notifier (relay/notify/mattermost_notify.c), which
 * decides what to say; this module only
 * sends what is queued, in order per channel, with retries, backoff,
 * Retry-After and a rate limit, and records the root post ids of bot mode.
 * Runs on the loop thread only.
 */
#ifndef NTARELAY_RELAY_MATTERMOST_SEND_H
#define NTARELAY_RELAY_MATTERMOST_SEND_H

struct notify_env;
struct notify_queue;
struct notify_send;

/*
 * Deliver q's messages (borrowed: close it after notify_send_stop()):
 * the webhook channel's to webhook (NULL: no webhook channel), the bot
 * channel's to the REST API of server (mattermost_url; NULL: no bot
 * channel) with the header line auth ("Authorization: Bearer ..."). The
 * secrets webhook and auth are borrowed and must outlive the sender.
 * Registers its descriptors and timers on env->loop as libcurl asks. NULL
 * on failure (logged).
 */
struct notify_send *notify_send_start(const struct notify_env *env,
    struct notify_queue *q, const char *webhook, const char *server,
    const char *auth);
void notify_send_stop(struct notify_send *s);

/* Start what may start (call between loop turns, outside the turn's
 * transaction; inside one it does nothing). NULL allowed. */
void notify_send_kick(struct notify_send *s);

/* Refresh the queue depth gauge of env->metrics. */
void notify_send_gauge(struct notify_send *s);

#endif
