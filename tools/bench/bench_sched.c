/* Deterministic scheduler throughput: schedules/s for a 3-thread scenario of
 * about 200 scheduling points, and scheduling steps/s, under the random and
 * PCT strategies, without traces (explore's fast path).
 *   bench_sched [schedules]   (default 2000) */

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <wmiemu/explore.h>

#include "exec/scenarios.h"

static double wall_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 2000;
  if (n == 0) {
    fprintf(stderr, "usage: bench_sched [schedules > 0]\n");
    return 2;
  }
  const wmiemu__scenario_t *sc = wmiemu__scenario_find("bench-3x200");
  const wmiemu_strategy_t strategies[] = { WMIEMU_STRATEGY_RANDOM, WMIEMU_STRATEGY_PCT };
  const char *names[] = { "random", "pct" };
  printf("%-8s %10s %12s %14s %14s\n", "strategy", "schedules", "steps/sched", "schedules/s", "steps/s");
  for (int i = 0; i < 2; i++) {
    wmiemu_explore_opts_t o;
    wmiemu_explore_opts_init(&o);
    o.strategy = strategies[i];
    o.iterations = n;
    wmiemu_explore_result_t r;
    double t0 = wall_s();
    wmiemu_outcome_t out = wmiemu_explore(sc->fn, NULL, &o, &r);
    double dt = wall_s() - t0;
    if (out != WMIEMU_OUTCOME_OK) {
      fprintf(stderr, "bench_sched: unexpected %s: %s\n", wmiemu_outcome_name(out), r.message);
      return 1;
    }
    printf("%-8s %10llu %12.1f %14.0f %14.0f\n", names[i], (unsigned long long)r.iterations_run,
           (double)r.total_steps / (double)r.iterations_run, (double)r.iterations_run / dt,
           (double)r.total_steps / dt);
  }
  return 0;
}
