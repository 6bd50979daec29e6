/* What iat_testdll.dll loads with LoadLibraryA: patched as it is loaded. */
#include <windows.h>

__declspec(dllexport) DWORD iat_load_tick(void)
{
    Sleep(3);
    return GetTickCount();
}
