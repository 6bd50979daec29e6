/* ACLs and security descriptors, absolute and self-relative, with the
 * layouts and errors of advapi32 (learn.microsoft.com, for example
 * https://learn.microsoft.com/windows/win32/api/securitybaseapi/nf-securitybaseapi-addaccessallowedace).
 * A self-relative descriptor made here holds its parts in the order SACL,
 * DACL, owner, group after the 20-byte header. */
#include <string.h>

#include <windows.h>

#include "compat/security.h"

#define VALID_ACE_FLAGS (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE | NO_PROPAGATE_INHERIT_ACE | \
                         INHERIT_ONLY_ACE | INHERITED_ACE | SUCCESSFUL_ACCESS_ACE_FLAG | FAILED_ACCESS_ACE_FLAG)

/* ---- ACLs ---------------------------------------------------------------- */

BOOL wmiemu__acl_valid(const ACL *acl, size_t avail)
{
    if (!acl || avail < sizeof(ACL) || acl->AclRevision < MIN_ACL_REVISION ||
        acl->AclRevision > MAX_ACL_REVISION || acl->AclSize < sizeof(ACL) || acl->AclSize > avail)
        return FALSE;
    const BYTE *p = (const BYTE *)(acl + 1), *end = (const BYTE *)acl + acl->AclSize;
    for (WORD i = 0; i < acl->AceCount; i++) {
        const ACE_HEADER *h = (const ACE_HEADER *)p;
        if ((size_t)(end - p) < sizeof *h || h->AceSize < sizeof *h || h->AceSize > (size_t)(end - p))
            return FALSE;
        p += h->AceSize;
    }
    return TRUE;
}

/* Where the ACEs end: the first free byte. */
static BYTE *acl_end(ACL *acl)
{
    BYTE *p = (BYTE *)(acl + 1);
    for (WORD i = 0; i < acl->AceCount; i++)
        p += ((ACE_HEADER *)p)->AceSize;
    return p;
}

BOOL WINAPI InitializeAcl(PACL acl, DWORD len, DWORD revision)
{
    if (len < sizeof(ACL)) {
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return FALSE;
    }
    if (!acl || len > 0xffff || revision < MIN_ACL_REVISION || revision > MAX_ACL_REVISION) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    memset(acl, 0, sizeof *acl);
    acl->AclRevision = (BYTE)revision;
    acl->AclSize = (WORD)(len & ~3u);
    return TRUE;
}

BOOL WINAPI IsValidAcl(PACL acl)
{
    return acl && wmiemu__acl_valid(acl, acl->AclSize);
}

BOOL WINAPI GetAce(PACL acl, DWORD index, LPVOID *ace)
{
    if (!IsValidAcl(acl) || !ace || index >= acl->AceCount) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    BYTE *p = (BYTE *)(acl + 1);
    for (DWORD i = 0; i < index; i++)
        p += ((ACE_HEADER *)p)->AceSize;
    *ace = p;
    return TRUE;
}

BOOL WINAPI GetAclInformation(PACL acl, LPVOID info, DWORD len, ACL_INFORMATION_CLASS cls)
{
    if (!IsValidAcl(acl)) {
        SetLastError(ERROR_INVALID_ACL);
        return FALSE;
    }
    if (cls == AclRevisionInformation) {
        if (len < sizeof(ACL_REVISION_INFORMATION)) {
            SetLastError(ERROR_INSUFFICIENT_BUFFER);
            return FALSE;
        }
        ((ACL_REVISION_INFORMATION *)info)->AclRevision = acl->AclRevision;
        return TRUE;
    }
    if (cls == AclSizeInformation) {
        if (len < sizeof(ACL_SIZE_INFORMATION)) {
            SetLastError(ERROR_INSUFFICIENT_BUFFER);
            return FALSE;
        }
        ACL_SIZE_INFORMATION *s = info;
        DWORD used = (DWORD)(acl_end(acl) - (BYTE *)acl);
        s->AceCount = acl->AceCount;
        s->AclBytesInUse = used;
        s->AclBytesFree = acl->AclSize - used;
        return TRUE;
    }
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
}

/* Inserts the ACEs in list[0..len) before ACE number index (past the end:
 * appended), raising the ACL's revision to revision. */
static BOOL insert_aces(ACL *acl, DWORD revision, DWORD index, const BYTE *list, DWORD len, WORD count)
{
    if (!IsValidAcl(acl)) {
        SetLastError(ERROR_INVALID_ACL);
        return FALSE;
    }
    if (revision < MIN_ACL_REVISION || revision > MAX_ACL_REVISION) {
        SetLastError(ERROR_REVISION_MISMATCH);
        return FALSE;
    }
    BYTE *end = acl_end(acl), *at = (BYTE *)(acl + 1);
    if ((size_t)(end - (BYTE *)acl) + len > acl->AclSize) {
        SetLastError(ERROR_ALLOTTED_SPACE_EXCEEDED);
        return FALSE;
    }
    for (DWORD i = 0; i < index && i < acl->AceCount; i++)
        at += ((ACE_HEADER *)at)->AceSize;
    memmove(at + len, at, (size_t)(end - at));
    memcpy(at, list, len);
    acl->AceCount += count;
    if (acl->AclRevision < revision)
        acl->AclRevision = (BYTE)revision;
    return TRUE;
}

BOOL WINAPI AddAce(PACL acl, DWORD revision, DWORD index, LPVOID list, DWORD len)
{
    WORD count = 0;
    const BYTE *p = list;
    if (!list) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    /* The list must be whole ACEs. */
    for (DWORD off = 0; off < len; count++) {
        const ACE_HEADER *h = (const ACE_HEADER *)(p + off);
        if (len - off < sizeof *h || h->AceSize < sizeof *h || h->AceSize > len - off) {
            SetLastError(ERROR_INVALID_PARAMETER);
            return FALSE;
        }
        off += h->AceSize;
    }
    return insert_aces(acl, revision, index, list, len, count);
}

/* An allow or deny ACE for sid, appended. */
static BOOL add_ace(ACL *acl, DWORD revision, BYTE type, DWORD flags, DWORD mask, PSID sid)
{
    BYTE buf[sizeof(ACCESS_ALLOWED_ACE) - sizeof(DWORD) + SECURITY_MAX_SID_SIZE];
    ACCESS_ALLOWED_ACE *ace = (ACCESS_ALLOWED_ACE *)buf;
    if (!IsValidSid(sid)) {
        SetLastError(ERROR_INVALID_SID);
        return FALSE;
    }
    if (flags & ~VALID_ACE_FLAGS) {
        SetLastError(ERROR_INVALID_FLAGS);
        return FALSE;
    }
    DWORD sid_len = GetLengthSid(sid);
    DWORD size = (DWORD)(sizeof(ACCESS_ALLOWED_ACE) - sizeof(DWORD) + sid_len);
    ace->Header.AceType = type;
    ace->Header.AceFlags = (BYTE)flags;
    ace->Header.AceSize = (WORD)size;
    ace->Mask = mask;
    memcpy(&ace->SidStart, sid, sid_len);
    return insert_aces(acl, revision, MAXDWORD, buf, size, 1);
}

BOOL WINAPI AddAccessAllowedAce(PACL acl, DWORD revision, DWORD mask, PSID sid)
{
    return add_ace(acl, revision, ACCESS_ALLOWED_ACE_TYPE, 0, mask, sid);
}

BOOL WINAPI AddAccessAllowedAceEx(PACL acl, DWORD revision, DWORD flags, DWORD mask, PSID sid)
{
    return add_ace(acl, revision, ACCESS_ALLOWED_ACE_TYPE, flags, mask, sid);
}

BOOL WINAPI AddAccessDeniedAce(PACL acl, DWORD revision, DWORD mask, PSID sid)
{
    return add_ace(acl, revision, ACCESS_DENIED_ACE_TYPE, 0, mask, sid);
}

BOOL WINAPI AddAccessDeniedAceEx(PACL acl, DWORD revision, DWORD flags, DWORD mask, PSID sid)
{
    return add_ace(acl, revision, ACCESS_DENIED_ACE_TYPE, flags, mask, sid);
}

BOOL WINAPI DeleteAce(PACL acl, DWORD index)
{
    LPVOID ace;
    if (!GetAce(acl, index, &ace))
        return FALSE;
    BYTE *p = ace, *end = acl_end(acl);
    WORD size = ((ACE_HEADER *)p)->AceSize;
    memmove(p, p + size, (size_t)(end - p - size));
    memset(end - size, 0, size);
    acl->AceCount--;
    return TRUE;
}

/* ---- security descriptors ----------------------------------------------- */

/* The part at a self-relative offset: NULL for offset 0; bad when it
 * lies outside len (when len is known). */
static void *rel_part(const BYTE *base, DWORD offset, size_t len, BOOL *bad)
{
    if (!offset)
        return NULL;
    if (offset < sizeof(SECURITY_DESCRIPTOR_RELATIVE) || (len && offset >= len)) {
        *bad = TRUE;
        return NULL;
    }
    return (void *)(base + offset);
}

BOOL wmiemu__sd_parts(const void *sd, size_t len, wmiemu__sd_parts_t *out)
{
    const SECURITY_DESCRIPTOR *abs = sd;
    BOOL bad = FALSE;
    memset(out, 0, sizeof *out);
    if (!sd || abs->Revision != SECURITY_DESCRIPTOR_REVISION ||
        (len && len < sizeof(SECURITY_DESCRIPTOR_RELATIVE))) {
        SetLastError(ERROR_INVALID_SECURITY_DESCR);
        return FALSE;
    }
    out->control = abs->Control;
    if (abs->Control & SE_SELF_RELATIVE) {
        const SECURITY_DESCRIPTOR_RELATIVE *rel = sd;
        const BYTE *base = sd;
        out->owner = rel_part(base, rel->Owner, len, &bad);
        out->group = rel_part(base, rel->Group, len, &bad);
        if (rel->Control & SE_SACL_PRESENT)
            out->sacl = rel_part(base, rel->Sacl, len, &bad);
        if (rel->Control & SE_DACL_PRESENT)
            out->dacl = rel_part(base, rel->Dacl, len, &bad);
        /* With a known length every part must also fit. */
        if (!bad && len) {
            const BYTE *end = base + len;
            if ((out->owner && !wmiemu__sid_size(out->owner, (size_t)(end - (BYTE *)out->owner))) ||
                (out->group && !wmiemu__sid_size(out->group, (size_t)(end - (BYTE *)out->group))) ||
                (out->sacl && !wmiemu__acl_valid(out->sacl, (size_t)(end - (BYTE *)out->sacl))) ||
                (out->dacl && !wmiemu__acl_valid(out->dacl, (size_t)(end - (BYTE *)out->dacl))))
                bad = TRUE;
        }
    } else {
        out->owner = abs->Owner;
        out->group = abs->Group;
        out->sacl = (abs->Control & SE_SACL_PRESENT) ? abs->Sacl : NULL;
        out->dacl = (abs->Control & SE_DACL_PRESENT) ? abs->Dacl : NULL;
    }
    if (bad) {
        SetLastError(ERROR_INVALID_SECURITY_DESCR);
        return FALSE;
    }
    return TRUE;
}

BOOL WINAPI InitializeSecurityDescriptor(PSECURITY_DESCRIPTOR sd, DWORD revision)
{
    if (revision != SECURITY_DESCRIPTOR_REVISION) {
        SetLastError(ERROR_UNKNOWN_REVISION);
        return FALSE;
    }
    if (!sd) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    memset(sd, 0, sizeof(SECURITY_DESCRIPTOR));
    ((SECURITY_DESCRIPTOR *)sd)->Revision = SECURITY_DESCRIPTOR_REVISION;
    return TRUE;
}

BOOL WINAPI IsValidSecurityDescriptor(PSECURITY_DESCRIPTOR sd)
{
    wmiemu__sd_parts_t parts;
    if (!wmiemu__sd_parts(sd, 0, &parts))
        return FALSE;
    if ((parts.owner && !IsValidSid(parts.owner)) || (parts.group && !IsValidSid(parts.group)) ||
        (parts.dacl && !IsValidAcl(parts.dacl)) || (parts.sacl && !IsValidAcl(parts.sacl))) {
        SetLastError(ERROR_INVALID_SECURITY_DESCR);
        return FALSE;
    }
    return TRUE;
}

static DWORD parts_size(const wmiemu__sd_parts_t *p)
{
    return (p->owner ? GetLengthSid(p->owner) : 0) + (p->group ? GetLengthSid(p->group) : 0) +
           (p->dacl ? p->dacl->AclSize : 0) + (p->sacl ? p->sacl->AclSize : 0);
}

DWORD WINAPI GetSecurityDescriptorLength(PSECURITY_DESCRIPTOR sd)
{
    wmiemu__sd_parts_t parts;
    if (!wmiemu__sd_parts(sd, 0, &parts))
        return 0;
    DWORD header = (parts.control & SE_SELF_RELATIVE) ? sizeof(SECURITY_DESCRIPTOR_RELATIVE)
                                                       : sizeof(SECURITY_DESCRIPTOR);
    return header + parts_size(&parts);
}

BOOL WINAPI GetSecurityDescriptorControl(PSECURITY_DESCRIPTOR sd, PSECURITY_DESCRIPTOR_CONTROL control,
                                         LPDWORD revision)
{
    if (!sd || !control || !revision) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    *revision = ((SECURITY_DESCRIPTOR *)sd)->Revision;
    if (*revision != SECURITY_DESCRIPTOR_REVISION) {
        SetLastError(ERROR_UNKNOWN_REVISION);
        return FALSE;
    }
    *control = ((SECURITY_DESCRIPTOR *)sd)->Control;
    return TRUE;
}

/* Only the automatic-inheritance and protection bits may be set by hand. */
BOOL WINAPI SetSecurityDescriptorControl(PSECURITY_DESCRIPTOR sd, SECURITY_DESCRIPTOR_CONTROL mask,
                                         SECURITY_DESCRIPTOR_CONTROL bits)
{
    const SECURITY_DESCRIPTOR_CONTROL settable = SE_DACL_AUTO_INHERIT_REQ | SE_SACL_AUTO_INHERIT_REQ |
        SE_DACL_AUTO_INHERITED | SE_SACL_AUTO_INHERITED | SE_DACL_PROTECTED | SE_SACL_PROTECTED;
    if (!sd || ((mask | bits) & ~settable)) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    SECURITY_DESCRIPTOR *s = sd;
    s->Control = (WORD)((s->Control & ~mask) | (bits & mask));
    return TRUE;
}

/* An absolute descriptor to change, or NULL with the documented error. */
static SECURITY_DESCRIPTOR *absolute_of(PSECURITY_DESCRIPTOR sd)
{
    SECURITY_DESCRIPTOR *s = sd;
    if (!s) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    if (s->Revision != SECURITY_DESCRIPTOR_REVISION) {
        SetLastError(ERROR_UNKNOWN_REVISION);
        return NULL;
    }
    if (s->Control & SE_SELF_RELATIVE) {
        SetLastError(ERROR_INVALID_SECURITY_DESCR);
        return NULL;
    }
    return s;
}

static void set_flag(SECURITY_DESCRIPTOR *s, WORD flag, BOOL on)
{
    s->Control = (WORD)(on ? s->Control | flag : s->Control & ~flag);
}

/* SetSecurityDescriptorDacl and Sacl. */
static BOOL set_acl(PSECURITY_DESCRIPTOR sd, BOOL present, PACL acl, BOOL defaulted, BOOL dacl)
{
    SECURITY_DESCRIPTOR *s = absolute_of(sd);
    if (!s)
        return FALSE;
    set_flag(s, dacl ? SE_DACL_PRESENT : SE_SACL_PRESENT, present);
    set_flag(s, dacl ? SE_DACL_DEFAULTED : SE_SACL_DEFAULTED, present && defaulted);
    *(dacl ? &s->Dacl : &s->Sacl) = present ? acl : NULL;
    return TRUE;
}

BOOL WINAPI SetSecurityDescriptorDacl(PSECURITY_DESCRIPTOR sd, BOOL present, PACL dacl, BOOL defaulted)
{
    return set_acl(sd, present, dacl, defaulted, TRUE);
}

BOOL WINAPI SetSecurityDescriptorSacl(PSECURITY_DESCRIPTOR sd, BOOL present, PACL sacl, BOOL defaulted)
{
    return set_acl(sd, present, sacl, defaulted, FALSE);
}

/* SetSecurityDescriptorOwner and Group. */
static BOOL set_sid(PSECURITY_DESCRIPTOR sd, PSID sid, BOOL defaulted, BOOL owner)
{
    SECURITY_DESCRIPTOR *s = absolute_of(sd);
    if (!s)
        return FALSE;
    *(owner ? &s->Owner : &s->Group) = sid;
    set_flag(s, owner ? SE_OWNER_DEFAULTED : SE_GROUP_DEFAULTED, defaulted);
    return TRUE;
}

BOOL WINAPI SetSecurityDescriptorOwner(PSECURITY_DESCRIPTOR sd, PSID owner, BOOL defaulted)
{
    return set_sid(sd, owner, defaulted, TRUE);
}

BOOL WINAPI SetSecurityDescriptorGroup(PSECURITY_DESCRIPTOR sd, PSID group, BOOL defaulted)
{
    return set_sid(sd, group, defaulted, FALSE);
}

/* GetSecurityDescriptorDacl and Sacl: present, and then the ACL and
 * whether it was defaulted. */
static BOOL get_acl(PSECURITY_DESCRIPTOR sd, LPBOOL present, PACL *acl, LPBOOL defaulted, BOOL dacl)
{
    wmiemu__sd_parts_t parts;
    if (!present || !acl || !defaulted) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!wmiemu__sd_parts(sd, 0, &parts))
        return FALSE;
    *present = (parts.control & (dacl ? SE_DACL_PRESENT : SE_SACL_PRESENT)) != 0;
    if (*present) {
        *acl = dacl ? parts.dacl : parts.sacl;
        *defaulted = (parts.control & (dacl ? SE_DACL_DEFAULTED : SE_SACL_DEFAULTED)) != 0;
    }
    return TRUE;
}

BOOL WINAPI GetSecurityDescriptorDacl(PSECURITY_DESCRIPTOR sd, LPBOOL present, PACL *dacl, LPBOOL defaulted)
{
    return get_acl(sd, present, dacl, defaulted, TRUE);
}

BOOL WINAPI GetSecurityDescriptorSacl(PSECURITY_DESCRIPTOR sd, LPBOOL present, PACL *sacl, LPBOOL defaulted)
{
    return get_acl(sd, present, sacl, defaulted, FALSE);
}

/* GetSecurityDescriptorOwner and Group. */
static BOOL get_sid(PSECURITY_DESCRIPTOR sd, PSID *sid, LPBOOL defaulted, BOOL owner)
{
    wmiemu__sd_parts_t parts;
    if (!sid || !defaulted) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!wmiemu__sd_parts(sd, 0, &parts))
        return FALSE;
    *sid = owner ? parts.owner : parts.group;
    *defaulted = (parts.control & (owner ? SE_OWNER_DEFAULTED : SE_GROUP_DEFAULTED)) != 0;
    return TRUE;
}

BOOL WINAPI GetSecurityDescriptorOwner(PSECURITY_DESCRIPTOR sd, PSID *owner, LPBOOL defaulted)
{
    return get_sid(sd, owner, defaulted, TRUE);
}

BOOL WINAPI GetSecurityDescriptorGroup(PSECURITY_DESCRIPTOR sd, PSID *group, LPBOOL defaulted)
{
    return get_sid(sd, group, defaulted, FALSE);
}

/* Appends a part to a self-relative descriptor being built. */
static DWORD put_part(BYTE *base, DWORD *at, const void *part, DWORD size)
{
    if (!part)
        return 0;
    DWORD offset = *at;
    memcpy(base + offset, part, size);
    *at += size;
    return offset;
}

BOOL WINAPI MakeSelfRelativeSD(PSECURITY_DESCRIPTOR abs, PSECURITY_DESCRIPTOR rel, LPDWORD len)
{
    wmiemu__sd_parts_t parts;
    if (!len) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!wmiemu__sd_parts(abs, 0, &parts))
        return FALSE;
    if (parts.control & SE_SELF_RELATIVE) {
        SetLastError(ERROR_BAD_DESCRIPTOR_FORMAT);
        return FALSE;
    }
    DWORD need = sizeof(SECURITY_DESCRIPTOR_RELATIVE) + parts_size(&parts);
    if (!rel || *len < need) {
        *len = need;
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return FALSE;
    }
    BYTE *base = rel;
    SECURITY_DESCRIPTOR_RELATIVE *r = rel;
    DWORD at = sizeof *r;
    memset(r, 0, sizeof *r);
    r->Revision = SECURITY_DESCRIPTOR_REVISION;
    r->Control = parts.control | SE_SELF_RELATIVE;
    r->Sacl = put_part(base, &at, parts.sacl, parts.sacl ? parts.sacl->AclSize : 0);
    r->Dacl = put_part(base, &at, parts.dacl, parts.dacl ? parts.dacl->AclSize : 0);
    r->Owner = put_part(base, &at, parts.owner, parts.owner ? GetLengthSid(parts.owner) : 0);
    r->Group = put_part(base, &at, parts.group, parts.group ? GetLengthSid(parts.group) : 0);
    *len = need;
    return TRUE;
}

/* One output of MakeAbsoluteSD: does it fit (and say what it needs). */
static BOOL fits(LPDWORD have, DWORD need, const void *buf)
{
    BOOL ok = have && *have >= need && (buf || !need);
    if (have)
        *have = need;
    return ok;
}

BOOL WINAPI MakeAbsoluteSD(PSECURITY_DESCRIPTOR rel, PSECURITY_DESCRIPTOR abs, LPDWORD abs_len, PACL dacl,
                           LPDWORD dacl_len, PACL sacl, LPDWORD sacl_len, PSID owner, LPDWORD owner_len,
                           PSID group, LPDWORD group_len)
{
    wmiemu__sd_parts_t parts;
    if (!abs_len || !dacl_len || !sacl_len || !owner_len || !group_len) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!wmiemu__sd_parts(rel, 0, &parts))
        return FALSE;
    if (!(parts.control & SE_SELF_RELATIVE)) {
        SetLastError(ERROR_BAD_DESCRIPTOR_FORMAT);
        return FALSE;
    }
    DWORD n_dacl = parts.dacl ? parts.dacl->AclSize : 0, n_sacl = parts.sacl ? parts.sacl->AclSize : 0;
    DWORD n_owner = parts.owner ? GetLengthSid(parts.owner) : 0;
    DWORD n_group = parts.group ? GetLengthSid(parts.group) : 0;
    /* Every size is reported, as Windows does, so one retry suffices. */
    BOOL ok = fits(abs_len, sizeof(SECURITY_DESCRIPTOR), abs);
    ok &= fits(dacl_len, n_dacl, dacl);
    ok &= fits(sacl_len, n_sacl, sacl);
    ok &= fits(owner_len, n_owner, owner);
    ok &= fits(group_len, n_group, group);
    if (!ok) {
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return FALSE;
    }
    SECURITY_DESCRIPTOR *a = abs;
    memset(a, 0, sizeof *a);
    a->Revision = SECURITY_DESCRIPTOR_REVISION;
    a->Control = parts.control & ~SE_SELF_RELATIVE;
    if (parts.dacl)
        a->Dacl = memcpy(dacl, parts.dacl, n_dacl);
    if (parts.sacl)
        a->Sacl = memcpy(sacl, parts.sacl, n_sacl);
    if (parts.owner)
        a->Owner = memcpy(owner, parts.owner, n_owner);
    if (parts.group)
        a->Group = memcpy(group, parts.group, n_group);
    return TRUE;
}
