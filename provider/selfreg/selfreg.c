/* selfreg: DllMain and DllRegisterServer as a Windows module writes them.
 *
 * DllMain keeps the module handle and counts each notification under
 * HKCU\Software\wmiemu-selfreg (ProcessAttach, ProcessDetach, ThreadAttach,
 * ThreadDetach). DllRegisterServer writes
 * HKCR\CLSID\{clsid}\InprocServer32: the default value is the module's
 * path (GetModuleFileNameW of the saved handle), ThreadingModel is "Both".
 * For tests, SELFREG_FAIL_ATTACH=1 makes DllMain refuse the attach and
 * SELFREG_FAIL_REGISTER=1 makes DllRegisterServer fail; selfreg_quiet()
 * calls DisableThreadLibraryCalls. */
#include <stdlib.h>

#include "skeleton.h"

#include <olectl.h>

/* {6b0e0000-0000-4000-8000-0000000000e1} */
const CLSID broken_clsid = { 0x6b0e0000, 0x0000, 0x4000, { 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xe1 } };

const broken_hooks broken_provider_hooks = { NULL, NULL, NULL, NULL };

static HINSTANCE module;

static void count(const WCHAR *name)
{
    DWORD n = 0, size = sizeof(n);
    RegGetValueW(HKEY_CURRENT_USER, L"Software\\wmiemu-selfreg", name, RRF_RT_REG_DWORD, NULL, &n, &size);
    n++;
    RegSetKeyValueW(HKEY_CURRENT_USER, L"Software\\wmiemu-selfreg", name, REG_DWORD, &n, sizeof(n));
}

PROVIDER_EXPORT BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    const char *fail = getenv("SELFREG_FAIL_ATTACH");
    (void)reserved;
    switch (reason) {
    case DLL_PROCESS_ATTACH:
        module = instance;
        count(L"ProcessAttach");
        return !(fail && *fail == '1');
    case DLL_PROCESS_DETACH:
        count(L"ProcessDetach");
        break;
    case DLL_THREAD_ATTACH:
        count(L"ThreadAttach");
        break;
    case DLL_THREAD_DETACH:
        count(L"ThreadDetach");
        break;
    }
    return TRUE;
}

PROVIDER_EXPORT HRESULT WINAPI DllRegisterServer(void)
{
    static const WCHAR key[] = L"CLSID\\{6B0E0000-0000-4000-8000-0000000000E1}\\InprocServer32";
    const char *fail = getenv("SELFREG_FAIL_REGISTER");
    WCHAR path[MAX_PATH];
    DWORD len;
    HKEY k;

    if (fail && *fail == '1')
        return SELFREG_E_CLASS;
    len = GetModuleFileNameW(module, path, MAX_PATH);
    if (!len || len == MAX_PATH)
        return SELFREG_E_CLASS;
    if (RegCreateKeyExW(HKEY_CLASSES_ROOT, key, 0, NULL, 0, KEY_WRITE, NULL, &k, NULL) != ERROR_SUCCESS)
        return SELFREG_E_CLASS;
    if (RegSetValueExW(k, NULL, 0, REG_SZ, (const BYTE *)path, (len + 1) * sizeof(WCHAR)) != ERROR_SUCCESS ||
        RegSetValueExW(k, L"ThreadingModel", 0, REG_SZ, (const BYTE *)L"Both", sizeof(L"Both")) != ERROR_SUCCESS) {
        RegCloseKey(k);
        return SELFREG_E_CLASS;
    }
    RegCloseKey(k);
    return S_OK;
}

PROVIDER_EXPORT BOOL WINAPI selfreg_quiet(void)
{
    return DisableThreadLibraryCalls(module);
}

/* selfreg.def exports this by ordinal only (@9 NONAME), so no name finds
 * it; a DLL's linker needs it defined to export it at all. */
int WINAPI hidden_by_ordinal(void);
int WINAPI hidden_by_ordinal(void)
{
    return 9;
}
