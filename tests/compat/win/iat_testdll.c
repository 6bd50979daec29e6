/* A DLL whose kernel32 imports the patcher's test points elsewhere
 * (test_iat.c): Sleep and GetTickCount from DllMain and from an export, an
 * import by ordinal, a delay-loaded import, and a DLL loaded at run time. */
#include <windows.h>

int iat_dep_value(void);
int iat_dep_delayed(void);

static DWORD attach_tick;
static HMODULE loaded;

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    (void)reserved;
    if (reason == DLL_PROCESS_ATTACH) {
        Sleep(1);
        attach_tick = GetTickCount();
    } else if (reason == DLL_PROCESS_DETACH) {
        Sleep(2);
    }
    return TRUE;
}

__declspec(dllexport) DWORD iat_test_attach_tick(void)
{
    return attach_tick;
}

__declspec(dllexport) DWORD iat_test_tick(DWORD ms)
{
    Sleep(ms);
    return GetTickCount();
}

__declspec(dllexport) int iat_test_dep(void)
{
    return iat_dep_value();
}

__declspec(dllexport) int iat_test_delayed(void)
{
    return iat_dep_delayed();
}

__declspec(dllexport) HMODULE iat_test_load(const char *name)
{
    loaded = LoadLibraryA(name);
    return loaded;
}

__declspec(dllexport) BOOL iat_test_unload(void)
{
    BOOL ok = FreeLibrary(loaded);
    loaded = NULL;
    return ok;
}
