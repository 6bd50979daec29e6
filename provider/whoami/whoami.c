/*
 * WhoAmIProvider: an extrinsic event provider that tells each consumer who
 * it is, written as for Windows (it builds unchanged with the Windows SDK or
 * MinGW-w64 as a DLL).
 *
 * NewQuery impersonates the consumer WMI services the call for
 * (CoImpersonateClient), reads its token (OpenThreadToken,
 * GetTokenInformation(TokenUser), CheckTokenMembership for
 * BUILTIN\Administrators), reverts (CoRevertToSelf) and sends one
 * WhoAmIEvent naming that user. The event's SECURITY_DESCRIPTOR grants
 * WBEM_RIGHT_SUBSCRIBE to that user alone, and AccessCheck answers
 * WBEM_S_SUBJECT_TO_SDS, so WMI hands each consumer only the event about
 * itself: every other consumer's is access-denied for it.
 */
#define COBJMACROS
#define CONST_VTABLE
#include <windows.h>
#include <sddl.h>
#include <wbemprov.h>
#include <stdlib.h>

#ifdef _WIN32
#define PROVIDER_EXPORT
#else
#define PROVIDER_EXPORT __attribute__((visibility("default")))
#endif

/* {8e2d4c61-5a7b-4f3e-9c1d-2b6a0e4f7d95} */
static const CLSID CLSID_WhoAmIProvider =
    { 0x8e2d4c61, 0x5a7b, 0x4f3e, { 0x9c, 0x1d, 0x2b, 0x6a, 0x0e, 0x4f, 0x7d, 0x95 } };

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
} whoami_provider;

static inline whoami_provider *impl_from_IWbemProviderInit(IWbemProviderInit *iface)
{
    return CONTAINING_RECORD(iface, whoami_provider, IWbemProviderInit_iface);
}
static inline whoami_provider *impl_from_IWbemEventProvider(IWbemEventProvider *iface)
{
    return CONTAINING_RECORD(iface, whoami_provider, IWbemEventProvider_iface);
}
static inline whoami_provider *impl_from_IWbemEventProviderQuerySink(IWbemEventProviderQuerySink *iface)
{
    return CONTAINING_RECORD(iface, whoami_provider, IWbemEventProviderQuerySink_iface);
}
static inline whoami_provider *impl_from_IWbemEventProviderSecurity(IWbemEventProviderSecurity *iface)
{
    return CONTAINING_RECORD(iface, whoami_provider, IWbemEventProviderSecurity_iface);
}

/* ---- IUnknown, shared by every interface ---- */

static HRESULT provider_query_interface(whoami_provider *p, REFIID riid, void **ppv)
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

static ULONG provider_add_ref(whoami_provider *p)
{
    return InterlockedIncrement(&p->ref);
}

static ULONG provider_release(whoami_provider *p)
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

/* ---- who the consumer is ---- */

typedef struct {
    LPWSTR user;          /* LocalAlloc'ed "S-1-..." */
    BOOL administrator;
} consumer_identity;

/* Reads the token of the client WMI services this call for. The thread
 * goes back to the provider's own identity before this returns, whatever
 * happened: a provider must not leave it impersonating. */
static HRESULT identify_client(consumer_identity *who)
{
    BYTE buf[sizeof(TOKEN_USER) + SECURITY_MAX_SID_SIZE];
    BYTE admins[SECURITY_MAX_SID_SIZE];
    DWORD len = sizeof(admins);
    HANDLE token = NULL;
    HRESULT hr;

    who->user = NULL;
    who->administrator = FALSE;
    hr = CoImpersonateClient();
    if (FAILED(hr))
        return hr;
    if (!OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &token))
        hr = HRESULT_FROM_WIN32(GetLastError());
    else if (!GetTokenInformation(token, TokenUser, buf, sizeof(buf), &len) ||
             !ConvertSidToStringSidW(((TOKEN_USER *)buf)->User.Sid, &who->user))
        hr = HRESULT_FROM_WIN32(GetLastError());
    else {
        len = sizeof(admins);
        if (!CreateWellKnownSid(WinBuiltinAdministratorsSid, NULL, admins, &len) ||
            !CheckTokenMembership(token, admins, &who->administrator))
            who->administrator = FALSE;
    }
    if (token)
        CloseHandle(token);
    CoRevertToSelf();
    return hr;
}

/* ---- the event ---- */

static HRESULT put_value(IWbemClassObject *obj, LPCWSTR name, VARIANT *v)
{
    return IWbemClassObject_Put(obj, name, 0, v, 0);
}

/* A self-relative descriptor granting WBEM_RIGHT_SUBSCRIBE to user alone,
 * as the uint8[] SECURITY_DESCRIPTOR property holds it. */
static HRESULT put_descriptor(IWbemClassObject *event, LPCWSTR user)
{
    WCHAR sddl[256];
    PSECURITY_DESCRIPTOR sd = NULL;
    ULONG size = 0;
    SAFEARRAY *bytes;
    VARIANT v;
    HRESULT hr;
    void *data;

    /* O:SY G:SY D:(A;;WBEM_RIGHT_SUBSCRIBE;;;user) */
    if (lstrlenW(user) > 200)
        return WBEM_E_INVALID_PARAMETER;
    lstrcpyW(sddl, L"O:SYG:SYD:(A;;0x40;;;");
    lstrcatW(sddl, user);
    lstrcatW(sddl, L")");
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, &size))
        return HRESULT_FROM_WIN32(GetLastError());
    bytes = SafeArrayCreateVector(VT_UI1, 0, size);
    if (!bytes) {
        LocalFree(sd);
        return E_OUTOFMEMORY;
    }
    hr = SafeArrayAccessData(bytes, &data);
    if (SUCCEEDED(hr)) {
        memcpy(data, sd, size);
        SafeArrayUnaccessData(bytes);
        V_VT(&v) = VT_ARRAY | VT_UI1;
        V_ARRAY(&v) = bytes;
        hr = put_value(event, L"SECURITY_DESCRIPTOR", &v);
    }
    SafeArrayDestroy(bytes);
    LocalFree(sd);
    return hr;
}

static HRESULT fire_event(whoami_provider *p, ULONG id, const consumer_identity *who)
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
        hr = put_value(event, L"QueryId", &v);
    }
    if (SUCCEEDED(hr)) {
        V_VT(&v) = VT_BSTR;
        V_BSTR(&v) = SysAllocString(who->user);
        hr = V_BSTR(&v) ? put_value(event, L"User", &v) : E_OUTOFMEMORY;
        VariantClear(&v);
    }
    if (SUCCEEDED(hr)) {
        V_VT(&v) = VT_BOOL;
        V_BOOL(&v) = who->administrator ? VARIANT_TRUE : VARIANT_FALSE;
        hr = put_value(event, L"Administrator", &v);
    }
    if (SUCCEEDED(hr))
        hr = put_descriptor(event, who->user);
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
    whoami_provider *p = impl_from_IWbemProviderInit(iface);
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
    class_name = SysAllocString(L"WhoAmIEvent");
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
    whoami_provider *p = impl_from_IWbemEventProvider(iface);
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

/* Who asks: the consumer's identity is only at hand while WMI services its
 * call, so it is read now, and the event about it sent. */
static HRESULT WINAPI query_NewQuery(IWbemEventProviderQuerySink *iface, ULONG id, LPWSTR language,
                                     LPWSTR query)
{
    whoami_provider *p = impl_from_IWbemEventProviderQuerySink(iface);
    consumer_identity who;
    HRESULT hr;
    (void)language;
    (void)query;
    hr = identify_client(&who);
    if (FAILED(hr))
        return WBEM_E_ACCESS_DENIED;
    /* A refused event is no reason to refuse the query. */
    fire_event(p, id, &who);
    LocalFree(who.user);
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

/* Anyone may subscribe; each event says itself whom it is for. */
static HRESULT WINAPI security_AccessCheck(IWbemEventProviderSecurity *iface, LPCWSTR language, LPCWSTR query,
                                           LONG sid_length, const BYTE *sid)
{
    (void)iface;
    (void)language;
    (void)query;
    (void)sid_length;
    (void)sid;
    return WBEM_S_SUBJECT_TO_SDS;
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
    whoami_provider *p = calloc(1, sizeof(*p));
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
    if (!IsEqualCLSID(clsid, &CLSID_WhoAmIProvider))
        return CLASS_E_CLASSNOTAVAILABLE;
    return IClassFactory_QueryInterface(&factory, riid, ppv);
}

PROVIDER_EXPORT HRESULT WINAPI DllCanUnloadNow(void)
{
    return (object_count == 0 && server_locks == 0) ? S_OK : S_FALSE;
}
