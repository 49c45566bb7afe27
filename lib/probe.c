/*
 * lib/probe.c — the DNSSEC probe (see probe.h): libunbound for the
 * validation, ldns for every byte of DNS wire data (also the SOA queries
 * to each authoritative server, sent on plain UDP sockets), jansson for
 * the observation fields, proto/fingerprint for the failure fingerprint.
 *
 * A job is one probe_zone() call. Its libunbound queries run in both
 * contexts; when the +cd NS answer is in, its SOA phase starts: address
 * lookups of the NS names (+cd context), then one UDP query per address.
 * The job ends (build(), the callback, free) when every libunbound query
 * of the first kind is done and the SOA phase has finished or run out of
 * time; address lookups still running then are cancelled.
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
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <ldns/ldns.h>
#include <sodium.h>
#include <unbound.h>

#include "proto/fingerprint.h"
#include "proto/zone.h"
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

static const char *const apex_type_name[Q_NAME0] = { "SOA", "DNSKEY", "NS", "DS" };
static const int apex_type[Q_NAME0] = {
	LDNS_RR_TYPE_SOA, LDNS_RR_TYPE_DNSKEY, LDNS_RR_TYPE_NS, LDNS_RR_TYPE_DS
};

/* The root zone's KSKs (IANA root-anchors.xml), used when no file is given. */
static const char *const root_ds[] = {
	". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
	". IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
};

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

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
q_type(const struct probe_job *j, int i)
{
	return i < Q_NAME0 ? apex_type[i] : LDNS_RR_TYPE_A;
}

static const char *
q_type_name(const struct probe_job *j, int i)
{
	(void)j;
	return i < Q_NAME0 ? apex_type_name[i] : "A";
}

static int
q_used(const struct probe_job *j, int i)
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

/* ------------------------------------------------------------ evidence */

static ldns_pkt *
q_pkt(const struct probe_q *q)
{
	ldns_pkt *pkt = NULL;

	if (!q->done || q->err != 0 || q->res == NULL || q->res->answer_packet == NULL ||
	    q->res->answer_len <= 0)
		return NULL;
	if (ldns_wire2pkt(&pkt, q->res->answer_packet, (size_t)q->res->answer_len) !=
	    LDNS_STATUS_OK)
		return NULL;
	return pkt;
}

/* Lowercase presentation form of a name, absolute, without escapes issues. */
static int
rdf_name(const ldns_rdf *d, char *out, size_t len)
{
	ldns_rdf *c = ldns_rdf_clone(d);
	char *s;

	if (c == NULL)
		return -1;
	ldns_dname2canonical(c);
	s = ldns_rdf2str(c);
	ldns_rdf_deep_free(c);
	if (s == NULL)
		return -1;
	snprintf(out, len, "%s", s);
	free(s);
	return 0;
}

static int
name_eq(const ldns_rdf *a, const char *zone)
{
	ldns_rdf *z = ldns_dname_new_frm_str(zone);
	int eq = z != NULL && ldns_dname_compare(a, z) == 0;

	ldns_rdf_deep_free(z);
	return eq;
}

static int
name_in(const ldns_rdf *a, const char *zone)
{
	ldns_rdf *z = ldns_dname_new_frm_str(zone);
	int in = z != NULL && (ldns_dname_compare(a, z) == 0 ||
	    ldns_dname_is_subdomain(a, z));

	ldns_rdf_deep_free(z);
	return in;
}

struct wire {
	uint8_t *b;
	size_t n;
};

static int
wire_cmp(const void *x, const void *y)
{
	const struct wire *a = x, *b = y;
	size_t n = a->n < b->n ? a->n : b->n;
	int c = memcmp(a->b, b->b, n);

	if (c != 0)
		return c;
	return a->n < b->n ? -1 : a->n > b->n;
}

/*
 * PROTOCOL.md 6.1: SHA-256 over the RRset (RRs of type `type` owned by
 * zone in the answer section), each RR canonical (RFC 4034 6.2) with TTL 0,
 * in canonical order (6.3), duplicates removed; lowercase hex into hex
 * (65 bytes). The RRs share owner, type, class and TTL, so sorting the
 * whole wire forms orders them by RDATA. Also collects the key tags.
 * Returns the number of RRs (0: no RRset, hex unset).
 */
static int
rrset_digest(ldns_pkt *pkt, const char *zone, ldns_rr_type type, char hex[65],
    long long *tags, size_t *ntags)
{
	ldns_rr_list *an = pkt != NULL ? ldns_pkt_answer(pkt) : NULL;
	struct wire w[PROBE_LIST_MAX];
	size_t n = 0, k = 0;
	crypto_hash_sha256_state st;
	unsigned char md[crypto_hash_sha256_BYTES];

	*ntags = 0;
	if (an == NULL)
		return 0;
	for (size_t i = 0; i < ldns_rr_list_rr_count(an) && n < PROBE_LIST_MAX; i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i), *c;
		ldns_buffer *buf;

		if (ldns_rr_get_type(rr) != type || !name_eq(ldns_rr_owner(rr), zone))
			continue;
		if ((c = ldns_rr_clone(rr)) == NULL)
			continue;
		ldns_rr_set_ttl(c, 0);
		ldns_rr2canonical(c);
		buf = ldns_buffer_new(512);
		if (buf != NULL && ldns_rr2buffer_wire_canonical(buf, c,
		    LDNS_SECTION_ANSWER) == LDNS_STATUS_OK) {
			w[n].n = ldns_buffer_position(buf);
			w[n].b = malloc(w[n].n);
			if (w[n].b != NULL) {
				memcpy(w[n].b, ldns_buffer_begin(buf), w[n].n);
				n++;
			}
		}
		if (*ntags < PROBE_LIST_MAX) {
			long long t = -1;
			if (type == LDNS_RR_TYPE_DNSKEY)
				t = ldns_calc_keytag(c);
			else if (type == LDNS_RR_TYPE_DS && ldns_rr_rd_count(c) > 0)
				t = ldns_rdf2native_int16(ldns_rr_rdf(c, 0));
			if (t >= 0) {
				size_t x = 0;
				while (x < *ntags && tags[x] != t)
					x++;
				if (x == *ntags)
					tags[(*ntags)++] = t;
			}
		}
		ldns_buffer_free(buf);
		ldns_rr_free(c);
	}
	if (n == 0)
		return 0;
	qsort(w, n, sizeof(w[0]), wire_cmp);
	crypto_hash_sha256_init(&st);
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || wire_cmp(&w[i - 1], &w[i]) != 0) {
			crypto_hash_sha256_update(&st, w[i].b, w[i].n);
			k++;
		}
	}
	crypto_hash_sha256_final(&st, md);
	for (size_t i = 0; i < n; i++)
		free(w[i].b);
	sodium_bin2hex(hex, 65, md, sizeof(md));
	/* key tags ascending */
	for (size_t i = 1; i < *ntags; i++)
		for (size_t j = i; j > 0 && tags[j - 1] > tags[j]; j--) {
			long long t = tags[j];
			tags[j] = tags[j - 1];
			tags[j - 1] = t;
		}
	return (int)k;
}

static json_t *
tags_json(const long long *tags, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_integer(tags[i]));
	return a;
}

/* Appends the RRSIGs of list (type covered in want, or any when want is 0;
 * owner within zone) to rrsigs, skipping exact repeats. */
static void
add_rrsigs(json_t *rrsigs, ldns_rr_list *list, const char *zone,
    const ldns_rr_type *want, size_t nwant)
{
	for (size_t i = 0; list != NULL && i < ldns_rr_list_rr_count(list); i++) {
		ldns_rr *rr = ldns_rr_list_rr(list, i);
		ldns_rdf *tc, *alg, *tag, *inc, *exp;
		char owner[LDNS_MAX_DOMAINLEN + 2];
		const ldns_rr_descriptor *desc;
		ldns_rr_type covered;
		json_t *o;
		int ok = nwant == 0;

		if (json_array_size(rrsigs) >= PROBE_LIST_MAX)
			return;
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_RRSIG ||
		    !name_in(ldns_rr_owner(rr), zone))
			continue;
		tc = ldns_rr_rrsig_typecovered(rr);
		alg = ldns_rr_rrsig_algorithm(rr);
		tag = ldns_rr_rrsig_keytag(rr);
		inc = ldns_rr_rrsig_inception(rr);
		exp = ldns_rr_rrsig_expiration(rr);
		if (tc == NULL || alg == NULL || tag == NULL || inc == NULL || exp == NULL)
			continue;
		covered = ldns_rdf2rr_type(tc);
		for (size_t k = 0; k < nwant; k++)
			if (want[k] == covered)
				ok = 1;
		if (!ok)
			continue;
		desc = ldns_rr_descript(covered);
		if (desc == NULL || desc->_name == NULL ||
		    rdf_name(ldns_rr_owner(rr), owner, sizeof(owner)) != 0)
			continue;
		o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}",
		    "owner", owner, "type", desc->_name,
		    "alg", (json_int_t)ldns_rdf2native_int8(alg),
		    "tag", (json_int_t)ldns_rdf2native_int16(tag),
		    "inception", (json_int_t)ldns_rdf2native_int32(inc),
		    "expiration", (json_int_t)ldns_rdf2native_int32(exp));
		if (o == NULL)
			continue;
		for (size_t k = 0; k < json_array_size(rrsigs); k++)
			if (json_equal(json_array_get(rrsigs, k), o)) {
				json_decref(o);
				o = NULL;
				break;
			}
		if (o != NULL)
			json_array_append_new(rrsigs, o);
	}
}

/* A string field safe for PROTOCOL.md 7.2: printable ASCII only, <= 512. */
static void
clean_text(const char *in, char *out, size_t len)
{
	size_t n = 0;

	for (; in != NULL && *in != '\0' && n + 1 < len; in++)
		out[n++] = (*in >= 0x20 && *in < 0x7f) ? *in : '?';
	out[n] = '\0';
}

enum qstate { S_SECURE, S_INSECURE, S_BOGUS, S_INDET };

static enum qstate
q_state(const struct probe_q *q, const char **why)
{
	const struct ub_result *r = q->res;

	*why = NULL;
	if (q->err != 0 || r == NULL) {
		*why = q->err != 0 ? ub_strerror(q->err) : "no result";
		return S_INDET;
	}
	if (r->bogus) {
		*why = r->why_bogus != NULL ? r->why_bogus : "bogus";
		return S_BOGUS;
	}
	if (r->rcode != LDNS_RCODE_NOERROR && r->rcode != LDNS_RCODE_NXDOMAIN) {
		*why = r->rcode == LDNS_RCODE_SERVFAIL ? "SERVFAIL" :
		    r->rcode == LDNS_RCODE_REFUSED ? "REFUSED" : "error rcode";
		return S_INDET;
	}
	if (r->secure)
		return S_SECURE;
	*why = "insecure";
	return S_INSECURE;
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
static json_t *
soa_serials(struct probe_job *j)
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

/* The signatures a configured name's +cd answer carries: over its answer
 * RRsets or, for a negative answer, over its proof (SOA, NSEC, NSEC3). */
static void
add_name_rrsigs(json_t *rrsigs, ldns_pkt *pkt, const char *zone)
{
	static const ldns_rr_type proof[3] = { LDNS_RR_TYPE_SOA, LDNS_RR_TYPE_NSEC,
	    LDNS_RR_TYPE_NSEC3 };
	size_t before = json_array_size(rrsigs);

	if (pkt == NULL)
		return;
	add_rrsigs(rrsigs, ldns_pkt_answer(pkt), zone, NULL, 0);
	if (json_array_size(rrsigs) == before &&
	    ldns_rr_list_rr_count(ldns_pkt_answer(pkt)) == 0)
		add_rrsigs(rrsigs, ldns_pkt_authority(pkt), zone, proof, 3);
}

static json_t *
build(struct probe_job *j)
{
	struct probe *p = j->p;
	enum qstate st[PROBE_NQ_MAX] = { S_SECURE };
	const char *why[PROBE_NQ_MAX] = { NULL };
	int first = -1, any_bogus = 0, all_secure = 1;
	const char *state;
	char reason[PROBE_REASON_MAX + 1] = "";
	char dk_hex[65], ds_hex[65];
	long long dk_tags[PROBE_LIST_MAX], ds_tags[PROBE_LIST_MAX];
	size_t n_dk = 0, n_ds = 0;
	ldns_pkt *pk[PROBE_NQ_MAX] = { 0 };
	json_t *ev, *rrsigs, *obs, *rcode;
	int have_dk, have_ds = 0;

	for (int i = 0; i < j->nq; i++) {
		if (!q_used(j, i)) {
			st[i] = S_SECURE;
			why[i] = NULL;
			continue;
		}
		st[i] = q_state(&j->q[0][i], &why[i]);
		if (st[i] == S_BOGUS)
			any_bogus = 1;
		/* a configured name below an unsigned delegation is
		 * insecure, and nothing is wrong with that */
		if (st[i] != S_SECURE && !(st[i] == S_INSECURE && i >= Q_NAME0 &&
		    i != j->nx))
			all_secure = 0;
		pk[i] = q_pkt(&j->q[1][i]);
	}
	for (int i = 0; i < j->nq && first < 0; i++)
		if (st[i] == S_BOGUS)
			first = i;
	if (any_bogus)
		state = "bogus";
	else if (st[Q_SOA] == S_INSECURE)
		state = "insecure";
	else if (all_secure)
		state = "secure";
	else
		state = "indeterminate";
	if (first < 0 && strcmp(state, "indeterminate") == 0)
		for (int i = 0; i < j->nq && first < 0; i++)
			if (st[i] == S_INDET || (st[i] == S_INSECURE &&
			    (i < Q_NAME0 || i == j->nx)))
				first = i;
	if (first < 0) {
		first = Q_SOA;
		if (strcmp(state, "insecure") == 0)
			clean_text(why[Q_SOA], reason, sizeof(reason));
	} else {
		clean_text(why[first], reason, sizeof(reason));
	}

	/* evidence from the +cd view */
	have_dk = rrset_digest(pk[Q_DNSKEY], j->zone, LDNS_RR_TYPE_DNSKEY, dk_hex,
	    dk_tags, &n_dk);
	if (q_used(j, Q_DS))
		have_ds = rrset_digest(pk[Q_DS], j->zone, LDNS_RR_TYPE_DS, ds_hex,
		    ds_tags, &n_ds);
	rrsigs = json_array();
	if (any_bogus) {
		int apex_bogus = 0, names_bogus = 0;
		for (int i = 0; i < j->nq; i++) {
			if (st[i] != S_BOGUS)
				continue;
			if (i < Q_NAME0)
				apex_bogus = 1;
			else if (i != j->nx)
				names_bogus = 1;
		}
		if (apex_bogus) {
			/* Which RRset a validator reports as failing depends on
			 * its cache (a key once found bad fails what follows),
			 * so the evidence holds the signatures over all three
			 * apex RRsets as served: the same at every vantage
			 * point that is served the same data. */
			static const int apex[] = { Q_SOA, Q_DNSKEY, Q_NS };
			for (size_t a = 0; a < sizeof(apex) / sizeof(apex[0]); a++) {
				ldns_rr_type want[1] = { (ldns_rr_type)apex_type[apex[a]] };
				if (pk[apex[a]] != NULL)
					add_rrsigs(rrsigs, ldns_pkt_answer(pk[apex[a]]),
					    j->zone, want, 1);
			}
		} else if (names_bogus) {
			/* The apex is sound: the signatures over what the
			 * failing configured names serve, in configuration
			 * order (PROTOCOL.md 6.1: vantage points must watch
			 * the same names to compare fingerprints). */
			for (int i = Q_NAME0; i < j->nx; i++)
				if (st[i] == S_BOGUS)
					add_name_rrsigs(rrsigs, pk[i], j->zone);
		} else if (pk[j->nx] != NULL) {
			/* NSEC/NSEC3 signatures depend on the random name:
			 * used only when nothing else failed. */
			ldns_rr_type want[3] = { LDNS_RR_TYPE_SOA, LDNS_RR_TYPE_NSEC,
			    LDNS_RR_TYPE_NSEC3 };
			add_rrsigs(rrsigs, ldns_pkt_authority(pk[j->nx]), j->zone, want, 3);
		}
	}
	ev = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}",
	    "dnskey_digest", have_dk ? json_string(dk_hex) : json_null(),
	    "dnskey_tags", tags_json(dk_tags, n_dk),
	    "ds_digest", have_ds ? json_string(ds_hex) : json_null(),
	    "ds_tags", tags_json(ds_tags, n_ds),
	    "rrsigs", rrsigs, "soa_serials", soa_serials(j));
	/* A validating resolver answers SERVFAIL for bogus data, whatever
	 * rcode libunbound keeps beside the bogus flag. */
	if (st[first] == S_BOGUS)
		rcode = json_integer(LDNS_RCODE_SERVFAIL);
	else if (j->q[0][first].err == 0 && j->q[0][first].res != NULL)
		rcode = json_integer(j->q[0][first].res->rcode);
	else
		rcode = json_null();
	obs = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:[], s:s, s:s, s:o, s:n}",
	    "zone", j->zone, "vantage", p->vantage, "validator", p->validator,
	    "qname", j->qname[first], "qtype", q_type_name(j, first), "rcode", rcode,
	    "ede", "state", state, "reason", reason, "evidence", ev, "fingerprint");
	if (obs != NULL && any_bogus) {
		unsigned char fp[FINGERPRINT_LEN];
		char fph[2 * FINGERPRINT_LEN + 1];
		if (fingerprint_compute(j->zone, ev, fp) == PROTO_OK) {
			sodium_bin2hex(fph, sizeof(fph), fp, sizeof(fp));
			json_object_set_new(obs, "fingerprint", json_string(fph));
		}
	}
	for (int i = 0; i < j->nq; i++)
		ldns_pkt_free(pk[i]);
	return obs;
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

	for (int n = 0; n < j->nns; n++)
		for (int t = 0; t < 2; t++)
			if (j->ns[n].aq[t].pending) {
				if (j->p->cd != NULL)
					ub_cancel(j->p->cd, j->ns[n].aq[t].id);
				j->ns[n].aq[t].pending = 0;
			}
	obs = build(j);
	if (j->done != NULL)
		j->done(j->arg, obs);
	else
		json_decref(obs);
	job_unlink_free(j);
}

static int
job_soa_busy(const struct probe_job *j)
{
	if (j->lookups_left > 0)
		return 1;
	for (int i = 0; i < j->nsq; i++)
		if (j->sq[i].state == SQ_WAIT)
			return 1;
	return 0;
}

/* Finish j when nothing more is to come. Returns 1 when j was freed. */
static int
job_check(struct probe_job *j, long long now)
{
	if (j->main_left > 0)
		return 0;
	if (j->soa_started && now < j->soa_deadline && job_soa_busy(j))
		return 0;
	job_finish(j);
	return 1;
}

/* ------------------------------------------------------------ SOA phase */

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
static void
sock_gc(struct probe *p)
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
	long long now = now_ms();

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
	job_check(j, now);
}

static int
str_cmp(const void *x, const void *y)
{
	return strcmp((const char *)x, (const char *)y);
}

/* The +cd NS answer is in: look up the addresses of the NS names. */
static void
soa_phase_start(struct probe_job *j)
{
	char names[PROBE_LIST_MAX][LDNS_MAX_DOMAINLEN + 2];
	size_t n = 0;
	ldns_pkt *pkt = q_pkt(&j->q[1][Q_NS]);
	ldns_rr_list *an;

	if (pkt == NULL)
		return;
	an = ldns_pkt_answer(pkt);
	for (size_t i = 0; i < ldns_rr_list_rr_count(an) && n < PROBE_LIST_MAX; i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		int dup = 0;

		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NS || ldns_rr_rd_count(rr) < 1 ||
		    !name_eq(ldns_rr_owner(rr), j->zone) ||
		    rdf_name(ldns_rr_rdf(rr, 0), names[n], sizeof(names[n])) != 0)
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
	j->soa_deadline = now_ms() + PROBE_SOA_TIMEOUT_MS;
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
			ns_start(j, ns, now_ms());
	}
}

/* Whether pkt answers sq authoritatively; its serial into sq. */
static int
sq_answer(struct probe_job *j, struct probe_sq *sq, ldns_pkt *pkt)
{
	ldns_rr_list *qd = ldns_pkt_question(pkt), *an = ldns_pkt_answer(pkt);

	if (!ldns_pkt_qr(pkt) || ldns_rr_list_rr_count(qd) != 1 ||
	    ldns_rr_get_type(ldns_rr_list_rr(qd, 0)) != LDNS_RR_TYPE_SOA ||
	    !name_eq(ldns_rr_owner(ldns_rr_list_rr(qd, 0)), j->zone))
		return -1;  /* not an answer to this question: ignore it */
	sq->state = SQ_FAIL;
	if (ldns_pkt_get_rcode(pkt) != LDNS_RCODE_NOERROR || !ldns_pkt_aa(pkt) ||
	    ldns_pkt_tc(pkt))
		return 0;
	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && ldns_rr_rd_count(rr) >= 3 &&
		    name_eq(ldns_rr_owner(rr), j->zone)) {
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
static void
sock_read(struct probe *p, int fd, long long now)
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
				job_check(j, now);
				break;
			}
		}
		ldns_pkt_free(pkt);
	}
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
		soa_phase_start(j);
	job_check(j, now_ms());
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
		if (q_used(j, i))
			j->main_left += 2;
	j->main_left += 1;  /* guard */
	for (int c = 0; c < 2; c++)
		for (int i = 0; i < j->nq; i++) {
			struct probe_q *q = &j->q[c][i];
			if (!q_used(j, i))
				continue;
			q->job = j;
			q->idx = i;
			q->cd = c;
			if (ub_resolve_async(c ? p->cd : p->val, j->qname[i], q_type(j, i),
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
	job_check(j, now_ms());  /* every start failed after some ran */
	return 0;
}

int
probe_timeout(struct probe *p)
{
	long long now = now_ms(), due = LLONG_MAX;

	for (struct probe_job *j = p->jobs; j != NULL; j = j->next) {
		if (!j->soa_started)
			continue;
		/* past the deadline, a job waits only for its libunbound
		 * queries, which wake the caller through their descriptors */
		if (j->main_left == 0 && j->soa_deadline < due)
			due = j->soa_deadline;
		for (int i = 0; i < j->nsq; i++)
			if (j->sq[i].state == SQ_WAIT && j->sq[i].next_send < due &&
			    j->sq[i].next_send < j->soa_deadline)
				due = j->sq[i].next_send;
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
	now = now_ms();
	sock_read(p, p->sock4, now);
	sock_read(p, p->sock6, now);
	for (j = p->jobs; j != NULL; j = next) {
		next = j->next;
		if (!j->soa_started)
			continue;
		if (now < j->soa_deadline)
			for (int i = 0; i < j->nsq; i++)
				if (j->sq[i].state == SQ_WAIT && j->sq[i].next_send <= now)
					sq_send(j, &j->sq[i], now);
		job_check(j, now);
	}
	sock_gc(p);
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
