/*
 * relay/http/api_store.c — GET /v1/events and the keys of GET /v1/peers
 * from the store's rows (see api_store.h).
 */
#include "proto/encoding.h"
#include "relay/core/log.h"
#include "relay/http/api_store.h"

static json_t *
hex_json(const unsigned char id[KEY_ID_LEN])
{
	char hex[KEY_ID_HEX_LEN + 1];

	return json_string(encoding_hex_encode(id, KEY_ID_LEN, hex));
}

struct events_ctx {
	json_t *arr;
	const struct trust_index *tidx;   /* names of origins; may be NULL */
	const char *(*link_name)(void *, int);
	void *arg;
};

static int
event_row(void *arg, const struct store_event_row *row)
{
	struct events_ctx *c = arg;
	const char *ln = row->link == STORE_LINK_OWN || !c->link_name ? NULL :
	    c->link_name(c->arg, row->link);
	json_t *env = json_loadb(row->raw, row->rawlen, 0, NULL);
	const char *local = NULL, *declared = NULL;
	json_t *o;

	if (c->tidx)
		trust_index_op_names(c->tidx, row->origin, &local, &declared);
	o = json_pack("{s:o,s:s,s:o,s:o,s:o,s:o,s:I,s:o,s:I,s:o,s:I,s:o,s:o}",
	    "id", hex_json(row->id), "kind", kind_name(row->kind),
	    "origin", hex_json(row->origin),
	    "origin_local_name", local && *local ? json_string(local) : json_null(),
	    "origin_declared_name", declared && *declared ?
	    json_string(declared) : json_null(),
	    "key", hex_json(row->key),
	    "seq", (json_int_t)row->seq,
	    "zone", row->zone ? json_string(row->zone) : json_null(),
	    "ts", (json_int_t)row->ts,
	    "exp", row->has_exp ? json_integer(row->exp) : json_null(),
	    "received_at", (json_int_t)row->received_at,
	    "link", ln ? json_string(ln) : json_null(),
	    "envelope", env ? env : json_null());

	return o == NULL || json_array_append_new(c->arr, o) != 0 ? -1 : 0;
}

json_t *
api_store_events_json(struct store *s, const struct trust_index *tidx,
    const char *zone, int kind, long long since, int limit,
    const char *(*link_name)(void *, int), void *arg)
{
	struct store_events_filter f = { zone, kind, since, limit };
	struct events_ctx c = { json_array(), tidx, link_name, arg };
	char err[STORE_ERR_MAX];

	if (c.arr == NULL || store_events_each(s, &f, event_row, &c, err) != 0) {
		if (c.arr != NULL)
			log_err("%s", err);
		json_decref(c.arr);
		return NULL;
	}
	return json_pack("{s:I,s:o}", "count", (json_int_t)json_array_size(c.arr),
	    "events", c.arr);
}

static void
key_row(void *arg, const struct store_key_row *row)
{
	char hex[KEY_ID_HEX_LEN + 1];
	json_t *flags = json_array();

	if (row->flags & STORE_FLAG_EQUIVOCATION)
		json_array_append_new(flags, json_string("equivocation"));
	json_object_set_new(arg, encoding_hex_encode(row->key, KEY_ID_LEN, hex),
	    json_pack("{s:o,s:o,s:o,s:o}",
	    "origin", row->has_origin ? hex_json(row->origin) : json_null(),
	    "chain_head", row->head_seq > 0 ? json_pack("{s:I,s:o}", "seq",
	    (json_int_t)row->head_seq, "id", row->has_head_id ?
	    hex_json(row->head_id) : json_null()) : json_null(),
	    "last_heartbeat", row->has_heartbeat ?
	    json_integer(row->last_heartbeat) : json_null(),
	    "flags", flags));
}

json_t *
api_store_keys_json(struct store *s)
{
	json_t *obj = json_object();
	char err[STORE_ERR_MAX];

	if (obj == NULL || store_keys_each(s, key_row, obj, err) != 0) {
		if (obj != NULL)
			log_err("%s", err);
		json_decref(obj);
		return NULL;
	}
	return obj;
}
