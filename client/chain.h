/*
 * client/chain.h — signing trust envelopes (cert, vouch, revoke) on a
 * signing key's own chain.
 *
 * Every signing key keeps its own chain (seq + 1, prev = id of its previous
 * event). ntactl remembers the head of a key's chain in a state file next
 * to the secret key: <KEYFILE>.chain, one line "SEQ ID\n" (the last seq
 * signed with that key and its event id), mode 0600. It is created on first
 * use (seq 1, prev null), replaced atomically (write a temporary file,
 * fsync, rename) after each signature and before the envelope is printed,
 * and the secret key file is locked (flock) meanwhile, so that two ntactl
 * processes never sign two events with one seq (an equivocation). A chain
 * file that cannot be parsed is an error, never a restart at seq 1.
 */
#ifndef NTARELAY_CLIENT_CHAIN_H
#define NTARELAY_CLIENT_CHAIN_H

#include <jansson.h>

#include "proto/key.h"
#include "proto/kind.h"

#define CHAIN_NET_MAX 63

/*
 * The header of a new payload, in canonical order, with seq and prev left
 * for chain_sign(). exp 0 means null (key_revoke). Returns a new object.
 */
json_t *chain_header(enum kind kind, const char *net,
    const unsigned char origin[KEY_ID_LEN], const struct key_secret *sk,
    long long ts, long long exp);

/*
 * Fill seq and prev of payload from <keypath>.chain, sign it with sk,
 * validate the result as a protocol event, advance the chain file, and
 * return the envelope in *json_out (new, one line, no newline). payload is
 * borrowed. Returns 0, or -1 after printing the error.
 */
int chain_sign(const char *keypath, const struct key_secret *sk,
    json_t *payload, char **json_out);

/*
 * The federation name for a new envelope: --net (net_opt) or the net of the
 * trust database --db (db_opt); when both are given they must agree. out
 * holds CHAIN_NET_MAX + 1 bytes. Returns 0, or -1 after printing the error.
 */
int chain_resolve_net(const char *cmd, const char *net_opt, const char *db_opt,
    char *out);

#endif
