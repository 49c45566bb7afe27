/*
 * proto/fingerprint.h — the failure fingerprint of an observation.
 *
 * Two vantage points that see the same broken data must compute the same
 * fingerprint; vantage points that are served different DNSKEY or DS data
 * (an on-path attacker) must compute different ones. So the fingerprint
 * covers what the zone's signer produced and every validator fetches alike
 * (the DNSKEY and DS RRset digests and the signing key tag, algorithm and
 * validity window of each failing RRSIG) and nothing that depends on the
 * vantage point, the validator or the moment (reason text, rcode, EDE,
 * SOA serials per server, which name or RRset happened to fail).
 *
 * Input to SHA-256, one line each, "\n"-terminated, ASCII:
 *   ntarelay-fingerprint-v1
 *   zone <zone>
 *   dnskey <dnskey_digest or ->
 *   ds <ds_digest or ->
 *   sig <alg> <tag> <inception> <expiration>     (one line per distinct
 *        tuple over evidence.rrsigs, sorted numerically by alg, tag,
 *        inception, expiration; decimal without leading zeros)
 */
#ifndef NTARELAY_PROTO_FINGERPRINT_H
#define NTARELAY_PROTO_FINGERPRINT_H

#include <jansson.h>

#include "proto/error.h"
#include "proto/pjson.h"

#define FINGERPRINT_LEN 32
#define FINGERPRINT_SIGS_MAX 64   /* evidence.rrsigs holds at most 64 */

/* One failing RRSIG as the fingerprint sees it. */
struct fingerprint_sig {
	long long alg, tag, inception, expiration;
};

/*
 * The fingerprint from its parts: dnskey_hex and ds_hex are the 64-hex
 * digests or NULL; sigs (n <= FINGERPRINT_SIGS_MAX) in any order, repeats
 * allowed. sigs is sorted in place.
 */
void fingerprint_of(const char *zone, const char *dnskey_hex,
    const char *ds_hex, struct fingerprint_sig *sigs, size_t n,
    unsigned char out[FINGERPRINT_LEN]);

/*
 * The fingerprint of zone and an evidence object (as built by a probe or a
 * test, with jansson) that follows the observation schema of proto/kind.c.
 * Returns PROTO_OK, or PROTO_E_INVALID_ARG when it has too many rrsigs.
 */
enum proto_err fingerprint_compute(const char *zone, json_t *evidence,
    unsigned char out[FINGERPRINT_LEN]);

/* The same over a validated evidence node of a parsed payload. */
enum proto_err fingerprint_compute_doc(const char *zone,
    const struct pjson_doc *d, int evidence, unsigned char out[FINGERPRINT_LEN]);

#endif
