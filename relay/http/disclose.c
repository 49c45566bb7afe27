/*
 * relay/http/disclose.c — GET /v1/ntas, the NTA disclosure (see
 * disclose.h): the relay's decisions of the window, oldest first, cut
 * into the stretches that said nta_recommended.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/encoding.h"
#include "proto/envelope.h"
#include "relay/core/log.h"
#include "relay/http/disclose.h"
#include "relay/store/store_disclose.h"

struct dctx {
	struct store *st;
	json_t *entries;      /* every stretch, in the order it began */
	json_t *open;         /* zone -> its stretch while nta_recommended */
	size_t read;          /* decisions read */
	bool zones_cut;       /* more zones had incidents than were read */
};

static json_t *
hexj(const unsigned char id[KEY_ID_LEN])
{
	char h[KEY_ID_HEX_LEN + 1];

	return json_string(encoding_hex_encode(id, KEY_ID_LEN, h));
}

/* The payload of the envelope bytes raw (new), its id in id. */
static json_t *
payload_of(const char *raw, size_t len, unsigned char id[KEY_ID_LEN])
{
	struct envelope *env = NULL;
	json_t *p;

	if (envelope_parse(raw, len, &env, NULL) != PROTO_OK)
		return NULL;
	p = json_loadb((const char *)env->payload, env->payload_len, 0, NULL);
	memcpy(id, env->id, KEY_ID_LEN);
	envelope_free(env);
	return p;
}

/* The proof list of a stretch: its first and its last decisions, at most
 * DISCLOSE_PROOF_MAX in all (the ones between are counted, not shown). */
static void
proof_close(json_t *entry)
{
	json_t *proof = json_object_get(entry, "proof");
	json_t *all = json_object_get(proof, "envelopes");
	size_t n = json_array_size(all), head = DISCLOSE_PROOF_MAX / 2;

	json_object_set_new(proof, "count", json_integer((json_int_t)n));
	json_object_set_new(proof, "truncated", json_boolean(n > DISCLOSE_PROOF_MAX));
	if (n <= DISCLOSE_PROOF_MAX)
		return;
	while (json_array_size(all) > DISCLOSE_PROOF_MAX)
		json_array_remove(all, head);
}

/* Why the stretch began: the verdicts and notes of the assessments the
 * first recommending decision names (at most DISCLOSE_NOTES_MAX read). */
static void
reasons(struct dctx *c, json_t *entry, const json_t *dec)
{
	json_t *notes = json_array(), *op, *ev;
	size_t i, j, looked = 0;
	char text[512];

	json_array_foreach(json_object_get(dec, "operators"), i, op) {
		json_array_foreach(json_object_get(op, "events"), j, ev) {
			unsigned char id[KEY_ID_LEN], got[KEY_ID_LEN];
			const char *hex = json_string_value(ev);
			char *raw = NULL;
			size_t len = 0;
			json_t *p;

			if (looked >= DISCLOSE_NOTES_MAX || hex == NULL ||
			    encoding_hex_decode(hex, id, KEY_ID_LEN) != 0)
				continue;
			looked++;
			if (store_lookup(c->st, id, NULL, NULL, 0, &raw, &len) != 1) {
				free(raw);
				continue;
			}
			p = payload_of(raw, len, got);
			free(raw);
			if (p && strcmp(json_string_value(json_object_get(p, "kind")) ?
			    json_string_value(json_object_get(p, "kind")) : "",
			    "assessment") == 0 &&
			    json_is_true(json_object_get(p, "recommend_nta"))) {
				json_array_append_new(notes, json_pack("{s:O,s:s,s:O?,s:O?}",
				    "origin", json_object_get(p, "origin"), "event", hex,
				    "verdict", json_object_get(p, "verdict"),
				    "note", json_object_get(p, "note")));
			}
			json_decref(p);
		}
	}
	if (json_array_size(notes) > 0)
		snprintf(text, sizeof(text), "a quorum of the federation's "
		    "operators judged the failure an accident and recommended a "
		    "negative trust anchor (RFC 7646); %zu recommending "
		    "assessment%s named by the relay's decision",
		    json_array_size(notes), json_array_size(notes) == 1 ? "" : "s");
	else
		snprintf(text, sizeof(text), "a quorum of the federation's "
		    "operators judged the failure an accident and recommended a "
		    "negative trust anchor (RFC 7646)");
	json_object_set_new(entry, "reason", json_string(text));
	json_object_set_new(entry, "assessments", notes);
}

static json_t *
entry_new(struct dctx *c, const char *zone, const json_t *dec)
{
	json_t *e = json_pack("{s:s,s:O?,s:O,s:n,s:b,s:O?,s:O,s:{s:[]}}",
	    "zone", zone, "incident", json_object_get(dec, "incident"),
	    "from", json_object_get(dec, "since"), "until", "active", 1,
	    "lifetime", json_object_get(dec, "lifetime"),
	    "fingerprints", json_object_get(dec, "fingerprints"),
	    "proof", "envelopes");

	if (e != NULL)
		reasons(c, e, dec);
	return e;
}

/* One decision of the window, oldest first. */
static void
decision(void *arg, const char *raw, size_t len)
{
	struct dctx *c = arg;
	unsigned char id[KEY_ID_LEN];
	json_t *p = payload_of(raw, len, id), *env, *e, *proof;
	const char *zone = json_string_value(json_object_get(p, "zone"));
	const char *state = json_string_value(json_object_get(p, "state"));
	bool rec;

	c->read++;
	if (p == NULL || zone == NULL || state == NULL) {
		json_decref(p);
		return;
	}
	rec = strcmp(state, "nta_recommended") == 0;
	e = json_object_get(c->open, zone);
	if (e != NULL && rec && !json_equal(json_object_get(e, "incident"),
	    json_object_get(p, "incident")) && json_object_get(p, "incident")) {
		/* another incident recommended at once: a new stretch */
		json_object_set(e, "until", json_object_get(p, "since"));
		json_object_set_new(e, "active", json_false());
		proof_close(e);
		json_object_del(c->open, zone);
		e = NULL;
	}
	if (e == NULL && rec) {
		if ((e = entry_new(c, zone, p)) == NULL ||
		    json_array_append_new(c->entries, e) != 0) {
			json_decref(p);
			return;
		}
		json_object_set(c->open, zone, e);
	}
	if (e != NULL) {
		env = json_loadb(raw, len, 0, NULL);
		proof = json_object_get(json_object_get(e, "proof"), "envelopes");
		json_array_append_new(proof, json_pack("{s:o,s:O,s:s,s:o}",
		    "id", hexj(id), "ts", json_object_get(p, "ts"),
		    "state", state, "envelope", env ? env : json_null()));
		if (rec && json_object_get(p, "lifetime"))
			json_object_set(e, "lifetime", json_object_get(p, "lifetime"));
		if (!rec) {
			json_object_set(e, "until", json_object_get(p, "since"));
			json_object_set_new(e, "active", json_false());
			proof_close(e);
			json_object_del(c->open, zone);
		}
	}
	json_decref(p);
}

static int
by_recency(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int ax = json_is_true(json_object_get(x, "active"));
	int ay = json_is_true(json_object_get(y, "active"));
	json_int_t fx = json_integer_value(json_object_get(x, "from"));
	json_int_t fy = json_integer_value(json_object_get(y, "from"));

	if (ax != ay)
		return ay - ax;
	return fx > fy ? -1 : fx < fy;
}

/* Current stretches first, then the newest; at most DISCLOSE_ENTRIES_MAX. */
static json_t *
ordered(json_t *entries, bool *cut)
{
	size_t n = json_array_size(entries), i;
	json_t **v = calloc(n ? n : 1, sizeof(*v)), *out = json_array();

	*cut = n > DISCLOSE_ENTRIES_MAX;
	if (v == NULL || out == NULL) {
		free(v);
		json_decref(out);
		return NULL;
	}
	for (i = 0; i < n; i++)
		v[i] = json_array_get(entries, i);
	qsort(v, n, sizeof(*v), by_recency);
	for (i = 0; i < n && i < DISCLOSE_ENTRIES_MAX; i++)
		json_array_append(out, v[i]);
	free(v);
	return out;
}

static void
zone_cb(void *arg, const char *zone)
{
	if (zone != NULL)
		json_array_append_new(arg, json_string(zone));
}

/* The zones with an incident in the window, then each one's decisions,
 * oldest first, within the budget of DISCLOSE_DECISIONS_MAX. */
static int
read_decisions(struct dctx *c, const unsigned char origin[KEY_ID_LEN],
    long long start, char *err)
{
	json_t *zones = json_array(), *z;
	size_t i;
	int rc = 0;

	if (zones == NULL ||
	    store_incident_zones_since(c->st, start, DISCLOSE_ENTRIES_MAX * 4,
	    zone_cb, zones, err) < 0) {
		json_decref(zones);
		return -1;
	}
	c->zones_cut = json_array_size(zones) >= DISCLOSE_ENTRIES_MAX * 4;
	json_array_foreach(zones, i, z) {
		if (c->read >= DISCLOSE_DECISIONS_MAX)
			break;
		if (store_decisions_since(c->st, json_string_value(z), origin,
		    start, (long)(DISCLOSE_DECISIONS_MAX - c->read), decision, c,
		    err) < 0) {
			rc = -1;
			break;
		}
	}
	json_decref(zones);
	return rc;
}

json_t *
disclose_json(struct store *st, const unsigned char origin[KEY_ID_LEN],
    const char *net, long long now, long retention)
{
	struct dctx c = { st, json_array(), json_object(), 0, false };
	long long asked = now - (long long)DISCLOSE_DAYS * 86400, start = asked;
	char err[STORE_ERR_MAX] = "out of memory";
	const char *zone;
	json_t *e, *list, *doc = NULL;
	bool cut = false;

	/* pruned: what expired more than retention ago; a decision signed
	 * within it is surely held */
	if (retention > 0 && now - retention > start)
		start = now - retention;
	if (c.entries == NULL || c.open == NULL ||
	    read_decisions(&c, origin, start, err) < 0) {
		log_err("GET /v1/ntas: %s", err);
		goto out;
	}
	json_object_foreach(c.open, zone, e)
		proof_close(e);
	if ((list = ordered(c.entries, &cut)) == NULL)
		goto out;
	doc = json_pack("{s:o,s:s,s:I,s:I,s:I,s:i,s:b,s:b,s:I,s:o,s:o}",
	    "relay", hexj(origin), "net", net, "generated_at", (json_int_t)now,
	    "window_start", (json_int_t)start, "requested_start",
	    (json_int_t)asked, "window_days", DISCLOSE_DAYS,
	    "limited_by_retention", start > asked,
	    "truncated", cut || c.zones_cut || c.read >= DISCLOSE_DECISIONS_MAX,
	    "count", (json_int_t)json_array_size(list), "entries", list,
	    "limits", json_pack("{s:i,s:i,s:i}", "entries", DISCLOSE_ENTRIES_MAX,
	    "envelopes_per_entry", DISCLOSE_PROOF_MAX, "decisions",
	    DISCLOSE_DECISIONS_MAX));
out:
	json_decref(c.entries);
	json_decref(c.open);
	return doc;
}
