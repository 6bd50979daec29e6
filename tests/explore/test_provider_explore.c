/* Real provider modules explored under the deterministic scheduler through
 * wmiemu_explore_provider: the refire/CancelQuery race and the lifetime race
 * are caught within 1,000 schedules and replayed from the trace alone
 * exactly 10 times out of 10; the correct provider and the samples pass;
 * the same seed writes the same trace, byte for byte; several modules in one
 * run; the errors. Each schedule runs the emulator's host on the
 * deterministic executor, so these are the runs `wmiemu run` makes. */

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

static void fixture(fixture_t *f, const char *name, const char *event_class) {
  memset(f, 0, sizeof(*f));
  explore_test_provider_paths(name, f->mof, sizeof(f->mof), f->module, sizeof(f->module));
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

/* explore (at most 1,000 schedules) must fail with `expect` in the
 * message; then the trace is replayed 10 times, each exactly. */
static void caught_and_replayed(const char *name, const char *cls, const char *expect) {
  fixture_t f;
  fixture(&f, name, cls);
  char trace[256];
  explore_test_tmp_path(trace, sizeof(trace), name);
  f.opts.iterations = 1000;
  f.opts.trace_path = trace;
  wmiemu_explore_result_t r;
  assert_hr(wmiemu_explore_provider(&f.opts, &r), S_OK);
  assert_int_equal(r.outcome, WMIEMU_OUTCOME_VIOLATION);
  assert_true(r.iterations_run <= 1000);
  assert_non_null(strstr(r.message, expect));
  int reproduced = 0;
  for (int i = 0; i < 10; i++) {
    /* Each replay starts from the trace alone, as `wmiemu replay` does. */
    wmiemu_explore_result_t rr;
    assert_hr(wmiemu_replay_trace(trace, NULL, NULL, &rr), S_OK);
    assert_string_equal(rr.name, r.name);
    if (rr.outcome == WMIEMU_OUTCOME_VIOLATION && !strcmp(rr.message, r.message))
      reproduced++;
    else
      fprintf(stderr, "replay %d: %s: %s\n", i, wmiemu_outcome_name(rr.outcome), rr.message);
  }
  assert_int_equal(reproduced, 10);
  unlink(trace);
}

static void test_refire_race_caught_and_replayed(void **state) {
  (void)state;
  caught_and_replayed("race_refire", "RaceRefireEvent", "rule refire-after-cancel outside any WMI call");
}

static void test_lifetime_race_caught_and_replayed(void **state) {
  (void)state;
  caught_and_replayed("race_lifetime", "RaceLifetimeEvent", "lifetime");
}

static void test_correct_provider_passes(void **state) {
  (void)state;
  fixture_t f;
  fixture(&f, "race_correct", "RaceCorrectEvent");
  f.opts.iterations = 400;
  wmiemu_explore_result_t r;
  assert_hr(wmiemu_explore_provider(&f.opts, &r), S_OK);
  if (r.outcome != WMIEMU_OUTCOME_OK)
    fprintf(stderr, "%s\n", r.message);
  assert_int_equal(r.outcome, WMIEMU_OUTCOME_OK);
  assert_string_equal(r.name, "provider:RaceCorrectProvider");
  f.opts.strategy = WMIEMU_STRATEGY_PCT;
  f.opts.iterations = 200;
  assert_hr(wmiemu_explore_provider(&f.opts, &r), S_OK);
  assert_int_equal(r.outcome, WMIEMU_OUTCOME_OK);
}

/* The sample providers under a few hundred schedules each, with every
 * second Indicate answered WBEM_E_SERVER_TOO_BUSY: no rule broken, no
 * deadlock, no thread outliving the final Release. */
static void explore_sample(const char *mof, const char *module, const char *query, uint64_t n) {
  const char *src = getenv("WMIEMU_SOURCE_DIR");
  char mof_path[1024], module_path[1024];
  const char *mofs[1] = { mof_path }, *modules[1] = { module_path };
  snprintf(mof_path, sizeof(mof_path), "%s/provider/sample/%s", src, mof);
  snprintf(module_path, sizeof(module_path), "%s", portable_module_path(module));
  wmiemu_explore_provider_opts_t po;
  wmiemu_explore_provider_opts_init(&po);
  po.mofs = mofs;
  po.n_mofs = 1;
  po.modules = modules;
  po.n_modules = 1;
  po.query = query;
  po.busy_every = 2;
  po.iterations = n;
  wmiemu_explore_result_t r;
  assert_hr(wmiemu_explore_provider(&po, &r), S_OK);
  if (r.outcome != WMIEMU_OUTCOME_OK)
    fprintf(stderr, "%s: %s\n", module, r.message);
  assert_int_equal(r.outcome, WMIEMU_OUTCOME_OK);
  assert_int_equal(r.iterations_run, n);
  po.strategy = WMIEMU_STRATEGY_PCT;
  po.iterations = n / 2;
  assert_hr(wmiemu_explore_provider(&po, &r), S_OK);
  if (r.outcome != WMIEMU_OUTCOME_OK)
    fprintf(stderr, "%s (pct): %s\n", module, r.message);
  assert_int_equal(r.outcome, WMIEMU_OUTCOME_OK);
}

static void test_sample_tick_passes(void **state) {
  (void)state;
  explore_sample("sample.mof", "sample_tick", "SELECT * FROM SampleTick", 200);
}

static void test_sample_items_passes(void **state) {
  (void)state;
  explore_sample("sample_items.mof", "sample_items",
                 "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA \"SampleItem\"", 200);
}

static void test_sample_cpp_passes(void **state) {
  (void)state;
  explore_sample("sample_cpp.mof", "sample_cpp", "SELECT * FROM SampleCppEvent", 200);
}

/* Explores twice with opts (every schedule's trace written, the last one
 * kept) expecting OK; the two traces must be identical. Returns the text. */
static char *same_trace_twice(wmiemu_explore_provider_opts_t *o) {
  char p1[256], p2[256];
  wmiemu_explore_result_t r;
  explore_test_tmp_path(p1, sizeof(p1), "psame1");
  explore_test_tmp_path(p2, sizeof(p2), "psame2");
  o->trace_all = 1;
  o->trace_path = p1;
  assert_hr(wmiemu_explore_provider(o, &r), S_OK);
  assert_int_equal(r.outcome, WMIEMU_OUTCOME_OK);
  o->trace_path = p2;
  assert_hr(wmiemu_explore_provider(o, &r), S_OK);
  assert_int_equal(r.outcome, WMIEMU_OUTCOME_OK);
  o->trace_path = NULL;
  char *a = explore_test_slurp(p1), *b = explore_test_slurp(p2);
  assert_non_null(a);
  assert_non_null(b);
  assert_string_equal(a, b);
  free(b);
  unlink(p1);
  unlink(p2);
  return a;
}

static void test_same_seed_identical_trace(void **state) {
  (void)state;
  fixture_t f;
  fixture(&f, "race_correct", "RaceCorrectEvent");
  f.opts.seed = 4242;
  f.opts.iterations = 3;
  char *a = same_trace_twice(&f.opts);
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
  /* The header names the run, so the trace alone replays it. */
  assert_non_null(strstr(a, "\"scenario\":\"provider|mof="));
  free(a);
}

/* Two modules in one run: both are loaded into every schedule's host (the
 * query activates one of them) and both are recorded for the replay. */
static void test_several_modules(void **state) {
  (void)state;
  fixture_t f, g;
  fixture(&f, "race_correct", "RaceCorrectEvent");
  fixture(&g, "race_refire", "RaceRefireEvent");
  const char *mofs[2] = { f.mof, g.mof }, *modules[2] = { g.module, f.module };
  f.opts.mofs = mofs;
  f.opts.n_mofs = 2;
  f.opts.modules = modules;
  f.opts.n_modules = 2;
  f.opts.provider_name = "RaceCorrectProvider";
  f.opts.iterations = 20;
  char *a = same_trace_twice(&f.opts);
  const char *m1 = strstr(a, "|module="), *m2 = m1 ? strstr(m1 + 1, "|module=") : NULL;
  assert_non_null(m2);
  /* In the order given. */
  const char *refire = strstr(m1, "race_refire" PORTABLE_MODULE_SUFFIX "|");
  assert_non_null(refire);
  assert_true(refire < m2);
  assert_non_null(strstr(m2, "race_correct" PORTABLE_MODULE_SUFFIX "|"));
  assert_non_null(strstr(a, "|name=RaceCorrectProvider|"));
  free(a);
  /* The last schedule's trace replays from the trace alone. */
  char trace[256];
  explore_test_tmp_path(trace, sizeof(trace), "modules");
  f.opts.trace_all = 1;
  f.opts.trace_path = trace;
  f.opts.iterations = 2;
  wmiemu_explore_result_t r;
  assert_hr(wmiemu_explore_provider(&f.opts, &r), S_OK);
  assert_int_equal(r.outcome, WMIEMU_OUTCOME_OK);
  assert_hr(wmiemu_replay_trace(trace, NULL, NULL, &r), S_OK);
  assert_int_equal(r.outcome, WMIEMU_OUTCOME_OK);
  assert_string_equal(r.name, "provider:RaceCorrectProvider");
  assert_int_equal(r.recorded_outcome, WMIEMU_OUTCOME_OK);
  unlink(trace);
}

static void test_open_errors(void **state) {
  (void)state;
  fixture_t f;
  fixture(&f, "race_correct", "RaceCorrectEvent");
  f.opts.iterations = 1;
  wmiemu_explore_result_t r;
  wmiemu_explore_provider_opts_t bad = f.opts;
  const char *missing_module[1] = { "/nonexistent/provider.so" };
  bad.modules = missing_module;
  assert_hr(wmiemu_explore_provider(&bad, &r), WBEM_E_PROVIDER_LOAD_FAILURE);
  assert_int_equal(r.outcome, WMIEMU_OUTCOME_ERROR);
  assert_int_equal(r.iterations_run, 0);
  assert_non_null(strstr(r.message, "cannot load"));
  bad = f.opts;
  const char *missing[1] = { "/nonexistent/x.mof" };
  bad.mofs = missing;
  assert_true(FAILED(wmiemu_explore_provider(&bad, &r)));
  assert_non_null(strstr(r.message, "x.mof"));
  bad = f.opts;
  bad.provider_name = "NoSuchProvider";
  assert_hr(wmiemu_explore_provider(&bad, &r), WBEM_E_PROVIDER_NOT_FOUND);
  assert_non_null(strstr(r.message, "NoSuchProvider"));
  bad = f.opts;
  bad.query = NULL;
  assert_hr(wmiemu_explore_provider(&bad, &r), WBEM_E_INVALID_PARAMETER);
  assert_non_null(strstr(r.message, "query"));
  bad = f.opts;
  bad.n_mofs = 0;
  assert_hr(wmiemu_explore_provider(&bad, &r), WBEM_E_INVALID_PARAMETER);
  assert_non_null(strstr(r.message, "MOF"));
  bad = f.opts;
  bad.modules = NULL;
  assert_hr(wmiemu_explore_provider(&bad, &r), WBEM_E_INVALID_PARAMETER);
  assert_non_null(strstr(r.message, "module"));
  bad = f.opts;
  bad.strategy = WMIEMU_STRATEGY_REPLAY;
  assert_hr(wmiemu_explore_provider(&bad, &r), WBEM_E_INVALID_PARAMETER);
  assert_non_null(strstr(r.message, "strategy"));
  assert_hr(wmiemu_explore_provider(NULL, &r), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu_explore_provider(NULL, NULL), WBEM_E_INVALID_PARAMETER);
  /* A module that is not a shared object. */
  bad = f.opts;
  const char *not_so[1] = { f.mof };
  bad.modules = not_so;
  assert_hr(wmiemu_explore_provider(&bad, &r), WBEM_E_PROVIDER_LOAD_FAILURE);
  /* A subscription the host refuses ends the schedule as an error: the
   * exploration itself ran. */
  bad = f.opts;
  bad.query = "SELECT * FROM";
  assert_hr(wmiemu_explore_provider(&bad, &r), S_OK);
  assert_int_equal(r.outcome, WMIEMU_OUTCOME_ERROR);
  assert_non_null(strstr(r.message, "subscribing failed (0x80041017)"));
}

/* The defaults wmiemu_explore_provider_opts_init fills in. */
static void test_opts_init(void **state) {
  (void)state;
  wmiemu_explore_provider_opts_t po;
  memset(&po, 0xa5, sizeof(po));
  wmiemu_explore_provider_opts_init(&po);
  assert_null(po.mofs);
  assert_int_equal(po.n_mofs, 0);
  assert_null(po.modules);
  assert_int_equal(po.n_modules, 0);
  assert_null(po.provider_name);
  assert_null(po.query);
  assert_int_equal(po.strategy, WMIEMU_STRATEGY_RANDOM);
  assert_int_equal(po.seed, 1);
  assert_int_equal(po.iterations, 1);
  assert_int_equal(po.pct_depth, 3);
  assert_int_equal(po.max_steps, 100000);
  assert_int_equal(po.busy_every, 2);
  assert_int_equal(po.cancel_at_ms, 3000);
  assert_int_equal(po.init_timeout_ms, 10000);
  assert_null(po.trace_path);
  assert_false(po.trace_all);
  assert_null(po.progress);
  wmiemu_explore_provider_opts_init(NULL);
}

/* A recorded provider run whose module went away does not replay. */
static void test_replay_missing_module(void **state) {
  (void)state;
  fixture_t f;
  fixture(&f, "race_correct", "RaceCorrectEvent");
  char trace[256], bad[256];
  explore_test_tmp_path(trace, sizeof(trace), "pmissing");
  explore_test_tmp_path(bad, sizeof(bad), "pmissing-bad");
  f.opts.trace_all = 1;
  f.opts.trace_path = trace;
  wmiemu_explore_result_t r;
  assert_hr(wmiemu_explore_provider(&f.opts, &r), S_OK);
  char *text = explore_test_slurp(trace);
  assert_non_null(text);
  char *so = strstr(text, "race_correct" PORTABLE_MODULE_SUFFIX "|");
  assert_non_null(so);
  memcpy(so, "xace", 4);
  FILE *out = fopen(bad, "w");
  assert_non_null(out);
  fputs(text, out);
  fclose(out);
  free(text);
  assert_hr(wmiemu_replay_trace(bad, NULL, NULL, &r), WBEM_E_PROVIDER_LOAD_FAILURE);
  assert_int_equal(r.outcome, WMIEMU_OUTCOME_ERROR);
  assert_non_null(strstr(r.message, "xace_correct" PORTABLE_MODULE_SUFFIX ": cannot load"));
  assert_true(!strncmp(r.message, bad, strlen(bad)));
  unlink(trace);
  unlink(bad);
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
    cmocka_unit_test(test_several_modules),
    cmocka_unit_test(test_open_errors),
    cmocka_unit_test(test_opts_init),
    cmocka_unit_test(test_replay_missing_module),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
