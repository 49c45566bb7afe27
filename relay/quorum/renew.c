/*
 * relay/quorum/renew.c — keep the operator's assessments alive for the lifetime
 * its staff asked for.
 *
 * An assessment event lives at most 6 hours (PROTOCOL.md 6.2, the kind's
 * maximum), but recommends an NTA for up to 7 days (`lifetime`). When an
 * assessment this relay signed is about to expire while its lifetime runs
 * on, the relay signs it again: the same zone, verdict, recommendation,
 * note and refs, `lifetime` the time still left (so that ts + lifetime, the
 * end the staff asked for, stays the same), and `x_renewal_of` the id of
 * the assessment first submitted (an extension member: signed, ignored by
 * the protocol). It stops when the lifetime ends, when a newer assessment
 * of the same operator for the zone exists (whoever signed it), or when
 * the assessment or the one it renews was withdrawn. Withdrawing the
 * submitted assessment withdraws its live renewals too (renew_withdrawn).
 *
 * Runs on the loop thread; a check a minute.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/encoding.h"
#include "proto/envelope.h"
#include "relay/core/clock.h"
#include "relay/core/log.h"
#include "relay/quorum/renew.h"
#include "relay/store/store_zone.h"

#define RENEW_TICK_MS (60 * 1000)
#define RENEW_AHEAD 900          /* re-sign when less than this is left */
#define RENEW_MIN 60             /* the smallest lifetime an assessment takes */

struct renew {
	struct renew_deps d;
	long timer;                  /* 0: none */
};

typedef void (*each_cb)(struct renew *rn, struct event *ev, void *arg);

struct each_ctx {
	struct renew *rn;
	each_cb cb;
	void *arg;
};

static void
each_row(void *arg, const char *raw, size_t len)
{
	struct each_ctx *c = arg;
	char reason[PROTO_REASON_MAX];
	struct envelope *env = NULL;
	struct event *ev = NULL;

	if (envelope_parse(raw, len, &env, reason) == PROTO_OK &&
	    event_parse(env, &ev, reason) == PROTO_OK)
		c->cb(c->rn, ev, c->arg);
	event_free(ev);
	envelope_free(env);
}

/* Every live assessment signed by this relay's key (of zone, or any),
 * newest first, parsed. */
static void
each_own(struct renew *rn, const char *zone, each_cb cb, void *arg)
{
	struct each_ctx c = { rn, cb, arg };
	char err[STORE_ERR_MAX];

	if (store_assessments_of_key(rn->d.store, rn->d.key, zone, relay_now(),
	    each_row, &c, err) < 0)
		log_err("renew: %s", err);
}

/* The id of the assessment first submitted: x_renewal_of, or its own. */
static void
original_of(const struct event *ev, unsigned char out[KEY_ID_LEN])
{
	const char *o = event_str(ev, "x_renewal_of");

	if (o == NULL || encoding_hex_decode(o, out, KEY_ID_LEN) != 0)
		memcpy(out, ev->id, KEY_ID_LEN);
}

struct seen {
	char zones[64][ZONE_TEXT_MAX + 1];
	size_t n;
};

static int
sign(struct renew *rn, enum kind kind, json_t *fields, long lifetime,
    char *why, size_t whylen)
{
	if (rn->d.signer.sign == NULL) {
		json_decref(fields);
		snprintf(why, whylen, "no signer");
		return -1;
	}
	return rn->d.signer.sign(rn->d.signer.ctx, kind, fields, lifetime, NULL,
	    why, whylen);
}

static void
renew_one(struct renew *rn, struct event *ev, void *arg)
{
	struct seen *s = arg;
	unsigned char orig[KEY_ID_LEN];
	char orighex[KEY_ID_HEX_LEN + 1], why[PROTO_REASON_MAX];
	long long now = relay_now(), end, left;
	const char *note;
	json_t *f, *refs;
	size_t i;

	/* newest first: only the newest of each zone is considered */
	for (i = 0; i < s->n; i++)
		if (strcmp(s->zones[i], ev->zone) == 0)
			return;
	if (s->n < sizeof(s->zones) / sizeof(s->zones[0]))
		snprintf(s->zones[s->n++], sizeof(s->zones[0]), "%s", ev->zone);
	end = ev->ts + event_int(ev, "lifetime");
	left = end - now;
	if (end <= ev->exp || ev->exp - now > RENEW_AHEAD || left < RENEW_MIN)
		return;     /* ends with the event, not due yet, or over */
	original_of(ev, orig);
	if (store_withdrawn(rn->d.store, ev->id, ev->origin) ||
	    store_withdrawn(rn->d.store, orig, ev->origin) ||
	    store_assessment_superseded(rn->d.store, ev))
		return;
	refs = json_array();
	for (i = 0; i < ev->nrefs; i++) {
		char h[KEY_ID_HEX_LEN + 1];
		json_array_append_new(refs, json_string(encoding_hex_encode(
		    ev->refs[i], KEY_ID_LEN, h)));
	}
	encoding_hex_encode(orig, KEY_ID_LEN, orighex);
	f = json_pack("{s:s,s:s,s:b,s:I,s:o,s:s}", "zone", ev->zone,
	    "verdict", event_str(ev, "verdict"),
	    "recommend_nta", event_bool(ev, "recommend_nta"),
	    "lifetime", (json_int_t)left, "refs", refs, "x_renewal_of", orighex);
	if ((note = event_str(ev, "note")) != NULL)
		json_object_set_new(f, "note", json_string(note));
	why[0] = '\0';
	if (sign(rn, KIND_ASSESSMENT, f, left < kind_max_lifetime(
	    KIND_ASSESSMENT) ? (long)left : (long)kind_max_lifetime(KIND_ASSESSMENT),
	    why, sizeof(why)) != 0)
		log_err("renew: assessment of %s (%.16s...): %s", ev->zone, orighex,
		    why[0] ? why : "not signed");
	else
		log_info("renew: assessment of %s re-signed (%.16s..., %lld s left)",
		    ev->zone, orighex, left);
}

static void
tick(void *arg)
{
	struct renew *rn = arg;
	struct seen s = { .n = 0 };

	rn->timer = loop_timer_add(rn->d.loop, RENEW_TICK_MS, tick, rn);
	/* what is due now is due at the first tick the store writes again */
	if (rn->d.writable && !rn->d.writable(rn->d.ctx))
		return;
	if (rn->d.signer.begin)
		rn->d.signer.begin(rn->d.signer.ctx);
	each_own(rn, NULL, renew_one, &s);
}

struct renew *
renew_new(const struct renew_deps *deps)
{
	struct renew *rn = calloc(1, sizeof(*rn));

	if (rn != NULL)
		rn->d = *deps;
	return rn;
}

void
renew_free(struct renew *rn)
{
	if (rn == NULL)
		return;
	if (rn->timer)
		loop_timer_cancel(rn->d.loop, rn->timer);
	free(rn);
}

void
renew_start(struct renew *rn)
{
	rn->timer = loop_timer_add(rn->d.loop, 5000, tick, rn);
}

struct wd_ctx {
	unsigned char target[KEY_ID_LEN];
};

static void
withdraw_renewal(struct renew *rn, struct event *ev, void *arg)
{
	struct wd_ctx *c = arg;
	unsigned char orig[KEY_ID_LEN];
	char h[KEY_ID_HEX_LEN + 1], why[PROTO_REASON_MAX] = "";

	original_of(ev, orig);
	if (memcmp(orig, c->target, KEY_ID_LEN) != 0 ||
	    memcmp(ev->id, c->target, KEY_ID_LEN) == 0 ||
	    store_withdrawn(rn->d.store, ev->id, ev->origin))
		return;
	if (sign(rn, KIND_WITHDRAW, json_pack("{s:s,s:s}", "target",
	    encoding_hex_encode(ev->id, KEY_ID_LEN, h), "note",
	    "withdrawn with the assessment it renews"), 7 * 86400, why,
	    sizeof(why)) == 0)
		log_info("renew: withdrew the renewal %s with its original", h);
	else
		log_err("renew: withdrawing the renewal %s: %s", h,
		    why[0] ? why : "not signed");
}

void
renew_withdrawn(struct renew *rn, const char *target_hex)
{
	struct wd_ctx c;
	char zone[ZONE_TEXT_MAX + 1];

	if (rn == NULL || encoding_hex_decode(target_hex, c.target, KEY_ID_LEN) != 0 ||
	    store_lookup(rn->d.store, c.target, NULL, zone, sizeof(zone), NULL,
	    NULL) != 1 || zone[0] == '\0')
		return;
	each_own(rn, zone, withdraw_renewal, &c);
}
