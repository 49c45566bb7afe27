/*
 * relay/core/clock.h — the relay's one wall clock.
 *
 * Every module asks relay_now() for the time it compares with event
 * timestamps and expiries, so that a test build or a fuzz target can
 * replace this one function (tests/unit/mattermost_fixture.h does).
 */
#ifndef NTARELAY_RELAY_CORE_CLOCK_H
#define NTARELAY_RELAY_CORE_CLOCK_H

/* Unix time, in seconds. */
long long relay_now(void);

#endif
