/*
 * relay/fed/catchup.h — has the relay caught up with its peers?
 *
 * A relay that has just started (a fresh store, or one that was off while
 * the federation went on) must not sign a decision from what it happens
 * to hold: retained assessments without their withdrawals, observations
 * older than the newer states its peers already published. So it starts
 * `syncing` and signs nothing (relay/quorum/decide.c asks catchup_done()) until
 *   - it has no link at all (a relay on its own has nobody to wait for);
 *     or
 *   - a link has been up for CATCHUP_SETTLE_MS (the broker delivers its
 *     retained messages, heartbeats among them, right after the
 *     subscription), the input is no longer saturated at two checks in
 *     a row (the loop busy less than CATCHUP_BUSY_PCT of the last 250 ms,
 *     relay/core/loop.h, and no signature waiting for the workers: the
 *     brokers have delivered what they queued for the relay's sessions
 *     while it was away; a decision signed in the middle of that would
 *     come from part of it, and deciding each zone as its events trickle
 *     in costs more than deciding it once), and every member key whose
 *     heartbeat it holds from the last HEARTBEAT_LIVE seconds has no gap in the last CATCHUP_DEPTH
 *     seqs of its chain below its head (a heartbeat announces its key's
 *     chain head: the relay holds its peers' recent history); or
 *   - it asked at least twice and nothing more came for CATCHUP_STALL_MS
 *     (the peers that hold the rest are down, while their retained
 *     heartbeats live on at the broker), which it logs as a warning; or
 *   - sync_wait seconds have passed since the start (configurable; 0: do
 *     not wait), which it logs with what it still misses.
 * While syncing it asks for the missing ranges every CATCHUP_ASK_MS
 * (relay/fed/backfill.c), not only at the periodic scan. Once caught up it
 * stays so: a later partition is repaired by backfill and heartbeats, and
 * the quorum engine's incidents keep their hold meanwhile.
 *
 * Runs on the loop thread only; the state lives in struct fed
 * (fed->catchup).
 */
#ifndef NTARELAY_RELAY_CATCHUP_H
#define NTARELAY_RELAY_CATCHUP_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct fed;

#define CATCHUP_SETTLE_MS 1000
#define CATCHUP_DEPTH 1000        /* BACKFILL_MAX: one request's worth */
#define CATCHUP_ASK_MS 2000
#define CATCHUP_HEARTBEAT_LIVE 180
#define CATCHUP_STALL_MS 6000     /* no answer brings anything more */
#define CATCHUP_BUSY_PCT 90       /* the loop this busy: still draining */
#define CATCHUP_TICK_MS 200       /* how often it checks */

/* Start watching (after the links were created). caught_up(ctx) runs
 * once, when the relay catches up (not when it never needed to): the
 * quorum engine decides every zone then (wired by relay/main.c). */
int catchup_start(struct fed *fed, void (*caught_up)(void *ctx), void *ctx);
void catchup_stop(struct fed *fed);

/* Caught up (or never needed to)? */
bool catchup_done(const struct fed *fed);

/* A link came up. */
void catchup_link_up(struct fed *fed);

/* While syncing: {"syncing":true,"error":"syncing","message":TEXT,
 * "behind":KEYS,"until":UNIXTIME}; NULL when caught up. New reference. */
json_t *catchup_json(const struct fed *fed);

/* One line for /healthz while syncing. */
void catchup_text(const struct fed *fed, char *buf, size_t len);

#endif
