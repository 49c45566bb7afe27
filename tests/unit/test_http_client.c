/*
 * tests/unit/test_http_client.c — the ntactl client side (client/httpc.c, ntactl
 * events/peers) against a real server (tests/unit/http_fixture.h).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "client/httpc.h"
#include "client/ntactl.h"
#include "build_config.h"
#include "relay/http/http.h"
#include "relay/core/log.h"
#include "relay/core/loop.h"
#include "relay/core/metrics.h"

#include "tests/unit/http_fixture.h"

static void
test_httpc_build_url(void **state)
{
	const struct httpc_param p[] = {
		{ "zone", "de." }, { "kind", NULL }, { "since", "0" },
		{ "note", "a b&c=d/é" },
	};
	char err[256];
	char *u;

	u = httpc_build_url("http://127.0.0.1:8053", "/v1/events", p, 4, err,
	    sizeof(err));
	assert_non_null(u);
	assert_string_equal(u, "http://127.0.0.1:8053/v1/events?zone=de.&since=0"
	    "&note=a%20b%26c%3Dd%2F%C3%A9");
	free(u);
	u = httpc_build_url("https://relay.example/api//", "v1/peers", NULL, 0,
	    err, sizeof(err));
	assert_non_null(u);
	assert_string_equal(u, "https://relay.example/api/v1/peers");
	free(u);
	u = httpc_build_url("http://[::1]:8053/", "/healthz", p, 0, err,
	    sizeof(err));
	assert_string_equal(u, "http://[::1]:8053/healthz");
	free(u);
	assert_null(httpc_build_url("ftp://x", "/", NULL, 0, err, sizeof(err)));
	assert_null(httpc_build_url("127.0.0.1:8053", "/", NULL, 0, err,
	    sizeof(err)));
	assert_null(httpc_build_url("http://", "/", NULL, 0, err, sizeof(err)));
	assert_null(httpc_build_url("http://user:pw@host", "/", NULL, 0, err,
	    sizeof(err)));
	assert_null(strstr(err, "pw"));
	assert_null(httpc_build_url("http://host/?a=1", "/", NULL, 0, err,
	    sizeof(err)));
}

/* Run a command with stdout and stderr sent to /dev/null. */
static int
run_quiet(int (*fn)(int, char **), int argc, char **argv)
{
	int out = dup(1), errfd = dup(2), null = open("/dev/null", O_WRONLY);
	int rc;

	fflush(stdout);
	fflush(stderr);
	dup2(null, 1);
	dup2(null, 2);
	rc = fn(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(out, 1);
	dup2(errfd, 2);
	close(out);
	close(errfd);
	close(null);
	return rc;
}

static int
closed_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

static void
test_httpc_token(void **state)
{
	char path[] = "/tmp/test_http_tokenXXXXXX", err[256];
	char *tok = NULL;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "  " TOKEN "\n", strlen(TOKEN) + 3),
	    (ssize_t)strlen(TOKEN) + 3);
	close(fd);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(httpc_token_load(path, &tok, err, sizeof(err)), 0);
	assert_string_equal(tok, TOKEN);
	httpc_token_free(tok);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(httpc_token_load(path, &tok, err, sizeof(err)), -1);
	assert_null(strstr(err, TOKEN));
	unlink(path);
	assert_int_equal(httpc_token_load(path, &tok, err, sizeof(err)), -1);

	setenv(HTTPC_TOKEN_ENV, "from-env", 1);
	assert_int_equal(httpc_token_load(NULL, &tok, err, sizeof(err)), 0);
	assert_string_equal(tok, "from-env");
	httpc_token_free(tok);
	setenv(HTTPC_TOKEN_ENV, "two words", 1);
	assert_int_equal(httpc_token_load(NULL, &tok, err, sizeof(err)), -1);
	assert_null(strstr(err, "words"));
	unsetenv(HTTPC_TOKEN_ENV);
	assert_int_equal(httpc_token_load(NULL, &tok, err, sizeof(err)), 0);
	assert_null(tok);
	httpc_token_free(NULL);
}

static void
test_httpc_get(void **state)
{
	struct httpc_response r;
	char url[128], err[256], text[256];

	snprintf(url, sizeof(url), "%s/v1/peers", srv->base);
	assert_int_equal(httpc_get(url, TOKEN, &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"peers\""));
	httpc_response_free(&r);

	assert_int_equal(httpc_get(url, "nope", &r, err, sizeof(err)), 0);
	assert_int_equal(r.status, 401);
	httpc_error_text(&r, text, sizeof(text));
	assert_string_equal(text, "unauthorized: the token is not valid");
	httpc_response_free(&r);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", closed_port());
	assert_int_equal(httpc_get(url, NULL, &r, err, sizeof(err)), -1);
	assert_true(err[0] != '\0');
	httpc_response_free(&r);
}

static void
test_cmds(void **state)
{
	char path[] = "/tmp/test_http_tokenXXXXXX", closed[64];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, TOKEN "\n", strlen(TOKEN) + 1),
	    (ssize_t)strlen(TOKEN) + 1);
	close(fd);
	assert_int_equal(chmod(path, 0600), 0);
	snprintf(closed, sizeof(closed), "http://127.0.0.1:%d", closed_port());
	unsetenv(HTTPC_TOKEN_ENV);

	{
		char *a[] = { "events", "--relay", srv->base, "--token-file", path,
		    "--zone", "DE", "--kind", "assessment", "--since", "1h",
		    "--limit", "5", NULL };
		assert_int_equal(run_quiet(cmd_events, 13, a), 0);
		assert_string_equal(last_query.zone, "de.");
		assert_int_equal(last_query.kind, KIND_ASSESSMENT);
		assert_int_equal(last_query.limit, 5);
		assert_true(last_query.since > 1700000000LL);
	}
	{
		char *a[] = { "events", "--relay", srv->base, "--token-file", path,
		    "--json", NULL };
		assert_int_equal(run_quiet(cmd_events, 6, a), 0);
	}
	{
		char *a[] = { "events", "--relay", srv->base, NULL };
		assert_int_equal(run_quiet(cmd_events, 3, a), 1);   /* 401 */
	}
	{
		char *a[] = { "events", "--relay", closed, NULL };
		assert_int_equal(run_quiet(cmd_events, 3, a), 2);
	}
	{
		char *a[] = { "events", "--limit", "0", NULL };
		assert_int_equal(run_quiet(cmd_events, 3, a), 2);
	}
	{
		char *a[] = { "events", "--zone", "a..b", NULL };
		assert_int_equal(run_quiet(cmd_events, 3, a), 2);
	}
	{
		char *a[] = { "events", "--since", "yesterday", NULL };
		assert_int_equal(run_quiet(cmd_events, 3, a), 2);
	}
	{
		char *a[] = { "events", "--help", NULL };
		assert_int_equal(run_quiet(cmd_events, 2, a), 0);
	}
	{
		char *a[] = { "peers", "--relay", srv->base, "--token-file", path,
		    NULL };
		assert_int_equal(run_quiet(cmd_peers, 5, a), 0);
	}
	{
		char *a[] = { "peers", "--relay", srv->base, "--token-file", path,
		    "--json", NULL };
		assert_int_equal(run_quiet(cmd_peers, 6, a), 0);
	}
	{
		char *a[] = { "peers", "--relay", srv->base, NULL };
		assert_int_equal(run_quiet(cmd_peers, 3, a), 1);
	}
	{
		char *a[] = { "peers", "--relay", closed, NULL };
		assert_int_equal(run_quiet(cmd_peers, 3, a), 2);
	}
	{
		char *a[] = { "peers", "extra", NULL };
		assert_int_equal(run_quiet(cmd_peers, 2, a), 2);
	}
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_httpc_build_url),
		cmocka_unit_test(test_httpc_token),
		cmocka_unit_test(test_httpc_get),
		cmocka_unit_test(test_cmds),
	};

	return cmocka_run_group_tests_name("http_client", tests, group_setup,
	    group_teardown);
}
