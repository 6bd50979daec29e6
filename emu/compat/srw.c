/*
 * Slim reader/writer locks. The whole state is the SRWLOCK's one word, so
 * a zeroed lock (SRWLOCK_INIT) works and there is nothing to free, as on
 * Windows: bit 0 says a writer holds it, bits 1-31 count the readers, and
 * the high half counts threads about to block, which addr_wait puts to
 * sleep on the word itself. Acquiring and releasing are scheduling points
 * of the seam whether or not anyone waits, so explore interleaves around
 * them as around critical sections.
 */
#include "compat/seam.h"

#define SRW_EXCLUSIVE ((ULONG_PTR)1)
#define SRW_SHARED_ONE ((ULONG_PTR)2)
#define SRW_SHARED_MASK ((ULONG_PTR)0xfffffffe)
#define SRW_HELD (SRW_EXCLUSIVE | SRW_SHARED_MASK)
#define SRW_WAITER_ONE ((ULONG_PTR)1 << 32)

static ULONG_PTR *srw_word(SRWLOCK *lock)
{
    return (ULONG_PTR *)&lock->Ptr;
}

/* Can the caller take the lock in this state? */
static BOOL srw_free_for(ULONG_PTR v, BOOL exclusive)
{
    return exclusive ? !(v & SRW_HELD) : !(v & SRW_EXCLUSIVE);
}

static BOOL srw_try(ULONG_PTR *w, BOOL exclusive)
{
    ULONG_PTR v = __atomic_load_n(w, __ATOMIC_RELAXED);
    while (srw_free_for(v, exclusive))
        if (__atomic_compare_exchange_n(w, &v, exclusive ? v | SRW_EXCLUSIVE : v + SRW_SHARED_ONE, 1,
                                        __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return TRUE;
    return FALSE;
}

static void srw_acquire(SRWLOCK *lock, BOOL exclusive, const char *op)
{
    const wmiemu__sched_ops_t *ops = wmiemu__sched_ops_current();
    ULONG_PTR *w = srw_word(lock);
    ops->point(ops->ctx, op);
    for (;;) {
        if (srw_try(w, exclusive))
            return;
        /* Count ourselves in, then sleep while the word stays as we left
         * it; any release changes it, so no wake is missed. */
        ULONG_PTR v = __atomic_load_n(w, __ATOMIC_RELAXED);
        if (srw_free_for(v, exclusive) ||
            !__atomic_compare_exchange_n(w, &v, v + SRW_WAITER_ONE, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            continue;
        v += SRW_WAITER_ONE;
        ops->addr_wait(ops->ctx, w, &v, sizeof v, INFINITE);
        __atomic_sub_fetch(w, SRW_WAITER_ONE, __ATOMIC_RELAXED);
    }
}

void WINAPI InitializeSRWLock(SRWLOCK *lock)
{
    lock->Ptr = NULL;
}

void WINAPI AcquireSRWLockExclusive(SRWLOCK *lock)
{
    srw_acquire(lock, TRUE, "AcquireSRWLockExclusive");
}

void WINAPI AcquireSRWLockShared(SRWLOCK *lock)
{
    srw_acquire(lock, FALSE, "AcquireSRWLockShared");
}

BOOLEAN WINAPI TryAcquireSRWLockExclusive(SRWLOCK *lock)
{
    const wmiemu__sched_ops_t *ops = wmiemu__sched_ops_current();
    ops->point(ops->ctx, "TryAcquireSRWLockExclusive");
    return srw_try(srw_word(lock), TRUE);
}

BOOLEAN WINAPI TryAcquireSRWLockShared(SRWLOCK *lock)
{
    const wmiemu__sched_ops_t *ops = wmiemu__sched_ops_current();
    ops->point(ops->ctx, "TryAcquireSRWLockShared");
    return srw_try(srw_word(lock), FALSE);
}

/* Wakes every sleeper when the lock became free: readers and writers
 * alike re-check, and whoever loses sleeps again. */
static void srw_released(const wmiemu__sched_ops_t *ops, ULONG_PTR *w, ULONG_PTR now, const char *op)
{
    if (!(now & SRW_HELD) && now >= SRW_WAITER_ONE)
        ops->addr_wake(ops->ctx, w, TRUE);
    else
        ops->point(ops->ctx, op);
}

/* Releasing a lock one does not hold raises an exception on Windows; here
 * it is ignored so the real holder keeps the lock. */
void WINAPI ReleaseSRWLockExclusive(SRWLOCK *lock)
{
    const wmiemu__sched_ops_t *ops = wmiemu__sched_ops_current();
    ULONG_PTR *w = srw_word(lock);
    ULONG_PTR v = __atomic_load_n(w, __ATOMIC_RELAXED);
    do {
        if (!(v & SRW_EXCLUSIVE))
            return;
    } while (!__atomic_compare_exchange_n(w, &v, v & ~SRW_EXCLUSIVE, 1, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
    srw_released(ops, w, v & ~SRW_EXCLUSIVE, "ReleaseSRWLockExclusive");
}

void WINAPI ReleaseSRWLockShared(SRWLOCK *lock)
{
    const wmiemu__sched_ops_t *ops = wmiemu__sched_ops_current();
    ULONG_PTR *w = srw_word(lock);
    ULONG_PTR v = __atomic_load_n(w, __ATOMIC_RELAXED);
    do {
        if (!(v & SRW_SHARED_MASK) || (v & SRW_EXCLUSIVE))
            return;
    } while (!__atomic_compare_exchange_n(w, &v, v - SRW_SHARED_ONE, 1, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
    srw_released(ops, w, v - SRW_SHARED_ONE, "ReleaseSRWLockShared");
}

/* WaitOnAddress and WakeByAddress*: the seam's address waits as such. */
DECLSPEC_HIDDEN BOOL WINAPI WaitOnAddress(volatile void *addr, void *cmp, SIZE_T size, DWORD timeout)
{
    if (!addr || !cmp || (size != 1 && size != 2 && size != 4 && size != 8)) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    const wmiemu__sched_ops_t *ops = wmiemu__sched_ops_current();
    if (!ops->addr_wait(ops->ctx, addr, cmp, size, timeout)) {
        SetLastError(ERROR_TIMEOUT);
        return FALSE;
    }
    return TRUE;
}

DECLSPEC_HIDDEN void WINAPI WakeByAddressSingle(void *addr)
{
    const wmiemu__sched_ops_t *ops = wmiemu__sched_ops_current();
    if (addr)
        ops->addr_wake(ops->ctx, addr, FALSE);
}

DECLSPEC_HIDDEN void WINAPI WakeByAddressAll(void *addr)
{
    const wmiemu__sched_ops_t *ops = wmiemu__sched_ops_current();
    if (addr)
        ops->addr_wake(ops->ctx, addr, TRUE);
}
