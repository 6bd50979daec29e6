/*
 * SAFEARRAY as Windows lays it out: the descriptor keeps rgsabound in
 * reverse order (rgsabound[0] is the right-most dimension), the element
 * VARTYPE sits in the 4 bytes before the descriptor (FADF_HAVEVARTYPE), and
 * elements are stored with the left-most dimension varying fastest.
 * rgIndices[] name dimensions left to right, as callers do in practice.
 * Lock counts are atomic; element access itself is as thread-safe as on
 * Windows (callers serialise writers).
 */
#define COBJMACROS
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>
#include <oleauto.h>

#include "compat/bstr.h"
#include "compat/fault.h"
#include "compat/variant.h"

#define SA_MAX_LOCKS 65535
/* Room before the descriptor: keeps it 16-byte aligned, vt at [-4]. */
#define SA_PREFIX 16
#define SA_MAX_BYTES ((size_t)1 << 40)

static ULONG elem_size(VARTYPE vt, USHORT *features)
{
    USHORT f = 0;
    ULONG size;
    switch (vt) {
    case VT_I1: case VT_UI1: size = 1; break;
    case VT_I2: case VT_UI2: case VT_BOOL: size = 2; break;
    case VT_I4: case VT_UI4: case VT_INT: case VT_UINT: case VT_R4: case VT_ERROR: size = 4; break;
    case VT_I8: case VT_UI8: case VT_R8: case VT_CY: case VT_DATE: size = 8; break;
    case VT_DECIMAL: size = sizeof(DECIMAL); break;
    case VT_BSTR: size = sizeof(BSTR); f = FADF_BSTR; break;
    case VT_UNKNOWN: size = sizeof(IUnknown *); f = FADF_UNKNOWN; break;
    case VT_DISPATCH: size = sizeof(IDispatch *); f = FADF_DISPATCH; break;
    case VT_VARIANT: size = sizeof(VARIANT); f = FADF_VARIANT; break;
    default: return 0; /* VT_RECORD and friends are not supported */
    }
    if (features)
        *features = f;
    return size;
}

static size_t descriptor_size(UINT dims)
{
    return offsetof(SAFEARRAY, rgsabound) + (size_t)dims * sizeof(SAFEARRAYBOUND);
}

static int total_cells(const SAFEARRAY *psa, size_t *cells)
{
    size_t n = 1;
    for (USHORT i = 0; i < psa->cDims; i++) {
        size_t c = psa->rgsabound[i].cElements;
        if (c && n > SIZE_MAX / c)
            return 0;
        n *= c;
    }
    /* Far past any real array: refuse instead of asking malloc. */
    if (psa->cbElements && n > SA_MAX_BYTES / psa->cbElements)
        return 0;
    *cells = n;
    return 1;
}

HRESULT WINAPI SafeArrayAllocDescriptor(UINT dims, SAFEARRAY **out)
{
    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!dims || dims > 65535)
        return E_INVALIDARG;
    unsigned char *base = calloc(1, SA_PREFIX + descriptor_size(dims));
    if (!base)
        return E_OUTOFMEMORY;
    SAFEARRAY *psa = (SAFEARRAY *)(base + SA_PREFIX);
    psa->cDims = (USHORT)dims;
    *out = psa;
    return S_OK;
}

HRESULT WINAPI SafeArrayAllocDescriptorEx(VARTYPE vt, UINT dims, SAFEARRAY **out)
{
    USHORT features;
    ULONG size = elem_size(vt, &features);
    if (!size) {
        if (out)
            *out = NULL;
        return E_INVALIDARG;
    }
    HRESULT hr = SafeArrayAllocDescriptor(dims, out);
    if (FAILED(hr))
        return hr;
    (*out)->fFeatures = features | FADF_HAVEVARTYPE;
    (*out)->cbElements = size;
    DWORD v = vt;
    memcpy((unsigned char *)*out - sizeof(DWORD), &v, sizeof v);
    return S_OK;
}

HRESULT WINAPI SafeArrayAllocData(SAFEARRAY *psa)
{
    size_t cells;
    if (!psa || !psa->cbElements)
        return E_INVALIDARG;
    if (!total_cells(psa, &cells))
        return E_OUTOFMEMORY;
    void *data = calloc(cells ? cells : 1, psa->cbElements);
    if (!data)
        return E_OUTOFMEMORY;
    psa->pvData = data;
    return S_OK;
}

SAFEARRAY *WINAPI SafeArrayCreate(VARTYPE vt, UINT dims, SAFEARRAYBOUND *bounds)
{
    SAFEARRAY *psa;
    if (wmiemu__fault_hit(WMIEMU__FAULT_ALLOC, "SafeArrayCreate", __builtin_return_address(0)))
        return NULL;
    if (!bounds || FAILED(SafeArrayAllocDescriptorEx(vt, dims, &psa)))
        return NULL;
    for (UINT i = 0; i < dims; i++)
        psa->rgsabound[i] = bounds[dims - 1 - i];
    if (FAILED(SafeArrayAllocData(psa))) {
        free((unsigned char *)psa - SA_PREFIX);
        return NULL;
    }
    return psa;
}

SAFEARRAY *WINAPI SafeArrayCreateVector(VARTYPE vt, LONG lbound, ULONG count)
{
    SAFEARRAYBOUND b = { count, lbound };
    if (wmiemu__fault_hit(WMIEMU__FAULT_ALLOC, "SafeArrayCreateVector", __builtin_return_address(0)))
        return NULL;
    return SafeArrayCreate(vt, 1, &b);
}

HRESULT WINAPI SafeArrayLock(SAFEARRAY *psa)
{
    if (!psa)
        return E_INVALIDARG;
    if (__atomic_add_fetch(&psa->cLocks, 1, __ATOMIC_ACQ_REL) > SA_MAX_LOCKS) {
        __atomic_sub_fetch(&psa->cLocks, 1, __ATOMIC_ACQ_REL);
        return E_UNEXPECTED;
    }
    return S_OK;
}

HRESULT WINAPI SafeArrayUnlock(SAFEARRAY *psa)
{
    if (!psa)
        return E_INVALIDARG;
    ULONG cur = __atomic_load_n(&psa->cLocks, __ATOMIC_ACQUIRE);
    do {
        if (!cur)
            return E_UNEXPECTED;
    } while (!__atomic_compare_exchange_n(&psa->cLocks, &cur, cur - 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
    return S_OK;
}

static ULONG lock_count(SAFEARRAY *psa)
{
    return __atomic_load_n(&psa->cLocks, __ATOMIC_ACQUIRE);
}

static void release_cells(SAFEARRAY *psa, size_t cells)
{
    unsigned char *p = psa->pvData;
    for (size_t i = 0; i < cells; i++, p += psa->cbElements) {
        if (psa->fFeatures & FADF_BSTR) {
            BSTR b;
            memcpy(&b, p, sizeof b);
            SysFreeString(b);
        } else if (psa->fFeatures & (FADF_UNKNOWN | FADF_DISPATCH)) {
            IUnknown *u;
            memcpy(&u, p, sizeof u);
            if (u)
                IUnknown_Release(u);
        } else if (psa->fFeatures & FADF_VARIANT) {
            VariantClear((VARIANT *)p);
        }
    }
    memset(psa->pvData, 0, cells * psa->cbElements);
}

HRESULT WINAPI SafeArrayDestroyData(SAFEARRAY *psa)
{
    size_t cells;
    if (!psa)
        return E_INVALIDARG;
    if (lock_count(psa))
        return DISP_E_ARRAYISLOCKED;
    if (!psa->pvData)
        return S_OK;
    if (total_cells(psa, &cells))
        release_cells(psa, cells);
    if (!(psa->fFeatures & (FADF_STATIC | FADF_AUTO | FADF_EMBEDDED))) {
        free(psa->pvData);
        psa->pvData = NULL;
    }
    return S_OK;
}

HRESULT WINAPI SafeArrayDestroyDescriptor(SAFEARRAY *psa)
{
    if (!psa)
        return S_OK;
    if (lock_count(psa))
        return DISP_E_ARRAYISLOCKED;
    if (!(psa->fFeatures & (FADF_STATIC | FADF_AUTO | FADF_EMBEDDED)))
        free((unsigned char *)psa - SA_PREFIX);
    return S_OK;
}

HRESULT WINAPI SafeArrayDestroy(SAFEARRAY *psa)
{
    if (!psa)
        return S_OK;
    if (lock_count(psa))
        return DISP_E_ARRAYISLOCKED;
    HRESULT hr = SafeArrayDestroyData(psa);
    if (FAILED(hr))
        return hr;
    return SafeArrayDestroyDescriptor(psa);
}

UINT WINAPI SafeArrayGetDim(SAFEARRAY *psa)
{
    return psa ? psa->cDims : 0;
}

UINT WINAPI SafeArrayGetElemsize(SAFEARRAY *psa)
{
    return psa ? psa->cbElements : 0;
}

/* nDim counts from 1 at the left-most dimension. */
static HRESULT bound_of(SAFEARRAY *psa, UINT dim, SAFEARRAYBOUND **b)
{
    if (!psa)
        return E_INVALIDARG;
    if (dim < 1 || dim > psa->cDims)
        return DISP_E_BADINDEX;
    *b = &psa->rgsabound[psa->cDims - dim];
    return S_OK;
}

HRESULT WINAPI SafeArrayGetLBound(SAFEARRAY *psa, UINT dim, LONG *out)
{
    SAFEARRAYBOUND *b;
    if (!out)
        return E_INVALIDARG;
    HRESULT hr = bound_of(psa, dim, &b);
    if (SUCCEEDED(hr))
        *out = b->lLbound;
    return hr;
}

HRESULT WINAPI SafeArrayGetUBound(SAFEARRAY *psa, UINT dim, LONG *out)
{
    SAFEARRAYBOUND *b;
    if (!out)
        return E_INVALIDARG;
    HRESULT hr = bound_of(psa, dim, &b);
    if (SUCCEEDED(hr))
        *out = (LONG)((int64_t)b->lLbound + (int64_t)b->cElements - 1);
    return hr;
}

HRESULT WINAPI SafeArrayGetVartype(SAFEARRAY *psa, VARTYPE *vt)
{
    if (!psa || !vt)
        return E_INVALIDARG;
    if (psa->fFeatures & FADF_HAVEVARTYPE) {
        DWORD v;
        memcpy(&v, (unsigned char *)psa - sizeof(DWORD), sizeof v);
        *vt = (VARTYPE)v;
    } else if (psa->fFeatures & FADF_BSTR) {
        *vt = VT_BSTR;
    } else if (psa->fFeatures & FADF_UNKNOWN) {
        *vt = VT_UNKNOWN;
    } else if (psa->fFeatures & FADF_DISPATCH) {
        *vt = VT_DISPATCH;
    } else if (psa->fFeatures & FADF_VARIANT) {
        *vt = VT_VARIANT;
    } else {
        return E_INVALIDARG;
    }
    return S_OK;
}

HRESULT WINAPI SafeArrayPtrOfIndex(SAFEARRAY *psa, LONG *idx, void **out)
{
    if (!psa || !idx || !out)
        return E_INVALIDARG;
    if (!psa->pvData)
        return E_INVALIDARG;
    size_t cell = 0, stride = 1;
    for (USHORT d = 0; d < psa->cDims; d++) {
        const SAFEARRAYBOUND *b = &psa->rgsabound[psa->cDims - 1 - d];
        int64_t rel = (int64_t)idx[d] - b->lLbound;
        if (rel < 0 || rel >= (int64_t)b->cElements)
            return DISP_E_BADINDEX;
        cell += (size_t)rel * stride;
        stride *= b->cElements;
    }
    *out = (unsigned char *)psa->pvData + cell * psa->cbElements;
    return S_OK;
}

HRESULT WINAPI SafeArrayGetElement(SAFEARRAY *psa, LONG *idx, void *pv)
{
    void *cell;
    if (!psa || !idx || !pv)
        return E_INVALIDARG;
    HRESULT hr = SafeArrayLock(psa);
    if (FAILED(hr))
        return hr;
    hr = SafeArrayPtrOfIndex(psa, idx, &cell);
    if (SUCCEEDED(hr)) {
        if (psa->fFeatures & FADF_VARIANT) {
            VariantInit(pv);
            hr = VariantCopy(pv, cell);
        } else if (psa->fFeatures & FADF_BSTR) {
            BSTR src, copy;
            memcpy(&src, cell, sizeof src);
            copy = wmiemu__bstr_copy(src);
            if (src && !copy)
                hr = E_OUTOFMEMORY;
            else
                memcpy(pv, &copy, sizeof copy);
        } else {
            memcpy(pv, cell, psa->cbElements);
            if (psa->fFeatures & (FADF_UNKNOWN | FADF_DISPATCH)) {
                IUnknown *u;
                memcpy(&u, cell, sizeof u);
                if (u)
                    IUnknown_AddRef(u);
            }
        }
    }
    SafeArrayUnlock(psa);
    return hr;
}

/* For VT_BSTR, VT_UNKNOWN and VT_DISPATCH arrays pv is the value itself
 * (the string or interface pointer), otherwise it points to the value. */
HRESULT WINAPI SafeArrayPutElement(SAFEARRAY *psa, LONG *idx, void *pv)
{
    void *cell;
    if (!psa || !idx)
        return E_INVALIDARG;
    if (!pv && !(psa->fFeatures & (FADF_BSTR | FADF_UNKNOWN | FADF_DISPATCH)))
        return E_INVALIDARG;
    HRESULT hr = SafeArrayLock(psa);
    if (FAILED(hr))
        return hr;
    hr = SafeArrayPtrOfIndex(psa, idx, &cell);
    if (SUCCEEDED(hr)) {
        if (psa->fFeatures & FADF_VARIANT) {
            hr = VariantCopy(cell, pv);
        } else if (psa->fFeatures & FADF_BSTR) {
            BSTR old, copy = wmiemu__bstr_copy((BSTR)pv);
            if (pv && !copy) {
                hr = E_OUTOFMEMORY;
            } else {
                memcpy(&old, cell, sizeof old);
                SysFreeString(old);
                memcpy(cell, &copy, sizeof copy);
            }
        } else if (psa->fFeatures & (FADF_UNKNOWN | FADF_DISPATCH)) {
            IUnknown *old, *u = pv;
            if (u)
                IUnknown_AddRef(u);
            memcpy(&old, cell, sizeof old);
            memcpy(cell, &u, sizeof u);
            if (old)
                IUnknown_Release(old);
        } else {
            memcpy(cell, pv, psa->cbElements);
        }
    }
    SafeArrayUnlock(psa);
    return hr;
}

HRESULT WINAPI SafeArrayAccessData(SAFEARRAY *psa, void **data)
{
    if (!psa || !data)
        return E_INVALIDARG;
    HRESULT hr = SafeArrayLock(psa);
    *data = SUCCEEDED(hr) ? psa->pvData : NULL;
    return hr;
}

HRESULT WINAPI SafeArrayUnaccessData(SAFEARRAY *psa)
{
    return SafeArrayUnlock(psa);
}

/* Deep-copies cells: BSTRs duplicated, interfaces AddRef'd, VARIANTs copied. */
static HRESULT copy_cells(SAFEARRAY *src, SAFEARRAY *dst, size_t cells)
{
    unsigned char *s = src->pvData, *d = dst->pvData;
    size_t sz = src->cbElements;
    if (!(src->fFeatures & (FADF_BSTR | FADF_UNKNOWN | FADF_DISPATCH | FADF_VARIANT))) {
        memcpy(d, s, cells * sz);
        return S_OK;
    }
    for (size_t i = 0; i < cells; i++, s += sz, d += sz) {
        if (src->fFeatures & FADF_VARIANT) {
            HRESULT hr = VariantCopy((VARIANT *)d, (VARIANT *)s);
            if (FAILED(hr))
                return hr;
        } else if (src->fFeatures & FADF_BSTR) {
            BSTR b, copy;
            memcpy(&b, s, sizeof b);
            copy = wmiemu__bstr_copy(b);
            if (b && !copy)
                return E_OUTOFMEMORY;
            memcpy(d, &copy, sizeof copy);
        } else {
            IUnknown *u;
            memcpy(&u, s, sizeof u);
            if (u)
                IUnknown_AddRef(u);
            memcpy(d, &u, sizeof u);
        }
    }
    return S_OK;
}

HRESULT WINAPI SafeArrayCopyData(SAFEARRAY *src, SAFEARRAY *dst)
{
    size_t cells;
    if (!src || !dst || !src->pvData || !dst->pvData)
        return E_INVALIDARG;
    if (src->cDims != dst->cDims || src->cbElements != dst->cbElements ||
        (src->fFeatures & ~FADF_STATIC & 0xF00) != (dst->fFeatures & ~FADF_STATIC & 0xF00))
        return E_INVALIDARG;
    for (USHORT i = 0; i < src->cDims; i++)
        if (src->rgsabound[i].cElements != dst->rgsabound[i].cElements)
            return E_INVALIDARG;
    if (!total_cells(src, &cells))
        return E_OUTOFMEMORY;
    release_cells(dst, cells);
    return copy_cells(src, dst, cells);
}

HRESULT WINAPI SafeArrayCopy(SAFEARRAY *src, SAFEARRAY **out)
{
    size_t cells;
    if (!out)
        return E_INVALIDARG;
    *out = NULL;
    if (!src)
        return S_OK;
    if (!src->cbElements || !total_cells(src, &cells))
        return E_INVALIDARG;
    SAFEARRAY *dst;
    HRESULT hr = SafeArrayAllocDescriptor(src->cDims, &dst);
    if (FAILED(hr))
        return hr;
    /* Keep the type bits, drop the storage ones (the copy owns its data). */
    dst->fFeatures = src->fFeatures & ~(FADF_STATIC | FADF_AUTO | FADF_EMBEDDED);
    dst->cbElements = src->cbElements;
    memcpy(dst->rgsabound, src->rgsabound, src->cDims * sizeof(SAFEARRAYBOUND));
    if (src->fFeatures & FADF_HAVEVARTYPE)
        memcpy((unsigned char *)dst - sizeof(DWORD), (unsigned char *)src - sizeof(DWORD), sizeof(DWORD));
    if (src->pvData) {
        hr = SafeArrayAllocData(dst);
        if (SUCCEEDED(hr))
            hr = copy_cells(src, dst, cells);
        if (FAILED(hr)) {
            SafeArrayDestroy(dst);
            return hr;
        }
    }
    *out = dst;
    return S_OK;
}
