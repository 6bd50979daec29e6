/* The deterministic executor: the executor interface on top of the
 * controlled scheduler. The loop thread is a controlled thread; waiting for
 * work is a scheduling point; time is the scheduler's virtual clock; every
 * provider call runs on its own controlled "WMI worker" thread. A deadlock
 * or livelock ends the whole schedule (the run function does not return). */

#include <stdlib.h>

#include "compat/debug.h"
#include "exec/exec_int.h"
#include "exec/sched.h"

typedef struct worker_s worker_t;

typedef struct {
  wmiemu__exec_t base;
  wmiemu__sched_t *s;
  wmiemu__sched_obj_t *work_ev;     /* auto-reset: "something was posted" */
  wmiemu__exec_timer_t *timers;     /* active, by (due, seq) */
  uint64_t timer_seq;
  worker_t *idle;                   /* WMI workers waiting for a call */
  worker_t *all;                    /* every worker: freed with the schedule */
  int closing;
} exec_det_t;

/* A controlled WMI worker thread, reused from call to call: a host makes
 * dozens of provider calls per schedule (QueryInterface probes...), and a
 * handoff costs far less than an OS thread. */
struct worker_s {
  worker_t *next_idle, *next_all;
  exec_det_t *e;
  wmiemu__sched_obj_t *go;          /* auto-reset: a call was handed over */
  wmiemu__sched_obj_t *done;        /* auto-reset: the synchronous call returned */
  wmiemu__exec_call_t *call;
  int async;
  int quit;
  int left;                         /* the caller's limit passed: never reused */
};

static exec_det_t *det_from_exec(wmiemu__exec_t *e) { return (exec_det_t *)e; }

static void det_wake(wmiemu__exec_t *exec) {
  exec_det_t *e = det_from_exec(exec);
  /* From a thread the scheduler does not know this records "not
   * reproducible" and does nothing else. */
  wmiemu__sched_event_set(e->s, e->work_ev);
}

/* Idle workers end; a busy one ends when its call returns. */
static void det_close(wmiemu__exec_t *exec) {
  exec_det_t *e = det_from_exec(exec);
  e->timers = NULL;   /* objects die with the schedule */
  e->closing = 1;
  while (e->idle) {
    worker_t *w = e->idle;
    e->idle = w->next_idle;
    w->quit = 1;
    wmiemu__sched_event_set(e->s, w->go);
  }
}

/* The memory goes when the schedule ends (exec_det_end): a failed schedule
 * unwinds its threads, and the owner may never reach destroy. */
static void det_free(wmiemu__exec_t *exec) { (void)exec; }

static void exec_det_end(void *arg) {
  exec_det_t *e = arg;
  while (e->all) {
    worker_t *w = e->all;
    e->all = w->next_all;
    free(w);
  }
  free(e);
}

static void timer_unlink(exec_det_t *e, wmiemu__exec_timer_t *t) {
  for (wmiemu__exec_timer_t **p = &e->timers; *p; p = &(*p)->next) {
    if (*p == t) {
      *p = t->next;
      t->next = NULL;
      return;
    }
  }
}

static void timer_link(exec_det_t *e, wmiemu__exec_timer_t *t) {
  t->seq = ++e->timer_seq;
  wmiemu__exec_timer_t **p = &e->timers;
  while (*p && ((*p)->due < t->due || ((*p)->due == t->due && (*p)->seq < t->seq)))
    p = &(*p)->next;
  t->next = *p;
  *p = t;
}

static int det_timer_init(wmiemu__exec_timer_t *t) { (void)t; return 0; }

static int det_timer_start(wmiemu__exec_timer_t *t) {
  exec_det_t *e = det_from_exec(t->exec);
  timer_unlink(e, t);
  timer_link(e, t);
  return 0;
}

static int det_timer_stop(wmiemu__exec_timer_t *t) {
  timer_unlink(det_from_exec(t->exec), t);
  return 0;
}

static void det_timer_close(wmiemu__exec_timer_t *t) {
  timer_unlink(det_from_exec(t->exec), t);
}

static uint64_t det_now(wmiemu__exec_t *exec) { return wmiemu__sched_now(det_from_exec(exec)->s); }

static void fire_due_timers(exec_det_t *e) {
  uint64_t now = det_now(&e->base);
  while (e->timers && e->timers->due <= now) {
    wmiemu__exec_timer_t *t = e->timers;
    e->timers = t->next;
    t->next = NULL;
    if (t->repeat) {
      t->due += t->repeat;
      timer_link(e, t);
    } else {
      t->active = 0;
      e->base.active_timers--;
    }
    t->cb(t);
    wmiemu__exec_drain(&e->base);
  }
}

static int det_run(wmiemu__exec_t *exec, int mode, uint64_t ms, wmiemu__exec_pred_fn pred, void *ctx) {
  exec_det_t *e = det_from_exec(exec);
  uint64_t start = det_now(exec);
  uint64_t end = mode == WMIEMU__RUN_IDLE || start + ms < start ? WMIEMU__SCHED_INFINITE : start + ms;
  int idle_mode = mode == WMIEMU__RUN_IDLE || mode == WMIEMU__RUN_IDLE_FOR;
  for (;;) {
    size_t ran = wmiemu__exec_drain(exec);
    fire_due_timers(e);
    if (wmiemu__exec_take_stop(exec))
      return WMIEMU__EXEC_ESTOPPED;
    if (mode == WMIEMU__RUN_UNTIL && pred(ctx))
      return 0;
    if (mode == WMIEMU__RUN_IDLE_FOR && wmiemu__exec_idle(exec))
      return 0;
    uint64_t now = det_now(exec);
    if (now >= end)
      return mode == WMIEMU__RUN_FOR ? 0 : WMIEMU__EXEC_ETIMEDOUT;
    /* A batch left work queued: a scheduling point, then the next batch
     * (the work event was consumed by the wait that saw the first). */
    if (ran == WMIEMU__EXEC_BATCH && !wmiemu__mpsc_empty(&exec->queue)) {
      wmiemu__sched_yield(e->s, "exec.batch", 0);
      continue;
    }
    uint64_t until = end;
    if (e->timers && e->timers->due < until)
      until = e->timers->due;
    int idle = idle_mode && wmiemu__exec_idle(exec);
    uint64_t timeout = until == WMIEMU__SCHED_INFINITE ? WMIEMU__SCHED_INFINITE : until - now;
    int r = wmiemu__sched_wait(e->s, &e->work_ev, 1, 0, timeout, idle);
    if (r == WMIEMU__SCHED_WAIT_IDLE && wmiemu__mpsc_empty(&exec->queue))
      return 0;
    if (r == WMIEMU__SCHED_WAIT_FAILED)
      return WMIEMU__EXEC_EINVAL;
  }
}

static void call_body(wmiemu__exec_call_t *call) {
  wmiemu__sched_t *s = wmiemu__sched_current();
  wmiemu__sched_note(s, "call", call->name, 0);
  call->result = call->fn(call->arg);
  wmiemu__sched_note(s, "return", call->name, call->result);
}

static void worker_main(void *arg) {
  worker_t *w = arg;
  exec_det_t *e = w->e;
  for (;;) {
    wmiemu__sched_wait(e->s, &w->go, 1, 0, WMIEMU__SCHED_INFINITE, 0);
    if (w->quit)
      return;
    wmiemu__exec_call_t *call = w->call;
    call_body(call);
    if (w->left) {
      /* The caller stopped waiting: the record is ours, this worker done. */
      call->release(call);
      return;
    }
    if (!w->async) {
      /* The caller puts us back on the idle list once it has seen done. */
      wmiemu__sched_event_set(e->s, w->done);
      continue;
    }
    wmiemu__exec_t *exec = call->impl;
    call->impl = NULL;
    if (e->closing)
      w->quit = 1;
    else {
      w->next_idle = e->idle;
      e->idle = w;
    }
    wmiemu__exec_post(exec, &call->done);
    wmiemu__exec_unhold(exec);
    if (w->quit)
      return;
  }
}

/* An idle worker, or a new one; NULL when out of memory. */
static worker_t *worker_get(exec_det_t *e) {
  worker_t *w = e->idle;
  if (w) {
    e->idle = w->next_idle;
    return w;
  }
  w = calloc(1, sizeof(*w));
  if (!w)
    return NULL;
  w->e = e;
  w->go = wmiemu__sched_event_new(e->s, 0, 0);
  w->done = wmiemu__sched_event_new(e->s, 0, 0);
  if (!w->go || !w->done ||
      !wmiemu__sched_thread_create(e->s, worker_main, w, "wmi-worker", WMIEMU__SCHED_GROUP_WMI)) {
    free(w);
    return NULL;
  }
  w->next_all = e->all;
  e->all = w;
  return w;
}

static int det_call(wmiemu__exec_t *exec, wmiemu__exec_call_t *call) {
  exec_det_t *e = det_from_exec(exec);
  if (wmiemu__sched_current() != e->s)
    return WMIEMU__EXEC_EINVAL;
  worker_t *w = worker_get(e);
  if (!w)
    return WMIEMU__EXEC_ENOMEM;
  w->call = call;
  w->async = 0;
  wmiemu__sched_event_set(e->s, w->go);
  /* The limit in virtual time: a worker blocked in the provider for good
   * lets the clock reach it. */
  if (wmiemu__sched_wait(e->s, &w->done, 1, 0,
                         call->limit_ms ? call->limit_ms : WMIEMU__SCHED_INFINITE, 0) != 0) {
    w->left = 1;   /* stays parked in the provider, or ends when fn returns */
    return WMIEMU__EXEC_ELIMIT;
  }
  if (e->closing) {
    w->quit = 1;
    wmiemu__sched_event_set(e->s, w->go);
  } else {
    w->next_idle = e->idle;
    e->idle = w;
  }
  return 0;
}

static int det_call_async(wmiemu__exec_t *exec, wmiemu__exec_call_t *call) {
  exec_det_t *e = det_from_exec(exec);
  if (wmiemu__sched_current() != e->s)
    return WMIEMU__EXEC_EINVAL;
  worker_t *w = worker_get(e);
  if (!w)
    return WMIEMU__EXEC_ENOMEM;
  call->impl = exec;
  w->call = call;
  w->async = 1;
  wmiemu__sched_event_set(e->s, w->go);
  return 0;
}

static const wmiemu__exec_vtbl_t exec_det_vtbl = {
  "deterministic",
  det_wake,
  det_close,
  det_free,
  det_timer_init,
  det_timer_start,
  det_timer_stop,
  det_timer_close,
  det_now,
  det_run,
  det_call,
  det_call_async,
};

int wmiemu__exec_new_det(wmiemu__exec_t **out, struct wmiemu__sched_s *sched) {
  if (!out)
    return WMIEMU__EXEC_EINVAL;
  *out = NULL;
  if (!sched || wmiemu__sched_current() != sched)
    return WMIEMU__EXEC_EINVAL;
  exec_det_t *e = calloc(1, sizeof(*e));
  if (!e)
    return WMIEMU__EXEC_ENOMEM;
  e->s = sched;
  e->work_ev = wmiemu__sched_event_new(sched, 0, 0);
  if (!e->work_ev || wmiemu__sched_at_end(sched, exec_det_end, e) != 0) {
    free(e);
    return WMIEMU__EXEC_ENOMEM;
  }
  wmiemu__exec_base_init(&e->base, &exec_det_vtbl);
  *out = &e->base;
  WMIEMU_TRACE(exec, "deterministic executor %p on schedule %p", (void *)e, (void *)sched);
  return 0;
}
