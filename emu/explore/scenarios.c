/* Model event providers driven the way WMI drives them: Initialize,
 * AccessCheck, NewQuery, ProvideEvents, (events), CancelQuery, final
 * Release, each a provider call on a WMI worker thread. The provider's
 * event thread refires after WBEM_E_SERVER_TOO_BUSY (the model sink answers
 * "busy" to every other Indicate).
 *
 *   race-refire    refires without looking at a CancelQuery that arrived
 *                  meanwhile (the contract says: process pending requests
 *                  such as CancelQuery before refiring)
 *   race-lifetime  its final Release frees the object and returns without
 *                  waiting for the event thread, which still uses `this`
 *                  (as Microsoft's classic sample does)
 *   correct        checks the query and refires under the lock CancelQuery takes,
 *                  and Release stops and joins the event thread first */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>
#include <wbemcli.h>

#include "exec/exec.h"
#include "exec/sched.h"
#include "explore/scenarios.h"

#define E_SERVER_TOO_BUSY ((int32_t)0x80041045)
#define EVENT_PERIOD_MS 1000
#define CANCEL_AT_MS 3000

typedef struct {
  int refire_checks_cancel;
  int release_joins;
} flavour_t;

/* What the WMI side knows. */
typedef struct {
  int query_active;
  int cancel_returned;
  unsigned attempts;
  unsigned delivered;
  int last_busy;
} wmi_side_t;

typedef struct {
  flavour_t fl;
  wmiemu__sched_t *s;
  wmi_side_t *wmi;
  wmiemu__sched_obj_t *lock;      /* the provider's CRITICAL_SECTION */
  wmiemu__sched_obj_t *stop_ev;
  wmiemu__sched_thread_t *thread;
  int active;                      /* guarded by lock */
  int stop;
} provider_t;

/* The model IWbemObjectSink::Indicate: a scheduling point, a contract
 * check, and "busy" every other attempt. */
static int32_t sink_indicate(provider_t *p) {
  wmi_side_t *wmi = p->wmi;
  wmiemu__sched_yield(p->s, "Indicate", 0);
  wmiemu__sched_note(p->s, "call", "Indicate", (int64_t)wmi->attempts);
  /* Indicate after CancelQuery is fine (WMI drops it); a refire after
   * CancelQuery returned is the provider skipping pending requests. */
  int refire = wmi->last_busy;
  if (refire && wmi->cancel_returned)
    wmiemu__sched_fail(p->s, WMIEMU_OUTCOME_VIOLATION, 0,
                       "refire-after-cancel: Indicate for query 1 after CancelQuery(1) returned "
                       "(a provider must process pending CancelQuery before refiring), attempt %u, clock %llu ms",
                       wmi->attempts, (unsigned long long)wmiemu__sched_now(p->s));
  wmi->last_busy = wmi->attempts++ % 2 == 0;
  if (wmi->last_busy)
    return E_SERVER_TOO_BUSY;
  wmi->delivered++;
  return 0;
}

static int query_active(provider_t *p) {
  wmiemu__sched_mutex_lock(p->s, p->lock);
  int a = p->active;
  wmiemu__sched_mutex_unlock(p->s, p->lock);
  return a;
}

static void event_thread(void *arg) {
  provider_t *p = arg;
  for (;;) {
    int r = wmiemu__sched_wait(p->s, &p->stop_ev, 1, 0, EVENT_PERIOD_MS, 0);
    if (r == 0 || p->stop)
      break;
    if (!query_active(p))
      continue;
    int32_t hr = sink_indicate(p);
    while (hr == E_SERVER_TOO_BUSY) {
      if (!p->fl.refire_checks_cancel) {
        hr = sink_indicate(p);
        continue;
      }
      /* Check and refire under the lock CancelQuery takes, so a cancel
       * cannot slip in between. */
      wmiemu__sched_mutex_lock(p->s, p->lock);
      hr = p->active ? sink_indicate(p) : 0;
      wmiemu__sched_mutex_unlock(p->s, p->lock);
    }
  }
}

/* ---- the provider's methods, as WMI calls them ---- */

static int32_t m_initialize(void *arg) {
  provider_t *p = arg;
  p->lock = wmiemu__sched_mutex_new(p->s);
  p->stop_ev = wmiemu__sched_event_new(p->s, 1, 0);
  return 0;
}

static int32_t m_access_check(void *arg) { (void)arg; return 0; }

static int32_t m_new_query(void *arg) {
  provider_t *p = arg;
  wmiemu__sched_mutex_lock(p->s, p->lock);
  p->active = 1;
  wmiemu__sched_mutex_unlock(p->s, p->lock);
  return 0;
}

static int32_t m_provide_events(void *arg) {
  provider_t *p = arg;
  p->thread = wmiemu__sched_thread_create(p->s, event_thread, p, "event-thread", WMIEMU__SCHED_GROUP_PROVIDER);
  return p->thread ? 0 : (int32_t)0x80041006;
}

static int32_t m_cancel_query(void *arg) {
  provider_t *p = arg;
  wmiemu__sched_mutex_lock(p->s, p->lock);
  p->active = 0;
  wmiemu__sched_mutex_unlock(p->s, p->lock);
  return 0;
}

static int32_t m_release(void *arg) {
  provider_t *p = arg;
  wmiemu__sched_t *s = p->s;
  p->stop = 1;
  wmiemu__sched_event_set(s, p->stop_ev);
  if (p->fl.release_joins) {
    wmiemu__sched_obj_t *h = wmiemu__sched_thread_handle(p->thread);
    wmiemu__sched_wait(s, &h, 1, 0, WMIEMU__SCHED_INFINITE, 0);
  }
  free(p);                        /* delete this */
  wmiemu__sched_provider_released(s);
  return 0;
}

static void wmi_call(wmiemu__exec_t *e, const char *name, wmiemu__exec_call_fn fn, void *arg) {
  wmiemu__exec_call_t call = { .fn = fn, .arg = arg, .name = name };
  wmiemu__exec_call(e, &call);
}

static void drive(const flavour_t *fl) {
  wmiemu__sched_t *s = wmiemu__sched_current();
  wmiemu__exec_t *e;
  if (wmiemu__exec_new_det(&e, s) != 0) {
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_ERROR, 1, "cannot create the deterministic executor");
  }
  wmi_side_t wmi = { 0 };
  provider_t *p = calloc(1, sizeof(*p));
  p->fl = *fl;
  p->s = s;
  p->wmi = &wmi;
  wmi_call(e, "Initialize", m_initialize, p);
  wmi_call(e, "AccessCheck", m_access_check, p);
  wmi.query_active = 1;
  wmi_call(e, "NewQuery", m_new_query, p);
  wmi_call(e, "ProvideEvents", m_provide_events, p);
  wmiemu__exec_run_for(e, CANCEL_AT_MS);
  wmi_call(e, "CancelQuery", m_cancel_query, p);
  wmi.query_active = 0;
  wmi.cancel_returned = 1;
  wmi_call(e, "Release", m_release, p);
  if (wmi.delivered == 0)
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_VIOLATION, 0, "no event was delivered before CancelQuery");
  wmiemu__exec_destroy(e);
}

static void race_refire(void *ctx) {
  (void)ctx;
  flavour_t fl = { 0, 1 };
  drive(&fl);
}

static void race_lifetime(void *ctx) {
  (void)ctx;
  flavour_t fl = { 1, 0 };
  drive(&fl);
}

static void correct(void *ctx) {
  (void)ctx;
  flavour_t fl = { 1, 1 };
  drive(&fl);
}

/* The benchmark's shape: 3 threads, about 200 scheduling points. */
typedef struct {
  wmiemu__sched_obj_t *lock;
  int counter;
} bench_shared_t;

static void bench_worker(void *arg) {
  bench_shared_t *b = arg;
  wmiemu__sched_t *s = wmiemu__sched_current();
  for (int i = 0; i < 33; i++) {
    wmiemu__sched_mutex_lock(s, b->lock);
    b->counter++;
    wmiemu__sched_mutex_unlock(s, b->lock);
    wmiemu__sched_yield(s, "work", 0);
  }
}

static void bench_3x200(void *ctx) {
  (void)ctx;
  wmiemu__sched_t *s = wmiemu__sched_current();
  bench_shared_t b = { wmiemu__sched_mutex_new(s), 0 };
  wmiemu__sched_thread_t *t1 = wmiemu__sched_thread_create(s, bench_worker, &b, "w1", 0);
  wmiemu__sched_thread_t *t2 = wmiemu__sched_thread_create(s, bench_worker, &b, "w2", 0);
  wmiemu__sched_obj_t *h[2] = { wmiemu__sched_thread_handle(t1), wmiemu__sched_thread_handle(t2) };
  wmiemu__sched_wait(s, h, 2, 1, WMIEMU__SCHED_INFINITE, 0);
  if (b.counter != 66)
    wmiemu__sched_fail(s, WMIEMU_OUTCOME_VIOLATION, 0, "counter %d", b.counter);
}

static const wmiemu__scenario_t scenarios[] = {
  { "race-refire", "refires after WBEM_E_SERVER_TOO_BUSY without processing a pending CancelQuery", race_refire, 1 },
  { "race-lifetime", "final Release frees the provider while its event thread still runs", race_lifetime, 1 },
  { "correct", "re-checks CancelQuery before refiring; Release joins the event thread", correct, 0 },
  { "bench-3x200", "3 threads, about 200 scheduling points (benchmark shape)", bench_3x200, 0 },
};

const wmiemu__scenario_t *wmiemu__scenario_list(size_t *count) {
  if (count)
    *count = sizeof(scenarios) / sizeof(scenarios[0]);
  return scenarios;
}

const wmiemu__scenario_t *wmiemu__scenario_find(const char *name) {
  size_t n;
  const wmiemu__scenario_t *list = wmiemu__scenario_list(&n);
  for (size_t i = 0; name && i < n; i++)
    if (!strcmp(list[i].name, name))
      return &list[i];
  return NULL;
}

/* ---- the public list ---- */

size_t wmiemu_scenario_count(void) {
  return sizeof(scenarios) / sizeof(scenarios[0]);
}

const char *wmiemu_scenario_name(size_t i) {
  return i < wmiemu_scenario_count() ? scenarios[i].name : NULL;
}

const char *wmiemu_scenario_summary(size_t i) {
  return i < wmiemu_scenario_count() ? scenarios[i].summary : NULL;
}

int wmiemu_scenario_has_bug(size_t i) {
  return i < wmiemu_scenario_count() ? scenarios[i].has_bug : 0;
}

HRESULT wmiemu_explore_scenario(const char *name, const wmiemu_explore_opts_t *opts,
                                wmiemu_explore_result_t *result) {
  wmiemu_explore_result_t local;
  wmiemu_explore_opts_t o;
  const wmiemu__scenario_t *sc;

  if (!result)
    result = &local;
  memset(result, 0, sizeof(*result));
  result->outcome = WMIEMU_OUTCOME_ERROR;
  if (opts)
    o = *opts;
  else
    wmiemu_explore_opts_init(&o);
  if (!name) {
    snprintf(result->message, sizeof(result->message), "no scenario given");
    return WBEM_E_INVALID_PARAMETER;
  }
  if (o.strategy != WMIEMU_STRATEGY_RANDOM && o.strategy != WMIEMU_STRATEGY_PCT) {
    snprintf(result->message, sizeof(result->message), "the strategy must be random or pct");
    return WBEM_E_INVALID_PARAMETER;
  }
  if (!(sc = wmiemu__scenario_find(name))) {
    snprintf(result->message, sizeof(result->message), "unknown scenario '%s'", name);
    return WBEM_E_NOT_FOUND;
  }
  o.scenario_name = sc->name;
  wmiemu_explore(sc->fn, NULL, &o, result);
  snprintf(result->name, sizeof(result->name), "%s", sc->name);
  /* Nothing ran: the first schedule could not be set up. */
  return result->iterations_run ? S_OK : WBEM_E_OUT_OF_MEMORY;
}
