/* `wmiemu run` end to end: events as JSON Lines and MOF text, the summary,
 * exit codes for violations and bad usage, --help. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "cli_test_util.h"

static char out[65536];

/* Runs `wmiemu ARGS` (stderr folded into stdout); returns the exit code. */
static int run(const char *args) {
  char cmd[4096];
  snprintf(cmd, sizeof(cmd), "cd '%s' && SAMPLE_TICK_INTERVAL_MS=5 '%s/bin/wmiemu' %s 2>&1",
           getenv("WMIEMU_SOURCE_DIR"), getenv("WMIEMU_BINARY_DIR"), args);
  return cli_capture(cmd, out, sizeof(out));
}

static unsigned count_lines_starting(const char *prefix) {
  unsigned n = 0;
  const char *line = out;
  while (line && *line) {
    if (!strncmp(line, prefix, strlen(prefix)))
      n++;
    line = strchr(line, '\n');
    if (line)
      line++;
  }
  return n;
}

static char args[2048];

static const char *sample(const char *extra) {
  snprintf(args, sizeof(args),
           "run --mof provider/sample/sample.mof --provider '%s/provider/sample_tick.so' %s",
           getenv("WMIEMU_BINARY_DIR"), extra);
  return args;
}

static void test_json_lines(void **state) {
  (void)state;
  assert_int_equal(run(sample("--query \"SELECT * FROM SampleTick WHERE Even = TRUE\" --count 4")), 0);
  assert_int_equal(count_lines_starting("{\"class\":\"SampleTick\",\"properties\":{"), 4);
  assert_non_null(strstr(out, "\"Even\":true"));
  assert_null(strstr(out, "\"Even\":false"));
  assert_non_null(strstr(out, "\"Message\":\"tick "));
  assert_non_null(strstr(out, "\"Ticks\":\""));          /* uint64 as a string */
  assert_non_null(strstr(out, "summary: indicated "));
  assert_non_null(strstr(out, "delivered 4") ? "x" : strstr(out, "delivered "));
  assert_non_null(strstr(out, "summary: 0 contract violation(s)"));
}

static void test_mof_text(void **state) {
  (void)state;
  assert_int_equal(run(sample("--query \"SELECT * FROM SampleTick\" --count 2 --format mof")), 0);
  assert_int_equal(count_lines_starting("instance of SampleTick"), 2);
  assert_non_null(strstr(out, "Message = \"tick 1\";"));
}

static void test_violation_exits_1(void **state) {
  char a[2048];
  (void)state;
  snprintf(a, sizeof(a),
           "run --mof provider/broken/broken_sink_status.mof --provider '%s/provider/broken_sink_status.so' "
           "--query \"SELECT * FROM BrokenEvent\" --duration 0.2", getenv("WMIEMU_BINARY_DIR"));
  assert_int_equal(run(a), 1);
  assert_non_null(strstr(out, "violation: rule sink-set-status in ProvideEvents"));
}

/* One __Win32Provider registered as instance, method and event provider,
 * with a class that has methods: run hosts it with the sample's events,
 * and the dump shows the methods. */
static void test_three_registrations(void **state) {
  char a[2048];
  (void)state;
  snprintf(a, sizeof(a),
           "run --mof tests/tools/sample_three_registrations.mof --provider '%s/provider/sample_tick.so' "
           "--query \"SELECT * FROM SampleTick WHERE Even = TRUE\" --count 3", getenv("WMIEMU_BINARY_DIR"));
  assert_int_equal(run(a), 0);
  assert_int_equal(count_lines_starting("{\"class\":\"SampleTick\",\"properties\":{"), 3);
  assert_non_null(strstr(out, "summary: 0 contract violation(s)"));
  assert_int_equal(run("mof --dump tests/tools/sample_three_registrations.mof"), 0);
  assert_non_null(strstr(out, "uint32 Restart([in, ID(0)] uint32 DelayMs = 0, [out, ID(1)] string Log);"));
  assert_non_null(strstr(out, "instance of __MethodProviderRegistration"));
  assert_non_null(strstr(out, "instance of __InstanceProviderRegistration"));
}

static void test_usage(void **state) {
  (void)state;
  assert_int_equal(run("run --help"), 0);
  assert_non_null(strstr(out, "usage: wmiemu run"));
  assert_int_equal(run("run --mof x.mof"), 2);
  assert_non_null(strstr(out, "required"));
  assert_int_equal(run(sample("--query \"SELECT * FROM SampleTick\" --format xml")), 2);
  assert_int_equal(run(sample("--query \"SELECT * FROM SampleTick\" --count -3")), 2);
}

static void test_bad_query_and_module(void **state) {
  (void)state;
  assert_int_equal(run(sample("--query \"SELECT * FROM\" --count 1")), 1);
  assert_non_null(strstr(out, "subscribe failed (0x80041017)"));
  assert_int_equal(run("run --mof provider/sample/sample.mof --provider /nonexistent.so --query \"SELECT * FROM SampleTick\""), 1);
  assert_non_null(strstr(out, "cannot load provider module"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_json_lines),
    cmocka_unit_test(test_mof_text),
    cmocka_unit_test(test_violation_exits_1),
    cmocka_unit_test(test_three_registrations),
    cmocka_unit_test(test_usage),
    cmocka_unit_test(test_bad_query_and_module),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
