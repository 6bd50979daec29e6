/* compat's scheduling seam on the controlled scheduler (see seam_det.h).
 *
 * compat keeps the Win32 side (handles, exit codes, CRITICAL_SECTION
 * fields); here each seam object is a small wrapper around a scheduler
 * object. The wrapper belongs to compat (freed by obj_destroy), the
 * scheduler object to the schedule (freed with it), so a wrapper that
 * outlives its schedule (a provider global, a leaked handle) is detected by
 * its generation instead of reaching freed memory.
 *
 * Interlocked* are inline functions of the Windows headers with no hook in
 * the seam, so they are not scheduling points; every blocking or ordering
 * call around them is. */

#include <sched.h>
#include <stdlib.h>

#include "compat/seam.h"
#include "exec/seam_det.h"
#include "exec/sched.h"

#define SEAM_MAGIC 0x5ea3de7u

typedef struct {
  uint32_t magic;
  uint32_t kind;                 /* 0 event, 1 mutex, 2 thread, 3 semaphore */
  uint64_t gen;
  wmiemu__sched_obj_t *obj;
} seam_obj_t;

typedef struct {
  void (*entry)(void *);
  void *arg;
} start_t;

static uint64_t g_gen;           /* schedule generation; supervisor writes, threads read */
static const wmiemu__sched_ops_t *g_prev;

/* Threads in addr_wait, oldest first; each entry lives on its waiter's
 * stack. Only the running controlled thread touches the list, and a new
 * schedule starts it empty (waiters of a failed one never run again). */
typedef struct addr_waiter {
  const volatile void *addr;
  wmiemu__sched_obj_t *ev;
  struct addr_waiter *next;
} addr_waiter_t;
static addr_waiter_t *g_addr_waiters;

/* The scheduler of the calling controlled thread; for any other thread,
 * record on the running schedule that an uncontrolled thread took part
 * (the outcome becomes "not reproducible") and return NULL. */
static wmiemu__sched_t *controlled(const char *what) {
  wmiemu__sched_t *s = wmiemu__sched_current();
  if (s)
    return s;
  wmiemu__sched_t *active = wmiemu__sched_active();
  if (active)
    wmiemu__sched_yield(active, what, 0);   /* only leaves the foreign mark */
  return NULL;
}

/* The scheduler object behind a wrapper of this schedule; anything else
 * ends the schedule as not reproducible (the object's state lives in a
 * schedule that is over). */
static wmiemu__sched_obj_t *unwrap(wmiemu__sched_t *s, void *p, const char *what) {
  seam_obj_t *w = p;
  if (!w || w->magic != SEAM_MAGIC)
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_ERROR, 1, "%s: not a scheduler object", what);
  if (w->gen != __atomic_load_n(&g_gen, __ATOMIC_ACQUIRE))
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_NOT_REPRODUCIBLE, 1,
                       "not reproducible: %s on an object created outside this schedule (a global "
                       "event or critical section initialised once and reused?); the scheduler "
                       "cannot order it", what);
  return w->obj;
}

static seam_obj_t *wrap(wmiemu__sched_obj_t *o, uint32_t kind) {
  if (!o && kind != 2)
    return NULL;
  seam_obj_t *w = malloc(sizeof(*w));
  if (!w)
    return NULL;
  w->magic = SEAM_MAGIC;
  w->kind = kind;
  w->gen = __atomic_load_n(&g_gen, __ATOMIC_ACQUIRE);
  w->obj = o;
  return w;
}

static void thread_start(void *arg) {
  start_t *st = arg;
  st->entry(st->arg);
}

static void *det_thread_create(void *ctx, void (*entry)(void *arg), void *arg) {
  (void)ctx;
  wmiemu__sched_t *s = controlled("CreateThread");
  if (!s || !entry)
    return NULL;
  /* Everything that can fail comes before the thread exists. The start
   * block is freed with the schedule: the thread may never get to run. */
  start_t *st = malloc(sizeof(*st));
  seam_obj_t *w = st ? wrap(NULL, 2) : NULL;
  if (!w || wmiemu__sched_at_end(s, free, st) != 0) {
    free(w);
    free(st);
    return NULL;
  }
  st->entry = entry;
  st->arg = arg;
  wmiemu__sched_thread_t *t = wmiemu__sched_thread_create(s, thread_start, st, "CreateThread",
                                                          WMIEMU__SCHED_GROUP_PROVIDER);
  if (!t) {
    free(w);
    return NULL;
  }
  w->obj = wmiemu__sched_thread_handle(t);
  return w;
}

static void __attribute__((noreturn)) det_thread_exit(void *ctx) {
  (void)ctx;
  wmiemu__sched_t *s = wmiemu__sched_current();
  wmiemu__sched_thread_exit(s);
}

static void *det_event_create(void *ctx, BOOL manual_reset, BOOL initial) {
  (void)ctx;
  wmiemu__sched_t *s = controlled("CreateEvent");
  return s ? wrap(wmiemu__sched_event_new(s, manual_reset, initial), 0) : NULL;
}

static void det_event_set(void *ctx, void *event) {
  (void)ctx;
  wmiemu__sched_t *s = controlled("SetEvent");
  if (s)
    wmiemu__sched_event_set(s, unwrap(s, event, "SetEvent"));
}

static void det_event_reset(void *ctx, void *event) {
  (void)ctx;
  wmiemu__sched_t *s = controlled("ResetEvent");
  if (s)
    wmiemu__sched_event_reset(s, unwrap(s, event, "ResetEvent"));
}

static void *det_mutex_create(void *ctx) {
  (void)ctx;
  wmiemu__sched_t *s = controlled("InitializeCriticalSection");
  return s ? wrap(wmiemu__sched_mutex_new(s), 1) : NULL;
}

static void det_mutex_lock(void *ctx, void *mutex) {
  (void)ctx;
  wmiemu__sched_t *s = controlled("EnterCriticalSection");
  if (s)
    wmiemu__sched_mutex_lock(s, unwrap(s, mutex, "EnterCriticalSection"));
}

static BOOL det_mutex_trylock(void *ctx, void *mutex) {
  (void)ctx;
  wmiemu__sched_t *s = controlled("TryEnterCriticalSection");
  return s && wmiemu__sched_mutex_trylock(s, unwrap(s, mutex, "TryEnterCriticalSection"));
}

static void det_mutex_unlock(void *ctx, void *mutex) {
  (void)ctx;
  wmiemu__sched_t *s = controlled("LeaveCriticalSection");
  if (s)
    wmiemu__sched_mutex_unlock(s, unwrap(s, mutex, "LeaveCriticalSection"));
}

static DWORD det_wait(void *ctx, void *const *objs, DWORD n, BOOL wait_all, DWORD timeout_ms) {
  (void)ctx;
  wmiemu__sched_t *s = controlled("WaitForMultipleObjects");
  if (!s || !objs || n == 0 || n > MAXIMUM_WAIT_OBJECTS)
    return WAIT_FAILED;
  wmiemu__sched_obj_t *so[MAXIMUM_WAIT_OBJECTS];
  for (DWORD i = 0; i < n; i++)
    so[i] = unwrap(s, objs[i], "WaitForMultipleObjects");
  uint64_t timeout = timeout_ms == INFINITE ? WMIEMU__SCHED_INFINITE : timeout_ms;
  int r = wmiemu__sched_wait(s, so, n, wait_all, timeout, 0);
  if (r >= 0)
    return WAIT_OBJECT_0 + (DWORD)r;
  return r == WMIEMU__SCHED_WAIT_TIMEOUT ? WAIT_TIMEOUT : WAIT_FAILED;
}

static void *det_sem_create(void *ctx, LONG initial, LONG max) {
  (void)ctx;
  wmiemu__sched_t *s = controlled("CreateSemaphore");
  return s ? wrap(wmiemu__sched_sem_new(s, (int)initial, (int)max), 3) : NULL;
}

static BOOL det_sem_release(void *ctx, void *sem, LONG count, LONG *prev) {
  (void)ctx;
  wmiemu__sched_t *s = controlled("ReleaseSemaphore");
  if (!s)
    return FALSE;
  int before = 0;
  int ok = wmiemu__sched_sem_release(s, unwrap(s, sem, "ReleaseSemaphore"), (int)count, &before);
  if (prev)
    *prev = before;
  return ok != 0;
}

static int addr_equal(const volatile void *addr, const void *cmp, SIZE_T size) {
  switch (size) {
  case 1: return __atomic_load_n((const volatile uint8_t *)addr, __ATOMIC_ACQUIRE) == *(const uint8_t *)cmp;
  case 2: return __atomic_load_n((const volatile uint16_t *)addr, __ATOMIC_ACQUIRE) == *(const uint16_t *)cmp;
  case 4: return __atomic_load_n((const volatile uint32_t *)addr, __ATOMIC_ACQUIRE) == *(const uint32_t *)cmp;
  default: return __atomic_load_n((const volatile uint64_t *)addr, __ATOMIC_ACQUIRE) == *(const uint64_t *)cmp;
  }
}

/* 1 when w was still waiting (no wake picked it). */
static int addr_unlink(addr_waiter_t *w) {
  for (addr_waiter_t **pp = &g_addr_waiters; *pp; pp = &(*pp)->next) {
    if (*pp == w) {
      *pp = w->next;
      return 1;
    }
  }
  return 0;
}

static BOOL det_addr_wait(void *ctx, const volatile void *addr, const void *cmp, SIZE_T size, DWORD timeout_ms) {
  (void)ctx;
  wmiemu__sched_t *s = controlled("WaitOnAddress");
  if (!s) {
    sched_yield();   /* a spurious wake: the caller re-checks */
    return TRUE;
  }
  if (!addr_equal(addr, cmp, size)) {
    wmiemu__sched_yield(s, "WaitOnAddress", 0);
    return TRUE;
  }
  addr_waiter_t me = { addr, wmiemu__sched_event_new(s, 0, 0), NULL };
  if (!me.ev) {
    wmiemu__sched_yield(s, "WaitOnAddress", 0);
    return TRUE;
  }
  addr_waiter_t **tail = &g_addr_waiters;
  while (*tail)
    tail = &(*tail)->next;
  *tail = &me;
  uint64_t timeout = timeout_ms == INFINITE ? WMIEMU__SCHED_INFINITE : timeout_ms;
  int r = wmiemu__sched_wait(s, &me.ev, 1, 0, timeout, 0);
  /* A wake that picked this thread as its deadline passed still counts. */
  return addr_unlink(&me) ? r != WMIEMU__SCHED_WAIT_TIMEOUT : TRUE;
}

static void det_addr_wake(void *ctx, const void *addr, BOOL all) {
  (void)ctx;
  wmiemu__sched_t *s = controlled("WakeByAddress");
  if (!s)
    return;
  /* Take the waiters off the list before any is woken: a woken thread
   * runs at the first scheduling point and its entry leaves with it. */
  unsigned n = 0, cap = 0;
  wmiemu__sched_obj_t **evs = NULL;
  for (addr_waiter_t **pp = &g_addr_waiters; *pp;) {
    addr_waiter_t *w = *pp;
    if (w->addr != addr) {
      pp = &w->next;
      continue;
    }
    if (n == cap) {
      unsigned ncap = cap ? cap * 2 : 8;
      wmiemu__sched_obj_t **more = realloc(evs, ncap * sizeof(*evs));
      if (!more)
        break;
      evs = more;
      cap = ncap;
    }
    evs[n++] = w->ev;
    *pp = w->next;
    if (!all)
      break;
  }
  if (!n)
    wmiemu__sched_yield(s, "WakeByAddress", 0);
  for (unsigned i = 0; i < n; i++)
    wmiemu__sched_event_set(s, evs[i]);
  free(evs);
}

static void det_point(void *ctx, const char *op) {
  (void)ctx;
  wmiemu__sched_t *s = controlled(op);
  if (s)
    wmiemu__sched_yield(s, op, 0);
}

static void det_sleep(void *ctx, DWORD ms) {
  (void)ctx;
  wmiemu__sched_t *s = controlled("Sleep");
  if (s)
    wmiemu__sched_sleep(s, ms == INFINITE ? WMIEMU__SCHED_INFINITE : ms);
}

/* Reading the clock is a scheduling point: code that polls it must give
 * the others a chance, and a busy-wait on it ends in the livelock bound
 * rather than spinning for real. */
static uint64_t det_now_ms(void *ctx) {
  (void)ctx;
  wmiemu__sched_t *s = controlled("GetTickCount64");
  if (!s) {
    wmiemu__sched_t *active = wmiemu__sched_active();
    return active ? wmiemu__sched_now(active) : 0;
  }
  wmiemu__sched_yield(s, "GetTickCount64", 0);
  return wmiemu__sched_now(s);
}

/* The scheduler object itself dies with its schedule; only the wrapper
 * is compat's to free. */
static void det_obj_destroy(void *ctx, void *obj) {
  (void)ctx;
  seam_obj_t *w = obj;
  if (w && w->magic == SEAM_MAGIC) {
    w->magic = 0;
    free(w);
  }
}

/* A call no scheduler can order (a real wait, a Win32 function compat does
 * not implement): on a controlled thread the schedule ends here, as not
 * reproducible; from another thread it leaves the foreign mark. */
static void det_uncontrolled(void *ctx, const char *call) {
  (void)ctx;
  wmiemu__sched_t *s = controlled(call);
  if (s)
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_NOT_REPRODUCIBLE, 1,
                       "not reproducible: %s is not under the scheduler (the schedule cannot order "
                       "it; results of this run prove nothing)", call);
}

static const wmiemu__sched_ops_t seam_det_ops = {
  "deterministic",
  NULL,
  det_thread_create,
  det_thread_exit,
  det_event_create,
  det_event_set,
  det_event_reset,
  det_mutex_create,
  det_mutex_lock,
  det_mutex_trylock,
  det_mutex_unlock,
  det_wait,
  det_sleep,
  det_now_ms,
  det_obj_destroy,
  det_sem_create,
  det_sem_release,
  det_addr_wait,
  det_addr_wake,
  det_point,
  det_uncontrolled,
};

void wmiemu__seam_det_begin(void) {
  __atomic_add_fetch(&g_gen, 1, __ATOMIC_ACQ_REL);
  g_addr_waiters = NULL;
  const wmiemu__sched_ops_t *prev = wmiemu__sched_ops_install(&seam_det_ops);
  if (prev != &seam_det_ops)
    g_prev = prev;
}

void wmiemu__seam_det_end(void) {
  wmiemu__sched_ops_install(g_prev);
  g_prev = NULL;
  g_addr_waiters = NULL;
  /* Objects of the schedule just ended are stale from now on. */
  __atomic_add_fetch(&g_gen, 1, __ATOMIC_ACQ_REL);
}
