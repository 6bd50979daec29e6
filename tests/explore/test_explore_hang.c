/* A provider call that never returns, explored under the deterministic
 * executor: reported as the rule it breaks (init-no-status for Initialize,
 * call-blocked for NewQuery and CancelQuery) once its limit passes in
 * virtual time, with a seed and a trace that replay reproduces - not as a
 * livelock or a deadlock. The stuck WMI worker stays parked. */

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

static void caught(const char *name, const char *expect) {
  char mof[1024], module[1024], trace[256];
  const char *mofs[1] = { mof }, *modules[1] = { module };
  wmiemu_explore_provider_opts_t o;
  wmiemu_explore_result_t r, rr;
  snprintf(mof, sizeof(mof), "%s/provider/broken/%s.mof", getenv("WMIEMU_SOURCE_DIR"), name);
  snprintf(module, sizeof(module), "%s", portable_module_path(name));
  explore_test_tmp_path(trace, sizeof(trace), name);
  wmiemu_explore_provider_opts_init(&o);
  o.mofs = mofs;
  o.n_mofs = 1;
  o.modules = modules;
  o.n_modules = 1;
  o.query = "SELECT * FROM BrokenEvent";
  o.iterations = 5;
  /* The default init timeout: the trace's scenario line does not record
   * another, and virtual time costs nothing. */
  o.trace_path = trace;
  assert_hr(wmiemu_explore_provider(&o, &r), S_OK);
  printf("%s: %s after %llu schedule(s): %s\n", name, wmiemu_outcome_name(r.outcome),
         (unsigned long long)r.iterations_run, r.message);
  assert_int_equal(r.outcome, WMIEMU_OUTCOME_VIOLATION);
  assert_int_equal(r.iterations_run, 1);   /* every schedule hangs */
  assert_non_null(strstr(r.message, expect));
  assert_null(strstr(r.message, "livelock"));
  assert_null(strstr(r.message, "deadlock"));
  assert_hr(wmiemu_replay_trace(trace, NULL, NULL, &rr), S_OK);
  printf("replay: %s: %s\n", wmiemu_outcome_name(rr.outcome), rr.message);
  assert_int_equal(rr.outcome, WMIEMU_OUTCOME_VIOLATION);
  assert_string_equal(rr.message, r.message);
  unlink(trace);
}

static void test_init_hang(void **state) {
  (void)state;
  caught("broken_init_hang", "rule init-no-status in Initialize");
}

static void test_new_query_hang(void **state) {
  (void)state;
  caught("broken_call_hang", "rule call-blocked in NewQuery");
}

static void test_cancel_query_hang(void **state) {
  (void)state;
  caught("broken_cancel_hang", "rule call-blocked in CancelQuery");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_init_hang),
    cmocka_unit_test(test_new_query_hang),
    cmocka_unit_test(test_cancel_query_hang),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
