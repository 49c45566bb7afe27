/*
 * tests/vectors/vector.c — the reference runner of protocol test vectors.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/accept.h"
#include "proto/encoding.h"
#include "proto/open.h"
#include "tests/vectors/vector.h"

int
vector_load_keys(const char *dir, struct vector_keys *keys)
{
	char path[2048], reason[PROTO_REASON_MAX];
	struct dirent *de;
	DIR *d;

	keys->n = 0;
	if ((d = opendir(dir)) == NULL) {
		perror(dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		if (n < 5 || strcmp(de->d_name + n - 4, ".pub") != 0)
			continue;
		if (keys->n == VECTOR_KEYS_MAX)
			break;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (key_public_load(path, &keys->pub[keys->n], reason) != PROTO_OK) {
			fprintf(stderr, "%s\n", reason);
			closedir(d);
			return -1;
		}
		keys->n++;
	}
	closedir(d);
	return 0;
}

int
vector_load(const char *dir, struct vector *v)
{
	char path[2048], line[512], *val;
	FILE *f;

	memset(v, 0, sizeof(*v));
	snprintf(v->dir, sizeof(v->dir), "%s", dir);
	strcpy(v->net, "example");
	v->skew = ACCEPT_SKEW_DEFAULT;
	snprintf(path, sizeof(path), "%s/expect", dir);
	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if ((val = strchr(line, ' ')) == NULL)
			continue;
		*val++ = '\0';
		if (strcmp(line, "description") == 0)
			snprintf(v->description, sizeof(v->description), "%s", val);
		else if (strcmp(line, "result") == 0)
			snprintf(v->result, sizeof(v->result), "%s", val);
		else if (strcmp(line, "id") == 0)
			snprintf(v->id, sizeof(v->id), "%s", val);
		else if (strcmp(line, "net") == 0)
			snprintf(v->net, sizeof(v->net), "%s", val);
		else if (strcmp(line, "raw") == 0)
			v->raw = strcmp(val, "yes") == 0;
		else if (strcmp(line, "now") == 0)
			v->now = atoll(val);
		else if (strcmp(line, "skew") == 0)
			v->skew = atoll(val);
		else if (strcmp(line, "chain_head_seq") == 0) {
			v->has_head = true;
			v->head_seq = atoll(val);
		} else if (strcmp(line, "chain_head_id") == 0)
			snprintf(v->head_id, sizeof(v->head_id), "%s", val);
		else if (strcmp(line, "known_id") == 0)
			snprintf(v->known_id, sizeof(v->known_id), "%s", val);
		else if (strcmp(line, "gap") == 0)
			v->gap = strcmp(val, "yes") == 0;
		else if (strcmp(line, "chain_below_id") == 0)
			snprintf(v->below_id, sizeof(v->below_id), "%s", val);
		else if (strcmp(line, "chain_above_prev") == 0)
			snprintf(v->above_prev, sizeof(v->above_prev), "%s", val);
	}
	fclose(f);
	if (v->result[0] == '\0' || v->now == 0) {
		fprintf(stderr, "%s: 'result' and 'now' are required\n", path);
		return -1;
	}
	return 0;
}

static bool
lookup(void *ctx, const unsigned char keyid[KEY_ID_LEN],
    unsigned char pk[KEY_PUBLIC_LEN])
{
	const struct vector_keys *keys = ctx;

	for (int i = 0; i < keys->n; i++)
		if (open_lookup_single((void *)&keys->pub[i], keyid, pk))
			return true;
	return false;
}

int
vector_run(const struct vector *v, const struct vector_keys *keys,
    char got[64], char got_id[KEY_ID_HEX_LEN + 1], char got_reason[256])
{
	char path[2048], *buf;
	struct envelope *env = NULL;
	struct event *ev = NULL;
	struct accept_chain chain;
	enum accept_result ar;
	enum proto_err e;
	long len;
	FILE *f;

	got[0] = got_id[0] = got_reason[0] = '\0';
	snprintf(path, sizeof(path), "%s/envelope.json", v->dir);
	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc((size_t)len + 1);
	if (buf == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);

	e = open_envelope(buf, (size_t)len, lookup, (void *)keys,
	    v->raw ? OPEN_RAW : 0, &env, &ev, got_reason);
	if (env)
		envelope_id_hex(env, got_id);
	if (e == PROTO_OK && !v->raw)
		e = event_check_net(ev, v->net, got_reason);
	if (e != PROTO_OK) {
		snprintf(got, 64, "%s", proto_errname(e));
		goto out;
	}
	if (v->raw) {
		strcpy(got, "accept");
		goto out;
	}
	memset(&chain, 0, sizeof(chain));
	chain.has_head = v->has_head;
	chain.head_seq = v->head_seq;
	if (v->head_id[0])
		encoding_hex_decode(v->head_id, chain.head_id, KEY_ID_LEN);
	if (v->known_id[0]) {
		chain.has_at_seq = true;
		encoding_hex_decode(v->known_id, chain.id_at_seq, KEY_ID_LEN);
	}
	chain.seq_is_gap = v->gap;
	if (v->below_id[0]) {
		chain.has_below = true;
		encoding_hex_decode(v->below_id, chain.below_id, KEY_ID_LEN);
	}
	if (v->above_prev[0]) {
		chain.has_above = true;
		encoding_hex_decode(v->above_prev, chain.above_prev, KEY_ID_LEN);
	}
	ar = accept_event(ev, &chain, v->now, v->skew);
	snprintf(got, 64, "%s", accept_is_accepted(ar) ? accept_result_name(ar) :
	    proto_errname(accept_result_err(ar)));
out:
	event_free(ev);
	envelope_free(env);
	free(buf);
	return 0;
}
