/*
 * relay/fed/fed.h — the federation layer's context: what the ingest
 * pipeline (ingest.h), the relay's own events (publish.h), backfill,
 * catch-up, the store-fault handling and the watched zones share.
 *
 * relay/main.c creates one with fed_new(), fills the borrowed pointers
 * (configuration, loop, store, trust, pool, key, origin, links, counters,
 * rate limit, quota, observers) once they exist, and frees it with
 * fed_free() after the loop stopped. fed_new() also creates the states
 * the layer owns (the publish queue, the held forwards, backfill, the
 * store-fault state);
 * catch-up starts later, once the links exist (catchup.h).
 *
 * Loop thread only. Nothing here includes a header above relay/fed/: the
 * quorum engine and the notifier hear accepted events as observers.
 */
#ifndef NTARELAY_RELAY_FED_FED_H
#define NTARELAY_RELAY_FED_FED_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/key.h"
#include "relay/core/config.h"
#include "relay/core/loop.h"
#include "relay/core/metrics.h"
#include "relay/core/trust.h"
#include "relay/fed/link.h"
#include "relay/fed/observer.h"
#include "relay/fed/quota.h"
#include "relay/fed/ratelimit.h"
#include "relay/fed/trustpool.h"
#include "relay/store/store.h"

struct publish;
struct forward;
struct backfill;
struct storefault;
struct catchup;
struct reject_log;

struct fed {
	/* borrowed, filled by relay/main.c */
	const struct relay_config *cfg;
	struct loop *loop;
	struct store *store;
	struct trust *trust;
	struct trustpool *pool;          /* non-members' trust events */
	const struct key_secret *key;    /* the relay's signing key */
	const unsigned char *origin;     /* its operator, KEY_ID_LEN bytes */
	struct link *const *links;       /* the links, nlinks of them */
	size_t nlinks;
	struct metrics *metrics;
	struct ratelimit *rl;
	struct quota *quota;
	const struct observers *observers;

	/* owned: created by fed_new(), freed by fed_free() */
	struct publish *publish;         /* relay/fed/publish.h */
	struct forward *forward;         /* relay/fed/forward.h */
	struct backfill *backfill;       /* relay/fed/backfill.h */
	struct storefault *storefault;   /* relay/fed/storefault.h */
	struct catchup *catchup;         /* relay/fed/catchup.h: catchup_start() */
	struct verifier *verifier;       /* relay/fed/verifier.h: NULL when
	                                    signatures are checked on the loop
	                                    thread (verify_workers 0) */
	struct reject_log *rejects;      /* relay/fed/reject_log.h: created at
	                                    the first non-member's rejection */

	/* the ingest pipeline's state (relay/fed/ingest.c) */
	struct bucket junk[CONFIG_LINKS_MAX];  /* per link: non-members' budget */
	bool offering;                   /* the pool is offered again */
};

/* A zeroed context with its owned states; NULL when out of memory. */
struct fed *fed_new(void);

/* Free the owned states and the context (NULL allowed). */
void fed_free(struct fed *f);

/* The index of link l in f->links (0 when not found). */
size_t fed_link_index(const struct fed *f, const struct link *l);

#endif
