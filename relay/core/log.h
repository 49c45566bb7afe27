/*
 * relay/core/log.h — the daemon's log: standard error, the systemd journal
 * (through standard error) or syslog, with levels.
 *
 * One line per message. Secrets never go to the log: callers log key ids,
 * event ids and file names, never key material, tokens or webhook URLs.
 * Safe to call from any thread (one write per line); log_init() and
 * log_set_level() belong to the main thread, before others start.
 *
 * Where the lines go (log_init()):
 *   - syslog (log_syslog yes): openlog(3) with the ident, LOG_PID and the
 *     facility (log_facility, default daemon); each level at its syslog
 *     priority; no time stamp of ours (syslogd adds its own);
 *   - the journal: standard error is the stream systemd connected to
 *     journald, i.e. the environment variable JOURNAL_STREAM is set and
 *     names, as "DEVICE:INODE" in decimal, the device and inode of
 *     standard error (systemd.exec(5)). Each line is then "<N>MESSAGE",
 *     N the syslog level (3 err, 4 warn, 5 notice, 6 info, 7 debug), the
 *     sd-daemon(3) prefix journald turns into PRIORITY=; no time stamp,
 *     ident or level name (journald records them);
 *   - otherwise (a terminal, a file): "TIME IDENT[PID] LEVEL: MESSAGE",
 *     TIME in UTC, ISO 8601 with milliseconds.
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

/* The syslog(3) priority of a level: LOG_ERR (3) .. LOG_DEBUG (7). */
int log_level_syslog(enum log_level level);

/* A syslog facility by name ("daemon", "user", "local0" .. "local7"):
 * its LOG_* value, or -1 when unknown. */
int log_facility_from_name(const char *name);

/* ident prefixes stderr lines and names the syslog program; facility is
 * a LOG_* facility (LOG_DAEMON when 0 or negative), used with syslog
 * only. Without syslog, standard error is checked against
 * JOURNAL_STREAM (above). */
void log_init(const char *ident, bool use_syslog, enum log_level level);
void log_init_facility(const char *ident, bool use_syslog, int facility,
    enum log_level level);
void log_set_level(enum log_level level);
bool log_enabled(enum log_level level);

/* Whether log_init() found standard error connected to the journal. */
bool log_to_journal(void);

/* Does the JOURNAL_STREAM value name the file open on fd? False when
 * value is NULL or malformed. */
bool log_journal_stream_is(const char *value, int fd);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LVL_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
