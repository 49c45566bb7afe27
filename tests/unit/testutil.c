/*
 * tests/unit/testutil.c — see testutil.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto/encoding.h"
#include "proto/fingerprint.h"
#include "proto/kind.h"
#include "proto/open.h"
#include "tests/unit/testutil.h"

struct key_secret *
tu_key(const char *label, int root)
{
	unsigned char seed[KEY_SEED_LEN];

	crypto_hash_sha256(seed, (const unsigned char *)label, strlen(label));
	return key_secret_from_seed(seed, label, root);
}

const char *
tu_id(const struct key_secret *sk)
{
	static char buf[4][KEY_ID_HEX_LEN + 1];
	static int i;

	i = (i + 1) % 4;
	return encoding_hex_encode(key_secret_public(sk)->id, KEY_ID_LEN, buf[i]);
}

json_t *
tu_header(const char *kind, const struct key_secret *signer,
    const struct key_secret *origin, long long seq, const char *prev,
    long long ts, long long exp)
{
	json_t *o = json_object();

	json_object_set_new(o, "v", json_integer(1));
	json_object_set_new(o, "net", json_string("example"));
	json_object_set_new(o, "kind", json_string(kind));
	json_object_set_new(o, "origin", json_string(tu_id(origin)));
	json_object_set_new(o, "key", json_string(tu_id(signer)));
	json_object_set_new(o, "seq", json_integer(seq));
	json_object_set_new(o, "prev", prev ? json_string(prev) : json_null());
	json_object_set_new(o, "ts", json_integer(ts));
	json_object_set_new(o, "exp", exp ? json_integer(exp) : json_null());
	json_object_set_new(o, "refs", json_array());
	return o;
}

json_t *
tu_assessment(const struct key_secret *signer, const struct key_secret *origin)
{
	json_t *o = tu_header("assessment", signer, origin, 1, NULL, TU_NOW - 60,
	    TU_NOW + 3600);

	json_object_set_new(o, "zone", json_string("de."));
	json_object_set_new(o, "verdict", json_string("accident"));
	json_object_set_new(o, "recommend_nta", json_true());
	json_object_set_new(o, "lifetime", json_integer(21600));
	return o;
}

json_t *
tu_observation(const struct key_secret *signer, const struct key_secret *origin)
{
	json_t *o = tu_header("observation", signer, origin, 1, NULL, TU_NOW - 10,
	    TU_NOW + 1800);
	json_t *ev = json_pack("{s:s,s:[i],s:n,s:[],s:[{s:s,s:s,s:i,s:i,s:i,s:i}],s:[]}",
	    "dnskey_digest", "8f2c4e1a0b9d7c6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e",
	    "dnskey_tags", 26755, "ds_digest", "ds_tags", "rrsigs",
	    "owner", "de.", "type", "SOA", "alg", 8, "tag", 33834,
	    "inception", 1789900000, "expiration", 1791100000, "soa_serials");
	unsigned char fp[FINGERPRINT_LEN];
	char hex[2 * FINGERPRINT_LEN + 1];

	json_object_set_new(o, "zone", json_string("de."));
	json_object_set_new(o, "vantage", json_string("test"));
	json_object_set_new(o, "validator", json_string("libunbound"));
	json_object_set_new(o, "qname", json_string("de."));
	json_object_set_new(o, "qtype", json_string("SOA"));
	json_object_set_new(o, "rcode", json_integer(2));
	json_object_set_new(o, "ede", json_array());
	json_object_set_new(o, "state", json_string("bogus"));
	json_object_set_new(o, "reason", json_string("signatures from unknown keys"));
	json_object_set_new(o, "evidence", ev);
	fingerprint_compute("de.", ev, fp);
	json_object_set_new(o, "fingerprint",
	    json_string(encoding_hex_encode(fp, sizeof(fp), hex)));
	return o;
}

enum proto_err
tu_sign_open(json_t *obj, const struct key_secret *sk, struct event **ev,
    char *reason)
{
	const char *kind = json_string_value(json_object_get(obj, "kind"));
	const char *type = kind_payload_type(kind_from_name(kind ? kind : ""));
	char *payload = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER), *json;
	struct envelope *env = NULL;
	size_t jlen;
	enum proto_err e;

	json_decref(obj);
	*ev = NULL;
	e = envelope_sign(type ? type : "text/plain", (unsigned char *)payload,
	    strlen(payload), sk, &json, &jlen, NULL, reason);
	free(payload);
	if (e != PROTO_OK)
		return e;
	e = open_envelope(json, jlen, open_lookup_single,
	    (void *)key_secret_public(sk), 0, &env, ev, reason);
	envelope_free(env);
	free(json);
	return e;
}
