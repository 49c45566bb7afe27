/*
 * relay/fed/kinds.c — the relay's table of event kinds (kinds.h).
 */
#include <stddef.h>

#include "relay/fed/kinds.h"

#define Z KINDS_ZONE
#define O KINDS_ORIGIN
#define K KINDS_KEY
#define I KINDS_ID

static const struct kinds_row rows[KIND__COUNT] = {
	/*                     segment     parts    retained latest trust quorum submit quota */
	[KIND_OBSERVATION] =    { "obs",      { Z, O }, false, true,  false, true,  true,  true },
	[KIND_ASSESSMENT] =     { "asm",      { Z, O }, true,  true,  false, true,  true,  true },
	[KIND_ZONE_STATEMENT] = { "stmt",     { Z, O }, true,  true,  false, true,  true,  true },
	/* a withdrawal's zone is its target's, when held */
	[KIND_WITHDRAW] =       { "wd",       { O, I }, true,  false, false, true,  true,  false },
	[KIND_VOUCH] =          { "trust",    { O, I }, true,  false, true,  false, false, false },
	[KIND_UNVOUCH] =        { "trust",    { O, I }, true,  false, true,  false, false, false },
	[KIND_KEY_CERT] =       { "trust",    { O, I }, true,  false, true,  false, false, false },
	[KIND_KEY_REVOKE] =     { "trust",    { O, I }, true,  false, true,  false, false, false },
	[KIND_HEARTBEAT] =      { "hb",       { O, K }, true,  false, false, false, false, false },
	[KIND_DECISION] =       { "decision", { Z, K }, true,  true,  false, false, false, false },
};

const struct kinds_row *
kinds_get(enum kind k)
{
	if ((unsigned)k >= KIND__COUNT || rows[k].segment == NULL)
		return NULL;
	return &rows[k];
}

bool
kinds_retained(enum kind k)
{
	const struct kinds_row *r = kinds_get(k);

	return r != NULL && r->retained;
}

bool
kinds_is_trust(enum kind k)
{
	const struct kinds_row *r = kinds_get(k);

	return r != NULL && r->trust;
}

bool
kinds_quorum(enum kind k)
{
	const struct kinds_row *r = kinds_get(k);

	return r != NULL && r->quorum;
}

bool
kinds_submittable(enum kind k)
{
	const struct kinds_row *r = kinds_get(k);

	return r != NULL && r->submittable;
}

bool
kinds_zone_quota(enum kind k)
{
	const struct kinds_row *r = kinds_get(k);

	return r != NULL && r->zone_quota;
}
