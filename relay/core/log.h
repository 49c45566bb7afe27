/*
 * relay/core/log.h — the daemon's log: stderr or syslog, with levels.
 *
 * One line per message. Secrets never go to the log: callers log key ids,
 * event ids and file names, never key material, tokens or webhook URLs.
 * Safe to call from any thread (one write per line).
 */
#ifndef NTARELAY_RELAY_LOG_H
#define NTARELAY_RELAY_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_LVL_ERR = 0,
	LOG_LVL_WARN,
	LOG_LVL_NOTICE,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

/* "err", "warn", "notice", "info", "debug"; -1 when unknown. */
int log_level_from_name(const char *name);
const char *log_level_name(enum log_level level);

/* ident prefixes stderr lines and names the syslog program. */
void log_init(const char *ident, bool use_syslog, enum log_level level);
void log_set_level(enum log_level level);
bool log_enabled(enum log_level level);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LVL_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
