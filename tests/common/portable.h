#ifndef TESTS_COMMON_PORTABLE_H
#define TESTS_COMMON_PORTABLE_H

/* What the tests need of the system that POSIX and Windows spell
 * differently: where a provider module is, the environment, temporary
 * files and directories, an in-memory stream, a child process. The Linux
 * build keeps the POSIX calls the tests made before (mkdtemp, setenv,
 * open_memstream, /tmp); the Windows build (MinGW-w64, run under wine) has
 * its own, so that the same test reaches the same functions. */

#include <stddef.h>
#include <stdio.h>

/* A provider module's file name: "NAME" PORTABLE_MODULE_SUFFIX. */
#ifdef _WIN32
#define PORTABLE_MODULE_SUFFIX ".dll"
#else
#define PORTABLE_MODULE_SUFFIX ".so"
#endif

/* "$WMIEMU_BINARY_DIR/provider/NAME.so" (".dll" on Windows); one of four
 * rotating buffers, so a call may hold up to four at once. */
const char *portable_module_path(const char *name);

/* setenv(name, value, 1) and unsetenv(name); on Windows both the C
 * runtime's copy (getenv) and the process's (GetEnvironmentVariable) are
 * set, as a provider DLL may read either. 0 on success. */
int portable_setenv(const char *name, const char *value);
int portable_unsetenv(const char *name);

/* The system's folder for temporary files, without a trailing separator:
 * "/tmp" on POSIX, GetTempPath's on Windows (with '/' for '\\'). */
const char *portable_tmp_dir(void);

/* "TMPDIR/wmiemu-<pid>-NAME": a file name unique to this process. */
void portable_tmp_path(char *buf, size_t len, const char *name);

/* A new directory "TMPDIR/PREFIX-XXXXXX" (mkdtemp); its path in buf.
 * 0 on success, -1 on failure. */
int portable_mkdtemp(char *buf, size_t len, const char *prefix);

/* Removes dir and everything under it (rm -rf). 0 on success. */
int portable_rmtree(const char *dir);

/* A new temporary file's descriptor, its name in buf (mkstemp of
 * "TMPDIR/PREFIX-XXXXXX", opened in binary mode), or -1. */
int portable_mkstemp(char *buf, size_t len, const char *prefix);

/* A stream whose text portable_memstream_close returns (malloc'd; it
 * closes the stream): open_memstream on POSIX, a temporary file on
 * Windows, which has no memory streams. */
FILE *portable_memstream(void);
char *portable_memstream_close(FILE *f);

#ifdef _WIN32
/* This test executable run again with the arguments args (NULL-ended),
 * its standard error in a malloc'd *err (may be NULL). Returns the
 * child's exit code, or -1 when it could not run. For the tests of a
 * crash, which the Windows host's supervision does not survive: it has no
 * fork, and the crash ends the process (emu/host/win/supervise.c). */
int portable_run_self(const char *const *args, char **err);
#endif

#endif
