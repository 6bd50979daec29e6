/* Real provider modules explored under the deterministic scheduler: the
 * refire/CancelQuery race and the lifetime race are caught within 1,000
 * schedules and replayed exactly 10 times out of 10; the correct provider
 * and the samples pass; the same seed writes the same trace, byte for
 * byte. Each schedule runs the emulator's host on the deterministic
 * executor, so these are the runs `wmiemu run` makes. */

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

#include "explore/provider_explore.h"
#include "explore/explore_test_util.h"

typedef struct {
  char mof[1024];
  char module[1024];
  char query[128];
  const char *mofs[1];
  wmiemu__pexp_opts_t opts;
} fixture_t;

static void fixture(fixture_t *f, const char *name, const char *event_class) {
  const char *src = getenv("WMIEMU_SOURCE_DIR"), *bin = getenv("WMIEMU_BINARY_DIR");
  assert_non_null(src);
  assert_non_null(bin);
  memset(f, 0, sizeof(*f));
  snprintf(f->mof, sizeof(f->mof), "%s/provider/%s/%s.mof", src, name, name);
  snprintf(f->module, sizeof(f->module), "%s/provider/%s.so", bin, name);
  snprintf(f->query, sizeof(f->query), "SELECT * FROM %s", event_class);
  f->mofs[0] = f->mof;
  f->opts.mofs = f->mofs;
  f->opts.n_mofs = 1;
  f->opts.module = f->module;
  f->opts.query = f->query;
  f->opts.busy_every = 2;
}

/* explore (at most 1,000 schedules) must fail with `expect` in the
 * message; then the trace is replayed 10 times, each exactly. */
static void caught_and_replayed(const char *name, const char *cls, const char *expect) {
  fixture_t f;
  fixture(&f, name, cls);
  char err[512] = "";
  wmiemu__pexp_t *d;
  assert_int_equal(wmiemu__pexp_open(&d, &f.opts, err, sizeof(err)), 0);
  char trace[256];
  explore_test_tmp_path(trace, sizeof(trace), name);
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.iterations = 1000;
  o.trace_path = trace;
  o.scenario_name = wmiemu__pexp_spec(d);
  wmiemu_explore_result_t r;
  assert_int_equal(wmiemu_explore(wmiemu__pexp_scenario, d, &o, &r), WMIEMU_OUTCOME_VIOLATION);
  assert_true(r.iterations_run <= 1000);
  assert_non_null(strstr(r.message, expect));
  wmiemu__pexp_close(d);
  int reproduced = 0;
  for (int i = 0; i < 10; i++) {
    /* Each replay starts from the trace alone, as `wmiemu replay` does. */
    char *text = explore_test_slurp(trace);
    assert_non_null(text);
    char *spec = strstr(text, "\"scenario\":\"");
    assert_non_null(spec);
    spec += strlen("\"scenario\":\"");
    *strstr(spec, "\",\"strategy\"") = 0;
    wmiemu__pexp_t *rd;
    assert_int_equal(wmiemu__pexp_open_spec(&rd, spec, err, sizeof(err)), 0);
    free(text);
    wmiemu_explore_result_t rr;
    wmiemu_outcome_t out = wmiemu_replay(wmiemu__pexp_scenario, rd, trace, NULL, &rr);
    wmiemu__pexp_close(rd);
    if (out == WMIEMU_OUTCOME_VIOLATION && !strcmp(rr.message, r.message))
      reproduced++;
    else
      fprintf(stderr, "replay %d: %s: %s\n", i, wmiemu_outcome_name(out), rr.message);
  }
  assert_int_equal(reproduced, 10);
  unlink(trace);
}

static void test_refire_race_caught_and_replayed(void **state) {
  (void)state;
  caught_and_replayed("race_refire", "RaceRefireEvent", "rule refire-after-cancel");
}

static void test_lifetime_race_caught_and_replayed(void **state) {
  (void)state;
  caught_and_replayed("race_lifetime", "RaceLifetimeEvent", "lifetime");
}

static void test_correct_provider_passes(void **state) {
  (void)state;
  fixture_t f;
  fixture(&f, "race_correct", "RaceCorrectEvent");
  char err[512];
  wmiemu__pexp_t *d;
  assert_int_equal(wmiemu__pexp_open(&d, &f.opts, err, sizeof(err)), 0);
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.iterations = 400;
  wmiemu_explore_result_t r;
  wmiemu_outcome_t out = wmiemu_explore(wmiemu__pexp_scenario, d, &o, &r);
  if (out != WMIEMU_OUTCOME_OK)
    fprintf(stderr, "%s\n", r.message);
  assert_int_equal(out, WMIEMU_OUTCOME_OK);
  o.strategy = WMIEMU_STRATEGY_PCT;
  o.iterations = 200;
  assert_int_equal(wmiemu_explore(wmiemu__pexp_scenario, d, &o, &r), WMIEMU_OUTCOME_OK);
  wmiemu__pexp_close(d);
}

/* The sample providers under a few hundred schedules each, with every
 * second Indicate answered WBEM_E_SERVER_TOO_BUSY: no rule broken, no
 * deadlock, no thread outliving the final Release. */
static void explore_sample(const char *mof, const char *module, const char *query, uint64_t n) {
  const char *src = getenv("WMIEMU_SOURCE_DIR"), *bin = getenv("WMIEMU_BINARY_DIR");
  char mof_path[1024], module_path[1024], err[512];
  const char *mofs[1] = { mof_path };
  snprintf(mof_path, sizeof(mof_path), "%s/provider/sample/%s", src, mof);
  snprintf(module_path, sizeof(module_path), "%s/provider/%s", bin, module);
  wmiemu__pexp_opts_t po = { .mofs = mofs, .n_mofs = 1, .module = module_path, .query = query,
                             .busy_every = 2 };
  wmiemu__pexp_t *d;
  assert_int_equal(wmiemu__pexp_open(&d, &po, err, sizeof(err)), 0);
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.iterations = n;
  wmiemu_explore_result_t r;
  wmiemu_outcome_t out = wmiemu_explore(wmiemu__pexp_scenario, d, &o, &r);
  if (out != WMIEMU_OUTCOME_OK)
    fprintf(stderr, "%s: %s\n", module, r.message);
  assert_int_equal(out, WMIEMU_OUTCOME_OK);
  assert_int_equal(r.iterations_run, n);
  o.strategy = WMIEMU_STRATEGY_PCT;
  o.iterations = n / 2;
  out = wmiemu_explore(wmiemu__pexp_scenario, d, &o, &r);
  if (out != WMIEMU_OUTCOME_OK)
    fprintf(stderr, "%s (pct): %s\n", module, r.message);
  assert_int_equal(out, WMIEMU_OUTCOME_OK);
  wmiemu__pexp_close(d);
}

static void test_sample_tick_passes(void **state) {
  (void)state;
  explore_sample("sample.mof", "sample_tick.so", "SELECT * FROM SampleTick", 200);
}

static void test_sample_items_passes(void **state) {
  (void)state;
  explore_sample("sample_items.mof", "sample_items.so",
                 "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA \"SampleItem\"", 200);
}

static void test_sample_cpp_passes(void **state) {
  (void)state;
  explore_sample("sample_cpp.mof", "sample_cpp.so", "SELECT * FROM SampleCppEvent", 200);
}

static void test_same_seed_identical_trace(void **state) {
  (void)state;
  fixture_t f;
  fixture(&f, "race_correct", "RaceCorrectEvent");
  char err[512];
  wmiemu__pexp_t *d;
  assert_int_equal(wmiemu__pexp_open(&d, &f.opts, err, sizeof(err)), 0);
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.seed = 4242;
  o.iterations = 3;
  o.scenario_name = wmiemu__pexp_spec(d);
  char *a = explore_test_same_trace_twice(wmiemu__pexp_scenario, d, &o);
  wmiemu__pexp_close(d);
  /* The trace shows the contract calls and the provider's own thread. */
  assert_non_null(strstr(a, "\"NewQuery\""));
  assert_non_null(strstr(a, "\"CancelQuery\""));
  assert_non_null(strstr(a, "\"Indicate\""));
  assert_non_null(strstr(a, "\"CreateThread\""));
  assert_non_null(strstr(a, "provider.released"));
  /* The host's lifecycle, and the BUSY answers busy_every injects. */
  assert_non_null(strstr(a, "\"Initialize\""));
  assert_non_null(strstr(a, "\"ProvideEvents\""));
  assert_non_null(strstr(a, "\"AccessCheck\""));
  assert_non_null(strstr(a, "\"event\":\"return\",\"name\":\"Indicate\",\"arg\":-2147217339"));
  free(a);
}

static void test_open_errors(void **state) {
  (void)state;
  fixture_t f;
  fixture(&f, "race_correct", "RaceCorrectEvent");
  char err[512];
  wmiemu__pexp_t *d = (wmiemu__pexp_t *)1;
  wmiemu__pexp_opts_t bad = f.opts;
  bad.module = "/nonexistent/provider.so";
  assert_int_equal(wmiemu__pexp_open(&d, &bad, err, sizeof(err)), -1);
  assert_null(d);
  assert_non_null(strstr(err, "cannot load"));
  bad = f.opts;
  const char *missing[1] = { "/nonexistent/x.mof" };
  bad.mofs = missing;
  assert_int_equal(wmiemu__pexp_open(&d, &bad, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "x.mof"));
  bad = f.opts;
  bad.provider_name = "NoSuchProvider";
  assert_int_equal(wmiemu__pexp_open(&d, &bad, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "NoSuchProvider"));
  bad = f.opts;
  bad.query = NULL;
  assert_int_equal(wmiemu__pexp_open(&d, &bad, err, sizeof(err)), -1);
  assert_int_equal(wmiemu__pexp_open_spec(&d, "correct", err, sizeof(err)), -1);
  assert_false(wmiemu__pexp_is_spec("correct"));
  /* A spec round-trips. */
  assert_int_equal(wmiemu__pexp_open(&d, &f.opts, err, sizeof(err)), 0);
  assert_true(wmiemu__pexp_is_spec(wmiemu__pexp_spec(d)));
  assert_string_equal(wmiemu__pexp_name(d), "provider:RaceCorrectProvider");
  wmiemu__pexp_t *d2;
  assert_int_equal(wmiemu__pexp_open_spec(&d2, wmiemu__pexp_spec(d), err, sizeof(err)), 0);
  assert_string_equal(wmiemu__pexp_spec(d2), wmiemu__pexp_spec(d));
  wmiemu__pexp_close(d2);
  wmiemu__pexp_close(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_refire_race_caught_and_replayed),
    cmocka_unit_test(test_lifetime_race_caught_and_replayed),
    cmocka_unit_test(test_correct_provider_passes),
    cmocka_unit_test(test_sample_tick_passes),
    cmocka_unit_test(test_sample_items_passes),
    cmocka_unit_test(test_sample_cpp_passes),
    cmocka_unit_test(test_same_seed_identical_trace),
    cmocka_unit_test(test_open_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
