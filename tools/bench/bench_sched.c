/* Deterministic scheduler throughput: schedules/s for a 3-thread scenario of
 * about 200 scheduling points, and scheduling steps/s, under the random and
 * PCT strategies, without traces (explore's fast path).
 * The same shape written with real Win32 calls through compat's seam
 * (CreateThread, CRITICAL_SECTION, Sleep(0), WaitForMultipleObjects), and,
 * given the build directory, the race_correct provider module driven
 * through the whole contract.
 *   bench_sched [schedules [build-dir]]   (default 2000) */

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <windows.h>

#include <wmiemu/explore.h>

#include "explore/provider_explore.h"
#include "explore/scenarios.h"

static double wall_s(void);

typedef struct {
  CRITICAL_SECTION lock;
  LONG counter;
} win32_shared_t;

static DWORD WINAPI win32_worker(LPVOID arg) {
  win32_shared_t *b = arg;
  for (int i = 0; i < 33; i++) {
    EnterCriticalSection(&b->lock);
    b->counter++;
    LeaveCriticalSection(&b->lock);
    Sleep(0);
  }
  return 0;
}

static void win32_3x200(void *ctx) {
  (void)ctx;
  win32_shared_t b = { .counter = 0 };
  InitializeCriticalSection(&b.lock);
  HANDLE t[2] = { CreateThread(NULL, 0, win32_worker, &b, 0, NULL),
                  CreateThread(NULL, 0, win32_worker, &b, 0, NULL) };
  WaitForMultipleObjects(2, t, TRUE, INFINITE);
  CloseHandle(t[0]);
  CloseHandle(t[1]);
  DeleteCriticalSection(&b.lock);
  if (b.counter != 66)
    wmiemu_explore_fail(0, "counter %ld", (long)b.counter);
}

static int bench_one(const char *label, wmiemu_scenario_fn fn, void *ctx, wmiemu_strategy_t st, uint64_t n) {
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.strategy = st;
  o.iterations = n;
  wmiemu_explore_result_t r;
  double t0 = wall_s();
  wmiemu_outcome_t out = wmiemu_explore(fn, ctx, &o, &r);
  double dt = wall_s() - t0;
  if (out != WMIEMU_OUTCOME_OK) {
    fprintf(stderr, "bench_sched: %s: unexpected %s: %s\n", label, wmiemu_outcome_name(out), r.message);
    return 1;
  }
  printf("%-22s %-8s %10llu %12.1f %14.0f %14.0f\n", label, st == WMIEMU_STRATEGY_PCT ? "pct" : "random",
         (unsigned long long)r.iterations_run, (double)r.total_steps / (double)r.iterations_run,
         (double)r.iterations_run / dt, (double)r.total_steps / dt);
  return 0;
}

static double wall_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 2000;
  if (n == 0) {
    fprintf(stderr, "usage: bench_sched [schedules > 0 [build-dir]]\n");
    return 2;
  }
  const wmiemu__scenario_t *sc = wmiemu__scenario_find("bench-3x200");
  printf("%-22s %-8s %10s %12s %14s %14s\n", "scenario", "strategy", "schedules", "steps/sched", "schedules/s",
         "steps/s");
  int rc = 0;
  rc |= bench_one("3x200 scheduler API", sc->fn, NULL, WMIEMU_STRATEGY_RANDOM, n);
  rc |= bench_one("3x200 scheduler API", sc->fn, NULL, WMIEMU_STRATEGY_PCT, n);
  rc |= bench_one("3x200 Win32 via seam", win32_3x200, NULL, WMIEMU_STRATEGY_RANDOM, n);
  rc |= bench_one("3x200 Win32 via seam", win32_3x200, NULL, WMIEMU_STRATEGY_PCT, n);
  if (argc > 2) {
    char mof[1024], module[1024], err[512];
    snprintf(mof, sizeof(mof), "%s/../../provider/race_correct/race_correct.mof", argv[2]);
    const char *src = getenv("WMIEMU_SOURCE_DIR");
    if (src)
      snprintf(mof, sizeof(mof), "%s/provider/race_correct/race_correct.mof", src);
    snprintf(module, sizeof(module), "%s/provider/race_correct.so", argv[2]);
    const char *mofs[1] = { mof };
    wmiemu__pexp_opts_t po = { .mofs = mofs, .n_mofs = 1, .module = module,
                               .query = "SELECT * FROM RaceCorrectEvent", .busy_every = 2 };
    wmiemu__pexp_t *d;
    if (wmiemu__pexp_open(&d, &po, err, sizeof(err)) != 0) {
      fprintf(stderr, "bench_sched: %s\n", err);
      return 1;
    }
    rc |= bench_one("race_correct via host", wmiemu__pexp_scenario, d, WMIEMU_STRATEGY_RANDOM, n);
    wmiemu__pexp_close(d);
  }
  return rc;
}
