/* A helper DLL a provider ships (iat_testtop.dll imports it): not a system
 * DLL, so it is loaded patched too. Its Sleep, CreateThread and
 * WaitForSingleObject, from DllMain and from an export, are what the test
 * checks; it imports iat_testtop.dll back (a cycle). */
#include <windows.h>

int iat_top_value(void);

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    (void)reserved;
    if (reason == DLL_PROCESS_ATTACH)
        Sleep(11);
    else if (reason == DLL_PROCESS_DETACH)
        Sleep(12);
    return TRUE;
}

static DWORD WINAPI worker(void *arg)
{
    Sleep((DWORD)(ULONG_PTR)arg);
    return 0;
}

/* A thread that sleeps ms, waited for; the value of iat_testtop.dll's
 * export besides. */
__declspec(dllexport) int iat_sub_run(DWORD ms)
{
    HANDLE h = CreateThread(NULL, 0, worker, (void *)(ULONG_PTR)ms, 0, NULL);
    if (!h)
        return -1;
    if (WaitForSingleObject(h, INFINITE) != WAIT_OBJECT_0)
        return -2;
    CloseHandle(h);
    return iat_top_value();
}
