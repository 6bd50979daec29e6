/*
 * EnumRepoProvider: an event provider, written as for Windows, that reads
 * the repository through the IWbemServices WMI hands to Initialize. For
 * each new query it schedules a scan on a timer queue of its own:
 * - CreateInstanceEnum("EnumRepo_Item"), forward-only and semisynchronous,
 *   read with IEnumWbemClassObject::Next: one __InstanceCreationEvent per
 *   instance, TargetInstance the instance;
 * - ExecQuery("SELECT * FROM EnumRepo_Item WHERE Size > 10"): one
 *   EnumRepo_Summary with the query, the number of instances it returned
 *   and their names.
 */
#define COBJMACROS
#define CONST_VTABLE
#include <windows.h>
#include <wbemprov.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#define PROVIDER_EXPORT
#else
#define PROVIDER_EXPORT __attribute__((visibility("default")))
#endif

/* {a4c71e93-5b2d-4f08-9c6e-3d8b1f2a7e40} */
static const CLSID CLSID_EnumRepoProvider =
    { 0xa4c71e93, 0x5b2d, 0x4f08, { 0x9c, 0x6e, 0x3d, 0x8b, 0x1f, 0x2a, 0x7e, 0x40 } };

static const WCHAR large_items_query[] = L"SELECT * FROM EnumRepo_Item WHERE Size > 10";

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
    IWbemClassObject *creation;    /* __InstanceCreationEvent */
    IWbemClassObject *summary;     /* EnumRepo_Summary */
    HANDLE queue;                  /* the scans' timer queue */
} repo_provider;

static inline repo_provider *impl_from_IWbemProviderInit(IWbemProviderInit *iface)
{
    return CONTAINING_RECORD(iface, repo_provider, IWbemProviderInit_iface);
}
static inline repo_provider *impl_from_IWbemEventProvider(IWbemEventProvider *iface)
{
    return CONTAINING_RECORD(iface, repo_provider, IWbemEventProvider_iface);
}
static inline repo_provider *impl_from_IWbemEventProviderQuerySink(IWbemEventProviderQuerySink *iface)
{
    return CONTAINING_RECORD(iface, repo_provider, IWbemEventProviderQuerySink_iface);
}

static HRESULT provider_query_interface(repo_provider *p, REFIID riid, void **ppv)
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

static ULONG provider_add_ref(repo_provider *p)
{
    return InterlockedIncrement(&p->ref);
}

static ULONG provider_release(repo_provider *p)
{
    ULONG ref = InterlockedDecrement(&p->ref);
    if (ref)
        return ref;
    /* Waits for a scan in progress: none runs after this. */
    if (p->queue)
        DeleteTimerQueueEx(p->queue, INVALID_HANDLE_VALUE);
    if (p->sink)
        IWbemObjectSink_Release(p->sink);
    if (p->summary)
        IWbemClassObject_Release(p->summary);
    if (p->creation)
        IWbemClassObject_Release(p->creation);
    if (p->services)
        IWbemServices_Release(p->services);
    free(p);
    InterlockedDecrement(&object_count);
    return 0;
}

/* ---- the scan ---- */

static void indicate_creation(repo_provider *p, IWbemObjectSink *sink, IWbemClassObject *inst)
{
    IWbemClassObject *event = NULL;
    VARIANT v;
    if (FAILED(IWbemClassObject_SpawnInstance(p->creation, 0, &event)))
        return;
    V_VT(&v) = VT_UNKNOWN;
    V_UNKNOWN(&v) = (IUnknown *)inst;
    if (SUCCEEDED(IWbemClassObject_Put(event, L"TargetInstance", 0, &v, 0)))
        IWbemObjectSink_Indicate(sink, 1, &event);
    IWbemClassObject_Release(event);
}

/* Every EnumRepo_Item, one at a time. */
static void scan_all(repo_provider *p, IWbemObjectSink *sink)
{
    IEnumWbemClassObject *items = NULL;
    IWbemClassObject *inst;
    BSTR name = SysAllocString(L"EnumRepo_Item");
    ULONG got = 0;
    HRESULT hr = IWbemServices_CreateInstanceEnum(p->services, name,
                                                  WBEM_FLAG_FORWARD_ONLY | WBEM_FLAG_RETURN_IMMEDIATELY,
                                                  NULL, &items);
    SysFreeString(name);
    if (FAILED(hr))
        return;
    while (IEnumWbemClassObject_Next(items, WBEM_INFINITE, 1, &inst, &got) == WBEM_S_NO_ERROR && got == 1) {
        indicate_creation(p, sink, inst);
        IWbemClassObject_Release(inst);
    }
    IEnumWbemClassObject_Release(items);
}

/* The large items, in batches of up to 8, summed up in one event. */
static void scan_large(repo_provider *p, IWbemObjectSink *sink)
{
    IEnumWbemClassObject *items = NULL;
    IWbemClassObject *batch[8], *event = NULL;
    BSTR lang = SysAllocString(L"WQL"), query = SysAllocString(large_items_query);
    WCHAR names[256] = { 0 };
    LONG count = 0;
    ULONG got, i;
    VARIANT v;
    HRESULT hr = IWbemServices_ExecQuery(p->services, lang, query,
                                         WBEM_FLAG_FORWARD_ONLY | WBEM_FLAG_RETURN_IMMEDIATELY, NULL, &items);
    SysFreeString(lang);
    if (SUCCEEDED(hr)) {
        do {
            got = 0;
            hr = IEnumWbemClassObject_Next(items, WBEM_INFINITE, 8, batch, &got);
            for (i = 0; i < got; i++) {
                VariantInit(&v);
                if (SUCCEEDED(IWbemClassObject_Get(batch[i], L"Name", 0, &v, NULL, NULL)) &&
                    V_VT(&v) == VT_BSTR && lstrlenW(names) + lstrlenW(V_BSTR(&v)) + 2 < 256) {
                    if (names[0])
                        lstrcatW(names, L",");
                    lstrcatW(names, V_BSTR(&v));
                }
                VariantClear(&v);
                IWbemClassObject_Release(batch[i]);
                count++;
            }
        } while (hr == WBEM_S_NO_ERROR);
        IEnumWbemClassObject_Release(items);
    }
    if (SUCCEEDED(IWbemClassObject_SpawnInstance(p->summary, 0, &event))) {
        V_VT(&v) = VT_BSTR;
        V_BSTR(&v) = query;
        IWbemClassObject_Put(event, L"Query", 0, &v, 0);
        V_VT(&v) = VT_I4;
        V_I4(&v) = count;
        IWbemClassObject_Put(event, L"Count", 0, &v, 0);
        V_VT(&v) = VT_BSTR;
        V_BSTR(&v) = SysAllocString(names);
        IWbemClassObject_Put(event, L"Names", 0, &v, 0);
        VariantClear(&v);
        IWbemObjectSink_Indicate(sink, 1, &event);
        IWbemClassObject_Release(event);
    }
    SysFreeString(query);
}

static void CALLBACK on_scan(PVOID param, BOOLEAN timer_fired)
{
    repo_provider *p = param;
    IWbemObjectSink *sink = NULL;
    (void)timer_fired;
    AcquireSRWLockShared(&p->lock);
    if ((sink = p->sink))
        IWbemObjectSink_AddRef(sink);
    ReleaseSRWLockShared(&p->lock);
    if (!sink)
        return;
    scan_all(p, sink);
    scan_large(p, sink);
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
    repo_provider *p = impl_from_IWbemProviderInit(iface);
    HRESULT hr;
    (void)user;
    (void)flags;
    (void)ns;
    (void)locale;
    if (!services || !init_sink)
        return WBEM_E_INVALID_PARAMETER;
    IWbemServices_AddRef(services);
    p->services = services;
    hr = get_class(services, ctx, L"__InstanceCreationEvent", &p->creation);
    if (SUCCEEDED(hr))
        hr = get_class(services, ctx, L"EnumRepo_Summary", &p->summary);
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
    repo_provider *p = impl_from_IWbemEventProvider(iface);
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

/* The scan runs later, on the provider's own timer queue: NewQuery
 * returns at once. */
static HRESULT WINAPI query_NewQuery(IWbemEventProviderQuerySink *iface, ULONG id, LPWSTR language,
                                     LPWSTR query)
{
    repo_provider *p = impl_from_IWbemEventProviderQuerySink(iface);
    HANDLE timer;
    (void)id;
    (void)language;
    (void)query;
    if (!CreateTimerQueueTimer(&timer, p->queue, on_scan, p, 10, 0, WT_EXECUTEONLYONCE))
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
    repo_provider *p = calloc(1, sizeof(*p));
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
    if (!IsEqualCLSID(clsid, &CLSID_EnumRepoProvider))
        return CLASS_E_CLASSNOTAVAILABLE;
    return IClassFactory_QueryInterface(&factory, riid, ppv);
}

PROVIDER_EXPORT HRESULT WINAPI DllCanUnloadNow(void)
{
    return (object_count == 0 && server_locks == 0) ? S_OK : S_FALSE;
}
