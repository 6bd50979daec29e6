/* COM initialisation and process security, proxy blankets and
 * CoCreateInstance, as learn.microsoft.com documents them (for example
 * https://learn.microsoft.com/windows/win32/api/combaseapi/nf-combaseapi-coinitializeex).
 * There is no apartment machinery behind them: wmiemu calls providers
 * directly, so what remains is the bookkeeping a provider can observe (the
 * per-thread initialisation count and model, the one-time process
 * security) and the answers Windows gives. */
#include <pthread.h>
#include <stdlib.h>

#define COBJMACROS
#include "compat/com.h"

/* ---- CoInitialize(Ex) / CoUninitialize ------------------------------------ */

static __thread LONG init_count;
static __thread DWORD init_model; /* COINIT_APARTMENTTHREADED or COINIT_MULTITHREADED */

HRESULT WINAPI CoInitializeEx(LPVOID reserved, DWORD flags)
{
    if (reserved)
        return E_INVALIDARG;
    DWORD model = (flags & COINIT_APARTMENTTHREADED) ? COINIT_APARTMENTTHREADED : COINIT_MULTITHREADED;
    if (!init_count) {
        init_count = 1;
        init_model = model;
        return S_OK;
    }
    /* A thread keeps the model it was first initialised with; a call that
     * asks for the other one does not count. */
    if (model != init_model)
        return RPC_E_CHANGED_MODE;
    init_count++;
    return S_FALSE;
}

/* The argument is reserved (once an IMalloc) and ignored, as on Windows. */
HRESULT WINAPI CoInitialize(LPVOID reserved)
{
    (void)reserved;
    return CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
}

void WINAPI CoUninitialize(void)
{
    if (init_count > 0)
        init_count--;
}

LONG wmiemu__com_init_count(void)
{
    return init_count;
}

/* ---- process security ----------------------------------------------------- */

static LONG security_initialised;

HRESULT WINAPI CoInitializeSecurity(PSECURITY_DESCRIPTOR sd, LONG auth_count, SOLE_AUTHENTICATION_SERVICE *auth,
                                    void *reserved1, DWORD authn_level, DWORD imp_level, void *reserved2,
                                    DWORD capabilities, void *reserved3)
{
    (void)sd;
    (void)auth_count;
    (void)auth;
    (void)reserved1;
    (void)authn_level;
    (void)imp_level;
    (void)reserved2;
    (void)capabilities;
    (void)reserved3;
    if (InterlockedCompareExchange(&security_initialised, 1, 0))
        return RPC_E_TOO_LATE;
    return S_OK;
}

/* ---- proxy blankets ---------------------------------------------------------
 * Every interface pointer a provider holds is in-process here, so a blanket
 * changes nothing; it is accepted and reported back as the default one a
 * WMI connection has (NTLM, connect-level authentication, impersonation). */

HRESULT WINAPI CoSetProxyBlanket(IUnknown *proxy, DWORD authn_svc, DWORD authz_svc, OLECHAR *principal,
                                 DWORD authn_level, DWORD imp_level, RPC_AUTH_IDENTITY_HANDLE auth_info,
                                 DWORD capabilities)
{
    (void)authn_svc;
    (void)authz_svc;
    (void)principal;
    (void)authn_level;
    (void)imp_level;
    (void)auth_info;
    (void)capabilities;
    return proxy ? S_OK : E_INVALIDARG;
}

void wmiemu__com_default_blanket(DWORD *authn_svc, DWORD *authz_svc, OLECHAR **principal, DWORD *authn_level,
                                 DWORD *imp_level, void **auth_info, DWORD *capabilities)
{
    if (authn_svc)
        *authn_svc = RPC_C_AUTHN_WINNT;
    if (authz_svc)
        *authz_svc = RPC_C_AUTHZ_NONE;
    if (principal)
        *principal = NULL;
    if (authn_level)
        *authn_level = RPC_C_AUTHN_LEVEL_CONNECT;
    if (imp_level)
        *imp_level = RPC_C_IMP_LEVEL_IMPERSONATE;
    if (auth_info)
        *auth_info = NULL;
    if (capabilities)
        *capabilities = EOAC_NONE;
}

HRESULT WINAPI CoQueryProxyBlanket(IUnknown *proxy, DWORD *authn_svc, DWORD *authz_svc, OLECHAR **principal,
                                   DWORD *authn_level, DWORD *imp_level, RPC_AUTH_IDENTITY_HANDLE *auth_info,
                                   DWORD *capabilities)
{
    if (!proxy)
        return E_INVALIDARG;
    wmiemu__com_default_blanket(authn_svc, authz_svc, principal, authn_level, imp_level, auth_info, capabilities);
    return S_OK;
}

/* ---- CoCreateInstance over the classes wmiemu serves ------------------------ */

typedef struct registered {
    CLSID clsid;
    wmiemu__com_class_fn get;
    struct registered *next;
} registered_t;

static pthread_mutex_t classes_lock = PTHREAD_MUTEX_INITIALIZER;
static registered_t *classes;

BOOL wmiemu__com_register_class(REFCLSID clsid, wmiemu__com_class_fn get)
{
    registered_t **pp, *found = NULL;
    pthread_mutex_lock(&classes_lock);
    for (pp = &classes; *pp; pp = &(*pp)->next) {
        if (IsEqualCLSID(&(*pp)->clsid, clsid)) {
            found = *pp;
            break;
        }
    }
    if (get && !found && (found = malloc(sizeof *found))) {
        found->clsid = *clsid;
        found->next = classes;
        classes = found;
    }
    if (found && get) {
        found->get = get;
    } else if (found) {
        *pp = found->next;
        free(found);
    }
    pthread_mutex_unlock(&classes_lock);
    return !get || found;
}

static wmiemu__com_class_fn class_of(REFCLSID clsid)
{
    wmiemu__com_class_fn get = NULL;
    pthread_mutex_lock(&classes_lock);
    for (registered_t *r = classes; r; r = r->next)
        if (IsEqualCLSID(&r->clsid, clsid))
            get = r->get;
    pthread_mutex_unlock(&classes_lock);
    return get;
}

HRESULT WINAPI CoGetClassObject(REFCLSID clsid, DWORD context, COSERVERINFO *server, REFIID iid, LPVOID *out)
{
    (void)context;
    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!clsid || !iid || server)
        return E_INVALIDARG;
    wmiemu__com_class_fn get = class_of(clsid);
    return get ? get(clsid, iid, out) : REGDB_E_CLASSNOTREG;
}

HRESULT WINAPI CoCreateInstance(REFCLSID clsid, LPUNKNOWN outer, DWORD context, REFIID iid, LPVOID *out)
{
    IClassFactory *factory;
    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!clsid || !iid)
        return E_INVALIDARG;
    HRESULT hr = CoGetClassObject(clsid, context, NULL, &IID_IClassFactory, (void **)&factory);
    if (FAILED(hr))
        return hr;
    hr = IClassFactory_CreateInstance(factory, outer, iid, out);
    IClassFactory_Release(factory);
    return hr;
}
