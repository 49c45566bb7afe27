/*
 * trustdb/error.h — the one error enum of the trust library.
 *
 * Functions that can fail return enum trustdb_err and, where a person needs
 * detail, fill a caller's reason buffer (TRUSTDB_REASON_MAX bytes) naming
 * what was wrong: the database file, the envelope line, the field.
 *
 * This module must never print, exit or read global state.
 */
#ifndef NTARELAY_TRUSTDB_ERROR_H
#define NTARELAY_TRUSTDB_ERROR_H

#include <stddef.h>

enum trustdb_err {
	TRUSTDB_OK = 0,
	TRUSTDB_E_NOMEM,          /* allocation failed */
	TRUSTDB_E_OPEN,           /* the database file cannot be opened or created */
	TRUSTDB_E_CORRUPT,        /* the file is not a database, or it is damaged */
	TRUSTDB_E_LOCKED,         /* another process held the lock past the timeout */
	TRUSTDB_E_VERSION,        /* schema newer than this program supports */
	TRUSTDB_E_SQL,            /* any other SQLite failure */
	TRUSTDB_E_NOT_FOUND,      /* no such pin, key or operator */
	TRUSTDB_E_INVALID_ARG,    /* caller passed something unusable */
	TRUSTDB_E_REJECTED,       /* envelope refused by the protocol library */
	TRUSTDB_E_UNKNOWN_SIGNER, /* envelope signed by a key the db does not know */
	TRUSTDB_E_BAD_SIGNATURE,  /* signature does not verify */
	TRUSTDB_E_WRONG_KIND,     /* not a vouch, unvouch, key_cert or key_revoke */
	TRUSTDB_E_WRONG_NET,      /* envelope of another federation */
	TRUSTDB_E_EXPIRED,        /* envelope exp is not after now */
	TRUSTDB_E_FUTURE,         /* envelope ts is too far ahead of now */
	TRUSTDB_E__COUNT
};

#define TRUSTDB_REASON_MAX 256

/* Stable short name ("locked"); never NULL. */
const char *trustdb_errname(enum trustdb_err e);

/* One human sentence, no trailing period; never NULL. */
const char *trustdb_strerror(enum trustdb_err e);

/* printf into a caller's reason buffer (may be NULL). Returns e. */
enum trustdb_err trustdb_fail(char *reason, enum trustdb_err e,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
