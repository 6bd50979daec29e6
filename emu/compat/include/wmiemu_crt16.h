/*
 * The C runtime's wide-string functions for 16-bit wchar_t (-fshort-wchar),
 * as the Windows CRT provides them.
 *
 * glibc's wcslen & co. walk 4-byte units, so code built with -fshort-wchar
 * must never reach them. libwmiemu implements the 16-bit versions as
 * wmiemu_<name>; the macros below map the CRT names to them. The prototypes
 * match glibc's (wchar_t is 16-bit here), so std::wcslen and friends keep
 * working in C++ (see the <cwchar> override). No symbol named wcslen is
 * exported, so the rest of the process keeps glibc's.
 *
 * Formatting follows the Microsoft CRT, not ISO C: in the wide printf family
 * %s and %c take wide arguments, %hs/%S and %hc/%C narrow (UTF-8) ones,
 * %I64d/%I32d/%Iu are accepted. %n is refused.
 */
#include "wmiemu_wchar_check.h"

/* The C headers below lead back here through the <wchar.h> override; the
 * ENTERED flag makes those nested inclusions empty, and the mapping is only
 * defined once the declarations exist. */
#if !defined(WMIEMU_CRT16_DECLS_H) && !defined(WMIEMU_CRT16_ENTERED)
#define WMIEMU_CRT16_ENTERED

#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <wchar.h>

#define WMIEMU_CRT16_DECLS_H

#include "wmiemu_extern.h"

#ifndef _ERRCODE_DEFINED
# define _ERRCODE_DEFINED
typedef int errno_t;
#endif
#ifndef _TRUNCATE
# define _TRUNCATE ((size_t)-1)
#endif
#ifndef STRUNCATE
# define STRUNCATE 80
#endif

#ifdef __cplusplus
extern "C" {
#endif

WMIEMU_EXTERN size_t wmiemu_wcslen(const wchar_t *s);
WMIEMU_EXTERN size_t wmiemu_wcsnlen(const wchar_t *s, size_t max);
WMIEMU_EXTERN int wmiemu_wcscmp(const wchar_t *a, const wchar_t *b);
WMIEMU_EXTERN int wmiemu_wcsncmp(const wchar_t *a, const wchar_t *b, size_t n);
WMIEMU_EXTERN int wmiemu_wcsicmp(const wchar_t *a, const wchar_t *b);
WMIEMU_EXTERN int wmiemu_wcsnicmp(const wchar_t *a, const wchar_t *b, size_t n);
WMIEMU_EXTERN wchar_t *wmiemu_wcscpy(wchar_t *dst, const wchar_t *src);
WMIEMU_EXTERN wchar_t *wmiemu_wcsncpy(wchar_t *dst, const wchar_t *src, size_t n);
WMIEMU_EXTERN wchar_t *wmiemu_wcscat(wchar_t *dst, const wchar_t *src);
WMIEMU_EXTERN wchar_t *wmiemu_wcsncat(wchar_t *dst, const wchar_t *src, size_t n);
WMIEMU_EXTERN wchar_t *wmiemu_wcschr(const wchar_t *s, wchar_t c);
WMIEMU_EXTERN wchar_t *wmiemu_wcsrchr(const wchar_t *s, wchar_t c);
WMIEMU_EXTERN wchar_t *wmiemu_wcsstr(const wchar_t *hay, const wchar_t *needle);
WMIEMU_EXTERN wchar_t *wmiemu_wcspbrk(const wchar_t *s, const wchar_t *accept);
WMIEMU_EXTERN size_t wmiemu_wcsspn(const wchar_t *s, const wchar_t *accept);
WMIEMU_EXTERN size_t wmiemu_wcscspn(const wchar_t *s, const wchar_t *reject);
WMIEMU_EXTERN wchar_t *wmiemu_wcstok(wchar_t *s, const wchar_t *delim, wchar_t **save);
WMIEMU_EXTERN wchar_t *wmiemu_wcsdup(const wchar_t *s);
WMIEMU_EXTERN wchar_t *wmiemu_wcslwr(wchar_t *s);
WMIEMU_EXTERN wchar_t *wmiemu_wcsupr(wchar_t *s);
WMIEMU_EXTERN long wmiemu_wcstol(const wchar_t *s, wchar_t **end, int base);
WMIEMU_EXTERN unsigned long wmiemu_wcstoul(const wchar_t *s, wchar_t **end, int base);
WMIEMU_EXTERN long long wmiemu_wcstoll(const wchar_t *s, wchar_t **end, int base);
WMIEMU_EXTERN unsigned long long wmiemu_wcstoull(const wchar_t *s, wchar_t **end, int base);
WMIEMU_EXTERN double wmiemu_wcstod(const wchar_t *s, wchar_t **end);
WMIEMU_EXTERN float wmiemu_wcstof(const wchar_t *s, wchar_t **end);
WMIEMU_EXTERN int wmiemu_wtoi(const wchar_t *s);
WMIEMU_EXTERN long wmiemu_wtol(const wchar_t *s);
WMIEMU_EXTERN long long wmiemu_wtoi64(const wchar_t *s);
WMIEMU_EXTERN wchar_t *wmiemu_wmemcpy(wchar_t *dst, const wchar_t *src, size_t n);
WMIEMU_EXTERN wchar_t *wmiemu_wmemmove(wchar_t *dst, const wchar_t *src, size_t n);
WMIEMU_EXTERN wchar_t *wmiemu_wmemset(wchar_t *dst, wchar_t c, size_t n);
WMIEMU_EXTERN int wmiemu_wmemcmp(const wchar_t *a, const wchar_t *b, size_t n);
WMIEMU_EXTERN wchar_t *wmiemu_wmemchr(const wchar_t *s, wchar_t c, size_t n);
WMIEMU_EXTERN errno_t wmiemu_wcscpy_s(wchar_t *dst, size_t size, const wchar_t *src);
WMIEMU_EXTERN errno_t wmiemu_wcsncpy_s(wchar_t *dst, size_t size, const wchar_t *src, size_t count);
WMIEMU_EXTERN errno_t wmiemu_wcscat_s(wchar_t *dst, size_t size, const wchar_t *src);

WMIEMU_EXTERN int wmiemu_swprintf(wchar_t *buf, size_t size, const wchar_t *fmt, ...);
WMIEMU_EXTERN int wmiemu_vswprintf(wchar_t *buf, size_t size, const wchar_t *fmt, va_list ap);
WMIEMU_EXTERN int wmiemu_snwprintf(wchar_t *buf, size_t count, const wchar_t *fmt, ...);
WMIEMU_EXTERN int wmiemu_vsnwprintf(wchar_t *buf, size_t count, const wchar_t *fmt, va_list ap);
WMIEMU_EXTERN int wmiemu_swprintf_s(wchar_t *buf, size_t size, const wchar_t *fmt, ...);
WMIEMU_EXTERN int wmiemu_vswprintf_s(wchar_t *buf, size_t size, const wchar_t *fmt, va_list ap);
WMIEMU_EXTERN int wmiemu_snwprintf_s(wchar_t *buf, size_t size, size_t count, const wchar_t *fmt, ...);
WMIEMU_EXTERN int wmiemu_scwprintf(const wchar_t *fmt, ...);
WMIEMU_EXTERN int wmiemu_vscwprintf(const wchar_t *fmt, va_list ap);
WMIEMU_EXTERN int wmiemu_wprintf(const wchar_t *fmt, ...);
WMIEMU_EXTERN int wmiemu_vwprintf(const wchar_t *fmt, va_list ap);
WMIEMU_EXTERN int wmiemu_fwprintf(FILE *f, const wchar_t *fmt, ...);
WMIEMU_EXTERN int wmiemu_vfwprintf(FILE *f, const wchar_t *fmt, va_list ap);

#ifdef __cplusplus
}
/* The Microsoft CRT's array-size overloads of the secure functions (Wine's
 * headers may include this inside extern "C"). */
extern "C++" {
template <size_t N> inline errno_t wmiemu_wcscpy_s(wchar_t (&dst)[N], const wchar_t *src)
{ return wmiemu_wcscpy_s(dst, N, src); }
template <size_t N> inline errno_t wmiemu_wcscat_s(wchar_t (&dst)[N], const wchar_t *src)
{ return wmiemu_wcscat_s(dst, N, src); }
template <size_t N> inline errno_t wmiemu_wcsncpy_s(wchar_t (&dst)[N], const wchar_t *src, size_t count)
{ return wmiemu_wcsncpy_s(dst, N, src, count); }
template <size_t N> inline int wmiemu_swprintf_s(wchar_t (&buf)[N], const wchar_t *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = wmiemu_vswprintf_s(buf, N, fmt, ap);
    va_end(ap);
    return r;
}
}
#endif

#endif /* declarations */

/* The mapping lives outside the include guard: <cwchar> #undefs the ISO
 * names and its override includes this file again to restore them. */
/* Windows' own CRT is 16-bit already: there the names stay its own. */
#if defined(WMIEMU_CRT16_DECLS_H) && !defined(_WIN32)
#define wcslen      wmiemu_wcslen
#define wcsnlen     wmiemu_wcsnlen
#define wcscmp      wmiemu_wcscmp
#define wcsncmp     wmiemu_wcsncmp
#define wcscoll     wmiemu_wcscmp
#define wcscasecmp  wmiemu_wcsicmp
#define wcsncasecmp wmiemu_wcsnicmp
#define _wcsicmp    wmiemu_wcsicmp
#define _wcsnicmp   wmiemu_wcsnicmp
#define _wcsicoll   wmiemu_wcsicmp
#define wcscpy      wmiemu_wcscpy
#define wcsncpy     wmiemu_wcsncpy
#define wcscat      wmiemu_wcscat
#define wcsncat     wmiemu_wcsncat
#define wcschr      wmiemu_wcschr
#define wcsrchr     wmiemu_wcsrchr
#define wcsstr      wmiemu_wcsstr
#define wcspbrk     wmiemu_wcspbrk
#define wcsspn      wmiemu_wcsspn
#define wcscspn     wmiemu_wcscspn
#define wcstok      wmiemu_wcstok
#define wcsdup      wmiemu_wcsdup
#define _wcsdup     wmiemu_wcsdup
#define _wcslwr     wmiemu_wcslwr
#define _wcsupr     wmiemu_wcsupr
#define wcstol      wmiemu_wcstol
#define wcstoul     wmiemu_wcstoul
#define wcstoll     wmiemu_wcstoll
#define wcstoull    wmiemu_wcstoull
#define _wcstoi64   wmiemu_wcstoll
#define _wcstoui64  wmiemu_wcstoull
#define wcstod      wmiemu_wcstod
#define wcstof      wmiemu_wcstof
#define _wtoi       wmiemu_wtoi
#define _wtol       wmiemu_wtol
#define _wtoi64     wmiemu_wtoi64
#define wmemcpy     wmiemu_wmemcpy
#define wmemmove    wmiemu_wmemmove
#define wmemset     wmiemu_wmemset
#define wmemcmp     wmiemu_wmemcmp
#define wmemchr     wmiemu_wmemchr
#define wcscpy_s    wmiemu_wcscpy_s
#define wcsncpy_s   wmiemu_wcsncpy_s
#define wcscat_s    wmiemu_wcscat_s
#define swprintf    wmiemu_swprintf
#define vswprintf   wmiemu_vswprintf
#define _snwprintf  wmiemu_snwprintf
#define _vsnwprintf wmiemu_vsnwprintf
#define swprintf_s  wmiemu_swprintf_s
#define vswprintf_s wmiemu_vswprintf_s
#define _snwprintf_s wmiemu_snwprintf_s
#define _scwprintf  wmiemu_scwprintf
#define _vscwprintf wmiemu_vscwprintf
#define wprintf     wmiemu_wprintf
#define vwprintf    wmiemu_vwprintf
#define fwprintf    wmiemu_fwprintf
#define vfwprintf   wmiemu_vfwprintf

#ifdef __cplusplus
/* std::wcslen is spelled std::wmiemu_wcslen after the mapping. */
extern "C++" {
namespace std {
using ::wmiemu_wcslen; using ::wmiemu_wcscmp; using ::wmiemu_wcsncmp;
using ::wmiemu_wcscpy; using ::wmiemu_wcsncpy; using ::wmiemu_wcscat;
using ::wmiemu_wcsncat; using ::wmiemu_wcschr; using ::wmiemu_wcsrchr;
using ::wmiemu_wcsstr; using ::wmiemu_wcspbrk; using ::wmiemu_wcsspn;
using ::wmiemu_wcscspn; using ::wmiemu_wcstok; using ::wmiemu_wcstol;
using ::wmiemu_wcstoul; using ::wmiemu_wcstoll; using ::wmiemu_wcstoull;
using ::wmiemu_wcstod; using ::wmiemu_wcstof; using ::wmiemu_wmemcpy;
using ::wmiemu_wmemmove; using ::wmiemu_wmemset; using ::wmiemu_wmemcmp;
using ::wmiemu_wmemchr; using ::wmiemu_swprintf; using ::wmiemu_vswprintf;
using ::wmiemu_wprintf; using ::wmiemu_vwprintf; using ::wmiemu_fwprintf;
using ::wmiemu_vfwprintf;
}
}
#endif
#endif /* mapping */
