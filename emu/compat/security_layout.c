/* The binary layouts of SIDs and ACLs, read the same on both systems: the
 * host checks per-event security descriptors with these on Windows too,
 * where the Win32 functions around them are the system's. */
#include <string.h>

#include <windows.h>

#include "compat/security.h"

size_t wmiemu__sid_size(const void *p, size_t avail)
{
    const BYTE *b = p;
    if (!p || avail < 8 || b[0] != SID_REVISION || b[1] > SID_MAX_SUB_AUTHORITIES)
        return 0;
    size_t len = 8 + 4u * b[1];
    return len <= avail ? len : 0;
}

static DWORD read32(const BYTE *p)
{
    return (DWORD)p[0] | (DWORD)p[1] << 8 | (DWORD)p[2] << 16 | (DWORD)p[3] << 24;
}

DWORD wmiemu__dacl_walk(const BYTE *acl, wmiemu__sid_match_fn match, void *ctx, const GENERIC_MAPPING *mapping,
                        DWORD granted)
{
    DWORD denied = 0;
    unsigned count = acl[4] | acl[5] << 8;
    const BYTE *p = acl + sizeof(ACL);
    for (unsigned i = 0; i < count; i++) {
        BYTE type = p[0], flags = p[1];
        unsigned size = p[2] | p[3] << 8;
        size_t sid_len = size >= 8 ? wmiemu__sid_size(p + 8, size - 8u) : 0;
        if ((type == ACCESS_ALLOWED_ACE_TYPE || type == ACCESS_DENIED_ACE_TYPE) && !(flags & INHERIT_ONLY_ACE) &&
            sid_len && match(p + 8, sid_len, ctx)) {
            DWORD mask = read32(p + 4);
            if (mapping)
                MapGenericMask(&mask, (GENERIC_MAPPING *)mapping);
            if (type == ACCESS_DENIED_ACE_TYPE)
                denied |= mask & ~granted;
            else
                granted |= mask & ~denied;
        }
        p += size;
    }
    return granted;
}

