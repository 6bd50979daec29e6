/* The shared part of the broken providers: a correct extrinsic provider. */
#include <stdlib.h>

#include "skeleton.h"

#ifdef _WIN32
#define PROVIDER_EXPORT
#else
#define PROVIDER_EXPORT __attribute__((visibility("default")))
#endif

static LONG object_count;

static inline broken_provider *impl_from_IWbemProviderInit(IWbemProviderInit *iface) {
  return CONTAINING_RECORD(iface, broken_provider, IWbemProviderInit_iface);
}
static inline broken_provider *impl_from_IWbemEventProvider(IWbemEventProvider *iface) {
  return CONTAINING_RECORD(iface, broken_provider, IWbemEventProvider_iface);
}
static inline broken_provider *impl_from_IWbemEventProviderQuerySink(IWbemEventProviderQuerySink *iface) {
  return CONTAINING_RECORD(iface, broken_provider, IWbemEventProviderQuerySink_iface);
}

HRESULT broken_fire(broken_provider *p, IWbemObjectSink *sink, IWbemClassObject *event_class, LONG seq) {
  IWbemClassObject *event = NULL;
  VARIANT v;
  HRESULT hr = IWbemClassObject_SpawnInstance(event_class ? event_class : p->event_class, 0, &event);
  if (FAILED(hr))
    return hr;
  V_VT(&v) = VT_I4;
  V_I4(&v) = seq;
  IWbemClassObject_Put(event, L"Seq", 0, &v, 0);
  hr = IWbemObjectSink_Indicate(sink, 1, &event);
  IWbemClassObject_Release(event);
  return hr;
}

static HRESULT broken_query_interface(broken_provider *p, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IWbemProviderInit))
    *ppv = &p->IWbemProviderInit_iface;
  else if (IsEqualIID(riid, &IID_IWbemEventProvider))
    *ppv = &p->IWbemEventProvider_iface;
  else if (IsEqualIID(riid, &IID_IWbemEventProviderQuerySink))
    *ppv = &p->IWbemEventProviderQuerySink_iface;
  else {
    *ppv = NULL;
    return E_NOINTERFACE;
  }
  InterlockedIncrement(&p->ref);
  return S_OK;
}

static ULONG broken_release(broken_provider *p) {
  ULONG ref = InterlockedDecrement(&p->ref);
  if (ref)
    return ref;
  if (broken_provider_hooks.final_release)
    broken_provider_hooks.final_release(p);
  if (p->sink)
    IWbemObjectSink_Release(p->sink);
  if (p->event_class)
    IWbemClassObject_Release(p->event_class);
  if (p->services)
    IWbemServices_Release(p->services);
  free(p);
  InterlockedDecrement(&object_count);
  return 0;
}

static HRESULT WINAPI init_QueryInterface(IWbemProviderInit *iface, REFIID riid, void **ppv) {
  return broken_query_interface(impl_from_IWbemProviderInit(iface), riid, ppv);
}
static ULONG WINAPI init_AddRef(IWbemProviderInit *iface) {
  return InterlockedIncrement(&impl_from_IWbemProviderInit(iface)->ref);
}
static ULONG WINAPI init_Release(IWbemProviderInit *iface) {
  return broken_release(impl_from_IWbemProviderInit(iface));
}
static HRESULT WINAPI init_Initialize(IWbemProviderInit *iface, LPWSTR user, LONG flags, LPWSTR ns,
                                      LPWSTR locale, IWbemServices *services, IWbemContext *ctx,
                                      IWbemProviderInitSink *init_sink) {
  broken_provider *p = impl_from_IWbemProviderInit(iface);
  BSTR name;
  (void)user; (void)flags; (void)ns; (void)locale;
  if (!services || !init_sink)
    return WBEM_E_INVALID_PARAMETER;
  IWbemServices_AddRef(services);
  p->services = services;
  name = SysAllocString(L"BrokenEvent");
  IWbemServices_GetObject(services, name, 0, ctx, &p->event_class, NULL);
  SysFreeString(name);
  if (broken_provider_hooks.initialize)
    return broken_provider_hooks.initialize(p, ctx, init_sink);
  IWbemProviderInitSink_SetStatus(init_sink, WBEM_S_INITIALIZED, 0);
  return WBEM_S_NO_ERROR;
}
static const IWbemProviderInitVtbl init_vtbl = {
  init_QueryInterface, init_AddRef, init_Release, init_Initialize,
};

static HRESULT WINAPI events_QueryInterface(IWbemEventProvider *iface, REFIID riid, void **ppv) {
  return broken_query_interface(impl_from_IWbemEventProvider(iface), riid, ppv);
}
static ULONG WINAPI events_AddRef(IWbemEventProvider *iface) {
  return InterlockedIncrement(&impl_from_IWbemEventProvider(iface)->ref);
}
static ULONG WINAPI events_Release(IWbemEventProvider *iface) {
  return broken_release(impl_from_IWbemEventProvider(iface));
}
static HRESULT WINAPI events_ProvideEvents(IWbemEventProvider *iface, IWbemObjectSink *sink, LONG flags) {
  broken_provider *p = impl_from_IWbemEventProvider(iface);
  (void)flags;
  if (!sink)
    return WBEM_E_INVALID_PARAMETER;
  IWbemObjectSink_AddRef(sink);
  p->sink = sink;
  if (broken_provider_hooks.provide_events)
    return broken_provider_hooks.provide_events(p, sink);
  return WBEM_S_NO_ERROR;
}
static const IWbemEventProviderVtbl events_vtbl = {
  events_QueryInterface, events_AddRef, events_Release, events_ProvideEvents,
};

static HRESULT WINAPI query_QueryInterface(IWbemEventProviderQuerySink *iface, REFIID riid, void **ppv) {
  return broken_query_interface(impl_from_IWbemEventProviderQuerySink(iface), riid, ppv);
}
static ULONG WINAPI query_AddRef(IWbemEventProviderQuerySink *iface) {
  return InterlockedIncrement(&impl_from_IWbemEventProviderQuerySink(iface)->ref);
}
static ULONG WINAPI query_Release(IWbemEventProviderQuerySink *iface) {
  return broken_release(impl_from_IWbemEventProviderQuerySink(iface));
}
static HRESULT WINAPI query_NewQuery(IWbemEventProviderQuerySink *iface, ULONG id, LPWSTR lang, LPWSTR query) {
  broken_provider *p = impl_from_IWbemEventProviderQuerySink(iface);
  (void)lang;
  InterlockedIncrement(&p->queries);
  if (broken_provider_hooks.new_query)
    return broken_provider_hooks.new_query(p, id, query);
  return WBEM_S_NO_ERROR;
}
static HRESULT WINAPI query_CancelQuery(IWbemEventProviderQuerySink *iface, ULONG id) {
  (void)id;
  InterlockedDecrement(&impl_from_IWbemEventProviderQuerySink(iface)->queries);
  return WBEM_S_NO_ERROR;
}
static const IWbemEventProviderQuerySinkVtbl query_vtbl = {
  query_QueryInterface, query_AddRef, query_Release, query_NewQuery, query_CancelQuery,
};

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
  broken_provider *p;
  HRESULT hr;
  (void)iface;
  if (!ppv)
    return E_POINTER;
  *ppv = NULL;
  if (outer)
    return CLASS_E_NOAGGREGATION;
  if (!(p = calloc(1, sizeof(*p))))
    return E_OUTOFMEMORY;
  p->IWbemProviderInit_iface.lpVtbl = &init_vtbl;
  p->IWbemEventProvider_iface.lpVtbl = &events_vtbl;
  p->IWbemEventProviderQuerySink_iface.lpVtbl = &query_vtbl;
  p->ref = 1;
  InterlockedIncrement(&object_count);
  hr = broken_query_interface(p, riid, ppv);
  broken_release(p);
  return hr;
}
static HRESULT WINAPI factory_LockServer(IClassFactory *iface, BOOL lock) {
  (void)iface; (void)lock;
  return S_OK;
}
static const IClassFactoryVtbl factory_vtbl = {
  factory_QueryInterface, factory_AddRef, factory_Release, factory_CreateInstance, factory_LockServer,
};
static IClassFactory factory = { &factory_vtbl };

PROVIDER_EXPORT HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  *ppv = NULL;
  if (!IsEqualCLSID(clsid, &broken_clsid))
    return CLASS_E_CLASSNOTAVAILABLE;
  return IClassFactory_QueryInterface(&factory, riid, ppv);
}

/* Objects and threads of the hooks keep the module loaded. */
extern LONG broken_busy;
LONG broken_busy;

PROVIDER_EXPORT HRESULT WINAPI DllCanUnloadNow(void) {
  return object_count == 0 && broken_busy == 0 ? S_OK : S_FALSE;
}
