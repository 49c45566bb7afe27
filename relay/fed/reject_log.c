/*
 * relay/fed/reject_log.c — rejections from non-member keys, one log line
 * per key per minute (see reject_log.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/encoding.h"
#include "proto/key.h"
#include "relay/core/log.h"
#include "relay/fed/reject_log.h"

#define REASON_MAX 200

struct reject_entry {
	unsigned char keyid[KEY_ID_LEN];
	enum proto_err e;
	long count;
	char reason[REASON_MAX];      /* the window's first, cut short */
};

struct reject_log {
	struct loop *loop;
	long window_ms;
	long timer;                   /* 0 when no window is open */
	long long started_ms;         /* the window's first rejection */
	struct reject_entry keys[REJECT_LOG_KEYS];
	size_t nkeys;
	long other_events;            /* for keys beyond REJECT_LOG_KEYS */
};

struct reject_log *
reject_log_new(struct loop *loop, long window_ms)
{
	struct reject_log *rl = calloc(1, sizeof(*rl));

	if (rl) {
		rl->loop = loop;
		rl->window_ms = window_ms;
	}
	return rl;
}

bool
reject_log_wants(enum proto_err e)
{
	return e == PROTO_E_UNKNOWN_KEY || e == PROTO_E_UNTRUSTED_KEY;
}

static void
on_timer(void *arg)
{
	struct reject_log *rl = arg;

	rl->timer = 0;   /* fired: nothing to cancel */
	reject_log_flush(rl);
}

void
reject_log_add(struct reject_log *rl, const unsigned char *keyid,
    enum proto_err e, const char *reason)
{
	struct reject_entry *k = NULL;

	if (rl->timer == 0 && rl->nkeys == 0 && rl->other_events == 0) {
		rl->started_ms = loop_now_ms();
		rl->timer = loop_timer_add(rl->loop, rl->window_ms, on_timer, rl);
		if (rl->timer < 0)
			rl->timer = 0;   /* flushed at stop, or with the next window */
	}
	for (size_t i = 0; i < rl->nkeys; i++)
		if (rl->keys[i].e == e && memcmp(rl->keys[i].keyid, keyid, KEY_ID_LEN) == 0) {
			k = &rl->keys[i];
			break;
		}
	if (k == NULL && rl->nkeys < REJECT_LOG_KEYS) {
		k = &rl->keys[rl->nkeys++];
		memcpy(k->keyid, keyid, KEY_ID_LEN);
		k->e = e;
		k->count = 0;
		snprintf(k->reason, sizeof(k->reason), "%s", reason ? reason : "");
	}
	if (k == NULL) {
		rl->other_events++;
		return;
	}
	k->count++;
}

void
reject_log_flush(struct reject_log *rl)
{
	char hex[KEY_ID_HEX_LEN + 1];
	long long s;

	if (rl == NULL || (rl->nkeys == 0 && rl->other_events == 0))
		return;
	s = (loop_now_ms() - rl->started_ms + 500) / 1000;
	for (size_t i = 0; i < rl->nkeys; i++) {
		const struct reject_entry *k = &rl->keys[i];
		log_notice("rejected %ld events from non-member %s in the last %lld s: "
		    "%s: %s", k->count, encoding_hex_encode(k->keyid, KEY_ID_LEN, hex),
		    s, proto_errname(k->e), k->reason);
	}
	if (rl->other_events)
		log_notice("rejected %ld events from further non-member keys in the "
		    "last %lld s (the first %d keys are named)", rl->other_events, s,
		    REJECT_LOG_KEYS);
	rl->nkeys = 0;
	rl->other_events = 0;
	if (rl->timer) {
		loop_timer_cancel(rl->loop, rl->timer);
		rl->timer = 0;
	}
}

void
reject_log_free(struct reject_log *rl)
{
	if (rl == NULL)
		return;
	reject_log_flush(rl);
	free(rl);
}
