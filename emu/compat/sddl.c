/* SDDL: security descriptor strings to self-relative descriptors and back
 * (https://learn.microsoft.com/windows/win32/secauthz/security-descriptor-string-format,
 * https://learn.microsoft.com/windows/win32/secauthz/ace-strings).
 *
 * Understood: O: and G: with an "S-1-..." SID or a two-letter alias; D: and
 * S: with the flags P, AI, AR (and D:NO_ACCESS_CONTROL for a NULL DACL);
 * ACEs of type A, D, AU, AL, and OA/OD/OU/OL without GUIDs (which become
 * A/D/AU/AL, as the reference page says); ACE flags CI OI NP IO ID SA FA;
 * rights as a number (0x hex or decimal) or letter codes. The SACL is parsed
 * and kept in the descriptor. Errors as documented: a string that is not
 * SDDL is ERROR_INVALID_PARAMETER, a revision other than SDDL_REVISION_1
 * ERROR_UNKNOWN_REVISION, a SID alias that maps to no account (the domain
 * aliases: wmiemu has no domain) ERROR_NONE_MAPPED. Conditional ACEs,
 * resource attributes and object GUIDs are refused (ERROR_INVALID_PARAMETER).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>
#include <sddl.h>

#include "compat/security.h"

/* The letter codes of access rights, single bits first (the order they
 * are written in), then the composites written only on an exact match. */
static const struct {
    char code[3];
    DWORD mask;
} rights[] = {
    { "GA", GENERIC_ALL },   { "GR", GENERIC_READ },   { "GW", GENERIC_WRITE },
    { "GX", GENERIC_EXECUTE }, { "CC", 0x1 },          { "DC", 0x2 },
    { "LC", 0x4 },           { "SW", 0x8 },            { "RP", 0x10 },
    { "WP", 0x20 },          { "DT", 0x40 },           { "LO", 0x80 },
    { "CR", 0x100 },         { "SD", DELETE },         { "RC", READ_CONTROL },
    { "WD", WRITE_DAC },     { "WO", WRITE_OWNER },
};
#define SINGLE_RIGHTS (sizeof rights / sizeof *rights)

static const struct {
    char code[3];
    DWORD mask;
} composite_rights[] = {
    { "FA", FILE_ALL_ACCESS }, { "FR", FILE_GENERIC_READ }, { "FW", FILE_GENERIC_WRITE },
    { "FX", FILE_GENERIC_EXECUTE }, { "KA", KEY_ALL_ACCESS }, { "KR", KEY_READ },
    { "KW", KEY_WRITE }, { "KX", KEY_EXECUTE },
};

static const struct {
    char code[3];
    BYTE flag;
} ace_flags[] = {
    { "OI", OBJECT_INHERIT_ACE }, { "CI", CONTAINER_INHERIT_ACE }, { "NP", NO_PROPAGATE_INHERIT_ACE },
    { "IO", INHERIT_ONLY_ACE },   { "ID", INHERITED_ACE },         { "SA", SUCCESSFUL_ACCESS_ACE_FLAG },
    { "FA", FAILED_ACCESS_ACE_FLAG },
};

static const struct {
    char code[3];
    BYTE type;
} ace_types[] = {
    { "A", ACCESS_ALLOWED_ACE_TYPE }, { "D", ACCESS_DENIED_ACE_TYPE },
    { "AU", SYSTEM_AUDIT_ACE_TYPE }, { "AL", SYSTEM_ALARM_ACE_TYPE },
    { "OA", ACCESS_ALLOWED_ACE_TYPE }, { "OD", ACCESS_DENIED_ACE_TYPE },
    { "OU", SYSTEM_AUDIT_ACE_TYPE }, { "OL", SYSTEM_ALARM_ACE_TYPE },
};

/* ---- string to descriptor ------------------------------------------------ */

typedef struct {
    const WCHAR *s;
    size_t i, len;
    DWORD error;
} parser_t;

static BOOL fail(parser_t *p, DWORD error)
{
    if (!p->error)
        p->error = error;
    return FALSE;
}

static void skip_spaces(parser_t *p)
{
    while (p->i < p->len && p->s[p->i] == ' ')
        p->i++;
}

static BOOL at_code(const parser_t *p, const char *code)
{
    size_t n = strlen(code);
    if (p->len - p->i < n)
        return FALSE;
    for (size_t k = 0; k < n; k++)
        if (p->s[p->i + k] != (WCHAR)code[k])
            return FALSE;
    return TRUE;
}

/* A SID: "S-1-..." up to the first character no SID has, or an alias. */
static BOOL parse_sid(parser_t *p, size_t end, SID *out)
{
    size_t start = p->i, n;
    if (end - start >= 2 && (p->s[start] == 'S' || p->s[start] == 's') && p->s[start + 1] == '-') {
        /* Hex digits only after "0x": "O:S-1-5-18D:..." ends at the D. */
        BOOL hex = FALSE;
        n = 2;
        while (start + n < end) {
            WCHAR c = p->s[start + n];
            if (c == '-')
                hex = FALSE;
            else if ((c == 'x' || c == 'X') && p->s[start + n - 1] == '0')
                hex = TRUE;
            else if (!((c >= '0' && c <= '9') || (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))))
                break;
            n++;
        }
    } else {
        n = 2;
        if (end - start < 2)
            return fail(p, ERROR_INVALID_PARAMETER);
    }
    int r = wmiemu__sid_parse(p->s + start, n, out);
    if (r != 1)
        return fail(p, r < 0 ? ERROR_NONE_MAPPED : (n == 2 ? ERROR_NONE_MAPPED : ERROR_INVALID_PARAMETER));
    p->i += n;
    return TRUE;
}

/* The field of an ACE up to the next ';' or ')': its end index. */
static size_t field_end(const parser_t *p)
{
    size_t k = p->i;
    while (k < p->len && p->s[k] != ';' && p->s[k] != ')')
        k++;
    return k;
}

static BOOL parse_rights(parser_t *p, size_t end, DWORD *mask)
{
    *mask = 0;
    if (p->i == end)
        return TRUE;
    WCHAR c = p->s[p->i];
    if (c >= '0' && c <= '9') {
        uint64_t v;
        if (!wmiemu__parse_number(p->s, end, &p->i, 0xffffffffu, &v) || p->i != end)
            return fail(p, ERROR_INVALID_PARAMETER);
        *mask = (DWORD)v;
        return TRUE;
    }
    while (p->i < end) {
        BOOL found = FALSE;
        for (size_t k = 0; k < SINGLE_RIGHTS && !found; k++) {
            if (at_code(p, rights[k].code)) {
                *mask |= rights[k].mask;
                found = TRUE;
            }
        }
        for (size_t k = 0; k < sizeof composite_rights / sizeof *composite_rights && !found; k++) {
            if (at_code(p, composite_rights[k].code)) {
                *mask |= composite_rights[k].mask;
                found = TRUE;
            }
        }
        if (!found || end - p->i < 2)
            return fail(p, ERROR_INVALID_PARAMETER);
        p->i += 2;
    }
    return TRUE;
}

/* One "(type;flags;rights;guid;guid;sid)" appended to acl. */
static BOOL parse_ace(parser_t *p, ACL *acl)
{
    BYTE sid_buf[SECURITY_MAX_SID_SIZE];
    BYTE type = 0, flags = 0;
    DWORD mask;
    size_t end;
    BOOL found = FALSE;

    p->i++; /* '(' */
    end = field_end(p);
    for (size_t k = 0; k < sizeof ace_types / sizeof *ace_types && !found; k++) {
        if (strlen(ace_types[k].code) == end - p->i && at_code(p, ace_types[k].code)) {
            type = ace_types[k].type;
            found = TRUE;
        }
    }
    if (!found || end >= p->len || p->s[end] != ';')
        return fail(p, ERROR_INVALID_PARAMETER);
    p->i = end + 1;
    end = field_end(p);
    while (p->i < end) {
        found = FALSE;
        for (size_t k = 0; k < sizeof ace_flags / sizeof *ace_flags && !found; k++) {
            if (at_code(p, ace_flags[k].code)) {
                flags |= ace_flags[k].flag;
                found = TRUE;
            }
        }
        if (!found || end - p->i < 2)
            return fail(p, ERROR_INVALID_PARAMETER);
        p->i += 2;
    }
    if (end >= p->len || p->s[end] != ';')
        return fail(p, ERROR_INVALID_PARAMETER);
    p->i = end + 1;
    end = field_end(p);
    if (!parse_rights(p, end, &mask))
        return FALSE;
    /* The two object GUIDs: empty. */
    for (int guid = 0; guid < 2; guid++) {
        if (p->i >= p->len || p->s[p->i] != ';')
            return fail(p, ERROR_INVALID_PARAMETER);
        p->i++;
        if (field_end(p) != p->i)
            return fail(p, ERROR_INVALID_PARAMETER);
    }
    if (p->i >= p->len || p->s[p->i] != ';')
        return fail(p, ERROR_INVALID_PARAMETER);
    p->i++;
    end = field_end(p);
    if (!parse_sid(p, end, (SID *)sid_buf))
        return FALSE;
    if (p->i != end || end >= p->len || p->s[end] != ')')
        return fail(p, ERROR_INVALID_PARAMETER);
    p->i = end + 1;

    DWORD sid_len = GetLengthSid(sid_buf);
    DWORD size = (DWORD)(sizeof(ACCESS_ALLOWED_ACE) - sizeof(DWORD) + sid_len);
    BYTE ace_buf[sizeof(ACCESS_ALLOWED_ACE) + SECURITY_MAX_SID_SIZE];
    ACCESS_ALLOWED_ACE *ace = (ACCESS_ALLOWED_ACE *)ace_buf;
    ace->Header.AceType = type;
    ace->Header.AceFlags = flags;
    ace->Header.AceSize = (WORD)size;
    ace->Mask = mask;
    memcpy(&ace->SidStart, sid_buf, sid_len);
    if (!AddAce(acl, ACL_REVISION, MAXDWORD, ace, size))
        return fail(p, ERROR_INVALID_PARAMETER); /* more than an ACL holds */
    return TRUE;
}

/* "D:" or "S:" after the tag: flags, then ACEs. *null_acl for
 * NO_ACCESS_CONTROL. */
static BOOL parse_acl(parser_t *p, ACL *acl, WORD *control, BOOL dacl, BOOL *null_acl)
{
    *null_acl = FALSE;
    InitializeAcl(acl, 0xfffc, ACL_REVISION);
    for (;;) {
        skip_spaces(p);
        if (p->i >= p->len || p->s[p->i] == '(' || (p->i + 1 < p->len && p->s[p->i + 1] == ':'))
            break;
        if (at_code(p, "NO_ACCESS_CONTROL")) {
            *null_acl = TRUE;
            p->i += 17;
        } else if (at_code(p, "AI")) {
            *control |= dacl ? SE_DACL_AUTO_INHERITED : SE_SACL_AUTO_INHERITED;
            p->i += 2;
        } else if (at_code(p, "AR")) {
            *control |= dacl ? SE_DACL_AUTO_INHERIT_REQ : SE_SACL_AUTO_INHERIT_REQ;
            p->i += 2;
        } else if (at_code(p, "P")) {
            *control |= dacl ? SE_DACL_PROTECTED : SE_SACL_PROTECTED;
            p->i += 1;
        } else {
            return fail(p, ERROR_INVALID_PARAMETER);
        }
    }
    while (p->i < p->len && p->s[p->i] == '(') {
        if (*null_acl || !parse_ace(p, acl))
            return fail(p, ERROR_INVALID_PARAMETER);
        skip_spaces(p);
    }
    return TRUE;
}

static BOOL string_to_sd(const WCHAR *s, DWORD revision, PSECURITY_DESCRIPTOR *out, PULONG size)
{
    BYTE owner[SECURITY_MAX_SID_SIZE], group[SECURITY_MAX_SID_SIZE];
    SECURITY_DESCRIPTOR abs;
    ACL *dacl = NULL, *sacl = NULL;
    BOOL seen[4] = { FALSE }, ok = FALSE;
    parser_t p = { s, 0, 0, 0 };

    if (!s || !out) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (revision != SDDL_REVISION_1) {
        SetLastError(ERROR_UNKNOWN_REVISION);
        return FALSE;
    }
    while (s[p.len])
        p.len++;
    InitializeSecurityDescriptor(&abs, SECURITY_DESCRIPTOR_REVISION);
    dacl = malloc(0xfffc);
    sacl = malloc(0xfffc);
    if (!dacl || !sacl) {
        fail(&p, ERROR_NOT_ENOUGH_MEMORY);
        goto done;
    }
    for (;;) {
        skip_spaces(&p);
        if (p.i >= p.len)
            break;
        if (p.i + 1 >= p.len || s[p.i + 1] != ':') {
            fail(&p, ERROR_INVALID_PARAMETER);
            goto done;
        }
        WCHAR tag = s[p.i];
        int which = tag == 'O' ? 0 : tag == 'G' ? 1 : tag == 'D' ? 2 : tag == 'S' ? 3 : -1;
        if (which < 0 || seen[which]) {
            fail(&p, ERROR_INVALID_PARAMETER);
            goto done;
        }
        seen[which] = TRUE;
        p.i += 2;
        skip_spaces(&p);
        BOOL null_acl;
        switch (which) {
        case 0:
            if (!parse_sid(&p, p.len, (SID *)owner))
                goto done;
            abs.Owner = owner;
            break;
        case 1:
            if (!parse_sid(&p, p.len, (SID *)group))
                goto done;
            abs.Group = group;
            break;
        case 2:
            if (!parse_acl(&p, dacl, &abs.Control, TRUE, &null_acl))
                goto done;
            SetSecurityDescriptorDacl(&abs, TRUE, null_acl ? NULL : dacl, FALSE);
            break;
        default:
            if (!parse_acl(&p, sacl, &abs.Control, FALSE, &null_acl))
                goto done;
            SetSecurityDescriptorSacl(&abs, TRUE, null_acl ? NULL : sacl, FALSE);
            break;
        }
    }
    /* The ACLs are no bigger than their ACEs in the result. */
    ACL_SIZE_INFORMATION info;
    if (abs.Dacl && GetAclInformation(abs.Dacl, &info, sizeof info, AclSizeInformation))
        abs.Dacl->AclSize = (WORD)info.AclBytesInUse;
    if (abs.Sacl && GetAclInformation(abs.Sacl, &info, sizeof info, AclSizeInformation))
        abs.Sacl->AclSize = (WORD)info.AclBytesInUse;
    DWORD len = 0;
    MakeSelfRelativeSD(&abs, NULL, &len);
    PSECURITY_DESCRIPTOR rel = LocalAlloc(LMEM_FIXED, len);
    if (!rel) {
        fail(&p, ERROR_NOT_ENOUGH_MEMORY);
        goto done;
    }
    if (!MakeSelfRelativeSD(&abs, rel, &len)) {
        LocalFree(rel);
        fail(&p, GetLastError());
        goto done;
    }
    *out = rel;
    if (size)
        *size = len;
    ok = TRUE;
done:
    free(dacl);
    free(sacl);
    if (!ok)
        SetLastError(p.error ? p.error : ERROR_INVALID_PARAMETER);
    return ok;
}

BOOL WINAPI ConvertStringSecurityDescriptorToSecurityDescriptorW(LPCWSTR s, DWORD revision,
                                                                 PSECURITY_DESCRIPTOR *out, PULONG size)
{
    return string_to_sd(s, revision, out, size);
}

BOOL WINAPI ConvertStringSecurityDescriptorToSecurityDescriptorA(LPCSTR s, DWORD revision,
                                                                 PSECURITY_DESCRIPTOR *out, PULONG size)
{
    if (!s) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    WCHAR *w = wmiemu__ascii_to_wcs(s);
    if (!w) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    BOOL ok = string_to_sd(w, revision, out, size);
    free(w);
    return ok;
}

/* ---- descriptor to string ------------------------------------------------ */

typedef struct {
    char *buf;
    size_t len, cap;
    BOOL oom;
} out_t;

static void put(out_t *o, const char *s)
{
    size_t n = strlen(s);
    if (o->oom)
        return;
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 256;
        while (cap < o->len + n + 1)
            cap *= 2;
        char *b = realloc(o->buf, cap);
        if (!b) {
            o->oom = TRUE;
            return;
        }
        o->buf = b;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, s, n + 1);
    o->len += n;
}

static void put_sid(out_t *o, const SID *sid)
{
    char buf[200];
    const char *alias = wmiemu__sid_alias(sid);
    if (alias) {
        put(o, alias);
        return;
    }
    wmiemu__sid_format(sid, buf);
    put(o, buf);
}

static void put_rights(out_t *o, DWORD mask)
{
    char buf[16];
    DWORD covered = 0;
    for (size_t k = 0; k < sizeof composite_rights / sizeof *composite_rights; k++) {
        if (mask && mask == composite_rights[k].mask) {
            put(o, composite_rights[k].code);
            return;
        }
    }
    for (size_t k = 0; k < SINGLE_RIGHTS; k++)
        covered |= mask & rights[k].mask;
    if (covered != mask) {
        sprintf(buf, "0x%x", (unsigned)mask);
        put(o, buf);
        return;
    }
    for (size_t k = 0; k < SINGLE_RIGHTS; k++)
        if (mask & rights[k].mask)
            put(o, rights[k].code);
}

static BOOL put_acl(out_t *o, const ACL *acl, WORD control, BOOL dacl)
{
    if (control & (dacl ? SE_DACL_PROTECTED : SE_SACL_PROTECTED))
        put(o, "P");
    if (control & (dacl ? SE_DACL_AUTO_INHERIT_REQ : SE_SACL_AUTO_INHERIT_REQ))
        put(o, "AR");
    if (control & (dacl ? SE_DACL_AUTO_INHERITED : SE_SACL_AUTO_INHERITED))
        put(o, "AI");
    if (!acl) {
        put(o, "NO_ACCESS_CONTROL");
        return TRUE;
    }
    const BYTE *p = (const BYTE *)(acl + 1);
    for (WORD i = 0; i < acl->AceCount; i++) {
        const ACCESS_ALLOWED_ACE *ace = (const ACCESS_ALLOWED_ACE *)p;
        const char *type = NULL;
        for (size_t k = 0; k < 4; k++)
            if (ace_types[k].type == ace->Header.AceType)
                type = ace_types[k].code;
        if (!type || ace->Header.AceSize < sizeof(ACCESS_ALLOWED_ACE) - sizeof(DWORD) + 8 ||
            !wmiemu__sid_size(&ace->SidStart, ace->Header.AceSize - (sizeof(ACCESS_ALLOWED_ACE) - sizeof(DWORD))))
            return FALSE;
        put(o, "(");
        put(o, type);
        put(o, ";");
        for (size_t k = 0; k < sizeof ace_flags / sizeof *ace_flags; k++)
            if (ace->Header.AceFlags & ace_flags[k].flag)
                put(o, ace_flags[k].code);
        put(o, ";");
        put_rights(o, ace->Mask);
        put(o, ";;;");
        put_sid(o, (const SID *)&ace->SidStart);
        put(o, ")");
        p += ace->Header.AceSize;
    }
    return TRUE;
}

static BOOL sd_to_string(PSECURITY_DESCRIPTOR sd, DWORD revision, SECURITY_INFORMATION info, void **out,
                         PULONG len, size_t width)
{
    wmiemu__sd_parts_t parts;
    out_t o = { NULL, 0, 0, FALSE };

    if (!sd || !out) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (revision != SDDL_REVISION_1) {
        SetLastError(ERROR_UNKNOWN_REVISION);
        return FALSE;
    }
    if (!wmiemu__sd_parts(sd, 0, &parts))
        return FALSE;
    put(&o, "");
    if ((info & OWNER_SECURITY_INFORMATION) && parts.owner) {
        put(&o, "O:");
        put_sid(&o, parts.owner);
    }
    if ((info & GROUP_SECURITY_INFORMATION) && parts.group) {
        put(&o, "G:");
        put_sid(&o, parts.group);
    }
    BOOL ok = TRUE;
    if ((info & DACL_SECURITY_INFORMATION) && (parts.control & SE_DACL_PRESENT)) {
        put(&o, "D:");
        ok &= put_acl(&o, parts.dacl, parts.control, TRUE);
    }
    if ((info & SACL_SECURITY_INFORMATION) && (parts.control & SE_SACL_PRESENT)) {
        put(&o, "S:");
        ok &= put_acl(&o, parts.sacl, parts.control, FALSE);
    }
    if (!ok || o.oom) {
        free(o.buf);
        SetLastError(o.oom ? ERROR_NOT_ENOUGH_MEMORY : ERROR_INVALID_ACL);
        return FALSE;
    }
    void *s = wmiemu__local_string(o.buf, o.len, width);
    if (!s) {
        free(o.buf);
        return FALSE;
    }
    free(o.buf);
    *out = s;
    if (len)
        *len = (ULONG)(o.len + 1);
    return TRUE;
}

BOOL WINAPI ConvertSecurityDescriptorToStringSecurityDescriptorW(PSECURITY_DESCRIPTOR sd, DWORD revision,
                                                                 SECURITY_INFORMATION info, LPWSTR *out,
                                                                 PULONG len)
{
    return sd_to_string(sd, revision, info, (void **)out, len, sizeof(WCHAR));
}

BOOL WINAPI ConvertSecurityDescriptorToStringSecurityDescriptorA(PSECURITY_DESCRIPTOR sd, DWORD revision,
                                                                 SECURITY_INFORMATION info, LPSTR *out,
                                                                 PULONG len)
{
    return sd_to_string(sd, revision, info, (void **)out, len, 1);
}
