/*
 * CalcProvider: a method provider written as for Windows ("Writing a
 * Method Provider"). WMI routes IWbemServices::ExecMethod calls on
 * Calc_Counter, whose provider qualifier names this provider, to its
 * IWbemServices::ExecMethodAsync: the in-parameters come as an instance of
 * the method's in __PARAMETERS class, the out-parameters go back to the
 * sink as an instance of its out class, then SetStatus ends the call.
 * Every other IWbemServices method answers WBEM_E_NOT_SUPPORTED, as a
 * method-only provider's do.
 *
 *   Add (static):  Sum = A + B, called on "Calc_Counter"
 *   Scale:         Result = Value * Factor, on "Calc_Counter.Name=\"...\""
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

/* {6d0a2f4e-91c3-4b7a-8e15-2c7f9a3b5d61} */
static const CLSID CLSID_CalcProvider =
    { 0x6d0a2f4e, 0x91c3, 0x4b7a, { 0x8e, 0x15, 0x2c, 0x7f, 0x9a, 0x3b, 0x5d, 0x61 } };

static LONG object_count;
static LONG server_locks;

typedef struct {
    IWbemProviderInit IWbemProviderInit_iface;
    IWbemServices IWbemServices_iface;
    LONG ref;
    IWbemServices *wmi;            /* Initialize's, read-only after */
    IWbemClassObject *counter;     /* the Calc_Counter class */
} calc_provider;

static inline calc_provider *impl_from_IWbemProviderInit(IWbemProviderInit *iface)
{
    return CONTAINING_RECORD(iface, calc_provider, IWbemProviderInit_iface);
}
static inline calc_provider *impl_from_IWbemServices(IWbemServices *iface)
{
    return CONTAINING_RECORD(iface, calc_provider, IWbemServices_iface);
}

static HRESULT provider_query_interface(calc_provider *p, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IWbemProviderInit))
        *ppv = &p->IWbemProviderInit_iface;
    else if (IsEqualIID(riid, &IID_IWbemServices))
        *ppv = &p->IWbemServices_iface;
    else {
        *ppv = NULL;
        return E_NOINTERFACE;
    }
    InterlockedIncrement(&p->ref);
    return S_OK;
}

static ULONG provider_release(calc_provider *p)
{
    ULONG ref = InterlockedDecrement(&p->ref);
    if (ref)
        return ref;
    if (p->counter)
        IWbemClassObject_Release(p->counter);
    if (p->wmi)
        IWbemServices_Release(p->wmi);
    free(p);
    InterlockedDecrement(&object_count);
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

static HRESULT WINAPI init_Initialize(IWbemProviderInit *iface, LPWSTR user, LONG flags, LPWSTR ns,
                                      LPWSTR locale, IWbemServices *services, IWbemContext *ctx,
                                      IWbemProviderInitSink *init_sink)
{
    calc_provider *p = impl_from_IWbemProviderInit(iface);
    BSTR name;
    HRESULT hr;
    (void)user;
    (void)flags;
    (void)ns;
    (void)locale;
    if (!services || !init_sink)
        return WBEM_E_INVALID_PARAMETER;
    IWbemServices_AddRef(services);
    p->wmi = services;
    name = SysAllocString(L"Calc_Counter");
    hr = IWbemServices_GetObject(services, name, 0, ctx, &p->counter, NULL);
    SysFreeString(name);
    IWbemProviderInitSink_SetStatus(init_sink, SUCCEEDED(hr) ? WBEM_S_INITIALIZED : WBEM_E_FAILED, 0);
    return WBEM_S_NO_ERROR;
}

static const IWbemProviderInitVtbl init_vtbl = {
    init_QueryInterface,
    init_AddRef,
    init_Release,
    init_Initialize,
};

/* ---- the methods ---- */

static HRESULT get_u4(IWbemClassObject *obj, LPCWSTR name, LONG *out)
{
    VARIANT v;
    HRESULT hr;
    VariantInit(&v);
    if (!obj)
        return WBEM_E_INVALID_METHOD_PARAMETERS;
    hr = IWbemClassObject_Get(obj, name, 0, &v, NULL, NULL);
    if (SUCCEEDED(hr) && V_VT(&v) != VT_I4)
        hr = WBEM_E_INVALID_METHOD_PARAMETERS;   /* NULL: not given */
    if (SUCCEEDED(hr))
        *out = V_I4(&v);
    VariantClear(&v);
    return hr;
}

static HRESULT put_u4(IWbemClassObject *obj, LPCWSTR name, LONG value)
{
    VARIANT v;
    V_VT(&v) = VT_I4;
    V_I4(&v) = value;
    return IWbemClassObject_Put(obj, name, 0, &v, 0);
}

/* An instance of the method's out-parameters class, with ReturnValue 0
 * and result_name set to result. */
static HRESULT out_params(calc_provider *p, LPCWSTR method, LPCWSTR result_name, LONG result,
                          IWbemClassObject **out)
{
    IWbemClassObject *out_class = NULL;
    HRESULT hr = IWbemClassObject_GetMethod(p->counter, method, 0, NULL, &out_class);
    *out = NULL;
    if (SUCCEEDED(hr))
        hr = IWbemClassObject_SpawnInstance(out_class, 0, out);
    if (out_class)
        IWbemClassObject_Release(out_class);
    if (SUCCEEDED(hr))
        hr = put_u4(*out, result_name, result);
    if (SUCCEEDED(hr))
        hr = put_u4(*out, L"ReturnValue", 0);
    if (FAILED(hr) && *out) {
        IWbemClassObject_Release(*out);
        *out = NULL;
    }
    return hr;
}

static HRESULT run_method(calc_provider *p, const BSTR path, const BSTR method, IWbemContext *ctx,
                          IWbemClassObject *in, IWbemClassObject **out)
{
    LONG a = 0, b = 0;
    HRESULT hr;
    if (!lstrcmpiW(method, L"Add")) {
        hr = get_u4(in, L"A", &a);
        if (SUCCEEDED(hr))
            hr = get_u4(in, L"B", &b);
        return SUCCEEDED(hr) ? out_params(p, L"Add", L"Sum", a + b, out) : hr;
    }
    if (!lstrcmpiW(method, L"Scale")) {
        IWbemClassObject *counter = NULL;
        hr = get_u4(in, L"Factor", &b);
        if (SUCCEEDED(hr))
            hr = IWbemServices_GetObject(p->wmi, path, 0, ctx, &counter, NULL);
        if (SUCCEEDED(hr))
            hr = get_u4(counter, L"Value", &a);
        if (counter)
            IWbemClassObject_Release(counter);
        return SUCCEEDED(hr) ? out_params(p, L"Scale", L"Result", a * b, out) : hr;
    }
    return WBEM_E_INVALID_METHOD;
}

/* ---- IWbemServices ---- */

static HRESULT WINAPI svc_QueryInterface(IWbemServices *iface, REFIID riid, void **ppv)
{
    return provider_query_interface(impl_from_IWbemServices(iface), riid, ppv);
}
static ULONG WINAPI svc_AddRef(IWbemServices *iface)
{
    return InterlockedIncrement(&impl_from_IWbemServices(iface)->ref);
}
static ULONG WINAPI svc_Release(IWbemServices *iface)
{
    return provider_release(impl_from_IWbemServices(iface));
}

static HRESULT WINAPI svc_ExecMethodAsync(IWbemServices *iface, const BSTR path, const BSTR method,
                                          LONG flags, IWbemContext *ctx, IWbemClassObject *in,
                                          IWbemObjectSink *sink)
{
    calc_provider *p = impl_from_IWbemServices(iface);
    IWbemClassObject *out = NULL;
    HRESULT hr;
    (void)flags;
    if (!path || !method || !sink)
        return WBEM_E_INVALID_PARAMETER;
    hr = run_method(p, path, method, ctx, in, &out);
    if (out) {
        IWbemObjectSink_Indicate(sink, 1, &out);
        IWbemClassObject_Release(out);
    }
    IWbemObjectSink_SetStatus(sink, WBEM_STATUS_COMPLETE, hr, NULL, NULL);
    return WBEM_S_NO_ERROR;
}

/* What a method provider does not implement. */
static HRESULT WINAPI svc_OpenNamespace(IWbemServices *iface, const BSTR ns, LONG flags, IWbemContext *ctx,
                                        IWbemServices **out, IWbemCallResult **result)
{
    (void)iface; (void)ns; (void)flags; (void)ctx; (void)out; (void)result;
    return WBEM_E_NOT_SUPPORTED;
}
static HRESULT WINAPI svc_CancelAsyncCall(IWbemServices *iface, IWbemObjectSink *sink)
{
    (void)iface; (void)sink;
    return WBEM_E_NOT_SUPPORTED;
}
static HRESULT WINAPI svc_QueryObjectSink(IWbemServices *iface, LONG flags, IWbemObjectSink **out)
{
    (void)iface; (void)flags; (void)out;
    return WBEM_E_NOT_SUPPORTED;
}
static HRESULT WINAPI svc_GetObject(IWbemServices *iface, const BSTR path, LONG flags, IWbemContext *ctx,
                                    IWbemClassObject **out, IWbemCallResult **result)
{
    (void)iface; (void)path; (void)flags; (void)ctx; (void)out; (void)result;
    return WBEM_E_NOT_SUPPORTED;
}
static HRESULT WINAPI svc_PathAsync(IWbemServices *iface, const BSTR path, LONG flags, IWbemContext *ctx,
                                    IWbemObjectSink *sink)
{
    (void)iface; (void)path; (void)flags; (void)ctx; (void)sink;
    return WBEM_E_NOT_SUPPORTED;
}
static HRESULT WINAPI svc_PutObject(IWbemServices *iface, IWbemClassObject *obj, LONG flags, IWbemContext *ctx,
                                    IWbemCallResult **result)
{
    (void)iface; (void)obj; (void)flags; (void)ctx; (void)result;
    return WBEM_E_NOT_SUPPORTED;
}
static HRESULT WINAPI svc_ObjectAsync(IWbemServices *iface, IWbemClassObject *obj, LONG flags,
                                      IWbemContext *ctx, IWbemObjectSink *sink)
{
    (void)iface; (void)obj; (void)flags; (void)ctx; (void)sink;
    return WBEM_E_NOT_SUPPORTED;
}
static HRESULT WINAPI svc_DeletePath(IWbemServices *iface, const BSTR path, LONG flags, IWbemContext *ctx,
                                     IWbemCallResult **result)
{
    (void)iface; (void)path; (void)flags; (void)ctx; (void)result;
    return WBEM_E_NOT_SUPPORTED;
}
static HRESULT WINAPI svc_CreateEnum(IWbemServices *iface, const BSTR name, LONG flags, IWbemContext *ctx,
                                     IEnumWbemClassObject **out)
{
    (void)iface; (void)name; (void)flags; (void)ctx; (void)out;
    return WBEM_E_NOT_SUPPORTED;
}
static HRESULT WINAPI svc_ExecQuery(IWbemServices *iface, const BSTR lang, const BSTR query, LONG flags,
                                    IWbemContext *ctx, IEnumWbemClassObject **out)
{
    (void)iface; (void)lang; (void)query; (void)flags; (void)ctx; (void)out;
    return WBEM_E_NOT_SUPPORTED;
}
static HRESULT WINAPI svc_ExecQueryAsync(IWbemServices *iface, const BSTR lang, const BSTR query, LONG flags,
                                         IWbemContext *ctx, IWbemObjectSink *sink)
{
    (void)iface; (void)lang; (void)query; (void)flags; (void)ctx; (void)sink;
    return WBEM_E_NOT_SUPPORTED;
}
static HRESULT WINAPI svc_ExecMethod(IWbemServices *iface, const BSTR path, const BSTR method, LONG flags,
                                     IWbemContext *ctx, IWbemClassObject *in, IWbemClassObject **out,
                                     IWbemCallResult **result)
{
    (void)iface; (void)path; (void)method; (void)flags; (void)ctx; (void)in; (void)out; (void)result;
    return WBEM_E_NOT_SUPPORTED;
}

static const IWbemServicesVtbl svc_vtbl = {
    svc_QueryInterface,
    svc_AddRef,
    svc_Release,
    svc_OpenNamespace,
    svc_CancelAsyncCall,
    svc_QueryObjectSink,
    svc_GetObject,
    svc_PathAsync,          /* GetObjectAsync */
    svc_PutObject,          /* PutClass */
    svc_ObjectAsync,        /* PutClassAsync */
    svc_DeletePath,         /* DeleteClass */
    svc_PathAsync,          /* DeleteClassAsync */
    svc_CreateEnum,         /* CreateClassEnum */
    svc_PathAsync,          /* CreateClassEnumAsync */
    svc_PutObject,          /* PutInstance */
    svc_ObjectAsync,        /* PutInstanceAsync */
    svc_DeletePath,         /* DeleteInstance */
    svc_PathAsync,          /* DeleteInstanceAsync */
    svc_CreateEnum,         /* CreateInstanceEnum */
    svc_PathAsync,          /* CreateInstanceEnumAsync */
    svc_ExecQuery,
    svc_ExecQueryAsync,
    svc_ExecQuery,          /* ExecNotificationQuery */
    svc_ExecQueryAsync,     /* ExecNotificationQueryAsync */
    svc_ExecMethod,
    svc_ExecMethodAsync,
};

/* ---- class factory and exports ---- */

static HRESULT provider_create(REFIID riid, void **ppv)
{
    calc_provider *p = calloc(1, sizeof(*p));
    HRESULT hr;
    if (!p)
        return E_OUTOFMEMORY;
    p->IWbemProviderInit_iface.lpVtbl = &init_vtbl;
    p->IWbemServices_iface.lpVtbl = &svc_vtbl;
    p->ref = 1;
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
    if (!IsEqualCLSID(clsid, &CLSID_CalcProvider))
        return CLASS_E_CLASSNOTAVAILABLE;
    return IClassFactory_QueryInterface(&factory, riid, ppv);
}

PROVIDER_EXPORT HRESULT WINAPI DllCanUnloadNow(void)
{
    return (object_count == 0 && server_locks == 0) ? S_OK : S_FALSE;
}
