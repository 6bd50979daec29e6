/* `wmiemu run --registry FILE --dump-registry`: the file is imported before
 * the providers load (its ThreadingModel is the one COM reads), a
 * malformed one stops the run naming file and line, and the dump shows what
 * the file and the modules' DllRegisterServer wrote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli_test_util.h"

static char out[65536];
static char reg_path[] = "/tmp/wmiemu-cli-reg-XXXXXX";

static int run(const char *args) {
  char cmd[4096];
  snprintf(cmd, sizeof(cmd), "cd '%s' && SAMPLE_TICK_INTERVAL_MS=5 '%s/bin/wmiemu' %s 2>&1",
           getenv("WMIEMU_SOURCE_DIR"), getenv("WMIEMU_BINARY_DIR"), args);
  return cli_capture(cmd, out, sizeof(out));
}

static void write_reg(const char *text) {
  FILE *f = fopen(reg_path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static int run_sample(const char *extra) {
  char args[2048];
  snprintf(args, sizeof(args),
           "run --mof provider/sample/sample.mof --provider '%s/provider/sample_tick.so' "
           "--query \"SELECT * FROM SampleTick\" --count 2 %s", getenv("WMIEMU_BINARY_DIR"), extra);
  return run(args);
}

static void test_threading_model_from_file(void **state) {
  char extra[256];
  (void)state;
  /* The registry's Apartment beats the default Both: rule threading-model. */
  write_reg("Windows Registry Editor Version 5.00\r\n\r\n"
            "[HKEY_CLASSES_ROOT\\CLSID\\{8D0E2B54-6C1F-4A47-9A51-2E470B3C61A1}\\InprocServer32]\r\n"
            "\"ThreadingModel\"=\"Apartment\"\r\n");
  snprintf(extra, sizeof(extra), "--registry %s", reg_path);
  assert_int_equal(run_sample(extra), 1);
  assert_non_null(strstr(out, "threading-model"));
  write_reg("REGEDIT4\n[HKEY_CLASSES_ROOT\\CLSID\\{8D0E2B54-6C1F-4A47-9A51-2E470B3C61A1}\\InprocServer32]\n"
            "\"ThreadingModel\"=\"Both\"\n");
  assert_int_equal(run_sample(extra), 0);
  assert_non_null(strstr(out, "summary: 0 contract violation(s)"));
}

static void test_dump(void **state) {
  char extra[256], args[2048];
  (void)state;
  write_reg("REGEDIT4\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor]\n\"Level\"=dword:00000003\n");
  snprintf(extra, sizeof(extra), "--registry %s --dump-registry", reg_path);
  assert_int_equal(run_sample(extra), 0);
  assert_non_null(strstr(out, "Windows Registry Editor Version 5.00\n"));
  assert_non_null(strstr(out, "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor]\n\"Level\"=dword:00000003\n"));
  /* What a module's DllRegisterServer wrote is there too. */
  snprintf(args, sizeof(args),
           "run --mof provider/selfreg/selfreg.mof --provider '%s/provider/selfreg.so' "
           "--query \"SELECT * FROM BrokenEvent\" --duration 0.2 --dump-registry", getenv("WMIEMU_BINARY_DIR"));
  assert_int_equal(run(args), 0);
  assert_non_null(strstr(out, "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Classes\\CLSID\\{6B0E0000-0000-4000-8000-0000000000E1}"
                              "\\InprocServer32]\n@=\""));
  assert_non_null(strstr(out, "\"ThreadingModel\"=\"Both\"\n"));
  assert_non_null(strstr(out, "\"ProcessAttach\"=dword:00000001\n"));
}

static void test_bad_file(void **state) {
  char extra[256];
  (void)state;
  write_reg("REGEDIT4\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor]\n\"Level\"=dword:xyz\n");
  snprintf(extra, sizeof(extra), "--registry %s", reg_path);
  assert_int_equal(run_sample(extra), 1);
  snprintf(extra, sizeof(extra), "wmiemu run: %s:4: dword: takes 1 to 8 hex digits\n", reg_path);
  assert_non_null(strstr(out, extra));
  assert_int_equal(run_sample("--registry /nonexistent/file.reg"), 1);
  assert_non_null(strstr(out, "/nonexistent/file.reg"));
  assert_int_equal(run_sample("--registry"), 2);
  assert_non_null(strstr(out, "--registry needs a value"));
}

static int setup(void **state) {
  int fd = mkstemp(reg_path);
  (void)state;
  if (fd < 0)
    return -1;
  close(fd);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  unlink(reg_path);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_threading_model_from_file),
    cmocka_unit_test(test_dump),
    cmocka_unit_test(test_bad_file),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
