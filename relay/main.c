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
#include "relay/core/cmdline.h"
#include "relay/core/config.h"
#include "relay/core/expiry.h"
#include "relay/core/identity.h"
#include "relay/core/secretfile.h"
#include "relay/core/startcheck.h"
#include "relay/quorum/decide.h"
#include "relay/fed/fed.h"
#include "relay/fed/forward.h"
#include "relay/fed/ingest.h"
#include "relay/fed/publish.h"
#include "relay/fed/reject_log.h"
#include "relay/notify/notify.h"
#include "relay/store/rebuild.h"
#include "relay/quorum/renew.h"
#include "relay/core/log.h"
#include "relay/relay.h"
#include "relay/fed/storefault.h"
#include "relay/fed/topic.h"
#include "relay/fed/verifier.h"
#include "relay/fed/watch.h"
#include "trustdb/store.h"

#define PRUNE_INTERVAL_MS (60 * 1000)      /* prune, save the counters */
#define BACKFILL_SCAN_MS (10 * 60 * 1000)
#define HEARTBEAT_LIFETIME 180

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

/* The records and membership of each rebuild: the certificate's and the
 * vouches' ends for GET /metrics (relay/core/expiry.h). */
static void
trust_loaded(void *arg, const struct trust_records *recs,
    const struct trust_membership *mem, long long now)
{
	expiry_update(arg, recs, mem, now);
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

/* ----------------------------------------------------------- observers */

/* What the ingest pipeline and the relay's own events announce
 * (relay/fed/observer.h) reaches the quorum engine and the notifier
 * through these adapters; fed/ includes neither. */
static void
obs_decide_event(void *ctx, const struct event *ev)
{
	decide_event(ctx, ev);
}

static void
obs_decide_flagged(void *ctx, const unsigned char origin[KEY_ID_LEN])
{
	decide_flagged(ctx, origin);
}

static void
obs_decide_flush(void *ctx)
{
	decide_flush(ctx);
}

static void
obs_decide_committed(void *ctx)
{
	decide_committed(ctx);
}

static void
obs_decide_rolled_back(void *ctx)
{
	decide_rollback(ctx);
}

static void
obs_notify_event(void *ctx, const struct event *ev)
{
	notify_event(ctx, ev);
}

/* Caught up with the peers (relay/fed/catchup.h): decide every zone. */
static void
catchup_finished(void *ctx)
{
	decide_all(ctx);
}

/* The federation layer's context (relay/fed/fed.h): what it borrows from
 * the relay. The links join it in start_links(). */
static int
start_fed(struct relay *r)
{
	struct fed *f;

	if ((r->fed = f = fed_new()) == NULL)
		return -1;
	f->cfg = &r->cfg;
	f->loop = r->loop;
	f->store = r->store;
	f->trust = &r->trust;
	f->pool = r->pool;
	f->key = r->key;
	f->origin = r->origin;
	f->links = r->links;
	f->nlinks = r->nlinks;
	f->metrics = &r->metrics;
	f->rl = r->rl;
	f->quota = r->quota;
	f->observers = &r->observers;
	return 0;
}

/* The signature workers (relay/fed/verifier.h), once the loop runs. */
static int
start_verifier(struct relay *r)
{
	char err[256];
	int n = r->cfg.verify_workers < 0 ? verifier_auto_workers() :
	    r->cfg.verify_workers;

	if (n == 0) {
		log_info("signatures are checked on the loop thread (verify_workers "
		    "%s)", r->cfg.verify_workers < 0 ? "auto, one core" : "0");
		return 0;
	}
	if ((r->fed->verifier = verifier_new(r->loop, n, ingest_verified, r->fed,
	    err, sizeof(err))) == NULL) {
		log_err("%s", err);
		return -1;
	}
	log_info("signatures are checked by %d worker thread%s", n, n == 1 ? "" :
	    "s");
	return 0;
}

/* The engine first, then the notifier: the order decide_event() and
 * notify_event() were called in before. */
static int
start_observers(struct relay *r)
{
	const struct observer engine = { obs_decide_event, obs_decide_flagged,
	    obs_decide_flush, obs_decide_committed, obs_decide_rolled_back,
	    r->decide };
	const struct observer notifier = { obs_notify_event, NULL, NULL, NULL,
	    NULL, r->notify };

	if (observers_add(&r->observers, &engine) != 0 ||
	    observers_add(&r->observers, &notifier) != 0)
		return -1;
	return 0;
}

/* ------------------------------------------------------------- quorum */

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

/* GET /v1/decisions/stream on both servers (relay/http/stream.c) */
static void
decision_pushed(void *ctx, const json_t *summary)
{
	struct relay *r = ctx;

	http_stream_decision(r->http, summary);
	http_stream_decision(r->control, summary);
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
		.metrics = &r->metrics, .loop = r->loop, .signer = publish_signer(r->fed),
		.hooks = { caught_up, syncing_json, store_writable, r->fed },
		/* the notifier, once started (notify_start()) */
		.notify = { NULL, NULL },
	};

	memcpy(dd.origin, r->origin, KEY_ID_LEN);
	if ((r->decide = decide_new(&dd)) == NULL)
		return -1;
	if (metrics_collector_add(&r->metrics, decide_metrics, r->decide) != 0) {
		log_err("metrics: no room for the quorum engine's collector");
		return -1;
	}
	return decide_start(r->decide);
}

/* Renewal (relay/quorum/renew.h): made before the control socket that
 * withdraws through it, started with the relay. */
static int
new_renew(struct relay *r)
{
	struct renew_deps rd = {
		.loop = r->loop, .store = r->store, .signer = publish_signer(r->fed),
		.writable = store_writable, .ctx = r->fed,
	};

	memcpy(rd.key, key_secret_public(r->key)->id, KEY_ID_LEN);
	return (r->renew = renew_new(&rd)) == NULL ? -1 : 0;
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
	if (!r->draining && storefault_writable(r->fed))
		publish_own(r->fed, KIND_HEARTBEAT, f, HEARTBEAT_LIFETIME);
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
	if (!storefault_writable(r->fed))
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

	backfill_scan(r->fed);
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
	if (!storefault_writable(r->fed)) {
		storefault_hold(r->fed, l, topic, payload, len);
		return;
	}
	ingest_receive(r->fed, l, topic, payload, len);
	/* a write of this turn failed: read nothing more */
	if (store_faulted(r->store, cause, sizeof(cause)))
		storefault_failed(r->fed, cause);
}

static void
on_up(void *arg, struct link *l)
{
	struct relay *r = arg;

	for (size_t i = 0; i < r->nlinks; i++)
		if (r->links[i] == l)
			r->metrics.links[i].connects++;
	catchup_link_up(r->fed);
	publish_flush(r->fed, l);
}

static void
on_acked(void *arg, struct link *l, long long row)
{
	struct relay *r = arg;

	publish_acked(r->fed, l, row);
}

static int
start_links(struct relay *r)
{
	struct link_callbacks cb = { r, on_message, on_up, NULL, on_acked };
	char sub[256], client_id[32], keyhex[KEY_ID_HEX_LEN + 1], err[512];
	char heads[2][256];
	/* a store that is new or rebuilt fills from every retained message;
	 * one that holds others' events takes only the heads and the trust
	 * events, and backfill the rest (relay/fed/link.h) */
	bool intact = store_holds_others(r->store, key_secret_public(r->key)->id);

	topic_subscription(r->cfg.net, sub, sizeof(sub));
	topic_heads_subscriptions(r->cfg.net, heads);
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
		if (intact)
			link_heads_only(r->links[i], heads);
		snprintf(r->metrics.links[i].name, sizeof(r->metrics.links[i].name),
		    "%s", c->url);
		r->nlinks++;
	}
	log_info("retained messages: %s", intact ? "the heads and trust events "
	    "only (the store holds others' events)" : "all (a new or rebuilt "
	    "store)");
	r->metrics.nlinks = r->nlinks;
	r->fed->nlinks = r->nlinks;
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
		ingest_offer_pool(r->fed);
	}
	publish_commit(r->fed);
}

/* ---------------------------------------------------------------- HTTP */

/* What the HTTP answers work with (relay/http/api_env.h): made once,
 * shared by the API and the control socket. */
static int
start_api(struct relay *r)
{
	struct api_env deps = { .cfg = &r->cfg, .store = r->store,
	    .trust = &r->trust, .metrics = &r->metrics, .links = r->links,
	    .nlinks = &r->nlinks, .origin = r->origin, .fed = r->fed,
	    .decide = r->decide, .renew = r->renew, .loop = r->loop };

	if (r->api == NULL && (r->api = api_env_new(&deps)) == NULL) {
		log_err("http: out of memory");
		return -1;
	}
	return 0;
}

static int
start_http(struct relay *r)
{
	struct http_handlers h;
	char err[256], *token = NULL;

	if (start_api(r) != 0)
		return -1;
	h = api_handlers(r->api, false);
	if (r->cfg.http_token_file[0] &&
	    (token = secretfile_read_line(r->cfg.http_token_file,
	    CONFIG_TOKEN_MAX)) == NULL) {
		log_err("http_token_file %s: cannot read a token", r->cfg.http_token_file);
		return -1;
	}
	r->http = http_start(r->cfg.http_addr, r->cfg.http_port, token, &h, err,
	    sizeof(err));
	secretfile_free(token);
	if (r->http == NULL) {
		log_err("http_listen %s: %s", r->cfg.http_listen, err);
		return -1;
	}
	if (http_attach(r->http, r->loop) != 0) {
		log_err("http_listen %s: the loop has no room for it", r->cfg.http_listen);
		return -1;
	}
	log_info("HTTP API on %s", r->cfg.http_listen);
	return 0;
}

/* The local control socket: the API plus submissions (relay/http/control.c). */
static int
start_control(struct relay *r)
{
	struct http_handlers h;
	char err[256];

	if (r->cfg.control_socket[0] == '\0') {
		log_info("control socket off (control_socket is empty)");
		return 0;
	}
	if (start_api(r) != 0)
		return -1;
	h = api_handlers(r->api, true);
	if ((r->control = http_start_unix(r->cfg.control_socket, &h, err,
	    sizeof(err))) == NULL) {
		log_err("control_socket: %s", err);
		return -1;
	}
	if (http_attach(r->control, r->loop) != 0) {
		log_err("control_socket: the loop has no room for it");
		return -1;
	}
	log_info("control socket %s", r->cfg.control_socket);
	return 0;
}

/* ------------------------------------------------------------- signals */

static void
drain_check(void *arg)
{
	struct relay *r = arg;
	long pending = 0;

	if (r->drain_deadline == 0)
		r->drain_deadline = loop_now_ms() + r->cfg.drain_timeout * 1000LL;
	for (size_t i = 0; i < r->nlinks; i++)
		if (link_is_up(r->links[i]))
			pending += store_outbox_depth(r->store, link_store_id(r->links[i]));
	if (pending == 0 || loop_now_ms() >= r->drain_deadline) {
		if (pending)
			log_notice("exiting with %ld events queued for connected links; "
			    "they are sent after the restart", pending);
		loop_stop(r->loop);
		return;
	}
	loop_timer_add(r->loop, 100, drain_check, r);
}

/*
 * SIGHUP: read the configuration file again into a fresh one (on the heap:
 * it is large), take from it the keys the key table marks as applied at a
 * reload, name each other key that changed, then apply what the copied
 * keys drive (log level, rate limiter, the watched zones and their probe)
 * and rebuild the trust index (which evaluates every zone again, with the
 * new quorum policy).
 */
static void
reload(struct relay *r)
{
	struct relay_config *cfg = malloc(sizeof(*cfg));
	char err[CONFIG_ERR_MAX];
	const char *changed[64];
	size_t n;

	if (cfg == NULL) {
		log_err("reload: out of memory (keeping the running configuration)");
		return;
	}
	if (config_load(r->cfg.path, cfg, err, sizeof(err)) != 0) {
		log_err("reload: %s (keeping the running configuration)", err);
		goto out;
	}
	n = config_reload(&r->cfg, cfg, changed, 64);
	for (size_t i = 0; i < n && i < 64; i++)
		log_warn("reload: %s changed: restart needed", changed[i]);
	log_set_level(r->cfg.log_level);
	ratelimit_set(r->rl, r->cfg.rate_limit, r->cfg.rate_burst);
	watch_reload(r->watch);    /* watch, probe_*: logs what changed */
	trust_reload(&r->trust);
	log_notice("reloaded %s and the trust database", r->cfg.path);
out:
	/* the webhook URL, a credential, is not applied at a reload */
	sodium_memzero(cfg, sizeof(*cfg));
	free(cfg);
}

static void
on_signal(void *arg, int signo)
{
	struct relay *r = arg;

	if (signo == SIGHUP) {
		reload(r);
		return;
	}
	if (r->draining)
		return;
	log_notice("%s: draining outboxes for up to %d s", strsignal(signo),
	    r->cfg.drain_timeout);
	r->draining = true;
	forward_release(r->fed);   /* the held forwards go now */
	drain_check(r);
}

/* ---------------------------------------------------------------- main */

/* The trust database, tied to one federation: a database made for another
 * net is refused, a new one is given this net. */
static int
open_trustdb(struct relay *r)
{
	char dbnet[64], reason[256];
	bool has;

	if (trustdb_open(r->cfg.trustdb, TRUSTDB_OPEN_CREATE, 5000, &r->trust.tdb,
	    reason) != TRUSTDB_OK ||
	    trustdb_net_get(r->trust.tdb, dbnet, &has, reason) != TRUSTDB_OK) {
		log_err("trustdb %s: %s", r->cfg.trustdb, reason);
		return -1;
	}
	if (has && strcmp(dbnet, r->cfg.net) != 0) {
		log_err("trustdb %s belongs to federation '%s', net is '%s'",
		    r->cfg.trustdb, dbnet, r->cfg.net);
		return -1;
	}
	if (!has && trustdb_net_set(r->trust.tdb, r->cfg.net, reason) != TRUSTDB_OK) {
		log_err("trustdb %s: %s", r->cfg.trustdb, reason);
		return -1;
	}
	return 0;
}

/* What runs before any secret is read and before the loop: logging, no
 * core dumps, the signals that must not kill the relay, the trust hooks. */
static int
start_process(struct relay *r, const struct cmdline *opt)
{
	log_init_facility("ntarelayd", r->cfg.log_syslog, r->cfg.log_facility,
	    opt->debug ? LOG_LVL_DEBUG : r->cfg.log_level);
	/* Before any secret is read: a core dump (or a debugger of the same
	 * user) would see the relay key and the credentials. */
	if (!r->cfg.core_dumps) {
		struct rlimit none = { 0, 0 };
		if (setrlimit(RLIMIT_CORE, &none) != 0 ||
		    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
			log_err("cannot disable core dumps: %s (core_dumps yes in %s "
			    "allows them)", strerror(errno), r->cfg.path);
			return -1;
		}
	}
	/* what -t checks, checked again (relay/core/startcheck.h) */
	{
		char err[CONFIG_ERR_MAX];
		if (startcheck_run(&r->cfg, relay_now(), err, sizeof(err)) != 0) {
			log_err("%s", err);
			return -1;
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
	r->metrics.version = PACKAGE_VERSION;
	r->trust.cfg = &r->cfg;
	r->trust.metrics = &r->metrics;
	r->trust.rebuilt = trust_rebuilt;
	r->trust.rebuilt_ctx = r;
	return 0;
}

/* The identity, the trust index, the store and the federation layer. */
static int
start_state(struct relay *r, bool rebuild)
{
	char err[STORE_ERR_MAX];

	if (open_trustdb(r) != 0 ||
	    identity_load(&r->cfg, r->trust.tdb, relay_now(), &r->key, r->origin,
	    &r->cert, &r->certlen) != 0 ||
	    (r->expiry = expiry_new(&r->metrics, key_secret_public(r->key)->id,
	    r->origin)) == NULL)
		return -1;
	r->trust.loaded = trust_loaded;
	r->trust.loaded_ctx = r->expiry;
	if (trust_reload(&r->trust) != 0 || open_store(r, rebuild) != 0)
		return -1;
	if (store_counters_load(r->store, &r->metrics, err) != 0)
		log_warn("%s (counters start from zero)", err);
	if ((r->rl = ratelimit_new(r->cfg.rate_limit, r->cfg.rate_burst)) == NULL ||
	    (r->quota = quota_new()) == NULL ||
	    (r->pool = trustpool_new(TRUSTPOOL_MAX)) == NULL ||
	    (r->loop = loop_new()) == NULL || start_fed(r) != 0)
		return -1;
	if (loop_signal_add(r->loop, SIGHUP, on_signal, r) != 0 ||
	    loop_signal_add(r->loop, SIGTERM, on_signal, r) != 0 ||
	    loop_signal_add(r->loop, SIGINT, on_signal, r) != 0) {
		log_err("signals: %s", strerror(errno));
		return -1;
	}
	/* First of the prepare hooks: commit the turn's transaction and
	 * publish, before the links compute what they want to write. */
	loop_prepare_add(r->loop, commit_turn, r);
	return 0;
}

/* The quorum engine, renewals, the notifier, and the observers that feed
 * them from the ingest pipeline. */
static int
start_engine(struct relay *r)
{
	if (start_decide(r) != 0) {
		log_err("quorum engine: cannot load the zones from the store");
		return -1;
	}
	if (new_renew(r) != 0)
		return -1;
	if (notify_start(&(struct notify_env){ .cfg = &r->cfg, .loop = r->loop,
	    .store = r->store, .metrics = &r->metrics, .origin = r->origin,
	    .decide = r->decide }, &r->notify) != 0 ||
	    start_observers(r) != 0)
		return -1;
	if (r->notify) {
		/* the engine builds a decision's document for the notifier only
		 * when there is one: it is a live evaluation of the zone */
		struct decide_notifier dn = { decision_changed, r->notify };
		decide_set_notifier(r->decide, &dn);
	}
	/* the webhook URL is a credential: the notifier keeps it in locked
	 * memory now, the configuration's copy goes */
	sodium_memzero(r->cfg.mattermost_webhook, sizeof(r->cfg.mattermost_webhook));
	return 0;
}

/* Make the relay's certificate known to the federation: it goes through
 * the ingest pipeline like any event, so the store and the links have it. */
static void
announce_cert(struct relay *r)
{
	char topic[TOPIC_MAX], reason[256];
	struct envelope *env = NULL;
	struct event *ev = NULL;

	if (r->cert == NULL)
		return;
	if (open_envelope(r->cert, r->certlen, trustdb_lookup_known, r->trust.tdb, 0,
	    &env, &ev, reason) == PROTO_OK && topic_of(r->cfg.net, ev, topic,
	    sizeof(topic)))
		ingest_message(r->fed, NULL, topic, r->cert, r->certlen);
	event_free(ev);
	envelope_free(env);
}

/* The outside world: links, HTTP, control socket, catch-up; then the
 * started line, the certificate, the first heartbeat and the timers. */
static int
start_io(struct relay *r)
{
	char keyhex[KEY_ID_HEX_LEN + 1], orighex[KEY_ID_HEX_LEN + 1];

	if (start_verifier(r) != 0 || start_links(r) != 0 || start_http(r) != 0 ||
	    start_control(r) != 0 ||
	    catchup_start(r->fed, catchup_finished, r->decide) != 0)
		return -1;
	decide_set_listener(r->decide,
	    &(struct decide_listener){ decision_pushed, r });
	log_notice("started: net %s, key %s, operator %s, %zu links, %lld events "
	    "stored", r->cfg.net,
	    encoding_hex_encode(key_secret_public(r->key)->id, KEY_ID_LEN, keyhex),
	    encoding_hex_encode(r->origin, KEY_ID_LEN, orighex), r->nlinks,
	    store_count(r->store));
	announce_cert(r);
	heartbeat(r);
	renew_start(r->renew);
	if ((r->watch = watch_new(r->fed, &r->draining)) == NULL)
		return -1;
	loop_timer_add(r->loop, PRUNE_INTERVAL_MS, prune, r);
	loop_timer_add(r->loop, 60 * 1000, trust_timer, r);
	loop_timer_add(r->loop, 5000, backfill_timer, r);
	return 0;
}

/* Everything start_* made, in the reverse order; each *_free takes NULL. */
static void
stop_all(struct relay *r)
{
	watch_free(r->watch);
	http_stop(r->control);
	http_stop(r->http);
	notify_stop(r->notify);
	api_env_free(r->api);
	renew_free(r->renew);
	metrics_collector_del(&r->metrics, decide_metrics, r->decide);
	decide_free(r->decide);
	r->decide = NULL;
	fed_free(r->fed);
	for (size_t i = 0; i < r->nlinks; i++)
		link_free(r->links[i]);
	loop_free(r->loop);
	ratelimit_free(r->rl);
	quota_free(r->quota);
	trustpool_free(r->pool);
	store_close(r->store);
	trust_free(&r->trust);
	expiry_free(r->expiry);
	trustdb_close(r->trust.tdb);
	key_secret_free(r->key);
	free(r->cert);
	mosquitto_lib_cleanup();
}

int
main(int argc, char **argv)
{
	static struct relay relay; /* large: keep it off the stack */
	struct relay *r = &relay;
	struct cmdline opt;
	char err[CONFIG_ERR_MAX];
	int rc;

	if ((rc = cmdline_parse(argc, argv, &opt)) >= 0)
		return rc;
	if (sodium_init() < 0) {
		fprintf(stderr, "ntarelayd: libsodium failed to initialise\n");
		return 1;
	}
	if (config_load(opt.path, &r->cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "ntarelayd: %s\n", err);
		return 1;
	}
	/* -t and the start run the same checks (relay/core/startcheck.h) */
	if (opt.check) {
		if (startcheck_run(&r->cfg, relay_now(), err, sizeof(err)) != 0) {
			fprintf(stderr, "ntarelayd: %s\n", err);
			return 1;
		}
		printf("ntarelayd: %s: configuration OK\n", r->cfg.path);
		return 0;
	}
	rc = 1;
	if (start_process(r, &opt) != 0 || start_state(r, opt.rebuild) != 0 ||
	    start_engine(r) != 0 || start_io(r) != 0)
		goto out;
	if (loop_run(r->loop) != 0) {
		log_err("event loop: %s", strerror(errno));
		goto out;
	}
	/* what the workers still hold goes through the pipeline first */
	verifier_drain(r->fed->verifier);
	publish_commit(r->fed);
	if (store_counters_save(r->store, &r->metrics, err) != 0)
		log_err("%s", err);
	reject_log_flush(r->fed->rejects);   /* the counts of the last minute */
	log_notice("stopped");
	rc = 0;
out:
	stop_all(r);
	return rc;
}
