/*
 * AdminOnlyProvider: an extrinsic event provider whose events are for
 * administrators only, written as for Windows (it builds unchanged with the
 * Windows SDK or MinGW-w64 as a DLL).
 *
 * AccessCheck decides who may subscribe. For a temporary consumer WMI
 * passes no SID and makes the call impersonating the consumer, so the
 * provider impersonates it too (CoImpersonateClient) and asks
 * CheckTokenMembership whether its token holds BUILTIN\Administrators;
 * anyone else gets WBEM_E_ACCESS_DENIED and no subscription. A permanent
 * consumer comes with the SID of the user who made it, which says nothing
 * of its groups: only LocalSystem is admitted then. Each admitted query
 * gets one AdminOnlyEvent from NewQuery.
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

/* {4f6b1d27-9e3a-4c58-b0d2-7a1e5c3f8b46} */
static const CLSID CLSID_AdminOnlyProvider =
    { 0x4f6b1d27, 0x9e3a, 0x4c58, { 0xb0, 0xd2, 0x7a, 0x1e, 0x5c, 0x3f, 0x8b, 0x46 } };

static LONG object_count;
static LONG server_locks;

typedef struct {
    IWbemProviderInit IWbemProviderInit_iface;
    IWbemEventProvider IWbemEventProvider_iface;
    IWbemEventProviderQuerySink IWbemEventProviderQuerySink_iface;
    IWbemEventProviderSecurity IWbemEventProviderSecurity_iface;
    LONG ref;

    SRWLOCK lock;                  /* guards sink */
    IWbemObjectSink *sink;
    IWbemServices *services;
    IWbemClassObject *event_class; /* set by Initialize, read-only after */
} admin_provider;

static inline admin_provider *impl_from_IWbemProviderInit(IWbemProviderInit *iface)
{
    return CONTAINING_RECORD(iface, admin_provider, IWbemProviderInit_iface);
}
static inline admin_provider *impl_from_IWbemEventProvider(IWbemEventProvider *iface)
{
    return CONTAINING_RECORD(iface, admin_provider, IWbemEventProvider_iface);
}
static inline admin_provider *impl_from_IWbemEventProviderQuerySink(IWbemEventProviderQuerySink *iface)
{
    return CONTAINING_RECORD(iface, admin_provider, IWbemEventProviderQuerySink_iface);
}
static inline admin_provider *impl_from_IWbemEventProviderSecurity(IWbemEventProviderSecurity *iface)
{
    return CONTAINING_RECORD(iface, admin_provider, IWbemEventProviderSecurity_iface);
}

/* ---- IUnknown, shared by every interface ---- */

static HRESULT provider_query_interface(admin_provider *p, REFIID riid, void **ppv)
{
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

static ULONG provider_add_ref(admin_provider *p)
{
    return InterlockedIncrement(&p->ref);
}

static ULONG provider_release(admin_provider *p)
{
    ULONG ref = InterlockedDecrement(&p->ref);
    if (ref)
        return ref;
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

/* ---- the event ---- */

static HRESULT fire_event(admin_provider *p, ULONG id)
{
    IWbemObjectSink *sink = NULL;
    IWbemClassObject *event = NULL;
    VARIANT v;
    HRESULT hr;

    AcquireSRWLockShared(&p->lock);
    if (p->sink) {
        sink = p->sink;
        IWbemObjectSink_AddRef(sink);
    }
    ReleaseSRWLockShared(&p->lock);
    if (!sink)
        return WBEM_S_NO_ERROR;
    hr = IWbemClassObject_SpawnInstance(p->event_class, 0, &event);
    if (SUCCEEDED(hr)) {
        V_VT(&v) = VT_I4;
        V_I4(&v) = (LONG)id;
        hr = IWbemClassObject_Put(event, L"QueryId", 0, &v, 0);
    }
    if (SUCCEEDED(hr))
        hr = IWbemObjectSink_Indicate(sink, 1, &event);
    if (event)
        IWbemClassObject_Release(event);
    IWbemObjectSink_Release(sink);
    return hr;
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
    admin_provider *p = impl_from_IWbemProviderInit(iface);
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
    class_name = SysAllocString(L"AdminOnlyEvent");
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

static HRESULT WINAPI events_ProvideEvents(IWbemEventProvider *iface, IWbemObjectSink *sink, LONG flags)
{
    admin_provider *p = impl_from_IWbemEventProvider(iface);
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

static HRESULT WINAPI query_NewQuery(IWbemEventProviderQuerySink *iface, ULONG id, LPWSTR language,
                                     LPWSTR query)
{
    admin_provider *p = impl_from_IWbemEventProviderQuerySink(iface);
    (void)language;
    (void)query;
    fire_event(p, id);
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

/* ---- IWbemEventProviderSecurity ---- */

static HRESULT WINAPI security_QueryInterface(IWbemEventProviderSecurity *iface, REFIID riid, void **ppv)
{
    return provider_query_interface(impl_from_IWbemEventProviderSecurity(iface), riid, ppv);
}
static ULONG WINAPI security_AddRef(IWbemEventProviderSecurity *iface)
{
    return provider_add_ref(impl_from_IWbemEventProviderSecurity(iface));
}
static ULONG WINAPI security_Release(IWbemEventProviderSecurity *iface)
{
    return provider_release(impl_from_IWbemEventProviderSecurity(iface));
}

/* Is the client WMI services this call for a member of
 * BUILTIN\Administrators? Asked with its own token, on the thread
 * impersonating it, which goes back to the provider's identity before this
 * returns. */
static HRESULT client_is_administrator(BOOL *admin)
{
    BYTE admins[SECURITY_MAX_SID_SIZE];
    DWORD len = sizeof(admins);
    HRESULT hr;

    *admin = FALSE;
    if (!CreateWellKnownSid(WinBuiltinAdministratorsSid, NULL, admins, &len))
        return HRESULT_FROM_WIN32(GetLastError());
    hr = CoImpersonateClient();
    if (FAILED(hr))
        return hr;
    /* NULL: the calling thread's impersonation token, the client's. */
    if (!CheckTokenMembership(NULL, admins, admin))
        hr = HRESULT_FROM_WIN32(GetLastError());
    CoRevertToSelf();
    return hr;
}

static HRESULT WINAPI security_AccessCheck(IWbemEventProviderSecurity *iface, LPCWSTR language, LPCWSTR query,
                                           LONG sid_length, const BYTE *sid)
{
    BYTE system[SECURITY_MAX_SID_SIZE];
    DWORD len = sizeof(system);
    BOOL admin = FALSE;
    (void)iface;
    (void)language;
    (void)query;
    if (sid_length < 0 || (sid_length > 0 && !sid))
        return WBEM_E_INVALID_PARAMETER;
    if (sid) {
        /* A permanent consumer: only the SID of its creator is known. */
        if (!IsValidSid((PSID)sid) || (DWORD)sid_length != GetLengthSid((PSID)sid) ||
            !CreateWellKnownSid(WinLocalSystemSid, NULL, system, &len))
            return WBEM_E_ACCESS_DENIED;
        return EqualSid((PSID)sid, system) ? WBEM_S_NO_ERROR : WBEM_E_ACCESS_DENIED;
    }
    if (FAILED(client_is_administrator(&admin)) || !admin)
        return WBEM_E_ACCESS_DENIED;
    return WBEM_S_NO_ERROR;
}

static const IWbemEventProviderSecurityVtbl security_vtbl = {
    security_QueryInterface,
    security_AddRef,
    security_Release,
    security_AccessCheck,
};

/* ---- class factory and exports ---- */

static HRESULT provider_create(REFIID riid, void **ppv)
{
    admin_provider *p = calloc(1, sizeof(*p));
    HRESULT hr;
    if (!p)
        return E_OUTOFMEMORY;
    p->IWbemProviderInit_iface.lpVtbl = &init_vtbl;
    p->IWbemEventProvider_iface.lpVtbl = &events_vtbl;
    p->IWbemEventProviderQuerySink_iface.lpVtbl = &query_vtbl;
    p->IWbemEventProviderSecurity_iface.lpVtbl = &security_vtbl;
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
    if (!IsEqualCLSID(clsid, &CLSID_AdminOnlyProvider))
        return CLASS_E_CLASSNOTAVAILABLE;
    return IClassFactory_QueryInterface(&factory, riid, ppv);
}

PROVIDER_EXPORT HRESULT WINAPI DllCanUnloadNow(void)
{
    return (object_count == 0 && server_locks == 0) ? S_OK : S_FALSE;
}
