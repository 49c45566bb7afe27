/*
 * proto/jsonutil.h — strict JSON loading for envelopes and payloads.
 *
 * One JSON object, UTF-8, no duplicate member names, no NUL in strings,
 * nothing but whitespace after it. jansson bounds the nesting depth.
 */
#ifndef NTARELAY_PROTO_JSONUTIL_H
#define NTARELAY_PROTO_JSONUTIL_H

#include <stddef.h>

#include <jansson.h>

#include "proto/error.h"

/*
 * Load buf as one JSON object into *out (new reference). A syntax error is
 * reported as `malformed` (the caller's code for "this layer is not JSON"),
 * a repeated member as PROTO_E_DUPLICATE_KEY; what names the layer in the
 * reason ("envelope", "payload").
 */
enum proto_err jsonutil_load(const char *buf, size_t len,
    enum proto_err malformed, const char *what, json_t **out, char *reason);

#endif
