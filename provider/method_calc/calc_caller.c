/*
 * CalcCallerProvider: an event provider, written as for Windows, that
 * calls methods another provider implements ("Calling a Method"): for each
 * new query it schedules, on a timer queue of its own (not on the thread
 * WMI lends for NewQuery), two IWbemServices::ExecMethod calls on
 * Calc_Counter -- the static Add(A=2, B=40) on the class and Scale(Factor=3)
 * on the instance Name="ten" -- building the in-parameters from the
 * method's __PARAMETERS class, and indicates one Calc_Result per call with
 * the out-parameters it got back.
 */
#define COBJMACROS
#define CONST_VTABLE
#include <windows.h>
#include <wbemprov.h>
#include <stdlib.h>

#ifdef _WIN32
#define PROVIDER_EXPORT
#else
#define PROVIDER_EXPORT __attribute__((visibility("default")))
#endif

/* {6d0a2f4e-91c3-4b7a-8e15-2c7f9a3b5d62} */
static const CLSID CLSID_CalcCallerProvider =
    { 0x6d0a2f4e, 0x91c3, 0x4b7a, { 0x8e, 0x15, 0x2c, 0x7f, 0x9a, 0x3b, 0x5d, 0x62 } };

static LONG object_count;
static LONG server_locks;

typedef struct {
    IWbemProviderInit IWbemProviderInit_iface;
    IWbemEventProvider IWbemEventProvider_iface;
    IWbemEventProviderQuerySink IWbemEventProviderQuerySink_iface;
    LONG ref;

    SRWLOCK lock;                  /* guards sink */
    IWbemObjectSink *sink;
    IWbemServices *services;       /* Initialize's, read-only after */
    IWbemClassObject *counter;     /* Calc_Counter */
    IWbemClassObject *result;      /* Calc_Result */
    HANDLE queue;                  /* the calls' timer queue */
} caller_provider;

static inline caller_provider *impl_from_IWbemProviderInit(IWbemProviderInit *iface)
{
    return CONTAINING_RECORD(iface, caller_provider, IWbemProviderInit_iface);
}
static inline caller_provider *impl_from_IWbemEventProvider(IWbemEventProvider *iface)
{
    return CONTAINING_RECORD(iface, caller_provider, IWbemEventProvider_iface);
}
static inline caller_provider *impl_from_IWbemEventProviderQuerySink(IWbemEventProviderQuerySink *iface)
{
    return CONTAINING_RECORD(iface, caller_provider, IWbemEventProviderQuerySink_iface);
}

static HRESULT provider_query_interface(caller_provider *p, REFIID riid, void **ppv)
{
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

static ULONG provider_add_ref(caller_provider *p)
{
    return InterlockedIncrement(&p->ref);
}

static ULONG provider_release(caller_provider *p)
{
    ULONG ref = InterlockedDecrement(&p->ref);
    if (ref)
        return ref;
    /* Waits for a call in progress: none runs after this. */
    if (p->queue)
        DeleteTimerQueueEx(p->queue, INVALID_HANDLE_VALUE);
    if (p->sink)
        IWbemObjectSink_Release(p->sink);
    if (p->result)
        IWbemClassObject_Release(p->result);
    if (p->counter)
        IWbemClassObject_Release(p->counter);
    if (p->services)
        IWbemServices_Release(p->services);
    free(p);
    InterlockedDecrement(&object_count);
    return 0;
}

/* ---- the calls ---- */

static HRESULT put_u4(IWbemClassObject *obj, LPCWSTR name, LONG value)
{
    VARIANT v;
    V_VT(&v) = VT_I4;
    V_I4(&v) = value;
    return IWbemClassObject_Put(obj, name, 0, &v, 0);
}

static LONG get_u4(IWbemClassObject *obj, LPCWSTR name)
{
    VARIANT v;
    LONG value = 0;
    VariantInit(&v);
    if (obj && SUCCEEDED(IWbemClassObject_Get(obj, name, 0, &v, NULL, NULL)) && V_VT(&v) == VT_I4)
        value = V_I4(&v);
    VariantClear(&v);
    return value;
}

/* Calls method on path with one or two uint32 in-parameters and
 * indicates a Calc_Result with what came back. */
static void call_and_report(caller_provider *p, IWbemObjectSink *sink, LPCWSTR path, LPCWSTR method,
                            LPCWSTR name1, LONG value1, LPCWSTR name2, LONG value2, LPCWSTR out_name)
{
    IWbemClassObject *in_class = NULL, *in = NULL, *out = NULL, *event = NULL;
    BSTR bpath = SysAllocString(path), bmethod = SysAllocString(method);
    VARIANT v;
    HRESULT hr = IWbemClassObject_GetMethod(p->counter, method, 0, &in_class, NULL);
    if (SUCCEEDED(hr))
        hr = IWbemClassObject_SpawnInstance(in_class, 0, &in);
    if (SUCCEEDED(hr))
        hr = put_u4(in, name1, value1);
    if (SUCCEEDED(hr) && name2)
        hr = put_u4(in, name2, value2);
    if (SUCCEEDED(hr))
        hr = IWbemServices_ExecMethod(p->services, bpath, bmethod, 0, NULL, in, &out, NULL);
    if (SUCCEEDED(IWbemClassObject_SpawnInstance(p->result, 0, &event))) {
        V_VT(&v) = VT_BSTR;
        V_BSTR(&v) = bmethod;
        IWbemClassObject_Put(event, L"Method", 0, &v, 0);
        put_u4(event, L"Status", hr);
        if (out) {
            put_u4(event, L"ReturnValue", get_u4(out, L"ReturnValue"));
            put_u4(event, L"Result", get_u4(out, out_name));
        }
        IWbemObjectSink_Indicate(sink, 1, &event);
        IWbemClassObject_Release(event);
    }
    if (out)
        IWbemClassObject_Release(out);
    if (in)
        IWbemClassObject_Release(in);
    if (in_class)
        IWbemClassObject_Release(in_class);
    SysFreeString(bpath);
    SysFreeString(bmethod);
}

static void CALLBACK on_calls(PVOID param, BOOLEAN timer_fired)
{
    caller_provider *p = param;
    IWbemObjectSink *sink = NULL;
    (void)timer_fired;
    AcquireSRWLockShared(&p->lock);
    if ((sink = p->sink))
        IWbemObjectSink_AddRef(sink);
    ReleaseSRWLockShared(&p->lock);
    if (!sink)
        return;
    call_and_report(p, sink, L"Calc_Counter", L"Add", L"A", 2, L"B", 40, L"Sum");
    call_and_report(p, sink, L"Calc_Counter.Name=\"ten\"", L"Scale", L"Factor", 3, NULL, 0, L"Result");
    IWbemObjectSink_Release(sink);
}

/* ---- IWbemProviderInit ---- */

static HRESULT WINAPI init_QueryInterface(IWbemProviderInit *iface, REFIID riid, void **ppv)
{
    return provider_query_interface(impl_from_IWbemProviderInit(iface), riid, ppv);
}
static ULONG WINAPI init_AddRef(IWbemProviderInit *iface)
{
    return provider_add_ref(impl_from_IWbemProviderInit(iface));
}
static ULONG WINAPI init_Release(IWbemProviderInit *iface)
{
    return provider_release(impl_from_IWbemProviderInit(iface));
}

static HRESULT get_class(IWbemServices *services, IWbemContext *ctx, LPCWSTR name, IWbemClassObject **out)
{
    BSTR b = SysAllocString(name);
    HRESULT hr = IWbemServices_GetObject(services, b, 0, ctx, out, NULL);
    SysFreeString(b);
    return hr;
}

static HRESULT WINAPI init_Initialize(IWbemProviderInit *iface, LPWSTR user, LONG flags, LPWSTR ns,
                                      LPWSTR locale, IWbemServices *services, IWbemContext *ctx,
                                      IWbemProviderInitSink *init_sink)
{
    caller_provider *p = impl_from_IWbemProviderInit(iface);
    HRESULT hr;
    (void)user;
    (void)flags;
    (void)ns;
    (void)locale;
    if (!services || !init_sink)
        return WBEM_E_INVALID_PARAMETER;
    IWbemServices_AddRef(services);
    p->services = services;
    hr = get_class(services, ctx, L"Calc_Counter", &p->counter);
    if (SUCCEEDED(hr))
        hr = get_class(services, ctx, L"Calc_Result", &p->result);
    if (SUCCEEDED(hr) && !(p->queue = CreateTimerQueue()))
        hr = WBEM_E_FAILED;
    IWbemProviderInitSink_SetStatus(init_sink, SUCCEEDED(hr) ? WBEM_S_INITIALIZED : WBEM_E_FAILED, 0);
    return WBEM_S_NO_ERROR;
}

static const IWbemProviderInitVtbl init_vtbl = {
    init_QueryInterface,
    init_AddRef,
    init_Release,
    init_Initialize,
};

/* ---- IWbemEventProvider ---- */

static HRESULT WINAPI events_QueryInterface(IWbemEventProvider *iface, REFIID riid, void **ppv)
{
    return provider_query_interface(impl_from_IWbemEventProvider(iface), riid, ppv);
}
static ULONG WINAPI events_AddRef(IWbemEventProvider *iface)
{
    return provider_add_ref(impl_from_IWbemEventProvider(iface));
}
static ULONG WINAPI events_Release(IWbemEventProvider *iface)
{
    return provider_release(impl_from_IWbemEventProvider(iface));
}

static HRESULT WINAPI events_ProvideEvents(IWbemEventProvider *iface, IWbemObjectSink *sink, LONG flags)
{
    caller_provider *p = impl_from_IWbemEventProvider(iface);
    (void)flags;
    if (!sink)
        return WBEM_E_INVALID_PARAMETER;
    IWbemObjectSink_AddRef(sink);
    AcquireSRWLockExclusive(&p->lock);
    if (p->sink)
        IWbemObjectSink_Release(p->sink);
    p->sink = sink;
    ReleaseSRWLockExclusive(&p->lock);
    return WBEM_S_NO_ERROR;
}

static const IWbemEventProviderVtbl events_vtbl = {
    events_QueryInterface,
    events_AddRef,
    events_Release,
    events_ProvideEvents,
};

/* ---- IWbemEventProviderQuerySink ---- */

static HRESULT WINAPI query_QueryInterface(IWbemEventProviderQuerySink *iface, REFIID riid, void **ppv)
{
    return provider_query_interface(impl_from_IWbemEventProviderQuerySink(iface), riid, ppv);
}
static ULONG WINAPI query_AddRef(IWbemEventProviderQuerySink *iface)
{
    return provider_add_ref(impl_from_IWbemEventProviderQuerySink(iface));
}
static ULONG WINAPI query_Release(IWbemEventProviderQuerySink *iface)
{
    return provider_release(impl_from_IWbemEventProviderQuerySink(iface));
}

/* The calls are made later, on the provider's own timer queue: NewQuery
 * returns at once. */
static HRESULT WINAPI query_NewQuery(IWbemEventProviderQuerySink *iface, ULONG id, LPWSTR language,
                                     LPWSTR query)
{
    caller_provider *p = impl_from_IWbemEventProviderQuerySink(iface);
    HANDLE timer;
    (void)id;
    (void)language;
    (void)query;
    if (!CreateTimerQueueTimer(&timer, p->queue, on_calls, p, 10, 0, WT_EXECUTEONLYONCE))
        return WBEM_E_FAILED;
    return WBEM_S_NO_ERROR;
}

static HRESULT WINAPI query_CancelQuery(IWbemEventProviderQuerySink *iface, ULONG id)
{
    (void)iface;
    (void)id;
    return WBEM_S_NO_ERROR;
}

static const IWbemEventProviderQuerySinkVtbl query_vtbl = {
    query_QueryInterface,
    query_AddRef,
    query_Release,
    query_NewQuery,
    query_CancelQuery,
};

static HRESULT provider_create(REFIID riid, void **ppv)
{
    caller_provider *p = calloc(1, sizeof(*p));
    HRESULT hr;
    if (!p)
        return E_OUTOFMEMORY;
    p->IWbemProviderInit_iface.lpVtbl = &init_vtbl;
    p->IWbemEventProvider_iface.lpVtbl = &events_vtbl;
    p->IWbemEventProviderQuerySink_iface.lpVtbl = &query_vtbl;
    p->ref = 1;
    InitializeSRWLock(&p->lock);
    InterlockedIncrement(&object_count);
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
    if (!IsEqualCLSID(clsid, &CLSID_CalcCallerProvider))
        return CLASS_E_CLASSNOTAVAILABLE;
    return IClassFactory_QueryInterface(&factory, riid, ppv);
}

PROVIDER_EXPORT HRESULT WINAPI DllCanUnloadNow(void)
{
    return (object_count == 0 && server_locks == 0) ? S_OK : S_FALSE;
}
