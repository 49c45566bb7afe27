/*
 * relay/fed/fed.c — the federation layer's context (see fed.h).
 */
#include <stdlib.h>

#include "relay/fed/backfill.h"
#include "relay/fed/catchup.h"
#include "relay/fed/fed.h"
#include "relay/fed/forward.h"
#include "relay/fed/publish.h"
#include "relay/fed/reject_log.h"
#include "relay/fed/storefault.h"
#include "relay/fed/verifier.h"

struct fed *
fed_new(void)
{
	struct fed *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	if ((f->publish = publish_new()) == NULL ||
	    (f->backfill = backfill_new()) == NULL ||
	    (f->storefault = storefault_new()) == NULL ||
	    (f->forward = forward_new()) == NULL) {
		fed_free(f);
		return NULL;
	}
	return f;
}

void
fed_free(struct fed *f)
{
	if (f == NULL)
		return;
	catchup_stop(f);
	verifier_free(f->verifier);
	reject_log_free(f->rejects);
	storefault_free(f);
	backfill_free(f);
	forward_free(f->forward, f->loop);
	publish_free(f->publish);
	free(f);
}

size_t
fed_link_index(const struct fed *f, const struct link *l)
{
	for (size_t i = 0; i < f->nlinks; i++)
		if (f->links[i] == l)
			return i;
	return 0;
}
