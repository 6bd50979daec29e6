/* SDDL: strings to self-relative descriptors and back, round trips, the
 * binary result, and the documented errors for strings that are not SDDL. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <windows.h>
#include <sddl.h>

static PSECURITY_DESCRIPTOR parse(const char *text, ULONG *size)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorA(text, SDDL_REVISION_1, &sd, size))
        fail_msg("%s: error %lu", text, (unsigned long)GetLastError());
    return sd;
}

static void assert_round_trip(const char *text, const char *want)
{
    ULONG size = 0, len = 0;
    PSECURITY_DESCRIPTOR sd = parse(text, &size);
    LPSTR back = NULL;
    assert_true(IsValidSecurityDescriptor(sd));
    assert_int_equal(GetSecurityDescriptorLength(sd), size);
    assert_true(ConvertSecurityDescriptorToStringSecurityDescriptorA(
        sd, SDDL_REVISION_1,
        OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION |
            SACL_SECURITY_INFORMATION,
        &back, &len));
    assert_string_equal(back, want);
    assert_int_equal(len, strlen(want) + 1);
    LocalFree(back);
    LocalFree(sd);
}

static void round_trips(void **state)
{
    static const struct {
        const char *in, *out;
    } table[] = {
        { "O:BAG:SYD:(A;;GA;;;BA)", "O:BAG:SYD:(A;;GA;;;BA)" },
        { "D:(D;OICI;0x1f01ff;;;S-1-5-21-1-2-3-1001)(A;;GR;;;WD)",
          "D:(D;OICI;FA;;;S-1-5-21-1-2-3-1001)(A;;GR;;;WD)" },
        { "O:SYD:PAI(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;SY)(A;;0x12345;;;AU)",
          "O:SYD:PAI(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;SY)(A;;0x12345;;;AU)" },
        { "D:AR(A;ID;KR;;;BU)(A;CIIO;GX;;;CO)", "D:AR(A;ID;KR;;;BU)(A;CIIO;GX;;;CO)" },
        { "D:NO_ACCESS_CONTROL", "D:NO_ACCESS_CONTROL" },
        { "D:", "D:" },
        { "O:S-1-5-21-9-8-7-500G:S-1-5-18D:(A;;0x1;;;S-1-0x0000000000AB-1)",
          "O:S-1-5-21-9-8-7-500G:SYD:(A;;CC;;;S-1-171-1)" },
        { "O:S-1-5-21-1111111111-2222222222-3333333333-1001", "O:S-1-5-21-1111111111-2222222222-3333333333-1001" },
        { "D:(A;;FRFW;;;LS)S:(AU;SAFA;FA;;;WD)", "D:(A;;0x12019f;;;LS)S:(AU;SAFA;FA;;;WD)" },
        { "D:(OA;;GA;;;NS)", "D:(A;;GA;;;NS)" },
        { "  O:BA  D:(A;;KA;;;SY) ", "O:BAD:(A;;KA;;;SY)" },
    };
    (void)state;
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        assert_round_trip(table[i].in, table[i].out);
}

/* The bytes Windows' layout gives "O:BAD:(A;;GA;;;WD)": header, DACL,
 * owner. */
static void binary_layout(void **state)
{
    ULONG size;
    (void)state;
    BYTE *sd = parse("O:BAD:(A;;GA;;;WD)", &size);
    SECURITY_DESCRIPTOR_RELATIVE *r = (SECURITY_DESCRIPTOR_RELATIVE *)sd;
    assert_int_equal(size, 20 + 8 + 20 + 16);
    assert_int_equal(r->Control, SE_SELF_RELATIVE | SE_DACL_PRESENT);
    assert_int_equal(r->Group, 0);
    assert_int_equal(r->Sacl, 0);
    assert_int_equal(r->Dacl, 20);
    assert_int_equal(r->Owner, 48);
    const BYTE acl[] = { ACL_REVISION, 0, 28, 0, 1, 0, 0, 0,
                         ACCESS_ALLOWED_ACE_TYPE, 0, 20, 0, 0, 0, 0, 0x10,
                         1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 };
    assert_memory_equal(sd + 20, acl, sizeof acl);
    const BYTE owner[] = { 1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 2, 0, 0 };
    assert_memory_equal(sd + 48, owner, sizeof owner);

    BOOL present, defaulted;
    PACL dacl;
    assert_true(GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted));
    assert_true(present);
    assert_int_equal(dacl->AceCount, 1);
    LocalFree(sd);
}

static void wide_and_selected_parts(void **state)
{
    PSECURITY_DESCRIPTOR sd;
    LPWSTR text;
    ULONG len;
    (void)state;
    assert_true(ConvertStringSecurityDescriptorToSecurityDescriptorW(L"O:SYG:BAD:P(A;;GA;;;BA)", SDDL_REVISION_1,
                                                                     &sd, NULL));
    assert_true(ConvertSecurityDescriptorToStringSecurityDescriptorW(sd, SDDL_REVISION_1,
                                                                     DACL_SECURITY_INFORMATION, &text, &len));
    assert_memory_equal(text, L"D:P(A;;GA;;;BA)", sizeof(L"D:P(A;;GA;;;BA)"));
    assert_int_equal(len, 16);
    LocalFree(text);
    assert_true(ConvertSecurityDescriptorToStringSecurityDescriptorW(sd, SDDL_REVISION_1,
                                                                     GROUP_SECURITY_INFORMATION, &text, NULL));
    assert_memory_equal(text, L"G:BA", sizeof(L"G:BA"));
    LocalFree(text);
    LocalFree(sd);

    /* An absolute descriptor converts too. */
    SECURITY_DESCRIPTOR abs;
    PSID owner;
    LPSTR narrow;
    assert_true(ConvertStringSidToSidA("S-1-5-21-9-8-7-500", &owner));
    assert_true(InitializeSecurityDescriptor(&abs, SECURITY_DESCRIPTOR_REVISION));
    assert_true(SetSecurityDescriptorOwner(&abs, owner, FALSE));
    assert_true(ConvertSecurityDescriptorToStringSecurityDescriptorA(&abs, SDDL_REVISION_1,
                                                                     OWNER_SECURITY_INFORMATION, &narrow, NULL));
    assert_string_equal(narrow, "O:S-1-5-21-9-8-7-500");
    LocalFree(narrow);
    LocalFree(owner);
}

static void bad_strings(void **state)
{
    static const char *const invalid[] = {
        "X:BA", "O", "O:", "OBA", "O:BAO:BA", "D:(A;;GA;;;BA", "D:(Q;;GA;;;BA)", "D:(A;XX;GA;;;BA)",
        "D:(A;;ZZ;;;BA)", "D:(A;;0xZ;;;BA)", "D:(A;;GA;;;BA;)", "D:(A;;GA;1;;BA)", "D:Q(A;;GA;;;BA)",
        "D:(A;;GA;;;S-1-5-)", "D:NO_ACCESS_CONTROL(A;;GA;;;BA)", "D:(A;;0x100000000;;;BA)",
    };
    PSECURITY_DESCRIPTOR sd = NULL;
    (void)state;
    for (size_t i = 0; i < sizeof invalid / sizeof *invalid; i++) {
        SetLastError(0);
        if (ConvertStringSecurityDescriptorToSecurityDescriptorA(invalid[i], SDDL_REVISION_1, &sd, NULL))
            fail_msg("accepted %s", invalid[i]);
        assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    }
    /* Aliases that map to no account here. */
    assert_false(ConvertStringSecurityDescriptorToSecurityDescriptorA("O:DA", SDDL_REVISION_1, &sd, NULL));
    assert_int_equal(GetLastError(), ERROR_NONE_MAPPED);
    assert_false(ConvertStringSecurityDescriptorToSecurityDescriptorA("D:(A;;GA;;;QQ)", SDDL_REVISION_1, &sd, NULL));
    assert_int_equal(GetLastError(), ERROR_NONE_MAPPED);

    assert_false(ConvertStringSecurityDescriptorToSecurityDescriptorA("D:", 2, &sd, NULL));
    assert_int_equal(GetLastError(), ERROR_UNKNOWN_REVISION);
    assert_false(ConvertStringSecurityDescriptorToSecurityDescriptorA(NULL, SDDL_REVISION_1, &sd, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(ConvertStringSecurityDescriptorToSecurityDescriptorW(L"D:", SDDL_REVISION_1, NULL, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);

    LPSTR text;
    sd = parse("D:", NULL);
    assert_false(ConvertSecurityDescriptorToStringSecurityDescriptorA(sd, 2, DACL_SECURITY_INFORMATION, &text, NULL));
    assert_int_equal(GetLastError(), ERROR_UNKNOWN_REVISION);
    assert_false(ConvertSecurityDescriptorToStringSecurityDescriptorA(NULL, SDDL_REVISION_1,
                                                                      DACL_SECURITY_INFORMATION, &text, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    LocalFree(sd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trips),
        cmocka_unit_test(binary_layout),
        cmocka_unit_test(wide_and_selected_parts),
        cmocka_unit_test(bad_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
