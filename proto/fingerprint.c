/*
 * proto/fingerprint.c — failure fingerprint (see the header for the format).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "proto/fingerprint.h"

static int
sig_cmp(const void *a, const void *b)
{
	const struct fingerprint_sig *x = a, *y = b;
	const long long xs[4] = { x->alg, x->tag, x->inception, x->expiration };
	const long long ys[4] = { y->alg, y->tag, y->inception, y->expiration };

	for (int i = 0; i < 4; i++)
		if (xs[i] != ys[i])
			return xs[i] < ys[i] ? -1 : 1;
	return 0;
}

static void
hash_str(struct sha256_ctx *st, const char *s)
{
	sha256_update(st, strlen(s), (const uint8_t *)s);
}

void
fingerprint_of(const char *zone, const char *dnskey_hex, const char *ds_hex,
    struct fingerprint_sig *sigs, size_t n, unsigned char out[FINGERPRINT_LEN])
{
	struct sha256_ctx st;
	char line[128];

	if (n > 1)
		qsort(sigs, n, sizeof(*sigs), sig_cmp);
	sha256_init(&st);
	hash_str(&st, "ntarelay-fingerprint-v1\nzone ");
	hash_str(&st, zone);
	hash_str(&st, "\ndnskey ");
	hash_str(&st, dnskey_hex ? dnskey_hex : "-");
	hash_str(&st, "\nds ");
	hash_str(&st, ds_hex ? ds_hex : "-");
	hash_str(&st, "\n");
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && sig_cmp(&sigs[i - 1], &sigs[i]) == 0)
			continue;
		snprintf(line, sizeof(line), "sig %lld %lld %lld %lld\n", sigs[i].alg,
		    sigs[i].tag, sigs[i].inception, sigs[i].expiration);
		hash_str(&st, line);
	}
	sha256_digest(&st, FINGERPRINT_LEN, out);
}

enum proto_err
fingerprint_compute(const char *zone, json_t *evidence,
    unsigned char out[FINGERPRINT_LEN])
{
	struct fingerprint_sig sigs[FINGERPRINT_SIGS_MAX];
	json_t *rrsigs = json_object_get(evidence, "rrsigs"), *r;
	size_t i;

	if (json_array_size(rrsigs) > FINGERPRINT_SIGS_MAX)
		return PROTO_E_INVALID_ARG;
	json_array_foreach(rrsigs, i, r) {
		sigs[i].alg = json_integer_value(json_object_get(r, "alg"));
		sigs[i].tag = json_integer_value(json_object_get(r, "tag"));
		sigs[i].inception = json_integer_value(json_object_get(r, "inception"));
		sigs[i].expiration = json_integer_value(json_object_get(r, "expiration"));
	}
	fingerprint_of(zone,
	    json_string_value(json_object_get(evidence, "dnskey_digest")),
	    json_string_value(json_object_get(evidence, "ds_digest")),
	    sigs, json_array_size(rrsigs), out);
	return PROTO_OK;
}

enum proto_err
fingerprint_compute_doc(const char *zone, const struct pjson_doc *d,
    int evidence, unsigned char out[FINGERPRINT_LEN])
{
	struct fingerprint_sig sigs[FINGERPRINT_SIGS_MAX];
	int rrsigs = pjson_get(d, evidence, "rrsigs");
	size_t n = 0;

	if (pjson_count(d, rrsigs) > FINGERPRINT_SIGS_MAX)
		return PROTO_E_INVALID_ARG;
	for (int r = pjson_first(d, rrsigs); r >= 0; r = pjson_next(d, rrsigs, r)) {
		sigs[n].alg = pjson_int(d, pjson_get(d, r, "alg"));
		sigs[n].tag = pjson_int(d, pjson_get(d, r, "tag"));
		sigs[n].inception = pjson_int(d, pjson_get(d, r, "inception"));
		sigs[n].expiration = pjson_int(d, pjson_get(d, r, "expiration"));
		n++;
	}
	fingerprint_of(zone, pjson_str(d, pjson_get(d, evidence, "dnskey_digest")),
	    pjson_str(d, pjson_get(d, evidence, "ds_digest")), sigs, n, out);
	return PROTO_OK;
}
