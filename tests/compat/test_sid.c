/* SIDs: string forms both ways, the SDDL aliases, well-known SIDs and their
 * names, and the answers Windows documents for bad input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <windows.h>
#include <sddl.h>

static void assert_sid_text(PSID sid, const char *want)
{
    LPSTR text = NULL;
    assert_true(ConvertSidToStringSidA(sid, &text));
    assert_string_equal(text, want);
    LocalFree(text);
}

static void string_forms(void **state)
{
    static const char *const round_trip[] = {
        "S-1-5-18", "S-1-1-0", "S-1-5", "S-1-5-32-544", "S-1-16-12288",
        "S-1-5-21-1111111111-2222222222-3333333333-1001",
        "S-1-0x123456789ABC-4294967295",
        "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15",
    };
    PSID sid;
    (void)state;
    for (size_t i = 0; i < sizeof round_trip / sizeof *round_trip; i++) {
        assert_true(ConvertStringSidToSidA(round_trip[i], &sid));
        assert_true(IsValidSid(sid));
        assert_sid_text(sid, round_trip[i]);
        LocalFree(sid);
    }
    /* Hex sub-authorities and a lower-case s are read too. */
    assert_true(ConvertStringSidToSidA("s-1-5-0x20-0x220", &sid));
    assert_sid_text(sid, "S-1-5-32-544");
    LocalFree(sid);

    /* The wide forms. */
    LPWSTR wide;
    assert_true(ConvertStringSidToSidW(L"S-1-5-19", &sid));
    assert_int_equal(GetLengthSid(sid), 12);
    assert_true(ConvertSidToStringSidW(sid, &wide));
    assert_memory_equal(wide, L"S-1-5-19", sizeof(L"S-1-5-19"));
    LocalFree(wide);
    LocalFree(sid);
}

static void aliases(void **state)
{
    static const struct {
        const char *alias, *sid;
    } table[] = {
        { "WD", "S-1-1-0" },      { "AU", "S-1-5-11" },     { "BA", "S-1-5-32-544" },
        { "BU", "S-1-5-32-545" }, { "SY", "S-1-5-18" },     { "LS", "S-1-5-19" },
        { "NS", "S-1-5-20" },     { "CO", "S-1-3-0" },      { "IU", "S-1-5-4" },
        { "NU", "S-1-5-2" },      { "AN", "S-1-5-7" },      { "BG", "S-1-5-32-546" },
        { "PU", "S-1-5-32-547" }, { "SU", "S-1-5-6" },      { "CG", "S-1-3-1" },
    };
    PSID sid;
    (void)state;
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        assert_true(ConvertStringSidToSidA(table[i].alias, &sid));
        assert_sid_text(sid, table[i].sid);
        LocalFree(sid);
    }
}

static void bad_strings(void **state)
{
    static const char *const bad[] = {
        "", "S", "S-", "S-1", "S-1-", "S-2-5-18", "S-1-5-", "S-1-5--1", "S-1-5-18x", "S-1-5-4294967296",
        "S-1-281474976710656", "X-1-5-18", "ZZ", "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16",
        "DA", /* a domain alias: no domain here */
    };
    PSID sid = (PSID)1;
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        SetLastError(0);
        assert_false(ConvertStringSidToSidA(bad[i], &sid));
        assert_int_equal(GetLastError(), ERROR_INVALID_SID);
    }
    assert_false(ConvertStringSidToSidA(NULL, &sid));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(ConvertStringSidToSidW(L"S-1-5-18", NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);

    LPSTR text;
    BYTE junk[12] = { 2, 1 }; /* revision 2 */
    assert_false(ConvertSidToStringSidA(junk, &text));
    assert_int_equal(GetLastError(), ERROR_INVALID_SID);
    assert_false(ConvertSidToStringSidA(NULL, &text));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(IsValidSid(junk));
    assert_false(IsValidSid(NULL));
}

static void build_and_compare(void **state)
{
    SID_IDENTIFIER_AUTHORITY nt = { SECURITY_NT_AUTHORITY };
    PSID admins, copy_too_small;
    BYTE buf[SECURITY_MAX_SID_SIZE], small[8];
    (void)state;

    assert_true(AllocateAndInitializeSid(&nt, 2, SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ADMINS, 0, 0, 0,
                                         0, 0, 0, &admins));
    assert_sid_text(admins, "S-1-5-32-544");
    assert_int_equal(GetLengthSid(admins), 16);
    assert_int_equal(GetSidLengthRequired(2), 16);
    assert_int_equal(*GetSidSubAuthorityCount(admins), 2);
    assert_int_equal(*GetSidSubAuthority(admins, 1), 544);
    assert_memory_equal(GetSidIdentifierAuthority(admins)->Value, nt.Value, 6);

    assert_true(CopySid(sizeof buf, buf, admins));
    assert_true(EqualSid(buf, admins));
    copy_too_small = small;
    assert_false(CopySid(sizeof small, copy_too_small, admins));
    assert_int_equal(GetLastError(), ERROR_INSUFFICIENT_BUFFER);

    PSID users;
    assert_true(ConvertStringSidToSidA("BU", &users));
    assert_false(EqualSid(users, admins));
    assert_true(EqualPrefixSid(users, admins));
    LocalFree(users);

    /* InitializeSid fills the header; the caller sets the sub-authorities. */
    BYTE raw[SECURITY_MAX_SID_SIZE];
    assert_true(InitializeSid(raw, &nt, 1));
    *GetSidSubAuthority(raw, 0) = SECURITY_LOCAL_SYSTEM_RID;
    assert_sid_text(raw, "S-1-5-18");
    assert_false(InitializeSid(raw, &nt, 16));

    PSID too_many;
    assert_false(AllocateAndInitializeSid(&nt, 9, 0, 0, 0, 0, 0, 0, 0, 0, &too_many));
    assert_int_equal(GetLastError(), ERROR_INVALID_SID);
    assert_null(FreeSid(admins));
}

static void well_known(void **state)
{
    BYTE buf[SECURITY_MAX_SID_SIZE];
    DWORD size = 0;
    (void)state;

    /* The size query: ERROR_INSUFFICIENT_BUFFER and the size needed. */
    assert_false(CreateWellKnownSid(WinBuiltinAdministratorsSid, NULL, NULL, &size));
    assert_int_equal(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    assert_int_equal(size, 16);
    assert_true(CreateWellKnownSid(WinBuiltinAdministratorsSid, NULL, buf, &size));
    assert_sid_text(buf, "S-1-5-32-544");
    assert_true(IsWellKnownSid(buf, WinBuiltinAdministratorsSid));
    assert_false(IsWellKnownSid(buf, WinBuiltinUsersSid));

    static const struct {
        WELL_KNOWN_SID_TYPE type;
        const char *sid;
    } table[] = {
        { WinWorldSid, "S-1-1-0" },          { WinLocalSystemSid, "S-1-5-18" },
        { WinAuthenticatedUserSid, "S-1-5-11" }, { WinBuiltinUsersSid, "S-1-5-32-545" },
        { WinNetworkServiceSid, "S-1-5-20" }, { WinLocalServiceSid, "S-1-5-19" },
        { WinNullSid, "S-1-0-0" },           { WinHighLabelSid, "S-1-16-12288" },
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        size = sizeof buf;
        assert_true(CreateWellKnownSid(table[i].type, NULL, buf, &size));
        assert_sid_text(buf, table[i].sid);
    }

    /* Relative to a domain: needs the domain SID. */
    PSID domain;
    assert_true(ConvertStringSidToSidA("S-1-5-21-1-2-3", &domain));
    size = sizeof buf;
    assert_false(CreateWellKnownSid(WinAccountAdministratorSid, NULL, buf, &size));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_true(CreateWellKnownSid(WinAccountAdministratorSid, domain, buf, &size));
    assert_sid_text(buf, "S-1-5-21-1-2-3-500");
    LocalFree(domain);

    assert_false(CreateWellKnownSid((WELL_KNOWN_SID_TYPE)1000, NULL, buf, &size));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(CreateWellKnownSid(WinWorldSid, NULL, buf, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
}

static void account_names(void **state)
{
    WCHAR name[64], domain[64];
    DWORD name_len = 64, domain_len = 64;
    SID_NAME_USE use;
    PSID sid;
    (void)state;

    assert_true(ConvertStringSidToSidA("BA", &sid));
    assert_true(LookupAccountSidW(NULL, sid, name, &name_len, domain, &domain_len, &use));
    assert_memory_equal(name, L"Administrators", sizeof(L"Administrators"));
    assert_memory_equal(domain, L"BUILTIN", sizeof(L"BUILTIN"));
    assert_int_equal(name_len, 14);
    assert_int_equal(domain_len, 7);
    assert_int_equal(use, SidTypeAlias);

    /* Too small: both sizes needed, with their terminators. */
    name_len = 3;
    domain_len = 64;
    assert_false(LookupAccountSidW(NULL, sid, name, &name_len, domain, &domain_len, &use));
    assert_int_equal(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    assert_int_equal(name_len, 15);
    assert_int_equal(domain_len, 8);
    LocalFree(sid);

    assert_true(ConvertStringSidToSidA("S-1-5-21-1-2-3-1001", &sid));
    name_len = domain_len = 64;
    assert_false(LookupAccountSidW(NULL, sid, name, &name_len, domain, &domain_len, &use));
    assert_int_equal(GetLastError(), ERROR_NONE_MAPPED);
    LocalFree(sid);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(string_forms),
        cmocka_unit_test(aliases),
        cmocka_unit_test(bad_strings),
        cmocka_unit_test(build_and_compare),
        cmocka_unit_test(well_known),
        cmocka_unit_test(account_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
