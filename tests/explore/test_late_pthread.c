/* A provider whose raw pthread (one the scheduler never hears of) fires
 * through the event sink after the final Release, explored: the call lands
 * on the sink's tombstone once the schedule's host is gone and is counted
 * as rule indicate-after-release, where it used to be a use-after-free
 * (an ASan build runs this clean). */
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

#if defined(__SANITIZE_THREAD__)
#define TSAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TSAN_BUILD 1
#endif
#endif

static void test_late_pthread_explored(void **state) {
  const char *src = getenv("WMIEMU_SOURCE_DIR");
  char mof[1024], module[1024], last[640];
  const char *mofs[1] = { mof }, *modules[1] = { module };
  wmiemu_explore_provider_opts_t po;
  wmiemu_explore_result_t r;
  uint64_t before = wmiemu_host_late_calls(NULL, 0);
  int waited;
  (void)state;
#ifdef TSAN_BUILD
  /* The provider's thread calls the sink with nothing ordering it after
   * the host that frees it: a race of the provider's own, which TSan
   * rightly reports. This test is for ASan (no use-after-free). */
  skip();
#endif
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
  /* The schedule itself sees the sink still held after the final Release. */
  assert_int_equal(r.outcome, WMIEMU_OUTCOME_VIOLATION);
  assert_non_null(strstr(r.message, "rule refcount-leak"));
  /* The thread wakes 50 ms after the final Release, real time. */
  for (waited = 0; waited < 5000 && wmiemu_host_late_calls(NULL, 0) == before; waited += 10) {
    struct timespec ms10 = { 0, 10 * 1000 * 1000 };
    nanosleep(&ms10, NULL);
  }
  assert_int_equal(wmiemu_host_late_calls(last, sizeof(last)), before + 1);
  assert_non_null(strstr(last, "rule indicate-after-release"));
  assert_non_null(strstr(last, "provider BrokenLatePthreadProvider"));
  assert_non_null(strstr(last, "Indicate(1 objects) on the event sink"));
  assert_non_null(strstr(last, ", thread "));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_late_pthread_explored),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
