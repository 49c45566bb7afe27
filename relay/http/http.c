/*
 * relay/http/http.c — the HTTP server's daemon (relay/http/http.h):
 * libmicrohttpd started on a TCP address or on the control socket, in
 * its epoll mode without a thread of its own, and its place in the relay's
 * loop (http_attach()): its epoll descriptor is watched, and it runs
 * again when libmicrohttpd's own timeout (MHD_get_timeout()) expires,
 * never on a fixed tick, so that an idle relay is not woken for it.
 *
 * What a request meets is in relay/http/router.c; the routes in
 * relay/http/routes.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <sodium.h>

#include "relay/core/log.h"
#include "relay/core/loop.h"
#include "relay/http/server.h"

#define HTTP_CONNECTIONS_MAX 64
#define HTTP_CONNECTIONS_PER_IP 16
#define HTTP_TIMEOUT_S 10
#define HTTP_CONNECTION_MEMORY (16 * 1024) /* request line + headers ~ 8 KiB */

static void http_mhd_log(void *cls, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void
http_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	size_t n;

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	log_info("http: %s", line);
}

/* addr:port into ss; *flags gets MHD_USE_IPv6 for an IPv6 address. */
static int
http_address(const char *addr, int port, struct sockaddr_storage *ss,
    unsigned int *flags, char *err, size_t errlen)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (port < 0 || port > 65535) {
		snprintf(err, errlen, "http: port %d out of range", port);
		return -1;
	}
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*flags |= MHD_USE_IPv6;
	} else {
		snprintf(err, errlen, "http: '%s' is not an IPv4 or IPv6 address",
		    addr);
		return -1;
	}
	return 0;
}

/* Only the token's digest is kept, read-only. */
static int
http_token(struct http_server *s, const char *token, char *err, size_t errlen)
{
	if (token == NULL)
		return 0;
	if (token[0] == '\0') {
		snprintf(err, errlen, "http: the token is empty");
		return -1;
	}
	if ((s->token_hash = sodium_malloc(crypto_hash_sha256_BYTES)) == NULL) {
		snprintf(err, errlen, "http: out of secure memory");
		return -1;
	}
	crypto_hash_sha256(s->token_hash, (const unsigned char *)token,
	    strlen(token));
	sodium_mprotect_readonly(s->token_hash);
	return 0;
}

struct http_server *
http_start(const char *addr, int port, const char *token,
    const struct http_handlers *h, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct http_server *s = NULL;
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
	    MHD_ALLOW_SUSPEND_RESUME;

	if (http_address(addr, port, &ss, &flags, err, errlen) != 0)
		return NULL;
	if (sodium_init() < 0) {
		snprintf(err, errlen, "http: libsodium failed to initialise");
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "http: out of memory");
		return NULL;
	}
	if (h)
		s->h = *h;
	if ((s->streams = http_streams_new(s)) == NULL) {
		snprintf(err, errlen, "http: out of memory");
		goto fail;
	}
	if (http_token(s, token, err, errlen) != 0)
		goto fail;
	s->mhd = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL,
	    http_access, s,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_CONNECTIONS_MAX,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)HTTP_CONNECTIONS_PER_IP,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONNECTION_MEMORY,
	    MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
	    MHD_OPTION_URI_LOG_CALLBACK, http_uri_log, (void *)s,
	    MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, (void *)s,
	    MHD_OPTION_NOTIFY_COMPLETED, http_completed, (void *)s,
	    MHD_OPTION_END);
	if (s->mhd == NULL) {
		snprintf(err, errlen, "http: cannot listen on %s%s%s:%d (address "
		    "in use, or not a local address?)", flags & MHD_USE_IPv6 ?
		    "[" : "", addr, flags & MHD_USE_IPv6 ? "]" : "", port);
		goto fail;
	}
	return s;
fail:
	http_stop(s);
	return NULL;
}

/* A socket left by a relay that died is removed; a live one (another
 * relay with the same configuration) or anything else at that path is
 * not ours to remove (-1). */
static int
http_unix_stale(const char *path, const struct sockaddr_un *sun, char *err,
    size_t errlen)
{
	struct stat st;
	int probe;

	if (lstat(path, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "control: %s exists and is not a socket",
		    path);
		return -1;
	}
	if ((probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) >= 0) {
		int live = connect(probe, (const struct sockaddr *)sun,
		    sizeof(*sun)) == 0;
		close(probe);
		if (live) {
			snprintf(err, errlen, "control: %s is in use by a running "
			    "process (another relay?)", path);
			return -1;
		}
	}
	if (unlink(path) != 0) {
		snprintf(err, errlen, "control: cannot remove the old socket %s: "
		    "%s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* A listening unix socket at path (mode 0660); -1 with err. */
static int
http_unix_listen(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control: %s: path too long for a unix socket",
		    path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (http_unix_stale(path, &sun, err, errlen) != 0)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    chmod(path, 0660) != 0 || listen(fd, 16) != 0) {
		snprintf(err, errlen, "control: cannot listen on %s: %s", path,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

struct http_server *
http_start_unix(const char *path, const struct http_handlers *h, char *err,
    size_t errlen)
{
	struct http_server *s = NULL;
	int fd;

	if ((fd = http_unix_listen(path, err, errlen)) < 0)
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "control: out of memory");
		close(fd);
		unlink(path);
		return NULL;
	}
	s->control = true;
	memcpy(s->unix_path, path, strlen(path) + 1);
	if (h)
		s->h = *h;
	if ((s->streams = http_streams_new(s)) == NULL) {
		snprintf(err, errlen, "control: out of memory");
		close(fd);
		http_stop(s);
		return NULL;
	}
	s->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
	    MHD_ALLOW_SUSPEND_RESUME, 0, NULL,
	    NULL, http_access, s,
	    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_CONNECTIONS_MAX,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONNECTION_MEMORY,
	    MHD_OPTION_URI_LOG_CALLBACK, http_uri_log, (void *)s,
	    MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, (void *)s,
	    MHD_OPTION_NOTIFY_COMPLETED, http_completed, (void *)s,
	    MHD_OPTION_END);
	if (s->mhd == NULL) {
		snprintf(err, errlen, "control: libmicrohttpd refused the socket %s",
		    path);
		close(fd);
		http_stop(s);
		return NULL;
	}
	return s;
}

int
http_fd(const struct http_server *s)
{
	const union MHD_DaemonInfo *i;

	i = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	return i ? i->epoll_fd : -1;
}

int
http_port(const struct http_server *s)
{
	const union MHD_DaemonInfo *i;

	i = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
	return i ? (int)i->port : -1;
}

long
http_timeout_ms(const struct http_server *s)
{
	MHD_UNSIGNED_LONG_LONG t;

	if (MHD_get_timeout(s->mhd, &t) != MHD_YES)
		return -1;
	return t > (MHD_UNSIGNED_LONG_LONG)LONG_MAX ? LONG_MAX : (long)t;
}

void
http_run(struct http_server *s)
{
	if (MHD_run(s->mhd) != MHD_YES)
		log_warn("http: MHD_run failed");
}

/* ---------------------------------------------------------------- the loop */

static void http_serve(struct http_server *s);

static void
http_on_timer(void *arg)
{
	struct http_server *s = arg;

	s->timer = 0;      /* fired: its id is spent */
	http_serve(s);
}

static void
http_on_fd(void *arg, int fd, short revents)
{
	(void)fd;
	(void)revents;
	http_serve(arg);
}

/*
 * Run, then wake again when libmicrohttpd asks (a connection's timeout,
 * or 0: work it holds already), and never otherwise: the descriptor
 * brings every new request. MHD's timeouts change only when it runs,
 * so asking after each run is enough.
 */
static void
http_serve(struct http_server *s)
{
	long t;

	http_run(s);
	if (s->loop == NULL)
		return;
	if (s->timer) {
		loop_timer_cancel(s->loop, s->timer);
		s->timer = 0;
	}
	if ((t = http_timeout_ms(s)) >= 0 &&
	    (s->timer = loop_timer_add(s->loop, t, http_on_timer, s)) < 0) {
		log_warn("http: no timer left in the loop: idle connections "
		    "are closed when the next request comes");
		s->timer = 0;
	}
}

void
http_kick(struct http_server *s)
{
	if (s->loop == NULL)
		return;
	if (s->timer)
		loop_timer_cancel(s->loop, s->timer);
	if ((s->timer = loop_timer_add(s->loop, 0, http_on_timer, s)) < 0)
		s->timer = 0;
}

int
http_attach(struct http_server *s, struct loop *l)
{
	int fd = http_fd(s);

	if (fd < 0 || loop_fd_add(l, fd, POLLIN, http_on_fd, s) != 0)
		return -1;
	s->loop = l;
	http_serve(s);
	return 0;
}

void
http_stop(struct http_server *s)
{
	if (s == NULL)
		return;
	if (s->loop) {
		if (s->timer)
			loop_timer_cancel(s->loop, s->timer);
		loop_fd_del(s->loop, http_fd(s));
	}
	http_streams_close(s->streams);
	if (s->mhd)
		MHD_stop_daemon(s->mhd);
	http_streams_free(s->streams);
	if (s->unix_path[0])
		unlink(s->unix_path);
	sodium_free(s->token_hash);   /* zeroes it (after unprotecting) */
	free(s);
}
