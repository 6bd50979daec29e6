/* What the loader does as Windows does at load: DllMain(DLL_PROCESS_ATTACH)
 * first (a refusal fails the load, named), DllRegisterServer next (its
 * failure too), and the ThreadingModel COM reads from the registry wins
 * over the __Win32Provider's qualifier (provider/selfreg's MOF says
 * Apartment, its DllRegisterServer Both). */
#include "host/host_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/portable.h"

static size_t subscribe_and_count(wmiemu_host_t *host, wmiemu_rule_t rule) {
  wmiemu_sub_id_t id = 0;
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM BrokenEvent", NULL, NULL, &id), S_OK);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  wmiemu_host_shutdown(host);
  return wmiemu_checker_count_rule(wmiemu_host_checker(host), rule);
}

static void test_register_server(void **state) {
  wmiemu_host_t *host;
  WCHAR value[1024];
  DWORD size = sizeof(value), n = 0;
  char *path;
  (void)state;
#ifdef _WIN32
  /* The Windows host calls no DllRegisterServer (it would write the
   * machine's registry; README, "What differs from Linux"). */
  skip();
#endif
  host = fixture_host(NULL, "selfreg/selfreg.mof", "selfreg");
  /* DllMain ran first: DllRegisterServer found the module by its handle. */
  size = sizeof(n);
  assert_int_equal(RegGetValueW(HKEY_CURRENT_USER, L"Software\\wmiemu-selfreg", L"ProcessAttach", RRF_RT_REG_DWORD,
                                NULL, &n, &size), ERROR_SUCCESS);
  assert_int_equal(n, 1);
  size = sizeof(value);
  assert_int_equal(RegGetValueW(HKEY_CLASSES_ROOT, L"CLSID\\{6b0e0000-0000-4000-8000-0000000000e1}\\InprocServer32",
                                NULL, RRF_RT_REG_SZ, NULL, value, &size), ERROR_SUCCESS);
  path = wmiemu_wcs_to_utf8(value, (size_t)-1);
  assert_string_equal(path, fixture_module_path("selfreg"));
  free(path);
  /* The registry's Both, not the qualifier's Apartment. */
  assert_int_equal(subscribe_and_count(host, WMIEMU_RULE_THREADING_MODEL), 0);
  wmiemu_host_free(host);
}

static void test_registry_file_threading_model(void **state) {
  static const char reg[] =
    "Windows Registry Editor Version 5.00\n"
    "[HKEY_CLASSES_ROOT\\CLSID\\{6B0E0000-0000-4000-8000-00000000000A}\\InprocServer32]\n"
    "\"ThreadingModel\"=\"Both\"\n";
  wmiemu_host_t *host;
  (void)state;
#ifdef _WIN32
  skip();   /* .reg files are not loaded on Windows, where the registry is the system's */
#endif
  /* broken_threading registers Apartment by qualifier; the registry says Both. */
  host = fixture_host(NULL, "broken/broken_threading.mof", "broken_threading");
  assert_hr(wmiemu_host_load_registry_text(host, reg, sizeof(reg) - 1, "threading.reg"), S_OK);
  assert_int_equal(subscribe_and_count(host, WMIEMU_RULE_THREADING_MODEL), 0);
  wmiemu_host_free(host);
}

static void test_dllmain_refuses(void **state) {
  wmiemu_host_t *host;
  (void)state;
  host = fixture_host(NULL, "selfreg/selfreg.mof", NULL);
  portable_setenv("SELFREG_FAIL_ATTACH", "1");
  assert_hr(wmiemu_host_add_module(host, fixture_module_path("selfreg")), WBEM_E_PROVIDER_LOAD_FAILURE);
  portable_unsetenv("SELFREG_FAIL_ATTACH");
#ifdef _WIN32
  /* The system's loader ran DllMain, and names its FALSE only
   * ERROR_DLL_INIT_FAILED ("DLL initialization failed"). */
  wmiemu_host_free(host);
  skip();
#endif
  assert_non_null(strstr(wmiemu_host_last_error(host),
                         "selfreg" PORTABLE_MODULE_SUFFIX ": cannot load provider module: DllMain(DLL_PROCESS_ATTACH) returned FALSE"));
  wmiemu_host_free(host);
}

static void test_register_server_fails(void **state) {
  wmiemu_host_t *host;
  HKEY k;
  (void)state;
#ifdef _WIN32
  skip();   /* no DllRegisterServer call on Windows, as in test_register_server */
#endif
  host = fixture_host(NULL, "selfreg/selfreg.mof", NULL);
  portable_setenv("SELFREG_FAIL_REGISTER", "1");
  assert_hr(wmiemu_host_add_module(host, fixture_module_path("selfreg")), WBEM_E_PROVIDER_LOAD_FAILURE);
  portable_unsetenv("SELFREG_FAIL_REGISTER");
  assert_non_null(strstr(wmiemu_host_last_error(host), "selfreg" PORTABLE_MODULE_SUFFIX ": DllRegisterServer failed: 0x80040201"));
  assert_int_equal(RegOpenKeyExW(HKEY_CLASSES_ROOT, L"CLSID\\{6b0e0000-0000-4000-8000-0000000000e1}", 0, KEY_READ,
                                 &k), ERROR_FILE_NOT_FOUND);
  wmiemu_host_free(host);
}

/* Linked with a .def file (DEF in wmiemu_add_provider), it loads and serves
 * as the plain module does. */
static void test_def_module(void **state) {
  wmiemu_host_t *host;
  (void)state;
#ifdef _WIN32
  /* Its ThreadingModel "Both" is its DllRegisterServer's, which the
   * Windows host does not call (test_register_server). */
  skip();
#endif
  host = fixture_host(NULL, "selfreg/selfreg.mof", "selfreg_def");
  assert_int_equal(subscribe_and_count(host, WMIEMU_RULE_THREADING_MODEL), 0);
  assert_int_equal(wmiemu_checker_count(wmiemu_host_checker(host)), 0);
  wmiemu_host_free(host);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_register_server),
    cmocka_unit_test(test_registry_file_threading_model),
    cmocka_unit_test(test_dllmain_refuses),
    cmocka_unit_test(test_register_server_fails),
    cmocka_unit_test(test_def_module),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
