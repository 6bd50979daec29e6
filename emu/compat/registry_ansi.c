/*
 * The A functions of the registry: each converts its strings and calls its
 * W function (registry.c). They take and give UTF-8 (the process's ANSI
 * code page here), strings in value data included.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>

#include <wmiemu/compat.h>

#include "compat/registry.h"

/* NULL stays NULL; *bad is set when the conversion fails. */
static WCHAR *wide(const char *s, int *bad)
{
    WCHAR *w;
    if (!s)
        return NULL;
    if (!(w = wmiemu_utf8_to_wcs(s, (size_t)-1)))
        *bad = 1;
    return w;
}

LSTATUS WINAPI RegCreateKeyExA(HKEY hkey, LPCSTR name, DWORD reserved, LPSTR class_name, DWORD options,
                               REGSAM sam, LPSECURITY_ATTRIBUTES sa, PHKEY out, LPDWORD disposition)
{
    int bad = 0;
    WCHAR *n = wide(name, &bad), *c = wide(class_name, &bad);
    LSTATUS rc = bad ? ERROR_NOT_ENOUGH_MEMORY
                     : RegCreateKeyExW(hkey, n, reserved, c, options, sam, sa, out, disposition);
    free(n);
    free(c);
    return rc;
}

LSTATUS WINAPI RegCreateKeyA(HKEY hkey, LPCSTR name, PHKEY out)
{
    int bad = 0;
    WCHAR *n = wide(name, &bad);
    LSTATUS rc = bad ? ERROR_NOT_ENOUGH_MEMORY : RegCreateKeyW(hkey, n, out);
    free(n);
    return rc;
}

LSTATUS WINAPI RegOpenKeyExA(HKEY hkey, LPCSTR name, DWORD options, REGSAM sam, PHKEY out)
{
    int bad = 0;
    WCHAR *n = wide(name, &bad);
    LSTATUS rc = bad ? ERROR_NOT_ENOUGH_MEMORY : RegOpenKeyExW(hkey, n, options, sam, out);
    free(n);
    return rc;
}

LSTATUS WINAPI RegOpenKeyA(HKEY hkey, LPCSTR name, PHKEY out)
{
    int bad = 0;
    WCHAR *n = wide(name, &bad);
    LSTATUS rc = bad ? ERROR_NOT_ENOUGH_MEMORY : RegOpenKeyW(hkey, n, out);
    free(n);
    return rc;
}

LSTATUS WINAPI RegDeleteKeyExA(HKEY hkey, LPCSTR name, REGSAM sam, DWORD reserved)
{
    int bad = 0;
    WCHAR *n = wide(name, &bad);
    LSTATUS rc = bad ? ERROR_NOT_ENOUGH_MEMORY : RegDeleteKeyExW(hkey, n, sam, reserved);
    free(n);
    return rc;
}

LSTATUS WINAPI RegDeleteKeyA(HKEY hkey, LPCSTR name)
{
    return RegDeleteKeyExA(hkey, name, 0, 0);
}

LSTATUS WINAPI RegDeleteTreeA(HKEY hkey, LPCSTR name)
{
    int bad = 0;
    WCHAR *n = wide(name, &bad);
    LSTATUS rc = bad ? ERROR_NOT_ENOUGH_MEMORY : RegDeleteTreeW(hkey, n);
    free(n);
    return rc;
}

LSTATUS WINAPI RegDeleteValueA(HKEY hkey, LPCSTR name)
{
    int bad = 0;
    WCHAR *n = wide(name, &bad);
    LSTATUS rc = bad ? ERROR_NOT_ENOUGH_MEMORY : RegDeleteValueW(hkey, n);
    free(n);
    return rc;
}

/* String data of an A call in wide form: the bytes converted unit for unit,
 * embedded NULs included. */
static LSTATUS data_to_wide(DWORD type, const BYTE *data, DWORD size, BYTE **out, DWORD *out_size)
{
    size_t n;
    WCHAR *w;
    *out = (BYTE *)data;
    *out_size = size;
    if (!wmiemu__registry_is_string(type) || !data)
        return ERROR_SUCCESS;
    if (!(w = wmiemu_utf8_to_wcs_n((const char *)data, size, &n)))
        return ERROR_NOT_ENOUGH_MEMORY;
    *out = (BYTE *)w;
    *out_size = (DWORD)(n * sizeof(WCHAR));
    return ERROR_SUCCESS;
}

LSTATUS WINAPI RegSetValueExA(HKEY hkey, LPCSTR name, DWORD reserved, DWORD type, const BYTE *data, DWORD size)
{
    int bad = 0;
    WCHAR *n = wide(name, &bad);
    BYTE *w = NULL;
    DWORD wsize = 0;
    LSTATUS rc = bad ? ERROR_NOT_ENOUGH_MEMORY : data_to_wide(type, data, size, &w, &wsize);
    if (rc == ERROR_SUCCESS)
        rc = RegSetValueExW(hkey, n, reserved, type, w, wsize);
    if (w != data)
        free(w);
    free(n);
    return rc;
}

LSTATUS WINAPI RegSetKeyValueA(HKEY hkey, LPCSTR subkey, LPCSTR name, DWORD type, const void *data, DWORD size)
{
    int bad = 0;
    WCHAR *s = wide(subkey, &bad), *n = wide(name, &bad);
    BYTE *w = NULL;
    DWORD wsize = 0;
    LSTATUS rc = bad ? ERROR_NOT_ENOUGH_MEMORY : data_to_wide(type, data, size, &w, &wsize);
    if (rc == ERROR_SUCCESS)
        rc = RegSetKeyValueW(hkey, s, n, type, w, wsize);
    if (w != data)
        free(w);
    free(s);
    free(n);
    return rc;
}

/* Converts wide string data to the A form into (data, *size): the size
 * needed always, ERROR_MORE_DATA when data is too small. */
static LSTATUS data_to_ansi(LSTATUS rc, DWORD type, const BYTE *w, DWORD wsize, LPBYTE data, LPDWORD size)
{
    size_t n;
    char *a;
    if (rc != ERROR_SUCCESS || !wmiemu__registry_is_string(type)) {
        if (rc == ERROR_SUCCESS && data && size && *size >= wsize)
            memcpy(data, w, wsize);
        else if (rc == ERROR_SUCCESS && data && size)
            rc = ERROR_MORE_DATA;
        if (size && (rc == ERROR_SUCCESS || rc == ERROR_MORE_DATA))
            *size = wsize;
        return rc;
    }
    if (!(a = wmiemu_wcs_to_utf8_n((const WCHAR *)w, wsize / sizeof(WCHAR), &n)))
        return ERROR_NOT_ENOUGH_MEMORY;
    if (data && size && *size < n)
        rc = ERROR_MORE_DATA;
    else if (data)
        memcpy(data, a, n);
    if (size)
        *size = (DWORD)n;
    free(a);
    return rc;
}

/* Reads a whole value in wide form with fn, growing the buffer until it
 * fits (another thread may change the value in between). */
typedef LSTATUS (*wide_read_fn)(void *ctx, LPDWORD type, BYTE *buf, LPDWORD size);

static LSTATUS read_all(wide_read_fn fn, void *ctx, LPDWORD type, BYTE **buf, DWORD *size)
{
    DWORD cap = 256;
    LSTATUS rc;
    *buf = NULL;
    for (;;) {
        BYTE *b = realloc(*buf, cap);
        if (!b) {
            free(*buf);
            *buf = NULL;
            return ERROR_NOT_ENOUGH_MEMORY;
        }
        *buf = b;
        *size = cap;
        rc = fn(ctx, type, b, size);
        if (rc != ERROR_MORE_DATA)
            return rc;
        cap = *size > cap ? *size : cap * 2;
    }
}

typedef struct {
    HKEY hkey;
    const WCHAR *subkey, *name;
    DWORD flags;
} read_ctx_t;

static LSTATUS read_query(void *ctx, LPDWORD type, BYTE *buf, LPDWORD size)
{
    read_ctx_t *c = ctx;
    return RegQueryValueExW(c->hkey, c->name, NULL, type, buf, size);
}

static LSTATUS read_get(void *ctx, LPDWORD type, BYTE *buf, LPDWORD size)
{
    read_ctx_t *c = ctx;
    return RegGetValueW(c->hkey, c->subkey, c->name, c->flags & ~RRF_ZEROONFAILURE, type, buf, size);
}

LSTATUS WINAPI RegQueryValueExA(HKEY hkey, LPCSTR name, LPDWORD reserved, LPDWORD type, LPBYTE data, LPDWORD size)
{
    int bad = 0;
    WCHAR *n = wide(name, &bad);
    read_ctx_t c = { hkey, NULL, n, 0 };
    DWORD t = 0, wsize = 0;
    BYTE *w = NULL;
    LSTATUS rc;
    if ((data && !size) || reserved)
        rc = ERROR_INVALID_PARAMETER;
    else
        rc = bad ? ERROR_NOT_ENOUGH_MEMORY : read_all(read_query, &c, &t, &w, &wsize);
    if (rc == ERROR_SUCCESS && type)
        *type = t;
    rc = data_to_ansi(rc, t, w, wsize, data, size);
    free(w);
    free(n);
    return rc;
}

LSTATUS WINAPI RegGetValueA(HKEY hkey, LPCSTR subkey, LPCSTR name, DWORD flags, LPDWORD type, PVOID data,
                            LPDWORD size)
{
    int bad = 0;
    WCHAR *s = wide(subkey, &bad), *n = wide(name, &bad);
    read_ctx_t c = { hkey, s, n, flags };
    DWORD t = 0, wsize = 0;
    BYTE *w = NULL;
    LSTATUS rc;
    if ((data && !size) || !(flags & RRF_RT_ANY))
        rc = ERROR_INVALID_PARAMETER;
    else
        rc = bad ? ERROR_NOT_ENOUGH_MEMORY : read_all(read_get, &c, &t, &w, &wsize);
    if (rc == ERROR_SUCCESS && type)
        *type = t;
    rc = data_to_ansi(rc, t, w, wsize, data, size);
    if (rc != ERROR_SUCCESS && data && size && (flags & RRF_ZEROONFAILURE))
        memset(data, 0, *size);
    free(w);
    free(s);
    free(n);
    return rc;
}

LSTATUS WINAPI RegEnumKeyExA(HKEY hkey, DWORD index, LPSTR name, LPDWORD cch_name, LPDWORD reserved,
                             LPSTR class_name, LPDWORD cch_class, PFILETIME write_time)
{
    WCHAR wname[WMIEMU__REG_MAX_KEY_NAME + 1], wclass[1024];
    DWORD n = ARRAYSIZE(wname), c = ARRAYSIZE(wclass);
    LSTATUS rc;
    char *a;
    if (reserved || !name || !cch_name)
        return ERROR_INVALID_PARAMETER;
    rc = RegEnumKeyExW(hkey, index, wname, &n, NULL, class_name ? wclass : NULL, class_name ? &c : NULL, write_time);
    if (rc != ERROR_SUCCESS)
        return rc;
    if (!(a = wmiemu_wcs_to_utf8(wname, n)))
        return ERROR_NOT_ENOUGH_MEMORY;
    if (*cch_name <= strlen(a)) {
        rc = ERROR_MORE_DATA;
    } else {
        strcpy(name, a);
        *cch_name = (DWORD)strlen(a);
    }
    free(a);
    if (rc == ERROR_SUCCESS && class_name && cch_class) {
        if (!(a = wmiemu_wcs_to_utf8(wclass, c)))
            return ERROR_NOT_ENOUGH_MEMORY;
        if (*cch_class <= strlen(a)) {
            rc = ERROR_MORE_DATA;
        } else {
            strcpy(class_name, a);
            *cch_class = (DWORD)strlen(a);
        }
        free(a);
    }
    return rc;
}

LSTATUS WINAPI RegEnumValueA(HKEY hkey, DWORD index, LPSTR name, LPDWORD cch_name, LPDWORD reserved, LPDWORD type,
                             LPBYTE data, LPDWORD size)
{
    WCHAR *wname;
    DWORD n = WMIEMU__REG_MAX_VALUE_NAME + 1, t = 0, wsize = 0;
    BYTE *w = NULL;
    LSTATUS rc;
    char *a;
    if (reserved || !name || !cch_name || (data && !size))
        return ERROR_INVALID_PARAMETER;
    if (!(wname = malloc(n * sizeof(WCHAR))))
        return ERROR_NOT_ENOUGH_MEMORY;
    rc = RegEnumValueW(hkey, index, wname, &n, NULL, &t, NULL, &wsize);
    if (rc == ERROR_SUCCESS && wsize && !(w = malloc(wsize)))
        rc = ERROR_NOT_ENOUGH_MEMORY;
    if (rc == ERROR_SUCCESS) {
        DWORD got = wsize;
        n = WMIEMU__REG_MAX_VALUE_NAME + 1;
        rc = RegEnumValueW(hkey, index, wname, &n, NULL, &t, w, &got);
        wsize = got;
    }
    if (rc == ERROR_SUCCESS) {
        if (!(a = wmiemu_wcs_to_utf8(wname, n))) {
            rc = ERROR_NOT_ENOUGH_MEMORY;
        } else {
            if (*cch_name <= strlen(a)) {
                rc = ERROR_MORE_DATA;
            } else {
                strcpy(name, a);
                *cch_name = (DWORD)strlen(a);
            }
            free(a);
        }
    }
    if (rc == ERROR_SUCCESS && type)
        *type = t;
    if (rc == ERROR_SUCCESS)
        rc = data_to_ansi(rc, t, w, wsize, data, size);
    free(w);
    free(wname);
    return rc;
}

LSTATUS WINAPI RegQueryInfoKeyA(HKEY hkey, LPSTR class_name, LPDWORD cch_class, LPDWORD reserved, LPDWORD n_subs,
                                LPDWORD max_sub, LPDWORD max_class, LPDWORD n_values, LPDWORD max_value_name,
                                LPDWORD max_data, LPDWORD sd_size, PFILETIME write_time)
{
    WCHAR wclass[1024];
    DWORD c = ARRAYSIZE(wclass);
    LSTATUS rc;
    char *a;
    if (reserved || (class_name && !cch_class))
        return ERROR_INVALID_PARAMETER;
    rc = RegQueryInfoKeyW(hkey, class_name ? wclass : NULL, class_name ? &c : NULL, NULL, n_subs, max_sub, max_class,
                          n_values, max_value_name, max_data, sd_size, write_time);
    if (rc != ERROR_SUCCESS || !class_name)
        return rc;
    if (!(a = wmiemu_wcs_to_utf8(wclass, c)))
        return ERROR_NOT_ENOUGH_MEMORY;
    if (*cch_class <= strlen(a)) {
        rc = ERROR_MORE_DATA;
    } else {
        strcpy(class_name, a);
        *cch_class = (DWORD)strlen(a);
    }
    free(a);
    return rc;
}
