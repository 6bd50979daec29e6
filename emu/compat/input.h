/*
 * Opening an input file (MOF, trace) so that the open itself cannot hang:
 * a named pipe nobody writes to blocks fopen forever. Sizes are bounded by
 * each reader; this bounds the wait for the file to open.
 */
#ifndef WMIEMU_COMPAT_INPUT_H
#define WMIEMU_COMPAT_INPUT_H

#include <stdio.h>

/* fopen(path, "rb"), except that a FIFO without a writer opens at once and
 * reads as empty. NULL with errno set on failure. */
FILE *wmiemu__open_input(const char *path);

#endif
