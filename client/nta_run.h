/*
 * client/nta_run.h — run one resolver control program for `ntactl nta`:
 * fork + execvp (never a shell), standard input from /dev/null, standard
 * output and standard error captured separately and bounded, a hard
 * timeout after which the program's process group is killed.
 *
 * This module never prints: it fills a result and a reason buffer, and the
 * caller decides what a person sees.
 */
#ifndef NTARELAY_CLIENT_NTA_RUN_H
#define NTARELAY_CLIENT_NTA_RUN_H

#include <stdbool.h>
#include <stddef.h>

#define NTA_RUN_OUT_MAX (1024 * 1024)   /* bytes kept of each stream */
#define NTA_RUN_TIMEOUT 30              /* seconds, default */
#define NTA_RUN_ARGV_MAX 16

struct nta_run_result {
	int status;          /* exit status, or -1 when killed by a signal */
	int signal;          /* the signal that ended it, else 0 */
	bool timed_out;      /* killed by us after the timeout */
	bool truncated;      /* an output stream exceeded NTA_RUN_OUT_MAX */
	char *out;           /* standard output, NUL-terminated; new */
	size_t out_len;
	char *err;           /* standard error, NUL-terminated; new */
	size_t err_len;
};

/*
 * Run argv (argv[0] looked up in $PATH when it has no '/'; NULL-terminated,
 * borrowed) with environment envp (borrowed; NULL: this process's). Wait at
 * most timeout seconds. Returns 0 when the program ran (whatever its exit
 * status; r filled, free with nta_run_result_free), -1 with why filled when
 * it could not be started or waited for.
 */
int nta_run(char *const argv[], char *const envp[], int timeout,
    struct nta_run_result *r, char *why, size_t whylen);

/* True when r is a clean exit 0 within the bounds. */
bool nta_run_ok(const struct nta_run_result *r);

/* Free r's buffers; r itself is the caller's. NULL allowed. */
void nta_run_result_free(struct nta_run_result *r);

/*
 * argv as one line for a person or a log ("unbound-control -c 'a b'
 * insecure_add de."): words with characters other than [A-Za-z0-9._/@:=+-]
 * are single-quoted, control characters shown as '?'.
 */
void nta_run_format(char *const argv[], char *out, size_t len);

/*
 * What went wrong with a finished run, for a person: "exit status 1:
 * FIRST LINES OF OUTPUT" (standard error, else standard output, at most
 * ~300 characters, control characters as '?'), "killed by signal 9",
 * "timed out after 30 s".
 */
void nta_run_describe(const struct nta_run_result *r, int timeout, char *out,
    size_t len);

#endif
