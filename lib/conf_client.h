/*
 * lib/conf_client.h — the few keys of the relay's ntarelay.conf a client
 * (ntactl) needs to reach that relay: control_socket, http_listen,
 * http_token_file, and store (the default control socket lies beside it);
 * and trustdb (ntactl broker reads its members).
 *
 * Those keys are read and checked as the relay reads them, with the same
 * messages ("FILE:LINE: ..."), and resolved the same way (relative paths
 * from the file's directory; control_socket not given: control.sock
 * beside the store; given empty: off). Every other key is skipped
 * unread: the relay, not its client, judges them (ntarelayd -t).
 */
#ifndef NTARELAY_LIB_CONF_CLIENT_H
#define NTARELAY_LIB_CONF_CLIENT_H

#include <limits.h>
#include <stddef.h>

#include "lib/conf.h"

#define CONF_SOCKET_MAX 108   /* sun_path, with its NUL */

struct conf_client {
	char path[PATH_MAX];             /* the file read (absolute) */
	char http_listen[80];            /* as written */
	char http_addr[64];              /* its address (IPv6 without brackets) */
	int http_port;
	char http_token_file[PATH_MAX];  /* "" = none */
	char control_socket[PATH_MAX];   /* "" = off; shorter than CONF_SOCKET_MAX */
	char trustdb[PATH_MAX];          /* "" = not given (the relay requires it) */
};

/* Read path into c. 0, or -1 with "FILE[:LINE]: message" in err. */
int conf_client_load(const char *path, struct conf_client *c, char *err,
    size_t errlen);

#endif
