#ifndef WMIEMU_EXPLORE_H
#define WMIEMU_EXPLORE_H

#include <wmiemu/common.h>

/* Schedule exploration: run one scenario many times, each under a different
 * thread interleaving chosen by a seeded strategy, with virtual time; stop
 * at the first failure and write a trace that `wmiemu replay` (or
 * wmiemu_replay(), wmiemu_replay_trace()) reproduces step for step.
 *
 * Inside a scenario every thread is a controlled thread: exactly one runs at
 * a time and the scheduler switches only at scheduling points (thread
 * creation and exit, waits, events, critical sections, Sleep, tick counts,
 * and every call the WMI side makes into the provider). */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <windows.h>
#include <wbemcli.h>

#include <wmiemu/exec.h>

#ifdef __cplusplus
extern "C" {
#endif


/* A seed feed: the schedules to run come from the caller instead of seed,
 * seed + 1, ... (iterations is then ignored). It lets several processes
 * share one seed range and still agree with a serial run: the caller hands
 * each schedule the PCT estimate a serial run would have used (the longest
 * schedule before it in the run, at least opts->pct_steps or 100), and
 * collects each schedule's result itself. A failure does not end the
 * exploration; nothing is written to trace_path: when trace_path is set,
 * each schedule's trace is recorded and handed to done instead. */
typedef struct {
  /* The next schedule: fills *seed and *pct_steps and returns 1, or
   * returns 0 when there is no more. */
  int (*next)(void *ctx, uint64_t *seed, uint64_t *pct_steps);
  /* That schedule's result: its outcome, steps and message, and its trace
   * (trace_len bytes, NULL without trace_path), valid during the call.
   * Returns 0 to go on, nonzero to end the exploration. */
  int (*done)(void *ctx, uint64_t seed, wmiemu_outcome_t outcome, uint64_t steps, const char *message,
              const char *trace, size_t trace_len);
  void *ctx;
} wmiemu_explore_feed_t;

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
  /* PCT's estimate of a schedule's length before the first one ran
   * (later ones use the longest seen); 0 = 100. A crashed schedule is run
   * again alone with the estimate it had (wmiemu/host_supervise.h). */
  uint64_t pct_steps;
  /* Write each schedule's trace to trace_path as it is recorded, a line
   * at a time, so that a crash of the process leaves it on disk up to the
   * crash. */
  int trace_stream;
  /* Where the schedules come from; NULL = seed, seed + 1, ... (see
   * wmiemu_explore_feed_t; trace_stream, trace_all and progress are then
   * ignored). result->iterations_run and total_steps count the schedules
   * the feed handed out; result->outcome and failing_seed are those of the
   * first failing one in the order they ran. */
  const wmiemu_explore_feed_t *feed;
  /* The random strategy's choices from bytes (a fuzzer's input): at a
   * scheduling point where n > 1 threads are ready, the one to run is the
   * (byte % n)-th, byte after byte, and the seeded choice once they run
   * out; every schedule of the run starts from the first byte. The trace
   * records each choice, so it replays as any other. NULL = none. */
  const uint8_t *choices;
  size_t n_choices;
} wmiemu_explore_opts_t;

typedef struct {
  wmiemu_outcome_t outcome;
  uint64_t iterations_run;
  uint64_t failing_seed;        /* valid when outcome != OK */
  uint64_t steps;               /* steps of the last schedule run */
  uint64_t total_steps;
  char message[512];            /* what went wrong, with thread and step */
  /* What ran, for reports: a built-in scenario's name or
   * "provider:<Name>". Filled by the functions that choose the scenario
   * themselves (wmiemu_explore_scenario, wmiemu_explore_provider,
   * wmiemu_replay_trace); "" otherwise. */
  char name[128];
  /* Replays: the outcome and the number of steps the trace recorded. */
  wmiemu_outcome_t recorded_outcome;
  uint64_t recorded_steps;
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
 * (optional) receives the replayed trace, byte-identical to the input.
 * result->recorded_outcome and recorded_steps are the trace's. */
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

/* Ends the exploration in progress after the schedule running now (it then
 * returns OK with the schedules run so far, or the failure that schedule
 * found). Async-signal-safe: for a SIGINT handler. The request stays until
 * cleared; wmiemu_explore checks it between schedules. */
WMIEMU_EXTERN void wmiemu_explore_request_stop(void);
WMIEMU_EXTERN int wmiemu_explore_stop_requested(void);
WMIEMU_EXTERN void wmiemu_explore_clear_stop(void);

/* ---- the built-in model scenarios ------------------------------------------
 * Model event providers (`wmiemu explore --scenario NAME`) whose WMI-side
 * calls run through the deterministic executor; see the list with
 * `wmiemu explore --help`. */

WMIEMU_EXTERN size_t wmiemu_scenario_count(void);
/* The i-th scenario's name and one-line summary; NULL past the end. */
WMIEMU_EXTERN const char *wmiemu_scenario_name(size_t i);
WMIEMU_EXTERN const char *wmiemu_scenario_summary(size_t i);
/* Whether exploring the i-th scenario is expected to find a failure (the
 * model has a bug on purpose); 0 past the end. */
WMIEMU_EXTERN int wmiemu_scenario_has_bug(size_t i);

/* Explores the built-in scenario `name` as wmiemu_explore does (opts NULL =
 * the defaults; opts->scenario_name is replaced by name, so that a trace
 * names it). S_OK when the exploration ran, whatever its outcome (in
 * result). Otherwise, with the reason in result->message:
 * WBEM_E_INVALID_PARAMETER (no name, a strategy other than random or pct),
 * WBEM_E_NOT_FOUND (no such scenario), WBEM_E_OUT_OF_MEMORY. result may be
 * NULL. */
WMIEMU_EXTERN HRESULT wmiemu_explore_scenario(const char *name, const wmiemu_explore_opts_t *opts,
                                              wmiemu_explore_result_t *result);

/* ---- exploring a provider module -------------------------------------------
 * Each schedule creates a host on the deterministic executor, compiles the
 * MOF files into it, adds the modules, subscribes the query (the host's
 * lifecycle: CreateInstance, SetRegistrationObject, Initialize and its
 * SetStatus, QueryInterface probes, ProvideEvents, AccessCheck, NewQuery),
 * lets cancel_at_ms of virtual time pass while the provider's threads
 * Indicate, unsubscribes (CancelQuery racing with those threads), lets
 * cancel_at_ms pass again and shuts the host down (final Release,
 * DllCanUnloadNow). A schedule fails on any contract rule the host checks
 * (VIOLATION, with the rule id), a deadlock, a livelock, or a provider
 * thread running after the final Release. The trace header records the
 * whole run (absolute paths; up to about 4000 characters), so
 * wmiemu_replay_trace needs nothing else. */

typedef struct {
  const char *const *mofs;      /* MOF files: the classes and the registration */
  size_t n_mofs;
  const char *const *modules;   /* provider shared objects */
  size_t n_modules;
  /* The __Win32Provider whose namespace the query runs in; NULL = the
   * first one the MOF files register. */
  const char *provider_name;
  const char *query;            /* the consumer's WQL event query (UTF-8) */
  wmiemu_strategy_t strategy;   /* random or pct */
  uint64_t seed;                /* iteration i runs with seed + i */
  uint64_t iterations;          /* schedules to try (0 = 1) */
  unsigned pct_depth;           /* PCT bug depth; 0 = 3 */
  uint64_t max_steps;           /* livelock bound per schedule; 0 = 100000 */
  /* Every Nth Indicate answers WBEM_E_SERVER_TOO_BUSY, which invites
   * refires (host option busy_every); 0 = never. */
  unsigned busy_every;
  uint64_t cancel_at_ms;        /* virtual ms before and after CancelQuery; 0 = 3000 */
  uint32_t init_timeout_ms;     /* Initialize must call SetStatus within; 0 = 10000 */
  const char *trace_path;       /* where the failing schedule's trace goes; NULL = none */
  int trace_all;                /* write every schedule's trace (last one kept) */
  FILE *progress;               /* progress line every ~0.5 s; NULL = quiet */
  uint64_t pct_steps;           /* as in wmiemu_explore_opts_t */
  int trace_stream;             /* as in wmiemu_explore_opts_t */
  /* The namespace the query runs in ("root\default"); NULL = the one
   * namespace whose registrations name the query's class
   * (wmiemu_query_namespace), else that of provider_name's provider. */
  const char *ns;
  const wmiemu_explore_feed_t *feed;  /* as in wmiemu_explore_opts_t */
  /* A live update (wmiemu_host_update_providers): update_at_ms of virtual
   * time after subscribing the query twice, the update modules are added
   * and the update MOF files compiled (a registration naming the
   * provider's new CLSID); the switch's calls (CancelQuery, Shutdown,
   * final Release, CreateInstance, Initialize, ProvideEvents, AccessCheck,
   * NewQuery) race with the old and the new provider's threads. Then
   * cancel_at_ms pass before the unsubscribes. Each schedule also fails
   * (VIOLATION, "update: ...") when a subscription was lost or served
   * twice, its id or counters did not carry over (indicated = delivered +
   * filtered + dropped, delivered = the events its callback got), or the
   * old provider did not have exactly one final Release. 0 = no update. */
  uint64_t update_at_ms;
  const char *const *update_mofs;
  size_t n_update_mofs;
  const char *const *update_modules;
  size_t n_update_modules;
} wmiemu_explore_provider_opts_t;

/* Fills opts with the defaults above, and busy_every 2 as `wmiemu explore`
 * (no files, module or query). */
WMIEMU_EXTERN void wmiemu_explore_provider_opts_init(wmiemu_explore_provider_opts_t *opts);

/* Explores the provider: S_OK when the exploration ran, whatever its
 * outcome (in result, with result->name "provider:<Name>"). Otherwise,
 * with the reason in result->message: WBEM_E_INVALID_PARAMETER (NULL opts,
 * no MOF file, module or query, a strategy other than random or pct),
 * WBEM_E_OUT_OF_MEMORY, the MOF compiler's error for a MOF file,
 * WBEM_E_PROVIDER_NOT_FOUND (no __Win32Provider, or none named
 * provider_name, or none in ns), WBEM_E_AMBIGUOUS_OPERATION (no ns given and
 * several namespaces register the query's class; the message lists them), WBEM_E_PROVIDER_LOAD_FAILURE (a module does not load or
 * does not export DllGetClassObject and DllCanUnloadNow). result may be
 * NULL. */
WMIEMU_EXTERN HRESULT wmiemu_explore_provider(const wmiemu_explore_provider_opts_t *opts,
                                              wmiemu_explore_result_t *result);

/* ---- replaying a trace -------------------------------------------------------
 * Replays the trace at `trace_path` as wmiemu_replay does, with the
 * scenario the trace names: a built-in scenario, or the provider run
 * wmiemu_explore_provider recorded (its MOF files and modules are loaded
 * again from the recorded paths). `scenario` (optional) replays the
 * built-in scenario of that name instead. `rewrite_path` (optional)
 * receives the replayed trace. S_OK when the replay ran, whatever its
 * outcome (in result, with the recorded outcome and steps). Otherwise,
 * with the reason in result->message: WBEM_E_INVALID_PARAMETER (no trace,
 * or one that cannot be read or is not a wmiemu trace, the message naming
 * the line), WBEM_E_NOT_FOUND (the scenario is not a built-in one),
 * WBEM_E_OUT_OF_MEMORY, what wmiemu_explore_provider answers when the
 * recorded provider run cannot be set up again, or WBEM_E_FAILED when the
 * replay could not start (the trace went away meanwhile, no memory for
 * the schedule). result may be NULL. */
WMIEMU_EXTERN HRESULT wmiemu_replay_trace(const char *trace_path, const char *scenario,
                                          const char *rewrite_path, wmiemu_explore_result_t *result);

#ifdef __cplusplus
}
#endif

#endif
