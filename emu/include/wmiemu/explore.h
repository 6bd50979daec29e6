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

/* ---- fault injection ---------------------------------------------------------
 * While a fault plan is armed, chosen calls the provider's code makes fail
 * the way Windows fails them (README, "Fault injection"). A site is the
 * n-th call of one kind (1-based) since the plan was armed; only calls made
 * from a provider module count (the host's own uses of the same functions
 * neither fail nor move the numbering). Under the deterministic scheduler
 * the numbering and the random choices are the same on every run of a
 * schedule, so traces replay. The Indicate kinds need the host's watch (the
 * deterministic executor, or busy_every). While armed, the objects the
 * provider gets from SpawnInstance and Clone are tracked: a Release past
 * the last one is counted (and fails the schedule in progress) instead of
 * touching freed memory, and those still referenced are its leaks. */

typedef enum {
  WMIEMU_FAULT_ALLOC,           /* SysAllocString*, CoTaskMemAlloc, SafeArrayCreate*, VariantCopy */
  WMIEMU_FAULT_CIM,             /* IWbemClassObject::SpawnInstance, Clone, Put */
  WMIEMU_FAULT_THREAD,          /* CreateThread */
  WMIEMU_FAULT_EVENT,           /* CreateEventW, CreateEventA */
  WMIEMU_FAULT_INDICATE_BUSY,   /* Indicate answers WBEM_E_SERVER_TOO_BUSY */
  WMIEMU_FAULT_INDICATE_OOM,    /* Indicate answers WBEM_E_OUT_OF_MEMORY */
  WMIEMU_FAULT_SERVICES,        /* an IWbemServices call fails (all but the event calls) */
  WMIEMU_FAULT_CANCEL,          /* the consumer cancels right after this Indicate */
  WMIEMU_FAULT_INIT,            /* Initialize is taken as timed out */
  WMIEMU_FAULT_KINDS
} wmiemu_fault_kind_t;

#define WMIEMU_FAULT_MAX_SITES 4

typedef struct {
  /* Kinds (bit 1u << kind) of which each call fails with probability
   * 1 / rate, drawn from the seed wmiemu_fault_arm is given. */
  unsigned kinds;
  unsigned rate;                /* 0 = 4 */
  /* And these calls fail: the nth (1-based) of kind. */
  unsigned n_sites;
  struct {
    wmiemu_fault_kind_t kind;
    uint64_t nth;
  } sites[WMIEMU_FAULT_MAX_SITES];
} wmiemu_fault_plan_t;

/* "alloc", "cim", "thread", "event", "indicate-busy", "indicate-oom",
 * "services", "cancel", "init"; NULL past the end. */
WMIEMU_EXTERN const char *wmiemu_fault_kind_name(wmiemu_fault_kind_t kind);

/* Parses a comma-separated list of kind names into bits (1u << kind);
 * "indicate" is both Indicate kinds, "all" every kind. S_OK, or
 * WBEM_E_INVALID_PARAMETER (an unknown or empty name; *kinds unchanged). */
WMIEMU_EXTERN HRESULT wmiemu_fault_parse(const char *list, unsigned *kinds);

/* Arms plan (copied) for the whole process, with counts at zero and the
 * random choices drawn from seed; disarm ends it (and frees what tracked
 * objects kept). Inside a schedule, each injected failure is noted in the
 * trace. Arm while no provider thread runs (between schedules or inputs). */
WMIEMU_EXTERN void wmiemu_fault_arm(const wmiemu_fault_plan_t *plan, uint64_t seed);
WMIEMU_EXTERN void wmiemu_fault_disarm(void);

/* Since the last arm: the calls of kind seen, the failures injected, the
 * Releases past the last one of tracked objects, and the tracked objects
 * still referenced (0 once disarmed). */
WMIEMU_EXTERN uint64_t wmiemu_fault_count(wmiemu_fault_kind_t kind);
WMIEMU_EXTERN uint64_t wmiemu_fault_fired(void);
WMIEMU_EXTERN uint64_t wmiemu_fault_bad_releases(void);
WMIEMU_EXTERN size_t wmiemu_fault_outstanding(void);

/* 1 once after a cancel site fired (the consumer is to cancel now), else
 * 0: the driver of the run (a scenario, a fuzz target) polls it. */
WMIEMU_EXTERN int wmiemu_fault_take_cancel(void);

/* The function the last injected failure hit ("SysAllocString", "Indicate"...), "" if none. */
WMIEMU_EXTERN const char *wmiemu_fault_last(void);

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
  /* Each schedule runs under this fault plan, armed with the schedule's
   * seed (recorded in the trace header); NULL = none. Under a plan the
   * consumer, when a cancel site fires, cancels at once (the host runs in
   * slices of 10 ms to see it); a subscription that fails because of an
   * injected fault is not a failure; a schedule fails when the provider
   * releases an object it made past its last reference, or (a leak) when
   * objects it made from SpawnInstance or Clone are still referenced once
   * the host has shut down (final Release and DllCanUnloadNow done). */
  const wmiemu_fault_plan_t *faults;
  /* The consumer's principal, as wmiemu_subscribe_options_t's user and
   * groups (SIDs or SDDL aliases; NULL = the default consumer), and the
   * provider's own identity (wmiemu_host_options_t.provider_user; NULL =
   * LocalSystem). Text that is neither is WBEM_E_INVALID_PARAMETER. */
  const char *user;
  const char *groups;
  const char *provider_user;
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

/* ---- the systematic fault mode ----------------------------------------------
 * In the manner of OMI's NITS: the scenario of wmiemu_explore_provider (one
 * schedule, opts->seed) runs once under an empty plan that only counts the
 * sites it reaches, then once for each site with that site failed, then
 * (pairs) for pairs of sites. Each run is one schedule in a supervised
 * child process (POSIX; in process elsewhere) writing its trace as it goes,
 * so a crash is a finding too, and each finding has a trace that
 * wmiemu_replay_trace (`wmiemu replay`) reproduces. */

typedef enum {
  WMIEMU_FAULT_FOUND_NOTHING,
  WMIEMU_FAULT_FOUND_CRASH,     /* a signal or sanitizer report in the child */
  WMIEMU_FAULT_FOUND_LEAK,      /* objects the provider made still referenced after shutdown */
  WMIEMU_FAULT_FOUND_HANG,      /* deadlock, or the step bound (livelock) */
  WMIEMU_FAULT_FOUND_VIOLATION, /* a contract rule, or a Release past the last */
  WMIEMU_FAULT_FOUND_ERROR      /* the run itself failed (not reproducible, no memory...) */
} wmiemu_fault_found_t;

typedef struct {
  wmiemu_fault_plan_t plan;     /* the sites failed (none for the baseline) */
  char what[128];               /* the functions they hit, e.g. "SysAllocString" */
  wmiemu_fault_found_t found;
  wmiemu_outcome_t outcome;     /* the schedule's, when it ended */
  char message[512];
  char trace[512];              /* a finding's trace for `wmiemu replay`; "" otherwise */
} wmiemu_fault_run_t;

typedef struct {
  unsigned kinds;               /* kinds whose sites are failed; 0 = all */
  uint64_t max_sites;           /* fail at most this many single sites; 0 = all */
  uint64_t max_pairs;           /* then at most this many pairs (i < j); 0 = none */
  /* Traces: PREFIX-N.jsonl for the N-th run (0 = the baseline); NULL =
   * "wmiemu-faults". Runs that find nothing keep no trace. */
  const char *trace_prefix;
  int no_supervise;             /* run in this process (a crash ends it) */
  /* Called after each run, the baseline first. Returns 0 to go on. */
  int (*on_run)(void *ctx, uint64_t index, const wmiemu_fault_run_t *run);
  void *ctx;
} wmiemu_fault_systematic_opts_t;

typedef struct {
  uint64_t counts[WMIEMU_FAULT_KINDS];  /* sites the baseline reached, per kind */
  uint64_t sites, pairs;                /* runs made with one site, with two */
  uint64_t crashed, leaked, hung, violations, errors;
  wmiemu_fault_run_t baseline;
  char message[512];                    /* why nothing ran */
} wmiemu_fault_systematic_result_t;

/* S_OK when the runs were made (findings in result and on_run), else what
 * wmiemu_explore_provider answers for opts, with result->message.
 * opts->faults, iterations, trace_path, trace_all and feed are ignored. */
WMIEMU_EXTERN HRESULT wmiemu_explore_faults_systematic(const wmiemu_explore_provider_opts_t *opts,
                                                       const wmiemu_fault_systematic_opts_t *sopts,
                                                       wmiemu_fault_systematic_result_t *result);

/* "nothing", "crash", "leak", "hang", "violation", "error". */
WMIEMU_EXTERN const char *wmiemu_fault_found_name(wmiemu_fault_found_t found);

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
