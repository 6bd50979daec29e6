/* `wmiemu run` with an event consumer provider: the sample's MOF binds the
 * sample tick provider's events to a SampleFileConsumer, whose file gets
 * one line per event the binding's summary counts; the broken consumer
 * providers' violations named by rule, and a crash in IndicateToConsumer
 * reported by the supervisor, naming the call. */
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
static char dir[256];

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/wmiemu-conprov-cli-XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
  char cmd[300];
  (void)state;
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

/* Runs a shell command line in the test's directory, with `WMIEMU` the
 * command, S the source and B the build directory, stderr folded into
 * stdout; returns the exit status, -1 when the shell was killed. */
static int shell(const char *fmt, ...) {
  char script[8192], cmd[9000];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(script, sizeof(script), fmt, ap);
  va_end(ap);
  snprintf(cmd, sizeof(cmd), "cd '%s' && WMIEMU='%s/bin/wmiemu' && S='%s' && B='%s' && { %s ; } 2>&1", dir,
           getenv("WMIEMU_BINARY_DIR"), getenv("WMIEMU_SOURCE_DIR"), getenv("WMIEMU_BINARY_DIR"), script);
  return cli_capture(cmd, out, sizeof(out));
}

static void expect(const char *text) {
  if (!strstr(out, text))
    fail_msg("expected \"%s\" in:\n%s", text, out);
}

#define TICKS "--mof \"$S/provider/sample/sample.mof\" --provider \"$B/provider/sample_tick.so\" " \
              "--query 'SELECT * FROM SampleTick' --count 5 "

static void test_sample_consumer_file(void **state) {
  unsigned long took = 0, lines = 0;
  const char *p;
  (void)state;
  setenv("SAMPLE_TICK_INTERVAL_MS", "5", 1);
  assert_int_equal(shell("$WMIEMU run " TICKS "--mof \"$S/provider/consumer_sample/consumer_sample.mof\" "
                         "--provider \"$B/provider/consumer_sample.so\" && wc -l < sample_ticks.log && "
                         "head -1 sample_ticks.log"), 0);
  expect("summary: binding root\\subscription:__FilterToConsumerBinding.");
  expect("SampleFileConsumer took ");
  expect(" 0 failure(s)");
  expect("SampleTick: Sequence=");
  p = strstr(out, "SampleFileConsumer took ");
  took = strtoul(p + strlen("SampleFileConsumer took "), NULL, 10);
  /* wc's count: the line after the summary's last line */
  p = strstr(out, "SampleTick: Sequence=");
  while (p > out && p[-1] == '\n')
    p--;
  while (p > out && p[-1] != '\n')
    p--;
  lines = strtoul(p, NULL, 10);
  assert_true(took >= 1);
  assert_int_equal(lines, took);
}

#define BROKEN(name) \
  "--mof \"$S/provider/broken/broken_" name ".mof\" --provider \"$B/provider/broken_" name ".so\""

static void test_broken_null_sink(void **state) {
  (void)state;
  assert_int_equal(shell("$WMIEMU run " TICKS BROKEN("consumer_null_sink")), 1);
  expect("violation: rule consumer-null-sink in FindConsumer");
  expect("FindConsumer returned 0x00000000 with a NULL sink");
}

static void test_broken_kept_event(void **state) {
  (void)state;
  assert_int_equal(shell("$WMIEMU run " TICKS BROKEN("consumer_kept_event")), 1);
  expect("violation: rule consumer-kept-event in IndicateToConsumer");
}

static void test_broken_crash(void **state) {
  (void)state;
  assert_int_equal(shell("$WMIEMU run " TICKS BROKEN("consumer_crash")), 1);
  expect("provider crashed: SIGSEGV");
  expect("while servicing IndicateToConsumer (provider BrokenConsumerCrash)");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_sample_consumer_file, setup, teardown),
    cmocka_unit_test_setup_teardown(test_broken_null_sink, setup, teardown),
    cmocka_unit_test_setup_teardown(test_broken_kept_event, setup, teardown),
    cmocka_unit_test_setup_teardown(test_broken_crash, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
