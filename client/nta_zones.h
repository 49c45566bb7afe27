/*
 * client/nta_zones.h — a relay's per-zone decisions (GET /v1/zones), read
 * and checked for `ntactl nta`.
 *
 * The answer is checked as a whole before anything acts on it: one
 * malformed member refuses all of it, so a damaged or hostile answer can
 * neither add nor remove an NTA. Members this version does not know are
 * ignored (forward compatibility); a state it does not know counts as "not
 * recommended". This module never prints.
 */
#ifndef NTARELAY_CLIENT_NTA_ZONES_H
#define NTARELAY_CLIENT_NTA_ZONES_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/zone.h"

#define NTA_ZONES_MAX 100000        /* zones in one answer */
#define NTA_STATE_NAME_MAX 32       /* characters of a state name */
#define NTA_REASON_MAX 256          /* bytes kept of a reason */
#define NTA_DECISION_LIFETIME_MAX (366 * 86400LL)  /* sanity bound */
#define NTA_INCIDENT_MAX 64         /* hex digits of an incident id */

struct nta_decision {
	char zone[ZONE_TEXT_MAX + 1];            /* protocol form */
	char state[NTA_STATE_NAME_MAX + 1];      /* as the relay named it */
	bool recommended;                        /* state nta_recommended */
	long long lifetime;                      /* recommended only, else 0 */
	long long nta_until;                     /* recommended only, else 0 */
	char reason[NTA_REASON_MAX];             /* control characters as '?' */
	char incident[NTA_INCIDENT_MAX + 1];     /* incident.id, "" if none or
	                                            not lowercase hex */
	bool recovering;                         /* phase "recovering" */
};

struct nta_answer {
	long long now;                 /* the relay's clock */
	struct nta_decision *v;        /* sorted by zone */
	size_t n;
};

/*
 * Parse and check body (len bytes, borrowed) into a (initialised here).
 * Returns 0, or -1 with why filled and a empty.
 */
int nta_answer_parse(const char *body, size_t len, struct nta_answer *a,
    char *why, size_t whylen);

/* The decision for zone, or NULL when the relay did not list it (clear). */
const struct nta_decision *nta_answer_find(const struct nta_answer *a,
    const char *zone);

/* True when state is one this version knows (docs/RATIONALE.md §6). */
bool nta_zones_state_known(const char *state);

/* Free a's decisions; a itself is the caller's. NULL allowed. */
void nta_answer_free(struct nta_answer *a);

#endif
