/*
 * relay/fed/verifier.c — signatures checked off the loop thread (see
 * verifier.h).
 *
 * A ring of VERIFIER_QUEUE jobs under one mutex: [head, claim) are taken
 * by workers (done or not), [claim, tail) wait for one. The loop thread
 * submits at tail and delivers from head while the head job is done. A
 * worker that completes the head job wakes the loop through an eventfd;
 * completing a later one needs no wake-up, the head's will come.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <poll.h>
#include <sodium.h>

#include "relay/core/loop.h"
#include "relay/fed/verifier.h"

struct verifier {
	struct loop *loop;
	verifier_deliver_fn deliver;
	void *ctx;
	int efd;

	pthread_mutex_t mu;
	pthread_cond_t work;        /* a job waits for a worker, or stop */
	pthread_cond_t head_done;   /* the head job is done (a full queue) */
	struct vjob ring[VERIFIER_QUEUE];
	size_t head, claim, tail;   /* counters; index = counter % QUEUE */
	bool stop;
	bool delivering;            /* no reentry from a delivery */

	pthread_t threads[VERIFIER_WORKERS_MAX];
	int nthreads;
};

static struct vjob *
slot(struct verifier *v, size_t n)
{
	return &v->ring[n % VERIFIER_QUEUE];
}

static void
wake_loop(struct verifier *v)
{
	uint64_t one = 1;

	/* EAGAIN: the counter is already non-zero, the loop will wake */
	while (write(v->efd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

static void *
worker(void *arg)
{
	struct verifier *v = arg;

	pthread_mutex_lock(&v->mu);
	for (;;) {
		while (!v->stop && v->claim == v->tail)
			pthread_cond_wait(&v->work, &v->mu);
		if (v->claim == v->tail)
			break;   /* stop, and nothing left to take */
		size_t n = v->claim++;
		struct vjob *j = slot(v, n);
		pthread_mutex_unlock(&v->mu);

		bool ok = crypto_sign_verify_detached(j->env->sig, j->env->pae,
		    j->env->pae_len, j->pk) == 0;

		pthread_mutex_lock(&v->mu);
		j->valid = ok;
		j->done = true;
		if (n == v->head) {
			pthread_cond_signal(&v->head_done);
			wake_loop(v);
		}
	}
	pthread_mutex_unlock(&v->mu);
	return NULL;
}

/*
 * Deliver the done jobs at the head, in order. Each is moved out of the
 * ring under the lock and delivered without it (a delivery may submit
 * nothing: the pipeline is not reentrant from here, but it may take long).
 */
static size_t
deliver_ready(struct verifier *v)
{
	size_t n = 0;

	if (v->delivering)
		return 0;
	v->delivering = true;
	for (;;) {
		struct vjob job;
		pthread_mutex_lock(&v->mu);
		if (v->head == v->claim || !slot(v, v->head)->done) {
			pthread_mutex_unlock(&v->mu);
			break;
		}
		job = *slot(v, v->head);
		memset(slot(v, v->head), 0, sizeof(job));
		v->head++;
		/* the new head may be done already: its worker did not wake us */
		pthread_mutex_unlock(&v->mu);
		v->deliver(v->ctx, &job);
		n++;
	}
	v->delivering = false;
	return n;
}

static void
on_wake(void *arg, int fd, short revents)
{
	struct verifier *v = arg;
	uint64_t count;

	(void)revents;
	while (read(fd, &count, sizeof(count)) < 0 && errno == EINTR)
		;
	deliver_ready(v);
}

int
verifier_auto_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n <= 1)
		return 0;
	return n > VERIFIER_WORKERS_MAX ? VERIFIER_WORKERS_MAX : (int)n;
}

struct verifier *
verifier_new(struct loop *loop, int nworkers, verifier_deliver_fn deliver,
    void *ctx, char *err, size_t errlen)
{
	struct verifier *v;
	int rc;

	if (nworkers < 1 || nworkers > VERIFIER_WORKERS_MAX) {
		snprintf(err, errlen, "verifier: %d workers (1-%d)", nworkers,
		    VERIFIER_WORKERS_MAX);
		return NULL;
	}
	if ((v = calloc(1, sizeof(*v))) == NULL) {
		snprintf(err, errlen, "verifier: out of memory");
		return NULL;
	}
	v->efd = -1;
	v->loop = loop;
	v->deliver = deliver;
	v->ctx = ctx;
	pthread_mutex_init(&v->mu, NULL);
	pthread_cond_init(&v->work, NULL);
	pthread_cond_init(&v->head_done, NULL);
	if ((v->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		snprintf(err, errlen, "verifier: eventfd: %s", strerror(errno));
		goto bad;
	}
	if (loop_fd_add(loop, v->efd, POLLIN, on_wake, v) != 0) {
		snprintf(err, errlen, "verifier: cannot watch its descriptor");
		goto bad;
	}
	for (int i = 0; i < nworkers; i++) {
		if ((rc = pthread_create(&v->threads[i], NULL, worker, v)) != 0) {
			snprintf(err, errlen, "verifier: starting worker %d: %s", i + 1,
			    strerror(rc));
			goto bad;
		}
		v->nthreads++;
	}
	return v;
bad:
	verifier_free(v);
	return NULL;
}

void
verifier_drain(struct verifier *v)
{
	if (v == NULL || v->delivering)
		return;
	pthread_mutex_lock(&v->mu);
	while (v->head != v->tail) {
		while (!slot(v, v->head)->done)
			pthread_cond_wait(&v->head_done, &v->mu);
		pthread_mutex_unlock(&v->mu);
		deliver_ready(v);
		pthread_mutex_lock(&v->mu);
	}
	pthread_mutex_unlock(&v->mu);
}

void
verifier_free(struct verifier *v)
{
	if (v == NULL)
		return;
	/* the workers finish what they took and what waits, then exit */
	pthread_mutex_lock(&v->mu);
	v->stop = true;
	pthread_cond_broadcast(&v->work);
	pthread_mutex_unlock(&v->mu);
	for (int i = 0; i < v->nthreads; i++)
		pthread_join(v->threads[i], NULL);
	if (v->efd >= 0) {
		loop_fd_del(v->loop, v->efd);
		close(v->efd);
	}
	/* not delivered (the caller did not drain: a failed start) */
	for (size_t n = v->head; n != v->tail; n++)
		verifier_job_clear(slot(v, n));
	pthread_cond_destroy(&v->head_done);
	pthread_cond_destroy(&v->work);
	pthread_mutex_destroy(&v->mu);
	free(v);
}

void
verifier_submit(struct verifier *v, struct vjob *job)
{
	pthread_mutex_lock(&v->mu);
	/* full: wait for the oldest job and deliver what is done */
	while (v->tail - v->head == VERIFIER_QUEUE && !v->delivering) {
		while (!slot(v, v->head)->done)
			pthread_cond_wait(&v->head_done, &v->mu);
		pthread_mutex_unlock(&v->mu);
		deliver_ready(v);
		pthread_mutex_lock(&v->mu);
	}
	if (v->tail - v->head == VERIFIER_QUEUE) {
		/* full, and submitted from a delivery (the pipeline does not do
		 * that: deliveries read no link): checked here rather than lost */
		pthread_mutex_unlock(&v->mu);
		job->valid = crypto_sign_verify_detached(job->env->sig,
		    job->env->pae, job->env->pae_len, job->pk) == 0;
		job->done = true;
		v->deliver(v->ctx, job);
		return;
	}
	job->done = false;
	job->valid = false;
	*slot(v, v->tail) = *job;
	v->tail++;
	pthread_cond_signal(&v->work);
	pthread_mutex_unlock(&v->mu);
}

int
verifier_job_make(struct vjob *job, struct link *from, const char *topic,
    const void *payload, size_t len, struct envelope *env,
    const unsigned char pk[KEY_PUBLIC_LEN])
{
	memset(job, 0, sizeof(*job));
	if ((job->topic = strdup(topic)) == NULL ||
	    (job->payload = malloc(len ? len : 1)) == NULL) {
		free(job->topic);
		job->topic = NULL;
		return -1;
	}
	memcpy(job->payload, payload, len);
	job->len = len;
	job->from = from;
	job->env = env;
	memcpy(job->pk, pk, KEY_PUBLIC_LEN);
	return 0;
}

void
verifier_job_clear(struct vjob *job)
{
	free(job->topic);
	free(job->payload);
	envelope_free(job->env);
	memset(job, 0, sizeof(*job));
}

size_t
verifier_pending(const struct verifier *v)
{
	return v ? v->tail - v->head : 0;
}
