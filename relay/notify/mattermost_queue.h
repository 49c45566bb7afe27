/*
 * relay/notify/mattermost_queue.h — the Mattermost notifier's tables in the
 * relay's store: the bounded message queue, the keys already queued (dedupe), the incidents
 * of bot mode with their root post ids, and the notifier's counters.
 *
 * Tables live in the store's SQLite file (store_sqlite()) and are created
 * with CREATE TABLE IF NOT EXISTS; writes join the transaction that is
 * open (the loop turn's), so a message is queued if and only if the event
 * or decision behind it was stored. Messages leave the queue only when
 * delivered or dropped: a restart loses nothing (delivery is at least
 * once: a message in flight at a crash is sent again).
 *
 * Loop thread only. Functions return 0 (or a count) and -1 on an SQLite
 * error, with the message in the caller's err (NOTIFY_QUEUE_ERR_MAX).
 */
#ifndef NTARELAY_RELAY_MATTERMOST_QUEUE_H
#define NTARELAY_RELAY_MATTERMOST_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#define NOTIFY_QUEUE_ERR_MAX 256
#define NOTIFY_CHANNEL_WEBHOOK "webhook"
#define NOTIFY_CHANNEL_BOT "bot"
#define NOTIFY_POST_ID_MAX 64        /* Mattermost post ids: 26 characters */
#define NOTIFY_KEY_MAX 400           /* channel|kind:zone:id */

struct sqlite3;
struct notify_queue;

/* One queued message. */
struct notify_item {
	long long seq;                 /* queue order */
	char channel[16];              /* "webhook" or "bot" */
	char op[8];                    /* "webhook", "post" (a new post or a
	                                  reply) or "root" (an incident's root
	                                  post: created, then edited) */
	long long incident;            /* bot mode: the incident; 0 none */
	char *body;                    /* the JSON text to send (malloc'd) */
	int attempts;                  /* failed attempts so far */
	long long created;             /* unix time queued */
};

/* Prepare the tables and statements on db (borrowed; close this first). */
int notify_queue_open(struct sqlite3 *db, struct notify_queue **out, char *err);
void notify_queue_close(struct notify_queue *q);

/*
 * Claim a message's unique key (keys carry their channel): 1 when it is
 * new, 0 when it was queued before (a duplicate: queue nothing), -1.
 */
int notify_queue_claim(struct notify_queue *q, const char *key, long long now,
    char *err);

/* Queue body (copied) on channel, under key (claimed). Returns 1, or -1. */
int notify_queue_add(struct notify_queue *q, const char *channel,
    const char *op, long long incident, const char *key, const char *body,
    long long now, char *err);

/* Messages waiting, all channels: counted in memory as messages come and
 * go (a rolled-back transaction can leave it too high), and counted again
 * from the table by notify_queue_recount(). */
long notify_queue_depth(const struct notify_queue *q);
int notify_queue_recount(struct notify_queue *q, char *err);

/* Delete the oldest message (all channels); its seq in *seq. Returns 1,
 * 0 when empty, -1. */
int notify_queue_drop_oldest(struct notify_queue *q, long long *seq, char *err);

/* The oldest message of channel into *it (notify_item_clear() it).
 * Returns 1, 0 when none, -1. */
int notify_queue_head(struct notify_queue *q, const char *channel,
    struct notify_item *it, char *err);
void notify_item_clear(struct notify_item *it);

/* Delete a message; 1 deleted, 0 already gone (dropped while in flight),
 * -1. */
int notify_queue_delete(struct notify_queue *q, long long seq, char *err);
int notify_queue_set_attempts(struct notify_queue *q, long long seq,
    int attempts, char *err);

/* Forget dedupe keys queued before `before` (unix time). */
int notify_queue_prune_keys(struct notify_queue *q, long long before, char *err);

/*
 * Incidents (bot mode): a thread per incident of the quorum engine
 * (relay/quorum/incident.h), named by its id (`ref`, 16 hex digits), open until
 * the incident is resolved or ends. Its own integer id names it in the
 * queue. A thread opened by an event before the engine's first decision
 * has the ref "" until a decision names its incident.
 * notify_incident_find() gives the open thread of zone: *id (0 when none),
 * its fingerprint ("" when not known yet; fp has 65 bytes) and its ref
 * (NOTIFY_REF_MAX + 1 bytes). notify_incident_by_ref() finds the thread
 * of an incident, open or closed (*id 0 when none).
 */
#define NOTIFY_REF_MAX 32
int notify_incident_find(struct notify_queue *q, const char *zone,
    long long *id, char *fp, char *ref, char *err);
int notify_incident_by_ref(struct notify_queue *q, const char *zone,
    const char *ref, long long *id, bool *closed, char *err);
int notify_incident_new(struct notify_queue *q, const char *zone,
    const char *fp, const char *ref, long long now, long long *id, char *err);
int notify_incident_set_ref(struct notify_queue *q, long long id,
    const char *ref, char *err);
int notify_incident_close(struct notify_queue *q, long long id, long long now,
    char *err);
/* The root post id of an incident into post (NOTIFY_POST_ID_MAX + 1
 * bytes; "" when not created yet). */
int notify_incident_post(struct notify_queue *q, long long id, char *post,
    char *err);
int notify_incident_set_post(struct notify_queue *q, long long id,
    const char *post, char *err);

/* The zone of a stored event (for withdrawals); "" when not held. zone
 * has ZONE_TEXT_MAX + 1 bytes. */
int notify_queue_event_zone(struct notify_queue *q, const unsigned char *id,
    char *zone, char *err);

/* Counters kept across restarts. */
int notify_queue_counters_load(struct notify_queue *q, uint64_t *sent,
    uint64_t *retried, uint64_t *dropped, char *err);
int notify_queue_counters_save(struct notify_queue *q, uint64_t sent,
    uint64_t retried, uint64_t dropped, char *err);

#endif
