/*
 * client/cmd_broker.c — ntactl broker acl | passwd: a Mosquitto broker's
 * accounts for the current members of a trust database
 * (docs/OPERATIONS.md §6.3, §6.4).
 *
 * One account per member operator. Its user name is the operator's name
 * (from its root's identity) when that is 1..64 of [A-Za-z0-9._-] and no
 * other member has it, else "op-" and the first 16 hex digits of its
 * operator id. acl: each member reads the federation's topics
 * (ntarelay/v1/NET/#) and writes only its own operator's topics
 * (obs, asm, stmt under its origin; wd, trust, hb under its origin;
 * decision and bf/req under each of its current relay keys; bf/resp),
 * except --self (your own operator) and --admin accounts, which write
 * everything under the prefix. passwd: one `user:hash` line per account
 * in Mosquitto's password-file format, hashed by `mosquitto_passwd -U`
 * (run without a shell on a private temporary file); the passwords are
 * read from, or generated into, --passwords DIR (DIR/USER holds
 * "USER:PASSWORD", the peer's link_credentials line, mode 0600).
 *
 * Nothing is written but DIR's new files; the lines go to standard
 * output, for the operator to install (and `systemctl reload mosquitto`).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "client/cli.h"
#include "client/ntactl.h"
#include "client/relayc.h"
#include "lib/conf_client.h"
#include "proto/encoding.h"
#include "trustdb/db.h"
#include "trustdb/membership.h"
#include "trustdb/records.h"
#include "trustdb/store.h"

static const char usage_text[] =
    "usage: ntactl broker acl [--db FILE | -c FILE] [--net NET] [--self OP]\n"
    "                         [--admin USER] [--threshold V] [--json]\n"
    "       ntactl broker passwd --passwords DIR [--db FILE | -c FILE]\n"
    "                         [--self OP] [--admin USER] [--threshold V]\n"
    "                         [--plain]\n"
    "\n"
    "The Mosquitto accounts for the current members of a trust database\n"
    "(docs/OPERATIONS.md section 6.4): one per member operator, named after\n"
    "the operator (its root's name when that is 1-64 of A-Z a-z 0-9 . _ -\n"
    "and unique, else op- and 16 hex digits of its id).\n"
    "\n"
    "  acl                the acl_file: every member reads ntarelay/v1/NET/#\n"
    "                     and writes only its own topics (observations,\n"
    "                     assessments, statements, withdrawals, trust events,\n"
    "                     heartbeats under its operator id; decisions and\n"
    "                     backfill requests under its current relay keys;\n"
    "                     backfill answers)\n"
    "  passwd             the password_file: USER:HASH lines, hashed with\n"
    "                     mosquitto_passwd -U (Debian's mosquitto package)\n"
    "  --db FILE          the trust database (else the trustdb of -c FILE,\n"
    "                     default /etc/ntarelay/ntarelay.conf)\n"
    "  -c, --config FILE  the relay's ntarelay.conf, for its trustdb\n"
    "  --net NET          the federation (default: the database's)\n"
    "  --self OP          your own operator (id, unique id prefix of 8 hex\n"
    "                     digits or more, or account name): it may write\n"
    "                     everything under the prefix\n"
    "  --admin USER       an account of yours that may write everything too\n"
    "                     (for publishing trust events)\n"
    "  --threshold V      vouches that make a member (the relay's\n"
    "                     vouch_threshold; default 2)\n"
    "  --passwords DIR    passwd: DIR/USER holds USER:PASSWORD, the line the\n"
    "                     account's relay puts in its link_credentials file;\n"
    "                     taken when it exists, else a random password is\n"
    "                     generated and written there (mode 0600)\n"
    "  --plain            passwd: print USER:PASSWORD lines unhashed (for\n"
    "                     mosquitto_passwd -U FILE elsewhere)\n"
    "  --json             acl: the accounts as JSON\n"
    "\n"
    "Exit status: 0 printed, 2 usage error, unreadable database or\n"
    "mosquitto_passwd failing.\n";

#define BROKER_USER_MAX 64
#define BROKER_ADMIN_MAX 8
#define BROKER_PASSWORD_MAX 256

/* One account: a member operator, or an admin (op == TRUST_NONE). */
struct account {
	char user[BROKER_USER_MAX + 1];
	size_t op;                     /* index in m->ops, or TRUST_NONE */
	bool all;                      /* writes everything (self, admin) */
};

struct broker_opts {
	struct relayc_opts ro;
	const char *db, *net, *self, *dir;
	const char *admin[BROKER_ADMIN_MAX];
	size_t nadmin;
	unsigned threshold;
	bool plain;
};

/* What the database says, and the accounts made of it. */
struct broker {
	struct trust_records *r;
	struct trust_membership *m;
	char net[TRUSTDB_NET_MAX + 1];
	struct account *acc;
	size_t nacc;
	long long now;
};

static bool
user_valid(const char *u)
{
	size_t n = strlen(u);

	return n >= 1 && n <= BROKER_USER_MAX &&
	    strspn(u, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-") == n;
}

static const char *
op_name(const struct broker *b, size_t op)
{
	const struct trust_keyrec *k = trust_records_key(b->r, b->m->ops[op].id);

	return k ? k->name : "";
}

static char *
op_hex(const struct broker *b, size_t op, char out[KEY_ID_HEX_LEN + 1])
{
	return encoding_hex_encode(b->m->ops[op].id, KEY_ID_LEN, out);
}

/* The account name of member op (see the top of the file). */
static void
member_user(const struct broker *b, size_t op, char *out)
{
	const char *name = op_name(b, op);
	char h[KEY_ID_HEX_LEN + 1];
	bool unique = user_valid(name);

	for (size_t i = 0; unique && i < b->m->nops; i++)
		if (i != op && b->m->ops[i].member && !b->m->ops[i].revoked &&
		    strcmp(op_name(b, i), name) == 0)
			unique = false;
	if (unique)
		snprintf(out, BROKER_USER_MAX + 1, "%s", name);
	else
		snprintf(out, BROKER_USER_MAX + 1, "op-%.16s", op_hex(b, op, h));
}

/* --self: an operator id, a unique prefix, or an account name. */
static int
find_self(const struct broker *b, const char *arg, size_t *self)
{
	char h[KEY_ID_HEX_LEN + 1];
	size_t n = strlen(arg), hits = 0;
	bool hex = n >= RELAYC_ID_MIN && strspn(arg, "0123456789abcdef") == n;

	for (size_t i = 0; i < b->nacc; i++) {
		if (b->acc[i].op == TRUST_NONE)
			continue;
		if (strcmp(b->acc[i].user, arg) == 0 || (hex &&
		    strncmp(op_hex(b, b->acc[i].op, h), arg, n) == 0)) {
			*self = i;
			hits++;
		}
	}
	if (hits != 1) {
		cli_err("broker: --self %s: %s", arg, hits ? "several members match "
		    "(give more digits)" : "no current member has that id or name "
		    "(ntactl trust list)");
		return -1;
	}
	return 0;
}

/* The accounts: the members, then the admins. 0, or -1 said. */
static int
make_accounts(struct broker *b, const struct broker_opts *o)
{
	size_t self;

	if ((b->acc = calloc(b->m->nops + o->nadmin + 1, sizeof(*b->acc))) == NULL)
		return -1;
	for (size_t i = 0; i < b->m->nops; i++) {
		if (!b->m->ops[i].member || b->m->ops[i].revoked)
			continue;
		member_user(b, i, b->acc[b->nacc].user);
		b->acc[b->nacc++].op = i;
	}
	if (o->self != NULL) {
		if (find_self(b, o->self, &self) != 0)
			return -1;
		b->acc[self].all = true;
	}
	for (size_t k = 0; k < o->nadmin; k++) {
		for (size_t i = 0; i < b->nacc; i++)
			if (strcmp(b->acc[i].user, o->admin[k]) == 0) {
				cli_err("broker: --admin %s: a member's account has "
				    "that name", o->admin[k]);
				return -1;
			}
		snprintf(b->acc[b->nacc].user, sizeof(b->acc[0].user), "%s",
		    o->admin[k]);
		b->acc[b->nacc].op = TRUST_NONE;
		b->acc[b->nacc++].all = true;
	}
	return 0;
}

/* The trust database of o: --db, else -c's (or the default) trustdb. */
static int
db_path(const struct broker_opts *o, char *path, size_t len)
{
	const char *conf = o->ro.config ? o->ro.config : CONF_DEFAULT_PATH;
	struct conf_client *c;
	char err[CONF_ERR_MAX];

	if (o->db != NULL) {
		snprintf(path, len, "%s", o->db);
		return 0;
	}
	if ((c = malloc(sizeof(*c))) == NULL)
		return -1;
	if (conf_client_load(conf, c, err, sizeof(err)) != 0) {
		cli_err("broker: %s (give --db FILE or -c ntarelay.conf)", err);
		free(c);
		return -1;
	}
	if (c->trustdb[0] == '\0') {
		cli_err("broker: %s has no trustdb (give --db FILE)", conf);
		free(c);
		return -1;
	}
	snprintf(path, len, "%s", c->trustdb);
	free(c);
	return 0;
}

/* Open and read the database, apply the rules now, make the accounts. */
static int
broker_load(struct broker *b, const struct broker_opts *o)
{
	struct trust_params p = { o->threshold, NULL, 0 };
	char path[PATH_MAX], reason[TRUSTDB_REASON_MAX];
	struct trustdb *db = NULL;
	bool has = false;
	int rc = -1;

	b->now = (long long)time(NULL);
	if (db_path(o, path, sizeof(path)) != 0)
		return -1;
	if (trustdb_open(path, 0, 0, &db, reason) != TRUSTDB_OK ||
	    trustdb_net_get(db, b->net, &has, reason) != TRUSTDB_OK ||
	    trustdb_load(db, &b->r, reason) != TRUSTDB_OK ||
	    trust_membership_compute(b->r, &p, b->now, &b->m, reason) !=
	    TRUSTDB_OK) {
		cli_err("broker: %s", reason);
		goto out;
	}
	if (o->net != NULL)
		snprintf(b->net, sizeof(b->net), "%s", o->net);
	else if (!has) {
		cli_err("broker: %s names no federation: give --net NET", path);
		goto out;
	}
	if (!trustdb_net_valid(b->net)) {
		cli_err("broker: '%s' is not a federation name", b->net);
		goto out;
	}
	rc = make_accounts(b, o);
out:
	trustdb_close(db);
	return rc;
}

static void
broker_free(struct broker *b)
{
	free(b->acc);
	trust_membership_free(b->m);
	trust_records_free(b->r);
}

/* Does key k speak for operator op now, as a certified (relay) key? */
static bool
relay_key_of(const struct trust_membership *m, const struct trust_keystate *k,
    size_t op, long long now)
{
	for (size_t g = k->grant0; g < k->grant0 + k->ngrants; g++)
		if (m->grants[g].op == op && !m->grants[g].root &&
		    trust_grant_at(&m->grants[g], now) == TRUST_MEMBER)
			return true;
	return false;
}

/* The ACL lines of one member account. */
static void
acl_member(const struct broker *b, const struct account *a)
{
	/* the topics under the operator id: before it, after it */
	static const char *const under_op[][2] = { { "obs/+/", "" },
	    { "asm/+/", "" }, { "stmt/+/", "" }, { "wd/", "/+" },
	    { "trust/", "/+" }, { "hb/", "/+" } };
	char h[KEY_ID_HEX_LEN + 1], k[KEY_ID_HEX_LEN + 1];

	op_hex(b, a->op, h);
	printf("# %s: operator %s\n", *op_name(b, a->op) ? op_name(b, a->op) :
	    "(no name)", h);
	printf("user %s\n", a->user);
	if (a->all) {
		printf("topic readwrite ntarelay/v1/%s/#\n\n", b->net);
		return;
	}
	printf("topic read ntarelay/v1/%s/#\n", b->net);
	for (size_t i = 0; i < sizeof(under_op) / sizeof(under_op[0]); i++)
		printf("topic write ntarelay/v1/%s/%s%s%s\n", b->net, under_op[i][0],
		    h, under_op[i][1]);
	for (size_t i = 0; i < b->m->nkeys; i++) {
		if (!relay_key_of(b->m, &b->m->keys[i], a->op, b->now))
			continue;
		encoding_hex_encode(b->m->keys[i].id, KEY_ID_LEN, k);
		printf("topic write ntarelay/v1/%s/decision/+/%s\n", b->net, k);
		printf("topic write ntarelay/v1/%s/bf/req/%s\n", b->net, k);
	}
	printf("topic write ntarelay/v1/%s/bf/resp/+/+\n\n", b->net);
}

/* acl --json: [{"user", "operator", "name", "all", "keys": [..]}]. */
static int
acl_json(const struct broker *b)
{
	char h[KEY_ID_HEX_LEN + 1];
	json_t *out = json_array(), *keys;

	for (size_t i = 0; i < b->nacc; i++) {
		const struct account *a = &b->acc[i];
		json_t *o = json_pack("{s:s,s:b}", "user", a->user, "all", a->all);
		keys = json_array();
		if (a->op != TRUST_NONE) {
			json_object_set_new(o, "operator", json_string(op_hex(b, a->op, h)));
			json_object_set_new(o, "name", json_string(op_name(b, a->op)));
			for (size_t k = 0; k < b->m->nkeys; k++)
				if (relay_key_of(b->m, &b->m->keys[k], a->op, b->now))
					json_array_append_new(keys, json_string(
					    encoding_hex_encode(b->m->keys[k].id, KEY_ID_LEN, h)));
		}
		json_object_set_new(o, "keys", keys);
		json_array_append_new(out, o);
	}
	if (json_dumpf(out, stdout, JSON_COMPACT) == 0)
		putchar('\n');
	json_decref(out);
	return CLI_OK;
}

static int
do_acl(const struct broker *b, const struct broker_opts *o)
{
	if (o->ro.json)
		return acl_json(b);
	printf("# Mosquitto acl_file for federation %s: %zu accounts, from the\n"
	    "# trust database's members (ntactl broker acl). Topics:\n"
	    "# docs/PROTOCOL.md section 12; rights: docs/OPERATIONS.md 6.4.\n\n",
	    b->net, b->nacc);
	for (size_t i = 0; i < b->nacc; i++) {
		if (b->acc[i].op != TRUST_NONE)
			acl_member(b, &b->acc[i]);
		else
			printf("# an admin account\nuser %s\ntopic readwrite "
			    "ntarelay/v1/%s/#\n\n", b->acc[i].user, b->net);
	}
	return fflush(stdout) == 0 ? CLI_OK : CLI_ERR;
}

/* A password for user: DIR/USER's ("USER:PASSWORD" or "PASSWORD"), or a
 * new random one written there. 0, or -1 said. */
static int
password_of(const char *dir, const char *user, char *pw, size_t len)
{
	char path[PATH_MAX], line[BROKER_USER_MAX + BROKER_PASSWORD_MAX + 4];
	unsigned char raw[18];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, user);
	if ((f = fopen(path, "re")) != NULL) {
		const char *p = line;
		size_t ul = strlen(user);
		bool ok = fgets(line, sizeof(line), f) != NULL;
		fclose(f);
		line[ok ? strcspn(line, "\r\n") : 0] = '\0';
		if (strncmp(line, user, ul) == 0 && line[ul] == ':')
			p = line + ul + 1;
		if (!ok || *p == '\0' || strlen(p) >= len || strchr(p, ':')) {
			cli_err("broker: %s: not a USER:PASSWORD line", path);
			return -1;
		}
		snprintf(pw, len, "%s", p);
		return 0;
	}
	if (errno != ENOENT) {
		cli_err("broker: %s: %s", path, strerror(errno));
		return -1;
	}
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(pw, len, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0 ||
	    dprintf(fd, "%s:%s\n", user, pw) < 0 || close(fd) != 0) {
		cli_err("broker: %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Run mosquitto_passwd -U file, its output on standard error. 0, or -1
 * said. */
static int
run_mosquitto_passwd(const char *file)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		cli_err("broker: fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		char *const av[] = { "mosquitto_passwd", "-U", (char *)file, NULL };
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execvp(av[0], av);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		cli_err("broker: mosquitto_passwd not found (Debian: apt install "
		    "mosquitto); --plain prints the lines unhashed, for "
		    "mosquitto_passwd -U FILE");
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		cli_err("broker: mosquitto_passwd -U failed");
		return -1;
	}
	return 0;
}

/* Write the USER:PASSWORD lines into tmp (a new private file), hash it,
 * print it. */
static int
hash_and_print(const struct broker *b, const char *dir, const char *tmp)
{
	char pw[BROKER_PASSWORD_MAX], *buf = NULL;
	size_t len;
	int fd, rc = CLI_ERR;
	FILE *f;

	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0 ||
	    (f = fdopen(fd, "w")) == NULL) {
		cli_err("broker: %s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return CLI_ERR;
	}
	for (size_t i = 0; i < b->nacc; i++) {
		if (password_of(dir, b->acc[i].user, pw, sizeof(pw)) != 0) {
			fclose(f);
			goto out;
		}
		fprintf(f, "%s:%s\n", b->acc[i].user, pw);
	}
	sodium_memzero(pw, sizeof(pw));
	if (fclose(f) != 0 || run_mosquitto_passwd(tmp) != 0 ||
	    cli_read_input(tmp, 1 << 20, &buf, &len) != 0)
		goto out;
	fwrite(buf, 1, len, stdout);
	rc = fflush(stdout) == 0 ? CLI_OK : CLI_ERR;
out:
	sodium_memzero(pw, sizeof(pw));
	if (buf)
		sodium_memzero(buf, len);
	free(buf);
	unlink(tmp);
	return rc;
}

/* Empty the private directory of whatever a failing mosquitto_passwd may
 * have left there (its own temporary copy holds the plain passwords). */
static void
clean_tmpdir(const char *dir)
{
	char path[128];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) <
		    sizeof(path))
			unlink(path);
	}
	closedir(d);
}

static int
do_passwd(const struct broker *b, const struct broker_opts *o)
{
	char tmpdir[] = "/tmp/ntactl-broker-XXXXXX", tmp[64], pw[BROKER_PASSWORD_MAX];
	int rc;

	if (o->dir == NULL) {
		cli_err("broker passwd: give --passwords DIR (where each account's "
		    "password is kept, or generated)");
		return CLI_ERR;
	}
	if (mkdir(o->dir, 0700) != 0 && errno != EEXIST) {
		cli_err("broker: %s: %s", o->dir, strerror(errno));
		return CLI_ERR;
	}
	if (o->plain) {
		for (size_t i = 0; i < b->nacc; i++) {
			if (password_of(o->dir, b->acc[i].user, pw, sizeof(pw)) != 0)
				return CLI_ERR;
			printf("%s:%s\n", b->acc[i].user, pw);
		}
		sodium_memzero(pw, sizeof(pw));
		return fflush(stdout) == 0 ? CLI_OK : CLI_ERR;
	}
	if (mkdtemp(tmpdir) == NULL) {
		cli_err("broker: a temporary directory: %s", strerror(errno));
		return CLI_ERR;
	}
	snprintf(tmp, sizeof(tmp), "%s/passwd", tmpdir);
	rc = hash_and_print(b, o->dir, tmp);
	clean_tmpdir(tmpdir);
	if (rmdir(tmpdir) != 0)
		cli_err("broker: could not remove %s: %s (remove it: it may hold "
		    "passwords)", tmpdir, strerror(errno));
	return rc;
}

enum { O_DB = 256, O_NET, O_SELF, O_ADMIN, O_THRESHOLD, O_DIR, O_PLAIN,
	O_HELP };

/* One option of broker's own into o (relayc_getopt()). */
static int
broker_opt(void *ctx, int c, const char *arg)
{
	struct broker_opts *o = ctx;
	char *end;

	switch (c) {
	case O_DB: o->db = arg; break;
	case O_NET: o->net = arg; break;
	case O_SELF: o->self = arg; break;
	case O_DIR: o->dir = arg; break;
	case O_PLAIN: o->plain = true; break;
	case O_ADMIN:
		if (o->nadmin == BROKER_ADMIN_MAX || !user_valid(arg)) {
			cli_err("broker: --admin '%s': 1-64 of A-Z a-z 0-9 . _ -, "
			    "at most %d accounts", arg, BROKER_ADMIN_MAX);
			return CLI_ERR;
		}
		o->admin[o->nadmin++] = arg;
		break;
	case O_THRESHOLD:
		o->threshold = (unsigned)strtoul(arg, &end, 10);
		if (*end || o->threshold < 1 || o->threshold > 64) {
			cli_err("broker: --threshold: 1 to 64");
			return CLI_ERR;
		}
		break;
	default: return -2;
	}
	return -1;
}

/* The command line into o: -1 to go on, or the exit status. */
static int
broker_parse(int argc, char **argv, struct broker_opts *o)
{
	static const struct option opts[] = {
		RELAYC_LONGOPTS,
		{ "db", required_argument, NULL, O_DB },
		{ "net", required_argument, NULL, O_NET },
		{ "self", required_argument, NULL, O_SELF },
		{ "admin", required_argument, NULL, O_ADMIN },
		{ "threshold", required_argument, NULL, O_THRESHOLD },
		{ "passwords", required_argument, NULL, O_DIR },
		{ "plain", no_argument, NULL, O_PLAIN },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 }
	};
	int rc;

	if ((rc = relayc_getopt(argc, argv, opts, &o->ro, O_HELP, usage_text,
	    broker_opt, o)) >= 0)
		return rc;
	if (o->ro.relay != NULL || o->ro.token != NULL) {
		cli_err("broker: reads a trust database (--db FILE or -c "
		    "ntarelay.conf), not a relay's API");
		return CLI_ERR;
	}
	return argc - optind == 1 ? -1 : cli_usage(usage_text, 0);
}

int
cmd_broker(int argc, char **argv)
{
	struct broker_opts o;
	struct broker b;
	const char *what;
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&b, 0, sizeof(b));
	if ((rc = broker_parse(argc, argv, &o)) >= 0)
		return rc;
	what = argv[optind];
	if (strcmp(what, "acl") != 0 && strcmp(what, "passwd") != 0)
		return cli_usage(usage_text, 0);
	if (broker_load(&b, &o) != 0)
		rc = CLI_ERR;
	else
		rc = strcmp(what, "acl") == 0 ? do_acl(&b, &o) : do_passwd(&b, &o);
	broker_free(&b);
	return rc;
}
