#ifndef WMIEMU_CLI_INPUTS_H
#define WMIEMU_CLI_INPUTS_H

/* What the hosting commands (run, watch) load: --mof FILE, -I/--include-dir
 * DIR and --provider LIB, parsed and used alike (cli_inputs.c). */

#include <wmiemu/host.h>

#define WMIEMU_CLI_MAX_FILES 64

typedef struct {
  const char *mofs[WMIEMU_CLI_MAX_FILES];
  int n_mofs;
  const char *include_dirs[WMIEMU_CLI_MAX_FILES];
  int n_include_dirs;
  const char *providers[WMIEMU_CLI_MAX_FILES];
  int n_providers;
} wmiemu_cli_inputs_t;

/* When opt is one of those options: takes its value val (argv[*i]) and,
 * with more_files, the arguments after it up to the next option
 * (--mof a.mof b.mof), advancing *i. Returns 1 when taken, 0 when opt is
 * none of them, -1 (message printed) past WMIEMU_CLI_MAX_FILES. */
int wmiemu_cli_inputs_take(wmiemu_cli_inputs_t *in, const char *cmd, const char *opt, const char *val,
                           int more_files, int argc, char **argv, int *i);
/* wmiemu_cli_check_input on each of n paths: -1 at the first refused. */
int wmiemu_cli_check_inputs(const char *cmd, const char *const *paths, int n);
/* Compiles path into the host's repository with the include directories;
 * diagnostics go to stderr. */
HRESULT wmiemu_cli_compile_mof(const wmiemu_cli_inputs_t *in, wmiemu_host_t *host, const char *path);

#endif
