/*
 * relay/core/expiry.c — the relay's certificate and its operator's
 * vouches, ending (expiry.h).
 */
#include <stdlib.h>
#include <string.h>

#include "proto/encoding.h"
#include "relay/core/clock.h"
#include "relay/core/expiry.h"
#include "relay/core/log.h"
#include "trustdb/explain.h"

struct expiry_vouch {
	char op[17];                 /* the voucher: 16 hex digits */
	long long exp;
};

struct expiry {
	struct metrics *metrics;
	unsigned char key[KEY_ID_LEN], origin[KEY_ID_LEN];
	bool has_cert;
	long long cert_end;          /* the certificate window's end */
	struct expiry_vouch vouches[EXPIRY_VOUCHES_MAX];
	size_t nvouches;
};

static void
collect(void *ctx, struct buf *out)
{
	struct expiry *x = ctx;
	long long now = relay_now();

	metrics_family(out, "ntarelay_cert_expiry_seconds", "gauge",
	    "Seconds until the certificate of the relay's key ends (negative: "
	    "ended); absent for a root key.");
	if (x->has_cert)
		buf_printf(out, "ntarelay_cert_expiry_seconds %lld\n",
		    x->cert_end - now);
	metrics_family(out, "ntarelay_vouch_expiry_seconds", "gauge",
	    "Seconds until each vouch that counts for the relay's operator "
	    "expires, by voucher operator.");
	for (size_t i = 0; i < x->nvouches; i++)
		metrics_sample(out, "ntarelay_vouch_expiry_seconds", "operator",
		    x->vouches[i].op, x->vouches[i].exp - now);
}

struct expiry *
expiry_new(struct metrics *m, const unsigned char key[KEY_ID_LEN],
    const unsigned char origin[KEY_ID_LEN])
{
	struct expiry *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return NULL;
	x->metrics = m;
	memcpy(x->key, key, KEY_ID_LEN);
	memcpy(x->origin, origin, KEY_ID_LEN);
	if (metrics_collector_add(m, collect, x) != 0) {
		log_err("metrics: no room for the expiry collector");
		free(x);
		return NULL;
	}
	return x;
}

void
expiry_free(struct expiry *x)
{
	if (x == NULL)
		return;
	metrics_collector_del(x->metrics, collect, x);
	free(x);
}

/* The certificate window of the relay's key for its operator. */
static void
cert_window(struct expiry *x, const struct trust_membership *mem)
{
	size_t ki = trust_membership_key(mem, x->key);
	size_t op = trust_membership_op(mem, x->origin);
	const struct trust_keystate *k;

	x->has_cert = false;
	if (ki == TRUST_NONE || op == TRUST_NONE)
		return;
	k = &mem->keys[ki];
	for (size_t i = 0; i < k->ngrants; i++) {
		const struct trust_grant *g = &mem->grants[k->grant0 + i];
		if (g->op == op && !g->root && g->not_after < TRUST_FOREVER) {
			x->has_cert = true;
			x->cert_end = g->not_after;
		}
	}
}

void
expiry_update(struct expiry *x, const struct trust_records *r,
    const struct trust_membership *mem, long long now)
{
	struct trust_explanation *e = NULL;
	char reason[256], hex[KEY_ID_HEX_LEN + 1];

	cert_window(x, mem);
	/* the operator's root key: its explanation lists the vouches */
	if (trust_explain(r, mem, x->origin, now, &e, reason) != TRUSTDB_OK) {
		log_warn("metrics: vouch expiries not updated: %s", reason);
		return;
	}
	x->nvouches = 0;
	for (size_t i = 0; i < e->nfacts && x->nvouches < EXPIRY_VOUCHES_MAX; i++) {
		const struct trust_fact *f = &e->facts[i];
		if (f->kind != TRUST_FACT_VOUCH || !f->counts)
			continue;
		encoding_hex_encode(f->who, KEY_ID_LEN, hex);
		memcpy(x->vouches[x->nvouches].op, hex, 16);
		x->vouches[x->nvouches].op[16] = '\0';
		x->vouches[x->nvouches].exp = f->t2;
		x->nvouches++;
	}
	trust_explanation_free(e);
}
