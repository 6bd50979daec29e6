/* A counting IUnknown for tests that check AddRef/Release pairing. */
#ifndef TESTS_COMPAT_FAKE_UNKNOWN_H
#define TESTS_COMPAT_FAKE_UNKNOWN_H

#define COBJMACROS
#define CONST_VTABLE
#include <windows.h>
#include <objbase.h>

typedef struct {
    IUnknown IUnknown_iface;
    LONG refs;
} fake_unknown_t;

static HRESULT STDMETHODCALLTYPE fake_qi(IUnknown *iface, REFIID riid, void **out)
{
    if (!out)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown)) {
        *out = iface;
        IUnknown_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG STDMETHODCALLTYPE fake_addref(IUnknown *iface)
{
    return (ULONG)InterlockedIncrement(&((fake_unknown_t *)iface)->refs);
}

static ULONG STDMETHODCALLTYPE fake_release(IUnknown *iface)
{
    return (ULONG)InterlockedDecrement(&((fake_unknown_t *)iface)->refs);
}

static const IUnknownVtbl fake_vtbl = { fake_qi, fake_addref, fake_release };

static inline void fake_unknown_init(fake_unknown_t *f)
{
    f->IUnknown_iface.lpVtbl = &fake_vtbl;
    f->refs = 1;
}

#endif
