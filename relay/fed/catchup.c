/*
 * relay/fed/catchup.c — the start-up wait for the peers' recent history; see
 * catchup.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/encoding.h"
#include "relay/fed/backfill.h"
#include "relay/fed/catchup.h"
#include "relay/core/clock.h"
#include "relay/core/log.h"
#include "relay/core/loop.h"
#include "relay/fed/fed.h"
#include "relay/fed/verifier.h"

struct catchup {
	bool done;
	long long started_ms;
	long long deadline;          /* unix time: sync_wait after the start */
	long long first_up_ms;       /* a link first came up; 0: none yet */
	long long last_ask_ms;
	long behind;                 /* member keys still missing history */
	long long missing;           /* seqs they miss, at the last check */
	long long progress_ms;       /* when missing last went down */
	int asks;
	int busy;                    /* loop busy % at the last check */
	int quiet;                   /* checks in a row not draining (max 2) */
	bool draining;               /* held back by a busy loop, logged */
	long timer;
	void (*caught_up)(void *ctx);   /* wired by relay/main.c */
	void *caught_up_ctx;
};

struct behind_ctx {
	struct fed *fed;
	unsigned char last[KEY_ID_LEN];
	bool has_last;
	long keys;
	long long missing;
	bool ask;
};

static void
count_behind(void *arg, const unsigned char key[KEY_ID_LEN], long long lo,
    long long hi)
{
	struct behind_ctx *c = arg;
	struct trust_answer a;

	/* only members' keys are waited for: a stranger's chain is not ours
	 * to complete */
	if (c->has_last && memcmp(c->last, key, KEY_ID_LEN) == 0) {
		c->missing += hi - lo + 1;
		return;
	}
	if (c->fed->trust->tidx == NULL || !trust_index_lookup(c->fed->trust->tidx, key, NULL, relay_now(), &a))
		return;
	c->missing += hi - lo + 1;
	memcpy(c->last, key, KEY_ID_LEN);
	c->has_last = true;
	c->keys++;
	if (c->ask)
		backfill_gap(c->fed, key);   /* only what is waited for */
}

static void
finish(struct fed *fed, const char *why)
{
	struct catchup *c = fed->catchup;

	c->done = true;
	log_notice("caught up: %s after %lld ms; decisions are signed from now on",
	    why, loop_now_ms() - c->started_ms);
	if (c->caught_up)
		c->caught_up(c->caught_up_ctx);
}

static void
tick(void *arg)
{
	struct fed *fed = arg;
	struct catchup *c = fed->catchup;
	struct behind_ctx b = { .fed = fed };
	char err[STORE_ERR_MAX];
	long long ms = loop_now_ms();
	bool settled;

	c->timer = 0;
	if (c->done)
		return;
	if (relay_now() >= c->deadline) {
		log_warn("sync_wait (%d s) passed with %ld member keys still missing "
		    "recent history: deciding with what is held", fed->cfg->sync_wait,
		    c->behind);
		finish(fed, "sync_wait passed");
		return;
	}
	/* still draining: the loop is saturated, or signatures wait for the
	 * workers (then the loop itself may idle in poll while they check);
	 * quiet only after two checks in a row (CATCHUP_TICK_MS apart) */
	c->busy = loop_busy_pct(fed->loop);
	if (c->busy >= CATCHUP_BUSY_PCT ||
	    (fed->verifier && verifier_pending(fed->verifier) > 0))
		c->quiet = 0;
	else if (c->quiet < 2)
		c->quiet++;
	settled = c->first_up_ms && ms - c->first_up_ms >= CATCHUP_SETTLE_MS;
	if (settled && c->quiet < 2) {
		/* the links still deliver what was queued for the relay while
		 * it was away: a decision now would be signed from part of it */
		if (!c->draining)
			log_info("catch-up: draining what the brokers queued while "
			    "the relay was away (loop %d%% busy)", c->busy);
		c->draining = true;
	} else if (settled) {
		b.ask = ms - c->last_ask_ms >= CATCHUP_ASK_MS;
		if (b.ask) {
			c->last_ask_ms = ms;
			c->asks++;
		}
		if (store_behind_each(fed->store, relay_now() - CATCHUP_HEARTBEAT_LIVE,
		    CATCHUP_DEPTH, count_behind, &b, err) < 0) {
			log_err("%s", err);
		} else {
			c->behind = b.keys;
			if (b.keys == 0) {
				finish(fed, "every member's recent history is held");
				return;
			}
			if (c->progress_ms == 0 || b.missing < c->missing)
				c->progress_ms = ms;
			c->missing = b.missing;
			/* asked, and nothing more came: the peers that hold the
			 * rest are down (their retained heartbeats live on) */
			if (c->asks >= 2 && ms - c->progress_ms >= CATCHUP_STALL_MS) {
				char why[160];
				snprintf(why, sizeof(why), "no peer answered for the rest "
				    "(%ld member keys, %lld seqs) in %d ms", b.keys,
				    b.missing, CATCHUP_STALL_MS);
				log_warn("catch-up: %s: deciding with what is held", why);
				finish(fed, why);
				return;
			}
		}
	}
	c->timer = loop_timer_add(fed->loop, CATCHUP_TICK_MS, tick, fed);
}

int
catchup_start(struct fed *fed, void (*caught_up)(void *ctx), void *ctx)
{
	struct catchup *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return -1;
	fed->catchup = c;
	c->caught_up = caught_up;
	c->caught_up_ctx = ctx;
	c->started_ms = loop_now_ms();
	c->deadline = relay_now() + fed->cfg->sync_wait;
	if (fed->nlinks == 0 || fed->cfg->sync_wait == 0) {
		c->done = true;
		return 0;
	}
	log_info("syncing: waiting up to %d s for the peers' recent history "
	    "before signing decisions (sync_wait)", fed->cfg->sync_wait);
	c->timer = loop_timer_add(fed->loop, CATCHUP_TICK_MS, tick, fed);
	return 0;
}

void
catchup_stop(struct fed *fed)
{
	free(fed->catchup);
	fed->catchup = NULL;
}

bool
catchup_done(const struct fed *fed)
{
	return fed->catchup == NULL || fed->catchup->done;
}

void
catchup_link_up(struct fed *fed)
{
	if (fed->catchup && fed->catchup->first_up_ms == 0)
		fed->catchup->first_up_ms = loop_now_ms();
}

void
catchup_text(const struct fed *fed, char *buf, size_t len)
{
	const struct catchup *c = fed->catchup;

	if (c == NULL || c->done) {
		snprintf(buf, len, "caught up");
		return;
	}
	snprintf(buf, len, "syncing: not caught up with its peers yet (%s%ld "
	    "member keys missing recent history; at most %lld s more)",
	    c->first_up_ms == 0 ? "no link up yet; " :
	    c->quiet < 2 ? "draining queued messages; " : "",
	    c->behind,
	    c->deadline > relay_now() ? c->deadline - relay_now() : 0);
}

json_t *
catchup_json(const struct fed *fed)
{
	const struct catchup *c = fed->catchup;
	char msg[256];

	if (c == NULL || c->done)
		return NULL;
	catchup_text(fed, msg, sizeof(msg));
	return json_pack("{s:b,s:s,s:s,s:I,s:I}", "syncing", 1, "error", "syncing",
	    "message", msg, "behind", (json_int_t)c->behind,
	    "until", (json_int_t)c->deadline);
}
