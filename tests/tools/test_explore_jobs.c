/* `wmiemu explore --jobs N` and `--shard I/N`: N worker processes give the
 * output and trace of one (built-in scenarios and provider modules, both
 * strategies, failures, crashes with and without --keep-going: the crash
 * reported is the one at the lowest seed); 4 shards cover the seeds of one
 * run, step for step; Ctrl-C stops the workers and keeps the summary; the
 * command line's errors. */
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

#define PROVIDER(dir, name, event) \
  "--mof provider/" dir "/" name ".mof --provider \"$B/provider/" name ".so\" --query 'SELECT * FROM " event "'"

/* The command with `args` under --jobs 1 and --jobs 2, each with its own
 * trace file: prints "SAME" when their exit status, stdout and trace
 * agree byte for byte (paths aside), then the --jobs 2 run's stdout.
 * stderr (a crash report's thread ids and addresses differ from run to
 * run) goes to $T.err.2. */
static int both(const char *args) {
  return shell("rm -f \"$T\".*; for j in 1 2; do \"$WMIEMU\" explore %s --quiet --jobs $j --trace \"$T.trace.$j\" "
               ">\"$T.out.$j\" 2>\"$T.err.$j\"; echo \"exit $?\" >>\"$T.out.$j\"; "
               "sed -i \"s|$T.trace.$j|TRACE|g\" \"$T.out.$j\"; done; "
               "diff \"$T.out.1\" \"$T.out.2\" && { test ! -e \"$T.trace.1\" || cmp \"$T.trace.1\" \"$T.trace.2\"; } "
               "&& echo SAME; cat \"$T.out.2\"; ls \"$T\".* | grep -c seed",
               args);
}

static int setup(void **state) {
  (void)state;
  snprintf(tmp, sizeof(tmp), "/tmp/wmiemu-test-jobs-%d", (int)getpid());
  return 0;
}

static int teardown(void **state) {
  (void)state;
  shell("rm -f \"$T\".*");
  return 0;
}

static void test_jobs_scenarios(void **state) {
  (void)state;
  both("--scenario race-refire --strategy pct --iterations 400");
  expect("SAME\n");
  expect("race-refire: violation after ");
  expect("trace: TRACE   (wmiemu replay TRACE)\nexit 1\n0\n");   /* no PATH.seedS left behind */
  both("--scenario race-lifetime --strategy random --seed 40 --iterations 400");
  expect("SAME\n");
  expect("race-lifetime: violation after ");
  both("--scenario correct --strategy pct --iterations 300");
  expect("SAME\n");
  expect("correct: 300 schedules, ");
  expect("no failure\nexit 0\n");
}

static void test_jobs_providers(void **state) {
  (void)state;
  both(PROVIDER("race_correct", "race_correct", "RaceCorrectEvent") " --strategy pct --iterations 150");
  expect("SAME\n");
  expect("provider:RaceCorrectProvider: 150 schedules, ");
  both(PROVIDER("race_refire", "race_refire", "RaceRefireEvent") " --strategy random --iterations 100");
  expect("SAME\n");
  /* Which seed finds it depends on every scheduling point the runtime has;
   * SAME says --jobs found the one the serial run finds. */
  expect("provider:RaceRefireProvider: violation after ");
}

/* broken_crash_race crashes at some seeds only (which ones depends on every
 * scheduling point the runtime has); SAME says the two workers, however
 * they share the seeds, report the serial run's first one: the lowest. */
static void test_jobs_crash_lowest_seed(void **state) {
  (void)state;
  both(PROVIDER("broken", "broken_crash_race", "BrokenEvent") " --seed 6 --iterations 40");
  expect("SAME\n");
  expect("crash at seed ");
  expect(": trace TRACE, reproduce with: wmiemu replay TRACE\nexit 1\n");
  assert_int_equal(shell("cat \"$T.err.2\""), 0);
  expect("wmiemu explore: provider crashed: SIGSEGV (address 0x10, not mapped) in thread ");
  expect("broken_crash_race.so (racer+0x");
  expect("wmiemu explore: the crash was in schedule ");
  /* Each crash in turn, its trace in TRACE, TRACE.2, ...; the run's end. */
  both(PROVIDER("broken", "broken_crash_race", "BrokenEvent") " --seed 3 --iterations 30 --keep-going");
  expect("SAME\n");
  expect(": trace TRACE, reproduce");
  expect(": trace TRACE.2, reproduce");
  expect(": trace TRACE.3, reproduce");
  expect("provider:BrokenCrashRaceProvider: ");
  assert_int_equal(shell("cat \"$T.err.2\""), 0);
  expect("wmiemu explore: --keep-going: on with seed ");
  assert_int_equal(shell("\"$WMIEMU\" replay \"$T.trace.2.2\""), 1);
  expect("wmiemu replay: provider crashed: SIGSEGV (address 0x10, not mapped)");
}

/* A worker that ends without a signal mid-schedule (the provider calls
 * exit, or a sanitizer ends it with its exit code) is a failure, never a
 * run "interrupted" with exit status 0. */
static void test_jobs_worker_exit(void **state) {
  (void)state;
  for (int j = 1; j <= 2; j++) {
    int rc = shell("\"$WMIEMU\" explore " PROVIDER("broken", "broken_exit", "BrokenEvent")
                   " --quiet --iterations 20 --jobs %d", j);
    assert_int_not_equal(rc, 0);
    if (j == 2)
      expect("wmiemu explore: a worker process exited with status 3 in the schedule of seed ");
  }
}

static unsigned long long number_after(const char *text, const char *what) {
  const char *p = strstr(text, what);
  if (!p)
    fail_msg("expected \"%s\" in:\n%s", what, text);
  return strtoull(p + strlen(what), NULL, 10);
}

/* Shards 1..4 of a run: contiguous blocks that together are its seeds,
 * with its schedules and steps. */
static void test_shards_cover_run(void **state) {
  (void)state;
  char line[80];
  assert_int_equal(shell("\"$WMIEMU\" explore --scenario correct --seed 3 --iterations 41 --quiet"), 0);
  unsigned long long steps = number_after(out, "correct: 41 schedules, ");
  unsigned long long sum_steps = 0, sum_sched = 0, next = 3;
  for (int i = 1; i <= 4; i++) {
    assert_int_equal(shell("\"$WMIEMU\" explore --scenario correct --seed 3 --iterations 41 --quiet --shard %d/4", i),
                     0);
    snprintf(line, sizeof(line), "shard %d/4: seeds %llu..", i, next);
    unsigned long long last = number_after(out, line);
    unsigned long long n = last - next + 1;
    snprintf(line, sizeof(line), " (%llu of the run's 41 from seed 3)\n", n);
    expect(line);
    snprintf(line, sizeof(line), "correct: %llu schedules, ", n);
    sum_steps += number_after(out, line);
    sum_sched += n;
    assert_true(n == 10 || n == 11);
    next = last + 1;
  }
  assert_int_equal(next, 3 + 41);
  assert_int_equal(sum_sched, 41);
  assert_int_equal(sum_steps, steps);
  /* A shard is the plain run of its block, in any number of processes. */
  assert_int_equal(shell("\"$WMIEMU\" explore --scenario race-refire --strategy pct --iterations 400 --quiet --jobs 2 "
                         "--shard 2/3 --trace \"$T.a\" | tail -n +2 >\"$T.1\"; "
                         "\"$WMIEMU\" explore --scenario race-refire --strategy pct --seed 134 --iterations 133 "
                         "--quiet --jobs 1 --trace \"$T.a\" >\"$T.2\"; diff \"$T.1\" \"$T.2\" && echo SAME; cat \"$T.1\""),
                   0);
  expect("SAME\n");
  expect("race-refire: violation after ");
  assert_int_equal(shell("\"$WMIEMU\" explore --scenario correct --iterations 3 --shard 1/5 --quiet"), 0);
  expect("shard 1/5: no seeds (the run has 3)\n");
}

/* Ctrl-C: the workers finish their schedules, the parent waits for them,
 * prints the summary of the seeds known in order, and exits 0. */
static void test_jobs_interrupt(void **state) {
  (void)state;
  assert_int_equal(shell("\"$WMIEMU\" explore --scenario correct --iterations 100000000 --quiet --jobs 2 "
                         ">\"$T.o\" 2>&1 & pid=$!; sleep 1; kill -INT $pid; wait $pid; echo \"status $?\"; "
                         "cat \"$T.o\""), 0);
  expect("status 0\n");
  expect(" steps, no failure (interrupted)\n");
  expect("correct: ");
  assert_true(strtoull(strstr(out, "correct: ") + 9, NULL, 10) > 0);
}

static void test_jobs_usage(void **state) {
  (void)state;
  assert_int_equal(shell("\"$WMIEMU\" explore --jobs 0"), 2);
  expect("wmiemu explore: --jobs: 0 is out of range\n");
  assert_int_equal(shell("\"$WMIEMU\" explore --shard 5/4"), 2);
  expect("wmiemu explore: --shard: '5/4' is not I/N with 1 <= I <= N\n");
  assert_int_equal(shell("\"$WMIEMU\" explore --shard 3"), 2);
  expect("wmiemu explore: --shard: '3' is not I/N\n");
  assert_int_equal(shell("\"$WMIEMU\" explore --no-supervise --jobs 2"), 2);
  expect("no --jobs");
  assert_int_equal(shell("\"$WMIEMU\" explore --scenario nope --jobs 2"), 2);
  expect("wmiemu explore: unknown scenario 'nope'\n");
  assert_int_equal(shell("\"$WMIEMU\" explore --help"), 0);
  expect("--jobs N");
  expect("--shard I/N");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_jobs_scenarios),
    cmocka_unit_test(test_jobs_providers),
    cmocka_unit_test(test_jobs_crash_lowest_seed),
    cmocka_unit_test(test_jobs_worker_exit),
    cmocka_unit_test(test_shards_cover_run),
    cmocka_unit_test(test_jobs_interrupt),
    cmocka_unit_test(test_jobs_usage),
  };
  return cmocka_run_group_tests_name("tools_explore_jobs", tests, setup, teardown);
}
