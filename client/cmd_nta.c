/*
 * client/cmd_nta.c — ntactl nta sync | watch | list: keep a resolver's
 * run-time Negative Trust Anchors in step with a relay's decisions
 * (GET /v1/zones). The rules are in nta_sync.h and ntactl(1), NTA SYNC;
 * watch also follows the relay's decision stream (nta_stream.h).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "client/cli.h"
#include "client/httpc.h"
#include "client/ntactl.h"
#include "client/nta_driver.h"
#include "client/nta_run.h"
#include "client/nta_state.h"
#include "client/nta_stream.h"
#include "client/nta_sync.h"
#include "lib/duration.h"

#define NTA_INTERVAL_DEFAULT 30
#define NTA_PATH_MAX 4096
#define NTA_WATCH_TICK_MS 500    /* signals are looked at this often */

static const char usage_text[] =
    "usage: ntactl nta sync  --driver D [OPTIONS] [--dry-run] [--json]\n"
    "       ntactl nta watch --driver D [OPTIONS] [--interval T]\n"
    "       ntactl nta list  [--state FILE | --driver D] [--json]\n"
    "\n"
    "Keep a resolver's run-time Negative Trust Anchors (RFC 7646) in step with\n"
    "a relay's decisions (GET /v1/zones): add one while a zone is\n"
    "nta_recommended, renew it while the quorum holds, remove it when the\n"
    "decision goes or its lifetime ends. Only NTAs this tool added (its state\n"
    "file) are ever removed; others are reported as drift and left alone.\n"
    "\n"
    "  sync                one pass (for cron)\n"
    "  watch               a pass at each decision the relay streams\n"
    "                      (GET /v1/decisions/stream; reconnects by itself)\n"
    "                      and every --interval; one log line per action on\n"
    "                      standard error; stops on SIGINT or SIGTERM\n"
    "  list                the NTAs this tool added, from the state file\n"
    "\n"
    "  --driver D          unbound, bind, knot, powerdns, exec or feedzone\n"
    "  --relay URL         the relay's HTTP API (default " HTTPC_RELAY_DEFAULT ")\n"
    "  --token-file F      the API token (else $" HTTPC_TOKEN_ENV ")\n"
    "  --state FILE        the record of our NTAs (default\n"
    "                      " NTA_STATE_DIR "/nta-DRIVER.json)\n"
    "  --max-lifetime T    cap every NTA at T (seconds, or 90m, 12h, 7d;\n"
    "                      default and maximum 7d)\n"
    "  --interval T        watch: time between passes (default 30s)\n"
    "  --timeout T         a resolver command's time limit (default 30s)\n"
    "  --stale-after T     once the relay has not answered for longer than\n"
    "                      T, remove every NTA of ours (default: never)\n"
    "  --public-url URL    the relay's public URL (its public_url) for the\n"
    "                      note resolvers keep (default: --relay)\n"
    "  --dry-run           print what would be done; change nothing, not\n"
    "                      even the state file\n"
    "  --json              one JSON object per pass: {\"actions\":[..],\n"
    "                      \"drift\":[..],\"errors\":[..],..}\n"
    "  --help              this text\n"
    "\n"
    "Driver options:\n"
    "  unbound   --unbound-control PATH (default unbound-control)\n"
    "            --control-config FILE (unbound-control -c FILE)\n"
    "  bind      --rndc PATH (default rndc), --control-config FILE (rndc -c)\n"
    "            --no-recheck: rndc nta -force (BIND keeps the NTA to its\n"
    "            end even once the zone validates; default: it lifts it)\n"
    "  knot      --control-socket PATH (kresd control socket; required)\n"
    "  powerdns  --rec-control PATH (default rec_control),\n"
    "            --config-dir DIR, --socket-dir DIR (as rec_control takes)\n"
    "  exec      --exec PATH: run with NTA_ACTION=list|add|remove, NTA_ZONE,\n"
    "            NTA_LIFETIME, NTA_UNTIL, NTA_RELAY, NTA_REASON; for list\n"
    "            it prints one zone per line; NTA_NOTE: the short note\n"
    "  feedzone  an NTA feed zone file (draft-muks-dns-nta-feed-zones-00):\n"
    "            --feed-zone ZONE, --feed-file FILE (required),\n"
    "            --feed-type N (RR type code, default 65280),\n"
    "            --reload-cmd CMD (nsd-control, knotc, or a command line\n"
    "            run without a shell), --control-config FILE (its -c)\n"
    "\n"
    "Exit status (sync): 0 in step, 1 drift left that must not or could not\n"
    "be fixed (a foreign NTA, a refused recommendation), 2 error (relay\n"
    "unreachable or its answer malformed, a resolver command failed, usage).\n";

struct nta_opts {
	struct nta_driver_conf drv;
	struct nta_sync_opts sync;
	const char *program_opt;    /* the option that named the program */
	const char *state;
	long long interval;
	bool as_json;
};

/* A duration (lib/duration.h) in [lo, hi]; -1 if not. */
static long long
nta_parse_seconds(const char *s, long long lo, long long hi)
{
	long long v;

	return duration_parse(s, lo, hi, false, &v) == 0 ? v : -1;
}

/* ---------------------------------------------------------------- output */

static const char *
nta_jstr(const json_t *o, const char *name)
{
	const char *s = json_string_value(json_object_get(o, name));

	return s ? s : "";
}

/* One action as a line: "add de. for 86400 s until T: reason". */
static void
nta_action_line(const json_t *a, bool dry_run, char *out, size_t len)
{
	const char *act = nta_jstr(a, "action"), *reason = nta_jstr(a, "reason");
	long long life = json_integer_value(json_object_get(a, "lifetime"));
	long long until = json_integer_value(json_object_get(a, "until"));
	char when[32], span[96] = "";

	nta_time_text(until, when, sizeof(when));
	if (strcmp(act, "add") == 0 || strcmp(act, "renew") == 0)
		snprintf(span, sizeof(span), " for %lld s, until %s", life, when);
	else if (strcmp(act, "forget") == 0)
		snprintf(span, sizeof(span), " (already gone from the resolver)");
	snprintf(out, len, "%s%s %s%s%s%s", dry_run ? "would " : "", act,
	    nta_jstr(a, "zone"), span, reason[0] ? ": " : "", reason);
}

/* The errors of a report on standard error, with --json too: a cron job's
 * mail shows them either way. */
static void
nta_print_errors(const json_t *rep, const char *cmd)
{
	const json_t *e;
	size_t i;

	json_array_foreach(json_object_get(rep, "errors"), i, e) {
		const char *z = nta_jstr(e, "zone");
		cli_err("nta %s: %s%s%s", cmd, z, z[0] ? ": " : "",
		    nta_jstr(e, "message"));
	}
}

/* The report of a sync pass, for a person: actions and drift on standard
 * output, errors on standard error. */
static void
nta_print_report(const json_t *rep)
{
	bool dry = json_is_true(json_object_get(rep, "dry_run"));
	const json_t *e, *c;
	char line[2048];
	size_t i, j;

	json_array_foreach(json_object_get(rep, "actions"), i, e) {
		nta_action_line(e, dry, line, sizeof(line));
		printf("%s\n", line);
		json_array_foreach(json_object_get(e, "commands"), j, c)
			printf("    %s\n", json_string_value(c));
	}
	json_array_foreach(json_object_get(rep, "commit"), i, c)
		printf("%s%s\n", dry ? "would " : "", json_string_value(c));
	json_array_foreach(json_object_get(rep, "drift"), i, e)
		printf("drift: %s: %s\n", nta_jstr(e, "zone"), nta_jstr(e, "message"));
	fflush(stdout);
	nta_print_errors(rep, "sync");
}

static void
nta_print_json(const json_t *rep)
{
	char *s = json_dumps(rep, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (s != NULL) {
		printf("%s\n", s);
		fflush(stdout);
	}
	free(s);
}

/* ---------------------------------------------------------------- options */

/* The option values nta_check() reads as durations. */
struct nta_args {
	const char *max, *interval, *timeout, *stale, *type;
};

/* The options of one driver or of --stale-after, --public-url (c, from
 * getopt) into o and a. False when c is not one of them. */
static bool
nta_parse_more(int c, struct nta_opts *o, struct nta_args *a)
{
	switch (c) {
	case 'R': o->drv.no_recheck = true; break;
	case 'z': o->drv.feed_zone = optarg; break;
	case 'f': o->drv.feed_file = optarg; break;
	case 'y': a->type = optarg; break;
	case 'l': o->drv.reload_cmd = optarg; break;
	case 'a': a->stale = optarg; break;
	case 'P': o->sync.public_url = optarg; break;
	default: return false;
	}
	return true;
}

static int nta_check(const char *cmd, bool watch, const struct nta_args *a,
    struct nta_opts *o, char *state_buf, size_t state_len);

/* What can only be wrong in the command line is a usage error now, not a
 * relay error every pass: the relay URL and the token. 0, or -1 said. */
static int
nta_check_relay(const char *cmd, const struct nta_opts *o)
{
	char err[HTTPC_ERR_MAX], *url, *token = NULL;

	if ((url = httpc_build_url(o->sync.relay, "/v1/zones", NULL, 0, err,
	    sizeof(err))) == NULL) {
		cli_err("nta %s: --relay: %s", cmd, err);
		return -1;
	}
	free(url);
	if (httpc_token_load(o->sync.token_file, &token, err, sizeof(err)) != 0) {
		cli_err("nta %s: %s", cmd, err);
		return -1;
	}
	httpc_token_free(token);
	return 0;
}

/*
 * Parse the options of sync and watch into o. Returns -1 to go on, or the
 * exit status (usage error, --help).
 */
static int
nta_parse(int argc, char **argv, bool watch, struct nta_opts *o,
    char *state_buf, size_t state_len)
{
	static const struct option opts[] = {
		{ "driver", required_argument, NULL, 'D' },
		{ "relay", required_argument, NULL, 'r' },
		{ "token-file", required_argument, NULL, 't' },
		{ "state", required_argument, NULL, 'S' },
		{ "max-lifetime", required_argument, NULL, 'L' },
		{ "interval", required_argument, NULL, 'i' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "unbound-control", required_argument, NULL, 'u' },
		{ "rndc", required_argument, NULL, 'b' },
		{ "rec-control", required_argument, NULL, 'p' },
		{ "exec", required_argument, NULL, 'x' },
		{ "control-config", required_argument, NULL, 'c' },
		{ "config-dir", required_argument, NULL, 'C' },
		{ "socket-dir", required_argument, NULL, 's' },
		{ "control-socket", required_argument, NULL, 'k' },
		{ "no-recheck", no_argument, NULL, 'R' },
		{ "feed-zone", required_argument, NULL, 'z' },
		{ "feed-file", required_argument, NULL, 'f' },
		{ "feed-type", required_argument, NULL, 'y' },
		{ "reload-cmd", required_argument, NULL, 'l' },
		{ "stale-after", required_argument, NULL, 'a' },
		{ "public-url", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = watch ? "watch" : "sync";
	struct nta_args a = { NULL, NULL, NULL, NULL, NULL };
	int c;

	memset(o, 0, sizeof(*o));
	o->sync.relay = HTTPC_RELAY_DEFAULT;
	o->sync.max_lifetime = NTA_LIFETIME_MAX;
	o->interval = NTA_INTERVAL_DEFAULT;
	o->drv.timeout = NTA_RUN_TIMEOUT;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'D': o->drv.driver = optarg; break;
		case 'r': o->sync.relay = optarg; break;
		case 't': o->sync.token_file = optarg; break;
		case 'S': o->state = optarg; break;
		case 'L': a.max = optarg; break;
		case 'i': a.interval = optarg; break;
		case 'T': a.timeout = optarg; break;
		case 'n': o->sync.dry_run = true; break;
		case 'j': o->as_json = true; break;
		case 'u': case 'b': case 'p': case 'x':
			if (o->program_opt != NULL) {
				cli_err("nta %s: give one control program", cmd);
				return CLI_ERR;
			}
			o->drv.program = optarg;
			o->program_opt = c == 'u' ? "unbound-control" : c == 'b' ?
			    "rndc" : c == 'p' ? "rec-control" : "exec";
			break;
		case 'c': o->drv.control_config = optarg; break;
		case 'C': o->drv.config_dir = optarg; break;
		case 's': o->drv.socket_dir = optarg; break;
		case 'k': o->drv.control_socket = optarg; break;
		case 'h': return cli_usage(usage_text, 1);
		default:
			if (!nta_parse_more(c, o, &a))
				return cli_usage(usage_text, 0);
		}
	}
	if (optind != argc)
		return cli_usage(usage_text, 0);
	return nta_check(cmd, watch, &a, o, state_buf, state_len);
}

/* The options of sync and watch that getopt cannot check; the state
 * file's default. Returns -1 to go on, or the exit status. */
static int
nta_check(const char *cmd, bool watch, const struct nta_args *a,
    struct nta_opts *o, char *state_buf, size_t state_len)
{
	const char *d = o->drv.driver;
	long long v = 0;

	if (d == NULL || !nta_driver_known(d)) {
		char names[128];
		cli_err("nta %s: --driver must be %s", cmd,
		    nta_driver_names(names, sizeof(names)));
		return CLI_ERR;
	}
	/* An option for another driver is a mistake worth stopping for. */
	if (!nta_driver_accepts(&o->drv, o->program_opt)) {
		cli_err("nta %s: an option given is not one of driver %s (see "
		    "'ntactl nta --help')", cmd, d);
		return CLI_ERR;
	}
	if (a->max && (o->sync.max_lifetime = nta_parse_seconds(a->max, 1,
	    NTA_LIFETIME_MAX)) < 0) {
		cli_err("nta %s: --max-lifetime '%s': seconds (or 90m, 12h, 7d), at "
		    "most 7 days", cmd, a->max);
		return CLI_ERR;
	}
	if (a->interval && (!watch || (o->interval = nta_parse_seconds(
	    a->interval, 1, 86400)) < 0)) {
		cli_err("nta %s: --interval %s", cmd, watch ?
		    "takes seconds (or 30s, 5m, 1h), 1 s to 1 day" :
		    "is for nta watch");
		return CLI_ERR;
	}
	if (a->timeout) {
		if ((v = nta_parse_seconds(a->timeout, 1, 3600)) < 0) {
			cli_err("nta %s: --timeout '%s': seconds, 1 to 3600", cmd,
			    a->timeout);
			return CLI_ERR;
		}
		o->drv.timeout = (int)v;
	}
	if (a->stale && (o->sync.stale_after = nta_parse_seconds(a->stale, 1,
	    366 * 86400LL)) < 0) {
		cli_err("nta %s: --stale-after '%s': seconds (or 90m, 12h, 7d)", cmd,
		    a->stale);
		return CLI_ERR;
	}
	if (a->type && ((v = nta_parse_seconds(a->type, 256, 65534)) < 0 ||
	    strspn(a->type, "0123456789") != strlen(a->type))) {
		cli_err("nta %s: --feed-type '%s': an RR type code, 256 to 65534 "
		    "(default 65280, private use)", cmd, a->type);
		return CLI_ERR;
	}
	if (a->type)
		o->drv.feed_type = (unsigned)v;
	if (nta_check_relay(cmd, o) != 0)
		return CLI_ERR;
	if (o->state == NULL) {
		snprintf(state_buf, state_len, "%s/nta-%s.json", NTA_STATE_DIR, d);
		o->state = state_buf;
	}
	o->sync.state_path = o->state;
	o->drv.relay = o->sync.relay;
	return -1;
}

/* ---------------------------------------------------------------- sync */

static int
nta_cmd_sync(int argc, char **argv)
{
	char state_buf[NTA_PATH_MAX], why[512];
	struct nta_driver *d = NULL;
	json_t *rep = NULL;
	struct nta_opts o;
	int rc;

	if ((rc = nta_parse(argc, argv, false, &o, state_buf,
	    sizeof(state_buf))) >= 0)
		return rc;
	if ((d = nta_driver_new(&o.drv, why, sizeof(why))) == NULL) {
		cli_err("nta sync: %s", why);
		return CLI_ERR;
	}
	rc = nta_sync_pass(d, &o.sync, &rep);
	if (rep == NULL) {
		cli_err("nta sync: out of memory");
		rc = CLI_ERR;
	} else if (o.as_json) {
		nta_print_json(rep);
		nta_print_errors(rep, "sync");
	} else
		nta_print_report(rep);
	json_decref(rep);
	nta_driver_free(d);
	return rc;
}

/* ---------------------------------------------------------------- watch */

/* "2026-05-28T10:00:00Z nta watch: MESSAGE" on standard error. */
static void nta_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void
nta_log(const char *fmt, ...)
{
	char when[32];
	va_list ap;

	nta_time_text((long long)time(NULL), when, sizeof(when));
	fprintf(stderr, "%s nta watch: ", when);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

/* True when list (a JSON array of strings) holds s. */
static bool
nta_seen(const json_t *list, const char *s)
{
	const json_t *e;
	size_t i;

	json_array_foreach(list, i, e)
		if (strcmp(json_string_value(e), s) == 0)
			return true;
	return false;
}

/*
 * Log a pass: every action; drift and errors only when they were not
 * already there in the pass before (seen: last pass's lines, replaced),
 * so that a foreign NTA or a relay that stays down is said once, and its
 * end is said too.
 */
static void
nta_log_pass(const json_t *rep, json_t **seen)
{
	json_t *now = json_array(), *e;
	char line[2048];
	size_t i;

	json_array_foreach(json_object_get(rep, "actions"), i, e) {
		nta_action_line(e, json_is_true(json_object_get(rep, "dry_run")),
		    line, sizeof(line));
		nta_log("%s", line);
	}
	json_array_foreach(json_object_get(rep, "commit"), i, e)
		nta_log("%s%s", json_is_true(json_object_get(rep, "dry_run")) ?
		    "would " : "", json_string_value(e));
	json_array_foreach(json_object_get(rep, "drift"), i, e) {
		snprintf(line, sizeof(line), "drift: %s: %s", nta_jstr(e, "zone"),
		    nta_jstr(e, "message"));
		/* a fixed drift is an action of its own: always said */
		if (json_is_true(json_object_get(e, "fixed")) ||
		    !nta_seen(*seen, line))
			nta_log("%s", line);
		if (!json_is_true(json_object_get(e, "fixed")))
			json_array_append_new(now, json_string(line));
	}
	json_array_foreach(json_object_get(rep, "errors"), i, e) {
		const char *z = nta_jstr(e, "zone");
		snprintf(line, sizeof(line), "error: %s%s%s", z, z[0] ? ": " : "",
		    nta_jstr(e, "message"));
		if (!nta_seen(*seen, line))
			nta_log("%s", line);
		json_array_append_new(now, json_string(line));
	}
	if (json_array_size(*seen) > 0 && json_array_size(now) == 0)
		nta_log("in step again");
	json_decref(*seen);
	*seen = now;
}

/* One pass, logged (and printed with --json). */
static void
nta_watch_pass(struct nta_driver *d, const struct nta_opts *o, json_t **seen)
{
	json_t *rep = NULL;

	nta_sync_pass(d, &o->sync, &rep);
	if (rep != NULL) {
		nta_log_pass(rep, seen);
		if (o->as_json)
			nta_print_json(rep);
	}
	json_decref(rep);
}

/* SIGINT or SIGTERM waiting in the mask, within ms; the signal or 0. */
static int
nta_watch_signal(const sigset_t *stop, long ms)
{
	struct timespec wait = { ms / 1000, (ms % 1000) * 1000000L };
	int sig;

	do
		sig = sigtimedwait(stop, NULL, &wait);
	while (sig < 0 && errno == EINTR);
	return sig == SIGINT || sig == SIGTERM ? sig : 0;
}

/*
 * The watch: a pass at the start and every --interval (renewals, ends of
 * lifetimes), and one as soon as the relay's decision stream brings a
 * decision, a reset or a new connection (client/nta_stream.h); a relay
 * without a stream (404) is polled every --interval only.
 */
static void
nta_watch_loop(struct nta_driver *d, const struct nta_opts *o,
    struct nta_stream *st, const sigset_t *stop)
{
	json_t *seen = json_array();
	long long next = 0, now;
	bool due = true;
	int sig = 0;

	while (sig == 0) {
		now = (long long)time(NULL);
		if (due || now >= next) {
			nta_watch_pass(d, o, &seen);
			next = (long long)time(NULL) + o->interval;
			due = false;
		}
		if (st != NULL) {
			switch (nta_stream_wait(st, NTA_WATCH_TICK_MS)) {
			case NTA_STREAM_SYNC:
				due = true;
				break;
			case NTA_STREAM_GONE:
				nta_log("the relay has no decision stream (an older "
				    "relay?): a pass every %lld s", o->interval);
				nta_stream_free(st);
				st = NULL;
				break;
			default:
				break;
			}
			sig = nta_watch_signal(stop, 0);
		} else {
			now = (long long)time(NULL);
			sig = nta_watch_signal(stop, next > now ?
			    (long)(next - now) * 1000L : 0);
		}
	}
	nta_log("stopped by %s", sig == SIGINT ? "SIGINT" : "SIGTERM");
	nta_stream_free(st);
	json_decref(seen);
}

static int
nta_cmd_watch(int argc, char **argv)
{
	char state_buf[NTA_PATH_MAX], why[512], *token = NULL;
	struct nta_driver *d = NULL;
	struct nta_stream *st = NULL;
	struct nta_opts o;
	sigset_t stop;
	int rc;

	if ((rc = nta_parse(argc, argv, true, &o, state_buf,
	    sizeof(state_buf))) >= 0)
		return rc;
	if ((d = nta_driver_new(&o.drv, why, sizeof(why))) == NULL) {
		cli_err("nta watch: %s", why);
		return CLI_ERR;
	}
	/* the stream's token; nta_check_relay() has read it once already */
	if (httpc_token_load(o.sync.token_file, &token, why, sizeof(why)) != 0 ||
	    (st = nta_stream_new(o.sync.relay, token, nta_log, why,
	    sizeof(why))) == NULL) {
		cli_err("nta watch: %s", why);
		httpc_token_free(token);
		nta_driver_free(d);
		return CLI_ERR;
	}
	/* SIGINT and SIGTERM wait in the mask and are taken between passes:
	 * a pass is never cut half-way (a resolver command without its flush,
	 * an NTA added but not recorded). Children get an empty mask. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	nta_log("driver %s, relay %s, state %s, a pass every %lld s and at "
	    "each decision the relay streams%s", nta_driver_name(d),
	    o.sync.relay, o.state, o.interval, o.sync.dry_run ?
	    " (dry run: nothing is changed)" : "");
	nta_watch_loop(d, &o, st, &stop);
	httpc_token_free(token);
	nta_driver_free(d);
	return CLI_OK;
}

/* ---------------------------------------------------------------- list */

/* Append the records of path to all (a JSON array); 0, or -1 printed. */
static int
nta_list_file(const char *path, json_t *all)
{
	struct nta_state s;
	char why[512];

	if (nta_state_load(path, &s, why, sizeof(why)) != 0) {
		cli_err("nta list: %s", why);
		return -1;
	}
	for (size_t i = 0; i < s.n; i++)
		json_array_append_new(all, json_pack("{s:s,s:s,s:I,s:I,s:I,s:s}",
		    "zone", s.v[i].zone, "driver", s.v[i].driver,
		    "added_at", (json_int_t)s.v[i].added_at,
		    "until", (json_int_t)s.v[i].until,
		    "lifetime", (json_int_t)s.v[i].lifetime, "state", path));
	nta_state_free(&s);
	return 0;
}

static int
nta_cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 'S' },
		{ "driver", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *state = NULL, *driver = NULL;
	char path[NTA_PATH_MAX], added[32], until[32];
	json_t *all = json_array(), *e;
	bool as_json = false;
	int c, rc = CLI_ERR;
	long long now = (long long)time(NULL), left;
	size_t i;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'S': state = optarg; break;
		case 'D': driver = optarg; break;
		case 'j': as_json = true; break;
		case 'h': json_decref(all); return cli_usage(usage_text, 1);
		default: json_decref(all); return cli_usage(usage_text, 0);
		}
	}
	if (optind != argc || (state && driver) || all == NULL) {
		json_decref(all);
		return cli_usage(usage_text, 0);
	}
	if (driver && !nta_driver_known(driver)) {
		char names[128];
		cli_err("nta list: --driver must be %s",
		    nta_driver_names(names, sizeof(names)));
		goto out;
	}
	if (state) {
		if (nta_list_file(state, all) != 0)
			goto out;
	} else
		for (i = 0; nta_driver_at(i) != NULL; i++) {
			if (driver && strcmp(driver, nta_driver_at(i)) != 0)
				continue;
			snprintf(path, sizeof(path), "%s/nta-%s.json", NTA_STATE_DIR,
			    nta_driver_at(i));
			if (nta_list_file(path, all) != 0)
				goto out;
		}
	if (as_json) {
		json_t *o = json_pack("{s:O}", "ntas", all);
		nta_print_json(o);
		json_decref(o);
	} else {
		printf("%-32s  %-8s  %-20s  %-20s  %8s  %s\n", "ZONE", "DRIVER",
		    "ADDED (UTC)", "UNTIL (UTC)", "LIFETIME", "LEFT");
		json_array_foreach(all, i, e) {
			long long u = json_integer_value(json_object_get(e, "until"));
			nta_time_text(json_integer_value(json_object_get(e, "added_at")),
			    added, sizeof(added));
			nta_time_text(u, until, sizeof(until));
			left = u - now;
			printf("%-32s  %-8s  %-20s  %-20s  %7llds  ", nta_jstr(e, "zone"),
			    nta_jstr(e, "driver"), added, until,
			    (long long)json_integer_value(json_object_get(e, "lifetime")));
			if (left <= 0)
				printf("ended\n");
			else if (left < 3600)
				printf("%lldm\n", (left + 59) / 60);
			else
				printf("%lldh%02lldm\n", left / 3600, left % 3600 / 60);
		}
	}
	rc = CLI_OK;
out:
	json_decref(all);
	return rc;
}

int
cmd_nta(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)
		return cli_usage(usage_text, argc >= 2);
	if (strcmp(argv[1], "sync") == 0)
		return nta_cmd_sync(argc - 1, argv + 1);
	if (strcmp(argv[1], "watch") == 0)
		return nta_cmd_watch(argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return nta_cmd_list(argc - 1, argv + 1);
	cli_err("nta: unknown subcommand '%s' (sync, watch or list)", argv[1]);
	return CLI_ERR;
}
