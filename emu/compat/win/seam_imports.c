/* The table of a DLL's imports that exploration redirects (seam_imports.h),
 * and the catchers: for a blocking, thread-making or clock function compat
 * does not implement, one function per name that ends the running
 * schedule as not reproducible, naming it, then calls the real function
 * (all it does outside a schedule). Never silently uncontrolled. */
#include "compat/win/w32_names.h"

#include <stdint.h>
#include <string.h>

#include <windows.h>

#include "compat/seam.h"
#include "compat/win/seam_imports.h"

/* Which DLLs an entry's name is looked up for. */
enum { DLL_KERNEL, DLL_CRT, DLL_USER32, DLL_WINMM, DLL_NONE };

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Whether s starts with prefix, ignoring ASCII case; the rest in *rest. */
static int prefixed(const char *s, const char *prefix, const char **rest)
{
    while (*prefix)
        if (lower((unsigned char)*s++) != *prefix++)
            return 0;
    if (rest)
        *rest = s;
    return 1;
}

/* s is `name` with ".dll" or nothing after it, ignoring case. */
static int is_dll(const char *s, const char *name)
{
    const char *rest;
    return prefixed(s, name, &rest) && (!*rest || (prefixed(rest, ".dll", &rest) && !*rest));
}

static int dll_kind(const char *dll)
{
    const char *rest;
    if (!dll)
        return DLL_NONE;
    /* Only the file name counts: GetModuleFileName gives a path. */
    for (const char *p = dll; *p; p++)
        if (*p == '\\' || *p == '/')
            dll = p + 1;
    if (is_dll(dll, "kernel32") || is_dll(dll, "kernelbase") || prefixed(dll, "api-ms-win-core-", NULL))
        return DLL_KERNEL;
    if (is_dll(dll, "msvcrt") || is_dll(dll, "ucrtbase") || is_dll(dll, "ucrtbased") ||
        prefixed(dll, "api-ms-win-crt-runtime-", NULL))
        return DLL_CRT;
    /* msvcr71.dll, msvcr100.dll, msvcr120d.dll...: msvcr and a version. */
    if (prefixed(dll, "msvcr", &rest) && *rest >= '0' && *rest <= '9')
        return DLL_CRT;
    if (is_dll(dll, "user32"))
        return DLL_USER32;
    if (is_dll(dll, "winmm"))
        return DLL_WINMM;
    return DLL_NONE;
}

/* ---- catchers ---- */

/* The system's function, looked up once. */
static void *real_proc(const char *dll, const char *name, void **cache)
{
    void *fn = __atomic_load_n(cache, __ATOMIC_ACQUIRE);
    if (fn)
        return fn;
    HMODULE m = GetModuleHandleA(dll);
    if (!m)
        m = LoadLibraryA(dll);
    fn = m ? (void *)GetProcAddress(m, name) : NULL;
    __atomic_store_n(cache, fn, __ATOMIC_RELEASE);
    return fn;
}

/* CATCH(dll, ret, name, params, args): wmiemu__w32_catch_NAME. The void
 * ones return nothing when the system lacks the function; the others fail
 * with ERROR_PROC_NOT_FOUND. */
#define CATCH(dll, ret, name, params, args)                                              \
    static ret WINAPI wmiemu__w32_catch_##name params                                   \
    {                                                                                    \
        static void *cache;                                                              \
        wmiemu__seam_uncontrolled(#dll "!" #name);                                       \
        void *real_fn = real_proc(#dll ".dll", #name, &cache);                                \
        if (!real_fn) {                                                                       \
            SetLastError(ERROR_PROC_NOT_FOUND);                                          \
            return (ret)0;                                                               \
        }                                                                                \
        return ((ret(WINAPI *) params)real_fn) args;                                          \
    }
#define CATCH_VOID(dll, name, params, args)                                              \
    static void WINAPI wmiemu__w32_catch_##name params                                  \
    {                                                                                    \
        static void *cache;                                                              \
        wmiemu__seam_uncontrolled(#dll "!" #name);                                       \
        void *real_fn = real_proc(#dll ".dll", #name, &cache);                                \
        if (real_fn)                                                                          \
            ((void(WINAPI *) params)real_fn) args;                                            \
    }

/* Waits and threads the scheduler cannot see into. */
CATCH(user32, DWORD, MsgWaitForMultipleObjects, (DWORD n, const HANDLE *h, BOOL all, DWORD ms, DWORD mask),
      (n, h, all, ms, mask))
CATCH(user32, DWORD, MsgWaitForMultipleObjectsEx, (DWORD n, const HANDLE *h, DWORD ms, DWORD mask, DWORD flags),
      (n, h, ms, mask, flags))
CATCH(kernel32, BOOL, WaitForDebugEvent, (LPDEBUG_EVENT ev, DWORD ms), (ev, ms))
CATCH(kernel32, BOOL, WaitForDebugEventEx, (LPDEBUG_EVENT ev, DWORD ms), (ev, ms))
CATCH(kernel32, BOOL, GetQueuedCompletionStatus,
      (HANDLE port, LPDWORD bytes, PULONG_PTR key, LPOVERLAPPED *ov, DWORD ms), (port, bytes, key, ov, ms))
CATCH(kernel32, BOOL, GetQueuedCompletionStatusEx,
      (HANDLE port, LPOVERLAPPED_ENTRY e, ULONG n, PULONG got, DWORD ms, BOOL alertable),
      (port, e, n, got, ms, alertable))
CATCH(kernel32, HANDLE, CreateRemoteThread,
      (HANDLE p, LPSECURITY_ATTRIBUTES sa, SIZE_T st, LPTHREAD_START_ROUTINE fn, LPVOID arg, DWORD f, LPDWORD tid),
      (p, sa, st, fn, arg, f, tid))
CATCH(kernel32, HANDLE, CreateRemoteThreadEx,
      (HANDLE p, LPSECURITY_ATTRIBUTES sa, SIZE_T st, LPTHREAD_START_ROUTINE fn, LPVOID arg, DWORD f,
       LPPROC_THREAD_ATTRIBUTE_LIST attrs, LPDWORD tid),
      (p, sa, st, fn, arg, f, attrs, tid))
CATCH(kernel32, DWORD, SuspendThread, (HANDLE h), (h))
CATCH(kernel32, BOOL, TerminateThread, (HANDLE h, DWORD code), (h, code))
CATCH(kernel32, DWORD, QueueUserAPC, (PAPCFUNC fn, HANDLE h, ULONG_PTR data), (fn, h, data))
CATCH(kernel32, BOOL, RegisterWaitForSingleObject,
      (PHANDLE out, HANDLE h, WAITORTIMERCALLBACK cb, PVOID ctx, ULONG ms, ULONG flags),
      (out, h, cb, ctx, ms, flags))
CATCH(kernel32, BOOL, UnregisterWait, (HANDLE h), (h))
CATCH(kernel32, BOOL, UnregisterWaitEx, (HANDLE h, HANDLE done), (h, done))
CATCH(kernel32, BOOL, BindIoCompletionCallback, (HANDLE h, LPOVERLAPPED_COMPLETION_ROUTINE fn, ULONG flags),
      (h, fn, flags))
/* Waitable timers run on the system's clock. */
CATCH(kernel32, HANDLE, CreateWaitableTimerW, (LPSECURITY_ATTRIBUTES sa, BOOL manual, LPCWSTR name),
      (sa, manual, name))
CATCH(kernel32, HANDLE, CreateWaitableTimerA, (LPSECURITY_ATTRIBUTES sa, BOOL manual, LPCSTR name),
      (sa, manual, name))
CATCH(kernel32, HANDLE, CreateWaitableTimerExW, (LPSECURITY_ATTRIBUTES sa, LPCWSTR name, DWORD flags, DWORD access),
      (sa, name, flags, access))
CATCH(kernel32, BOOL, SetWaitableTimer,
      (HANDLE h, const LARGE_INTEGER *due, LONG period, PTIMERAPCROUTINE fn, LPVOID arg, BOOL resume),
      (h, due, period, fn, arg, resume))
/* The thread pool's I/O completions (compat's pool has none). */
CATCH(kernel32, PTP_IO, CreateThreadpoolIo,
      (HANDLE h, PTP_WIN32_IO_CALLBACK fn, PVOID ctx, PTP_CALLBACK_ENVIRON env), (h, fn, ctx, env))
/* Clocks compat does not put on the scheduler's time. */
CATCH_VOID(kernel32, GetSystemTime, (LPSYSTEMTIME t), (t))
CATCH_VOID(kernel32, GetLocalTime, (LPSYSTEMTIME t), (t))
CATCH(kernel32, BOOL, QueryUnbiasedInterruptTime, (PULONGLONG t), (t))
/* CPU-time clocks (MinGW's libwinpthread reads them for clock_gettime's
 * CPU clocks): they differ from run to run. */
CATCH(kernel32, BOOL, GetThreadTimes, (HANDLE h, LPFILETIME c, LPFILETIME e, LPFILETIME k, LPFILETIME u),
      (h, c, e, k, u))
CATCH(kernel32, BOOL, GetProcessTimes, (HANDLE h, LPFILETIME c, LPFILETIME e, LPFILETIME k, LPFILETIME u),
      (h, c, e, k, u))
CATCH(winmm, DWORD, timeGetTime, (void), ())
CATCH(winmm, UINT, timeSetEvent, (UINT delay, UINT res, void *fn, DWORD_PTR user, UINT flags),
      (delay, res, fn, user, flags))

/* ---- the table ---- */

/* Those w32_names.h does not rename (new on Windows, or wrappers). */
void WINAPI wmiemu__w32_GetSystemTimeAsFileTime(FILETIME *ft);
void WINAPI wmiemu__w32_GetSystemTimePreciseAsFileTime(FILETIME *ft);
BOOL WINAPI wmiemu__w32_SwitchToThread(void);
BOOL WINAPI wmiemu__w32_DuplicateHandle(HANDLE src_process, HANDLE src, HANDLE dst_process, LPHANDLE dst,
                                        DWORD access, BOOL inherit, DWORD options);
BOOL WINAPI wmiemu__w32_GetHandleInformation(HANDLE h, LPDWORD flags);
uintptr_t __cdecl wmiemu__w32__beginthreadex(void *security, unsigned stack, unsigned(__stdcall *start)(void *),
                                             void *arg, unsigned flags, unsigned *tid);
void __cdecl wmiemu__w32__endthreadex(unsigned code);
uintptr_t __cdecl wmiemu__w32__beginthread(void(__cdecl *start)(void *), unsigned stack, void *arg);
void __cdecl wmiemu__w32__endthread(void);

/* The name is made a string before w32_names.h could rename it. */
#define ENTRY_S(str, fn) { str, (void *)(fn) },
#define ENTRY(name, fn) ENTRY_S(#name, fn)
/* compat's function: w32_names.h turns the name into wmiemu__w32_NAME. */
#define REPLACE(name) ENTRY_S(#name, name)
#define CATCHER(name) ENTRY_S(#name, wmiemu__w32_catch_##name)

/* Sorted by DLL kind: kernel32's, the C runtime's, user32's, winmm's. */
static const wmiemu__seam_import_t imports[] = {
#define KERNEL_ENTRIES                                                                   \
    REPLACE(CreateThread)                                                               \
    REPLACE(ExitThread)                                                                 \
    REPLACE(ResumeThread)                                                               \
    REPLACE(GetExitCodeThread)                                                          \
    REPLACE(GetCurrentThreadId)                                                         \
    REPLACE(WaitForSingleObject)                                                        \
    REPLACE(WaitForSingleObjectEx)                                                      \
    REPLACE(WaitForMultipleObjects)                                                     \
    REPLACE(WaitForMultipleObjectsEx)                                                   \
    REPLACE(SignalObjectAndWait)                                                        \
    REPLACE(CreateEventW)                                                               \
    REPLACE(CreateEventA)                                                               \
    REPLACE(OpenEventW)                                                                 \
    REPLACE(SetEvent)                                                                   \
    REPLACE(ResetEvent)                                                                 \
    REPLACE(CreateMutexW)                                                               \
    REPLACE(CreateMutexA)                                                               \
    REPLACE(CreateMutexExW)                                                             \
    REPLACE(CreateMutexExA)                                                             \
    REPLACE(OpenMutexW)                                                                 \
    REPLACE(OpenMutexA)                                                                 \
    REPLACE(ReleaseMutex)                                                               \
    REPLACE(CreateSemaphoreW)                                                           \
    REPLACE(CreateSemaphoreA)                                                           \
    REPLACE(CreateSemaphoreExW)                                                         \
    REPLACE(CreateSemaphoreExA)                                                         \
    REPLACE(OpenSemaphoreW)                                                             \
    REPLACE(OpenSemaphoreA)                                                             \
    REPLACE(ReleaseSemaphore)                                                           \
    REPLACE(InitializeCriticalSection)                                                  \
    REPLACE(InitializeCriticalSectionAndSpinCount)                                      \
    REPLACE(InitializeCriticalSectionEx)                                                \
    REPLACE(SetCriticalSectionSpinCount)                                                \
    REPLACE(EnterCriticalSection)                                                       \
    REPLACE(TryEnterCriticalSection)                                                    \
    REPLACE(LeaveCriticalSection)                                                       \
    REPLACE(DeleteCriticalSection)                                                      \
    REPLACE(InitializeSRWLock)                                                          \
    REPLACE(AcquireSRWLockExclusive)                                                    \
    REPLACE(AcquireSRWLockShared)                                                       \
    REPLACE(TryAcquireSRWLockExclusive)                                                 \
    REPLACE(TryAcquireSRWLockShared)                                                    \
    REPLACE(ReleaseSRWLockExclusive)                                                    \
    REPLACE(ReleaseSRWLockShared)                                                       \
    REPLACE(InitializeConditionVariable)                                                \
    REPLACE(SleepConditionVariableCS)                                                   \
    REPLACE(SleepConditionVariableSRW)                                                  \
    REPLACE(WakeConditionVariable)                                                      \
    REPLACE(WakeAllConditionVariable)                                                   \
    REPLACE(InitOnceInitialize)                                                         \
    REPLACE(InitOnceBeginInitialize)                                                    \
    REPLACE(InitOnceComplete)                                                           \
    REPLACE(InitOnceExecuteOnce)                                                        \
    REPLACE(WaitOnAddress)                                                              \
    REPLACE(WakeByAddressSingle)                                                        \
    REPLACE(WakeByAddressAll)                                                           \
    REPLACE(Sleep)                                                                      \
    REPLACE(SleepEx)                                                                    \
    ENTRY(SwitchToThread, wmiemu__w32_SwitchToThread)                                   \
    REPLACE(GetTickCount)                                                               \
    REPLACE(GetTickCount64)                                                             \
    REPLACE(QueryPerformanceCounter)                                                    \
    REPLACE(QueryPerformanceFrequency)                                                  \
    ENTRY(GetSystemTimeAsFileTime, wmiemu__w32_GetSystemTimeAsFileTime)                 \
    ENTRY(GetSystemTimePreciseAsFileTime, wmiemu__w32_GetSystemTimePreciseAsFileTime)   \
    REPLACE(CreateTimerQueue)                                                           \
    REPLACE(CreateTimerQueueTimer)                                                      \
    REPLACE(ChangeTimerQueueTimer)                                                      \
    REPLACE(DeleteTimerQueueTimer)                                                      \
    REPLACE(DeleteTimerQueueEx)                                                         \
    REPLACE(DeleteTimerQueue)                                                           \
    REPLACE(QueueUserWorkItem)                                                          \
    REPLACE(CloseHandle)                                                                \
    ENTRY(DuplicateHandle, wmiemu__w32_DuplicateHandle)                                 \
    ENTRY(GetProcAddress, wmiemu__w32_GetProcAddress)                                   \
    CATCHER(WaitForDebugEvent)                                                           \
    CATCHER(WaitForDebugEventEx)                                                         \
    CATCHER(GetQueuedCompletionStatus)                                                   \
    CATCHER(GetQueuedCompletionStatusEx)                                                 \
    CATCHER(CreateRemoteThread)                                                          \
    CATCHER(CreateRemoteThreadEx)                                                        \
    CATCHER(SuspendThread)                                                               \
    CATCHER(TerminateThread)                                                             \
    CATCHER(QueueUserAPC)                                                                \
    CATCHER(RegisterWaitForSingleObject)                                                 \
    CATCHER(UnregisterWait)                                                              \
    CATCHER(UnregisterWaitEx)                                                            \
    CATCHER(BindIoCompletionCallback)                                                    \
    CATCHER(CreateWaitableTimerW)                                                        \
    CATCHER(CreateWaitableTimerA)                                                        \
    CATCHER(CreateWaitableTimerExW)                                                      \
    CATCHER(SetWaitableTimer)                                                            \
    REPLACE(CreateThreadpool)                                                           \
    REPLACE(CloseThreadpool)                                                            \
    REPLACE(SetThreadpoolThreadMaximum)                                                 \
    REPLACE(SetThreadpoolThreadMinimum)                                                 \
    REPLACE(CreateThreadpoolWork)                                                       \
    REPLACE(SubmitThreadpoolWork)                                                       \
    REPLACE(WaitForThreadpoolWorkCallbacks)                                             \
    REPLACE(CloseThreadpoolWork)                                                        \
    REPLACE(TrySubmitThreadpoolCallback)                                                \
    REPLACE(CreateThreadpoolTimer)                                                      \
    REPLACE(SetThreadpoolTimer)                                                         \
    REPLACE(SetThreadpoolTimerEx)                                                       \
    REPLACE(IsThreadpoolTimerSet)                                                       \
    REPLACE(WaitForThreadpoolTimerCallbacks)                                            \
    REPLACE(CloseThreadpoolTimer)                                                       \
    REPLACE(CreateThreadpoolWait)                                                       \
    REPLACE(SetThreadpoolWait)                                                          \
    REPLACE(SetThreadpoolWaitEx)                                                        \
    REPLACE(WaitForThreadpoolWaitCallbacks)                                             \
    REPLACE(CloseThreadpoolWait)                                                        \
    REPLACE(CreateThreadpoolCleanupGroup)                                               \
    REPLACE(CloseThreadpoolCleanupGroupMembers)                                         \
    REPLACE(CloseThreadpoolCleanupGroup)                                                \
    REPLACE(SetEventWhenCallbackReturns)                                                \
    REPLACE(ReleaseSemaphoreWhenCallbackReturns)                                        \
    REPLACE(ReleaseMutexWhenCallbackReturns)                                            \
    REPLACE(LeaveCriticalSectionWhenCallbackReturns)                                    \
    REPLACE(FreeLibraryWhenCallbackReturns)                                             \
    REPLACE(CallbackMayRunLong)                                                         \
    REPLACE(DisassociateCurrentThreadFromCallback)                                      \
    CATCHER(CreateThreadpoolIo)                                                          \
    CATCHER(GetSystemTime)                                                               \
    CATCHER(GetLocalTime)                                                                \
    CATCHER(QueryUnbiasedInterruptTime)                                                  \
    ENTRY(GetHandleInformation, wmiemu__w32_GetHandleInformation)                        \
    CATCHER(GetThreadTimes)                                                              \
    CATCHER(GetProcessTimes)
#define CRT_ENTRIES                                                                      \
    ENTRY(_beginthreadex, wmiemu__w32__beginthreadex)                                    \
    ENTRY(_endthreadex, wmiemu__w32__endthreadex)                                        \
    ENTRY(_beginthread, wmiemu__w32__beginthread)                                        \
    ENTRY(_endthread, wmiemu__w32__endthread)
#define USER32_ENTRIES                                                                   \
    CATCHER(MsgWaitForMultipleObjects)                                                   \
    CATCHER(MsgWaitForMultipleObjectsEx)
#define WINMM_ENTRIES                                                                    \
    CATCHER(timeGetTime)                                                                 \
    CATCHER(timeSetEvent)
    KERNEL_ENTRIES CRT_ENTRIES USER32_ENTRIES WINMM_ENTRIES
};

#define COUNT(str, fn) +1
#undef ENTRY_S
#define ENTRY_S COUNT
/* Where each kind's entries end in imports[]. */
static const size_t kind_end[] = {
    0 KERNEL_ENTRIES,
    0 KERNEL_ENTRIES CRT_ENTRIES,
    0 KERNEL_ENTRIES CRT_ENTRIES USER32_ENTRIES,
    0 KERNEL_ENTRIES CRT_ENTRIES USER32_ENTRIES WINMM_ENTRIES,
};
_Static_assert(sizeof kind_end / sizeof *kind_end == DLL_NONE, "one end per DLL kind");

void *wmiemu__seam_import_find(const char *dll, const char *name)
{
    int kind = dll_kind(dll);
    if (kind == DLL_NONE || !name)
        return NULL;
    for (size_t i = kind ? kind_end[kind - 1] : 0; i < kind_end[kind]; i++)
        if (!strcmp(imports[i].name, name))
            return imports[i].fn;
    return NULL;
}

const wmiemu__seam_import_t *wmiemu__seam_imports(size_t *count)
{
    if (count)
        *count = sizeof imports / sizeof *imports;
    return imports;
}

/* A module's file name, to classify it; "" when unknown. */
static void module_name(HMODULE m, char *buf, DWORD size)
{
    DWORD n = GetModuleFileNameA(m, buf, size);
    if (!n || n >= size)
        buf[0] = 0;
}

FARPROC WINAPI wmiemu__w32_GetProcAddress(HMODULE module, LPCSTR name)
{
    /* By ordinal (a small integer for a pointer): the system's answer. */
    if (module && !IS_INTRESOURCE(name)) {
        char path[MAX_PATH];
        module_name(module, path, sizeof path);
        void *fn = wmiemu__seam_import_find(path, name);
        if (fn)
            return (FARPROC)fn;
    }
    return GetProcAddress(module, name);
}
