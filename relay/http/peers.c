/*
 * relay/http/peers.c — the peers document (relay/http/peers.h).
 *
 * Built member by member (json_object_set_new) rather than with
 * json_pack formats, so that a value the store or the trust database does
 * not have (a key without a heartbeat yet, a name that is not UTF-8) is
 * null in the answer instead of making the format fail or mismatch.
 */
#include <stdbool.h>
#include <string.h>

#include "proto/encoding.h"
#include "relay/core/clock.h"
#include "relay/core/log.h"
#include "relay/core/trust.h"
#include "relay/http/peers.h"
#include "relay/http/api_store.h"
#include "relay/store/store.h"
#include "trustdb/index.h"
#include "trustdb/membership.h"
#include "trustdb/store.h"

/* Set o[k] to v (stolen), null when v is NULL; -1 when that fails. */
static int
peers_set(json_t *o, const char *k, json_t *v)
{
	return json_object_set_new(o, k, v ? v : json_null());
}

static json_t *
peers_hex(const unsigned char id[KEY_ID_LEN])
{
	char h[KEY_ID_HEX_LEN + 1];

	return json_string(encoding_hex_encode(id, KEY_ID_LEN, h));
}

/* A new operator entry: no key yet, no vote yet (vote_hex NULL: null).
 * "name" is the root key's self-declared name (kept as it was);
 * "local_name" the pin's local name from the trust index, and
 * "declared_name" the self-declared one again, by its meaning
 * (lib/opname.h). */
static json_t *
peers_operator(const struct api_env *env, const struct trust_records *rec,
    const unsigned char op[KEY_ID_LEN], const char *ophex, const char *vote_hex)
{
	const struct trust_keyrec *kr = trust_records_key(rec, op);
	const char *local = NULL, *declared = NULL;
	json_t *e = json_object();

	trust_index_op_names(env->trust->tidx, op, &local, &declared);
	if (declared == NULL && kr && kr->name[0])
		declared = kr->name;
	if (e == NULL || peers_set(e, "operator", json_string(ophex)) != 0 ||
	    peers_set(e, "name", kr && kr->name[0] ? json_string(kr->name) :
	    NULL) != 0 ||
	    peers_set(e, "local_name", local ? json_string(local) : NULL) != 0 ||
	    peers_set(e, "declared_name", declared ? json_string(declared) :
	    NULL) != 0 ||
	    peers_set(e, "vote", vote_hex ? json_string(vote_hex) : NULL) != 0 ||
	    peers_set(e, "pinned", json_boolean(trust_records_pin(rec, op) !=
	    NULL)) != 0 || json_object_set_new(e, "keys", json_array()) != 0) {
		json_decref(e);
		return NULL;
	}
	return e;
}

/* One key of the store's list (v), as it speaks for its operator. */
static json_t *
peers_key(const struct api_env *env, const char *k, const json_t *v,
    const unsigned char keyid[KEY_ID_LEN], const unsigned char opid[KEY_ID_LEN],
    json_t *entry)
{
	struct trust_answer a;
	json_t *key = json_object(), *flags;

	memset(&a, 0, sizeof(a));
	a.reason = TRUST_UNKNOWN_KEY;      /* no index built yet */
	if (env->trust->tidx && trust_index_lookup(env->trust->tidx, keyid, opid,
	    relay_now(), &a) && a.vote_id)
		peers_set(entry, "vote", peers_hex(a.vote_id));
	flags = json_deep_copy(json_object_get(v, "flags"));
	if (!json_is_array(flags)) {
		json_decref(flags);
		flags = json_array();
	}
	/* a second member root certified it: a possible attack by one of
	 * them (trustdb/membership.h) */
	if (a.conflict && flags)
		json_array_append_new(flags, json_string("cert_conflict"));
	if (key == NULL || peers_set(key, "key", json_string(k)) != 0 ||
	    peers_set(key, "last_heartbeat", json_incref(json_object_get(v,
	    "last_heartbeat"))) != 0 ||
	    peers_set(key, "chain_head", json_incref(json_object_get(v,
	    "chain_head"))) != 0 ||
	    peers_set(key, "flags", flags) != 0 ||
	    peers_set(key, "status", json_string(trust_reason_name(a.reason))) != 0) {
		json_decref(key);
		return NULL;
	}
	return key;
}

/* Every operator holding a key seen here, with its keys, into byop. */
static int
peers_seen(const struct api_env *env, const struct trust_records *rec,
    json_t *keys, json_t *byop)
{
	const char *k;
	json_t *v;

	json_object_foreach(keys, k, v) {
		const char *op = json_string_value(json_object_get(v, "origin"));
		unsigned char opid[KEY_ID_LEN], keyid[KEY_ID_LEN];
		json_t *entry, *key;

		if (op == NULL || encoding_hex_decode(op, opid, KEY_ID_LEN) != 0 ||
		    encoding_hex_decode(k, keyid, KEY_ID_LEN) != 0)
			continue;
		if ((entry = json_object_get(byop, op)) == NULL) {
			if ((entry = peers_operator(env, rec, opid, op, NULL)) == NULL ||
			    json_object_set_new(byop, op, entry) != 0)
				return -1;
		}
		if ((key = peers_key(env, k, v, keyid, opid, entry)) == NULL ||
		    json_array_append_new(json_object_get(entry, "keys"), key) != 0)
			return -1;
	}
	return 0;
}

/* The pinned operators not seen yet: they vote as themselves. */
static int
peers_pinned(const struct api_env *env, const struct trust_records *rec,
    json_t *byop)
{
	for (size_t i = 0; i < rec->npins; i++) {
		char h[KEY_ID_HEX_LEN + 1];
		json_t *e;

		encoding_hex_encode(rec->pins[i].op, KEY_ID_LEN, h);
		if (json_object_get(byop, h) != NULL)
			continue;
		if ((e = peers_operator(env, rec, rec->pins[i].op, h, h)) == NULL ||
		    json_object_set_new(byop, h, e) != 0)
			return -1;
	}
	return 0;
}

json_t *
peers_json(const struct api_env *env)
{
	struct trust_records *rec = NULL;
	json_t *keys = api_store_keys_json(env->store), *out = json_array();
	json_t *byop = json_object(), *doc = NULL, *v;
	char reason[256];
	const char *k;

	if (keys == NULL || out == NULL || byop == NULL)
		goto out;
	if (trustdb_load(env->trust->tdb, &rec, reason) != TRUSTDB_OK) {
		log_err("peers: %s", reason);
		goto out;
	}
	/* operators first: pinned or holding keys we have seen */
	if (peers_seen(env, rec, keys, byop) != 0 || peers_pinned(env, rec, byop) != 0)
		goto out;
	json_object_foreach(byop, k, v)
		if (json_array_append(out, v) != 0)
			goto out;
	if ((doc = json_object()) != NULL &&
	    json_object_set(doc, "peers", out) != 0) {
		json_decref(doc);
		doc = NULL;
	}
out:
	trust_records_free(rec);
	json_decref(byop);
	json_decref(keys);
	json_decref(out);
	return doc;
}
