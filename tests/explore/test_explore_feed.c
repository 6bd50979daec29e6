/* A seed feed (wmiemu_explore_opts_t.feed), what parallel exploration is
 * built on: each schedule the feed hands out runs exactly as the same seed
 * and PCT estimate run alone (outcome, steps, message, trace byte for
 * byte), in whatever order; a feed that hands out a serial run's seeds and
 * estimates finds the same first failure with the same step counts; the
 * feed can end the exploration. */

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

#define MAX_RUNS 64

typedef struct {
  uint64_t seed, pct_steps, steps;
  wmiemu_outcome_t outcome;
  char message[512];
  char *trace;
} run_t;

typedef struct {
  const uint64_t *seeds, *estimates;   /* estimates NULL: a serial run's */
  size_t n, next;
  uint64_t est;                        /* running estimate for serial */
  int stop_at_failure;
  run_t runs[MAX_RUNS];
  size_t n_runs;
} feed_state_t;

static int feed_next(void *ctx, uint64_t *seed, uint64_t *pct_steps) {
  feed_state_t *f = ctx;
  if (f->next >= f->n)
    return 0;
  *seed = f->seeds[f->next];
  *pct_steps = f->estimates ? f->estimates[f->next] : f->est;
  f->next++;
  return 1;
}

static int feed_done(void *ctx, uint64_t seed, wmiemu_outcome_t outcome, uint64_t steps, const char *message,
                     const char *trace, size_t trace_len) {
  feed_state_t *f = ctx;
  assert_true(f->n_runs < MAX_RUNS);
  run_t *r = &f->runs[f->n_runs++];
  r->seed = seed;
  r->pct_steps = f->estimates ? f->estimates[f->next - 1] : f->est;
  r->steps = steps;
  r->outcome = outcome;
  snprintf(r->message, sizeof(r->message), "%s", message);
  assert_non_null(trace);
  r->trace = malloc(trace_len + 1);
  assert_non_null(r->trace);
  memcpy(r->trace, trace, trace_len);
  r->trace[trace_len] = 0;
  if (!f->estimates && steps > f->est)
    f->est = steps;
  return f->stop_at_failure && outcome != WMIEMU_OUTCOME_OK;
}

static void feed_free(feed_state_t *f) {
  for (size_t i = 0; i < f->n_runs; i++)
    free(f->runs[i].trace);
}

static void run_feed(const char *scenario, wmiemu_strategy_t st, feed_state_t *f, const char *trace,
                     wmiemu_explore_result_t *r) {
  wmiemu_explore_feed_t feed = { feed_next, feed_done, f };
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.strategy = st;
  o.iterations = 1;        /* ignored with a feed */
  o.trace_path = trace;
  o.feed = &feed;
  unlink(trace);
  assert_hr(wmiemu_explore_scenario(scenario, &o, r), S_OK);
  /* The feed's caller writes traces, explore does not. */
  assert_int_equal(access(trace, F_OK), -1);
}

/* Seeds out of order, each with an estimate of its own: each equals the
 * seed run alone. */
static void test_feed_matches_single_runs(void **state) {
  (void)state;
  static const uint64_t seeds[] = { 17, 3, 250, 4, 17, 99, 1 };
  static const uint64_t est[] = { 100, 1000, 40, 100, 300, 7, 100 };
  char path[128], alone[128];
  explore_test_tmp_path(path, sizeof path, "feed");
  explore_test_tmp_path(alone, sizeof alone, "alone");
  for (int k = 0; k < 2; k++) {
    wmiemu_strategy_t st = k ? WMIEMU_STRATEGY_PCT : WMIEMU_STRATEGY_RANDOM;
    feed_state_t f = { .seeds = seeds, .estimates = est, .n = sizeof(seeds) / sizeof(seeds[0]) };
    wmiemu_explore_result_t r;
    run_feed("race-refire", st, &f, path, &r);
    assert_int_equal(f.n_runs, f.n);
    assert_int_equal(r.iterations_run, f.n);
    uint64_t total = 0;
    int failures = 0;
    for (size_t i = 0; i < f.n_runs; i++) {
      run_t *x = &f.runs[i];
      assert_int_equal(x->seed, seeds[i]);
      total += x->steps;
      wmiemu_explore_opts_t o;
      wmiemu_explore_opts_init(&o);
      o.strategy = st;
      o.seed = x->seed;
      o.iterations = 1;
      o.pct_steps = x->pct_steps;
      o.trace_path = alone;
      o.trace_all = 1;
      wmiemu_explore_result_t one;
      assert_hr(wmiemu_explore_scenario("race-refire", &o, &one), S_OK);
      assert_int_equal(one.outcome, x->outcome);
      assert_int_equal(one.steps, x->steps);
      if (x->outcome != WMIEMU_OUTCOME_OK) {
        assert_string_equal(one.message, x->message);
        if (!failures++) {
          assert_int_equal(r.outcome, x->outcome);
          assert_int_equal(r.failing_seed, x->seed);
        }
      }
      char *text = explore_test_slurp(alone);
      assert_non_null(text);
      assert_string_equal(text, x->trace);
      free(text);
    }
    assert_int_equal(r.total_steps, total);
    if (!failures)
      assert_int_equal(r.outcome, WMIEMU_OUTCOME_OK);
    feed_free(&f);
  }
  unlink(alone);
}

/* A serial run's seeds and estimates, handed out by a feed that ends at the
 * first failure: the serial run's result, and its trace. */
static void test_feed_as_serial_run(void **state) {
  (void)state;
  uint64_t seeds[MAX_RUNS];
  for (size_t i = 0; i < MAX_RUNS; i++)
    seeds[i] = 1 + i;
  char path[128], serial[128];
  explore_test_tmp_path(path, sizeof path, "feed");
  explore_test_tmp_path(serial, sizeof serial, "serial");
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.strategy = WMIEMU_STRATEGY_PCT;
  o.iterations = MAX_RUNS;
  o.trace_path = serial;
  wmiemu_explore_result_t want, r;
  assert_hr(wmiemu_explore_scenario("race-refire", &o, &want), S_OK);
  /* The test needs a failure within MAX_RUNS seeds, after the first. */
  assert_int_equal(want.outcome, WMIEMU_OUTCOME_VIOLATION);
  assert_true(want.iterations_run > 1);
  feed_state_t f = { .seeds = seeds, .n = MAX_RUNS, .est = 100, .stop_at_failure = 1 };
  run_feed("race-refire", WMIEMU_STRATEGY_PCT, &f, path, &r);
  assert_int_equal(r.outcome, want.outcome);
  assert_int_equal(r.failing_seed, want.failing_seed);
  assert_int_equal(r.iterations_run, want.iterations_run);
  assert_int_equal(r.total_steps, want.total_steps);
  assert_string_equal(r.message, want.message);
  char *text = explore_test_slurp(serial);
  assert_non_null(text);
  assert_string_equal(text, f.runs[f.n_runs - 1].trace);
  free(text);
  feed_free(&f);
  unlink(serial);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_feed_matches_single_runs),
    cmocka_unit_test(test_feed_as_serial_run),
  };
  return cmocka_run_group_tests_name("explore_feed", tests, NULL, NULL);
}
