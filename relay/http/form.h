/*
 * relay/http/form.h — application/x-www-form-urlencoded bodies (HTML forms,
 * Mattermost's slash command requests): one value at a time, decoded into
 * the caller's buffer, with no allocation.
 *
 * Strict where ambiguity could hurt: a malformed escape, a decoded NUL, a
 * value too long for the buffer or a name given twice make the whole
 * lookup fail rather than guess.
 */
#ifndef NTARELAY_RELAY_FORM_H
#define NTARELAY_RELAY_FORM_H

#include <stddef.h>

#define FORM_NAME_MAX 63      /* longer names are never matched */

/*
 * Find `name` in body (len bytes, need not be NUL-terminated) and decode
 * its value ('+' is a space, %XX a byte) into out (cap bytes,
 * NUL-terminated; "" when absent). Returns 1 found, 0 absent, -1
 * malformed (a bad escape, a NUL, a value of cap bytes or more, the name
 * given twice).
 */
int form_value(const char *body, size_t len, const char *name, char *out,
    size_t cap);

#endif
