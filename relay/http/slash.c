/*
 * relay/http/slash.c — /nta in Mattermost: token check, command, answer
 * (relay/http/slash.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <sodium.h>

#include "proto/encoding.h"
#include "proto/zone.h"
#include "relay/http/api.h"
#include "relay/quorum/decide.h"
#include "relay/http/form.h"
#include "relay/core/log.h"
#include "relay/notify/mattermost.h"
#include "relay/relay.h"
#include "relay/core/secretfile.h"
#include "relay/http/slash.h"

#define SLASH_DIGEST_LEN crypto_hash_sha256_BYTES
#define SLASH_WORDS_MAX 8

/* The expected token's digest, and the file it came from as it was then
 * (read again when any of these change). */
static struct {
	unsigned char *digest;        /* sodium_malloc'd; NULL: not loaded */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	char path[PATH_MAX];
} slash_token;

void
slash_forget(void)
{
	if (slash_token.digest) {
		sodium_memzero(slash_token.digest, SLASH_DIGEST_LEN);
		sodium_free(slash_token.digest);
	}
	memset(&slash_token, 0, sizeof(slash_token));
}

/* The digest of the configured token, read again when the file changed.
 * NULL when it cannot be read (logged). */
static const unsigned char *
slash_expected(const char *path)
{
	char err[PATH_MAX + 256], *tok = NULL;
	struct stat st;
	size_t len;

	if (stat(path, &st) != 0) {
		log_err("mattermost_slash_token_file %s: cannot read it: slash "
		    "commands are refused", path);
		slash_forget();
		return NULL;
	}
	if (slash_token.digest && strcmp(slash_token.path, path) == 0 &&
	    st.st_dev == slash_token.dev && st.st_ino == slash_token.ino &&
	    st.st_size == slash_token.size &&
	    st.st_mtim.tv_sec == slash_token.mtime.tv_sec &&
	    st.st_mtim.tv_nsec == slash_token.mtime.tv_nsec)
		return slash_token.digest;
	slash_forget();
	if (secretfile_read(path, SECRETFILE_GROUP_READ, &tok, &len, err,
	    sizeof(err)) != 0) {
		log_err("mattermost_slash_token_file %s: slash commands are refused",
		    err);
		return NULL;
	}
	if ((slash_token.digest = sodium_malloc(SLASH_DIGEST_LEN)) == NULL) {
		secretfile_free(tok);
		log_err("slash command: out of memory");
		return NULL;
	}
	crypto_hash_sha256(slash_token.digest, (const unsigned char *)tok, len);
	secretfile_free(tok);
	slash_token.dev = st.st_dev;
	slash_token.ino = st.st_ino;
	slash_token.size = st.st_size;
	slash_token.mtime = st.st_mtim;
	snprintf(slash_token.path, sizeof(slash_token.path), "%s", path);
	log_info("slash command: token loaded from %s", path);
	return slash_token.digest;
}

static json_t *
slash_error(const char *error, const char *message)
{
	return json_pack("{s:s,s:s}", "error", error, "message", message);
}

static json_t *
slash_answer(bool public, const char *text)
{
	return json_pack("{s:s,s:s}", "response_type", public ? "in_channel" :
	    "ephemeral", "text", text ? text : "(no answer: out of memory)");
}

/* Split text into words (at most SLASH_WORDS_MAX), in place. */
static size_t
slash_words(char *text, char **w)
{
	size_t n = 0;
	char *save = NULL, *t;

	for (t = strtok_r(text, " \t\r\n", &save); t && n < SLASH_WORDS_MAX;
	    t = strtok_r(NULL, " \t\r\n", &save))
		w[n++] = t;
	return n;
}

static void
slash_style(struct relay *r, struct mattermost_style *st, char *hex)
{
	encoding_hex_encode(r->origin, KEY_ID_LEN, hex);
	*st = (struct mattermost_style){ r->cfg.mattermost_username,
	    r->cfg.mattermost_icon_url, NULL, r->cfg.public_url, r->cfg.net, hex };
}

/* A user's word, shown back as code (bounded, no backticks). */
static void
slash_shown(const char *w, char *out, size_t cap)
{
	size_t o = 0;

	for (const char *p = w; *p && o + 4 < cap && o < 64; p++)
		out[o++] = (*p == '`' || (unsigned char)*p < 0x20) ? '\'' : *p;
	out[o] = '\0';
}

static unsigned
slash_status(struct relay *r, char **w, size_t nw, bool public, json_t **reply)
{
	struct mattermost_style st;
	char hex[KEY_ID_HEX_LEN + 1], zone[ZONE_TEXT_MAX + 1], msg[512], shown[80];
	const char *why = NULL;
	json_t *doc;
	char *text;

	slash_style(r, &st, hex);
	if (nw > 2) {
		*reply = slash_answer(false, "Usage: `status [ZONE] [--public]`");
		return 200;
	}
	if (nw == 1) {
		if ((doc = decide_zones_json(r->decide)) == NULL) {
			*reply = slash_answer(false, "The relay could not list the "
			    "zones (see its log).");
			return 200;
		}
		text = mattermost_zones_table(doc, &st);
	} else {
		if (zone_name_normalise(w[1], zone, &why) != 0) {
			slash_shown(w[1], shown, sizeof(shown));
			snprintf(msg, sizeof(msg), "`%s` is not a zone name: %s.",
			    shown, why ? why : "invalid");
			*reply = slash_answer(false, msg);
			return 200;
		}
		if ((doc = decide_zone_json(r->decide, zone)) == NULL) {
			*reply = slash_answer(false, "The relay could not evaluate the "
			    "zone (see its log).");
			return 200;
		}
		text = mattermost_zone_detail(doc, &st);
	}
	json_decref(doc);
	*reply = slash_answer(public, text);
	free(text);
	return 200;
}

static unsigned
slash_peers(struct relay *r, json_t **reply)
{
	struct http_handlers h = api_handlers(r);
	json_t *doc = h.peers ? h.peers(h.ctx) : NULL;
	char *text;

	if (doc == NULL) {
		*reply = slash_answer(false, "The relay could not list its peers "
		    "(see its log).");
		return 200;
	}
	text = mattermost_peers_table(doc);
	json_decref(doc);
	*reply = slash_answer(false, text);
	free(text);
	return 200;
}

unsigned
slash_handle(struct relay *r, const char *body, size_t len,
    const char *content_type, json_t **reply)
{
	unsigned char got[SLASH_DIGEST_LEN];
	const unsigned char *want;
	char *token = NULL, text[SLASH_FIELD_MAX], user[128], *w[SLASH_WORDS_MAX];
	char shown[80], msg[1024];
	unsigned status = 401;
	bool public = false;
	size_t nw = 0, ctl;
	int rc;

	*reply = NULL;
	if (r->cfg.mattermost_slash_token_file[0] == '\0') {
		*reply = slash_error("not_found", "no slash command here "
		    "(mattermost_slash_token_file not set)");
		return 404;
	}
	ctl = strcspn(content_type, ";");
	while (ctl > 0 && content_type[ctl - 1] == ' ')
		ctl--;
	if (ctl != strlen("application/x-www-form-urlencoded") ||
	    strncasecmp(content_type, "application/x-www-form-urlencoded", ctl) != 0) {
		log_warn("slash command refused: Content-Type is not "
		    "application/x-www-form-urlencoded");
		r->metrics.slash[METRICS_SLASH_BAD_REQUEST]++;
		*reply = slash_error("unsupported_media_type", "expected "
		    "application/x-www-form-urlencoded, as Mattermost sends it");
		return 415;
	}
	if ((want = slash_expected(r->cfg.mattermost_slash_token_file)) == NULL) {
		r->metrics.slash[METRICS_SLASH_UNAVAILABLE]++;
		*reply = slash_error("unavailable", "the slash command is not "
		    "available (see the relay's log)");
		return 503;
	}
	if ((token = sodium_malloc(SLASH_FIELD_MAX)) == NULL) {
		*reply = slash_error("internal", "out of memory");
		return 500;
	}
	rc = form_value(body, len, "token", token, SLASH_FIELD_MAX);
	if (rc <= 0) {
		log_warn("slash command refused: %s token", rc < 0 ?
		    "a malformed or repeated" : "no");
		goto unauthorized;
	}
	crypto_hash_sha256(got, (const unsigned char *)token, strlen(token));
	if (sodium_memcmp(got, want, SLASH_DIGEST_LEN) != 0) {
		log_warn("slash command refused: wrong token");
		goto unauthorized;
	}
	/* authenticated: the command */
	if (form_value(body, len, "text", text, sizeof(text)) < 0) {
		r->metrics.slash[METRICS_SLASH_BAD_REQUEST]++;
		*reply = slash_error("bad_request", "the form's text field is "
		    "malformed: a bad %-escape, an encoded NUL byte (%00), the "
		    "field given twice, or too long");
		status = 400;
		goto out;
	}
	if (form_value(body, len, "user_name", user, sizeof(user)) <= 0)
		snprintf(user, sizeof(user), "(unknown)");
	for (size_t i = 0; user[i]; i++)
		if ((unsigned char)user[i] < 0x20 || user[i] == '"')
			user[i] = '?';
	nw = slash_words(text, w);
	for (size_t i = 0; i < nw;) {
		if (strcmp(w[i], "--public") == 0) {
			public = true;
			memmove(&w[i], &w[i + 1], (nw - i - 1) * sizeof(w[0]));
			nw--;
		} else
			i++;
	}
	log_info("slash command from %.64s: %.32s", user, nw ? w[0] : "help");
	status = 200;
	r->metrics.slash[METRICS_SLASH_ANSWERED]++;
	if (nw == 0 || strcasecmp(w[0], "help") == 0)
		*reply = slash_answer(false, mattermost_help_text());
	else if (strcasecmp(w[0], "status") == 0)
		status = slash_status(r, w, nw, public, reply);
	else if (strcasecmp(w[0], "peers") == 0)
		status = slash_peers(r, reply);
	else {
		slash_shown(w[0], shown, sizeof(shown));
		snprintf(msg, sizeof(msg), "Unknown command `%s`.\n\n%s", shown,
		    mattermost_help_text());
		*reply = slash_answer(false, msg);
	}
	goto out;
unauthorized:
	r->metrics.slash[METRICS_SLASH_UNAUTHORIZED]++;
	*reply = slash_error("unauthorized", "missing or wrong token");
	status = 401;
out:
	sodium_memzero(got, sizeof(got));
	sodium_free(token);
	if (*reply == NULL) {
		*reply = slash_error("internal", "out of memory");
		status = 500;
	}
	return status;
}
