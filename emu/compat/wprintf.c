/* The CRT's wide printf family over wmiemu__vwformat, with the Microsoft
 * CRT's truncation rules for each variant. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "wmiemu_crt16.h"
#include <wmiemu/compat.h>
#include "compat/wformat.h"

int wmiemu_vswprintf(wchar_t *buf, size_t size, const wchar_t *fmt, va_list ap)
{
    if (!buf || !size || !fmt) {
        errno = EINVAL;
        return -1;
    }
    ssize_t n = wmiemu__vwformat(buf, size, fmt, ap);
    if (n < 0) {
        buf[0] = 0;
        errno = EINVAL;
        return -1;
    }
    if ((size_t)n >= size) {
        buf[size - 1] = 0;
        return -1;
    }
    buf[n] = 0;
    return (int)n;
}

int wmiemu_swprintf(wchar_t *buf, size_t size, const wchar_t *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = wmiemu_vswprintf(buf, size, fmt, ap);
    va_end(ap);
    return r;
}

/* _snwprintf: no terminator when the output exactly fills count, -1 (and
 * count units written) when it does not fit. */
int wmiemu_vsnwprintf(wchar_t *buf, size_t count, const wchar_t *fmt, va_list ap)
{
    if ((!buf && count) || !fmt) {
        errno = EINVAL;
        return -1;
    }
    ssize_t n = wmiemu__vwformat(buf, count, fmt, ap);
    if (n < 0) {
        errno = EINVAL;
        return -1;
    }
    if ((size_t)n > count)
        return -1;
    if ((size_t)n < count)
        buf[n] = 0;
    return (int)n;
}

int wmiemu_snwprintf(wchar_t *buf, size_t count, const wchar_t *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = wmiemu_vsnwprintf(buf, count, fmt, ap);
    va_end(ap);
    return r;
}

/* swprintf_s: a buffer that is too small is an error and leaves "". */
int wmiemu_vswprintf_s(wchar_t *buf, size_t size, const wchar_t *fmt, va_list ap)
{
    if (!buf || !size || !fmt) {
        if (buf && size)
            buf[0] = 0;
        errno = EINVAL;
        return -1;
    }
    ssize_t n = wmiemu__vwformat(buf, size, fmt, ap);
    if (n < 0 || (size_t)n >= size) {
        buf[0] = 0;
        errno = n < 0 ? EINVAL : ERANGE;
        return -1;
    }
    buf[n] = 0;
    return (int)n;
}

int wmiemu_swprintf_s(wchar_t *buf, size_t size, const wchar_t *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = wmiemu_vswprintf_s(buf, size, fmt, ap);
    va_end(ap);
    return r;
}

/* _snwprintf_s: at most count units (or as many as fit with _TRUNCATE);
 * truncation returns -1 with the truncated text, too small a buffer for
 * count is an error that leaves "". */
int wmiemu_snwprintf_s(wchar_t *buf, size_t size, size_t count, const wchar_t *fmt, ...)
{
    if (!buf || !size || !fmt) {
        if (buf && size)
            buf[0] = 0;
        errno = EINVAL;
        return -1;
    }
    va_list ap;
    va_start(ap, fmt);
    ssize_t n = wmiemu__vwformat(buf, size, fmt, ap);
    va_end(ap);
    if (n < 0) {
        buf[0] = 0;
        errno = EINVAL;
        return -1;
    }
    size_t max = count == _TRUNCATE ? size - 1 : count;
    if ((size_t)n <= max && (size_t)n < size) {
        buf[n] = 0;
        return (int)n;
    }
    if (max < size) {
        buf[max] = 0;
        return -1;
    }
    buf[0] = 0;
    errno = ERANGE;
    return -1;
}

int wmiemu_vscwprintf(const wchar_t *fmt, va_list ap)
{
    ssize_t n = wmiemu__vwformat(NULL, 0, fmt, ap);
    if (n < 0)
        errno = EINVAL;
    return (int)n;
}

int wmiemu_scwprintf(const wchar_t *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = wmiemu_vscwprintf(fmt, ap);
    va_end(ap);
    return r;
}

/* Console output goes out as UTF-8. Returns the number of WCHARs formatted. */
int wmiemu_vfwprintf(FILE *f, const wchar_t *fmt, va_list ap)
{
    if (!f || !fmt) {
        errno = EINVAL;
        return -1;
    }
    ssize_t n = wmiemu__vwformat(NULL, 0, fmt, ap);
    if (n < 0) {
        errno = EINVAL;
        return -1;
    }
    wchar_t *w = malloc(((size_t)n + 1) * sizeof *w);
    if (!w)
        return -1;
    wmiemu__vwformat(w, (size_t)n, fmt, ap);
    char *u = wmiemu_wcs_to_utf8(w, (size_t)n);
    free(w);
    if (!u)
        return -1;
    int ok = fputs(u, f) >= 0;
    free(u);
    return ok ? (int)n : -1;
}

int wmiemu_fwprintf(FILE *f, const wchar_t *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = wmiemu_vfwprintf(f, fmt, ap);
    va_end(ap);
    return r;
}

int wmiemu_vwprintf(const wchar_t *fmt, va_list ap)
{
    return wmiemu_vfwprintf(stdout, fmt, ap);
}

int wmiemu_wprintf(const wchar_t *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = wmiemu_vfwprintf(stdout, fmt, ap);
    va_end(ap);
    return r;
}
