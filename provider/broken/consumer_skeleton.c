/* The skeleton of the broken event consumer providers (consumer_skeleton.h). */
#include "consumer_skeleton.h"

#include <stdlib.h>

#ifdef _WIN32
#define PROVIDER_EXPORT
#else
#define PROVIDER_EXPORT __attribute__((visibility("default")))
#endif

static LONG object_count;

/* ---- the sink of a logical consumer ---- */

typedef struct {
  IWbemUnboundObjectSink IWbemUnboundObjectSink_iface;
  LONG ref;
} consumer_sink;

static inline consumer_sink *impl_from_IWbemUnboundObjectSink(IWbemUnboundObjectSink *iface) {
  return CONTAINING_RECORD(iface, consumer_sink, IWbemUnboundObjectSink_iface);
}

static HRESULT WINAPI sink_QueryInterface(IWbemUnboundObjectSink *iface, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IWbemUnboundObjectSink)) {
    *ppv = iface;
    IWbemUnboundObjectSink_AddRef(iface);
    return S_OK;
  }
  *ppv = NULL;
  return E_NOINTERFACE;
}

static ULONG WINAPI sink_AddRef(IWbemUnboundObjectSink *iface) {
  return InterlockedIncrement(&impl_from_IWbemUnboundObjectSink(iface)->ref);
}

static ULONG WINAPI sink_Release(IWbemUnboundObjectSink *iface) {
  consumer_sink *s = impl_from_IWbemUnboundObjectSink(iface);
  ULONG ref = InterlockedDecrement(&s->ref);
  if (ref)
    return ref;
  if (broken_consumer_provider_hooks.sink_released)
    broken_consumer_provider_hooks.sink_released();
  free(s);
  InterlockedDecrement(&object_count);
  return 0;
}

static HRESULT WINAPI sink_IndicateToConsumer(IWbemUnboundObjectSink *iface, IWbemClassObject *logical_consumer,
                                              LONG count, IWbemClassObject **events) {
  (void)iface;
  if (broken_consumer_provider_hooks.indicate)
    return broken_consumer_provider_hooks.indicate(logical_consumer, count, events);
  return WBEM_S_NO_ERROR;
}

static const IWbemUnboundObjectSinkVtbl sink_vtbl = {
  sink_QueryInterface, sink_AddRef, sink_Release, sink_IndicateToConsumer,
};

HRESULT broken_consumer_sink_create(IWbemUnboundObjectSink **out) {
  consumer_sink *s = calloc(1, sizeof(*s));
  *out = NULL;
  if (!s)
    return E_OUTOFMEMORY;
  s->IWbemUnboundObjectSink_iface.lpVtbl = &sink_vtbl;
  s->ref = 1;
  InterlockedIncrement(&object_count);
  *out = &s->IWbemUnboundObjectSink_iface;
  return S_OK;
}

/* ---- the provider ---- */

typedef struct {
  IWbemProviderInit IWbemProviderInit_iface;
  IWbemEventConsumerProvider IWbemEventConsumerProvider_iface;
  LONG ref;
} consumer_provider;

static inline consumer_provider *impl_from_IWbemProviderInit(IWbemProviderInit *iface) {
  return CONTAINING_RECORD(iface, consumer_provider, IWbemProviderInit_iface);
}
static inline consumer_provider *impl_from_IWbemEventConsumerProvider(IWbemEventConsumerProvider *iface) {
  return CONTAINING_RECORD(iface, consumer_provider, IWbemEventConsumerProvider_iface);
}

static HRESULT provider_qi(consumer_provider *p, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IWbemProviderInit))
    *ppv = &p->IWbemProviderInit_iface;
  else if (IsEqualIID(riid, &IID_IWbemEventConsumerProvider))
    *ppv = &p->IWbemEventConsumerProvider_iface;
  else {
    *ppv = NULL;
    return E_NOINTERFACE;
  }
  InterlockedIncrement(&p->ref);
  return S_OK;
}

static ULONG provider_release(consumer_provider *p) {
  ULONG ref = InterlockedDecrement(&p->ref);
  if (ref)
    return ref;
  free(p);
  InterlockedDecrement(&object_count);
  return 0;
}

static HRESULT WINAPI init_QueryInterface(IWbemProviderInit *iface, REFIID riid, void **ppv) {
  return provider_qi(impl_from_IWbemProviderInit(iface), riid, ppv);
}
static ULONG WINAPI init_AddRef(IWbemProviderInit *iface) {
  return InterlockedIncrement(&impl_from_IWbemProviderInit(iface)->ref);
}
static ULONG WINAPI init_Release(IWbemProviderInit *iface) {
  return provider_release(impl_from_IWbemProviderInit(iface));
}
static HRESULT WINAPI init_Initialize(IWbemProviderInit *iface, LPWSTR user, LONG flags, LPWSTR ns, LPWSTR locale,
                                      IWbemServices *services, IWbemContext *ctx, IWbemProviderInitSink *sink) {
  (void)iface; (void)user; (void)flags; (void)ns; (void)locale; (void)services; (void)ctx;
  if (!sink)
    return WBEM_E_INVALID_PARAMETER;
  IWbemProviderInitSink_SetStatus(sink, WBEM_S_INITIALIZED, 0);
  return WBEM_S_NO_ERROR;
}
static const IWbemProviderInitVtbl init_vtbl = { init_QueryInterface, init_AddRef, init_Release, init_Initialize };

static HRESULT WINAPI ecp_QueryInterface(IWbemEventConsumerProvider *iface, REFIID riid, void **ppv) {
  return provider_qi(impl_from_IWbemEventConsumerProvider(iface), riid, ppv);
}
static ULONG WINAPI ecp_AddRef(IWbemEventConsumerProvider *iface) {
  return InterlockedIncrement(&impl_from_IWbemEventConsumerProvider(iface)->ref);
}
static ULONG WINAPI ecp_Release(IWbemEventConsumerProvider *iface) {
  return provider_release(impl_from_IWbemEventConsumerProvider(iface));
}
static HRESULT WINAPI ecp_FindConsumer(IWbemEventConsumerProvider *iface, IWbemClassObject *logical_consumer,
                                       IWbemUnboundObjectSink **out) {
  (void)iface;
  if (!out)
    return WBEM_E_INVALID_PARAMETER;
  if (broken_consumer_provider_hooks.find_consumer)
    return broken_consumer_provider_hooks.find_consumer(logical_consumer, out);
  return broken_consumer_sink_create(out);
}
static const IWbemEventConsumerProviderVtbl ecp_vtbl = { ecp_QueryInterface, ecp_AddRef, ecp_Release,
                                                         ecp_FindConsumer };

/* ---- class factory and exports ---- */

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
static ULONG WINAPI factory_AddRef(IClassFactory *iface) {
  (void)iface;
  return 2;
}
static ULONG WINAPI factory_Release(IClassFactory *iface) {
  (void)iface;
  return 1;
}
static HRESULT WINAPI factory_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid, void **ppv) {
  consumer_provider *p;
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
  p->IWbemEventConsumerProvider_iface.lpVtbl = &ecp_vtbl;
  p->ref = 1;
  InterlockedIncrement(&object_count);
  hr = provider_qi(p, riid, ppv);
  provider_release(p);
  return hr;
}
static HRESULT WINAPI factory_LockServer(IClassFactory *iface, BOOL lock) {
  (void)iface; (void)lock;
  return S_OK;
}
static const IClassFactoryVtbl factory_vtbl = { factory_QueryInterface, factory_AddRef, factory_Release,
                                                factory_CreateInstance, factory_LockServer };
static IClassFactory factory = { &factory_vtbl };

PROVIDER_EXPORT HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  *ppv = NULL;
  if (!IsEqualCLSID(clsid, &broken_consumer_clsid))
    return CLASS_E_CLASSNOTAVAILABLE;
  return IClassFactory_QueryInterface(&factory, riid, ppv);
}

PROVIDER_EXPORT HRESULT WINAPI DllCanUnloadNow(void) {
  return object_count == 0 ? S_OK : S_FALSE;
}
