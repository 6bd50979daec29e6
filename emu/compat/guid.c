/* GUID text forms ({xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}) and the IIDs of
 * the OLE interfaces compat itself needs. */
#include <string.h>

#include <windows.h>
#include <objbase.h>
#include <oleauto.h>

#include "wmiemu_extern.h"
#include "compat/guid.h"

#ifndef _WIN32
/* On Windows these come from uuid.lib. */
const IID IID_IDispatch = { 0x00020400, 0, 0, { 0xC0, 0, 0, 0, 0, 0, 0, 0x46 } };
/* Wine declares GUID_NULL without an import attribute: export it by hand. */
WMIEMU_EXTERN const GUID GUID_NULL = { 0, 0, 0, { 0, 0, 0, 0, 0, 0, 0, 0 } };
#endif

static int hex_value(WCHAR c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Reads n hex digits; 0 on a non-digit. */
static int read_hex(const WCHAR *s, int n, unsigned long long *out)
{
    unsigned long long v = 0;
    for (int i = 0; i < n; i++) {
        int h = hex_value(s[i]);
        if (h < 0)
            return 0;
        v = (v << 4) | (unsigned)h;
    }
    *out = v;
    return 1;
}

BOOL wmiemu__guid_parse(const WCHAR *s, size_t len, GUID *out)
{
    unsigned long long v;
    GUID g;
    if (!s || len != 38 || s[0] != '{' || s[37] != '}' || s[9] != '-' || s[14] != '-' || s[19] != '-' || s[24] != '-')
        return FALSE;
    if (!read_hex(s + 1, 8, &v)) return FALSE;
    g.Data1 = (DWORD)v;
    if (!read_hex(s + 10, 4, &v)) return FALSE;
    g.Data2 = (WORD)v;
    if (!read_hex(s + 15, 4, &v)) return FALSE;
    g.Data3 = (WORD)v;
    for (int i = 0; i < 2; i++) {
        if (!read_hex(s + 20 + 2 * i, 2, &v)) return FALSE;
        g.Data4[i] = (BYTE)v;
    }
    for (int i = 0; i < 6; i++) {
        if (!read_hex(s + 25 + 2 * i, 2, &v)) return FALSE;
        g.Data4[2 + i] = (BYTE)v;
    }
    *out = g;
    return TRUE;
}

#ifndef _WIN32
/* The COM functions below are ole32's on Windows. */

/* A NUL-terminated GUID: the terminator must follow the closing brace, so
 * the scan stops one unit past the 38 a GUID takes. */
static BOOL parse_guid(const WCHAR *s, GUID *g)
{
    size_t len = 0;
    while (len < 39 && s[len])
        len++;
    return wmiemu__guid_parse(s, len, g);
}

INT WINAPI StringFromGUID2(REFGUID id, LPOLESTR str, INT cmax)
{
    static const char hex[] = "0123456789ABCDEF";
    if (!id || !str || cmax < 39)
        return 0;
    BYTE b[16];
    int k = 0;
    for (int i = 3; i >= 0; i--) b[k++] = (BYTE)(id->Data1 >> (8 * i));
    for (int i = 1; i >= 0; i--) b[k++] = (BYTE)(id->Data2 >> (8 * i));
    for (int i = 1; i >= 0; i--) b[k++] = (BYTE)(id->Data3 >> (8 * i));
    memcpy(b + 8, id->Data4, 8);
    int o = 0;
    str[o++] = '{';
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            str[o++] = '-';
        str[o++] = hex[b[i] >> 4];
        str[o++] = hex[b[i] & 15];
    }
    str[o++] = '}';
    str[o++] = 0;
    return o;
}

HRESULT WINAPI CLSIDFromString(LPCOLESTR s, LPCLSID clsid)
{
    if (!clsid)
        return E_INVALIDARG;
    if (!s) {
        memset(clsid, 0, sizeof *clsid);
        return S_OK;
    }
    /* ProgIDs would need a registry: only the brace form is accepted. */
    if (!parse_guid(s, clsid)) {
        memset(clsid, 0, sizeof *clsid);
        return CO_E_CLASSSTRING;
    }
    return S_OK;
}

HRESULT WINAPI IIDFromString(LPCOLESTR s, IID *iid)
{
    if (!iid)
        return E_INVALIDARG;
    if (!s) {
        memset(iid, 0, sizeof *iid);
        return S_OK;
    }
    if (!parse_guid(s, iid)) {
        memset(iid, 0, sizeof *iid);
        return E_INVALIDARG;
    }
    return S_OK;
}

HRESULT WINAPI StringFromCLSID(REFCLSID id, LPOLESTR *out)
{
    if (!id || !out)
        return E_INVALIDARG;
    *out = CoTaskMemAlloc(39 * sizeof(WCHAR));
    if (!*out)
        return E_OUTOFMEMORY;
    StringFromGUID2(id, *out, 39);
    return S_OK;
}

HRESULT WINAPI StringFromIID(REFIID id, LPOLESTR *out)
{
    return StringFromCLSID(id, out);
}
#endif /* !_WIN32 */
