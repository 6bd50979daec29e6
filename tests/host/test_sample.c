/* The sample providers hosted end to end: events flow, are filtered,
 * counted, and stop after CancelQuery; shutdown releases cleanly. */
#include "host/host_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "common/portable.h"


static void test_tick_events_reach_the_consumer(void **state) {
  fixture_recorder_t rec = { 0 };
  wmiemu_provider_state_t ps;
  wmiemu_sub_id_t id = 0;
  wmiemu_host_t *host;
  (void)state;
  portable_setenv("SAMPLE_TICK_INTERVAL_MS", "5");
  host = fixture_host(NULL, "sample/sample.mof", "sample_tick");
  assert_hr(wmiemu_host_provider_state(host, NULL, "SampleTickProvider", &ps), WBEM_E_NOT_FOUND);
  assert_int_equal(wmiemu_host_subscribe(host, NULL, "SELECT * FROM SampleTick", fixture_record, &rec, &id), S_OK);
  assert_int_equal(id, 1);
  assert_int_equal(wmiemu_host_provider_state(host, NULL, "SampleTickProvider", &ps), S_OK);
  assert_int_equal(ps, WMIEMU_PROVIDER_READY);
  assert_int_equal(wmiemu_host_run_until_events(host, 5, 10000), S_OK);
  assert_true(rec.count >= 5);
  assert_true(rec.in_order);
  assert_int_not_equal(rec.thread, 0);
  assert_int_equal(wmiemu_host_unsubscribe(host, id), S_OK);
  assert_hr(wmiemu_host_unsubscribe(host, id), WBEM_E_NOT_FOUND);
  assert_int_equal(wmiemu_host_shutdown(host), S_OK);
  assert_int_equal(wmiemu_host_provider_state(host, NULL, "SampleTickProvider", &ps), S_OK);
  assert_int_equal(ps, WMIEMU_PROVIDER_RELEASED);
  fixture_assert_balanced(host, id);
  fixture_assert_balanced(host, 0);
  assert_int_equal(wmiemu_checker_count(wmiemu_host_checker(host)), 0);
  wmiemu_host_free(host);
}

static void test_where_clause_filters(void **state) {
  fixture_recorder_t even = { 0 }, all = { 0 };
  wmiemu_sub_id_t a = 0, b = 0;
  wmiemu_counters_t ca, cb;
  wmiemu_host_t *host;
  (void)state;
  portable_setenv("SAMPLE_TICK_INTERVAL_MS", "5");
  host = fixture_host(NULL, "sample/sample.mof", "sample_tick");
  assert_int_equal(wmiemu_host_subscribe(host, NULL, "SELECT * FROM SampleTick WHERE Even = TRUE", fixture_record, &even, &a), S_OK);
  assert_int_equal(wmiemu_host_subscribe(host, NULL, "SELECT * FROM SampleTick", fixture_record, &all, &b), S_OK);
  assert_int_equal(wmiemu_host_run_until_events(host, 12, 10000), S_OK);
  assert_int_equal(wmiemu_host_shutdown(host), S_OK);
  assert_int_equal(wmiemu_host_counters(host, a, &ca), S_OK);
  assert_int_equal(wmiemu_host_counters(host, b, &cb), S_OK);
  assert_true(ca.filtered > 0);
  assert_true(ca.delivered > 0);
  assert_int_equal(cb.filtered, 0);
  assert_int_equal(ca.delivered, even.count);
  assert_int_equal(cb.delivered, all.count);
  fixture_assert_balanced(host, a);
  fixture_assert_balanced(host, b);
  wmiemu_host_free(host);
}

static void test_intrinsic_provider(void **state) {
  fixture_recorder_t created = { 0 }, deleted = { 0 };
  wmiemu_sub_id_t a = 0, b = 0;
  wmiemu_host_t *host;
  (void)state;
  portable_setenv("SAMPLE_ITEMS_INTERVAL_MS", "5");
  host = fixture_host(NULL, "sample/sample_items.mof", "sample_items");
  assert_int_equal(wmiemu_host_subscribe(host, NULL,
      "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA \"SampleItem\"",
      fixture_record, &created, &a), S_OK);
  assert_int_equal(wmiemu_host_subscribe(host, NULL,
      "SELECT * FROM __InstanceDeletionEvent WHERE TargetInstance ISA \"SampleItem\" AND TargetInstance.Size >= 100",
      fixture_record, &deleted, &b), S_OK);
  assert_int_equal(wmiemu_host_run_until_events(host, 8, 10000), S_OK);
  assert_int_equal(wmiemu_host_shutdown(host), S_OK);
  assert_true(created.count >= 4);
  assert_true(deleted.count >= 1);
  fixture_assert_balanced(host, a);
  fixture_assert_balanced(host, b);
  assert_int_equal(wmiemu_checker_count(wmiemu_host_checker(host)), 0);
  wmiemu_host_free(host);
}

/* C++ provider source hosts natively: one event per NewQuery, from its thread. */
static void test_cpp_provider(void **state) {
  fixture_recorder_t rec = { 0 };
  wmiemu_sub_id_t a = 0, b = 0;
  wmiemu_host_t *host;
  (void)state;
  host = fixture_host(NULL, "sample/sample_cpp.mof", "sample_cpp");
  assert_int_equal(wmiemu_host_subscribe(host, NULL, "SELECT * FROM SampleCppEvent", fixture_record, &rec, &a), S_OK);
  assert_int_equal(wmiemu_host_subscribe(host, NULL, "SELECT * FROM SampleCppEvent WHERE Source = \"C++\"", NULL, NULL, &b), S_OK);
  assert_int_equal(wmiemu_host_run_until_events(host, 4, 10000), S_OK);
  assert_int_equal(rec.count, 2);
  assert_true(rec.in_order);
  assert_int_equal(wmiemu_host_shutdown(host), S_OK);
  fixture_assert_balanced(host, a);
  fixture_assert_balanced(host, b);
  assert_int_equal(wmiemu_checker_count(wmiemu_host_checker(host)), 0);
  wmiemu_host_free(host);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_tick_events_reach_the_consumer),
    cmocka_unit_test(test_where_clause_filters),
    cmocka_unit_test(test_intrinsic_provider),
    cmocka_unit_test(test_cpp_provider),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
