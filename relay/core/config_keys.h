/*
 * relay/core/config_keys.h — inside ntarelay.conf's reader: the key table
 * and the parser state its setters share. Private to relay/core/config*.c.
 *
 * Every key of ntarelay.conf is one row of config_keys[] (config_keys.c):
 * its name, its flags (required, repeatable, link option, reloadable at
 * SIGHUP...), the setter that checks and stores its value, the field it
 * fills (offset and size in struct relay_config, or in struct config_link
 * for a link option), its range when numeric, its default as it would be
 * written in the file, and where its line number is kept. Adding a key is
 * one row here, one field in struct relay_config and its paragraph in
 * ntarelay.conf(5).
 *
 * Files: config_read.c (the lines: reading, splitting, dispatching,
 * whole-file rules, config_load), config_keys.c (the table, the defaults,
 * config_reload), config_value.c (single values: numbers, booleans, paths,
 * URLs, addresses), config_lists.c (repeatable keys: links and their
 * options, watch, affiliation_group).
 */
#ifndef NTARELAY_RELAY_CONFIG_KEYS_H
#define NTARELAY_RELAY_CONFIG_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "relay/core/config.h"

#define CONFIG_LINE_MAX 4096            /* bytes of one line, without its end */

/* flags of a key */
#define F_REQUIRED 0x01   /* must be given */
#define F_REPEAT 0x02     /* may be given more than once: a list */
#define F_LINKOPT 0x04    /* qualifies the link above; off is in config_link */
#define F_TLS 0x08        /* link option for mqtts:// only */
#define F_EMPTY 0x10      /* an empty value is allowed */
#define F_SPACES 0x20     /* the value may hold spaces (paths, lists) */
#define F_TEXT 0x40       /* the field is a NUL-terminated string */
#define F_RELOAD 0x80     /* applied at SIGHUP (config_reload copies it);
                             without it, a change needs a restart. Only for
                             fields every reader reads again at each use, or
                             whose owner the reload tells (watch, probe_*:
                             watch_reload()). */

struct parser;
struct config_key;

/* Check value v of key k and store it; 0, or -1 with the message set. */
typedef int config_setter(struct parser *p, const struct config_key *k,
    const char *v);

struct config_key {
	const char *name;
	unsigned flags;             /* F_* */
	config_setter *set;
	size_t off, size;           /* the field the value goes to */
	long long min, max;         /* numeric keys: the range */
	const char *def;            /* the default as written in the file, set
	                               by config_defaults(); NULL: zero/empty */
	size_t lineoff;             /* offset of an int in the same struct as
	                               off that keeps the key's line; 0 = none */
	/* composite values (lists, secrets): equal values in two
	   configurations, and copy from src to dst at a reload; NULL = the
	   field itself compared and copied */
	bool (*same)(const struct relay_config *a, const struct relay_config *b);
	void (*copy)(struct relay_config *dst, const struct relay_config *src);
};

extern const struct config_key config_keys[];
extern const size_t config_nkeys;

/* The key named name; NULL when there is none. */
const struct config_key *config_key_find(const char *name);

struct parser {
	const char *file;           /* as the caller wrote it, for messages */
	char dir[PATH_MAX];         /* absolute directory of the file */
	struct relay_config *cfg;
	int line;
	char *err;
	size_t errlen;
	int *seen;                  /* [config_nkeys]: line a key was first given on */
	int *lopt;                  /* [CONFIG_LINKS_MAX][config_nkeys]: the same,
	                               per link, for link options */
	int watch_line[CONFIG_WATCH_MAX];
	int group_line[CONFIG_GROUPS_MAX];
};

/* Line key name was first given on (0 = not given). */
int parser_seen(const struct parser *p, const char *name);

/* "FILE:LINE: message" (or "FILE: message" for line 0) into p->err; -1. */
int config_fail(struct parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The field of key k in cfg (or in the current link for a link option). */
void *config_field(struct parser *p, const struct config_key *k);

/* The link the last `link` line made. */
struct config_link *config_current_link(struct parser *p);

/* Helpers of the value setters, shared with the list setters. */
bool config_all_digits(const char *s, size_t n);
int config_resolve_path(struct parser *p, const char *name, const char *v,
    char *out);
int config_parse_hostport(struct parser *p, const char *key, const char *s,
    char *host, size_t cap, int *port, bool *ip);

/* setters: config_value.c */
config_setter set_net, set_path, set_http_listen, set_log_level, set_bool,
    set_log_facility,
    set_number, set_auto_number, set_quorum, set_probe_forward, set_url, set_mm_channel,
    set_mm_username, set_mm_kinds;
/* setters: config_lists.c */
config_setter set_link, set_link_path, set_link_client_id, set_watch,
    set_group;

/* comparisons and copies of composite values: config_lists.c */
bool config_links_same(const struct relay_config *a,
    const struct relay_config *b);
bool config_watch_same(const struct relay_config *a,
    const struct relay_config *b);
bool config_groups_same(const struct relay_config *a,
    const struct relay_config *b);
void config_groups_copy(struct relay_config *dst, const struct relay_config *src);
void config_watch_copy(struct relay_config *dst, const struct relay_config *src);

#endif
