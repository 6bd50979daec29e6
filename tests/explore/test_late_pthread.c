/* A provider whose raw pthread (not CreateThread) would fire through the
 * event sink after the final Release, explored: its pthread_create is
 * caught (compat/unix/got.c), so the schedule ends there as not
 * reproducible, naming it, and the thread is never started: nothing
 * reaches the schedule's host once it is gone (an ASan build runs this
 * clean). Run on real threads, the late call is reported as rule
 * indicate-after-release (tests/host/test_rules.c, tests/tools/test_lifetimes.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "common/portable.h"

#include <wmiemu/explore.h>
#include <wmiemu/host.h>

#include "explore/explore_test_util.h"

static void test_late_pthread_explored(void **state) {
  const char *src = getenv("WMIEMU_SOURCE_DIR");
  char mof[1024], module[1024], last[640];
  const char *mofs[1] = { mof }, *modules[1] = { module };
  wmiemu_explore_provider_opts_t po;
  wmiemu_explore_result_t r;
  uint64_t before = wmiemu_host_late_calls(NULL, 0);
  struct timespec ms100 = { 0, 100 * 1000 * 1000 };
  (void)state;
  snprintf(mof, sizeof(mof), "%s/provider/broken/broken_late_pthread.mof", src);
  snprintf(module, sizeof(module), "%s", portable_module_path("broken_late_pthread"));
  wmiemu_explore_provider_opts_init(&po);
  po.mofs = mofs;
  po.n_mofs = 1;
  po.modules = modules;
  po.n_modules = 1;
  po.query = "SELECT * FROM BrokenEvent";
  po.iterations = 1;
  assert_hr(wmiemu_explore_provider(&po, &r), S_OK);
  /* The schedule ends at the provider's pthread_create, which it cannot order. */
  assert_int_equal(r.outcome, WMIEMU_OUTCOME_NOT_REPRODUCIBLE);
  assert_non_null(strstr(r.message, "not reproducible: libc!pthread_create is not under the scheduler"));
  /* The thread would have woken 50 ms after the final Release, real time:
   * it was never started, so no call lands on the freed host. */
  nanosleep(&ms100, NULL);
  assert_int_equal(wmiemu_host_late_calls(last, sizeof(last)), before);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_late_pthread_explored),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
