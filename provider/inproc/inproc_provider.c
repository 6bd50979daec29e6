/* The in-process provider of inproc_provider.h: IWbemProviderInit and
 * IWbemEventProvider on one object, and a static class factory. */
#define COBJMACROS
#define CONST_VTABLE
#include "inproc_provider.h"

#include <stdlib.h>

typedef struct {
  IWbemProviderInit IWbemProviderInit_iface;
  IWbemEventProvider IWbemEventProvider_iface;
  LONG ref;
  IWbemObjectSink *sink;
} inproc_provider_t;

static inproc_provider_t *live;

static inproc_provider_t *impl_from_IWbemProviderInit(IWbemProviderInit *iface) {
  return CONTAINING_RECORD(iface, inproc_provider_t, IWbemProviderInit_iface);
}

static inproc_provider_t *impl_from_IWbemEventProvider(IWbemEventProvider *iface) {
  return CONTAINING_RECORD(iface, inproc_provider_t, IWbemEventProvider_iface);
}

static HRESULT provider_qi(inproc_provider_t *p, REFIID riid, void **ppv) {
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IWbemProviderInit))
    *ppv = &p->IWbemProviderInit_iface;
  else if (IsEqualIID(riid, &IID_IWbemEventProvider))
    *ppv = &p->IWbemEventProvider_iface;
  else {
    *ppv = NULL;
    return E_NOINTERFACE;
  }
  InterlockedIncrement(&p->ref);
  return S_OK;
}

static ULONG provider_release(inproc_provider_t *p) {
  ULONG ref = InterlockedDecrement(&p->ref);
  if (!ref) {
    if (p->sink)
      IWbemObjectSink_Release(p->sink);
    if (live == p)
      live = NULL;
    free(p);
  }
  return ref;
}

/* ---- IWbemProviderInit ----------------------------------------------------- */

static HRESULT WINAPI init_QueryInterface(IWbemProviderInit *iface, REFIID riid, void **ppv) {
  return provider_qi(impl_from_IWbemProviderInit(iface), riid, ppv);
}

static ULONG WINAPI init_AddRef(IWbemProviderInit *iface) {
  return InterlockedIncrement(&impl_from_IWbemProviderInit(iface)->ref);
}

static ULONG WINAPI init_Release(IWbemProviderInit *iface) {
  return provider_release(impl_from_IWbemProviderInit(iface));
}

static HRESULT WINAPI init_Initialize(IWbemProviderInit *iface, LPWSTR user, LONG flags,
                                      LPWSTR ns, LPWSTR locale, IWbemServices *services,
                                      IWbemContext *ctx, IWbemProviderInitSink *sink) {
  (void)iface; (void)user; (void)flags; (void)ns; (void)locale; (void)services; (void)ctx;
  return IWbemProviderInitSink_SetStatus(sink, WBEM_S_INITIALIZED, 0);
}

static const IWbemProviderInitVtbl init_vtbl = {
  init_QueryInterface,
  init_AddRef,
  init_Release,
  init_Initialize,
};

/* ---- IWbemEventProvider ---------------------------------------------------- */

static HRESULT WINAPI events_QueryInterface(IWbemEventProvider *iface, REFIID riid, void **ppv) {
  return provider_qi(impl_from_IWbemEventProvider(iface), riid, ppv);
}

static ULONG WINAPI events_AddRef(IWbemEventProvider *iface) {
  return InterlockedIncrement(&impl_from_IWbemEventProvider(iface)->ref);
}

static ULONG WINAPI events_Release(IWbemEventProvider *iface) {
  return provider_release(impl_from_IWbemEventProvider(iface));
}

static HRESULT WINAPI events_ProvideEvents(IWbemEventProvider *iface, IWbemObjectSink *sink,
                                           LONG flags) {
  inproc_provider_t *p = impl_from_IWbemEventProvider(iface);
  (void)flags;
  IWbemObjectSink_AddRef(sink);
  if (p->sink)
    IWbemObjectSink_Release(p->sink);
  p->sink = sink;
  return S_OK;
}

static const IWbemEventProviderVtbl events_vtbl = {
  events_QueryInterface,
  events_AddRef,
  events_Release,
  events_ProvideEvents,
};

/* ---- IClassFactory (static) ------------------------------------------------ */

static HRESULT WINAPI factory_QueryInterface(IClassFactory *iface, REFIID riid, void **ppv) {
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IClassFactory)) {
    *ppv = iface;
    return S_OK;
  }
  *ppv = NULL;
  return E_NOINTERFACE;
}

static ULONG WINAPI factory_AddRef(IClassFactory *iface) { (void)iface; return 2; }
static ULONG WINAPI factory_Release(IClassFactory *iface) { (void)iface; return 1; }

static HRESULT WINAPI factory_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid,
                                             void **ppv) {
  inproc_provider_t *p;
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
  p->ref = 1;
  live = p;
  hr = provider_qi(p, riid, ppv);
  provider_release(p);
  return hr;
}

static HRESULT WINAPI factory_LockServer(IClassFactory *iface, BOOL lock) {
  (void)iface; (void)lock;
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

IClassFactory *inproc_provider_factory(void) {
  return &factory;
}

IWbemObjectSink *inproc_provider_sink(void) {
  return live ? live->sink : NULL;
}
