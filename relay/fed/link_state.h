/*
 * relay/fed/link_state.h — what one MQTT link (relay/fed/link.h) says about
 * its health: its phase (connecting, up, down, paused) and since when, why
 * it is down (a cause class and the text behind it), when it tries again,
 * and the log lines that report a change. Also the classification of
 * connection errors into causes.
 *
 * Log contract (docs/OPERATIONS.md, "Links"; tests/integration/linkstate.sh
 * matches these lines):
 *   - a link that fails to connect (at the start, or after it was up)
 *     logs ONE line at warning:
 *       link URL: down: CAUSE (DETAIL); next retry at 2026-..Z (in N s)
 *     and then nothing more while it keeps failing for the same cause,
 *     however many retries that takes;
 *   - a different cause while still down logs one more line at warning:
 *       link URL: still down, now CAUSE (DETAIL); next retry at ..Z (in N s)
 *   - coming back logs one line at notice:
 *       link URL: up again after N s down (CAUSE: DETAIL)
 *   - a connection lost while up logs nothing by itself: the attempt that
 *     follows (at once, the backoff restarts at its minimum) says why the
 *     link stays down (a broker that stopped: "refused"), or the link is
 *     up again and says so (a flap: one "up again" line, naming the loss).
 * CAUSE is one of the names link_cause_name() gives. DETAIL is the
 * system's or libmosquitto's own text; it never holds a secret (no
 * password, no key). Times are UTC, to the second.
 *
 * Plain data over relay_now() (relay/core/clock.h); loop thread only.
 */
#ifndef NTARELAY_RELAY_LINK_STATE_H
#define NTARELAY_RELAY_LINK_STATE_H

#include <stdbool.h>
#include <stddef.h>

enum link_cause {
	LINK_CAUSE_NONE = 0,
	LINK_CAUSE_LOST,     /* an established connection ended; why the link
	                        stays down is learnt at the next attempt */
	LINK_CAUSE_REFUSED,  /* TCP connection refused: nothing listens */
	LINK_CAUSE_TLS,      /* TLS certificate verification: wrong CA, name
	                        mismatch, expired */
	LINK_CAUSE_AUTH,     /* CONNACK: not authorised, bad user name or
	                        password, banned */
	LINK_CAUSE_DNS,      /* the broker's name does not resolve */
	LINK_CAUSE_TIMEOUT,  /* connect or keepalive timed out */
	LINK_CAUSE_OTHER,    /* anything else: DETAIL says what */
};

enum link_phase {
	LINK_PHASE_CONNECTING = 0, /* started or resumed, no outcome yet */
	LINK_PHASE_UP,
	LINK_PHASE_DOWN,
	LINK_PHASE_PAUSED,         /* on purpose (relay/fed/storefault.h) */
};

#define LINK_STATE_DETAIL_MAX 160

struct link_state {
	const char *url;             /* borrowed: the link's URL */
	enum link_phase phase;
	long long since;             /* unix s: when the phase began */
	enum link_cause cause;       /* DOWN: the last failure's */
	char detail[LINK_STATE_DETAIL_MAX]; /* its text */
	enum link_cause logged;      /* DOWN: the cause last logged in this
	                                down period; NONE: none logged yet */
	long long next_retry;        /* unix s of the next attempt; 0: none
	                                scheduled */
};

/* "refused", "TLS verification", "authorisation", "DNS", "timeout",
 * "connection lost", "other"; "" for NONE. */
const char *link_cause_name(enum link_cause c);
/* "connecting", "up", "down", "paused". */
const char *link_phase_name(enum link_phase p);

/* A connect() or socket error (errno value). */
enum link_cause link_cause_errno(int err);
/* A refused CONNACK: MQTT v5 reason code (v5) or 3.1.1 return code. */
enum link_cause link_cause_connack(int rc, bool v5);
/* A TLS failure, from the text libmosquitto logged for it (OpenSSL's
 * error string), "" when it logged none. */
enum link_cause link_cause_tls(const char *text);

/* CONNECTING since now. */
void link_state_init(struct link_state *s, const char *url, long long now);
/* Connected: logs "up again" when it was DOWN. */
void link_state_up(struct link_state *s, long long now);
/*
 * An attempt failed, or the connection was lost (LINK_CAUSE_LOST), with
 * detail; the next attempt is in retry_ms (< 0: none). Logs as the
 * contract above says.
 */
void link_state_down(struct link_state *s, enum link_cause cause,
    const char *detail, long long now, long retry_ms);
/* Paused on purpose (link.c logs that itself). */
void link_state_paused(struct link_state *s, long long now);
/* Resumed: CONNECTING since now. */
void link_state_resumed(struct link_state *s, long long now);

/* "2026-12-05T11:30:00Z" into buf (at least 21 bytes). */
void link_state_utc(long long t, char *buf, size_t len);

#endif
