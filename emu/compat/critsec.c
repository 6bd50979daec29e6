/*
 * CRITICAL_SECTION over the seam's recursive mutex. Wine's structure is
 * kept: LockSemaphore points to our state, OwningThread and RecursionCount
 * say who holds it, as code that peeks at them expects. A section that was
 * never initialised (zeroed memory) is initialised on first use rather
 * than crashing.
 */
#include <stdlib.h>
#include <string.h>

#include "compat/seam.h"

typedef struct {
    const wmiemu__sched_ops_t *ops;
    void *mutex;
} cs_state_t;

static cs_state_t *cs_state_new(void)
{
    const wmiemu__sched_ops_t *ops = wmiemu__sched_ops_current();
    cs_state_t *st = malloc(sizeof *st);
    if (!st)
        return NULL;
    st->ops = ops;
    st->mutex = ops->mutex_create(ops->ctx);
    if (!st->mutex) {
        free(st);
        return NULL;
    }
    return st;
}

static void cs_state_free(cs_state_t *st)
{
    st->ops->obj_destroy(st->ops->ctx, st->mutex);
    free(st);
}

static cs_state_t *cs_state(CRITICAL_SECTION *cs)
{
    cs_state_t *st = __atomic_load_n((cs_state_t **)&cs->LockSemaphore, __ATOMIC_ACQUIRE);
    if (st)
        return st;
    cs_state_t *fresh = cs_state_new(), *expected = NULL;
    if (!fresh)
        abort(); /* Windows raises STATUS_NO_MEMORY here too */
    if (__atomic_compare_exchange_n((cs_state_t **)&cs->LockSemaphore, &expected, fresh, 0, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
        return fresh;
    cs_state_free(fresh);
    return expected;
}

BOOL WINAPI InitializeCriticalSectionEx(CRITICAL_SECTION *cs, DWORD spin, DWORD flags)
{
    (void)flags;
    if (!cs) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    memset(cs, 0, sizeof *cs);
    cs->LockCount = -1;
    cs->SpinCount = spin;
    cs_state_t *st = cs_state_new();
    if (!st) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return FALSE;
    }
    cs->LockSemaphore = st;
    return TRUE;
}

BOOL WINAPI InitializeCriticalSectionAndSpinCount(CRITICAL_SECTION *cs, DWORD spin)
{
    return InitializeCriticalSectionEx(cs, spin, 0);
}

/* The spin count only tunes how long Windows spins before it blocks; the
 * seam blocks at once, so it is kept for those who read it back. */
DWORD WINAPI SetCriticalSectionSpinCount(CRITICAL_SECTION *cs, DWORD spin)
{
    if (!cs)
        return 0;
    return (DWORD)__atomic_exchange_n(&cs->SpinCount, (ULONG_PTR)spin, __ATOMIC_RELAXED);
}

void WINAPI InitializeCriticalSection(CRITICAL_SECTION *cs)
{
    InitializeCriticalSectionEx(cs, 0, 0);
}

void WINAPI DeleteCriticalSection(CRITICAL_SECTION *cs)
{
    if (!cs)
        return;
    cs_state_t *st = __atomic_exchange_n((cs_state_t **)&cs->LockSemaphore, NULL, __ATOMIC_ACQ_REL);
    if (st)
        cs_state_free(st);
    cs->OwningThread = NULL;
    cs->RecursionCount = 0;
    cs->LockCount = -1;
}

static void note_owner(CRITICAL_SECTION *cs)
{
    __atomic_store_n(&cs->OwningThread, (HANDLE)(ULONG_PTR)GetCurrentThreadId(), __ATOMIC_RELAXED);
    __atomic_add_fetch(&cs->RecursionCount, 1, __ATOMIC_RELAXED);
}

void WINAPI EnterCriticalSection(CRITICAL_SECTION *cs)
{
    if (!cs)
        return;
    cs_state_t *st = cs_state(cs);
    st->ops->mutex_lock(st->ops->ctx, st->mutex);
    note_owner(cs);
}

BOOL WINAPI TryEnterCriticalSection(CRITICAL_SECTION *cs)
{
    if (!cs)
        return FALSE;
    cs_state_t *st = cs_state(cs);
    if (!st->ops->mutex_trylock(st->ops->ctx, st->mutex))
        return FALSE;
    note_owner(cs);
    return TRUE;
}

void WINAPI LeaveCriticalSection(CRITICAL_SECTION *cs)
{
    if (!cs)
        return;
    cs_state_t *st = __atomic_load_n((cs_state_t **)&cs->LockSemaphore, __ATOMIC_ACQUIRE);
    HANDLE me = (HANDLE)(ULONG_PTR)GetCurrentThreadId();
    /* Leaving a section one does not own corrupts it on Windows; here it
     * is ignored so the real owner keeps it. */
    if (!st || __atomic_load_n(&cs->OwningThread, __ATOMIC_RELAXED) != me ||
        __atomic_load_n(&cs->RecursionCount, __ATOMIC_RELAXED) <= 0)
        return;
    if (__atomic_sub_fetch(&cs->RecursionCount, 1, __ATOMIC_RELAXED) == 0)
        __atomic_store_n(&cs->OwningThread, NULL, __ATOMIC_RELAXED);
    st->ops->mutex_unlock(st->ops->ctx, st->mutex);
}
