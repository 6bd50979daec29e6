#ifndef WMIEMU_EXEC_SCHED_H
#define WMIEMU_EXEC_SCHED_H

/* The controlled scheduler behind the deterministic executor.
 *
 * Every thread of a schedule is a real OS thread (thread-local storage and
 * deep stacks keep working) but exactly one runs at a time. Threads give up
 * control only at scheduling points; there the strategy (seeded random, PCT,
 * or a recorded trace) chooses who runs next. Blocking operations are
 * modelled here (events, semaphores, mutexes, thread handles, sleeps with a virtual
 * clock), so a schedule depends on nothing but the strategy's choices, and
 * the same choices give the same run, byte for byte in the trace.
 *
 * Not thread-safe in the usual sense, by construction: all of this is only
 * called by the one running controlled thread. The supervisor (the thread
 * that called wmiemu__sched_run) only waits for the end. */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <wmiemu/exec.h>

typedef struct wmiemu__sched_s wmiemu__sched_t;
typedef struct wmiemu__sched_thread_s wmiemu__sched_thread_t;
typedef struct wmiemu__sched_obj_s wmiemu__sched_obj_t;

enum { WMIEMU__SCHED_GROUP_WMI = 0, WMIEMU__SCHED_GROUP_PROVIDER = 1 };

enum {
  WMIEMU__SCHED_WAIT_TIMEOUT = -1,
  WMIEMU__SCHED_WAIT_IDLE = -2,      /* idle wait: nothing else can happen */
  WMIEMU__SCHED_WAIT_FAILED = -3     /* bad arguments or not a controlled thread */
};

#define WMIEMU__SCHED_INFINITE UINT64_MAX

/* The build a trace header names ("build"): a schedule is the same only
 * on the same system and machine (thread starts, waits and the C runtime
 * differ between Linux and Windows), so a trace replays only there. */
#if defined(_WIN32)
#define WMIEMU__BUILD_OS "windows"
#else
#define WMIEMU__BUILD_OS "linux"
#endif
#if defined(__x86_64__) || defined(_M_X64)
#define WMIEMU__BUILD_ARCH "x86_64"
#elif defined(__aarch64__) || defined(_M_ARM64)
#define WMIEMU__BUILD_ARCH "aarch64"
#elif defined(__i386__) || defined(_M_IX86)
#define WMIEMU__BUILD_ARCH "x86"
#else
#define WMIEMU__BUILD_ARCH "other"
#endif
#define WMIEMU__BUILD WMIEMU__BUILD_OS "-" WMIEMU__BUILD_ARCH

typedef struct {
  wmiemu_strategy_t strategy;
  uint64_t seed;
  unsigned pct_depth;          /* d >= 1 */
  uint64_t pct_steps;          /* k: where change points fall, 1..k */
  uint64_t max_steps;
  int record_trace;            /* keep the JSON Lines trace in memory */
  int stream_trace;            /* with record_trace: also write each line to trace_fd as made */
  int trace_fd;
  const char *scenario_name;
  wmiemu_strategy_t recorded;  /* REPLAY: the strategy named in the header */
  const uint32_t *replay;      /* REPLAY: the thread to run at each step */
  uint64_t replay_len;
  int no_build;                /* REPLAY of a trace made before headers named their
                                  build: the header leaves "build" out, as recorded */
  /* RANDOM: at a point with n > 1 ready threads, ready[byte % n] while
   * these bytes last, then the seeded choice (a fuzzer's input). */
  const uint8_t *choices;
  size_t n_choices;
} wmiemu__sched_opts_t;

/* ---- a whole schedule (supervisor side) ---- */

int wmiemu__sched_new(wmiemu__sched_t **out, const wmiemu__sched_opts_t *opts);
void wmiemu__sched_free(wmiemu__sched_t *s);

/* Runs fn(arg) on controlled thread 0 and every thread it creates until all
 * have exited or the schedule fails; returns the outcome. Once per sched. */
wmiemu_outcome_t wmiemu__sched_run(wmiemu__sched_t *s, void (*fn)(void *), void *arg);

const char *wmiemu__sched_message(const wmiemu__sched_t *s);
uint64_t wmiemu__sched_steps(const wmiemu__sched_t *s);
uint64_t wmiemu__sched_seed(const wmiemu__sched_t *s);
/* The trace so far (JSON Lines), when record_trace was set. */
const char *wmiemu__sched_trace(const wmiemu__sched_t *s, size_t *len);

/* ---- inside a schedule (the running controlled thread) ---- */

/* The scheduler of the calling thread, or NULL when it is not a controlled
 * thread; `wmiemu__sched_active` is the schedule in progress, if any. */
wmiemu__sched_t *wmiemu__sched_current(void);
wmiemu__sched_t *wmiemu__sched_active(void);
wmiemu__sched_thread_t *wmiemu__sched_self(void);
uint32_t wmiemu__sched_thread_id(const wmiemu__sched_thread_t *t);
wmiemu__sched_obj_t *wmiemu__sched_thread_handle(wmiemu__sched_thread_t *t);

/* A scheduling point: the strategy may run another thread first. */
void wmiemu__sched_yield(wmiemu__sched_t *s, const char *op, uint32_t obj);

/* Creates a controlled thread (runnable, not yet running). */
wmiemu__sched_thread_t *wmiemu__sched_thread_create(wmiemu__sched_t *s, void (*fn)(void *),
                                                    void *arg, const char *name, int group);

/* Ends the calling controlled thread now (ExitThread): its handle is
 * signalled and another thread runs. Does not return. */
void wmiemu__sched_thread_exit(wmiemu__sched_t *s) __attribute__((noreturn));

/* Objects. Handles are owned by the schedule and freed with it; release
 * only marks them unused (a handle may still be waited on by others). */
wmiemu__sched_obj_t *wmiemu__sched_event_new(wmiemu__sched_t *s, int manual_reset, int initial);
wmiemu__sched_obj_t *wmiemu__sched_mutex_new(wmiemu__sched_t *s);
void wmiemu__sched_event_set(wmiemu__sched_t *s, wmiemu__sched_obj_t *ev);
/* Semaphore: waitable while its count is above 0; a satisfied wait takes
 * one. Release adds count unless that passes max (then returns 0 and
 * changes nothing); *prev gets the count before. A scheduling point. */
wmiemu__sched_obj_t *wmiemu__sched_sem_new(wmiemu__sched_t *s, int initial, int max);
int wmiemu__sched_sem_release(wmiemu__sched_t *s, wmiemu__sched_obj_t *sem, int count, int *prev);
void wmiemu__sched_event_reset(wmiemu__sched_t *s, wmiemu__sched_obj_t *ev);
/* Mutex: recursive, like a CRITICAL_SECTION. Unlock by a non-owner is a
 * fatal failure of the schedule. */
void wmiemu__sched_mutex_lock(wmiemu__sched_t *s, wmiemu__sched_obj_t *m);
int wmiemu__sched_mutex_trylock(wmiemu__sched_t *s, wmiemu__sched_obj_t *m);
void wmiemu__sched_mutex_unlock(wmiemu__sched_t *s, wmiemu__sched_obj_t *m);

/* Waits for one (wait_all = 0) or all of `objs`: returns the index that
 * satisfied the wait (0 for wait_all), WMIEMU__SCHED_WAIT_TIMEOUT, or
 * WMIEMU__SCHED_WAIT_IDLE (idle = 1 only). timeout in virtual ms. With
 * `idle`, the wait also ends when no other thread can make progress without
 * time passing (the executor's run_until_idle uses this). */
int wmiemu__sched_wait(wmiemu__sched_t *s, wmiemu__sched_obj_t *const *objs, unsigned n,
                       int wait_all, uint64_t timeout_ms, int idle);

/* Sleep in virtual time; 0 is a plain scheduling point. */
void wmiemu__sched_sleep(wmiemu__sched_t *s, uint64_t ms);
uint64_t wmiemu__sched_now(const wmiemu__sched_t *s);

/* Failures. fatal: the schedule ends now; the calling thread does not
 * return from this function. */
void wmiemu__sched_fail(wmiemu__sched_t *s, wmiemu_outcome_t outcome, int fatal,
                        const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 4, 5)))
#endif
  ;

/* Lifetime tracking: the provider's final Release has returned on the
 * calling thread; from now on running any other provider-group thread is a
 * lifetime violation (it would touch a freed object). */
void wmiemu__sched_provider_released(wmiemu__sched_t *s);

/* Runs fn(arg) on the supervisor when the schedule is over (also after a
 * failure unwound the threads): frees what a thread could not. 0 or -1. */
int wmiemu__sched_at_end(wmiemu__sched_t *s, void (*fn)(void *), void *arg);

/* Trace notes: contract calls and other facts worth reading in a trace. */
void wmiemu__sched_note(wmiemu__sched_t *s, const char *event, const char *name, int64_t arg);

wmiemu_outcome_t wmiemu__outcome_from_name(const char *name);
const char *wmiemu__strategy_name(wmiemu_strategy_t s);

#endif
