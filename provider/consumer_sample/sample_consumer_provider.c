/*
 * SampleConsumerProvider: an event consumer provider written as for Windows
 * ("Writing an Event Consumer Provider",
 * https://learn.microsoft.com/en-us/windows/win32/wmisdk/writing-an-event-consumer-provider).
 * Its MOF registers it with __EventConsumerProviderRegistration for the
 * logical consumer class SampleFileConsumer. When a __FilterToConsumerBinding
 * names an instance of that class, WMI loads the provider, initialises it
 * (IWbemProviderInit) and asks IWbemEventConsumerProvider::FindConsumer for
 * the instance's sink (sample_file_sink.c), which receives the binding's
 * events through IWbemUnboundObjectSink::IndicateToConsumer.
 */
#include "sample_consumer.h"

#include <stdlib.h>

#ifdef _WIN32
#define PROVIDER_EXPORT
#else
#define PROVIDER_EXPORT __attribute__((visibility("default")))
#endif

/* {3c6f1a2e-5b7d-4e19-9f08-6a2d4c8b1e73} */
static const CLSID CLSID_SampleConsumerProvider =
    { 0x3c6f1a2e, 0x5b7d, 0x4e19, { 0x9f, 0x08, 0x6a, 0x2d, 0x4c, 0x8b, 0x1e, 0x73 } };

LONG sample_object_count;
static LONG server_locks;

typedef struct {
    IWbemProviderInit IWbemProviderInit_iface;
    IWbemEventConsumerProvider IWbemEventConsumerProvider_iface;
    LONG ref;
} consumer_provider;

static inline consumer_provider *impl_from_IWbemProviderInit(IWbemProviderInit *iface)
{
    return CONTAINING_RECORD(iface, consumer_provider, IWbemProviderInit_iface);
}
static inline consumer_provider *impl_from_IWbemEventConsumerProvider(IWbemEventConsumerProvider *iface)
{
    return CONTAINING_RECORD(iface, consumer_provider, IWbemEventConsumerProvider_iface);
}

static HRESULT provider_query_interface(consumer_provider *p, REFIID riid, void **ppv)
{
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

static ULONG provider_release(consumer_provider *p)
{
    ULONG ref = InterlockedDecrement(&p->ref);
    if (ref)
        return ref;
    free(p);
    InterlockedDecrement(&sample_object_count);
    return 0;
}

/* ---- IWbemProviderInit ---- */

static HRESULT WINAPI init_QueryInterface(IWbemProviderInit *iface, REFIID riid, void **ppv)
{
    return provider_query_interface(impl_from_IWbemProviderInit(iface), riid, ppv);
}
static ULONG WINAPI init_AddRef(IWbemProviderInit *iface)
{
    return InterlockedIncrement(&impl_from_IWbemProviderInit(iface)->ref);
}
static ULONG WINAPI init_Release(IWbemProviderInit *iface)
{
    return provider_release(impl_from_IWbemProviderInit(iface));
}

/* Nothing to prepare: each logical consumer carries its own settings. */
static HRESULT WINAPI init_Initialize(IWbemProviderInit *iface, LPWSTR user, LONG flags, LPWSTR ns,
                                      LPWSTR locale, IWbemServices *services, IWbemContext *ctx,
                                      IWbemProviderInitSink *init_sink)
{
    (void)iface;
    (void)user;
    (void)flags;
    (void)ns;
    (void)locale;
    (void)services;
    (void)ctx;
    if (!init_sink)
        return WBEM_E_INVALID_PARAMETER;
    IWbemProviderInitSink_SetStatus(init_sink, WBEM_S_INITIALIZED, 0);
    return WBEM_S_NO_ERROR;
}

static const IWbemProviderInitVtbl init_vtbl = {
    init_QueryInterface,
    init_AddRef,
    init_Release,
    init_Initialize,
};

/* ---- IWbemEventConsumerProvider ---- */

static HRESULT WINAPI ecp_QueryInterface(IWbemEventConsumerProvider *iface, REFIID riid, void **ppv)
{
    return provider_query_interface(impl_from_IWbemEventConsumerProvider(iface), riid, ppv);
}
static ULONG WINAPI ecp_AddRef(IWbemEventConsumerProvider *iface)
{
    return InterlockedIncrement(&impl_from_IWbemEventConsumerProvider(iface)->ref);
}
static ULONG WINAPI ecp_Release(IWbemEventConsumerProvider *iface)
{
    return provider_release(impl_from_IWbemEventConsumerProvider(iface));
}

/* The sink of one logical consumer: a SampleFileConsumer instance, whose
 * FileName says where its events go. */
static HRESULT WINAPI ecp_FindConsumer(IWbemEventConsumerProvider *iface, IWbemClassObject *logical_consumer,
                                       IWbemUnboundObjectSink **consumer)
{
    VARIANT v;
    HRESULT hr;
    (void)iface;
    if (!consumer)
        return WBEM_E_INVALID_PARAMETER;
    *consumer = NULL;
    if (!logical_consumer)
        return WBEM_E_INVALID_PARAMETER;
    VariantInit(&v);
    hr = IWbemClassObject_Get(logical_consumer, L"FileName", 0, &v, NULL, NULL);
    if (SUCCEEDED(hr) && (V_VT(&v) != VT_BSTR || !V_BSTR(&v) || !V_BSTR(&v)[0]))
        hr = WBEM_E_INVALID_PARAMETER;   /* no file to write to */
    if (SUCCEEDED(hr))
        hr = sample_file_sink_create(V_BSTR(&v), consumer);
    VariantClear(&v);
    return hr;
}

static const IWbemEventConsumerProviderVtbl ecp_vtbl = {
    ecp_QueryInterface,
    ecp_AddRef,
    ecp_Release,
    ecp_FindConsumer,
};

/* ---- class factory and exports ---- */

static HRESULT provider_create(REFIID riid, void **ppv)
{
    consumer_provider *p = calloc(1, sizeof(*p));
    HRESULT hr;
    if (!p)
        return E_OUTOFMEMORY;
    p->IWbemProviderInit_iface.lpVtbl = &init_vtbl;
    p->IWbemEventConsumerProvider_iface.lpVtbl = &ecp_vtbl;
    p->ref = 1;
    InterlockedIncrement(&sample_object_count);
    hr = provider_query_interface(p, riid, ppv);
    provider_release(p);
    return hr;
}

static HRESULT WINAPI factory_QueryInterface(IClassFactory *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IClassFactory)) {
        *ppv = iface;
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}
static ULONG WINAPI factory_AddRef(IClassFactory *iface)
{
    (void)iface;
    return 2;
}
static ULONG WINAPI factory_Release(IClassFactory *iface)
{
    (void)iface;
    return 1;
}
static HRESULT WINAPI factory_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid, void **ppv)
{
    (void)iface;
    if (!ppv)
        return E_POINTER;
    *ppv = NULL;
    if (outer)
        return CLASS_E_NOAGGREGATION;
    return provider_create(riid, ppv);
}
static HRESULT WINAPI factory_LockServer(IClassFactory *iface, BOOL lock)
{
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

PROVIDER_EXPORT HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    *ppv = NULL;
    if (!IsEqualCLSID(clsid, &CLSID_SampleConsumerProvider))
        return CLASS_E_CLASSNOTAVAILABLE;
    return IClassFactory_QueryInterface(&factory, riid, ppv);
}

PROVIDER_EXPORT HRESULT WINAPI DllCanUnloadNow(void)
{
    return (sample_object_count == 0 && server_locks == 0) ? S_OK : S_FALSE;
}
