/* lstrlen, lstrcpy, lstrcat and lstrcmp(i), A and W: kernel32's string
 * functions, which older provider code (and registration code computing a
 * REG_SZ size) calls. A NULL string is empty to lstrlen, as on Windows. */
#include <string.h>
#include <strings.h>

#include <windows.h>

#include "compat/casefold.h"

int WINAPI lstrlenA(LPCSTR s)
{
    return s ? (int)strlen(s) : 0;
}

int WINAPI lstrlenW(LPCWSTR s)
{
    int n = 0;
    if (!s)
        return 0;
    while (s[n])
        n++;
    return n;
}

LPSTR WINAPI lstrcpyA(LPSTR dst, LPCSTR src)
{
    if (!dst || !src)
        return NULL;
    return strcpy(dst, src);
}

LPWSTR WINAPI lstrcpyW(LPWSTR dst, LPCWSTR src)
{
    LPWSTR d = dst;
    if (!dst || !src)
        return NULL;
    while ((*d++ = *src++))
        ;
    return dst;
}

/* Copies at most n - 1 units and always terminates (n counts the NUL). */
LPSTR WINAPI lstrcpynA(LPSTR dst, LPCSTR src, int n)
{
    int i;
    if (!dst || !src || n <= 0)
        return n == 0 ? dst : NULL;
    for (i = 0; i < n - 1 && src[i]; i++)
        dst[i] = src[i];
    dst[i] = 0;
    return dst;
}

LPWSTR WINAPI lstrcpynW(LPWSTR dst, LPCWSTR src, int n)
{
    int i;
    if (!dst || !src || n <= 0)
        return n == 0 ? dst : NULL;
    for (i = 0; i < n - 1 && src[i]; i++)
        dst[i] = src[i];
    dst[i] = 0;
    return dst;
}

LPSTR WINAPI lstrcatA(LPSTR dst, LPCSTR src)
{
    if (!dst || !src)
        return NULL;
    return strcat(dst, src);
}

LPWSTR WINAPI lstrcatW(LPWSTR dst, LPCWSTR src)
{
    if (!dst || !src)
        return NULL;
    lstrcpyW(dst + lstrlenW(dst), src);
    return dst;
}

int WINAPI lstrcmpA(LPCSTR a, LPCSTR b)
{
    int r = strcmp(a ? a : "", b ? b : "");
    return r < 0 ? -1 : r > 0;
}

int WINAPI lstrcmpiA(LPCSTR a, LPCSTR b)
{
    int r = strcasecmp(a ? a : "", b ? b : "");
    return r < 0 ? -1 : r > 0;
}

static int compare_w(LPCWSTR a, LPCWSTR b, int fold)
{
    static const WCHAR empty[] = { 0 };
    if (!a)
        a = empty;
    if (!b)
        b = empty;
    for (;; a++, b++) {
        WCHAR x = fold ? wmiemu__fold(*a) : *a, y = fold ? wmiemu__fold(*b) : *b;
        if (x != y)
            return x < y ? -1 : 1;
        if (!x)
            return 0;
    }
}

int WINAPI lstrcmpW(LPCWSTR a, LPCWSTR b)
{
    return compare_w(a, b, 0);
}

int WINAPI lstrcmpiW(LPCWSTR a, LPCWSTR b)
{
    return compare_w(a, b, 1);
}
