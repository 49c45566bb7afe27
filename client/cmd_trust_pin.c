/*
 * client/cmd_trust_pin.c — ntactl trust pin, unpin and name: the local
 * pins of operator roots and their local names (trustdb/names.h).
 *
 * A pin refuses (exit 1) a key the database knows as another operator's
 * certified relay key, and a local name another pin holds; both say what
 * to do instead. Pinning a pinned key again replaces its zones and, with
 * --name, renames it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/cli.h"
#include "client/cmd_trust.h"
#include "proto/zone.h"
#include "trustdb/names.h"
#include "trustdb/store.h"

const char *
trust_shown_name(const struct trust_records *r,
    const unsigned char id[KEY_ID_LEN], char out[OPNAME_MAX])
{
	const struct trust_pin *p = trust_records_pin(r, id);
	const struct trust_keyrec *k = trust_records_key(r, id);

	if (p != NULL && p->name[0]) {
		snprintf(out, OPNAME_MAX, "%s", p->name);   /* checked when set */
		return out;
	}
	if (k == NULL || k->name[0] == '\0')
		return "-";
	/* the hint alone: the id is printed beside it already */
	snprintf(out, OPNAME_MAX, "~%.63s?", k->name);
	for (char *c = out + 1; *c && c[1]; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' ||
		    *c == '-' || *c == '@'))
			*c = '?';
	return out;
}

static const char *
utc(long long t, char buf[32])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t >= TRUST_FOREVER)
		return "never";
	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, 32, "%lld", t);
	return buf;
}

/*
 * Refuse (CLI_NO, said) a pin of id when the database knows it as a relay
 * key another root certified, or when name is another pin's; else CLI_OK.
 */
static int
pin_refused(const struct trust_records *r, const unsigned char id[KEY_ID_LEN],
    const char *name, bool force)
{
	const struct trust_stmt *cert = trust_records_relay_cert(r, id);
	const struct trust_pin *holder = trust_records_pin_named(r, name);
	char h[KEY_ID_HEX_LEN + 1], o[KEY_ID_HEX_LEN + 1], who[OPNAME_MAX];
	char t1[32], t2[32];

	/* Any root can sign a key_cert for any key (the consent rule makes it
	 * count only in that root's own events): a hostile root certifying an
	 * operator's real root must not block its pin for good, so --force,
	 * after an out-of-band check, pins it anyway. */
	if (cert != NULL && trust_records_pin(r, id) == NULL && !force) {
		const struct trust_pin *p = trust_records_pin(r, cert->origin);
		const struct trust_keyrec *k = trust_records_key(r, cert->origin);
		opname_format(who, sizeof(who), trust_hex(cert->origin, o),
		    p ? p->name : NULL, k ? k->name : NULL, 16, false);
		cli_err("trust pin: %.16s is operator %s's relay key (certified "
		    "by its root %.16s from %s to %s), not an operator root: pin "
		    "%s's root key instead (if you checked out of band that it is "
		    "an operator's root, someone certified it as a relay key: "
		    "pin it with --force)", trust_hex(id, h), who, o,
		    utc(cert->not_before, t1), utc(cert->not_after, t2), who);
		return CLI_NO;
	}
	if (holder != NULL && memcmp(holder->op, id, KEY_ID_LEN) != 0) {
		cli_err("trust pin: local name '%s' is taken: operator %s holds "
		    "it (choose another name, or rename that pin with 'ntactl "
		    "trust name')", name, trust_hex(holder->op, h));
		return CLI_NO;
	}
	return CLI_OK;
}

/* --zones into norm/zones; the count, or -1 (said). */
static int
pin_zones(const char *arg, char norm[][ZONE_TEXT_MAX + 1], const char **zones)
{
	char *copy, *tok, *save = NULL;
	const char *why;
	int nz = 0;

	if (arg == NULL)
		return 0;
	if ((copy = strdup(arg)) == NULL)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (nz == TRUSTDB_PIN_ZONES_MAX) {
			cli_err("trust pin: at most %d zones", TRUSTDB_PIN_ZONES_MAX);
			nz = -1;
			break;
		}
		if (zone_name_normalise(tok, norm[nz], &why) != 0) {
			cli_err("trust pin: --zones: '%s': %s", tok, why);
			nz = -1;
			break;
		}
		zones[nz] = norm[nz];
		nz++;
	}
	free(copy);
	return nz;
}

int
trust_do_pin(const struct trust_opts *o, const char *arg)
{
	char reason[TRUSTDB_REASON_MAX], h[KEY_ID_HEX_LEN + 1], shown[OPNAME_MAX];
	char norm[TRUSTDB_PIN_ZONES_MAX][ZONE_TEXT_MAX + 1];
	const char *zones[TRUSTDB_PIN_ZONES_MAX];
	struct trust_records *r = NULL;
	struct trustdb *db = NULL;
	struct key_public pub;
	enum trustdb_err e;
	int nz, rc = CLI_ERR;

	if (key_public_load(arg, &pub, reason) != PROTO_OK) {
		cli_err("trust pin: %s", reason);
		return CLI_ERR;
	}
	if (o->name != NULL && !trust_local_name_valid(o->name)) {
		cli_err("trust pin: --name '%s': use 1-32 of a-z 0-9 . _ -, "
		    "starting with a letter or a digit (not 8 or more hex digits "
		    "alone)", o->name);
		return CLI_ERR;
	}
	if ((nz = pin_zones(o->zones, norm, zones)) < 0)
		return CLI_ERR;
	if (trust_db_open(o, true, &db) != 0)
		goto out;
	if (trustdb_load(db, &r, reason) != TRUSTDB_OK) {
		cli_err("trust pin: %s", reason);
		goto out;
	}
	if ((rc = pin_refused(r, pub.id, o->name, o->force)) != CLI_OK)
		goto out;
	rc = CLI_ERR;
	if (trustdb_pin(db, &pub, zones, (size_t)nz, o->now, reason) != TRUSTDB_OK) {
		cli_err("trust pin: %s", reason);
		goto out;
	}
	if (o->name != NULL &&
	    (e = trustdb_pin_name(db, pub.id, o->name, reason)) != TRUSTDB_OK) {
		cli_err("trust pin: pinned, but not named: %s", reason);
		rc = e == TRUSTDB_E_INVALID_ARG ? CLI_NO : CLI_ERR;
		goto out;
	}
	trust_records_free(r);
	r = NULL;
	if (trustdb_load(db, &r, reason) != TRUSTDB_OK) {
		cli_err("trust pin: %s", reason);
		goto out;
	}
	printf("pinned operator %s %s%s\n", trust_hex(pub.id, h),
	    trust_shown_name(r, pub.id, shown), trust_records_pin(r, pub.id) &&
	    trust_records_pin(r, pub.id)->name[0] ? "" :
	    " (no local name: give it one with --name)");
	rc = CLI_OK;
out:
	trust_records_free(r);
	trustdb_close(db);
	return rc;
}

int
trust_do_unpin(const struct trust_opts *o, const char *arg)
{
	char reason[PROTO_REASON_MAX], h[KEY_ID_HEX_LEN + 1];
	struct trustdb *db = NULL;
	struct key_public pub;
	enum trustdb_err e;
	bool has_pk;
	int rc = CLI_ERR;

	if (key_arg_parse(arg, &pub, &has_pk, reason) != PROTO_OK) {
		cli_err("trust unpin: %s", reason);
		return CLI_ERR;
	}
	if (trust_db_open(o, false, &db) != 0)
		return CLI_ERR;
	if ((e = trustdb_unpin(db, pub.id, reason)) != TRUSTDB_OK) {
		cli_err("trust unpin: %s", reason);
		rc = e == TRUSTDB_E_NOT_FOUND ? CLI_NO : CLI_ERR;
	} else {
		printf("unpinned operator %s\n", trust_hex(pub.id, h));
		rc = CLI_OK;
	}
	trustdb_close(db);
	return rc;
}

/* trust name OPERATOR NAME: name (or with "-" unname) a pinned operator. */
int
trust_do_name(const struct trust_opts *o, const char *op, const char *name)
{
	char reason[TRUSTDB_REASON_MAX], h[KEY_ID_HEX_LEN + 1];
	struct trustdb *db = NULL;
	struct key_public pub;
	enum trustdb_err e;
	bool has_pk, clear = strcmp(name, "-") == 0;
	int rc = CLI_ERR;

	if (key_arg_parse(op, &pub, &has_pk, reason) != PROTO_OK) {
		cli_err("trust name: %s", reason);
		return CLI_ERR;
	}
	if (!clear && !trust_local_name_valid(name)) {
		cli_err("trust name: '%s': use 1-32 of a-z 0-9 . _ -, starting "
		    "with a letter or a digit (not 8 or more hex digits alone)",
		    name);
		return CLI_ERR;
	}
	if (trust_db_open(o, false, &db) != 0)
		return CLI_ERR;
	if ((e = trustdb_pin_name(db, pub.id, clear ? NULL : name, reason)) !=
	    TRUSTDB_OK) {
		cli_err("trust name: %s", reason);
		rc = e == TRUSTDB_E_NOT_FOUND || e == TRUSTDB_E_INVALID_ARG ?
		    CLI_NO : CLI_ERR;
	} else {
		if (clear)
			printf("operator %s has no local name now\n", trust_hex(pub.id, h));
		else
			printf("operator %s is named %s\n", trust_hex(pub.id, h), name);
		rc = CLI_OK;
	}
	trustdb_close(db);
	return rc;
}
