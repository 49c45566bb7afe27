/*
 * client/cmd_trust.h — what the files of `ntactl trust` share: the parsed
 * options, opening the database, and how an operator is named in their
 * output (client/cmd_trust.c: options, list, why, check, import, export;
 * client/cmd_trust_pin.c: pin, unpin, name).
 */
#ifndef NTARELAY_CLIENT_CMD_TRUST_H
#define NTARELAY_CLIENT_CMD_TRUST_H

#include <stdbool.h>

#include "lib/opname.h"
#include "proto/encoding.h"
#include "trustdb/db.h"
#include "trustdb/membership.h"
#include "trustdb/records.h"

#define TRUST_GROUPS_MAX 32
#define TRUST_GROUP_OPS_MAX 64

struct trust_opts {
	const char *db, *net, *zones, *name;
	bool json;
	bool force;    /* pin: a key some root certified as its relay key */
	long long now;
	struct trust_params params;
	struct trust_group groups[TRUST_GROUPS_MAX];
	unsigned char group_ids[TRUST_GROUPS_MAX][TRUST_GROUP_OPS_MAX][KEY_ID_LEN];
};

/* Open o->db (created when create), fixing --net; -1 (said) on failure. */
int trust_db_open(const struct trust_opts *o, bool create, struct trustdb **db);

/* id as 64 hex digits into buf; returns buf. */
char *trust_hex(const unsigned char id[KEY_ID_LEN], char buf[KEY_ID_HEX_LEN + 1]);

/* Key or operator id named for people from the snapshot: the pin's local
 * name, else "~self-declared?", else "-" (lib/opname.h). Returns out. */
const char *trust_shown_name(const struct trust_records *r,
    const unsigned char id[KEY_ID_LEN], char out[OPNAME_MAX]);

/* The commands of client/cmd_trust_pin.c. */
int trust_do_pin(const struct trust_opts *o, const char *arg);
int trust_do_unpin(const struct trust_opts *o, const char *arg);
int trust_do_name(const struct trust_opts *o, const char *op, const char *name);

#endif
