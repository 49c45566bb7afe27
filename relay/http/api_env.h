/*
 * relay/http/api_env.h — what the relay's HTTP answers (api.c, peers.c,
 * slash.c, control.c) are given to work with, instead of the whole
 * daemon (relay/relay.h, a layer above): pointers to the parts they read
 * and write, owned by relay/main.c, which must keep them alive (and in
 * place) until api_env_free().
 *
 * Loop thread only, like every HTTP handler.
 */
#ifndef NTARELAY_RELAY_HTTP_API_ENV_H
#define NTARELAY_RELAY_HTTP_API_ENV_H

#include <stddef.h>

struct fed;
struct link;
struct metrics;
struct relay_config;
struct slash;
struct decide;
struct loop;
struct renew;
struct store;
struct trust;

struct api_env {
	const struct relay_config *cfg;   /* read again after a reload */
	struct store *store;
	struct trust *trust;              /* the trust database and index */
	struct metrics *metrics;          /* the counters (the API refreshes
	                                     the gauges before rendering) */
	struct link *const *links;        /* the relay's links: *nlinks */
	const size_t *nlinks;
	const unsigned char *origin;      /* the relay's operator (KEY_ID_LEN) */
	struct fed *fed;                  /* the federation layer (relay/fed/fed.h):
	                                     publish_*, catchup_*, storefault_* */
	struct decide *decide;            /* the quorum engine (decide_*) */
	struct renew *renew;              /* renewals (renew_withdrawn()) */
	const struct loop *loop;          /* how busy it is (loop_busy_pct) */
	struct slash *slash;              /* the slash command's token cache
	                                     (owned: api_env_new() makes it) */
};

/* A copy of *deps with the parts the API owns made (the slash command's
 * state; deps->slash is ignored). NULL when out of memory. */
struct api_env *api_env_new(const struct api_env *deps);
/* NULL allowed; forgets (zeroes) the cached token digest. */
void api_env_free(struct api_env *env);

#endif
