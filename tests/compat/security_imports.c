/* A module that imports every security and COM function compat provides
 * for providers, as a provider written for Windows would: it links nothing,
 * so loading it with RTLD_NOW fails if any of them is missing from the
 * hosting program (test_security_imports.c). */
#define COBJMACROS
#include <windows.h>
#include <objbase.h>
#include <sddl.h>

#define IMPORT(f) (void *)(f)

static void *const imports[] = {
    /* SIDs */
    IMPORT(ConvertStringSidToSidA), IMPORT(ConvertStringSidToSidW), IMPORT(ConvertSidToStringSidA),
    IMPORT(ConvertSidToStringSidW), IMPORT(IsValidSid), IMPORT(EqualSid), IMPORT(EqualPrefixSid),
    IMPORT(GetLengthSid), IMPORT(GetSidLengthRequired), IMPORT(CopySid), IMPORT(AllocateAndInitializeSid),
    IMPORT(FreeSid), IMPORT(InitializeSid), IMPORT(GetSidSubAuthority), IMPORT(GetSidSubAuthorityCount),
    IMPORT(GetSidIdentifierAuthority), IMPORT(CreateWellKnownSid), IMPORT(IsWellKnownSid),
    IMPORT(LookupAccountSidW),
    /* ACLs and security descriptors */
    IMPORT(InitializeAcl), IMPORT(IsValidAcl), IMPORT(AddAce), IMPORT(AddAccessAllowedAce),
    IMPORT(AddAccessAllowedAceEx), IMPORT(AddAccessDeniedAce), IMPORT(AddAccessDeniedAceEx), IMPORT(GetAce),
    IMPORT(DeleteAce), IMPORT(GetAclInformation), IMPORT(InitializeSecurityDescriptor),
    IMPORT(IsValidSecurityDescriptor), IMPORT(SetSecurityDescriptorDacl), IMPORT(SetSecurityDescriptorSacl),
    IMPORT(SetSecurityDescriptorOwner), IMPORT(SetSecurityDescriptorGroup), IMPORT(GetSecurityDescriptorDacl),
    IMPORT(GetSecurityDescriptorSacl), IMPORT(GetSecurityDescriptorOwner), IMPORT(GetSecurityDescriptorGroup),
    IMPORT(GetSecurityDescriptorControl), IMPORT(SetSecurityDescriptorControl),
    IMPORT(GetSecurityDescriptorLength), IMPORT(MakeSelfRelativeSD), IMPORT(MakeAbsoluteSD),
    /* SDDL */
    IMPORT(ConvertStringSecurityDescriptorToSecurityDescriptorA),
    IMPORT(ConvertStringSecurityDescriptorToSecurityDescriptorW),
    IMPORT(ConvertSecurityDescriptorToStringSecurityDescriptorA),
    IMPORT(ConvertSecurityDescriptorToStringSecurityDescriptorW),
    /* tokens and access */
    IMPORT(OpenProcessToken), IMPORT(OpenThreadToken), IMPORT(GetTokenInformation), IMPORT(ImpersonateSelf),
    IMPORT(RevertToSelf), IMPORT(SetThreadToken), IMPORT(DuplicateToken), IMPORT(DuplicateTokenEx),
    IMPORT(CheckTokenMembership), IMPORT(MapGenericMask), IMPORT(AccessCheck), IMPORT(CloseHandle),
    /* COM */
    IMPORT(CoInitialize), IMPORT(CoInitializeEx), IMPORT(CoUninitialize), IMPORT(CoInitializeSecurity),
    IMPORT(CoSetProxyBlanket), IMPORT(CoQueryProxyBlanket), IMPORT(CoGetCallContext),
    IMPORT(CoImpersonateClient), IMPORT(CoRevertToSelf), IMPORT(CoCreateInstance), IMPORT(CoGetClassObject),
    IMPORT(&IID_IServerSecurity),
};

/* How many functions the module imports, after using a few of them the
 * way provider registration code does; 0 if one misbehaves. */
__attribute__((visibility("default"))) unsigned security_imports_check(void)
{
    PSECURITY_DESCRIPTOR sd;
    HANDLE token;
    BOOL present, defaulted;
    PACL dacl;
    unsigned n = sizeof imports / sizeof *imports;

    for (unsigned i = 0; i < n; i++)
        if (!imports[i])
            return 0;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(L"O:SYG:SYD:(A;;GA;;;BA)", SDDL_REVISION_1, &sd,
                                                              NULL))
        return 0;
    if (!GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted) || !present || dacl->AceCount != 1)
        n = 0;
    LocalFree(sd);
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
        return 0;
    CloseHandle(token);
    if (CoImpersonateClient() != RPC_E_CALL_COMPLETE)
        return 0;
    return n;
}
