/* WaitForSingleObject(Ex) / WaitForMultipleObjects(Ex) and
 * SignalObjectAndWait over the seam. Events, threads, semaphores and
 * mutexes mix in one wait; a mutex the caller already owns is signalled
 * for it alone, so it is left out of the seam's wait and only counts one
 * more recursion (see sync.h). */
#include "compat/sync.h"

/* The seam wait over the objects not owned by the caller; owned[i] says
 * which those are. Returns the seam's result in terms of all n objects. */
static DWORD wait_seam(const wmiemu__sched_ops_t *ops, wmiemu__kobj_t *const *objs, const BOOL *owned, DWORD n,
                       BOOL wait_all, DWORD timeout)
{
    void *waitables[MAXIMUM_WAIT_OBJECTS];
    DWORD map[MAXIMUM_WAIT_OBJECTS], m = 0, first_owned = n;
    for (DWORD i = 0; i < n; i++) {
        if (owned[i]) {
            if (first_owned == n)
                first_owned = i;
            continue;
        }
        map[m] = i;
        waitables[m++] = objs[i]->waitable;
    }
    if (first_owned == n)
        return ops->wait(ops->ctx, waitables, n, wait_all, timeout);
    DWORD r;
    if (wait_all) {
        /* The owned ones are satisfied already: wait for the rest. */
        if (!m) {
            ops->point(ops->ctx, "WaitForMultipleObjects");
            return 0;
        }
        r = ops->wait(ops->ctx, waitables, m, TRUE, timeout);
        return r == WAIT_TIMEOUT || r == WAIT_FAILED ? r : 0;
    }
    /* The lowest signalled index wins: poll those before the owned one. */
    DWORD before = 0;
    while (before < m && map[before] < first_owned)
        before++;
    if (!before) {
        ops->point(ops->ctx, "WaitForSingleObject");
        return first_owned;
    }
    r = ops->wait(ops->ctx, waitables, before, FALSE, 0);
    if (r == WAIT_FAILED)
        return r;
    return r == WAIT_TIMEOUT ? first_owned : map[r];
}

static DWORD wait_handles(DWORD n, const HANDLE *handles, BOOL wait_all, DWORD timeout)
{
    if (!n || n > MAXIMUM_WAIT_OBJECTS || !handles) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return WAIT_FAILED;
    }
    wmiemu__kobj_t *objs[MAXIMUM_WAIT_OBJECTS];
    BOOL owned[MAXIMUM_WAIT_OBJECTS];
    const wmiemu__sched_ops_t *ops = NULL;
    DWORD got = 0, result = WAIT_FAILED;
    for (; got < n; got++) {
        objs[got] = wmiemu__handle_get(handles[got]);
        if (!objs[got])
            goto done; /* ERROR_INVALID_HANDLE already set */
        if (objs[got]->type == KOBJ_TOKEN) {
            /* Tokens are not waitable objects. */
            SetLastError(ERROR_INVALID_HANDLE);
            got++;
            goto done;
        }
        owned[got] = wmiemu__mutex_owned_by_me(objs[got]);
        /* One wait goes to one table; duplicates make wait_all ambiguous. */
        if (!ops)
            ops = objs[got]->ops;
        if (objs[got]->ops != ops) {
            SetLastError(ERROR_INVALID_PARAMETER);
            got++;
            goto done;
        }
        for (DWORD k = 0; wait_all && k < got; k++) {
            if (objs[k] == objs[got]) {
                SetLastError(ERROR_INVALID_PARAMETER);
                got++;
                goto done;
            }
        }
    }
    result = wait_seam(ops, objs, owned, n, wait_all, timeout);
    if (result == WAIT_FAILED) {
        SetLastError(ERROR_INVALID_PARAMETER);
    } else if (result != WAIT_TIMEOUT) {
        /* Take ownership of the mutexes the wait acquired. */
        DWORD abandoned = n;
        for (DWORD i = wait_all ? 0 : result; i < (wait_all ? n : result + 1); i++) {
            if (objs[i]->type != KOBJ_MUTEX)
                continue;
            if (owned[i])
                wmiemu__mutex_recurse(objs[i]);
            else if (wmiemu__mutex_took(objs[i]) && abandoned == n)
                abandoned = i;
        }
        if (abandoned != n)
            result = WAIT_ABANDONED_0 + abandoned;
    }
done:
    while (got)
        wmiemu__kobj_release(objs[--got]);
    return result;
}

DWORD WINAPI WaitForMultipleObjects(DWORD n, const HANDLE *handles, BOOL wait_all, DWORD timeout)
{
    return wait_handles(n, handles, wait_all, timeout);
}

/* Nothing queues APCs here, so alertable waits never end early. */
DWORD WINAPI WaitForMultipleObjectsEx(DWORD n, const HANDLE *handles, BOOL wait_all, DWORD timeout, BOOL alertable)
{
    (void)alertable;
    return wait_handles(n, handles, wait_all, timeout);
}

DWORD WINAPI WaitForSingleObject(HANDLE h, DWORD timeout)
{
    return wait_handles(1, &h, FALSE, timeout);
}

DWORD WINAPI WaitForSingleObjectEx(HANDLE h, DWORD timeout, BOOL alertable)
{
    (void)alertable;
    return wait_handles(1, &h, FALSE, timeout);
}

/* Signals one object (an event, a semaphore by one, a mutex the caller
 * owns) and waits on another. */
DWORD WINAPI SignalObjectAndWait(HANDLE signal, HANDLE wait, DWORD timeout, BOOL alertable)
{
    (void)alertable;
    wmiemu__kobj_t *o = wmiemu__handle_get(signal);
    if (!o)
        return WAIT_FAILED;
    BOOL ok = FALSE;
    switch (o->type) {
    case KOBJ_EVENT:
        o->ops->event_set(o->ops->ctx, o->waitable);
        ok = TRUE;
        break;
    case KOBJ_SEMAPHORE:
        ok = wmiemu__semaphore_release(o, 1, NULL);
        break;
    case KOBJ_MUTEX:
        ok = wmiemu__mutex_release(o);
        break;
    default:
        SetLastError(ERROR_INVALID_HANDLE);
        break;
    }
    wmiemu__kobj_release(o);
    return ok ? wait_handles(1, &wait, FALSE, timeout) : WAIT_FAILED;
}
