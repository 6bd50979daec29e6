/* wmiemu mof --check FILE... | --dump FILE... [-I DIR]... | --syntax FILE... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <wmiemu/cim.h>
#include <wmiemu/wql.h>

#include "cli.h"

static void mof_usage(FILE *out) {
  fprintf(out,
          "usage: wmiemu mof --check FILE... [-I DIR]...\n"
          "       wmiemu mof --dump FILE... [-I DIR]...\n"
          "       wmiemu mof --syntax FILE...\n\n"
          "Compiles MOF files, in order, into one emulated repository (namespaces\n"
          "root, root\\cimv2, root\\default; compilation starts in root\\default).\n"
          "  --check  print every diagnostic as FILE:LINE:COL: error: MESSAGE (0xHRESULT)\n"
          "  --dump   also print the compiled classes and instances back as MOF\n"
          "  --syntax check the grammar only, as mofcomp -check: no repository, no\n"
          "           class looked up, #pragma include not followed; no other option\n"
          "  -I DIR, --include-dir DIR\n"
          "           look for #pragma include files in DIR when they are not next\n"
          "           to the file including them (repeatable, searched in order)\n"
          "  --namespace NS, -N:NS\n"
          "           start in namespace NS instead of root\\default\n"
          "  --class createonly|updateonly|safeupdate|forceupdate, -class:FLAG\n"
          "  --instance createonly|updateonly, -instance:FLAG\n"
          "           flags in force until a #pragma classflags/instanceflags,\n"
          "           as mofcomp's switches of the same names\n"
          "A file with an error changes nothing. Exit status: 0 when every file\n"
          "compiles, 1 when any has an error, 2 on bad usage.\n");
}

static void print_diag(void *ctx, const wmiemu_diag_t *d) {
  char buf[1024];
  (void)ctx;
  wmiemu_diag_format(d, buf, sizeof buf);
  fprintf(stderr, "%s\n", buf);
}

#define MAX_ARGS 256

/* A --class/--instance value as PutClass/PutInstance flag bits; -1 if unknown. */
static LONG flag_value(const char *v, int instance) {
  if (!strcmp(v, "updateonly")) return 0x1;
  if (!strcmp(v, "createonly")) return 0x2;
  if (!instance && !strcmp(v, "safeupdate")) return 0x20;
  if (!instance && !strcmp(v, "forceupdate")) return 0x40;
  return -1;
}

/* "--name VALUE" or mofcomp's "-name:VALUE"; *i moves past what it used. */
static const char *option_value(int argc, char **argv, int *i, const char *long_name, const char *short_name) {
  const char *a = argv[*i];
  size_t n = strlen(short_name);
  if (!strcmp(a, long_name)) {
    if (*i + 1 == argc || wmiemu_cli_is_option(argv[*i + 1])) return "";
    return argv[++*i];
  }
  if (!strncasecmp(a, short_name, n) && a[n] == ':') return a + n + 1;
  return NULL;
}

int wmiemu_cli_mof(int argc, char **argv) {
  int check = 0, dump = 0, syntax = 0, other = 0, failed = 0, nfiles = 0;
  const char *files[MAX_ARGS], *dirs[MAX_ARGS];
  wmiemu_mof_options_t opts = { dirs, 0, NULL, 0, 0 };
  wmiemu_repo_t *repo;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) { mof_usage(stdout); return WMIEMU_EXIT_OK; }
    if ((v = option_value(argc, argv, &i, "--namespace", "-N"))) {
      if (!*v) {
        fprintf(stderr, "wmiemu mof: %s needs a value\n", a);
        return WMIEMU_EXIT_USAGE;
      }
      opts.start_namespace = v;
      other = 1;
      continue;
    }
    if ((v = option_value(argc, argv, &i, "--class", "-class")) ||
        (v = option_value(argc, argv, &i, "--instance", "-instance"))) {
      int instance = !strcmp(a, "--instance") || !strncasecmp(a, "-instance", 9);
      LONG f = flag_value(v, instance);
      if (f < 0) {
        fprintf(stderr, "wmiemu mof: %s: expected %s, found '%s'\n", a,
                instance ? "createonly or updateonly" : "createonly, updateonly, safeupdate or forceupdate", v);
        return WMIEMU_EXIT_USAGE;
      }
      *(instance ? &opts.instance_flags : &opts.class_flags) = f;
      other = 1;
      continue;
    }
    if (!strcmp(a, "--check")) check = 1;
    else if (!strcmp(a, "--dump")) dump = 1;
    else if (!strcmp(a, "--syntax")) syntax = 1;
    else if (!strcmp(a, "-I") || !strcmp(a, "--include-dir")) {
      other = 1;
      if (i + 1 == argc || wmiemu_cli_is_option(argv[i + 1])) {
        fprintf(stderr, "wmiemu mof: %s needs a value\n", a);
        return WMIEMU_EXIT_USAGE;
      }
      if (opts.n_include_dirs == MAX_ARGS) {
        fprintf(stderr, "wmiemu mof: more than %d include folders\n", MAX_ARGS);
        return WMIEMU_EXIT_USAGE;
      }
      dirs[opts.n_include_dirs++] = argv[++i];
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "wmiemu mof: unknown option '%s'\n", a);
      mof_usage(stderr);
      return WMIEMU_EXIT_USAGE;
    } else if (nfiles == MAX_ARGS) {
      fprintf(stderr, "wmiemu mof: more than %d MOF files\n", MAX_ARGS);
      return WMIEMU_EXIT_USAGE;
    } else {
      files[nfiles++] = a;
    }
  }
  if (syntax && (check || dump || other)) {
    /* as mofcomp -check, which takes no other switch */
    fprintf(stderr, "wmiemu mof: --syntax takes no other option\n");
    mof_usage(stderr);
    return WMIEMU_EXIT_USAGE;
  }
  if ((!check && !dump && !syntax) || !nfiles) {
    fprintf(stderr, "wmiemu mof: %s\n", !check && !dump && !syntax ? "--check or --dump is required (or --syntax)"
                                                                    : "no MOF file given");
    mof_usage(stderr);
    return WMIEMU_EXIT_USAGE;
  }
  for (int i = 0; i < nfiles; i++)
    if (wmiemu_cli_check_input("mof", files[i]))
      return WMIEMU_EXIT_FAILURE;
  if (syntax) {
    for (int i = 0; i < nfiles; i++)
      if (FAILED(wmiemu_mof_check_syntax_file(files[i], print_diag, NULL))) failed = 1;
    return failed ? WMIEMU_EXIT_FAILURE : WMIEMU_EXIT_OK;
  }
  if (FAILED(wmiemu_repo_new(&repo)) || FAILED(wmiemu_wql_check_registrations(repo))) {
    fprintf(stderr, "wmiemu mof: cannot create the repository\n");
    return WMIEMU_EXIT_FAILURE;
  }
  for (int i = 0; i < nfiles; i++)
    if (FAILED(wmiemu_mof_compile_file_ex(repo, files[i], &opts, print_diag, NULL))) failed = 1;
  if (dump) {
    char *text = NULL;
    if (SUCCEEDED(wmiemu_repo_dump_mof(repo, FALSE, &text))) fputs(text, stdout);
    else failed = 1;
    free(text);
  }
  wmiemu_repo_free(repo);
  return failed ? WMIEMU_EXIT_FAILURE : WMIEMU_EXIT_OK;
}
