/* Fault injection end to end: each of the five faulty providers
 * (provider/faulty/) passes a plain run and a plain exploration, and is
 * found by `wmiemu explore --faults` or --faults-systematic, with a trace
 * that `wmiemu replay` reproduces; the command line's errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli_test_util.h"

static char out[1 << 17];
static char tmp[128];   /* a prefix for this process's files */

/* Runs a shell command line in the source directory, with `WMIEMU` the
 * command, `B` the build directory and `T` the file prefix; stderr folded
 * into stdout. Returns the exit status. */
static int shell(const char *fmt, ...) {
  char script[8192], cmd[9000];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(script, sizeof(script), fmt, ap);
  va_end(ap);
  snprintf(cmd, sizeof(cmd), "cd '%s' && WMIEMU='%s/bin/wmiemu' && B='%s' && T='%s' && { %s ; } 2>&1",
           getenv("WMIEMU_SOURCE_DIR"), getenv("WMIEMU_BINARY_DIR"), getenv("WMIEMU_BINARY_DIR"), tmp, script);
  return cli_capture(cmd, out, sizeof(out));
}

static void expect(const char *text) {
  if (!strstr(out, text))
    fail_msg("expected \"%s\" in:\n%s", text, out);
}

static void expect_not(const char *text) {
  if (strstr(out, text))
    fail_msg("did not expect \"%s\" in:\n%s", text, out);
}

/* A crash as supervision reports it: a signal, or under the sanitizers
 * their report (UBSan sees the NULL store before the signal would come). */
static void expect_crash(void) {
  if (!strstr(out, "SIGSEGV") && !strstr(out, "runtime error: ") && !strstr(out, "sanitizer"))
    fail_msg("expected a crash in:\n%s", out);
}

#define FAULTY(name, event) \
  "--mof provider/faulty/faulty_" name ".mof --provider \"$B/provider/faulty_" name ".so\" " \
  "--query 'SELECT * FROM " event "'"

static const struct {
  const char *name, *event;
} faulty[] = {
  { "null_bstr", "FaultyNullBstrEvent" }, { "oom_leak", "FaultyOomLeakEvent" },
  { "cancel_refire", "FaultyCancelRefireEvent" }, { "thread_wait", "FaultyThreadWaitEvent" },
  { "answer", "FaultyAnswerEvent" },
};

static int setup(void **state) {
  (void)state;
  snprintf(tmp, sizeof(tmp), "/tmp/wmiemu-test-faults-%d", (int)getpid());
  return 0;
}

static int teardown(void **state) {
  (void)state;
  shell("rm -f \"$T\"*");
  return 0;
}

/* Without faults every one is a correct provider: a plain run delivers its
 * events, an exploration of its schedules finds nothing (without
 * --busy-every's BUSY answers, the one fault explore injected before). */
static void test_plain_finds_nothing(void **state) {
  char args[512];
  (void)state;
  for (size_t i = 0; i < sizeof(faulty) / sizeof(faulty[0]); i++) {
    snprintf(args, sizeof(args), FAULTY("%s", "%s"), faulty[i].name, faulty[i].name,
             faulty[i].event);
    if (shell("\"$WMIEMU\" run %s --count 3 --duration 5", args) != 0)
      fail_msg("%s: plain run failed:\n%s", faulty[i].name, out);
    expect_not("crash");
    if (shell("\"$WMIEMU\" explore %s --busy-every 0 --iterations 30 --quiet --trace \"$T.plain\"", args) != 0)
      fail_msg("%s: plain explore failed:\n%s", faulty[i].name, out);
    expect(": 30 schedules, ");
  }
}

/* (a) NULL from SysAllocString: random alloc faults crash it; the trace of
 * the crashed schedule replays the crash. */
static void test_null_bstr(void **state) {
  (void)state;
  assert_int_equal(shell("\"$WMIEMU\" explore " FAULTY("null_bstr", "FaultyNullBstrEvent")
                         " --faults alloc --iterations 50 --quiet --jobs 1 --trace \"$T.a.jsonl\""), 1);
  expect_crash();
  /* Under UBSan its report ends the process before the signal: supervision
   * sees an exit and keeps no trace. Otherwise the trace replays the crash. */
  if (strstr(out, "reproduce with: wmiemu replay ")) {
    assert_int_equal(shell("\"$WMIEMU\" replay \"$T.a.jsonl\""), 1);
    expect_crash();
  }
  /* The systematic mode: each alloc site failed alone; the first is the
   * skeleton's, in Initialize, which copes; every tick's crashes it. */
  assert_int_equal(shell("\"$WMIEMU\" explore " FAULTY("null_bstr", "FaultyNullBstrEvent")
                         " --faults-systematic --faults alloc --trace \"$T.as.jsonl\""), 1);
  expect("run 1: alloc #1 (SysAllocString): nothing\n");
  expect("run 2: alloc #2 (SysAllocString): crash: the provider crashed: ");
  assert_int_equal(shell("\"$WMIEMU\" replay \"$T.as-2.jsonl\""), 1);
  expect_crash();
}

/* (b) A leak on WBEM_E_OUT_OF_MEMORY: the systematic mode fails each
 * Indicate in turn; every one leaks an event. */
static void test_oom_leak(void **state) {
  (void)state;
  assert_int_equal(shell("\"$WMIEMU\" explore " FAULTY("oom_leak", "FaultyOomLeakEvent")
                         " --faults-systematic --faults indicate-oom --busy-every 0 --trace \"$T.b.jsonl\""), 1);
  expect("baseline (no fault): nothing\n");
  expect("run 1: indicate-oom #1 (Indicate): leak: 1 object(s) the provider made");
  expect("-1.jsonl   (wmiemu replay ");
  assert_int_equal(shell("\"$WMIEMU\" replay \"$T.b-1.jsonl\""), 1);
  expect("leak: 1 object(s)");
}

/* (c) A double release when a cancel falls between a BUSY answer and the
 * refire: one site of each kind is not enough, a pair is. */
static void test_cancel_refire(void **state) {
  (void)state;
  assert_int_equal(shell("\"$WMIEMU\" explore " FAULTY("cancel_refire", "FaultyCancelRefireEvent")
                         " --faults-systematic=pairs --faults indicate-busy,cancel --busy-every 0 "
                         "--trace \"$T.c.jsonl\""), 1);
  expect("indicate-busy #1 + cancel #1 (Indicate): violation: double release");
  expect_not("run 1: indicate-busy #1 (Indicate): violation");
  /* And at random: the seed decides which Indicate is BUSY and which cancels. */
  assert_int_equal(shell("\"$WMIEMU\" explore " FAULTY("cancel_refire", "FaultyCancelRefireEvent")
                         " --faults indicate-busy,cancel --fault-rate 2 --busy-every 0 --iterations 100 --quiet "
                         "--trace \"$T.cr.jsonl\""), 1);
  expect("violation after ");
  expect("double release");
  assert_int_equal(shell("\"$WMIEMU\" replay \"$T.cr.jsonl\""), 1);
  expect("double release");
}

/* (d) A wait for a thread that never started: a hang. */
static void test_thread_wait(void **state) {
  (void)state;
  assert_int_equal(shell("\"$WMIEMU\" explore " FAULTY("thread_wait", "FaultyThreadWaitEvent")
                         " --faults-systematic --faults thread --trace \"$T.d.jsonl\""), 1);
  expect("run 1: thread #1 (CreateThread): hang: ");
  assert_int_equal(shell("\"$WMIEMU\" replay \"$T.d-1.jsonl\""), 1);
}

/* (e) A crash on WBEM_E_OUT_OF_MEMORY. */
static void test_answer(void **state) {
  (void)state;
  assert_int_equal(shell("\"$WMIEMU\" explore " FAULTY("answer", "FaultyAnswerEvent")
                         " --faults indicate-oom --iterations 20 --quiet --jobs 1 --trace \"$T.e.jsonl\""), 1);
  expect_crash();
  /* Under UBSan its report ends the process before the signal: supervision
   * sees an exit and keeps no trace. Otherwise the trace replays the crash. */
  if (strstr(out, "reproduce with: wmiemu replay ")) {
    assert_int_equal(shell("\"$WMIEMU\" replay \"$T.e.jsonl\""), 1);
    expect_crash();
  }
}

static void test_errors(void **state) {
  (void)state;
  assert_int_equal(shell("\"$WMIEMU\" explore " FAULTY("answer", "FaultyAnswerEvent") " --faults bogus"), 2);
  expect("--faults: 'bogus' is not a list of");
  assert_int_equal(shell("\"$WMIEMU\" explore " FAULTY("answer", "FaultyAnswerEvent")
                         " --faults-systematic=triples"), 2);
  assert_int_equal(shell("\"$WMIEMU\" explore --scenario correct --faults-systematic"), 2);
  expect("--faults-systematic needs --mof, --provider and --query");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_plain_finds_nothing),
    cmocka_unit_test(test_null_bstr),
    cmocka_unit_test(test_oom_leak),
    cmocka_unit_test(test_cancel_refire),
    cmocka_unit_test(test_thread_wait),
    cmocka_unit_test(test_answer),
    cmocka_unit_test(test_errors),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
