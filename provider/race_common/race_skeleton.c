/* The shared part of the race providers: a correct extrinsic event
 * provider whose refire and thread lifetime each provider may replace. */
#include <stdlib.h>

#include "race_skeleton.h"

#ifdef _WIN32
#define PROVIDER_EXPORT
#else
#define PROVIDER_EXPORT __attribute__((visibility("default")))
#endif

static LONG object_count;
static LONG server_locks;


static inline race_provider *impl_from_IWbemProviderInit(IWbemProviderInit *iface) {
  return CONTAINING_RECORD(iface, race_provider, IWbemProviderInit_iface);
}
static inline race_provider *impl_from_IWbemEventProvider(IWbemEventProvider *iface) {
  return CONTAINING_RECORD(iface, race_provider, IWbemEventProvider_iface);
}
static inline race_provider *impl_from_IWbemEventProviderQuerySink(IWbemEventProviderQuerySink *iface) {
  return CONTAINING_RECORD(iface, race_provider, IWbemEventProviderQuerySink_iface);
}
static inline race_provider *impl_from_IWbemEventProviderSecurity(IWbemEventProviderSecurity *iface) {
  return CONTAINING_RECORD(iface, race_provider, IWbemEventProviderSecurity_iface);
}

static HRESULT provider_query_interface(race_provider *p, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IWbemProviderInit))
    *ppv = &p->IWbemProviderInit_iface;
  else if (IsEqualIID(riid, &IID_IWbemEventProvider))
    *ppv = &p->IWbemEventProvider_iface;
  else if (IsEqualIID(riid, &IID_IWbemEventProviderQuerySink))
    *ppv = &p->IWbemEventProviderQuerySink_iface;
  else if (IsEqualIID(riid, &IID_IWbemEventProviderSecurity))
    *ppv = &p->IWbemEventProviderSecurity_iface;
  else {
    *ppv = NULL;
    return E_NOINTERFACE;
  }
  InterlockedIncrement(&p->ref);
  return S_OK;
}

static ULONG provider_add_ref(race_provider *p) {
  return InterlockedIncrement(&p->ref);
}

static void provider_free_members(race_provider *p) {
  if (p->sink)
    IWbemObjectSink_Release(p->sink);
  if (p->event_class)
    IWbemClassObject_Release(p->event_class);
  if (p->services)
    IWbemServices_Release(p->services);
  CloseHandle(p->stop_event);
  DeleteCriticalSection(&p->lock);
}

/* Stops the event thread and waits for it before anything the thread
 * uses goes away. */
static void stop_and_join_thread(race_provider *p) {
  if (p->thread) {
    SetEvent(p->stop_event);
    WaitForSingleObject(p->thread, INFINITE);
    CloseHandle(p->thread);
  }
}

static ULONG provider_release(race_provider *p) {
  ULONG ref = InterlockedDecrement(&p->ref);
  if (ref)
    return ref;
  if (race_provider_hooks.stop_thread)
    race_provider_hooks.stop_thread(p);
  else
    stop_and_join_thread(p);
  provider_free_members(p);
  free(p);
  InterlockedDecrement(&object_count);
  return 0;
}

/* ---- the event thread ---------------------------------------------------- */

static HRESULT make_event(race_provider *p, IWbemClassObject **out) {
  VARIANT v;
  HRESULT hr = IWbemClassObject_SpawnInstance(p->event_class, 0, out);
  if (FAILED(hr))
    return hr;
  V_VT(&v) = VT_I4;
  V_I4(&v) = InterlockedIncrement(&p->sequence);
  hr = IWbemClassObject_Put(*out, L"Sequence", 0, &v, 0);
  if (FAILED(hr)) {
    IWbemClassObject_Release(*out);
    *out = NULL;
  }
  return hr;
}

IWbemObjectSink *race_active_sink(race_provider *p) {
  IWbemObjectSink *sink = NULL;
  EnterCriticalSection(&p->lock);
  if (p->active_queries > 0 && p->sink) {
    sink = p->sink;
    IWbemObjectSink_AddRef(sink);
  }
  LeaveCriticalSection(&p->lock);
  return sink;
}

/* Refires only if the query is still active, deciding under the lock that
 * CancelQuery takes: a CancelQuery that came meanwhile is processed first. */
static HRESULT refire_if_active(race_provider *p, IWbemObjectSink *sink, IWbemClassObject **event) {
  HRESULT hr;
  EnterCriticalSection(&p->lock);
  hr = p->active_queries > 0 ? IWbemObjectSink_Indicate(sink, 1, event) : WBEM_S_NO_ERROR;
  LeaveCriticalSection(&p->lock);
  return hr;
}

void race_fire(race_provider *p, IWbemObjectSink *sink) {
  IWbemClassObject *event = NULL;
  HRESULT hr;
  int tries;
  if (FAILED(make_event(p, &event)))
    return;
  hr = IWbemObjectSink_Indicate(sink, 1, &event);
  for (tries = 0; hr == (HRESULT)WBEM_E_SERVER_TOO_BUSY && tries < 5; tries++) {
    Sleep(RACE_BACKOFF_MS);
    hr = race_provider_hooks.refire ? race_provider_hooks.refire(p, sink, &event)
                                    : refire_if_active(p, sink, &event);
  }
  IWbemClassObject_Release(event);
}

/* Fires on a fixed timetable, RACE_PERIOD_MS apart, until the stop event. */
static DWORD WINAPI timetable_thread(void *arg) {
  race_provider *p = arg;
  ULONGLONG next = GetTickCount64() + RACE_PERIOD_MS;
  for (;;) {
    ULONGLONG now = GetTickCount64();
    IWbemObjectSink *sink;
    if (WaitForSingleObject(p->stop_event, next > now ? (DWORD)(next - now) : 0) != WAIT_TIMEOUT)
      break;
    next += RACE_PERIOD_MS;
    sink = race_active_sink(p);
    if (sink) {
      race_fire(p, sink);
      IWbemObjectSink_Release(sink);
    }
  }
  return 0;
}

/* ---- IWbemProviderInit -------------------------------------------------- */

static HRESULT WINAPI init_QueryInterface(IWbemProviderInit *iface, REFIID riid, void **ppv) {
  return provider_query_interface(impl_from_IWbemProviderInit(iface), riid, ppv);
}
static ULONG WINAPI init_AddRef(IWbemProviderInit *iface) {
  return provider_add_ref(impl_from_IWbemProviderInit(iface));
}
static ULONG WINAPI init_Release(IWbemProviderInit *iface) {
  return provider_release(impl_from_IWbemProviderInit(iface));
}

static HRESULT WINAPI init_Initialize(IWbemProviderInit *iface, LPWSTR user, LONG flags, LPWSTR ns,
                                      LPWSTR locale, IWbemServices *services, IWbemContext *ctx,
                                      IWbemProviderInitSink *init_sink) {
  race_provider *p = impl_from_IWbemProviderInit(iface);
  BSTR class_name;
  HRESULT hr;
  (void)user; (void)flags; (void)ns; (void)locale;

  if (!services || !init_sink)
    return WBEM_E_INVALID_PARAMETER;
  IWbemServices_AddRef(services);
  p->services = services;
  class_name = SysAllocString(race_event_class_name);
  hr = IWbemServices_GetObject(services, class_name, 0, ctx, &p->event_class, NULL);
  SysFreeString(class_name);
  IWbemProviderInitSink_SetStatus(init_sink, SUCCEEDED(hr) ? WBEM_S_INITIALIZED : WBEM_E_FAILED, 0);
  return WBEM_S_NO_ERROR;
}

static const IWbemProviderInitVtbl init_vtbl = {
  init_QueryInterface,
  init_AddRef,
  init_Release,
  init_Initialize,
};

/* ---- IWbemEventProvider ------------------------------------------------- */

static HRESULT WINAPI events_QueryInterface(IWbemEventProvider *iface, REFIID riid, void **ppv) {
  return provider_query_interface(impl_from_IWbemEventProvider(iface), riid, ppv);
}
static ULONG WINAPI events_AddRef(IWbemEventProvider *iface) {
  return provider_add_ref(impl_from_IWbemEventProvider(iface));
}
static ULONG WINAPI events_Release(IWbemEventProvider *iface) {
  return provider_release(impl_from_IWbemEventProvider(iface));
}

/* Keeps the sink, starts the thread and returns at once. */
static HRESULT WINAPI events_ProvideEvents(IWbemEventProvider *iface, IWbemObjectSink *sink, LONG flags) {
  race_provider *p = impl_from_IWbemEventProvider(iface);
  (void)flags;
  if (!sink)
    return WBEM_E_INVALID_PARAMETER;
  EnterCriticalSection(&p->lock);
  if (p->sink)
    IWbemObjectSink_Release(p->sink);
  IWbemObjectSink_AddRef(sink);
  p->sink = sink;
  LeaveCriticalSection(&p->lock);
  if (!p->thread) {
    p->status = RACE_STATUS_RUNNING;
    p->thread = CreateThread(NULL, 0, race_provider_hooks.event_thread ? race_provider_hooks.event_thread
                                                                        : timetable_thread, p, 0, NULL);
    if (!p->thread)
      return WBEM_E_FAILED;
  }
  return WBEM_S_NO_ERROR;
}

static const IWbemEventProviderVtbl events_vtbl = {
  events_QueryInterface,
  events_AddRef,
  events_Release,
  events_ProvideEvents,
};

/* ---- IWbemEventProviderQuerySink --------------------------------------- */

static HRESULT WINAPI query_QueryInterface(IWbemEventProviderQuerySink *iface, REFIID riid, void **ppv) {
  return provider_query_interface(impl_from_IWbemEventProviderQuerySink(iface), riid, ppv);
}
static ULONG WINAPI query_AddRef(IWbemEventProviderQuerySink *iface) {
  return provider_add_ref(impl_from_IWbemEventProviderQuerySink(iface));
}
static ULONG WINAPI query_Release(IWbemEventProviderQuerySink *iface) {
  return provider_release(impl_from_IWbemEventProviderQuerySink(iface));
}

static HRESULT WINAPI query_NewQuery(IWbemEventProviderQuerySink *iface, ULONG id, LPWSTR language, LPWSTR query) {
  race_provider *p = impl_from_IWbemEventProviderQuerySink(iface);
  (void)id; (void)language; (void)query;
  EnterCriticalSection(&p->lock);
  p->active_queries++;
  LeaveCriticalSection(&p->lock);
  return WBEM_S_NO_ERROR;
}

static HRESULT WINAPI query_CancelQuery(IWbemEventProviderQuerySink *iface, ULONG id) {
  race_provider *p = impl_from_IWbemEventProviderQuerySink(iface);
  (void)id;
  EnterCriticalSection(&p->lock);
  if (p->active_queries > 0)
    p->active_queries--;
  LeaveCriticalSection(&p->lock);
  return WBEM_S_NO_ERROR;
}

static const IWbemEventProviderQuerySinkVtbl query_vtbl = {
  query_QueryInterface,
  query_AddRef,
  query_Release,
  query_NewQuery,
  query_CancelQuery,
};

/* ---- IWbemEventProviderSecurity ---------------------------------------- */

static HRESULT WINAPI security_QueryInterface(IWbemEventProviderSecurity *iface, REFIID riid, void **ppv) {
  return provider_query_interface(impl_from_IWbemEventProviderSecurity(iface), riid, ppv);
}
static ULONG WINAPI security_AddRef(IWbemEventProviderSecurity *iface) {
  return provider_add_ref(impl_from_IWbemEventProviderSecurity(iface));
}
static ULONG WINAPI security_Release(IWbemEventProviderSecurity *iface) {
  return provider_release(impl_from_IWbemEventProviderSecurity(iface));
}

static HRESULT WINAPI security_AccessCheck(IWbemEventProviderSecurity *iface, LPCWSTR language, LPCWSTR query,
                                           LONG sid_length, const BYTE *sid) {
  (void)iface; (void)language; (void)query;
  if (sid_length < 0 || (sid_length > 0 && !sid))
    return WBEM_E_INVALID_PARAMETER;
  return WBEM_S_NO_ERROR;
}

static const IWbemEventProviderSecurityVtbl security_vtbl = {
  security_QueryInterface,
  security_AddRef,
  security_Release,
  security_AccessCheck,
};

/* ---- class factory and exports ------------------------------------------ */

static HRESULT provider_create(REFIID riid, void **ppv) {
  race_provider *p = calloc(1, sizeof(*p));
  HRESULT hr;
  if (!p)
    return E_OUTOFMEMORY;
  p->IWbemProviderInit_iface.lpVtbl = &init_vtbl;
  p->IWbemEventProvider_iface.lpVtbl = &events_vtbl;
  p->IWbemEventProviderQuerySink_iface.lpVtbl = &query_vtbl;
  p->IWbemEventProviderSecurity_iface.lpVtbl = &security_vtbl;
  p->ref = 1;
  InitializeCriticalSection(&p->lock);
  p->stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
  if (!p->stop_event) {
    DeleteCriticalSection(&p->lock);
    free(p);
    return E_OUTOFMEMORY;
  }
  InterlockedIncrement(&object_count);
  hr = provider_query_interface(p, riid, ppv);
  provider_release(p);
  return hr;
}

static HRESULT WINAPI factory_QueryInterface(IClassFactory *iface, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IClassFactory)) {
    *ppv = iface;
    return S_OK;
  }
  *ppv = NULL;
  return E_NOINTERFACE;
}
static ULONG WINAPI factory_AddRef(IClassFactory *iface) { (void)iface; return 2; }
static ULONG WINAPI factory_Release(IClassFactory *iface) { (void)iface; return 1; }

static HRESULT WINAPI factory_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid, void **ppv) {
  (void)iface;
  if (!ppv)
    return E_POINTER;
  *ppv = NULL;
  if (outer)
    return CLASS_E_NOAGGREGATION;
  return provider_create(riid, ppv);
}

static HRESULT WINAPI factory_LockServer(IClassFactory *iface, BOOL lock) {
  (void)iface;
  if (lock)
    InterlockedIncrement(&server_locks);
  else
    InterlockedDecrement(&server_locks);
  return S_OK;
}

static const IClassFactoryVtbl factory_vtbl = {
  factory_QueryInterface,
  factory_AddRef,
  factory_Release,
  factory_CreateInstance,
  factory_LockServer,
};
static IClassFactory factory = { &factory_vtbl };

PROVIDER_EXPORT HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  *ppv = NULL;
  if (!IsEqualCLSID(clsid, &race_clsid))
    return CLASS_E_CLASSNOTAVAILABLE;
  return IClassFactory_QueryInterface(&factory, riid, ppv);
}

PROVIDER_EXPORT HRESULT WINAPI DllCanUnloadNow(void) {
  return (object_count == 0 && server_locks == 0) ? S_OK : S_FALSE;
}
