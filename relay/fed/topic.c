/*
 * relay/fed/topic.c — topic construction and checks.
 */
#include <stdio.h>
#include <string.h>

#include "proto/encoding.h"
#include "relay/fed/topic.h"

bool
topic_retained(enum kind kind)
{
	return kind != KIND_OBSERVATION;
}

bool
topic_of_parts(const char *net, enum kind kind, const char *zone,
    const unsigned char origin[KEY_ID_LEN], const unsigned char key[KEY_ID_LEN],
    const unsigned char id[KEY_ID_LEN], char *buf, size_t cap)
{
	char o[KEY_ID_HEX_LEN + 1], k[KEY_ID_HEX_LEN + 1], i[KEY_ID_HEX_LEN + 1];
	int n;

	encoding_hex_encode(origin, KEY_ID_LEN, o);
	encoding_hex_encode(key, KEY_ID_LEN, k);
	encoding_hex_encode(id, KEY_ID_LEN, i);
	switch (kind) {
	case KIND_OBSERVATION:
		n = snprintf(buf, cap, TOPIC_PREFIX "%s/obs/%s/%s", net, zone, o);
		break;
	case KIND_ASSESSMENT:
		n = snprintf(buf, cap, TOPIC_PREFIX "%s/asm/%s/%s", net, zone, o);
		break;
	case KIND_ZONE_STATEMENT:
		n = snprintf(buf, cap, TOPIC_PREFIX "%s/stmt/%s/%s", net, zone, o);
		break;
	case KIND_WITHDRAW:
		n = snprintf(buf, cap, TOPIC_PREFIX "%s/wd/%s/%s", net, o, i);
		break;
	case KIND_VOUCH:
	case KIND_UNVOUCH:
	case KIND_KEY_CERT:
	case KIND_KEY_REVOKE:
		n = snprintf(buf, cap, TOPIC_PREFIX "%s/trust/%s/%s", net, o, i);
		break;
	case KIND_HEARTBEAT:
		n = snprintf(buf, cap, TOPIC_PREFIX "%s/hb/%s/%s", net, o, k);
		break;
	case KIND_DECISION:
		n = snprintf(buf, cap, TOPIC_PREFIX "%s/decision/%s/%s", net, zone, k);
		break;
	default:
		return false;
	}
	return n > 0 && (size_t)n < cap;
}

bool
topic_of(const char *net, const struct event *ev, char *buf, size_t cap)
{
	return topic_of_parts(net, ev->kind, ev->zone, ev->origin, ev->key, ev->id,
	    buf, cap);
}

void
topic_subscription(const char *net, char *buf, size_t cap)
{
	snprintf(buf, cap, TOPIC_PREFIX "%s/#", net);
}

void
topic_equivocation(const char *net, const struct event *ev, char *buf, size_t cap)
{
	char o[KEY_ID_HEX_LEN + 1], k[KEY_ID_HEX_LEN + 1];

	snprintf(buf, cap, TOPIC_PREFIX "%s/eqv/%s/%s/%lld", net,
	    encoding_hex_encode(ev->origin, KEY_ID_LEN, o),
	    encoding_hex_encode(ev->key, KEY_ID_LEN, k), ev->seq);
}

bool
topic_is_equivocation(const char *net, const char *topic)
{
	char p[128];

	snprintf(p, sizeof(p), TOPIC_PREFIX "%s/eqv/", net);
	return strncmp(topic, p, strlen(p)) == 0;
}

enum proto_err
topic_check(const char *net, const char *topic, const struct event *ev,
    char *reason)
{
	char want[TOPIC_MAX];

	if (!topic_of(net, ev, want, sizeof(want)) || strcmp(want, topic) != 0)
		return proto_fail(reason, PROTO_E_TOPIC_MISMATCH,
		    "topic '%.200s' does not match the event (expected '%.200s')",
		    topic, want);
	return PROTO_OK;
}
