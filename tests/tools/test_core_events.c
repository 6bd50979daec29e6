/* `wmiemu run` and `explore` with the events WMI raises without a provider:
 * __TimerEvent from examples/wmi-core-events/timer.mof, every interval on
 * the loop's clock under run and on virtual time under explore (whose
 * trace replays), and __ClassCreationEvent for a MOF compiled while the
 * run goes on (--mof-at), with -I include folders. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli_test_util.h"

static char out[65536];
static char tmpdir[] = "/tmp/wmiemu-core-XXXXXX";

/* `wmiemu ARGS` in the temporary directory, stderr folded in; $S is the
 * source tree, $B the build tree, $E the example's folder. */
static int run(const char *args) {
  char cmd[8192];
  snprintf(cmd, sizeof(cmd),
           "cd '%s' && S='%s' B='%s' && E=\"$S/examples/wmi-core-events\" && \"$B/bin/wmiemu\" %s 2>&1 </dev/null",
           tmpdir, getenv("WMIEMU_SOURCE_DIR"), getenv("WMIEMU_BINARY_DIR"), args);
  return cli_capture(cmd, out, sizeof(out));
}

#define EXPECT(code, args, text)                                   \
  do {                                                             \
    int rc_ = run(args);                                           \
    if (rc_ != (code) || !strstr(out, text))                       \
      print_error("%s\n-> %d:\n%s\n", args, rc_, out);             \
    assert_int_equal(rc_, code);                                   \
    assert_non_null(strstr(out, text));                            \
    assert_null(strstr(out, "Sanitizer"));                         \
  } while (0)

static unsigned count(const char *text, const char *what) {
  unsigned n = 0;
  for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
    n++;
  return n;
}

static void write_file(const char *name, const char *text) {
  char path[512];
  FILE *f;
  snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
  f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static int setup(void **state) {
  char path[256];
  (void)state;
  if (!mkdtemp(tmpdir))
    return -1;
  snprintf(path, sizeof(path), "%s/inc", tmpdir);
  mkdir(path, 0700);
  /* main.mof includes a file that only -I inc finds */
  write_file("main.mof", "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n#pragma include(\"timers.mof\")\n");
  write_file("inc/timers.mof", "instance of __IntervalTimerInstruction { TimerId = \"Inc\"; "
                               "IntervalBetweenEvents = 100; };\n");
  write_file("bad.mof", "class Broken {\n");
  write_file("elsewhere.mof", "instance of DefinedElsewhere { X = 1; };\n");
  return 0;
}

static int teardown(void **state) {
  char cmd[512];
  (void)state;
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
  return system(cmd);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* T1 every second on the loop's clock; T2's events are filtered. */
static void test_run_timer(void **state) {
  double t0 = now_s(), took;
  (void)state;
  EXPECT(0, "run --mof \"$E/timer.mof\" --query 'SELECT * FROM __TimerEvent WHERE TimerId = \"T1\"' "
            "--count 2 --duration 20", "summary: 0 contract violation(s)");
  took = now_s() - t0;
  assert_int_equal(count(out, "\"TimerId\":\"T1\""), 2);
  assert_int_equal(count(out, "\"TimerId\":\"T2\""), 0);
  assert_non_null(strstr(out, "\"NumFirings\":1"));
  assert_non_null(strstr(out, "delivered 2, filtered "));
  /* the second at 2 s: not sooner, and not much later */
  assert_true(took >= 1.9);
  assert_true(took < 15.0);
}

/* A class compiled into the running host raises __ClassCreationEvent. */
static void test_run_mof_at(void **state) {
  (void)state;
  EXPECT(0, "run --mof \"$E/timer.mof\" --mof-at 300 \"$E/late_class.mof\" "
            "--query 'SELECT * FROM __ClassCreationEvent' --count 2 --duration 20",
         "delivered 2, filtered 0");
  assert_non_null(strstr(out, "\"class\":\"Late_Base\""));
  assert_non_null(strstr(out, "\"class\":\"Late_Child\""));
  /* A MOF that fails at run time is reported; the run goes on, and its
   * exit status says a file failed. */
  EXPECT(1, "run --mof \"$E/timer.mof\" --mof-at 0 bad.mof --query 'SELECT * FROM __TimerEvent' "
            "--count 1 --duration 20", "bad.mof: MOF compilation failed");
  assert_non_null(strstr(out, "delivered 1"));
  EXPECT(2, "run --mof \"$E/timer.mof\" --query q --mof-at", "--mof-at needs a value");
  EXPECT(2, "run --mof \"$E/timer.mof\" --query q --mof-at 10 --count 1", "--mof-at needs a time and a file");
  EXPECT(2, "run --mof \"$E/timer.mof\" --query q --mof-at soon late.mof", "bad value for --mof-at: 'soon'");
  EXPECT(1, "run --mof \"$E/timer.mof\" --query q --mof-at 1 inc", "inc: is a directory");
}

/* #pragma include files found through -I, as with `wmiemu mof -I`. */
static void test_run_include_dirs(void **state) {
  (void)state;
  EXPECT(1, "run --mof main.mof --query 'SELECT * FROM __TimerEvent' --count 1 --duration 5",
         "MOF compilation failed");
  EXPECT(0, "run -I inc --mof main.mof --query 'SELECT * FROM __TimerEvent' --count 3 --duration 20",
         "\"TimerId\":\"Inc\"");
  assert_int_equal(count(out, "\"TimerId\":\"Inc\""), 3);
  EXPECT(0, "run --include-dir inc --mof main.mof --query 'SELECT * FROM __TimerEvent' --count 1 --duration 20",
         "\"TimerId\":\"Inc\"");
}

/* Under explore, virtual time: 10 s of T1 and T2 (30 events) cost no
 * real seconds, and the trace replays step for step. */
static void test_explore_timer(void **state) {
  double t0 = now_s();
  (void)state;
  EXPECT(0, "explore --mof \"$S/provider/sample/sample.mof\" \"$E/timer.mof\" --provider \"$B/provider/sample_tick.so\" "
            "--query 'SELECT * FROM __TimerEvent WHERE TimerId = \"T1\"' --namespace 'root\\cimv2' "
            "--cancel-at 10000 --iterations 2 --trace timer.jsonl --trace-all --quiet", "no failure");
  assert_true(now_s() - t0 < 60.0);   /* 20 virtual seconds, twice: far less than 40 real */
  char cmd[600];
  snprintf(cmd, sizeof(cmd), "cat '%s/timer.jsonl'", tmpdir);
  assert_int_equal(cli_capture(cmd, out, sizeof(out)), 0);
  assert_non_null(strstr(out, "\"name\":\"indicated\",\"arg\":30,"));
  assert_non_null(strstr(out, "\"end\":\"ok\""));
  EXPECT(0, "replay timer.jsonl", "exactly");
}

/* mof --syntax: mofcomp -check's grammar-only pass, its exit codes. */
static void test_mof_syntax(void **state) {
  (void)state;
  EXPECT(0, "mof --syntax elsewhere.mof \"$E/timer.mof\"", "");
  assert_int_equal(out[0], 0);                 /* nothing to say */
  EXPECT(1, "mof --check elsewhere.mof", "class 'DefinedElsewhere' does not exist");
  EXPECT(1, "mof --syntax bad.mof", "bad.mof:2:1: error: expected");
  EXPECT(1, "mof --syntax missing.mof", "missing.mof");
  EXPECT(2, "mof --syntax --dump bad.mof", "--syntax takes no other option");
  EXPECT(2, "mof --syntax -I inc bad.mof", "--syntax takes no other option");
  EXPECT(2, "mof elsewhere.mof", "--check or --dump is required (or --syntax)");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_run_timer),
    cmocka_unit_test(test_run_mof_at),
    cmocka_unit_test(test_run_include_dirs),
    cmocka_unit_test(test_explore_timer),
    cmocka_unit_test(test_mof_syntax),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
