/*
 * VariantChangeType(Ex): the coercions WMI's Put relies on, between
 * VT_EMPTY, VT_NULL, VT_I1..VT_UI8, VT_INT, VT_UINT, VT_R4, VT_R8, VT_CY,
 * VT_BOOL and VT_BSTR, with Windows' results: out of range is
 * DISP_E_OVERFLOW, text that is not a number is DISP_E_TYPEMISMATCH, a type
 * that cannot be in a VARIANT is DISP_E_BADVARTYPE. Doubles round to
 * integers half-to-even, as oleaut32 does. Text is read and written in the
 * invariant form ('.' decimal point), whatever the LCID.
 */
#define COBJMACROS
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>
#include <oleauto.h>

#include "compat/bstr.h"
#include "compat/variant.h"

typedef enum { NUM_INT, NUM_UINT, NUM_DBL } num_kind_t;

typedef struct {
    num_kind_t kind;
    int64_t i;
    uint64_t u;
    double d;
} num_t;

static int is_space(WCHAR c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0xA0;
}

/* Parses a BSTR as a number: optional sign, digits, fraction, exponent, or
 * &H hex. Pure integers are parsed exactly (uint64 range matters to WMI). */
static HRESULT parse_number(BSTR s, num_t *out)
{
    char buf[128];
    UINT len = SysStringLen(s), i = 0, k = 0;
    while (i < len && is_space(s[i]))
        i++;
    while (len > i && is_space(s[len - 1]))
        len--;
    if (i == len || len - i >= sizeof buf)
        return DISP_E_TYPEMISMATCH;
    for (; i < len; i++) {
        if (s[i] >= 0x80 || !s[i])
            return DISP_E_TYPEMISMATCH;
        buf[k++] = (char)s[i];
    }
    buf[k] = 0;

    char *p = buf, *end;
    if (p[0] == '&' && (p[1] == 'H' || p[1] == 'h')) {
        if (!p[2] || strspn(p + 2, "0123456789abcdefABCDEF") != strlen(p + 2) || strlen(p + 2) > 16)
            return DISP_E_TYPEMISMATCH;
        out->kind = NUM_UINT;
        out->u = strtoull(p + 2, NULL, 16);
        return S_OK;
    }
    const char *digits = p + (*p == '-' || *p == '+');
    if (*digits && strspn(digits, "0123456789") == strlen(digits)) {
        errno = 0;
        if (*p == '-') {
            long long v = strtoll(p, &end, 10);
            if (errno != ERANGE) {
                out->kind = NUM_INT;
                out->i = v;
                return S_OK;
            }
        } else {
            unsigned long long v = strtoull(p, &end, 10);
            if (errno != ERANGE) {
                out->kind = NUM_UINT;
                out->u = v;
                return S_OK;
            }
        }
        /* Too long for 64 bits: keep going as a double, which overflows
         * every integer target and still converts to R4/R8. */
    }
    if (strpbrk(p, "xXpPnNiI"))
        return DISP_E_TYPEMISMATCH; /* no hex floats, nan or inf */
    double d = strtod(p, &end);
    if (end == p || *end)
        return DISP_E_TYPEMISMATCH;
    if (isinf(d))
        return DISP_E_OVERFLOW;
    out->kind = NUM_DBL;
    out->d = d;
    return S_OK;
}

/* Reads a scalar source as a number. */
static HRESULT source_number(const VARIANT *v, num_t *n)
{
    switch (V_VT(v)) {
    case VT_EMPTY: n->kind = NUM_INT; n->i = 0; return S_OK;
    case VT_I1: n->kind = NUM_INT; n->i = V_I1(v); return S_OK;
    case VT_I2: n->kind = NUM_INT; n->i = V_I2(v); return S_OK;
    case VT_I4: n->kind = NUM_INT; n->i = V_I4(v); return S_OK;
    case VT_INT: n->kind = NUM_INT; n->i = V_INT(v); return S_OK;
    case VT_I8: n->kind = NUM_INT; n->i = V_I8(v); return S_OK;
    case VT_BOOL: n->kind = NUM_INT; n->i = V_BOOL(v) ? -1 : 0; return S_OK;
    case VT_UI1: n->kind = NUM_UINT; n->u = V_UI1(v); return S_OK;
    case VT_UI2: n->kind = NUM_UINT; n->u = V_UI2(v); return S_OK;
    case VT_UI4: n->kind = NUM_UINT; n->u = V_UI4(v); return S_OK;
    case VT_UINT: n->kind = NUM_UINT; n->u = V_UINT(v); return S_OK;
    case VT_UI8: n->kind = NUM_UINT; n->u = V_UI8(v); return S_OK;
    case VT_R4: n->kind = NUM_DBL; n->d = V_R4(v); return S_OK;
    case VT_R8: n->kind = NUM_DBL; n->d = V_R8(v); return S_OK;
    case VT_CY:
        /* Whole currency units stay exact; fractions go through double. */
        if (V_CY(v).int64 % 10000 == 0) {
            n->kind = NUM_INT;
            n->i = V_CY(v).int64 / 10000;
        } else {
            n->kind = NUM_DBL;
            n->d = (double)V_CY(v).int64 / 10000.0;
        }
        return S_OK;
    case VT_BSTR:
        if (!V_BSTR(v))
            return DISP_E_TYPEMISMATCH;
        return parse_number(V_BSTR(v), n);
    default:
        return DISP_E_TYPEMISMATCH;
    }
}

/* Converts to an integer in [lo, hi] (signed view) or [0, uhi] (unsigned). */
static HRESULT to_signed(const num_t *n, int64_t lo, int64_t hi, int64_t *out)
{
    switch (n->kind) {
    case NUM_INT:
        if (n->i < lo || n->i > hi)
            return DISP_E_OVERFLOW;
        *out = n->i;
        return S_OK;
    case NUM_UINT:
        if (n->u > (uint64_t)hi)
            return DISP_E_OVERFLOW;
        *out = (int64_t)n->u;
        return S_OK;
    default: {
        double r = nearbyint(n->d);
        /* 2^63 is exact in double; anything >= it is out of range. */
        if (!(r >= (double)lo && r < 9223372036854775808.0) || r > (double)hi)
            return DISP_E_OVERFLOW;
        *out = (int64_t)r;
        return S_OK;
    }
    }
}

static HRESULT to_unsigned(const num_t *n, uint64_t hi, uint64_t *out)
{
    switch (n->kind) {
    case NUM_INT:
        if (n->i < 0 || (uint64_t)n->i > hi)
            return DISP_E_OVERFLOW;
        *out = (uint64_t)n->i;
        return S_OK;
    case NUM_UINT:
        if (n->u > hi)
            return DISP_E_OVERFLOW;
        *out = n->u;
        return S_OK;
    default: {
        double r = nearbyint(n->d);
        if (!(r >= 0.0 && r < 18446744073709551616.0) || r > (double)hi)
            return DISP_E_OVERFLOW;
        *out = (uint64_t)r;
        return S_OK;
    }
    }
}

static double as_double(const num_t *n)
{
    return n->kind == NUM_INT ? (double)n->i : n->kind == NUM_UINT ? (double)n->u : n->d;
}

static BSTR bstr_from_ascii(const char *s)
{
    WCHAR w[64];
    size_t n = strlen(s);
    if (n >= 64)
        n = 63;
    for (size_t i = 0; i < n; i++)
        w[i] = (unsigned char)s[i];
    return SysAllocStringLen(w, (UINT)n);
}

static HRESULT to_bstr(const VARIANT *src, USHORT flags, BSTR *out)
{
    char text[64];
    switch (V_VT(src)) {
    case VT_EMPTY: text[0] = 0; break;
    case VT_BOOL:
        if (flags & (VARIANT_ALPHABOOL | VARIANT_LOCALBOOL))
            strcpy(text, V_BOOL(src) ? "True" : "False");
        else
            strcpy(text, V_BOOL(src) ? "-1" : "0");
        break;
    case VT_R4: snprintf(text, sizeof text, "%.7G", (double)V_R4(src)); break;
    case VT_R8: snprintf(text, sizeof text, "%.15G", V_R8(src)); break;
    case VT_CY: {
        long long c = V_CY(src).int64;
        unsigned long long a = c < 0 ? 0ull - (unsigned long long)c : (unsigned long long)c;
        int k = snprintf(text, sizeof text, "%s%llu", c < 0 ? "-" : "", a / 10000);
        if (a % 10000) {
            snprintf(text + k, sizeof text - (size_t)k, ".%04llu", a % 10000);
            size_t e = strlen(text);
            while (text[e - 1] == '0')
                text[--e] = 0;
        }
        break;
    }
    default: {
        num_t n;
        HRESULT hr = source_number(src, &n);
        if (FAILED(hr))
            return hr;
        if (n.kind == NUM_INT)
            snprintf(text, sizeof text, "%lld", (long long)n.i);
        else
            snprintf(text, sizeof text, "%llu", (unsigned long long)n.u);
        break;
    }
    }
    *out = bstr_from_ascii(text);
    return *out ? S_OK : E_OUTOFMEMORY;
}

static int match_word(BSTR s, const char *word)
{
    UINT len = SysStringLen(s), i = 0;
    while (i < len && is_space(s[i]))
        i++;
    while (len > i && is_space(s[len - 1]))
        len--;
    size_t n = strlen(word);
    if (len - i != n)
        return 0;
    for (size_t k = 0; k < n; k++) {
        WCHAR c = s[i + k];
        if (c >= 'A' && c <= 'Z')
            c += 32;
        if (c != (WCHAR)word[k])
            return 0;
    }
    return 1;
}

/* Converts a scalar src (no BYREF, no ARRAY) into out, which is empty. */
static HRESULT convert_scalar(VARIANT *out, const VARIANT *src, USHORT flags, VARTYPE vt)
{
    num_t n;
    HRESULT hr;
    int64_t s;
    uint64_t u;

    if (V_VT(src) == VT_NULL) {
        if (vt != VT_NULL)
            return DISP_E_TYPEMISMATCH;
        V_VT(out) = VT_NULL;
        return S_OK;
    }
    if (vt == VT_NULL)
        return DISP_E_TYPEMISMATCH;
    if (V_VT(src) == vt && vt != VT_RECORD)
        return VariantCopy(out, src);

    switch (vt) {
    case VT_EMPTY:
        return S_OK; /* anything becomes empty */
    case VT_BSTR:
        if (V_VT(src) == VT_DATE || V_VT(src) == VT_DECIMAL || V_VT(src) == VT_ERROR)
            return V_VT(src) == VT_ERROR ? DISP_E_TYPEMISMATCH : E_NOTIMPL;
        hr = to_bstr(src, flags, &V_BSTR(out));
        if (SUCCEEDED(hr))
            V_VT(out) = VT_BSTR;
        return hr;
    case VT_UNKNOWN:
        if (V_VT(src) != VT_DISPATCH)
            return DISP_E_TYPEMISMATCH;
        V_UNKNOWN(out) = (IUnknown *)V_DISPATCH(src);
        if (V_UNKNOWN(out))
            IUnknown_AddRef(V_UNKNOWN(out));
        V_VT(out) = VT_UNKNOWN;
        return S_OK;
    case VT_DISPATCH:
        if (V_VT(src) != VT_UNKNOWN)
            return DISP_E_TYPEMISMATCH;
        if (!V_UNKNOWN(src)) {
            V_DISPATCH(out) = NULL;
        } else if (FAILED(IUnknown_QueryInterface(V_UNKNOWN(src), &IID_IDispatch, (void **)&V_DISPATCH(out)))) {
            return DISP_E_TYPEMISMATCH;
        }
        V_VT(out) = VT_DISPATCH;
        return S_OK;
    case VT_DATE: case VT_DECIMAL:
        return E_NOTIMPL;
    case VT_ERROR: case VT_RECORD:
        return DISP_E_TYPEMISMATCH;
    default:
        break;
    }

    /* Numeric and boolean targets. */
    if (V_VT(src) == VT_BSTR && V_BSTR(src) && vt == VT_BOOL) {
        if (match_word(V_BSTR(src), "true")) {
            V_BOOL(out) = VARIANT_TRUE;
            V_VT(out) = VT_BOOL;
            return S_OK;
        }
        if (match_word(V_BSTR(src), "false")) {
            V_BOOL(out) = VARIANT_FALSE;
            V_VT(out) = VT_BOOL;
            return S_OK;
        }
    }
    switch (V_VT(src)) {
    case VT_UNKNOWN: case VT_DISPATCH: case VT_ERROR: case VT_RECORD:
        return DISP_E_TYPEMISMATCH;
    case VT_DATE: case VT_DECIMAL:
        return E_NOTIMPL;
    default:
        break;
    }
    hr = source_number(src, &n);
    if (FAILED(hr))
        return hr;
    /* VARIANT_TRUE into an unsigned type fills it with ones, as oleaut32
     * does (VarUI1FromBool gives 255). */
    if (V_VT(src) == VT_BOOL && V_BOOL(src)) {
        n.kind = NUM_UINT;
        n.u = vt == VT_UI1 ? 0xFF : vt == VT_UI2 ? 0xFFFF : (vt == VT_UI4 || vt == VT_UINT) ? 0xFFFFFFFFu
            : vt == VT_UI8 ? UINT64_MAX : 0;
        if (!n.u) {
            n.kind = NUM_INT;
            n.i = -1;
        }
    }

    switch (vt) {
    case VT_I1: hr = to_signed(&n, INT8_MIN, INT8_MAX, &s); if (SUCCEEDED(hr)) V_I1(out) = (CHAR)s; break;
    case VT_I2: hr = to_signed(&n, INT16_MIN, INT16_MAX, &s); if (SUCCEEDED(hr)) V_I2(out) = (SHORT)s; break;
    case VT_I4: hr = to_signed(&n, INT32_MIN, INT32_MAX, &s); if (SUCCEEDED(hr)) V_I4(out) = (LONG)s; break;
    case VT_INT: hr = to_signed(&n, INT32_MIN, INT32_MAX, &s); if (SUCCEEDED(hr)) V_INT(out) = (INT)s; break;
    case VT_I8: hr = to_signed(&n, INT64_MIN, INT64_MAX, &s); if (SUCCEEDED(hr)) V_I8(out) = s; break;
    case VT_UI1: hr = to_unsigned(&n, UINT8_MAX, &u); if (SUCCEEDED(hr)) V_UI1(out) = (BYTE)u; break;
    case VT_UI2: hr = to_unsigned(&n, UINT16_MAX, &u); if (SUCCEEDED(hr)) V_UI2(out) = (USHORT)u; break;
    case VT_UI4: hr = to_unsigned(&n, UINT32_MAX, &u); if (SUCCEEDED(hr)) V_UI4(out) = (ULONG)u; break;
    case VT_UINT: hr = to_unsigned(&n, UINT32_MAX, &u); if (SUCCEEDED(hr)) V_UINT(out) = (UINT)u; break;
    case VT_UI8: hr = to_unsigned(&n, UINT64_MAX, &u); if (SUCCEEDED(hr)) V_UI8(out) = u; break;
    case VT_R8: V_R8(out) = as_double(&n); break;
    case VT_R4: {
        double d = as_double(&n);
        if (isfinite(d) && fabs(d) > FLT_MAX)
            hr = DISP_E_OVERFLOW;
        else
            V_R4(out) = (float)d;
        break;
    }
    case VT_BOOL:
        V_BOOL(out) = as_double(&n) != 0.0 || (n.kind == NUM_UINT && n.u) ? VARIANT_TRUE : VARIANT_FALSE;
        break;
    case VT_CY: {
        double d = as_double(&n) * 10000.0;
        double r = nearbyint(d);
        if (!(r >= -9223372036854775808.0 && r < 9223372036854775808.0))
            hr = DISP_E_OVERFLOW;
        else if (n.kind == NUM_INT && n.i >= INT64_MIN / 10000 && n.i <= INT64_MAX / 10000)
            V_CY(out).int64 = n.i * 10000;
        else
            V_CY(out).int64 = (LONGLONG)r;
        break;
    }
    default:
        hr = DISP_E_BADVARTYPE;
        break;
    }
    if (SUCCEEDED(hr))
        V_VT(out) = vt;
    return hr;
}

/* Makes a non-owning scalar view of a VT_BYREF source. */
static HRESULT deref(const VARIANT *src, VARIANT *view)
{
    VARTYPE vt = V_VT(src) & ~VT_BYREF;
    memset(view, 0, sizeof *view);
    if (!V_BYREF(src))
        return E_INVALIDARG;
    if (vt == VT_VARIANT) {
        *view = *V_VARIANTREF(src);
        return (V_VT(view) & VT_BYREF) ? DISP_E_TYPEMISMATCH : S_OK;
    }
    if (vt & VT_ARRAY) {
        V_ARRAY(view) = *V_ARRAYREF(src);
    } else {
        switch (vt) {
        case VT_I1: case VT_UI1: V_UI1(view) = *V_UI1REF(src); break;
        case VT_I2: case VT_UI2: case VT_BOOL: V_UI2(view) = *V_UI2REF(src); break;
        case VT_I4: case VT_UI4: case VT_INT: case VT_UINT: case VT_R4: case VT_ERROR:
            V_UI4(view) = *V_UI4REF(src); break;
        case VT_I8: case VT_UI8: case VT_R8: case VT_CY: case VT_DATE: V_UI8(view) = *V_UI8REF(src); break;
        case VT_BSTR: V_BSTR(view) = *V_BSTRREF(src); break;
        case VT_UNKNOWN: case VT_DISPATCH: V_UNKNOWN(view) = *V_UNKNOWNREF(src); break;
        default: return DISP_E_TYPEMISMATCH;
        }
    }
    V_VT(view) = vt;
    return S_OK;
}

HRESULT WINAPI VariantChangeTypeEx(VARIANTARG *dst, const VARIANTARG *src, LCID lcid, USHORT flags, VARTYPE vt)
{
    (void)lcid;
    if (!dst || !src)
        return E_INVALIDARG;
    HRESULT hr = wmiemu__variant_check_vt(V_VT(src));
    if (SUCCEEDED(hr))
        hr = wmiemu__variant_check_vt(vt);
    if (FAILED(hr))
        return hr;
    if (vt & VT_BYREF)
        return DISP_E_TYPEMISMATCH;

    VARIANT view;
    if (V_VT(src) & VT_BYREF) {
        hr = deref(src, &view);
        if (FAILED(hr))
            return hr;
        src = &view;
    }

    VARIANT out;
    VariantInit(&out);
    if ((vt & VT_ARRAY) || (V_VT(src) & VT_ARRAY))
        hr = V_VT(src) == vt ? VariantCopy(&out, src) : DISP_E_TYPEMISMATCH;
    else
        hr = convert_scalar(&out, src, flags, vt);
    if (FAILED(hr)) {
        VariantClear(&out);
        return hr;
    }
    /* dst may be src: only now is the old value no longer needed. */
    hr = VariantClear(dst);
    if (FAILED(hr)) {
        VariantClear(&out);
        return hr;
    }
    *dst = out;
    return S_OK;
}

HRESULT WINAPI VariantChangeType(VARIANTARG *dst, const VARIANTARG *src, USHORT flags, VARTYPE vt)
{
    return VariantChangeTypeEx(dst, src, 0, flags, vt);
}
