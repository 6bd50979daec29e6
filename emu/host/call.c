/* Every call the WMI side makes into provider code passes through
 * wmiemu__provider_call: the executor sees it as a scheduling point (the
 * deterministic flavour runs it on a controlled WMI worker), the checker
 * learns which call the running thread services, and the duration is
 * compared with the call limit (a thread WMI lends must not be blocked). */
#include "host/host_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check/context.h"
#include "compat/debug.h"
#include "compat/fault.h"
#include "compat/token.h"
#include "exec/sched.h"
#include "host/received.h"

/* A call record and a copy of its argument block, on the heap: a call past
 * its limit keeps running on its worker, so nothing it reaches may be on
 * the caller's stack. Freed by the caller, or by the executor when the
 * caller left first (wmiemu__exec_call_t.release). */
typedef struct {
  wmiemu__exec_call_t call;
  wmiemu__provider_t *provider;
  wmiemu__provider_call_fn fn;
  wmiemu__kobj_t *client;              /* a reference, or NULL: no call context */
  int impersonation_left;              /* returned impersonating (reverted) */
  size_t size;
  max_align_t args[];
} provider_call_t;

uint64_t wmiemu__host_monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The calls WMI makes on a consumer's behalf run in a COM call context
 * whose client is that consumer (compat/token.h), so CoImpersonateClient
 * gives the provider the consumer's token. A caller that names no consumer
 * gets the default temporary one for these calls. */
static int on_behalf_of_consumer(const char *name) {
  return !strcmp(name, "NewQuery") || !strcmp(name, "CancelQuery") || !strcmp(name, "AccessCheck");
}

static int32_t trampoline(void *arg) {
  provider_call_t *c = arg;
  wmiemu__check_frame_t frame;
  wmiemu__call_context_t context;
  HRESULT hr;
  wmiemu__check_enter(&frame, c->call.name, c->provider->name);
  if (c->client)
    wmiemu__call_context_enter(&context, c->client);
  hr = c->fn(c->args);
  /* COM reverts a server that returns impersonating: WMI's thread must
   * not go on with the consumer's rights. Reported by the caller, once
   * the call is known to have returned in time (the host may be gone
   * when an abandoned one does). */
  if (c->client)
    c->impersonation_left = wmiemu__call_context_leave(&context);
  wmiemu__check_leave(&frame);
  return hr;
}

static void free_call(provider_call_t *c) {
  if (c->client)
    wmiemu__kobj_release(c->client);
  free(c);
}

static void release_call(wmiemu__exec_call_t *call) {
  free_call(CONTAINING_RECORD(call, provider_call_t, call));
}

/* ---- what an abandoned provider may still reach ---------------------------
 * Kept until the process ends, in a list a global reaches: its thread is
 * inside its code and may touch any of it, and LeakSanitizer must not count
 * it as lost. */
typedef struct kept_s {
  struct kept_s *next;
  const void *ptr;
} kept_t;

static kept_t *g_kept;
static pthread_mutex_t g_kept_lock = PTHREAD_MUTEX_INITIALIZER;

void wmiemu__host_keep(const void *ptr) {
  kept_t *k;
  if (!ptr || !(k = malloc(sizeof(*k))))
    return;   /* out of memory: a leak report at worst, never a free */
  k->ptr = ptr;
  pthread_mutex_lock(&g_kept_lock);
  k->next = g_kept;
  g_kept = k;
  pthread_mutex_unlock(&g_kept_lock);
}

/* The call did not return within its bound: WMI gives up on the provider.
 * No call into it any more (its thread is inside its code); its state is
 * failed, its sinks inactive; what it may reach is kept (host.c). */
static void abandon(wmiemu__provider_t *p, const char *name, uint64_t ran_ms) {
  wmiemu_host_t *host = p->host;
  p->abandoned = name;
  p->state = WMIEMU_PROVIDER_FAILED;
  p->failure = WBEM_E_PROVIDER_TIMED_OUT;
  if (p->sink)
    WMIEMU__ATOMIC_STORE(&p->sink->active, 0);
  if (!strcmp(name, "Initialize"))
    wmiemu_checker_report(host->checker, WMIEMU_RULE_INIT_NO_STATUS, name, p->name,
                          "Initialize has not returned after %llu ms (init timeout %u ms) and "
                          "no SetStatus came; the provider is abandoned, its thread stuck in Initialize",
                          (unsigned long long)ran_ms, host->opts.init_timeout_ms);
  else
    wmiemu_checker_report(host->checker, WMIEMU_RULE_CALL_BLOCKED, name, p->name,
                          "%s has not returned after %llu ms (limit %u ms); the provider is "
                          "abandoned, its thread stuck in %s", name, (unsigned long long)ran_ms,
                          host->opts.call_limit_ms, name);
  wmiemu__host_error(host, "provider %s: abandoned, stuck in %s for %llu ms", p->name, name,
                     (unsigned long long)ran_ms);
  WMIEMU_TRACE(host, "provider %s: abandoned in %s after %llu ms", p->name, name,
               (unsigned long long)ran_ms);
}

/* How long a call may run before its provider is abandoned. Initialize:
 * the init timeout. Any other: reported as call-blocked past the call
 * limit once it returns, abandoned when still running at this many call
 * limits (a slow call is a finding; a hung one ends the provider) — or at
 * one limit once shutdown has begun, so that the end of a run waits at
 * most one call limit for a call that never returns. */
#define ABANDON_AFTER_LIMITS 4

HRESULT wmiemu__provider_call(wmiemu__provider_t *p, const char *name,
                              wmiemu__provider_call_fn fn, void *arg, size_t size) {
  return wmiemu__provider_call_as(p, name, NULL, fn, arg, size);
}

HRESULT wmiemu__provider_call_as(wmiemu__provider_t *p, const char *name, wmiemu__kobj_t *client,
                                 wmiemu__provider_call_fn fn, void *arg, size_t size) {
  wmiemu_host_t *host = p->host;
  provider_call_t *c;
  uint64_t start, elapsed, bound;
  HRESULT hr;
  int rc;

  if (p->abandoned) {
    /* The error that abandoned it stays the host's last. */
    WMIEMU_TRACE(host, "provider %s: abandoned in %s: no call to %s", p->name, p->abandoned, name);
    return WBEM_E_PROVIDER_TIMED_OUT;
  }
  if (!(c = malloc(sizeof(*c) + size)))
    return WBEM_E_OUT_OF_MEMORY;
  memset(&c->call, 0, sizeof(c->call));
  c->provider = p;
  c->fn = fn;
  c->size = size;
  if (client)
    wmiemu__kobj_addref(client);
  else if (on_behalf_of_consumer(name))
    client = wmiemu__token_default_consumer();   /* NULL when out of memory: no context */
  c->client = client;
  c->impersonation_left = 0;
  memcpy(c->args, arg, size);
  if (!strcmp(name, "Initialize"))
    bound = host->opts.init_timeout_ms;
  else
    bound = (uint64_t)host->opts.call_limit_ms * (host->shutting_down ? 1 : ABANDON_AFTER_LIMITS);
  c->call.fn = trampoline;
  c->call.arg = c;
  c->call.name = name;
  c->call.limit_ms = bound > UINT32_MAX ? UINT32_MAX : (uint32_t)bound;
  c->call.release = release_call;
  start = wmiemu__exec_now(host->exec);
  rc = wmiemu__exec_call(host->exec, &c->call);
  elapsed = wmiemu__exec_now(host->exec) - start;
  if (rc == WMIEMU__EXEC_ELIMIT || rc == WMIEMU__EXEC_ESTOPPED) {
    /* The record is the executor's now; the provider's thread is inside. */
    abandon(p, name, elapsed);
    return WBEM_E_PROVIDER_TIMED_OUT;
  }
  if (rc != WMIEMU__EXEC_OK) {
    wmiemu__host_error(host, "%s: executor refused the call to %s: %s", p->name, name,
                       wmiemu__exec_strerror(rc));
    free_call(c);
    return WBEM_E_FAILED;
  }
  memcpy(arg, c->args, size);   /* what fn wrote into the block */
  hr = c->call.result;
  if (c->impersonation_left)
    wmiemu_checker_report(host->checker, WMIEMU_RULE_IMPERSONATION_LEFT, name, p->name,
                          "%s returned with its thread impersonating the consumer (CoImpersonateClient "
                          "without CoRevertToSelf); the host reverted it", name);
  free_call(c);
  if (elapsed > host->opts.call_limit_ms && strcmp(name, "Initialize"))
    wmiemu_checker_report(host->checker, WMIEMU_RULE_CALL_BLOCKED, name, p->name,
                          "%s blocked the WMI thread for %llu ms (limit %u ms)", name,
                          (unsigned long long)elapsed, host->opts.call_limit_ms);
  return hr;
}

/* ---- QueryInterface and Release ------------------------------------------- */

/* The interfaces WMI asks a provider for, by name for the traces. */
static const struct {
  const IID *iid;
  const char *name;
} iid_names[] = {
  { &IID_IUnknown, "IUnknown" },
  { &IID_IWbemProviderInit, "IWbemProviderInit" },
  { &IID_IWbemProviderIdentity, "IWbemProviderIdentity" },
  { &IID_IWbemEventProvider, "IWbemEventProvider" },
  { &IID_IWbemEventProviderQuerySink, "IWbemEventProviderQuerySink" },
  { &IID_IWbemEventProviderSecurity, "IWbemEventProviderSecurity" },
  { &IID_IWbemShutdown, "IWbemShutdown" },
};

const char *wmiemu__iid_name(REFIID iid, char *buf, size_t size) {
  size_t i;
  for (i = 0; i < sizeof(iid_names) / sizeof(iid_names[0]); i++)
    if (IsEqualIID(iid, iid_names[i].iid))
      return iid_names[i].name;
  return wmiemu__guid_text(iid, buf, size);
}

/* The IID is copied into the block: the caller's may be on its stack. */
typedef struct {
  IUnknown *unk;
  IID iid;
  void *obj;                           /* the output, inside the block */
} qi_args_t;

static HRESULT do_qi(void *arg) {
  qi_args_t *a = arg;
  return IUnknown_QueryInterface(a->unk, &a->iid, &a->obj);
}

HRESULT wmiemu__call_qi(wmiemu__provider_t *p, IUnknown *unk, REFIID iid, void **out) {
  qi_args_t a = { unk, *iid, NULL };
  char buf[40];
  HRESULT hr;
  hr = wmiemu__provider_call(p, "QueryInterface", do_qi, &a, sizeof(a));
  *out = a.obj;
  hr = wmiemu__received_object(p->host->checker, p->name, "QueryInterface",
                               wmiemu__iid_name(iid, buf, sizeof(buf)), hr, out);
  WMIEMU_TRACE(host, "provider %s: %p->QueryInterface(%s) returned 0x%08x, %p", p->name, (void *)unk,
               wmiemu__iid_name(iid, buf, sizeof(buf)), (unsigned)hr, *out);
  return hr;
}

typedef struct {
  wmiemu__provider_t *p;
  IUnknown *unk;
  ULONG result;
} release_args_t;

static HRESULT do_release(void *arg) {
  release_args_t *a = arg;
  a->result = IUnknown_Release(a->unk);
  if (!a->result)   /* the object is gone: its threads must not run any more */
    wmiemu__watch_released(a->p);
  return S_OK;
}

ULONG wmiemu__call_release(wmiemu__provider_t *p, void *iface) {
  release_args_t a = { p, iface, 0 };
  if (!iface)
    return 0;
  wmiemu__provider_call(p, "Release", do_release, &a, sizeof(a));
  WMIEMU_TRACE(host, "provider %s: %p->Release() returned %u", p->name, iface, (unsigned)a.result);
  return a.result;
}

/* ---- the watch on Indicate ------------------------------------------------
 * On the deterministic executor every Indicate is a scheduling point and a
 * trace note, and a call from a thread the scheduler did not create marks
 * the schedule not reproducible. With busy_every, every Nth Indicate that
 * would reach a live subscription answers WBEM_E_SERVER_TOO_BUSY; that
 * thread's next Indicate is its refire, checked by refire-after-cancel. */

#define WATCH_MARKS 64

/* The BUSY answer a thread got last, until that thread's next Indicate. */
typedef struct {
  unsigned long thread;                /* OS thread id; 0 = free slot */
  wmiemu__provider_t *provider;
  IWbemClassObject *object;            /* the event answered BUSY, as passed */
  IWbemClassObject *copy;              /* its content then */
  LONG64 cancels;                      /* provider's cancels_returned at the answer */
} busy_mark_t;

struct wmiemu__watch_s {
  wmiemu__sched_t *sched;              /* deterministic: the executor's scheduler */
  unsigned busy_every;
  volatile LONG64 attempts;            /* Indicate calls seen */
  pthread_mutex_t lock;                /* marks */
  busy_mark_t marks[WATCH_MARKS];
  unsigned next_slot;
};

/* Takes the calling thread's mark out of the table (zeroed if none). */
static busy_mark_t take_mark(wmiemu__watch_t *w, unsigned long thread) {
  busy_mark_t m = { 0 };
  unsigned i;
  pthread_mutex_lock(&w->lock);
  for (i = 0; i < WATCH_MARKS; i++) {
    if (w->marks[i].thread == thread) {
      m = w->marks[i];
      memset(&w->marks[i], 0, sizeof(w->marks[i]));
      break;
    }
  }
  pthread_mutex_unlock(&w->lock);
  return m;
}

static void put_mark(wmiemu__watch_t *w, const busy_mark_t *m) {
  IWbemClassObject *evicted = NULL;
  unsigned i, slot = WATCH_MARKS;
  pthread_mutex_lock(&w->lock);
  for (i = 0; i < WATCH_MARKS && slot == WATCH_MARKS; i++)
    if (!w->marks[i].thread)
      slot = i;
  if (slot == WATCH_MARKS) {
    /* More threads than slots wait for their refire: forget the oldest. */
    slot = w->next_slot++ % WATCH_MARKS;
    evicted = w->marks[slot].copy;
  }
  w->marks[slot] = *m;
  pthread_mutex_unlock(&w->lock);
  if (evicted)
    IWbemClassObject_Release(evicted);
}

static void on_violation(void *ctx, const wmiemu_violation_t *v) {
  wmiemu__watch_t *w = ctx;
  wmiemu__sched_t *s = wmiemu__sched_current();
  /* A violation on a thread the scheduler does not control: that thread
   * left the not-reproducible mark already and may not touch the schedule. */
  if (!s || s != w->sched)
    return;
  wmiemu__sched_note(s, "violation", v->rule_id, 0);
  /* The schedule's thread number, not the OS thread id: a replay must
   * produce the very same message. */
  int in_call = strcmp(v->call, "none") != 0;
  wmiemu__sched_fail(s, WMIEMU_OUTCOME_VIOLATION, 0, "rule %s %s%s (provider %s, thread %u): %s",
                     v->rule_id, in_call ? "in " : "outside any WMI call", in_call ? v->call : "",
                     v->provider[0] ? v->provider : "-", wmiemu__sched_thread_id(wmiemu__sched_self()),
                     v->detail);
}

HRESULT wmiemu__watch_new(wmiemu_host_t *host) {
  wmiemu__watch_t *w;
  int det = wmiemu__exec_is_deterministic(host->exec);
  if (!det && !host->opts.busy_every)
    return S_OK;
  w = calloc(1, sizeof(*w));
  if (!w)
    return WBEM_E_OUT_OF_MEMORY;
  w->busy_every = host->opts.busy_every;
  pthread_mutex_init(&w->lock, NULL);
  if (det && (w->sched = wmiemu__sched_current())) {
    wmiemu_checker_set_seed(host->checker, wmiemu__sched_seed(w->sched));
    wmiemu_checker_set_callback(host->checker, on_violation, w);
  }
  host->watch = w;
  return S_OK;
}

void wmiemu__watch_free(wmiemu_host_t *host) {
  wmiemu__watch_t *w = host->watch;
  unsigned i;
  if (!w)
    return;
  for (i = 0; i < WATCH_MARKS; i++)
    if (w->marks[i].copy)
      IWbemClassObject_Release(w->marks[i].copy);
  pthread_mutex_destroy(&w->lock);
  free(w);
  host->watch = NULL;
}

/* A refire is the same event object passed again, unchanged, by the
 * thread that was answered BUSY, in its very next Indicate. It breaks the
 * rule when a CancelQuery returned in between and no query is live: the
 * provider was told nobody wants the event and sent it anyway. A new event
 * (another object) is not a refire: a provider that checked its queries
 * before Indicate and lost the race with CancelQuery does nothing wrong. */
static void check_refire(wmiemu__watch_t *w, wmiemu__sink_t *s, LONG count,
                         IWbemClassObject **objects, LONG64 n) {
  wmiemu__provider_t *p = s->provider;
  wmiemu__sink_t *root = s->parent ? s->parent : s;
  busy_mark_t m = take_mark(w, wmiemu__check_thread_id());
  const wmiemu__check_frame_t *frame;
  if (!m.copy)
    return;
  if (m.provider == p && count > 0 && objects && objects[0] == m.object &&
      IWbemClassObject_CompareTo(objects[0], 0 /* compare everything */, m.copy) == WBEM_S_SAME &&
      WMIEMU__ATOMIC_LOAD(&p->cancels_returned) > m.cancels && !WMIEMU__ATOMIC_LOAD(&root->active)) {
    frame = wmiemu__check_current();
    wmiemu_checker_report(p->host->checker, WMIEMU_RULE_REFIRE_AFTER_CANCEL,
                          frame ? frame->call : NULL, p->name,
                          "the event answered WBEM_E_SERVER_TOO_BUSY was refired although "
                          "CancelQuery had returned meanwhile and no query was live (pending "
                          "requests such as CancelQuery come before a refire); Indicate #%lld at %llu ms",
                          (long long)n, (unsigned long long)wmiemu__exec_now(p->host->exec));
  }
  IWbemClassObject_Release(m.copy);
}

/* A consumer's cancel is noted by the plan's owner (the scenario cancels);
 * BUSY and OUT_OF_MEMORY are answered here. */
static HRESULT indicate_fault(void) {
  wmiemu__fault_hit(WMIEMU__FAULT_CANCEL, "Indicate", NULL);
  if (wmiemu__fault_hit(WMIEMU__FAULT_INDICATE_BUSY, "Indicate", NULL))
    return WBEM_E_SERVER_TOO_BUSY;
  if (wmiemu__fault_hit(WMIEMU__FAULT_INDICATE_OOM, "Indicate", NULL))
    return WBEM_E_OUT_OF_MEMORY;
  return S_OK;
}

HRESULT wmiemu__watch_indicate(wmiemu__sink_t *s, LONG count, IWbemClassObject **objects) {
  wmiemu__provider_t *p = s->provider;
  wmiemu__watch_t *w = p->host->watch;
  wmiemu__sched_t *sched = NULL;
  busy_mark_t m;
  HRESULT fault;
  LONG64 n;

  if (w->sched) {
    sched = wmiemu__sched_current();
    /* A foreign thread only leaves its mark (see sched.h) and goes on. */
    wmiemu__sched_yield(w->sched, sched == w->sched ? "Indicate" : "IWbemObjectSink::Indicate", 0);
    if (sched != w->sched)
      sched = NULL;
  }
  n = InterlockedIncrement64(&w->attempts);
  if (sched)
    wmiemu__sched_note(sched, "call", "Indicate", n);
  check_refire(w, s, count, objects, n);
  /* The fault plan's Indicate sites (compat/fault.h): each Indicate of events is one of each kind. */
  fault = count > 0 && objects && objects[0] ? indicate_fault() : S_OK;
  if (fault == (HRESULT)WBEM_E_OUT_OF_MEMORY) {
    if (sched)
      wmiemu__sched_note(sched, "return", "Indicate", (int64_t)fault);
    return fault;
  }
  if (count > 0 && objects && objects[0] &&
      (fault == (HRESULT)WBEM_E_SERVER_TOO_BUSY ||
       (w->busy_every && (n - 1) % w->busy_every == 0 && wmiemu__sink_is_active(s)))) {
    m.thread = wmiemu__check_thread_id();
    m.provider = p;
    m.object = objects[0];
    m.copy = NULL;
    m.cancels = WMIEMU__ATOMIC_LOAD(&p->cancels_returned);
    if (SUCCEEDED(IWbemClassObject_Clone(objects[0], &m.copy)) && m.copy)
      put_mark(w, &m);
    if (sched)
      wmiemu__sched_note(sched, "return", "Indicate", (int64_t)(HRESULT)WBEM_E_SERVER_TOO_BUSY);
    return WBEM_E_SERVER_TOO_BUSY;
  }
  return S_OK;
}

void wmiemu__watch_released(wmiemu__provider_t *p) {
  wmiemu__watch_t *w = p->host->watch;
  if (w && w->sched && wmiemu__sched_current() == w->sched)
    wmiemu__sched_provider_released(w->sched);
}
