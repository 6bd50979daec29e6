/* wmiemu mof --check FILE... | --dump FILE... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wmiemu/cim.h>
#include <wmiemu/wql.h>

#include "cli.h"

static void mof_usage(FILE *out) {
  fprintf(out,
          "usage: wmiemu mof --check FILE...\n"
          "       wmiemu mof --dump FILE...\n\n"
          "Compiles MOF files, in order, into one emulated repository (namespaces\n"
          "root, root\\cimv2, root\\default; compilation starts in root\\default).\n"
          "  --check  print every diagnostic as FILE:LINE:COL: error: MESSAGE (0xHRESULT)\n"
          "  --dump   also print the compiled classes and instances back as MOF\n"
          "A file with an error changes nothing. Exit status: 0 when every file\n"
          "compiles, 1 when any has an error, 2 on bad usage.\n");
}

static void print_diag(void *ctx, const wmiemu_diag_t *d) {
  char buf[1024];
  (void)ctx;
  wmiemu_diag_format(d, buf, sizeof buf);
  fprintf(stderr, "%s\n", buf);
}

int wmiemu_cli_mof(int argc, char **argv) {
  int check = 0, dump = 0, first = 0, failed = 0;
  wmiemu_repo_t *repo;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) { mof_usage(stdout); return WMIEMU_EXIT_OK; }
    if (!strcmp(argv[i], "--check")) check = 1;
    else if (!strcmp(argv[i], "--dump")) dump = 1;
    else if (argv[i][0] == '-' && argv[i][1]) {
      fprintf(stderr, "wmiemu mof: unknown option '%s'\n", argv[i]);
      mof_usage(stderr);
      return WMIEMU_EXIT_USAGE;
    } else if (!first) first = i;
  }
  if ((!check && !dump) || !first) {
    fprintf(stderr, "wmiemu mof: %s\n", !check && !dump ? "--check or --dump is required" : "no MOF file given");
    mof_usage(stderr);
    return WMIEMU_EXIT_USAGE;
  }
  for (int i = first; i < argc; i++)
    if (!(argv[i][0] == '-' && argv[i][1]) && wmiemu_cli_check_input("mof", argv[i]))
      return WMIEMU_EXIT_FAILURE;
  if (FAILED(wmiemu_repo_new(&repo)) || FAILED(wmiemu_wql_check_registrations(repo))) {
    fprintf(stderr, "wmiemu mof: cannot create the repository\n");
    return WMIEMU_EXIT_FAILURE;
  }
  for (int i = first; i < argc; i++) {
    if (argv[i][0] == '-' && argv[i][1]) continue;
    if (FAILED(wmiemu_mof_compile_file(repo, argv[i], print_diag, NULL))) failed = 1;
  }
  if (dump) {
    char *text = NULL;
    if (SUCCEEDED(wmiemu_repo_dump_mof(repo, FALSE, &text))) fputs(text, stdout);
    else failed = 1;
    free(text);
  }
  wmiemu_repo_free(repo);
  return failed ? WMIEMU_EXIT_FAILURE : WMIEMU_EXIT_OK;
}
