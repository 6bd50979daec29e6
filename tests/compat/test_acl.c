/* ACLs and security descriptors: the binary layouts providers walk by
 * hand, absolute and self-relative forms, and the documented errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <windows.h>
#include <sddl.h>

static PSID sid_of(const char *text)
{
    PSID sid = NULL;
    assert_true(ConvertStringSidToSidA(text, &sid));
    return sid;
}

static void acl_building(void **state)
{
    BYTE buf[256];
    ACL *acl = (ACL *)buf;
    PSID everyone = sid_of("WD"), admins = sid_of("BA");
    ACL_SIZE_INFORMATION size;
    ACL_REVISION_INFORMATION revision;
    ACCESS_ALLOWED_ACE *ace;
    (void)state;

    assert_true(InitializeAcl(acl, sizeof buf, ACL_REVISION));
    assert_true(IsValidAcl(acl));
    assert_int_equal(acl->AclRevision, ACL_REVISION);
    assert_int_equal(acl->AclSize, sizeof buf);
    assert_int_equal(acl->AceCount, 0);

    assert_true(AddAccessDeniedAce(acl, ACL_REVISION, FILE_WRITE_DATA, everyone));
    assert_true(AddAccessAllowedAce(acl, ACL_REVISION, GENERIC_ALL, admins));
    assert_true(AddAccessAllowedAceEx(acl, ACL_REVISION, OBJECT_INHERIT_ACE | INHERIT_ONLY_ACE, GENERIC_READ,
                                      everyone));
    assert_true(AddAccessDeniedAceEx(acl, ACL_REVISION, CONTAINER_INHERIT_ACE, DELETE, admins));
    assert_int_equal(acl->AceCount, 4);

    /* Windows' layout: an 8-byte header, then each ACE: type, flags,
     * size, mask, SID. */
    assert_true(GetAce(acl, 1, (void **)&ace));
    assert_ptr_equal((BYTE *)ace, buf + 8 + 8 + 12);
    assert_int_equal(ace->Header.AceType, ACCESS_ALLOWED_ACE_TYPE);
    assert_int_equal(ace->Header.AceFlags, 0);
    assert_int_equal(ace->Header.AceSize, 8 + 16);
    assert_int_equal(ace->Mask, GENERIC_ALL);
    assert_true(EqualSid(&ace->SidStart, admins));
    assert_true(GetAce(acl, 2, (void **)&ace));
    assert_int_equal(ace->Header.AceFlags, OBJECT_INHERIT_ACE | INHERIT_ONLY_ACE);

    assert_true(GetAclInformation(acl, &size, sizeof size, AclSizeInformation));
    assert_int_equal(size.AceCount, 4);
    assert_int_equal(size.AclBytesInUse, 8 + 20 + 24 + 20 + 24);
    assert_int_equal(size.AclBytesFree, sizeof buf - size.AclBytesInUse);
    assert_true(GetAclInformation(acl, &revision, sizeof revision, AclRevisionInformation));
    assert_int_equal(revision.AclRevision, ACL_REVISION);
    assert_false(GetAclInformation(acl, &size, 4, AclSizeInformation));
    assert_int_equal(GetLastError(), ERROR_INSUFFICIENT_BUFFER);

    assert_true(DeleteAce(acl, 0));
    assert_int_equal(acl->AceCount, 3);
    assert_true(GetAce(acl, 0, (void **)&ace));
    assert_int_equal(ace->Mask, GENERIC_ALL);

    /* Bad input. */
    assert_false(GetAce(acl, 3, (void **)&ace));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    BYTE bad_sid[8] = { 1, 16 };
    assert_false(AddAccessAllowedAce(acl, ACL_REVISION, 1, bad_sid));
    assert_int_equal(GetLastError(), ERROR_INVALID_SID);
    assert_false(AddAccessAllowedAceEx(acl, ACL_REVISION, 0x20, 1, everyone));
    assert_int_equal(GetLastError(), ERROR_INVALID_FLAGS);
    assert_false(InitializeAcl(acl, 4, ACL_REVISION));
    assert_int_equal(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    assert_false(InitializeAcl(acl, sizeof buf, 7));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);

    /* A full ACL refuses another entry. */
    BYTE tiny[8 + 20];
    assert_true(InitializeAcl((ACL *)tiny, sizeof tiny, ACL_REVISION));
    assert_true(AddAccessAllowedAce((ACL *)tiny, ACL_REVISION, 1, everyone));
    assert_false(AddAccessAllowedAce((ACL *)tiny, ACL_REVISION, 1, everyone));
    assert_int_equal(GetLastError(), ERROR_ALLOTTED_SPACE_EXCEEDED);
    ((ACL *)tiny)->AclRevision = 9;
    assert_false(IsValidAcl((ACL *)tiny));

    LocalFree(everyone);
    LocalFree(admins);
}

static void absolute_and_relative(void **state)
{
    SECURITY_DESCRIPTOR sd;
    BYTE acl_buf[64];
    ACL *acl = (ACL *)acl_buf;
    PSID owner = sid_of("SY"), group = sid_of("BA"), everyone = sid_of("WD");
    BOOL present, defaulted;
    PACL dacl;
    PSID got;
    SECURITY_DESCRIPTOR_CONTROL control;
    DWORD revision;
    (void)state;

    assert_false(InitializeSecurityDescriptor(&sd, 2));
    assert_int_equal(GetLastError(), ERROR_UNKNOWN_REVISION);
    assert_true(InitializeSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION));
    assert_true(IsValidSecurityDescriptor(&sd));
    assert_true(GetSecurityDescriptorDacl(&sd, &present, &dacl, &defaulted));
    assert_false(present);

    assert_true(InitializeAcl(acl, sizeof acl_buf, ACL_REVISION));
    assert_true(AddAccessAllowedAce(acl, ACL_REVISION, FILE_GENERIC_READ, everyone));
    assert_true(SetSecurityDescriptorDacl(&sd, TRUE, acl, FALSE));
    assert_true(SetSecurityDescriptorOwner(&sd, owner, FALSE));
    assert_true(SetSecurityDescriptorGroup(&sd, group, TRUE));
    assert_true(GetSecurityDescriptorControl(&sd, &control, &revision));
    assert_int_equal(control, SE_DACL_PRESENT | SE_GROUP_DEFAULTED);
    assert_int_equal(revision, SECURITY_DESCRIPTOR_REVISION);
    assert_int_equal(GetSecurityDescriptorLength(&sd), sizeof sd + 12 + 16 + sizeof acl_buf);

    /* Self-relative: size query, then the copy. */
    DWORD len = 0;
    assert_false(MakeSelfRelativeSD(&sd, NULL, &len));
    assert_int_equal(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    assert_int_equal(len, 20 + 12 + 16 + sizeof acl_buf);
    BYTE rel[256];
    assert_true(MakeSelfRelativeSD(&sd, rel, &len));
    SECURITY_DESCRIPTOR_RELATIVE *r = (SECURITY_DESCRIPTOR_RELATIVE *)rel;
    assert_int_equal(r->Revision, 1);
    assert_int_equal(r->Control, SE_SELF_RELATIVE | SE_DACL_PRESENT | SE_GROUP_DEFAULTED);
    assert_true(EqualSid(rel + r->Owner, owner));
    assert_true(EqualSid(rel + r->Group, group));
    assert_memory_equal(rel + r->Dacl, acl_buf, sizeof acl_buf);
    assert_int_equal(r->Sacl, 0);
    assert_true(IsValidSecurityDescriptor(rel));
    assert_int_equal(GetSecurityDescriptorLength(rel), len);

    /* The getters read both forms. */
    assert_true(GetSecurityDescriptorOwner(rel, &got, &defaulted));
    assert_ptr_equal(got, rel + r->Owner);
    assert_false(defaulted);
    assert_true(GetSecurityDescriptorGroup(rel, &got, &defaulted));
    assert_true(defaulted);
    assert_true(GetSecurityDescriptorDacl(rel, &present, &dacl, &defaulted));
    assert_true(present);
    assert_ptr_equal(dacl, rel + r->Dacl);

    /* A self-relative descriptor cannot be changed in place, nor made
     * self-relative again. */
    assert_false(SetSecurityDescriptorDacl(rel, TRUE, NULL, FALSE));
    assert_int_equal(GetLastError(), ERROR_INVALID_SECURITY_DESCR);
    assert_false(MakeSelfRelativeSD(rel, rel, &len));
    assert_int_equal(GetLastError(), ERROR_BAD_DESCRIPTOR_FORMAT);

    /* Back to absolute: every size is reported when one is short. */
    SECURITY_DESCRIPTOR abs;
    BYTE dacl_out[64], owner_out[16], group_out[16];
    DWORD abs_len = sizeof abs, dacl_len = 0, sacl_len = 0, owner_len = sizeof owner_out,
          group_len = sizeof group_out;
    assert_false(MakeAbsoluteSD(rel, &abs, &abs_len, (PACL)dacl_out, &dacl_len, NULL, &sacl_len, owner_out,
                                &owner_len, group_out, &group_len));
    assert_int_equal(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    assert_int_equal(dacl_len, sizeof acl_buf);
    assert_int_equal(owner_len, 12);
    assert_int_equal(group_len, 16);
    assert_int_equal(sacl_len, 0);
    assert_true(MakeAbsoluteSD(rel, &abs, &abs_len, (PACL)dacl_out, &dacl_len, NULL, &sacl_len, owner_out,
                               &owner_len, group_out, &group_len));
    assert_int_equal(abs.Control, SE_DACL_PRESENT | SE_GROUP_DEFAULTED);
    assert_ptr_equal(abs.Owner, owner_out);
    assert_true(EqualSid(abs.Owner, owner));
    assert_ptr_equal(abs.Dacl, dacl_out);
    assert_false(MakeAbsoluteSD(&abs, &abs, &abs_len, NULL, &dacl_len, NULL, &sacl_len, NULL, &owner_len, NULL,
                                &group_len));
    assert_int_equal(GetLastError(), ERROR_BAD_DESCRIPTOR_FORMAT);

    /* A present NULL DACL; then no DACL. */
    assert_true(SetSecurityDescriptorDacl(&sd, TRUE, NULL, FALSE));
    assert_true(GetSecurityDescriptorDacl(&sd, &present, &dacl, &defaulted));
    assert_true(present);
    assert_null(dacl);
    assert_true(SetSecurityDescriptorDacl(&sd, FALSE, NULL, FALSE));
    assert_true(GetSecurityDescriptorControl(&sd, &control, &revision));
    assert_int_equal(control & SE_DACL_PRESENT, 0);

    /* Bad input. */
    BYTE junk[20] = { 2 };
    assert_false(IsValidSecurityDescriptor(junk));
    assert_int_equal(GetLastError(), ERROR_INVALID_SECURITY_DESCR);
    assert_false(GetSecurityDescriptorDacl(&sd, NULL, &dacl, &defaulted));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(SetSecurityDescriptorOwner(junk, owner, FALSE));
    assert_int_equal(GetLastError(), ERROR_UNKNOWN_REVISION);

    LocalFree(owner);
    LocalFree(group);
    LocalFree(everyone);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(acl_building),
        cmocka_unit_test(absolute_and_relative),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
