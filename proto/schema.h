/*
 * proto/schema.h — strict, table-driven validation of payload objects.
 *
 * A kind's fields are a table of struct schema_field. schema_check() walks
 * the tables in order, so the first problem reported is deterministic, and
 * then refuses every member that no table names, except members whose name
 * begins with "x_" (signed extensions a v1 reader ignores; see PROTOCOL.md).
 * Every error names the field by its path ("evidence.rrsigs[2].tag").
 */
#ifndef NTARELAY_PROTO_SCHEMA_H
#define NTARELAY_PROTO_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/error.h"
#include "proto/pjson.h"

enum schema_type {
	ST_END = 0,          /* terminates a table */
	ST_STRING,           /* UTF-8, length in [min, max] bytes, no controls */
	ST_STRING_OR_NULL,
	ST_INT,              /* integer (never a real) in [min, max] */
	ST_INT_OR_NULL,
	ST_BOOL,
	ST_ID,               /* event or key id: 64 lowercase hex */
	ST_ID_OR_NULL,
	ST_ZONE,             /* domain name, proto/zone.h */
	ST_NET,              /* federation name: 1-63 of a-z 0-9 - */
	ST_QTYPE,            /* RR type mnemonic: 1-16 of A-Z 0-9 */
	ST_ENUM,             /* string, one of values[] */
	ST_KEY_B64,          /* base64 of a 32-byte Ed25519 public key */
	ST_INT_ARRAY,        /* array of at most max_items ints in [min, max] */
	ST_ID_ARRAY,
	ST_ZONE_ARRAY,
	ST_OBJECT,           /* object checked against sub */
	ST_OBJECT_OR_NULL,
	ST_OBJECT_ARRAY,     /* array of at most max_items objects (sub) */
};

struct schema_field {
	const char *name;
	enum schema_type type;
	bool required;
	long long min, max;
	size_t max_items;
	const char *const *values;           /* ST_ENUM, NULL-terminated */
	const struct schema_field *sub;      /* object types */
};

/*
 * Check object node obj of d against the fields of a (and then b, which may
 * be NULL), then refuse unknown members. Reasons name the field by its path.
 */
enum proto_err schema_check(const struct pjson_doc *d, int obj,
    const struct schema_field *a, const struct schema_field *b, char *reason);

/* Index of s in a NULL-terminated values[] table, or -1. */
int schema_enum_index(const char *const *values, const char *s);

#endif
