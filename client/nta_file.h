/*
 * client/nta_file.h — replace a file of `ntactl nta` atomically: the new
 * text goes to a temporary file in the same directory (PATH.tmp.XXXXXX),
 * is synced, given its mode and renamed over PATH; then the directory is
 * synced. A reader sees the old file or the new one, never a part of
 * either. Used for the state file (nta_state.c) and the NTA feed zone
 * (nta_drv_feedzone.c). Never prints.
 */
#ifndef NTARELAY_CLIENT_NTA_FILE_H
#define NTARELAY_CLIENT_NTA_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* Replace path with len bytes of text, mode mode. 0, or -1 with why. */
int nta_file_replace(const char *path, const char *text, size_t len,
    mode_t mode, char *why, size_t whylen);

#endif
