/* The controlled scheduler: one runnable thread at a time, switches only at
 * scheduling points, a strategy picks the next thread, virtual time moves
 * only when nothing can run. See sched.h. */

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "compat/os.h"
#include "exec/os.h"
#include "compat/altstack.h"
#include "exec/sched.h"
#include "exec/trace_buf.h"

enum { OBJ_EVENT, OBJ_MUTEX, OBJ_THREAD, OBJ_SEM };
enum { T_RUNNABLE, T_BLOCKED, T_DONE };
enum { WAKE_RETRY = 0, WAKE_TIMEOUT = 1, WAKE_IDLE = 2 };

struct wmiemu__sched_obj_s {
  wmiemu__sched_obj_t *all_next;
  uint32_t id;
  uint8_t kind;
  uint8_t manual;
  int signalled;                     /* semaphores: the count */
  int max;
  wmiemu__sched_thread_t *owner;
  unsigned recursion;
};

struct wmiemu__sched_thread_s {
  wmiemu__sched_obj_t obj;           /* the thread handle: signalled at exit */
  wmiemu__sched_t *s;
  uint32_t id;
  int group;
  int state;
  char name[48];
  wmiemu__sched_obj_t *const *wait_objs;
  unsigned wait_n;
  int wait_all;
  int idle_wait;
  int wake_reason;
  uint64_t deadline;
  uint64_t priority;
  wmiemu__park_t park;
  int abort;
  int os_started;
  int in_fn;                         /* fn started: its stack may hold live objects */
  wmiemu__os_thread_t os;
  void (*fn)(void *);
  void *arg;
};

struct wmiemu__sched_s {
  wmiemu__sched_opts_t opts;
  uint64_t rng;
  wmiemu__sched_thread_t **threads;
  uint32_t n_threads, cap_threads;
  uint32_t live;
  wmiemu__sched_thread_t *current;
  wmiemu__sched_obj_t *objs;
  uint32_t next_obj_id;
  uint64_t clock;
  uint64_t steps;
  uint64_t *change_points;           /* PCT, sorted */
  unsigned n_change_points, next_change;
  size_t next_choice;                /* RANDOM with choices: the next byte */
  wmiemu__sched_thread_t **ready;    /* scratch */
  wmiemu_outcome_t outcome;
  char message[512];
  int released;
  wmiemu__sched_thread_t *releaser;
  /* Threads made by then (ids below): a provider that replaced the
   * released one (a live update) starts its own later. */
  uint32_t released_threads;
  int aborting;
  int ran;
  const char *foreign_call;          /* atomic: set by threads we do not control */
  wmiemu__latch_t done;
  wmiemu__tbuf_t trace;
  struct at_end_s { void (*fn)(void *); void *arg; } *at_end;
  unsigned n_at_end;
};

static __thread wmiemu__sched_thread_t *tls_self;
static wmiemu__sched_t *g_active;

/* Threads a failed schedule left in the middle of their work. Unwinding
 * them would drop whatever their stacks still reference (provider objects,
 * kernel objects, event instances) and make it look leaked; instead they
 * stay parked for good, detached, and their records are kept here so their
 * stacks stay reachable, like a thread that never got the CPU again. Only
 * failing schedules add to it, and exploration stops at the first one. */
static wmiemu__sched_thread_t *g_limbo;
static int g_limbo_lock;
static wmiemu__park_t g_never;      /* never unparked */

static void limbo_keep(wmiemu__sched_thread_t *t) {
  while (__atomic_test_and_set(&g_limbo_lock, __ATOMIC_ACQUIRE))
    ;
  t->s = NULL;
  t->wait_objs = (wmiemu__sched_obj_t *const *)g_limbo;   /* reused as the list link */
  g_limbo = t;
  __atomic_clear(&g_limbo_lock, __ATOMIC_RELEASE);
}

/* ---- small helpers ---- */

static uint64_t rng_next(wmiemu__sched_t *s) {
  /* splitmix64: fast, and the same sequence everywhere for a seed */
  uint64_t z = (s->rng += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static uint64_t rng_below(wmiemu__sched_t *s, uint64_t n) {
  return n ? rng_next(s) % n : 0;
}

#define TRACE(s, ...) do { if ((s)->opts.record_trace) wmiemu__tbuf_printf(&(s)->trace, __VA_ARGS__); } while (0)

/* ---- life cycle ---- */

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

int wmiemu__sched_new(wmiemu__sched_t **out, const wmiemu__sched_opts_t *opts) {
  if (!out || !opts)
    return -1;
  *out = NULL;
  if (opts->strategy == WMIEMU_STRATEGY_REPLAY && !opts->replay && opts->replay_len)
    return -1;
  wmiemu__sched_t *s = calloc(1, sizeof(*s));
  if (!s)
    return -1;
  s->opts = *opts;
  if (!s->opts.max_steps)
    s->opts.max_steps = 100000;
  if (!s->opts.pct_depth)
    s->opts.pct_depth = 3;
  if (!s->opts.pct_steps)
    s->opts.pct_steps = 1000;
  s->rng = opts->seed;
  wmiemu__latch_init(&s->done);
  if (s->opts.strategy == WMIEMU_STRATEGY_PCT && s->opts.pct_depth > 1) {
    s->n_change_points = s->opts.pct_depth - 1;
    s->change_points = calloc(s->n_change_points, sizeof(uint64_t));
    if (!s->change_points) {
      free(s);
      return -1;
    }
    for (unsigned i = 0; i < s->n_change_points; i++)
      s->change_points[i] = 1 + rng_below(s, s->opts.pct_steps);
    qsort(s->change_points, s->n_change_points, sizeof(uint64_t), cmp_u64);
  }
  s->trace.stream = opts->record_trace && opts->stream_trace;
  s->trace.fd = opts->trace_fd;
  TRACE(s, "{\"wmiemu_trace\":1,\"scenario\":\"");
  if (s->opts.record_trace)
    wmiemu__tbuf_json_escape(&s->trace, opts->scenario_name ? opts->scenario_name : "");
  TRACE(s, "\",\"strategy\":\"%s\",\"seed\":%llu,\"pct_depth\":%u,\"pct_steps\":%llu,\"max_steps\":%llu%s%s%s}\n",
        wmiemu__strategy_name(opts->strategy == WMIEMU_STRATEGY_REPLAY ? opts->recorded : opts->strategy),
        (unsigned long long)opts->seed, s->opts.pct_depth,
        (unsigned long long)s->opts.pct_steps, (unsigned long long)s->opts.max_steps,
        opts->no_build ? "" : ",\"build\":\"", opts->no_build ? "" : WMIEMU__BUILD, opts->no_build ? "" : "\"");
  *out = s;
  return 0;
}

void wmiemu__sched_free(wmiemu__sched_t *s) {
  if (!s)
    return;
  for (uint32_t i = 0; i < s->n_threads; i++)
    free(s->threads[i]);
  free(s->threads);
  free(s->ready);
  while (s->objs) {
    wmiemu__sched_obj_t *o = s->objs;
    s->objs = o->all_next;
    free(o);
  }
  free(s->change_points);
  free(s->at_end);
  wmiemu__tbuf_free(&s->trace);
  free(s);
}

const char *wmiemu__sched_message(const wmiemu__sched_t *s) { return s->message; }
uint64_t wmiemu__sched_seed(const wmiemu__sched_t *s) { return s->opts.seed; }

uint64_t wmiemu__sched_steps(const wmiemu__sched_t *s) { return s->steps; }
uint64_t wmiemu__sched_now(const wmiemu__sched_t *s) { return s ? s->clock : 0; }

const char *wmiemu__sched_trace(const wmiemu__sched_t *s, size_t *len) {
  if (len)
    *len = s->trace.len;
  return s->trace.data ? s->trace.data : "";
}

wmiemu__sched_t *wmiemu__sched_current(void) { return tls_self ? tls_self->s : NULL; }
wmiemu__sched_t *wmiemu__sched_active(void) { return __atomic_load_n(&g_active, __ATOMIC_ACQUIRE); }
wmiemu__sched_thread_t *wmiemu__sched_self(void) { return tls_self; }
uint32_t wmiemu__sched_thread_id(const wmiemu__sched_thread_t *t) { return t ? t->id : UINT32_MAX; }
wmiemu__sched_obj_t *wmiemu__sched_thread_handle(wmiemu__sched_thread_t *t) { return t ? &t->obj : NULL; }

/* ---- failures ---- */

static void record_failure(wmiemu__sched_t *s, wmiemu_outcome_t outcome, const char *fmt, va_list ap) {
  if (s->outcome != WMIEMU_OUTCOME_OK)
    return;
  s->outcome = outcome;
  vsnprintf(s->message, sizeof(s->message), fmt, ap);
  TRACE(s, "{\"event\":\"failure\",\"outcome\":\"%s\",\"step\":%llu,\"thread\":%u,\"message\":\"",
        wmiemu_outcome_name(outcome), (unsigned long long)s->steps, tls_self ? tls_self->id : UINT32_MAX);
  if (s->opts.record_trace) {
    wmiemu__tbuf_json_escape(&s->trace, s->message);
    wmiemu__tbuf_printf(&s->trace, "\"}\n");
  }
}

/* Ends the schedule from the running thread: the supervisor wakes, unwinds
 * every parked thread, and this one leaves now. */
static void __attribute__((noreturn)) abandon(wmiemu__sched_t *s) {
  /* A thread whose routine already returned (failing in its exit step)
   * just ends; one in the middle of its work is kept (see limbo_keep). */
  int finished = tls_self && tls_self->state == T_DONE;
  s->aborting = 1;
  wmiemu__latch_open(&s->done);
  if (finished || !tls_self)
    wmiemu__os_thread_exit();
  /* The supervisor keeps this thread (see limbo_keep): park for good. */
  for (;;)
    wmiemu__park(&g_never);
}

void wmiemu__sched_fail(wmiemu__sched_t *s, wmiemu_outcome_t outcome, int fatal, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  record_failure(s, outcome, fmt, ap);
  va_end(ap);
  if (fatal && tls_self && tls_self->s == s)
    abandon(s);
}

static void fail_fatal(wmiemu__sched_t *s, wmiemu_outcome_t outcome, const char *fmt, ...)
  __attribute__((noreturn, format(printf, 3, 4)));
static void fail_fatal(wmiemu__sched_t *s, wmiemu_outcome_t outcome, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  record_failure(s, outcome, fmt, ap);
  va_end(ap);
  abandon(s);
}

/* ---- the scheduling point ---- */

static int available(const wmiemu__sched_obj_t *o, const wmiemu__sched_thread_t *t) {
  switch (o->kind) {
  case OBJ_MUTEX: return o->owner == NULL || o->owner == t;
  case OBJ_SEM: return o->signalled > 0;
  default: return o->signalled;
  }
}

static int satisfiable(const wmiemu__sched_thread_t *t) {
  if (t->wait_n == 0)
    return 0;
  for (unsigned i = 0; i < t->wait_n; i++) {
    int a = available(t->wait_objs[i], t);
    if (t->wait_all && !a)
      return 0;
    if (!t->wait_all && a)
      return 1;
  }
  return t->wait_all;
}

static void wake_waiters(wmiemu__sched_t *s, const wmiemu__sched_obj_t *o) {
  for (uint32_t i = 0; i < s->n_threads; i++) {
    wmiemu__sched_thread_t *t = s->threads[i];
    if (t->state != T_BLOCKED)
      continue;
    for (unsigned j = 0; j < t->wait_n; j++) {
      if (t->wait_objs[j] == o) {
        if (satisfiable(t)) {
          t->state = T_RUNNABLE;
          t->wake_reason = WAKE_RETRY;
        }
        break;
      }
    }
  }
}

static uint32_t gather_ready(wmiemu__sched_t *s) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < s->n_threads; i++)
    if (s->threads[i]->state == T_RUNNABLE)
      s->ready[n++] = s->threads[i];
  return n;
}

/* Nothing can run: end an idle wait, or let virtual time pass, or report
 * the deadlock (a lifetime violation if the provider is already gone). */
static uint32_t unstick(wmiemu__sched_t *s) {
  for (uint32_t i = 0; i < s->n_threads; i++) {
    wmiemu__sched_thread_t *t = s->threads[i];
    if (t->state == T_BLOCKED && t->idle_wait) {
      t->state = T_RUNNABLE;
      t->wake_reason = WAKE_IDLE;
      return gather_ready(s);
    }
  }
  uint64_t next = WMIEMU__SCHED_INFINITE;
  for (uint32_t i = 0; i < s->n_threads; i++) {
    wmiemu__sched_thread_t *t = s->threads[i];
    if (t->state == T_BLOCKED && t->deadline < next)
      next = t->deadline;
  }
  if (next != WMIEMU__SCHED_INFINITE) {
    if (next > s->clock) {
      TRACE(s, "{\"event\":\"clock\",\"from\":%llu,\"to\":%llu}\n",
            (unsigned long long)s->clock, (unsigned long long)next);
      s->clock = next;
    }
    for (uint32_t i = 0; i < s->n_threads; i++) {
      wmiemu__sched_thread_t *t = s->threads[i];
      if (t->state == T_BLOCKED && t->deadline <= s->clock) {
        t->state = T_RUNNABLE;
        t->wake_reason = WAKE_TIMEOUT;
      }
    }
    return gather_ready(s);
  }
  /* Deadlock. Say who waits for what. */
  char who[256];
  size_t off = 0;
  int provider_left = 0, wmi_left = 0;
  who[0] = 0;
  for (uint32_t i = 0; i < s->n_threads && off < sizeof(who) - 64; i++) {
    wmiemu__sched_thread_t *t = s->threads[i];
    if (t->state != T_BLOCKED)
      continue;
    if (t->group == WMIEMU__SCHED_GROUP_PROVIDER && t->id < s->released_threads)
      provider_left++;
    else
      wmi_left++;
    off += (size_t)snprintf(who + off, sizeof(who) - off, "%s%u (%s) on object %u", off ? ", " : "",
                            t->id, t->name, t->wait_n ? t->wait_objs[0]->id : 0);
  }
  if (s->released && provider_left && !wmi_left)
    fail_fatal(s, WMIEMU_OUTCOME_VIOLATION,
               "lifetime: provider thread(s) still alive after the provider's final Release: %s", who);
  fail_fatal(s, WMIEMU_OUTCOME_DEADLOCK, "deadlock at step %llu, clock %llu ms: every thread is blocked: %s",
             (unsigned long long)s->steps, (unsigned long long)s->clock, who);
}

static wmiemu__sched_thread_t *pick(wmiemu__sched_t *s, wmiemu__sched_thread_t *cur, uint32_t n) {
  switch (s->opts.strategy) {
  case WMIEMU_STRATEGY_RANDOM:
    if (n > 1 && s->next_choice < s->opts.n_choices)
      return s->ready[s->opts.choices[s->next_choice++] % n];
    return s->ready[rng_below(s, n)];
  case WMIEMU_STRATEGY_PCT: {
    /* At change point i the running thread drops to priority i, below
     * every initial priority (which all start at d or more). */
    while (s->next_change < s->n_change_points && s->change_points[s->next_change] <= s->steps) {
      if (cur)
        cur->priority = s->next_change + 1;
      s->next_change++;
    }
    wmiemu__sched_thread_t *best = s->ready[0];
    for (uint32_t i = 1; i < n; i++)
      if (s->ready[i]->priority > best->priority)
        best = s->ready[i];
    return best;
  }
  case WMIEMU_STRATEGY_REPLAY: {
    if (s->steps > s->opts.replay_len)
      fail_fatal(s, WMIEMU_OUTCOME_REPLAY_DIVERGED,
                 "replay diverged at step %llu: the trace ends at step %llu",
                 (unsigned long long)s->steps, (unsigned long long)s->opts.replay_len);
    uint32_t want = s->opts.replay[s->steps - 1];
    for (uint32_t i = 0; i < n; i++)
      if (s->ready[i]->id == want)
        return s->ready[i];
    fail_fatal(s, WMIEMU_OUTCOME_REPLAY_DIVERGED,
               "replay diverged at step %llu: thread %u is not runnable", (unsigned long long)s->steps, want);
  }
  }
  return s->ready[0];
}

/* The running thread `cur` (its state already set: runnable, blocked or
 * done) hands control to whichever thread the strategy picks. */
static void reschedule(wmiemu__sched_t *s, wmiemu__sched_thread_t *cur, const char *op, uint32_t obj) {
  s->steps++;
  if (s->steps > s->opts.max_steps)
    fail_fatal(s, WMIEMU_OUTCOME_LIVELOCK, "livelock: no end after %llu steps (thread %u at %s)",
               (unsigned long long)s->opts.max_steps, cur->id, op);
  uint32_t n = gather_ready(s);
  if (n == 0)
    n = unstick(s);
  wmiemu__sched_thread_t *next = pick(s, cur, n);
  if (s->opts.record_trace) {
    wmiemu__tbuf_printf(&s->trace, "{\"step\":%llu,\"by\":%u,\"op\":\"%s\",\"obj\":%u,\"ready\":[",
                        (unsigned long long)s->steps, cur->id, op, obj);
    for (uint32_t i = 0; i < n; i++)
      wmiemu__tbuf_printf(&s->trace, i ? ",%u" : "%u", s->ready[i]->id);
    wmiemu__tbuf_printf(&s->trace, "],\"run\":%u,\"clock\":%llu}\n", next->id, (unsigned long long)s->clock);
  }
  if (s->released && next->group == WMIEMU__SCHED_GROUP_PROVIDER && next != s->releaser &&
      next->id < s->released_threads)
    fail_fatal(s, WMIEMU_OUTCOME_VIOLATION,
               "lifetime: provider thread %u (%s) runs after the provider's final Release "
               "(it would touch the freed provider); step %llu",
               next->id, next->name, (unsigned long long)s->steps);
  if (next == cur)
    return;
  /* Read our own state before the handoff: afterwards `next` owns it. */
  int leaving = cur->state == T_DONE;
  s->current = next;
  wmiemu__unpark(&next->park);
  if (leaving)
    return;
  wmiemu__park(&cur->park);
}

static wmiemu__sched_thread_t *self_in(wmiemu__sched_t *s, const char *what) {
  wmiemu__sched_thread_t *t = tls_self;
  if (t && t->s == s)
    return t;
  /* A thread we did not create: its timing is outside our control. It must
   * not touch the schedule's state, so it only leaves a mark that the
   * supervisor reports at the end. */
  if (s)
    __atomic_store_n(&s->foreign_call, what, __ATOMIC_RELEASE);
  return NULL;
}

void wmiemu__sched_yield(wmiemu__sched_t *s, const char *op, uint32_t obj) {
  wmiemu__sched_thread_t *cur = self_in(s, op);
  if (cur)
    reschedule(s, cur, op, obj);
}

/* ---- threads ---- */

static void thread_finish(wmiemu__sched_t *s, wmiemu__sched_thread_t *t) {
  t->state = T_DONE;
  t->obj.signalled = 1;
  s->live--;
  TRACE(s, "{\"event\":\"thread.exit\",\"thread\":%u}\n", t->id);
  if (s->live == 0) {
    wmiemu__latch_open(&s->done);
    return;
  }
  wake_waiters(s, &t->obj);
  reschedule(s, t, "thread.exit", t->obj.id);
}

void wmiemu__sched_thread_exit(wmiemu__sched_t *s) {
  wmiemu__sched_thread_t *cur = self_in(s, "ExitThread");
  if (!cur) {
    /* Not ours: nothing to hand over; end the OS thread as asked. */
    wmiemu__os_thread_exit();
  }
  thread_finish(s, cur);
  wmiemu__os_thread_exit();
}

static void *thread_main(void *arg) {
  wmiemu__sched_thread_t *t = arg;
  wmiemu__altstack_enter();
  wmiemu__os_thread_name(t->name);   /* for crash reports: "wmi-worker", ... */
  tls_self = t;
  wmiemu__park(&t->park);
  if (t->abort)
    return NULL;
  t->in_fn = 1;
  t->fn(t->arg);
  thread_finish(t->s, t);
  return NULL;
}

static wmiemu__sched_thread_t *thread_new(wmiemu__sched_t *s, void (*fn)(void *), void *arg,
                                          const char *name, int group) {
  if (s->n_threads == s->cap_threads) {
    uint32_t cap = s->cap_threads ? s->cap_threads * 2 : 8;
    wmiemu__sched_thread_t **th = realloc(s->threads, cap * sizeof(*th));
    if (!th)
      return NULL;
    s->threads = th;
    wmiemu__sched_thread_t **rd = realloc(s->ready, cap * sizeof(*rd));
    if (!rd)
      return NULL;
    s->ready = rd;
    s->cap_threads = cap;
  }
  wmiemu__sched_thread_t *t = calloc(1, sizeof(*t));
  if (!t)
    return NULL;
  t->obj.kind = OBJ_THREAD;
  t->obj.id = ++s->next_obj_id;
  t->s = s;
  t->id = s->n_threads;
  t->group = group;
  t->state = T_RUNNABLE;
  t->deadline = WMIEMU__SCHED_INFINITE;
  snprintf(t->name, sizeof(t->name), "%s", name ? name : "thread");
  /* PCT: initial priorities sit above the d-1 change-point priorities. */
  t->priority = ((uint64_t)(s->opts.pct_depth + 1) << 40) + (rng_next(s) >> 24);
  t->fn = fn;
  t->arg = arg;
  wmiemu__park_init(&t->park);
  if (wmiemu__os_thread_start(&t->os, thread_main, t) != 0) {
    free(t);
    return NULL;
  }
  t->os_started = 1;
  s->threads[s->n_threads++] = t;
  s->live++;
  if (s->opts.record_trace) {
    wmiemu__tbuf_printf(&s->trace, "{\"event\":\"thread.create\",\"thread\":%u,\"by\":%u,\"group\":\"%s\",\"name\":\"",
                        t->id, tls_self && tls_self->s == s ? tls_self->id : UINT32_MAX,
                        group == WMIEMU__SCHED_GROUP_PROVIDER ? "provider" : "wmi");
    wmiemu__tbuf_json_escape(&s->trace, t->name);
    wmiemu__tbuf_printf(&s->trace, "\"}\n");
  }
  return t;
}

wmiemu__sched_thread_t *wmiemu__sched_thread_create(wmiemu__sched_t *s, void (*fn)(void *), void *arg,
                                                    const char *name, int group) {
  if (!s || !fn)
    return NULL;
  wmiemu__sched_thread_t *cur = self_in(s, "CreateThread");
  if (!cur)
    return NULL;
  wmiemu__sched_thread_t *t = thread_new(s, fn, arg, name, group);
  if (!t)
    return NULL;
  reschedule(s, cur, "thread.create", t->obj.id);
  return t;
}

wmiemu_outcome_t wmiemu__sched_run(wmiemu__sched_t *s, void (*fn)(void *), void *arg) {
  if (!s || !fn || s->ran)
    return WMIEMU_OUTCOME_ERROR;
  s->ran = 1;
  wmiemu__sched_t *expected = NULL;
  if (!__atomic_compare_exchange_n(&g_active, &expected, s, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    snprintf(s->message, sizeof(s->message), "another schedule is already running in this process");
    return WMIEMU_OUTCOME_ERROR;
  }
  wmiemu__sched_thread_t *t0 = thread_new(s, fn, arg, "scenario", WMIEMU__SCHED_GROUP_WMI);
  if (!t0) {
    __atomic_store_n(&g_active, NULL, __ATOMIC_RELEASE);
    snprintf(s->message, sizeof(s->message), "cannot start a thread");
    return WMIEMU_OUTCOME_ERROR;
  }
  s->current = t0;
  wmiemu__unpark(&t0->park);
  wmiemu__latch_wait(&s->done);
  /* The schedule is over: no controlled thread runs any more. Unwind the
   * ones left parked (after a failure) and collect every OS thread. */
  for (uint32_t i = 0; i < s->n_threads; i++) {
    wmiemu__sched_thread_t *t = s->threads[i];
    if (t->state == T_DONE)
      continue;
    if (t->in_fn) {
      /* Mid-work (parked at a scheduling point, or the failing thread in
       * abandon): never runs again. */
      wmiemu__os_thread_detach(&t->os);
      s->threads[i] = NULL;
      limbo_keep(t);
      continue;
    }
    t->abort = 1;
    wmiemu__unpark(&t->park);
  }
  for (uint32_t i = 0; i < s->n_threads; i++)
    if (s->threads[i])
      wmiemu__os_thread_join(&s->threads[i]->os);
  while (s->n_at_end) {
    s->n_at_end--;
    s->at_end[s->n_at_end].fn(s->at_end[s->n_at_end].arg);
  }
  const char *foreign = __atomic_load_n(&s->foreign_call, __ATOMIC_ACQUIRE);
  if (foreign && s->outcome == WMIEMU_OUTCOME_OK) {
    s->outcome = WMIEMU_OUTCOME_NOT_REPRODUCIBLE;
    snprintf(s->message, sizeof(s->message),
             "not reproducible: a thread the scheduler did not create called %s during the schedule "
             "(its timing is outside the scheduler's control; results of this run prove nothing)", foreign);
    TRACE(s, "{\"event\":\"failure\",\"outcome\":\"not-reproducible\",\"call\":\"%s\"}\n", foreign);
  }
  if (s->opts.record_trace)
    wmiemu__tbuf_printf(&s->trace, "{\"end\":\"%s\",\"steps\":%llu,\"clock\":%llu}\n",
                        wmiemu_outcome_name(s->outcome), (unsigned long long)s->steps,
                        (unsigned long long)s->clock);
  __atomic_store_n(&g_active, NULL, __ATOMIC_RELEASE);
  return s->outcome;
}

/* ---- objects ---- */

static wmiemu__sched_obj_t *obj_new(wmiemu__sched_t *s, int kind) {
  wmiemu__sched_obj_t *o = calloc(1, sizeof(*o));
  if (!o)
    return NULL;
  o->kind = (uint8_t)kind;
  o->id = ++s->next_obj_id;
  o->all_next = s->objs;
  s->objs = o;
  return o;
}

wmiemu__sched_obj_t *wmiemu__sched_event_new(wmiemu__sched_t *s, int manual_reset, int initial) {
  if (!s)
    return NULL;
  wmiemu__sched_obj_t *o = obj_new(s, OBJ_EVENT);
  if (o) {
    o->manual = manual_reset != 0;
    o->signalled = initial != 0;
  }
  return o;
}

wmiemu__sched_obj_t *wmiemu__sched_mutex_new(wmiemu__sched_t *s) {
  return s ? obj_new(s, OBJ_MUTEX) : NULL;
}

wmiemu__sched_obj_t *wmiemu__sched_sem_new(wmiemu__sched_t *s, int initial, int max) {
  if (!s || initial < 0 || max < 1 || initial > max)
    return NULL;
  wmiemu__sched_obj_t *o = obj_new(s, OBJ_SEM);
  if (o) {
    o->signalled = initial;
    o->max = max;
  }
  return o;
}

int wmiemu__sched_sem_release(wmiemu__sched_t *s, wmiemu__sched_obj_t *sem, int count, int *prev) {
  wmiemu__sched_thread_t *cur = self_in(s, "ReleaseSemaphore");
  if (!cur || !sem || sem->kind != OBJ_SEM)
    return 0;
  if (prev)
    *prev = sem->signalled;
  int ok = count > 0 && count <= sem->max - sem->signalled;
  if (ok) {
    sem->signalled += count;
    wake_waiters(s, sem);
  }
  reschedule(s, cur, "sem.release", sem->id);
  return ok;
}

void wmiemu__sched_event_set(wmiemu__sched_t *s, wmiemu__sched_obj_t *ev) {
  wmiemu__sched_thread_t *cur = self_in(s, "SetEvent");
  if (!cur || !ev || ev->kind != OBJ_EVENT)
    return;
  ev->signalled = 1;
  wake_waiters(s, ev);
  reschedule(s, cur, "event.set", ev->id);
}

void wmiemu__sched_event_reset(wmiemu__sched_t *s, wmiemu__sched_obj_t *ev) {
  wmiemu__sched_thread_t *cur = self_in(s, "ResetEvent");
  if (!cur || !ev || ev->kind != OBJ_EVENT)
    return;
  ev->signalled = 0;
  reschedule(s, cur, "event.reset", ev->id);
}

static void acquire(wmiemu__sched_obj_t *o, wmiemu__sched_thread_t *t) {
  if (o->kind == OBJ_EVENT && !o->manual)
    o->signalled = 0;
  else if (o->kind == OBJ_SEM)
    o->signalled--;
  else if (o->kind == OBJ_MUTEX) {
    o->owner = t;
    o->recursion++;
  }
}

static int try_acquire(wmiemu__sched_thread_t *t, wmiemu__sched_obj_t *const *objs, unsigned n, int all) {
  if (all) {
    for (unsigned i = 0; i < n; i++)
      if (!available(objs[i], t))
        return -1;
    for (unsigned i = 0; i < n; i++)
      acquire(objs[i], t);
    return 0;
  }
  for (unsigned i = 0; i < n; i++) {
    if (available(objs[i], t)) {
      acquire(objs[i], t);
      return (int)i;
    }
  }
  return -1;
}

static int block(wmiemu__sched_t *s, wmiemu__sched_thread_t *cur, wmiemu__sched_obj_t *const *objs,
                 unsigned n, int all, uint64_t deadline, int idle, const char *op) {
  cur->state = T_BLOCKED;
  cur->wait_objs = objs;
  cur->wait_n = n;
  cur->wait_all = all;
  cur->idle_wait = idle;
  cur->deadline = deadline;
  cur->wake_reason = WAKE_RETRY;
  reschedule(s, cur, op, n ? objs[0]->id : 0);
  cur->wait_objs = NULL;
  cur->wait_n = 0;
  cur->idle_wait = 0;
  cur->deadline = WMIEMU__SCHED_INFINITE;
  return cur->wake_reason;
}

int wmiemu__sched_wait(wmiemu__sched_t *s, wmiemu__sched_obj_t *const *objs, unsigned n, int wait_all,
                       uint64_t timeout_ms, int idle) {
  wmiemu__sched_thread_t *cur = self_in(s, "WaitForMultipleObjects");
  if (!cur || (n && !objs))
    return WMIEMU__SCHED_WAIT_FAILED;
  for (unsigned i = 0; i < n; i++)
    if (!objs[i])
      return WMIEMU__SCHED_WAIT_FAILED;
  reschedule(s, cur, wait_all ? "wait.all" : "wait", n ? objs[0]->id : 0);
  uint64_t deadline = timeout_ms == WMIEMU__SCHED_INFINITE || s->clock + timeout_ms < s->clock
                          ? WMIEMU__SCHED_INFINITE : s->clock + timeout_ms;
  for (;;) {
    int r = try_acquire(cur, objs, n, wait_all);
    if (r >= 0)
      return r;
    if (s->clock >= deadline)
      return WMIEMU__SCHED_WAIT_TIMEOUT;
    int why = block(s, cur, objs, n, wait_all, deadline, idle, "block");
    if (why == WAKE_IDLE)
      return WMIEMU__SCHED_WAIT_IDLE;
    if (why == WAKE_TIMEOUT) {
      r = try_acquire(cur, objs, n, wait_all);
      return r >= 0 ? r : WMIEMU__SCHED_WAIT_TIMEOUT;
    }
  }
}

void wmiemu__sched_sleep(wmiemu__sched_t *s, uint64_t ms) {
  wmiemu__sched_thread_t *cur = self_in(s, "Sleep");
  if (!cur)
    return;
  if (ms == 0) {
    reschedule(s, cur, "sleep", 0);
    return;
  }
  uint64_t deadline = s->clock + ms < s->clock ? WMIEMU__SCHED_INFINITE : s->clock + ms;
  block(s, cur, NULL, 0, 0, deadline, 0, "sleep");
}

void wmiemu__sched_mutex_lock(wmiemu__sched_t *s, wmiemu__sched_obj_t *m) {
  if (m && m->kind == OBJ_MUTEX)
    wmiemu__sched_wait(s, &m, 1, 0, WMIEMU__SCHED_INFINITE, 0);
}

int wmiemu__sched_mutex_trylock(wmiemu__sched_t *s, wmiemu__sched_obj_t *m) {
  if (!m || m->kind != OBJ_MUTEX)
    return 0;
  return wmiemu__sched_wait(s, &m, 1, 0, 0, 0) == 0;
}

void wmiemu__sched_mutex_unlock(wmiemu__sched_t *s, wmiemu__sched_obj_t *m) {
  wmiemu__sched_thread_t *cur = self_in(s, "LeaveCriticalSection");
  if (!cur || !m || m->kind != OBJ_MUTEX)
    return;
  if (m->owner != cur)
    fail_fatal(s, WMIEMU_OUTCOME_VIOLATION, "thread %u (%s) leaves critical section %u it does not own",
               cur->id, cur->name, m->id);
  if (--m->recursion == 0) {
    m->owner = NULL;
    wake_waiters(s, m);
  }
  reschedule(s, cur, "mutex.unlock", m->id);
}

int wmiemu__sched_at_end(wmiemu__sched_t *s, void (*fn)(void *), void *arg) {
  if (!s || !fn)
    return -1;
  struct at_end_s *a = realloc(s->at_end, (s->n_at_end + 1) * sizeof(*a));
  if (!a)
    return -1;
  s->at_end = a;
  a[s->n_at_end].fn = fn;
  a[s->n_at_end].arg = arg;
  s->n_at_end++;
  return 0;
}

/* ---- lifetime and notes ---- */

void wmiemu__sched_provider_released(wmiemu__sched_t *s) {
  wmiemu__sched_thread_t *cur = self_in(s, "Release");
  if (!cur)
    return;
  s->released = 1;
  s->releaser = cur;
  s->released_threads = s->n_threads;
  TRACE(s, "{\"event\":\"provider.released\",\"thread\":%u}\n", cur->id);
}

void wmiemu__sched_note(wmiemu__sched_t *s, const char *event, const char *name, int64_t arg) {
  if (!s || !s->opts.record_trace)
    return;
  wmiemu__tbuf_printf(&s->trace, "{\"event\":\"");
  wmiemu__tbuf_json_escape(&s->trace, event);
  wmiemu__tbuf_printf(&s->trace, "\",\"name\":\"");
  wmiemu__tbuf_json_escape(&s->trace, name ? name : "");
  wmiemu__tbuf_printf(&s->trace, "\",\"arg\":%lld,\"thread\":%u,\"step\":%llu,\"clock\":%llu}\n", (long long)arg,
                      tls_self ? tls_self->id : UINT32_MAX, (unsigned long long)s->steps,
                      (unsigned long long)s->clock);
}
