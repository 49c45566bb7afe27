/*
 * relay/core/startcheck.h — everything a start needs that the running
 * system, not the syntax, decides: one function that `ntarelayd -t` and
 * the real start both run, so that a configuration -t accepts starts (and
 * one it refuses does not), and a unit under Restart=on-failure does not
 * loop on an error -t could have named.
 *
 * startcheck_run() checks, in this order, and stops at the first failure:
 *   - the files the configuration names (config_check_files(): the key
 *     loads and is private, cert, link TLS files and credentials,
 *     http_token_file, the Mattermost token files with the rule the
 *     notifier applies, the directories of trustdb and store exist);
 *   - the trust database: when it exists it is readable and writable by
 *     the running user, opens, and belongs to `net`; when it does not,
 *     its directory is writable (the start creates it), and a `cert`
 *     cannot be checked, which is an error (pin the operator's root);
 *   - the relay's certificate (identity_check_cert(): opens with the
 *     trust database's keys, certifies `key`, not expired);
 *   - the store: its directory is writable and searchable by the running
 *     user (SQLite writes its journal beside it), the file, when it
 *     exists, a regular file the user can read and write;
 *   - the control socket: its path fits a unix socket, its directory
 *     exists and is writable, the path is not a file of another kind;
 *   - the watched zones' probe: made and freed as the start makes it
 *     (probe_trust_anchor readable, probe_forward usable).
 *
 * It opens nothing for writing: no broker connection, no HTTP port, no
 * store, and the trust database is neither created nor changed (opened
 * without TRUSTDB_OPEN_CREATE). What it cannot know: a broker that is
 * down, an HTTP port another process holds, a running relay's control
 * socket still in use, a store damaged inside (the start's quick_check).
 *
 * Messages follow the configuration's own: "FILE:LINE: key: problem",
 * FILE the configuration file and LINE that of the key at fault ("FILE:
 * key: problem" when the key was not written, its default in use).
 * Nothing here logs or prints; secrets never appear in a message.
 */
#ifndef NTARELAY_RELAY_CORE_STARTCHECK_H
#define NTARELAY_RELAY_CORE_STARTCHECK_H

#include <stddef.h>

#include "relay/core/config.h"

/* Run every check for cfg at time now (unix seconds). Returns 0, or -1
 * with the message in err. */
int startcheck_run(const struct relay_config *cfg, long long now, char *err,
    size_t errlen);

#endif
