/* A DLL that keeps per-thread data, as a provider may: DllMain's
 * DLL_THREAD_ATTACH sets it for each new thread, which its start routine
 * checks, and DLL_THREAD_DETACH clears it; a TLS callback counts the same
 * calls. Built twice: iat_testnothreads.dll calls DisableThreadLibraryCalls
 * and must get none. Its threads come from CreateThread, _beginthreadex
 * with _endthreadex, and a CreateThread routine that ends in ExitThread. */
#include <process.h>
#include <windows.h>

static DWORD slot = TLS_OUT_OF_INDEXES;
static LONG attached, detached, tls_attached, tls_detached, started_attached, unpaired;

static void NTAPI tls_callback(PVOID module, DWORD reason, PVOID reserved)
{
    (void)module;
    (void)reserved;
    if (reason == DLL_THREAD_ATTACH)
        InterlockedIncrement(&tls_attached);
    else if (reason == DLL_THREAD_DETACH)
        InterlockedIncrement(&tls_detached);
}

/* Between the C runtime's own callbacks (.CRT$XLC, .CRT$XLD) and the end. */
__attribute__((section(".CRT$XLM"), used)) const PIMAGE_TLS_CALLBACK iat_testthreads_tls = tls_callback;

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)reserved;
    switch (reason) {
    case DLL_PROCESS_ATTACH:
#ifdef NO_THREAD_CALLS
        DisableThreadLibraryCalls(instance);
#else
        (void)instance;
#endif
        if ((slot = TlsAlloc()) == TLS_OUT_OF_INDEXES)
            return FALSE;
        break;
    case DLL_THREAD_ATTACH:
        InterlockedIncrement(&attached);
        TlsSetValue(slot, (void *)(ULONG_PTR)GetCurrentThreadId());
        break;
    case DLL_THREAD_DETACH:
        InterlockedIncrement(&detached);
        /* Detached on the thread it attached. */
        if ((DWORD)(ULONG_PTR)TlsGetValue(slot) != GetCurrentThreadId())
            InterlockedIncrement(&unpaired);
        TlsSetValue(slot, NULL);
        break;
    case DLL_PROCESS_DETACH:
        TlsFree(slot);
        break;
    }
    return TRUE;
}

static void check_attached(void)
{
    if ((DWORD)(ULONG_PTR)TlsGetValue(slot) == GetCurrentThreadId())
        InterlockedIncrement(&started_attached);
}

static DWORD WINAPI plain(void *arg)
{
    (void)arg;
    check_attached();
    return 0;
}

static DWORD WINAPI exits(void *arg)
{
    (void)arg;
    check_attached();
    ExitThread(0);
}

static unsigned __stdcall crt(void *arg)
{
    (void)arg;
    check_attached();
    _endthreadex(0);
    return 0;
}

/* Three threads, waited for. */
__declspec(dllexport) BOOL iat_threads_run(void)
{
    HANDLE h[3];
    BOOL ok;
    h[0] = CreateThread(NULL, 0, plain, NULL, 0, NULL);
    h[1] = CreateThread(NULL, 0, exits, NULL, 0, NULL);
    h[2] = (HANDLE)_beginthreadex(NULL, 0, crt, NULL, 0, NULL);
    if (!h[0] || !h[1] || !h[2])
        return FALSE;
    ok = WaitForMultipleObjects(3, h, TRUE, INFINITE) == WAIT_OBJECT_0;
    for (int i = 0; i < 3; i++)
        CloseHandle(h[i]);
    return ok;
}

/* attach, detach, TLS callback attach and detach, start routines that
 * found their attach done, detaches on a thread not attached. */
__declspec(dllexport) void iat_threads_counts(LONG out[6])
{
    out[0] = attached;
    out[1] = detached;
    out[2] = tls_attached;
    out[3] = tls_detached;
    out[4] = started_attached;
    out[5] = unpaired;
}
