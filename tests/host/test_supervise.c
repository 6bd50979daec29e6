/* wmiemu/host_supervise.h: work in a child process, crashes reported by the
 * parent with signal, thread, backtrace and the last counters.
 *
 * On Windows there is no child: the work runs in the process, and a crash
 * is reported by an exception filter that then ends the process
 * (emu/host/win/supervise.c). The tests of a child's signals, names and
 * symbols mean nothing there and are left out; test_windows_crash runs
 * this executable again to see the filter's report and exit code. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <sys/prctl.h>
#endif
#include <unistd.h>
#include <cmocka.h>

#include "common/portable.h"

#include <windows.h>

#include <wmiemu/host_supervise.h>

/* Unmapped, and not NULL: a sanitizer's null check does not see it first. */
static int *volatile nowhere = (int *)(uintptr_t)0x10;

static int exit_with(void *ctx) {
  return *(int *)ctx;
}

static int report_in_child(void *ctx) {
  (void)ctx;
  return wmiemu_supervise_in_child() ? 42 : 0;
}

#ifndef _WIN32
static int crash_named(void *ctx) {
  wmiemu_counters_t c;
  (void)ctx;
  prctl(PR_SET_NAME, "crasher", 0, 0, 0);
  memset(&c, 0, sizeof(c));
  c.indicated = 5;
  c.delivered = 4;
  wmiemu_supervise_note_counters(&c, 2);
  c.indicated = 6;   /* the last note wins */
  wmiemu_supervise_note_counters(&c, 3);
  *nowhere = 1;
  return 0;
}

static int call_abort(void *ctx) {
  (void)ctx;
  abort();
}

static int kill_self(void *ctx) {
  kill(getpid(), *(int *)ctx);
  return 0;
}

/* Recursion that overflows the stack: only the alternate stack lets the
 * handler run. The volatile bound keeps the compiler from seeing it as
 * infinite. */
static volatile int depth_limit = 1 << 30;

static int deep(int n) {
  volatile char frame[512];
  frame[0] = (char)n;
  if (n == depth_limit)
    return 0;
  return deep(n + 1) + frame[0];
}

static int overflow_main(void *ctx) {
  (void)ctx;
  return deep(0);
}

static DWORD WINAPI overflow_thread(void *arg) {
  (void)arg;
  return (DWORD)deep(0);
}

/* The same on a thread made with CreateThread, which gets its own
 * alternate stack in a supervised child. */
static int overflow_in_thread(void *ctx) {
  HANDLE thread = CreateThread(NULL, 0, overflow_thread, NULL, 0, NULL);
  (void)ctx;
  if (!thread)
    return 3;
  WaitForSingleObject(thread, INFINITE);
  return 4;
}

#if defined(__SANITIZE_ADDRESS__)
/* A use after free: ASan's report ends the child through its death
 * callback, which fills the record. */
static int use_after_free(void *ctx) {
  char *volatile p = malloc(16);
  (void)ctx;
  free(p);
  return p[3];
}
#endif

#endif

static char *print_to_string(const wmiemu_supervise_report_t *r, int *printed) {
  char *text;
  FILE *f = portable_memstream();
  assert_non_null(f);
  *printed = wmiemu_supervise_print(r, "test", f);
  text = portable_memstream_close(f);
  assert_non_null(text);
  return text;
}

static void test_exit_status(void **state) {
  wmiemu_supervise_report_t r;
  int code = 3, printed;
  char *text;
  (void)state;
  assert_int_equal(wmiemu_supervise(exit_with, &code, &r), 0);
  assert_int_equal(r.exited, 1);
  assert_int_equal(r.exit_code, 3);
  assert_int_equal(r.crashed, 0);
  assert_int_equal(r.have_counters, 0);
  text = print_to_string(&r, &printed);
  assert_int_equal(printed, 0);
  assert_string_equal(text, "");
  free(text);
  assert_int_equal(wmiemu_supervise(report_in_child, NULL, &r), 0);
  assert_int_equal(r.exit_code, 42);
  assert_int_equal(wmiemu_supervise_in_child(), 0);
  assert_int_equal(wmiemu_supervise(NULL, NULL, &r), -1);
}

#ifndef _WIN32
static void test_segfault(void **state) {
  wmiemu_supervise_report_t r;
  int printed;
  char *text;
  unsigned i, named = 0;
  (void)state;
  assert_int_equal(wmiemu_supervise(crash_named, NULL, &r), 0);
  assert_int_equal(r.exited, 0);
  assert_int_equal(r.term_signal, SIGSEGV);
  assert_int_equal(r.crashed, 1);
  assert_int_equal(r.signal, SIGSEGV);
  assert_int_equal(r.code, SEGV_MAPERR);
  assert_int_equal(r.address, 0x10);
  assert_string_equal(r.thread_name, "crasher");
  assert_true(r.thread_id > 0);
  assert_string_equal(r.call, "");   /* no WMI call in progress */
  assert_true(r.n_frames > 2);
  for (i = 0; i < r.n_frames; i++)
    named += !strcmp(r.frames[i].symbol, "crash_named");
  assert_int_equal(named, 1);
  assert_int_equal(r.frames[0].in_provider, 0);   /* no provider module was noted */
  assert_int_equal(r.have_counters, 1);
  assert_int_equal(r.counters.indicated, 6);
  assert_int_equal(r.counters.delivered, 4);
  assert_int_equal(r.violations, 3);
  text = print_to_string(&r, &printed);
  assert_int_equal(printed, 1);
  assert_non_null(strstr(text, "test: provider crashed: SIGSEGV (address 0x10, not mapped) in thread "));
  assert_non_null(strstr(text, " 'crasher' outside any WMI call"));
  assert_non_null(strstr(text, "(crash_named+0x"));
  assert_non_null(strstr(text, "test: counters up to the crash: indicated 6, matched 0, delivered 4, filtered 0, "
                               "dropped 0; 3 contract violation(s)"));
  free(text);
}

static void test_abort(void **state) {
  wmiemu_supervise_report_t r;
  int printed;
  char *text;
  (void)state;
  assert_int_equal(wmiemu_supervise(call_abort, NULL, &r), 0);
  assert_int_equal(r.crashed, 1);
  assert_int_equal(r.signal, SIGABRT);
  assert_int_equal(r.term_signal, SIGABRT);
  text = print_to_string(&r, &printed);
  assert_non_null(strstr(text, "provider crashed: SIGABRT (raised by abort())"));
  assert_non_null(strstr(text, "(call_abort+0x"));
  assert_non_null(strstr(text, "counters up to the crash: none yet"));
  free(text);
}

static void test_killed_without_record(void **state) {
  wmiemu_supervise_report_t r;
  int printed;
  char *text;
  int sig = SIGKILL;
  (void)state;
  assert_int_equal(wmiemu_supervise(kill_self, &sig, &r), 0);
  assert_int_equal(r.crashed, 0);
  assert_int_equal(r.exited, 0);
  assert_int_equal(r.term_signal, SIGKILL);
  text = print_to_string(&r, &printed);
  assert_int_equal(printed, 1);
  assert_string_equal(text, "test: provider process killed by SIGKILL with no crash record "
                            "(out of memory, or killed from outside)\n");
  free(text);
  sig = SIGPIPE;   /* as in `wmiemu run ... | head -1` */
  assert_int_equal(wmiemu_supervise(kill_self, &sig, &r), 0);
  assert_int_equal(r.term_signal, SIGPIPE);
  text = print_to_string(&r, &printed);
  assert_string_equal(text, "test: provider process ended by SIGPIPE (its output was closed)\n");
  free(text);
}

static void test_stack_overflow(void **state) {
  wmiemu_supervise_report_t r;
  (void)state;
  assert_int_equal(wmiemu_supervise(overflow_main, NULL, &r), 0);
  assert_int_equal(r.crashed, 1);
  assert_int_equal(r.signal, SIGSEGV);
  assert_true(r.n_frames > 0);
  assert_int_equal(wmiemu_supervise(overflow_in_thread, NULL, &r), 0);
  assert_int_equal(r.crashed, 1);
  assert_int_equal(r.signal, SIGSEGV);
  assert_string_equal(r.thread_name, "CreateThread");
}

static void test_sanitizer_report(void **state) {
#if defined(__SANITIZE_ADDRESS__)
  wmiemu_supervise_report_t r;
  int printed;
  char *text;
  (void)state;
  assert_int_equal(wmiemu_supervise(use_after_free, NULL, &r), 0);
  assert_int_equal(r.crashed, 1);
  assert_int_equal(r.sanitizer, 1);
  text = print_to_string(&r, &printed);
  assert_non_null(strstr(text, "test: provider crashed: sanitizer report (printed above) in thread "));
  free(text);
#else
  (void)state;
  skip();   /* only a sanitizer build has reports to catch */
#endif
}

#else

/* In the child test_windows_crash starts: counters noted, then an access
 * violation under supervision, which the filter reports before it ends
 * the process. */
static int crash_noted(void *ctx) {
  wmiemu_counters_t c;
  (void)ctx;
  memset(&c, 0, sizeof(c));
  c.indicated = 6;
  c.delivered = 4;
  wmiemu_supervise_note_counters(&c, 3);
  *nowhere = 1;
  return 0;
}

static void test_windows_crash(void **state) {
  const char *args[] = { "--crash", NULL };
  char *err = NULL;
  (void)state;
  assert_int_equal(portable_run_self(args, &err), 70);   /* win/supervise.c's CRASH_EXIT_CODE */
  assert_non_null(err);
  assert_non_null(strstr(err, "wmiemu: provider crashed: SIGSEGV (access violation at address 0x10) in thread "));
  assert_non_null(strstr(err, " outside any WMI call"));
  assert_non_null(strstr(err, "wmiemu: backtrace (* = provider module):"));
  assert_non_null(strstr(err, "wmiemu: counters up to the crash: indicated 6, matched 0, delivered 4, filtered 0, "
                              "dropped 0; 3 contract violation(s)"));
  free(err);
}
#endif

static void test_signal_names(void **state) {
  char buf[24];
  (void)state;
  assert_string_equal(wmiemu_supervise_signal_name(SIGSEGV, buf, sizeof(buf)), "SIGSEGV");
  assert_string_equal(wmiemu_supervise_signal_name(SIGABRT, buf, sizeof(buf)), "SIGABRT");
#ifdef SIGRTMIN
  assert_string_equal(wmiemu_supervise_signal_name(SIGRTMIN + 1, buf, sizeof(buf)) == buf ? "other" : "named",
                      "other");
#else
  /* Windows has no real-time signals; its C runtime numbers end at 22. */
  assert_string_equal(wmiemu_supervise_signal_name(40, buf, sizeof(buf)) == buf ? "other" : "named", "other");
#endif
}

int main(int argc, char **argv) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_exit_status),
#ifndef _WIN32
    cmocka_unit_test(test_segfault),
    cmocka_unit_test(test_abort),
    cmocka_unit_test(test_killed_without_record),
    cmocka_unit_test(test_stack_overflow),
    cmocka_unit_test(test_sanitizer_report),
#else
    cmocka_unit_test(test_windows_crash),
#endif
    cmocka_unit_test(test_signal_names),
  };
#ifdef _WIN32
  if (argc > 1 && !strcmp(argv[1], "--crash")) {
    wmiemu_supervise_report_t r;
    return wmiemu_supervise(crash_noted, NULL, &r) == 0 ? 0 : 1;   /* the filter ends it first */
  }
#else
  (void)argc;
  (void)argv;
#endif
  return cmocka_run_group_tests(tests, NULL, NULL);
}
