/*
 * lib/probe_int.h — what the three parts of the probe share, and nothing
 * outside lib/probe*.c may include: the job and query structures, and the
 * calls each part makes into the others. The public contract is probe.h.
 *
 *   probe.c           the libunbound contexts, jobs and their queries
 *                     (probe_zone, probe_process, ...);
 *   probe_evidence.c  the observation built from a finished job (state,
 *                     reason, evidence, fingerprint), ldns parsing;
 *   probe_soa.c       the per-server SOA phase: address lookups of the NS
 *                     names, one UDP query per address, the serials.
 */
#ifndef NTARELAY_LIB_PROBE_INT_H
#define NTARELAY_LIB_PROBE_INT_H

#include <stdint.h>
#include <sys/socket.h>

#include <jansson.h>
#include <ldns/ldns.h>
#include <unbound.h>

#include "lib/probe.h"

#define PROBE_NQ_MAX (Q_NAME0 + PROBE_NAMES_MAX + 1) /* + the random name */
#define PROBE_LIST_MAX 64   /* dnskey_tags, ds_tags, rrsigs */
#define PROBE_REASON_MAX 512
#define PROBE_SQ_MAX (PROBE_SERVERS_MAX * PROBE_SERVER_ADDRS)
#define PROBE_SQ_SENDS 3    /* an SOA query is sent at 0, 1 and 3 s */
#define PROBE_SQ_RETRY_MS 1000
#define PROBE_EDNS_SIZE 1232

/* Query slots of a job: the apex and the parent, then the configured
 * names, then the random name (j->nx). */
enum { Q_SOA, Q_DNSKEY, Q_NS, Q_DS, Q_NAME0 };

struct probe_job;

struct probe_q {
	struct probe_job *job;
	int idx, cd;
	int done, err;                /* err: libunbound error code */
	struct ub_result *res;
};

/* An A or AAAA lookup of an NS name, in the +cd context. */
struct probe_aq {
	struct probe_job *job;
	int ns;                       /* index in job->ns */
	int type;
	int id;                       /* libunbound's async id, for ub_cancel */
	int pending;
};

struct probe_addr {
	int family;                   /* AF_INET, AF_INET6 */
	unsigned char a[16];
};

struct probe_ns {
	char name[LDNS_MAX_DOMAINLEN + 2];
	struct probe_aq aq[2];        /* A, AAAA */
	int lookups;                  /* of aq still in flight */
	struct probe_addr addr[PROBE_SERVER_ADDRS * 2];
	int naddr;
};

enum { SQ_WAIT, SQ_OK, SQ_FAIL };

/* The SOA query to one address of an authoritative server. */
struct probe_sq {
	char server[65];              /* soa_serials[].server */
	struct sockaddr_storage sa;
	socklen_t salen;
	uint16_t id;
	int state, sends;
	long long next_send;          /* monotonic ms; LLONG_MAX: no more */
	long long serial;
};

struct probe_job {
	struct probe *p;
	struct probe_job *next;
	char zone[LDNS_MAX_DOMAINLEN + 2];
	char qname[PROBE_NQ_MAX][LDNS_MAX_DOMAINLEN + 2];
	struct probe_q q[2][PROBE_NQ_MAX];  /* [0] validating, [1] +cd */
	int nq;                         /* slots in use: Q_NAME0 + names + 1 */
	int nx;                         /* the random name's slot (nq - 1) */
	int has_ds;                     /* not for the root */
	int main_left;                  /* queries of q[][] in flight */
	/* the SOA phase */
	int soa_started;
	long long soa_deadline;         /* monotonic ms */
	struct probe_ns ns[PROBE_SERVERS_MAX];
	int nns;
	int lookups_left;               /* probe_aq in flight */
	struct probe_sq sq[PROBE_SQ_MAX];
	int nsq;
	probe_done_cb done;
	void *arg;
};

struct probe {
	struct ub_ctx *val, *cd;
	int sock4, sock6;               /* SOA queries; -1 when closed */
	char vantage[65];
	char validator[65];
	char forward[80];               /* "" = recursion */
	int soa_port;                   /* 53, or the port of forward */
	char ta[4096];                  /* trust anchor file; "" = root KSKs */
	long rounds;
	struct probe_job *jobs;
};

/* ---- probe.c: jobs and their queries */

/* Monotonic milliseconds. */
long long probe_now_ms(void);
/* The type asked in slot i, its name, and whether slot i is used (no DS
 * for the root). */
int probe_q_type(const struct probe_job *j, int i);
const char *probe_q_type_name(const struct probe_job *j, int i);
int probe_q_used(const struct probe_job *j, int i);
/* Finish j when nothing more is to come. Returns 1 when j was freed. */
int probe_job_check(struct probe_job *j, long long now);

/* ---- probe_evidence.c: the observation */

/* The +cd answer of q as an ldns packet (caller frees), or NULL. */
ldns_pkt *probe_q_pkt(const struct probe_q *q);
/* Lowercase presentation form of a name into out; 0, or -1. */
int probe_rdf_name(const ldns_rdf *d, char *out, size_t len);
/* Whether a is the name zone (presentation form). */
int probe_name_eq(const ldns_rdf *a, const char *zone);
/* The observation fields of the finished job j (a new object, or NULL). */
json_t *probe_build(struct probe_job *j);

/* ---- probe_soa.c: the per-server SOA phase */

/* The +cd NS answer is in: look up the addresses of the NS names. */
void probe_soa_start(struct probe_job *j);
/* Whether j's SOA phase still waits for a lookup or an answer. */
int probe_soa_busy(const struct probe_job *j);
/* Cancel j's address lookups still in flight (the job ends). */
void probe_soa_cancel(struct probe_job *j);
/* Send the SOA queries of j whose retransmission is due. */
void probe_soa_resend(struct probe_job *j, long long now);
/* The earliest of due and the next retransmission time of j. */
long long probe_soa_due(const struct probe_job *j, long long due);
/* Read every datagram waiting on fd (-1: none). */
void probe_soa_read(struct probe *p, int fd, long long now);
/* Close the sockets when no SOA query waits. */
void probe_soa_gc(struct probe *p);
/* evidence.soa_serials: the authoritative answers, sorted by server. */
json_t *probe_soa_serials(const struct probe_job *j);

#endif
