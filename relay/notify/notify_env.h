/*
 * relay/notify/notify_env.h — what the notifiers (relay/notify/) are given to
 * work with, instead of the whole daemon (relay/relay.h, a layer above):
 * pointers to the parts they read and write, owned by relay/main.c, which
 * keeps them alive (and in place) until notify_stop().
 *
 * Loop thread only.
 */
#ifndef NTARELAY_RELAY_NOTIFY_ENV_H
#define NTARELAY_RELAY_NOTIFY_ENV_H

struct loop;
struct metrics;
struct relay;
struct relay_config;
struct store;

struct notify_env {
	const struct relay_config *cfg;   /* the mattermost_* keys, net,
	                                     public_url */
	struct loop *loop;                /* descriptors and timers */
	struct store *store;              /* its SQLite file holds the queue */
	struct metrics *metrics;          /* the notify_* counters */
	const unsigned char *origin;      /* the relay's operator (KEY_ID_LEN) */
	/*
	 * The daemon itself, opaque here: only handed to the quorum engine
	 * (decide_open_incident()), whose interface still takes it. When it
	 * takes a context of its own, that replaces it here.
	 */
	struct relay *owner;
};

#endif
