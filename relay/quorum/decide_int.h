/*
 * relay/quorum/decide_int.h — the quorum engine's insides, shared by its own
 * files only (no other module includes this header):
 *   decide.c     the engine: zones held, marking, flush and the tick, the
 *                turn's commit/rollback, start;
 *   evaluate.c   one evaluation of a zone: its views and words read from
 *                the store, who counts, the rule;
 *   decision.c   what a decision is (its fields and digest), stepping the
 *                zone's incident, signing and announcing a change;
 *   zone_json.c  the documents: GET /v1/zones, /v1/zones/{zone}, and what
 *                staff judge (decide_judged()).
 * Everything here runs on the loop thread.
 */
#ifndef NTARELAY_RELAY_QUORUM_DECIDE_INT_H
#define NTARELAY_RELAY_QUORUM_DECIDE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <sodium.h>

#include "proto/event.h"
#include "relay/quorum/decide.h"
#include "relay/quorum/incident.h"
#include "relay/quorum/quorum.h"
#include "relay/store/store_zone.h"

#define VOTES_MAX 128             /* the decision schema's limit */
#define DECISION_LIFETIME 86400   /* exp of a decision event */
#define DECISION_REFRESH 43200    /* re-sign an unchanged one after this */
#define HISTORY_MAX 50
#define INCIDENTS_SHOWN 10
#define TICK_MS 100
/* An evaluation reads the zone's views and words: cheap, and bounded by
 * the per-operator quota. After an evaluation that took C ms the zone
 * waits BUDGET * C ms before the next one, so that evaluating stays under
 * 1/BUDGET of the loop's time whatever happens. */
#define BUDGET 20
/* A pass (the tick) evaluates for at most SLICE_MS, then lets the loop
 * read its sockets and answer HTTP, and goes on SLICE_GAP_MS later: after
 * a catch-up, or a trust change that marks every zone, 100,000 zones take
 * seconds to decide, and the loop must not stop meanwhile. */
#define SLICE_MS 100
#define SLICE_GAP_MS 5

struct dzone {
	char zone[ZONE_TEXT_MAX + 1];
	enum quorum_state state;          /* as published */
	bool recovering;
	long long since, changed;
	long lifetime;
	long long nta_until;
	unsigned char digest[crypto_hash_sha256_BYTES];
	bool has_event;
	unsigned char event[KEY_ID_LEN];  /* the relay's last decision */
	long long published;              /* its ts */
	long long next_change;            /* 0: none */
	bool dirty;
	long long next_eval_ms;           /* not before (loop_now_ms) */
	json_t *summary;                  /* GET /v1/zones: the last evaluation */
	bool has_inc;                     /* the open incident */
	struct store_incident inc;
	bool has_last;                    /* the last closed one */
	struct store_incident last;
	long long resolved_end;           /* the last resolved one ended */
	size_t index;                     /* in decide.v */
	struct dzone *next;               /* hash chain */
	/* The zone as committed, while the loop turn that evaluated it is
	 * open: restored if that turn rolls back (decide_rollback()). */
	bool saved;
	struct dzone_memory {
		enum quorum_state state;
		bool recovering;
		long long since, changed, nta_until, published;
		long lifetime;
		unsigned char digest[crypto_hash_sha256_BYTES];
		bool has_event;
		unsigned char event[KEY_ID_LEN];
		bool has_inc, has_last;
		struct store_incident inc, last;
		long long resolved_end;
	} committed;
};

struct decide {
	/* what the engine works with (decide_new(): struct decide_deps) */
	const struct relay_config *cfg;
	struct store *store;
	const struct trust *trust;
	struct metrics *metrics;
	struct loop *loop;
	unsigned char origin[KEY_ID_LEN];
	struct signer signer;
	struct decide_hooks hooks;
	struct decide_notifier notify;
	struct decide_listener listen;    /* decide_set_listener() */
	bool armed;                       /* the tick's timer is set: */
	long timer;                       /* its id, */
	long long timer_at;               /* when it fires (loop_now_ms) */
	struct dzone **v;                 /* every zone held, in no order */
	size_t n, cap;
	struct dzone **slots;             /* hash table by name */
	size_t nslots;
	bool all;                          /* evaluate every zone */
	bool more;                         /* a pass ran out of its slice */
	bool saved;                        /* a zone holds a saved memory */
};

/* One evaluation: the zone's views and words, and the rule's answer. */
struct eval {
	struct quorum_event *qe;          /* views, then words */
	struct event **ev;                /* words parsed; views NULL */
	struct incident_refs *refs;       /* per entry (words only) */
	long long *fail_start;            /* per entry (views only) */
	struct incident_run *runs;        /* the counting views' runs */
	size_t nruns, capruns;
	size_t n, cap;
	struct quorum_vote *votes;        /* one per entry at most */
	struct quorum_result res;
	struct quorum_policy pol;
	long long now;
	bool stale_words;                 /* live words of a closed incident */
	struct flag { unsigned char origin[KEY_ID_LEN]; bool flagged; } *flags;
	size_t nflags;
};

/* decide.c */
struct dzone *engine_zone_find(struct decide *d, const char *zone);
bool engine_caught_up(const struct decide *d);
bool engine_writable(const struct decide *d);
/* While syncing: the document the zone endpoints answer instead (new);
 * NULL when caught up. */
json_t *engine_syncing_json(const struct decide *d);
/* Evaluate every zone that waits for it now, whatever its budget, inside
 * the turn's transaction (GET /v1/zones). */
void engine_eval_now(struct decide *d);

/* evaluate.c */
/* A stored envelope's event (verified when accepted); NULL, logged. */
struct event *engine_parse_stored(const void *raw, size_t len);
void engine_eval_free(struct eval *e);
/* Evaluate held zone z at now into *e (engine_eval_free() it): the rule
 * over the bound words; an incident opened (*opened) when the evaluation
 * is material and none is open. 0 or -1. */
int engine_evaluate(struct decide *d, struct dzone *z, long long now,
    struct eval *e, bool *opened);
/* The same for a zone not held, into *tmp, touching no incident. */
int engine_evaluate_detached(struct decide *d, const char *zone,
    long long now, struct eval *e, struct dzone *tmp);

/* decision.c */
json_t *engine_hexj(const unsigned char *id);
/* The incident a decision is about: the open one, or the last closed. */
const struct store_incident *engine_about(const struct dzone *z);
/* What makes a decision different from another (decision fields). */
void engine_digest_fields(const json_t *f, unsigned char out[32]);
/* The decision kind's fields (PROTOCOL.md 6.10) for state st. */
json_t *engine_decision_fields(const struct eval *e, const struct dzone *z,
    enum quorum_state st, long long since);
/* Step z's incident after an evaluation; the state to show. */
enum quorum_state engine_step_incident(struct decide *d, struct dzone *z,
    const struct eval *e, bool opened);
/* Sign fields as z's decision (st, after prev); announce it when changed. */
void engine_publish(struct decide *d, struct dzone *z, const struct eval *e,
    enum quorum_state st, json_t *fields, bool changed, enum quorum_state prev);
/* Keep z as committed until the turn ends; has z changed what the store
 * holds in this turn? */
void engine_remember(struct decide *d, struct dzone *z);
bool engine_touched(const struct dzone *z);

/* zone_json.c */
/* SUMMARY of z's evaluation e shown as st (decide.h). */
json_t *engine_summary(struct decide *d, const struct dzone *z,
    const struct eval *e, enum quorum_state st);

#endif
