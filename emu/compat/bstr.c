/*
 * BSTR with the Windows layout: a 4-byte length prefix (in bytes, not
 * counting the terminator) right before the characters, and a terminating
 * NUL WCHAR. Code that reads ((DWORD *)b)[-1] keeps working.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>
#include <oleauto.h>

#include "compat/bstr.h"
#include "compat/fault.h"

/* Longest BSTR in bytes: the prefix must hold it and the allocation must
 * not overflow (the same cap as Windows' 32-bit length). */
#define BSTR_MAX_BYTES (UINT32_MAX - 16)

static BSTR bstr_alloc_bytes(const void *data, UINT bytes)
{
    if (bytes > BSTR_MAX_BYTES)
        return NULL;
    /* prefix + data + a NUL WCHAR (two bytes, also for odd byte lengths) */
    unsigned char *base = malloc(sizeof(DWORD) + (size_t)bytes + sizeof(WCHAR) + 1);
    if (!base)
        return NULL;
    DWORD len = bytes;
    memcpy(base, &len, sizeof len);
    unsigned char *p = base + sizeof(DWORD);
    if (data)
        memcpy(p, data, bytes);
    else
        memset(p, 0, bytes);
    p[bytes] = 0;
    p[bytes + 1] = 0;
    p[bytes + 2] = 0;
    return (BSTR)p;
}

static BSTR bstr_alloc_len(const OLECHAR *s, UINT len)
{
    if (len > BSTR_MAX_BYTES / sizeof(WCHAR))
        return NULL;
    return bstr_alloc_bytes(s, len * (UINT)sizeof(WCHAR));
}

BSTR WINAPI SysAllocStringLen(const OLECHAR *s, UINT len)
{
    if (wmiemu__fault_hit(WMIEMU__FAULT_ALLOC, "SysAllocStringLen", __builtin_return_address(0)))
        return NULL;
    return bstr_alloc_len(s, len);
}

BSTR WINAPI SysAllocString(const OLECHAR *s)
{
    if (!s)
        return NULL;
    if (wmiemu__fault_hit(WMIEMU__FAULT_ALLOC, "SysAllocString", __builtin_return_address(0)))
        return NULL;
    size_t n = 0;
    while (s[n])
        n++;
    if (n > BSTR_MAX_BYTES / sizeof(WCHAR))
        return NULL;
    return bstr_alloc_len(s, (UINT)n);
}

BSTR WINAPI SysAllocStringByteLen(LPCSTR s, UINT bytes)
{
    if (wmiemu__fault_hit(WMIEMU__FAULT_ALLOC, "SysAllocStringByteLen", __builtin_return_address(0)))
        return NULL;
    return bstr_alloc_bytes(s, bytes);
}

void WINAPI SysFreeString(BSTR b)
{
    if (b)
        free((unsigned char *)b - sizeof(DWORD));
}

UINT WINAPI SysStringByteLen(BSTR b)
{
    if (!b)
        return 0;
    DWORD len;
    memcpy(&len, (unsigned char *)b - sizeof(DWORD), sizeof len);
    return len;
}

UINT WINAPI SysStringLen(BSTR b)
{
    return SysStringByteLen(b) / sizeof(WCHAR);
}

INT WINAPI SysReAllocStringLen(BSTR *pb, const OLECHAR *s, UINT len)
{
    if (!pb)
        return FALSE;
    /* s may point into *pb: build the new string before freeing the old. */
    BSTR nb = SysAllocStringLen(s, len);
    if (!nb)
        return FALSE;
    SysFreeString(*pb);
    *pb = nb;
    return TRUE;
}

INT WINAPI SysReAllocString(BSTR *pb, const OLECHAR *s)
{
    if (!pb)
        return FALSE;
    if (!s) {
        SysFreeString(*pb);
        *pb = NULL;
        return TRUE;
    }
    size_t n = 0;
    while (s[n])
        n++;
    if (n > BSTR_MAX_BYTES / sizeof(WCHAR))
        return FALSE;
    return SysReAllocStringLen(pb, s, (UINT)n);
}

BSTR wmiemu__bstr_copy(BSTR b)
{
    if (!b)
        return NULL;
    return bstr_alloc_bytes(b, SysStringByteLen(b));
}
