/* WaitForSingleObject(Ex) / WaitForMultipleObjects(Ex) over the seam. */
#include "compat/handle.h"

static DWORD wait_handles(DWORD n, const HANDLE *handles, BOOL wait_all, DWORD timeout)
{
    if (!n || n > MAXIMUM_WAIT_OBJECTS || !handles) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return WAIT_FAILED;
    }
    wmiemu__kobj_t *objs[MAXIMUM_WAIT_OBJECTS];
    void *waitables[MAXIMUM_WAIT_OBJECTS];
    const wmiemu__sched_ops_t *ops = NULL;
    DWORD got = 0, result = WAIT_FAILED;
    for (; got < n; got++) {
        objs[got] = wmiemu__handle_get(handles[got]);
        if (!objs[got])
            goto done; /* ERROR_INVALID_HANDLE already set */
        waitables[got] = objs[got]->waitable;
        if (objs[got]->type == KOBJ_TOKEN) {
            /* Tokens are not waitable objects. */
            SetLastError(ERROR_INVALID_HANDLE);
            got++;
            goto done;
        }
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
    result = ops->wait(ops->ctx, waitables, n, wait_all, timeout);
    if (result == WAIT_FAILED)
        SetLastError(ERROR_INVALID_PARAMETER);
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
