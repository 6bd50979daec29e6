/* UTF-8 <-> UTF-16 conversion for wmiemu's own code (MOF and WQL text,
 * JSON output) and BSTR helpers over it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>
#include <oleauto.h>
#include <wmiemu/compat.h>

/* Decodes one code point; returns bytes used, 0 if invalid. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if ((c & 0xE0) == 0xC0) { len = 2; v = c & 0x1F; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { len = 3; v = c & 0x0F; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { len = 4; v = c & 0x07; min = 0x10000; }
    else return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

size_t wmiemu_utf8_to_wcs_buf(const char *s, size_t len, WCHAR *dst)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, k = 0;
    while (i < len) {
        uint32_t cp;
        size_t used = utf8_decode(p + i, len - i, &cp);
        if (!used)
            return (size_t)-1;
        i += used;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            dst[k++] = (WCHAR)(0xD800 | (cp >> 10));
            dst[k++] = (WCHAR)(0xDC00 | (cp & 0x3FF));
        } else {
            dst[k++] = (WCHAR)cp;
        }
    }
    dst[k] = 0;
    return k;
}

WCHAR *wmiemu_utf8_to_wcs_n(const char *s, size_t len, size_t *out_len)
{
    if (!s)
        return NULL;
    if (len == (size_t)-1)
        len = strlen(s);
    WCHAR *w = malloc((len + 1) * sizeof(WCHAR));
    if (!w)
        return NULL;
    size_t k = wmiemu_utf8_to_wcs_buf(s, len, w);
    if (k == (size_t)-1) {
        free(w);
        return NULL;
    }
    if (out_len)
        *out_len = k;
    return w;
}

WCHAR *wmiemu_utf8_to_wcs(const char *s, size_t len)
{
    return wmiemu_utf8_to_wcs_n(s, len, NULL);
}

char *wmiemu_wcs_to_utf8_n(const WCHAR *s, size_t len, size_t *out_len)
{
    if (!s)
        return NULL;
    if (len == (size_t)-1)
        len = wmiemu_wcslen(s);
    if (len > (SIZE_MAX - 1) / 3)
        return NULL;
    char *u = malloc(len * 3 + 1);
    if (!u)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        uint32_t cp = s[i];
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < len && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (s[i + 1] - 0xDC00);
            i++;
        } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            cp = 0xFFFD;
        }
        if (cp < 0x80) {
            u[k++] = (char)cp;
        } else if (cp < 0x800) {
            u[k++] = (char)(0xC0 | (cp >> 6));
            u[k++] = (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            u[k++] = (char)(0xE0 | (cp >> 12));
            u[k++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            u[k++] = (char)(0x80 | (cp & 0x3F));
        } else {
            u[k++] = (char)(0xF0 | (cp >> 18));
            u[k++] = (char)(0x80 | ((cp >> 12) & 0x3F));
            u[k++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            u[k++] = (char)(0x80 | (cp & 0x3F));
        }
    }
    u[k] = 0;
    if (out_len)
        *out_len = k;
    return u;
}

char *wmiemu_wcs_to_utf8(const WCHAR *s, size_t len)
{
    return wmiemu_wcs_to_utf8_n(s, len, NULL);
}

BSTR wmiemu_bstr_from_utf8(const char *s, size_t len)
{
    size_t n;
    WCHAR *w = wmiemu_utf8_to_wcs_n(s, len, &n);
    if (!w || n > UINT32_MAX / 2 - 4) {
        free(w);
        return NULL;
    }
    BSTR b = SysAllocStringLen(w, (UINT)n);
    free(w);
    return b;
}

char *wmiemu_bstr_to_utf8(BSTR b)
{
    if (!b)
        return NULL;
    return wmiemu_wcs_to_utf8(b, SysStringLen(b));
}
