/*
 * tests/vectors/mkvectors.c — writes the protocol test vectors.
 *
 * Every case is built from fixed seeds and fixed times, so running this
 * again reproduces the committed files byte for byte (`make vectors`). The
 * expected result of each case is stated here, by intent; the unit test
 * (tests/unit/test_vectors.c) checks the library against it, and
 * tests/integration/ntactl.sh recomputes ids with sha256sum.
 *
 * Usage: mkvectors OUTDIR   (writes OUTDIR/<NNN-name>/{envelope.json,expect}
 *                            and OUTDIR/../keys/<name>.pub)
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <sodium.h>

#include "proto/encoding.h"
#include "proto/envelope.h"
#include "proto/fingerprint.h"
#include "proto/kind.h"

#define NOW 1790000000LL /* 2026-09-21T12:53:20Z */
#define NET "example"

static const char *outdir;
static int ncase;

enum { K_ALICE_ROOT, K_ALICE_RELAY, K_BOB_ROOT, K_BOB_RELAY, K_ZONEOP_ROOT,
	K_CAROL_UNKNOWN, K__COUNT };
static const char *key_names[K__COUNT] = { "alice-root", "alice-relay",
	"bob-root", "bob-relay", "zoneop-root", "carol-unpublished" };
static struct key_secret *keys[K__COUNT];
static char key_ids[K__COUNT][KEY_ID_HEX_LEN + 1];

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("mkvectors: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static void
write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		die("%s: %s", path, strerror(errno));
}

static void
make_keys(const char *keydir)
{
	unsigned char seed[KEY_SEED_LEN];
	char path[2048], line[256];

	mkdir(keydir, 0755);
	for (int i = 0; i < K__COUNT; i++) {
		/* seed = SHA-256("ntarelay test vector key " name): reproducible,
		 * documented, and obviously not for production. */
		char label[128];
		snprintf(label, sizeof(label), "ntarelay test vector key %s", key_names[i]);
		crypto_hash_sha256(seed, (unsigned char *)label, strlen(label));
		keys[i] = key_secret_from_seed(seed, key_names[i],
		    strstr(key_names[i], "root") != NULL);
		if (keys[i] == NULL)
			die("key");
		encoding_hex_encode(key_secret_public(keys[i])->id, KEY_ID_LEN, key_ids[i]);
		if (i == K_CAROL_UNKNOWN)
			continue; /* deliberately not published */
		key_public_format(key_secret_public(keys[i]), line, sizeof(line));
		snprintf(path, sizeof(path), "%s/%s.pub", keydir, key_names[i]);
		write_file(path, line, strlen(line));
	}
}

/* A payload header in the canonical member order. */
static json_t *
header(enum kind k, int signer, int origin, long long seq, const char *prev,
    long long ts, long long exp)
{
	json_t *o = json_object();

	json_object_set_new(o, "v", json_integer(1));
	json_object_set_new(o, "net", json_string(NET));
	json_object_set_new(o, "kind", json_string(kind_name(k)));
	json_object_set_new(o, "origin", json_string(key_ids[origin]));
	json_object_set_new(o, "key", json_string(key_ids[signer]));
	json_object_set_new(o, "seq", json_integer(seq));
	json_object_set_new(o, "prev", prev ? json_string(prev) : json_null());
	json_object_set_new(o, "ts", json_integer(ts));
	json_object_set_new(o, "exp", exp ? json_integer(exp) : json_null());
	json_object_set_new(o, "refs", json_array());
	return o;
}

static const char PREV[] =
    "5d41402abc4b2a76b9719d911017c592ae3a6a3b4c5d6e7f8091a2b3c4d5e6f7";
static const char OTHER_ID[] =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/* expect lines for a chain whose head is seq - 1 with id PREV. */
static const char *
after(long long head)
{
	static char buf[8][256];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "chain_head_seq %lld\nchain_head_id %s\n",
	    head, PREV);
	return buf[i];
}

static json_t *
evidence(void)
{
	return json_pack("{s:s,s:[i,i],s:s,s:[i],s:[{s:s,s:s,s:i,s:i,s:i,s:i},"
	    "{s:s,s:s,s:i,s:i,s:i,s:i}],s:[{s:s,s:i}]}",
	    "dnskey_digest", "8f2c4e1a0b9d7c6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e",
	    "dnskey_tags", 26755, 33834,
	    "ds_digest", "1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f00f",
	    "ds_tags", 26755,
	    "rrsigs",
	    "owner", "de.", "type", "SOA", "alg", 8, "tag", 33834,
	    "inception", 1789900000, "expiration", 1791100000,
	    "owner", "nic.de.", "type", "A", "alg", 8, "tag", 33834,
	    "inception", 1789900000, "expiration", 1791100000,
	    "soa_serials", "server", "a.nic.de", "serial", 2026092101);
}

static json_t *
observation(long long seq, const char *prev)
{
	json_t *o = header(KIND_OBSERVATION, K_ALICE_RELAY, K_ALICE_ROOT, seq,
	    prev, NOW - 10, NOW + 1800);
	json_t *ev = evidence();
	unsigned char fp[FINGERPRINT_LEN];
	char fphex[2 * FINGERPRINT_LEN + 1];

	json_object_set_new(o, "zone", json_string("de."));
	json_object_set_new(o, "vantage", json_string("alice-fra1"));
	json_object_set_new(o, "validator", json_string("libunbound 1.17.1"));
	json_object_set_new(o, "qname", json_string("de."));
	json_object_set_new(o, "qtype", json_string("SOA"));
	json_object_set_new(o, "rcode", json_integer(2));
	json_object_set_new(o, "ede", json_pack("[i]", 9));
	json_object_set_new(o, "state", json_string("bogus"));
	json_object_set_new(o, "reason", json_string(
	    "validation failure <de. SOA IN>: signatures from unknown keys"));
	json_object_set_new(o, "evidence", ev);
	fingerprint_compute("de.", ev, fp);
	json_object_set_new(o, "fingerprint",
	    json_string(encoding_hex_encode(fp, sizeof(fp), fphex)));
	return o;
}

static json_t *
assessment(int signer, int origin)
{
	json_t *o = header(KIND_ASSESSMENT, signer, origin, 4, PREV, NOW - 60,
	    NOW + 3 * 3600);
	json_object_set_new(o, "zone", json_string("de."));
	json_object_set_new(o, "verdict", json_string("accident"));
	json_object_set_new(o, "recommend_nta", json_true());
	json_object_set_new(o, "lifetime", json_integer(6 * 3600));
	json_object_set_new(o, "note", json_string("signer bug: unpublished ZSK with tag 33834"));
	return o;
}

static char *
dump(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (s == NULL)
		die("json_dumps");
	json_decref(o);
	return s;
}

static char *
sign_text(const char *type, const char *payload, size_t plen, int signer)
{
	char reason[PROTO_REASON_MAX], *json;
	size_t jlen;

	if (envelope_sign(type, (const unsigned char *)payload, plen,
	    keys[signer], &json, &jlen, NULL, reason) != PROTO_OK)
		die("sign: %s", reason);
	return json;
}

/* Sign a payload object under its kind's type (or type, if given). */
static char *
sign_obj(json_t *o, const char *type, int signer)
{
	const char *kind = json_string_value(json_object_get(o, "kind"));
	char *p, *env;

	if (type == NULL)
		type = kind_payload_type(kind_from_name(kind ? kind : ""));
	p = dump(o);
	env = sign_text(type, p, strlen(p), signer);
	free(p);
	return env;
}

/*
 * Write one case. expect is "key value" lines (without description and
 * id); result is "accept", "seq_gap" or an error name.
 */
static void
emit(const char *name, const char *description, const char *env, size_t envlen,
    const char *result, const char *extra)
{
	char dir[1024], path[1100], idhex[KEY_ID_HEX_LEN + 1], reason[PROTO_REASON_MAX];
	struct envelope *e = NULL;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/%03d-%s", outdir, ++ncase, name);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		die("%s: %s", dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/envelope.json", dir);
	write_file(path, env, envlen);
	snprintf(path, sizeof(path), "%s/expect", dir);
	if ((f = fopen(path, "w")) == NULL)
		die("%s: %s", path, strerror(errno));
	fprintf(f, "description %s\n", description);
	fprintf(f, "now %lld\n", NOW);
	if (extra)
		fputs(extra, f);
	fprintf(f, "result %s\n", result);
	if (envelope_parse(env, envlen, &e, reason) == PROTO_OK)
		fprintf(f, "id %s\n", envelope_id_hex(e, idhex));
	envelope_free(e);
	if (fclose(f) != 0)
		die("%s: %s", path, strerror(errno));
}

static void
emit_s(const char *name, const char *description, char *env, const char *result,
    const char *extra)
{
	emit(name, description, env, strlen(env), result, extra);
	free(env);
}

/* Replace the first occurrence of from by to in s (new string). */
static char *
replace(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	size_t n;
	char *r;

	if (p == NULL)
		die("replace: '%s' not found", from);
	n = strlen(s) - strlen(from) + strlen(to);
	if ((r = malloc(n + 1)) == NULL)
		die("nomem");
	memcpy(r, s, (size_t)(p - s));
	strcpy(r + (p - s), to);
	strcat(r, p + strlen(from));
	return r;
}

/* The base64 text of an envelope's payload member (new). */
static char *
payload_b64(const char *env)
{
	const char *p = strstr(env, "\"payload\":\"") + 11, *q = strchr(p, '"');
	return strndup(p, (size_t)(q - p));
}

static char *
with_sub(char *env, const char *from, const char *to)
{
	char *r = replace(env, from, to);
	free(env);
	return r;
}

static void
valid_cases(void)
{
	char extra[512], *env, *b64, *url;
	json_t *o;

	emit_s("observation-valid", "a bogus observation of de. with evidence and its fingerprint",
	    sign_obj(observation(5, PREV), NULL, K_ALICE_RELAY), "accept", after(4));
	emit_s("assessment-valid", "an accident assessment recommending an NTA",
	    sign_obj(assessment(K_ALICE_RELAY, K_ALICE_ROOT), NULL, K_ALICE_RELAY),
	    "accept", after(3));

	o = header(KIND_ZONE_STATEMENT, K_ZONEOP_ROOT, K_ZONEOP_ROOT, 2, PREV,
	    NOW - 30, NOW + 12 * 3600);
	json_object_set_new(o, "zone", json_string("de."));
	json_object_set_new(o, "status", json_string("accident_confirmed"));
	json_object_set_new(o, "note", json_string("ZSK rollover fault in our signer; fix under way"));
	emit_s("zone-statement-valid", "the zone operator confirms an accident",
	    sign_obj(o, NULL, K_ZONEOP_ROOT), "accept", after(1));

	o = header(KIND_WITHDRAW, K_ALICE_RELAY, K_ALICE_ROOT, 6, PREV, NOW - 5,
	    NOW + 86400);
	json_object_set_new(o, "target", json_string(OTHER_ID));
	json_object_set_new(o, "note", json_string("assessment was premature"));
	emit_s("withdraw-valid", "an origin withdraws one of its events",
	    sign_obj(o, NULL, K_ALICE_RELAY), "accept", after(5));

	o = header(KIND_VOUCH, K_ALICE_ROOT, K_ALICE_ROOT, 1, NULL, NOW - 100,
	    NOW + 60 * 86400);
	{
		char pk[ENCODING_B64_LEN(KEY_PUBLIC_LEN)];
		encoding_b64_encode(key_secret_public(keys[K_ZONEOP_ROOT])->pk,
		    KEY_PUBLIC_LEN, pk);
		json_object_set_new(o, "subject", json_string(key_ids[K_ZONEOP_ROOT]));
		json_object_set_new(o, "subject_key", json_string(pk));
		json_object_set_new(o, "subject_name", json_string("zoneop-root"));
		json_object_set_new(o, "zones", json_pack("[s]", "de."));
		json_object_set_new(o, "affiliation", json_null());
		emit_s("vouch-valid", "alice's root vouches for the zone operator of de.",
		    sign_obj(o, NULL, K_ALICE_ROOT), "accept", NULL);

		o = header(KIND_KEY_CERT, K_ALICE_ROOT, K_ALICE_ROOT, 2, PREV,
		    NOW - 100, NOW + 90 * 86400);
		encoding_b64_encode(key_secret_public(keys[K_ALICE_RELAY])->pk,
		    KEY_PUBLIC_LEN, pk);
		json_object_set_new(o, "subject", json_string(key_ids[K_ALICE_RELAY]));
		json_object_set_new(o, "subject_key", json_string(pk));
		json_object_set_new(o, "subject_name", json_string("alice-relay"));
		json_object_set_new(o, "not_before", json_integer(NOW - 100));
		json_object_set_new(o, "not_after", json_integer(NOW + 90 * 86400));
		emit_s("key-cert-valid", "alice's root certifies her relay key for 90 days",
		    sign_obj(o, NULL, K_ALICE_ROOT), "accept", after(1));

		/* An unvouch. */
		o = header(KIND_UNVOUCH, K_BOB_ROOT, K_BOB_ROOT, 3, PREV, NOW - 10,
		    NOW - 10 + 90 * 86400);
		json_object_set_new(o, "subject", json_string(key_ids[K_ZONEOP_ROOT]));
		emit_s("unvouch-valid", "bob's root withdraws a vouch",
		    sign_obj(o, NULL, K_BOB_ROOT), "accept", after(2));
	}

	o = header(KIND_KEY_REVOKE, K_BOB_RELAY, K_BOB_ROOT, 9, PREV, NOW - 1, 0);
	json_object_set_new(o, "subject", json_string(key_ids[K_BOB_RELAY]));
	json_object_set_new(o, "note", json_string("relay host compromised"));
	emit_s("key-revoke-valid", "a relay key revokes itself; never expires",
	    sign_obj(o, NULL, K_BOB_RELAY), "accept", after(8));

	o = header(KIND_HEARTBEAT, K_BOB_RELAY, K_BOB_ROOT, 8, PREV, NOW - 2,
	    NOW + 178);
	json_object_set_new(o, "uptime", json_integer(86400));
	json_object_set_new(o, "version", json_string("ntarelay 0.1.0"));
	emit_s("heartbeat-valid", "a heartbeat carrying the chain head",
	    sign_obj(o, NULL, K_BOB_RELAY), "accept", after(7));

	o = header(KIND_DECISION, K_BOB_RELAY, K_BOB_ROOT, 10, PREV, NOW - 1,
	    NOW + 6 * 3600);
	json_object_set_new(o, "zone", json_string("de."));
	json_object_set_new(o, "state", json_string("nta_recommended"));
	json_object_set_new(o, "since", json_integer(NOW - 1));
	json_object_set_new(o, "lifetime", json_integer(6 * 3600));
	json_object_set_new(o, "operators", json_pack("[{s:s,s:[s]},{s:s,s:[s]}]",
	    "origin", key_ids[K_ALICE_ROOT], "events", OTHER_ID,
	    "origin", key_ids[K_BOB_ROOT], "events", PREV));
	json_object_set_new(o, "fingerprints", json_pack("[s]", OTHER_ID));
	json_object_set_new(o, "veto", json_null());
	emit_s("decision-valid", "a relay's signed quorum decision",
	    sign_obj(o, NULL, K_BOB_RELAY), "accept", after(9));

	/* Encodings: URL-safe, unpadded: the same event id as standard. */
	env = sign_obj(observation(5, PREV), NULL, K_ALICE_RELAY);
	b64 = payload_b64(env);
	url = strdup(b64);
	for (char *c = url; *c; c++)
		*c = *c == '+' ? '-' : *c == '/' ? '_' : *c;
	while (strlen(url) && url[strlen(url) - 1] == '=')
		url[strlen(url) - 1] = '\0';
	env = with_sub(env, b64, url);
	emit_s("base64-urlsafe-unpadded",
	    "payload in URL-safe base64 without padding: same id as standard",
	    env, "accept", after(4));
	free(b64);
	free(url);

	o = assessment(K_ALICE_RELAY, K_ALICE_ROOT);
	json_object_set_new(o, "x_ticket", json_string("INC-2026-0512"));
	emit_s("extension-field", "an x_ member is signed, ignored and accepted",
	    sign_obj(o, NULL, K_ALICE_RELAY), "accept", after(3));

	/* DSSE's own PAE example, as a raw (non-ntarelay) payload. */
	env = sign_text("http://example.com/HelloWorld", "hello world", 11, K_ALICE_ROOT);
	emit_s("dsse-pae-example",
	    "DSSE spec example: PAE = \"DSSEv1 29 http://example.com/HelloWorld 11 hello world\"",
	    env, "accept", "raw yes\n");

	snprintf(extra, sizeof(extra), "chain_head_seq 4\nchain_head_id %s\n", PREV);
	emit_s("chain-next", "seq follows the head and prev is the head's id",
	    sign_obj(observation(5, PREV), NULL, K_ALICE_RELAY), "accept", extra);
	snprintf(extra, sizeof(extra), "chain_head_seq 2\nchain_head_id %s\n", OTHER_ID);
	emit_s("chain-gap", "seq jumps from 2 to 5: accepted, gap noted",
	    sign_obj(observation(5, PREV), NULL, K_ALICE_RELAY), "seq_gap", extra);
	snprintf(extra, sizeof(extra), "chain_head_seq 9\nchain_head_id %s\ngap yes\n", OTHER_ID);
	emit_s("chain-gap-fill", "seq 5 below the head, in a recorded gap: accepted",
	    sign_obj(observation(5, PREV), NULL, K_ALICE_RELAY), "accept", extra);
}

static void
envelope_cases(void)
{
	char *env, *big, *b64, *bad;
	size_t n;

	/* too_large: a valid envelope padded with whitespace past 64 KiB. */
	env = sign_obj(assessment(K_ALICE_RELAY, K_ALICE_ROOT), NULL, K_ALICE_RELAY);
	n = strlen(env);
	big = malloc(ENVELOPE_MAX + 100);
	memcpy(big, env, n - 1);
	memset(big + n - 1, ' ', ENVELOPE_MAX + 10 - n);
	big[ENVELOPE_MAX + 9] = '}';
	emit("too-large", "a valid envelope padded with spaces to 65546 bytes",
	    big, ENVELOPE_MAX + 10, "too_large", NULL);
	free(big);

	big = strndup(env, n - 20);
	emit_s("truncated", "envelope JSON cut short", big, "malformed_json", NULL);
	emit("not-an-object", "envelope is a JSON array", "[1,2,3]", 7,
	    "malformed_json", NULL);

	emit_s("duplicate-member", "envelope repeats payloadType",
	    replace(env, "\"payloadType\":", "\"payloadType\":\"x\",\"payloadType\":"),
	    "duplicate_key", NULL);
	emit_s("unknown-envelope-member", "envelope has a member DSSE v1 here does not define",
	    replace(env, "{\"payload\":", "{\"comment\":\"hi\",\"payload\":"),
	    "bad_envelope", NULL);
	emit_s("missing-payload-type", "envelope without payloadType",
	    replace(env, "\"payloadType\":\"application/vnd.ntarelay.assessment.v1+json\",", ""),
	    "bad_envelope", NULL);
	b64 = payload_b64(env);
	bad = strdup(b64);
	bad[10] = '!';
	emit_s("payload-not-base64", "payload contains a character outside base64",
	    replace(env, b64, bad), "bad_base64", NULL);
	bad[10] = '-';
	bad[11] = '+';
	emit_s("base64-mixed-alphabets", "payload mixes URL-safe and standard alphabets",
	    replace(env, b64, bad), "bad_base64", NULL);
	free(bad);
	emit_s("no-signature", "signatures is an empty array",
	    replace(env, strstr(env, "[{\"keyid\""), "[]}"), "signature_count", NULL);
	{
		const char *s = strstr(env, "{\"keyid\"");
		char *two = malloc(strlen(env) * 2);
		size_t pre = (size_t)(s - env), siglen = strlen(s) - 2; /* without ]} */
		memcpy(two, env, pre);
		memcpy(two + pre, s, siglen);
		two[pre + siglen] = ',';
		memcpy(two + pre + siglen + 1, s, strlen(s) + 1);
		emit_s("two-signatures", "the same signature twice: exactly one is required",
		    two, "signature_count", NULL);
	}
	{
		char up[KEY_ID_HEX_LEN + 1];
		strcpy(up, key_ids[K_ALICE_RELAY]);
		for (char *c = up; *c; c++)
			if (*c >= 'a' && *c <= 'f')
				*c = (char)(*c - 32);
		emit_s("keyid-uppercase", "keyid in uppercase hex", replace(env,
		    key_ids[K_ALICE_RELAY], up), "bad_keyid", NULL);
	}
	emit_s("unknown-key", "signed by a key the verifier does not know",
	    sign_obj(assessment(K_CAROL_UNKNOWN, K_CAROL_UNKNOWN), NULL, K_CAROL_UNKNOWN),
	    "unknown_key", NULL);
	{
		/* Flip one bit of the payload, keep the signature. */
		unsigned char raw[4096];
		size_t rl;
		char *nb64 = malloc(8192);
		encoding_b64_decode(b64, strlen(b64), raw, sizeof(raw), &rl);
		raw[rl / 2] ^= 0x01;
		encoding_b64_encode(raw, rl, nb64);
		emit_s("payload-altered", "one bit of the signed payload flipped",
		    replace(env, b64, nb64), "bad_signature", NULL);
		free(nb64);
	}
	{
		const char *s = strstr(env, "\"sig\":\"") + 7;
		char *alt = strdup(env);
		alt[s - env + 5] = alt[s - env + 5] == 'A' ? 'B' : 'A';
		emit_s("signature-altered", "one base64 character of the signature changed",
		    alt, "bad_signature", NULL);
	}
	emit_s("type-swapped", "payloadType changed after signing (PAE covers it)",
	    replace(env, "ntarelay.assessment.", "ntarelay.observation."),
	    "bad_signature", NULL);
	free(b64);
	free(env);
}

static void
payload_cases(void)
{
	char extra[512];
	json_t *o;
	const char *asm_type = kind_payload_type(KIND_ASSESSMENT);

	emit_s("foreign-payload-type", "a validly signed envelope of another type",
	    sign_text("text/plain", "hello", 5, K_ALICE_RELAY), "bad_payload_type", NULL);
	emit_s("payload-not-json", "payload is not JSON",
	    sign_text(asm_type, "not json", 8, K_ALICE_RELAY), "malformed_payload", NULL);
	{
		const char *p = "{\"v\":1,\"v\":1}";
		emit_s("payload-duplicate-member", "payload repeats a member",
		    sign_text(asm_type, p, strlen(p), K_ALICE_RELAY), "duplicate_key", NULL);
	}
	emit_s("type-mismatch", "payloadType says observation, payload says assessment",
	    sign_obj(assessment(K_ALICE_RELAY, K_ALICE_ROOT),
	    kind_payload_type(KIND_OBSERVATION), K_ALICE_RELAY), "type_mismatch", NULL);

	o = assessment(K_ALICE_RELAY, K_ALICE_ROOT);
	json_object_set_new(o, "v", json_integer(2));
	emit_s("version-2", "payload version 2", sign_obj(o, NULL, K_ALICE_RELAY),
	    "unsupported_version", NULL);

	o = assessment(K_ALICE_RELAY, K_ALICE_ROOT);
	json_object_set_new(o, "kind", json_string("gossip"));
	emit_s("unknown-kind", "kind gossip is not a v1 kind",
	    sign_obj(o, asm_type, K_ALICE_RELAY), "unknown_kind", NULL);

	o = assessment(K_ALICE_RELAY, K_ALICE_ROOT);
	json_object_del(o, "verdict");
	emit_s("missing-verdict", "assessment without verdict",
	    sign_obj(o, NULL, K_ALICE_RELAY), "missing_field", NULL);

	o = assessment(K_ALICE_RELAY, K_ALICE_ROOT);
	json_object_set_new(o, "seq", json_string("4"));
	emit_s("seq-string", "seq given as a string", sign_obj(o, NULL, K_ALICE_RELAY),
	    "field_type", NULL);

	o = assessment(K_ALICE_RELAY, K_ALICE_ROOT);
	json_object_set_new(o, "ts", json_real((double)(NOW - 60)));
	emit_s("ts-real", "ts given as a real number: integers only",
	    sign_obj(o, NULL, K_ALICE_RELAY), "field_type", NULL);

	o = assessment(K_ALICE_RELAY, K_ALICE_ROOT);
	json_object_set_new(o, "verdict", json_string("maybe"));
	emit_s("verdict-unknown", "verdict outside its enumeration",
	    sign_obj(o, NULL, K_ALICE_RELAY), "field_value", NULL);

	o = assessment(K_ALICE_RELAY, K_ALICE_ROOT);
	json_object_set_new(o, "verdict", json_string("unknown"));
	emit_s("nta-without-accident", "recommend_nta true with verdict unknown",
	    sign_obj(o, NULL, K_ALICE_RELAY), "field_value", NULL);

	o = assessment(K_ALICE_RELAY, K_ALICE_ROOT);
	json_object_set_new(o, "lifetime", json_integer(8 * 86400));
	emit_s("nta-lifetime-8d", "NTA lifetime of 8 days (RFC 7646: at most 7)",
	    sign_obj(o, NULL, K_ALICE_RELAY), "field_value", NULL);

	o = assessment(K_ALICE_RELAY, K_ALICE_ROOT);
	json_object_set_new(o, "color", json_string("red"));
	emit_s("unknown-field", "an undefined top-level member",
	    sign_obj(o, NULL, K_ALICE_RELAY), "unknown_field", NULL);

	o = observation(5, PREV);
	json_object_set_new(json_object_get(o, "evidence"), "nsec3_salt", json_string("ab"));
	emit_s("unknown-nested-field", "an undefined member inside evidence",
	    sign_obj(o, NULL, K_ALICE_RELAY), "unknown_field", NULL);

	o = assessment(K_ALICE_RELAY, K_ALICE_ROOT);
	json_object_set_new(o, "zone", json_string("DE."));
	emit_s("zone-uppercase", "zone in uppercase", sign_obj(o, NULL, K_ALICE_RELAY),
	    "bad_zone", NULL);
	o = assessment(K_ALICE_RELAY, K_ALICE_ROOT);
	json_object_set_new(o, "zone", json_string("de"));
	emit_s("zone-relative", "zone without the final dot",
	    sign_obj(o, NULL, K_ALICE_RELAY), "bad_zone", NULL);
	o = assessment(K_ALICE_RELAY, K_ALICE_ROOT);
	json_object_set_new(o, "zone", json_string(
	    "a234567890123456789012345678901234567890123456789012345678901234.de."));
	emit_s("zone-long-label", "a 64-octet label", sign_obj(o, NULL, K_ALICE_RELAY),
	    "bad_zone", NULL);

	o = assessment(K_ALICE_RELAY, K_ALICE_ROOT);
	json_object_set_new(o, "refs", json_pack("[s]", "abc123"));
	emit_s("ref-not-id", "refs holds something that is not an event id",
	    sign_obj(o, NULL, K_ALICE_RELAY), "bad_event_id", NULL);

	o = assessment(K_ALICE_RELAY, K_ALICE_ROOT);
	json_object_set_new(o, "key", json_string(key_ids[K_BOB_RELAY]));
	emit_s("key-mismatch", "payload names bob's key, alice's relay signed",
	    sign_obj(o, NULL, K_ALICE_RELAY), "key_mismatch", NULL);

	o = header(KIND_UNVOUCH, K_ALICE_RELAY, K_ALICE_ROOT, 3, PREV, NOW - 10,
	    NOW + 86400);
	json_object_set_new(o, "subject", json_string(key_ids[K_BOB_ROOT]));
	emit_s("unvouch-by-relay-key", "an unvouch signed by a relay key, not the root",
	    sign_obj(o, NULL, K_ALICE_RELAY), "origin_mismatch", NULL);

	o = assessment(K_ALICE_RELAY, K_ALICE_ROOT);
	json_object_set_new(o, "exp", json_integer(NOW - 60));
	emit_s("exp-equals-ts", "exp not after ts", sign_obj(o, NULL, K_ALICE_RELAY),
	    "bad_timestamps", NULL);

	o = observation(5, PREV);
	json_object_set_new(o, "fingerprint", json_string(OTHER_ID));
	emit_s("fingerprint-mismatch", "fingerprint does not match the evidence",
	    sign_obj(o, NULL, K_ALICE_RELAY), "fingerprint_mismatch", NULL);

	emit_s("wrong-net", "event of federation example received by federation other",
	    sign_obj(assessment(K_ALICE_RELAY, K_ALICE_ROOT), NULL, K_ALICE_RELAY),
	    "wrong_net", "net other\n");

	/* Acceptance. */
	o = assessment(K_ALICE_RELAY, K_ALICE_ROOT);
	{
		char *env = sign_obj(o, NULL, K_ALICE_RELAY), idhex[KEY_ID_HEX_LEN + 1];
		char reason[PROTO_REASON_MAX];
		struct envelope *e;
		envelope_parse(env, strlen(env), &e, reason);
		snprintf(extra, sizeof(extra), "chain_head_seq 4\nchain_head_id %s\nknown_id %s\n",
		    envelope_id_hex(e, idhex), idhex);
		envelope_free(e);
		emit_s("duplicate", "the same event again", env, "duplicate", extra);
	}
	snprintf(extra, sizeof(extra), "chain_head_seq 4\nchain_head_id %s\nknown_id %s\n",
	    OTHER_ID, OTHER_ID);
	emit_s("equivocation-same-seq", "a different event is already held at seq 4",
	    sign_obj(assessment(K_ALICE_RELAY, K_ALICE_ROOT), NULL, K_ALICE_RELAY),
	    "equivocation", extra);
	snprintf(extra, sizeof(extra), "chain_head_seq 3\nchain_head_id %s\n", OTHER_ID);
	emit_s("equivocation-fork", "seq 4 follows head 3 but prev is not head 3's id",
	    sign_obj(assessment(K_ALICE_RELAY, K_ALICE_ROOT), NULL, K_ALICE_RELAY),
	    "equivocation", extra);
	snprintf(extra, sizeof(extra), "chain_head_seq 10\nchain_head_id %s\n", OTHER_ID);
	emit_s("stale", "seq 4 below head 10 and not in a gap (a replay)",
	    sign_obj(assessment(K_ALICE_RELAY, K_ALICE_ROOT), NULL, K_ALICE_RELAY),
	    "stale", extra);

	o = assessment(K_ALICE_RELAY, K_ALICE_ROOT);
	json_object_set_new(o, "ts", json_integer(NOW + 301));
	json_object_set_new(o, "exp", json_integer(NOW + 3600));
	emit_s("future", "ts 301 s ahead of now, skew 300",
	    sign_obj(o, NULL, K_ALICE_RELAY), "future", "skew 300\n");
	o = assessment(K_ALICE_RELAY, K_ALICE_ROOT);
	json_object_set_new(o, "ts", json_integer(NOW + 300));
	json_object_set_new(o, "exp", json_integer(NOW + 3600));
	emit_s("future-within-skew", "ts exactly 300 s ahead: accepted",
	    sign_obj(o, NULL, K_ALICE_RELAY), "accept", after(3));
	o = assessment(K_ALICE_RELAY, K_ALICE_ROOT);
	json_object_set_new(o, "ts", json_integer(NOW - 3600));
	json_object_set_new(o, "exp", json_integer(NOW));
	emit_s("expired", "exp equals now", sign_obj(o, NULL, K_ALICE_RELAY),
	    "expired", NULL);
	o = assessment(K_ALICE_RELAY, K_ALICE_ROOT);
	json_object_set_new(o, "ts", json_integer(NOW - 5 * 3600));
	json_object_set_new(o, "exp", json_integer(NOW + 3600));
	emit_s("old-but-live", "signed 5 h ago, not expired: accepted (retained/backfill)",
	    sign_obj(o, NULL, K_ALICE_RELAY), "accept", after(3));
	o = assessment(K_ALICE_RELAY, K_ALICE_ROOT);
	json_object_set_new(o, "exp", json_integer(NOW - 60 + 6 * 3600 + 1));
	emit_s("lifetime-too-long", "assessment living 6 h + 1 s",
	    sign_obj(o, NULL, K_ALICE_RELAY), "lifetime_too_long", NULL);
	snprintf(extra, sizeof(extra), "chain_head_seq 9\nchain_head_id %s\ngap yes\n"
	    "chain_below_id %s\n", OTHER_ID, OTHER_ID);
	emit_s("gap-fill-fork", "fills a gap at seq 5 but prev is not the id held at seq 4",
	    sign_obj(observation(5, PREV), NULL, K_ALICE_RELAY), "equivocation", extra);
	snprintf(extra, sizeof(extra), "chain_head_seq 9\nchain_head_id %s\ngap yes\n"
	    "chain_below_id %s\n", OTHER_ID, PREV);
	emit_s("gap-fill-linked", "fills a gap at seq 5 and links to the id held at seq 4",
	    sign_obj(observation(5, PREV), NULL, K_ALICE_RELAY), "accept", extra);

	o = observation(5, PREV);
	json_object_set_new(o, "qname", json_string("nic.com."));
	emit_s("qname-outside-zone", "an observation of de. whose qname is not in de.",
	    sign_obj(o, NULL, K_ALICE_RELAY), "bad_zone", NULL);
	o = observation(5, PREV);
	json_object_set_new(o, "state", json_string("indeterminate"));
	emit_s("indeterminate-with-fingerprint",
	    "an outage (indeterminate) must not carry a fingerprint",
	    sign_obj(o, NULL, K_ALICE_RELAY), "field_value", NULL);
	o = assessment(K_ALICE_RELAY, K_ALICE_ROOT);
	json_object_set_new(o, "note", json_string("accident \xe2\x80\xae txet"));
	emit_s("bidi-override-in-note", "a note containing U+202E RIGHT-TO-LEFT OVERRIDE",
	    sign_obj(o, NULL, K_ALICE_RELAY), "field_value", NULL);
}

int
main(int argc, char **argv)
{
	char keydir[1024];

	if (argc != 2)
		die("usage: mkvectors OUTDIR");
	if (sodium_init() < 0)
		die("sodium_init");
	outdir = argv[1];
	if (mkdir(outdir, 0755) != 0 && errno != EEXIST)
		die("%s: %s", outdir, strerror(errno));
	snprintf(keydir, sizeof(keydir), "%s/../keys", outdir);
	make_keys(keydir);
	valid_cases();
	envelope_cases();
	payload_cases();
	for (int i = 0; i < K__COUNT; i++)
		key_secret_free(keys[i]);
	printf("mkvectors: %d cases in %s\n", ncase, outdir);
	return 0;
}
