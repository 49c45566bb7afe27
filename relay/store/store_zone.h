/*
 * relay/store/store_zone.h — what the quorum engine reads from the store, per
 * zone, in bounded queries.
 *
 * The store keeps, beside the events themselves and in the same
 * transaction as each store_put():
 *   views        the current observation of each signing key for each
 *                zone (the highest seq), with the start of its trailing
 *                run of validating observations (secure or insecure, each
 *                live until the next one was signed) and of its trailing
 *                run of bogus ones: sustained validation is read from one
 *                row per key, not from the key's history;
 *   withdrawals  (target, origin) of every withdraw held: a withdraw only
 *                ever cancels an event of its own origin;
 *   incidents    the quorum engine's incidents (relay/quorum/incident.h), open
 *                and closed, so that a decision has memory across
 *                restarts.
 * An evaluation of a zone therefore reads one row per key that observes
 * it and the latest assessment and zone statement of each origin: its
 * cost is bounded by the number of keys and operators, not by how many
 * events anyone sent. The per-operator quota (store_zone_usage) bounds
 * the keys and live events one operator may have in one zone.
 *
 * Runs on the loop thread only. Functions return 0 (or a count) or -1
 * with a message in the caller's err buffer (STORE_ERR_MAX bytes).
 */
#ifndef NTARELAY_RELAY_STORE_ZONE_H
#define NTARELAY_RELAY_STORE_ZONE_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/key.h"
#include "proto/zone.h"
#include "relay/store/store.h"

/* Observation states, as the index of kind_obs_states. */
#define STORE_OBS_SECURE 0
#define STORE_OBS_INSECURE 1
#define STORE_OBS_BOGUS 2
#define STORE_OBS_INDETERMINATE 3

/* The current observation of one key for one zone. */
struct store_view {
	unsigned char id[KEY_ID_LEN];      /* the observation's event id */
	unsigned char key[KEY_ID_LEN];
	unsigned char origin[KEY_ID_LEN];
	long long seq, ts, exp;
	int state;                         /* STORE_OBS_* */
	bool has_fp, has_dnskey, has_ds;
	unsigned char fp[KEY_ID_LEN];      /* bogus: the failure fingerprint */
	unsigned char dnskey[KEY_ID_LEN];  /* evidence.dnskey_digest */
	unsigned char ds[KEY_ID_LEN];      /* evidence.ds_digest */
	long long run_start;               /* validating since (0: not now) */
	long long fail_start;              /* bogus since (0: not now) */
	long long prev_run_start;          /* the last validating run that */
	long long prev_run_end;            /* ended (0: none) */
};

typedef void (*store_view_cb)(void *arg, const struct store_view *v);
typedef void (*store_raw_cb)(void *arg, const char *raw, size_t len);

/* The views of zone whose observation was live at live_after or later,
 * in key order. Returns the number handed out, or -1. */
long store_views_each(struct store *s, const char *zone, long long live_after,
    store_view_cb cb, void *arg, char *err);

/*
 * The words of zone: for each origin, its newest assessment and its
 * newest zone statement (ts, then seq, then id) among those live at
 * live_after or later, as envelope bytes (borrowed for the call), by
 * origin. Returns the number handed out, or -1.
 */
long store_words_each(struct store *s, const char *zone, long long live_after,
    store_raw_cb cb, void *arg, char *err);

/* An observation held, for resolving an assessment's refs. */
struct store_obs {
	char zone[ZONE_TEXT_MAX + 1];
	unsigned char origin[KEY_ID_LEN];
	long long ts;
	int state;                         /* STORE_OBS_* */
	bool has_fp;
	unsigned char fp[KEY_ID_LEN];
};

/* 1 and *out when id is an observation held, 0 when not, -1 error. */
int store_observation(struct store *s, const unsigned char id[KEY_ID_LEN],
    struct store_obs *out);

/* Has origin withdrawn target? (A withdraw by anyone else cancels
 * nothing.) */
bool store_withdrawn(struct store *s, const unsigned char target[KEY_ID_LEN],
    const unsigned char origin[KEY_ID_LEN]);

/* Is any key of origin flagged for equivocation? No limit on how many
 * origins are flagged: one indexed look-up per origin. */
bool store_origin_flagged(struct store *s, const unsigned char origin[KEY_ID_LEN]);

/* The zones in which origin has a view (its observations), for
 * evaluating them again when its flag changes. Returns a count or -1. */
long store_origin_zones_each(struct store *s,
    const unsigned char origin[KEY_ID_LEN],
    void (*cb)(void *arg, const char *zone), void *arg, char *err);

/*
 * What origin holds in zone at now, for the per-operator quota: *keys,
 * the keys other than key with a live view; *events, its live
 * observations, assessments and zone statements, counted up to max (an
 * index range of at most max entries: the cost of a refusal is bounded
 * by the quota, not by the flood).
 */
int store_zone_usage(struct store *s, const char *zone,
    const unsigned char origin[KEY_ID_LEN], const unsigned char key[KEY_ID_LEN],
    long long now, long max, long *keys, long *events, char *err);

/* Every zone with an observation, assessment or statement live at
 * live_after or later (start-up). Returns a count or -1. */
long store_zones_live_each(struct store *s, long long live_after,
    void (*cb)(void *arg, const char *zone), void *arg, char *err);

/* The newest decision event of origin (this relay's operator) for each
 * zone, as envelope bytes (start-up). Returns a count or -1. */
long store_decisions_each(struct store *s, const unsigned char origin[KEY_ID_LEN],
    store_raw_cb cb, void *arg, char *err);

/* origin's decisions for zone, newest first, at most limit. */
long store_decisions_of(struct store *s, const char *zone,
    const unsigned char origin[KEY_ID_LEN], long limit, store_raw_cb cb,
    void *arg, char *err);

/* ------------------------------------------------------------ renewal
 * (relay/store/store_assess.c, for relay/quorum/renew.c) */

/* Every live (exp > now) assessment signed by key, of zone (NULL: any
 * zone), newest first (ts, then seq), as envelope bytes. Returns a count
 * or -1. */
long store_assessments_of_key(struct store *s, const unsigned char key[KEY_ID_LEN],
    const char *zone, long long now, store_raw_cb cb, void *arg, char *err);

/* Is an assessment of ev's origin for ev's zone held that is newer than
 * ev (a later ts, or the same ts and a later seq of ev's key)? true also
 * when the store cannot answer (in doubt, renewal signs nothing). */
bool store_assessment_superseded(struct store *s, const struct event *ev);

/* ------------------------------------------------------------ incidents */

#define STORE_INCIDENT_ID_LEN 16         /* hex digits */
#define STORE_INCIDENT_FPS 8             /* fingerprints remembered */

struct store_incident {
	char id[STORE_INCIDENT_ID_LEN + 1];
	char zone[ZONE_TEXT_MAX + 1];
	long long opened;
	long long closed;                  /* 0 while open */
	char outcome[16];                  /* "resolved", "ended"; "" while open */
	bool held;                         /* nta_recommended is held */
	long long held_since;              /* when it was first recommended */
	long long recovering_since;        /* recovery phase began; 0: not */
	long relapses;                     /* failures again while recovering */
	bool has_lead;
	unsigned char lead[KEY_ID_LEN];    /* the failure it is about */
	unsigned char fps[STORE_INCIDENT_FPS][KEY_ID_LEN]; /* every one seen */
	size_t nfps;
};

/* Insert or update inc (by id). */
int store_incident_put(struct store *s, const struct store_incident *inc,
    char *err);

/* zone's open incident: 1 and *out, 0 none, -1 error. */
int store_incident_open(struct store *s, const char *zone,
    struct store_incident *out, char *err);

/* zone's most recently closed incident: 1 and *out, 0 none, -1 error. */
int store_incident_last_closed(struct store *s, const char *zone,
    struct store_incident *out, char *err);

/* When zone's last resolved incident was resolved: 0 none, -1 error. */
long long store_incident_resolved_end(struct store *s, const char *zone);

/* Incidents of zone (every zone when NULL), newest first, at most limit,
 * handed to cb (borrowed). Returns the number handed out, or -1. */
long store_incidents_each(struct store *s, const char *zone, long limit,
    void (*cb)(void *arg, const struct store_incident *inc), void *arg,
    char *err);

/* Drop views and withdrawals that expired before now, and incidents
 * closed more than retention seconds ago (part of store_prune()). */
int store_zone_prune(struct store *s, long long now, long long retention,
    char *err);

#endif
