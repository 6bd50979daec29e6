/* Polling for intrinsic instance events that no provider serves.
 *
 * `SELECT * FROM __InstanceCreationEvent WITHIN n WHERE TargetInstance ISA
 * "C"` with no event provider registered for it is served by WMI itself:
 * every n seconds it enumerates the instances of C (subclasses too), compares
 * them with the previous enumeration by __PATH, and raises
 * __InstanceCreationEvent / __InstanceDeletionEvent /
 * __InstanceModificationEvent (TargetInstance; PreviousInstance for a
 * modification). The first enumeration is made at subscribe time, so
 * instances that already exist raise nothing. The interval runs on an
 * executor timer: virtual time on the deterministic executor.
 *
 * Only the event kinds the FROM class selects are raised, and each raised
 * event goes through the subscription's WHERE clause and counters like an
 * indicated one: indicated = delivered + filtered + dropped. */
#include "host/pipeline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <wmiemu/compat.h>

typedef struct {
  WCHAR *path;
  IWbemClassObject *inst;
} snap_entry_t;

typedef struct {
  snap_entry_t *e;
  size_t n, cap;
} snap_t;

enum { POLL_CREATION, POLL_DELETION, POLL_MODIFICATION, POLL_KINDS };

static const WCHAR *const kind_class[POLL_KINDS] = {
  L"__InstanceCreationEvent", L"__InstanceDeletionEvent", L"__InstanceModificationEvent",
};

struct wmiemu__poll_s {
  wmiemu__sub_t *sub;
  WCHAR *target;                         /* TargetInstance ISA class */
  IWbemClassObject *event_class[POLL_KINDS];   /* NULL: FROM does not select it */
  snap_t snap;                           /* sorted by path */
  wmiemu__exec_timer_t timer;
  int timer_ready;
  int busy;                              /* in the timer callback: free afterwards */
  int doomed;
};

static void snap_clear(snap_t *s) {
  size_t i;
  for (i = 0; i < s->n; i++) {
    free(s->e[i].path);
    IWbemClassObject_Release(s->e[i].inst);
  }
  free(s->e);
  s->e = NULL;
  s->n = s->cap = 0;
}

static HRESULT snap_add(void *ctx, IWbemClassObject *inst) {
  snap_t *s = ctx;
  VARIANT v;
  size_t len;
  WCHAR *path;
  VariantInit(&v);
  if (FAILED(IWbemClassObject_Get(inst, L"__PATH", 0, &v, NULL, NULL)) || V_VT(&v) != VT_BSTR ||
      !V_BSTR(&v)) {
    VariantClear(&v);
    return S_OK;          /* no path (no key): nothing to follow it by */
  }
  len = wcslen(V_BSTR(&v));
  path = malloc((len + 1) * sizeof(WCHAR));
  if (path)
    memcpy(path, V_BSTR(&v), (len + 1) * sizeof(WCHAR));
  VariantClear(&v);
  if (!path)
    return WBEM_E_OUT_OF_MEMORY;
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 16;
    snap_entry_t *a = realloc(s->e, cap * sizeof(*a));
    if (!a) {
      free(path);
      return WBEM_E_OUT_OF_MEMORY;
    }
    s->e = a;
    s->cap = cap;
  }
  IWbemClassObject_AddRef(inst);
  s->e[s->n].path = path;
  s->e[s->n].inst = inst;
  s->n++;
  return S_OK;
}

static int entry_cmp(const void *a, const void *b) {
  return wmiemu_wcsicmp(((const snap_entry_t *)a)->path, ((const snap_entry_t *)b)->path);
}

/* The instances of the target class now, in enumeration order. A class
 * deleted since the subscription has no instances. */
static HRESULT take_snapshot(struct wmiemu__poll_s *p, snap_t *out) {
  wmiemu__sub_t *sub = p->sub;
  HRESULT hr;
  memset(out, 0, sizeof(*out));
  hr = wmiemu_repo_enum_instances(sub->host->repo, sub->ns, p->target, TRUE, snap_add, out);
  if (hr == (HRESULT)WBEM_E_INVALID_CLASS || hr == (HRESULT)WBEM_E_NOT_FOUND)
    hr = S_OK;
  if (FAILED(hr))
    snap_clear(out);
  return hr;
}

/* An event WMI's core made (polled, timer, class, namespace), counted as
 * indicated by the caller, offered to one subscription: its WHERE clause,
 * then the counters and the callback, as the pipeline does for a
 * provider's. prior: the making of the event failed. */
void wmiemu__sub_offer(wmiemu__sub_t *sub, IWbemClassObject *event, HRESULT prior) {
  BOOL match = FALSE;
  HRESULT hr = FAILED(prior) ? prior : wmiemu_wql_eval(sub->query, event, &match);
  if (FAILED(hr)) {
    sub->counters.dropped++;
    sub->counters.dropped_by[WMIEMU_DROP_FILTER_ERROR]++;
  } else if (!match) {
    sub->counters.filtered++;
  } else {
    sub->counters.matched++;
    if (sub->callback) {
      wmiemu_event_t ev = { sub->id, event, 0, 0 };
      sub->callback(sub->ctx, &ev);
    }
    sub->counters.delivered++;
    sub->host->delivered_total++;
  }
}

/* Counts ev for the subscription and hands it to the consumer when its
 * WHERE clause selects it. */
static void raise_event(struct wmiemu__poll_s *p, int kind, IWbemClassObject *target,
                        IWbemClassObject *previous, uint64_t time_created) {
  wmiemu__sub_t *sub = p->sub;
  IWbemClassObject *event = NULL;
  VARIANT v;
  HRESULT hr;

  if (sub->cancelled || !p->event_class[kind])
    return;
  sub->counters.indicated++;
  hr = IWbemClassObject_SpawnInstance(p->event_class[kind], 0, &event);
  if (SUCCEEDED(hr)) {
    V_VT(&v) = VT_UNKNOWN;
    V_UNKNOWN(&v) = (IUnknown *)target;   /* Put copies it */
    hr = IWbemClassObject_Put(event, L"TargetInstance", 0, &v, 0);
  }
  if (SUCCEEDED(hr) && previous) {
    V_VT(&v) = VT_UNKNOWN;
    V_UNKNOWN(&v) = (IUnknown *)previous;
    hr = IWbemClassObject_Put(event, L"PreviousInstance", 0, &v, 0);
  }
  if (SUCCEEDED(hr))
    wmiemu__event_stamp(event, time_created);
  wmiemu__sub_offer(sub, event, hr);
  if (event)
    IWbemClassObject_Release(event);
}

/* One poll: compares the repository with the last snapshot and raises the
 * differences. Creations and modifications in enumeration order, then
 * deletions in path order. */
static void poll_once(struct wmiemu__poll_s *p) {
  wmiemu_host_t *host = p->sub->host;
  uint64_t time_created = wmiemu__host_time_created(host);
  unsigned char *seen = NULL;
  snap_t now;
  size_t i;

  if (FAILED(take_snapshot(p, &now)))
    return;                 /* out of memory: try again next interval */
  if (p->snap.n && !(seen = calloc(p->snap.n, 1))) {
    snap_clear(&now);
    return;
  }
  for (i = 0; i < now.n; i++) {
    snap_entry_t *old = p->snap.n ? bsearch(&now.e[i], p->snap.e, p->snap.n, sizeof(*old),
                                            entry_cmp) : NULL;
    if (!old) {
      raise_event(p, POLL_CREATION, now.e[i].inst, NULL, time_created);
      continue;
    }
    seen[old - p->snap.e] = 1;
    if (IWbemClassObject_CompareTo(now.e[i].inst, WBEM_FLAG_IGNORE_OBJECT_SOURCE, old->inst) ==
        WBEM_S_DIFFERENT)
      raise_event(p, POLL_MODIFICATION, now.e[i].inst, old->inst, time_created);
  }
  for (i = 0; i < p->snap.n; i++)
    if (!seen[i])
      raise_event(p, POLL_DELETION, p->snap.e[i].inst, NULL, time_created);
  free(seen);
  if (now.n)
    qsort(now.e, now.n, sizeof(*now.e), entry_cmp);
  snap_clear(&p->snap);
  p->snap = now;
}

static void poll_free(struct wmiemu__poll_s *p) {
  int k;
  if (p->timer_ready)
    wmiemu__exec_timer_close(&p->timer);
  for (k = 0; k < POLL_KINDS; k++)
    if (p->event_class[k])
      IWbemClassObject_Release(p->event_class[k]);
  snap_clear(&p->snap);
  free(p->target);
  free(p);
}

static void poll_timer_cb(wmiemu__exec_timer_t *timer) {
  struct wmiemu__poll_s *p = CONTAINING_RECORD(timer, struct wmiemu__poll_s, timer);
  wmiemu__sub_t *sub = p->sub;
  wmiemu_host_t *host = sub->host;
  host->dispatch_depth++;
  p->busy = 1;
  poll_once(p);
  p->busy = 0;
  host->dispatch_depth--;
  if (!host->dispatch_depth)
    wmiemu__pipeline_assert_counters(sub);
  if (p->doomed)
    poll_free(p);           /* a callback unsubscribed */
}

HRESULT wmiemu__poll_start(wmiemu__sub_t *sub) {
  const wmiemu_wql_query_t *q = sub->query;
  const WCHAR *from = wmiemu_wql_from_class_w(q);
  const char *target = wmiemu_wql_target_class(q);
  struct wmiemu__poll_s *p;
  double seconds, ms;
  int k, any = 0;
  HRESULT hr;

  wmiemu_wql_event_kind_t kind = wmiemu_wql_event_kind(q);
  if (sub->poll || !wmiemu_wql_within(q, &seconds) || !from)
    return S_OK;
  /* Class, namespace and timer events come from repo_events.c. */
  if (kind != WMIEMU_WQL_EVENT_INSTANCE)
    return S_OK;
  if (!target) {
    wmiemu__host_error(sub->host, "polling needs WHERE TargetInstance ISA \"Class\": the "
                       "emulator does not poll every class");
    return WBEM_E_NOT_SUPPORTED;
  }
  /* GROUP WITHIN aggregates live in the pipeline, which polled events do
   * not pass through. */
  if (wmiemu_wql_group_within(q, &ms)) {
    wmiemu__host_error(sub->host, "GROUP WITHIN over polled instance events is not emulated");
    return WBEM_E_NOT_SUPPORTED;
  }
  if (!(p = calloc(1, sizeof(*p))))
    return WBEM_E_OUT_OF_MEMORY;
  p->sub = sub;
  if (!(p->target = wmiemu_utf8_to_wcs(target, (size_t)-1))) {
    poll_free(p);
    return WBEM_E_OUT_OF_MEMORY;
  }
  for (k = 0; k < POLL_KINDS; k++) {
    IWbemClassObject *cls = NULL;
    if (FAILED(wmiemu_repo_get_class(sub->host->repo, sub->ns, kind_class[k], &cls)))
      continue;
    if (wmiemu__cim_class_is(cls, from) == S_OK) {
      p->event_class[k] = cls;
      any = 1;
    } else {
      IWbemClassObject_Release(cls);
    }
  }
  if (!any) {               /* e.g. __MethodInvocationEvent: nothing to poll for */
    poll_free(p);
    return S_OK;
  }
  if (FAILED(hr = take_snapshot(p, &p->snap))) {
    poll_free(p);
    return hr;
  }
  if (p->snap.n)
    qsort(p->snap.e, p->snap.n, sizeof(*p->snap.e), entry_cmp);
  ms = ceil(seconds * 1000.0);
  if (ms < 1)
    ms = 1;
  if (wmiemu__exec_timer_init(sub->host->exec, &p->timer, poll_timer_cb) != WMIEMU__EXEC_OK) {
    poll_free(p);
    return WBEM_E_FAILED;
  }
  p->timer_ready = 1;
  if (wmiemu__exec_timer_start(&p->timer, (uint64_t)ms, (uint64_t)ms) != WMIEMU__EXEC_OK) {
    poll_free(p);
    return WBEM_E_FAILED;
  }
  sub->poll = p;
  return S_OK;
}

void wmiemu__poll_stop(wmiemu__sub_t *sub) {
  struct wmiemu__poll_s *p = sub->poll;
  if (!p)
    return;
  sub->poll = NULL;
  if (p->busy) {
    p->doomed = 1;          /* the timer callback in progress frees it */
    if (p->timer_ready)
      wmiemu__exec_timer_stop(&p->timer);
    return;
  }
  poll_free(p);
}

BOOL wmiemu__poll_active(const wmiemu__sub_t *sub) {
  return sub->poll != NULL;
}
