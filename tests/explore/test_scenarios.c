/* The built-in model scenarios through the public API: the refire/CancelQuery
 * race and the lifetime race are found within 1,000 schedules by both
 * strategies and replayed from their trace exactly, 10 times out of 10; the
 * correct model passes; the list, and the errors of wmiemu_explore_scenario
 * and wmiemu_replay_trace. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <wmiemu/explore.h>

#include "explore/explore_test_util.h"

static size_t scenario_index(const char *name) {
  for (size_t i = 0; i < wmiemu_scenario_count(); i++)
    if (!strcmp(wmiemu_scenario_name(i), name))
      return i;
  return (size_t)-1;
}

static void expect_caught(const char *name, wmiemu_strategy_t st, const char *what) {
  size_t i = scenario_index(name);
  assert_true(i < wmiemu_scenario_count());
  assert_true(wmiemu_scenario_has_bug(i));
  char path[128], again[128];
  explore_test_tmp_path(path, sizeof path, name);
  explore_test_tmp_path(again, sizeof again, "again");
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.strategy = st;
  o.iterations = 1000;
  o.trace_path = path;
  wmiemu_explore_result_t r;
  assert_hr(wmiemu_explore_scenario(name, &o, &r), S_OK);
  assert_int_equal(r.outcome, WMIEMU_OUTCOME_VIOLATION);
  assert_string_equal(r.name, name);
  assert_non_null(strstr(r.message, what));
  for (int k = 0; k < 10; k++) {
    /* The trace alone says which scenario to run. */
    wmiemu_explore_result_t rr;
    assert_hr(wmiemu_replay_trace(path, NULL, again, &rr), S_OK);
    assert_int_equal(rr.outcome, WMIEMU_OUTCOME_VIOLATION);
    assert_string_equal(rr.message, r.message);
    assert_string_equal(rr.name, name);
    assert_int_equal(rr.recorded_outcome, WMIEMU_OUTCOME_VIOLATION);
    assert_int_equal(rr.recorded_steps, rr.steps);
    char *a = explore_test_slurp(path), *b = explore_test_slurp(again);
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(a, b);
    free(a);
    free(b);
  }
  unlink(path);
  unlink(again);
}

static void test_refire_race_caught(void **state) {
  (void)state;
  expect_caught("race-refire", WMIEMU_STRATEGY_RANDOM, "refire-after-cancel");
  expect_caught("race-refire", WMIEMU_STRATEGY_PCT, "refire-after-cancel");
}

static void test_lifetime_race_caught(void **state) {
  (void)state;
  expect_caught("race-lifetime", WMIEMU_STRATEGY_RANDOM, "lifetime: provider thread");
  expect_caught("race-lifetime", WMIEMU_STRATEGY_PCT, "lifetime: provider thread");
}

static void test_correct_provider_passes(void **state) {
  (void)state;
  size_t i = scenario_index("correct");
  assert_true(i < wmiemu_scenario_count());
  assert_false(wmiemu_scenario_has_bug(i));
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.iterations = 1000;      /* `wmiemu explore --iterations 10000` runs the long form */
  wmiemu_explore_result_t r;
  assert_hr(wmiemu_explore_scenario("correct", &o, &r), S_OK);
  assert_int_equal(r.outcome, WMIEMU_OUTCOME_OK);
  assert_int_equal(r.iterations_run, 1000);
  o.strategy = WMIEMU_STRATEGY_PCT;
  assert_hr(wmiemu_explore_scenario("correct", &o, &r), S_OK);
  assert_int_equal(r.outcome, WMIEMU_OUTCOME_OK);
  /* NULL options: the defaults, one schedule. */
  assert_hr(wmiemu_explore_scenario("correct", NULL, NULL), S_OK);
}

static void test_list(void **state) {
  (void)state;
  assert_int_equal(wmiemu_scenario_count(), 4);
  for (size_t i = 0; i < wmiemu_scenario_count(); i++) {
    assert_non_null(wmiemu_scenario_name(i));
    assert_non_null(wmiemu_scenario_summary(i));
  }
  assert_true(scenario_index("bench-3x200") < 4);
  assert_false(wmiemu_scenario_has_bug(scenario_index("bench-3x200")));
  assert_null(wmiemu_scenario_name(4));
  assert_null(wmiemu_scenario_summary(4));
  assert_false(wmiemu_scenario_has_bug(4));
  assert_int_equal(scenario_index("no-such-scenario"), (size_t)-1);
}

static void test_explore_scenario_errors(void **state) {
  (void)state;
  wmiemu_explore_opts_t o;
  wmiemu_explore_result_t r;
  wmiemu_explore_opts_init(&o);
  assert_hr(wmiemu_explore_scenario(NULL, &o, &r), WBEM_E_INVALID_PARAMETER);
  assert_int_equal(r.outcome, WMIEMU_OUTCOME_ERROR);
  assert_non_null(strstr(r.message, "no scenario"));
  assert_hr(wmiemu_explore_scenario("no-such-scenario", &o, &r), WBEM_E_NOT_FOUND);
  assert_int_equal(r.iterations_run, 0);
  assert_non_null(strstr(r.message, "no-such-scenario"));
  o.strategy = WMIEMU_STRATEGY_REPLAY;
  assert_hr(wmiemu_explore_scenario("correct", &o, &r), WBEM_E_INVALID_PARAMETER);
  assert_non_null(strstr(r.message, "strategy"));
  o.strategy = (wmiemu_strategy_t)42;
  assert_hr(wmiemu_explore_scenario("correct", &o, NULL), WBEM_E_INVALID_PARAMETER);
}

static void write_text(const char *path, const char *text) {
  /* Binary, as traces are written: Windows' text mode would end each line
   * in CR LF. */
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static void test_replay_trace_errors(void **state) {
  (void)state;
  wmiemu_explore_result_t r;
  char path[128], bad[128];
  explore_test_tmp_path(path, sizeof path, "errors");
  explore_test_tmp_path(bad, sizeof bad, "errors-bad");

  assert_hr(wmiemu_replay_trace(NULL, NULL, NULL, &r), WBEM_E_INVALID_PARAMETER);
  assert_int_equal(r.outcome, WMIEMU_OUTCOME_ERROR);
  assert_hr(wmiemu_replay_trace("/nonexistent/t.jsonl", NULL, NULL, &r), WBEM_E_INVALID_PARAMETER);
  assert_non_null(strstr(r.message, "/nonexistent/t.jsonl: cannot open"));
  write_text(bad, "not a trace\n");
  assert_hr(wmiemu_replay_trace(bad, NULL, NULL, &r), WBEM_E_INVALID_PARAMETER);
  assert_non_null(strstr(r.message, ":1: not a wmiemu trace header"));

  /* A good trace, then damaged copies of it. */
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.trace_path = path;
  o.trace_all = 1;
  assert_hr(wmiemu_explore_scenario("correct", &o, NULL), S_OK);
  char *text = explore_test_slurp(path);
  assert_non_null(text);
  *strchr(text, '\n') = 0;           /* the header alone */
  write_text(bad, text);
  assert_hr(wmiemu_replay_trace(bad, NULL, NULL, &r), WBEM_E_INVALID_PARAMETER);
  assert_non_null(strstr(r.message, "no end line"));
  free(text);
  text = explore_test_slurp(path);
  char *name = strstr(text, "\"scenario\":\"correct\"");
  assert_non_null(name);
  memcpy(name + strlen("\"scenario\":\""), "xorrect", 7);
  write_text(bad, text);
  free(text);
  assert_hr(wmiemu_replay_trace(bad, NULL, NULL, &r), WBEM_E_NOT_FOUND);
  assert_non_null(strstr(r.message, "unknown scenario 'xorrect'"));
  /* ... which a scenario named by the caller replaces. */
  assert_hr(wmiemu_replay_trace(bad, "correct", NULL, &r), S_OK);
  assert_int_equal(r.outcome, WMIEMU_OUTCOME_OK);
  assert_string_equal(r.name, "correct");
  assert_hr(wmiemu_replay_trace(path, "no-such-scenario", NULL, &r), WBEM_E_NOT_FOUND);
  /* Another scenario than the recorded one diverges: the replay ran. */
  assert_hr(wmiemu_replay_trace(path, "race-refire", NULL, NULL), S_OK);
  assert_hr(wmiemu_replay_trace(path, "bench-3x200", NULL, &r), S_OK);
  assert_int_equal(r.outcome, WMIEMU_OUTCOME_REPLAY_DIVERGED);
  assert_int_equal(r.recorded_outcome, WMIEMU_OUTCOME_OK);
  unlink(path);
  unlink(bad);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_refire_race_caught),
    cmocka_unit_test(test_lifetime_race_caught),
    cmocka_unit_test(test_correct_provider_passes),
    cmocka_unit_test(test_list),
    cmocka_unit_test(test_explore_scenario_errors),
    cmocka_unit_test(test_replay_trace_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
