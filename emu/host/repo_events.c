/* The events WMI's core raises without a provider: __ClassCreationEvent,
 * __ClassDeletionEvent and __ClassModificationEvent (TargetClass,
 * PreviousClass) when the repository's classes change, and
 * __NamespaceCreationEvent (TargetNamespace) in the parent namespace when
 * a namespace is made; and, through timer_events.c, __TimerEvent.
 *
 * The repository reports its changes on the thread that made them (a MOF
 * compile, a provider's IWbemServices::DeleteClass or PutInstance); they
 * are queued here and handed to the loop thread, which raises the events
 * to the subscriptions no provider serves. Each raised event goes through
 * the subscription's WHERE clause and counters as an indicated one does:
 * indicated = delivered + filtered + dropped. */
#include "host/host_int.h"
#include "host/pipeline.h"
#include "host/permanent.h"
#include "cim/repo.h"

#include <stdlib.h>
#include <string.h>

#include <wmiemu/compat.h>

static const WCHAR *const kind_class[WMIEMU__CORE_KINDS] = {
  L"__ClassCreationEvent", L"__ClassDeletionEvent", L"__ClassModificationEvent",
  L"__NamespaceCreationEvent", L"__NamespaceDeletionEvent", L"__NamespaceModificationEvent",
  L"__TimerEvent",
};

struct wmiemu__core_s {
  wmiemu_host_t *host;
  pthread_mutex_t lock;                /* the queue below (any thread) */
  wmiemu__change_t *head, **tail;
  int posted;
  int stopped;                         /* shutdown: changes raise nothing */
  wmiemu__exec_work_t work;
  wmiemu__sub_t **subs;                /* loop thread; NULL: left while dispatching */
  size_t n_subs, cap_subs;
  int holes;
};

/* ---- delivering one event ---- */

static void core_raise(wmiemu__sub_t *sub, IWbemClassObject *event) {
  if (sub->cancelled)
    return;
  sub->counters.indicated++;
  wmiemu__sub_offer(sub, event, S_OK);
}

/* Same namespace, whatever the spelling ("\\.\root\x", "ROOT/x"). */
static BOOL same_ns(const WCHAR *a, const WCHAR *b) {
  size_t alen, blen;
  a = wmiemu__ns_strip(a, &alen);
  b = wmiemu__ns_strip(b, &blen);
  return wmiemu__ns_name_eq(a, alen, b, blen);
}

BOOL wmiemu__core_wanted(wmiemu_host_t *host, const WCHAR *ns, int kind) {
  wmiemu__core_t *core = host->core;
  for (size_t i = 0; core && i < core->n_subs; i++) {
    wmiemu__sub_t *sub = core->subs[i];
    if (sub && !sub->cancelled && (sub->core_kinds & (1u << kind)) && same_ns(sub->ns, ns))
      return TRUE;
  }
  return FALSE;
}

void wmiemu__core_raise_all(wmiemu_host_t *host, const WCHAR *ns, int kind, IWbemClassObject *event) {
  wmiemu__core_t *core = host->core;
  host->dispatch_depth++;
  /* A callback may subscribe (the array grows) or unsubscribe (a hole). */
  for (size_t i = 0; i < core->n_subs; i++) {
    wmiemu__sub_t *sub = core->subs[i];
    if (sub && !sub->cancelled && (sub->core_kinds & (1u << kind)) && same_ns(sub->ns, ns))
      core_raise(sub, event);
  }
  host->dispatch_depth--;
}

/* Drops the holes unsubscribing left, once no loop over the array runs. */
void wmiemu__core_settle(wmiemu_host_t *host) {
  wmiemu__core_t *core = host->core;
  size_t k = 0;
  if (!core || host->dispatch_depth)
    return;
  for (size_t i = 0; i < core->n_subs; i++) {
    if (!core->subs[i])
      continue;
    wmiemu__pipeline_assert_counters(core->subs[i]);
    core->subs[k++] = core->subs[i];
  }
  core->n_subs = k;
  core->holes = 0;
}

/* A new event of class name in ns, with its object property prop set to
 * value (Put copies it). NULL when it cannot be made. */
static IWbemClassObject *new_event(wmiemu_host_t *host, const WCHAR *ns, const WCHAR *name,
                                   const WCHAR *prop, IWbemClassObject *value,
                                   const WCHAR *prev_prop, IWbemClassObject *prev) {
  IWbemClassObject *cls = NULL, *event = NULL;
  VARIANT v;
  HRESULT hr = wmiemu_repo_get_class(host->repo, ns, name, &cls);
  if (SUCCEEDED(hr)) {
    hr = IWbemClassObject_SpawnInstance(cls, 0, &event);
    IWbemClassObject_Release(cls);
  }
  if (SUCCEEDED(hr) && value) {
    V_VT(&v) = VT_UNKNOWN;
    V_UNKNOWN(&v) = (IUnknown *)value;
    hr = IWbemClassObject_Put(event, prop, 0, &v, 0);
  }
  if (SUCCEEDED(hr) && prev) {
    V_VT(&v) = VT_UNKNOWN;
    V_UNKNOWN(&v) = (IUnknown *)prev;
    hr = IWbemClassObject_Put(event, prev_prop, 0, &v, 0);
  }
  if (FAILED(hr)) {
    if (event)
      IWbemClassObject_Release(event);
    return NULL;
  }
  wmiemu__event_stamp(event, wmiemu__host_time_created(host));
  return event;
}

static void raise_class_event(wmiemu_host_t *host, const wmiemu__change_t *c) {
  int kind = c->kind == WMIEMU__CHANGE_CLASS_CREATED ? WMIEMU__CORE_CLASS_CREATION
           : c->kind == WMIEMU__CHANGE_CLASS_DELETED ? WMIEMU__CORE_CLASS_DELETION
           : WMIEMU__CORE_CLASS_MODIFICATION;
  IWbemClassObject *event;
  if (!wmiemu__core_wanted(host, c->ns, kind))
    return;
  event = new_event(host, c->ns, kind_class[kind], L"TargetClass", c->obj, L"PreviousClass", c->previous);
  if (!event)
    return;                 /* out of memory: nobody hears of it */
  wmiemu__core_raise_all(host, c->ns, kind, event);
  IWbemClassObject_Release(event);
}

/* A namespace's events are raised in its parent, TargetNamespace being the
 * parent's __NAMESPACE instance that names it. */
static void raise_namespace_event(wmiemu_host_t *host, const wmiemu__change_t *c) {
  int kind = c->kind == WMIEMU__CHANGE_NS_CREATED ? WMIEMU__CORE_NS_CREATION : WMIEMU__CORE_NS_DELETION;
  IWbemClassObject *cls = NULL, *target = NULL, *event;
  size_t len = wmiemu_wcslen(c->ns), cut = len;
  WCHAR *parent;
  VARIANT v;
  while (cut && c->ns[cut - 1] != '\\' && c->ns[cut - 1] != '/')
    cut--;
  if (cut < 2)
    return;                 /* root has no parent */
  if (!(parent = malloc(cut * sizeof(WCHAR))))
    return;
  memcpy(parent, c->ns, (cut - 1) * sizeof(WCHAR));
  parent[cut - 1] = 0;
  if (wmiemu__core_wanted(host, parent, kind) &&
      SUCCEEDED(wmiemu_repo_get_class(host->repo, parent, L"__NAMESPACE", &cls)) &&
      SUCCEEDED(IWbemClassObject_SpawnInstance(cls, 0, &target))) {
    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = SysAllocString(c->ns + cut);
    if (V_BSTR(&v) && SUCCEEDED(IWbemClassObject_Put(target, L"Name", 0, &v, 0)) &&
        (event = new_event(host, parent, kind_class[kind], L"TargetNamespace", target, NULL, NULL))) {
      wmiemu__core_raise_all(host, parent, kind, event);
      IWbemClassObject_Release(event);
    }
    VariantClear(&v);
  }
  if (target)
    IWbemClassObject_Release(target);
  if (cls)
    IWbemClassObject_Release(cls);
  free(parent);
}

/* ---- the changes, from any thread to the loop ---- */

static void on_changes(void *ctx, wmiemu__change_t *changes) {
  wmiemu__core_t *core = ctx;
  wmiemu__change_t *last = changes;
  int post;
  while (last->next)
    last = last->next;
  pthread_mutex_lock(&core->lock);
  /* After shutdown nothing is raised, and nothing is posted: the work
   * node must not sit in a queue that outlives the host. */
  if (core->stopped) {
    pthread_mutex_unlock(&core->lock);
    wmiemu__changes_free(changes);
    return;
  }
  *core->tail = changes;
  core->tail = &last->next;
  post = !core->posted;
  core->posted = 1;
  pthread_mutex_unlock(&core->lock);
  /* Closed executor: the changes wait for wmiemu__core_free. Posting
   * outside the lock: on the deterministic executor a post may be a
   * scheduling point. */
  if (post)
    wmiemu__exec_post(core->host->exec, &core->work);
}

static void on_work(wmiemu__exec_work_t *work) {
  wmiemu__core_t *core = CONTAINING_RECORD(work, wmiemu__core_t, work);
  wmiemu_host_t *host = core->host;
  wmiemu__change_t *list, *c;
  pthread_mutex_lock(&core->lock);
  list = core->head;
  core->head = NULL;
  core->tail = &core->head;
  core->posted = 0;
  pthread_mutex_unlock(&core->lock);
  for (c = list; c && !host->shutting_down; c = c->next) {
    switch (c->kind) {
    case WMIEMU__CHANGE_CLASS_CREATED:
    case WMIEMU__CHANGE_CLASS_MODIFIED:
    case WMIEMU__CHANGE_CLASS_DELETED:
      raise_class_event(host, c);
      break;
    case WMIEMU__CHANGE_NS_CREATED:
    case WMIEMU__CHANGE_NS_DELETED:
      raise_namespace_event(host, c);
      break;
    case WMIEMU__CHANGE_INSTANCE_PUT:
      if (wmiemu__cim_class_is(c->obj, L"__TimerInstruction") == S_OK)
        wmiemu__timers_put(host, c->ns, c->obj);
      else
        wmiemu__permanent_put(host, c->ns, c->obj);
      break;
    case WMIEMU__CHANGE_INSTANCE_DELETED:
      if (wmiemu__cim_class_is(c->obj, L"__TimerInstruction") == S_OK)
        wmiemu__timers_delete(host, c->ns, c->obj);
      else
        wmiemu__permanent_delete(host, c->ns, c->obj);
      break;
    }
  }
  wmiemu__changes_free(list);
  wmiemu__core_settle(host);
}

/* ---- life cycle ---- */

HRESULT wmiemu__core_new(wmiemu_host_t *host) {
  wmiemu__core_t *core = calloc(1, sizeof(*core));
  HRESULT hr;
  if (!core)
    return WBEM_E_OUT_OF_MEMORY;
  core->host = host;
  core->tail = &core->head;
  core->work.cb = on_work;
  pthread_mutex_init(&core->lock, NULL);
  host->core = core;
  if (FAILED(hr = wmiemu__timers_new(host)) ||
      FAILED(hr = wmiemu__repo_watch(host->repo, on_changes, core, L"__IndicationRelated"))) {
    wmiemu__core_free(host);
    return hr;
  }
  return S_OK;
}

void wmiemu__core_stop(wmiemu_host_t *host) {
  if (!host->core)
    return;
  pthread_mutex_lock(&host->core->lock);
  host->core->stopped = 1;
  pthread_mutex_unlock(&host->core->lock);
  wmiemu__timers_stop(host);
}

void wmiemu__core_free(wmiemu_host_t *host) {
  wmiemu__core_t *core = host->core;
  if (!core)
    return;
  if (host->repo)
    wmiemu__repo_watch(host->repo, NULL, NULL, NULL);
  wmiemu__timers_free(host);
  /* Changes the loop never took: the executor is gone. */
  wmiemu__changes_free(core->head);
  pthread_mutex_destroy(&core->lock);
  free(core->subs);
  free(core);
  host->core = NULL;
}

/* ---- subscriptions ---- */

HRESULT wmiemu__core_subscribe(wmiemu__sub_t *sub) {
  wmiemu_host_t *host = sub->host;
  wmiemu__core_t *core = host->core;
  wmiemu_wql_event_kind_t kind = wmiemu_wql_event_kind(sub->query);
  const WCHAR *from = wmiemu_wql_from_class_w(sub->query);
  unsigned kinds = 0;
  double ms;
  if (kind != WMIEMU_WQL_EVENT_CLASS && kind != WMIEMU_WQL_EVENT_NAMESPACE && kind != WMIEMU_WQL_EVENT_TIMER)
    return S_OK;
  if (!from || !core)
    return S_OK;
  /* GROUP WITHIN windows live in the pipeline, which these events do not
   * pass through. */
  if (wmiemu_wql_group_within(sub->query, &ms)) {
    wmiemu__host_error(host, "GROUP WITHIN over events of WMI's core is not emulated");
    return WBEM_E_NOT_SUPPORTED;
  }
  for (int k = 0; k < WMIEMU__CORE_KINDS; k++) {
    IWbemClassObject *cls = NULL;
    if (FAILED(wmiemu_repo_get_class(host->repo, sub->ns, kind_class[k], &cls)))
      continue;
    if (wmiemu__cim_class_is(cls, from) == S_OK)
      kinds |= 1u << k;
    IWbemClassObject_Release(cls);
  }
  if (!kinds)
    return S_OK;
  if (core->n_subs == core->cap_subs) {
    size_t cap = core->cap_subs ? core->cap_subs * 2 : 8;
    wmiemu__sub_t **a = realloc(core->subs, cap * sizeof(*a));
    if (!a)
      return WBEM_E_OUT_OF_MEMORY;
    core->subs = a;
    core->cap_subs = cap;
  }
  core->subs[core->n_subs++] = sub;
  sub->core_kinds = kinds;
  if (kinds & (1u << WMIEMU__CORE_TIMER))
    wmiemu__timers_subs_changed(host, 1);
  return S_OK;
}

void wmiemu__core_unsubscribe(wmiemu__sub_t *sub) {
  wmiemu_host_t *host = sub->host;
  wmiemu__core_t *core = host->core;
  if (!core || !sub->core_kinds)
    return;
  for (size_t i = 0; i < core->n_subs; i++) {
    if (core->subs[i] != sub)
      continue;
    core->subs[i] = NULL;     /* settled once no loop runs over the array */
    core->holes = 1;
    break;
  }
  if (sub->core_kinds & (1u << WMIEMU__CORE_TIMER))
    wmiemu__timers_subs_changed(host, -1);
  sub->core_kinds = 0;
  wmiemu__core_settle(host);
}
