/*
 * client/cli.h — what every ntactl subcommand shares: exit codes, error
 * output, bounded input reading.
 *
 * Exit codes (stable, documented in ntactl(1)):
 *   0  success / yes
 *   1  a negative answer: invalid signature, rejected event, not a member
 *   2  usage error, unreadable file, internal error
 */
#ifndef NTARELAY_CLIENT_CLI_H
#define NTARELAY_CLIENT_CLI_H

#include <stddef.h>

#define CLI_OK 0
#define CLI_NO 1
#define CLI_ERR 2

/* "ntactl: <message>\n" on stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Read FILE (or stdin for "-") completely into a new NUL-terminated buffer,
 * refusing more than max bytes. Returns 0, or -1 after printing the error.
 */
int cli_read_input(const char *path, size_t max, char **buf, size_t *len);

/* Print usage text for a subcommand and return CLI_ERR (or CLI_OK when
 * asked for with --help: pass ok = 1). */
int cli_usage(const char *text, int ok);

/*
 * The string member name of JSON object o for a table cell: at most n
 * characters into out (len bytes), control characters shown as '?', "-"
 * when absent. For text from a relay, which a terminal must not obey.
 */
struct json_t;
void cli_json_text(const struct json_t *o, const char *name, size_t n, char *out,
    size_t len);

#endif
