/*
 * client/cmd_trust.c — ntactl trust --db DB COMMAND: manage and audit a
 * trust database.
 *
 *   pin OPERATOR.pub [--zones Z,...] [--name NAME]   unpin OPERATOR
 *   name OPERATOR NAME|-
 *   import FILE|-                      export
 *   list [--json]                      why KEY [--json]      check KEY
 *
 * Verdicts are computed exactly as the relay computes them (trustdb's
 * membership rules and index), at the current time or --now. pin, unpin
 * and name are in client/cmd_trust_pin.c. Operators are named by their
 * pins' local names; a key's self-declared name is shown only as the hint
 * "~NAME?" (lib/opname.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "client/cli.h"
#include "client/cmd_trust.h"
#include "client/ntactl.h"
#include "proto/encoding.h"
#include "proto/zone.h"
#include "trustdb/explain.h"
#include "trustdb/index.h"
#include "trustdb/membership.h"
#include "trustdb/store.h"

#define GROUPS_MAX TRUST_GROUPS_MAX
#define GROUP_OPS_MAX TRUST_GROUP_OPS_MAX

static const char usage_text[] =
    "usage: ntactl trust --db DB [OPTIONS] COMMAND [ARGS]\n"
    "\n"
    "Commands:\n"
    "  pin OPERATOR.pub [--zones Z,...] [--name NAME] [--force]\n"
    "                                    trust an operator's root key locally,\n"
    "                                    optionally for zone statements on Z,\n"
    "                                    under the local name NAME (1-32 of\n"
    "                                    a-z 0-9 . _ -, unique among the pins);\n"
    "                                    a certified relay key is refused\n"
    "                                    (--force: you checked out of band\n"
    "                                    that it is the operator's root)\n"
    "  unpin OPERATOR                    remove a pin (.pub or operator id)\n"
    "  name OPERATOR NAME|-              give a pinned operator a local name\n"
    "                                    (or rename it; - removes the name)\n"
    "  import FILE|-                     verify and store vouch, unvouch,\n"
    "                                    key_cert and key_revoke envelopes\n"
    "                                    (one per line); all or nothing\n"
    "  export                            print every stored envelope, one per\n"
    "                                    line, in an order import accepts\n"
    "  list [--json]                     operators, keys and their status\n"
    "  why KEY [--json]                  how KEY is or is not trusted\n"
    "  check KEY                         exit 0 and print the operator id if\n"
    "                                    KEY is a current member key, else\n"
    "                                    exit 1 and print why not\n"
    "KEY and OPERATOR: a .pub file or a key id (64 hex digits).\n"
    "Operators are shown by local name; a key's own (self-declared) name\n"
    "only as the hint ~NAME?.\n"
    "\n"
    "Options:\n"
    "  --db DB            the trust database (created by pin and import)\n"
    "  --net NAME         the federation of the database; fixed once (else\n"
    "                     by the first import), then checked\n"
    "  --threshold V      vouches from pinned members needed (default 2)\n"
    "  --group OP,OP,...  count these operators as one vote (repeatable)\n"
    "  --now EPOCH        evaluate at this time instead of the clock\n"
    "  --help             this text\n"
    "\n"
    "Exit status: 0 success (check: member), 1 refused envelope, refused\n"
    "pin (a relay key, a local name another pin holds) or not a member,\n"
    "2 usage error, bad key file, damaged or locked database.\n";

char *
trust_hex(const unsigned char id[KEY_ID_LEN], char buf[KEY_ID_HEX_LEN + 1])
{
	return encoding_hex_encode(id, KEY_ID_LEN, buf);
}

static const char *
fmt_time(long long t, char buf[32])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t <= 0 || t >= TRUST_FOREVER)
		return t <= 0 ? "-" : "never";
	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, 32, "%lld", t);
	return buf;
}

static int
parse_group(struct trust_opts *o, const char *arg)
{
	struct trust_group *g;
	char *copy, *tok, *save = NULL, reason[PROTO_REASON_MAX];
	struct key_public k;
	bool has_pk;
	int rc = -1;

	if (o->params.ngroups == GROUPS_MAX) {
		cli_err("trust: at most %d --group options", GROUPS_MAX);
		return -1;
	}
	g = &o->groups[o->params.ngroups];
	g->ops = (const unsigned char (*)[KEY_ID_LEN])o->group_ids[o->params.ngroups];
	g->n = 0;
	if ((copy = strdup(arg)) == NULL)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (g->n == GROUP_OPS_MAX) {
			cli_err("trust: --group: at most %d operators", GROUP_OPS_MAX);
			goto out;
		}
		if (key_arg_parse(tok, &k, &has_pk, reason) != PROTO_OK) {
			cli_err("trust: --group: %s", reason);
			goto out;
		}
		memcpy(o->group_ids[o->params.ngroups][g->n++], k.id, KEY_ID_LEN);
	}
	o->params.ngroups++;
	rc = 0;
out:
	free(copy);
	return rc;
}

int
trust_db_open(const struct trust_opts *o, bool create, struct trustdb **db)
{
	char reason[TRUSTDB_REASON_MAX];

	if (trustdb_open(o->db, create ? TRUSTDB_OPEN_CREATE : 0, 0, db, reason)
	    != TRUSTDB_OK) {
		cli_err("trust: %s", reason);
		return -1;
	}
	if (o->net != NULL && trustdb_net_set(*db, o->net, reason) != TRUSTDB_OK) {
		cli_err("trust: %s", reason);
		trustdb_close(*db);
		*db = NULL;
		return -1;
	}
	return 0;
}

/* Load the snapshot and apply the rules. */
static int
compute(const struct trust_opts *o, struct trustdb *db,
    struct trust_records **r, struct trust_membership **m)
{
	char reason[TRUSTDB_REASON_MAX];

	if (trustdb_load(db, r, reason) != TRUSTDB_OK ||
	    trust_membership_compute(*r, &o->params, o->now, m, reason) != TRUSTDB_OK) {
		cli_err("trust: %s", reason);
		return -1;
	}
	return 0;
}

static int
do_import(const struct trust_opts *o, const char *arg)
{
	char reason[TRUSTDB_REASON_MAX], *buf = NULL;
	struct trustdb_import_stats st;
	struct trustdb *db = NULL;
	enum trustdb_err e;
	size_t len;
	int rc = CLI_ERR;

	if (cli_read_input(arg, TRUSTDB_IMPORT_MAX, &buf, &len) != 0)
		return CLI_ERR;
	if (trust_db_open(o, true, &db) != 0)
		goto out;
	if ((e = trustdb_import(db, buf, len, o->now, &st, reason)) != TRUSTDB_OK) {
		cli_err("trust import: %s; nothing imported", reason);
		switch (e) {
		case TRUSTDB_E_NOMEM: case TRUSTDB_E_OPEN: case TRUSTDB_E_CORRUPT:
		case TRUSTDB_E_LOCKED: case TRUSTDB_E_VERSION: case TRUSTDB_E_SQL:
			rc = CLI_ERR;
			break;
		default:
			rc = CLI_NO;
		}
		goto out;
	}
	printf("imported %zu, already present %zu\n", st.imported, st.duplicates);
	rc = CLI_OK;
out:
	trustdb_close(db);
	free(buf);
	return rc;
}

static int
print_env(void *ctx, const char *env, size_t len)
{
	(void)ctx;
	return fwrite(env, 1, len, stdout) == len && putchar('\n') != EOF ? 0 : -1;
}

static int
do_export(const struct trust_opts *o)
{
	char reason[TRUSTDB_REASON_MAX];
	struct trustdb *db = NULL;
	int rc = CLI_ERR;

	if (trust_db_open(o, false, &db) != 0)
		return CLI_ERR;
	if (trustdb_export(db, print_env, NULL, reason) != TRUSTDB_OK)
		cli_err("trust export: %s", reason);
	else
		rc = fflush(stdout) == 0 ? CLI_OK : CLI_ERR;
	trustdb_close(db);
	return rc;
}

static const char *
name_of(const struct trust_records *r, const unsigned char id[KEY_ID_LEN])
{
	const struct trust_keyrec *k = trust_records_key(r, id);
	return k ? k->name : "";
}

static json_t *
zones_json(const char *list)
{
	json_t *a = json_array();
	char *copy = strdup(list ? list : ""), *tok, *save = NULL;

	for (tok = copy ? strtok_r(copy, " ", &save) : NULL; tok;
	    tok = strtok_r(NULL, " ", &save))
		json_array_append_new(a, json_string(tok));
	free(copy);
	return a;
}

/* The keys of operator i (relay and root keys), under it. */
static void
list_keys(const struct trust_opts *o, const struct trust_records *r,
    const struct trust_membership *m, size_t i, json_t *jkeys)
{
	char h[KEY_ID_HEX_LEN + 1], t1[32], t2[32], nb[OPNAME_MAX];

	for (size_t k = 0; k < m->nkeys; k++) {
		const struct trust_keystate *ks = &m->keys[k];
		enum trust_reason why = trust_keystate_at(ks, o->now);
		/* a window exists only for keys a member certified */
		bool win = !ks->is_root && ks->reason == TRUST_MEMBER;

		if (ks->op != i)
			continue;
		if (o->json)
			json_array_append_new(jkeys, json_pack(
			    "{s:s,s:s,s:b,s:s,s:I,s:I}", "id", trust_hex(ks->id, h),
			    "name", name_of(r, ks->id), "root", ks->is_root,
			    "status", trust_reason_name(why),
			    "not_before", (json_int_t)(win ? ks->not_before : 0),
			    "not_after", (json_int_t)(win ? ks->not_after : 0)));
		else
			printf("  %s %s %s: %s%s%s%s%s\n", ks->is_root ? "root " : "relay",
			    trust_hex(ks->id, h), trust_shown_name(r, ks->id, nb),
			    trust_reason_name(why), win ? ", certified " : "",
			    win ? fmt_time(ks->not_before, t1) : "",
			    win ? " to " : "", win ? fmt_time(ks->not_after, t2) : "");
	}
}

/* Operator i and its keys: a line each, or an object appended to ops. */
static void
list_operator(const struct trust_opts *o, const struct trust_records *r,
    const struct trust_membership *m, size_t i, json_t *ops)
{
	char h[KEY_ID_HEX_LEN + 1], h2[KEY_ID_HEX_LEN + 1], nb[OPNAME_MAX];
	const struct trust_op *op = &m->ops[i];
	json_t *jo, *jkeys = NULL;
	const char *status = op->member ? (op->pinned ? "member (pinned)" :
	    "member (vouched)") : op->revoked ? "not a member (root revoked)" :
	    op->unvouched ? "not a member (unvouched)" : "not a member";

	if (o->json) {
		jo = json_pack("{s:s,s:s,s:b,s:b,s:b,s:i,s:o,s:o}",
		    "id", trust_hex(op->id, h), "name", name_of(r, op->id),
		    "member", op->member, "pinned", op->pinned,
		    "revoked", op->revoked, "vouches", (json_int_t)op->vouches,
		    "vote", op->member ? json_string(trust_hex(m->ops[op->vote].id, h2)) :
		    json_null(), "zones", zones_json(op->zones));
		json_object_set_new(jo, "local_name", trust_records_pin(r, op->id) &&
		    trust_records_pin(r, op->id)->name[0] ? json_string(
		    trust_records_pin(r, op->id)->name) : json_null());
		json_object_set_new(jo, "keys", jkeys = json_array());
		json_array_append_new(ops, jo);
	} else {
		printf("operator %s %s: %s, %u vouch%s", trust_hex(op->id, h),
		    trust_shown_name(r, op->id, nb), status,
		    op->vouches, op->vouches == 1 ? "" : "es");
		if (op->member && op->vote != i)
			printf(", one vote with %s", trust_hex(m->ops[op->vote].id, h2));
		if (op->zones && *op->zones)
			printf(", zones %s", op->zones);
		putchar('\n');
	}
	list_keys(o, r, m, i, jkeys);
}

/* The keys of no operator. */
static void
list_loose(const struct trust_opts *o, const struct trust_records *r,
    const struct trust_membership *m, json_t *loose)
{
	char h[KEY_ID_HEX_LEN + 1], nb[OPNAME_MAX];

	for (size_t k = 0; k < m->nkeys; k++) {
		const struct trust_keystate *ks = &m->keys[k];
		if (ks->op != TRUST_NONE)
			continue;
		if (o->json)
			json_array_append_new(loose, json_pack("{s:s,s:s,s:s}",
			    "id", trust_hex(ks->id, h), "name", name_of(r, ks->id),
			    "status", trust_reason_name(trust_keystate_at(ks, o->now))));
		else
			printf("key %s %s: %s\n", trust_hex(ks->id, h),
			    trust_shown_name(r, ks->id, nb),
			    trust_reason_name(trust_keystate_at(ks, o->now)));
	}
}

static int
do_list(const struct trust_opts *o)
{
	char net[TRUSTDB_NET_MAX + 1], reason[TRUSTDB_REASON_MAX];
	struct trust_records *r = NULL;
	struct trust_membership *m = NULL;
	struct trustdb *db = NULL;
	json_t *root = NULL, *ops = NULL, *loose = NULL;
	bool has_net;
	int rc = CLI_ERR;

	if (trust_db_open(o, false, &db) != 0)
		return CLI_ERR;
	if (trustdb_net_get(db, net, &has_net, reason) != TRUSTDB_OK) {
		cli_err("trust list: %s", reason);
		goto out;
	}
	if (compute(o, db, &r, &m) != 0)
		goto out;
	if (o->json) {
		root = json_object();
		json_object_set_new(root, "net", has_net ? json_string(net) : json_null());
		json_object_set_new(root, "threshold", json_integer(m->threshold));
		json_object_set_new(root, "now", json_integer(o->now));
		json_object_set_new(root, "operators", ops = json_array());
		json_object_set_new(root, "other_keys", loose = json_array());
	} else
		printf("federation %s, threshold %u, %zu operators, %zu keys\n",
		    has_net ? net : "(not set)", m->threshold, m->nops, m->nkeys);
	for (size_t i = 0; i < m->nops; i++)
		list_operator(o, r, m, i, ops);
	list_loose(o, r, m, loose);
	if (o->json && json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0)
		putchar('\n');
	rc = fflush(stdout) == 0 ? CLI_OK : CLI_ERR;
out:
	json_decref(root);
	trust_membership_free(m);
	trust_records_free(r);
	trustdb_close(db);
	return rc;
}

static void
print_fact(const struct trust_records *r, const struct trust_fact *f)
{
	char h[KEY_ID_HEX_LEN + 1], t1[32], t2[32], nb[OPNAME_MAX];
	const char *who = trust_shown_name(r, f->who, nb);

	switch (f->kind) {
	case TRUST_FACT_PINNED:
		printf("  - pinned locally since %s%s%s", fmt_time(f->t1, t1),
		    f->zones && *f->zones ? ", zones " : "", f->zones ? f->zones : "");
		break;
	case TRUST_FACT_VOUCH:
		printf("  - vouched by %s %s at %s, until %s", trust_hex(f->who, h), who,
		    fmt_time(f->t1, t1), fmt_time(f->t2, t2));
		if (f->zones && *f->zones)
			printf(", zones %s", f->zones);
		if (f->affiliation)
			printf(", affiliation %s", f->affiliation);
		break;
	case TRUST_FACT_UNVOUCH:
		printf("  - unvouched by %s %s at %s", trust_hex(f->who, h), who,
		    fmt_time(f->t1, t1));
		break;
	case TRUST_FACT_CERT:
		printf("  - certified by root %s %s from %s to %s", trust_hex(f->who, h), who,
		    fmt_time(f->t1, t1), fmt_time(f->t2, t2));
		break;
	case TRUST_FACT_REVOKE:
		printf("  - revoked by %s %s since %s", trust_hex(f->who, h), who,
		    fmt_time(f->t1, t1));
		break;
	case TRUST_FACT_AFFILIATED:
		printf("  - one vote with %s %s (affiliation)", trust_hex(f->who, h), who);
		break;
	default:
		break;
	}
	if (f->counts)
		printf(": counts\n");
	else
		printf(": ignored, %s\n", f->why_not ? f->why_not : "does not apply");
}

static json_t *
fact_json(const struct trust_fact *f)
{
	char h[KEY_ID_HEX_LEN + 1], e[KEY_ID_HEX_LEN + 1];

	return json_pack("{s:s,s:s,s:s,s:o,s:I,s:I,s:b,s:o,s:o,s:o}",
	    "fact", trust_fact_name(f->kind), "who", trust_hex(f->who, h),
	    "who_name", f->who_name,
	    "event", f->has_event ? json_string(trust_hex(f->event, e)) : json_null(),
	    "t1", (json_int_t)f->t1, "t2", (json_int_t)f->t2, "counts", f->counts,
	    "why_not", f->why_not ? json_string(f->why_not) : json_null(),
	    "zones", f->zones ? zones_json(f->zones) : json_null(),
	    "affiliation", f->affiliation ? json_string(f->affiliation) : json_null());
}

/* trust why --json: the explanation as one object. */
static void
why_json(const struct trust_explanation *x)
{
	char h[KEY_ID_HEX_LEN + 1], h2[KEY_ID_HEX_LEN + 1];
	json_t *facts = json_array(), *j;

	j = json_pack("{s:s,s:s,s:b,s:b,s:s,s:s,s:o,s:o,s:b,s:b,s:i,s:i,s:o}",
	    "key", trust_hex(x->key, h), "name", x->key_name, "known", x->known,
	    "root", x->is_root, "status", trust_reason_name(x->reason),
	    "text", trust_reason_text(x->reason),
	    "operator", x->has_operator ? json_string(trust_hex(x->op, h)) : json_null(),
	    "vote", x->has_vote ? json_string(trust_hex(x->vote, h2)) : json_null(),
	    "operator_member", x->op_member, "operator_pinned", x->op_pinned,
	    "vouches", (json_int_t)x->vouches, "threshold", (json_int_t)x->threshold,
	    "zones", zones_json(x->zones));
	json_object_set_new(j, "conflict", json_boolean(x->conflict));
	for (size_t i = 0; i < x->nfacts; i++)
		json_array_append_new(facts, fact_json(&x->facts[i]));
	json_object_set_new(j, "facts", facts);
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(j);
}

/* trust why: the explanation as text. */
static void
why_text(const struct trust_records *r, const struct trust_explanation *x)
{
	char h[KEY_ID_HEX_LEN + 1], t1[32], t2[32], nb[OPNAME_MAX], on[OPNAME_MAX];
	const char *opname = x->has_operator ? trust_shown_name(r, x->op, on) : "-";

	printf("key %s %s\n", trust_hex(x->key, h), trust_shown_name(r, x->key, nb));
	printf("  %s: %s\n", x->reason == TRUST_MEMBER ? "trusted" : "not trusted",
	    trust_reason_text(x->reason));
	if (x->known && !x->is_root && x->has_operator &&
	    (x->reason == TRUST_MEMBER || x->reason == TRUST_CERT_EXPIRED ||
	    x->reason == TRUST_CERT_NOT_YET_VALID))
		printf("  relay key of operator %s %s, certified %s to %s\n",
		    trust_hex(x->op, h), opname,
		    fmt_time(x->not_before, t1), fmt_time(x->not_after, t2));
	else if (x->known && !x->is_root && x->has_operator)
		printf("  relay key of operator %s %s\n", trust_hex(x->op, h),
		    opname);
	else if (x->has_operator)
		printf("  root key of operator %s %s\n", trust_hex(x->op, h),
		    opname);
	if (x->has_operator)
		printf("  operator: %s, %s, %u of %u vouches from pinned members\n",
		    x->op_member ? "member" : "not a member",
		    x->op_pinned ? "pinned" : "not pinned", x->vouches, x->threshold);
	if (x->has_vote)
		printf("  counts for vote %s\n", trust_hex(x->vote, h));
	if (x->zones && *x->zones)
		printf("  may speak for zones %s\n", x->zones);
	if (x->conflict)
		printf("  certified by more than one member root: each "
		    "certificate counts only in the events signed for its "
		    "own operator (a root certifying another operator's "
		    "key may be an attack by that root)\n");
	for (size_t i = 0; i < x->nfacts; i++)
		print_fact(r, &x->facts[i]);
}

static int
do_why(const struct trust_opts *o, const char *arg)
{
	char reason[TRUSTDB_REASON_MAX];
	struct trust_records *r = NULL;
	struct trust_membership *m = NULL;
	struct trust_explanation *x = NULL;
	struct trustdb *db = NULL;
	struct key_public k;
	bool has_pk;
	int rc = CLI_ERR;

	if (key_arg_parse(arg, &k, &has_pk, reason) != PROTO_OK) {
		cli_err("trust why: %s", reason);
		return CLI_ERR;
	}
	if (trust_db_open(o, false, &db) != 0)
		return CLI_ERR;
	if (compute(o, db, &r, &m) != 0)
		goto out;
	if (trust_explain(r, m, k.id, o->now, &x, reason) != TRUSTDB_OK) {
		cli_err("trust why: %s", reason);
		goto out;
	}
	if (o->json)
		why_json(x);
	else
		why_text(r, x);
	rc = fflush(stdout) == 0 ? CLI_OK : CLI_ERR;
out:
	trust_explanation_free(x);
	trust_membership_free(m);
	trust_records_free(r);
	trustdb_close(db);
	return rc;
}

static int
do_check(const struct trust_opts *o, const char *arg)
{
	char reason[TRUSTDB_REASON_MAX], h[KEY_ID_HEX_LEN + 1];
	struct trust_index *idx = NULL;
	struct trustdb *db = NULL;
	struct trust_answer a;
	struct key_public k;
	bool has_pk;
	int rc = CLI_ERR;

	if (key_arg_parse(arg, &k, &has_pk, reason) != PROTO_OK) {
		cli_err("trust check: %s", reason);
		return CLI_ERR;
	}
	if (trust_db_open(o, false, &db) != 0)
		return CLI_ERR;
	if (trust_index_build_from_db(db, &o->params, o->now, &idx, reason) != TRUSTDB_OK) {
		cli_err("trust check: %s", reason);
		goto out;
	}
	if (trust_index_lookup(idx, k.id, NULL, o->now, &a)) {
		printf("%s\n", trust_hex(a.operator_id, h));
		rc = CLI_OK;
	} else {
		printf("%s: %s\n", trust_reason_name(a.reason), trust_reason_text(a.reason));
		rc = CLI_NO;
	}
	if (fflush(stdout) != 0)
		rc = CLI_ERR;
out:
	trust_index_free(idx);
	trustdb_close(db);
	return rc;
}

/* The options into o: -1 to go on, or the exit status. */
static int
trust_args(int argc, char **argv, struct trust_opts *o)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "net", required_argument, NULL, 'n' },
		{ "threshold", required_argument, NULL, 't' },
		{ "group", required_argument, NULL, 'g' },
		{ "zones", required_argument, NULL, 'z' },
		{ "name", required_argument, NULL, 'L' },
		{ "force", no_argument, NULL, 'F' },
		{ "json", no_argument, NULL, 'j' },
		{ "now", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long v;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 'n':
			if (!trustdb_net_valid(optarg)) {
				cli_err("trust: --net '%s': use 1-63 of a-z 0-9 -", optarg);
				return CLI_ERR;
			}
			o->net = optarg;
			break;
		case 't':
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 1 || v > 1000) {
				cli_err("trust: --threshold: give 1 to 1000");
				return CLI_ERR;
			}
			o->params.threshold = (unsigned)v;
			break;
		case 'g':
			if (parse_group(o, optarg) != 0)
				return CLI_ERR;
			break;
		case 'z': o->zones = optarg; break;
		case 'L': o->name = optarg; break;
		case 'F': o->force = true; break;
		case 'j': o->json = true; break;
		case 'N':
			o->now = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || o->now < 0 ||
			    o->now > TRUST_FOREVER) {
				cli_err("trust: --now: seconds since the epoch");
				return CLI_ERR;
			}
			break;
		case 'h': return cli_usage(usage_text, 1);
		default: return cli_usage(usage_text, 0);
		}
	}
	if (optind >= argc || o->db == NULL)
		return cli_usage(usage_text, 0);
	return -1;
}

/* The commands: name, operands, and the call (one of the two). */
static const struct {
	const char *name;
	int nargs;
	int (*run0)(const struct trust_opts *o);
	int (*run1)(const struct trust_opts *o, const char *arg);
} trust_cmds[] = {
	{ "pin", 1, NULL, trust_do_pin },
	{ "unpin", 1, NULL, trust_do_unpin },
	{ "import", 1, NULL, do_import },
	{ "export", 0, do_export, NULL },
	{ "list", 0, do_list, NULL },
	{ "why", 1, NULL, do_why },
	{ "check", 1, NULL, do_check },
};

/* Run command sub with its operands args[0..nargs-1]. */
static int
trust_run(const struct trust_opts *o, const char *sub, int nargs,
    char **args)
{
	if (o->zones != NULL && strcmp(sub, "pin") != 0) {
		cli_err("trust: --zones belongs to pin");
		return CLI_ERR;
	}
	if (o->name != NULL && strcmp(sub, "pin") != 0) {
		cli_err("trust: --name belongs to pin (or use: trust name "
		    "OPERATOR NAME)");
		return CLI_ERR;
	}
	if (strcmp(sub, "name") == 0)
		return nargs == 2 ? trust_do_name(o, args[0], args[1]) :
		    cli_usage(usage_text, 0);
	if (o->json && strcmp(sub, "list") != 0 && strcmp(sub, "why") != 0) {
		cli_err("trust: --json belongs to list and why");
		return CLI_ERR;
	}
	for (size_t i = 0; i < sizeof(trust_cmds) / sizeof(trust_cmds[0]); i++) {
		if (strcmp(sub, trust_cmds[i].name) != 0)
			continue;
		if (nargs != trust_cmds[i].nargs)
			return cli_usage(usage_text, 0);
		return trust_cmds[i].run0 ? trust_cmds[i].run0(o) :
		    trust_cmds[i].run1(o, args[0]);
	}
	cli_err("trust: unknown command '%s' (see 'ntactl trust --help')", sub);
	return CLI_ERR;
}

int
cmd_trust(int argc, char **argv)
{
	struct trust_opts *o;
	int rc;

	if ((o = calloc(1, sizeof(*o))) == NULL) {
		cli_err("out of memory");
		return CLI_ERR;
	}
	o->now = (long long)time(NULL);
	o->params.groups = o->groups;
	if ((rc = trust_args(argc, argv, o)) < 0)
		rc = trust_run(o, argv[optind], argc - optind - 1, argv + optind + 1);
	free(o);
	return rc;
}
