/*
 * One-time initialisation. The INIT_ONCE word holds the state in its low
 * two bits (INIT_ONCE_CTX_RESERVED_BITS) and the context above them:
 * 0 not started, 1 one thread initialising (others sleep on the word),
 * 2 done, 3 asynchronous attempts under way. A zeroed INIT_ONCE
 * (INIT_ONCE_STATIC_INIT) works and needs no cleanup.
 */
#include "compat/seam.h"

enum { ONCE_NEW = 0, ONCE_BUSY = 1, ONCE_DONE = 2, ONCE_ASYNC = 3 };
#define ONCE_STATE(v) ((v) & 3)

static ULONG_PTR *once_word(INIT_ONCE *once)
{
    return (ULONG_PTR *)&once->Ptr;
}

void WINAPI InitOnceInitialize(INIT_ONCE *once)
{
    once->Ptr = NULL;
}

static BOOL fail(DWORD err)
{
    SetLastError(err);
    return FALSE;
}

BOOL WINAPI InitOnceBeginInitialize(INIT_ONCE *once, DWORD flags, BOOL *pending, void **context)
{
    if (!once || !pending || (flags & ~(DWORD)(INIT_ONCE_CHECK_ONLY | INIT_ONCE_ASYNC)))
        return fail(ERROR_INVALID_PARAMETER);
    const wmiemu__sched_ops_t *ops = wmiemu__sched_ops_current();
    ULONG_PTR *w = once_word(once);
    ops->point(ops->ctx, "InitOnceBeginInitialize");
    if (flags & INIT_ONCE_CHECK_ONLY) {
        if (flags & INIT_ONCE_ASYNC)
            return fail(ERROR_INVALID_PARAMETER);
        ULONG_PTR v = __atomic_load_n(w, __ATOMIC_ACQUIRE);
        if (ONCE_STATE(v) != ONCE_DONE) {
            *pending = TRUE;
            return fail(ERROR_GEN_FAILURE);
        }
        *pending = FALSE;
        if (context)
            *context = (void *)(v & ~(ULONG_PTR)3);
        return TRUE;
    }
    BOOL async = (flags & INIT_ONCE_ASYNC) != 0;
    for (;;) {
        ULONG_PTR v = __atomic_load_n(w, __ATOMIC_ACQUIRE);
        switch (ONCE_STATE(v)) {
        case ONCE_NEW:
            if (__atomic_compare_exchange_n(w, &v, async ? ONCE_ASYNC : ONCE_BUSY, 0, __ATOMIC_ACQ_REL,
                                            __ATOMIC_ACQUIRE)) {
                *pending = TRUE;
                return TRUE;
            }
            break;
        case ONCE_BUSY:
            /* Synchronous and asynchronous attempts do not mix. */
            if (async)
                return fail(ERROR_INVALID_PARAMETER);
            ops->addr_wait(ops->ctx, w, &v, sizeof v, INFINITE);
            break;
        case ONCE_DONE:
            *pending = FALSE;
            if (context)
                *context = (void *)(v & ~(ULONG_PTR)3);
            return TRUE;
        case ONCE_ASYNC:
            if (!async)
                return fail(ERROR_INVALID_PARAMETER);
            *pending = TRUE;
            return TRUE;
        }
    }
}

BOOL WINAPI InitOnceComplete(INIT_ONCE *once, DWORD flags, void *context)
{
    if (!once || (flags & ~(DWORD)(INIT_ONCE_ASYNC | INIT_ONCE_INIT_FAILED)) ||
        ((ULONG_PTR)context & 3))
        return fail(ERROR_INVALID_PARAMETER);
    ULONG_PTR next = (ULONG_PTR)context | ONCE_DONE;
    if (flags & INIT_ONCE_INIT_FAILED) {
        if (context || (flags & INIT_ONCE_ASYNC))
            return fail(ERROR_INVALID_PARAMETER);
        next = ONCE_NEW; /* the next caller tries again */
    }
    const wmiemu__sched_ops_t *ops = wmiemu__sched_ops_current();
    ULONG_PTR *w = once_word(once);
    for (;;) {
        ULONG_PTR v = __atomic_load_n(w, __ATOMIC_ACQUIRE);
        switch (ONCE_STATE(v)) {
        case ONCE_BUSY:
            if (flags & INIT_ONCE_ASYNC)
                return fail(ERROR_INVALID_PARAMETER);
            if (!__atomic_compare_exchange_n(w, &v, next, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
                continue;
            ops->addr_wake(ops->ctx, w, TRUE);
            return TRUE;
        case ONCE_ASYNC:
            if (!(flags & INIT_ONCE_ASYNC))
                return fail(ERROR_INVALID_PARAMETER);
            if (!__atomic_compare_exchange_n(w, &v, next, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
                continue;
            ops->point(ops->ctx, "InitOnceComplete");
            return TRUE;
        default:
            /* Not begun, or another asynchronous attempt finished first. */
            return fail(ERROR_GEN_FAILURE);
        }
    }
}

BOOL WINAPI InitOnceExecuteOnce(INIT_ONCE *once, PINIT_ONCE_FN fn, void *param, void **context)
{
    BOOL pending;
    if (!fn)
        return fail(ERROR_INVALID_PARAMETER);
    if (!InitOnceBeginInitialize(once, 0, &pending, context))
        return FALSE;
    if (!pending)
        return TRUE;
    void *made = NULL;
    if (!fn(once, param, &made)) {
        InitOnceComplete(once, INIT_ONCE_INIT_FAILED, NULL);
        return FALSE;
    }
    if (!InitOnceComplete(once, 0, made)) {
        /* A context with its reserved low bits set: let others retry. */
        InitOnceComplete(once, INIT_ONCE_INIT_FAILED, NULL);
        return fail(ERROR_INVALID_PARAMETER);
    }
    if (context)
        *context = made;
    return TRUE;
}
