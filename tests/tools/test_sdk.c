/* The provider developer kit's library functions and commands:
 * wmiemu_module_unresolved_imports and `wmiemu check-module` (a module
 * calling functions wmiemu lacks), wmiemu_query_namespace and the namespace
 * `wmiemu run` and `explore` pick without --namespace (one namespace
 * registers the class, several do, none does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <wmiemu/cim.h>
#include <wmiemu/host_sdk.h>
#include <wmiemu/wql.h>

#include "cli_test_util.h"

static char out[65536];

/* Runs `wmiemu ARGS` from the source tree (stderr folded into stdout);
 * returns the exit code. */
static int run(const char *fmt, ...) {
  char args[4096], cmd[8192];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(args, sizeof(args), fmt, ap);
  va_end(ap);
  snprintf(cmd, sizeof(cmd), "cd '%s' && SAMPLE_TICK_INTERVAL_MS=5 '%s/bin/wmiemu' %s 2>&1",
           getenv("WMIEMU_SOURCE_DIR"), getenv("WMIEMU_BINARY_DIR"), args);
  return cli_capture(cmd, out, sizeof(out));
}

static char path[1024];

/* The built module's path; two buffers, for two modules in one command. */
static const char *module(const char *name) {
  static char paths[2][1024];
  static int next;
  char *p = paths[next++ % 2];
  snprintf(p, sizeof(paths[0]), "%s/provider/%s.so", getenv("WMIEMU_BINARY_DIR"), name);
  return p;
}

/* HRESULTs compared as the 32-bit values they are. */
#define assert_hr_equal(a, b) assert_int_equal((uint32_t)(a), (uint32_t)(b))

/* ---- unresolved imports ---------------------------------------------------- */

typedef struct {
  char names[8][64];
  int n;
} names_t;

static void collect(void *ctx, const char *name) {
  names_t *ns = ctx;
  if (ns->n < 8)
    snprintf(ns->names[ns->n++], sizeof(ns->names[0]), "%s", name);
}

static int has_name(const names_t *ns, const char *name) {
  for (int i = 0; i < ns->n; i++)
    if (!strcmp(ns->names[i], name))
      return 1;
  return 0;
}

static void test_imports_api(void **state) {
  names_t ns = { 0 };
  size_t missing = 99;
  (void)state;
  /* Everything sample_tick imports is in libwmiemu or the C runtime. */
  assert_hr_equal(wmiemu_module_unresolved_imports(module("sample_tick"), collect, &ns, &missing), S_OK);
  assert_int_equal(missing, 0);
  assert_int_equal(ns.n, 0);
  /* The C++ sample needs libstdc++ as well, which the check loads. */
  assert_hr_equal(wmiemu_module_unresolved_imports(module("sample_cpp"), NULL, NULL, &missing), S_OK);

  assert_hr_equal(wmiemu_module_unresolved_imports(module("missing_import"), collect, &ns, &missing), S_FALSE);
  assert_int_equal(missing, 2);
  assert_int_equal(ns.n, 2);
  assert_true(has_name(&ns, "GetComputerNameW"));
  assert_true(has_name(&ns, "RegConnectRegistryW"));
  assert_false(has_name(&ns, "SysAllocString"));
  assert_false(has_name(&ns, "RegCloseKey"));

  assert_hr_equal(wmiemu_module_unresolved_imports(NULL, NULL, NULL, &missing), WBEM_E_INVALID_PARAMETER);
  assert_hr_equal(wmiemu_module_unresolved_imports("/nonexistent.so", NULL, NULL, &missing), WBEM_E_NOT_FOUND);
  snprintf(path, sizeof(path), "%s/provider/sample/sample.mof", getenv("WMIEMU_SOURCE_DIR"));
  assert_hr_equal(wmiemu_module_unresolved_imports(path, NULL, NULL, NULL), WBEM_E_NOT_FOUND);
}

static void test_check_module_command(void **state) {
  (void)state;
  assert_int_equal(run("check-module '%s'", module("sample_tick")), 0);
  assert_string_equal(out, "");
  assert_int_equal(run("check-module '%s' '%s'", module("sample_tick"), module("missing_import")), 1);
  assert_non_null(strstr(out, "missing_import.so: unresolved: GetComputerNameW\n"));
  assert_non_null(strstr(out, "missing_import.so: unresolved: RegConnectRegistryW\n"));
  assert_null(strstr(out, "sample_tick.so: unresolved"));
  assert_non_null(strstr(out, "missing_import.so calls 2 functions wmiemu does not provide"));
  assert_int_equal(run("check-module provider/sample/sample.mof"), 1);
  assert_non_null(strstr(out, "cannot read it as a 64-bit ELF module"));
  assert_int_equal(run("check-module"), 2);
  assert_int_equal(run("check-module --bogus x.so"), 2);
  assert_int_equal(run("check-module --help"), 0);
  assert_non_null(strstr(out, "usage: wmiemu check-module MODULE..."));
}

/* ---- namespace choice ----------------------------------------------------------- */

static const char event_mof[] =
  "class PickEvent : __ExtrinsicEvent { uint32 N; };\n"
  "instance of __Win32Provider as $P { Name = \"PickProvider\";"
  " CLSID = \"{2f0b8f7e-5f3a-4c51-9a0e-7d1c3b2a1f00}\"; };\n"
  "instance of __EventProviderRegistration { Provider = $P;"
  " EventQueryList = { \"SELECT * FROM PickEvent\" }; };\n";

static wmiemu_repo_t *repo_with(const char *const *namespaces, size_t n, int define_elsewhere) {
  wmiemu_repo_t *repo = NULL;
  char text[4096];
  assert_int_equal(wmiemu_repo_new(&repo), S_OK);
  assert_int_equal(wmiemu_wql_check_registrations(repo), S_OK);
  for (size_t i = 0; i < n; i++) {
    snprintf(text, sizeof(text), "#pragma namespace(\"%s\")\n%s", namespaces[i], event_mof);
    assert_int_equal(wmiemu_mof_compile_text(repo, "pick.mof", text, strlen(text), NULL, NULL), S_OK);
  }
  if (define_elsewhere) {
    const char *cls = "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n"
                      "class OnlyHere : __ExtrinsicEvent { uint32 N; };\n";
    assert_int_equal(wmiemu_mof_compile_text(repo, "only.mof", cls, strlen(cls), NULL, NULL), S_OK);
  }
  return repo;
}

static void test_query_namespace_api(void **state) {
  static const char *const one[] = { "\\\\\\\\.\\\\root\\\\default" };
  static const char *const two[] = { "\\\\\\\\.\\\\root\\\\cimv2", "\\\\\\\\.\\\\root\\\\default" };
  char ns[256], tiny[4];
  wmiemu_repo_t *repo;
  (void)state;

  /* One namespace registers the class: there, whatever the query's case. */
  repo = repo_with(one, 1, 1);
  assert_hr_equal(wmiemu_query_namespace(repo, "SELECT * FROM PickEvent", ns, sizeof(ns)), S_OK);
  assert_string_equal(ns, "root\\default");
  assert_hr_equal(wmiemu_query_namespace(repo, "select * from pickevent where N > 2", ns, sizeof(ns)), S_OK);
  assert_string_equal(ns, "root\\default");
  /* No registration, one namespace defines the class. */
  assert_hr_equal(wmiemu_query_namespace(repo, "SELECT * FROM OnlyHere", ns, sizeof(ns)), S_OK);
  assert_string_equal(ns, "root\\cimv2");
  /* A system class every namespace has, or a class none has: the default. */
  assert_hr_equal(wmiemu_query_namespace(repo, "SELECT * FROM __InstanceCreationEvent WITHIN 1 "
                                                "WHERE TargetInstance ISA 'Nowhere'", ns, sizeof(ns)),
                   WBEM_E_NOT_FOUND);
  assert_string_equal(ns, "");
  assert_hr_equal(wmiemu_query_namespace(repo, "SELECT * FROM __ExtrinsicEvent", ns, sizeof(ns)),
                   WBEM_E_NOT_FOUND);
  assert_hr_equal(wmiemu_query_namespace(repo, "SELECT * FROM", ns, sizeof(ns)), WBEM_E_INVALID_QUERY);
  assert_hr_equal(wmiemu_query_namespace(repo, "SELECT * FROM PickEvent", tiny, sizeof(tiny)),
                   WBEM_E_BUFFER_TOO_SMALL);
  assert_hr_equal(wmiemu_query_namespace(NULL, "SELECT * FROM PickEvent", ns, sizeof(ns)),
                   WBEM_E_INVALID_PARAMETER);
  assert_hr_equal(wmiemu_query_namespace(repo, NULL, ns, sizeof(ns)), WBEM_E_INVALID_PARAMETER);
  assert_hr_equal(wmiemu_query_namespace(repo, "SELECT * FROM PickEvent", ns, 0), WBEM_E_INVALID_PARAMETER);
  wmiemu_repo_free(repo);

  /* Several namespaces register it: all of them, in the repository's order. */
  repo = repo_with(two, 2, 0);
  assert_hr_equal(wmiemu_query_namespace(repo, "SELECT * FROM PickEvent", ns, sizeof(ns)),
                   WBEM_E_AMBIGUOUS_OPERATION);
  assert_string_equal(ns, "root\\cimv2, root\\default");
  wmiemu_repo_free(repo);
}

static void test_run_picks_namespace(void **state) {
  (void)state;
  /* One namespace (root\default) registers SampleTick: events, no --namespace. */
  assert_int_equal(run("run --mof tests/tools/sample_default_ns.mof --provider '%s' "
                       "--query \"SELECT * FROM SampleTick\" --count 2", module("sample_tick")), 0);
  assert_non_null(strstr(out, "{\"class\":\"SampleTick\""));
  assert_non_null(strstr(out, "summary: 0 contract violation(s)"));
  /* Two do: the error names both, and --namespace settles it. */
  assert_int_equal(run("run --mof provider/sample/sample.mof tests/tools/sample_default_ns.mof --provider '%s' "
                       "--query \"SELECT * FROM SampleTick\" --count 1", module("sample_tick")), 1);
  assert_non_null(strstr(out, "registered in several namespaces (root\\cimv2, root\\default): "
                              "choose one with --namespace"));
  assert_int_equal(run("run --mof provider/sample/sample.mof tests/tools/sample_default_ns.mof --provider '%s' "
                       "--query \"SELECT * FROM SampleTick\" --count 1 --namespace 'root\\default'",
                       module("sample_tick")), 0);
  assert_non_null(strstr(out, "{\"class\":\"SampleTick\""));
  /* None does: the default namespace, and the subscription's own error. */
  assert_int_equal(run("run --mof tests/tools/sample_default_ns.mof --provider '%s' "
                       "--query \"SELECT * FROM NoSuchEvent\" --count 1", module("sample_tick")), 1);
  assert_non_null(strstr(out, "class 'NoSuchEvent' does not exist"));
}

static void test_explore_picks_namespace(void **state) {
  (void)state;
  assert_int_equal(run("explore --mof provider/sample/sample.mof tests/tools/sample_default_ns.mof --provider '%s' "
                       "--query \"SELECT * FROM SampleTick\" --iterations 2 --quiet --trace /dev/null",
                       module("sample_tick")), 1);
  assert_non_null(strstr(out, "registered in several namespaces (root\\cimv2, root\\default): "
                              "choose one with --namespace"));
  assert_int_equal(run("explore --mof provider/sample/sample.mof tests/tools/sample_default_ns.mof --provider '%s' "
                       "--query \"SELECT * FROM SampleTick\" --iterations 2 --quiet --trace /dev/null "
                       "--namespace 'root\\default'", module("sample_tick")), 0);
  assert_non_null(strstr(out, "2 schedules"));
  assert_int_equal(run("explore --mof tests/tools/sample_default_ns.mof --provider '%s' "
                       "--query \"SELECT * FROM SampleTick\" --iterations 2 --quiet --trace /dev/null",
                       module("sample_tick")), 0);
  assert_non_null(strstr(out, "2 schedules"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_imports_api),
    cmocka_unit_test(test_check_module_command),
    cmocka_unit_test(test_query_namespace_api),
    cmocka_unit_test(test_run_picks_namespace),
    cmocka_unit_test(test_explore_picks_namespace),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
