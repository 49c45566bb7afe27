/*
 * relay/fed/link_state.c — a link's phase, cause and log lines; see
 * link_state.h for the contract.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <mqtt_protocol.h>

#include "relay/core/log.h"
#include "relay/fed/link_state.h"

const char *
link_cause_name(enum link_cause c)
{
	switch (c) {
	case LINK_CAUSE_NONE: return "";
	case LINK_CAUSE_LOST: return "connection lost";
	case LINK_CAUSE_REFUSED: return "refused";
	case LINK_CAUSE_TLS: return "TLS verification";
	case LINK_CAUSE_AUTH: return "authorisation";
	case LINK_CAUSE_DNS: return "DNS";
	case LINK_CAUSE_TIMEOUT: return "timeout";
	case LINK_CAUSE_OTHER: break;
	}
	return "other";
}

const char *
link_phase_name(enum link_phase p)
{
	switch (p) {
	case LINK_PHASE_CONNECTING: return "connecting";
	case LINK_PHASE_UP: return "up";
	case LINK_PHASE_DOWN: return "down";
	case LINK_PHASE_PAUSED: break;
	}
	return "paused";
}

enum link_cause
link_cause_errno(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return LINK_CAUSE_REFUSED;
	case ETIMEDOUT:
		return LINK_CAUSE_TIMEOUT;
	default:
		return LINK_CAUSE_OTHER;
	}
}

enum link_cause
link_cause_connack(int rc, bool v5)
{
	if (!v5)   /* 4: bad user name or password, 5: not authorised */
		return rc == 4 || rc == 5 ? LINK_CAUSE_AUTH : LINK_CAUSE_OTHER;
	switch (rc) {
	case MQTT_RC_BAD_USERNAME_OR_PASSWORD:
	case MQTT_RC_NOT_AUTHORIZED:
	case MQTT_RC_BANNED:
	case MQTT_RC_BAD_AUTHENTICATION_METHOD:
		return LINK_CAUSE_AUTH;
	default:
		return LINK_CAUSE_OTHER;
	}
}

enum link_cause
link_cause_tls(const char *text)
{
	/* OpenSSL: "certificate verify failed" (unknown CA, expired, ...);
	 * libmosquitto: "host name verification failed" */
	if (text && (strstr(text, "verif") || strstr(text, "certificate")))
		return LINK_CAUSE_TLS;
	return LINK_CAUSE_OTHER;
}

void
link_state_utc(long long t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "@%lld", t);
}

void
link_state_init(struct link_state *s, const char *url, long long now)
{
	memset(s, 0, sizeof(*s));
	s->url = url;
	s->phase = LINK_PHASE_CONNECTING;
	s->since = now;
}

static void
set_detail(struct link_state *s, const char *detail)
{
	snprintf(s->detail, sizeof(s->detail), "%s", detail ? detail : "");
}

void
link_state_up(struct link_state *s, long long now)
{
	if (s->phase == LINK_PHASE_DOWN)
		log_notice("link %s: up again after %lld s down (%s%s%s)", s->url,
		    now - s->since, link_cause_name(s->cause),
		    s->detail[0] ? ": " : "", s->detail);
	s->phase = LINK_PHASE_UP;
	s->since = now;
	s->cause = LINK_CAUSE_NONE;
	s->logged = LINK_CAUSE_NONE;
	s->detail[0] = '\0';
	s->next_retry = 0;
}

void
link_state_down(struct link_state *s, enum link_cause cause,
    const char *detail, long long now, long retry_ms)
{
	char at[32] = "", retry[96] = "no retry scheduled";
	long in;

	if (cause == LINK_CAUSE_NONE || s->phase == LINK_PHASE_PAUSED)
		return;
	if (s->phase == LINK_PHASE_UP)
		s->since = now;   /* CONNECTING: down since it started */
	s->phase = LINK_PHASE_DOWN;
	set_detail(s, detail);
	s->cause = cause;
	s->next_retry = 0;
	if (retry_ms >= 0) {
		in = (retry_ms + 999) / 1000;
		s->next_retry = now + in;
		link_state_utc(s->next_retry, at, sizeof(at));
		snprintf(retry, sizeof(retry), "next retry at %s (in %ld s)", at, in);
	}
	/* every attempt, for -d (tests count them) */
	log_debug("link %s: %s: %s (%s); retrying in %ld ms", s->url,
	    cause == LINK_CAUSE_LOST ? "down" : "attempt failed",
	    link_cause_name(cause), s->detail, retry_ms);
	if (cause == LINK_CAUSE_LOST || cause == s->logged)
		return;
	if (s->logged == LINK_CAUSE_NONE)
		log_warn("link %s: down: %s (%s); %s", s->url, link_cause_name(cause),
		    s->detail[0] ? s->detail : "no detail", retry);
	else
		log_warn("link %s: still down, now %s (%s); %s", s->url,
		    link_cause_name(cause), s->detail[0] ? s->detail : "no detail",
		    retry);
	s->logged = cause;
}

void
link_state_paused(struct link_state *s, long long now)
{
	s->phase = LINK_PHASE_PAUSED;
	s->since = now;
	s->cause = LINK_CAUSE_NONE;
	s->logged = LINK_CAUSE_NONE;
	s->detail[0] = '\0';
	s->next_retry = 0;
}

void
link_state_resumed(struct link_state *s, long long now)
{
	if (s->phase != LINK_PHASE_PAUSED)
		return;
	s->phase = LINK_PHASE_CONNECTING;
	s->since = now;
}
