/*
 * relay/fed/observer.c — see observer.h.
 */
#include <stddef.h>

#include "relay/fed/observer.h"

int
observers_add(struct observers *os, const struct observer *ob)
{
	if (os->n >= OBSERVERS_MAX)
		return -1;
	os->o[os->n++] = *ob;
	return 0;
}

void
observers_event(const struct observers *os, const struct event *ev)
{
	for (size_t i = 0; i < os->n; i++)
		if (os->o[i].event)
			os->o[i].event(os->o[i].ctx, ev);
}

void
observers_flagged(const struct observers *os, const unsigned char origin[KEY_ID_LEN])
{
	for (size_t i = 0; i < os->n; i++)
		if (os->o[i].flagged)
			os->o[i].flagged(os->o[i].ctx, origin);
}

void
observers_flush(const struct observers *os)
{
	for (size_t i = 0; i < os->n; i++)
		if (os->o[i].flush)
			os->o[i].flush(os->o[i].ctx);
}

void
observers_committed(const struct observers *os)
{
	for (size_t i = 0; i < os->n; i++)
		if (os->o[i].committed)
			os->o[i].committed(os->o[i].ctx);
}

void
observers_rolled_back(const struct observers *os)
{
	for (size_t i = 0; i < os->n; i++)
		if (os->o[i].rolled_back)
			os->o[i].rolled_back(os->o[i].ctx);
}
