/*
 * relay/fed/signer.h — how a module above fed/ has the relay sign an event
 * of its own (a decision, a renewed assessment, a withdrawal) without
 * calling into the ingest pipeline.
 *
 * relay/fed/publish.c implements it (publish_signer()); relay/main.c hands
 * the struct to the quorum engine and to renewal. sign() signs `fields`
 * (stolen) as an event of `kind` with `lifetime` seconds, appends it to the
 * relay's chain, stores it and queues it for every link inside the loop
 * turn's transaction, exactly as publish_own_id() does: 0 and the new id in
 * id_out (KEY_ID_LEN bytes, may be NULL), or -1 and why in why (may be
 * NULL). Refused (-1, nothing signed) while the store cannot write.
 * begin() opens the turn's transaction if it is not open yet.
 */
#ifndef NTARELAY_RELAY_FED_SIGNER_H
#define NTARELAY_RELAY_FED_SIGNER_H

#include <stddef.h>

#include <jansson.h>

#include "proto/kind.h"

struct signer {
	int (*sign)(void *ctx, enum kind kind, json_t *fields, long lifetime,
	    unsigned char *id_out, char *why, size_t whylen);
	void (*begin)(void *ctx);
	void *ctx;
};

#endif
