/* The provider object's core (IUnknown, IWbemProviderInit,
 * IWbemEventProvider), its class factory and the module exports'
 * helpers. The optional interfaces are in provider_query_sink.c,
 * provider_security.c and provider_identity.c. */
#include <stdlib.h>

#include "provider_skeleton.h"

PROVIDER_IMPL_FROM(IWbemProviderInit)
PROVIDER_IMPL_FROM(IWbemEventProvider)

static inline provider_class *impl_from_IClassFactory(IClassFactory *iface) {
  return CONTAINING_RECORD(iface, provider_class, IClassFactory_iface);
}

HRESULT provider_query_interface(provider_object *p, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IWbemProviderInit))
    *ppv = &p->IWbemProviderInit_iface;
  else if (IsEqualIID(riid, &IID_IWbemEventProvider))
    *ppv = &p->IWbemEventProvider_iface;
  else if (IsEqualIID(riid, &IID_IWbemEventProviderQuerySink) && p->IWbemEventProviderQuerySink_iface.lpVtbl)
    *ppv = &p->IWbemEventProviderQuerySink_iface;
  else if (IsEqualIID(riid, &IID_IWbemEventProviderSecurity) && p->IWbemEventProviderSecurity_iface.lpVtbl)
    *ppv = &p->IWbemEventProviderSecurity_iface;
  else if (IsEqualIID(riid, &IID_IWbemProviderIdentity) && p->IWbemProviderIdentity_iface.lpVtbl)
    *ppv = &p->IWbemProviderIdentity_iface;
  else {
    *ppv = NULL;
    return E_NOINTERFACE;
  }
  InterlockedIncrement(&p->ref);
  return S_OK;
}

ULONG provider_add_ref(provider_object *p) {
  return InterlockedIncrement(&p->ref);
}

ULONG provider_release(provider_object *p) {
  const provider_hooks *hooks = p->cls->hooks;
  provider_class *cls = p->cls;
  ULONG ref = InterlockedDecrement(&p->ref);
  if (ref)
    return ref;
  if (hooks->final_release)
    hooks->final_release(p);
  if (p->sink)
    IWbemObjectSink_Release(p->sink);
  if (p->event_class)
    IWbemClassObject_Release(p->event_class);
  if (p->services)
    IWbemServices_Release(p->services);
  if (hooks->destroy)
    hooks->destroy(p);
  if (hooks->locked)
    DeleteCriticalSection(&p->lock);
  free(p);
  InterlockedDecrement(&cls->objects);
  return 0;
}

/* ---- IWbemProviderInit -------------------------------------------------- */

PROVIDER_IUNKNOWN_METHODS(IWbemProviderInit, init)

/* Keeps services, looks the event class up with the context given (a
 * dependent call must pass it), then reports the outcome. */
static HRESULT WINAPI init_Initialize(IWbemProviderInit *iface, LPWSTR user, LONG flags, LPWSTR ns,
                                      LPWSTR locale, IWbemServices *services, IWbemContext *ctx,
                                      IWbemProviderInitSink *init_sink) {
  provider_object *p = impl_from_IWbemProviderInit(iface);
  const provider_hooks *hooks = p->cls->hooks;
  HRESULT hr = WBEM_S_NO_ERROR;
  if (!services || !init_sink)
    return WBEM_E_INVALID_PARAMETER;
  IWbemServices_AddRef(services);
  p->services = services;
  if (hooks->event_class) {
    BSTR name = SysAllocString(hooks->event_class);
    hr = IWbemServices_GetObject(services, name, 0, ctx, &p->event_class, NULL);
    SysFreeString(name);
  }
  if (hooks->initialize)
    return hooks->initialize(p, user, flags, ns, locale, ctx, init_sink);
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

PROVIDER_IUNKNOWN_METHODS(IWbemEventProvider, events)

/* Keeps the sink (a later call replaces it) and returns at once. */
static HRESULT WINAPI events_ProvideEvents(IWbemEventProvider *iface, IWbemObjectSink *sink, LONG flags) {
  provider_object *p = impl_from_IWbemEventProvider(iface);
  const provider_hooks *hooks = p->cls->hooks;
  IWbemObjectSink *old;
  if (!sink)
    return WBEM_E_INVALID_PARAMETER;
  IWbemObjectSink_AddRef(sink);
  if (hooks->locked) {
    EnterCriticalSection(&p->lock);
    old = p->sink;
    p->sink = sink;
    LeaveCriticalSection(&p->lock);
  } else {
    old = InterlockedExchangePointer((void **)&p->sink, sink);
  }
  if (old)
    IWbemObjectSink_Release(old);
  return hooks->provide_events ? hooks->provide_events(p, sink, flags) : WBEM_S_NO_ERROR;
}

static const IWbemEventProviderVtbl events_vtbl = {
  events_QueryInterface,
  events_AddRef,
  events_Release,
  events_ProvideEvents,
};

/* ---- IClassFactory ------------------------------------------------------ */

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

/* The factory is static: it lives as long as the module. */
static ULONG WINAPI factory_AddRef(IClassFactory *iface) { (void)iface; return 2; }
static ULONG WINAPI factory_Release(IClassFactory *iface) { (void)iface; return 1; }

static HRESULT WINAPI factory_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid, void **ppv) {
  provider_class *cls = impl_from_IClassFactory(iface);
  const provider_hooks *hooks = cls->hooks;
  provider_object *p;
  HRESULT hr;
  if (!ppv)
    return E_POINTER;
  *ppv = NULL;
  if (outer)
    return CLASS_E_NOAGGREGATION;
  if (!(p = calloc(1, hooks->size > sizeof(*p) ? hooks->size : sizeof(*p))))
    return E_OUTOFMEMORY;
  p->IWbemProviderInit_iface.lpVtbl = &init_vtbl;
  p->IWbemEventProvider_iface.lpVtbl = &events_vtbl;
  p->IWbemEventProviderQuerySink_iface.lpVtbl = hooks->query_sink;
  p->IWbemEventProviderSecurity_iface.lpVtbl = hooks->security;
  p->IWbemProviderIdentity_iface.lpVtbl = hooks->identity;
  p->ref = 1;
  p->cls = cls;
  if (hooks->locked)
    InitializeCriticalSection(&p->lock);
  if (hooks->construct && FAILED(hr = hooks->construct(p))) {
    if (hooks->locked)
      DeleteCriticalSection(&p->lock);
    free(p);
    return hr;
  }
  InterlockedIncrement(&cls->objects);
  hr = provider_query_interface(p, riid, ppv);
  provider_release(p);
  return hr;
}

static HRESULT WINAPI factory_LockServer(IClassFactory *iface, BOOL lock) {
  provider_class *cls = impl_from_IClassFactory(iface);
  if (lock)
    InterlockedIncrement(&cls->locks);
  else
    InterlockedDecrement(&cls->locks);
  return S_OK;
}

const IClassFactoryVtbl provider_class_factory_vtbl = {
  factory_QueryInterface,
  factory_AddRef,
  factory_Release,
  factory_CreateInstance,
  factory_LockServer,
};

/* ---- module exports ----------------------------------------------------- */

HRESULT provider_get_class_object(provider_class *cls, REFCLSID clsid, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  *ppv = NULL;
  if (!cls->hooks->clsid || !IsEqualCLSID(clsid, cls->hooks->clsid))
    return CLASS_E_CLASSNOTAVAILABLE;
  return IClassFactory_QueryInterface(&cls->IClassFactory_iface, riid, ppv);
}

/* The counts change under Interlocked operations on other threads (a
 * provider thread ending its work): read them the same way. */
static LONG read_count(const LONG *count) {
  return InterlockedCompareExchange((LONG *)count, 0, 0);
}

HRESULT provider_can_unload_now(const provider_class *cls) {
  return read_count(&cls->objects) == 0 && read_count(&cls->locks) == 0 && read_count(&cls->busy) == 0
         ? S_OK : S_FALSE;
}
