/* The replacements for the Win32 functions given handles. An explored DLL
 * holds compat's handles (its threads, events, mutexes, semaphores) and
 * the system's (files, processes, an event the host made) at once: each
 * goes to its own implementation. A wait that would block on a real handle
 * is beyond the scheduler, so it first tells the seam (which ends a
 * schedule as not reproducible); a poll (timeout 0) is fine. One wait over
 * handles of both kinds cannot be served by either side: it fails with
 * ERROR_NOT_SUPPORTED. No w32_names.h here: the plain names are kernel32's. */
#include <windows.h>

#include "compat/handle.h"
#include "compat/seam.h"

/* compat's own, renamed by w32_names.h in its sources. */
BOOL WINAPI wmiemu__w32c_CloseHandle(HANDLE h);
DWORD WINAPI wmiemu__w32c_ResumeThread(HANDLE h);
void WINAPI wmiemu__w32c_ExitThread(DWORD code) __attribute__((noreturn));
BOOL WINAPI wmiemu__w32c_GetExitCodeThread(HANDLE h, LPDWORD code);
DWORD WINAPI wmiemu__w32c_WaitForMultipleObjects(DWORD n, const HANDLE *handles, BOOL wait_all, DWORD ms);
DWORD WINAPI wmiemu__w32c_WaitForMultipleObjectsEx(DWORD n, const HANDLE *handles, BOOL wait_all, DWORD ms,
                                                   BOOL alertable);
DWORD WINAPI wmiemu__w32c_WaitForSingleObject(HANDLE h, DWORD ms);
DWORD WINAPI wmiemu__w32c_WaitForSingleObjectEx(HANDLE h, DWORD ms, BOOL alertable);
DWORD WINAPI wmiemu__w32c_SignalObjectAndWait(HANDLE signal, HANDLE wait, DWORD ms, BOOL alertable);
BOOL WINAPI wmiemu__w32c_SetEvent(HANDLE h);
BOOL WINAPI wmiemu__w32c_ResetEvent(HANDLE h);
BOOL WINAPI wmiemu__w32c_ReleaseMutex(HANDLE h);
BOOL WINAPI wmiemu__w32c_ReleaseSemaphore(HANDLE h, LONG count, LONG *prev);

#define PSEUDO_CURRENT_PROCESS ((HANDLE)~(ULONG_PTR)0)

#define IS_COMPAT(h) wmiemu__handle_is_compat(h)

/* A real wait that may block: the schedule cannot order it. */
static void real_wait(const char *call, DWORD ms)
{
    if (ms)
        wmiemu__seam_uncontrolled(call);
}

BOOL WINAPI wmiemu__w32_CloseHandle(HANDLE h)
{
    return IS_COMPAT(h) ? wmiemu__w32c_CloseHandle(h) : CloseHandle(h);
}

DWORD WINAPI wmiemu__w32_ResumeThread(HANDLE h)
{
    return IS_COMPAT(h) ? wmiemu__w32c_ResumeThread(h) : ResumeThread(h);
}

/* A thread compat did not make (the host's, calling into the DLL) ends as
 * kernel32 ends it, unless a schedule runs: its threads are all the
 * scheduler's, and compat's ExitThread ends them through the seam. */
void WINAPI wmiemu__w32_ExitThread(DWORD code)
{
    if (!wmiemu__thread_self() && wmiemu__sched_ops_current() == &wmiemu__sched_ops_default)
        ExitThread(code);
    wmiemu__w32c_ExitThread(code);
}

BOOL WINAPI wmiemu__w32_GetExitCodeThread(HANDLE h, LPDWORD code)
{
    return IS_COMPAT(h) ? wmiemu__w32c_GetExitCodeThread(h, code) : GetExitCodeThread(h, code);
}

BOOL WINAPI wmiemu__w32_SetEvent(HANDLE h)
{
    return IS_COMPAT(h) ? wmiemu__w32c_SetEvent(h) : SetEvent(h);
}

BOOL WINAPI wmiemu__w32_ResetEvent(HANDLE h)
{
    return IS_COMPAT(h) ? wmiemu__w32c_ResetEvent(h) : ResetEvent(h);
}

BOOL WINAPI wmiemu__w32_ReleaseMutex(HANDLE h)
{
    return IS_COMPAT(h) ? wmiemu__w32c_ReleaseMutex(h) : ReleaseMutex(h);
}

BOOL WINAPI wmiemu__w32_ReleaseSemaphore(HANDLE h, LONG count, LONG *prev)
{
    return IS_COMPAT(h) ? wmiemu__w32c_ReleaseSemaphore(h, count, prev) : ReleaseSemaphore(h, count, prev);
}

DWORD WINAPI wmiemu__w32_WaitForSingleObject(HANDLE h, DWORD ms)
{
    if (IS_COMPAT(h))
        return wmiemu__w32c_WaitForSingleObject(h, ms);
    real_wait("kernel32!WaitForSingleObject", ms);
    return WaitForSingleObject(h, ms);
}

DWORD WINAPI wmiemu__w32_WaitForSingleObjectEx(HANDLE h, DWORD ms, BOOL alertable)
{
    if (IS_COMPAT(h))
        return wmiemu__w32c_WaitForSingleObjectEx(h, ms, alertable);
    real_wait("kernel32!WaitForSingleObjectEx", ms);
    return WaitForSingleObjectEx(h, ms, alertable);
}

/* How many of the handles are compat's: 0, n, or between (mixed). */
static DWORD compat_count(DWORD n, const HANDLE *handles)
{
    DWORD c = 0;
    for (DWORD i = 0; handles && i < n && i < MAXIMUM_WAIT_OBJECTS; i++)
        c += IS_COMPAT(handles[i]) ? 1 : 0;
    return c;
}

static DWORD wait_multiple(const char *call, DWORD n, const HANDLE *handles, BOOL wait_all, DWORD ms,
                           BOOL alertable)
{
    DWORD c = compat_count(n, handles);
    /* Bad arguments: compat's checks answer as Windows does. */
    if (!handles || !n || n > MAXIMUM_WAIT_OBJECTS || c == n)
        return wmiemu__w32c_WaitForMultipleObjectsEx(n, handles, wait_all, ms, alertable);
    if (c) {
        SetLastError(ERROR_NOT_SUPPORTED);
        return WAIT_FAILED;
    }
    real_wait(call, ms);
    return WaitForMultipleObjectsEx(n, handles, wait_all, ms, alertable);
}

DWORD WINAPI wmiemu__w32_WaitForMultipleObjects(DWORD n, const HANDLE *handles, BOOL wait_all, DWORD ms)
{
    return wait_multiple("kernel32!WaitForMultipleObjects", n, handles, wait_all, ms, FALSE);
}

DWORD WINAPI wmiemu__w32_WaitForMultipleObjectsEx(DWORD n, const HANDLE *handles, BOOL wait_all, DWORD ms,
                                                 BOOL alertable)
{
    return wait_multiple("kernel32!WaitForMultipleObjectsEx", n, handles, wait_all, ms, alertable);
}

DWORD WINAPI wmiemu__w32_SignalObjectAndWait(HANDLE signal, HANDLE wait, DWORD ms, BOOL alertable)
{
    BOOL cs = IS_COMPAT(signal), cw = IS_COMPAT(wait);
    if (cs && cw)
        return wmiemu__w32c_SignalObjectAndWait(signal, wait, ms, alertable);
    if (cs || cw) {
        SetLastError(ERROR_NOT_SUPPORTED);
        return WAIT_FAILED;
    }
    real_wait("kernel32!SignalObjectAndWait", ms);
    return SignalObjectAndWait(signal, wait, ms, alertable);
}

/* Whether p is this process (its pseudo handle or a real handle to it). */
static BOOL is_this_process(HANDLE p)
{
    return p == PSEUDO_CURRENT_PROCESS || (p && GetProcessId(p) == GetCurrentProcessId());
}

/* compat's objects live in this process only; their access rights are
 * not modelled, so every duplicate has the same access. */
BOOL WINAPI wmiemu__w32_DuplicateHandle(HANDLE src_process, HANDLE src, HANDLE dst_process, LPHANDLE dst,
                                        DWORD access, BOOL inherit, DWORD options)
{
    if (!IS_COMPAT(src))
        return DuplicateHandle(src_process, src, dst_process, dst, access, inherit, options);
    if (!is_this_process(src_process) || (dst && !is_this_process(dst_process))) {
        SetLastError(ERROR_NOT_SUPPORTED);
        return FALSE;
    }
    BOOL ok = TRUE;
    if (dst) {
        wmiemu__kobj_t *o = wmiemu__handle_get(src);
        if (!o)
            return FALSE; /* ERROR_INVALID_HANDLE set */
        *dst = wmiemu__handle_new(o);
        ok = *dst != NULL;
        wmiemu__kobj_release(o);
    }
    if (options & DUPLICATE_CLOSE_SOURCE)
        wmiemu__w32c_CloseHandle(src);
    return ok;
}

/* compat's handles have no flags (not inheritable, closable). MinGW's
 * libwinpthread asks before pthread_join and pthread_detach, which fail
 * with ESRCH when it gets FALSE. */
BOOL WINAPI wmiemu__w32_GetHandleInformation(HANDLE h, LPDWORD flags)
{
    if (!IS_COMPAT(h))
        return GetHandleInformation(h, flags);
    wmiemu__kobj_t *o = wmiemu__handle_get(h);
    if (!o)
        return FALSE; /* ERROR_INVALID_HANDLE set */
    wmiemu__kobj_release(o);
    if (!flags) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    *flags = 0;
    return TRUE;
}
