/*
 * relay/quorum/renew.h — keep the operator's assessments alive for the lifetime
 * its staff asked for (an assessment event lives at most 6 h; its NTA
 * recommendation up to 7 days). See renew.c.
 *
 * Contract: renew_new() takes what renewal needs (the loop, the store, the
 * relay's signing key id, the signer and a "may the store write?" probe);
 * the pointers must outlive the struct renew. Runs on the loop thread only.
 */
#ifndef NTARELAY_RELAY_RENEW_H
#define NTARELAY_RELAY_RENEW_H

#include <stdbool.h>

#include "proto/key.h"
#include "relay/core/loop.h"
#include "relay/fed/signer.h"
#include "relay/store/store.h"

struct renew_deps {
	struct loop *loop;
	struct store *store;
	unsigned char key[KEY_ID_LEN];       /* the relay's signing key */
	struct signer signer;
	/* false while the store cannot write (relay/fed/storefault.h): what
	 * is due waits for the first tick it can; NULL: always writable */
	bool (*writable)(void *ctx);
	void *ctx;
};

struct renew;

/* NULL on allocation failure. */
struct renew *renew_new(const struct renew_deps *deps);
/* Cancels its timer; NULL allowed. */
void renew_free(struct renew *rn);

/* Check every minute (the first time in 5 s) for assessments of ours that
 * need signing again. */
void renew_start(struct renew *rn);

/* The assessment target_hex (64 hex digits) was withdrawn through the
 * control socket: withdraw its live renewals too. */
void renew_withdrawn(struct renew *rn, const char *target_hex);

#endif
