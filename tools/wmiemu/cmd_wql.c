/* `wmiemu wql`: parse and bind one WQL event query and print it back
 * (normalised text and tree), or the error with a caret under its column. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wmiemu/cim.h>
#include <wmiemu/compat.h>
#include <wmiemu/wql.h>

#include "cli.h"

static void usage(FILE *out) {
  fprintf(out,
          "usage: wmiemu wql --explain QUERY [--mof FILE]... [--ns NAMESPACE] [--no-bind]\n"
          "\n"
          "Parses a WQL event query, binds it against a repository and prints the\n"
          "normalised query and its tree with CIM types, or the error (HRESULT and\n"
          "column) with a caret under the place.\n"
          "\n"
          "  --explain QUERY   the query to explain\n"
          "  --mof FILE        compile FILE into the repository first (repeatable);\n"
          "                    without it, the query binds against the system classes\n"
          "  --ns NAMESPACE    namespace to bind in (default root\\default, where MOF\n"
          "                    files start)\n"
          "  --no-bind         parse only\n"
          "\n"
          "Exit status: 0 valid, 1 query or MOF error, 2 bad command line.\n");
}

static const char *hresult_name(HRESULT hr) {
  static const struct { HRESULT hr; const char *name; } names[] = {
    { (HRESULT)0x80041017, "WBEM_E_INVALID_QUERY" },
    { (HRESULT)0x80041018, "WBEM_E_INVALID_QUERY_TYPE" },
    { (HRESULT)0x80041010, "WBEM_E_INVALID_CLASS" },
    { (HRESULT)0x80041059, "WBEM_E_NOT_EVENT_CLASS" },
    { (HRESULT)0x80041031, "WBEM_E_INVALID_PROPERTY" },
    { (HRESULT)0x8004105C, "WBEM_E_PROPERTY_NOT_AN_OBJECT" },
    { (HRESULT)0x80041063, "WBEM_E_INVALID_OPERATOR" },
    { (HRESULT)0x80041005, "WBEM_E_TYPE_MISMATCH" },
    { (HRESULT)0x8004105A, "WBEM_E_MISSING_GROUP_WITHIN" },
    { (HRESULT)0x8004105D, "WBEM_E_AGGREGATING_BY_OBJECT" },
    { (HRESULT)0x8004106C, "WBEM_E_QUOTA_VIOLATION" },
    { (HRESULT)0x80041008, "WBEM_E_INVALID_PARAMETER" },
    { (HRESULT)0x80041006, "WBEM_E_OUT_OF_MEMORY" },
    { (HRESULT)0x8004100E, "WBEM_E_INVALID_NAMESPACE" },
  };
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (names[i].hr == hr)
      return names[i].name;
  return "error";
}

/* The query line, control characters escaped (a line break shows as a
 * blank, as the column counts it), then a caret line under err's column
 * (characters, so multi-byte UTF-8 lines up; tabs are kept so they line up
 * too). */
static void show_error(const char *query, const wmiemu_wql_error_t *err) {
  fprintf(stderr, "wmiemu wql: 0x%08X %s: %s\n", (unsigned)err->hr, hresult_name(err->hr),
          err->message);
  if (!err->column)
    return;
  fprintf(stderr, "  ");
  for (const char *p = query; *p; p++) {
    char one[2] = { *p == '\n' || *p == '\r' ? ' ' : *p, 0 };
    wmiemu_cli_put_escaped(stderr, one, 0);
  }
  fprintf(stderr, "\n  ");
  unsigned col = 1, mark = 0, end = err->column + (err->length ? err->length : 1);
  for (const char *p = query; *p && col < end; p++) {
    unsigned char c = (unsigned char)*p;
    int width = (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f ? 4 : 1;
    if ((c & 0xC0) == 0x80)
      continue;
    if (col < err->column)
      fprintf(stderr, "%*s", width, c == '\t' ? "\t" : "");
    else
      for (int i = 0; i < width; i++)
        fputc(mark++ ? '~' : '^', stderr);
    col++;
  }
  if (!mark)
    fputc('^', stderr);   /* the end of the query */
  fputc('\n', stderr);
}

static void print_diag(void *ctx, const wmiemu_diag_t *diag) {
  (void)ctx;
  char buf[512];
  wmiemu_diag_format(diag, buf, sizeof(buf));
  fprintf(stderr, "%s\n", buf);
}

int wmiemu_cli_wql(int argc, char **argv) {
  const char *query = NULL, *ns = "root\\default";
  const char *mofs[64];
  unsigned nmof = 0;
  int bind = 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if ((!strcmp(a, "--explain") || !strcmp(a, "--mof") || !strcmp(a, "--ns")) &&
        (i + 1 == argc || (strcmp(a, "--explain") && wmiemu_cli_is_option(argv[i + 1])))) {
      /* A query may start with "--" (a comment is not WQL, but let the parser say so). */
      fprintf(stderr, "wmiemu wql: %s needs a value\n", a);
      return WMIEMU_EXIT_USAGE;
    }
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      return WMIEMU_EXIT_OK;
    } else if (!strcmp(a, "--explain") && i + 1 < argc) {
      query = argv[++i];
    } else if (!strcmp(a, "--mof") && i + 1 < argc) {
      if (nmof == sizeof(mofs) / sizeof(mofs[0])) {
        fprintf(stderr, "wmiemu wql: too many --mof files\n");
        return WMIEMU_EXIT_USAGE;
      }
      mofs[nmof++] = argv[++i];
    } else if (!strcmp(a, "--ns") && i + 1 < argc) {
      ns = argv[++i];
    } else if (!strcmp(a, "--no-bind")) {
      bind = 0;
    } else {
      fprintf(stderr, "wmiemu wql: %s '%s'\n", a[0] == '-' ? "unknown option" : "unexpected argument", a);
      usage(stderr);
      return WMIEMU_EXIT_USAGE;
    }
  }
  if (!query) {
    fprintf(stderr, "wmiemu wql: --explain QUERY is required\n");
    usage(stderr);
    return WMIEMU_EXIT_USAGE;
  }
  for (unsigned i = 0; bind && i < nmof; i++)
    if (wmiemu_cli_check_input("wql", mofs[i]))
      return WMIEMU_EXIT_FAILURE;
  wmiemu_wql_query_t *q = NULL;
  wmiemu_wql_error_t err;
  if (FAILED(wmiemu_wql_parse(query, (size_t)-1, &q, &err))) {
    show_error(query, &err);
    return WMIEMU_EXIT_FAILURE;
  }
  int status = WMIEMU_EXIT_OK;
  wmiemu_repo_t *repo = NULL;
  WCHAR *wns = NULL;
  if (bind) {
    HRESULT hr = wmiemu_repo_new(&repo);
    if (SUCCEEDED(hr)) hr = wmiemu_wql_check_registrations(repo);
    for (unsigned i = 0; i < nmof && SUCCEEDED(hr); i++)
      hr = wmiemu_mof_compile_file(repo, mofs[i], print_diag, NULL);
    wns = wmiemu_utf8_to_wcs(ns, (size_t)-1);
    if (SUCCEEDED(hr) && (!wns || !wmiemu_repo_has_namespace(repo, wns))) {
      fprintf(stderr, "wmiemu wql: no namespace '%s'\n", ns);
      hr = WBEM_E_INVALID_NAMESPACE;
    }
    if (FAILED(hr)) {
      status = WMIEMU_EXIT_FAILURE;
    } else {
      wmiemu_repo_scope_t scope = { repo, wns };
      if (FAILED(wmiemu_wql_bind(q, wmiemu_repo_class_lookup, &scope, NULL, &err))) {
        show_error(query, &err);
        status = WMIEMU_EXIT_FAILURE;
      }
    }
  }
  if (status == WMIEMU_EXIT_OK) {
    char *text = wmiemu_wql_explain(q);
    if (text)
      wmiemu_cli_put_escaped(stdout, text, 1);
    free(text);
  }
  wmiemu_wql_free(q);
  free(wns);
  if (repo)
    wmiemu_repo_free(repo);
  return status;
}
