/*
 * relay/core/identity.h — who this relay is: its secret key (`key`), and
 * the operator it signs for, named by its certificate (`cert`, a key_cert
 * envelope signed by the operator's root, which the trust database must
 * know). Without a certificate the key must be the operator's root itself,
 * and the origin is the key.
 *
 * identity_load() logs why it fails ("key: ...", "cert: FILE: ...") and
 * imports the certificate into the trust database, so that the relay's
 * own key is a known key of its operator from the start.
 * identity_check_cert() is the same check of the certificate without the
 * import and without logging: for relay/core/startcheck.c, which the
 * start and `ntarelayd -t` both run.
 *
 * A certificate is refused when it does not open with the trust
 * database's keys (its operator's root not pinned), is not a key_cert,
 * certifies another key, has expired (not_after <= now), or starts more
 * than clock_skew after now.
 */
#ifndef NTARELAY_RELAY_CORE_IDENTITY_H
#define NTARELAY_RELAY_CORE_IDENTITY_H

#include <stddef.h>

#include "proto/key.h"
#include "relay/core/config.h"
#include "trustdb/db.h"

/*
 * Check cfg->cert (not empty) against key and tdb at time now (unix
 * seconds), as identity_load() does. Returns 0, or -1 with
 * "cert: FILE: problem" in why. Changes nothing, logs nothing.
 */
int identity_check_cert(const struct relay_config *cfg, struct trustdb *tdb,
    long long now, const struct key_secret *key, char *why, size_t whylen);

/*
 * Load cfg->key into *key and cfg->cert into *cert (malloc'd, *certlen
 * bytes; NULL without cert) at time now (unix seconds), and the operator
 * they sign for into origin.
 * Returns 0, or -1 (logged); on -1 what was loaded is set all the same,
 * for the caller to free (key_secret_free(), free()) as on success.
 */
int identity_load(const struct relay_config *cfg, struct trustdb *tdb,
    long long now, struct key_secret **key, unsigned char origin[KEY_ID_LEN],
    char **cert, size_t *certlen);

#endif
