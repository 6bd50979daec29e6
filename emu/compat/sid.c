/* SIDs: the advapi32 functions that make, check, compare and convert them,
 * the SDDL aliases of the well-known ones and their account names.
 * Behaviour as learn.microsoft.com documents each function (for example
 * https://learn.microsoft.com/windows/win32/api/sddl/nf-sddl-convertstringsidtosidw):
 * strings and SIDs handed out are LocalAlloc'ed, bad input fails with the
 * documented GetLastError code. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>
#include <sddl.h>

#include "compat/security.h"

/* ---- the well-known SIDs -------------------------------------------------
 * One table serves ConvertStringSidToSid's aliases, CreateWellKnownSid and
 * LookupAccountSid. All their identifier authorities fit in the last byte. */
typedef struct {
    char alias[3]; /* SDDL alias; "" for none */
    WELL_KNOWN_SID_TYPE type;
    BYTE authority;
    BYTE count;
    DWORD sub[2];
    const char *name, *domain;
    SID_NAME_USE use;
} well_known_t;

/* Windows' SidTypeLabel, which Wine's winnt.h lacks. */
#define SID_TYPE_LABEL ((SID_NAME_USE)10)

static const well_known_t well_known[] = {
    { "", WinNullSid, 0, 1, { 0 }, "NULL SID", "", SidTypeWellKnownGroup },
    { "WD", WinWorldSid, 1, 1, { 0 }, "Everyone", "", SidTypeWellKnownGroup },
    { "", WinLocalSid, 2, 1, { 0 }, "LOCAL", "", SidTypeWellKnownGroup },
    { "CO", WinCreatorOwnerSid, 3, 1, { 0 }, "CREATOR OWNER", "", SidTypeWellKnownGroup },
    { "CG", WinCreatorGroupSid, 3, 1, { 1 }, "CREATOR GROUP", "", SidTypeWellKnownGroup },
    { "OW", WinCreatorOwnerRightsSid, 3, 1, { 4 }, "OWNER RIGHTS", "", SidTypeWellKnownGroup },
    { "", WinNtAuthoritySid, 5, 0, { 0 }, "NT AUTHORITY", "NT AUTHORITY", SidTypeDomain },
    { "", WinDialupSid, 5, 1, { 1 }, "DIALUP", "NT AUTHORITY", SidTypeWellKnownGroup },
    { "NU", WinNetworkSid, 5, 1, { 2 }, "NETWORK", "NT AUTHORITY", SidTypeWellKnownGroup },
    { "", WinBatchSid, 5, 1, { 3 }, "BATCH", "NT AUTHORITY", SidTypeWellKnownGroup },
    { "IU", WinInteractiveSid, 5, 1, { 4 }, "INTERACTIVE", "NT AUTHORITY", SidTypeWellKnownGroup },
    { "SU", WinServiceSid, 5, 1, { 6 }, "SERVICE", "NT AUTHORITY", SidTypeWellKnownGroup },
    { "AN", WinAnonymousSid, 5, 1, { 7 }, "ANONYMOUS LOGON", "NT AUTHORITY", SidTypeWellKnownGroup },
    { "ED", WinEnterpriseControllersSid, 5, 1, { 9 }, "ENTERPRISE DOMAIN CONTROLLERS", "NT AUTHORITY",
      SidTypeWellKnownGroup },
    { "PS", WinSelfSid, 5, 1, { 10 }, "SELF", "NT AUTHORITY", SidTypeWellKnownGroup },
    { "AU", WinAuthenticatedUserSid, 5, 1, { 11 }, "Authenticated Users", "NT AUTHORITY", SidTypeWellKnownGroup },
    { "RC", WinRestrictedCodeSid, 5, 1, { 12 }, "RESTRICTED", "NT AUTHORITY", SidTypeWellKnownGroup },
    { "", WinTerminalServerSid, 5, 1, { 13 }, "TERMINAL SERVER USER", "NT AUTHORITY", SidTypeWellKnownGroup },
    { "", WinRemoteLogonIdSid, 5, 1, { 14 }, "REMOTE INTERACTIVE LOGON", "NT AUTHORITY", SidTypeWellKnownGroup },
    { "", WinThisOrganizationSid, 5, 1, { 15 }, "This Organization", "NT AUTHORITY", SidTypeWellKnownGroup },
    { "SY", WinLocalSystemSid, 5, 1, { 18 }, "SYSTEM", "NT AUTHORITY", SidTypeWellKnownGroup },
    { "LS", WinLocalServiceSid, 5, 1, { 19 }, "LOCAL SERVICE", "NT AUTHORITY", SidTypeWellKnownGroup },
    { "NS", WinNetworkServiceSid, 5, 1, { 20 }, "NETWORK SERVICE", "NT AUTHORITY", SidTypeWellKnownGroup },
    { "", WinBuiltinDomainSid, 5, 1, { 32 }, "BUILTIN", "BUILTIN", SidTypeDomain },
    { "BA", WinBuiltinAdministratorsSid, 5, 2, { 32, 544 }, "Administrators", "BUILTIN", SidTypeAlias },
    { "BU", WinBuiltinUsersSid, 5, 2, { 32, 545 }, "Users", "BUILTIN", SidTypeAlias },
    { "BG", WinBuiltinGuestsSid, 5, 2, { 32, 546 }, "Guests", "BUILTIN", SidTypeAlias },
    { "PU", WinBuiltinPowerUsersSid, 5, 2, { 32, 547 }, "Power Users", "BUILTIN", SidTypeAlias },
    { "AO", WinBuiltinAccountOperatorsSid, 5, 2, { 32, 548 }, "Account Operators", "BUILTIN", SidTypeAlias },
    { "SO", WinBuiltinSystemOperatorsSid, 5, 2, { 32, 549 }, "Server Operators", "BUILTIN", SidTypeAlias },
    { "PO", WinBuiltinPrintOperatorsSid, 5, 2, { 32, 550 }, "Print Operators", "BUILTIN", SidTypeAlias },
    { "BO", WinBuiltinBackupOperatorsSid, 5, 2, { 32, 551 }, "Backup Operators", "BUILTIN", SidTypeAlias },
    { "RE", WinBuiltinReplicatorSid, 5, 2, { 32, 552 }, "Replicator", "BUILTIN", SidTypeAlias },
    { "RU", WinBuiltinPreWindows2000CompatibleAccessSid, 5, 2, { 32, 554 }, "Pre-Windows 2000 Compatible Access",
      "BUILTIN", SidTypeAlias },
    { "RD", WinBuiltinRemoteDesktopUsersSid, 5, 2, { 32, 555 }, "Remote Desktop Users", "BUILTIN", SidTypeAlias },
    { "NO", WinBuiltinNetworkConfigurationOperatorsSid, 5, 2, { 32, 556 }, "Network Configuration Operators",
      "BUILTIN", SidTypeAlias },
    { "MU", WinBuiltinPerfMonitoringUsersSid, 5, 2, { 32, 558 }, "Performance Monitor Users", "BUILTIN",
      SidTypeAlias },
    { "LU", WinBuiltinPerfLoggingUsersSid, 5, 2, { 32, 559 }, "Performance Log Users", "BUILTIN", SidTypeAlias },
    { "IS", WinBuiltinIUsersSid, 5, 2, { 32, 568 }, "IIS_IUSRS", "BUILTIN", SidTypeAlias },
    { "CY", WinBuiltinCryptoOperatorsSid, 5, 2, { 32, 569 }, "Cryptographic Operators", "BUILTIN", SidTypeAlias },
    { "LW", WinLowLabelSid, 16, 1, { 0x1000 }, "Low Mandatory Level", "Mandatory Label", SID_TYPE_LABEL },
    { "ME", WinMediumLabelSid, 16, 1, { 0x2000 }, "Medium Mandatory Level", "Mandatory Label", SID_TYPE_LABEL },
    { "HI", WinHighLabelSid, 16, 1, { 0x3000 }, "High Mandatory Level", "Mandatory Label", SID_TYPE_LABEL },
    { "SI", WinSystemLabelSid, 16, 1, { 0x4000 }, "System Mandatory Level", "Mandatory Label", SID_TYPE_LABEL },
};

/* Aliases relative to a domain or the machine's account domain: real
 * aliases, but this machine has no such domain, so they map to nothing. */
static const char domain_aliases[][3] = { "DA", "DU", "DG", "DC", "DD", "CA", "SA", "EA", "PA", "RS", "LA",
                                          "LG", "AC", "RO", "CN", "EK", "KA" };

/* The well-known types relative to a domain SID (CreateWellKnownSid's
 * DomainSid), by their relative identifier. */
static const struct {
    WELL_KNOWN_SID_TYPE type;
    DWORD rid;
} domain_relative[] = {
    { WinAccountAdministratorSid, 500 }, { WinAccountGuestSid, 501 },
    { WinAccountKrbtgtSid, 502 },        { WinAccountDomainAdminsSid, 512 },
    { WinAccountDomainUsersSid, 513 },   { WinAccountDomainGuestsSid, 514 },
    { WinAccountComputersSid, 515 },     { WinAccountControllersSid, 516 },
    { WinAccountCertAdminsSid, 517 },    { WinAccountSchemaAdminsSid, 518 },
    { WinAccountEnterpriseAdminsSid, 519 }, { WinAccountPolicyAdminsSid, 520 },
    { WinAccountRasAndIasServersSid, 553 },
};

static void well_known_build(const well_known_t *w, SID *out)
{
    memset(out, 0, 8);
    out->Revision = SID_REVISION;
    out->SubAuthorityCount = w->count;
    out->IdentifierAuthority.Value[5] = w->authority;
    for (BYTE i = 0; i < w->count; i++)
        out->SubAuthority[i] = w->sub[i];
}

static BOOL well_known_is(const well_known_t *w, const SID *sid)
{
    static const BYTE zero[5];
    if (sid->SubAuthorityCount != w->count || sid->IdentifierAuthority.Value[5] != w->authority ||
        memcmp(sid->IdentifierAuthority.Value, zero, 5))
        return FALSE;
    for (BYTE i = 0; i < w->count; i++)
        if (sid->SubAuthority[i] != w->sub[i])
            return FALSE;
    return TRUE;
}

static const well_known_t *well_known_of(const SID *sid)
{
    for (size_t i = 0; i < sizeof well_known / sizeof *well_known; i++)
        if (well_known_is(&well_known[i], sid))
            return &well_known[i];
    return NULL;
}

/* ---- internal helpers (security.h) -------------------------------------- */

BOOL wmiemu__sid_equal(const SID *a, const SID *b)
{
    size_t la = wmiemu__sid_size(a, SECURITY_MAX_SID_SIZE), lb = wmiemu__sid_size(b, SECURITY_MAX_SID_SIZE);
    return la && la == lb && !memcmp(a, b, la);
}

const char *wmiemu__sid_alias(const SID *sid)
{
    const well_known_t *w = well_known_of(sid);
    return w && w->alias[0] ? w->alias : NULL;
}

BOOL wmiemu__parse_number(const WCHAR *s, size_t len, size_t *i, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    size_t start;
    unsigned base = 10;
    if (*i + 1 < len && s[*i] == '0' && (s[*i + 1] == 'x' || s[*i + 1] == 'X')) {
        base = 16;
        *i += 2;
    }
    start = *i;
    for (; *i < len; (*i)++) {
        WCHAR c = s[*i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            break;
        v = v * base + d;
        if (v > max)
            return FALSE;
    }
    *out = v;
    return *i > start;
}

int wmiemu__sid_parse(const WCHAR *s, size_t len, SID *out)
{
    if (len == 2) {
        for (size_t k = 0; k < sizeof well_known / sizeof *well_known; k++) {
            const well_known_t *w = &well_known[k];
            if (w->alias[0] && s[0] == (WCHAR)w->alias[0] && s[1] == (WCHAR)w->alias[1]) {
                well_known_build(w, out);
                return 1;
            }
        }
        for (size_t k = 0; k < sizeof domain_aliases / sizeof *domain_aliases; k++)
            if (s[0] == (WCHAR)domain_aliases[k][0] && s[1] == (WCHAR)domain_aliases[k][1])
                return -1;
        return 0;
    }
    uint64_t v;
    size_t i = 2;
    if (len < 5 || (s[0] != 'S' && s[0] != 's') || s[1] != '-')
        return 0;
    if (!wmiemu__parse_number(s, len, &i, 0xff, &v) || v != SID_REVISION || i >= len || s[i++] != '-')
        return 0;
    if (!wmiemu__parse_number(s, len, &i, 0xffffffffffffULL, &v))
        return 0;
    memset(out, 0, 8);
    out->Revision = SID_REVISION;
    for (int k = 0; k < 6; k++)
        out->IdentifierAuthority.Value[k] = (BYTE)(v >> (8 * (5 - k)));
    while (i < len) {
        if (s[i++] != '-' || out->SubAuthorityCount == SID_MAX_SUB_AUTHORITIES ||
            !wmiemu__parse_number(s, len, &i, 0xffffffffu, &v))
            return 0;
        out->SubAuthority[out->SubAuthorityCount++] = (DWORD)v;
    }
    return 1;
}

size_t wmiemu__sid_format(const SID *sid, char *buf)
{
    const BYTE *a = sid->IdentifierAuthority.Value;
    char *p = buf;
    p += sprintf(p, "S-%u-", sid->Revision);
    if (a[0] || a[1])
        p += sprintf(p, "0x%02X%02X%02X%02X%02X%02X", a[0], a[1], a[2], a[3], a[4], a[5]);
    else
        p += sprintf(p, "%lu", (unsigned long)a[2] << 24 | (unsigned long)a[3] << 16 | (unsigned long)a[4] << 8 | a[5]);
    for (BYTE i = 0; i < sid->SubAuthorityCount; i++)
        p += sprintf(p, "-%lu", (unsigned long)sid->SubAuthority[i]);
    return (size_t)(p - buf);
}

WCHAR *wmiemu__ascii_to_wcs(const char *s)
{
    size_t n = strlen(s);
    WCHAR *w = malloc((n + 1) * sizeof *w);
    if (!w)
        return NULL;
    for (size_t i = 0; i <= n; i++)
        w[i] = (unsigned char)s[i];
    return w;
}

/* ---- the Win32 functions ------------------------------------------------- */

BOOL WINAPI IsValidSid(PSID sid)
{
    return wmiemu__sid_size(sid, SECURITY_MAX_SID_SIZE) != 0;
}

DWORD WINAPI GetLengthSid(PSID sid)
{
    return 8 + 4u * ((SID *)sid)->SubAuthorityCount;
}

DWORD WINAPI GetSidLengthRequired(BYTE count)
{
    return 8 + 4u * count;
}

BOOL WINAPI EqualSid(PSID a, PSID b)
{
    SetLastError(ERROR_SUCCESS);
    return wmiemu__sid_equal(a, b);
}

BOOL WINAPI EqualPrefixSid(PSID a, PSID b)
{
    SID *x = a, *y = b;
    if (!IsValidSid(a) || !IsValidSid(b) || x->SubAuthorityCount != y->SubAuthorityCount)
        return FALSE;
    if (!x->SubAuthorityCount)
        return !memcmp(x, y, 8);
    return !memcmp(x, y, 8 + 4u * (x->SubAuthorityCount - 1u));
}

BOOL WINAPI CopySid(DWORD len, PSID dst, PSID src)
{
    if (!IsValidSid(src)) {
        SetLastError(ERROR_INVALID_SID);
        return FALSE;
    }
    DWORD need = GetLengthSid(src);
    if (len < need || !dst) {
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return FALSE;
    }
    memmove(dst, src, need);
    return TRUE;
}

BOOL WINAPI InitializeSid(PSID sid, PSID_IDENTIFIER_AUTHORITY authority, BYTE count)
{
    SID *s = sid;
    if (!s || !authority || count > SID_MAX_SUB_AUTHORITIES) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    s->Revision = SID_REVISION;
    s->SubAuthorityCount = count;
    s->IdentifierAuthority = *authority;
    memset(s->SubAuthority, 0, 4u * count);
    return TRUE;
}

BOOL WINAPI AllocateAndInitializeSid(PSID_IDENTIFIER_AUTHORITY authority, BYTE count, DWORD s0, DWORD s1,
                                     DWORD s2, DWORD s3, DWORD s4, DWORD s5, DWORD s6, DWORD s7, PSID *out)
{
    const DWORD subs[8] = { s0, s1, s2, s3, s4, s5, s6, s7 };
    if (!out || !authority) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (count > 8) {
        SetLastError(ERROR_INVALID_SID);
        return FALSE;
    }
    SID *s = LocalAlloc(LMEM_FIXED, GetSidLengthRequired(count));
    if (!s) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    InitializeSid(s, authority, count);
    memcpy(s->SubAuthority, subs, 4u * count);
    *out = s;
    return TRUE;
}

/* Returns NULL on success, as Windows documents. */
PVOID WINAPI FreeSid(PSID sid)
{
    LocalFree(sid);
    return NULL;
}

PSID_IDENTIFIER_AUTHORITY WINAPI GetSidIdentifierAuthority(PSID sid)
{
    SetLastError(ERROR_SUCCESS);
    return &((SID *)sid)->IdentifierAuthority;
}

PUCHAR WINAPI GetSidSubAuthorityCount(PSID sid)
{
    SetLastError(ERROR_SUCCESS);
    return &((SID *)sid)->SubAuthorityCount;
}

/* Like Windows, no validation: the caller checks with IsValidSid. */
PDWORD WINAPI GetSidSubAuthority(PSID sid, DWORD n)
{
    SetLastError(ERROR_SUCCESS);
    return &((SID *)sid)->SubAuthority[n];
}

BOOL WINAPI CreateWellKnownSid(WELL_KNOWN_SID_TYPE type, PSID domain, PSID sid, DWORD *size)
{
    BYTE buf[SECURITY_MAX_SID_SIZE];
    SID *made = (SID *)buf;
    BOOL found = FALSE;
    if (!size) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    for (size_t i = 0; i < sizeof well_known / sizeof *well_known && !found; i++) {
        if (well_known[i].type == type) {
            well_known_build(&well_known[i], made);
            found = TRUE;
        }
    }
    for (size_t i = 0; i < sizeof domain_relative / sizeof *domain_relative && !found; i++) {
        if (domain_relative[i].type != type)
            continue;
        if (!IsValidSid(domain) || ((SID *)domain)->SubAuthorityCount >= SID_MAX_SUB_AUTHORITIES) {
            SetLastError(ERROR_INVALID_PARAMETER);
            return FALSE;
        }
        memcpy(made, domain, GetLengthSid(domain));
        made->SubAuthority[made->SubAuthorityCount++] = domain_relative[i].rid;
        found = TRUE;
    }
    if (!found) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    DWORD need = GetLengthSid(made);
    if (!sid || *size < need) {
        *size = need;
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return FALSE;
    }
    memcpy(sid, made, need);
    *size = need;
    return TRUE;
}

BOOL WINAPI IsWellKnownSid(PSID sid, WELL_KNOWN_SID_TYPE type)
{
    const well_known_t *w = IsValidSid(sid) ? well_known_of(sid) : NULL;
    return w && w->type == type;
}

BOOL WINAPI ConvertStringSidToSidW(LPCWSTR text, PSID *out)
{
    BYTE buf[SECURITY_MAX_SID_SIZE];
    if (!text || !out) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    size_t len = 0;
    while (text[len])
        len++;
    if (wmiemu__sid_parse(text, len, (SID *)buf) != 1) {
        SetLastError(ERROR_INVALID_SID);
        return FALSE;
    }
    DWORD need = GetLengthSid(buf);
    PSID sid = LocalAlloc(LMEM_FIXED, need);
    if (!sid) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    memcpy(sid, buf, need);
    *out = sid;
    return TRUE;
}

BOOL WINAPI ConvertStringSidToSidA(LPCSTR text, PSID *out)
{
    if (!text || !out) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    WCHAR *w = wmiemu__ascii_to_wcs(text);
    if (!w) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    BOOL ok = ConvertStringSidToSidW(w, out);
    free(w);
    return ok;
}

void *wmiemu__local_string(const char *text, size_t n, size_t width)
{
    BYTE *s = LocalAlloc(LMEM_FIXED, (n + 1) * width);
    if (!s) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (width == 1)
            s[i] = (BYTE)text[i];
        else
            ((WCHAR *)s)[i] = (BYTE)text[i];
    }
    if (width == 1)
        s[n] = 0;
    else
        ((WCHAR *)s)[n] = 0;
    return s;
}

/* The string form, LocalAlloc'ed, in chars of the given width. */
static BOOL sid_to_string(PSID sid, void **out, size_t width)
{
    char buf[200];
    if (!sid || !out) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!IsValidSid(sid)) {
        SetLastError(ERROR_INVALID_SID);
        return FALSE;
    }
    void *s = wmiemu__local_string(buf, wmiemu__sid_format(sid, buf), width);
    if (!s)
        return FALSE;
    *out = s;
    return TRUE;
}

BOOL WINAPI ConvertSidToStringSidW(PSID sid, LPWSTR *out)
{
    return sid_to_string(sid, (void **)out, sizeof(WCHAR));
}

BOOL WINAPI ConvertSidToStringSidA(PSID sid, LPSTR *out)
{
    return sid_to_string(sid, (void **)out, 1);
}

/* Copies ASCII text into a WCHAR buffer of *cch chars, or says how many it
 * needs (with the terminator). */
static BOOL put_name(const char *text, LPWSTR buf, LPDWORD cch)
{
    DWORD need = (DWORD)strlen(text) + 1;
    BOOL fits = buf && *cch >= need;
    if (fits)
        for (DWORD i = 0; i < need; i++)
            buf[i] = (BYTE)text[i];
    *cch = fits ? need - 1 : need;
    return fits;
}

/* Names only for the well-known SIDs: wmiemu has no account database. */
BOOL WINAPI LookupAccountSidW(LPCWSTR system, PSID sid, LPWSTR name, LPDWORD name_cch, LPWSTR domain,
                              LPDWORD domain_cch, PSID_NAME_USE use)
{
    (void)system;
    if (!name_cch || !domain_cch) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!IsValidSid(sid)) {
        SetLastError(ERROR_INVALID_SID);
        return FALSE;
    }
    const well_known_t *w = well_known_of(sid);
    if (!w) {
        SetLastError(ERROR_NONE_MAPPED);
        return FALSE;
    }
    BOOL name_fits = put_name(w->name, name, name_cch);
    BOOL domain_fits = put_name(w->domain, domain, domain_cch);
    if (!name_fits || !domain_fits) {
        /* Both sizes are what is needed, as Windows reports them. */
        if (name_fits)
            *name_cch += 1;
        if (domain_fits)
            *domain_cch += 1;
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return FALSE;
    }
    if (use)
        *use = w->use;
    return TRUE;
}
