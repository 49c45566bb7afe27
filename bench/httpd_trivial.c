/*
 * bench/httpd_trivial.c — the ceiling for the relay's HTTP API figures:
 * libmicrohttpd run exactly as the relay runs it (MHD_USE_EPOLL, one
 * thread, the caller's loop polling the epoll descriptor), answering
 * every GET with a fixed small JSON body. Whatever the relay's handlers
 * add is the difference between the two in the same run.
 *
 *   httpd_trivial PORTFILE     listens on 127.0.0.1, a free port, which
 *                              it writes to PORTFILE; runs until killed
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <microhttpd.h>

static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static enum MHD_Result
answer(void *cls, struct MHD_Connection *con, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	static const char body[] = "{\"zone\":\"x.\",\"state\":\"clear\"}\n";
	struct MHD_Response *r;
	enum MHD_Result ret;

	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;
	r = MHD_create_response_from_buffer(sizeof(body) - 1, (void *)body,
	    MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	ret = MHD_queue_response(con, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

int
main(int argc, char **argv)
{
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *i;
	struct pollfd pfd;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: httpd_trivial PORTFILE\n");
		return 2;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	d = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	    answer, NULL, MHD_OPTION_CONNECTION_LIMIT, 64u, MHD_OPTION_END);
	if (d == NULL)
		return 1;
	i = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if ((f = fopen(argv[1], "w")) == NULL)
		return 1;
	fprintf(f, "%u\n", (unsigned)i->port);
	fclose(f);
	pfd.fd = MHD_get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD)->epoll_fd;
	pfd.events = POLLIN;
	while (!stop) {
		MHD_UNSIGNED_LONG_LONG t = 250;
		MHD_get_timeout(d, &t);
		(void)poll(&pfd, 1, t > 250 ? 250 : (int)t);
		MHD_run(d);
	}
	MHD_stop_daemon(d);
	return 0;
}
