/*
 * UpdateProvider: an extrinsic event provider written as for Windows, in
 * two versions built from this file (UPDATE_PROVIDER_VERSION 1 and 2), each
 * with its own CLSID and the same provider name, to show WMI switching from
 * one to the other while consumers stay subscribed ("Updating a Provider").
 *
 * ProvideEvents keeps the sink and starts a thread that sends one
 * UpdateEvent {Version, Sequence, ActiveQueries} every interval while a
 * query is active. Sequence counts the events Indicate accepted, from 1 per
 * provider object, so a consumer can tell a lost or repeated one. The sink
 * and the queries (NewQuery/CancelQuery) are guarded by an SRW lock, held
 * shared across Indicate. The
 * final Release stops the thread and waits for it, so no code of the
 * module runs once DllCanUnloadNow says it may go.
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

#ifndef UPDATE_PROVIDER_VERSION
#define UPDATE_PROVIDER_VERSION 1
#endif

#if UPDATE_PROVIDER_VERSION == 1
/* {6f1d2b7a-5c3e-4a90-8d21-3b7e9c4f0a11} */
static const CLSID CLSID_UpdateProvider =
    { 0x6f1d2b7a, 0x5c3e, 0x4a90, { 0x8d, 0x21, 0x3b, 0x7e, 0x9c, 0x4f, 0x0a, 0x11 } };
#else
/* {6f1d2b7a-5c3e-4a90-8d21-3b7e9c4f0a22} */
static const CLSID CLSID_UpdateProvider =
    { 0x6f1d2b7a, 0x5c3e, 0x4a90, { 0x8d, 0x21, 0x3b, 0x7e, 0x9c, 0x4f, 0x0a, 0x22 } };
#endif

#define MAX_QUERIES 64

static LONG object_count;
static LONG server_locks;

typedef struct {
    IWbemProviderInit IWbemProviderInit_iface;
    IWbemEventProvider IWbemEventProvider_iface;
    IWbemEventProviderQuerySink IWbemEventProviderQuerySink_iface;
    LONG ref;

    SRWLOCK lock;                  /* guards sink and queries */
    IWbemObjectSink *sink;
    ULONG queries[MAX_QUERIES];
    LONG query_count;

    IWbemServices *services;
    IWbemClassObject *event_class; /* set by Initialize, read-only after */
    HANDLE thread;                 /* started by the first ProvideEvents */
    HANDLE stop;                   /* manual-reset: the final Release sets it */
    DWORD interval_ms;
    LONG sequence;                 /* the event thread's own */
} update_provider;

static inline update_provider *impl_from_IWbemProviderInit(IWbemProviderInit *iface)
{
    return CONTAINING_RECORD(iface, update_provider, IWbemProviderInit_iface);
}
static inline update_provider *impl_from_IWbemEventProvider(IWbemEventProvider *iface)
{
    return CONTAINING_RECORD(iface, update_provider, IWbemEventProvider_iface);
}
static inline update_provider *impl_from_IWbemEventProviderQuerySink(IWbemEventProviderQuerySink *iface)
{
    return CONTAINING_RECORD(iface, update_provider, IWbemEventProviderQuerySink_iface);
}

/* ---- IUnknown, shared by every interface ---- */

static HRESULT provider_query_interface(update_provider *p, REFIID riid, void **ppv)
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

static ULONG provider_add_ref(update_provider *p)
{
    return InterlockedIncrement(&p->ref);
}

static ULONG provider_release(update_provider *p)
{
    ULONG ref = InterlockedDecrement(&p->ref);
    if (ref)
        return ref;
    /* The thread may be inside Indicate: it finishes before anything goes. */
    if (p->thread) {
        SetEvent(p->stop);
        WaitForSingleObject(p->thread, INFINITE);
        CloseHandle(p->thread);
    }
    if (p->stop)
        CloseHandle(p->stop);
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

/* ---- the event thread ---- */

static HRESULT put_i4(IWbemClassObject *obj, LPCWSTR name, LONG value)
{
    VARIANT v;
    V_VT(&v) = VT_I4;
    V_I4(&v) = value;
    return IWbemClassObject_Put(obj, name, 0, &v, 0);
}

/* Sequence moves on only when Indicate took the event: what a busy sink
 * refused goes again at the next interval, while its query lives. */
static void fire_event(update_provider *p, IWbemObjectSink *sink, LONG active)
{
    IWbemClassObject *event = NULL;
    HRESULT hr = IWbemClassObject_SpawnInstance(p->event_class, 0, &event);
    if (FAILED(hr))
        return;
    hr = put_i4(event, L"Version", UPDATE_PROVIDER_VERSION);
    if (SUCCEEDED(hr))
        hr = put_i4(event, L"Sequence", p->sequence + 1);
    if (SUCCEEDED(hr))
        hr = put_i4(event, L"ActiveQueries", active);
    if (SUCCEEDED(hr))
        hr = IWbemObjectSink_Indicate(sink, 1, &event);
    if (SUCCEEDED(hr))
        p->sequence++;
    IWbemClassObject_Release(event);
}

/* Indicate under the lock CancelQuery takes: once CancelQuery returned, no
 * event (and so no resend of one the sink refused) goes out for a query
 * that has gone. Indicate does not wait for WMI, so holding a shared lock
 * across it delays CancelQuery by one Indicate at most. */
static DWORD WINAPI event_thread(LPVOID param)
{
    update_provider *p = param;
    while (WaitForSingleObject(p->stop, p->interval_ms) == WAIT_TIMEOUT) {
        AcquireSRWLockShared(&p->lock);
        if (p->query_count > 0 && p->sink)
            fire_event(p, p->sink, p->query_count);
        ReleaseSRWLockShared(&p->lock);
    }
    return 0;
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

static HRESULT WINAPI init_Initialize(IWbemProviderInit *iface, LPWSTR user, LONG flags, LPWSTR ns,
                                      LPWSTR locale, IWbemServices *services, IWbemContext *ctx,
                                      IWbemProviderInitSink *init_sink)
{
    update_provider *p = impl_from_IWbemProviderInit(iface);
    BSTR class_name;
    HRESULT hr;
    (void)user;
    (void)flags;
    (void)ns;
    (void)locale;
    if (!services || !init_sink)
        return WBEM_E_INVALID_PARAMETER;
    IWbemServices_AddRef(services);
    p->services = services;
    class_name = SysAllocString(L"UpdateEvent");
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

/* Keeps the sink and returns at once: the thread does the sending. */
static HRESULT WINAPI events_ProvideEvents(IWbemEventProvider *iface, IWbemObjectSink *sink, LONG flags)
{
    update_provider *p = impl_from_IWbemEventProvider(iface);
    BOOL start;
    (void)flags;
    if (!sink)
        return WBEM_E_INVALID_PARAMETER;
    IWbemObjectSink_AddRef(sink);
    AcquireSRWLockExclusive(&p->lock);
    if (p->sink)
        IWbemObjectSink_Release(p->sink);
    p->sink = sink;
    start = p->thread == NULL;
    ReleaseSRWLockExclusive(&p->lock);
    /* WMI makes the ProvideEvents calls one at a time. */
    if (start && !(p->thread = CreateThread(NULL, 0, event_thread, p, 0, NULL)))
        return WBEM_E_FAILED;
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

static HRESULT WINAPI query_NewQuery(IWbemEventProviderQuerySink *iface, ULONG id, LPWSTR language,
                                     LPWSTR query)
{
    update_provider *p = impl_from_IWbemEventProviderQuerySink(iface);
    HRESULT hr = WBEM_S_NO_ERROR;
    LONG i;
    (void)language;
    (void)query;
    AcquireSRWLockExclusive(&p->lock);
    for (i = 0; i < p->query_count; i++)
        if (p->queries[i] == id)
            break; /* the same id again: the query changed */
    if (i == p->query_count) {
        if (p->query_count < MAX_QUERIES)
            p->queries[p->query_count++] = id;
        else
            hr = WBEM_E_QUOTA_VIOLATION;
    }
    ReleaseSRWLockExclusive(&p->lock);
    return hr;
}

static HRESULT WINAPI query_CancelQuery(IWbemEventProviderQuerySink *iface, ULONG id)
{
    update_provider *p = impl_from_IWbemEventProviderQuerySink(iface);
    LONG i;
    AcquireSRWLockExclusive(&p->lock);
    for (i = 0; i < p->query_count; i++) {
        if (p->queries[i] == id) {
            p->queries[i] = p->queries[--p->query_count];
            break;
        }
    }
    ReleaseSRWLockExclusive(&p->lock);
    return WBEM_S_NO_ERROR;
}

static const IWbemEventProviderQuerySinkVtbl query_vtbl = {
    query_QueryInterface,
    query_AddRef,
    query_Release,
    query_NewQuery,
    query_CancelQuery,
};

/* ---- class factory and exports ---- */

static DWORD interval_from_environment(void)
{
    const char *text = getenv("UPDATE_PROVIDER_INTERVAL_MS");
    int ms = text ? atoi(text) : 0;
    return ms > 0 ? (DWORD)ms : 100;
}

static HRESULT provider_create(REFIID riid, void **ppv)
{
    update_provider *p = calloc(1, sizeof(*p));
    HRESULT hr;
    if (!p)
        return E_OUTOFMEMORY;
    p->IWbemProviderInit_iface.lpVtbl = &init_vtbl;
    p->IWbemEventProvider_iface.lpVtbl = &events_vtbl;
    p->IWbemEventProviderQuerySink_iface.lpVtbl = &query_vtbl;
    p->ref = 1;
    InitializeSRWLock(&p->lock);
    p->interval_ms = interval_from_environment();
    p->stop = CreateEventW(NULL, TRUE, FALSE, NULL);
    InterlockedIncrement(&object_count);
    if (!p->stop) {
        provider_release(p);
        return E_OUTOFMEMORY;
    }
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
    if (!IsEqualCLSID(clsid, &CLSID_UpdateProvider))
        return CLASS_E_CLASSNOTAVAILABLE;
    return IClassFactory_QueryInterface(&factory, riid, ppv);
}

PROVIDER_EXPORT HRESULT WINAPI DllCanUnloadNow(void)
{
    return (object_count == 0 && server_locks == 0) ? S_OK : S_FALSE;
}
