/*
 * relay/fed/verifier.h — signatures checked off the loop thread.
 *
 * Ed25519 verification is the one step of the receive pipeline that needs
 * nothing but the envelope and a public key, and the most expensive one
 * (relay/fed/ingest.h step 5). The verifier runs it on worker threads, one
 * per core by default (verify_workers), and hands the results back to the
 * loop thread IN SUBMISSION ORDER: a job is delivered only when every job
 * submitted before it was, so events of one key (of every key) go on
 * through the pipeline in the order they arrived, whichever worker
 * finished first. The jobs done when the loop wakes are delivered in one
 * turn, so that the store writes them in one transaction.
 *
 * Bounded: at most VERIFIER_QUEUE jobs wait. When the queue is full,
 * verifier_submit() waits on the loop thread for the oldest job and
 * delivers it (the workers are busy: that is back-pressure on the links,
 * not a loss; libmosquitto has acknowledged the message already).
 *
 * What a worker touches: the job's envelope (read only) and public key,
 * and its result. The rest of the job (link, topic, payload copy) is the
 * loop thread's. libsodium's verification is thread-safe once sodium_init()
 * ran.
 *
 * verifier_drain() waits for and delivers everything submitted: the relay
 * calls it at a stop, before the last commit (when the store cannot write,
 * the pipeline holds what it is handed, relay/fed/storefault.h).
 * verifier_free() delivers nothing: what was not drained is released.
 */
#ifndef NTARELAY_RELAY_FED_VERIFIER_H
#define NTARELAY_RELAY_FED_VERIFIER_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/envelope.h"
#include "proto/key.h"

struct loop;
struct link;

#define VERIFIER_QUEUE 1024   /* jobs waiting or being verified, at most */
#define VERIFIER_WORKERS_MAX 64

/* One message on its way through a worker. */
struct vjob {
	/* the loop thread's */
	struct link *from;
	char *topic;              /* copies: libmosquitto reuses its buffers */
	char *payload;
	size_t len;
	struct envelope *env;     /* parsed (steps 1, 2): the worker reads it */
	unsigned char pk[KEY_PUBLIC_LEN];
	/* the worker's answer */
	bool valid;               /* the signature verifies */
	bool done;
};

/* Called on the loop thread for each job, in submission order; it owns
 * the job's contents and must release them with verifier_job_clear(). */
typedef void (*verifier_deliver_fn)(void *ctx, struct vjob *job);

/* nworkers: 1..VERIFIER_WORKERS_MAX threads. NULL (with err) when the
 * threads or the wake-up descriptor cannot be made. */
struct verifier *verifier_new(struct loop *loop, int nworkers,
    verifier_deliver_fn deliver, void *ctx, char *err, size_t errlen);

/* Stop the workers and free (NULL allowed); drain first. */
void verifier_free(struct verifier *v);

/*
 * Queue a job: the verifier takes over topic, payload and env (already
 * copied by the caller: verifier_job_make()). May deliver older jobs
 * before it returns (a full queue).
 */
void verifier_submit(struct verifier *v, struct vjob *job);

/* Fill job with copies of topic and payload and the envelope (taken).
 * -1 when out of memory (nothing taken). */
int verifier_job_make(struct vjob *job, struct link *from, const char *topic,
    const void *payload, size_t len, struct envelope *env,
    const unsigned char pk[KEY_PUBLIC_LEN]);

/* Free what a delivered job holds (its envelope unless taken: NULL it). */
void verifier_job_clear(struct vjob *job);

/* Wait for every submitted job and deliver it. */
void verifier_drain(struct verifier *v);

/* Jobs submitted and not delivered yet. */
size_t verifier_pending(const struct verifier *v);

/* verify_workers "auto": one per online core, and 0 (on the loop thread)
 * on a single core, where a worker would only add switches. */
int verifier_auto_workers(void);

#endif
