/*
 * trustdb/names.h — local names of pinned operators, and the check that a
 * key offered as an operator root is not a certified relay key.
 *
 * A key's own name (the `name` in its .pub file, struct trust_keyrec) is
 * self-declared: anyone may call their key "op-b-root". The local name is
 * the one this trust database gives a pin (`ntactl trust pin --name`,
 * `ntactl trust name`): 1-32 of a-z 0-9 . _ -, starting with a letter or a
 * digit, unique among the pins (the schema has a unique index on it).
 * People see the local name; a self-declared name only as a hint
 * (lib/opname.h renders both).
 *
 * Pure functions work on a snapshot (trustdb/records.h); trustdb_pin_name()
 * writes, in one transaction. This module must never print, exit, read the
 * clock or read globals.
 */
#ifndef NTARELAY_TRUSTDB_NAMES_H
#define NTARELAY_TRUSTDB_NAMES_H

#include <stdbool.h>

#include "proto/key.h"
#include "trustdb/db.h"
#include "trustdb/records.h"

/* True when name is a valid local name (1-32 of a-z 0-9 . _ -, first a
 * letter or digit, and not 8 or more hex digits alone, which would read
 * as an operator id). */
bool trust_local_name_valid(const char *name);

/* The pin holding local name name, or NULL (borrowed from r). */
const struct trust_pin *trust_records_pin_named(const struct trust_records *r,
    const char *name);

/*
 * The key_cert that makes key a relay key of another operator (its origin
 * certified key as a subject), or NULL when none does (borrowed from r).
 * The newest such certificate when there are several.
 */
const struct trust_stmt *trust_records_relay_cert(const struct trust_records *r,
    const unsigned char key[KEY_ID_LEN]);

/*
 * Give the pin of operator op the local name name (NULL or "": remove its
 * name). TRUSTDB_E_NOT_FOUND when op is not pinned; TRUSTDB_E_INVALID_ARG
 * when name is not a valid local name, or when another pin holds it (the
 * reason names that pin's operator id). Setting the name the pin already
 * has is a no-op.
 */
enum trustdb_err trustdb_pin_name(struct trustdb *db,
    const unsigned char op[KEY_ID_LEN], const char *name, char *reason);

#endif
