/*
 * tests/fuzz/fuzz_config.c — libFuzzer target for the readers of
 * ntarelay.conf: the relay's (relay/core/config_*.c, config_load) and the
 * client's (lib/conf.c + lib/conf_client.c, conf_client_load, as ntactl
 * reads it).
 *
 * Both read a file by name, so each input is written to one memfd and
 * read back through /proc/self/fd/N (no file system write per run).
 * Relative paths in the input resolve against /proc/self/fd: nothing is
 * opened but the configuration itself, since config_load() opens nothing
 * else and config_check_files() (which opens what the keys name) is not
 * called (a fuzzed path could name a FIFO or a device and hang the run).
 *
 * Invariants checked (abort() when broken), besides the sanitizers:
 *   - on failure the message is NUL-terminated, non-empty on failure and starts
 *     with the file name as given ("FILE:LINE: message" or "FILE: ...");
 *   - a configuration that loads reloads onto itself with no key changed,
 *     and reloading it onto the defaults changes no key that config_reload
 *     cannot name (the count returned is bounded by the key table);
 *   - a configuration the relay accepts, the client accepts too (the
 *     client reads a subset of the keys with the same checks), and both
 *     agree on http_listen's address and port.
 *
 * Build: tests/fuzz/run.sh, or ./configure CC=clang --enable-fuzzing.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/conf_client.h"
#include "relay/core/config.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz_config: invariant failed: %s (%s:%d)\n", \
		    #cond, __FILE__, __LINE__);				\
		abort();						\
	}								\
} while (0)

/* Largest input: a little more than the longest line the readers take,
 * so that line-length errors are reached, and some lines more. */
#define INPUT_MAX (64 * 1024)

static int memfd = -1;
static char path[64];
/* Big (watch names): static, reused. */
static struct relay_config cfg, copy;
static struct conf_client client;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if ((memfd = memfd_create("ntarelay.conf", MFD_CLOEXEC)) < 0) {
		perror("memfd_create");
		abort();
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	return 0;
}

static void
check_err(const char *err, size_t cap, int rc)
{
	if (rc != 0) {
		CHECK(rc == -1);
		CHECK(memchr(err, '\0', cap) != NULL);
		CHECK(strncmp(err, path, strlen(path)) == 0);
		CHECK(err[strlen(path)] == ':');
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CONFIG_ERR_MAX], cerr[CONF_ERR_MAX];
	const char *changed[8];
	int rc, crc;

	if (size > INPUT_MAX)
		return -1;
	if (ftruncate(memfd, 0) != 0 ||
	    pwrite(memfd, data, size, 0) != (ssize_t)size)
		abort();

	/* The relay's reader. */
	memset(err, 0x55, sizeof(err));
	rc = config_load(path, &cfg, err, sizeof(err));
	check_err(err, sizeof(err), rc);

	/* ntactl's reader. */
	memset(cerr, 0x55, sizeof(cerr));
	crc = conf_client_load(path, &client, cerr, sizeof(cerr));
	check_err(cerr, sizeof(cerr), crc);

	if (rc == 0) {
		CHECK(cfg.nlinks >= 1 && cfg.nlinks <= CONFIG_LINKS_MAX);
		CHECK(cfg.nwatch <= CONFIG_WATCH_MAX);
		CHECK(cfg.ngroups <= CONFIG_GROUPS_MAX);
		CHECK(cfg.http_port >= 0 && cfg.http_port <= 65535);
		/* A configuration reloaded onto itself changes nothing. */
		memcpy(&copy, &cfg, sizeof(cfg));
		CHECK(config_reload(&copy, &cfg, changed, 8) == 0);
		/* Onto the defaults: whatever differs is named, in range. */
		config_defaults(&copy);
		(void)config_reload(&copy, &cfg, changed, 8);

		/* What the relay accepts, its client reads alike. */
		if (crc != 0)
			fprintf(stderr, "relay accepts, client refuses: %s\n", cerr);
		CHECK(crc == 0);
		CHECK(strcmp(client.http_listen, cfg.http_listen) == 0);
		CHECK(strcmp(client.http_addr, cfg.http_addr) == 0);
		CHECK(client.http_port == cfg.http_port);
		CHECK(strcmp(client.control_socket, cfg.control_socket) == 0);
		CHECK(strcmp(client.http_token_file, cfg.http_token_file) == 0);
	}
	return 0;
}
