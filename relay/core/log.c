/*
 * relay/core/log.c — stderr or syslog logging with levels.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "relay/core/log.h"

static const char *const level_names[] = { "err", "warn", "notice", "info", "debug" };
static const int syslog_prio[] = { LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG };

static struct {
	const char *ident;
	bool syslog;
	enum log_level level;
} lg = { "ntarelayd", false, LOG_LVL_INFO };

int
log_level_from_name(const char *name)
{
	for (int i = 0; i <= LOG_LVL_DEBUG; i++)
		if (strcmp(level_names[i], name) == 0)
			return i;
	if (strcmp(name, "error") == 0)
		return LOG_LVL_ERR;
	if (strcmp(name, "warning") == 0)
		return LOG_LVL_WARN;
	return -1;
}

const char *
log_level_name(enum log_level level)
{
	return (unsigned)level <= LOG_LVL_DEBUG ? level_names[level] : "?";
}

void
log_init(const char *ident, bool use_syslog, enum log_level level)
{
	lg.ident = ident;
	lg.level = level;
	if (lg.syslog && !use_syslog)
		closelog();
	lg.syslog = use_syslog;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_level(enum log_level level)
{
	lg.level = level;
}

bool
log_enabled(enum log_level level)
{
	return level <= lg.level;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char line[2048], stamp[32], out[2200];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n;

	if (level > lg.level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One line: a newline inside a message would let input forge lines. */
	for (char *p = line; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	if (lg.syslog) {
		syslog(syslog_prio[level], "%s", line);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(out, sizeof(out), "%s.%03ldZ %s[%d] %s: %s\n", stamp,
	    ts.tv_nsec / 1000000, lg.ident, (int)getpid(), level_names[level], line);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(out)) {
		n = sizeof(out) - 1;
		out[n - 1] = '\n';
	}
	/* one write(2) per line, so that threads do not interleave */
	if (write(STDERR_FILENO, out, (size_t)n) < 0)
		return;
}
