/*
 * lib/probe_evidence.c — the observation a finished probe job yields
 * (probe.h states the rules): the state and the failing query, the
 * reason, the evidence from the +cd view (DNSKEY/DS digests and key tags,
 * the RRSIGs the fingerprint covers, the SOA serials of probe_soa.c) and
 * the failure fingerprint (docs/PROTOCOL.md 6.1, 9). Reads the answers
 * with ldns; never sends anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <ldns/ldns.h>
#include <sodium.h>
#include <unbound.h>

#include "proto/fingerprint.h"
#include "lib/probe_int.h"

ldns_pkt *
probe_q_pkt(const struct probe_q *q)
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
int
probe_rdf_name(const ldns_rdf *d, char *out, size_t len)
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

int
probe_name_eq(const ldns_rdf *a, const char *zone)
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

		if (ldns_rr_get_type(rr) != type || !probe_name_eq(ldns_rr_owner(rr), zone))
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
		    probe_rdf_name(ldns_rr_owner(rr), owner, sizeof(owner)) != 0)
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

/* The verdict of a job over its queries (probe.h: State). */
struct verdict {
	enum qstate st[PROBE_NQ_MAX];
	const char *why[PROBE_NQ_MAX];
	int first;                    /* the query qname/qtype name */
	int any_bogus;
	const char *state;
	char reason[PROBE_REASON_MAX + 1];
};

/* The state of each query in the validating context, the job's state,
 * the first failing query and the reason. */
static void
judge(const struct probe_job *j, struct verdict *v)
{
	int all_secure = 1;
	int indeterminate = 0;

	memset(v, 0, sizeof(*v));
	v->first = -1;
	for (int i = 0; i < j->nq; i++) {
		if (!probe_q_used(j, i)) {
			v->st[i] = S_SECURE;
			continue;
		}
		v->st[i] = q_state(&j->q[0][i], &v->why[i]);
		if (v->st[i] == S_BOGUS)
			v->any_bogus = 1;
		/* a configured name below an unsigned delegation is
		 * insecure, and nothing is wrong with that */
		if (v->st[i] != S_SECURE && !(v->st[i] == S_INSECURE &&
		    i >= Q_NAME0 && i != j->nx))
			all_secure = 0;
	}
	for (int i = 0; i < j->nq && v->first < 0; i++)
		if (v->st[i] == S_BOGUS)
			v->first = i;
	if (v->any_bogus)
		v->state = "bogus";
	else if (v->st[Q_SOA] == S_INSECURE)
		v->state = "insecure";
	else if (all_secure)
		v->state = "secure";
	else {
		v->state = "indeterminate";
		indeterminate = 1;
	}
	if (v->first < 0 && indeterminate)
		for (int i = 0; i < j->nq && v->first < 0; i++)
			if (v->st[i] == S_INDET || (v->st[i] == S_INSECURE &&
			    (i < Q_NAME0 || i == j->nx)))
				v->first = i;
	if (v->first < 0) {
		v->first = Q_SOA;
		if (strcmp(v->state, "insecure") == 0)
			clean_text(v->why[Q_SOA], v->reason, sizeof(v->reason));
	} else {
		clean_text(v->why[v->first], v->reason, sizeof(v->reason));
	}
}

/* evidence.rrsigs of a bogus job, from the +cd answers pk (probe.h: the
 * fingerprint's RRSIGs); an empty array when nothing is bogus. */
static json_t *
bogus_rrsigs(const struct probe_job *j, const struct verdict *v,
    ldns_pkt *const *pk)
{
	json_t *rrsigs = json_array();
	int apex_bogus = 0, names_bogus = 0;

	if (!v->any_bogus)
		return rrsigs;
	for (int i = 0; i < j->nq; i++) {
		if (v->st[i] != S_BOGUS)
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
			ldns_rr_type want[1] = { (ldns_rr_type)probe_q_type(j, apex[a]) };
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
			if (v->st[i] == S_BOGUS)
				add_name_rrsigs(rrsigs, pk[i], j->zone);
	} else if (pk[j->nx] != NULL) {
		/* NSEC/NSEC3 signatures depend on the random name:
		 * used only when nothing else failed. */
		ldns_rr_type want[3] = { LDNS_RR_TYPE_SOA, LDNS_RR_TYPE_NSEC,
		    LDNS_RR_TYPE_NSEC3 };
		add_rrsigs(rrsigs, ldns_pkt_authority(pk[j->nx]), j->zone, want, 3);
	}
	return rrsigs;
}

/* The evidence object, from the +cd answers pk. */
static json_t *
evidence(const struct probe_job *j, const struct verdict *v, ldns_pkt *const *pk)
{
	char dk_hex[65], ds_hex[65];
	long long dk_tags[PROBE_LIST_MAX], ds_tags[PROBE_LIST_MAX];
	size_t n_dk = 0, n_ds = 0;
	int have_dk, have_ds = 0;

	have_dk = rrset_digest(pk[Q_DNSKEY], j->zone, LDNS_RR_TYPE_DNSKEY, dk_hex,
	    dk_tags, &n_dk);
	if (probe_q_used(j, Q_DS))
		have_ds = rrset_digest(pk[Q_DS], j->zone, LDNS_RR_TYPE_DS, ds_hex,
		    ds_tags, &n_ds);
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}",
	    "dnskey_digest", have_dk ? json_string(dk_hex) : json_null(),
	    "dnskey_tags", tags_json(dk_tags, n_dk),
	    "ds_digest", have_ds ? json_string(ds_hex) : json_null(),
	    "ds_tags", tags_json(ds_tags, n_ds),
	    "rrsigs", bogus_rrsigs(j, v, pk), "soa_serials", probe_soa_serials(j));
}

json_t *
probe_build(struct probe_job *j)
{
	struct probe *p = j->p;
	struct verdict v;
	ldns_pkt *pk[PROBE_NQ_MAX] = { 0 };
	json_t *ev, *obs, *rcode;
	int first;

	judge(j, &v);
	first = v.first;
	for (int i = 0; i < j->nq; i++)
		if (probe_q_used(j, i))
			pk[i] = probe_q_pkt(&j->q[1][i]);
	ev = evidence(j, &v, pk);
	/* A validating resolver answers SERVFAIL for bogus data, whatever
	 * rcode libunbound keeps beside the bogus flag. */
	if (v.st[first] == S_BOGUS)
		rcode = json_integer(LDNS_RCODE_SERVFAIL);
	else if (j->q[0][first].err == 0 && j->q[0][first].res != NULL)
		rcode = json_integer(j->q[0][first].res->rcode);
	else
		rcode = json_null();
	obs = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:[], s:s, s:s, s:o, s:n}",
	    "zone", j->zone, "vantage", p->vantage, "validator", p->validator,
	    "qname", j->qname[first], "qtype", probe_q_type_name(j, first), "rcode", rcode,
	    "ede", "state", v.state, "reason", v.reason, "evidence", ev, "fingerprint");
	if (obs != NULL && v.any_bogus) {
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
