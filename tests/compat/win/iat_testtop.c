/* The DLL explored in the dependency test (test_iat.c): it imports
 * iat_testsub.dll, which imports it back. */
#include <windows.h>

int iat_sub_run(DWORD ms);

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    (void)reserved;
    if (reason == DLL_PROCESS_ATTACH)
        Sleep(21);
    else if (reason == DLL_PROCESS_DETACH)
        Sleep(22);
    return TRUE;
}

__declspec(dllexport) int iat_top_value(void)
{
    return 5;
}

__declspec(dllexport) int iat_top_run(DWORD ms)
{
    return iat_sub_run(ms);
}
