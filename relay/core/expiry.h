/*
 * relay/core/expiry.h — what ends on its own and silences the relay: its
 * own key's certificate, and the vouches its operator's membership rests
 * on, as GET /metrics families (docs/API.md §7):
 *
 *   ntarelay_cert_expiry_seconds             seconds until the certificate
 *       window of the relay's key for its operator ends (the certificates
 *       merged, as trustdb/membership.h counts them: a renewal that
 *       overlaps extends it; negative once it ended); no sample when the
 *       relay signs with its operator's root key (nothing to renew) or the
 *       trust database holds no certificate of the key by its operator;
 *   ntarelay_vouch_expiry_seconds{operator}  for each vouch that counts
 *       for the relay's operator in this relay's trust database (the
 *       facts `ntactl trust why` marks as counting: the voucher's latest
 *       word, a pinned member, not expired), seconds until it expires;
 *       operator = the voucher's operator id, its first 16 hex digits.
 *       A vouch that ended is no sample any more: alert before.
 *
 * The values are computed at each rebuild of the trust index (relay/core/
 * trust.h calls expiry_update() through its `loaded` hook, with the
 * records and membership it built the index from: no second load) and
 * rendered at scrape time against relay_now(). Loop thread only.
 */
#ifndef NTARELAY_RELAY_CORE_EXPIRY_H
#define NTARELAY_RELAY_CORE_EXPIRY_H

#include "proto/key.h"
#include "relay/core/metrics.h"
#include "trustdb/membership.h"
#include "trustdb/records.h"

#define EXPIRY_VOUCHES_MAX 64      /* vouches shown; more are left out */

struct expiry;

/* For the relay's key and operator (copied); registers its collector
 * with m (which must outlive it). NULL on allocation failure or a full
 * collector table (logged). */
struct expiry *expiry_new(struct metrics *m,
    const unsigned char key[KEY_ID_LEN], const unsigned char origin[KEY_ID_LEN]);
/* Unregisters and frees; NULL allowed. */
void expiry_free(struct expiry *x);

/* The trust index was rebuilt from r and mem at now (borrowed for the
 * call): take the certificate window and the vouches again. Keeps the
 * previous values when the explanation cannot be built (out of memory). */
void expiry_update(struct expiry *x, const struct trust_records *r,
    const struct trust_membership *mem, long long now);

#endif
