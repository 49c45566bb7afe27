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
#include "relay/quorum/decide.h"
#include "relay/core/log.h"
#include "relay/relay.h"

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
	long timer;
};

struct behind_ctx {
	struct relay *r;
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
	if (c->r->trust.tidx == NULL || !trust_index_lookup(c->r->trust.tidx, key, NULL, relay_now(), &a))
		return;
	c->missing += hi - lo + 1;
	memcpy(c->last, key, KEY_ID_LEN);
	c->has_last = true;
	c->keys++;
	if (c->ask)
		backfill_gap(c->r, key);   /* only what is waited for */
}

static void
finish(struct relay *r, const char *why)
{
	struct catchup *c = r->catchup;

	c->done = true;
	log_notice("caught up: %s after %lld ms; decisions are signed from now on",
	    why, loop_now_ms() - c->started_ms);
	decide_all(r->decide);
}

static void
tick(void *arg)
{
	struct relay *r = arg;
	struct catchup *c = r->catchup;
	struct behind_ctx b = { .r = r };
	char err[STORE_ERR_MAX];
	long long ms = loop_now_ms();

	c->timer = 0;
	if (c->done)
		return;
	if (relay_now() >= c->deadline) {
		log_warn("sync_wait (%d s) passed with %ld member keys still missing "
		    "recent history: deciding with what is held", r->cfg.sync_wait,
		    c->behind);
		finish(r, "sync_wait passed");
		return;
	}
	if (c->first_up_ms && ms - c->first_up_ms >= CATCHUP_SETTLE_MS) {
		b.ask = ms - c->last_ask_ms >= CATCHUP_ASK_MS;
		if (b.ask) {
			c->last_ask_ms = ms;
			c->asks++;
		}
		if (store_behind_each(r->store, relay_now() - CATCHUP_HEARTBEAT_LIVE,
		    CATCHUP_DEPTH, count_behind, &b, err) < 0) {
			log_err("%s", err);
		} else {
			c->behind = b.keys;
			if (b.keys == 0) {
				finish(r, "every member's recent history is held");
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
				finish(r, why);
				return;
			}
		}
	}
	c->timer = loop_timer_add(r->loop, 200, tick, r);
}

int
catchup_start(struct relay *r)
{
	struct catchup *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return -1;
	r->catchup = c;
	c->started_ms = loop_now_ms();
	c->deadline = relay_now() + r->cfg.sync_wait;
	if (r->nlinks == 0 || r->cfg.sync_wait == 0) {
		c->done = true;
		return 0;
	}
	log_info("syncing: waiting up to %d s for the peers' recent history "
	    "before signing decisions (sync_wait)", r->cfg.sync_wait);
	c->timer = loop_timer_add(r->loop, 200, tick, r);
	return 0;
}

void
catchup_stop(struct relay *r)
{
	free(r->catchup);
	r->catchup = NULL;
}

bool
catchup_done(const struct relay *r)
{
	return r->catchup == NULL || r->catchup->done;
}

void
catchup_link_up(struct relay *r)
{
	if (r->catchup && r->catchup->first_up_ms == 0)
		r->catchup->first_up_ms = loop_now_ms();
}

void
catchup_text(const struct relay *r, char *buf, size_t len)
{
	const struct catchup *c = r->catchup;

	if (c == NULL || c->done) {
		snprintf(buf, len, "caught up");
		return;
	}
	snprintf(buf, len, "syncing: not caught up with its peers yet (%s%ld "
	    "member keys missing recent history; at most %lld s more)",
	    c->first_up_ms ? "" : "no link up yet; ", c->behind,
	    c->deadline > relay_now() ? c->deadline - relay_now() : 0);
}

json_t *
catchup_json(const struct relay *r)
{
	const struct catchup *c = r->catchup;
	char msg[256];

	if (c == NULL || c->done)
		return NULL;
	catchup_text(r, msg, sizeof(msg));
	return json_pack("{s:b,s:s,s:s,s:I,s:I}", "syncing", 1, "error", "syncing",
	    "message", msg, "behind", (json_int_t)c->behind,
	    "until", (json_int_t)c->deadline);
}
