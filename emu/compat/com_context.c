/* The COM call context (token.h): CoGetCallContext's IServerSecurity,
 * CoImpersonateClient and CoRevertToSelf
 * (https://learn.microsoft.com/windows/win32/api/combaseapi/nf-combaseapi-coimpersonateclient).
 * The host enters a context around each call it makes into a provider on a
 * client's behalf; outside one, these answer RPC_E_CALL_COMPLETE, as COM
 * does on a thread that is not servicing a call. */
#include <stdlib.h>

#define COBJMACROS
#define CONST_VTABLE
#include <windows.h>
#include <objbase.h>

#include "compat/com.h"
#include "compat/token.h"

const IID IID_IServerSecurity = { 0x0000013e, 0, 0, { 0xc0, 0, 0, 0, 0, 0, 0, 0x46 } };

static __thread wmiemu__call_context_t *current;

struct server_security {
    IServerSecurity IServerSecurity_iface;
    LONG refs;
    wmiemu__call_context_t *ctx; /* NULL once the call is over */
};

static inline struct server_security *impl_from_IServerSecurity(IServerSecurity *iface)
{
    return CONTAINING_RECORD(iface, struct server_security, IServerSecurity_iface);
}

static HRESULT WINAPI server_security_QueryInterface(IServerSecurity *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IServerSecurity)) {
        *ppv = iface;
        IServerSecurity_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI server_security_AddRef(IServerSecurity *iface)
{
    return (ULONG)InterlockedIncrement(&impl_from_IServerSecurity(iface)->refs);
}

static ULONG WINAPI server_security_Release(IServerSecurity *iface)
{
    struct server_security *s = impl_from_IServerSecurity(iface);
    LONG refs = InterlockedDecrement(&s->refs);
    if (!refs)
        free(s);
    return (ULONG)refs;
}

/* The blanket of a local WMI call; no client principal name is known. */
static HRESULT WINAPI server_security_QueryBlanket(IServerSecurity *iface, DWORD *authn_svc, DWORD *authz_svc,
                                                   OLECHAR **principal, DWORD *authn_level, DWORD *imp_level,
                                                   void **privs, DWORD *capabilities)
{
    if (!impl_from_IServerSecurity(iface)->ctx)
        return RPC_E_CALL_COMPLETE;
    wmiemu__com_default_blanket(authn_svc, authz_svc, principal, authn_level, imp_level, privs, capabilities);
    return S_OK;
}

/* Puts the call's client on the calling thread. */
static HRESULT impersonate(wmiemu__call_context_t *ctx)
{
    if (!ctx)
        return RPC_E_CALL_COMPLETE;
    wmiemu__token_set_thread(ctx->client);
    return S_OK;
}

/* One revert undoes any number of impersonations: the thread gets back
 * the token it had when the call began. */
static HRESULT revert(wmiemu__call_context_t *ctx)
{
    if (!ctx)
        return RPC_E_CALL_COMPLETE;
    wmiemu__token_set_thread(ctx->saved);
    return S_OK;
}

static HRESULT WINAPI server_security_ImpersonateClient(IServerSecurity *iface)
{
    return impersonate(impl_from_IServerSecurity(iface)->ctx);
}

static HRESULT WINAPI server_security_RevertToSelf(IServerSecurity *iface)
{
    return revert(impl_from_IServerSecurity(iface)->ctx);
}

static BOOL WINAPI server_security_IsImpersonating(IServerSecurity *iface)
{
    wmiemu__call_context_t *ctx = impl_from_IServerSecurity(iface)->ctx;
    if (!ctx)
        return FALSE;
    wmiemu__kobj_t *t = wmiemu__token_thread();
    BOOL is = t && t == ctx->client;
    if (t)
        wmiemu__kobj_release(t);
    return is;
}

static const IServerSecurityVtbl server_security_vtbl = {
    server_security_QueryInterface,
    server_security_AddRef,
    server_security_Release,
    server_security_QueryBlanket,
    server_security_ImpersonateClient,
    server_security_RevertToSelf,
    server_security_IsImpersonating,
};

/* ---- the context, entered and left by the host ----------------------------- */

void wmiemu__call_context_enter(wmiemu__call_context_t *ctx, wmiemu__kobj_t *client)
{
    wmiemu__kobj_addref(client);
    ctx->client = client;
    ctx->saved = wmiemu__token_thread();
    ctx->security = NULL;
    ctx->outer = current;
    current = ctx;
}

BOOL wmiemu__call_context_leave(wmiemu__call_context_t *ctx)
{
    wmiemu__kobj_t *now = wmiemu__token_thread();
    BOOL impersonating = now != ctx->saved;
    if (now)
        wmiemu__kobj_release(now);
    wmiemu__token_set_thread(ctx->saved);
    if (ctx->saved)
        wmiemu__kobj_release(ctx->saved);
    wmiemu__kobj_release(ctx->client);
    if (ctx->security) {
        ctx->security->ctx = NULL;
        IServerSecurity_Release(&ctx->security->IServerSecurity_iface);
    }
    current = ctx->outer;
    return impersonating;
}

wmiemu__call_context_t *wmiemu__call_context_current(void)
{
    return current;
}

/* ---- the COM functions ----------------------------------------------------- */

HRESULT WINAPI CoGetCallContext(REFIID riid, void **out)
{
    if (!out)
        return E_INVALIDARG;
    *out = NULL;
    if (!current)
        return RPC_E_CALL_COMPLETE;
    if (!current->security) {
        struct server_security *s = malloc(sizeof *s);
        if (!s)
            return E_OUTOFMEMORY;
        s->IServerSecurity_iface.lpVtbl = &server_security_vtbl;
        s->refs = 1; /* the context's */
        s->ctx = current;
        current->security = s;
    }
    return IServerSecurity_QueryInterface(&current->security->IServerSecurity_iface, riid, out);
}

HRESULT WINAPI CoImpersonateClient(void)
{
    return impersonate(current);
}

HRESULT WINAPI CoRevertToSelf(void)
{
    return revert(current);
}
