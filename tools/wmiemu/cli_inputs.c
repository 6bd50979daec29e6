/* The inputs of the hosting commands (cli_inputs.h). */
#include "cli_inputs.h"

#include <string.h>

#include "cli.h"

int wmiemu_cli_inputs_take(wmiemu_cli_inputs_t *in, const char *cmd, const char *opt, const char *val,
                           int more_files, int argc, char **argv, int *i) {
  const char **list;
  int *n;
  if (!strcmp(opt, "--mof")) {
    list = in->mofs;
    n = &in->n_mofs;
  } else if (!strcmp(opt, "--provider")) {
    list = in->providers;
    n = &in->n_providers;
  } else if (!strcmp(opt, "-I") || !strcmp(opt, "--include-dir")) {
    list = in->include_dirs;
    n = &in->n_include_dirs;
    more_files = 0;
  } else {
    return 0;
  }
  if (*n == WMIEMU_CLI_MAX_FILES) {
    fprintf(stderr, "wmiemu %s: more than %d files for %s\n", cmd, WMIEMU_CLI_MAX_FILES, opt);
    return -1;
  }
  list[(*n)++] = val;
  while (more_files && *i + 1 < argc && argv[*i + 1][0] != '-' && *n < WMIEMU_CLI_MAX_FILES)
    list[(*n)++] = argv[++*i];
  return 1;
}

int wmiemu_cli_check_inputs(const char *cmd, const char *const *paths, int n) {
  for (int k = 0; k < n; k++)
    if (wmiemu_cli_check_input(cmd, paths[k]))
      return -1;
  return 0;
}

static void print_diag(void *ctx, const wmiemu_diag_t *d) {
  char buf[1024];
  (void)ctx;
  wmiemu_diag_format(d, buf, sizeof buf);
  fprintf(stderr, "%s\n", buf);
}

HRESULT wmiemu_cli_compile_mof(const wmiemu_cli_inputs_t *in, wmiemu_host_t *host, const char *path) {
  wmiemu_mof_options_t mo;
  memset(&mo, 0, sizeof mo);
  mo.include_dirs = in->include_dirs;
  mo.n_include_dirs = (size_t)in->n_include_dirs;
  return wmiemu_mof_compile_file_ex(wmiemu_host_repo(host), path, &mo, print_diag, NULL);
}
