/*
 * tests/unit/storeutil.c — see storeutil.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proto/accept.h"
#include "proto/encoding.h"
#include "proto/envelope.h"
#include "proto/kind.h"
#include "tests/unit/storeutil.h"
#include "tests/unit/testutil.h"

static char dir[64];

int
su_sign(json_t *obj, const struct key_secret *sk, struct event **ev,
    char **raw, size_t *rawlen)
{
	const char *kind = json_string_value(json_object_get(obj, "kind"));
	const char *type = kind_payload_type(kind_from_name(kind ? kind : ""));
	char *payload = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	char reason[PROTO_REASON_MAX];
	struct envelope *env = NULL;
	int rc = -1;

	json_decref(obj);
	*ev = NULL;
	if (payload && envelope_sign(type, (unsigned char *)payload,
	    strlen(payload), sk, raw, rawlen, &env, reason) == PROTO_OK &&
	    event_parse(env, ev, reason) == PROTO_OK)
		rc = 0;
	else
		fprintf(stderr, "su_sign: %s\n", reason);
	envelope_free(env);
	free(payload);
	return rc;
}

json_t *
su_header(const char *kind, const struct key_secret *signer, long long seq,
    const struct event *prev, long long dts, long long life)
{
	char h[KEY_ID_HEX_LEN + 1];
	long long ts = (long long)time(NULL) + dts;

	return tu_header(kind, signer, signer, seq, prev ?
	    encoding_hex_encode(prev->id, KEY_ID_LEN, h) : NULL, ts,
	    life ? ts + life : 0);
}

json_t *
su_observation(const struct key_secret *signer, long long seq,
    const struct event *prev, bool bogus, long long life)
{
	json_t *o = tu_observation(signer, signer), *h = su_header("observation",
	    signer, seq, prev, -1, life);

	/* testutil's observation, with this header */
	json_object_update(o, h);
	json_decref(h);
	if (!bogus) {
		json_object_set_new(o, "state", json_string("secure"));
		json_object_set_new(o, "rcode", json_integer(0));
		json_object_set_new(o, "reason", json_string("validated"));
		json_object_set_new(o, "fingerprint", json_null());
	}
	return o;
}

json_t *
su_assessment(const struct key_secret *signer, long long seq,
    const struct event *prev, long long life, long lifetime)
{
	json_t *o = su_header("assessment", signer, seq, prev, -1, life);

	json_object_set_new(o, "zone", json_string("de."));
	json_object_set_new(o, "verdict", json_string("accident"));
	json_object_set_new(o, "recommend_nta", json_true());
	json_object_set_new(o, "lifetime", json_integer(lifetime));
	return o;
}

json_t *
su_withdraw(const struct key_secret *signer, long long seq,
    const struct event *prev, const struct event *target)
{
	json_t *o = su_header("withdraw", signer, seq, prev, -1, 86400);
	char h[KEY_ID_HEX_LEN + 1];

	json_object_set_new(o, "target", json_string(encoding_hex_encode(
	    target->id, KEY_ID_LEN, h)));
	return o;
}

struct event *
su_put(struct store *s, json_t *obj, const struct key_secret *sk,
    const int *outbox, size_t noutbox, char *err)
{
	struct event *ev;
	char *raw;
	size_t len;
	struct store_put p;

	if (su_sign(obj, sk, &ev, &raw, &len) != 0) {
		snprintf(err, STORE_ERR_MAX, "signing failed");
		return NULL;
	}
	memset(&p, 0, sizeof(p));
	p.ev = ev;
	p.raw = raw;
	p.rawlen = len;
	p.result = ACCEPT_OK;
	p.link = STORE_LINK_OWN;
	p.received_at = (long long)time(NULL);
	p.outbox = outbox;
	p.noutbox = noutbox;
	if (store_put(s, &p, err) != 0) {
		event_free(ev);
		ev = NULL;
	}
	free(raw);
	return ev;
}

struct store *
su_store(void)
{
	char path[128], err[STORE_ERR_MAX];
	struct store *s = NULL;

	snprintf(dir, sizeof(dir), "/tmp/ntarelay-unit.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return NULL;
	snprintf(path, sizeof(path), "%s/store.db", dir);
	if (store_open(path, &s, err) != 0) {
		fprintf(stderr, "su_store: %s\n", err);
		return NULL;
	}
	return s;
}

void
su_store_close(struct store *s)
{
	char path[160];
	static const char *const suffix[] = { "", "-wal", "-shm", NULL };

	store_close(s);
	for (int i = 0; suffix[i]; i++) {
		snprintf(path, sizeof(path), "%s/store.db%s", dir, suffix[i]);
		unlink(path);
	}
	rmdir(dir);
}
