/* A host a scenario creates itself on the deterministic executor, through
 * the public API alone (wmiemu_host_options_t.executor): a provider module
 * runs under the schedule, on virtual time, every provider call and
 * Indicate a scheduling point, the same seed giving the same trace; a
 * schedule that fails with the host alive ends cleanly; and outside a
 * scenario the option is refused. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <wmiemu/explore.h>
#include <wmiemu/host.h>

#include "explore/explore_test_util.h"

#define CHECK(c) do { if (!(c)) wmiemu_explore_fail(1, "%s:%d: check failed: %s", __FILE__, __LINE__, #c); } while (0)

typedef struct {
  char mof[1024];
  char module[1024];
  uint64_t events;
  int fail_midway;          /* end the schedule with the host subscribed */
} run_t;

static void fixture(run_t *r) {
  memset(r, 0, sizeof(*r));
  explore_test_provider_paths("race_correct", r->mof, sizeof(r->mof), r->module, sizeof(r->module));
}

static void on_event(void *ctx, const wmiemu_event_t *event) {
  (void)event;
  ((run_t *)ctx)->events++;
}

static void host_scenario(void *ctx) {
  run_t *r = ctx;
  wmiemu_host_options_t ho;
  wmiemu_host_t *host = NULL;
  wmiemu_sub_id_t id;
  wmiemu_counters_t n;

  wmiemu_host_options_init(&ho);
  ho.executor = WMIEMU_EXECUTOR_DETERMINISTIC;
  CHECK(wmiemu_host_new(&ho, &host) == S_OK);
  CHECK(wmiemu_host_load_mof(host, r->mof, NULL, NULL) == S_OK);
  CHECK(wmiemu_host_add_module(host, r->module) == S_OK);
  r->events = 0;
  CHECK(wmiemu_host_subscribe(host, NULL, "SELECT * FROM RaceCorrectEvent", on_event, r, &id) == S_OK);
  /* Virtual time: the provider fires once a second. */
  CHECK(wmiemu_host_run_for(host, 5500) == S_OK);
  CHECK(r->events == 5);
  if (r->fail_midway)
    wmiemu_explore_fail(1, "given up with the host subscribed");
  CHECK(wmiemu_host_unsubscribe(host, id) == S_OK);
  CHECK(wmiemu_host_run_for(host, 2000) == S_OK);
  CHECK(wmiemu_host_shutdown(host) == S_OK);
  CHECK(wmiemu_host_counters(host, 0, &n) == S_OK);
  CHECK(n.delivered == r->events);
  wmiemu_host_free(host);
}

static void test_scenario_host_deterministic(void **state) {
  (void)state;
  run_t r;
  fixture(&r);
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.iterations = 50;
  wmiemu_explore_result_t res;
  assert_int_equal(wmiemu_explore(host_scenario, &r, &o, &res), WMIEMU_OUTCOME_OK);
  assert_int_equal(res.iterations_run, 50);
  assert_int_equal(r.events, 5);
  o.strategy = WMIEMU_STRATEGY_PCT;
  assert_int_equal(wmiemu_explore(host_scenario, &r, &o, &res), WMIEMU_OUTCOME_OK);
  /* The provider's calls and events are the schedule's. */
  o.iterations = 3;
  char *a = explore_test_same_trace_twice(host_scenario, &r, &o);
  assert_non_null(strstr(a, "\"Initialize\""));
  assert_non_null(strstr(a, "\"NewQuery\""));
  assert_non_null(strstr(a, "\"CancelQuery\""));
  assert_non_null(strstr(a, "\"Indicate\""));
  assert_non_null(strstr(a, "\"CreateThread\""));
  free(a);
}

static void test_schedule_fails_with_host_alive(void **state) {
  (void)state;
  run_t r;
  fixture(&r);
  r.fail_midway = 1;
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.iterations = 5;
  wmiemu_explore_result_t res;
  assert_int_equal(wmiemu_explore(host_scenario, &r, &o, &res), WMIEMU_OUTCOME_VIOLATION);
  assert_int_equal(res.iterations_run, 1);
  assert_non_null(strstr(res.message, "given up with the host subscribed"));
}

static void test_deterministic_outside_scenario(void **state) {
  (void)state;
  wmiemu_host_options_t ho;
  wmiemu_host_t *host = (wmiemu_host_t *)1;
  wmiemu_host_options_init(&ho);
  assert_int_equal(ho.executor, WMIEMU_EXECUTOR_LIBUV);
  ho.executor = WMIEMU_EXECUTOR_DETERMINISTIC;
  assert_hr(wmiemu_host_new(&ho, &host), WBEM_E_INVALID_PARAMETER);
  assert_null(host);
  ho.executor = (wmiemu_executor_t)7;
  assert_hr(wmiemu_host_new(&ho, &host), WBEM_E_INVALID_PARAMETER);
  assert_null(host);
  assert_hr(wmiemu_host_new(&ho, NULL), WBEM_E_INVALID_PARAMETER);
  /* The default still gets a libuv loop. */
  ho.executor = WMIEMU_EXECUTOR_LIBUV;
  assert_hr(wmiemu_host_new(&ho, &host), S_OK);
  assert_non_null(host);
  wmiemu_host_free(host);
}

/* Inside a scenario, an executor value that is not one is refused too. */
static void bad_executor_scenario(void *ctx) {
  wmiemu_host_options_t ho;
  wmiemu_host_t *host = (wmiemu_host_t *)1;
  (void)ctx;
  wmiemu_host_options_init(&ho);
  ho.executor = (wmiemu_executor_t)7;
  CHECK(wmiemu_host_new(&ho, &host) == (HRESULT)WBEM_E_INVALID_PARAMETER);
  CHECK(host == NULL);
}

static void test_bad_executor_inside_scenario(void **state) {
  (void)state;
  wmiemu_explore_result_t res;
  assert_int_equal(wmiemu_explore(bad_executor_scenario, NULL, NULL, &res), WMIEMU_OUTCOME_OK);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_scenario_host_deterministic),
    cmocka_unit_test(test_schedule_fails_with_host_alive),
    cmocka_unit_test(test_deterministic_outside_scenario),
    cmocka_unit_test(test_bad_executor_inside_scenario),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
