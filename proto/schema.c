/*
 * proto/schema.c — table-driven strict JSON validation.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proto/encoding.h"
#include "proto/key.h"
#include "proto/schema.h"
#include "proto/zone.h"

int
schema_enum_index(const char *const *values, const char *s)
{
	for (int i = 0; values[i] != NULL; i++)
		if (strcmp(values[i], s) == 0)
			return i;
	return -1;
}

static bool
string_clean(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	/* jansson guarantees UTF-8 without NUL. Refuse the other C0 controls,
	 * DEL, the C1 controls (U+0080-U+009F) and the bidirectional
	 * overrides and isolates (U+202A-U+202E, U+2066-U+2069), so that a
	 * note can neither rewrite a terminal or a log line nor display in
	 * an order other than its bytes. */
	for (size_t i = 0; i < len; i++) {
		if (u[i] < 0x20 || u[i] == 0x7f)
			return false;
		if (u[i] == 0xc2 && i + 1 < len && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f)
			return false;
		if (u[i] == 0xe2 && i + 2 < len &&
		    ((u[i + 1] == 0x80 && u[i + 2] >= 0xaa && u[i + 2] <= 0xae) ||
		    (u[i + 1] == 0x81 && u[i + 2] >= 0xa6 && u[i + 2] <= 0xa9)))
			return false;
	}
	return true;
}

static bool
net_valid(const char *s, size_t len)
{
	if (len == 0 || len > 63)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '-'))
			return false;
	return true;
}

static bool
qtype_valid(const char *s, size_t len)
{
	if (len == 0 || len > 16)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

/*
 * The path of the field being checked, kept as a chain on the stack and
 * rendered only when there is an error to report: validation of a valid
 * payload builds no strings.
 */
struct path {
	const struct path *up;
	const char *name;   /* member name, or NULL for an array index */
	size_t idx;
};

static void
path_render(const struct path *p, char *buf, size_t cap)
{
	const struct path *chain[PJSON_DEPTH_MAX * 2 + 4];
	size_t n = 0, len = 0;

	for (; p != NULL && n < sizeof(chain) / sizeof(chain[0]); p = p->up)
		chain[n++] = p;
	buf[0] = '\0';
	while (n-- > 0) {
		int w;
		if (chain[n]->name)
			w = snprintf(buf + len, cap - len, "%s%s", len ? "." : "",
			    chain[n]->name);
		else
			w = snprintf(buf + len, cap - len, "[%zu]", chain[n]->idx);
		if (w < 0 || (size_t)w >= cap - len)
			return;
		len += (size_t)w;
	}
}

/* Fail with "field '<path>': <message>". */
static enum proto_err
path_fail(char *reason, enum proto_err e, const struct path *p,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static enum proto_err
path_fail(char *reason, enum proto_err e, const struct path *p,
    const char *fmt, ...)
{
	char where[192], what[160];
	va_list ap;

	if (reason == NULL)
		return e;
	path_render(p, where, sizeof(where));
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return proto_fail(reason, e, "field '%s': %s", where, what);
}

static enum proto_err check_object(const struct pjson_doc *d, int obj,
    const struct schema_field *a, const struct schema_field *b,
    const struct path *at, char *reason);

/* About 80 lines: one case per schema type, each a few lines; a table of
 * checkers would only move the same cases apart. */
static enum proto_err
check_scalar(const struct pjson_doc *d, int v, enum schema_type t,
    const struct schema_field *f, const struct path *at, char *reason)
{
	const char *s, *why = NULL;
	unsigned char pk[KEY_PUBLIC_LEN];
	size_t len, n;
	long long i;

	switch (t) {
	case ST_STRING:
	case ST_ENUM:
	case ST_ID:
	case ST_ZONE:
	case ST_NET:
	case ST_QTYPE:
	case ST_KEY_B64:
		if (pjson_type(d, v) != PJSON_STRING)
			return path_fail(reason, PROTO_E_FIELD_TYPE, at,
			    "must be a string");
		s = pjson_str(d, v);
		len = pjson_strlen(d, v);
		break;
	case ST_INT:
		if (pjson_type(d, v) != PJSON_INT)
			return path_fail(reason, PROTO_E_FIELD_TYPE, at,
			    "must be an integer");
		i = pjson_int(d, v);
		if (i < f->min || i > f->max)
			return path_fail(reason, PROTO_E_FIELD_VALUE, at,
			    "%lld is outside [%lld, %lld]", i, f->min, f->max);
		return PROTO_OK;
	case ST_BOOL:
		if (pjson_type(d, v) != PJSON_TRUE && pjson_type(d, v) != PJSON_FALSE)
			return path_fail(reason, PROTO_E_FIELD_TYPE, at,
			    "must be true or false");
		return PROTO_OK;
	default:
		return path_fail(reason, PROTO_E_INVALID_ARG, at, "schema error");
	}

	switch (t) {
	case ST_STRING:
		if ((long long)len < f->min || (long long)len > f->max)
			return path_fail(reason, PROTO_E_FIELD_VALUE, at,
			    "length %zu is outside [%lld, %lld]", len, f->min, f->max);
		if (!string_clean(s, len))
			return path_fail(reason, PROTO_E_FIELD_VALUE, at,
			    "control or bidirectional formatting characters are "
			    "not allowed");
		return PROTO_OK;
	case ST_ENUM:
		if (strlen(s) != len || schema_enum_index(f->values, s) < 0)
			return path_fail(reason, PROTO_E_FIELD_VALUE, at,
			    "'%.32s' is not an allowed value", s);
		return PROTO_OK;
	case ST_ID:
		if (!encoding_is_id_hex(s))
			return path_fail(reason, PROTO_E_BAD_EVENT_ID, at,
			    "must be 64 lowercase hex digits");
		return PROTO_OK;
	case ST_ZONE:
		if (strlen(s) != len || !zone_name_valid(s, len, &why))
			return path_fail(reason, PROTO_E_BAD_ZONE, at, "%s",
			    why ? why : "NUL in name");
		return PROTO_OK;
	case ST_NET:
		if (strlen(s) != len || !net_valid(s, len))
			return path_fail(reason, PROTO_E_FIELD_VALUE, at,
			    "must be 1-63 characters of a-z 0-9 -");
		return PROTO_OK;
	case ST_QTYPE:
		if (strlen(s) != len || !qtype_valid(s, len))
			return path_fail(reason, PROTO_E_FIELD_VALUE, at,
			    "must be an RR type mnemonic (A-Z 0-9)");
		return PROTO_OK;
	case ST_KEY_B64:
		if (encoding_b64_decode_public(s, len, pk, sizeof(pk), &n) != 0 ||
		    n != KEY_PUBLIC_LEN)
			return path_fail(reason, PROTO_E_FIELD_VALUE, at,
			    "must be base64 of a %d-byte key", KEY_PUBLIC_LEN);
		return PROTO_OK;
	default:
		return PROTO_E_INVALID_ARG;
	}
}

static enum proto_err
check_array(const struct pjson_doc *d, int v, enum schema_type elem,
    const struct schema_field *f, const struct path *at, char *reason)
{
	struct path sub = { at, NULL, 0 };
	enum proto_err e;

	if (pjson_type(d, v) != PJSON_ARRAY)
		return path_fail(reason, PROTO_E_FIELD_TYPE, at, "must be an array");
	if (pjson_count(d, v) > f->max_items)
		return path_fail(reason, PROTO_E_FIELD_VALUE, at,
		    "%u items, at most %zu allowed", pjson_count(d, v), f->max_items);
	for (int x = pjson_first(d, v); x >= 0; x = pjson_next(d, v, x), sub.idx++) {
		if (elem == ST_OBJECT) {
			if (pjson_type(d, x) != PJSON_OBJECT)
				return path_fail(reason, PROTO_E_FIELD_TYPE, &sub,
				    "must be an object");
			e = check_object(d, x, f->sub, NULL, &sub, reason);
		} else
			e = check_scalar(d, x, elem, f, &sub, reason);
		if (e != PROTO_OK)
			return e;
	}
	return PROTO_OK;
}

static enum proto_err
check_value(const struct pjson_doc *d, int v, const struct schema_field *f,
    const struct path *at, char *reason)
{
	bool null = pjson_type(d, v) == PJSON_NULL;

	switch (f->type) {
	case ST_STRING_OR_NULL:
		return null ? PROTO_OK : check_scalar(d, v, ST_STRING, f, at, reason);
	case ST_INT_OR_NULL:
		return null ? PROTO_OK : check_scalar(d, v, ST_INT, f, at, reason);
	case ST_ID_OR_NULL:
		return null ? PROTO_OK : check_scalar(d, v, ST_ID, f, at, reason);
	case ST_INT_ARRAY:
		return check_array(d, v, ST_INT, f, at, reason);
	case ST_ID_ARRAY:
		return check_array(d, v, ST_ID, f, at, reason);
	case ST_ZONE_ARRAY:
		return check_array(d, v, ST_ZONE, f, at, reason);
	case ST_OBJECT_ARRAY:
		return check_array(d, v, ST_OBJECT, f, at, reason);
	case ST_OBJECT_OR_NULL:
		if (null)
			return PROTO_OK;
		/* FALLTHROUGH */
	case ST_OBJECT:
		if (pjson_type(d, v) != PJSON_OBJECT)
			return path_fail(reason, PROTO_E_FIELD_TYPE, at,
			    "must be an object");
		return check_object(d, v, f->sub, NULL, at, reason);
	default:
		return check_scalar(d, v, f->type, f, at, reason);
	}
}

static enum proto_err
check_object(const struct pjson_doc *d, int obj, const struct schema_field *a,
    const struct schema_field *b, const struct path *at, char *reason)
{
	const struct schema_field *tables[2] = { a, b };
	int known[64];  /* value nodes of the members the tables name */
	size_t nknown = 0;
	enum proto_err e;
	int hint = 0;

	for (int t = 0; t < 2; t++) {
		for (const struct schema_field *f = tables[t]; f && f->type != ST_END; f++) {
			struct path here = { at, f->name, 0 };
			int v = pjson_get_after(d, obj, f->name, &hint);
			if (v < 0) {
				if (f->required)
					return path_fail(reason, PROTO_E_MISSING_FIELD,
					    &here, "is required");
				continue;
			}
			if ((e = check_value(d, v, f, &here, reason)) != PROTO_OK)
				return e;
			if (nknown < sizeof(known) / sizeof(known[0]))
				known[nknown++] = v;
		}
	}
	if (nknown == pjson_count(d, obj))
		return PROTO_OK; /* every member is one the tables name */
	for (int k = pjson_first(d, obj); k >= 0; k = pjson_next(d, obj, k)) {
		const char *name = pjson_str(d, k);
		struct path here = { at, name, 0 };
		size_t i;
		for (i = 0; i < nknown && known[i] != k + 1; i++)
			;
		if (i < nknown || strncmp(name, "x_", 2) == 0)
			continue;
		return path_fail(reason, PROTO_E_UNKNOWN_FIELD, &here,
		    "is not defined in protocol v1 (extensions must start with x_)");
	}
	return PROTO_OK;
}

enum proto_err
schema_check(const struct pjson_doc *d, int obj, const struct schema_field *a,
    const struct schema_field *b, char *reason)
{
	return check_object(d, obj, a, b, NULL, reason);
}
