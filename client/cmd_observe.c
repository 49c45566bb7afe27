/*
 * client/cmd_observe.c — ntactl observe: probe one zone once with the
 * relay's probe (lib/probe.c) and print the observation fields.
 *
 * Exit: 0 secure; 1 bogus, insecure or indeterminate (the state is
 * printed); 2 usage or error.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "client/cli.h"
#include "client/ntactl.h"
#include "client/relayc.h"
#include "proto/zone.h"
#include "lib/conf.h"
#include "lib/probe.h"

#define OBSERVE_TIMEOUT_MS 60000

static const char observe_usage[] =
    "usage: ntactl observe ZONE [--name NAME]... [--server ADDR[@PORT]]\n"
    "                           [--trust-anchor FILE] [--vantage NAME] [--json]\n"
    "                           [--publish [-c FILE]]\n"
    "\n"
    "Probe ZONE once with a validating libunbound resolver: SOA, DNSKEY and NS\n"
    "at the apex, DS at the parent, A for each --name, and a random\n"
    "non-existent name; then each authoritative server (the NS names'\n"
    "addresses) for its SOA serial. Prints the validation state, the validator's\n"
    "reason, the evidence from the unvalidated (+cd) data and, when bogus, the\n"
    "failure fingerprint.\n"
    "\n"
    "  --name NAME           also ask A for NAME: relative to ZONE (www, or @ for\n"
    "                        the apex) or absolute below it (www.example.com.);\n"
    "                        repeatable, at most 8, as in ntarelay.conf's watch\n"
    "  --server ADDR[@PORT]  forward all queries to this server (default:\n"
    "                        recursion from the root, not resolv.conf); the SOA\n"
    "                        serials are asked at PORT too (default 53)\n"
    "  --trust-anchor FILE   DS or DNSKEY lines (default: the root KSKs)\n"
    "  --vantage NAME        the vantage name in the observation (default probe)\n"
    "  --json                print the observation fields as JSON\n"
    "  --publish             also submit it through your relay, which signs\n"
    "                        and publishes it as its own observation\n"
    "  -c, --config FILE     the relay's ntarelay.conf, for --publish (default\n"
    "                        /etc/ntarelay/ntarelay.conf)\n"
    "\n"
    "Exit status: 0 secure, 1 bogus, insecure or indeterminate, 2 error\n"
    "(also when --publish could not submit the observation).\n";

struct observe_ctx {
	json_t *obs;
	int done;
};

static void
observe_done(void *arg, json_t *obs)
{
	struct observe_ctx *c = arg;

	c->obs = obs;
	c->done = 1;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
utc(long long t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, len, "%lld", t);
}

static void
print_tags(const char *label, json_t *a)
{
	size_t i;
	json_t *v;

	printf("%-14s", label);
	if (json_array_size(a) == 0)
		printf(" -");
	json_array_foreach(a, i, v)
		printf(" %lld", (long long)json_integer_value(v));
	printf("\n");
}

static void
print_summary(json_t *o)
{
	json_t *ev = json_object_get(o, "evidence"), *v;
	char buf[600];
	size_t i;
	long long now = (long long)time(NULL);

	cli_json_text(o, "zone", 254, buf, sizeof(buf));
	printf("zone          %s\n", buf);
	cli_json_text(o, "state", 32, buf, sizeof(buf));
	printf("state         %s\n", buf);
	cli_json_text(o, "reason", 512, buf, sizeof(buf));
	printf("reason        %s\n", buf[0] ? buf : "-");
	{
		char qn[300], qt[32];
		json_t *rc = json_object_get(o, "rcode");
		cli_json_text(o, "qname", 254, qn, sizeof(qn));
		cli_json_text(o, "qtype", 16, qt, sizeof(qt));
		if (json_is_integer(rc))
			printf("query         %s %s rcode %lld\n", qn, qt,
			    (long long)json_integer_value(rc));
		else
			printf("query         %s %s no response\n", qn, qt);
	}
	cli_json_text(o, "fingerprint", 64, buf, sizeof(buf));
	printf("fingerprint   %s\n", buf);
	cli_json_text(o, "validator", 64, buf, sizeof(buf));
	printf("validator     %s\n", buf);
	cli_json_text(ev, "dnskey_digest", 64, buf, sizeof(buf));
	printf("dnskey digest %s\n", buf);
	print_tags("dnskey tags", json_object_get(ev, "dnskey_tags"));
	cli_json_text(ev, "ds_digest", 64, buf, sizeof(buf));
	printf("ds digest     %s\n", buf);
	print_tags("ds tags", json_object_get(ev, "ds_tags"));
	json_array_foreach(json_object_get(ev, "soa_serials"), i, v) {
		char srv[80];
		cli_json_text(v, "server", 64, srv, sizeof(srv));
		printf("soa serial    %lld (%s)\n",
		    (long long)json_integer_value(json_object_get(v, "serial")), srv);
	}
	json_array_foreach(json_object_get(ev, "rrsigs"), i, v) {
		char own[300], ty[32], a[40], b[40];
		long long inc = json_integer_value(json_object_get(v, "inception"));
		long long exp = json_integer_value(json_object_get(v, "expiration"));
		cli_json_text(v, "owner", 254, own, sizeof(own));
		cli_json_text(v, "type", 16, ty, sizeof(ty));
		utc(inc, a, sizeof(a));
		utc(exp, b, sizeof(b));
		printf("rrsig         %s %s alg %lld tag %lld %s .. %s%s\n", own, ty,
		    (long long)json_integer_value(json_object_get(v, "alg")),
		    (long long)json_integer_value(json_object_get(v, "tag")), a, b,
		    exp < now ? " (expired)" : inc > now ? " (not yet valid)" : "");
	}
}

struct observe_opts {
	const char *server, *ta, *vantage, *config;
	bool publish, json;
	char zone[ZONE_TEXT_MAX + 1];
	char names[PROBE_NAMES_MAX][ZONE_TEXT_MAX + 1];
	const char *namev[PROBE_NAMES_MAX];
	size_t nnames;
};

/* The zone and the --name values, in protocol form, into o. */
static int
observe_names(const char *zone_arg, const char *const *name_arg,
    struct observe_opts *o)
{
	const char *why = NULL;

	if (zone_name_normalise(zone_arg, o->zone, &why) != 0) {
		cli_err("bad zone '%s': %s", zone_arg, why);
		return CLI_ERR;
	}
	for (size_t i = 0; i < o->nnames; i++) {
		if (conf_watch_name(o->zone, name_arg[i], o->names[i], &why) != 0) {
			cli_err("--name '%s': %s (names are relative to %s, or "
			    "absolute below it)", name_arg[i], why, o->zone);
			return CLI_ERR;
		}
		for (size_t k = 0; k < i; k++)
			if (strcmp(o->names[k], o->names[i]) == 0) {
				cli_err("--name: %s given twice", o->names[i]);
				return CLI_ERR;
			}
		o->namev[i] = o->names[i];
	}
	return -1;
}

/* The command line into o: -1 to go on, or the exit status. */
static int
observe_args(int argc, char **argv, struct observe_opts *o)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "server", required_argument, NULL, 's' },
		{ "trust-anchor", required_argument, NULL, 't' },
		{ "vantage", required_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'j' },
		{ "publish", no_argument, NULL, 'p' },
		{ "config", required_argument, NULL, 'c' },
		{ "relay", required_argument, NULL, 'r' },
		{ "token-file", required_argument, NULL, 'r' },
		{ "full-ids", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *name_arg[PROBE_NAMES_MAX];
	int ch, rc;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "n:s:t:v:jhpc:", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			if (o->nnames == PROBE_NAMES_MAX) {
				cli_err("--name: at most %d names", PROBE_NAMES_MAX);
				return CLI_ERR;
			}
			name_arg[o->nnames++] = optarg;
			break;
		case 'p': o->publish = true; break;
		case 'c': o->config = optarg; break;
		case 's': o->server = optarg; break;
		case 't': o->ta = optarg; break;
		case 'v': o->vantage = optarg; break;
		case 'j': o->json = true; break;
		case 'f': break;   /* the id it prints is in full anyway */
		case 'r':
			cli_err("observe: --publish goes through your own relay's "
			    "control socket (-c ntarelay.conf), not --relay");
			return CLI_ERR;
		case 'h': return cli_usage(observe_usage, 1);
		default: return cli_usage(observe_usage, 0);
		}
	}
	if (optind + 1 != argc)
		return cli_usage(observe_usage, 0);
	if ((rc = observe_names(argv[optind], name_arg, o)) >= 0)
		return rc;
	if (o->vantage != NULL && (strlen(o->vantage) == 0 ||
	    strlen(o->vantage) > 64)) {
		cli_err("--vantage must be 1-64 bytes");
		return CLI_ERR;
	}
	return -1;
}

/* Wait for p's observation into c, at most OBSERVE_TIMEOUT_MS. -1 when
 * it came, or the exit status (said). */
static int
observe_wait(struct probe *p, const char *zone, struct observe_ctx *c)
{
	long long deadline = now_ms() + OBSERVE_TIMEOUT_MS;

	while (!c->done) {
		struct pollfd pf[PROBE_FDS_MAX];
		int fds[PROBE_FDS_MAX], n = probe_fds(p, fds, PROBE_FDS_MAX);
		int wait = probe_timeout(p);
		long long left = deadline - now_ms();

		for (int i = 0; i < n; i++) {
			pf[i].fd = fds[i];
			pf[i].events = POLLIN;
			pf[i].revents = 0;
		}
		if (wait < 0 || wait > 1000)
			wait = 1000;
		if (left < wait)
			wait = left > 0 ? (int)left : 0;
		if (left <= 0) {
			cli_err("%s: no answer within %d s", zone, OBSERVE_TIMEOUT_MS / 1000);
			printf("state indeterminate\n");
			return CLI_NO;
		}
		if (poll(pf, (nfds_t)n, wait) < 0 && errno != EINTR) {
			cli_err("poll: %s", strerror(errno));
			return CLI_ERR;
		}
		probe_process(p);
	}
	return -1;
}

/* Probe o's zone: CLI_OK with *obs (the caller's), or the exit status. */
static int
observe_probe(const struct observe_opts *o, json_t **obs)
{
	struct observe_ctx c = { NULL, 0 };
	struct probe *p;
	char err[256];
	int rc;

	if ((p = probe_new(o->ta, o->server, err, sizeof(err))) == NULL) {
		cli_err("%s", err);
		return CLI_ERR;
	}
	probe_set_vantage(p, o->vantage);
	if (probe_zone(p, o->zone, o->namev, o->nnames, observe_done, &c) != 0) {
		cli_err("cannot start the queries for %s", o->zone);
		probe_free(p);
		return CLI_ERR;
	}
	rc = observe_wait(p, o->zone, &c);
	probe_free(p);
	if (rc >= 0)
		return rc;
	if (c.obs == NULL) {
		cli_err("out of memory");
		return CLI_ERR;
	}
	*obs = c.obs;
	return CLI_OK;
}

/* --publish: the relay of o->config signs obs and publishes it. */
static int
observe_publish(const struct observe_opts *o, json_t *obs)
{
	struct httpc_response r;
	struct relayc relay;
	json_t *ans;
	const char *id;

	if (relayc_resolve("observe", NULL, o->config, NULL, true, &relay) !=
	    CLI_OK || relayc_post("observe", &relay, "/v1/submit/observation",
	    obs, &r) != CLI_OK)
		return CLI_ERR;
	ans = json_loadb(r.body, r.len, 0, NULL);
	id = json_string_value(json_object_get(ans, "id"));
	fprintf(o->json ? stderr : stdout, "observation %s signed by the relay "
	    "and published\n", id ? id : "?");
	json_decref(ans);
	httpc_response_free(&r);
	return CLI_OK;
}

int
cmd_observe(int argc, char **argv)
{
	struct observe_opts o;
	json_t *obs = NULL;
	const char *state;
	int rc;

	if ((rc = observe_args(argc, argv, &o)) >= 0)
		return rc;
	if ((rc = observe_probe(&o, &obs)) != CLI_OK)
		return rc;
	if (o.json) {
		char *s = json_dumps(obs, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (s == NULL) {
			json_decref(obs);
			return CLI_ERR;
		}
		printf("%s\n", s);
		free(s);
	} else {
		print_summary(obs);
	}
	state = json_string_value(json_object_get(obs, "state"));
	rc = state != NULL && strcmp(state, "secure") == 0 ? CLI_OK : CLI_NO;
	if (o.publish && observe_publish(&o, obs) != CLI_OK)
		rc = CLI_ERR;
	json_decref(obs);
	return rc;
}
