/*
 * relay/relay.h — the daemon's state, shared by its modules.
 *
 * One struct relay per process, owned by relay/main.c and used on the loop
 * thread only: the configuration, the loop, the store, the trust index, the
 * relay's own key, the links, the HTTP server and the counters.
 */
#ifndef NTARELAY_RELAY_RELAY_H
#define NTARELAY_RELAY_RELAY_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/key.h"
#include "relay/core/clock.h"
#include "relay/core/config.h"
#include "relay/core/trust.h"
#include "relay/http/http.h"
#include "relay/fed/fed.h"
#include "relay/fed/link.h"
#include "relay/fed/observer.h"
#include "relay/core/loop.h"
#include "relay/core/metrics.h"
#include "relay/fed/quota.h"
#include "relay/fed/ratelimit.h"
#include "relay/store/store.h"
#include "relay/fed/trustpool.h"
#include "trustdb/db.h"
#include "trustdb/index.h"

struct relay {
	struct relay_config cfg;
	struct loop *loop;
	struct store *store;
	struct trust trust;                     /* relay/core/trust.c: db and index */
	struct expiry *expiry;                  /* relay/core/expiry.h: for /metrics */
	struct trustpool *pool;                 /* non-members' trust events */
	bool pool_offer;                        /* members changed: offer the pool */
	struct key_secret *key;                 /* the relay's signing key */
	unsigned char origin[KEY_ID_LEN];       /* its operator */
	char *cert;                             /* its key_cert envelope, or NULL */
	size_t certlen;
	struct link *links[CONFIG_LINKS_MAX];
	size_t nlinks;
	struct http_server *http;
	struct metrics metrics;
	struct ratelimit *rl;
	struct quota *quota;                    /* relay/fed/quota.c */
	char version[64];
	long long started;                      /* unix time */
	bool draining;
	long long drain_deadline;      /* loop ms: when draining gives up */
	struct decide *decide;                  /* relay/quorum/decide.c */
	struct renew *renew;                    /* relay/quorum/renew.c */
	struct notify *notify;                  /* relay/notify/notify.c; NULL: none */
	struct http_server *control;            /* the control socket */
	struct fed *fed;                        /* relay/fed/fed.h: ingest, publish,
	                                           backfill, catch-up, store faults */
	struct watch *watch;                    /* relay/fed/watch.c */
	struct observers observers;             /* hear accepted events: relay/fed/observer.h */
	struct api_env *api;                    /* relay/http/api_env.h: what both
	                                           servers' handlers work with */
};

#endif
