/*
 * relay/core/cmdline.h — ntarelayd's command line (ntarelayd(8)):
 *   ntarelayd [-c FILE] [-t] [-d] [--rebuild-store] [-v|--version]
 *             [-h|--help]
 * -v and -h (and their long forms) print to stdout and end the program; anything else unknown prints the
 * usage to stderr and ends it with status 2.
 */
#ifndef NTARELAY_RELAY_CORE_CMDLINE_H
#define NTARELAY_RELAY_CORE_CMDLINE_H

#include <stdbool.h>

struct cmdline {
	const char *path;   /* -c FILE; CONFIG_DEFAULT_PATH */
	bool check;         /* -t: check the configuration and exit */
	bool debug;         /* -d: log debug messages */
	bool rebuild;       /* --rebuild-store */
};

/* Parse argv into *out. Returns -1 to go on, or the status to exit with
 * (0 after -v or -h, 2 after a usage error), the text printed. */
int cmdline_parse(int argc, char **argv, struct cmdline *out);

#endif
