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
#include "proto/key.h"
#include "proto/zone.h"
#include "relay/core/config.h"
#include "relay/core/log.h"
#include "relay/core/metrics.h"
#include "relay/core/secretfile.h"
#include "relay/http/form.h"
#include "relay/http/peers.h"
#include "relay/http/slash.h"
#include "relay/notify/mattermost.h"
#include "relay/quorum/decide.h"

#define SLASH_DIGEST_LEN crypto_hash_sha256_BYTES
#define SLASH_WORDS_MAX 8

/* The expected token's digest, and the file it came from as it was then
 * (read again when any of these change). */
struct slash {
	unsigned char *digest;        /* sodium_malloc'd; NULL: not loaded */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	char path[PATH_MAX];
};

struct slash *
slash_new(void)
{
	return calloc(1, sizeof(struct slash));
}

/* Forget the cached digest (zeroed). */
static void
slash_forget(struct slash *t)
{
	if (t->digest) {
		sodium_memzero(t->digest, SLASH_DIGEST_LEN);
		sodium_free(t->digest);
	}
	memset(t, 0, sizeof(*t));
}

void
slash_free(struct slash *t)
{
	if (t == NULL)
		return;
	slash_forget(t);
	free(t);
}

/* The digest of the configured token, read again when the file changed.
 * NULL when it cannot be read (logged). */
static const unsigned char *
slash_expected(struct slash *t, const char *path)
{
	char err[PATH_MAX + 256], *tok = NULL;
	struct stat st;
	size_t len;

	if (stat(path, &st) != 0) {
		log_err("mattermost_slash_token_file %s: cannot read it: slash "
		    "commands are refused", path);
		slash_forget(t);
		return NULL;
	}
	if (t->digest && strcmp(t->path, path) == 0 &&
	    st.st_dev == t->dev && st.st_ino == t->ino &&
	    st.st_size == t->size &&
	    st.st_mtim.tv_sec == t->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == t->mtime.tv_nsec)
		return t->digest;
	slash_forget(t);
	if (secretfile_read(path, SECRETFILE_GROUP_READ, &tok, &len, err,
	    sizeof(err)) != 0) {
		log_err("mattermost_slash_token_file %s: slash commands are refused",
		    err);
		return NULL;
	}
	if ((t->digest = sodium_malloc(SLASH_DIGEST_LEN)) == NULL) {
		secretfile_free(tok);
		log_err("slash command: out of memory");
		return NULL;
	}
	crypto_hash_sha256(t->digest, (const unsigned char *)tok, len);
	secretfile_free(tok);
	t->dev = st.st_dev;
	t->ino = st.st_ino;
	t->size = st.st_size;
	t->mtime = st.st_mtim;
	snprintf(t->path, sizeof(t->path), "%s", path);
	log_info("slash command: token loaded from %s", path);
	return t->digest;
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
slash_style(const struct api_env *env, struct mattermost_style *st, char *hex)
{
	const struct relay_config *cfg = env->cfg;

	encoding_hex_encode(env->origin, KEY_ID_LEN, hex);
	*st = (struct mattermost_style){ cfg->mattermost_username,
	    cfg->mattermost_icon_url, NULL, cfg->public_url, cfg->net, hex };
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
slash_status(const struct api_env *env, char **w, size_t nw, bool public,
    json_t **reply)
{
	struct mattermost_style st;
	char hex[KEY_ID_HEX_LEN + 1], zone[ZONE_TEXT_MAX + 1], msg[512], shown[80];
	const char *why = NULL;
	json_t *doc;
	char *text;

	slash_style(env, &st, hex);
	if (nw > 2) {
		*reply = slash_answer(false, "Usage: `status [ZONE] [--public]`");
		return 200;
	}
	if (nw == 1) {
		if ((doc = decide_zones_json(env->owner)) == NULL) {
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
		if ((doc = decide_zone_json(env->owner, zone)) == NULL) {
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
slash_peers(const struct api_env *env, json_t **reply)
{
	json_t *doc = peers_json(env);
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

/* Form-encoded, as Mattermost sends it? (Parameters after ';' aside.) */
static bool
slash_form_type(const char *content_type)
{
	size_t ctl = strcspn(content_type, ";");

	while (ctl > 0 && content_type[ctl - 1] == ' ')
		ctl--;
	return ctl == strlen("application/x-www-form-urlencoded") &&
	    strncasecmp(content_type, "application/x-www-form-urlencoded",
	    ctl) == 0;
}

/* Does the form's token match the one configured (want)? 1 yes, 0 no
 * (logged, without the token), -1 out of memory. */
static int
slash_token_ok(const char *body, size_t len, const unsigned char *want)
{
	unsigned char got[SLASH_DIGEST_LEN];
	char *token;
	bool ok = false;
	int rc;

	if ((token = sodium_malloc(SLASH_FIELD_MAX)) == NULL)
		return -1;
	rc = form_value(body, len, "token", token, SLASH_FIELD_MAX);
	if (rc <= 0)
		log_warn("slash command refused: %s token", rc < 0 ?
		    "a malformed or repeated" : "no");
	else {
		crypto_hash_sha256(got, (const unsigned char *)token,
		    strlen(token));
		if (!(ok = sodium_memcmp(got, want, SLASH_DIGEST_LEN) == 0))
			log_warn("slash command refused: wrong token");
		sodium_memzero(got, sizeof(got));
	}
	sodium_free(token);   /* zeroes it */
	return ok ? 1 : 0;
}

/* An authenticated request: its command (the text field) answered. */
static unsigned
slash_command(const struct api_env *env, const char *body, size_t len,
    json_t **reply)
{
	char text[SLASH_FIELD_MAX], user[128], *w[SLASH_WORDS_MAX];
	char shown[80], msg[1024];
	bool public = false;
	size_t nw;

	if (form_value(body, len, "text", text, sizeof(text)) < 0) {
		env->metrics->slash[METRICS_SLASH_BAD_REQUEST]++;
		*reply = slash_error("bad_request", "the form's text field is "
		    "malformed: a bad %-escape, an encoded NUL byte (%00), the "
		    "field given twice, or too long");
		return 400;
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
	env->metrics->slash[METRICS_SLASH_ANSWERED]++;
	if (nw == 0 || strcasecmp(w[0], "help") == 0)
		*reply = slash_answer(false, mattermost_help_text());
	else if (strcasecmp(w[0], "status") == 0)
		return slash_status(env, w, nw, public, reply);
	else if (strcasecmp(w[0], "peers") == 0)
		return slash_peers(env, reply);
	else {
		slash_shown(w[0], shown, sizeof(shown));
		snprintf(msg, sizeof(msg), "Unknown command `%s`.\n\n%s", shown,
		    mattermost_help_text());
		*reply = slash_answer(false, msg);
	}
	return 200;
}

unsigned
slash_handle(struct api_env *env, const char *body, size_t len,
    const char *content_type, json_t **reply)
{
	const char *path = env->cfg->mattermost_slash_token_file;
	const unsigned char *want;
	unsigned status;
	int ok;

	*reply = NULL;
	if (path[0] == '\0') {
		*reply = slash_error("not_found", "no slash command here "
		    "(mattermost_slash_token_file not set)");
		return 404;
	}
	if (!slash_form_type(content_type)) {
		log_warn("slash command refused: Content-Type is not "
		    "application/x-www-form-urlencoded");
		env->metrics->slash[METRICS_SLASH_BAD_REQUEST]++;
		*reply = slash_error("unsupported_media_type", "expected "
		    "application/x-www-form-urlencoded, as Mattermost sends it");
		return 415;
	}
	if ((want = slash_expected(env->slash, path)) == NULL) {
		env->metrics->slash[METRICS_SLASH_UNAVAILABLE]++;
		*reply = slash_error("unavailable", "the slash command is not "
		    "available (see the relay's log)");
		return 503;
	}
	if ((ok = slash_token_ok(body, len, want)) < 0) {
		*reply = slash_error("internal", "out of memory");
		return 500;
	}
	if (!ok) {
		env->metrics->slash[METRICS_SLASH_UNAUTHORIZED]++;
		*reply = slash_error("unauthorized", "missing or wrong token");
		status = 401;
	} else
		status = slash_command(env, body, len, reply);
	if (*reply == NULL) {
		*reply = slash_error("internal", "out of memory");
		status = 500;
	}
	return status;
}
