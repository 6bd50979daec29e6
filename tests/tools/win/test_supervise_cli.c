/* wmiemu.exe's supervision (emu/host/win/supervise.c, wmiemu_supervise_exec):
 * run, explore and replay do their work in a child that is wmiemu.exe run
 * again, so that a provider DLL that crashes or calls ExitProcess ends
 * the child, not the harness. explore then prints the crashed seed, runs
 * it again alone for its trace, and goes on with --keep-going; replay of
 * that trace crashes the same way. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <windows.h>

#include "common/portable.h"

static char g_exe[MAX_PATH];
static char *g_out;   /* the last command's stdout and stderr */

static const char *mof(const char *name) {
  static char buf[2][1024];
  static int next;
  const char *src = getenv("WMIEMU_SOURCE_DIR");
  char *b = buf[next++ % 2];
  snprintf(b, sizeof(buf[0]), "%s/provider/broken/%s.mof", src ? src : ".", name);
  return b;
}

/* Runs wmiemu.exe with args (NULL-ended; none holds a quote), its output
 * in g_out; returns its exit code. */
static int wmiemu(const char *first, ...) {
  SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, TRUE };
  char cmd[8192], outpath[MAX_PATH + 64];
  STARTUPINFOA si;
  PROCESS_INFORMATION pi;
  DWORD code = (DWORD)-1, size, got = 0;
  size_t used;
  HANDLE out;
  va_list ap;
  static int counter;
  used = (size_t)snprintf(cmd, sizeof(cmd), "\"%s\"", g_exe);
  va_start(ap, first);
  for (const char *a = first; a; a = va_arg(ap, const char *))
    used += (size_t)snprintf(cmd + used, sizeof(cmd) - used, " \"%s\"", a);
  va_end(ap);
  assert_true(used < sizeof(cmd));
  snprintf(outpath, sizeof(outpath), "%s/wmiemu-%lu-cli-%d.out", portable_tmp_dir(),
           (unsigned long)GetCurrentProcessId(), ++counter);
  out = CreateFileA(outpath, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                    &sa, CREATE_ALWAYS, FILE_ATTRIBUTE_TEMPORARY | FILE_FLAG_DELETE_ON_CLOSE, NULL);
  assert_true(out != INVALID_HANDLE_VALUE);
  memset(&si, 0, sizeof(si));
  si.cb = sizeof(si);
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
  si.hStdOutput = out;
  si.hStdError = out;
  assert_true(CreateProcessA(g_exe, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi));
  WaitForSingleObject(pi.hProcess, INFINITE);
  GetExitCodeProcess(pi.hProcess, &code);
  CloseHandle(pi.hThread);
  CloseHandle(pi.hProcess);
  free(g_out);
  size = GetFileSize(out, NULL);
  g_out = calloc(1, size + 1);
  assert_non_null(g_out);
  SetFilePointer(out, 0, NULL, FILE_BEGIN);
  if (size && !ReadFile(out, g_out, size, &got, NULL))
    got = 0;
  g_out[got] = 0;
  CloseHandle(out);
  return (int)code;
}

static void expect(const char *what) {
  if (!strstr(g_out, what))
    fail_msg("expected \"%s\" in:\n%s", what, g_out);
}

static int count(const char *what) {
  int n = 0;
  for (const char *p = g_out; (p = strstr(p, what)); p += strlen(what))
    n++;
  return n;
}

/* The trace's last line, which the parent writes after the crash. */
static void expect_crash_end(const char *path, const char *end) {
  char line[512] = "", last[512] = "";
  FILE *f = fopen(path, "rb");
  if (!f)
    fail_msg("no trace %s; output:\n%s", path, g_out);
  while (fgets(line, sizeof(line), f))
    memcpy(last, line, sizeof(last));
  fclose(f);
  assert_string_equal(last, end);
}

static void test_explore_crash_seed_trace_replay(void **state) {
  char trace[MAX_PATH], line[MAX_PATH * 2 + 80];
  (void)state;
  portable_tmp_path(trace, sizeof(trace), "crash.jsonl");
  remove(trace);
  assert_int_equal(wmiemu("explore", "--mof", mof("broken_crash"), "--provider", portable_module_path("broken_crash"),
                          "--query", "SELECT * FROM BrokenEvent", "--iterations", "20", "--seed", "1", "--trace",
                          trace, "--quiet", NULL), 1);
  expect("wmiemu explore: provider crashed: SIGSEGV (access violation at address 0x10) in thread ");
  expect(" while servicing ProvideEvents (provider BrokenCrashProvider)");
  expect(" broken_crash.dll (+0x");
  expect("wmiemu explore: the crash was in schedule 1 (seed 1, random strategy)");
  snprintf(line, sizeof(line), "crash at seed 1: trace %s, reproduce with: wmiemu replay %s", trace, trace);
  expect(line);
  expect_crash_end(trace, "{\"end\":\"crash\",\"signal\":\"SIGSEGV\"}\n");
  /* The trace crashes the same way each time, reported (the harness lives). */
  for (int i = 0; i < 3; i++) {
    assert_int_equal(wmiemu("replay", trace, NULL), 1);
    expect("wmiemu replay: provider crashed: SIGSEGV (access violation at address 0x10) in thread ");
    expect(" while servicing ProvideEvents (provider BrokenCrashProvider)");
  }
  remove(trace);
}

static void test_explore_keep_going(void **state) {
  char trace[MAX_PATH], more[MAX_PATH + 8], line[MAX_PATH + 80];
  (void)state;
  portable_tmp_path(trace, sizeof(trace), "keep.jsonl");
  assert_int_equal(wmiemu("explore", "--mof", mof("broken_crash"), "--provider", portable_module_path("broken_crash"),
                          "--query", "SELECT * FROM BrokenEvent", "--iterations", "3", "--seed", "5", "--trace",
                          trace, "--quiet", "--keep-going", NULL), 1);
  assert_int_equal(count("wmiemu explore: provider crashed: SIGSEGV"), 3);
  expect("wmiemu explore: --keep-going: on with seed 6");
  expect("wmiemu explore: --keep-going: on with seed 7");
  expect("wmiemu explore: the crash was in schedule 3 (seed 7, random strategy)");
  snprintf(more, sizeof(more), "%s.3", trace);
  snprintf(line, sizeof(line), "crash at seed 7: trace %s,", more);
  expect(line);
  expect_crash_end(more, "{\"end\":\"crash\",\"signal\":\"SIGSEGV\"}\n");
  remove(trace);
  remove(more);
  snprintf(more, sizeof(more), "%s.2", trace);
  remove(more);
}

/* A provider that calls ExitProcess in ProvideEvents ends the child only:
 * reported with its exit code, by run and by explore, which goes on. */
static void test_exit_process(void **state) {
  char trace[MAX_PATH], more[MAX_PATH + 8];
  (void)state;
  assert_int_equal(wmiemu("run", "--mof", mof("broken_exit_process"), "--provider",
                          portable_module_path("broken_exit_process"), "--query", "SELECT * FROM BrokenEvent",
                          "--duration", "5", NULL), 1);
  expect("wmiemu run: provider process ended with exit code 7 and no crash record (ExitProcess");
  portable_tmp_path(trace, sizeof(trace), "exit.jsonl");
  assert_int_equal(wmiemu("explore", "--mof", mof("broken_exit_process"), "--provider",
                          portable_module_path("broken_exit_process"), "--query", "SELECT * FROM BrokenEvent",
                          "--iterations", "2", "--trace", trace, "--quiet", "--keep-going", NULL), 1);
  assert_int_equal(count("wmiemu explore: provider process ended with exit code 7 and no crash record"), 2);
  expect("wmiemu explore: --keep-going: on with seed 2");
  expect_crash_end(trace, "{\"end\":\"crash\",\"signal\":\"exit 7\"}\n");
  assert_int_equal(wmiemu("replay", trace, NULL), 1);
  expect("wmiemu replay: provider process ended with exit code 7 and no crash record");
  remove(trace);
  snprintf(more, sizeof(more), "%s.2", trace);
  remove(more);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_explore_crash_seed_trace_replay),
    cmocka_unit_test(test_explore_keep_going),
    cmocka_unit_test(test_exit_process),
  };
  char *slash;
  GetModuleFileNameA(NULL, g_exe, sizeof(g_exe));
  slash = strrchr(g_exe, '\\');
  snprintf(slash ? slash + 1 : g_exe, sizeof(g_exe) - (size_t)(slash ? slash + 1 - g_exe : 0), "wmiemu.exe");
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  free(g_out);
  return rc;
}
