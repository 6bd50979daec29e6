#ifndef WMIEMU_EXPLORE_H
#define WMIEMU_EXPLORE_H

#include <wmiemu/common.h>

/* Schedule exploration: run one scenario many times, each under a different
 * thread interleaving chosen by a seeded strategy, with virtual time; stop
 * at the first failure and write a trace that `wmiemu replay` (or
 * wmiemu_replay()) reproduces step for step.
 *
 * Inside a scenario every thread is a controlled thread: exactly one runs at
 * a time and the scheduler switches only at scheduling points (thread
 * creation and exit, waits, events, critical sections, Sleep, tick counts,
 * and every call the WMI side makes into the provider). */

#include <stdint.h>
#include <stdio.h>

#include <wmiemu/exec.h>

#ifdef __cplusplus
extern "C" {
#endif


typedef struct {
  wmiemu_strategy_t strategy;
  uint64_t seed;                /* iteration i runs with seed + i */
  uint64_t iterations;          /* schedules to try (0 = 1) */
  unsigned pct_depth;           /* PCT bug depth d (priority changes = d-1); 0 = 3 */
  uint64_t max_steps;           /* livelock bound per schedule; 0 = 100000 */
  const char *trace_path;       /* where the failing schedule's trace goes; NULL = none */
  int trace_all;                /* write every schedule's trace (last one kept) */
  FILE *progress;               /* progress line every ~0.5 s; NULL = quiet */
  const char *scenario_name;    /* recorded in the trace header */
} wmiemu_explore_opts_t;

typedef struct {
  wmiemu_outcome_t outcome;
  uint64_t iterations_run;
  uint64_t failing_seed;        /* valid when outcome != OK */
  uint64_t steps;               /* steps of the last schedule run */
  uint64_t total_steps;
  char message[512];            /* what went wrong, with thread and step */
} wmiemu_explore_result_t;

/* A scenario: runs on controlled thread 0; creates threads, drives the
 * provider, asserts. `ctx` is passed through. */
typedef void (*wmiemu_scenario_fn)(void *ctx);

/* Fills opts with the defaults above. */
WMIEMU_EXTERN void wmiemu_explore_opts_init(wmiemu_explore_opts_t *opts);

/* Runs `scenario` under opts->iterations schedules; returns the first
 * failure's outcome (result filled, trace written) or WMIEMU_OUTCOME_OK. */
WMIEMU_EXTERN wmiemu_outcome_t wmiemu_explore(wmiemu_scenario_fn scenario, void *ctx,
                                              const wmiemu_explore_opts_t *opts,
                                              wmiemu_explore_result_t *result);

/* Runs `scenario` once following the trace at `trace_path`; the outcome is
 * the recorded one when the scenario is deterministic. `rewrite_path`
 * (optional) receives the replayed trace, byte-identical to the input. */
WMIEMU_EXTERN wmiemu_outcome_t wmiemu_replay(wmiemu_scenario_fn scenario, void *ctx,
                                             const char *trace_path, const char *rewrite_path,
                                             wmiemu_explore_result_t *result);

/* Inside a scenario: records a failure (first one wins) and, when `fatal`,
 * abandons the schedule at once (the calling thread does not return).
 * Outside a scenario: prints the message and returns. */
WMIEMU_EXTERN void wmiemu_explore_fail(int fatal, const char *fmt, ...)
#if defined(__GNUC__)
                __attribute__((format(printf, 2, 3)))
#endif
                ;

/* Inside a scenario: a scheduling point named `what` (e.g. before touching
 * shared state in a test). Outside: does nothing. */
WMIEMU_EXTERN void wmiemu_explore_yield(const char *what);

/* Records a contract call ("NewQuery", ...) in the trace. */
WMIEMU_EXTERN void wmiemu_explore_note(const char *call, int64_t arg);

#ifdef __cplusplus
}
#endif

#endif
