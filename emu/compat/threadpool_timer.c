/*
 * Thread-pool timers and waits (CreateThreadpoolTimer, SetThreadpoolWait
 * & co.). Each arming has a thread of its own, made by CreateThread, that
 * waits with compat's waits on the arming's cancel event (and, for a wait
 * object, on the caller's handle) until the due time by GetTickCount64:
 * under explore both are virtual, so timers fire at the virtual time asked
 * and every fire is a scheduling point. Re-arming or closing sets the
 * cancel event; the arming thread notices under the pool lock that it is
 * no longer current and ends. Callbacks are queued as threadpool.c's are,
 * each on a thread of its own, so a periodic timer's slow callback delays
 * neither the next one nor other timers.
 */
#include <stdlib.h>
#include <time.h>

#ifndef _WIN32
#include "wmiemu_extern.h"
#endif

#include "compat/handle.h"
#include "compat/threadpool.h"

#define NEVER (~(ULONGLONG)0)
#define FILETIME_UNIX_EPOCH 116444736000000000ULL
/* The wall clock under a scheduler, as win/w32_time.c has it. */
#define VIRTUAL_EPOCH 134116992000000000ULL

#ifdef _WIN32
void WINAPI wmiemu__w32_GetSystemTimeAsFileTime(FILETIME *ft);
DWORD WINAPI wmiemu__w32_WaitForSingleObject(HANDLE h, DWORD ms);
#else
/* Not in Wine's headers. */
WMIEMU_EXTERN BOOL WINAPI SetThreadpoolTimerEx(PTP_TIMER timer, PFILETIME due, DWORD period, DWORD window);
WMIEMU_EXTERN BOOL WINAPI SetThreadpoolWaitEx(PTP_WAIT wait, HANDLE h, PFILETIME timeout, PVOID reserved);
#endif

struct tp_arm {
    tp_object_t *o;
    HANDLE cancel;  /* set when the arming is no longer o's current one */
    HANDLE handle;  /* a wait's object; NULL for timers */
    ULONGLONG due;  /* by GetTickCount64; NEVER: a wait without timeout */
    DWORD period;   /* a timer's, 0: once */
};

/* System time as a FILETIME: virtual under a scheduler. */
static ULONGLONG now_filetime(void)
{
#ifdef _WIN32
    FILETIME ft;
    wmiemu__w32_GetSystemTimeAsFileTime(&ft);
    return ((ULONGLONG)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
#else
    const wmiemu__sched_ops_t *ops = wmiemu__sched_ops_current();
    if (ops != &wmiemu__sched_ops_default)
        return VIRTUAL_EPOCH + ops->now_ms(ops->ctx) * 10000ULL;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return FILETIME_UNIX_EPOCH + (ULONGLONG)ts.tv_sec * 10000000ULL + (ULONGLONG)ts.tv_nsec / 100;
#endif
}

/* A FILETIME due time (negative: relative, in 100 ns; positive: absolute
 * system time; 0: now) as GetTickCount64's time, rounded up. */
static ULONGLONG due_ms(const FILETIME *ft)
{
    LONGLONG v = (LONGLONG)(((ULONGLONG)ft->dwHighDateTime << 32) | ft->dwLowDateTime);
    ULONGLONG now = GetTickCount64();
    if (v < 0)
        return now + ((ULONGLONG)-v + 9999) / 10000;
    ULONGLONG sys = v ? now_filetime() : 0;
    return (ULONGLONG)v > sys ? now + ((ULONGLONG)v - sys + 9999) / 10000 : now;
}

static DWORD until(ULONGLONG due, ULONGLONG now)
{
    if (due == NEVER)
        return INFINITE;
    if (due <= now)
        return 0;
    return due - now >= INFINITE ? INFINITE - 1 : (DWORD)(due - now);
}

/* What the arming's wait of `ms` gave, as a callback's TP_WAIT_RESULT;
 * WAIT_FAILED when cancelled or failed. */
static DWORD arm_wait(tp_arm_t *a, DWORD ms)
{
    if (!a->handle) {
        DWORD r = WaitForSingleObject(a->cancel, ms);
        return r == WAIT_TIMEOUT ? WAIT_TIMEOUT : WAIT_FAILED;
    }
#ifdef _WIN32
    if (!wmiemu__handle_is_compat(a->handle)) {
        /* The system's object: beyond the schedule, and not cancellable
         * before it is signalled or times out. */
        if (ms)
            wmiemu__seam_uncontrolled("kernel32!SetThreadpoolWait");
        DWORD r = wmiemu__w32_WaitForSingleObject(a->handle, ms);
        return r == WAIT_OBJECT_0 || r == WAIT_TIMEOUT ? r : WAIT_FAILED;
    }
#endif
    HANDLE hs[2] = { a->cancel, a->handle };
    DWORD r = WaitForMultipleObjects(2, hs, FALSE, ms);
    if (r == WAIT_OBJECT_0 + 1)
        return WAIT_OBJECT_0;
    if (r == WAIT_ABANDONED_0 + 1)
        return WAIT_ABANDONED_0;
    return r == WAIT_TIMEOUT ? WAIT_TIMEOUT : WAIT_FAILED;
}

/* One clock read per firing: under explore each is a scheduling point. */
static DWORD WINAPI arm_main(void *arg)
{
    tp_arm_t *a = arg;
    tp_object_t *o = a->o;
    wmiemu__tp_lock();
    while (o->arm == a) {
        ULONGLONG now = GetTickCount64();
        DWORD ms = until(a->due, now);
        if (a->handle || ms) {
            wmiemu__tp_unlock();
            DWORD r = arm_wait(a, ms);
            wmiemu__tp_lock();
            if (o->arm != a)
                break;
            if (a->handle) {
                /* A wait fires once; re-arming is the caller's. */
                wmiemu__tp_retire_arm(o);
                if (r != WAIT_FAILED)
                    wmiemu__tp_queue(o, r);
                break;
            }
            if (r != WAIT_TIMEOUT)
                continue;
            now = a->due; /* timed out: due */
        }
        /* A timer fell due. */
        if (a->period) {
            a->due += a->period;
            if (a->due <= now) /* late: no burst to catch up */
                a->due = now + a->period;
        } else {
            wmiemu__tp_retire_arm(o);
        }
        wmiemu__tp_queue(o, 0);
    }
    CloseHandle(a->cancel);
    free(a);
    wmiemu__tp_release(o);
    wmiemu__tp_changed();
    wmiemu__tp_unlock();
    return 0;
}

BOOL wmiemu__tp_disarm(tp_object_t *o)
{
    if (!o->arm)
        return FALSE;
    SetEvent(o->arm->cancel);
    wmiemu__tp_retire_arm(o);
    wmiemu__tp_changed();
    return TRUE;
}

/* Under the lock: a new arming of o. */
static void arm(tp_object_t *o, HANDLE handle, ULONGLONG due, DWORD period)
{
    tp_arm_t *a = calloc(1, sizeof *a);
    HANDLE cancel = a ? CreateEventW(NULL, TRUE, FALSE, NULL) : NULL;
    if (!cancel) {
        free(a);
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return;
    }
    a->o = o;
    a->cancel = cancel;
    a->handle = handle;
    a->due = due;
    a->period = period;
    o->arm = a;
    o->refs++;
    if (!wmiemu__tp_start(o, arm_main, a, a)) {
        o->arm = NULL;
        o->refs--;
        CloseHandle(cancel);
        free(a);
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    }
}

/* ---- timers ---- */

PTP_TIMER WINAPI CreateThreadpoolTimer(PTP_TIMER_CALLBACK fn, PVOID ctx, PTP_CALLBACK_ENVIRON env)
{
    return (PTP_TIMER)wmiemu__tp_object_new(TP_KIND_TIMER, (void *)fn, ctx, env);
}

/* window (coalescing) is a hint: timers fire when due. */
BOOL WINAPI SetThreadpoolTimerEx(PTP_TIMER timer, PFILETIME due, DWORD period, DWORD window)
{
    (void)window;
    tp_object_t *o = wmiemu__tp_check(timer, TP_KIND_TIMER);
    if (!o)
        return FALSE;
    wmiemu__tp_lock();
    BOOL was_set = wmiemu__tp_disarm(o);
    if (due)
        arm(o, NULL, due_ms(due), period);
    wmiemu__tp_unlock();
    return was_set;
}

void WINAPI SetThreadpoolTimer(PTP_TIMER timer, PFILETIME due, DWORD period, DWORD window)
{
    SetThreadpoolTimerEx(timer, due, period, window);
}

BOOL WINAPI IsThreadpoolTimerSet(PTP_TIMER timer)
{
    tp_object_t *o = wmiemu__tp_check(timer, TP_KIND_TIMER);
    if (!o)
        return FALSE;
    wmiemu__tp_lock();
    BOOL set = o->arm != NULL;
    wmiemu__tp_unlock();
    return set;
}

void WINAPI WaitForThreadpoolTimerCallbacks(PTP_TIMER timer, BOOL cancel)
{
    tp_object_t *o = wmiemu__tp_check(timer, TP_KIND_TIMER);
    if (o)
        wmiemu__tp_wait_callbacks(o, cancel);
}

void WINAPI CloseThreadpoolTimer(PTP_TIMER timer)
{
    tp_object_t *o = wmiemu__tp_check(timer, TP_KIND_TIMER);
    if (o)
        wmiemu__tp_close(o);
}

/* ---- waits ---- */

PTP_WAIT WINAPI CreateThreadpoolWait(PTP_WAIT_CALLBACK fn, PVOID ctx, PTP_CALLBACK_ENVIRON env)
{
    return (PTP_WAIT)wmiemu__tp_object_new(TP_KIND_WAIT, (void *)fn, ctx, env);
}

BOOL WINAPI SetThreadpoolWaitEx(PTP_WAIT wait, HANDLE h, PFILETIME timeout, PVOID reserved)
{
    (void)reserved;
    tp_object_t *o = wmiemu__tp_check(wait, TP_KIND_WAIT);
    if (!o)
        return FALSE;
    wmiemu__tp_lock();
    BOOL was_set = wmiemu__tp_disarm(o);
    if (h)
        arm(o, h, timeout ? due_ms(timeout) : NEVER, 0);
    wmiemu__tp_unlock();
    return was_set;
}

void WINAPI SetThreadpoolWait(PTP_WAIT wait, HANDLE h, PFILETIME timeout)
{
    SetThreadpoolWaitEx(wait, h, timeout, NULL);
}

void WINAPI WaitForThreadpoolWaitCallbacks(PTP_WAIT wait, BOOL cancel)
{
    tp_object_t *o = wmiemu__tp_check(wait, TP_KIND_WAIT);
    if (o)
        wmiemu__tp_wait_callbacks(o, cancel);
}

void WINAPI CloseThreadpoolWait(PTP_WAIT wait)
{
    tp_object_t *o = wmiemu__tp_check(wait, TP_KIND_WAIT);
    if (o)
        wmiemu__tp_close(o);
}
