/*
 * proto/accept.c — acceptance rules (order documented in the header).
 */
#include <string.h>

#include "proto/accept.h"

enum accept_result
accept_event(const struct event *ev, const struct accept_chain *c,
    long long now, long long skew)
{
	long long max = kind_max_lifetime(ev->kind);

	if (c->has_at_seq)
		return memcmp(c->id_at_seq, ev->id, KEY_ID_LEN) == 0 ?
		    ACCEPT_DUPLICATE : ACCEPT_EQUIVOCATION;
	if (max > 0 && (!ev->has_exp || ev->exp - ev->ts > max))
		return ACCEPT_LIFETIME_TOO_LONG;
	if (ev->ts > now + skew)
		return ACCEPT_FUTURE;
	if (ev->has_exp && ev->exp <= now)
		return ACCEPT_EXPIRED;
	if (!c->has_head)
		return ev->seq > 1 ? ACCEPT_SEQ_GAP : ACCEPT_OK;
	if (ev->seq == c->head_seq + 1)
		return (ev->has_prev && memcmp(ev->prev, c->head_id, KEY_ID_LEN) == 0) ?
		    ACCEPT_OK : ACCEPT_EQUIVOCATION;
	if (ev->seq <= c->head_seq) {
		if (!c->seq_is_gap)
			return ACCEPT_STALE;
		if (c->has_below && (!ev->has_prev ||
		    memcmp(ev->prev, c->below_id, KEY_ID_LEN) != 0))
			return ACCEPT_EQUIVOCATION;
		if (c->has_above && memcmp(c->above_prev, ev->id, KEY_ID_LEN) != 0)
			return ACCEPT_EQUIVOCATION;
		return ACCEPT_OK;
	}
	return ACCEPT_SEQ_GAP;
}

bool
accept_is_accepted(enum accept_result r)
{
	return r == ACCEPT_OK || r == ACCEPT_SEQ_GAP;
}

static const char *const names[ACCEPT__COUNT] = {
	"accept", "seq_gap", "duplicate", "stale", "future", "expired",
	"lifetime_too_long", "equivocation"
};

const char *
accept_result_name(enum accept_result r)
{
	return (unsigned)r < ACCEPT__COUNT ? names[r] : "unknown";
}

enum proto_err
accept_result_err(enum accept_result r)
{
	switch (r) {
	case ACCEPT_OK:
	case ACCEPT_SEQ_GAP:
		return PROTO_OK;
	case ACCEPT_DUPLICATE:
		return PROTO_E_DUPLICATE;
	case ACCEPT_STALE:
		return PROTO_E_STALE;
	case ACCEPT_FUTURE:
		return PROTO_E_FUTURE;
	case ACCEPT_EXPIRED:
		return PROTO_E_EXPIRED;
	case ACCEPT_LIFETIME_TOO_LONG:
		return PROTO_E_LIFETIME_TOO_LONG;
	case ACCEPT_EQUIVOCATION:
		return PROTO_E_EQUIVOCATION;
	default:
		return PROTO_E_INVALID_ARG;
	}
}
