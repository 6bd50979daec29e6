/* Argument checks, reference counting, closing and the work queue shared
 * by both executor flavours. */

#include <stdlib.h>
#include <time.h>

#include "exec/exec_int.h"

const char *wmiemu__exec_strerror(int rc) {
  switch (rc) {
  case WMIEMU__EXEC_OK: return "ok";
  case WMIEMU__EXEC_EINVAL: return "invalid argument";
  case WMIEMU__EXEC_ECLOSED: return "executor closed";
  case WMIEMU__EXEC_ETIMEDOUT: return "timed out";
  case WMIEMU__EXEC_ESTOPPED: return "stopped";
  case WMIEMU__EXEC_ENOMEM: return "out of memory";
  case WMIEMU__EXEC_EDEADLOCK: return "deadlock: every thread is blocked";
  case WMIEMU__EXEC_ELIVELOCK: return "livelock: step bound reached";
  case WMIEMU__EXEC_EBUSY: return "executor already running";
  case WMIEMU__EXEC_EABORTED: return "schedule abandoned";
  case WMIEMU__EXEC_ELIMIT: return "call limit passed, the call is still running";
  default: return "unknown executor error";
  }
}

void wmiemu__exec_base_init(wmiemu__exec_t *exec, const wmiemu__exec_vtbl_t *vtbl) {
  exec->vtbl = vtbl;
  wmiemu__mpsc_init(&exec->queue);
  exec->refs = 1;
  exec->closed = 0;
  for (int i = 0; i < WMIEMU__EXEC_POSTING_SLOTS; i++)
    exec->posting[i].n = 0;
  exec->loop_awake = 0;
  exec->stop_requested = 0;
  exec->running = 0;
  exec->holds = 0;
  exec->active_timers = 0;
}

void wmiemu__exec_retain(wmiemu__exec_t *exec) {
  if (exec)
    __atomic_add_fetch(&exec->refs, 1, __ATOMIC_RELAXED);
}

void wmiemu__exec_release(wmiemu__exec_t *exec) {
  if (exec && __atomic_sub_fetch(&exec->refs, 1, __ATOMIC_ACQ_REL) == 0)
    exec->vtbl->free(exec);
}

void wmiemu__exec_destroy(wmiemu__exec_t *exec) {
  if (!exec)
    return;
  if (__atomic_exchange_n(&exec->closed, 1, __ATOMIC_SEQ_CST))
    return;
  /* Dekker pairing with post(): it bumps its `posting` slot then reads
   * `closed`; we set `closed` then wait for every slot to drop, so no
   * producer is still between its check and its wake-up when the loop
   * goes away. */
  for (int i = 0; i < WMIEMU__EXEC_POSTING_SLOTS; i++)
    while (__atomic_load_n(&exec->posting[i].n, __ATOMIC_SEQ_CST))
      sched_yield();
  /* Queued work that never ran is dropped: its owners were told the
   * executor is going away by destroy() itself. */
  while (wmiemu__mpsc_pop(&exec->queue))
    ;
  exec->vtbl->close(exec);
  wmiemu__exec_release(exec);
}

/* This thread's posting slot: threads take them in turn. */
static int *posting_slot(wmiemu__exec_t *exec) {
  static unsigned next_slot;
  static __thread unsigned slot = ~0u;
  if (slot == ~0u)
    slot = __atomic_fetch_add(&next_slot, 1, __ATOMIC_RELAXED) % WMIEMU__EXEC_POSTING_SLOTS;
  return &exec->posting[slot].n;
}

int wmiemu__exec_post(wmiemu__exec_t *exec, wmiemu__exec_work_t *work) {
  int *posting;
  if (!exec || !work || !work->cb)
    return WMIEMU__EXEC_EINVAL;
  posting = posting_slot(exec);
  __atomic_add_fetch(posting, 1, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&exec->closed, __ATOMIC_SEQ_CST)) {
    __atomic_sub_fetch(posting, 1, __ATOMIC_RELEASE);
    return WMIEMU__EXEC_ECLOSED;
  }
  /* The push's exchange is sequentially consistent: it is visible before
   * the wake-up reads libuv's pending flag (libuv 1.44 does not order this
   * for us), so a coalesced send never hides this item. */
  wmiemu__mpsc_push(&exec->queue, work);
  /* An awake loop drains again before it sleeps, and reads the queue after
   * clearing loop_awake (both sequentially consistent): either it sees
   * this item or we see it asleep. The wake-up is a system call; most
   * posts under load skip it. */
  if (!__atomic_load_n(&exec->loop_awake, __ATOMIC_SEQ_CST))
    exec->vtbl->wake(exec);
  __atomic_sub_fetch(posting, 1, __ATOMIC_RELEASE);
  return WMIEMU__EXEC_OK;
}

static uint64_t monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

size_t wmiemu__exec_drain(wmiemu__exec_t *exec) {
  size_t n = 0;
  uint64_t until = 0;
  wmiemu__exec_work_t *w;
  /* A bounded batch: a producer that never pauses must not keep the run
   * function from its deadline and stop request. Virtual time does not
   * move while the loop drains, so the deterministic flavour counts only. */
  int timed = !wmiemu__exec_is_deterministic(exec);
  while (n < WMIEMU__EXEC_BATCH && (w = wmiemu__mpsc_pop(&exec->queue)) != NULL) {
    w->cb(w);
    n++;
    if (timed && (n & 63) == 1) {
      uint64_t now = monotonic_ns();
      if (!until)
        until = now + (uint64_t)WMIEMU__EXEC_BATCH_MS * 1000000u;
      else if (now >= until)
        break;
    }
  }
  return n;
}

int wmiemu__exec_idle(wmiemu__exec_t *exec) {
  return wmiemu__mpsc_empty(&exec->queue) &&
         __atomic_load_n(&exec->holds, __ATOMIC_ACQUIRE) == 0 &&
         exec->active_timers == 0;
}

int wmiemu__exec_take_stop(wmiemu__exec_t *exec) {
  return __atomic_exchange_n(&exec->stop_requested, 0, __ATOMIC_ACQ_REL);
}

void wmiemu__exec_hold(wmiemu__exec_t *exec) {
  if (exec)
    __atomic_add_fetch(&exec->holds, 1, __ATOMIC_ACQ_REL);
}

void wmiemu__exec_unhold(wmiemu__exec_t *exec) {
  if (!exec)
    return;
  if (__atomic_sub_fetch(&exec->holds, 1, __ATOMIC_ACQ_REL) == 0 &&
      !__atomic_load_n(&exec->closed, __ATOMIC_ACQUIRE))
    exec->vtbl->wake(exec);   /* a waiting run_until_idle re-checks */
}

void wmiemu__exec_stop(wmiemu__exec_t *exec) {
  if (!exec)
    return;
  __atomic_store_n(&exec->stop_requested, 1, __ATOMIC_RELEASE);
  int *posting = posting_slot(exec);
  __atomic_add_fetch(posting, 1, __ATOMIC_SEQ_CST);
  if (!__atomic_load_n(&exec->closed, __ATOMIC_SEQ_CST))
    exec->vtbl->wake(exec);
  __atomic_sub_fetch(posting, 1, __ATOMIC_RELEASE);
}

int wmiemu__exec_timer_init(wmiemu__exec_t *exec, wmiemu__exec_timer_t *timer,
                            wmiemu__exec_timer_cb cb) {
  if (!exec || !timer || !cb)
    return WMIEMU__EXEC_EINVAL;
  if (__atomic_load_n(&exec->closed, __ATOMIC_ACQUIRE))
    return WMIEMU__EXEC_ECLOSED;
  timer->exec = exec;
  timer->cb = cb;
  timer->impl = NULL;
  timer->due = timer->repeat = timer->seq = 0;
  timer->next = NULL;
  timer->active = 0;
  return exec->vtbl->timer_init(timer);
}

int wmiemu__exec_timer_start(wmiemu__exec_timer_t *timer, uint64_t timeout_ms,
                             uint64_t repeat_ms) {
  if (!timer || !timer->exec)
    return WMIEMU__EXEC_EINVAL;
  if (__atomic_load_n(&timer->exec->closed, __ATOMIC_ACQUIRE))
    return WMIEMU__EXEC_ECLOSED;
  if (timer->active) {
    timer->exec->vtbl->timer_stop(timer);
    timer->active = 0;
    timer->exec->active_timers--;
  }
  timer->due = timer->exec->vtbl->now(timer->exec) + timeout_ms;
  timer->repeat = repeat_ms;
  int rc = timer->exec->vtbl->timer_start(timer);
  if (rc == 0) {
    timer->active = 1;
    timer->exec->active_timers++;
  }
  return rc;
}

int wmiemu__exec_timer_stop(wmiemu__exec_timer_t *timer) {
  if (!timer || !timer->exec)
    return WMIEMU__EXEC_EINVAL;
  if (!timer->active)
    return WMIEMU__EXEC_OK;
  timer->active = 0;
  timer->exec->active_timers--;
  return timer->exec->vtbl->timer_stop(timer);
}

void wmiemu__exec_timer_close(wmiemu__exec_timer_t *timer) {
  if (!timer || !timer->exec)
    return;
  if (timer->active) {
    timer->active = 0;
    timer->exec->active_timers--;
  }
  timer->exec->vtbl->timer_close(timer);
  timer->exec = NULL;
}

uint64_t wmiemu__exec_now(wmiemu__exec_t *exec) {
  return exec ? exec->vtbl->now(exec) : 0;
}

static int run(wmiemu__exec_t *exec, int mode, uint64_t ms,
               wmiemu__exec_pred_fn pred, void *ctx) {
  if (!exec || (mode == WMIEMU__RUN_UNTIL && !pred))
    return WMIEMU__EXEC_EINVAL;
  if (__atomic_load_n(&exec->closed, __ATOMIC_ACQUIRE))
    return WMIEMU__EXEC_ECLOSED;
  if (__atomic_exchange_n(&exec->running, 1, __ATOMIC_ACQ_REL))
    return WMIEMU__EXEC_EBUSY;
  int rc = exec->vtbl->run(exec, mode, ms, pred, ctx);
  __atomic_store_n(&exec->running, 0, __ATOMIC_RELEASE);
  return rc;
}

int wmiemu__exec_run_until_idle(wmiemu__exec_t *exec) {
  return run(exec, WMIEMU__RUN_IDLE, 0, NULL, NULL);
}

int wmiemu__exec_run_until_idle_for(wmiemu__exec_t *exec, uint64_t timeout_ms) {
  return run(exec, WMIEMU__RUN_IDLE_FOR, timeout_ms, NULL, NULL);
}

int wmiemu__exec_run_for(wmiemu__exec_t *exec, uint64_t ms) {
  return run(exec, WMIEMU__RUN_FOR, ms, NULL, NULL);
}

int wmiemu__exec_run_until(wmiemu__exec_t *exec, wmiemu__exec_pred_fn pred,
                           void *ctx, uint64_t timeout_ms) {
  return run(exec, WMIEMU__RUN_UNTIL, timeout_ms, pred, ctx);
}

int wmiemu__exec_call(wmiemu__exec_t *exec, wmiemu__exec_call_t *call) {
  /* A call that may outlive the wait needs an owner for its record. */
  if (!exec || !call || !call->fn || (call->limit_ms && !call->release))
    return WMIEMU__EXEC_EINVAL;
  if (__atomic_load_n(&exec->closed, __ATOMIC_ACQUIRE))
    return WMIEMU__EXEC_ECLOSED;
  return exec->vtbl->call(exec, call);
}

int wmiemu__exec_call_async(wmiemu__exec_t *exec, wmiemu__exec_call_t *call,
                            wmiemu__exec_work_cb done) {
  if (!exec || !call || !call->fn || !done)
    return WMIEMU__EXEC_EINVAL;
  if (__atomic_load_n(&exec->closed, __ATOMIC_ACQUIRE))
    return WMIEMU__EXEC_ECLOSED;
  call->done.cb = done;
  call->done.next = NULL;
  wmiemu__exec_hold(exec);
  int rc = exec->vtbl->call_async(exec, call);
  if (rc != 0)
    __atomic_sub_fetch(&exec->holds, 1, __ATOMIC_ACQ_REL);
  return rc;
}

int wmiemu__exec_is_deterministic(const wmiemu__exec_t *exec) {
  return exec && exec->vtbl->name[0] == 'd';
}
