/*
 * proto/fingerprint.c — failure fingerprint (see the header for the format).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto/fingerprint.h"

struct sigtuple {
	long long alg, tag, inception, expiration;
};

static int
sigtuple_cmp(const void *a, const void *b)
{
	const struct sigtuple *x = a, *y = b;
	const long long xs[4] = { x->alg, x->tag, x->inception, x->expiration };
	const long long ys[4] = { y->alg, y->tag, y->inception, y->expiration };

	for (int i = 0; i < 4; i++)
		if (xs[i] != ys[i])
			return xs[i] < ys[i] ? -1 : 1;
	return 0;
}

static void
hash_line(crypto_hash_sha256_state *st, const char *label, json_t *v)
{
	char line[128];
	int n;

	n = snprintf(line, sizeof(line), "%s %s\n", label,
	    json_is_string(v) ? json_string_value(v) : "-");
	crypto_hash_sha256_update(st, (const unsigned char *)line, (size_t)n);
}

enum proto_err
fingerprint_compute(const char *zone, json_t *evidence,
    unsigned char out[FINGERPRINT_LEN])
{
	static const char magic[] = "ntarelay-fingerprint-v1\n";
	crypto_hash_sha256_state st;
	struct sigtuple *t = NULL;
	json_t *rrsigs, *r;
	size_t n, i, idx;
	char line[300];
	int len;

	rrsigs = json_object_get(evidence, "rrsigs");
	n = json_array_size(rrsigs);
	if (n && (t = calloc(n, sizeof(*t))) == NULL)
		return PROTO_E_NOMEM;
	json_array_foreach(rrsigs, idx, r) {
		t[idx].alg = json_integer_value(json_object_get(r, "alg"));
		t[idx].tag = json_integer_value(json_object_get(r, "tag"));
		t[idx].inception = json_integer_value(json_object_get(r, "inception"));
		t[idx].expiration = json_integer_value(json_object_get(r, "expiration"));
	}
	if (n)
		qsort(t, n, sizeof(*t), sigtuple_cmp);

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)magic, sizeof(magic) - 1);
	len = snprintf(line, sizeof(line), "zone %s\n", zone);
	crypto_hash_sha256_update(&st, (const unsigned char *)line, (size_t)len);
	hash_line(&st, "dnskey", json_object_get(evidence, "dnskey_digest"));
	hash_line(&st, "ds", json_object_get(evidence, "ds_digest"));
	for (i = 0; i < n; i++) {
		if (i > 0 && sigtuple_cmp(&t[i - 1], &t[i]) == 0)
			continue;
		len = snprintf(line, sizeof(line), "sig %lld %lld %lld %lld\n",
		    t[i].alg, t[i].tag, t[i].inception, t[i].expiration);
		crypto_hash_sha256_update(&st, (const unsigned char *)line, (size_t)len);
	}
	crypto_hash_sha256_final(&st, out);
	free(t);
	return PROTO_OK;
}
