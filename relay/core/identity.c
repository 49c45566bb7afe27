/*
 * relay/core/identity.c — load the relay's key and certificate
 * (identity.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/encoding.h"
#include "proto/open.h"
#include "relay/core/identity.h"
#include "relay/core/log.h"
#include "trustdb/store.h"

/* The certificate file, final line ends removed, into *cert (malloc'd,
 * NULL when it cannot be read). 0, or -1 with "cert: PATH: why" in why. */
static int
read_cert(const char *path, char **cert, size_t *certlen, char *why,
    size_t whylen)
{
	size_t len;
	FILE *f;

	*cert = NULL;
	*certlen = 0;
	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(why, whylen, "cert: %s: %s", path, strerror(errno));
		return -1;
	}
	*cert = malloc(ENVELOPE_MAX + 1);
	len = *cert ? fread(*cert, 1, ENVELOPE_MAX + 1, f) : 0;
	fclose(f);
	if (*cert == NULL) {
		snprintf(why, whylen, "cert: %s: out of memory", path);
		return -1;
	}
	while (len > 0 && ((*cert)[len - 1] == '\n' || (*cert)[len - 1] == '\r'))
		len--;
	*certlen = len;
	return 0;
}

/* The certificate certifies key, for an operator the trust database
 * knows, and is valid at now; its origin into origin (may be NULL). */
static int
check_cert(const struct relay_config *cfg, struct trustdb *tdb, long long now,
    const struct key_secret *key, const char *cert, size_t certlen,
    unsigned char origin[KEY_ID_LEN], char *why, size_t whylen)
{
	char reason[PROTO_REASON_MAX];
	unsigned char subject[KEY_ID_LEN];
	struct envelope *env = NULL;
	struct event *ev = NULL;
	int rc = -1;

	if (open_envelope(cert, certlen, trustdb_lookup_known, tdb, 0, &env, &ev,
	    reason) != PROTO_OK) {
		snprintf(why, whylen, "cert: %s: %s (is the operator's root pinned "
		    "in %s?)", cfg->cert, reason, cfg->trustdb);
		goto out;
	}
	if (ev->kind != KIND_KEY_CERT || strcmp(event_str(ev, "subject"), "") == 0) {
		snprintf(why, whylen, "cert: %s: not a key_cert", cfg->cert);
		goto out;
	}
	encoding_hex_decode(event_str(ev, "subject"), subject, KEY_ID_LEN);
	if (memcmp(subject, key_secret_public(key)->id, KEY_ID_LEN) != 0) {
		snprintf(why, whylen, "cert: %s: certifies another key than %s",
		    cfg->cert, cfg->key);
		goto out;
	}
	if (event_int(ev, "not_after") <= now) {
		snprintf(why, whylen, "cert: %s: expired: renew it (ntactl cert)",
		    cfg->cert);
		goto out;
	}
	/* a certificate just signed on a machine whose clock is ahead
	 * passes within clock_skew */
	if (event_int(ev, "not_before") > now + cfg->skew) {
		snprintf(why, whylen, "cert: %s: not valid before %lld, more than "
		    "clock_skew (%d s) from now: check the clock", cfg->cert,
		    (long long)event_int(ev, "not_before"), cfg->skew);
		goto out;
	}
	if (origin)
		memcpy(origin, ev->origin, KEY_ID_LEN);
	rc = 0;
out:
	event_free(ev);
	envelope_free(env);
	return rc;
}

int
identity_check_cert(const struct relay_config *cfg, struct trustdb *tdb,
    long long now, const struct key_secret *key, char *why, size_t whylen)
{
	char *cert;
	size_t certlen;
	int rc;

	if (read_cert(cfg->cert, &cert, &certlen, why, whylen) != 0)
		rc = -1;
	else
		rc = check_cert(cfg, tdb, now, key, cert, certlen, NULL, why,
		    whylen);
	free(cert);
	return rc;
}

int
identity_load(const struct relay_config *cfg, struct trustdb *tdb,
    long long now, struct key_secret **key, unsigned char origin[KEY_ID_LEN],
    char **cert, size_t *certlen)
{
	char reason[PROTO_REASON_MAX], treason[256], why[PATH_MAX * 2 + 256];
	struct trustdb_import_stats st;

	if (key_secret_load(cfg->key, key, reason) != PROTO_OK) {
		log_err("key: %s", reason);
		return -1;
	}
	if (cfg->cert[0] == '\0') {
		if (!key_secret_is_root(*key)) {
			log_err("cert: required unless key is a root key");
			return -1;
		}
		memcpy(origin, key_secret_public(*key)->id, KEY_ID_LEN);
		return 0;
	}
	if (read_cert(cfg->cert, cert, certlen, why, sizeof(why)) != 0 ||
	    check_cert(cfg, tdb, now, *key, *cert, *certlen, origin, why,
	    sizeof(why)) != 0) {
		log_err("%s", why);
		return -1;
	}
	if (trustdb_import(tdb, *cert, *certlen, now, &st, treason) != TRUSTDB_OK) {
		log_err("cert %s: %s", cfg->cert, treason);
		return -1;
	}
	return 0;
}
