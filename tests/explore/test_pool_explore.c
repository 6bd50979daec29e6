/* provider/race_pool explored under the deterministic scheduler through
 * wmiemu_explore_provider: race_pool (its CancelQuery stops a thread-pool
 * timer without waiting for the callbacks) is caught by its refire within
 * 1,000 schedules by both strategies and replayed from the trace alone
 * exactly, 10 times out of 10; pool_correct (the same provider, waiting
 * for the callbacks) runs 1,000 schedules of each strategy without
 * failure. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/portable.h"

#include <wmiemu/explore.h>

#include "explore/explore_test_util.h"

typedef struct {
  char mof[1024];
  char module[1024];
  char query[128];
  const char *mofs[1];
  const char *modules[1];
  wmiemu_explore_provider_opts_t opts;
} fixture_t;

/* Both providers are built from provider/race_pool/, each with its MOF. */
static void fixture(fixture_t *f, const char *name, const char *event_class) {
  memset(f, 0, sizeof(*f));
  snprintf(f->mof, sizeof(f->mof), "%s/provider/race_pool/%s.mof", getenv("WMIEMU_SOURCE_DIR"), name);
  snprintf(f->module, sizeof(f->module), "%s/provider/%s" PORTABLE_MODULE_SUFFIX, getenv("WMIEMU_BINARY_DIR"), name);
  snprintf(f->query, sizeof(f->query), "SELECT * FROM %s", event_class);
  f->mofs[0] = f->mof;
  f->modules[0] = f->module;
  wmiemu_explore_provider_opts_init(&f->opts);
  f->opts.mofs = f->mofs;
  f->opts.n_mofs = 1;
  f->opts.modules = f->modules;
  f->opts.n_modules = 1;
  f->opts.query = f->query;
  f->opts.busy_every = 2;
}

static void caught_and_replayed(wmiemu_strategy_t strategy, const char *trace_name) {
  fixture_t f;
  fixture(&f, "race_pool", "RacePoolEvent");
  char trace[256];
  explore_test_tmp_path(trace, sizeof(trace), trace_name);
  f.opts.iterations = 1000;
  f.opts.strategy = strategy;
  f.opts.trace_path = trace;
  wmiemu_explore_result_t r;
  assert_hr(wmiemu_explore_provider(&f.opts, &r), S_OK);
  if (r.outcome != WMIEMU_OUTCOME_VIOLATION)
    fprintf(stderr, "%s: %s\n", wmiemu_outcome_name(r.outcome), r.message);
  assert_int_equal(r.outcome, WMIEMU_OUTCOME_VIOLATION);
  assert_true(r.iterations_run <= 1000);
  assert_non_null(strstr(r.message, "rule refire-after-cancel"));
  assert_string_equal(r.name, "provider:RacePoolProvider");
  int reproduced = 0;
  for (int i = 0; i < 10; i++) {
    wmiemu_explore_result_t rr;
    assert_hr(wmiemu_replay_trace(trace, NULL, NULL, &rr), S_OK);
    if (rr.outcome == WMIEMU_OUTCOME_VIOLATION && !strcmp(rr.message, r.message))
      reproduced++;
    else
      fprintf(stderr, "replay %d: %s: %s\n", i, wmiemu_outcome_name(rr.outcome), rr.message);
  }
  assert_int_equal(reproduced, 10);
  unlink(trace);
}

static void test_race_pool_caught_random(void **state) {
  (void)state;
  caught_and_replayed(WMIEMU_STRATEGY_RANDOM, "race_pool_random");
}

static void test_race_pool_caught_pct(void **state) {
  (void)state;
  caught_and_replayed(WMIEMU_STRATEGY_PCT, "race_pool_pct");
}

static void correct_passes(wmiemu_strategy_t strategy) {
  fixture_t f;
  fixture(&f, "pool_correct", "PoolCorrectEvent");
  f.opts.iterations = 1000;
  f.opts.strategy = strategy;
  wmiemu_explore_result_t r;
  assert_hr(wmiemu_explore_provider(&f.opts, &r), S_OK);
  if (r.outcome != WMIEMU_OUTCOME_OK)
    fprintf(stderr, "%s\n", r.message);
  assert_int_equal(r.outcome, WMIEMU_OUTCOME_OK);
  assert_int_equal(r.iterations_run, 1000);
  assert_string_equal(r.name, "provider:PoolCorrectProvider");
}

static void test_pool_correct_passes(void **state) {
  (void)state;
  correct_passes(WMIEMU_STRATEGY_RANDOM);
  correct_passes(WMIEMU_STRATEGY_PCT);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_race_pool_caught_random),
    cmocka_unit_test(test_race_pool_caught_pct),
    cmocka_unit_test(test_pool_correct_passes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
