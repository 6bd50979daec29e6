/* Every call the WMI side makes into provider code passes through
 * wmiemu__provider_call: the executor sees it as a scheduling point (the
 * deterministic flavour runs it on a controlled WMI worker), the checker
 * learns which call the running thread services, and the duration is
 * compared with the call limit (a thread WMI lends must not be blocked). */
#include "host/host_int.h"

#include <stdlib.h>
#include <time.h>

#include "check/context.h"
#include "exec/sched.h"

typedef struct {
  wmiemu__exec_call_t call;
  wmiemu__provider_t *provider;
  wmiemu__provider_call_fn fn;
  void *arg;
} provider_call_t;

uint64_t wmiemu__host_monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int32_t trampoline(void *arg) {
  provider_call_t *c = arg;
  wmiemu__check_frame_t frame;
  HRESULT hr;
  wmiemu__check_enter(&frame, c->call.name, c->provider->name);
  hr = c->fn(c->arg);
  wmiemu__check_leave(&frame);
  return hr;
}

HRESULT wmiemu__provider_call(wmiemu__provider_t *p, const char *name,
                              wmiemu__provider_call_fn fn, void *arg) {
  wmiemu_host_t *host = p->host;
  provider_call_t c = { .provider = p, .fn = fn, .arg = arg };
  uint64_t start, elapsed;
  int rc;

  c.call.fn = trampoline;
  c.call.arg = &c;
  c.call.name = name;
  start = wmiemu__exec_now(host->exec);
  rc = wmiemu__exec_call(host->exec, &c.call);
  if (rc != WMIEMU__EXEC_OK) {
    wmiemu__host_error(host, "%s: executor refused the call to %s: %s", p->name, name,
                       wmiemu__exec_strerror(rc));
    return WBEM_E_FAILED;
  }
  elapsed = wmiemu__exec_now(host->exec) - start;
  if (elapsed > host->opts.call_limit_ms)
    wmiemu_checker_report(host->checker, WMIEMU_RULE_CALL_BLOCKED, name, p->name,
                          "%s blocked the WMI thread for %llu ms (limit %u ms)", name,
                          (unsigned long long)elapsed, host->opts.call_limit_ms);
  return c.call.result;
}

/* ---- the watch on Indicate ------------------------------------------------
 * On the deterministic executor every Indicate is a scheduling point and a
 * trace note, and a call from a thread the scheduler did not create marks
 * the schedule not reproducible. With busy_every, every Nth Indicate that
 * would reach a live subscription answers WBEM_E_SERVER_TOO_BUSY; that
 * thread's next Indicate is its refire, checked by refire-after-cancel. */

struct wmiemu__watch_s {
  wmiemu__sched_t *sched;              /* deterministic: the executor's scheduler */
  unsigned busy_every;
  LONG64 serial;                       /* tells this watch's marks from older ones */
  volatile LONG64 attempts;            /* Indicate calls seen */
};

/* The BUSY answer this thread got last, until its next Indicate. */
static _Thread_local struct {
  LONG64 serial;
  wmiemu__provider_t *provider;
  LONG64 cancels;                      /* provider's cancels_returned at the answer */
} busy_mark;

static volatile LONG64 watch_serials;

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
  wmiemu__sched_fail(s, WMIEMU_OUTCOME_VIOLATION, 0, "rule %s in %s (provider %s, thread %u): %s",
                     v->rule_id, v->call, v->provider[0] ? v->provider : "-",
                     wmiemu__sched_thread_id(wmiemu__sched_self()), v->detail);
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
  w->serial = InterlockedIncrement64(&watch_serials);
  if (det && (w->sched = wmiemu__sched_current())) {
    wmiemu_checker_set_seed(host->checker, wmiemu__sched_seed(w->sched));
    wmiemu_checker_set_callback(host->checker, on_violation, w);
  }
  host->watch = w;
  return S_OK;
}

void wmiemu__watch_free(wmiemu_host_t *host) {
  free(host->watch);
  host->watch = NULL;
}

HRESULT wmiemu__watch_indicate(wmiemu__sink_t *s, LONG count) {
  wmiemu__provider_t *p = s->provider;
  wmiemu__watch_t *w = p->host->watch;
  wmiemu__sink_t *root = s->parent ? s->parent : s;
  wmiemu__sched_t *sched = NULL;
  const wmiemu__check_frame_t *frame;
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
  if (busy_mark.serial == w->serial && busy_mark.provider == p) {
    busy_mark.serial = 0;
    if (WMIEMU__ATOMIC_LOAD(&p->cancels_returned) > busy_mark.cancels &&
        !WMIEMU__ATOMIC_LOAD(&root->active)) {
      frame = wmiemu__check_current();
      wmiemu_checker_report(p->host->checker, WMIEMU_RULE_REFIRE_AFTER_CANCEL,
                            frame ? frame->call : NULL, p->name,
                            "an event was refired after Indicate answered WBEM_E_SERVER_TOO_BUSY "
                            "although CancelQuery had returned meanwhile and no query was live "
                            "(pending requests such as CancelQuery come before a refire); "
                            "Indicate #%lld at %llu ms", (long long)n,
                            (unsigned long long)wmiemu__exec_now(p->host->exec));
    }
  }
  if (w->busy_every && count > 0 && (n - 1) % w->busy_every == 0 && wmiemu__sink_is_active(s)) {
    busy_mark.serial = w->serial;
    busy_mark.provider = p;
    busy_mark.cancels = WMIEMU__ATOMIC_LOAD(&p->cancels_returned);
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
