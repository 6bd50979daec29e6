/* MapGenericMask and AccessCheck, as
 * https://learn.microsoft.com/windows/win32/api/securitybaseapi/nf-securitybaseapi-accesscheck
 * documents them: the client token must be an impersonation token
 * (ERROR_NO_IMPERSONATION_TOKEN) of at least identification level, the
 * desired access must hold no generic rights (ERROR_GENERIC_NOT_MAPPED), the
 * descriptor needs an owner and a group. The DACL is walked in order: a NULL
 * DACL grants everything, an empty one nothing; inherit-only ACEs are
 * skipped; an ACE applies when its SID is the token's user or one of its
 * enabled groups; a deny for a right not yet granted refuses it. Generic
 * rights in ACEs are mapped with the caller's mapping, and the owner has
 * READ_CONTROL and WRITE_DAC, as Windows does. No token holds privileges, so
 * ACCESS_SYSTEM_SECURITY is never granted. */
#include <string.h>

#include <windows.h>

#include "compat/security.h"
#include "compat/token.h"

#define GENERIC_RIGHTS (GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL)

void WINAPI MapGenericMask(PDWORD mask, PGENERIC_MAPPING mapping)
{
    if (*mask & GENERIC_READ)
        *mask |= mapping->GenericRead;
    if (*mask & GENERIC_WRITE)
        *mask |= mapping->GenericWrite;
    if (*mask & GENERIC_EXECUTE)
        *mask |= mapping->GenericExecute;
    if (*mask & GENERIC_ALL)
        *mask |= mapping->GenericAll;
    *mask &= ~GENERIC_RIGHTS;
}

/* The token's user or one of its enabled groups. The SID is copied out:
 * an ACE's need not be aligned. */
static BOOL token_match(const BYTE *sid, size_t len, void *ctx)
{
    BYTE copy[SECURITY_MAX_SID_SIZE];
    memcpy(copy, sid, len);
    return wmiemu__token_has_sid(ctx, (const SID *)copy);
}

/* The rights the DACL gives the token: those asked for (all of them when
 * maximum), less those refused. */
static DWORD dacl_grants(wmiemu__kobj_t *token, const wmiemu__sd_parts_t *sd, DWORD desired, BOOL maximum,
                         GENERIC_MAPPING *mapping)
{
    DWORD granted = 0;
    if (!sd->dacl)
        return maximum ? mapping->GenericAll | desired : desired;
    if (sd->owner && wmiemu__token_has_sid(token, sd->owner))
        granted = READ_CONTROL | WRITE_DAC;
    granted = wmiemu__dacl_walk((const BYTE *)sd->dacl, token_match, token, mapping, granted);
    granted &= ~ACCESS_SYSTEM_SECURITY;
    return maximum ? granted : granted & desired;
}

BOOL WINAPI AccessCheck(PSECURITY_DESCRIPTOR sd, HANDLE token, DWORD desired, PGENERIC_MAPPING mapping,
                        PPRIVILEGE_SET privileges, LPDWORD privileges_len, LPDWORD granted, LPBOOL status)
{
    wmiemu__sd_parts_t parts;
    if (!sd || !mapping || !privileges_len || !granted || !status) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    wmiemu__kobj_t *t = wmiemu__token_get(token);
    if (!t)
        return FALSE;
    BOOL ok = FALSE;
    if (wmiemu__token_type(t) != TokenImpersonation) {
        SetLastError(ERROR_NO_IMPERSONATION_TOKEN);
        goto done;
    }
    if (wmiemu__token_level(t) < SecurityIdentification) {
        SetLastError(ERROR_BAD_IMPERSONATION_LEVEL);
        goto done;
    }
    if (desired & GENERIC_RIGHTS) {
        SetLastError(ERROR_GENERIC_NOT_MAPPED);
        goto done;
    }
    if (!wmiemu__sd_parts(sd, 0, &parts))
        goto done;
    if (!parts.owner || !parts.group) {
        SetLastError(ERROR_INVALID_SECURITY_DESCR);
        goto done;
    }
    if (*privileges_len < sizeof(PRIVILEGE_SET) || !privileges) {
        *privileges_len = sizeof(PRIVILEGE_SET);
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        goto done;
    }
    memset(privileges, 0, sizeof *privileges);
    *privileges_len = sizeof(PRIVILEGE_SET);

    BOOL maximum = (desired & MAXIMUM_ALLOWED) != 0;
    DWORD want = desired & ~MAXIMUM_ALLOWED;
    DWORD got = dacl_grants(t, &parts, want, maximum, mapping);
    if ((got & want) == want && (maximum ? got != 0 : want != 0)) {
        *granted = got;
        *status = TRUE;
    } else {
        *granted = 0;
        *status = FALSE;
        SetLastError(ERROR_ACCESS_DENIED);
    }
    ok = TRUE;
done:
    wmiemu__kobj_release(t);
    return ok;
}
