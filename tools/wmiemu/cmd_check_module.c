/* wmiemu check-module: the functions a provider module imports that neither
 * libwmiemu nor the C/C++ runtime provides, read from the module before it
 * is loaded; dlopen would report only the first, and only when hosting it.
 * Exit 0 when every import resolves, 1 with the list, 2 on usage. */
#include <stdio.h>
#include <string.h>

#include <wmiemu/host_sdk.h>

#include "cli.h"

static void check_usage(FILE *out) {
  fprintf(out,
          "usage: wmiemu check-module MODULE...\n"
          "Lists the symbols each provider module imports that neither libwmiemu nor the\n"
          "C/C++ runtime (libc, libm, libstdc++, libgcc_s) defines: the Win32/COM\n"
          "functions the provider calls that wmiemu does not provide. The module is not\n"
          "loaded. Exits 0 when every import resolves, 1 when some do not or a module\n"
          "cannot be read, 2 on bad usage.\n");
}

typedef struct {
  const char *module;
} print_ctx_t;

static void print_missing(void *ctx, const char *name) {
  print_ctx_t *pc = ctx;
  printf("%s: unresolved: %s\n", pc->module, name);
}

int wmiemu_cli_check_module(int argc, char **argv) {
  int status = WMIEMU_EXIT_OK, n = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      check_usage(stdout);
      return WMIEMU_EXIT_OK;
    }
    if (wmiemu_cli_is_option(argv[i])) {
      fprintf(stderr, "wmiemu check-module: unknown option '%s'\n", argv[i]);
      check_usage(stderr);
      return WMIEMU_EXIT_USAGE;
    }
    n++;
  }
  if (!n) {
    check_usage(stderr);
    return WMIEMU_EXIT_USAGE;
  }
  for (int i = 1; i < argc; i++) {
    print_ctx_t pc = { argv[i] };
    size_t missing = 0;
    HRESULT hr;
    if (wmiemu_cli_check_input("check-module", argv[i]))
      return WMIEMU_EXIT_FAILURE;
    hr = wmiemu_module_unresolved_imports(argv[i], print_missing, &pc, &missing);
    if (hr == (HRESULT)WBEM_E_NOT_FOUND) {
      fprintf(stderr, "wmiemu check-module: %s: cannot read it as a 64-bit ELF module\n", argv[i]);
      status = WMIEMU_EXIT_FAILURE;
    } else if (FAILED(hr)) {
      fprintf(stderr, "wmiemu check-module: %s: 0x%08x\n", argv[i], (unsigned)hr);
      status = WMIEMU_EXIT_FAILURE;
    } else if (missing) {
      fflush(stdout);   /* the count after the names, also when both are piped */
      fprintf(stderr, "wmiemu check-module: %s calls %zu function%s wmiemu does not provide\n", argv[i],
              missing, missing == 1 ? "" : "s");
      status = WMIEMU_EXIT_FAILURE;
    }
  }
  return status;
}
