/*
 * tests/tools/evgen.c — make signed events for tests and benchmarks.
 *
 *   evgen --key K.key --net NET [--origin ID] [--kind observation|assessment|
 *         heartbeat|withdraw|key_revoke|vouch] [--zone Z] [--count N]
 *         [--seq S] [--prev ID] [--ts T] [--lifetime SECONDS] [--note TEXT]
 *         [--state STATE] [--verdict V] [--target ID] [--subject ID]
 *         [--publish HOST:PORT [--topic-origin ID] [--resp REQUESTER]]
 *         [--rate N] [--vary-zone] [--zones K] [--log FILE]
 *   evgen --replay FILE --publish HOST:PORT
 *         publish "TOPIC ENVELOPE" lines (from --topics) as they are:
 *         a publisher that does no signing, for ceilings
 *
 * Events form a chain: the first gets seq S (default 1) and prev ID (or
 * null), each next one the previous one's id. Without --publish the
 * envelopes are printed one per line ("TOPIC ENVELOPE" with --topics).
 * Observations are bogus (one fingerprint per zone) unless --state says
 * secure, insecure or indeterminate; assessments say accident and
 * recommend an NTA unless --verdict names another verdict (then they
 * recommend none).
 * With --publish they are sent with QoS 1 to the broker, on their topic
 * (with --topic-origin, filed under another origin: a topic mismatch), and
 * evgen waits until the broker acknowledged every one. The last seq and id
 * go to stderr as "last SEQ ID", for the next call. --rate paces the
 * publications (events per second); --vary-zone gives event i the zone
 * "<i>.<zone>" (so that each has its own topic), --zones K the zone
 * "<i mod K>.<zone>" (K zones, events spread over them); --log writes
 * "UNIXTIME TOPIC" (nanoseconds) for every publication, for latency
 * measurements.
 * EVGEN_MQTT=3.1.1 in the environment makes it speak MQTT 3.1.1 rather
 * than v5 (a broker without v5: tests/integration/rabbitmq.sh).
 *
 * The other kinds, for attack tests: an assessment's --verdict (default
 * accident; recommend_nta only for accident and likely_accident); a
 * withdraw of --target; a key_revoke of --subject (default: the signing
 * key itself; exp null); a vouch for a fresh random root each time (the
 * junk of a non-member). --resp REQUESTER files each event under
 * bf/resp/REQUESTER/<event id>, as a backfill response.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <mosquitto.h>
#include <sodium.h>

#include "proto/encoding.h"
#include "proto/envelope.h"
#include "proto/event.h"
#include "proto/fingerprint.h"

static int acked, connected;

static void
on_publish(struct mosquitto *m, void *arg, int mid)
{
	(void)m;
	(void)arg;
	(void)mid;
	acked++;
}

static void
on_connect(struct mosquitto *m, void *arg, int rc)
{
	(void)m;
	(void)arg;
	connected = rc == 0 ? 1 : -1;
}

static const char *obs_state = "bogus", *verdict = "accident", *target, *subject;

/* A vouch for a fresh root: its id and base64 public key. */
static json_t *
fresh_vouch(void)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	unsigned char id[KEY_ID_LEN];
	char hex[KEY_ID_HEX_LEN + 1], b64[64];

	crypto_sign_keypair(pk, sk);
	sodium_memzero(sk, sizeof(sk));
	crypto_hash_sha256(id, pk, sizeof(pk));
	sodium_bin2base64(b64, sizeof(b64), pk, sizeof(pk),
	    sodium_base64_VARIANT_ORIGINAL);
	return json_pack("{s:s,s:s,s:[],s:n}", "subject",
	    encoding_hex_encode(id, KEY_ID_LEN, hex), "subject_key", b64, "zones",
	    "affiliation");
}

static json_t *
fields(const char *kind, const char *zone, long long i, const char *note)
{
	if (strcmp(kind, "assessment") == 0)
		return json_pack("{s:s,s:s,s:b,s:i,s:s}", "zone", zone, "verdict",
		    verdict, "recommend_nta", strcmp(verdict, "accident") == 0 ||
		    strcmp(verdict, "likely_accident") == 0, "lifetime", 3600, "note",
		    note);
	if (strcmp(kind, "withdraw") == 0 && target)
		return json_pack("{s:s,s:s}", "target", target, "note", note);
	if (strcmp(kind, "key_revoke") == 0 && subject)
		return json_pack("{s:s,s:s}", "subject", subject, "note", note);
	if (strcmp(kind, "vouch") == 0)
		return fresh_vouch();
	if (strcmp(kind, "heartbeat") == 0)
		return json_pack("{s:I,s:s}", "uptime", (json_int_t)i, "version", "evgen");
	if (strcmp(kind, "observation") == 0) {
		json_t *ev = json_pack("{s:s,s:[i],s:n,s:[],s:[{s:s,s:s,s:i,s:i,s:i,s:i}],s:[]}",
		    "dnskey_digest", "8f2c4e1a0b9d7c6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e",
		    "dnskey_tags", 26755, "ds_digest", "ds_tags", "rrsigs",
		    "owner", zone, "type", "SOA", "alg", 13, "tag", 33834,
		    "inception", 1790000000, "expiration", 1790600000, "soa_serials");
		unsigned char fp[FINGERPRINT_LEN];
		char hex[2 * FINGERPRINT_LEN + 1];
		if (strcmp(obs_state, "bogus") != 0) {
			/* nothing broken to compare: no signatures, no fingerprint */
			json_object_set_new(ev, "rrsigs", json_array());
			return json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:[],s:s,s:s,s:o,s:n}",
			    "zone", zone, "vantage", "evgen", "validator", "evgen",
			    "qname", zone, "qtype", "SOA", "rcode",
			    strcmp(obs_state, "indeterminate") == 0 ? json_null() :
			    json_integer(0), "ede", "state", obs_state, "reason", note,
			    "evidence", ev, "fingerprint");
		}
		fingerprint_compute(zone, ev, fp);
		return json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:[],s:s,s:s,s:o,s:s}",
		    "zone", zone, "vantage", "evgen", "validator", "evgen",
		    "qname", zone, "qtype", "SOA", "rcode", 2, "ede", "state", "bogus",
		    "reason", note, "evidence", ev, "fingerprint",
		    encoding_hex_encode(fp, sizeof(fp), hex));
	}
	return NULL;
}

/* The MQTT version to speak: v5 unless EVGEN_MQTT=3.1.1. */
static int
mqtt_version(void)
{
	const char *v = getenv("EVGEN_MQTT");

	return v && strcmp(v, "3.1.1") == 0 ? MQTT_PROTOCOL_V311 : MQTT_PROTOCOL_V5;
}

/* Publish every "TOPIC ENVELOPE" line of path, QoS 1, and wait for the
 * acknowledgements. */
static int
replay_file(const char *path, const char *publish)
{
	const char *colon = strrchr(publish, ':');
	struct mosquitto *m;
	char host[256], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int sent = 0;

	if (colon == NULL || (f = fopen(path, "r")) == NULL)
		return 2;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - publish), publish);
	mosquitto_lib_init();
	m = mosquitto_new(NULL, true, NULL);
	mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, mqtt_version());
	mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
	mosquitto_max_inflight_messages_set(m, 1000);
	mosquitto_publish_callback_set(m, on_publish);
	mosquitto_connect_callback_set(m, on_connect);
	if (mosquitto_connect(m, host, atoi(colon + 1), 30) != MOSQ_ERR_SUCCESS)
		return 2;
	while (connected == 0)
		if (mosquitto_loop(m, 100, 1) != MOSQ_ERR_SUCCESS)
			return 1;   /* the broker went away: not all acknowledged */
	while ((n = getline(&line, &cap, f)) > 0) {
		char *sp = strchr(line, ' ');
		if (sp == NULL)
			continue;
		*sp = '\0';
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		while (sent - acked >= 900)
			if (mosquitto_loop(m, 100, 1) != MOSQ_ERR_SUCCESS)
				return 1;
		if (mosquitto_publish(m, NULL, line, (int)strlen(sp + 1), sp + 1, 1,
		    false) != MOSQ_ERR_SUCCESS)
			return 1;
		sent++;
		mosquitto_loop(m, 0, 1);
	}
	while (acked < sent)
		if (mosquitto_loop(m, 1000, 1) != MOSQ_ERR_SUCCESS)
			break;
	free(line);
	fclose(f);
	mosquitto_disconnect(m);
	mosquitto_destroy(m);
	mosquitto_lib_cleanup();
	return acked < sent;
}

static void
usage(void)
{
	fputs("usage: evgen --key K.key --net NET [--origin ID] [--kind K] "
	    "[--zone Z] [--count N] [--seq S] [--prev ID] [--ts T] [--lifetime S] "
	    "[--note TEXT] [--topics] [--publish HOST:PORT] [--topic-origin ID]\n",
	    stderr);
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", 1, NULL, 'k' }, { "net", 1, NULL, 'n' }, { "origin", 1, NULL, 'o' },
		{ "kind", 1, NULL, 'K' }, { "zone", 1, NULL, 'z' }, { "count", 1, NULL, 'c' },
		{ "seq", 1, NULL, 's' }, { "prev", 1, NULL, 'p' }, { "ts", 1, NULL, 't' },
		{ "lifetime", 1, NULL, 'l' }, { "note", 1, NULL, 'N' },
		{ "publish", 1, NULL, 'P' }, { "topic-origin", 1, NULL, 'T' },
		{ "topics", 0, NULL, 'S' }, { "rate", 1, NULL, 'r' },
		{ "vary-zone", 0, NULL, 'V' }, { "zones", 1, NULL, 'Z' }, { "log", 1, NULL, 'L' },
		{ "replay", 1, NULL, 'R' }, { "verdict", 1, NULL, 'v' },
		{ "target", 1, NULL, 'g' }, { "subject", 1, NULL, 'j' },
		{ "resp", 1, NULL, 'q' }, { "state", 1, NULL, 'X' },
		{ NULL, 0, NULL, 0 },
	};
	const char *keyf = NULL, *net = NULL, *origin = NULL, *kind = "observation";
	const char *zone = "example.", *prev = NULL, *publish = NULL, *torigin = NULL;
	const char *note = "evgen", *replay = NULL, *resp = NULL;
	long long count = 1, seq = 1, ts = 0, lifetime = 1800;
	char reason[PROTO_REASON_MAX], keyhex[KEY_ID_HEX_LEN + 1];
	char prevhex[KEY_ID_HEX_LEN + 1] = "", host[256];
	struct key_secret *sk;
	struct mosquitto *m = NULL;
	bool topics = false, vary = false;
	long long nzones = 0;
	int c, port = 0, sent = 0;
	double rate = 0;
	FILE *logf = NULL;
	struct timespec t0;
	char zbuf[300];

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k': keyf = optarg; break;
		case 'n': net = optarg; break;
		case 'o': origin = optarg; break;
		case 'K': kind = optarg; break;
		case 'z': zone = optarg; break;
		case 'c': count = atoll(optarg); break;
		case 's': seq = atoll(optarg); break;
		case 'p': prev = optarg; break;
		case 't': ts = atoll(optarg); break;
		case 'l': lifetime = atoll(optarg); break;
		case 'N': note = optarg; break;
		case 'P': publish = optarg; break;
		case 'T': torigin = optarg; break;
		case 'S': topics = true; break;
		case 'r': rate = atof(optarg); break;
		case 'V': vary = true; break;
		case 'Z': vary = true; nzones = atoll(optarg); break;
		case 'R': replay = optarg; break;
		case 'X': obs_state = optarg; break;
		case 'v': verdict = optarg; break;
		case 'g': target = optarg; break;
		case 'j': subject = optarg; break;
		case 'q': resp = optarg; break;
		case 'L':
			if ((logf = fopen(optarg, "w")) == NULL) {
				perror(optarg);
				return 2;
			}
			break;
		default: usage();
		}
	}
	if (replay) {
		if (publish == NULL)
			usage();
		return replay_file(replay, publish);
	}
	if (keyf == NULL || net == NULL || sodium_init() < 0)
		usage();
	if (key_secret_load(keyf, &sk, reason) != PROTO_OK) {
		fprintf(stderr, "evgen: %s\n", reason);
		return 2;
	}
	encoding_hex_encode(key_secret_public(sk)->id, KEY_ID_LEN, keyhex);
	if (origin == NULL)
		origin = keyhex;
	if (subject == NULL)
		subject = keyhex;   /* a key_revoke: the key revokes itself */
	if (prev)
		snprintf(prevhex, sizeof(prevhex), "%s", prev);
	if (publish) {
		const char *colon = strrchr(publish, ':');
		if (colon == NULL)
			usage();
		snprintf(host, sizeof(host), "%.*s", (int)(colon - publish), publish);
		port = atoi(colon + 1);
		mosquitto_lib_init();
		m = mosquitto_new(NULL, true, NULL);
		mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, mqtt_version());
		mosquitto_max_inflight_messages_set(m, 1000);
		mosquitto_publish_callback_set(m, on_publish);
		mosquitto_connect_callback_set(m, on_connect);
		if (mosquitto_connect(m, host, port, 30) != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "evgen: cannot connect to %s\n", publish);
			return 2;
		}
		while (connected == 0)
			mosquitto_loop(m, 100, 1);
		if (connected < 0) {
			fprintf(stderr, "evgen: connection refused by %s\n", publish);
			return 2;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long long i = 0; i < count; i++, seq++) {
		long long now = ts ? ts : (long long)time(NULL);
		const char *zone_i = zone;
		json_t *p = json_pack("{s:i,s:s,s:s,s:s,s:s,s:I,s:o,s:I,s:o,s:[]}",
		    "v", 1, "net", net, "kind", kind, "origin", origin, "key", keyhex,
		    "seq", (json_int_t)seq, "prev", prevhex[0] ? json_string(prevhex) :
		    json_null(), "ts", (json_int_t)now, "exp",
		    strcmp(kind, "key_revoke") == 0 ? json_null() :
		    json_integer(now + lifetime), "refs");
		json_t *f;

		if (vary) {
			snprintf(zbuf, sizeof(zbuf), "%lld.%s", nzones > 0 ? i % nzones :
			    i, zone);
			zone_i = zbuf;
		}
		f = fields(kind, zone_i, i, note);
		struct envelope *env;
		char *text, *json, topic[512];
		size_t jlen;

		if (f == NULL) {
			fprintf(stderr, "evgen: unknown kind %s\n", kind);
			return 2;
		}
		json_object_update(p, f);
		json_decref(f);
		text = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(p);
		if (envelope_sign(kind_payload_type(kind_from_name(kind)),
		    (unsigned char *)text, strlen(text), sk, &json, &jlen, &env,
		    reason) != PROTO_OK) {
			fprintf(stderr, "evgen: %s\n", reason);
			return 1;
		}
		char idhex[KEY_ID_HEX_LEN + 1];
		envelope_id_hex(env, idhex);
		if (resp)
			snprintf(topic, sizeof(topic), "ntarelay/v1/%s/bf/resp/%s/%s",
			    net, resp, idhex);
		else if (strcmp(kind, "heartbeat") == 0)
			snprintf(topic, sizeof(topic), "ntarelay/v1/%s/hb/%s/%s", net,
			    torigin ? torigin : origin, keyhex);
		else if (strcmp(kind, "key_revoke") == 0 || strcmp(kind, "vouch") == 0)
			snprintf(topic, sizeof(topic), "ntarelay/v1/%s/trust/%s/%s", net,
			    torigin ? torigin : origin, idhex);
		else if (strcmp(kind, "withdraw") == 0)
			snprintf(topic, sizeof(topic), "ntarelay/v1/%s/wd/%s/%s", net,
			    torigin ? torigin : origin, idhex);
		else
			snprintf(topic, sizeof(topic), "ntarelay/v1/%s/%s/%s/%s", net,
			    strcmp(kind, "observation") == 0 ? "obs" : "asm", zone_i,
			    torigin ? torigin : origin);
		if (m && rate > 0) {
			/* pace: event i leaves at t0 + i / rate */
			struct timespec now_ts;
			double due = (double)i / rate, el;
			for (;;) {
				clock_gettime(CLOCK_MONOTONIC, &now_ts);
				el = (double)(now_ts.tv_sec - t0.tv_sec) +
				    (double)(now_ts.tv_nsec - t0.tv_nsec) / 1e9;
				if (el >= due)
					break;
				mosquitto_loop(m, (int)((due - el) * 1000) > 0 ?
				    (int)((due - el) * 1000) : 0, 1);
			}
		}
		if (m) {
			while (sent - acked >= 900)
				mosquitto_loop(m, 100, 1);
			if (logf) {
				struct timespec rt;
				clock_gettime(CLOCK_REALTIME, &rt);
				fprintf(logf, "%lld.%09ld %s\n", (long long)rt.tv_sec,
				    rt.tv_nsec, topic);
			}
			bool retain = resp == NULL && strcmp(kind, "observation") != 0;
			if (mosquitto_publish(m, NULL, topic, (int)jlen, json, 1,
			    retain) != MOSQ_ERR_SUCCESS) {
				fprintf(stderr, "evgen: publish failed\n");
				return 1;
			}
			sent++;
			mosquitto_loop(m, 0, 1);
		} else if (topics)
			printf("%s %s\n", topic, json);
		else
			printf("%s\n", json);
		envelope_id_hex(env, prevhex);
		envelope_free(env);
		free(json);
		free(text);
	}
	if (m) {
		while (acked < sent)
			if (mosquitto_loop(m, 1000, 1) != MOSQ_ERR_SUCCESS)
				break;
		mosquitto_disconnect(m);
		mosquitto_destroy(m);
		mosquitto_lib_cleanup();
	}
	if (logf)
		fclose(logf);
	fprintf(stderr, "last %lld %s\n", seq - 1, prevhex);
	key_secret_free(sk);
	return acked < sent ? 1 : 0;
}
