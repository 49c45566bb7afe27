/*
 * relay/main.c — ntarelayd: start-up, the event sources, shutdown.
 *
 * Read this file top to bottom to follow the daemon: load and check the
 * configuration, open the trust database and the store, load the relay's
 * key and certificate, create one MQTT link per `link`, start the HTTP
 * API, publish the certificate, and run the loop. Timers: heartbeat,
 * pruning, trust index changes. Signals: SIGHUP reloads, SIGTERM drains.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>
#include <sodium.h>

#include "build_config.h"
#include "proto/encoding.h"
#include "proto/open.h"
#include "relay/http/api.h"
#include "relay/fed/backfill.h"
#include "relay/fed/catchup.h"
#include "relay/core/config.h"
#include "relay/quorum/decide.h"
#include "relay/fed/gossip.h"
#include "relay/notify/notify.h"
#include "relay/store/rebuild.h"
#include "relay/quorum/renew.h"
#include "relay/http/slash.h"
#include "relay/core/log.h"
#include "relay/relay.h"
#include "relay/fed/storefault.h"
#include "relay/fed/topic.h"
#include "relay/fed/watch.h"
#include "trustdb/store.h"

#define PRUNE_INTERVAL_MS (60 * 1000)      /* prune, save the counters */
#define BACKFILL_SCAN_MS (10 * 60 * 1000)
#define HEARTBEAT_LIFETIME 180

static const char usage_text[] =
    "usage: ntarelayd [-c FILE] [-t] [-d] [--rebuild-store] [-v] [-h]\n"
    "\n"
    "The ntarelay relay: gossips signed DNSSEC observations and assessments\n"
    "between the operators of a federation over MQTT.\n"
    "\n"
    "  -c FILE   configuration file (default " CONFIG_DEFAULT_PATH ")\n"
    "  -t        check the configuration and exit (0 valid, 1 not)\n"
    "  -d        log debug messages (overrides log_level)\n"
    "  --rebuild-store\n"
    "            if the store is damaged, move it aside (renamed with a\n"
    "            timestamp) and start with an empty one that peers fill\n"
    "  -v        print the version and exit\n"
    "  -h        this text\n"
    "\n"
    "See ntarelayd(8) and ntarelay.conf(5).\n";

static void trust_timer(void *arg);
static void backfill_timer(void *arg);

/* After each rebuild of the trust index (relay/core/trust.c): an operator
 * that became a member may have trust events waiting in the pool, and a
 * revocation stops a vote at once. */
static void
trust_rebuilt(void *arg, const struct trust_index *old,
    const struct trust_index *now)
{
	struct relay *r = arg;

	if (r->pool && trustpool_size(r->pool) > 0 &&
	    !trust_index_same_members(old, now))
		r->pool_offer = true;
	decide_all(r->decide);
}

/* The index announced when its answers change without a database change
 * (a vouch expiring): rebuild then. Checked every minute. */
static void
trust_timer(void *arg)
{
	struct relay *r = arg;

	trust_tick(&r->trust, relay_now());
	loop_timer_add(r->loop, 60 * 1000, trust_timer, r);
}

/* ------------------------------------------------------------- signer */

/* The struct signer (relay/fed/signer.h) the engine and renewal sign
 * through. Until relay/fed/publish.c provides publish_signer(), it is this
 * adapter over gossip_own_id() and gossip_begin(). */
static int
signer_sign(void *ctx, enum kind kind, json_t *fields, long lifetime,
    unsigned char *id_out, char *why, size_t whylen)
{
	return gossip_own_id(ctx, kind, fields, lifetime, id_out, why, whylen);
}

static void
signer_begin(void *ctx)
{
	gossip_begin(ctx);
}

static struct signer
relay_signer(struct relay *r)
{
	struct signer sg = { signer_sign, signer_begin, r };

	return sg;
}

/* May the relay write its store now (relay/fed/storefault.h)? */
static bool
store_writable(void *ctx)
{
	return storefault_writable(ctx);
}

static bool
caught_up(void *ctx)
{
	return catchup_done(ctx);
}

static json_t *
syncing_json(void *ctx)
{
	return catchup_json(ctx);
}

static void
decision_changed(void *ctx, const json_t *doc, const char *prev_state,
    const char *prev_phase)
{
	notify_decision(ctx, doc, prev_state, prev_phase);
}

/* The store, rebuilt when damaged and allowed (relay/store/rebuild.h). */
static int
open_store(struct relay *r, bool rebuild)
{
	struct rebuild_identity id = {
		.path = r->cfg.store, .cert = r->cert, .certlen = r->certlen,
		.tdb = r->trust.tdb,
	};

	memcpy(id.key, key_secret_public(r->key)->id, KEY_ID_LEN);
	memcpy(id.origin, r->origin, KEY_ID_LEN);
	return rebuild_open_store(&id, rebuild, &r->store);
}

/* The quorum engine (relay/quorum/decide.h), wired to the relay. */
static int
start_decide(struct relay *r)
{
	struct decide_deps dd = {
		.cfg = &r->cfg, .store = r->store, .trust = &r->trust,
		.metrics = &r->metrics, .loop = r->loop, .signer = relay_signer(r),
		.hooks = { caught_up, syncing_json, store_writable, r },
		/* the notifier, once started (notify_start()) */
		.notify = { NULL, NULL },
	};

	memcpy(dd.origin, r->origin, KEY_ID_LEN);
	if ((r->decide = decide_new(&dd)) == NULL)
		return -1;
	return decide_start(r->decide);
}

static int
start_renew(struct relay *r)
{
	struct renew_deps rd = {
		.loop = r->loop, .store = r->store, .signer = relay_signer(r),
		.writable = store_writable, .ctx = r,
	};

	memcpy(rd.key, key_secret_public(r->key)->id, KEY_ID_LEN);
	if ((r->renew = renew_new(&rd)) == NULL)
		return -1;
	renew_start(r->renew);
	return 0;
}

/* ------------------------------------------------------------- timers */

static void
heartbeat(void *arg)
{
	struct relay *r = arg;
	json_t *f = json_pack("{s:I,s:s}", "uptime",
	    (json_int_t)(relay_now() - r->started), "version", r->version);

	/* no heartbeat while the store cannot write: its silence is the
	 * signal peers see */
	if (!r->draining && storefault_writable(r))
		gossip_own(r, KIND_HEARTBEAT, f, HEARTBEAT_LIFETIME);
	else
		json_decref(f);
	loop_timer_add(r->loop, r->cfg.heartbeat_interval * 1000L, heartbeat, r);
}

static void
prune(void *arg)
{
	struct relay *r = arg;
	char err[STORE_ERR_MAX];
	long n;

	loop_timer_add(r->loop, PRUNE_INTERVAL_MS, prune, r);
	if (!storefault_writable(r))
		return;   /* the retries write; this waits for them */
	if (store_counters_save(r->store, &r->metrics, err) != 0)
		log_err("%s", err);
	if (store_prune(r->store, relay_now(), r->cfg.retention, &n, err) != 0)
		log_err("%s", err);
	else if (n)
		log_info("pruned %ld expired events", n);
}

/* Ask for the gaps of every chain: shortly after the start (the links are
 * up by then), and every ten minutes. */
static void
backfill_timer(void *arg)
{
	struct relay *r = arg;

	backfill_scan(r);
	loop_timer_add(r->loop, BACKFILL_SCAN_MS, backfill_timer, r);
}

/* --------------------------------------------------------------- links */

static void
on_message(void *arg, struct link *l, const char *topic, const void *payload,
    size_t len)
{
	struct relay *r = arg;
	char cause[STORE_ERR_MAX];

	for (size_t i = 0; i < r->nlinks; i++)
		if (r->links[i] == l)
			r->metrics.links[i].received++;
	/* acknowledged already (libmosquitto sends the PUBACK as it reads):
	 * while the store cannot write, it is held as it is */
	if (!storefault_writable(r)) {
		storefault_hold(r, l, topic, payload, len);
		return;
	}
	gossip_ingest(r, l, topic, payload, len);
	/* a write of this turn failed: read nothing more */
	if (store_faulted(r->store, cause, sizeof(cause)))
		storefault_failed(r, cause);
}

static void
on_up(void *arg, struct link *l)
{
	struct relay *r = arg;

	for (size_t i = 0; i < r->nlinks; i++)
		if (r->links[i] == l)
			r->metrics.links[i].connects++;
	catchup_link_up(r);
	gossip_flush(r, l);
}

static void
on_acked(void *arg, struct link *l, long long row)
{
	gossip_acked(arg, l, row);
}

static int
start_links(struct relay *r)
{
	struct link_callbacks cb = { r, on_message, on_up, NULL, on_acked };
	char sub[256], client_id[32], keyhex[KEY_ID_HEX_LEN + 1], err[512];

	topic_subscription(r->cfg.net, sub, sizeof(sub));
	encoding_hex_encode(key_secret_public(r->key)->id, KEY_ID_LEN, keyhex);
	for (size_t i = 0; i < r->cfg.nlinks; i++) {
		const struct config_link *c = &r->cfg.links[i];
		int id;
		if (store_link_id(r->store, c->url, &id, err) != 0) {
			log_err("%s", err);
			return -1;
		}
		/* stable across restarts (persistent sessions), unique per
		 * relay, within MQTT 3.1.1's 23 characters */
		if (c->client_id[0])
			snprintf(client_id, sizeof(client_id), "%s", c->client_id);
		else
			snprintf(client_id, sizeof(client_id), "ntr-%.16s", keyhex);
		if ((r->links[i] = link_new(r->loop, c, id, client_id, sub, &cb, err,
		    sizeof(err))) == NULL) {
			log_err("%s", err);
			return -1;
		}
		snprintf(r->metrics.links[i].name, sizeof(r->metrics.links[i].name),
		    "%s", c->url);
		r->nlinks++;
	}
	r->metrics.nlinks = r->nlinks;
	for (size_t i = 0; i < r->nlinks; i++)
		link_start(r->links[i]);
	return 0;
}

static void
commit_turn(void *arg)
{
	struct relay *r = arg;

	/* The turn's trust events: one index rebuild before the turn's
	 * decisions; then the pooled trust events of operators that became
	 * members (each round imports some, so this ends). */
	for (;;) {
		trust_fresh(&r->trust);
		if (!r->pool_offer)
			break;
		r->pool_offer = false;
		gossip_offer_pool(r);
	}
	gossip_commit(r);
}

/* ---------------------------------------------------------------- HTTP */

static void
on_http(void *arg, int fd, short revents)
{
	(void)fd;
	(void)revents;
	http_run(arg);
}

static void
http_tick(void *arg)
{
	struct relay *r = arg;

	http_run(r->http);
	if (r->control)
		http_run(r->control);
	loop_timer_add(r->loop, 250, http_tick, r);
}

/* The token's first line, read straight into locked memory (no stdio
 * buffer keeps a copy); NULL when unreadable. Free with sodium_free(). */
static char *
read_token(const char *path)
{
	/* the longest token ntarelayd -t accepts, its line end and the NUL */
	size_t cap = CONFIG_TOKEN_MAX + 3, len = 0;
	char *buf = sodium_malloc(cap);
	ssize_t n;
	int fd;

	if (buf == NULL)
		return NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		sodium_free(buf);
		return NULL;
	}
	while (len < cap - 1 && (n = read(fd, buf + len, cap - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			sodium_free(buf);   /* zeroes what was read */
			return NULL;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return buf;
}

static int
start_http(struct relay *r)
{
	struct http_handlers h = api_handlers(r);
	char err[256], *token = NULL;

	if (r->cfg.http_token_file[0] &&
	    (token = read_token(r->cfg.http_token_file)) == NULL) {
		log_err("http_token_file %s: cannot read a token", r->cfg.http_token_file);
		return -1;
	}
	r->http = http_start(r->cfg.http_addr, r->cfg.http_port, token, &h, err,
	    sizeof(err));
	if (token)
		sodium_free(token);
	if (r->http == NULL) {
		log_err("http_listen %s: %s", r->cfg.http_listen, err);
		return -1;
	}
	loop_fd_add(r->loop, http_fd(r->http), POLLIN, on_http, r->http);
	loop_timer_add(r->loop, 250, http_tick, r);
	log_info("HTTP API on %s", r->cfg.http_listen);
	return 0;
}

/* The local control socket: the API plus submissions (relay/http/control.c). */
static int
start_control(struct relay *r)
{
	struct http_handlers h = api_handlers(r);
	char err[256];

	if (r->cfg.control_socket[0] == '\0') {
		log_info("control socket off (control_socket is empty)");
		return 0;
	}
	h.submit = api_submit;
	if ((r->control = http_start_unix(r->cfg.control_socket, &h, err,
	    sizeof(err))) == NULL) {
		log_err("control_socket: %s", err);
		return -1;
	}
	loop_fd_add(r->loop, http_fd(r->control), POLLIN, on_http, r->control);
	log_info("control socket %s", r->cfg.control_socket);
	return 0;
}

/* ------------------------------------------------------------ identity */

/*
 * The relay's certificate: a key_cert envelope signed by its operator's
 * root, which the trust database must know (pinned). It names the relay's
 * key and gives the relay its origin. Without a cert the key must be the
 * operator's root itself.
 */
static int
load_identity(struct relay *r)
{
	char reason[PROTO_REASON_MAX], treason[256];
	struct envelope *env = NULL;
	struct event *ev = NULL;
	struct trustdb_import_stats st;
	size_t len;
	FILE *f;
	int rc = -1;

	if (key_secret_load(r->cfg.key, &r->key, reason) != PROTO_OK) {
		log_err("key: %s", reason);
		return -1;
	}
	if (r->cfg.cert[0] == '\0') {
		if (!key_secret_is_root(r->key)) {
			log_err("cert: required unless key is a root key");
			return -1;
		}
		memcpy(r->origin, key_secret_public(r->key)->id, KEY_ID_LEN);
		return 0;
	}
	if ((f = fopen(r->cfg.cert, "rb")) == NULL) {
		log_err("cert %s: %s", r->cfg.cert, strerror(errno));
		return -1;
	}
	r->cert = malloc(ENVELOPE_MAX + 1);
	len = r->cert ? fread(r->cert, 1, ENVELOPE_MAX + 1, f) : 0;
	fclose(f);
	while (len > 0 && (r->cert[len - 1] == '\n' || r->cert[len - 1] == '\r'))
		len--;
	r->certlen = len;
	if (open_envelope(r->cert, len, trustdb_lookup_known, r->trust.tdb, 0, &env, &ev,
	    reason) != PROTO_OK) {
		log_err("cert %s: %s (is the operator's root pinned in %s?)", r->cfg.cert,
		    reason, r->cfg.trustdb);
		goto out;
	}
	if (ev->kind != KIND_KEY_CERT || strcmp(event_str(ev, "subject"), "") == 0) {
		log_err("cert %s: not a key_cert", r->cfg.cert);
		goto out;
	}
	{
		unsigned char subject[KEY_ID_LEN];
		encoding_hex_decode(event_str(ev, "subject"), subject, KEY_ID_LEN);
		if (memcmp(subject, key_secret_public(r->key)->id, KEY_ID_LEN) != 0) {
			log_err("cert %s: certifies another key than %s", r->cfg.cert,
			    r->cfg.key);
			goto out;
		}
	}
	if (event_int(ev, "not_after") <= relay_now())
		log_warn("cert %s: expired: renew it (ntactl cert)", r->cfg.cert);
	memcpy(r->origin, ev->origin, KEY_ID_LEN);
	if (trustdb_import(r->trust.tdb, r->cert, len, relay_now(), &st, treason) != TRUSTDB_OK) {
		log_err("cert %s: %s", r->cfg.cert, treason);
		goto out;
	}
	rc = 0;
out:
	event_free(ev);
	envelope_free(env);
	return rc;
}

/* ------------------------------------------------------------- signals */

static void
drain_check(void *arg)
{
	struct relay *r = arg;
	static long long deadline;
	long pending = 0;

	if (deadline == 0)
		deadline = loop_now_ms() + r->cfg.drain_timeout * 1000LL;
	for (size_t i = 0; i < r->nlinks; i++)
		if (link_is_up(r->links[i]))
			pending += store_outbox_depth(r->store, link_store_id(r->links[i]));
	if (pending == 0 || loop_now_ms() >= deadline) {
		if (pending)
			log_notice("exiting with %ld events queued for connected links; "
			    "they are sent after the restart", pending);
		loop_stop(r->loop);
		return;
	}
	loop_timer_add(r->loop, 100, drain_check, r);
}

static void
on_signal(void *arg, int signo)
{
	struct relay *r = arg;

	if (signo == SIGHUP) {
		struct relay_config cfg;
		char err[CONFIG_ERR_MAX];
		config_defaults(&cfg);
		if (config_load(r->cfg.path, &cfg, err, sizeof(err)) != 0) {
			log_err("reload: %s (keeping the running configuration)", err);
			return;
		}
		if (cfg.nlinks != r->cfg.nlinks || strcmp(cfg.net, r->cfg.net) != 0 ||
		    strcmp(cfg.store, r->cfg.store) != 0 || strcmp(cfg.key, r->cfg.key) != 0)
			log_warn("reload: net, key, store and links change only at a restart");
		r->cfg.log_level = cfg.log_level;
		r->cfg.rate_limit = cfg.rate_limit;
		r->cfg.rate_burst = cfg.rate_burst;
		r->cfg.vouch_threshold = cfg.vouch_threshold;
		r->cfg.skew = cfg.skew;
		r->cfg.retention = cfg.retention;
		memcpy(r->cfg.groups, cfg.groups, sizeof(cfg.groups));
		r->cfg.ngroups = cfg.ngroups;
		/* the quorum policy: every zone is evaluated again below */
		r->cfg.quorum = cfg.quorum;
		r->cfg.quorum_evidence = cfg.quorum_evidence;
		r->cfg.resolve_after = cfg.resolve_after;
		r->cfg.nta_max_lifetime = cfg.nta_max_lifetime;
		r->cfg.veto_attack_assessment = cfg.veto_attack_assessment;
		r->cfg.veto_unbacked = cfg.veto_unbacked;
		r->cfg.veto_zone_statement = cfg.veto_zone_statement;
		/* not applied at a reload; a credential, not left on the stack */
		sodium_memzero(cfg.mattermost_webhook, sizeof(cfg.mattermost_webhook));
		log_set_level(cfg.log_level);
		ratelimit_set(r->rl, cfg.rate_limit, cfg.rate_burst);
		trust_reload(&r->trust);
		log_notice("reloaded %s and the trust database", r->cfg.path);
		return;
	}
	if (r->draining)
		return;
	log_notice("%s: draining outboxes for up to %d s", strsignal(signo),
	    r->cfg.drain_timeout);
	r->draining = true;
	drain_check(r);
}

/* ---------------------------------------------------------------- main */

int
main(int argc, char **argv)
{
	static struct relay relay; /* large: keep it off the stack */
	struct relay *r = &relay;
	const char *path = CONFIG_DEFAULT_PATH;
	char err[CONFIG_ERR_MAX], reason[256];
	bool check = false, debug = false, rebuild = false;
	int c, rc = 1;
	static const struct option longopts[] = {
		{ "rebuild-store", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 }
	};

	while ((c = getopt_long(argc, argv, "c:tdvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 't': check = true; break;
		case 'd': debug = true; break;
		case 'R': rebuild = true; break;
		case 'v':
			printf("ntarelayd (%s) %s, protocol v1\n", PACKAGE_NAME, PACKAGE_VERSION);
			return 0;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "ntarelayd: libsodium failed to initialise\n");
		return 1;
	}
	config_defaults(&r->cfg);
	if (config_load(path, &r->cfg, err, sizeof(err)) != 0 ||
	    (check && config_check_files(&r->cfg, err, sizeof(err)) != 0)) {
		fprintf(stderr, "ntarelayd: %s\n", err);
		return 1;
	}
	if (check) {
		printf("ntarelayd: %s: configuration OK\n", r->cfg.path);
		return 0;
	}
	log_init("ntarelayd", r->cfg.log_syslog, debug ? LOG_LVL_DEBUG : r->cfg.log_level);
	/* Before any secret is read: a core dump (or a debugger of the same
	 * user) would see the relay key and the credentials. */
	if (!r->cfg.core_dumps) {
		struct rlimit none = { 0, 0 };
		if (setrlimit(RLIMIT_CORE, &none) != 0 ||
		    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
			log_err("cannot disable core dumps: %s (core_dumps yes in %s "
			    "allows them)", strerror(errno), r->cfg.path);
			return 1;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	/* Past a file size limit (ulimit -f) a write fails with EFBIG, which
	 * the store handles like a full disk, instead of killing the relay. */
	signal(SIGXFSZ, SIG_IGN);
	mosquitto_lib_init();
	snprintf(r->version, sizeof(r->version), "ntarelay %s", PACKAGE_VERSION);
	r->started = relay_now();
	r->metrics.started = r->started;
	r->trust.cfg = &r->cfg;
	r->trust.metrics = &r->metrics;
	r->trust.rebuilt = trust_rebuilt;
	r->trust.rebuilt_ctx = r;

	if (trustdb_open(r->cfg.trustdb, TRUSTDB_OPEN_CREATE, 5000, &r->trust.tdb,
	    reason) != TRUSTDB_OK) {
		log_err("trustdb %s: %s", r->cfg.trustdb, reason);
		goto out;
	}
	{
		char dbnet[64];
		bool has;
		if (trustdb_net_get(r->trust.tdb, dbnet, &has, reason) != TRUSTDB_OK) {
			log_err("trustdb %s: %s", r->cfg.trustdb, reason);
			goto out;
		}
		if (has && strcmp(dbnet, r->cfg.net) != 0) {
			log_err("trustdb %s belongs to federation '%s', net is '%s'",
			    r->cfg.trustdb, dbnet, r->cfg.net);
			goto out;
		}
		if (!has && trustdb_net_set(r->trust.tdb, r->cfg.net, reason) != TRUSTDB_OK) {
			log_err("trustdb %s: %s", r->cfg.trustdb, reason);
			goto out;
		}
	}
	if (load_identity(r) != 0 || trust_reload(&r->trust) != 0)
		goto out;
	if (open_store(r, rebuild) != 0 || storefault_start(r) != 0)
		goto out;
	if (store_counters_load(r->store, &r->metrics, err) != 0)
		log_warn("%s (counters start from zero)", err);
	if ((r->rl = ratelimit_new(r->cfg.rate_limit, r->cfg.rate_burst)) == NULL ||
	    (r->quota = quota_new()) == NULL ||
	    (r->pool = trustpool_new(TRUSTPOOL_MAX)) == NULL ||
	    (r->loop = loop_new()) == NULL)
		goto out;
	if (loop_signal_add(r->loop, SIGHUP, on_signal, r) != 0 ||
	    loop_signal_add(r->loop, SIGTERM, on_signal, r) != 0 ||
	    loop_signal_add(r->loop, SIGINT, on_signal, r) != 0) {
		log_err("signals: %s", strerror(errno));
		goto out;
	}
	/* First of the prepare hooks: commit the turn's transaction and
	 * publish, before the links compute what they want to write. */
	loop_prepare_add(r->loop, commit_turn, r);
	if (start_decide(r) != 0) {
		log_err("quorum engine: cannot load the zones from the store");
		goto out;
	}
	if (notify_start(r, &r->notify) != 0)
		goto out;
	if (r->notify) {
		/* the engine builds a decision's document for the notifier only
		 * when there is one: it is a live evaluation of the zone */
		struct decide_notifier dn = { decision_changed, r->notify };
		decide_set_notifier(r->decide, &dn);
	}
	/* the webhook URL is a credential: the notifier keeps it in locked
	 * memory now, the configuration's copy goes */
	sodium_memzero(r->cfg.mattermost_webhook, sizeof(r->cfg.mattermost_webhook));
	if (start_links(r) != 0 || start_http(r) != 0 || start_control(r) != 0 ||
	    catchup_start(r) != 0)
		goto out;
	{
		char keyhex[KEY_ID_HEX_LEN + 1], orighex[KEY_ID_HEX_LEN + 1];
		log_notice("started: net %s, key %s, operator %s, %zu links, %lld events "
		    "stored", r->cfg.net,
		    encoding_hex_encode(key_secret_public(r->key)->id, KEY_ID_LEN, keyhex),
		    encoding_hex_encode(r->origin, KEY_ID_LEN, orighex), r->nlinks,
		    store_count(r->store));
	}
	/* Make the relay's certificate known to the federation. */
	if (r->cert) {
		char topic[TOPIC_MAX];
		struct envelope *env = NULL;
		struct event *ev = NULL;
		if (open_envelope(r->cert, r->certlen, trustdb_lookup_known, r->trust.tdb, 0,
		    &env, &ev, reason) == PROTO_OK && topic_of(r->cfg.net, ev, topic,
		    sizeof(topic)))
			gossip_ingest(r, NULL, topic, r->cert, r->certlen);
		event_free(ev);
		envelope_free(env);
	}
	heartbeat(r);
	if (start_renew(r) != 0 || watch_start(r) != 0)
		goto out;
	loop_timer_add(r->loop, PRUNE_INTERVAL_MS, prune, r);
	loop_timer_add(r->loop, 60 * 1000, trust_timer, r);
	loop_timer_add(r->loop, 5000, backfill_timer, r);

	if (loop_run(r->loop) != 0) {
		log_err("event loop: %s", strerror(errno));
		goto out;
	}
	gossip_commit(r);
	if (store_counters_save(r->store, &r->metrics, err) != 0)
		log_err("%s", err);
	log_notice("stopped");
	rc = 0;
out:
	watch_stop();
	http_stop(r->control);
	http_stop(r->http);
	notify_stop(r->notify);
	slash_forget();
	backfill_forget();
	renew_free(r->renew);
	decide_free(r->decide);
	r->decide = NULL;
	catchup_stop(r);
	storefault_stop(r);
	for (size_t i = 0; i < r->nlinks; i++)
		link_free(r->links[i]);
	loop_free(r->loop);
	ratelimit_free(r->rl);
	quota_free(r->quota);
	trustpool_free(r->pool);
	store_close(r->store);
	trust_free(&r->trust);
	trustdb_close(r->trust.tdb);
	key_secret_free(r->key);
	free(r->cert);
	mosquitto_lib_cleanup();
	return rc;
}
