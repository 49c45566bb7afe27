/*
 * relay/core/config_keys.c — the keys of ntarelay.conf, one row each: the
 * public contract that ntarelay.conf(5) documents. From the table come the
 * parsing (config_read.c dispatches each line to its row's setter), the
 * defaults (config_defaults() runs each row's default through its setter)
 * and the reload (config_reload() copies the rows flagged F_RELOAD and
 * names the others that changed).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "relay/core/config_keys.h"

/* offset and size of a field of struct relay_config, of struct config_link */
#define CF(f) .off = offsetof(struct relay_config, f), \
	.size = sizeof(((struct relay_config *)0)->f)
#define LF(f) .off = offsetof(struct config_link, f), \
	.size = sizeof(((struct config_link *)0)->f)
/* where the line of a file-naming key is kept */
#define CL(f) .lineoff = offsetof(struct relay_config, line.f)
#define LL(f) .lineoff = offsetof(struct config_link, f)
#define KEY(n, fl, fn) .name = (n), .flags = (fl), .set = (fn)
#define RANGE(lo, hi) .min = (lo), .max = (hi)

static bool webhook_same(const struct relay_config *a,
    const struct relay_config *b);

/*
 * The public contract: ntarelay.conf(5) documents each of these, and
 * ntarelayd(8) (SIGNALS) the ones flagged F_RELOAD. The order is the
 * order "did you mean" prefers among equally close names. The default
 * control socket is put beside the store once the file is read
 * (config_read.c).
 */
const struct config_key config_keys[] = {
	{ KEY("net", F_REQUIRED | F_TEXT, set_net), CF(net), CL(net) },
	{ KEY("key", F_REQUIRED | F_SPACES | F_TEXT, set_path), CF(key),
	  CL(key) },
	{ KEY("cert", F_REQUIRED | F_EMPTY | F_SPACES | F_TEXT, set_path),
	  CF(cert), CL(cert) },
	{ KEY("trustdb", F_REQUIRED | F_SPACES | F_TEXT, set_path), CF(trustdb),
	  CL(trustdb) },
	{ KEY("store", F_REQUIRED | F_SPACES | F_TEXT, set_path), CF(store),
	  CL(store) },
	{ KEY("link", F_REQUIRED | F_REPEAT, set_link), CF(links),
	  .same = config_links_same },
	{ KEY("http_listen", F_REQUIRED | F_TEXT, set_http_listen),
	  CF(http_listen) },
	{ KEY("link_cafile", F_LINKOPT | F_TLS | F_SPACES | F_TEXT, set_link_path),
	  LF(cafile), LL(cafile_line) },
	{ KEY("link_certfile", F_LINKOPT | F_TLS | F_SPACES | F_TEXT, set_link_path),
	  LF(certfile), LL(certfile_line) },
	{ KEY("link_keyfile", F_LINKOPT | F_TLS | F_SPACES | F_TEXT, set_link_path),
	  LF(keyfile), LL(keyfile_line) },
	{ KEY("link_credentials", F_LINKOPT | F_SPACES | F_TEXT, set_link_path),
	  LF(credentials), LL(credentials_line) },
	{ KEY("link_client_id", F_LINKOPT | F_TEXT, set_link_client_id),
	  LF(client_id), LL(client_id_line) },
	{ KEY("watch", F_REPEAT | F_SPACES | F_RELOAD, set_watch), CF(watch),
	  .same = config_watch_same, .copy = config_watch_copy },
	{ KEY("log_level", F_RELOAD, set_log_level),
	  CF(log_level), .def = "info" },
	{ KEY("log_syslog", 0, set_bool), CF(log_syslog), .def = "no" },
	{ KEY("log_facility", 0, set_log_facility), CF(log_facility),
	  .def = "daemon" },
	{ KEY("heartbeat_interval", 0, set_number), CF(heartbeat_interval),
	  RANGE(10, 170), .def = "60" },
	{ KEY("clock_skew", F_RELOAD, set_number), CF(skew),
	  RANGE(0, 3600), .def = "300" },
	{ KEY("retention", F_RELOAD, set_number), CF(retention),
	  RANGE(3600, 31536000), .def = "604800" },
	{ KEY("rate_limit", F_RELOAD, set_number), CF(rate_limit),
	  RANGE(1, 100000), .def = "50" },
	/* above one backfill answer (1000 events) */
	{ KEY("rate_burst", F_RELOAD, set_number), CF(rate_burst),
	  RANGE(1, 1000000), .def = "2000" },
	{ KEY("vouch_threshold", F_RELOAD, set_number), CF(vouch_threshold),
	  RANGE(1, 100), .def = "2" },
	{ KEY("quorum", F_RELOAD, set_quorum), CF(quorum),
	  RANGE(2, 1000), .def = "auto" },
	{ KEY("quorum_evidence", F_RELOAD, set_number), CF(quorum_evidence),
	  RANGE(1, 1000), .def = "2" },
	{ KEY("resolve_after", F_RELOAD, set_number), CF(resolve_after),
	  RANGE(5, 86400), .def = "900" },
	{ KEY("affiliation_group", F_REPEAT | F_SPACES | F_RELOAD, set_group),
	  CF(groups), .same = config_groups_same, .copy = config_groups_copy },
	{ KEY("drain_timeout", 0, set_number), CF(drain_timeout),
	  RANGE(0, 60), .def = "5" },
	{ KEY("verify_workers", 0, set_auto_number), CF(verify_workers),
	  RANGE(0, 64), .def = "auto" },
	{ KEY("forward_delay", 0, set_number), CF(forward_delay),
	  RANGE(0, 60000), .def = "100" },
	{ KEY("http_token_file", F_SPACES | F_TEXT, set_path),
	  CF(http_token_file), CL(http_token_file) },
	{ KEY("probe_trust_anchor", F_SPACES | F_TEXT | F_RELOAD, set_path),
	  CF(probe_trust_anchor), CL(probe_trust_anchor) },
	{ KEY("probe_forward", F_TEXT | F_RELOAD, set_probe_forward),
	  CF(probe_forward) },
	{ KEY("probe_interval", F_RELOAD, set_number), CF(probe_interval),
	  RANGE(1, 3600), .def = "60" },
	{ KEY("nta_max_lifetime", F_RELOAD, set_number), CF(nta_max_lifetime),
	  RANGE(60, 604800), .def = "604800" },
	{ KEY("veto_attack_assessment", F_RELOAD, set_bool),
	  CF(veto_attack_assessment), .def = "yes" },
	{ KEY("veto_unbacked", F_RELOAD, set_bool),
	  CF(veto_unbacked), .def = "no" },
	{ KEY("veto_zone_statement", F_RELOAD, set_bool),
	  CF(veto_zone_statement),
	  .def = "yes" },
	{ KEY("control_socket", F_EMPTY | F_SPACES | F_TEXT, set_path),
	  CF(control_socket), CL(control_socket) },
	{ KEY("status_page", 0, set_bool), CF(status_page), .def = "no" },
	{ KEY("public_url", F_TEXT, set_url), CF(public_url) },
	{ KEY("mattermost_webhook", F_TEXT, set_url), CF(mattermost_webhook),
	  .same = webhook_same },
	{ KEY("mattermost_url", F_TEXT, set_url), CF(mattermost_url) },
	{ KEY("mattermost_token_file", F_SPACES | F_TEXT, set_path),
	  CF(mattermost_token_file), CL(mattermost_token_file) },
	{ KEY("mattermost_channel", F_TEXT, set_mm_channel),
	  CF(mattermost_channel) },
	{ KEY("mattermost_slash_token_file", F_SPACES | F_TEXT, set_path),
	  CF(mattermost_slash_token_file), CL(mattermost_slash_token_file) },
	{ KEY("mattermost_username", F_TEXT, set_mm_username),
	  CF(mattermost_username), .def = "ntarelay" },
	{ KEY("mattermost_icon_url", F_TEXT, set_url),
	  CF(mattermost_icon_url) },
	{ KEY("mattermost_kinds", F_SPACES, set_mm_kinds), CF(mattermost_kinds),
	  .def = "assessment,zone_statement,withdraw" },
	{ KEY("mattermost_rate", 0, set_number), CF(mattermost_rate),
	  RANGE(1, 6000), .def = "30" },
	{ KEY("mattermost_queue_max", 0, set_number), CF(mattermost_queue_max),
	  RANGE(10, 1000000), .def = "10000" },
	{ KEY("sync_wait", 0, set_number), CF(sync_wait),
	  RANGE(0, 3600), .def = "120" },
	{ KEY("zone_keys_per_operator", 0, set_number),
	  CF(zone_keys_per_operator),
	  RANGE(1, 128), .def = "8" },
	{ KEY("zone_events_per_operator", 0, set_number),
	  CF(zone_events_per_operator),
	  RANGE(16, 100000), .def = "512" },
	{ KEY("core_dumps", 0, set_bool), CF(core_dumps), .def = "no" },
};

const size_t config_nkeys = sizeof(config_keys) / sizeof(config_keys[0]);

const struct config_key *
config_key_find(const char *name)
{
	for (size_t i = 0; i < config_nkeys; i++)
		if (strcmp(config_keys[i].name, name) == 0)
			return &config_keys[i];
	return NULL;
}

/* The running configuration holds no webhook URL (a credential, moved to
 * the notifier's locked memory): compare the digests config_load() took. */
static bool
webhook_same(const struct relay_config *a, const struct relay_config *b)
{
	return sodium_memcmp(a->mattermost_webhook_digest,
	    b->mattermost_webhook_digest, sizeof(a->mattermost_webhook_digest)) == 0;
}

/*
 * The defaults are the table's, written as in the file and read by the
 * same setters: what an empty file gives, without the required keys. A
 * default its own setter refuses is a mistake in the table, which
 * tests/unit/test_config_parse.c catches (config_defaults_ok()).
 */
static int
apply_defaults(struct relay_config *cfg)
{
	char err[CONFIG_ERR_MAX];
	struct parser p = { .file = "(defaults)", .cfg = cfg, .err = err,
	    .errlen = sizeof(err) };
	int rc = 0;

	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < config_nkeys; i++)
		if (config_keys[i].def != NULL &&
		    config_keys[i].set(&p, &config_keys[i], config_keys[i].def) != 0)
			rc = -1;
	return rc;
}

void
config_defaults(struct relay_config *cfg)
{
	(void)apply_defaults(cfg);
}

int
config_defaults_ok(void)
{
	struct relay_config *cfg = calloc(1, sizeof(*cfg));
	int rc;

	if (cfg == NULL)
		return -1;
	rc = apply_defaults(cfg);
	free(cfg);
	return rc;
}

/* The field of key k, or of link i for a link option, in cfg. */
static const char *
field_of(const struct config_key *k, const struct relay_config *cfg, size_t i)
{
	if (k->flags & F_LINKOPT)
		return (const char *)&cfg->links[i] + k->off;
	return (const char *)cfg + k->off;
}

static bool
field_same(const struct config_key *k, const struct relay_config *a,
    const struct relay_config *b, size_t i)
{
	const char *fa = field_of(k, a, i), *fb = field_of(k, b, i);

	if (k->flags & F_TEXT)
		return strncmp(fa, fb, k->size) == 0;
	return memcmp(fa, fb, k->size) == 0;
}

/* Whether key k has the same value in a and b. A link option compares on
 * the links both have (a link more or less is the `link` key's change). */
static bool
key_same(const struct config_key *k, const struct relay_config *a,
    const struct relay_config *b)
{
	if (k->same)
		return k->same(a, b);
	if (k->flags & F_LINKOPT) {
		size_t n = a->nlinks < b->nlinks ? a->nlinks : b->nlinks;

		for (size_t i = 0; i < n; i++)
			if (!field_same(k, a, b, i))
				return false;
		return true;
	}
	return field_same(k, a, b, 0);
}

size_t
config_reload(struct relay_config *run, const struct relay_config *fresh,
    const char **changed, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];

		if (k->flags & F_RELOAD) {
			if (k->copy)
				k->copy(run, fresh);
			else
				memcpy((char *)run + k->off,
				    (const char *)fresh + k->off, k->size);
		} else if (!key_same(k, run, fresh)) {
			if (n < cap)
				changed[n] = k->name;
			n++;
		}
	}
	return n;
}
