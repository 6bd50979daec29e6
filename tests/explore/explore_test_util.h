#ifndef TESTS_EXPLORE_EXPLORE_TEST_UTIL_H
#define TESTS_EXPLORE_EXPLORE_TEST_UTIL_H

/* Helpers shared by the tests that explore scenarios and compare traces. */

#include <stddef.h>

#include <wmiemu/explore.h>

/* HRESULTs compared as signed values whatever the enum type (WBEM_E_* are
 * enumerators of an unsigned type). */
#define assert_hr(a, b) assert_int_equal((HRESULT)(a), (HRESULT)(b))

/* The whole file as a NUL-terminated string (free it), or NULL. */
char *explore_test_slurp(const char *path);

/* The MOF and module of the in-tree provider `name`:
 * $WMIEMU_SOURCE_DIR/provider/NAME/NAME.mof and $WMIEMU_BINARY_DIR/provider/NAME.so
 * (.dll in the Windows build). */
void explore_test_provider_paths(const char *name, char *mof, size_t mof_len, char *module, size_t module_len);

/* A trace path in the temporary folder (/tmp) unique to this process:
 * "...-<pid>-exec-<name>.jsonl". */
void explore_test_tmp_path(char *buf, size_t len, const char *name);

/* Explores `scenario` twice with `o` (trace_all set, one trace file each)
 * expecting WMIEMU_OUTCOME_OK, asserts the two traces are identical byte
 * for byte and returns the trace text (free it) for further checks. */
char *explore_test_same_trace_twice(wmiemu_scenario_fn scenario, void *ctx, wmiemu_explore_opts_t *o);

#endif
