/*
 * Override of Wine's strsafe.h, which only defines the error codes. The
 * Windows SDK's strsafe functions a provider uses, with its semantics:
 * results always NUL-terminated, truncation reported as
 * STRSAFE_E_INSUFFICIENT_BUFFER, sizes of 0 or past STRSAFE_MAX_CCH and
 * NULL pointers reported as STRSAFE_E_INVALID_PARAM. Formatting follows the
 * Microsoft CRT (%s is a wide string in the W functions; see
 * wmiemu_crt16.h).
 */
#ifndef WMIEMU_STRSAFE_H
#define WMIEMU_STRSAFE_H

#include "wmiemu_extern.h"

#include_next <strsafe.h>
#include <stdarg.h>
#include <windef.h>
#include "wmiemu_crt16.h"

#ifndef STRSAFE_MAX_CCH
# define STRSAFE_MAX_CCH 2147483647
#endif

#ifdef __cplusplus
extern "C" {
#endif

WMIEMU_EXTERN HRESULT StringCchPrintfW(LPWSTR dst, size_t cch, LPCWSTR fmt, ...);
WMIEMU_EXTERN HRESULT StringCchPrintfA(LPSTR dst, size_t cch, LPCSTR fmt, ...);
WMIEMU_EXTERN HRESULT StringCchVPrintfW(LPWSTR dst, size_t cch, LPCWSTR fmt, va_list ap);
WMIEMU_EXTERN HRESULT StringCchVPrintfA(LPSTR dst, size_t cch, LPCSTR fmt, va_list ap);
WMIEMU_EXTERN HRESULT StringCbPrintfW(LPWSTR dst, size_t cb, LPCWSTR fmt, ...);
WMIEMU_EXTERN HRESULT StringCbPrintfA(LPSTR dst, size_t cb, LPCSTR fmt, ...);
WMIEMU_EXTERN HRESULT StringCchCopyW(LPWSTR dst, size_t cch, LPCWSTR src);
WMIEMU_EXTERN HRESULT StringCchCopyA(LPSTR dst, size_t cch, LPCSTR src);
WMIEMU_EXTERN HRESULT StringCchCopyNW(LPWSTR dst, size_t cch, LPCWSTR src, size_t max);
WMIEMU_EXTERN HRESULT StringCchCopyNA(LPSTR dst, size_t cch, LPCSTR src, size_t max);
WMIEMU_EXTERN HRESULT StringCbCopyW(LPWSTR dst, size_t cb, LPCWSTR src);
WMIEMU_EXTERN HRESULT StringCbCopyA(LPSTR dst, size_t cb, LPCSTR src);
WMIEMU_EXTERN HRESULT StringCchCatW(LPWSTR dst, size_t cch, LPCWSTR src);
WMIEMU_EXTERN HRESULT StringCchCatA(LPSTR dst, size_t cch, LPCSTR src);
WMIEMU_EXTERN HRESULT StringCchCatNW(LPWSTR dst, size_t cch, LPCWSTR src, size_t max);
WMIEMU_EXTERN HRESULT StringCchCatNA(LPSTR dst, size_t cch, LPCSTR src, size_t max);
WMIEMU_EXTERN HRESULT StringCbCatW(LPWSTR dst, size_t cb, LPCWSTR src);
WMIEMU_EXTERN HRESULT StringCbCatA(LPSTR dst, size_t cb, LPCSTR src);
WMIEMU_EXTERN HRESULT StringCchLengthW(LPCWSTR s, size_t max, size_t *len);
WMIEMU_EXTERN HRESULT StringCchLengthA(LPCSTR s, size_t max, size_t *len);
WMIEMU_EXTERN HRESULT StringCbLengthW(LPCWSTR s, size_t max_cb, size_t *len_cb);
WMIEMU_EXTERN HRESULT StringCbLengthA(LPCSTR s, size_t max_cb, size_t *len_cb);

#ifdef __cplusplus
}
#endif

#ifdef UNICODE
# define StringCchPrintf  StringCchPrintfW
# define StringCchVPrintf StringCchVPrintfW
# define StringCbPrintf   StringCbPrintfW
# define StringCchCopy    StringCchCopyW
# define StringCchCopyN   StringCchCopyNW
# define StringCbCopy     StringCbCopyW
# define StringCchCat     StringCchCatW
# define StringCchCatN    StringCchCatNW
# define StringCbCat      StringCbCatW
# define StringCchLength  StringCchLengthW
# define StringCbLength   StringCbLengthW
#else
# define StringCchPrintf  StringCchPrintfA
# define StringCchVPrintf StringCchVPrintfA
# define StringCbPrintf   StringCbPrintfA
# define StringCchCopy    StringCchCopyA
# define StringCchCopyN   StringCchCopyNA
# define StringCbCopy     StringCbCopyA
# define StringCchCat     StringCchCatA
# define StringCchCatN    StringCchCatNA
# define StringCbCat      StringCbCatA
# define StringCchLength  StringCchLengthA
# define StringCbLength   StringCbLengthA
#endif

#endif /* WMIEMU_STRSAFE_H */
