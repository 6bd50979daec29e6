/* Host API corners the scenario tests do not reach: drop reason names,
 * run_for, events nobody subscribed to, and bad arguments. */
#include "host/test_provider.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static void test_drop_reason_names(void **state) {
  (void)state;
  assert_string_equal(wmiemu_drop_reason_name(WMIEMU_DROP_QUEUE_OVERFLOW), "queue-overflow");
  /* Every reason has its own non-empty name; past the end is not a crash. */
  for (int i = 0; i < WMIEMU_DROP_REASON_COUNT; i++) {
    const char *name = wmiemu_drop_reason_name((wmiemu_drop_reason_t)i);
    assert_non_null(name);
    assert_true(strlen(name) > 0);
    for (int j = 0; j < i; j++)
      assert_string_not_equal(name, wmiemu_drop_reason_name((wmiemu_drop_reason_t)j));
  }
  assert_non_null(wmiemu_drop_reason_name(WMIEMU_DROP_REASON_COUNT));
  assert_non_null(wmiemu_drop_reason_name((wmiemu_drop_reason_t)-1));
}

static unsigned delivered;
static void count(void *ctx, const wmiemu_event_t *e) {
  (void)ctx;
  (void)e;
  delivered++;
}

static void test_run_for_delivers_what_is_queued(void **state) {
  wmiemu_host_t *host;
  test_provider_t *p;
  wmiemu_sub_id_t id = 0;
  (void)state;
  delivered = 0;
  host = test_provider_host(NULL, NULL);
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent", count, NULL, &id), S_OK);
  p = test_provider_current();
  for (int i = 0; i < 3; i++)
    assert_hr(test_provider_fire(p, test_provider_sink(p), i, 0, NULL), S_OK);
  assert_int_equal(delivered, 0);           /* nothing runs outside a run function */
  assert_hr(wmiemu_host_run_for(host, 20), S_OK);
  assert_int_equal(delivered, 3);
  assert_hr(wmiemu_host_run_for(host, 0), S_OK);
  assert_int_equal(delivered, 3);
  fixture_assert_balanced(host, id);
  wmiemu_host_free(host);
}

static void test_events_with_no_subscriber_are_counted(void **state) {
  wmiemu_host_t *host;
  test_provider_t *p;
  IWbemObjectSink *sink;
  wmiemu_sub_id_t id = 0;
  (void)state;
  host = test_provider_host(NULL, NULL);
  assert_int_equal(wmiemu_host_unclaimed_events(host), 0);
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent", NULL, NULL, &id), S_OK);
  p = test_provider_current();
  sink = test_provider_sink(p);
  assert_hr(test_provider_fire(p, sink, 1, 0, NULL), S_OK);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(wmiemu_host_unclaimed_events(host), 0);
  /* After CancelQuery the provider keeps its sink; what it still sends is
   * claimed by nobody, and counted rather than lost. */
  assert_hr(wmiemu_host_unsubscribe(host, id), S_OK);
  assert_hr(test_provider_fire(p, sink, 2, 0, NULL), S_OK);
  assert_hr(test_provider_fire(p, sink, 3, 0, NULL), S_OK);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(wmiemu_host_unclaimed_events(host), 2);
  fixture_assert_balanced(host, id);
  wmiemu_host_free(host);
}

/* Events indicated after CancelQuery are counted apart, and with them every
 * event the provider got S_OK for is accounted for. */
static void test_events_after_cancel_are_counted_apart(void **state) {
  wmiemu_counters_t c;
  wmiemu_host_t *host;
  test_provider_t *p;
  IWbemObjectSink *sink;
  wmiemu_sub_id_t id = 0;
  int ok = 0;
  (void)state;
  host = test_provider_host(NULL, NULL);
  assert_int_equal(wmiemu_host_after_cancel_events(host), 0);
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent", NULL, NULL, &id), S_OK);
  p = test_provider_current();
  sink = test_provider_sink(p);
  ok += test_provider_fire(p, sink, 1, 0, NULL) == S_OK;
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_hr(wmiemu_host_unsubscribe(host, id), S_OK);
  for (int i = 2; i <= 4; i++)
    ok += test_provider_fire(p, sink, i, 0, NULL) == S_OK;
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(wmiemu_host_after_cancel_events(host), 3);
  assert_int_equal(wmiemu_host_unclaimed_events(host), 3);
  assert_hr(wmiemu_host_counters(host, id, &c), S_OK);
  assert_int_equal(ok, 4);
  assert_int_equal(c.indicated + wmiemu_host_unclaimed_events(host), (uint64_t)ok);
  assert_int_equal(c.delivered + c.filtered + c.dropped + wmiemu_host_unclaimed_events(host), (uint64_t)ok);
  wmiemu_host_free(host);
  assert_int_equal(wmiemu_host_after_cancel_events(NULL), 0);
}

/* More objects than one Indicate may carry: refused with
 * WBEM_E_INVALID_PARAMETER and rule indicate-arguments, before the array
 * is read; at the default limit (65536) and at one set lower. */
static void check_batch_limit(const wmiemu_host_options_t *opts, LONG over) {
  IWbemClassObject **objects = calloc((size_t)over, sizeof(*objects));
  wmiemu_violation_t v;
  wmiemu_checker_t *checker;
  wmiemu_host_t *host;
  test_provider_t *p;
  wmiemu_sub_id_t id = 0;
  char expect[128];
  assert_non_null(objects);
  for (LONG i = 0; i < over; i++)
    objects[i] = (IWbemClassObject *)&objects[i];   /* never read */
  host = test_provider_host(opts, NULL);
  checker = wmiemu_host_checker(host);
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent", NULL, NULL, &id), S_OK);
  p = test_provider_current();
  assert_hr(IWbemObjectSink_Indicate(test_provider_sink(p), over, objects), WBEM_E_INVALID_PARAMETER);
  assert_int_equal(wmiemu_checker_count_rule(checker, WMIEMU_RULE_INDICATE_ARGUMENTS), 1);
  assert_hr(wmiemu_checker_get(checker, 0, &v), S_OK);
  snprintf(expect, sizeof(expect), "Indicate(%d, objects): more objects than one call may carry", (int)over);
  assert_string_equal(v.detail, expect);
  assert_hr(test_provider_fire(p, test_provider_sink(p), 1, 0, NULL), S_OK);
  wmiemu_host_free(host);
  free(objects);
}

static void test_indicate_batch_limit(void **state) {
  wmiemu_host_options_t opts;
  (void)state;
  check_batch_limit(NULL, 65537);
  wmiemu_host_options_init(&opts);
  opts.max_indicate_batch = 4;
  check_batch_limit(&opts, 5);
}

static void test_bad_arguments(void **state) {
  (void)state;
  assert_hr(wmiemu_host_run_for(NULL, 1), WBEM_E_INVALID_PARAMETER);
  assert_int_equal(wmiemu_host_unclaimed_events(NULL), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_drop_reason_names),
    cmocka_unit_test(test_run_for_delivers_what_is_queued),
    cmocka_unit_test(test_events_with_no_subscriber_are_counted),
    cmocka_unit_test(test_events_after_cancel_are_counted_apart),
    cmocka_unit_test(test_indicate_batch_limit),
    cmocka_unit_test(test_bad_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
