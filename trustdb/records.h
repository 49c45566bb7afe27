/*
 * trustdb/records.h — the contents of a trust database as plain data.
 *
 * trustdb_load() (trustdb/store.h) reads one consistent snapshot into this
 * form; the membership rules (trustdb/membership.h) and the explanation
 * (trustdb/explain.h) work on it without touching SQL. Every envelope here
 * was verified when it was imported; nothing here is trusted yet.
 *
 * This module must never print, exit or read the clock.
 */
#ifndef NTARELAY_TRUSTDB_RECORDS_H
#define NTARELAY_TRUSTDB_RECORDS_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/key.h"
#include "proto/kind.h"

/* A public key the database knows (pinned root or vouched/certified subject). */
struct trust_keyrec {
	unsigned char id[KEY_ID_LEN];
	unsigned char pk[KEY_PUBLIC_LEN];
	char name[KEY_NAME_MAX + 1];        /* "" when unnamed */
};

#define TRUST_LOCAL_NAME_MAX 32             /* trustdb/names.h */

/* A local pin of an operator root. */
struct trust_pin {
	unsigned char op[KEY_ID_LEN];
	char name[TRUST_LOCAL_NAME_MAX + 1];  /* local name, "" when none */
	char *zones;                        /* space-separated, "" for none; owned */
	long long created;
};

/* One stored vouch, unvouch, key_cert or key_revoke, as parsed columns. */
struct trust_stmt {
	enum kind kind;
	unsigned char id[KEY_ID_LEN];       /* event id */
	unsigned char origin[KEY_ID_LEN];
	unsigned char key[KEY_ID_LEN];      /* signing key */
	unsigned char subject[KEY_ID_LEN];
	long long seq, ts;
	bool has_exp;                       /* false for key_revoke */
	long long exp;
	long long not_before, not_after;    /* key_cert only */
	char *zones;                        /* vouch only: space-separated; owned */
	char *affiliation;                  /* vouch only, NULL when none; owned */
};

struct trust_records {
	struct trust_keyrec *keys;          /* sorted by id */
	size_t nkeys;
	struct trust_pin *pins;             /* sorted by op */
	size_t npins;
	struct trust_stmt *stmts;           /* in import order */
	size_t nstmts;
};

/* Free everything; NULL allowed. */
void trust_records_free(struct trust_records *r);

/* Borrowed pointer to the key with this id, or NULL. */
const struct trust_keyrec *trust_records_key(const struct trust_records *r,
    const unsigned char id[KEY_ID_LEN]);

/* Borrowed pointer to the pin of this operator, or NULL. */
const struct trust_pin *trust_records_pin(const struct trust_records *r,
    const unsigned char op[KEY_ID_LEN]);

/* True when the space-separated list holds zone (exact match). */
bool trust_zones_has(const char *list, const char *zone);

#endif
