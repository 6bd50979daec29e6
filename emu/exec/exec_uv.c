/* The libuv executor: real time, real threads. Foreign threads wake the loop
 * with uv_async_send; because libuv coalesces sends, the run loops drain the
 * queue in batches until it is empty and re-check it before blocking.
 * Provider calls run on WMI worker threads of the executor's own. */

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>

#include <uv.h>

#include "compat/debug.h"
#include "exec/exec_int.h"

typedef struct worker_s worker_t;

typedef struct {
  wmiemu__exec_t base;
  /* WMI workers: idle ones wait here for a call (see uv_call). */
  pthread_mutex_t pool_lock;
  pthread_cond_t call_done;        /* a call returned: its caller looks */
  worker_t *idle;
  unsigned n_workers;              /* alive, busy or idle (pool_lock) */
  int pool_closing;                /* pool_lock */
  uv_loop_t loop;
  uv_async_t async;
  uv_timer_t deadline;       /* run_for / run_until */
  int deadline_hit;
  int loop_open;
  uint64_t last_poll;        /* uv_hrtime of the last uv_run */
} exec_uv_t;

static exec_uv_t *uv_from_exec(wmiemu__exec_t *e) { return (exec_uv_t *)e; }

/* While the loop is awake, posts skip uv_async_send (see exec_post). */
static void set_awake(exec_uv_t *e, int awake) {
  __atomic_store_n(&e->base.loop_awake, awake, __ATOMIC_SEQ_CST);
}

/* A worker thread, reused from call to call. Workers hold a reference on
 * the executor: one stuck in a call keeps its memory, never its loop. */
struct worker_s {
  worker_t *next_idle;
  exec_uv_t *e;
  pthread_cond_t go;
  wmiemu__exec_call_t *call;       /* handed over (pool_lock) */
  int quit;                        /* pool_lock */
};

/* A call's progress (pool_lock): whichever side finishes last frees. */
enum { CALL_RUNNING, CALL_RETURNED, CALL_LEFT };

static void on_async(uv_async_t *h) {
  exec_uv_t *e = h->data;
  set_awake(e, 1);
  /* libuv cleared its pending flag before calling us (a full barrier), so
   * everything pushed before a send we coalesced is visible now. */
  wmiemu__exec_drain(&e->base);
  if (__atomic_load_n(&e->base.stop_requested, __ATOMIC_ACQUIRE))
    uv_stop(&e->loop);
}

static void on_deadline(uv_timer_t *t) {
  exec_uv_t *e = t->data;
  e->deadline_hit = 1;
  uv_stop(&e->loop);
}

static void uv_wake(wmiemu__exec_t *exec) {
  uv_async_send(&uv_from_exec(exec)->async);
}

static void on_closed_free(uv_handle_t *h) { free(h); }
static void on_closed_nothing(uv_handle_t *h) { (void)h; }

static void close_left_over(uv_handle_t *h, void *arg) {
  exec_uv_t *e = arg;
  if (uv_is_closing(h))
    return;
  if (h == (uv_handle_t *)&e->async || h == (uv_handle_t *)&e->deadline)
    uv_close(h, on_closed_nothing);
  else
    uv_close(h, on_closed_free);   /* a timer its owner never closed */
}

static void uv_close_exec(wmiemu__exec_t *exec) {
  exec_uv_t *e = uv_from_exec(exec);
  /* Idle workers end; a busy one ends when its call returns. */
  pthread_mutex_lock(&e->pool_lock);
  e->pool_closing = 1;
  for (worker_t *w = e->idle; w; w = w->next_idle) {
    w->quit = 1;
    pthread_cond_signal(&w->go);
  }
  e->idle = NULL;
  pthread_mutex_unlock(&e->pool_lock);
  uv_walk(&e->loop, close_left_over, e);
  uv_run(&e->loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&e->loop) == 0)
    e->loop_open = 0;
}

static void uv_free_exec(wmiemu__exec_t *exec) {
  exec_uv_t *e = uv_from_exec(exec);
  pthread_cond_destroy(&e->call_done);
  pthread_mutex_destroy(&e->pool_lock);
  free(e);
}

static uint64_t uv_now_impl(wmiemu__exec_t *exec) {
  (void)exec;
  /* uv_now is cached per loop iteration; reading the clock keeps `now`
   * honest for callers on other threads too. */
  return uv_hrtime() / 1000000u;
}

static void on_timer(uv_timer_t *h) {
  wmiemu__exec_timer_t *t = h->data;
  if (t->repeat == 0 && t->active) {
    t->active = 0;
    t->exec->active_timers--;
  } else {
    t->due += t->repeat;
  }
  t->cb(t);
  /* Posts made by the callback are picked up by the run loop's drain. */
}

static int uv_timer_init_impl(wmiemu__exec_timer_t *t) {
  exec_uv_t *e = uv_from_exec(t->exec);
  uv_timer_t *h = malloc(sizeof(*h));
  if (!h)
    return WMIEMU__EXEC_ENOMEM;
  uv_timer_init(&e->loop, h);
  h->data = t;
  t->impl = h;
  return 0;
}

static int uv_timer_start_impl(wmiemu__exec_timer_t *t) {
  exec_uv_t *e = uv_from_exec(t->exec);
  uint64_t now = uv_now_impl(t->exec);
  uint64_t timeout = t->due > now ? t->due - now : 0;
  uv_update_time(&e->loop);   /* uv timers count from the cached loop time */
  return uv_timer_start(t->impl, on_timer, timeout, t->repeat) ? WMIEMU__EXEC_EINVAL : 0;
}

static int uv_timer_stop_impl(wmiemu__exec_timer_t *t) {
  uv_timer_stop(t->impl);
  return 0;
}

static void uv_timer_close_impl(wmiemu__exec_timer_t *t) {
  uv_timer_t *h = t->impl;
  uv_timer_stop(h);
  h->data = NULL;
  uv_close((uv_handle_t *)h, on_closed_free);
  t->impl = NULL;
}

/* How long a loop that just had work keeps looking for more before it
 * sleeps, and how often a loop that always has work still polls libuv (its
 * timers and thread-pool completions), in nanoseconds. */
#define SPIN_NS 50000u
#define POLL_EVERY_NS 1000000u

/* Waits up to SPIN_NS for a post, yielding the processor meanwhile (to a
 * producer, on a machine with few cores). A producer that posts while the
 * loop is awake needs no wake-up, the system call and context switch that
 * would otherwise dominate each event under a steady stream. */
static int spin_for_work(exec_uv_t *e) {
  uint64_t until = uv_hrtime() + SPIN_NS;
  do {
    if (!wmiemu__mpsc_empty(&e->base.queue))
      return 1;
    sched_yield();
  } while (uv_hrtime() < until);
  return 0;
}

/* One loop iteration, after the queue was emptied; busy when that drain
 * ran something. Returns with the loop awake. */
static void turn(exec_uv_t *e, int busy) {
  if (busy && spin_for_work(e)) {
    uint64_t now = uv_hrtime();
    if (now - e->last_poll >= POLL_EVERY_NS) {
      e->last_poll = now;
      uv_run(&e->loop, UV_RUN_NOWAIT);
    }
    return;
  }
  set_awake(e, 0);
  /* A post that read loop_awake before it was cleared skipped its wake-up:
   * look once more before blocking. */
  if (!wmiemu__mpsc_empty_sc(&e->base.queue)) {
    set_awake(e, 1);
    return;
  }
  e->last_poll = uv_hrtime();
  uv_run(&e->loop, UV_RUN_ONCE);
  set_awake(e, 1);
}

static int uv_run_impl(wmiemu__exec_t *exec, int mode, uint64_t ms,
                       wmiemu__exec_pred_fn pred, void *ctx) {
  exec_uv_t *e = uv_from_exec(exec);
  int rc = 0;
  int idle_mode = mode == WMIEMU__RUN_IDLE || mode == WMIEMU__RUN_IDLE_FOR;
  int timed = mode != WMIEMU__RUN_IDLE;
  /* The clock is read between batches: the uv timer below only wakes a
   * loop asleep in libuv, and does not fire while the loop is busy. */
  uint64_t end = uv_now_impl(exec) + ms;
  uv_update_time(&e->loop);
  e->deadline_hit = 0;
  if (timed)
    uv_timer_start(&e->deadline, on_deadline, ms, 0);
  set_awake(e, 1);
  for (;;) {
    size_t ran = wmiemu__exec_drain(exec);
    if (wmiemu__exec_take_stop(exec)) {
      rc = WMIEMU__EXEC_ESTOPPED;
      break;
    }
    if (mode == WMIEMU__RUN_UNTIL && pred(ctx))
      break;
    if (idle_mode && wmiemu__exec_idle(exec))
      break;
    if (timed && (e->deadline_hit || uv_now_impl(exec) >= end)) {
      rc = mode == WMIEMU__RUN_FOR ? 0 : WMIEMU__EXEC_ETIMEDOUT;
      break;
    }
    turn(e, ran != 0);
  }
  set_awake(e, 0);   /* nobody drains until the next run: posts wake it */
  uv_timer_stop(&e->deadline);
  return rc;
}

/* ---- WMI workers --------------------------------------------------------- */

static void *worker_main(void *arg) {
  worker_t *w = arg;
  exec_uv_t *e = w->e;
  pthread_mutex_lock(&e->pool_lock);
  for (;;) {
    while (!w->call && !w->quit)
      pthread_cond_wait(&w->go, &e->pool_lock);
    if (w->quit)
      break;
    wmiemu__exec_call_t *call = w->call;
    pthread_mutex_unlock(&e->pool_lock);
    int32_t result = call->fn(call->arg);
    pthread_mutex_lock(&e->pool_lock);
    w->call = NULL;
    if ((intptr_t)call->impl == CALL_LEFT) {
      /* The caller left at its limit: the record is ours to release. */
      pthread_mutex_unlock(&e->pool_lock);
      call->release(call);
      pthread_mutex_lock(&e->pool_lock);
    } else {
      call->result = result;
      call->impl = (void *)(intptr_t)CALL_RETURNED;
      pthread_cond_broadcast(&e->call_done);
    }
    if (e->pool_closing)
      break;
    w->next_idle = e->idle;
    e->idle = w;
  }
  e->n_workers--;
  pthread_mutex_unlock(&e->pool_lock);
  pthread_cond_destroy(&w->go);
  free(w);
  wmiemu__exec_release(&e->base);
  return NULL;
}

/* An idle worker, or a new one (pool_lock held); NULL when none can be
 * made. */
static worker_t *worker_get(exec_uv_t *e) {
  worker_t *w = e->idle;
  pthread_attr_t attr;
  pthread_t thread;
  if (w) {
    e->idle = w->next_idle;
    return w;
  }
  if (!(w = calloc(1, sizeof(*w))))
    return NULL;
  w->e = e;
  pthread_cond_init(&w->go, NULL);
  wmiemu__exec_retain(&e->base);
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  if (pthread_create(&thread, &attr, worker_main, w)) {
    pthread_attr_destroy(&attr);
    pthread_cond_destroy(&w->go);
    free(w);
    __atomic_sub_fetch(&e->base.refs, 1, __ATOMIC_ACQ_REL);   /* ours is not the last */
    return NULL;
  }
  pthread_attr_destroy(&attr);
  e->n_workers++;
  return w;
}

/* How often a waiting caller looks at the stop request. */
#define STOP_POLL_MS 10

static int uv_call(wmiemu__exec_t *exec, wmiemu__exec_call_t *call) {
  exec_uv_t *e = uv_from_exec(exec);
  uint64_t end = call->limit_ms ? uv_now_impl(exec) + call->limit_ms : 0;
  int rc = 0;
  pthread_mutex_lock(&e->pool_lock);
  worker_t *w = worker_get(e);
  if (!w) {
    pthread_mutex_unlock(&e->pool_lock);
    return WMIEMU__EXEC_ENOMEM;
  }
  call->impl = (void *)(intptr_t)CALL_RUNNING;
  w->call = call;
  pthread_cond_signal(&w->go);
  while ((intptr_t)call->impl == CALL_RUNNING) {
    if (!call->limit_ms) {
      pthread_cond_wait(&e->call_done, &e->pool_lock);
      continue;
    }
    uint64_t now = uv_now_impl(exec);
    if (__atomic_load_n(&exec->stop_requested, __ATOMIC_ACQUIRE)) {
      rc = WMIEMU__EXEC_ESTOPPED;
      break;
    }
    if (now >= end) {
      rc = WMIEMU__EXEC_ELIMIT;
      break;
    }
    uint64_t wait_ms = end - now < STOP_POLL_MS ? end - now : STOP_POLL_MS;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += (long)(wait_ms * 1000000u);
    ts.tv_sec += ts.tv_nsec / 1000000000;
    ts.tv_nsec %= 1000000000;
    pthread_cond_timedwait(&e->call_done, &e->pool_lock, &ts);
  }
  if (rc)
    call->impl = (void *)(intptr_t)CALL_LEFT;   /* the worker releases it */
  pthread_mutex_unlock(&e->pool_lock);
  return rc;
}

static void on_work(uv_work_t *req) {
  wmiemu__exec_call_t *call = req->data;
  call->result = call->fn(call->arg);
}

static void on_after_work(uv_work_t *req, int status) {
  (void)status;
  wmiemu__exec_call_t *call = req->data;
  wmiemu__exec_t *exec = call->impl;
  free(req);
  call->impl = NULL;
  wmiemu__exec_post(exec, &call->done);
  wmiemu__exec_unhold(exec);
}

static int uv_call_async(wmiemu__exec_t *exec, wmiemu__exec_call_t *call) {
  uv_work_t *req = malloc(sizeof(*req));
  if (!req)
    return WMIEMU__EXEC_ENOMEM;
  req->data = call;
  call->impl = exec;
  if (uv_queue_work(&uv_from_exec(exec)->loop, req, on_work, on_after_work)) {
    free(req);
    return WMIEMU__EXEC_EINVAL;
  }
  return 0;
}

static const wmiemu__exec_vtbl_t exec_uv_vtbl = {
  "libuv",
  uv_wake,
  uv_close_exec,
  uv_free_exec,
  uv_timer_init_impl,
  uv_timer_start_impl,
  uv_timer_stop_impl,
  uv_timer_close_impl,
  uv_now_impl,
  uv_run_impl,
  uv_call,
  uv_call_async,
};

int wmiemu__exec_new_uv(wmiemu__exec_t **out) {
  if (!out)
    return WMIEMU__EXEC_EINVAL;
  *out = NULL;
  exec_uv_t *e = calloc(1, sizeof(*e));
  if (!e)
    return WMIEMU__EXEC_ENOMEM;
  if (uv_loop_init(&e->loop)) {
    free(e);
    return WMIEMU__EXEC_ENOMEM;
  }
  e->loop_open = 1;
  pthread_mutex_init(&e->pool_lock, NULL);
  pthread_cond_init(&e->call_done, NULL);
  wmiemu__exec_base_init(&e->base, &exec_uv_vtbl);
  uv_async_init(&e->loop, &e->async, on_async);
  e->async.data = e;
  uv_timer_init(&e->loop, &e->deadline);
  e->deadline.data = e;
  *out = &e->base;
  WMIEMU_TRACE(exec, "libuv executor %p on loop %p", (void *)e, (void *)&e->loop);
  return 0;
}
