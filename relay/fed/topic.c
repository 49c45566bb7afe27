/*
 * relay/fed/topic.c — topic construction and checks; each kind's topic
 * layout is its row in relay/fed/kinds.c.
 */
#include <stdio.h>
#include <string.h>

#include "proto/encoding.h"
#include "relay/fed/kinds.h"
#include "relay/fed/topic.h"

bool
topic_retained(enum kind kind)
{
	return kinds_retained(kind);
}

/* The segment and the two parts after it come from the kind's row
 * (relay/fed/kinds.c). */
bool
topic_of_parts(const char *net, enum kind kind, const char *zone,
    const unsigned char origin[KEY_ID_LEN], const unsigned char key[KEY_ID_LEN],
    const unsigned char id[KEY_ID_LEN], char *buf, size_t cap)
{
	const struct kinds_row *row = kinds_get(kind);
	char o[KEY_ID_HEX_LEN + 1], k[KEY_ID_HEX_LEN + 1], i[KEY_ID_HEX_LEN + 1];
	const char *text[] = { [KINDS_ZONE] = zone, [KINDS_ORIGIN] = o,
	    [KINDS_KEY] = k, [KINDS_ID] = i };
	int n;

	if (row == NULL)
		return false;
	encoding_hex_encode(origin, KEY_ID_LEN, o);
	encoding_hex_encode(key, KEY_ID_LEN, k);
	encoding_hex_encode(id, KEY_ID_LEN, i);
	n = snprintf(buf, cap, TOPIC_PREFIX "%s/%s/%s/%s", net, row->segment,
	    text[row->part[0]], text[row->part[1]]);
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
topic_heads_subscriptions(const char *net, char bufs[2][256])
{
	snprintf(bufs[0], 256, TOPIC_PREFIX "%s/%s/#", net,
	    kinds_get(KIND_HEARTBEAT)->segment);
	snprintf(bufs[1], 256, TOPIC_PREFIX "%s/%s/#", net,
	    kinds_get(KIND_KEY_CERT)->segment);
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

/*
 * want and got are the same topic, but for a '.' of want that may arrive as
 * '/'. RabbitMQ's MQTT plugin (3.x) maps an MQTT topic to an AMQP routing
 * key ('/' to '.') and back ('.' to '/'), so the zone level of a topic
 * ("obs/example./ORIGIN") reaches a subscriber as "obs/example//ORIGIN"
 * (tests/integration/rabbitmq.sh). No other level holds a '.' (origins,
 * keys and ids are hex), so the topic still names this event's origin,
 * zone, key or id, and nothing else.
 */
static bool
same_topic(const char *want, const char *got)
{
	for (; *want && *got; want++, got++)
		if (*want != *got && !(*want == '.' && *got == '/'))
			return false;
	return *want == *got;
}

enum proto_err
topic_check(const char *net, const char *topic, const struct event *ev,
    char *reason)
{
	char want[TOPIC_MAX];

	if (!topic_of(net, ev, want, sizeof(want)) || !same_topic(want, topic))
		return proto_fail(reason, PROTO_E_TOPIC_MISMATCH,
		    "topic '%.200s' does not match the event (expected '%.200s')",
		    topic, want);
	return PROTO_OK;
}
