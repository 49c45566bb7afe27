/*
 * relay/core/cmdline.c — ntarelayd's options and usage text (cmdline.h).
 */
#include <getopt.h>
#include <stdio.h>

#include "build_config.h"
#include "relay/core/cmdline.h"
#include "relay/core/config.h"

static const char usage_text[] =
    "usage: ntarelayd [-c FILE] [-t] [-d] [--rebuild-store] [-v] [-h]\n"
    "\n"
    "The ntarelay relay: gossips signed DNSSEC observations and assessments\n"
    "between the operators of a federation over MQTT.\n"
    "\n"
    "  -c FILE   configuration file (default " CONFIG_DEFAULT_PATH ")\n"
    "  -t        check the configuration and everything the start checks\n"
    "            (trust database, key, certificate, file modes, directories)\n"
    "            without starting, and exit (0 valid, 1 not)\n"
    "  -d        log debug messages (overrides log_level)\n"
    "  --rebuild-store\n"
    "            if the store is damaged, move it aside (renamed with a\n"
    "            timestamp) and start with an empty one that peers fill\n"
    "  -v, --version\n"
    "            print the version and exit\n"
    "  -h, --help\n"
    "            this text\n"
    "\n"
    "See ntarelayd(8) and ntarelay.conf(5).\n";

int
cmdline_parse(int argc, char **argv, struct cmdline *out)
{
	static const struct option longopts[] = {
		{ "rebuild-store", no_argument, NULL, 'R' },
		{ "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	*out = (struct cmdline){ .path = CONFIG_DEFAULT_PATH };
	while ((c = getopt_long(argc, argv, "c:tdvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': out->path = optarg; break;
		case 't': out->check = true; break;
		case 'd': out->debug = true; break;
		case 'R': out->rebuild = true; break;
		case 'v':
			printf("ntarelayd (%s) %s, protocol v1\n", PACKAGE_NAME,
			    PACKAGE_VERSION);
			return 0;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fputs(usage_text, stderr);
		return 2;
	}
	return -1;
}
