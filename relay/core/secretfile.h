/*
 * relay/core/secretfile.h — one-line secrets kept in files: the Mattermost bot
 * token (mattermost_token_file) and the slash command token
 * (mattermost_slash_token_file).
 *
 * The file must be a regular file, not accessible by others, and (unless
 * the caller allows a group of readers, as for tokens shared with a
 * group-owned service account) not accessible by its group either; never
 * writable by group or others. The secret is the first line, surrounding
 * whitespace trimmed: 1 to SECRETFILE_MAX printable characters without
 * spaces.
 *
 * The secret is read straight into sodium_malloc'd memory (guarded,
 * locked, zeroed when freed). Nothing here logs, and no message names the
 * secret: errors name the file and the rule it broke.
 */
#ifndef NTARELAY_RELAY_SECRETFILE_H
#define NTARELAY_RELAY_SECRETFILE_H

#include <stddef.h>

#define SECRETFILE_MAX 1024          /* characters of a secret */
#define SECRETFILE_GROUP_READ 0x1    /* mode 0640 is fine (0600 always is) */

/*
 * Read the secret of path into *out: new, NUL-terminated, in
 * sodium_malloc'd memory (free it with secretfile_free()); its length in
 * *len (may be NULL). Returns 0, or -1 with "path: why" in err.
 */
int secretfile_read(const char *path, unsigned flags, char **out, size_t *len,
    char *err, size_t errlen);

/*
 * The first line of path, as it is (no checks of mode or characters: for
 * http_token_file, which `ntarelayd -t` checks), at most max bytes, read
 * straight into sodium_malloc'd memory (no stdio buffer keeps a copy).
 * NULL when unreadable. Free it with secretfile_free().
 */
char *secretfile_read_line(const char *path, size_t max);

/* Zero and free a secret of secretfile_read(); NULL allowed. */
void secretfile_free(char *secret);

#endif
