/*
 * VariantInit/Clear/Copy/CopyInd. Conversions are in variant_convert.c.
 * A VARIANT is used by one thread at a time, as on Windows; what it owns
 * (BSTR, interface references, SAFEARRAY) is released exactly once.
 */
#define COBJMACROS
#include <string.h>

#include <windows.h>
#include <oleauto.h>

#include "compat/bstr.h"
#include "compat/fault.h"
#include "compat/variant.h"

HRESULT wmiemu__variant_check_vt(VARTYPE vt)
{
    VARTYPE base = vt & VT_TYPEMASK;
    if (vt & (VT_VECTOR | VT_RESERVED))
        return DISP_E_BADVARTYPE;
    switch (base) {
    case VT_EMPTY: case VT_NULL:
        return (vt & (VT_ARRAY | VT_BYREF)) ? DISP_E_BADVARTYPE : S_OK;
    case VT_VARIANT:
        return (vt & (VT_ARRAY | VT_BYREF)) ? S_OK : DISP_E_BADVARTYPE;
    case VT_I2: case VT_I4: case VT_R4: case VT_R8: case VT_CY: case VT_DATE:
    case VT_BSTR: case VT_DISPATCH: case VT_ERROR: case VT_BOOL: case VT_UNKNOWN:
    case VT_DECIMAL: case VT_I1: case VT_UI1: case VT_UI2: case VT_UI4:
    case VT_I8: case VT_UI8: case VT_INT: case VT_UINT: case VT_RECORD:
        return S_OK;
    default:
        return DISP_E_BADVARTYPE;
    }
}

void WINAPI VariantInit(VARIANTARG *v)
{
    if (!v)
        return;
    V_VT(v) = VT_EMPTY;
    v->wReserved1 = v->wReserved2 = v->wReserved3 = 0;
}

HRESULT WINAPI VariantClear(VARIANTARG *v)
{
    if (!v)
        return E_INVALIDARG;
    HRESULT hr = wmiemu__variant_check_vt(V_VT(v));
    if (FAILED(hr))
        return hr;
    if (!(V_VT(v) & VT_BYREF)) {
        if (V_VT(v) & VT_ARRAY) {
            hr = SafeArrayDestroy(V_ARRAY(v));
            if (FAILED(hr))
                return hr;
        } else {
            switch (V_VT(v)) {
            case VT_BSTR:
                SysFreeString(V_BSTR(v));
                break;
            case VT_UNKNOWN: case VT_DISPATCH:
                if (V_UNKNOWN(v))
                    IUnknown_Release(V_UNKNOWN(v));
                break;
            case VT_RECORD:
                if (V_RECORDINFO(v)) {
                    if (V_RECORD(v))
                        IRecordInfo_RecordDestroy(V_RECORDINFO(v), V_RECORD(v));
                    IRecordInfo_Release(V_RECORDINFO(v));
                }
                break;
            default:
                break;
            }
        }
    }
    memset(v, 0, sizeof *v);
    V_VT(v) = VT_EMPTY;
    return S_OK;
}

/* Copies src's value into dst (already cleared); owned things duplicated. */
static HRESULT copy_value(VARIANTARG *dst, const VARIANTARG *src)
{
    *dst = *src;
    if (V_VT(src) & VT_BYREF)
        return S_OK;
    if (V_VT(src) & VT_ARRAY) {
        V_ARRAY(dst) = NULL;
        HRESULT hr = SafeArrayCopy(V_ARRAY(src), &V_ARRAY(dst));
        if (FAILED(hr))
            V_VT(dst) = VT_EMPTY;
        return hr;
    }
    switch (V_VT(src)) {
    case VT_BSTR:
        V_BSTR(dst) = wmiemu__bstr_copy(V_BSTR(src));
        if (V_BSTR(src) && !V_BSTR(dst)) {
            V_VT(dst) = VT_EMPTY;
            return E_OUTOFMEMORY;
        }
        break;
    case VT_UNKNOWN: case VT_DISPATCH:
        if (V_UNKNOWN(dst))
            IUnknown_AddRef(V_UNKNOWN(dst));
        break;
    case VT_RECORD:
        if (!V_RECORDINFO(src))
            return E_INVALIDARG;
        IRecordInfo_AddRef(V_RECORDINFO(src));
        if (V_RECORD(src)) {
            HRESULT hr = IRecordInfo_RecordCreateCopy(V_RECORDINFO(src), V_RECORD(src), &V_RECORD(dst));
            if (FAILED(hr)) {
                IRecordInfo_Release(V_RECORDINFO(src));
                V_VT(dst) = VT_EMPTY;
                return hr;
            }
        }
        break;
    default:
        break;
    }
    return S_OK;
}

HRESULT WINAPI VariantCopy(VARIANTARG *dst, const VARIANTARG *src)
{
    if (!dst || !src)
        return E_INVALIDARG;
    if (wmiemu__fault_hit(WMIEMU__FAULT_ALLOC, "VariantCopy", __builtin_return_address(0)))
        return E_OUTOFMEMORY;
    HRESULT hr = wmiemu__variant_check_vt(V_VT(src));
    if (FAILED(hr))
        return hr;
    if (dst == src)
        return S_OK;
    hr = VariantClear(dst);
    if (FAILED(hr))
        return hr;
    return copy_value(dst, src);
}

/* Dereferences one level of VT_BYREF while copying. */
HRESULT WINAPI VariantCopyInd(VARIANT *dst, const VARIANTARG *src)
{
    if (!dst || !src)
        return E_INVALIDARG;
    HRESULT hr = wmiemu__variant_check_vt(V_VT(src));
    if (FAILED(hr))
        return hr;
    if (!(V_VT(src) & VT_BYREF))
        return VariantCopy(dst, src);
    if (!V_BYREF(src))
        return E_INVALIDARG;
    VARIANT tmp;
    VARTYPE vt = V_VT(src) & ~VT_BYREF;
    memset(&tmp, 0, sizeof tmp);
    if (vt == VT_VARIANT) {
        tmp = *V_VARIANTREF(src);
        if (V_VT(&tmp) & VT_BYREF)
            return E_INVALIDARG;
    } else {
        V_VT(&tmp) = vt;
        if (vt & VT_ARRAY) {
            V_ARRAY(&tmp) = *V_ARRAYREF(src);
        } else {
            switch (vt) {
            case VT_I1: case VT_UI1: V_UI1(&tmp) = *V_UI1REF(src); break;
            case VT_I2: case VT_UI2: case VT_BOOL: V_UI2(&tmp) = *V_UI2REF(src); break;
            case VT_I4: case VT_UI4: case VT_INT: case VT_UINT: case VT_R4: case VT_ERROR:
                V_UI4(&tmp) = *V_UI4REF(src); break;
            case VT_I8: case VT_UI8: case VT_R8: case VT_CY: case VT_DATE:
                V_UI8(&tmp) = *V_UI8REF(src); break;
            case VT_DECIMAL: V_DECIMAL(&tmp) = *V_DECIMALREF(src); V_VT(&tmp) = VT_DECIMAL; break;
            case VT_BSTR: V_BSTR(&tmp) = *V_BSTRREF(src); break;
            case VT_UNKNOWN: case VT_DISPATCH: V_UNKNOWN(&tmp) = *V_UNKNOWNREF(src); break;
            default: return DISP_E_BADVARTYPE;
            }
        }
    }
    VARIANT out;
    hr = copy_value(&out, &tmp);
    if (FAILED(hr))
        return hr;
    if (dst != src)
        VariantClear(dst);
    *dst = out;
    return S_OK;
}
