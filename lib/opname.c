/*
 * lib/opname.c — operators' names for people (lib/opname.h).
 */
#include <stdio.h>
#include <string.h>

#include "lib/opname.h"

/* Append at most max bytes of s to out (at *n), cleaned. */
static void
put_clean(char *out, size_t len, size_t *n, const char *s, size_t max)
{
	for (size_t i = 0; s[i] && i < max && *n + 1 < len; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
		    c == '@';
		out[(*n)++] = ok ? c : '?';
	}
	out[*n] = '\0';
}

/* Append s as it is (our own punctuation). */
static void
put_raw(char *out, size_t len, size_t *n, const char *s)
{
	for (size_t i = 0; s[i] && *n + 1 < len; i++)
		out[(*n)++] = s[i];
	out[*n] = '\0';
}

char *
opname_format(char *out, size_t len, const char *idhex, const char *local,
    const char *declared, size_t idw, bool full)
{
	size_t n = 0;

	if (len == 0)
		return out;
	out[0] = '\0';
	if (idhex == NULL)
		idhex = "-";
	if (full || idw == 0)
		idw = strlen(idhex);
	if (local != NULL && *local != '\0') {
		put_clean(out, len, &n, local, 32);
		if (full) {
			put_raw(out, len, &n, " (");
			put_clean(out, len, &n, idhex, idw);
			if (n + 2 <= len) {
				out[n++] = ')';
				out[n] = '\0';
			}
		}
		return out;
	}
	put_clean(out, len, &n, idhex, idw);
	if (declared != NULL && *declared != '\0') {
		put_raw(out, len, &n, " ~");
		put_clean(out, len, &n, declared, 63);
		if (n + 2 <= len) {
			out[n++] = '?';
			out[n] = '\0';
		}
	}
	return out;
}

void
opname_lookup(const json_t *doc, const char *idhex, const char **local,
    const char **declared)
{
	const json_t *list = json_object_get(doc, "operator_names"), *e;
	size_t i;

	*local = *declared = NULL;
	if (idhex == NULL)
		return;
	if (!json_is_array(list)) {
		*local = json_string_value(json_object_get(doc, "local_name"));
		*declared = json_string_value(json_object_get(doc, "declared_name"));
		return;
	}
	json_array_foreach(list, i, e) {
		const char *id = json_string_value(json_object_get(e, "operator"));
		if (id != NULL && strcmp(id, idhex) == 0) {
			*local = json_string_value(json_object_get(e, "local_name"));
			*declared = json_string_value(json_object_get(e,
			    "declared_name"));
			return;
		}
	}
}

char *
opname_of(char *out, size_t len, const json_t *doc, const char *idhex,
    size_t idw, bool full)
{
	const char *local, *declared;

	opname_lookup(doc, idhex, &local, &declared);
	return opname_format(out, len, idhex, local, declared, idw, full);
}
