/* `wmiemu run` on providers that outlive what WMI lent them, or misuse it:
 * each case ends with its rule, the thread, and the summary's counters,
 * and none ends by a signal. */
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

/* Runs `wmiemu run` on provider/broken/<name> (stderr folded into stdout)
 * with extra options; returns the exit code, -1 for a signal. */
static int run_broken(const char *name, const char *extra) {
  char cmd[4096];
  snprintf(cmd, sizeof(cmd),
           "cd '%s' && '%s/bin/wmiemu' run --mof provider/broken/%s.mof --provider '%s/provider/%s.so' "
           "--query \"SELECT * FROM BrokenEvent\" %s 2>&1",
           getenv("WMIEMU_SOURCE_DIR"), getenv("WMIEMU_BINARY_DIR"), name, getenv("WMIEMU_BINARY_DIR"),
           name, extra);
  return cli_capture(cmd, out, sizeof(out));
}

/* The violation line of rule, or fails the test. */
static const char *violation(const char *rule) {
  char key[128];
  const char *v;
  snprintf(key, sizeof(key), "violation: rule %s ", rule);
  v = strstr(out, key);
  if (!v)
    fail_msg("no %s in:\n%s", rule, out);
  return v;
}

static void assert_thread_named(const char *line) {
  const char *end = strchr(line, '\n');
  const char *t = strstr(line, ", thread ");
  assert_non_null(t);
  assert_true(!end || t < end);
  assert_true(strtoul(t + 9, NULL, 10) > 0);
}

/* A thread from CreateThread fires after the final Release: reported with
 * the run, not only as a reference leak. */
static void test_late_indicate(void **state) {
  (void)state;
  assert_int_equal(run_broken("broken_late_indicate", "--duration 0.2"), 1);
  assert_thread_named(violation("indicate-after-release"));
  assert_non_null(strstr(out, "Indicate(1 objects) after WMI's final Release"));
}

/* The same from a raw pthread the emulator never hears of. */
static void test_late_pthread(void **state) {
  (void)state;
  assert_int_equal(run_broken("broken_late_pthread", "--duration 0.2"), 1);
  assert_thread_named(violation("indicate-after-release"));
  assert_non_null(strstr(out, "BrokenLatePthreadProvider"));
}

/* A Release too many is its rule when it happens, with the call and the
 * thread, not a negative reference count at the end. */
static void test_extra_release(void **state) {
  const char *v;
  (void)state;
  assert_int_equal(run_broken("broken_extra_release", "--duration 0.2"), 1);
  v = violation("extra-release");
  assert_thread_named(v);
  assert_int_equal(strncmp(v, "violation: rule extra-release in NewQuery ", 42), 0);
  assert_non_null(strstr(v, "the event sink"));
  assert_null(strstr(out, "refcount-leak"));
}

/* Events indicated from CancelQuery: S_OK for each, none seen, each one
 * in the summary's after-cancel count, and the summary's identity holds. */
static void test_after_cancel(void **state) {
  unsigned long long all, delivered, filtered, dropped, unclaimed, after;
  const char *line;
  (void)state;
  assert_int_equal(run_broken("broken_after_cancel", "--duration 0.2"), 0);
  assert_non_null(strstr(out, "summary: unclaimed 0, after-cancel 2\n"));
  line = strstr(out, "summary: every event indicated: ");
  assert_non_null(line);
  assert_int_equal(sscanf(line, "summary: every event indicated: %llu = delivered %llu + filtered %llu + "
                                "dropped %llu + unclaimed %llu + after-cancel %llu",
                          &all, &delivered, &filtered, &dropped, &unclaimed, &after), 6);
  assert_int_equal(all, 3);
  assert_int_equal(delivered, 1);
  assert_int_equal(after, 2);
  assert_int_equal(all, delivered + filtered + dropped + unclaimed + after);
  assert_non_null(strstr(out, "summary: 0 contract violation(s)"));
}

/* Indicate(8, array of 7): its rule and an honest message, no overflow. */
static void test_overcount(void **state) {
  (void)state;
  assert_int_equal(run_broken("broken_overcount", "--duration 0.2"), 1);
  assert_thread_named(violation("indicate-arguments"));
  assert_true(strstr(out, "lCount 8 is larger than the array") ||
              strstr(out, "object 7 of lCount=8 is NULL: a NULL in the array, or lCount larger than the array"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_late_indicate),
    cmocka_unit_test(test_late_pthread),
    cmocka_unit_test(test_extra_release),
    cmocka_unit_test(test_after_cancel),
    cmocka_unit_test(test_overcount),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
