/*
 * tests/unit/test_config_parse.c — ntarelay.conf: syntax, values, errors with
 * their line numbers, path resolution, link URLs, the key table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "proto/key.h"
#include "proto/kind.h"
#include "relay/core/config.h"
#include "relay/core/config_keys.h"

#include "tests/unit/config_fixture.h"

static void
defaults(void **state)
{
	(void)state;
	config_defaults(&cfg);
	assert_int_equal(cfg.log_level, LOG_LVL_INFO);
	assert_false(cfg.log_syslog);
	assert_int_equal(cfg.log_facility, LOG_DAEMON);
	assert_int_equal(cfg.heartbeat_interval, 60);
	assert_int_equal(cfg.skew, 300);
	assert_int_equal(cfg.retention, 604800);
	assert_int_equal(cfg.rate_limit, 50);
	assert_int_equal(cfg.rate_burst, 2000);
	assert_int_equal(cfg.vouch_threshold, 2);
	assert_int_equal(cfg.quorum, 0);
	assert_int_equal(cfg.quorum_evidence, 2);
	assert_int_equal(cfg.resolve_after, 900);
	assert_int_equal(cfg.drain_timeout, 5);
	assert_int_equal(cfg.forward_delay, 100);
	assert_int_equal(cfg.nlinks, 0);
	assert_int_equal(cfg.nwatch, 0);
	assert_int_equal(cfg.ngroups, 0);
	assert_string_equal(cfg.http_token_file, "");
	/* the rest of the table's defaults, as ntarelay.conf(5) gives them */
	assert_int_equal(cfg.probe_interval, 60);
	assert_int_equal(cfg.sync_wait, 120);
	assert_int_equal(cfg.zone_keys_per_operator, 8);
	assert_int_equal(cfg.zone_events_per_operator, 512);
	assert_int_equal(cfg.nta_max_lifetime, 604800);
	assert_true(cfg.veto_attack_assessment);
	assert_false(cfg.veto_unbacked);
	assert_true(cfg.veto_zone_statement);
	assert_false(cfg.status_page);
	assert_false(cfg.core_dumps);
	assert_string_equal(cfg.mattermost_username, "ntarelay");
	assert_int_equal(cfg.mattermost_kinds, (1u << KIND_ASSESSMENT) |
	    (1u << KIND_ZONE_STATEMENT) | (1u << KIND_WITHDRAW));
	assert_int_equal(cfg.mattermost_rate, 30);
	assert_int_equal(cfg.mattermost_queue_max, 10000);
	assert_string_equal(cfg.control_socket, "");
	/* every default passes its own key's checks */
	assert_int_equal(config_defaults_ok(), 0);
}

/* The key table: names unique, fields inside their struct, link options
 * in struct config_link, ranges of numeric keys ordered. */
static void
key_table(void **state)
{
	(void)state;
	assert_true(config_nkeys > 40);
	for (size_t i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];
		size_t whole = (k->flags & F_LINKOPT) ? sizeof(struct config_link) :
		    sizeof(struct relay_config);

		assert_ptr_equal(config_key_find(k->name), k);
		assert_true(k->size > 0 && k->off + k->size <= whole);
		assert_true(k->lineoff + sizeof(int) <= whole);
		assert_true(k->min <= k->max);
		/* a reloadable link option would be copied from one link only */
		assert_false((k->flags & F_RELOAD) && (k->flags & F_LINKOPT));
		if (k->copy != NULL)
			assert_non_null(k->same);
	}
	assert_null(config_key_find("no_such_key"));
}

static void
minimal(void **state)
{
	(void)state;
	assert_int_equal(load_text(MINIMAL), 0);
	assert_string_equal(cfg.path, conf);
	assert_string_equal(cfg.net, "testnet");
	assert_string_equal(cfg.key, in_dir("relay.key"));
	assert_string_equal(cfg.cert, in_dir("relay.cert"));
	assert_string_equal(cfg.trustdb, in_dir("trust.db"));
	assert_string_equal(cfg.store, in_dir("store.db"));
	assert_int_equal(cfg.nlinks, 1);
	assert_string_equal(cfg.links[0].url, "mqtt://127.0.0.1:1883");
	assert_string_equal(cfg.links[0].host, "127.0.0.1");
	assert_int_equal(cfg.links[0].port, 1883);
	assert_false(cfg.links[0].tls);
	assert_int_equal(cfg.links[0].line, 6);
	assert_string_equal(cfg.links[0].cafile, "");
	assert_string_equal(cfg.links[0].client_id, "");
	assert_string_equal(cfg.http_listen, "127.0.0.1:8053");
	assert_string_equal(cfg.http_addr, "127.0.0.1");
	assert_int_equal(cfg.http_port, 8053);
	assert_int_equal(cfg.line.key, 2);
	assert_int_equal(cfg.line.cert, 3);
	assert_int_equal(cfg.line.trustdb, 4);
	assert_int_equal(cfg.line.store, 5);
	assert_int_equal(cfg.line.http_token_file, 0);
	/* the optional keys keep their defaults */
	assert_int_equal(cfg.log_level, LOG_LVL_INFO);
	assert_int_equal(cfg.heartbeat_interval, 60);
	assert_int_equal(cfg.retention, 604800);
	assert_int_equal(cfg.quorum, 0);
	assert_int_equal(cfg.nwatch, 0);

	/* a second load starts from the defaults again */
	expect_extra_ok("heartbeat_interval 30\n");
	assert_int_equal(cfg.heartbeat_interval, 30);
	assert_int_equal(load_text(MINIMAL), 0);
	assert_int_equal(cfg.heartbeat_interval, 60);
}

static void
every_key(void **state)
{
	const char *a = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	const char *b = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
	const char *c = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char text[8192];

	(void)state;
	snprintf(text, sizeof(text),
	    "# every key\n"
	    "net example-net\n"
	    "key /etc/ntarelay/relay.key\n"
	    "cert /etc/ntarelay/relay.cert\n"
	    "trustdb /var/lib/ntarelay/trust.db\n"
	    "store /var/lib/ntarelay/store.db\n"
	    "link mqtt://127.0.0.1\n"
	    "link_credentials own.cred\n"
	    "link_client_id relay-1_a\n"
	    "link mqtts://broker.example.net:8884/\n"
	    "link_cafile /etc/ssl/ca.pem\n"
	    "link_certfile client.pem\n"
	    "link_keyfile client.key\n"
	    "link_credentials peer.cred\n"
	    "link mqtts://[2001:db8::1]\n"
	    "http_listen [::1]:9053\n"
	    "watch DE\n"
	    "watch example.COM.\n"
	    "watch .\n"
	    "log_level debug\n"
	    "log_syslog yes\n"
	    "heartbeat_interval 170\n"
	    "clock_skew 0\n"
	    "retention 31536000\n"
	    "rate_limit 100000\n"
	    "rate_burst 1000000\n"
	    "vouch_threshold 3\n"
	    "quorum 4\n"
	    "quorum_evidence 1\n"
	    "resolve_after 60\n"
	    "affiliation_group %s,%s\n"
	    "affiliation_group %s , %s\n"
	    "drain_timeout 60\n"
	    "http_token_file token\n",
	    a, b, c, "1111111111111111111111111111111111111111111111111111111111111111");
	if (load_text(text) != 0)
		fail_msg("refused: %s", err);
	assert_string_equal(cfg.net, "example-net");
	assert_string_equal(cfg.key, "/etc/ntarelay/relay.key");
	assert_string_equal(cfg.trustdb, "/var/lib/ntarelay/trust.db");
	assert_int_equal(cfg.nlinks, 3);
	assert_int_equal(cfg.links[0].port, 1883);
	assert_string_equal(cfg.links[0].credentials, in_dir("own.cred"));
	assert_string_equal(cfg.links[0].client_id, "relay-1_a");
	assert_int_equal(cfg.links[0].credentials_line, 8);
	assert_int_equal(cfg.links[0].client_id_line, 9);
	assert_true(cfg.links[1].tls);
	assert_string_equal(cfg.links[1].host, "broker.example.net");
	assert_int_equal(cfg.links[1].port, 8884);
	assert_string_equal(cfg.links[1].url, "mqtts://broker.example.net:8884/");
	assert_string_equal(cfg.links[1].cafile, "/etc/ssl/ca.pem");
	assert_string_equal(cfg.links[1].certfile, in_dir("client.pem"));
	assert_string_equal(cfg.links[1].keyfile, in_dir("client.key"));
	assert_string_equal(cfg.links[1].credentials, in_dir("peer.cred"));
	assert_int_equal(cfg.links[1].line, 10);
	assert_int_equal(cfg.links[1].cafile_line, 11);
	assert_int_equal(cfg.links[1].keyfile_line, 13);
	assert_string_equal(cfg.links[1].client_id, "");
	assert_string_equal(cfg.links[2].host, "2001:db8::1");
	assert_int_equal(cfg.links[2].port, 8883);
	assert_string_equal(cfg.http_addr, "::1");
	assert_int_equal(cfg.http_port, 9053);
	assert_int_equal(cfg.nwatch, 3);
	assert_string_equal(cfg.watch[0], "de.");
	assert_string_equal(cfg.watch[1], "example.com.");
	assert_string_equal(cfg.watch[2], ".");
	assert_int_equal(cfg.log_level, LOG_LVL_DEBUG);
	assert_true(cfg.log_syslog);
	assert_int_equal(cfg.heartbeat_interval, 170);
	assert_int_equal(cfg.skew, 0);
	assert_int_equal(cfg.retention, 31536000);
	assert_int_equal(cfg.rate_limit, 100000);
	assert_int_equal(cfg.rate_burst, 1000000);
	assert_int_equal(cfg.vouch_threshold, 3);
	assert_int_equal(cfg.quorum, 4);
	assert_int_equal(cfg.quorum_evidence, 1);
	assert_int_equal(cfg.resolve_after, 60);
	assert_int_equal(cfg.ngroups, 2);
	assert_int_equal(cfg.groups[0].n, 2);
	assert_string_equal(cfg.groups[0].members[0], a);
	/* operator ids are folded to lowercase */
	assert_string_equal(cfg.groups[0].members[1],
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	assert_string_equal(cfg.groups[1].members[0], c);
	assert_int_equal(cfg.drain_timeout, 60);
	assert_string_equal(cfg.http_token_file, in_dir("token"));
	assert_int_equal(cfg.line.http_token_file, 34);

	/* the other spellings */
	expect_extra_ok("quorum auto\nlog_level warning\nlog_syslog no\n");
	assert_int_equal(cfg.quorum, 0);
	assert_int_equal(cfg.log_level, LOG_LVL_WARN);
	assert_false(cfg.log_syslog);
	expect_extra_ok("log_syslog yes\nlog_facility local3\n");
	assert_true(cfg.log_syslog);
	assert_int_equal(cfg.log_facility, LOG_LOCAL3);
}

static void
syntax(void **state)
{
	const char bom_crlf[] =
	    "\xef\xbb\xbfnet testnet\r\n"
	    "\r\n"
	    "   # indented comment\r\n"
	    "\tkey\t  relay.key  \r\n"
	    "cert relay.cert\r\n"
	    "trustdb trust.db\r\n"
	    "store store.db\r\n"
	    "link mqtt://127.0.0.1:1883\r\n"
	    "http_listen 127.0.0.1:8053";   /* no final newline */
	(void)state;
	if (load_text(bom_crlf) != 0)
		fail_msg("refused: %s", err);
	assert_string_equal(cfg.net, "testnet");
	assert_string_equal(cfg.key, in_dir("relay.key"));
	assert_int_equal(cfg.http_port, 8053);

	/* a path keeps its inner spaces */
	expect_extra_ok("http_token_file my token file\n");
	assert_string_equal(cfg.http_token_file, in_dir("my token file"));
}

static void
empty_cert(void **state)
{
	(void)state;
	assert_int_equal(load_text("net testnet\nkey relay.key\ncert   \n"
	    "trustdb t\nstore s\nlink mqtt://h\nhttp_listen 127.0.0.1:1\n"), 0);
	assert_string_equal(cfg.cert, "");
	assert_int_equal(cfg.line.cert, 3);
	expect_error("net\n", "1: net: missing value");
	expect_extra_error("watch   \n", "8: watch: missing value");
}

static void
line_errors(void **state)
{
	char text[8192];
	size_t n;

	(void)state;
	/* a line of 4096 bytes is fine, 4097 is not */
	n = (size_t)snprintf(text, sizeof(text), "%s# ", MINIMAL);
	memset(text + n, 'x', 4096 - 2);
	text[n + 4094] = '\n';
	text[n + 4095] = '\0';
	assert_int_equal(load_text(text), 0);
	text[n + 4094] = 'x';
	strcpy(text + n + 4095, "\n");
	expect_error(text, "8: line longer than 4096 bytes");

	/* NUL byte */
	n = (size_t)snprintf(text, sizeof(text), "%swatch de", MINIMAL);
	memcpy(text + n, "\0x\n", 3);
	write_bytes(conf, text, n + 3, 0644);
	assert_int_equal(config_load(conf, &cfg, err, sizeof(err)), -1);
	assert_string_equal(err + strlen(conf), ":8: NUL byte in the line");

	/* control characters, a lone CR among them */
	expect_extra_error("\nwatch d\re\n", "9: control character 0x0d in the line");
	expect_extra_error("watch \033[0m\n", "8: control character 0x1b in the line");

	/* a comment after the value */
	expect_extra_error("log_level info # chatty\n",
	    "8: log_level: 'info # chatty' is not one word (comments go on "
	    "lines of their own)");
	/* key=value */
	expect_extra_error("log_level=info\n",
	    "8: unknown key 'log_level=info' (write 'key value', without '=')");
}

static void
unknown_keys(void **state)
{
	(void)state;
	expect_error("net testnet\n\n# c\nnett foo\n",
	    "4: unknown key 'nett' (did you mean 'net'?)");
	expect_error("frobnicate 1\n", "1: unknown key 'frobnicate'");
	expect_error("NET testnet\n", "1: unknown key 'NET' (did you mean 'net'?)");
	expect_extra_error("link_cafle x\n",
	    "8: unknown key 'link_cafle' (did you mean 'link_cafile'?)");
}

static void
repeated(void **state)
{
	(void)state;
	expect_extra_error("\n\nnet other\n", "10: net given twice (first on line 1)");
	expect_extra_error("http_listen 127.0.0.1:1\n",
	    "8: http_listen given twice (first on line 7)");
	expect_extra_error("log_level info\nlog_level debug\n",
	    "9: log_level given twice (first on line 8)");
	expect_extra_error("link_client_id a\nlink_client_id b\n",
	    "9: link_client_id given twice for the link on line 6 (first on "
	    "line 8)");
	/* the same option for two different links is fine */
	expect_extra_ok("link_client_id a\nlink mqtt://10.0.0.1\nlink_client_id b\n");
	assert_string_equal(cfg.links[0].client_id, "a");
	assert_string_equal(cfg.links[1].client_id, "b");
	/* the same broker twice */
	expect_extra_error("link mqtt://127.0.0.1\n",
	    "8: link: same broker as the link on line 6");
}

static void
link_options(void **state)
{
	(void)state;
	expect_error("net testnet\nlink_cafile ca.pem\n",
	    "2: link_cafile: no link above (link options follow the link line "
	    "they qualify)");
	expect_error("link_credentials c\n",
	    "1: link_credentials: no link above (link options follow the link "
	    "line they qualify)");
	expect_extra_error("link_cafile ca.pem\n",
	    "8: link_cafile: the link on line 6 is mqtt:// (TLS options need "
	    "mqtts://)");
	expect_extra_error("link_keyfile k\n",
	    "8: link_keyfile: the link on line 6 is mqtt:// (TLS options need "
	    "mqtts://)");
	/* credentials and client id are fine on mqtt:// */
	expect_extra_ok("link_credentials c\nlink_client_id x\n");
	/* certificate and key come together */
	expect_extra_error("link mqtts://h\nlink_certfile c.pem\n",
	    "9: link_certfile: the link on line 8 has no link_keyfile");
	expect_extra_error("link mqtts://h\n\nlink_keyfile c.key\nlink mqtts://i\n",
	    "10: link_keyfile: the link on line 8 has no link_certfile");
	expect_extra_error("link_client_id this-is-far-too-long-for-mqtt\n",
	    "8: link_client_id: longer than 23 characters");
	expect_extra_error("link_client_id a/b\n",
	    "8: link_client_id: 'a/b': use 1-23 of A-Z a-z 0-9 - _");
}

static void
missing_required(void **state)
{
	static const char *const names[] = {
		"net", "key", "cert", "trustdb", "store", "link", "http_listen",
	};
	char text[1024], want[128];

	(void)state;
	for (size_t i = 0; i < 7; i++) {
		const char *s = MINIMAL;
		size_t n = 0;

		/* MINIMAL without line i */
		for (size_t l = 0; l < 7; l++) {
			const char *e = strchr(s, '\n') + 1;
			if (l != i) {
				memcpy(text + n, s, (size_t)(e - s));
				n += (size_t)(e - s);
			}
			s = e;
		}
		text[n] = '\0';
		snprintf(want, sizeof(want), " missing required key '%s'", names[i]);
		expect_error(text, want);
	}
	expect_error("", " missing required key 'net'");
	expect_error("# only a comment\n", " missing required key 'net'");
}

static void
values(void **state)
{
	(void)state;
	expect_extra_error("heartbeat_interval 5\n",
	    "8: heartbeat_interval: 5 out of range (10-170)");
	expect_extra_error("heartbeat_interval 171\n",
	    "8: heartbeat_interval: 171 out of range (10-170)");
	expect_extra_error("retention 99999999999999999999999\n",
	    "8: retention: 99999999999999999999999 out of range (3600-31536000)");
	expect_extra_error("clock_skew -1\n",
	    "8: clock_skew: '-1' is not a number (a decimal integer)");
	expect_extra_error("drain_timeout 5s\n",
	    "8: drain_timeout: '5s' is not a number (a decimal integer)");
	expect_extra_error("forward_delay 100ms\n",
	    "8: forward_delay: '100ms' is not a number (a decimal integer)");
	expect_extra_error("forward_delay 60001\n",
	    "8: forward_delay: 60001 out of range (0-60000)");
	expect_extra_error("rate_limit 0\n", "8: rate_limit: 0 out of range (1-100000)");
	expect_extra_error("vouch_threshold 101\n",
	    "8: vouch_threshold: 101 out of range (1-100)");
	expect_extra_error("quorum 1\n", "8: quorum: 1 out of range (2-1000)");
	expect_extra_error("quorum some\n",
	    "8: quorum: 'some': write auto or a number (2-1000)");
	expect_extra_error("quorum_evidence 0\n",
	    "8: quorum_evidence: 0 out of range (1-1000)");
	expect_extra_error("resolve_after 4\n",
	    "8: resolve_after: 4 out of range (5-86400)");
	expect_extra_error("log_level loud\n",
	    "8: log_level: 'loud' is not one of err, warn, notice, info, debug");
	expect_extra_error("log_syslog true\n", "8: log_syslog: 'true': write yes or no");
	expect_extra_error("log_facility kern\n", "8: log_facility: 'kern' is not "
	    "one of daemon, user, local0 ... local7");
}

static void
cross_checks(void **state)
{
	(void)state;
	/* rate_burst below rate_limit names the rate_burst line, or the
	 * rate_limit line when rate_burst keeps its default */
	expect_extra_error("rate_limit 100\nrate_burst 99\n",
	    "9: rate_burst 99 is below rate_limit 100");
	expect_extra_error("rate_limit 3000\n",
	    "8: rate_burst 2000 is below rate_limit 3000");
	expect_extra_ok("rate_limit 1000\nrate_burst 1000\n");
	expect_extra_ok("probe_forward 127.0.0.1@5300\nprobe_interval 5\n");
	expect_extra_ok("probe_forward ::1\n");
	expect_extra_error("probe_forward localhost\n",
	    "8: probe_forward: 'localhost' is not an IPv4 or IPv6 address (no host names)");
	expect_extra_error("probe_forward 127.0.0.1@0\n",
	    "8: probe_forward: port must be 1-65535");
	expect_extra_error("probe_interval 0\n", "8: probe_interval: 0 out of range (1-3600)");
}

static void
nets(void **state)
{
	(void)state;
	expect_error("net Test\n", "1: net: 'Test': use 1-63 of a-z 0-9 -");
	expect_error("net a_b\n", "1: net: 'a_b': use 1-63 of a-z 0-9 -");
	expect_error("net aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	    "1: net: longer than 63 characters");
	expect_error("net two words\n",
	    "1: net: 'two words' is not one word (comments go on lines of their own)");
}

static void
watches(void **state)
{
	(void)state;
	expect_extra_ok("watch DE\nwatch nic.de\n");
	assert_int_equal(cfg.nwatch, 2);
	assert_string_equal(cfg.watch[0], "de.");
	assert_string_equal(cfg.watch[1], "nic.de.");
	expect_extra_error("watch DE\n# x\nwatch de.\n",
	    "10: watch: de. already watched (line 8)");
	expect_extra_error("watch a..b\n",
	    "8: watch: 'a..b' is not a zone name (empty label)");
	{
		char extra[600];

		memset(extra, 0, sizeof(extra));
		memcpy(extra, "watch ", 6);
		for (int i = 0; i < 128; i++)
			memcpy(extra + 6 + 2 * i, "a.", 2);
		strcat(extra, "\n");
		/* the value is quoted up to 80 characters */
		expect_extra_error(extra, "8: watch: '"
		    "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a."
		    "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.' is not a zone "
		    "name (name longer than 255 octets in wire form)");
	}
}

/* watch ZONE NAME...: names relative to the zone or absolute below it. */
static void
watch_names(void **state)
{
	char extra[4096];
	size_t off = 0;

	(void)state;
	expect_extra_ok("watch de.\twww.NIC nic  MAIL.DE. @\t\n"
	    "watch example.com.\n"
	    "watch . de a.root-servers.net.\n");
	assert_int_equal(cfg.nwatch, 3);
	assert_string_equal(cfg.watch[0], "de.");
	assert_int_equal(cfg.watch_nnames[0], 4);
	assert_int_equal(cfg.watch_name0[0], 0);
	assert_string_equal(cfg.watch_names[0], "www.nic.de.");
	assert_string_equal(cfg.watch_names[1], "nic.de.");
	assert_string_equal(cfg.watch_names[2], "mail.de.");
	assert_string_equal(cfg.watch_names[3], "de.");
	assert_int_equal(cfg.watch_nnames[1], 0);
	assert_int_equal(cfg.watch_name0[1], 4);
	assert_int_equal(cfg.watch_nnames[2], 2);
	assert_int_equal(cfg.watch_name0[2], 4);
	assert_string_equal(cfg.watch_names[4], "de.");
	assert_string_equal(cfg.watch_names[5], "a.root-servers.net.");
	assert_int_equal(cfg.nwatch_names, 6);

	/* errors name the line, the zone and the name */
	expect_extra_error("watch de. www\nwatch nl. www.de.\n",
	    "9: watch nl.: name 'www.de.': not the zone nor a name below it");
	expect_extra_error("watch de. www..nic\n",
	    "8: watch de.: name 'www..nic': empty label");
	expect_extra_error("watch de. WWW www.de.\n",
	    "8: watch de.: www.de. named twice");
	expect_extra_error("watch de. w*w\n",
	    "8: watch de.: name 'w*w': label characters must be a-z 0-9 - _");
	/* relative unless it ends with a dot, as in a zone file */
	expect_extra_ok("watch de. nic.de\n");
	assert_string_equal(cfg.watch_names[0], "nic.de.de.");
	expect_extra_error("watch de. nic.de. NIC.de.\n",
	    "8: watch de.: nic.de. named twice");
	expect_extra_error("watch de. a b c d e f g h i\n",
	    "8: watch de.: too many names (at most 8 a zone)");
	expect_extra_ok("watch de. a b c d e f g h\n");
	assert_int_equal(cfg.watch_nnames[0], 8);
	assert_string_equal(cfg.watch_names[7], "h.de.");
	/* a relative name that makes the whole too long: 200 + 60 bytes */
	{
		char zone[256], rel[128], want[1024];

		zone[0] = rel[0] = '\0';
		for (int i = 0; i < 100; i++)
			strcat(zone, "a.");
		for (int i = 0; i < 30; i++)
			strcat(rel, i ? ".b" : "b");
		snprintf(extra, sizeof(extra), "watch %s %s\n", zone, rel);
		snprintf(want, sizeof(want), "8: watch %s: name '%s': name longer "
		    "than 255 octets in wire form", zone, rel);
		expect_extra_error(extra, want);
	}
	/* the same zone twice is still refused, names or not */
	expect_extra_error("watch de. www\nwatch de nic\n",
	    "9: watch: de. already watched (line 8)");
	/* 512 names in all watch lines */
	for (int z = 0; z < 65 && off < sizeof(extra) - 64; z++)
		off += (size_t)snprintf(extra + off, sizeof(extra) - off,
		    "watch z%d a b c d e f g h\n", z);
	expect_extra_error(extra, "72: watch z64.: too many names (at most 512 in "
	    "all watch lines)");
}

static void
groups(void **state)
{
	const char *a = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	const char *b = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
	const char *c = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";
	char extra[1024];

	(void)state;
	snprintf(extra, sizeof(extra), "affiliation_group %s\n", a);
	expect_extra_error(extra, "8: affiliation_group: name at least two operators");
	snprintf(extra, sizeof(extra), "affiliation_group %s,%s\n", a, a);
	expect_extra_error(extra,
	    "8: affiliation_group: operator aaaaaaaaaaaaaaaa... listed twice");
	snprintf(extra, sizeof(extra), "affiliation_group %s,%s\n"
	    "affiliation_group %s,%s\n", a, b, c, b);
	expect_extra_error(extra, "9: affiliation_group: operator "
	    "bbbbbbbbbbbbbbbb... is already in the group of line 8");
	snprintf(extra, sizeof(extra), "affiliation_group %s,xyz\n", a);
	expect_extra_error(extra,
	    "8: affiliation_group: 'xyz' is not an operator id (64 hex digits)");
	snprintf(extra, sizeof(extra), "affiliation_group %s %s\n", a, b);
	expect_extra_error(extra,
	    "8: affiliation_group: separate operator ids with commas");
	snprintf(extra, sizeof(extra), "affiliation_group %s,\n", a);
	expect_extra_error(extra,
	    "8: affiliation_group: '' is not an operator id (64 hex digits)");
}

static void
http_listen(void **state)
{
	char text[1024];
	static const struct {
		const char *value, *msg;
	} bad[] = {
		{ "localhost:8053", "7: http_listen: 'localhost' is not an IP address "
		    "(host names are refused: write 127.0.0.1:8053 or [::1]:8053)" },
		{ "127.0.0.1", "7: http_listen: missing port (write ADDRESS:PORT, as "
		    "127.0.0.1:8053)" },
		{ "[::1]", "7: http_listen: missing port (write ADDRESS:PORT, as "
		    "127.0.0.1:8053)" },
		{ "::1:8053", "7: http_listen: write an IPv6 address in brackets, as "
		    "[::1]:1883" },
		{ "127.0.0.1:0", "7: http_listen: port 0 out of range (1-65535)" },
		{ "127.0.0.1:65536", "7: http_listen: port 65536 out of range (1-65535)" },
		{ "127.0.0.256:80", "7: http_listen: '127.0.0.256' is not an IPv4 address" },
		{ ":8053", "7: http_listen: missing host" },
	};

	(void)state;
	assert_int_equal(load_text(MINIMAL), 0);
	assert_string_equal(cfg.http_addr, "127.0.0.1");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "net testnet\nkey k\ncert c\ntrustdb t\n"
		    "store s\nlink mqtt://h\nhttp_listen %s\n", bad[i].value);
		expect_error(text, bad[i].msg);
	}
	snprintf(text, sizeof(text), "net testnet\nkey k\ncert c\ntrustdb t\n"
	    "store s\nlink mqtt://h\nhttp_listen [::]:65535\n");
	assert_int_equal(load_text(text), 0);
	assert_string_equal(cfg.http_addr, "::");
	assert_int_equal(cfg.http_port, 65535);
	snprintf(text, sizeof(text), "net testnet\nkey k\ncert c\ntrustdb t\n"
	    "store s\nlink mqtt://h\nhttp_listen 0.0.0.0:1\n");
	assert_int_equal(load_text(text), 0);
	assert_string_equal(cfg.http_addr, "0.0.0.0");
}

static void
link_urls(void **state)
{
	static const struct {
		const char *url, *host;
		int port;
		bool tls;
	} good[] = {
		{ "mqtt://127.0.0.1", "127.0.0.1", 1883, false },
		{ "mqtts://127.0.0.1", "127.0.0.1", 8883, true },
		{ "mqtt://[::1]:1883", "::1", 1883, false },
		{ "mqtts://[::1]", "::1", 8883, true },
		{ "mqtt://broker.example.net:1884", "broker.example.net", 1884, false },
		{ "mqtts://Broker.Example.NET.:443/", "Broker.Example.NET.", 443, true },
		{ "mqtt://localhost:65535", "localhost", 65535, false },
		{ "mqtt://a-b.c1", "a-b.c1", 1883, false },
	};
	static const struct {
		const char *url, *msg;
	} bad[] = {
		{ "http://h:80", "link: unsupported scheme 'http' (use mqtt:// or mqtts://)" },
		{ "MQTT://h", "link: unsupported scheme 'MQTT' (use mqtt:// or mqtts://)" },
		{ "ws://h", "link: unsupported scheme 'ws' (use mqtt:// or mqtts://)" },
		{ "h:1883", "link: 'h:1883' is not a URL (write mqtt://HOST:PORT or "
		    "mqtts://HOST:PORT)" },
		{ "mqtt://", "link: missing host" },
		{ "mqtt://:1883", "link: missing host" },
		{ "mqtts://[]:8883", "link: missing host" },
		{ "mqtt://h:70000", "link: port 70000 out of range (1-65535)" },
		{ "mqtt://h:0", "link: port 0 out of range (1-65535)" },
		{ "mqtt://h:99999999999999999999", "link: port 99999999999999999999 out "
		    "of range (1-65535)" },
		{ "mqtt://h:", "link: missing port after ':'" },
		{ "mqtt://h:mqtt", "link: port 'mqtt' is not a number" },
		{ "mqtt://h:-1", "link: port '-1' is not a number" },
		{ "mqtt://::1:1883", "link: write an IPv6 address in brackets, as "
		    "[::1]:1883" },
		{ "mqtt://[::1", "link: missing ']' after the IPv6 address" },
		{ "mqtt://[::g]:1", "link: '[::g]' is not an IPv6 address" },
		{ "mqtt://[::1]x", "link: unexpected 'x' after the address" },
		{ "mqtt://user:pw@h", "link: user name or password in the URL (put them "
		    "in a file named by link_credentials)" },
		{ "mqtt://h/topic", "link: unexpected path in 'mqtt://h/topic' (write "
		    "only the scheme, host and port)" },
		{ "mqtt://h//", "link: unexpected path in 'mqtt://h//' (write only the "
		    "scheme, host and port)" },
		{ "mqtt://300.1.1.1", "link: '300.1.1.1' is not an IPv4 address" },
		{ "mqtt://bad_host", "link: 'bad_host' is not a host name" },
		{ "mqtt://-a.b", "link: '-a.b' is not a host name" },
		{ "mqtt://a..b", "link: 'a..b' is not a host name" },
		{ "mqtt://h 1883", "link: 'mqtt://h 1883' is not one word (comments go "
		    "on lines of their own)" },
	};
	char text[1024], want[512];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "net testnet\nkey k\ncert c\ntrustdb t\n"
		    "store s\nhttp_listen 127.0.0.1:1\n\nlink %s\n", good[i].url);
		if (load_text(text) != 0)
			fail_msg("%s refused: %s", good[i].url, err);
		assert_string_equal(cfg.links[0].url, good[i].url);
		assert_string_equal(cfg.links[0].host, good[i].host);
		assert_int_equal(cfg.links[0].port, good[i].port);
		assert_int_equal(cfg.links[0].tls, good[i].tls);
		assert_int_equal(cfg.links[0].line, 8);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "net testnet\nkey k\ncert c\ntrustdb t\n"
		    "store s\nhttp_listen 127.0.0.1:1\n\nlink %s\n", bad[i].url);
		snprintf(want, sizeof(want), "8: %s", bad[i].msg);
		expect_error(text, want);
	}
	/* at most CONFIG_LINKS_MAX links */
	{
		char many[4096];
		size_t n = (size_t)snprintf(many, sizeof(many), "%s", MINIMAL);

		for (int i = 1; i <= CONFIG_LINKS_MAX; i++)
			n += (size_t)snprintf(many + n, sizeof(many) - n,
			    "link mqtt://10.0.0.%d\n", i);
		snprintf(want, sizeof(want), "%d: link: too many links (at most %d)",
		    7 + CONFIG_LINKS_MAX, CONFIG_LINKS_MAX);
		expect_error(many, want);
	}
}

static void
relative_paths(void **state)
{
	char sub[256], path[PATH_MAX], cwd[PATH_MAX];

	(void)state;
	snprintf(sub, sizeof(sub), "%s/etc", dir);
	mkdir(sub, 0755);
	snprintf(path, sizeof(path), "%s/ntarelay.conf", sub);
	{
		const char *t = "net testnet\nkey keys/relay.key\ncert ../relay.cert\n"
		    "trustdb /abs/trust.db\nstore ./store.db\n"
		    "link mqtts://h\nlink_cafile ca.pem\nhttp_listen 127.0.0.1:1\n"
		    "http_token_file token\n";
		write_bytes(path, t, strlen(t), 0644);
	}
	/* loaded through a relative name from another directory */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	if (config_load("etc/ntarelay.conf", &cfg, err, sizeof(err)) != 0)
		fail_msg("refused: %s", err);
	assert_int_equal(chdir(cwd), 0);
	assert_string_equal(cfg.path, path);
	snprintf(path, sizeof(path), "%s/keys/relay.key", sub);
	assert_string_equal(cfg.key, path);
	snprintf(path, sizeof(path), "%s/../relay.cert", sub);
	assert_string_equal(cfg.cert, path);
	assert_string_equal(cfg.trustdb, "/abs/trust.db");
	snprintf(path, sizeof(path), "%s/./store.db", sub);
	assert_string_equal(cfg.store, path);
	snprintf(path, sizeof(path), "%s/ca.pem", sub);
	assert_string_equal(cfg.links[0].cafile, path);
	snprintf(path, sizeof(path), "%s/token", sub);
	assert_string_equal(cfg.http_token_file, path);

	/* a symbolic link to the file: paths stay relative to the link's
	 * directory, where the administrator sees the file */
	unlink(in_dir("link.conf"));
	assert_int_equal(symlink("etc/ntarelay.conf", in_dir("link.conf")), 0);
	if (config_load(in_dir("link.conf"), &cfg, err, sizeof(err)) != 0)
		fail_msg("refused: %s", err);
	assert_string_equal(cfg.path, in_dir("link.conf"));
	assert_string_equal(cfg.key, in_dir("keys/relay.key"));

	/* errors name the file as the caller wrote it */
	assert_int_equal(chdir(dir), 0);
	write_bytes("rel.conf", "bogus 1\n", 8, 0644);
	assert_int_equal(config_load("rel.conf", &cfg, err, sizeof(err)), -1);
	assert_int_equal(chdir(cwd), 0);
	assert_string_equal(err, "rel.conf:1: unknown key 'bogus'");
}

static void
missing_file(void **state)
{
	char want[PATH_MAX + 64];

	(void)state;
	snprintf(want, sizeof(want), "%s/nonexistent.conf: No such file or "
	    "directory", dir);
	assert_int_equal(config_load(in_dir("nonexistent.conf"), &cfg, err,
	    sizeof(err)), -1);
	assert_string_equal(err, want);
	snprintf(want, sizeof(want), "%s: not a regular file", dir);
	assert_int_equal(config_load(dir, &cfg, err, sizeof(err)), -1);
	assert_string_equal(err, want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(minimal),
		cmocka_unit_test(every_key),
		cmocka_unit_test(syntax),
		cmocka_unit_test(empty_cert),
		cmocka_unit_test(line_errors),
		cmocka_unit_test(unknown_keys),
		cmocka_unit_test(repeated),
		cmocka_unit_test(link_options),
		cmocka_unit_test(missing_required),
		cmocka_unit_test(values),
		cmocka_unit_test(cross_checks),
		cmocka_unit_test(nets),
		cmocka_unit_test(watches),
		cmocka_unit_test(watch_names),
		cmocka_unit_test(groups),
		cmocka_unit_test(http_listen),
		cmocka_unit_test(link_urls),
		cmocka_unit_test(relative_paths),
		cmocka_unit_test(missing_file),
		cmocka_unit_test(key_table),
	};
	return cmocka_run_group_tests_name("config_parse", tests, setup, teardown);
}
