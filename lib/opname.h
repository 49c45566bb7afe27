/*
 * lib/opname.h — how an operator is named to people, everywhere: ntactl
 * status, watch and peers, Mattermost messages, the slash command, the
 * incident page and the relay's log lines.
 *
 * An operator has a local name when this relay's (or ntactl's) trust
 * database gives its pin one (`ntactl trust pin --name`, trustdb/names.h);
 * that name is shown alone ("isp-b"), or with the id in parentheses when
 * ids are asked for in full ("isp-b (<64 hex digits>)"). Without a local
 * name the id is shown (shortened to the caller's width, or in full), and
 * the key's self-declared name, if any, follows it as a hint marked
 * "~NAME?" ("a1b2c3d4e5f60718 ~op-b-root?"): a self-declared name is never
 * shown in the form of a local name. Names from a document are cleaned:
 * a byte outside A-Z a-z 0-9 . _ @ - becomes '?'.
 *
 * The JSON documents of the relay carry both names beside operator ids
 * ("local_name", "declared_name") and, in GET /v1/zones/{zone}, a list
 * "operator_names" for every operator id in the document (docs/API.md).
 *
 * Pure functions: no allocation, no I/O.
 */
#ifndef NTARELAY_LIB_OPNAME_H
#define NTARELAY_LIB_OPNAME_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define OPNAME_MAX 176   /* bytes of a rendered name, NUL included */

/*
 * Render operator idhex (hex digits; any text is cleaned) into out (len
 * bytes, OPNAME_MAX is always enough): local (or NULL), else the id cut to
 * idw characters (idw 0 or full: whole) and the hint " ~declared?" when
 * declared is not NULL or empty. full: the id in full, and after a local
 * name in parentheses. Returns out.
 */
char *opname_format(char *out, size_t len, const char *idhex,
    const char *local, const char *declared, size_t idw, bool full);

/*
 * The names of operator idhex in a zone document's "operator_names" list
 * (or an object with "local_name"/"declared_name" members when doc has no
 * such list); each NULL when absent.
 */
void opname_lookup(const json_t *doc, const char *idhex, const char **local,
    const char **declared);

/* opname_lookup() then opname_format(). */
char *opname_of(char *out, size_t len, const json_t *doc, const char *idhex,
    size_t idw, bool full);

#endif
