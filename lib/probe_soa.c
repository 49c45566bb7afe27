/*
 * lib/probe_soa.c — the per-server SOA phase of a probe job (probe.h):
 * when the +cd NS answer is in, the addresses of the NS names are looked
 * up (+cd context), then each address is asked for the zone's SOA, without
 * recursion, on the probe's two non-blocking UDP sockets (opened when a
 * query is sent, closed when none waits). Only authoritative answers
 * count; the phase ends at PROBE_SOA_TIMEOUT_MS after the NS answer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>
#include <ldns/ldns.h>
#include <sodium.h>
#include <unbound.h>

#include "lib/probe_int.h"

static int
sock_for(struct probe *p, int family)
{
	int *s = family == AF_INET ? &p->sock4 : &p->sock6;

	if (*s < 0)
		*s = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	return *s;
}

/* Close the sockets while no SOA query waits: the next phase gets new
 * ports, and an idle relay holds no socket open. */
void
probe_soa_gc(struct probe *p)
{
	for (struct probe_job *j = p->jobs; j != NULL; j = j->next)
		for (int i = 0; i < j->nsq; i++)
			if (j->sq[i].state == SQ_WAIT)
				return;
	if (p->sock4 >= 0)
		close(p->sock4);
	if (p->sock6 >= 0)
		close(p->sock6);
	p->sock4 = p->sock6 = -1;
}

/* Send (again) the SOA query sq; a failure to send ends it. */
static void
sq_send(struct probe_job *j, struct probe_sq *sq, long long now)
{
	ldns_pkt *q = NULL;
	uint8_t *wire = NULL;
	size_t len = 0;
	int fd = sock_for(j->p, sq->sa.ss_family);

	if (fd < 0 || ldns_pkt_query_new_frm_str(&q, j->zone, LDNS_RR_TYPE_SOA,
	    LDNS_RR_CLASS_IN, 0) != LDNS_STATUS_OK) {  /* flags 0: RD=0 */
		sq->state = SQ_FAIL;
		return;
	}
	ldns_pkt_set_id(q, sq->id);
	ldns_pkt_set_edns_udp_size(q, PROBE_EDNS_SIZE);
	if (ldns_pkt2wire(&wire, q, &len) != LDNS_STATUS_OK ||
	    (sendto(fd, wire, len, 0, (struct sockaddr *)&sq->sa, sq->salen) < 0 &&
	    errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS))
		sq->state = SQ_FAIL;
	ldns_pkt_free(q);
	free(wire);
	sq->sends++;
	sq->next_send = sq->sends >= PROBE_SQ_SENDS ? LLONG_MAX :
	    now + PROBE_SQ_RETRY_MS * (1LL << (sq->sends - 1));
}

static int
addr_cmp(const void *x, const void *y)
{
	const struct probe_addr *a = x, *b = y;

	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	return memcmp(a->a, b->a, a->family == AF_INET ? 4 : 16);
}

/* Both lookups of ns are done: ask each of its addresses for the SOA. */
static void
ns_start(struct probe_job *j, struct probe_ns *ns, long long now)
{
	int naddr = ns->naddr < PROBE_SERVER_ADDRS ? ns->naddr : PROBE_SERVER_ADDRS;

	qsort(ns->addr, (size_t)ns->naddr, sizeof(ns->addr[0]), addr_cmp);
	for (int i = 0; i < naddr && j->nsq < PROBE_SQ_MAX; i++) {
		struct probe_sq *sq = &j->sq[j->nsq++];
		struct probe_addr *a = &ns->addr[i];
		char text[INET6_ADDRSTRLEN];
		int n;

		memset(sq, 0, sizeof(*sq));
		if (a->family == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&sq->sa;
			sin->sin_family = AF_INET;
			sin->sin_port = htons((uint16_t)j->p->soa_port);
			memcpy(&sin->sin_addr, a->a, 4);
			sq->salen = sizeof(*sin);
		} else {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&sq->sa;
			sin6->sin6_family = AF_INET6;
			sin6->sin6_port = htons((uint16_t)j->p->soa_port);
			memcpy(&sin6->sin6_addr, a->a, 16);
			sq->salen = sizeof(*sin6);
		}
		inet_ntop(a->family, a->a, text, sizeof(text));
		/* the NS name; NAME/ADDR when it has several addresses; the
		 * address alone when that would not fit in 64 bytes */
		if (naddr == 1)
			n = snprintf(sq->server, sizeof(sq->server), "%s", ns->name);
		else
			n = snprintf(sq->server, sizeof(sq->server), "%s/%s", ns->name,
			    text);
		if (n < 0 || (size_t)n >= sizeof(sq->server))
			snprintf(sq->server, sizeof(sq->server), "%s", text);
		sq->id = (uint16_t)randombytes_uniform(65536);
		sq->state = SQ_WAIT;
		sq_send(j, sq, now);
	}
}

static void
aq_cb(void *arg, int err, struct ub_result *res)
{
	struct probe_aq *aq = arg;
	struct probe_job *j = aq->job;
	struct probe_ns *ns = &j->ns[aq->ns];
	ldns_pkt *pkt = NULL;
	long long now = probe_now_ms();

	aq->pending = 0;
	j->lookups_left--;
	ns->lookups--;
	if (err == 0 && res != NULL && res->answer_packet != NULL &&
	    res->answer_len > 0 && ldns_wire2pkt(&pkt, res->answer_packet,
	    (size_t)res->answer_len) == LDNS_STATUS_OK) {
		ldns_rr_list *an = ldns_pkt_answer(pkt);
		for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
			ldns_rr *rr = ldns_rr_list_rr(an, i);
			ldns_rdf *d = ldns_rr_rd_count(rr) > 0 ? ldns_rr_rdf(rr, 0) : NULL;
			struct probe_addr a = { 0 };
			int dup = 0;

			if ((int)ldns_rr_get_type(rr) != aq->type || d == NULL ||
			    ns->naddr >= (int)(sizeof(ns->addr) / sizeof(ns->addr[0])))
				continue;
			if (aq->type == LDNS_RR_TYPE_A && ldns_rdf_size(d) == 4)
				a.family = AF_INET;
			else if (aq->type == LDNS_RR_TYPE_AAAA && ldns_rdf_size(d) == 16)
				a.family = AF_INET6;
			else
				continue;
			memcpy(a.a, ldns_rdf_data(d), ldns_rdf_size(d));
			for (int k = 0; k < ns->naddr; k++)
				if (addr_cmp(&ns->addr[k], &a) == 0)
					dup = 1;
			if (!dup)
				ns->addr[ns->naddr++] = a;
		}
	}
	ldns_pkt_free(pkt);
	if (res != NULL)
		ub_resolve_free(res);
	if (ns->lookups == 0 && now < j->soa_deadline)
		ns_start(j, ns, now);
	probe_job_check(j, now);
}

static int
str_cmp(const void *x, const void *y)
{
	return strcmp((const char *)x, (const char *)y);
}

/* The +cd NS answer is in: look up the addresses of the NS names. */
void
probe_soa_start(struct probe_job *j)
{
	char names[PROBE_LIST_MAX][LDNS_MAX_DOMAINLEN + 2];
	size_t n = 0;
	ldns_pkt *pkt = probe_q_pkt(&j->q[1][Q_NS]);
	ldns_rr_list *an;

	if (pkt == NULL)
		return;
	an = ldns_pkt_answer(pkt);
	for (size_t i = 0; i < ldns_rr_list_rr_count(an) && n < PROBE_LIST_MAX; i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		int dup = 0;

		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NS || ldns_rr_rd_count(rr) < 1 ||
		    !probe_name_eq(ldns_rr_owner(rr), j->zone) ||
		    probe_rdf_name(ldns_rr_rdf(rr, 0), names[n], sizeof(names[n])) != 0)
			continue;
		for (size_t k = 0; k < n; k++)
			if (strcmp(names[k], names[n]) == 0)
				dup = 1;
		if (!dup)
			n++;
	}
	ldns_pkt_free(pkt);
	if (n == 0)
		return;
	/* the same servers at every round, whatever the order served */
	qsort(names, n, sizeof(names[0]), str_cmp);
	j->soa_started = 1;
	j->soa_deadline = probe_now_ms() + PROBE_SOA_TIMEOUT_MS;
	for (size_t k = 0; k < n && k < PROBE_SERVERS_MAX; k++) {
		struct probe_ns *ns = &j->ns[j->nns++];
		static const int types[2] = { LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA };

		memcpy(ns->name, names[k], sizeof(ns->name));
		ns->lookups = 2;
		j->lookups_left += 2;
		for (int t = 0; t < 2; t++) {
			struct probe_aq *aq = &ns->aq[t];
			aq->job = j;
			aq->ns = j->nns - 1;
			aq->type = types[t];
			aq->pending = 1;
			if (ub_resolve_async(j->p->cd, ns->name, aq->type, LDNS_RR_CLASS_IN,
			    aq, aq_cb, &aq->id) != 0) {
				aq->pending = 0;
				ns->lookups--;
				j->lookups_left--;
			}
		}
		if (ns->lookups == 0)  /* neither lookup could start */
			ns_start(j, ns, probe_now_ms());
	}
}

/* Whether pkt answers sq authoritatively; its serial into sq. */
static int
sq_answer(struct probe_job *j, struct probe_sq *sq, ldns_pkt *pkt)
{
	ldns_rr_list *qd = ldns_pkt_question(pkt), *an = ldns_pkt_answer(pkt);

	if (!ldns_pkt_qr(pkt) || ldns_rr_list_rr_count(qd) != 1 ||
	    ldns_rr_get_type(ldns_rr_list_rr(qd, 0)) != LDNS_RR_TYPE_SOA ||
	    !probe_name_eq(ldns_rr_owner(ldns_rr_list_rr(qd, 0)), j->zone))
		return -1;  /* not an answer to this question: ignore it */
	sq->state = SQ_FAIL;
	if (ldns_pkt_get_rcode(pkt) != LDNS_RCODE_NOERROR || !ldns_pkt_aa(pkt) ||
	    ldns_pkt_tc(pkt))
		return 0;
	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && ldns_rr_rd_count(rr) >= 3 &&
		    probe_name_eq(ldns_rr_owner(rr), j->zone)) {
			sq->serial = ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
			sq->state = SQ_OK;
			break;
		}
	}
	return 0;
}

static int
sa_eq(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port &&
		    x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
		return x->sin6_port == y->sin6_port &&
		    memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
	}
	return 0;
}

/* Read every datagram waiting on fd; each answers at most one query, that
 * of the same server address, port and id. */
void
probe_soa_read(struct probe *p, int fd, long long now)
{
	uint8_t buf[4096];

	for (;;) {
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof(from);
		ldns_pkt *pkt = NULL;
		ssize_t r;

		if (fd < 0)
			return;
		r = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
		    (struct sockaddr *)&from, &fromlen);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return;  /* EAGAIN, or an ICMP error of some earlier send */
		}
		if (ldns_wire2pkt(&pkt, buf, (size_t)r) != LDNS_STATUS_OK)
			continue;
		for (struct probe_job *j = p->jobs; j != NULL; j = j->next) {
			struct probe_sq *sq = NULL;
			for (int i = 0; i < j->nsq && sq == NULL; i++)
				if (j->sq[i].state == SQ_WAIT &&
				    j->sq[i].id == ldns_pkt_id(pkt) &&
				    sa_eq(&j->sq[i].sa, &from))
					sq = &j->sq[i];
			if (sq != NULL && sq_answer(j, sq, pkt) == 0) {
				probe_job_check(j, now);
				break;
			}
		}
		ldns_pkt_free(pkt);
	}
}
static int
sq_cmp(const void *x, const void *y)
{
	const struct probe_sq *a = x, *b = y;
	int c = strcmp(a->server, b->server);

	if (c != 0)
		return c;
	return a->serial < b->serial ? -1 : a->serial > b->serial;
}

/* evidence.soa_serials: the authoritative answers, sorted by server. */
json_t *
probe_soa_serials(const struct probe_job *j)
{
	struct probe_sq ok[PROBE_SQ_MAX];
	json_t *a = json_array();
	size_t n = 0;

	for (int i = 0; i < j->nsq; i++)
		if (j->sq[i].state == SQ_OK)
			ok[n++] = j->sq[i];
	qsort(ok, n, sizeof(ok[0]), sq_cmp);
	for (size_t i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:I}", "server",
		    ok[i].server, "serial", (json_int_t)ok[i].serial));
	return a;
}

int
probe_soa_busy(const struct probe_job *j)
{
	if (j->lookups_left > 0)
		return 1;
	for (int i = 0; i < j->nsq; i++)
		if (j->sq[i].state == SQ_WAIT)
			return 1;
	return 0;
}

void
probe_soa_cancel(struct probe_job *j)
{
	for (int n = 0; n < j->nns; n++)
		for (int t = 0; t < 2; t++)
			if (j->ns[n].aq[t].pending) {
				if (j->p->cd != NULL)
					ub_cancel(j->p->cd, j->ns[n].aq[t].id);
				j->ns[n].aq[t].pending = 0;
			}
}

void
probe_soa_resend(struct probe_job *j, long long now)
{
	if (now >= j->soa_deadline)
		return;
	for (int i = 0; i < j->nsq; i++)
		if (j->sq[i].state == SQ_WAIT && j->sq[i].next_send <= now)
			sq_send(j, &j->sq[i], now);
}

long long
probe_soa_due(const struct probe_job *j, long long due)
{
	for (int i = 0; i < j->nsq; i++)
		if (j->sq[i].state == SQ_WAIT && j->sq[i].next_send < due &&
		    j->sq[i].next_send < j->soa_deadline)
			due = j->sq[i].next_send;
	return due;
}
