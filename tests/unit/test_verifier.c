/*
 * tests/unit/test_verifier.c — the signature workers (relay/fed/verifier.h)
 * on a real loop: every job is delivered once, in submission order, with
 * the right answer (forged signatures among good ones), with 1, 2 and 8
 * workers; more jobs than the queue holds (the submitter waits and
 * delivers the oldest itself); a drain delivers everything; a free
 * without a drain releases what is left.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "proto/envelope.h"
#include "proto/key.h"
#include "relay/core/loop.h"
#include "relay/fed/verifier.h"

#define NJOBS (3 * VERIFIER_QUEUE + 17)
#define NENV 64       /* distinct envelopes, reused by the jobs */

struct fixture {
	struct key_secret *sk;
	char *json[NENV];
	size_t jlen[NENV];
	struct loop *loop;
	/* what was delivered */
	size_t ndelivered;
	size_t order[NJOBS];
	bool valid[NJOBS];
	size_t stop_at;
};

static bool
forged(size_t i)
{
	return i % 7 == 3;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char reason[256], payload[128];

	assert_non_null(f);
	assert_true(sodium_init() >= 0);
	assert_non_null(f->sk = key_secret_generate("test", false));
	for (size_t i = 0; i < NENV; i++) {
		int n = snprintf(payload, sizeof(payload), "{\"n\":%zu}", i);
		assert_int_equal(envelope_sign("application/vnd.test", (unsigned char *)
		    payload, (size_t)n, f->sk, &f->json[i], &f->jlen[i], NULL, reason),
		    PROTO_OK);
	}
	assert_non_null(f->loop = loop_new());
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < NENV; i++)
		free(f->json[i]);
	key_secret_free(f->sk);
	loop_free(f->loop);
	free(f);
	return 0;
}

/* Job i: envelope i % NENV, its signature spoilt when forged(i); the job
 * number travels in the topic. */
static void
make_job(struct fixture *f, size_t i, struct vjob *job)
{
	struct envelope *env = NULL;
	char reason[256], topic[32];

	assert_int_equal(envelope_parse(f->json[i % NENV], f->jlen[i % NENV], &env,
	    reason), PROTO_OK);
	if (forged(i))
		env->sig[i % KEY_SIG_LEN] ^= 0x01;
	snprintf(topic, sizeof(topic), "%zu", i);
	assert_int_equal(verifier_job_make(job, NULL, topic, f->json[i % NENV],
	    f->jlen[i % NENV], env, key_secret_public(f->sk)->pk), 0);
}

static void
deliver(void *ctx, struct vjob *job)
{
	struct fixture *f = ctx;

	assert_true(job->done);
	assert_true(f->ndelivered < NJOBS);
	f->order[f->ndelivered] = (size_t)strtoul(job->topic, NULL, 10);
	f->valid[f->ndelivered] = job->valid;
	/* the payload is the caller's copy, intact */
	assert_int_equal(job->len, f->jlen[f->order[f->ndelivered] % NENV]);
	assert_memory_equal(job->payload, f->json[f->order[f->ndelivered] % NENV],
	    job->len);
	f->ndelivered++;
	verifier_job_clear(job);
	if (f->ndelivered == f->stop_at)
		loop_stop(f->loop);
}

static void
check_all(struct fixture *f, size_t n)
{
	assert_int_equal(f->ndelivered, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(f->order[i], i);
		assert_int_equal(f->valid[i], !forged(i));
	}
}

/* Submitted from a timer (the loop runs, as in the relay), delivered by
 * the loop's wake-ups and by the submitter when the queue is full. */
struct feed {
	struct fixture *f;
	struct verifier *v;
};

static void
feed_all(void *arg)
{
	struct feed *fd = arg;
	struct vjob job;

	for (size_t i = 0; i < NJOBS; i++) {
		make_job(fd->f, i, &job);
		verifier_submit(fd->v, &job);
		assert_true(verifier_pending(fd->v) <= VERIFIER_QUEUE);
	}
}

static void
run_workers(void **state, int nworkers)
{
	struct fixture *f = *state;
	char err[256];
	struct verifier *v = verifier_new(f->loop, nworkers, deliver, f, err,
	    sizeof(err));
	struct feed fd = { f, v };

	assert_non_null(v);
	f->ndelivered = 0;
	f->stop_at = NJOBS;
	loop_timer_add(f->loop, 0, feed_all, &fd);
	assert_int_equal(loop_run(f->loop), 0);
	check_all(f, NJOBS);
	assert_int_equal(verifier_pending(v), 0);
	verifier_free(v);
}

static void
one_worker(void **state)
{
	run_workers(state, 1);
}

static void
two_workers(void **state)
{
	run_workers(state, 2);
}

static void
eight_workers(void **state)
{
	run_workers(state, 8);
}

/* Submit n jobs without running the loop (none delivered yet, or only
 * those a full queue made the submitter deliver). */
static void
submit_jobs(struct fixture *f, struct verifier *v, size_t n)
{
	struct vjob job;

	f->ndelivered = 0;
	f->stop_at = 0;
	for (size_t i = 0; i < n; i++) {
		make_job(f, i, &job);
		verifier_submit(v, &job);
	}
}

/* Without the loop: verifier_drain() waits and delivers, in order. */
static void
drain(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct verifier *v = verifier_new(f->loop, 3, deliver, f, err, sizeof(err));

	assert_non_null(v);
	submit_jobs(f, v, 500);
	verifier_drain(v);
	check_all(f, 500);
	assert_int_equal(verifier_pending(v), 0);
	verifier_free(v);
}

/* A free without a drain: the jobs are released (the sanitizers and
 * valgrind see no leak), none delivered after it. */
static void
free_undrained(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct verifier *v = verifier_new(f->loop, 2, deliver, f, err, sizeof(err));

	assert_non_null(v);
	submit_jobs(f, v, 200);
	verifier_free(v);
	assert_int_equal(f->ndelivered, 0);
}

/* Out of range: refused with the reason. */
static void
bad_count(void **state)
{
	struct fixture *f = *state;
	char err[256] = "";

	assert_null(verifier_new(f->loop, 0, deliver, f, err, sizeof(err)));
	assert_non_null(strstr(err, "0 workers"));
	assert_null(verifier_new(f->loop, VERIFIER_WORKERS_MAX + 1, deliver, f, err,
	    sizeof(err)));
	assert_true(verifier_auto_workers() >= 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(one_worker, setup, teardown),
		cmocka_unit_test_setup_teardown(two_workers, setup, teardown),
		cmocka_unit_test_setup_teardown(eight_workers, setup, teardown),
		cmocka_unit_test_setup_teardown(drain, setup, teardown),
		cmocka_unit_test_setup_teardown(free_undrained, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_count, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
