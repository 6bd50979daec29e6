/* Sleep and the clocks, through the seam (virtual under the deterministic
 * scheduler). QueryPerformanceCounter ticks in 100 ns units. */
#include "compat/seam.h"

void WINAPI Sleep(DWORD ms)
{
    const wmiemu__sched_ops_t *ops = wmiemu__sched_ops_current();
    ops->sleep(ops->ctx, ms);
}

/* Nothing queues APCs or I/O completions, so an alertable sleep runs out. */
DWORD WINAPI SleepEx(DWORD ms, BOOL alertable)
{
    (void)alertable;
    Sleep(ms);
    return 0;
}

ULONGLONG WINAPI GetTickCount64(void)
{
    const wmiemu__sched_ops_t *ops = wmiemu__sched_ops_current();
    return ops->now_ms(ops->ctx);
}

DWORD WINAPI GetTickCount(void)
{
    return (DWORD)GetTickCount64();
}

BOOL WINAPI QueryPerformanceFrequency(LARGE_INTEGER *f)
{
    if (!f) {
        SetLastError(ERROR_NOACCESS);
        return FALSE;
    }
    f->QuadPart = 10000000;
    return TRUE;
}

BOOL WINAPI QueryPerformanceCounter(LARGE_INTEGER *c)
{
    if (!c) {
        SetLastError(ERROR_NOACCESS);
        return FALSE;
    }
    c->QuadPart = (LONGLONG)GetTickCount64() * 10000;
    return TRUE;
}
