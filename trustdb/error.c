/*
 * trustdb/error.c — names and sentences for enum trustdb_err.
 */
#include <stdarg.h>
#include <stdio.h>

#include "trustdb/error.h"

static const struct {
	const char *name;
	const char *text;
} trustdb_errors[TRUSTDB_E__COUNT] = {
	[TRUSTDB_OK] = { "ok", "no error" },
	[TRUSTDB_E_NOMEM] = { "nomem", "out of memory" },
	[TRUSTDB_E_OPEN] = { "open", "the trust database cannot be opened" },
	[TRUSTDB_E_CORRUPT] = { "corrupt", "the trust database file is damaged or not a database" },
	[TRUSTDB_E_LOCKED] = { "locked", "the trust database is locked by another process" },
	[TRUSTDB_E_VERSION] = { "version", "the trust database schema is newer than this program" },
	[TRUSTDB_E_SQL] = { "sql", "the trust database failed" },
	[TRUSTDB_E_NOT_FOUND] = { "not_found", "no such entry in the trust database" },
	[TRUSTDB_E_INVALID_ARG] = { "invalid_arg", "invalid argument" },
	[TRUSTDB_E_REJECTED] = { "rejected", "the envelope is not a valid protocol v1 event" },
	[TRUSTDB_E_UNKNOWN_SIGNER] = { "unknown_signer", "the envelope is signed by a key the trust database does not know" },
	[TRUSTDB_E_BAD_SIGNATURE] = { "bad_signature", "the envelope signature does not verify" },
	[TRUSTDB_E_WRONG_KIND] = { "wrong_kind", "only vouch, unvouch, key_cert and key_revoke envelopes belong in the trust database" },
	[TRUSTDB_E_WRONG_NET] = { "wrong_net", "the envelope belongs to another federation" },
	[TRUSTDB_E_EXPIRED] = { "expired", "the envelope has expired" },
	[TRUSTDB_E_FUTURE] = { "future", "the envelope is dated in the future" },
};

const char *
trustdb_errname(enum trustdb_err e)
{
	return (unsigned)e < TRUSTDB_E__COUNT ? trustdb_errors[e].name : "unknown";
}

const char *
trustdb_strerror(enum trustdb_err e)
{
	return (unsigned)e < TRUSTDB_E__COUNT ? trustdb_errors[e].text :
	    "unknown error";
}

enum trustdb_err
trustdb_fail(char *reason, enum trustdb_err e, const char *fmt, ...)
{
	va_list ap;

	if (reason == NULL)
		return e;
	va_start(ap, fmt);
	vsnprintf(reason, TRUSTDB_REASON_MAX, fmt, ap);
	va_end(ap);
	return e;
}
