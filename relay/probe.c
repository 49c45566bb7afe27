/*
 * relay/probe.c — the DNSSEC probe (see probe.h): libunbound for the
 * validation, ldns for every byte of DNS wire data, jansson for the
 * observation fields, proto/fingerprint for the failure fingerprint.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <ldns/ldns.h>
#include <sodium.h>
#include <unbound.h>

#include "proto/fingerprint.h"
#include "relay/probe.h"

#define PROBE_NQ 5          /* SOA, DNSKEY, NS, DS, NX */
#define PROBE_LIST_MAX 64   /* dnskey_tags, ds_tags, rrsigs */
#define PROBE_REASON_MAX 512

enum { Q_SOA, Q_DNSKEY, Q_NS, Q_DS, Q_NX };

static const char *const q_type_name[PROBE_NQ] = { "SOA", "DNSKEY", "NS", "DS", "A" };
static const int q_type[PROBE_NQ] = {
	LDNS_RR_TYPE_SOA, LDNS_RR_TYPE_DNSKEY, LDNS_RR_TYPE_NS, LDNS_RR_TYPE_DS,
	LDNS_RR_TYPE_A
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

struct probe_job {
	struct probe *p;
	struct probe_job *next;
	char zone[LDNS_MAX_DOMAINLEN + 2];
	char qname[PROBE_NQ][LDNS_MAX_DOMAINLEN + 2];
	struct probe_q q[2][PROBE_NQ];  /* [0] validating, [1] +cd */
	int outstanding;
	int nq;                         /* PROBE_NQ, or PROBE_NQ - 1 without DS */
	probe_done_cb done;
	void *arg;
};

struct probe {
	struct ub_ctx *val, *cd;
	char vantage[65];
	char validator[65];
	char server[65];                /* soa_serials[].server */
	char forward[80];               /* "" = recursion */
	char ta[4096];                  /* trust anchor file; "" = root KSKs */
	long rounds;
	struct probe_job *jobs;
};

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
	snprintf(p->vantage, sizeof(p->vantage), "probe");
	snprintf(p->validator, sizeof(p->validator), "libunbound %s", ub_version());
	snprintf(p->server, sizeof(p->server), "%s",
	    forward != NULL ? forward : "recursion");
	if (forward != NULL)
		snprintf(p->forward, sizeof(p->forward), "%s", forward);
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
probe_fd(struct probe *p)
{
	return p->val ? ub_fd(p->val) : -1;
}

int
probe_fd_cd(struct probe *p)
{
	return p->cd ? ub_fd(p->cd) : -1;
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
q_used(const struct probe_job *j, int i)
{
	return i != Q_DS || j->nq == PROBE_NQ;
}

static json_t *
build(struct probe_job *j)
{
	struct probe *p = j->p;
	enum qstate st[PROBE_NQ];
	const char *why[PROBE_NQ];
	int first = -1, any_bogus = 0, all_secure = 1;
	const char *state;
	char reason[PROBE_REASON_MAX + 1] = "";
	char dk_hex[65], ds_hex[65];
	long long dk_tags[PROBE_LIST_MAX], ds_tags[PROBE_LIST_MAX];
	size_t n_dk = 0, n_ds = 0;
	ldns_pkt *pk[PROBE_NQ] = { 0 };
	json_t *ev, *rrsigs, *soas, *obs, *rcode;
	int have_dk, have_ds = 0;

	for (int i = 0; i < PROBE_NQ; i++) {
		if (!q_used(j, i)) {
			st[i] = S_SECURE;
			why[i] = NULL;
			continue;
		}
		st[i] = q_state(&j->q[0][i], &why[i]);
		if (st[i] == S_BOGUS)
			any_bogus = 1;
		if (st[i] != S_SECURE)
			all_secure = 0;
		pk[i] = q_pkt(&j->q[1][i]);
	}
	for (int i = 0; i < PROBE_NQ && first < 0; i++)
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
		for (int i = 0; i < PROBE_NQ && first < 0; i++)
			if (st[i] == S_INDET)
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
		int only_nx = 1;
		for (int i = 0; i < PROBE_NQ; i++)
			if (st[i] == S_BOGUS && i != Q_NX)
				only_nx = 0;
		if (only_nx && st[Q_NX] == S_BOGUS && pk[Q_NX] != NULL) {
			/* NSEC/NSEC3 signatures depend on the random name:
			 * used only when nothing else failed. */
			ldns_rr_type want[3] = { LDNS_RR_TYPE_SOA, LDNS_RR_TYPE_NSEC,
			    LDNS_RR_TYPE_NSEC3 };
			add_rrsigs(rrsigs, ldns_pkt_authority(pk[Q_NX]), j->zone, want, 3);
		} else {
			/* Which RRset a validator reports as failing depends on
			 * its cache (a key once found bad fails what follows),
			 * so the evidence holds the signatures over all three
			 * apex RRsets as served: the same at every vantage
			 * point that is served the same data. */
			static const int apex[] = { Q_SOA, Q_DNSKEY, Q_NS };
			for (size_t a = 0; a < sizeof(apex) / sizeof(apex[0]); a++) {
				ldns_rr_type want[1] = { (ldns_rr_type)q_type[apex[a]] };
				if (pk[apex[a]] != NULL)
					add_rrsigs(rrsigs, ldns_pkt_answer(pk[apex[a]]),
					    j->zone, want, 1);
			}
		}
	}
	soas = json_array();
	if (pk[Q_SOA] != NULL) {
		ldns_rr_list *an = ldns_pkt_answer(pk[Q_SOA]);
		for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
			ldns_rr *rr = ldns_rr_list_rr(an, i);
			if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA &&
			    ldns_rr_rd_count(rr) >= 3 && name_eq(ldns_rr_owner(rr), j->zone)) {
				json_array_append_new(soas, json_pack("{s:s, s:I}",
				    "server", p->server, "serial",
				    (json_int_t)ldns_rdf2native_int32(ldns_rr_rdf(rr, 2))));
				break;
			}
		}
	}
	ev = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}",
	    "dnskey_digest", have_dk ? json_string(dk_hex) : json_null(),
	    "dnskey_tags", tags_json(dk_tags, n_dk),
	    "ds_digest", have_ds ? json_string(ds_hex) : json_null(),
	    "ds_tags", tags_json(ds_tags, n_ds),
	    "rrsigs", rrsigs, "soa_serials", soas);
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
	    "qname", j->qname[first], "qtype", q_type_name[first], "rcode", rcode,
	    "ede", "state", state, "reason", reason, "evidence", ev, "fingerprint");
	if (obs != NULL && any_bogus) {
		unsigned char fp[FINGERPRINT_LEN];
		char fph[2 * FINGERPRINT_LEN + 1];
		if (fingerprint_compute(j->zone, ev, fp) == PROTO_OK) {
			sodium_bin2hex(fph, sizeof(fph), fp, sizeof(fp));
			json_object_set_new(obs, "fingerprint", json_string(fph));
		}
	}
	for (int i = 0; i < PROBE_NQ; i++)
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
		for (int i = 0; i < PROBE_NQ; i++)
			if (j->q[c][i].res != NULL)
				ub_resolve_free(j->q[c][i].res);
	free(j);
}

static void
q_cb(void *arg, int err, struct ub_result *res)
{
	struct probe_q *q = arg;
	struct probe_job *j = q->job;
	json_t *obs;

	q->done = 1;
	q->err = err;
	q->res = res;
	if (--j->outstanding > 0)
		return;
	obs = build(j);
	if (j->done != NULL)
		j->done(j->arg, obs);
	else
		json_decref(obs);
	job_unlink_free(j);
}

int
probe_zone(struct probe *p, const char *zone, probe_done_cb done, void *arg)
{
	struct probe_job *j;
	unsigned char rnd[6];
	char lab[32];
	int started = 0;

	if (zone == NULL || *zone == '\0' || strlen(zone) > LDNS_MAX_DOMAINLEN)
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
	j->nq = strcmp(zone, ".") == 0 ? Q_DS : PROBE_NQ;  /* root: no DS */
	randombytes_buf(rnd, sizeof(rnd));
	snprintf(lab, sizeof(lab), "ntarelay-nx-");
	sodium_bin2hex(lab + strlen(lab), sizeof(lab) - strlen(lab), rnd, sizeof(rnd));
	for (int i = 0; i < PROBE_NQ; i++)
		snprintf(j->qname[i], sizeof(j->qname[i]), "%s", zone);
	if (strcmp(zone, ".") == 0)
		snprintf(j->qname[Q_NX], sizeof(j->qname[Q_NX]), "%s.", lab);
	else
		snprintf(j->qname[Q_NX], sizeof(j->qname[Q_NX]), "%s.%s", lab, zone);
	j->next = p->jobs;
	p->jobs = j;
	/* count first, so a synchronous callback cannot finish early */
	for (int i = 0; i < PROBE_NQ; i++)
		if (i != Q_DS || j->nq == PROBE_NQ)
			j->outstanding += 2;
	j->outstanding += 1;  /* guard */
	for (int c = 0; c < 2; c++)
		for (int i = 0; i < PROBE_NQ; i++) {
			struct probe_q *q = &j->q[c][i];
			if (i == Q_DS && j->nq < PROBE_NQ)
				continue;
			q->job = j;
			q->idx = i;
			q->cd = c;
			if (ub_resolve_async(c ? p->cd : p->val, j->qname[i], q_type[i],
			    LDNS_RR_CLASS_IN, q, q_cb, NULL) != 0) {
				q->done = 1;
				q->err = UB_NOMEM;
				j->outstanding--;
			} else {
				started++;
			}
		}
	if (started == 0) {
		job_unlink_free(j);
		return -1;
	}
	if (--j->outstanding == 0) {  /* every start failed after some ran */
		json_t *obs = build(j);
		if (done != NULL)
			done(arg, obs);
		else
			json_decref(obs);
		job_unlink_free(j);
	}
	return 0;
}

void
probe_process(struct probe *p)
{
	if (ub_poll(p->val))
		ub_process(p->val);
	if (ub_poll(p->cd))
		ub_process(p->cd);
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
	while (p->jobs != NULL)
		job_unlink_free(p->jobs);
	free(p);
}
