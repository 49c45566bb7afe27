/*
 * proto/jsonutil.c — strict JSON loading.
 */
#include "proto/jsonutil.h"

enum proto_err
jsonutil_load(const char *buf, size_t len, enum proto_err malformed,
    const char *what, json_t **out, char *reason)
{
	json_error_t err;
	json_t *root;

	*out = NULL;
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);
	if (root == NULL) {
		if (json_error_code(&err) == json_error_duplicate_key)
			return proto_fail(reason, PROTO_E_DUPLICATE_KEY,
			    "%s: %s at offset %d", what, err.text, err.position);
		return proto_fail(reason, malformed, "%s: %s at offset %d",
		    what, err.text, err.position);
	}
	if (!json_is_object(root)) {
		json_decref(root);
		return proto_fail(reason, malformed, "%s: must be a JSON object",
		    what);
	}
	*out = root;
	return PROTO_OK;
}
