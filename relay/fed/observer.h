/*
 * relay/fed/observer.h — who hears what the ingest pipeline accepted.
 *
 * The pipeline (relay/fed/ingest.c) and the relay's own events
 * (relay/fed/publish.c) announce each event they accepted and stored to
 * the observers relay/main.c registered: the quorum engine, the notifier,
 * backfill. The pipeline includes none of them; an observer includes this
 * header only. This is what keeps the modules free of circles: fed/ is
 * below quorum/ and notify/ and never calls up into them.
 *
 * Every callback may be NULL. All run on the loop thread, inside the
 * loop turn's store transaction (relay/fed/publish.h publish_begin/commit),
 * in this order within a turn:
 *   event()      once per accepted event, own or a peer's, after store_put;
 *   flagged()    an origin was flagged for equivocation (or cleared);
 *   flush()      before the turn's transaction commits: evaluate now and
 *                sign what changed, inside the same transaction;
 *   committed()  the transaction committed; or
 *   rolled_back() it was rolled back: forget what was signed in it.
 * An observer must not begin or commit the turn's transaction itself.
 */
#ifndef NTARELAY_RELAY_FED_OBSERVER_H
#define NTARELAY_RELAY_FED_OBSERVER_H

#include "proto/event.h"
#include "proto/key.h"

struct observer {
	void (*event)(void *ctx, const struct event *ev);
	void (*flagged)(void *ctx, const unsigned char origin[KEY_ID_LEN]);
	void (*flush)(void *ctx);
	void (*committed)(void *ctx);
	void (*rolled_back)(void *ctx);
	void *ctx;
};

/* At most this many observers (engine, notifier, backfill, and room). */
#define OBSERVERS_MAX 8

struct observers {
	struct observer o[OBSERVERS_MAX];
	size_t n;
};

/* Register ob; -1 when the table is full (a wiring error in main.c). */
int observers_add(struct observers *os, const struct observer *ob);

void observers_event(const struct observers *os, const struct event *ev);
void observers_flagged(const struct observers *os,
    const unsigned char origin[KEY_ID_LEN]);
void observers_flush(const struct observers *os);
void observers_committed(const struct observers *os);
void observers_rolled_back(const struct observers *os);

#endif
