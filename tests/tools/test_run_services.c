/* `wmiemu run` with providers that call back into WMI through the
 * IWbemServices they were given: CalcCallerProvider's ExecMethod reaches
 * the method provider loaded beside it, EnumRepoProvider's ExecQuery reads
 * the instances the MOF compiled. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli_test_util.h"

static char out[65536];

static int run(const char *args) {
  char cmd[4096];
  snprintf(cmd, sizeof(cmd), "cd '%s' && '%s/bin/wmiemu' %s 2>&1", getenv("WMIEMU_SOURCE_DIR"),
           getenv("WMIEMU_BINARY_DIR"), args);
  return cli_capture(cmd, out, sizeof(out));
}

static void test_exec_method(void **state) {
  char a[2048];
  const char *bin = getenv("WMIEMU_BINARY_DIR");
  (void)state;
  snprintf(a, sizeof(a),
           "run --mof provider/method_calc/method_calc.mof --provider '%s/provider/method_calc.so' "
           "--provider '%s/provider/calc_caller.so' --query \"SELECT * FROM Calc_Result\" --count 2 "
           "--duration 10", bin, bin);
  assert_int_equal(run(a), 0);
  assert_non_null(strstr(out, "\"Method\":\"Add\""));
  assert_non_null(strstr(out, "\"Result\":42"));
  assert_non_null(strstr(out, "\"Method\":\"Scale\""));
  assert_non_null(strstr(out, "\"Result\":30"));
  assert_non_null(strstr(out, "summary: 0 contract violation(s)"));
}

static void test_exec_query(void **state) {
  char a[2048];
  (void)state;
  snprintf(a, sizeof(a),
           "run --mof provider/enum_repo/enum_repo.mof --provider '%s/provider/enum_repo.so' "
           "--query \"SELECT * FROM EnumRepo_Summary\" --count 1 --duration 10", getenv("WMIEMU_BINARY_DIR"));
  assert_int_equal(run(a), 0);
  assert_non_null(strstr(out, "\"Names\":\"b,c\""));
  assert_non_null(strstr(out, "\"Count\":2"));
  assert_non_null(strstr(out, "summary: 0 contract violation(s)"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_exec_method),
    cmocka_unit_test(test_exec_query),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
