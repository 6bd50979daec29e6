#ifndef WMIEMU_TESTS_TOOLS_CLI_TEST_UTIL_H
#define WMIEMU_TESTS_TOOLS_CLI_TEST_UTIL_H

/* Driving the wmiemu command from a test. */

#include <stddef.h>

/* Runs the shell command line cmd, reads what it prints (stderr only if cmd
 * folds it in) into out (NUL-terminated, cut at size - 1), and returns its
 * exit status: -1 when the shell was ended by a signal. */
int cli_capture(const char *cmd, char *out, size_t size);

#endif
