/*
 * relay/core/log.c — the daemon's log (see log.h): standard error with a
 * time stamp, the journal's "<N>" lines, or syslog.
 *
 * The one piece of process-wide state is the logger's settings (lg): set
 * by log_init() at start (and the level at a reload), read by every
 * thread that logs. Every caller in the process writes to the same
 * standard error or syslog connection, so there is nothing to pass around.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "relay/core/log.h"

static const char *const level_names[] = { "err", "warn", "notice", "info", "debug" };
static const int syslog_prio[] = { LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG };

static const struct {
	const char *name;
	int facility;
} facilities[] = {
	{ "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

enum log_dest { DEST_STDERR, DEST_JOURNAL, DEST_SYSLOG };

static struct {
	const char *ident;
	enum log_dest dest;
	enum log_level level;
} lg = { "ntarelayd", DEST_STDERR, LOG_LVL_INFO };

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

int
log_level_syslog(enum log_level level)
{
	return (unsigned)level <= LOG_LVL_DEBUG ? syslog_prio[level] : LOG_DEBUG;
}

int
log_facility_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (strcmp(facilities[i].name, name) == 0)
			return facilities[i].facility;
	return -1;
}

/* Parse a decimal number up to `end` (a character not part of it). */
static bool
parse_dec(const char *s, char end, uintmax_t *out, const char **next)
{
	char *e;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoumax(s, &e, 10);
	if (errno != 0 || *e != end)
		return false;
	*next = e;
	return true;
}

bool
log_journal_stream_is(const char *value, int fd)
{
	uintmax_t dev, ino;
	const char *p;
	struct stat st;

	if (value == NULL || !parse_dec(value, ':', &dev, &p) ||
	    !parse_dec(p + 1, '\0', &ino, &p))
		return false;
	if (fstat(fd, &st) != 0)
		return false;
	return (uintmax_t)st.st_dev == dev && (uintmax_t)st.st_ino == ino;
}

void
log_init_facility(const char *ident, bool use_syslog, int facility,
    enum log_level level)
{
	lg.ident = ident;
	lg.level = level;
	if (lg.dest == DEST_SYSLOG && !use_syslog)
		closelog();
	if (use_syslog) {
		lg.dest = DEST_SYSLOG;
		openlog(ident, LOG_PID | LOG_NDELAY, facility > 0 ? facility : LOG_DAEMON);
	} else if (log_journal_stream_is(getenv("JOURNAL_STREAM"), STDERR_FILENO))
		lg.dest = DEST_JOURNAL;
	else
		lg.dest = DEST_STDERR;
}

void
log_init(const char *ident, bool use_syslog, enum log_level level)
{
	log_init_facility(ident, use_syslog, LOG_DAEMON, level);
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

bool
log_to_journal(void)
{
	return lg.dest == DEST_JOURNAL;
}

/* The line for standard error, newline included, into out; its length. */
static size_t
format_line(enum log_level level, const char *msg, char *out, size_t size)
{
	char stamp[32];
	struct timespec ts;
	struct tm tm;
	int n;

	if (lg.dest == DEST_JOURNAL)
		n = snprintf(out, size, "<%d>%s\n", syslog_prio[level], msg);
	else {
		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		n = snprintf(out, size, "%s.%03ldZ %s[%d] %s: %s\n", stamp,
		    ts.tv_nsec / 1000000, lg.ident, (int)getpid(),
		    level_names[level], msg);
	}
	if (n < 0)
		return 0;
	if ((size_t)n >= size) {
		n = (int)size - 1;
		out[n - 1] = '\n';
	}
	return (size_t)n;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char line[2048], out[2200];
	va_list ap;
	size_t n;

	if (level > lg.level || (unsigned)level > LOG_LVL_DEBUG)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One line: a newline inside a message would let input forge lines
	 * (and, for the journal, a "<N>" priority of its own). */
	for (char *p = line; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	if (lg.dest == DEST_SYSLOG) {
		syslog(syslog_prio[level], "%s", line);
		return;
	}
	n = format_line(level, line, out, sizeof(out));
	/* one write(2) per line, so that threads do not interleave */
	if (n > 0 && write(STDERR_FILENO, out, n) < 0)
		return;
}
