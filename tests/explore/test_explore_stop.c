/* A stop request (Ctrl-C in `wmiemu explore`) ends an exploration after the
 * schedule running now, as a success with the schedules run so far. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <wmiemu/explore.h>

#include "explore/explore_test_util.h"

static unsigned runs;

static void counting_scenario(void *ctx) {
  (void)ctx;
  if (++runs == 3)
    wmiemu_explore_request_stop();
}

static void test_stop_ends_after_current_schedule(void **state) {
  wmiemu_explore_opts_t o;
  wmiemu_explore_result_t r;
  (void)state;
  wmiemu_explore_opts_init(&o);
  o.iterations = 1000;
  runs = 0;
  wmiemu_explore_clear_stop();
  assert_int_equal(wmiemu_explore(counting_scenario, NULL, &o, &r), WMIEMU_OUTCOME_OK);
  assert_int_equal(runs, 3);
  assert_int_equal(r.iterations_run, 3);
  assert_true(wmiemu_explore_stop_requested());
}

static void test_cleared_stop_runs_all(void **state) {
  wmiemu_explore_opts_t o;
  wmiemu_explore_result_t r;
  (void)state;
  wmiemu_explore_opts_init(&o);
  o.iterations = 2;
  runs = 10;                       /* never reaches 3: no stop request */
  wmiemu_explore_clear_stop();
  assert_false(wmiemu_explore_stop_requested());
  assert_int_equal(wmiemu_explore(counting_scenario, NULL, &o, &r), WMIEMU_OUTCOME_OK);
  assert_int_equal(r.iterations_run, 2);
}

/* A request nobody cleared ends the next exploration after its first
 * schedule, whichever function runs it. */
static void test_stop_stays_until_cleared(void **state) {
  wmiemu_explore_opts_t o;
  wmiemu_explore_result_t r;
  (void)state;
  wmiemu_explore_opts_init(&o);
  o.iterations = 100;
  wmiemu_explore_clear_stop();
  wmiemu_explore_request_stop();
  assert_true(wmiemu_explore_stop_requested());
  assert_hr(wmiemu_explore_scenario("correct", &o, &r), S_OK);
  assert_int_equal(r.outcome, WMIEMU_OUTCOME_OK);
  assert_int_equal(r.iterations_run, 1);
  assert_true(wmiemu_explore_stop_requested());
  wmiemu_explore_clear_stop();
  assert_hr(wmiemu_explore_scenario("correct", &o, &r), S_OK);
  assert_int_equal(r.iterations_run, 100);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_stop_ends_after_current_schedule),
    cmocka_unit_test(test_cleared_stop_runs_all),
    cmocka_unit_test(test_stop_stays_until_cleared),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
