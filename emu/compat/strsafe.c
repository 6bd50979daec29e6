/* strsafe.h functions (see the override header for the contract). */
#include <stdarg.h>
#include <string.h>

#include <windows.h>
#include <strsafe.h>

#include "compat/wformat.h"

#define CCH_OK(c) ((c) > 0 && (c) <= STRSAFE_MAX_CCH)

HRESULT StringCchVPrintfW(LPWSTR dst, size_t cch, LPCWSTR fmt, va_list ap)
{
    if (!dst || !CCH_OK(cch))
        return STRSAFE_E_INVALID_PARAM;
    ssize_t n = fmt ? wmiemu__vwformat(dst, cch - 1, fmt, ap) : -1;
    if (n < 0) {
        dst[0] = 0;
        return STRSAFE_E_INVALID_PARAM;
    }
    if ((size_t)n >= cch) {
        dst[cch - 1] = 0;
        return STRSAFE_E_INSUFFICIENT_BUFFER;
    }
    dst[n] = 0;
    return S_OK;
}

HRESULT StringCchVPrintfA(LPSTR dst, size_t cch, LPCSTR fmt, va_list ap)
{
    if (!dst || !CCH_OK(cch))
        return STRSAFE_E_INVALID_PARAM;
    ssize_t n = fmt ? wmiemu__vformat(dst, cch, fmt, ap) : -1;
    if (n < 0) {
        dst[0] = 0;
        return STRSAFE_E_INVALID_PARAM;
    }
    return (size_t)n >= cch ? STRSAFE_E_INSUFFICIENT_BUFFER : S_OK;
}

HRESULT StringCchPrintfW(LPWSTR dst, size_t cch, LPCWSTR fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    HRESULT hr = StringCchVPrintfW(dst, cch, fmt, ap);
    va_end(ap);
    return hr;
}

HRESULT StringCchPrintfA(LPSTR dst, size_t cch, LPCSTR fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    HRESULT hr = StringCchVPrintfA(dst, cch, fmt, ap);
    va_end(ap);
    return hr;
}

HRESULT StringCbPrintfW(LPWSTR dst, size_t cb, LPCWSTR fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    HRESULT hr = StringCchVPrintfW(dst, cb / sizeof(WCHAR), fmt, ap);
    va_end(ap);
    return hr;
}

HRESULT StringCbPrintfA(LPSTR dst, size_t cb, LPCSTR fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    HRESULT hr = StringCchVPrintfA(dst, cb, fmt, ap);
    va_end(ap);
    return hr;
}

/* Copies at most max units of src after dst[0..at), always terminating. */
#define DEFINE_COPY(name, T)                                                  \
    static HRESULT name(T *dst, size_t cch, size_t at, const T *src, size_t max) \
    {                                                                         \
        size_t i = at;                                                        \
        for (size_t k = 0; k < max && src[k]; k++) {                          \
            if (i == cch - 1) {                                               \
                dst[i] = 0;                                                   \
                return STRSAFE_E_INSUFFICIENT_BUFFER;                         \
            }                                                                 \
            dst[i++] = src[k];                                                \
        }                                                                     \
        dst[i] = 0;                                                           \
        return S_OK;                                                          \
    }
DEFINE_COPY(copy_w, WCHAR)
DEFINE_COPY(copy_a, char)

HRESULT StringCchCopyNW(LPWSTR dst, size_t cch, LPCWSTR src, size_t max)
{
    if (!dst || !CCH_OK(cch))
        return STRSAFE_E_INVALID_PARAM;
    if (!src || max > STRSAFE_MAX_CCH) {
        dst[0] = 0;
        return STRSAFE_E_INVALID_PARAM;
    }
    return copy_w(dst, cch, 0, src, max);
}

HRESULT StringCchCopyNA(LPSTR dst, size_t cch, LPCSTR src, size_t max)
{
    if (!dst || !CCH_OK(cch))
        return STRSAFE_E_INVALID_PARAM;
    if (!src || max > STRSAFE_MAX_CCH) {
        dst[0] = 0;
        return STRSAFE_E_INVALID_PARAM;
    }
    return copy_a(dst, cch, 0, src, max);
}

HRESULT StringCchCopyW(LPWSTR dst, size_t cch, LPCWSTR src)
{
    return StringCchCopyNW(dst, cch, src, STRSAFE_MAX_CCH);
}

HRESULT StringCchCopyA(LPSTR dst, size_t cch, LPCSTR src)
{
    return StringCchCopyNA(dst, cch, src, STRSAFE_MAX_CCH);
}

HRESULT StringCbCopyW(LPWSTR dst, size_t cb, LPCWSTR src)
{
    return StringCchCopyW(dst, cb / sizeof(WCHAR), src);
}

HRESULT StringCbCopyA(LPSTR dst, size_t cb, LPCSTR src)
{
    return StringCchCopyA(dst, cb, src);
}

HRESULT StringCchCatNW(LPWSTR dst, size_t cch, LPCWSTR src, size_t max)
{
    if (!dst || !CCH_OK(cch))
        return STRSAFE_E_INVALID_PARAM;
    size_t have = 0;
    while (have < cch && dst[have])
        have++;
    /* An unterminated destination is a caller error, not something to fix. */
    if (have == cch || !src || max > STRSAFE_MAX_CCH)
        return STRSAFE_E_INVALID_PARAM;
    return copy_w(dst, cch, have, src, max);
}

HRESULT StringCchCatNA(LPSTR dst, size_t cch, LPCSTR src, size_t max)
{
    if (!dst || !CCH_OK(cch))
        return STRSAFE_E_INVALID_PARAM;
    size_t have = strnlen(dst, cch);
    if (have == cch || !src || max > STRSAFE_MAX_CCH)
        return STRSAFE_E_INVALID_PARAM;
    return copy_a(dst, cch, have, src, max);
}

HRESULT StringCchCatW(LPWSTR dst, size_t cch, LPCWSTR src)
{
    return StringCchCatNW(dst, cch, src, STRSAFE_MAX_CCH);
}

HRESULT StringCchCatA(LPSTR dst, size_t cch, LPCSTR src)
{
    return StringCchCatNA(dst, cch, src, STRSAFE_MAX_CCH);
}

HRESULT StringCbCatW(LPWSTR dst, size_t cb, LPCWSTR src)
{
    return StringCchCatW(dst, cb / sizeof(WCHAR), src);
}

HRESULT StringCbCatA(LPSTR dst, size_t cb, LPCSTR src)
{
    return StringCchCatA(dst, cb, src);
}

HRESULT StringCchLengthW(LPCWSTR s, size_t max, size_t *len)
{
    size_t n = 0;
    if (s && CCH_OK(max))
        while (n < max && s[n])
            n++;
    if (!s || !CCH_OK(max) || n == max) {
        if (len)
            *len = 0;
        return STRSAFE_E_INVALID_PARAM;
    }
    if (len)
        *len = n;
    return S_OK;
}

HRESULT StringCchLengthA(LPCSTR s, size_t max, size_t *len)
{
    size_t n = (s && CCH_OK(max)) ? strnlen(s, max) : 0;
    if (!s || !CCH_OK(max) || n == max) {
        if (len)
            *len = 0;
        return STRSAFE_E_INVALID_PARAM;
    }
    if (len)
        *len = n;
    return S_OK;
}

HRESULT StringCbLengthW(LPCWSTR s, size_t max_cb, size_t *len_cb)
{
    size_t n;
    HRESULT hr = StringCchLengthW(s, max_cb / sizeof(WCHAR), &n);
    if (len_cb)
        *len_cb = SUCCEEDED(hr) ? n * sizeof(WCHAR) : 0;
    return hr;
}

HRESULT StringCbLengthA(LPCSTR s, size_t max_cb, size_t *len_cb)
{
    return StringCchLengthA(s, max_cb, len_cb);
}
