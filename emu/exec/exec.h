#ifndef WMIEMU_EXEC_EXEC_H
#define WMIEMU_EXEC_EXEC_H

/* The executor: the one place where the emulator decides which code runs
 * when. Two flavours share this interface:
 *
 *   libuv          real time, real threads; work posted from any thread runs
 *                  on the thread that calls one of the run functions.
 *   deterministic  every thread it knows about is a controlled thread and
 *                  exactly one runs at a time; time is virtual (see sched.h).
 *
 * The rest of the emulator talks only to this header. Return codes are 0 or
 * one of the negative WMIEMU__EXEC_E* values below. No Windows types here so
 * that any module can include it. */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wmiemu__exec_s wmiemu__exec_t;

enum {
  WMIEMU__EXEC_OK = 0,
  WMIEMU__EXEC_EINVAL = -1,     /* NULL or malformed argument */
  WMIEMU__EXEC_ECLOSED = -2,    /* the executor was destroyed: nothing queued */
  WMIEMU__EXEC_ETIMEDOUT = -3,  /* run_until: the predicate never held */
  WMIEMU__EXEC_ESTOPPED = -4,   /* a run function returned because of stop() */
  WMIEMU__EXEC_ENOMEM = -5,
  WMIEMU__EXEC_EDEADLOCK = -6,  /* deterministic: every thread is blocked forever */
  WMIEMU__EXEC_ELIVELOCK = -7,  /* deterministic: the step bound was reached */
  WMIEMU__EXEC_EBUSY = -8,      /* run function called re-entrantly or from two threads */
  WMIEMU__EXEC_EABORTED = -9,   /* deterministic: the schedule was abandoned (see sched.h) */
  WMIEMU__EXEC_ELIMIT = -10     /* call: its limit passed and fn is still running */
};

/* Short text for a return code ("deadlock", ...); never NULL. */
const char *wmiemu__exec_strerror(int rc);

/* ---- work items -------------------------------------------------------
 * Intrusive: the caller embeds the node in its own struct and recovers the
 * struct in the callback (CONTAINING_RECORD / container_of). Posting never
 * allocates. A node may be posted again once its callback has started. */
typedef struct wmiemu__exec_work_s wmiemu__exec_work_t;
typedef void (*wmiemu__exec_work_cb)(wmiemu__exec_work_t *work);
struct wmiemu__exec_work_s {
  wmiemu__exec_work_t *next;     /* owned by the executor while queued */
  wmiemu__exec_work_cb cb;
};

/* ---- timers ------------------------------------------------------------
 * Embedded by the caller. init once, start/stop any number of times on the
 * loop thread, close before the memory goes away (closing is immediate: no
 * callback runs afterwards). Timer callbacks run on the loop thread. */
typedef struct wmiemu__exec_timer_s wmiemu__exec_timer_t;
typedef void (*wmiemu__exec_timer_cb)(wmiemu__exec_timer_t *timer);
struct wmiemu__exec_timer_s {
  wmiemu__exec_t *exec;
  wmiemu__exec_timer_cb cb;
  void *impl;                    /* flavour-private */
  uint64_t due;                  /* ms on the executor clock, when active */
  uint64_t repeat;               /* ms, 0 = one-shot */
  uint64_t seq;                  /* start order: equal due times fire FIFO */
  wmiemu__exec_timer_t *next;    /* flavour-private list link */
  int active;
};

/* ---- provider calls ----------------------------------------------------
 * A call the WMI side makes into the provider (Initialize, ProvideEvents,
 * NewQuery, CancelQuery, AccessCheck, Release...). fn runs on a WMI worker
 * thread the executor owns, as WMI lends its own threads: libuv flavour, a
 * real thread, reused while idle; deterministic flavour, a controlled
 * thread, so the call itself is a scheduling point and races with provider
 * threads are explored. The caller waits, up to limit_ms when it is set.
 *
 * With a limit the record must be heap-owned and `release` set: when the
 * wait ends early (ELIMIT, or ESTOPPED on libuv) fn is still running on its
 * worker, and the record, with whatever fn reaches through arg, passes to
 * the executor, which calls release(call) once fn returns (never, if it
 * never returns). A worker stuck in a call is abandoned; the next call gets
 * another. Without a limit the caller waits for fn however long it takes
 * and the record may live on its stack. */
typedef struct wmiemu__exec_call_s wmiemu__exec_call_t;
typedef int32_t (*wmiemu__exec_call_fn)(void *arg);
struct wmiemu__exec_call_s {
  wmiemu__exec_work_t done;      /* async: posted to the loop when fn returned */
  wmiemu__exec_call_fn fn;
  void *arg;
  const char *name;              /* "NewQuery", ... : for traces and reports */
  int32_t result;                /* fn's return value, valid once complete */
  uint32_t limit_ms;             /* sync call: longest wait, executor time; 0 = none */
  void (*release)(wmiemu__exec_call_t *call);   /* with a limit: see above */
  void *impl;                    /* flavour-private */
};

/* ---- life cycle ---------------------------------------------------------- */

/* A libuv executor owning its own uv_loop_t. */
int wmiemu__exec_new_uv(wmiemu__exec_t **out);

/* A deterministic executor on the scheduler `sched` (a wmiemu__sched_t *,
 * see exec/sched.h); must be called from a controlled thread of that
 * scheduler, which becomes the loop thread. */
struct wmiemu__sched_s;
int wmiemu__exec_new_det(wmiemu__exec_t **out, struct wmiemu__sched_s *sched);

/* Closes the executor: later posts return WMIEMU__EXEC_ECLOSED, queued work
 * that never ran is dropped (its callbacks do not run), timers stop. The
 * memory stays valid until the last reference (see retain) is released, so a
 * producer thread holding a reference is rejected cleanly instead of
 * touching freed memory. Call on the loop thread, outside a run function. */
void wmiemu__exec_destroy(wmiemu__exec_t *exec);

/* Extra references for producers that may outlive the owner. */
void wmiemu__exec_retain(wmiemu__exec_t *exec);
void wmiemu__exec_release(wmiemu__exec_t *exec);

/* ---- work ------------------------------------------------------------ */

/* Queues `work` to run on the loop thread. Any thread. FIFO per producer
 * thread. WMIEMU__EXEC_ECLOSED after destroy, EINVAL on NULL or NULL cb. */
int wmiemu__exec_post(wmiemu__exec_t *exec, wmiemu__exec_work_t *work);

/* Pending-work counter for things in flight that will post later (a call on
 * a worker thread, a provider that promised a SetStatus): run_until_idle
 * keeps running while it is non-zero. Any thread. */
void wmiemu__exec_hold(wmiemu__exec_t *exec);
void wmiemu__exec_unhold(wmiemu__exec_t *exec);

/* ---- timers and time --------------------------------------------------- */

int wmiemu__exec_timer_init(wmiemu__exec_t *exec, wmiemu__exec_timer_t *timer,
                            wmiemu__exec_timer_cb cb);
int wmiemu__exec_timer_start(wmiemu__exec_timer_t *timer, uint64_t timeout_ms,
                             uint64_t repeat_ms);
int wmiemu__exec_timer_stop(wmiemu__exec_timer_t *timer);
void wmiemu__exec_timer_close(wmiemu__exec_timer_t *timer);

/* Milliseconds on the executor's clock: monotonic real time (libuv), or the
 * virtual clock (deterministic). Any thread. */
uint64_t wmiemu__exec_now(wmiemu__exec_t *exec);

/* ---- running (loop thread only) --------------------------------------- */

/* Runs until nothing is queued, no hold is outstanding and no timer is
 * active. Returns 0, ESTOPPED, or (deterministic) EDEADLOCK / ELIVELOCK. */
int wmiemu__exec_run_until_idle(wmiemu__exec_t *exec);

/* The same, for at most timeout_ms of executor time: ETIMEDOUT when it
 * was not idle by then (a producer that never pauses). */
int wmiemu__exec_run_until_idle_for(wmiemu__exec_t *exec, uint64_t timeout_ms);

/* Runs for `ms` milliseconds of executor time, then returns 0. */
int wmiemu__exec_run_for(wmiemu__exec_t *exec, uint64_t ms);

/* Runs until pred(ctx) returns non-zero (checked after every callback batch
 * and before returning) or `timeout_ms` passes: 0 or ETIMEDOUT.
 *
 * Every run function works in batches (WMIEMU__EXEC_BATCH items or
 * WMIEMU__EXEC_BATCH_MS of the clock, whichever comes first) and looks at
 * its deadline and the stop request between two, so a producer that never
 * pauses delays its end by one batch at most. */
#define WMIEMU__EXEC_BATCH 1024
#define WMIEMU__EXEC_BATCH_MS 5
typedef int (*wmiemu__exec_pred_fn)(void *ctx);
int wmiemu__exec_run_until(wmiemu__exec_t *exec, wmiemu__exec_pred_fn pred,
                           void *ctx, uint64_t timeout_ms);

/* Makes the current (or next) run function return ESTOPPED. Any thread. */
void wmiemu__exec_stop(wmiemu__exec_t *exec);

/* ---- provider calls ---------------------------------------------------- */

/* Synchronous: returns 0 when fn has returned (call->result holds its
 * value); ELIMIT when call->limit_ms passed first, ESTOPPED (libuv) when a
 * stop was requested first (the stop stays requested for the run
 * functions): fn still runs and the record is the executor's (see above).
 * Any other error: fn did not run. */
int wmiemu__exec_call(wmiemu__exec_t *exec, wmiemu__exec_call_t *call);

/* Asynchronous: fn runs on a WMI worker (libuv: a worker thread of the
 * executor; deterministic: a controlled worker), then call->done.cb runs on
 * the loop thread. Holds the executor (see hold) until done.cb has run. */
int wmiemu__exec_call_async(wmiemu__exec_t *exec, wmiemu__exec_call_t *call,
                            wmiemu__exec_work_cb done);

/* Non-zero when the flavour is deterministic. */
int wmiemu__exec_is_deterministic(const wmiemu__exec_t *exec);

#ifdef __cplusplus
}
#endif

#endif
