/* A stop request (Ctrl-C in `wmiemu explore`) ends an exploration after the
 * schedule running now, as a success with the schedules run so far. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <wmiemu/explore.h>

#include "explore/explore_stop.h"

static unsigned runs;

static void counting_scenario(void *ctx) {
  (void)ctx;
  if (++runs == 3)
    wmiemu__explore_request_stop();
}

static void test_stop_ends_after_current_schedule(void **state) {
  wmiemu_explore_opts_t o;
  wmiemu_explore_result_t r;
  (void)state;
  wmiemu_explore_opts_init(&o);
  o.iterations = 1000;
  runs = 0;
  wmiemu__explore_clear_stop();
  assert_int_equal(wmiemu_explore(counting_scenario, NULL, &o, &r), WMIEMU_OUTCOME_OK);
  assert_int_equal(runs, 3);
  assert_int_equal(r.iterations_run, 3);
  assert_true(wmiemu__explore_stop_requested());
}

static void test_cleared_stop_runs_all(void **state) {
  wmiemu_explore_opts_t o;
  wmiemu_explore_result_t r;
  (void)state;
  wmiemu_explore_opts_init(&o);
  o.iterations = 2;
  runs = 10;                       /* never reaches 3: no stop request */
  wmiemu__explore_clear_stop();
  assert_false(wmiemu__explore_stop_requested());
  assert_int_equal(wmiemu_explore(counting_scenario, NULL, &o, &r), WMIEMU_OUTCOME_OK);
  assert_int_equal(r.iterations_run, 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_stop_ends_after_current_schedule),
    cmocka_unit_test(test_cleared_stop_runs_all),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
