/*
 * relay/quorum/renew.h — keep the operator's assessments alive for the lifetime
 * its staff asked for (an assessment event lives at most 6 h; its NTA
 * recommendation up to 7 days). See renew.c.
 */
#ifndef NTARELAY_RELAY_RENEW_H
#define NTARELAY_RELAY_RENEW_H

#include "relay/relay.h"

/* Check every minute for assessments of ours that need signing again. */
void renew_start(struct relay *r);

/* The assessment target_hex (64 hex digits) was withdrawn through the
 * control socket: withdraw its live renewals too. */
void renew_withdrawn(struct relay *r, const char *target_hex);

#endif
