/* wmiemu_wql_check_registrations: the repository checks EventQueryList
 * entries with WQL only once WQL is installed on it, and then refuses a
 * registration whose query does not parse, bind or pass the registration
 * check, at the entry's position. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <wmiemu/cim.h>
#include <wmiemu/wql.h>

#define assert_hr(a, b) assert_int_equal((uint32_t)(a), (uint32_t)(b))

static const char prefix[] =
  "#pragma namespace(\"root\\\\default\")\n"
  "class Hook_Event : __ExtrinsicEvent { uint32 N; };\n"
  "instance of __Win32Provider as $P { Name = \"HookProvider\";\n"
  "  CLSID = \"{12345678-1234-1234-1234-123456789ABC}\"; };\n"
  "instance of __EventProviderRegistration { Provider = $P;\n"
  "  EventQueryList = {\"select * from Hook_Event\", ";

static HRESULT compile(wmiemu_repo_t *repo, const char *second_query, char *diag) {
  char text[1024];
  snprintf(text, sizeof text, "%s\"%s\"}; };\n", prefix, second_query);
  diag[0] = 0;
  return wmiemu_mof_compile_text(repo, "hook.mof", text, strlen(text), NULL, NULL);
}

static void test_invalid_parameter(void **state) {
  (void)state;
  assert_hr(wmiemu_wql_check_registrations(NULL), WBEM_E_INVALID_PARAMETER);
}

static void test_queries_checked_once_installed(void **state) {
  wmiemu_repo_t *repo;
  char diag[8];
  (void)state;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(wmiemu_wql_check_registrations(repo), S_OK);
  /* each way an entry can fail: syntax, an unknown class, too broad */
  assert_hr(compile(repo, "select from", diag), WBEM_E_INVALID_QUERY);
  assert_hr(compile(repo, "select * from NoSuchEvent", diag), WBEM_E_INVALID_CLASS);
  assert_hr(compile(repo, "select * from __Event", diag), WBEMESS_E_REGISTRATION_TOO_BROAD);
  assert_hr(compile(repo, "select * from Hook_Event where N > 1", diag), S_OK);
  wmiemu_repo_free(repo);
}

static void test_queries_unchecked_without_wql(void **state) {
  wmiemu_repo_t *repo;
  char diag[8];
  (void)state;
  /* The repository alone knows no WQL: it stores the text as it is (the
   * other registration checks still apply). */
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(compile(repo, "select from", diag), S_OK);
  wmiemu_repo_free(repo);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_invalid_parameter),
    cmocka_unit_test(test_queries_checked_once_installed),
    cmocka_unit_test(test_queries_unchecked_without_wql),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
