/* Tokens: the process token, impersonation on the calling thread,
 * GetTokenInformation's answers and size queries, duplication, membership,
 * MapGenericMask and AccessCheck with the errors Windows documents. Uses the
 * internal token API to make client tokens, as the host does. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define COBJMACROS
#include <windows.h>
#include <objbase.h>
#include <sddl.h>

#include "compat/token.h"

static PSID sid_of(const char *text)
{
    PSID sid = NULL;
    assert_true(ConvertStringSidToSidA(text, &sid));
    return sid;
}

static void assert_user(HANDLE token, const char *want)
{
    DWORD need = 0;
    assert_false(GetTokenInformation(token, TokenUser, NULL, 0, &need));
    assert_int_equal(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    TOKEN_USER *user = malloc(need);
    assert_true(GetTokenInformation(token, TokenUser, user, need, &need));
    LPSTR text;
    assert_true(ConvertSidToStringSidA(user->User.Sid, &text));
    assert_string_equal(text, want);
    LocalFree(text);
    free(user);
}

static void process_token(void **state)
{
    HANDLE token;
    DWORD need;
    TOKEN_TYPE type;
    (void)state;

    assert_true(OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token));
    assert_user(token, "S-1-5-18");
    assert_true(GetTokenInformation(token, TokenType, &type, sizeof type, &need));
    assert_int_equal(type, TokenPrimary);
    assert_int_equal(need, sizeof type);
    SECURITY_IMPERSONATION_LEVEL level;
    assert_false(GetTokenInformation(token, TokenImpersonationLevel, &level, sizeof level, &need));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);

    /* Groups: Administrators (the owner), Everyone, Authenticated Users. */
    assert_false(GetTokenInformation(token, TokenGroups, NULL, 0, &need));
    assert_int_equal(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    TOKEN_GROUPS *groups = malloc(need);
    assert_false(GetTokenInformation(token, TokenGroups, groups, need - 1, &need));
    assert_int_equal(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    assert_true(GetTokenInformation(token, TokenGroups, groups, need, &need));
    assert_int_equal(groups->GroupCount, 3);
    PSID admins = sid_of("BA"), everyone = sid_of("WD");
    assert_true(EqualSid(groups->Groups[0].Sid, admins));
    assert_true(groups->Groups[0].Attributes & SE_GROUP_OWNER);
    assert_true(EqualSid(groups->Groups[1].Sid, everyone));
    assert_true(groups->Groups[1].Attributes & SE_GROUP_ENABLED);
    free(groups);

    BYTE buf[128];
    assert_true(GetTokenInformation(token, TokenOwner, buf, sizeof buf, &need));
    assert_true(EqualSid(((TOKEN_OWNER *)buf)->Owner, admins));
    assert_true(GetTokenInformation(token, TokenPrimaryGroup, buf, sizeof buf, &need));
    assert_true(IsValidSid(((TOKEN_PRIMARY_GROUP *)buf)->PrimaryGroup));
    assert_true(GetTokenInformation(token, TokenElevation, buf, sizeof buf, &need));
    assert_true(((TOKEN_ELEVATION *)buf)->TokenIsElevated);
    assert_false(GetTokenInformation(token, (TOKEN_INFORMATION_CLASS)(TokenSessionId + 1000), buf, sizeof buf, &need));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(GetTokenInformation(token, TokenUser, buf, sizeof buf, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);

    /* A token is no waitable object. */
    assert_int_equal(WaitForSingleObject(token, 0), WAIT_FAILED);
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    assert_true(CloseHandle(token));
    assert_false(GetTokenInformation(token, TokenType, buf, sizeof buf, &need));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    assert_false(OpenProcessToken((HANDLE)0x1234, TOKEN_QUERY, &token));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    LocalFree(admins);
    LocalFree(everyone);
}

static void thread_impersonation(void **state)
{
    HANDLE token, copy;
    DWORD need;
    (void)state;

    assert_false(OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &token));
    assert_int_equal(GetLastError(), ERROR_NO_TOKEN);

    assert_true(ImpersonateSelf(SecurityImpersonation));
    assert_true(OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &token));
    assert_user(token, "S-1-5-18");
    TOKEN_TYPE type;
    SECURITY_IMPERSONATION_LEVEL level;
    assert_true(GetTokenInformation(token, TokenType, &type, sizeof type, &need));
    assert_int_equal(type, TokenImpersonation);
    assert_true(GetTokenInformation(token, TokenImpersonationLevel, &level, sizeof level, &need));
    assert_int_equal(level, SecurityImpersonation);
    assert_true(RevertToSelf());
    assert_false(OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &copy));
    assert_int_equal(GetLastError(), ERROR_NO_TOKEN);

    /* SetThreadToken takes impersonation tokens only. */
    assert_true(SetThreadToken(NULL, token));
    assert_true(OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &copy));
    assert_true(CloseHandle(copy));
    assert_true(SetThreadToken(NULL, NULL));
    HANDLE primary;
    assert_true(OpenProcessToken(GetCurrentProcess(), TOKEN_DUPLICATE, &primary));
    assert_false(SetThreadToken(NULL, primary));
    assert_int_equal(GetLastError(), ERROR_BAD_TOKEN_TYPE);

    /* Duplicates: a primary token as an impersonation one; an
     * impersonation token never above its own level. */
    assert_true(DuplicateToken(primary, SecurityIdentification, &copy));
    assert_true(GetTokenInformation(copy, TokenImpersonationLevel, &level, sizeof level, &need));
    assert_int_equal(level, SecurityIdentification);
    HANDLE raised;
    assert_false(DuplicateTokenEx(copy, 0, NULL, SecurityDelegation, TokenImpersonation, &raised));
    assert_int_equal(GetLastError(), ERROR_BAD_IMPERSONATION_LEVEL);
    assert_true(DuplicateTokenEx(copy, 0, NULL, SecurityAnonymous, TokenPrimary, &raised));
    assert_true(GetTokenInformation(raised, TokenType, &type, sizeof type, &need));
    assert_int_equal(type, TokenPrimary);
    assert_true(CloseHandle(raised));
    assert_true(CloseHandle(copy));

    /* An anonymous-level token cannot be opened. */
    assert_true(ImpersonateSelf(SecurityAnonymous));
    assert_false(OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &copy));
    assert_int_equal(GetLastError(), ERROR_CANT_OPEN_ANONYMOUS);
    assert_true(RevertToSelf());

    assert_true(CloseHandle(primary));
    assert_true(CloseHandle(token));
}

static DWORD WINAPI impersonate_and_end(void *arg)
{
    (void)arg;
    return ImpersonateSelf(SecurityImpersonation) ? 0 : 1;
}

/* A thread that ends impersonating gives its token back (LeakSanitizer
 * would report it otherwise), and impersonation is per thread. */
static void thread_ends_impersonating(void **state)
{
    HANDLE token;
    DWORD code = 99;
    (void)state;
    HANDLE t = CreateThread(NULL, 0, impersonate_and_end, NULL, 0, NULL);
    assert_non_null(t);
    assert_int_equal(WaitForSingleObject(t, INFINITE), WAIT_OBJECT_0);
    assert_true(GetExitCodeThread(t, &code));
    assert_int_equal(code, 0);
    assert_true(CloseHandle(t));
    assert_false(OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &token));
    assert_int_equal(GetLastError(), ERROR_NO_TOKEN);
}

static void membership(void **state)
{
    PSID admins = sid_of("BA"), users = sid_of("BU");
    BOOL member;
    HANDLE token;
    (void)state;

    /* NULL: the thread's token, else the process's. */
    assert_true(CheckTokenMembership(NULL, admins, &member));
    assert_true(member);
    assert_true(CheckTokenMembership(NULL, users, &member));
    assert_false(member);

    wmiemu__kobj_t *consumer = wmiemu__token_default_consumer();
    token = wmiemu__handle_new(consumer);
    wmiemu__kobj_release(consumer);
    assert_true(CheckTokenMembership(token, users, &member));
    assert_true(member);
    assert_true(CheckTokenMembership(token, admins, &member));
    assert_false(member);
    assert_true(CloseHandle(token));

    assert_true(OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token));
    assert_false(CheckTokenMembership(token, admins, &member));
    assert_int_equal(GetLastError(), ERROR_NO_IMPERSONATION_TOKEN);
    assert_true(CloseHandle(token));
    LocalFree(admins);
    LocalFree(users);
}

static GENERIC_MAPPING mapping = { FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_GENERIC_EXECUTE, FILE_ALL_ACCESS };

static void generic_mask(void **state)
{
    DWORD mask = GENERIC_READ | DELETE;
    (void)state;
    MapGenericMask(&mask, &mapping);
    assert_int_equal(mask, FILE_GENERIC_READ | DELETE);
    mask = GENERIC_ALL;
    MapGenericMask(&mask, &mapping);
    assert_int_equal(mask, FILE_ALL_ACCESS);
}

/* A handle to a new impersonation token for user in groups (aliases). */
static HANDLE client(const char *user, const char *const *groups, size_t n)
{
    PSID sids[8];
    wmiemu__token_group_t g[8];
    PSID u = sid_of(user);
    for (size_t i = 0; i < n; i++) {
        sids[i] = sid_of(groups[i]);
        g[i].sid = sids[i];
        g[i].attributes = SE_GROUP_ENABLED | SE_GROUP_ENABLED_BY_DEFAULT | SE_GROUP_MANDATORY;
    }
    wmiemu__kobj_t *t = wmiemu__token_new(u, g, n, TokenImpersonation, SecurityImpersonation);
    assert_non_null(t);
    HANDLE h = wmiemu__handle_new(t);
    wmiemu__kobj_release(t);
    for (size_t i = 0; i < n; i++)
        LocalFree(sids[i]);
    LocalFree(u);
    return h;
}

static BOOL check(const char *sddl, HANDLE token, DWORD desired, DWORD *granted)
{
    PSECURITY_DESCRIPTOR sd;
    PRIVILEGE_SET privileges;
    DWORD len = sizeof privileges;
    BOOL status = 99;
    assert_true(ConvertStringSecurityDescriptorToSecurityDescriptorA(sddl, SDDL_REVISION_1, &sd, NULL));
    assert_true(AccessCheck(sd, token, desired, &mapping, &privileges, &len, granted, &status));
    if (!status)
        assert_int_equal(GetLastError(), ERROR_ACCESS_DENIED);
    LocalFree(sd);
    return status;
}

static void access_check(void **state)
{
    static const char *const user_groups[] = { "WD", "AU", "BU" };
    static const char *const admin_groups[] = { "WD", "AU", "BA" };
    HANDLE user = client("S-1-5-21-1-2-3-1001", user_groups, 3);
    HANDLE admin = client("S-1-5-21-1-2-3-500", admin_groups, 3);
    DWORD granted;
    (void)state;

    /* A NULL DACL grants all; an empty one nothing. */
    assert_true(check("O:BAG:BAD:NO_ACCESS_CONTROL", user, FILE_WRITE_DATA, &granted));
    assert_int_equal(granted, FILE_WRITE_DATA);
    assert_true(check("O:BAG:BA", user, FILE_WRITE_DATA, &granted));
    assert_false(check("O:BAG:BAD:", user, FILE_READ_DATA, &granted));
    assert_int_equal(granted, 0);

    /* Groups and generic rights in ACEs (mapped with the mapping). */
    const char *admins_only = "O:SYG:SYD:(A;;GA;;;BA)(A;;GR;;;BU)";
    assert_true(check(admins_only, admin, FILE_WRITE_DATA | FILE_READ_DATA, &granted));
    assert_int_equal(granted, FILE_WRITE_DATA | FILE_READ_DATA);
    assert_true(check(admins_only, user, FILE_READ_DATA, &granted));
    assert_false(check(admins_only, user, FILE_WRITE_DATA, &granted));

    /* ACEs in order: a deny first wins, an allow first wins. */
    assert_false(check("O:SYG:SYD:(D;;FW;;;WD)(A;;FA;;;WD)", admin, FILE_WRITE_DATA, &granted));
    assert_true(check("O:SYG:SYD:(A;;FA;;;WD)(D;;FW;;;WD)", admin, FILE_WRITE_DATA, &granted));
    /* The user SID itself; inherit-only entries do not apply. */
    assert_true(check("O:SYG:SYD:(A;;0x1;;;S-1-5-21-1-2-3-1001)", user, 0x1, &granted));
    assert_false(check("O:SYG:SYD:(A;IO;0x1;;;S-1-5-21-1-2-3-1001)", user, 0x1, &granted));
    assert_false(check("O:SYG:SYD:(A;;0x1;;;S-1-5-21-1-2-3-1002)", user, 0x1, &granted));
    /* MAXIMUM_ALLOWED: what the DACL gives, less what it refuses. */
    assert_true(check("O:SYG:SYD:(D;;0x2;;;BU)(A;;0x7;;;WD)", user, MAXIMUM_ALLOWED, &granted));
    assert_int_equal(granted, 0x5);
    /* The owner may read and change the DACL. */
    assert_true(check("O:S-1-5-21-1-2-3-1001G:SYD:", user, READ_CONTROL | WRITE_DAC, &granted));

    /* Errors as documented. */
    PSECURITY_DESCRIPTOR sd;
    PRIVILEGE_SET privileges;
    DWORD len = sizeof privileges;
    BOOL status;
    assert_true(ConvertStringSecurityDescriptorToSecurityDescriptorA("O:BAG:BAD:", SDDL_REVISION_1, &sd, NULL));
    assert_false(AccessCheck(sd, user, GENERIC_READ, &mapping, &privileges, &len, &granted, &status));
    assert_int_equal(GetLastError(), ERROR_GENERIC_NOT_MAPPED);
    HANDLE primary;
    assert_true(OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &primary));
    assert_false(AccessCheck(sd, primary, FILE_READ_DATA, &mapping, &privileges, &len, &granted, &status));
    assert_int_equal(GetLastError(), ERROR_NO_IMPERSONATION_TOKEN);
    assert_true(CloseHandle(primary));
    len = 1;
    assert_false(AccessCheck(sd, user, FILE_READ_DATA, &mapping, &privileges, &len, &granted, &status));
    assert_int_equal(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    assert_int_equal(len, sizeof(PRIVILEGE_SET));
    LocalFree(sd);
    assert_true(ConvertStringSecurityDescriptorToSecurityDescriptorA("D:", SDDL_REVISION_1, &sd, NULL));
    assert_false(AccessCheck(sd, user, FILE_READ_DATA, &mapping, &privileges, &len, &granted, &status));
    assert_int_equal(GetLastError(), ERROR_INVALID_SECURITY_DESCR);
    assert_false(AccessCheck(sd, (HANDLE)0x4444, FILE_READ_DATA, &mapping, &privileges, &len, &granted, &status));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    LocalFree(sd);

    assert_true(CloseHandle(user));
    assert_true(CloseHandle(admin));
}

/* What a provider does in a call: impersonate the client, read its token,
 * revert. Outside a call the COM functions fail as documented. */
static void call_context(void **state)
{
    IServerSecurity *security;
    HANDLE token;
    (void)state;

    assert_int_equal(CoImpersonateClient(), RPC_E_CALL_COMPLETE);
    assert_int_equal(CoRevertToSelf(), RPC_E_CALL_COMPLETE);
    assert_int_equal(CoGetCallContext(&IID_IServerSecurity, (void **)&security), RPC_E_CALL_COMPLETE);
    assert_null(wmiemu__call_context_current());

    wmiemu__call_context_t ctx;
    wmiemu__kobj_t *consumer = wmiemu__token_default_consumer();
    wmiemu__call_context_enter(&ctx, consumer);
    assert_ptr_equal(wmiemu__call_context_current(), &ctx);

    assert_false(OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &token));
    assert_int_equal(CoImpersonateClient(), S_OK);
    assert_true(OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &token));
    assert_user(token, "S-1-5-21-1111111111-2222222222-3333333333-1001");
    assert_true(CloseHandle(token));
    assert_int_equal(CoRevertToSelf(), S_OK);
    assert_false(OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &token));
    assert_int_equal(GetLastError(), ERROR_NO_TOKEN);

    /* The same through IServerSecurity. */
    IUnknown *unknown;
    assert_int_equal(CoGetCallContext(&IID_IUnknown, (void **)&unknown), S_OK);
    assert_int_equal(CoGetCallContext(&IID_IServerSecurity, (void **)&security), S_OK);
    assert_int_equal(CoGetCallContext(&IID_IClassFactory, (void **)&token), E_NOINTERFACE);
    assert_false(IServerSecurity_IsImpersonating(security));
    assert_int_equal(IServerSecurity_ImpersonateClient(security), S_OK);
    assert_true(IServerSecurity_IsImpersonating(security));
    DWORD authn, imp;
    assert_int_equal(IServerSecurity_QueryBlanket(security, &authn, NULL, NULL, NULL, &imp, NULL, NULL), S_OK);
    assert_int_equal(authn, RPC_C_AUTHN_WINNT);
    assert_int_equal(imp, RPC_C_IMP_LEVEL_IMPERSONATE);
    assert_int_equal(IServerSecurity_RevertToSelf(security), S_OK);
    assert_false(IServerSecurity_IsImpersonating(security));

    /* A provider that forgets to revert: the call's end reverts for it
     * and says so. */
    assert_int_equal(CoImpersonateClient(), S_OK);
    assert_true(wmiemu__call_context_leave(&ctx));
    assert_false(OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &token));
    assert_null(wmiemu__call_context_current());
    /* The object outlives the call but serves it no more. */
    assert_int_equal(IServerSecurity_ImpersonateClient(security), RPC_E_CALL_COMPLETE);
    IServerSecurity_Release(security);
    IUnknown_Release(unknown);

    /* A clean call reports no impersonation left. */
    wmiemu__call_context_enter(&ctx, consumer);
    assert_int_equal(CoImpersonateClient(), S_OK);
    assert_int_equal(CoRevertToSelf(), S_OK);
    assert_false(wmiemu__call_context_leave(&ctx));
    wmiemu__kobj_release(consumer);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(process_token),
        cmocka_unit_test(thread_impersonation),
        cmocka_unit_test(thread_ends_impersonating),
        cmocka_unit_test(membership),
        cmocka_unit_test(generic_mask),
        cmocka_unit_test(access_check),
        cmocka_unit_test(call_context),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
