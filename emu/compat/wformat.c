/*
 * Wide printf formatting with the Microsoft CRT's conventions, which provider
 * code written for Windows relies on: in wide functions %s/%c take WCHAR
 * arguments and %hs/%S/%hc/%C narrow ones; %l is 32-bit (Windows' long);
 * %I64, %I32, %I are accepted; %p prints 16 upper-case hex digits. Numbers
 * are rendered by the C library's snprintf on a rebuilt narrow spec.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wmiemu_crt16.h"
#include <wmiemu/compat.h>
#include "compat/wformat.h"

typedef struct {
    wchar_t *buf;
    size_t cap;
    size_t len; /* everything produced, written or not */
} wout_t;

static void put(wout_t *o, wchar_t c)
{
    if (o->len < o->cap)
        o->buf[o->len] = c;
    o->len++;
}

static void put_n(wout_t *o, const wchar_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put(o, s[i]);
}

static void pad(wout_t *o, size_t n)
{
    while (n--)
        put(o, ' ');
}

enum { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_J, LEN_Z, LEN_T, LEN_BIG_L, LEN_W };

typedef struct {
    char flags[8];
    int left;
    int width;     /* -1 none */
    int precision; /* -1 none */
    int length;
} spec_t;

static void put_field(wout_t *o, const spec_t *sp, const wchar_t *s, size_t n)
{
    size_t w = sp->width > 0 ? (size_t)sp->width : 0;
    if (!sp->left && w > n)
        pad(o, w - n);
    put_n(o, s, n);
    if (sp->left && w > n)
        pad(o, w - n);
}

/* Renders one numeric conversion through snprintf. */
static int put_number(wout_t *o, const spec_t *sp, char conv, va_list *ap)
{
    char nfmt[48], stackbuf[128], *text = stackbuf;
    size_t k = 0;
    nfmt[k++] = '%';
    for (const char *f = sp->flags; *f; f++)
        nfmt[k++] = *f;
    if (sp->width >= 0)
        k += (size_t)snprintf(nfmt + k, sizeof nfmt - k, "%d", sp->width);
    if (sp->precision >= 0)
        k += (size_t)snprintf(nfmt + k, sizeof nfmt - k, ".%d", sp->precision);

    int n;
    if (strchr("diuoxX", conv)) {
        int is_signed = conv == 'd' || conv == 'i';
        unsigned long long u;
        long long s;
        /* Fetch exactly one argument of the width the spec names. */
        if (is_signed) {
            switch (sp->length) {
            case LEN_HH: s = (signed char)va_arg(*ap, int); break;
            case LEN_H: s = (short)va_arg(*ap, int); break;
            case LEN_LL: case LEN_J: s = va_arg(*ap, long long); break;
            case LEN_Z: case LEN_T: s = (long long)va_arg(*ap, ptrdiff_t); break;
            default: s = va_arg(*ap, int); break; /* none, l, w: 32-bit */
            }
            u = (unsigned long long)s;
        } else {
            switch (sp->length) {
            case LEN_HH: u = (unsigned char)va_arg(*ap, unsigned); break;
            case LEN_H: u = (unsigned short)va_arg(*ap, unsigned); break;
            case LEN_LL: case LEN_J: u = va_arg(*ap, unsigned long long); break;
            case LEN_Z: case LEN_T: u = va_arg(*ap, size_t); break;
            default: u = va_arg(*ap, unsigned); break;
            }
            s = (long long)u;
        }
        nfmt[k++] = 'l';
        nfmt[k++] = 'l';
        nfmt[k++] = conv;
        nfmt[k] = 0;
        n = is_signed ? snprintf(stackbuf, sizeof stackbuf, nfmt, s) : snprintf(stackbuf, sizeof stackbuf, nfmt, u);
        if (n >= (int)sizeof stackbuf) {
            text = malloc((size_t)n + 1);
            if (!text)
                return -1;
            if (is_signed)
                snprintf(text, (size_t)n + 1, nfmt, s);
            else
                snprintf(text, (size_t)n + 1, nfmt, u);
        }
    } else {
        int is_long_double = sp->length == LEN_BIG_L;
        long double ld = 0;
        double d = 0;
        if (is_long_double)
            ld = va_arg(*ap, long double);
        else
            d = va_arg(*ap, double);
        if (is_long_double)
            nfmt[k++] = 'L';
        nfmt[k++] = conv;
        nfmt[k] = 0;
        n = is_long_double ? snprintf(stackbuf, sizeof stackbuf, nfmt, ld) : snprintf(stackbuf, sizeof stackbuf, nfmt, d);
        if (n >= (int)sizeof stackbuf) {
            text = malloc((size_t)n + 1);
            if (!text)
                return -1;
            if (is_long_double)
                snprintf(text, (size_t)n + 1, nfmt, ld);
            else
                snprintf(text, (size_t)n + 1, nfmt, d);
        }
    }
    if (n < 0)
        return -1;
    for (int i = 0; i < n; i++)
        put(o, (unsigned char)text[i]);
    if (text != stackbuf)
        free(text);
    return 0;
}

static int put_narrow_string(wout_t *o, const spec_t *sp, const char *s)
{
    if (!s)
        s = "(null)";
    size_t bytes = sp->precision >= 0 ? strnlen(s, (size_t)sp->precision) : strlen(s);
    size_t n;
    WCHAR *w = wmiemu_utf8_to_wcs_n(s, bytes, &n);
    if (w) {
        put_field(o, sp, w, n);
        free(w);
        return 0;
    }
    /* Not UTF-8: take the bytes as Latin-1 rather than fail the call. */
    size_t width = sp->width > 0 ? (size_t)sp->width : 0;
    if (!sp->left && width > bytes)
        pad(o, width - bytes);
    for (size_t i = 0; i < bytes; i++)
        put(o, (unsigned char)s[i]);
    if (sp->left && width > bytes)
        pad(o, width - bytes);
    return 0;
}

static int format(wout_t *o, const wchar_t *fmt, va_list *ap)
{
    static const wchar_t null_text[] = { '(', 'n', 'u', 'l', 'l', ')', 0 };
    while (*fmt) {
        if (*fmt != '%') {
            put(o, *fmt++);
            continue;
        }
        fmt++;
        if (*fmt == '%') {
            put(o, *fmt++);
            continue;
        }
        spec_t sp = { .width = -1, .precision = -1, .length = LEN_NONE };
        size_t nf = 0;
        while (*fmt && wmiemu_wcschr(L"-+ #0", *fmt)) {
            if (*fmt == '-')
                sp.left = 1;
            if (nf < sizeof sp.flags - 1 && !memchr(sp.flags, (char)*fmt, nf))
                sp.flags[nf++] = (char)*fmt;
            fmt++;
        }
        if (*fmt == '*') {
            sp.width = va_arg(*ap, int);
            if (sp.width < 0) {
                sp.width = sp.width == INT32_MIN ? INT32_MAX : -sp.width;
                sp.left = 1;
                if (nf < sizeof sp.flags - 1 && !memchr(sp.flags, '-', nf))
                    sp.flags[nf++] = '-';
            }
            fmt++;
        } else if (*fmt >= '0' && *fmt <= '9') {
            sp.width = 0;
            while (*fmt >= '0' && *fmt <= '9') {
                if (sp.width > 100000000)
                    return -1;
                sp.width = sp.width * 10 + (*fmt++ - '0');
            }
        }
        if (*fmt == '.') {
            fmt++;
            sp.precision = 0;
            if (*fmt == '*') {
                sp.precision = va_arg(*ap, int);
                if (sp.precision < 0)
                    sp.precision = -1;
                fmt++;
            } else {
                while (*fmt >= '0' && *fmt <= '9') {
                    if (sp.precision > 100000000)
                        return -1;
                    sp.precision = sp.precision * 10 + (*fmt++ - '0');
                }
            }
        }
        switch (*fmt) {
        case 'h': fmt++; sp.length = LEN_H; if (*fmt == 'h') { fmt++; sp.length = LEN_HH; } break;
        case 'l': fmt++; sp.length = LEN_L; if (*fmt == 'l') { fmt++; sp.length = LEN_LL; } break;
        case 'L': fmt++; sp.length = LEN_BIG_L; break;
        case 'j': fmt++; sp.length = LEN_J; break;
        case 'z': fmt++; sp.length = LEN_Z; break;
        case 't': fmt++; sp.length = LEN_T; break;
        case 'w': fmt++; sp.length = LEN_W; break;
        case 'I':
            fmt++;
            if (fmt[0] == '6' && fmt[1] == '4') { fmt += 2; sp.length = LEN_LL; }
            else if (fmt[0] == '3' && fmt[1] == '2') { fmt += 2; sp.length = LEN_NONE; }
            else sp.length = LEN_Z;
            break;
        default: break;
        }
        wchar_t conv = *fmt++;
        switch (conv) {
        case 'd': case 'i': case 'u': case 'o': case 'x': case 'X':
        case 'f': case 'F': case 'e': case 'E': case 'g': case 'G': case 'a': case 'A':
            if (put_number(o, &sp, (char)conv, ap) < 0)
                return -1;
            break;
        case 'p': {
            spec_t ps = sp;
            char text[32];
            int n = snprintf(text, sizeof text, "%016llX", (unsigned long long)(uintptr_t)va_arg(*ap, void *));
            wchar_t w[32];
            for (int i = 0; i < n; i++)
                w[i] = (unsigned char)text[i];
            put_field(o, &ps, w, (size_t)n);
            break;
        }
        case 'c': case 'C': {
            int narrow = (conv == 'C' && sp.length != LEN_L && sp.length != LEN_W) || sp.length == LEN_H;
            int v = va_arg(*ap, int);
            wchar_t c = narrow ? (wchar_t)(unsigned char)v : (wchar_t)v;
            put_field(o, &sp, &c, 1);
            break;
        }
        case 's': case 'S': {
            int narrow = (conv == 'S' && sp.length != LEN_L && sp.length != LEN_W) || sp.length == LEN_H;
            if (narrow) {
                if (put_narrow_string(o, &sp, va_arg(*ap, const char *)) < 0)
                    return -1;
            } else {
                const wchar_t *s = va_arg(*ap, const wchar_t *);
                if (!s)
                    s = null_text;
                size_t n = sp.precision >= 0 ? wmiemu_wcsnlen(s, (size_t)sp.precision) : wmiemu_wcslen(s);
                put_field(o, &sp, s, n);
            }
            break;
        }
        default:
            /* %n (a write primitive the CRT disables too), %Z and unknown
             * conversions, or a spec cut short by the end of the string. */
            return -1;
        }
    }
    return 0;
}

ssize_t wmiemu__vwformat(wchar_t *buf, size_t cap, const wchar_t *fmt, va_list ap)
{
    if (!fmt)
        return -1;
    wout_t o = { buf, buf ? cap : 0, 0 };
    va_list copy;
    va_copy(copy, ap);
    int r = format(&o, fmt, &copy);
    va_end(copy);
    if (r < 0 || o.len > (size_t)INT32_MAX)
        return -1;
    return (ssize_t)o.len;
}

ssize_t wmiemu__vformat(char *buf, size_t cap, const char *fmt, va_list ap)
{
    if (!fmt)
        return -1;
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(buf, buf ? cap : 0, fmt, copy);
    va_end(copy);
    return n;
}
