/*
 * Condition variables. The CONDITION_VARIABLE's word is a wake counter:
 * a sleeper reads it before letting go of its lock and sleeps while it is
 * unchanged, a waker bumps it and wakes sleepers on it, so a wake between
 * the unlock and the sleep is never lost and a zeroed variable works with
 * nothing to free. Wakes may be spurious, as Windows documents.
 */
#include "compat/seam.h"

static ULONG_PTR *cv_word(CONDITION_VARIABLE *cv)
{
    return (ULONG_PTR *)&cv->Ptr;
}

void WINAPI InitializeConditionVariable(CONDITION_VARIABLE *cv)
{
    cv->Ptr = NULL;
}

/* Sleeps on cv; FALSE once the timeout passed. The caller has let go of
 * its lock after reading *seq. */
static BOOL cv_sleep(CONDITION_VARIABLE *cv, ULONG_PTR seq, DWORD ms)
{
    const wmiemu__sched_ops_t *ops = wmiemu__sched_ops_current();
    return ops->addr_wait(ops->ctx, cv_word(cv), &seq, sizeof seq, ms);
}

static BOOL cv_result(BOOL woken)
{
    if (!woken)
        SetLastError(ERROR_TIMEOUT);
    return woken;
}

BOOL WINAPI SleepConditionVariableCS(CONDITION_VARIABLE *cv, CRITICAL_SECTION *cs, DWORD ms)
{
    ULONG_PTR seq = __atomic_load_n(cv_word(cv), __ATOMIC_ACQUIRE);
    LeaveCriticalSection(cs);
    BOOL woken = cv_sleep(cv, seq, ms);
    EnterCriticalSection(cs);
    return cv_result(woken);
}

BOOL WINAPI SleepConditionVariableSRW(CONDITION_VARIABLE *cv, SRWLOCK *lock, DWORD ms, ULONG flags)
{
    BOOL shared = (flags & CONDITION_VARIABLE_LOCKMODE_SHARED) != 0;
    ULONG_PTR seq = __atomic_load_n(cv_word(cv), __ATOMIC_ACQUIRE);
    if (shared)
        ReleaseSRWLockShared(lock);
    else
        ReleaseSRWLockExclusive(lock);
    BOOL woken = cv_sleep(cv, seq, ms);
    if (shared)
        AcquireSRWLockShared(lock);
    else
        AcquireSRWLockExclusive(lock);
    return cv_result(woken);
}

void WINAPI WakeConditionVariable(CONDITION_VARIABLE *cv)
{
    const wmiemu__sched_ops_t *ops = wmiemu__sched_ops_current();
    __atomic_add_fetch(cv_word(cv), 1, __ATOMIC_RELEASE);
    ops->addr_wake(ops->ctx, cv_word(cv), FALSE);
}

void WINAPI WakeAllConditionVariable(CONDITION_VARIABLE *cv)
{
    const wmiemu__sched_ops_t *ops = wmiemu__sched_ops_current();
    __atomic_add_fetch(cv_word(cv), 1, __ATOMIC_RELEASE);
    ops->addr_wake(ops->ctx, cv_word(cv), TRUE);
}
