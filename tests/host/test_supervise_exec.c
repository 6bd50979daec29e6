/* wmiemu_supervise_exec: the supervised child as this program run again
 * with arguments, on both builds (POSIX: fork and execv of /proc/self/exe;
 * Windows: CreateProcessW with the arguments quoted for
 * CommandLineToArgvW). The child is this test executable, started with
 * "--child WHAT": it exits with a code through wmiemu_supervise_exit,
 * crashes inside a WMI call, ends the process itself (as a provider
 * calling ExitProcess would), or checks that awkward arguments arrived
 * intact. INTERNAL: the child marks a WMI call and a schedule as the host
 * and explore do. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/portable.h"

#include <windows.h>

#include <wmiemu/host_supervise.h>

#include "check/context.h"
#include "host/supervise.h"

/* Unmapped, and not NULL: a sanitizer's null check does not see it first. */
static int *volatile nowhere = (int *)(uintptr_t)0x10;

static char g_self[4096];

/* Arguments a command line must carry across as they are: blanks, quotes,
 * backslashes before a quote, at the end, alone, and the empty string. */
static const char *const awkward[] = {
  "plain",
  "two words",
  "",
  "\"quoted\"",
  "say \"hi\" now",
  "back\\slash",
  "trailing\\",
  "trailing two\\\\",
  "\\\"",
  "a\\\\\"b",
  "tab\there",
  " lead and trail ",
  "C:\\Program Files\\x\\",
  "%PATH%",
};
#define N_AWKWARD (sizeof(awkward) / sizeof(awkward[0]))

/* ---- the child ------------------------------------------------------------- */

/* Recursion that overflows the stack; the volatile bound keeps the
 * compiler from seeing it as infinite. */
static volatile int depth_limit = 1 << 30;

static int overflow(int n) {
  volatile char frame[512];
  frame[0] = (char)n;
  if (n == depth_limit)
    return 0;
  return overflow(n + 1) + frame[0];
}

static int child_main(int argc, char **argv) {
  const char *what = argv[2];
  if (!wmiemu_supervise_in_child())
    return 99;
  if (!strcmp(what, "exit") && argc == 4) {
    wmiemu_supervise_exit(atoi(argv[3]));
  } else if (!strcmp(what, "crash")) {
    wmiemu__check_frame_t frame;
    wmiemu_counters_t c;
    memset(&c, 0, sizeof(c));
    c.indicated = 6;
    c.delivered = 4;
    wmiemu_supervise_note_counters(&c, 3);
    wmiemu__supervise_note_schedule(11, 2, 150);
    wmiemu__check_enter(&frame, "ProvideEvents", "TestProvider");
    *nowhere = 1;
    wmiemu__check_leave(&frame);
  } else if (!strcmp(what, "quit")) {
    wmiemu_counters_t c;
    memset(&c, 0, sizeof(c));
    c.indicated = 2;
    wmiemu_supervise_note_counters(&c, 0);
    /* As a provider that ends its host: no crash record, no "done". */
#ifdef _WIN32
    ExitProcess(5);
#else
    _exit(5);
#endif
  } else if (!strcmp(what, "overflow")) {
    return overflow(0);
  } else if (!strcmp(what, "args")) {
    if ((size_t)argc != 3 + N_AWKWARD)
      wmiemu_supervise_exit(10);
    for (size_t i = 0; i < N_AWKWARD; i++)
      if (strcmp(argv[3 + i], awkward[i]))
        wmiemu_supervise_exit(20 + (int)i);
    wmiemu_supervise_exit(0);
  }
  return 98;
}

/* ---- the parent --------------------------------------------------------------- */

static int run_child(wmiemu_supervise_report_t *r, const char *what, const char *arg) {
  char *argv[4 + N_AWKWARD];
  int argc = 0;
  argv[argc++] = g_self;
  argv[argc++] = "--child";
  argv[argc++] = (char *)what;
  if (arg)
    argv[argc++] = (char *)arg;
  if (!strcmp(what, "args"))
    for (size_t i = 0; i < N_AWKWARD; i++)
      argv[argc++] = (char *)awkward[i];
  argv[argc] = NULL;
  return wmiemu_supervise_exec(argc, argv, r);
}

static char *print_to_string(const wmiemu_supervise_report_t *r, int *printed) {
  char *text;
  FILE *f = portable_memstream();
  assert_non_null(f);
  *printed = wmiemu_supervise_print(r, "test", f);
  text = portable_memstream_close(f);
  assert_non_null(text);
  return text;
}

static void test_exit_code(void **state) {
  wmiemu_supervise_report_t r;
  int printed;
  char *text;
  (void)state;
  assert_int_equal(run_child(&r, "exit", "7"), 0);
  assert_int_equal(r.exited, 1);
  assert_int_equal(r.exit_code, 7);
  assert_int_equal(r.crashed, 0);
  assert_int_equal(r.term_signal, 0);
  text = print_to_string(&r, &printed);
  assert_int_equal(printed, 0);
  free(text);
  assert_int_equal(run_child(&r, "exit", "0"), 0);
  assert_int_equal(r.exited, 1);
  assert_int_equal(r.exit_code, 0);
  /* Not in a child here; no argv, no child. */
  assert_int_equal(wmiemu_supervise_in_child(), 0);
  assert_int_equal(wmiemu_supervise_exec(0, NULL, &r), -1);
}

static void test_crash_record(void **state) {
  wmiemu_supervise_report_t r;
  int printed;
  char *text;
  (void)state;
  assert_int_equal(run_child(&r, "crash", NULL), 0);
  assert_int_equal(r.exited, 0);
  assert_int_equal(r.crashed, 1);
#if !defined(__SANITIZE_ADDRESS__)
  assert_int_equal(r.signal, SIGSEGV);
  assert_int_equal(r.address, 0x10);
#endif
  assert_string_equal(r.call, "ProvideEvents");
  assert_string_equal(r.provider, "TestProvider");
  assert_true(r.n_frames > 0);
  assert_int_equal(r.have_counters, 1);
  assert_int_equal(r.counters.indicated, 6);
  assert_int_equal(r.counters.delivered, 4);
  assert_int_equal(r.violations, 3);
  assert_int_equal(r.exploring, 1);
  assert_int_equal(r.seed, 11);
  assert_int_equal(r.iteration, 2);
  assert_int_equal(r.pct_steps, 150);
  text = print_to_string(&r, &printed);
  assert_int_equal(printed, 1);
  assert_non_null(strstr(text, "test: provider crashed: "));
  assert_non_null(strstr(text, " while servicing ProvideEvents (provider TestProvider)"));
  assert_non_null(strstr(text, "test: counters up to the crash: indicated 6, matched 0, delivered 4"));
  free(text);
}

static void test_ended_without_record(void **state) {
  wmiemu_supervise_report_t r;
  int printed;
  char *text;
  (void)state;
  assert_int_equal(run_child(&r, "quit", NULL), 0);
  assert_int_equal(r.exited, 0);
  assert_int_equal(r.crashed, 0);
  assert_int_equal(r.term_signal, 0);
  assert_int_equal(r.exit_code, 5);
  assert_int_equal(r.have_counters, 1);
  assert_int_equal(r.counters.indicated, 2);
  text = print_to_string(&r, &printed);
  assert_int_equal(printed, 1);
  assert_non_null(strstr(text, "test: provider process ended with exit code 5 and no crash record"));
  assert_non_null(strstr(text, "test: counters up to the end: indicated 2,"));
  free(text);
}

/* A stack overflow: reported from the alternate stack (POSIX) or, on
 * Windows, from the stack the filter was guaranteed when it suffices
 * (wine: with some frame sizes only); else as an end with no crash
 * record. Never taken for the child's own exit. */
static void test_stack_overflow(void **state) {
  wmiemu_supervise_report_t r;
  int printed;
  char *text;
  (void)state;
  assert_int_equal(run_child(&r, "overflow", NULL), 0);
  assert_int_equal(r.exited, 0);
  text = print_to_string(&r, &printed);
  assert_int_equal(printed, 1);
  if (r.crashed)
    assert_non_null(strstr(text, "test: provider crashed: SIGSEGV ("));
  else   /* the filter could not run: the system's status (0xc00000fd; wine 8 says 0) */
    assert_non_null(strstr(text, " and no crash record ("));
  free(text);
}

static void test_awkward_arguments(void **state) {
  wmiemu_supervise_report_t r;
  (void)state;
  assert_int_equal(run_child(&r, "args", NULL), 0);
  assert_int_equal(r.exited, 1);
  assert_int_equal(r.exit_code, 0);   /* 10: a count that differs; 20 + i: awkward[i] */
}

int main(int argc, char **argv) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_exit_code),
    cmocka_unit_test(test_crash_record),
    cmocka_unit_test(test_ended_without_record),
    cmocka_unit_test(test_stack_overflow),
    cmocka_unit_test(test_awkward_arguments),
  };
  if (argc > 2 && !strcmp(argv[1], "--child"))
    return child_main(argc, argv);
  snprintf(g_self, sizeof(g_self), "%s", argv[0]);
  return cmocka_run_group_tests(tests, NULL, NULL);
}
