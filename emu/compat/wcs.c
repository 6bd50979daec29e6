/*
 * The C runtime's wide-string functions over 16-bit units (wchar_t is 16-bit
 * here: -fshort-wchar). Case-insensitive functions use the emulator's one
 * case mapping (casefold.h), so _wcsicmp agrees with CIM names and WQL.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wmiemu_crt16.h"
#include "compat/casefold.h"

_Static_assert(sizeof(wchar_t) == 2, "compile with -fshort-wchar");

size_t wmiemu_wcslen(const wchar_t *s)
{
    const wchar_t *p = s;
    while (*p)
        p++;
    return (size_t)(p - s);
}

size_t wmiemu_wcsnlen(const wchar_t *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

int wmiemu_wcscmp(const wchar_t *a, const wchar_t *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (*a > *b) - (*a < *b);
}

int wmiemu_wcsncmp(const wchar_t *a, const wchar_t *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (*a > *b) ? 1 : -1;
        if (!*a)
            break;
    }
    return 0;
}

int wmiemu_wcsicmp(const wchar_t *a, const wchar_t *b)
{
    wchar_t ca, cb;
    do {
        ca = wmiemu__fold(*a++);
        cb = wmiemu__fold(*b++);
    } while (ca && ca == cb);
    return (ca > cb) - (ca < cb);
}

int wmiemu_wcsnicmp(const wchar_t *a, const wchar_t *b, size_t n)
{
    for (; n; n--) {
        wchar_t ca = wmiemu__fold(*a++), cb = wmiemu__fold(*b++);
        if (ca != cb)
            return (ca > cb) ? 1 : -1;
        if (!ca)
            break;
    }
    return 0;
}

wchar_t *wmiemu_wcscpy(wchar_t *dst, const wchar_t *src)
{
    wchar_t *d = dst;
    while ((*d++ = *src++))
        ;
    return dst;
}

wchar_t *wmiemu_wcsncpy(wchar_t *dst, const wchar_t *src, size_t n)
{
    size_t i = 0;
    for (; i < n && src[i]; i++)
        dst[i] = src[i];
    for (; i < n; i++)
        dst[i] = 0;
    return dst;
}

wchar_t *wmiemu_wcscat(wchar_t *dst, const wchar_t *src)
{
    wmiemu_wcscpy(dst + wmiemu_wcslen(dst), src);
    return dst;
}

wchar_t *wmiemu_wcsncat(wchar_t *dst, const wchar_t *src, size_t n)
{
    wchar_t *d = dst + wmiemu_wcslen(dst);
    while (n-- && *src)
        *d++ = *src++;
    *d = 0;
    return dst;
}

wchar_t *wmiemu_wcschr(const wchar_t *s, wchar_t c)
{
    for (;; s++) {
        if (*s == c)
            return (wchar_t *)s;
        if (!*s)
            return NULL;
    }
}

wchar_t *wmiemu_wcsrchr(const wchar_t *s, wchar_t c)
{
    const wchar_t *last = NULL;
    for (;; s++) {
        if (*s == c)
            last = s;
        if (!*s)
            return (wchar_t *)last;
    }
}

wchar_t *wmiemu_wcsstr(const wchar_t *hay, const wchar_t *needle)
{
    size_t n = wmiemu_wcslen(needle);
    if (!n)
        return (wchar_t *)hay;
    for (; *hay; hay++)
        if (*hay == *needle && !wmiemu_wcsncmp(hay, needle, n))
            return (wchar_t *)hay;
    return NULL;
}

wchar_t *wmiemu_wcspbrk(const wchar_t *s, const wchar_t *accept)
{
    for (; *s; s++)
        if (wmiemu_wcschr(accept, *s))
            return (wchar_t *)s;
    return NULL;
}

size_t wmiemu_wcsspn(const wchar_t *s, const wchar_t *accept)
{
    size_t n = 0;
    while (s[n] && wmiemu_wcschr(accept, s[n]))
        n++;
    return n;
}

size_t wmiemu_wcscspn(const wchar_t *s, const wchar_t *reject)
{
    size_t n = 0;
    while (s[n] && !wmiemu_wcschr(reject, s[n]))
        n++;
    return n;
}

wchar_t *wmiemu_wcstok(wchar_t *s, const wchar_t *delim, wchar_t **save)
{
    if (!s)
        s = *save;
    if (!s)
        return NULL;
    s += wmiemu_wcsspn(s, delim);
    if (!*s) {
        *save = NULL;
        return NULL;
    }
    wchar_t *end = s + wmiemu_wcscspn(s, delim);
    if (*end)
        *end++ = 0;
    else
        end = NULL;
    *save = end;
    return s;
}

wchar_t *wmiemu_wcsdup(const wchar_t *s)
{
    if (!s)
        return NULL;
    size_t bytes = (wmiemu_wcslen(s) + 1) * sizeof(wchar_t);
    wchar_t *d = malloc(bytes);
    if (d)
        memcpy(d, s, bytes);
    return d;
}

wchar_t *wmiemu_wcslwr(wchar_t *s)
{
    for (wchar_t *p = s; *p; p++)
        *p = wmiemu__fold(*p);
    return s;
}

wchar_t *wmiemu_wcsupr(wchar_t *s)
{
    for (wchar_t *p = s; *p; p++)
        *p = wmiemu__towupper(*p);
    return s;
}

/* Narrow copy for the numeric parsers: the digits, signs and letters they
 * accept are all ASCII, so stop at the first non-ASCII unit. */
static char *narrow_prefix(const wchar_t *s, char *buf, size_t cap)
{
    size_t i = 0;
    while (i + 1 < cap && s[i] && s[i] < 0x80) {
        buf[i] = (char)s[i];
        i++;
    }
    buf[i] = 0;
    return buf;
}

#define NUM_BUF 128

long long wmiemu_wcstoll(const wchar_t *s, wchar_t **end, int base)
{
    char buf[NUM_BUF], *e;
    long long v = strtoll(narrow_prefix(s, buf, sizeof buf), &e, base);
    if (end)
        *end = (wchar_t *)s + (e - buf);
    return v;
}

unsigned long long wmiemu_wcstoull(const wchar_t *s, wchar_t **end, int base)
{
    char buf[NUM_BUF], *e;
    unsigned long long v = strtoull(narrow_prefix(s, buf, sizeof buf), &e, base);
    if (end)
        *end = (wchar_t *)s + (e - buf);
    return v;
}

long wmiemu_wcstol(const wchar_t *s, wchar_t **end, int base)
{
    char buf[NUM_BUF], *e;
    long v = strtol(narrow_prefix(s, buf, sizeof buf), &e, base);
    if (end)
        *end = (wchar_t *)s + (e - buf);
    return v;
}

unsigned long wmiemu_wcstoul(const wchar_t *s, wchar_t **end, int base)
{
    char buf[NUM_BUF], *e;
    unsigned long v = strtoul(narrow_prefix(s, buf, sizeof buf), &e, base);
    if (end)
        *end = (wchar_t *)s + (e - buf);
    return v;
}

double wmiemu_wcstod(const wchar_t *s, wchar_t **end)
{
    char buf[NUM_BUF], *e;
    double v = strtod(narrow_prefix(s, buf, sizeof buf), &e);
    if (end)
        *end = (wchar_t *)s + (e - buf);
    return v;
}

float wmiemu_wcstof(const wchar_t *s, wchar_t **end)
{
    char buf[NUM_BUF], *e;
    float v = strtof(narrow_prefix(s, buf, sizeof buf), &e);
    if (end)
        *end = (wchar_t *)s + (e - buf);
    return v;
}

/* _wtoi and friends: like the CRT, overflow saturates instead of wrapping. */
int wmiemu_wtoi(const wchar_t *s)
{
    long long v = s ? wmiemu_wcstoll(s, NULL, 10) : 0;
    return v > INT_MAX ? INT_MAX : v < INT_MIN ? INT_MIN : (int)v;
}

long wmiemu_wtol(const wchar_t *s)
{
    return s ? wmiemu_wcstol(s, NULL, 10) : 0;
}

long long wmiemu_wtoi64(const wchar_t *s)
{
    return s ? wmiemu_wcstoll(s, NULL, 10) : 0;
}

wchar_t *wmiemu_wmemcpy(wchar_t *dst, const wchar_t *src, size_t n)
{
    return n ? memcpy(dst, src, n * sizeof(wchar_t)) : dst;
}

wchar_t *wmiemu_wmemmove(wchar_t *dst, const wchar_t *src, size_t n)
{
    return n ? memmove(dst, src, n * sizeof(wchar_t)) : dst;
}

wchar_t *wmiemu_wmemset(wchar_t *dst, wchar_t c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = c;
    return dst;
}

int wmiemu_wmemcmp(const wchar_t *a, const wchar_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return a[i] > b[i] ? 1 : -1;
    return 0;
}

wchar_t *wmiemu_wmemchr(const wchar_t *s, wchar_t c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == c)
            return (wchar_t *)s + i;
    return NULL;
}

/* The secure variants: on bad arguments the CRT calls the invalid parameter
 * handler, which by default ends the process; we return the error code it
 * would return once the handler returns, and leave dst empty. */
errno_t wmiemu_wcscpy_s(wchar_t *dst, size_t size, const wchar_t *src)
{
    if (!dst || !size)
        return EINVAL;
    if (!src) {
        dst[0] = 0;
        return EINVAL;
    }
    size_t n = wmiemu_wcslen(src);
    if (n >= size) {
        dst[0] = 0;
        return ERANGE;
    }
    memcpy(dst, src, (n + 1) * sizeof(wchar_t));
    return 0;
}

errno_t wmiemu_wcsncpy_s(wchar_t *dst, size_t size, const wchar_t *src, size_t count)
{
    if (!dst || !size)
        return EINVAL;
    if (!src) {
        dst[0] = 0;
        return count ? EINVAL : 0;
    }
    size_t n = wmiemu_wcsnlen(src, count == _TRUNCATE ? size : count);
    if (n >= size) {
        if (count == _TRUNCATE) {
            memcpy(dst, src, (size - 1) * sizeof(wchar_t));
            dst[size - 1] = 0;
            return STRUNCATE;
        }
        dst[0] = 0;
        return ERANGE;
    }
    memcpy(dst, src, n * sizeof(wchar_t));
    dst[n] = 0;
    return 0;
}

errno_t wmiemu_wcscat_s(wchar_t *dst, size_t size, const wchar_t *src)
{
    if (!dst || !size)
        return EINVAL;
    size_t have = wmiemu_wcsnlen(dst, size);
    if (have == size || !src) {
        dst[0] = 0;
        return EINVAL;
    }
    size_t n = wmiemu_wcslen(src);
    if (have + n >= size) {
        dst[0] = 0;
        return ERANGE;
    }
    memcpy(dst + have, src, (n + 1) * sizeof(wchar_t));
    return 0;
}
