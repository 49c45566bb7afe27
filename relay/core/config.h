/*
 * relay/core/config.h — ntarelay.conf: the relay's configuration file.
 *
 * Syntax, as mosquitto.conf and unbound.conf: one "key value" per line
 * (key, whitespace, the rest of the line is the value, trailing
 * whitespace trimmed), '#' starts a comment line, blank lines ignored,
 * repeated keys make lists. Options that qualify a link (link_cafile,
 * link_certfile, link_keyfile, link_credentials, link_client_id) apply to
 * the most recent `link` line above them, as bridge options follow
 * `connection` in mosquitto.conf.
 *
 * Lines are at most 4096 bytes; "\r\n" endings and a UTF-8 byte order
 * mark at the start of the file are accepted; NUL and other control
 * characters (but tab) are refused. A '#' inside a line is part of the
 * value, so single-word values refuse inner whitespace (which catches a
 * comment written after a value). Relative paths are resolved against the
 * directory the configuration file is named in (a symbolic link to the
 * file does not move it).
 *
 * Every key, its default and its meaning is documented in
 * ntarelay.conf(5) (docs/man/ntarelay.conf.5); the two must agree. The
 * keys are rows of one table (relay/core/config_keys.c): adding a key is a
 * row there, a field here and its paragraph in the man page.
 *
 * config_load() never exits and never logs: it returns -1 with
 * "FILE:LINE: message" in the caller's buffer.
 */
#ifndef NTARELAY_RELAY_CONFIG_H
#define NTARELAY_RELAY_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "proto/zone.h"
#include "relay/core/log.h"

/* Where operators look for it, whatever the installation prefix (the
 * systemd unit and the man pages name it). */
#define CONFIG_DEFAULT_PATH "/etc/ntarelay/ntarelay.conf"

#define CONFIG_LINKS_MAX 16
#define CONFIG_WATCH_MAX 256
#define CONFIG_WATCH_NAMES_MAX 8    /* watch ZONE NAME...: names per zone */
#define CONFIG_WATCH_NAMES_TOTAL 512 /* names of all watch lines together */
#define CONFIG_GROUPS_MAX 32
#define CONFIG_GROUP_MEMBERS_MAX 16
#define CONFIG_ERR_MAX 512
#define CONFIG_TOKEN_MIN 16        /* http_token_file: characters */
#define CONFIG_TOKEN_MAX 1024

struct config_link {
	char url[300];              /* as written: mqtt://HOST:PORT or mqtts://HOST:PORT */
	char host[256];             /* hostname or address; IPv6 written [::1] in the URL */
	int port;                   /* 1..65535; default 1883 (mqtt) or 8883 (mqtts) */
	bool tls;                   /* mqtts:// */
	char cafile[PATH_MAX];      /* link_cafile: CA bundle for mqtts ("" = system) */
	char certfile[PATH_MAX];    /* link_certfile: client certificate (mutual TLS) */
	char keyfile[PATH_MAX];     /* link_keyfile: its private key */
	char credentials[PATH_MAX]; /* link_credentials: file "USERNAME:PASSWORD" */
	char client_id[24];         /* link_client_id; "" = derived from the relay key */
	int line;                   /* line of the `link` key, for messages */
	/* lines of its options (0 = not given), for config_check_files() */
	int cafile_line, certfile_line, keyfile_line, credentials_line,
	    client_id_line;
};

struct config_group {               /* affiliation_group: operators counted as one */
	char members[CONFIG_GROUP_MEMBERS_MAX][65]; /* operator ids, 64 hex */
	size_t n;
};

/* Where each file-naming key was given (0 = not given), so that
 * config_check_files() can name the line of the key it refuses. */
struct config_lines {
	int net, key, cert, trustdb, store, http_token_file, probe_trust_anchor;
	int control_socket, mattermost_token_file, mattermost_slash_token_file;
};

struct relay_config {
	char path[PATH_MAX];        /* the file loaded (absolute) */
	struct config_lines line;

	/* required */
	char net[64];               /* net: federation name (1-63 of a-z 0-9 -) */
	char key[PATH_MAX];         /* key: the relay's secret key file */
	char cert[PATH_MAX];        /* cert: key_cert envelope certifying it ("" only
	                               when key is a root key) */
	char trustdb[PATH_MAX];     /* trustdb: trust database file */
	char store[PATH_MAX];       /* store: event store file */
	struct config_link links[CONFIG_LINKS_MAX]; /* link (repeatable, >= 1) */
	size_t nlinks;
	char http_listen[80];       /* http_listen: ADDR:PORT, [ADDR6]:PORT, as
	                               127.0.0.1:8053; IP literals only */
	char http_addr[64];         /* parsed from http_listen */
	int http_port;

	/* optional */
	char watch[CONFIG_WATCH_MAX][ZONE_TEXT_MAX + 1]; /* watch (repeatable): zones */
	size_t nwatch;
	/* watch ZONE NAME...: the names the probe also asks (A) in watch[i]
	   are watch_names[watch_name0[i]] .. [watch_name0[i] +
	   watch_nnames[i] - 1], absolute, the zone or below it */
	size_t watch_name0[CONFIG_WATCH_MAX];
	size_t watch_nnames[CONFIG_WATCH_MAX];
	char watch_names[CONFIG_WATCH_NAMES_TOTAL][ZONE_TEXT_MAX + 1];
	size_t nwatch_names;
	enum log_level log_level;   /* log_level: err warn notice info debug; info */
	bool log_syslog;            /* log_syslog yes|no; no (stderr) */
	int log_facility;           /* log_facility NAME: a LOG_* facility; daemon */
	int heartbeat_interval;     /* heartbeat_interval SECONDS; 60 (10..170) */
	int skew;                   /* clock_skew SECONDS; 300 (0..3600) */
	long retention;             /* retention SECONDS; 604800 (3600..31536000):
	                               how long expired events are kept */
	int rate_limit;             /* rate_limit EVENTS/S per origin; 50 (1..100000) */
	int rate_burst;             /* rate_burst EVENTS; 500 (1..1000000) */
	int vouch_threshold;        /* vouch_threshold V; 2 (1..100) */
	int quorum;                 /* quorum Q|auto; auto (0) = max(2,
	                               ceil(members/3)); else 2..1000 */
	int quorum_evidence;        /* quorum_evidence M; 2 (1..1000): operators
	                               whose observations share a fingerprint */
	int resolve_after;          /* resolve_after SECONDS; 900 (5..86400):
	                               sustained validation that clears */
	int sync_wait;              /* sync_wait SECONDS; 120 (0..3600): at most
	                               this long after the start, the relay waits
	                               to catch up before it signs decisions */
	int zone_keys_per_operator; /* zone_keys_per_operator N; 8 (1..128): live
	                               keys one operator may observe a zone with */
	int zone_events_per_operator; /* zone_events_per_operator N; 512
	                               (16..100000): live observations, assessments
	                               and statements of one operator in a zone */
	struct config_group groups[CONFIG_GROUPS_MAX]; /* affiliation_group ID,ID,... */
	size_t ngroups;
	int drain_timeout;          /* drain_timeout SECONDS at SIGTERM; 5 (0..60) */
	int verify_workers;         /* verify_workers auto|N: threads checking
	                               signatures; -1 = auto (one per core, 0 on
	                               one core); 0 = on the loop thread (0..64) */
	int forward_delay;          /* forward_delay MS: forwards held up to it,
	                               relay/fed/forward.h; 100 (0..60000) */
	char probe_trust_anchor[PATH_MAX]; /* probe_trust_anchor: DS/DNSKEY file
	                                      for the probe; "" = the root KSKs */
	char probe_forward[80];     /* probe_forward ADDR[@PORT]: send the probe's
	                               queries there; "" = recursion from the root */
	int probe_interval;         /* probe_interval SECONDS; 60 (1..3600) */
	char http_token_file[PATH_MAX]; /* http_token_file: bearer token file for
	                                   the HTTP API; "" = no token */

	/* quorum policy (docs/PROTOCOL.md §15, relay/quorum/quorum.h) */
	int nta_max_lifetime;       /* nta_max_lifetime SECONDS; 604800 (60..604800) */
	bool veto_attack_assessment;/* veto_attack_assessment yes|no; yes: an attack
	                               or likely_attack assessment backed by the
	                               same operator's observation vetoes */
	bool veto_unbacked;         /* veto_unbacked yes|no; no: such an assessment
	                               vetoes even without an observation */
	bool veto_zone_statement;   /* veto_zone_statement yes|no; yes: the zone
	                               operator's attack_suspected vetoes */

	/* local control channel (relay/http/control.c) */
	char control_socket[PATH_MAX]; /* control_socket PATH; default
	                                  "control.sock" beside the store; "" = off */

	/* secrets: a core dump would hold the relay key and the credentials */
	bool core_dumps;            /* core_dumps yes|no; no: not dumpable
	                               (PR_SET_DUMPABLE 0, RLIMIT_CORE 0) */

	/* public incident page and notifications */
	bool status_page;           /* status_page yes|no; no: GET / serves the page */
	char public_url[512];       /* public_url URL: how outsiders reach this
	                               relay's HTTP API (links in messages); "" */
	char mattermost_webhook[512]; /* mattermost_webhook URL (webhook mode; secret) */
	unsigned char mattermost_webhook_digest[32]; /* its BLAKE2b, so that a
	                                 reload sees a change once the URL is
	                                 wiped from the running configuration */
	char mattermost_url[512];     /* mattermost_url URL (bot mode: the server) */
	char mattermost_token_file[PATH_MAX]; /* mattermost_token_file: bot token */
	char mattermost_channel[27];  /* mattermost_channel ID (bot mode) */
	char mattermost_slash_token_file[PATH_MAX]; /* slash command token file */
	char mattermost_username[65]; /* mattermost_username NAME; ntarelay */
	char mattermost_icon_url[512];/* mattermost_icon_url URL; "" */
	unsigned mattermost_kinds;    /* mattermost_kinds KIND,...; bit per enum
	                                 kind; assessment,zone_statement,withdraw */
	int mattermost_rate;          /* mattermost_rate MESSAGES/MIN per channel; 30 */
	int mattermost_queue_max;     /* mattermost_queue_max MESSAGES; 10000 */
};

/* Defaults for every optional key (what an empty file gives, without the
 * required keys). */
void config_defaults(struct relay_config *cfg);

/* 0 when every default of the key table passes its own key's checks (for
 * the unit test: config_defaults() cannot report it). */
int config_defaults_ok(void);

/*
 * At SIGHUP: copy into the running configuration run the keys of fresh (a
 * configuration just loaded) that apply at a reload, as the key table
 * flags them; every other key keeps its running value. The names of those
 * whose value differs in fresh (a restart needed) go to changed[0..cap-1],
 * in table order; returns how many differ (maybe more than cap). What
 * the copied values change (log level, rate limiter, trust index, quorum
 * decisions) is for the caller to apply.
 */
size_t config_reload(struct relay_config *run, const struct relay_config *fresh,
    const char **changed, size_t cap);

/*
 * Load path into *cfg, which it first resets with config_defaults() (so a
 * reload can load into a fresh struct and swap). Returns 0, or -1 with
 * "PATH:LINE: message" (or "PATH: message" for a missing required key) in
 * err, PATH as the caller wrote it. Unknown keys, repeated single keys, bad
 * values and missing required keys are errors; nothing is opened except the
 * file itself. On -1, *cfg holds what was read so far: do not use it.
 */
int config_load(const char *path, struct relay_config *cfg, char *err,
    size_t errlen);

/*
 * Check what a running relay needs beyond syntax: that files named by key,
 * cert, credentials and TLS options exist and are readable (the secret key
 * with safe permissions), that the directories of store and trustdb exist.
 * The secret key is loaded with key_secret_load() (and freed) to check it
 * and to learn whether it is a root key, the only kind allowed an empty
 * cert. For ntarelayd -t and start-up. Returns 0, or -1 with
 * "PATH:LINE: message" in err, PATH being cfg->path (absolute) and LINE
 * that of the key naming the file.
 */
int config_check_files(const struct relay_config *cfg, char *err, size_t errlen);

/*
 * The state of a check of cfg's files and system (config_check_files()
 * here, startcheck_run() in relay/core/startcheck.c): the configuration
 * and where its message goes.
 */
struct config_check {
	const struct relay_config *cfg;
	char *err;
	size_t errlen;
};

/* Writes "FILE:LINE: message" into c->err, or "FILE: message" for line 0,
 * FILE being c->cfg->path; returns -1. */
int config_check_fail(struct config_check *c, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * One NAME of `watch ZONE NAME...` (and of ntactl observe --name) in the
 * protocol's form, into out (ZONE_TEXT_MAX + 1 bytes): relative to zone
 * ("www.nic" in de. is www.nic.de.; "@" is the apex) unless it ends with a
 * dot, and then absolute, which must be zone or a name below it. zone is
 * in protocol form. Returns 0, or -1 with a short static reason in why.
 */
int config_watch_name(const char *zone, const char *name, char *out,
    const char **why);

#endif
