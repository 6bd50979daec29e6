/* Crashes as findings: `wmiemu run`, `explore` and `replay` on providers that
 * crash (a wild store in ProvideEvents, abort() in a provider thread) or hand
 * the host garbage (DllGetClassObject exported as data, a QueryInterface
 * result that is no object). None may end by signal or lose the report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli_test_util.h"

static char out[1 << 17];

/* Runs a shell command line in the source directory, with `WMIEMU` the
 * command and stderr folded into stdout; returns the exit status, -1 when
 * the shell itself was killed. */
static int shell(const char *fmt, ...) {
  char script[8192], cmd[9000];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(script, sizeof(script), fmt, ap);
  va_end(ap);
  snprintf(cmd, sizeof(cmd), "cd '%s' && WMIEMU='%s/bin/wmiemu' && B='%s' && { %s ; } 2>&1",
           getenv("WMIEMU_SOURCE_DIR"), getenv("WMIEMU_BINARY_DIR"), getenv("WMIEMU_BINARY_DIR"), script);
  return cli_capture(cmd, out, sizeof(out));
}

static void expect(const char *text) {
  if (!strstr(out, text))
    fail_msg("expected \"%s\" in:\n%s", text, out);
}

static unsigned count(const char *text) {
  unsigned n = 0;
  for (const char *p = out; (p = strstr(p, text)); p++)
    n++;
  return n;
}

/* The provider's part of a command line: its MOF, module and query. */
#define PROVIDER(name) \
  "--mof provider/broken/broken_" name ".mof --provider \"$B/provider/broken_" name ".so\" " \
  "--query 'SELECT * FROM BrokenEvent'"

static char trace[256];

static int setup(void **state) {
  (void)state;
  snprintf(trace, sizeof(trace), "/tmp/wmiemu-test-crash-%d.jsonl", (int)getpid());
  return 0;
}

static int teardown(void **state) {
  char more[300];
  (void)state;
  unlink(trace);
  for (int i = 2; i < 5; i++) {
    snprintf(more, sizeof(more), "%s.%d", trace, i);
    unlink(more);
  }
  return 0;
}

static void test_run_segfault(void **state) {
  (void)state;
  assert_int_equal(shell("\"$WMIEMU\" run " PROVIDER("crash") " --duration 2"), 1);
  expect("wmiemu run: provider crashed: SIGSEGV (address 0x10, not mapped) in thread ");
  expect("while servicing ProvideEvents (provider BrokenCrashProvider)\n");
  expect("wmiemu run: backtrace (* = provider module):\n");
  expect(" * 0x");
  expect("broken_crash.so (crash_provide_events+0x");
  expect("wmiemu run: counters up to the crash: none yet");
}

static void test_run_abort_in_thread(void **state) {
  (void)state;
  assert_int_equal(shell("\"$WMIEMU\" run " PROVIDER("abort_thread") " --duration 5"), 1);
  expect("\"Seq\":3}}\n");   /* the events before the crash were delivered */
  expect("wmiemu run: provider crashed: SIGABRT (raised by abort()) in thread ");
  expect("outside any WMI call (a thread of the provider's)\n");
  expect("broken_abort_thread.so (abort_thread");
  expect("wmiemu run: counters up to the crash: indicated 3, matched 3, delivered 3, filtered 0, dropped 0; "
         "0 contract violation(s)\n");
}

static void test_run_data_export(void **state) {
  (void)state;
  assert_int_equal(shell("\"$WMIEMU\" run " PROVIDER("data_export") " --duration 2"), 1);
  expect("provider module exports DllGetClassObject as data, not as a function (0x80041013)\n");
  expect("violation: rule bad-pointer in DllGetClassObject (provider ");
  assert_null(strstr(out, "crashed"));
}

static void test_run_garbage_qi(void **state) {
  (void)state;
  assert_int_equal(shell("\"$WMIEMU\" run " PROVIDER("garbage_qi") " --duration 0.3"), 1);
  expect("summary: 1 contract violation(s)\n");
  expect("violation: rule bad-pointer in QueryInterface (provider BrokenGarbageQiProvider, thread ");
  expect("QueryInterface(IWbemEventProviderQuerySink) returned 0x00000000 and 0x1badd000, which is not "
         "readable memory\n");
  assert_null(strstr(out, "crashed"));
}

static void test_explore_segfault_and_replay(void **state) {
  (void)state;
  assert_int_equal(shell("\"$WMIEMU\" explore " PROVIDER("crash") " --iterations 5 --quiet --trace %s", trace), 1);
  expect("wmiemu explore: provider crashed: SIGSEGV (address 0x10, not mapped) in thread ");
  expect("while servicing ProvideEvents (provider BrokenCrashProvider)\n");
  expect("broken_crash.so (crash_provide_events+0x");
  expect("wmiemu explore: the crash was in schedule 1 (seed 1, random strategy)\n");
  expect("reproduce with: wmiemu replay ");
  expect(trace);
  assert_int_equal(count("provider crashed"), 1);   /* stopped at the first crash */
  /* The saved trace ends in the crash; replaying it crashes alike. */
  assert_int_equal(shell("tail -1 %s", trace), 0);
  expect("{\"end\":\"crash\",\"signal\":\"SIGSEGV\"}\n");
  assert_int_equal(shell("\"$WMIEMU\" replay %s", trace), 1);
  expect("wmiemu replay: provider crashed: SIGSEGV (address 0x10, not mapped) in thread ");
  expect("while servicing ProvideEvents (provider BrokenCrashProvider)\n");
  expect("broken_crash.so (crash_provide_events+0x");
}

static void test_explore_abort_and_replay(void **state) {
  (void)state;
  assert_int_equal(shell("\"$WMIEMU\" explore " PROVIDER("abort_thread") " --seed 7 --iterations 3 --quiet "
                         "--trace %s", trace), 1);
  expect("wmiemu explore: provider crashed: SIGABRT (raised by abort()) in thread ");
  expect("outside any WMI call (a thread of the provider's)\n");
  expect("broken_abort_thread.so (abort_thread");
  expect("wmiemu explore: the crash was in schedule 1 (seed 7, random strategy)\n");
  expect("crash at seed 7: trace ");
  assert_int_equal(shell("\"$WMIEMU\" replay %s", trace), 1);
  expect("wmiemu replay: provider crashed: SIGABRT (raised by abort()) in thread ");
  expect("broken_abort_thread.so (abort_thread");
}

static void test_explore_keep_going(void **state) {
  (void)state;
  assert_int_equal(shell("\"$WMIEMU\" explore " PROVIDER("crash") " --iterations 3 --quiet --keep-going "
                         "--trace %s", trace), 1);
  assert_int_equal(count("wmiemu explore: provider crashed: SIGSEGV"), 3);
  expect("the crash was in schedule 1 (seed 1,");
  expect("the crash was in schedule 2 (seed 2,");
  expect("the crash was in schedule 3 (seed 3,");
  expect("--keep-going: on with seed 2\n");
  assert_int_equal(shell("test -s %s && test -s %s.2 && test -s %s.3", trace, trace, trace), 0);
}

static void test_explore_bad_pointers(void **state) {
  (void)state;
  assert_int_equal(shell("\"$WMIEMU\" explore " PROVIDER("garbage_qi") " --iterations 3 --quiet --trace %s",
                         trace), 1);
  expect("provider:BrokenGarbageQiProvider: violation after 1 schedule (seed 1, random strategy)\n");
  expect("rule bad-pointer in QueryInterface");
  assert_null(strstr(out, "crashed"));
  assert_int_equal(shell("\"$WMIEMU\" explore " PROVIDER("data_export") " --iterations 3 --quiet --trace %s",
                         trace), 1);
  expect("rule bad-pointer in DllGetClassObject");
  assert_null(strstr(out, "crashed"));
}

/* Ctrl-C reaches the supervised run through the parent, which still exits
 * with the child's status after its summary. */
static void test_interrupt_keeps_summary(void **state) {
  (void)state;
  assert_int_equal(shell("SAMPLE_TICK_INTERVAL_MS=5 \"$WMIEMU\" run --mof provider/sample/sample.mof "
                         "--provider \"$B/provider/sample_tick.so\" --query 'SELECT * FROM SampleTick' >/dev/null "
                         "2>/tmp/wmiemu-test-crash-int-$$ & pid=$!; sleep 1; kill -INT $pid; wait $pid; "
                         "echo \"status $?\"; cat /tmp/wmiemu-test-crash-int-$$; rm -f /tmp/wmiemu-test-crash-int-$$"),
                   0);
  expect("status 0\n");
  expect("wmiemu run: interrupted, shutting down\n");
  expect("summary: indicated ");
  assert_null(strstr(out, "crashed"));
}

static void test_no_supervise(void **state) {
  (void)state;
  assert_int_equal(shell("SAMPLE_TICK_INTERVAL_MS=5 \"$WMIEMU\" run --no-supervise --mof provider/sample/sample.mof "
                         "--provider \"$B/provider/sample_tick.so\" --query 'SELECT * FROM SampleTick' --count 2"),
                   0);
  expect("summary: 0 contract violation(s)\n");
  assert_int_equal(shell("\"$WMIEMU\" run --help"), 0);
  expect("--no-supervise");
  assert_int_equal(shell("\"$WMIEMU\" explore --help"), 0);
  expect("--keep-going");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_run_segfault),
    cmocka_unit_test(test_run_abort_in_thread),
    cmocka_unit_test(test_run_data_export),
    cmocka_unit_test(test_run_garbage_qi),
    cmocka_unit_test(test_explore_segfault_and_replay),
    cmocka_unit_test(test_explore_abort_and_replay),
    cmocka_unit_test(test_explore_keep_going),
    cmocka_unit_test(test_explore_bad_pointers),
    cmocka_unit_test(test_interrupt_keeps_summary),
    cmocka_unit_test(test_no_supervise),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
