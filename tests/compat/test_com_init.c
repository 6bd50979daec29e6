/* COM initialisation per thread, process security, proxy blankets and
 * CoCreateInstance, with the answers Windows documents. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fake_unknown.h"

#include "compat/com.h"

static const CLSID clsid_unknown = { 0x12345678, 0x1234, 0x1234, { 1, 2, 3, 4, 5, 6, 7, 8 } };

static DWORD WINAPI other_thread(void *arg)
{
    (void)arg;
    /* Each thread has its own count and model. */
    return CoInitializeEx(NULL, COINIT_MULTITHREADED) == S_OK ? 0 : 1;
}

static void initialise(void **state)
{
    (void)state;
    assert_int_equal(CoInitializeEx(NULL, COINIT_APARTMENTTHREADED), S_OK);
    assert_int_equal(CoInitializeEx(NULL, COINIT_APARTMENTTHREADED | COINIT_DISABLE_OLE1DDE), S_FALSE);
    assert_int_equal(CoInitialize(NULL), S_FALSE);
    /* The other model: refused and not counted. */
    assert_int_equal(CoInitializeEx(NULL, COINIT_MULTITHREADED), RPC_E_CHANGED_MODE);

    HANDLE t = CreateThread(NULL, 0, other_thread, NULL, 0, NULL);
    assert_non_null(t);
    assert_int_equal(WaitForSingleObject(t, INFINITE), WAIT_OBJECT_0);
    DWORD code = 99;
    assert_true(GetExitCodeThread(t, &code));
    assert_int_equal(code, 0);
    CloseHandle(t);

    /* Three calls succeeded: three uninitialisations end it, then the
     * thread may choose again. */
    CoUninitialize();
    CoUninitialize();
    assert_int_equal(CoInitializeEx(NULL, COINIT_MULTITHREADED), RPC_E_CHANGED_MODE);
    CoUninitialize();
    assert_int_equal(CoInitializeEx(NULL, COINIT_MULTITHREADED), S_OK);
    CoUninitialize();
    CoUninitialize(); /* one too many: ignored */
    assert_int_equal(CoInitializeEx((void *)1, COINIT_MULTITHREADED), E_INVALIDARG);
}

static void process_security(void **state)
{
    (void)state;
    assert_int_equal(CoInitializeSecurity(NULL, -1, NULL, NULL, RPC_C_AUTHN_LEVEL_DEFAULT,
                                          RPC_C_IMP_LEVEL_IMPERSONATE, NULL, EOAC_NONE, NULL),
                     S_OK);
    assert_int_equal(CoInitializeSecurity(NULL, -1, NULL, NULL, RPC_C_AUTHN_LEVEL_DEFAULT,
                                          RPC_C_IMP_LEVEL_IMPERSONATE, NULL, EOAC_NONE, NULL),
                     RPC_E_TOO_LATE);
}

static void proxy_blanket(void **state)
{
    IUnknown *proxy = (IUnknown *)&clsid_unknown; /* never called through */
    DWORD authn, authz, level, imp, caps;
    OLECHAR *principal = (OLECHAR *)1;
    (void)state;
    assert_int_equal(CoSetProxyBlanket(proxy, RPC_C_AUTHN_WINNT, RPC_C_AUTHZ_NONE, NULL,
                                       RPC_C_AUTHN_LEVEL_CALL, RPC_C_IMP_LEVEL_IMPERSONATE, NULL, EOAC_NONE),
                     S_OK);
    assert_int_equal(CoSetProxyBlanket(NULL, RPC_C_AUTHN_WINNT, RPC_C_AUTHZ_NONE, NULL, RPC_C_AUTHN_LEVEL_CALL,
                                       RPC_C_IMP_LEVEL_IMPERSONATE, NULL, EOAC_NONE),
                     E_INVALIDARG);
    assert_int_equal(CoQueryProxyBlanket(proxy, &authn, &authz, &principal, &level, &imp, NULL, &caps), S_OK);
    assert_int_equal(authn, RPC_C_AUTHN_WINNT);
    assert_int_equal(authz, RPC_C_AUTHZ_NONE);
    assert_null(principal);
    assert_int_equal(imp, RPC_C_IMP_LEVEL_IMPERSONATE);
    assert_int_equal(CoQueryProxyBlanket(NULL, &authn, NULL, NULL, NULL, NULL, NULL, NULL), E_INVALIDARG);
}

/* A class object that makes one kind of object: the fake IUnknown. */
static fake_unknown_t made;

static HRESULT WINAPI factory_qi(IClassFactory *iface, REFIID riid, void **out)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IClassFactory)) {
        *out = iface;
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}
static ULONG WINAPI factory_addref(IClassFactory *iface)
{
    (void)iface;
    return 2;
}
static ULONG WINAPI factory_release(IClassFactory *iface)
{
    (void)iface;
    return 1;
}
static HRESULT WINAPI factory_create(IClassFactory *iface, IUnknown *outer, REFIID riid, void **out)
{
    (void)iface;
    if (outer)
        return CLASS_E_NOAGGREGATION;
    fake_unknown_init(&made);
    HRESULT hr = IUnknown_QueryInterface(&made.IUnknown_iface, riid, out);
    IUnknown_Release(&made.IUnknown_iface);
    return hr;
}
static HRESULT WINAPI factory_lock(IClassFactory *iface, BOOL lock)
{
    (void)iface;
    (void)lock;
    return S_OK;
}
static const IClassFactoryVtbl factory_vtbl = { factory_qi, factory_addref, factory_release, factory_create,
                                                factory_lock };
static IClassFactory factory = { &factory_vtbl };

static HRESULT get_factory(REFCLSID clsid, REFIID iid, void **out)
{
    (void)clsid;
    return IClassFactory_QueryInterface(&factory, iid, out);
}

static void create_instance(void **state)
{
    void *obj = (void *)1;
    (void)state;
    assert_int_equal(CoCreateInstance(&clsid_unknown, NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown, &obj),
                     REGDB_E_CLASSNOTREG);
    assert_null(obj);
    assert_int_equal(CoCreateInstance(&clsid_unknown, NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown, NULL), E_POINTER);
    assert_int_equal(CoGetClassObject(&clsid_unknown, CLSCTX_INPROC_SERVER, NULL, &IID_IClassFactory, &obj),
                     REGDB_E_CLASSNOTREG);

    /* A class the host registers is created through its class object. */
    assert_true(wmiemu__com_register_class(&clsid_unknown, get_factory));
    IUnknown *unk;
    assert_int_equal(CoCreateInstance(&clsid_unknown, NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown, (void **)&unk),
                     S_OK);
    assert_ptr_equal(unk, &made.IUnknown_iface);
    assert_int_equal(made.refs, 1);
    assert_int_equal(CoCreateInstance(&clsid_unknown, (IUnknown *)1, CLSCTX_INPROC_SERVER, &IID_IUnknown, &obj),
                     CLASS_E_NOAGGREGATION);
    assert_int_equal(CoCreateInstance(&clsid_unknown, NULL, CLSCTX_INPROC_SERVER, &IID_IDispatch, &obj),
                     E_NOINTERFACE);
    assert_true(wmiemu__com_register_class(&clsid_unknown, NULL));
    assert_int_equal(CoCreateInstance(&clsid_unknown, NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown, &obj),
                     REGDB_E_CLASSNOTREG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(initialise),
        cmocka_unit_test(process_security),
        cmocka_unit_test(proxy_blanket),
        cmocka_unit_test(create_instance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
