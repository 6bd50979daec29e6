#define _GNU_SOURCE   /* memmem */
/* `wmiemu watch` end to end: the table with chosen properties, JSON Lines
 * labelled by query, --max-events, --timeout, no status line when stdout is
 * not a terminal (and one on a pseudo-terminal), Ctrl-C's summary and exit
 * status 0, and a permanent binding from MOF running beside the queries. */
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
static char args[4096];

/* Runs `wmiemu watch` with the sample tick provider and ARGS (stderr
 * folded into stdout); returns the exit code. */
static int watch(const char *fmt, ...) {
  char cmd[8192], extra[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(extra, sizeof extra, fmt, ap);
  va_end(ap);
  snprintf(args, sizeof args, "watch --mof provider/sample/sample.mof --provider '%s/provider/sample_tick.so' %s",
           getenv("WMIEMU_BINARY_DIR"), extra);
  snprintf(cmd, sizeof cmd, "cd '%s' && SAMPLE_TICK_INTERVAL_MS=5 '%s/bin/wmiemu' %s 2>&1",
           getenv("WMIEMU_SOURCE_DIR"), getenv("WMIEMU_BINARY_DIR"), args);
  return cli_capture(cmd, out, sizeof out);
}

static unsigned count_lines_starting(const char *prefix) {
  unsigned n = 0;
  for (const char *line = out; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
    if (!strncmp(line, prefix, strlen(prefix)))
      n++;
  return n;
}

/* A JSON value well formed enough: brackets balance outside strings,
 * escapes are complete, and it ends where the line ends. */
static int json_line_ok(const char *s, size_t len) {
  int depth = 0, in_string = 0;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') {
        if (++i >= len)
          return 0;
      } else if (c == '"') {
        in_string = 0;
      } else if ((unsigned char)c < 0x20) {
        return 0;
      }
      continue;
    }
    if (c == '"')
      in_string = 1;
    else if (c == '{' || c == '[')
      depth++;
    else if (c == '}' || c == ']') {
      if (--depth < 0)
        return 0;
      if (!depth && i + 1 != len)
        return 0;
    }
  }
  return !depth && !in_string;
}

static void test_table_with_properties(void **state) {
  (void)state;
  assert_int_equal(watch("--property Sequence,Message --max-events 3 \"SELECT * FROM SampleTick\""), 0);
  assert_non_null(strstr(out, "Q   TIME         CLASS                Sequence         Message"));
  assert_int_equal(count_lines_starting("1   "), 3);
  assert_non_null(strstr(out, "SampleTick"));
  assert_non_null(strstr(out, "tick "));
  /* not a terminal: no status line, no escape sequences */
  assert_null(strstr(out, "events/s"));
  assert_null(strchr(out, '\033'));
  assert_non_null(strstr(out, "summary: query 1: indicated "));
  assert_non_null(strstr(out, "summary: 3 event(s) printed"));
  assert_non_null(strstr(out, "summary: 0 contract violation(s)"));
}

static void test_json_lines_two_queries(void **state) {
  unsigned n = 0;
  (void)state;
  assert_int_equal(watch("--format json --max-events 8 \"SELECT * FROM SampleTick WHERE Even = TRUE\" "
                         "\"SELECT * FROM SampleTick WHERE Even = FALSE\""), 0);
  for (const char *line = out; *line;) {
    const char *end = strchr(line, '\n');
    size_t len = end ? (size_t)(end - line) : strlen(line);
    if (!strncmp(line, "{\"query\":", 9)) {
      assert_true(json_line_ok(line, len));
      assert_true(!strncmp(line, "{\"query\":1,\"class\":\"SampleTick\",\"properties\":{", 46) ||
                  !strncmp(line, "{\"query\":2,\"class\":\"SampleTick\",\"properties\":{", 46));
      if (line[9] == '1')
        assert_non_null(memmem(line, len, "\"Even\":true", 11));
      else
        assert_non_null(memmem(line, len, "\"Even\":false", 12));
      n++;
    }
    line += len + (end ? 1 : 0);
  }
  assert_int_equal(n, 8);
  assert_non_null(strstr(out, "summary: query 2: "));
}

static void test_mof_format_and_timeout(void **state) {
  (void)state;
  assert_int_equal(watch("--format mof --timeout 0.3 \"SELECT * FROM SampleTick WHERE Sequence > 1000000\""), 0);
  assert_null(strstr(out, "// query 1"));
  assert_non_null(strstr(out, "summary: 0 event(s) printed"));
  assert_int_equal(watch("--format mof --max-events 1 \"SELECT * FROM SampleTick\""), 0);
  assert_non_null(strstr(out, "// query 1\ninstance of SampleTick"));
  /* a permanent binding in the MOF: its failure is reported with the
   * filter's path and the WQL error */
  assert_int_equal(watch("--mof tests/tools/bad_binding.mof --max-events 1 \"SELECT * FROM SampleTick\""), 0);
  assert_non_null(strstr(out, "summary: binding root\\subscription:__FilterToConsumerBinding."));
  assert_non_null(strstr(out, "root\\subscription:__EventFilter.Name=\"Bad\": query:1:"));
}

static void test_usage_errors(void **state) {
  (void)state;
  assert_int_equal(watch("--max-events 0 \"SELECT * FROM SampleTick\""), 2);
  assert_int_equal(watch("--format xml \"SELECT * FROM SampleTick\""), 2);
  assert_int_equal(watch(""), 2);
  assert_int_equal(watch("--max-events 1 \"SELECT * FROM NoSuchClass\""), 1);
  assert_non_null(strstr(out, "query 1: subscribe failed"));
}

/* Ctrl-C: the summary, and exit status 0. */
static void test_sigint_summary(void **state) {
  char cmd[8192];
  (void)state;
  snprintf(cmd, sizeof cmd,
           "cd '%s' && SAMPLE_TICK_INTERVAL_MS=20 '%s/bin/wmiemu' watch --mof provider/sample/sample.mof "
           "--provider '%s/provider/sample_tick.so' \"SELECT * FROM SampleTick\" > /dev/null 2>&1 & "
           "pid=$!; sleep 1; kill -INT $pid; wait $pid; echo \"exit=$?\"",
           getenv("WMIEMU_SOURCE_DIR"), getenv("WMIEMU_BINARY_DIR"), getenv("WMIEMU_BINARY_DIR"));
  assert_int_equal(cli_capture(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "exit=0"));
  snprintf(cmd, sizeof cmd,
           "cd '%s' && SAMPLE_TICK_INTERVAL_MS=20 '%s/bin/wmiemu' watch --mof provider/sample/sample.mof "
           "--provider '%s/provider/sample_tick.so' \"SELECT * FROM SampleTick\" 2>&1 >/dev/null & "
           "pid=$!; sleep 1; kill -INT $pid; wait $pid",
           getenv("WMIEMU_SOURCE_DIR"), getenv("WMIEMU_BINARY_DIR"), getenv("WMIEMU_BINARY_DIR"));
  assert_int_equal(cli_capture(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "wmiemu watch: interrupted"));
  assert_non_null(strstr(out, "summary: query 1: indicated "));
  assert_non_null(strstr(out, "contract violation(s)"));
}

/* On a pseudo-terminal (script(1)) the status line is drawn. */
static void test_status_line_on_a_terminal(void **state) {
  char cmd[8192];
  (void)state;
  if (system("command -v script >/dev/null 2>&1"))
    skip();
  snprintf(cmd, sizeof cmd,
           "cd '%s' && SAMPLE_TICK_INTERVAL_MS=5 script -qec \"'%s/bin/wmiemu' watch --mof provider/sample/sample.mof "
           "--provider '%s/provider/sample_tick.so' --timeout 1 'SELECT * FROM SampleTick'\" /dev/null",
           getenv("WMIEMU_SOURCE_DIR"), getenv("WMIEMU_BINARY_DIR"), getenv("WMIEMU_BINARY_DIR"));
  assert_int_equal(cli_capture(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "events/s | delivered "));
  assert_non_null(strstr(out, "| filtered 0 | dropped 0"));
}

/* A provider that crashes ends the watch with supervision's report and a
 * failure status, as it ends `wmiemu run`: never the command killed by the
 * signal, without a word. */
static void test_provider_crash_reported(void **state) {
  (void)state;
  assert_int_equal(watch("--mof provider/broken/broken_crash.mof --provider '%s/provider/broken_crash.so' "
                         "--timeout 5 \"SELECT * FROM BrokenEvent\"", getenv("WMIEMU_BINARY_DIR")), 1);
  assert_non_null(strstr(out, "wmiemu watch: provider crashed: SIGSEGV"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_table_with_properties),
    cmocka_unit_test(test_json_lines_two_queries),
    cmocka_unit_test(test_mof_format_and_timeout),
    cmocka_unit_test(test_usage_errors),
    cmocka_unit_test(test_sigint_summary),
    cmocka_unit_test(test_status_line_on_a_terminal),
    cmocka_unit_test(test_provider_crash_reported),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
