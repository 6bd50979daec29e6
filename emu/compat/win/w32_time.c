/* The clocks and the yield compat's Linux sources do not have, for an
 * explored DLL. Under a scheduler the wall clock is virtual too: a fixed
 * start (2026-01-01 00:00 UTC, so traces do not depend on the day they
 * were made) plus the scheduler's milliseconds. With the real-threads
 * table (no schedule) they are kernel32's. */
#include <windows.h>

#include "compat/seam.h"

#define VIRTUAL_EPOCH 134116992000000000ULL /* 2026-01-01 as a FILETIME */

static BOOL scheduled(const wmiemu__sched_ops_t *ops)
{
    return ops != &wmiemu__sched_ops_default;
}

static void virtual_filetime(const wmiemu__sched_ops_t *ops, FILETIME *ft)
{
    ULONGLONG t = VIRTUAL_EPOCH + ops->now_ms(ops->ctx) * 10000ULL;
    ft->dwLowDateTime = (DWORD)t;
    ft->dwHighDateTime = (DWORD)(t >> 32);
}

void WINAPI wmiemu__w32_GetSystemTimeAsFileTime(FILETIME *ft)
{
    const wmiemu__sched_ops_t *ops = wmiemu__sched_ops_current();
    if (scheduled(ops))
        virtual_filetime(ops, ft);
    else
        GetSystemTimeAsFileTime(ft);
}

void WINAPI wmiemu__w32_GetSystemTimePreciseAsFileTime(FILETIME *ft)
{
    const wmiemu__sched_ops_t *ops = wmiemu__sched_ops_current();
    if (scheduled(ops))
        virtual_filetime(ops, ft);
    else
        GetSystemTimePreciseAsFileTime(ft);
}

/* A yield: a scheduling point under a scheduler. */
BOOL WINAPI wmiemu__w32_SwitchToThread(void)
{
    const wmiemu__sched_ops_t *ops = wmiemu__sched_ops_current();
    if (!scheduled(ops))
        return SwitchToThread();
    ops->point(ops->ctx, "SwitchToThread");
    return TRUE;
}
