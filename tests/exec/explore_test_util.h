#ifndef TESTS_EXEC_EXPLORE_TEST_UTIL_H
#define TESTS_EXEC_EXPLORE_TEST_UTIL_H

/* Helpers shared by the tests that explore scenarios and compare traces. */

#include <stddef.h>

#include <wmiemu/explore.h>

/* The whole file as a NUL-terminated string (free it), or NULL. */
char *explore_test_slurp(const char *path);

/* A trace path in /tmp unique to this process: "...-<pid>-<name>.jsonl". */
void explore_test_tmp_path(char *buf, size_t len, const char *name);

/* Explores `scenario` twice with `o` (trace_all set, one trace file each)
 * expecting WMIEMU_OUTCOME_OK, asserts the two traces are identical byte
 * for byte and returns the trace text (free it) for further checks. */
char *explore_test_same_trace_twice(wmiemu_scenario_fn scenario, void *ctx, wmiemu_explore_opts_t *o);

#endif
