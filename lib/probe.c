/*
 * lib/probe.c — the DNSSEC probe (see probe.h): the libunbound contexts,
 * and the jobs. A job is one probe_zone() call: its libunbound queries
 * run in both contexts; when the +cd NS answer is in, its SOA phase
 * starts (probe_soa.c). The job ends (probe_build() of
 * probe_evidence.c, the callback, free) when every libunbound query of
 * the first kind is done and the SOA phase has finished or run out of
 * time; address lookups still running then are cancelled.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>

#include <jansson.h>
#include <ldns/ldns.h>
#include <sodium.h>
#include <unbound.h>

#include "proto/zone.h"
#include "lib/probe_int.h"

static const char *const apex_type_name[Q_NAME0] = { "SOA", "DNSKEY", "NS", "DS" };
static const int apex_type[Q_NAME0] = {
	LDNS_RR_TYPE_SOA, LDNS_RR_TYPE_DNSKEY, LDNS_RR_TYPE_NS, LDNS_RR_TYPE_DS
};

/* The root zone's KSKs (IANA root-anchors.xml), used when no file is given. */
static const char *const root_ds[] = {
	". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
	". IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
};

long long
probe_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
probe_q_type(const struct probe_job *j, int i)
{
	return i < Q_NAME0 ? apex_type[i] : LDNS_RR_TYPE_A;
}

const char *
probe_q_type_name(const struct probe_job *j, int i)
{
	(void)j;
	return i < Q_NAME0 ? apex_type_name[i] : "A";
}

int
probe_q_used(const struct probe_job *j, int i)
{
	return i != Q_DS || j->has_ds;
}

static int
ctx_common(struct ub_ctx *c, const char *forward, char *err, size_t errlen)
{
	int r;

	/* A probe must see what the zone serves now, at every round: the
	 * relay's probe repeats on an interval, so nothing is cached for
	 * long (RRsets, negative answers, bogus results). */
	if ((r = ub_ctx_set_option(c, "trust-anchor-signaling:", "no")) != 0 ||
	    (r = ub_ctx_set_option(c, "val-log-level:", "2")) != 0 ||
	    (r = ub_ctx_set_option(c, "cache-max-ttl:", "0")) != 0 ||
	    (r = ub_ctx_set_option(c, "cache-max-negative-ttl:", "0")) != 0 ||
	    (r = ub_ctx_set_option(c, "val-bogus-ttl:", "0")) != 0)
		goto fail;
	if (forward != NULL) {
		if ((r = ub_ctx_set_option(c, "do-not-query-localhost:", "no")) != 0)
			goto fail;
		if (strncmp(forward, "127.", 4) == 0 &&
		    (r = ub_ctx_set_option(c, "outgoing-interface:", "127.0.0.1")) != 0)
			goto fail;
		if ((r = ub_ctx_set_fwd(c, forward)) != 0)
			goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "libunbound: %s", ub_strerror(r));
	return -1;
}

/*
 * The two libunbound contexts. They are made again before a round that
 * starts while no query is in flight: a validator remembers a key it found
 * bad (for a minute, whatever the cache settings), and a probe must see a
 * fixed zone as fixed at its next round.
 */
static int
ctx_open(struct probe *p, char *err, size_t errlen)
{
	const char *fwd = p->forward[0] ? p->forward : NULL;
	int r;

	p->val = ub_ctx_create();
	p->cd = ub_ctx_create();
	if (p->val == NULL || p->cd == NULL) {
		snprintf(err, errlen, "libunbound: cannot create a context");
		return -1;
	}
	if (ctx_common(p->val, fwd, err, errlen) != 0 ||
	    ctx_common(p->cd, fwd, err, errlen) != 0)
		return -1;
	if (p->ta[0]) {
		if ((r = ub_ctx_add_ta_file(p->val, p->ta)) != 0) {
			snprintf(err, errlen, "trust anchor %s: %s", p->ta, ub_strerror(r));
			return -1;
		}
	} else {
		for (size_t i = 0; i < sizeof(root_ds) / sizeof(root_ds[0]); i++)
			if ((r = ub_ctx_add_ta(p->val, root_ds[i])) != 0) {
				snprintf(err, errlen, "root trust anchor: %s", ub_strerror(r));
				return -1;
			}
	}
	/* Asynchronous: resolve in a background thread, report on fd. */
	if ((r = ub_ctx_async(p->val, 1)) != 0 || (r = ub_ctx_async(p->cd, 1)) != 0) {
		snprintf(err, errlen, "libunbound: %s", ub_strerror(r));
		return -1;
	}
	return 0;
}

static void
ctx_close(struct probe *p)
{
	if (p->val)
		ub_ctx_delete(p->val);
	if (p->cd)
		ub_ctx_delete(p->cd);
	p->val = p->cd = NULL;
}

struct probe *
probe_new(const char *trust_anchor_file, const char *forward, char *err,
    size_t errlen)
{
	struct probe *p = calloc(1, sizeof(*p));

	if (p == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->sock4 = p->sock6 = -1;
	snprintf(p->vantage, sizeof(p->vantage), "probe");
	snprintf(p->validator, sizeof(p->validator), "libunbound %s", ub_version());
	p->soa_port = 53;
	if (forward != NULL) {
		const char *at = strrchr(forward, '@');

		snprintf(p->forward, sizeof(p->forward), "%s", forward);
		/* a test bed's servers all listen on the forwarder's port */
		if (at != NULL && atoi(at + 1) > 0 && atoi(at + 1) < 65536)
			p->soa_port = atoi(at + 1);
	}
	if (trust_anchor_file != NULL) {
		/* libunbound reads the file only at the first query: check
		 * now that it can be opened, for a clear error. */
		FILE *f = fopen(trust_anchor_file, "r");
		if (f == NULL) {
			snprintf(err, errlen, "trust anchor %s: %s", trust_anchor_file,
			    strerror(errno));
			goto fail;
		}
		fclose(f);
		if (strlen(trust_anchor_file) >= sizeof(p->ta)) {
			snprintf(err, errlen, "trust anchor: path too long");
			goto fail;
		}
		snprintf(p->ta, sizeof(p->ta), "%s", trust_anchor_file);
	}
	if (ctx_open(p, err, errlen) != 0)
		goto fail;
	return p;
fail:
	probe_free(p);
	return NULL;
}

void
probe_set_vantage(struct probe *p, const char *vantage)
{
	if (vantage != NULL && *vantage != '\0')
		snprintf(p->vantage, sizeof(p->vantage), "%s", vantage);
}

int
probe_fds(struct probe *p, int *fds, int max)
{
	int all[PROBE_FDS_MAX], n = 0, k = 0;

	if (p->val != NULL && ub_fd(p->val) >= 0)
		all[n++] = ub_fd(p->val);
	if (p->cd != NULL && ub_fd(p->cd) >= 0)
		all[n++] = ub_fd(p->cd);
	if (p->sock4 >= 0)
		all[n++] = p->sock4;
	if (p->sock6 >= 0)
		all[n++] = p->sock6;
	for (; k < n && k < max; k++)
		fds[k] = all[k];
	return k;
}

int
probe_pending(struct probe *p)
{
	int n = 0;

	for (struct probe_job *j = p->jobs; j != NULL; j = j->next)
		n++;
	return n;
}

/* ------------------------------------------------------------ jobs */

static void
job_unlink_free(struct probe_job *j)
{
	struct probe_job **pp = &j->p->jobs;

	while (*pp != NULL && *pp != j)
		pp = &(*pp)->next;
	if (*pp == j)
		*pp = j->next;
	for (int c = 0; c < 2; c++)
		for (int i = 0; i < PROBE_NQ_MAX; i++)
			if (j->q[c][i].res != NULL)
				ub_resolve_free(j->q[c][i].res);
	free(j);
}

/* Build the observation, hand it over, free the job. Address lookups
 * still running are cancelled (their callbacks would find no job). */
static void
job_finish(struct probe_job *j)
{
	json_t *obs;

	probe_soa_cancel(j);
	obs = probe_build(j);
	if (j->done != NULL)
		j->done(j->arg, obs);
	else
		json_decref(obs);
	job_unlink_free(j);
}

int
probe_job_check(struct probe_job *j, long long now)
{
	if (j->main_left > 0)
		return 0;
	if (j->soa_started && now < j->soa_deadline && probe_soa_busy(j))
		return 0;
	job_finish(j);
	return 1;
}

static void
q_cb(void *arg, int err, struct ub_result *res)
{
	struct probe_q *q = arg;
	struct probe_job *j = q->job;

	q->done = 1;
	q->err = err;
	q->res = res;
	j->main_left--;
	if (q->cd && q->idx == Q_NS && err == 0)
		probe_soa_start(j);
	probe_job_check(j, probe_now_ms());
}

int
probe_zone(struct probe *p, const char *zone, const char *const *names,
    size_t nnames, probe_done_cb done, void *arg)
{
	struct probe_job *j;
	unsigned char rnd[6];
	char lab[32];
	int started = 0;

	if (zone == NULL || !zone_name_valid(zone, strlen(zone), NULL) ||
	    nnames > PROBE_NAMES_MAX)
		return -1;
	for (size_t k = 0; k < nnames; k++)
		if (names[k] == NULL || !zone_name_valid(names[k], strlen(names[k]), NULL) ||
		    !zone_name_in(names[k], zone))
			return -1;
	if (p->jobs == NULL && p->rounds++ > 0) {
		char err[256];
		ctx_close(p);
		if (ctx_open(p, err, sizeof(err)) != 0) {
			ctx_close(p);
			return -1;
		}
	}
	if (p->val == NULL || (j = calloc(1, sizeof(*j))) == NULL)
		return -1;
	j->p = p;
	j->done = done;
	j->arg = arg;
	snprintf(j->zone, sizeof(j->zone), "%s", zone);
	j->has_ds = strcmp(zone, ".") != 0;  /* root: no DS */
	j->nq = Q_NAME0 + (int)nnames + 1;
	j->nx = j->nq - 1;
	randombytes_buf(rnd, sizeof(rnd));
	snprintf(lab, sizeof(lab), "ntarelay-nx-");
	sodium_bin2hex(lab + strlen(lab), sizeof(lab) - strlen(lab), rnd, sizeof(rnd));
	for (int i = 0; i < Q_NAME0; i++)
		snprintf(j->qname[i], sizeof(j->qname[i]), "%s", zone);
	for (size_t k = 0; k < nnames; k++)
		snprintf(j->qname[Q_NAME0 + k], sizeof(j->qname[0]), "%s", names[k]);
	if (strcmp(zone, ".") == 0)
		snprintf(j->qname[j->nx], sizeof(j->qname[0]), "%s.", lab);
	else
		snprintf(j->qname[j->nx], sizeof(j->qname[0]), "%s.%s", lab, zone);
	j->next = p->jobs;
	p->jobs = j;
	/* count first, so a synchronous callback cannot finish early */
	for (int i = 0; i < j->nq; i++)
		if (probe_q_used(j, i))
			j->main_left += 2;
	j->main_left += 1;  /* guard */
	for (int c = 0; c < 2; c++)
		for (int i = 0; i < j->nq; i++) {
			struct probe_q *q = &j->q[c][i];
			if (!probe_q_used(j, i))
				continue;
			q->job = j;
			q->idx = i;
			q->cd = c;
			if (ub_resolve_async(c ? p->cd : p->val, j->qname[i], probe_q_type(j, i),
			    LDNS_RR_CLASS_IN, q, q_cb, NULL) != 0) {
				q->done = 1;
				q->err = UB_NOMEM;
				j->main_left--;
			} else {
				started++;
			}
		}
	if (started == 0) {
		job_unlink_free(j);
		return -1;
	}
	j->main_left--;  /* the guard */
	probe_job_check(j, probe_now_ms());  /* every start failed after some ran */
	return 0;
}

int
probe_timeout(struct probe *p)
{
	long long now = probe_now_ms(), due = LLONG_MAX;

	for (struct probe_job *j = p->jobs; j != NULL; j = j->next) {
		if (!j->soa_started)
			continue;
		/* past the deadline, a job waits only for its libunbound
		 * queries, which wake the caller through their descriptors */
		if (j->main_left == 0 && j->soa_deadline < due)
			due = j->soa_deadline;
		due = probe_soa_due(j, due);
	}
	if (due == LLONG_MAX)
		return -1;
	return due <= now ? 0 : due - now > INT_MAX ? INT_MAX : (int)(due - now);
}

void
probe_process(struct probe *p)
{
	struct probe_job *j, *next;
	long long now;

	if (p->val != NULL && ub_poll(p->val))
		ub_process(p->val);
	if (p->cd != NULL && ub_poll(p->cd))
		ub_process(p->cd);
	now = probe_now_ms();
	probe_soa_read(p, p->sock4, now);
	probe_soa_read(p, p->sock6, now);
	for (j = p->jobs; j != NULL; j = next) {
		next = j->next;
		if (!j->soa_started)
			continue;
		probe_soa_resend(j, now);
		probe_job_check(j, now);
	}
	probe_soa_gc(p);
}

void
probe_free(struct probe *p)
{
	if (p == NULL)
		return;
	/* deleting the contexts drops outstanding queries without callbacks */
	if (p->val != NULL)
		ub_ctx_delete(p->val);
	if (p->cd != NULL)
		ub_ctx_delete(p->cd);
	if (p->sock4 >= 0)
		close(p->sock4);
	if (p->sock6 >= 0)
		close(p->sock6);
	while (p->jobs != NULL)
		job_unlink_free(p->jobs);
	free(p);
}
