/*
 * proto/schema.c — table-driven strict JSON validation.
 */
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

static enum proto_err check_value(json_t *v, const struct schema_field *f,
    const char *path, char *reason);

static enum proto_err
check_scalar(json_t *v, enum schema_type t, const struct schema_field *f,
    const char *path, char *reason)
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
		if (!json_is_string(v))
			return proto_fail(reason, PROTO_E_FIELD_TYPE,
			    "field '%s': must be a string", path);
		s = json_string_value(v);
		len = json_string_length(v);
		break;
	case ST_INT:
		if (!json_is_integer(v))
			return proto_fail(reason, PROTO_E_FIELD_TYPE,
			    "field '%s': must be an integer", path);
		i = json_integer_value(v);
		if (i < f->min || i > f->max)
			return proto_fail(reason, PROTO_E_FIELD_VALUE,
			    "field '%s': %lld is outside [%lld, %lld]", path, i,
			    f->min, f->max);
		return PROTO_OK;
	case ST_BOOL:
		if (!json_is_boolean(v))
			return proto_fail(reason, PROTO_E_FIELD_TYPE,
			    "field '%s': must be true or false", path);
		return PROTO_OK;
	default:
		return proto_fail(reason, PROTO_E_INVALID_ARG,
		    "field '%s': schema error", path);
	}

	switch (t) {
	case ST_STRING:
		if ((long long)len < f->min || (long long)len > f->max)
			return proto_fail(reason, PROTO_E_FIELD_VALUE,
			    "field '%s': length %zu is outside [%lld, %lld]",
			    path, len, f->min, f->max);
		if (!string_clean(s, len))
			return proto_fail(reason, PROTO_E_FIELD_VALUE,
			    "field '%s': control characters are not allowed", path);
		return PROTO_OK;
	case ST_ENUM:
		if (strlen(s) != len || schema_enum_index(f->values, s) < 0)
			return proto_fail(reason, PROTO_E_FIELD_VALUE,
			    "field '%s': '%.32s' is not an allowed value", path, s);
		return PROTO_OK;
	case ST_ID:
		if (!encoding_is_id_hex(s))
			return proto_fail(reason, PROTO_E_BAD_EVENT_ID,
			    "field '%s': must be 64 lowercase hex digits", path);
		return PROTO_OK;
	case ST_ZONE:
		if (strlen(s) != len || !zone_name_valid(s, len, &why))
			return proto_fail(reason, PROTO_E_BAD_ZONE,
			    "field '%s': %s", path, why ? why : "NUL in name");
		return PROTO_OK;
	case ST_NET:
		if (strlen(s) != len || !net_valid(s, len))
			return proto_fail(reason, PROTO_E_FIELD_VALUE,
			    "field '%s': must be 1-63 characters of a-z 0-9 -", path);
		return PROTO_OK;
	case ST_QTYPE:
		if (strlen(s) != len || !qtype_valid(s, len))
			return proto_fail(reason, PROTO_E_FIELD_VALUE,
			    "field '%s': must be an RR type mnemonic (A-Z 0-9)", path);
		return PROTO_OK;
	case ST_KEY_B64:
		if (encoding_b64_decode(s, len, pk, sizeof(pk), &n) != 0 ||
		    n != KEY_PUBLIC_LEN)
			return proto_fail(reason, PROTO_E_FIELD_VALUE,
			    "field '%s': must be base64 of a %d-byte key", path,
			    KEY_PUBLIC_LEN);
		return PROTO_OK;
	default:
		return PROTO_E_INVALID_ARG;
	}
}

static enum proto_err
check_array(json_t *v, enum schema_type elem, const struct schema_field *f,
    const char *path, char *reason)
{
	char sub[192];
	enum proto_err e;
	size_t idx;
	json_t *x;

	if (!json_is_array(v))
		return proto_fail(reason, PROTO_E_FIELD_TYPE,
		    "field '%s': must be an array", path);
	if (json_array_size(v) > f->max_items)
		return proto_fail(reason, PROTO_E_FIELD_VALUE,
		    "field '%s': %zu items, at most %zu allowed", path,
		    json_array_size(v), f->max_items);
	json_array_foreach(v, idx, x) {
		snprintf(sub, sizeof(sub), "%s[%zu]", path, idx);
		if (elem == ST_OBJECT)
			e = check_value(x, &(struct schema_field){ .type = ST_OBJECT,
			    .sub = f->sub }, sub, reason);
		else
			e = check_scalar(x, elem, f, sub, reason);
		if (e != PROTO_OK)
			return e;
	}
	return PROTO_OK;
}

static enum proto_err
check_value(json_t *v, const struct schema_field *f, const char *path,
    char *reason)
{
	switch (f->type) {
	case ST_STRING_OR_NULL:
		return json_is_null(v) ? PROTO_OK :
		    check_scalar(v, ST_STRING, f, path, reason);
	case ST_INT_OR_NULL:
		return json_is_null(v) ? PROTO_OK :
		    check_scalar(v, ST_INT, f, path, reason);
	case ST_ID_OR_NULL:
		return json_is_null(v) ? PROTO_OK :
		    check_scalar(v, ST_ID, f, path, reason);
	case ST_INT_ARRAY:
		return check_array(v, ST_INT, f, path, reason);
	case ST_ID_ARRAY:
		return check_array(v, ST_ID, f, path, reason);
	case ST_ZONE_ARRAY:
		return check_array(v, ST_ZONE, f, path, reason);
	case ST_OBJECT_ARRAY:
		return check_array(v, ST_OBJECT, f, path, reason);
	case ST_OBJECT_OR_NULL:
		if (json_is_null(v))
			return PROTO_OK;
		/* FALLTHROUGH */
	case ST_OBJECT:
		if (!json_is_object(v))
			return proto_fail(reason, PROTO_E_FIELD_TYPE,
			    "field '%s': must be an object", path);
		return schema_check(v, f->sub, NULL, path, reason);
	default:
		return check_scalar(v, f->type, f, path, reason);
	}
}

static bool
in_table(const struct schema_field *t, const char *name)
{
	for (; t && t->type != ST_END; t++)
		if (strcmp(t->name, name) == 0)
			return true;
	return false;
}

enum proto_err
schema_check(json_t *obj, const struct schema_field *a,
    const struct schema_field *b, const char *where, char *reason)
{
	const struct schema_field *tables[2] = { a, b };
	char path[192];
	enum proto_err e;
	const char *k;
	json_t *v;

	for (int t = 0; t < 2; t++) {
		for (const struct schema_field *f = tables[t]; f && f->type != ST_END; f++) {
			snprintf(path, sizeof(path), "%s%s%s", where,
			    *where ? "." : "", f->name);
			v = json_object_get(obj, f->name);
			if (v == NULL) {
				if (f->required)
					return proto_fail(reason, PROTO_E_MISSING_FIELD,
					    "field '%s' is required", path);
				continue;
			}
			if ((e = check_value(v, f, path, reason)) != PROTO_OK)
				return e;
		}
	}
	json_object_foreach(obj, k, v) {
		if (in_table(a, k) || in_table(b, k))
			continue;
		if (strncmp(k, "x_", 2) == 0)
			continue;
		return proto_fail(reason, PROTO_E_UNKNOWN_FIELD,
		    "field '%s%s%.64s' is not defined in protocol v1 "
		    "(extensions must start with x_)", where, *where ? "." : "", k);
	}
	return PROTO_OK;
}
