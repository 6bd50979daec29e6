/* IWbemEventSink: the sink ProvideEvents receives, and the restricted sinks
 * made from it. Indicate is the hot path and runs on any thread: validate,
 * check the registration covers the event, reserve queue room, copy the
 * objects (WMI never keeps the caller's), post one batch to the loop; the
 * event pipeline (pipeline.h) does the last three. */
#include "host/pipeline.h"
#include "host/security_descriptor.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <wmiemu/compat.h>

#include "check/context.h"
#include "compat/debug.h"

/* In an ASan build the host can tell where a caller's array ends. */
#if defined(__SANITIZE_ADDRESS__)
#define WMIEMU__SINK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WMIEMU__SINK_ASAN 1
#endif
#endif
#ifdef WMIEMU__SINK_ASAN
#include <sanitizer/asan_interface.h>
#endif

static inline wmiemu__sink_t *impl_from_IWbemEventSink(IWbemEventSink *iface) {
  return CONTAINING_RECORD(iface, wmiemu__sink_t, IWbemEventSink_iface);
}

static wmiemu__sink_t *root_of(wmiemu__sink_t *s) {
  return s->parent ? s->parent : s;
}

static const char *current_call(void) {
  const wmiemu__check_frame_t *frame = wmiemu__check_current();
  return frame ? frame->call : NULL;
}

/* Is obj an event the provider registered for? No registration queries at
 * all (a test factory without MOF) means no restriction. */
static BOOL covered(wmiemu__provider_t *p, IWbemClassObject *obj) {
  size_t i;
  if (!p->n_queries)
    return TRUE;
  for (i = 0; i < p->n_queries; i++) {
    BOOL match = FALSE;
    if (SUCCEEDED(wmiemu_wql_eval(p->queries[i], obj, &match)) && match)
      return TRUE;
  }
  return FALSE;
}

static void report_unregistered(wmiemu__sink_t *s, IWbemClassObject *obj) {
  wmiemu__provider_t *p = s->provider;
  VARIANT v;
  char *name = NULL;
  if (InterlockedCompareExchange(&s->reported_unregistered, 1, 0) != 0)
    return;   /* once per sink: a provider firing a wrong class does so a lot */
  VariantInit(&v);
  if (SUCCEEDED(IWbemClassObject_Get(obj, L"__CLASS", 0, &v, NULL, NULL)) && V_VT(&v) == VT_BSTR)
    name = wmiemu_wcs_to_utf8(V_BSTR(&v), (size_t)-1);
  VariantClear(&v);
  wmiemu_checker_report(p->host->checker, WMIEMU_RULE_EVENT_NOT_REGISTERED, current_call(), p->name,
                        "Indicate of a %s event, which no query of the provider's "
                        "__EventProviderRegistration covers", name ? name : "(unnamed)");
  free(name);
}

uint64_t wmiemu__host_time_created(wmiemu_host_t *host) {
  const uint64_t unix_epoch = 116444736000000000ULL;   /* 1970-01-01 in 100 ns since 1601 */
  struct timespec ts;
  if (host->deterministic)
    return unix_epoch + wmiemu__exec_now(host->exec) * 10000u;   /* replayable */
  /* Read once per Indicate call. The coarse clock (a few ms of resolution,
   * no hardware counter read) is enough for a creation time: WMI's own
   * TIME_CREATED is no finer than the system's timer tick. */
#ifdef CLOCK_REALTIME_COARSE
  if (clock_gettime(CLOCK_REALTIME_COARSE, &ts) != 0)
#endif
    clock_gettime(CLOCK_REALTIME, &ts);
  return unix_epoch + (uint64_t)ts.tv_sec * 10000000u + (uint64_t)ts.tv_nsec / 100u;
}

void wmiemu__event_stamp(IWbemClassObject *obj, uint64_t time_created) {
  VARIANT v;
  WCHAR text[24];
  int n = 0;
  /* Where TIME_CREATED is in the last event class seen: any thread. */
  static uint64_t index_cache;
  if (wmiemu__cim_stamp_u64_cached(obj, L"TIME_CREATED", &index_cache, time_created) != E_NOTIMPL)
    return;
  /* A foreign object: through its COM methods, uint64 as a decimal string. */
  VariantInit(&v);
  if (FAILED(IWbemClassObject_Get(obj, L"TIME_CREATED", 0, &v, NULL, NULL)) || V_VT(&v) != VT_NULL) {
    VariantClear(&v);
    return;
  }
  do
    text[n++] = (WCHAR)('0' + time_created % 10);
  while ((time_created /= 10) != 0);
  V_VT(&v) = VT_BSTR;
  V_BSTR(&v) = SysAllocStringLen(NULL, (UINT)n);
  if (!V_BSTR(&v))
    return;
  for (int i = 0; i < n; i++)
    V_BSTR(&v)[i] = text[n - 1 - i];
  IWbemClassObject_Put(obj, L"TIME_CREATED", 0, &v, 0);
  VariantClear(&v);
}

/* ---- IUnknown ------------------------------------------------------------- */

static HRESULT WINAPI sink_QueryInterface(IWbemEventSink *iface, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IWbemObjectSink) ||
      IsEqualIID(riid, &IID_IWbemEventSink)) {
    *ppv = iface;
    IWbemEventSink_AddRef(iface);
    return S_OK;
  }
  *ppv = NULL;
  return E_NOINTERFACE;
}

static ULONG WINAPI sink_AddRef(IWbemEventSink *iface) {
  return InterlockedIncrement(&impl_from_IWbemEventSink(iface)->ref);
}

/* The host owns the memory and holds the main sink once; below that count
 * a Release is rule extra-release and the count stays (the host checks it
 * after the final Release). When the host goes the sink is a tombstone. */
static ULONG WINAPI sink_Release(IWbemEventSink *iface) {
  wmiemu__sink_t *s = impl_from_IWbemEventSink(iface);
  wmiemu__provider_t *p = s->provider;
  return (ULONG)wmiemu__lent_release(&s->tomb, &s->ref, s->parent ? 0 : 1, p ? p->name : NULL);
}

/* ---- IWbemObjectSink ------------------------------------------------------- */

static HRESULT WINAPI sink_Indicate(IWbemEventSink *iface, LONG count, IWbemClassObject **objects) {
  wmiemu__sink_t *s = impl_from_IWbemEventSink(iface);
  wmiemu__provider_t *p = s->provider;
  wmiemu__indication_t ind;
  wmiemu_host_t *host;
  LONG i, unregistered = 0;
  HRESULT hr = wmiemu__sink_indicate_hook(s, count, objects); /* a branch unless watched */

  if (hr != S_OK)
    return hr;
  /* The state: WMI takes no events once it released the provider. */
  if (!p) {                                  /* the host went as this call began */
    wmiemu__tomb_indicate(&s->tomb, count);
    return WBEM_E_SHUTTING_DOWN;
  }
  host = p->host;
  if (WMIEMU__ATOMIC_LOAD(&root_of(s)->released)) {
    wmiemu_checker_report(host->checker, WMIEMU_RULE_INDICATE_AFTER_RELEASE, current_call(), p->name,
                          "Indicate(%d objects) after WMI's final Release of the provider",
                          (int)count);
    wmiemu__pipeline_count_drop(s, WMIEMU_DROP_AFTER_RELEASE, count);
    return WBEM_E_SHUTTING_DOWN;
  }
  /* The arguments. */
  if (count < 0 || (count > 0 && !objects) || (ULONG)count > host->opts.max_indicate_batch) {
    wmiemu_checker_report(host->checker, WMIEMU_RULE_INDICATE_ARGUMENTS, current_call(), p->name,
                          "Indicate(%d, %s): %s", (int)count, objects ? "objects" : "NULL",
                          count < 0 ? "negative count"
                          : count > 0 && !objects ? "NULL object array"
                          : "more objects than one call may carry");
    return WBEM_E_INVALID_PARAMETER;
  }
#ifdef WMIEMU__SINK_ASAN
  /* A count larger than the array: reading on would be an overflow. */
  if (count > 0) {
    const char *end = __asan_region_is_poisoned(objects, (size_t)count * sizeof(*objects));
    if (end) {
      wmiemu_checker_report(host->checker, WMIEMU_RULE_INDICATE_ARGUMENTS, current_call(), p->name,
                            "Indicate(%d, objects): lCount %d is larger than the array (%d object(s))",
                            (int)count, (int)count, (int)((end - (const char *)objects) / (long)sizeof(*objects)));
      return WBEM_E_INVALID_PARAMETER;
    }
  }
#endif
  for (i = 0; i < count; i++) {
    if (!objects[i]) {
      /* Without ASan the host cannot know the array's length: say both. */
      wmiemu_checker_report(host->checker, WMIEMU_RULE_INDICATE_ARGUMENTS, current_call(), p->name,
                            "Indicate(%d, objects): object %d of lCount=%d is NULL: a NULL in the array, "
                            "or lCount larger than the array", (int)count, (int)i, (int)count);
      return WBEM_E_INVALID_PARAMETER;
    }
  }
  if (count == 0)
    return WBEM_S_NO_ERROR;
  if (FAILED(hr = wmiemu__pipeline_begin(&ind, s, count, objects)))
    return hr;
  /* The rules: only events the provider registered for go on. (One
   * object, the common case, is spelled out: a loop of one costs.) */
  if (count == 1) {
    if (!covered(p, objects[0])) {
      report_unregistered(s, objects[0]);
      wmiemu__pipeline_count_drop(s, WMIEMU_DROP_NOT_REGISTERED, 1);
      return WBEM_S_NO_ERROR;
    }
    wmiemu__pipeline_accept(&ind, objects[0]);
  } else {
    for (i = 0; i < count; i++) {
      if (covered(p, objects[i])) {
        wmiemu__pipeline_accept(&ind, objects[i]);
      } else {
        report_unregistered(s, objects[i]);
        unregistered++;
      }
    }
    wmiemu__pipeline_count_drop(s, WMIEMU_DROP_NOT_REGISTERED, unregistered);
    if (!ind.accepted) {
      wmiemu__pipeline_abandon(&ind);
      return WBEM_S_NO_ERROR;
    }
  }
  /* Enqueue: a full queue refuses them all, and the provider may refire. */
  if (!wmiemu__pipeline_reserve(&ind)) {
    wmiemu__pipeline_count_drop(s, WMIEMU_DROP_QUEUE_OVERFLOW, ind.accepted);
    return WBEM_E_SERVER_TOO_BUSY;
  }
  /* Copy: WMI never keeps the caller's objects. */
  if (FAILED(hr = wmiemu__pipeline_copy(&ind)))
    return hr;
  return wmiemu__pipeline_post(&ind);
}

/* Event providers must not call this: a rule violation. */
static HRESULT WINAPI sink_SetStatus(IWbemEventSink *iface, LONG flags, HRESULT result,
                                     BSTR param, IWbemClassObject *obj) {
  wmiemu__sink_t *s = impl_from_IWbemEventSink(iface);
  (void)param; (void)obj;
  if (s->provider)
    wmiemu_checker_report(s->provider->host->checker, WMIEMU_RULE_SINK_SET_STATUS, current_call(),
                          s->provider->name, "SetStatus(0x%x, 0x%08x) called on the event sink",
                          (unsigned)flags, (unsigned)result);
  return WBEM_S_NO_ERROR;
}

/* ---- IWbemEventSink ----------------------------------------------------- */

/* The descriptor gates which consumers the sink's events reach (the
 * pipeline checks it against each consumer's token, pipeline.c); length 0
 * takes it away. One that is not a well-formed self-relative descriptor is
 * refused, the sink keeping the one it had. */
static HRESULT WINAPI sink_SetSinkSecurity(IWbemEventSink *iface, LONG length, BYTE *sd) {
  wmiemu__sink_t *s = impl_from_IWbemEventSink(iface);
  BYTE *copy = NULL;
  BOOL granted;
  if (length < 0 || (length > 0 && !sd))
    return WBEM_E_INVALID_PARAMETER;
  if (length && FAILED(wmiemu__sd_grants(sd, (size_t)length, NULL, 0, 0, &granted, NULL)))
    return WBEM_E_INVALID_PARAMETER;
  if (length && !(copy = malloc((size_t)length)))
    return WBEM_E_OUT_OF_MEMORY;
  if (length)
    memcpy(copy, sd, (size_t)length);
  pthread_mutex_lock(&s->sd_lock);
  free(s->security_descriptor);
  s->security_descriptor = copy;
  s->security_descriptor_length = length;
  WMIEMU__ATOMIC_STORE(&s->has_security_descriptor, copy != NULL);
  pthread_mutex_unlock(&s->sd_lock);
  return WBEM_S_NO_ERROR;
}

static HRESULT WINAPI sink_IsActive(IWbemEventSink *iface) {
  wmiemu__sink_t *s = impl_from_IWbemEventSink(iface);
  if (!s->provider)
    return WBEM_S_FALSE;                     /* the host is gone */
  return wmiemu__sink_is_active(s) ? WBEM_S_NO_ERROR : WBEM_S_FALSE;
}

static HRESULT abandon(wmiemu__sink_t *r, HRESULT hr) {
  assert(WMIEMU__ATOMIC_LOAD(&r->ref) == 1);   /* never handed out: the one reference is ours */
  WMIEMU__ATOMIC_STORE(&r->ref, 0);
  return hr;
}

static HRESULT WINAPI sink_GetRestrictedSink(IWbemEventSink *iface, LONG count, const LPCWSTR *queries,
                                             IUnknown *callback, IWbemEventSink **out) {
  wmiemu__sink_t *s = impl_from_IWbemEventSink(iface), *r = NULL;
  wmiemu__provider_t *p = s->provider;
  wmiemu_repo_scope_t scope;
  HRESULT hr;
  LONG i;

  if (out)
    *out = NULL;
  if (!out || count <= 0 || !queries)
    return WBEM_E_INVALID_PARAMETER;
  if (!p)
    return WBEM_E_SHUTTING_DOWN;
  hr = wmiemu__sink_new(p, root_of(s), &r);
  if (FAILED(hr))
    return hr;
  /* On failure r stays on the host's list (freed with it) with no references. */
  r->restrictions = calloc((size_t)count, sizeof(*r->restrictions));
  if (!r->restrictions)
    return abandon(r, WBEM_E_OUT_OF_MEMORY);
  scope.repo = p->host->repo;
  scope.ns = p->ns;
  for (i = 0; i < count; i++) {
    wmiemu_wql_error_t err;
    if (!queries[i])
      return abandon(r, WBEM_E_INVALID_PARAMETER);
    hr = wmiemu_wql_parse_w(queries[i], (size_t)-1, &r->restrictions[i], &err);
    if (SUCCEEDED(hr)) {
      r->n_restrictions++;
      hr = wmiemu_wql_bind(r->restrictions[i], wmiemu_repo_class_lookup, &scope, NULL, &err);
    }
    if (FAILED(hr))
      return abandon(r, hr);
  }
  if (callback) {
    IUnknown_AddRef(callback);
    r->callback = callback;
  }
  pthread_mutex_lock(&p->host->lock);
  if (p->n_restricted == p->cap_restricted) {
    size_t cap = p->cap_restricted ? p->cap_restricted * 2 : 4;
    wmiemu__sink_t **a = realloc(p->restricted, cap * sizeof(*a));
    if (!a) {
      pthread_mutex_unlock(&p->host->lock);
      return abandon(r, WBEM_E_OUT_OF_MEMORY);
    }
    p->restricted = a;
    p->cap_restricted = cap;
  }
  p->restricted[p->n_restricted++] = r;
  wmiemu__provider_update_activity(p);
  pthread_mutex_unlock(&p->host->lock);
  WMIEMU_TRACE(host, "provider %s: restricted sink %p for %d quer%s, callback %p", p->name, (void *)r,
               (int)count, count == 1 ? "y" : "ies", (void *)callback);
  *out = &r->IWbemEventSink_iface;
  return WBEM_S_NO_ERROR;
}

static HRESULT WINAPI sink_SetBatchingParameters(IWbemEventSink *iface, LONG flags, DWORD max_buffer,
                                                 DWORD max_latency) {
  wmiemu__sink_t *s = impl_from_IWbemEventSink(iface);
  if (flags != WBEM_FLAG_BATCH_IF_NEEDED && flags != WBEM_FLAG_MUST_BATCH &&
      flags != WBEM_FLAG_MUST_NOT_BATCH)
    return WBEM_E_INVALID_PARAMETER;
  WMIEMU_TRACE(host, "sink %p: SetBatchingParameters(%d, %u, %u)", (void *)s, (int)flags,
               (unsigned)max_buffer, (unsigned)max_latency);
  WMIEMU__ATOMIC_STORE(&s->batch_max_buffer, (LONG)(max_buffer > 0x7fffffff ? 0x7fffffff : max_buffer));
  WMIEMU__ATOMIC_STORE(&s->batch_max_latency, (LONG)max_latency);
  WMIEMU__ATOMIC_STORE(&s->batch_flags, flags);
  return WBEM_S_NO_ERROR;
}

static const IWbemEventSinkVtbl sink_vtbl = {
  sink_QueryInterface,
  sink_AddRef,
  sink_Release,
  sink_Indicate,
  sink_SetStatus,
  sink_SetSinkSecurity,
  sink_IsActive,
  sink_GetRestrictedSink,
  sink_SetBatchingParameters,
};

/* ---- the tombstone: the sink once the host is gone ------------------------ */

static ULONG WINAPI tomb_AddRef(IWbemEventSink *iface) {
  return wmiemu__tomb_add_ref(&impl_from_IWbemEventSink(iface)->tomb);
}

static ULONG WINAPI tomb_Release(IWbemEventSink *iface) {
  return wmiemu__tomb_release(&impl_from_IWbemEventSink(iface)->tomb);
}

static HRESULT WINAPI tomb_Indicate(IWbemEventSink *iface, LONG count, IWbemClassObject **objects) {
  (void)objects;
  wmiemu__tomb_indicate(&impl_from_IWbemEventSink(iface)->tomb, count);
  return WBEM_E_SHUTTING_DOWN;
}

static HRESULT WINAPI tomb_SetStatus(IWbemEventSink *iface, LONG flags, HRESULT result, BSTR param,
                                     IWbemClassObject *obj) {
  (void)iface; (void)flags; (void)result; (void)param; (void)obj;
  return WBEM_E_SHUTTING_DOWN;
}

static HRESULT WINAPI tomb_SetSinkSecurity(IWbemEventSink *iface, LONG length, BYTE *sd) {
  (void)iface; (void)length; (void)sd;
  return WBEM_E_SHUTTING_DOWN;
}

static HRESULT WINAPI tomb_IsActive(IWbemEventSink *iface) {
  (void)iface;
  return WBEM_S_FALSE;
}

static HRESULT WINAPI tomb_GetRestrictedSink(IWbemEventSink *iface, LONG count, const LPCWSTR *queries,
                                             IUnknown *callback, IWbemEventSink **out) {
  (void)iface; (void)count; (void)queries; (void)callback;
  if (out)
    *out = NULL;
  return WBEM_E_SHUTTING_DOWN;
}

static HRESULT WINAPI tomb_SetBatchingParameters(IWbemEventSink *iface, LONG flags, DWORD max_buffer,
                                                 DWORD max_latency) {
  (void)iface; (void)flags; (void)max_buffer; (void)max_latency;
  return WBEM_E_SHUTTING_DOWN;
}

static const IWbemEventSinkVtbl tomb_vtbl = {
  sink_QueryInterface,
  tomb_AddRef,
  tomb_Release,
  tomb_Indicate,
  tomb_SetStatus,
  tomb_SetSinkSecurity,
  tomb_IsActive,
  tomb_GetRestrictedSink,
  tomb_SetBatchingParameters,
};

/* ---- host side -------------------------------------------------------- */

HRESULT wmiemu__sink_new(wmiemu__provider_t *p, wmiemu__sink_t *parent, wmiemu__sink_t **out) {
  wmiemu_host_t *host = p->host;
  wmiemu__sink_t *s = calloc(1, sizeof(*s));
  if (!s)
    return WBEM_E_OUT_OF_MEMORY;
  s->IWbemEventSink_iface.lpVtbl = &sink_vtbl;
  s->ref = 1;
  s->provider = p;
  s->parent = parent;
  s->batch_flags = WBEM_FLAG_MUST_NOT_BATCH;
  s->batch_max_latency = (LONG)WBEM_INFINITE;
  wmiemu__pipeline_sink_init(s);
  pthread_mutex_init(&s->sd_lock, NULL);
  wmiemu__tomb_lend(&s->tomb, host, s, parent ? "a restricted event sink" : "the event sink");
  pthread_mutex_lock(&host->lock);
  s->next_in_host = host->sinks;
  host->sinks = s;
  pthread_mutex_unlock(&host->lock);
  *out = s;
  return S_OK;
}

void wmiemu__sink_free(wmiemu__sink_t *s) {
  size_t i;
  const char *name = s->provider ? s->provider->name : NULL;
  wmiemu__pipeline_sink_close(s);
  for (i = 0; i < s->n_restrictions; i++)
    wmiemu_wql_free(s->restrictions[i]);
  free(s->restrictions);
  s->restrictions = NULL;
  s->n_restrictions = 0;
  if (s->callback)
    IUnknown_Release(s->callback);
  s->callback = NULL;
  pthread_mutex_destroy(&s->sd_lock);
  free(s->security_descriptor);
  s->security_descriptor = NULL;
  /* What the provider still holds beyond the host's own reference. */
  if (!wmiemu__tomb_bury(&s->tomb, name, WMIEMU__ATOMIC_LOAD(&s->ref) - (s->parent ? 0 : 1))) {
    free(s);
    return;
  }
  s->provider = NULL;
  __atomic_store_n(&s->IWbemEventSink_iface.lpVtbl, &tomb_vtbl, __ATOMIC_RELEASE);
}

BOOL wmiemu__sink_is_active(wmiemu__sink_t *s) {
  return WMIEMU__ATOMIC_LOAD(&s->active) != 0 && !WMIEMU__ATOMIC_LOAD(&root_of(s)->released);
}

BOOL wmiemu__sink_admits(wmiemu__sink_t *s, IWbemClassObject *obj) {
  size_t i;
  if (!s->parent)
    return TRUE;
  for (i = 0; i < s->n_restrictions; i++) {
    BOOL match = FALSE;
    if (SUCCEEDED(wmiemu_wql_eval(s->restrictions[i], obj, &match)) && match)
      return TRUE;
  }
  return FALSE;
}

LONG wmiemu__sink_refs(wmiemu__sink_t *s) {
  return WMIEMU__ATOMIC_LOAD(&s->ref);
}

/* A restricted sink is active when some live subscription overlaps one of
 * its queries; the main sink when any subscription is live. */
void wmiemu__provider_update_activity(wmiemu__provider_t *p) {
  size_t i, j, k;
  if (p->sink)
    WMIEMU__ATOMIC_STORE(&p->sink->active, p->live_subs > 0);
  for (i = 0; i < p->n_restricted; i++) {
    wmiemu__sink_t *r = p->restricted[i];
    LONG active = 0;
    for (j = 0; j < p->n_subs && !active; j++) {
      if (p->subs[j]->cancelled)
        continue;
      for (k = 0; k < r->n_restrictions && !active; k++) {
        BOOL overlap = FALSE;
        if (SUCCEEDED(wmiemu_wql_registration_overlaps(r->restrictions[k], p->subs[j]->query, &overlap)))
          active = overlap;
      }
    }
    WMIEMU__ATOMIC_STORE(&r->active, active);
  }
}
