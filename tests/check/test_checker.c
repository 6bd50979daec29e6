/* The violation log: modes, enable/disable, callback, formatting, the
 * thread's WMI-call context, and concurrent reporting. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <windows.h>
#include <wbemcli.h>

#include <wmiemu/check.h>

/* HRESULTs compared as the 32-bit codes they are, not sign-extended. */
#define assert_hr(a, b) assert_int_equal((uint32_t)(a), (uint32_t)(b))

#include "check/context.h"

static void test_report_and_read_back(void **state) {
  wmiemu_checker_t *c;
  wmiemu_violation_t v;
  (void)state;
  assert_hr(wmiemu_checker_new(WMIEMU_CHECK_REPORT, &c), S_OK);
  assert_int_equal(wmiemu_checker_count(c), 0);
  assert_hr(wmiemu_checker_report(c, WMIEMU_RULE_SINK_SET_STATUS, "ProvideEvents", "P",
                                         "SetStatus(%d)", 7), S_OK);
  assert_int_equal(wmiemu_checker_count(c), 1);
  assert_int_equal(wmiemu_checker_count_rule(c, WMIEMU_RULE_SINK_SET_STATUS), 1);
  assert_int_equal(wmiemu_checker_count_rule(c, WMIEMU_RULE_THREADING_MODEL), 0);
  assert_hr(wmiemu_checker_get(c, 0, &v), S_OK);
  assert_int_equal(v.rule, WMIEMU_RULE_SINK_SET_STATUS);
  assert_string_equal(v.rule_id, "sink-set-status");
  assert_string_equal(v.call, "ProvideEvents");
  assert_string_equal(v.provider, "P");
  assert_string_equal(v.detail, "SetStatus(7)");
  assert_int_equal(v.thread, wmiemu__check_thread_id());
  assert_hr(wmiemu_checker_get(c, 1, &v), WBEM_E_NOT_FOUND);
  assert_hr(wmiemu_checker_get(c, 0, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu_checker_get(NULL, 0, &v), WBEM_E_INVALID_PARAMETER);
  assert_false(wmiemu_checker_failed(c));   /* report mode never fails */
  wmiemu_checker_clear(c);
  assert_int_equal(wmiemu_checker_count(c), 0);
  wmiemu_checker_free(c);
}

static void test_fail_mode_and_disabled_rules(void **state) {
  wmiemu_checker_t *c;
  (void)state;
  assert_hr(wmiemu_checker_new(WMIEMU_CHECK_FAIL, &c), S_OK);
  assert_int_equal(wmiemu_checker_mode(c), WMIEMU_CHECK_FAIL);
  wmiemu_checker_enable(c, WMIEMU_RULE_CALL_BLOCKED, 0);
  assert_false(wmiemu_checker_enabled(c, WMIEMU_RULE_CALL_BLOCKED));
  assert_hr(wmiemu_checker_report(c, WMIEMU_RULE_CALL_BLOCKED, NULL, NULL, "slow"), S_FALSE);
  assert_false(wmiemu_checker_failed(c));
  assert_hr(wmiemu_checker_report(c, WMIEMU_RULE_REFCOUNT_LEAK, NULL, NULL, "leak"), S_OK);
  assert_true(wmiemu_checker_failed(c));
  /* Switching to report mode keeps the violations but no longer fails. */
  wmiemu_checker_set_mode(c, WMIEMU_CHECK_REPORT);
  assert_int_equal(wmiemu_checker_mode(c), WMIEMU_CHECK_REPORT);
  assert_false(wmiemu_checker_failed(c));
  assert_int_equal(wmiemu_checker_count(c), 1);
  wmiemu_checker_set_mode(c, WMIEMU_CHECK_FAIL);
  assert_true(wmiemu_checker_failed(c));
  wmiemu_checker_set_mode(NULL, WMIEMU_CHECK_FAIL);
  assert_hr(wmiemu_checker_report(c, WMIEMU_RULE_COUNT, NULL, NULL, "bad"), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu_checker_report(NULL, WMIEMU_RULE_REFCOUNT_LEAK, NULL, NULL, "x"), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu_checker_report(c, WMIEMU_RULE_REFCOUNT_LEAK, NULL, NULL, NULL), WBEM_E_INVALID_PARAMETER);
  wmiemu_checker_free(c);
}

static void test_new_refuses_bad_arguments(void **state) {
  wmiemu_checker_t *c = (wmiemu_checker_t *)1;
  (void)state;
  assert_hr(wmiemu_checker_new(WMIEMU_CHECK_REPORT, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu_checker_new((wmiemu_check_mode_t)7, &c), WBEM_E_INVALID_PARAMETER);
  assert_null(c);
}

static int seen;
static void on_violation(void *ctx, const wmiemu_violation_t *v) {
  (void)ctx;
  if (v->rule == WMIEMU_RULE_THREADING_MODEL)
    seen++;
}

static void test_callback_and_format(void **state) {
  wmiemu_checker_t *c;
  wmiemu_violation_t v;
  char buf[512];
  (void)state;
  assert_hr(wmiemu_checker_new(WMIEMU_CHECK_REPORT, &c), S_OK);
  wmiemu_checker_set_callback(c, on_violation, NULL);
  wmiemu_checker_set_seed(c, 42);
  wmiemu_checker_report(c, WMIEMU_RULE_THREADING_MODEL, NULL, "Prov", "model %s", "Apartment");
  assert_int_equal(seen, 1);
  assert_int_equal(wmiemu_checker_get(c, 0, &v), 0);
  assert_string_equal(v.call, "none");
  assert_int_equal(v.seed, 42);
  wmiemu_violation_format(&v, buf, sizeof(buf));
  assert_non_null(strstr(buf, "rule threading-model outside any WMI call (provider Prov"));
  assert_non_null(strstr(buf, "seed 42"));
  assert_non_null(strstr(buf, "model Apartment"));
  wmiemu_checker_free(c);
}

static void test_call_context_is_per_thread(void **state) {
  wmiemu__check_frame_t outer, inner;
  (void)state;
  assert_null(wmiemu__check_current());
  wmiemu__check_enter(&outer, "Initialize", "P");
  wmiemu__check_enter(&inner, "QueryInterface", "P");
  assert_string_equal(wmiemu__check_current()->call, "QueryInterface");
  wmiemu__check_leave(&inner);
  assert_string_equal(wmiemu__check_current()->call, "Initialize");
  wmiemu__check_leave(&outer);
  assert_null(wmiemu__check_current());
}

#define THREADS 8
#define PER_THREAD 500

static void *reporter(void *arg) {
  wmiemu_checker_t *c = arg;
  for (int i = 0; i < PER_THREAD; i++)
    wmiemu_checker_report(c, WMIEMU_RULE_INDICATE_ARGUMENTS, "Indicate", "P", "n=%d", i);
  return NULL;
}

static void test_concurrent_reports(void **state) {
  wmiemu_checker_t *c;
  pthread_t t[THREADS];
  (void)state;
  assert_hr(wmiemu_checker_new(WMIEMU_CHECK_REPORT, &c), S_OK);
  for (int i = 0; i < THREADS; i++)
    assert_int_equal(pthread_create(&t[i], NULL, reporter, c), 0);
  for (int i = 0; i < THREADS; i++)
    pthread_join(t[i], NULL);
  assert_int_equal(wmiemu_checker_count(c), THREADS * PER_THREAD);
  assert_int_equal(wmiemu_checker_count_rule(c, WMIEMU_RULE_INDICATE_ARGUMENTS), THREADS * PER_THREAD);
  wmiemu_checker_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_new_refuses_bad_arguments),
    cmocka_unit_test(test_report_and_read_back),
    cmocka_unit_test(test_fail_mode_and_disabled_rules),
    cmocka_unit_test(test_callback_and_format),
    cmocka_unit_test(test_call_context_is_per_thread),
    cmocka_unit_test(test_concurrent_reports),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
