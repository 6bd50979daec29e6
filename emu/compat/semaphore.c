/* Semaphore objects: CreateSemaphore(Ex)A/W, OpenSemaphoreA/W and
 * ReleaseSemaphore, over the seam's counting semaphore so that waits on
 * them mix with events, mutexes and threads (wait-all included). */
#include <stdlib.h>

#include <wmiemu/compat.h>
#include "compat/sync.h"

typedef struct {
    LONG initial, max;
} sem_args_t;

static void *make_semaphore(const wmiemu__sched_ops_t *ops, void *arg)
{
    const sem_args_t *a = arg;
    return ops->sem_create(ops->ctx, a->initial, a->max);
}

HANDLE WINAPI CreateSemaphoreExW(LPSECURITY_ATTRIBUTES sa, LONG initial, LONG max, LPCWSTR name, DWORD flags,
                                 DWORD access)
{
    (void)sa;
    (void)access;
    if (max <= 0 || initial < 0 || initial > max || flags) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    sem_args_t a = { initial, max };
    wmiemu__kobj_t *created;
    return wmiemu__kobj_create(KOBJ_SEMAPHORE, name, make_semaphore, &a, &created);
}

HANDLE WINAPI CreateSemaphoreW(LPSECURITY_ATTRIBUTES sa, LONG initial, LONG max, LPCWSTR name)
{
    return CreateSemaphoreExW(sa, initial, max, name, 0, SEMAPHORE_ALL_ACCESS);
}

HANDLE WINAPI CreateSemaphoreExA(LPSECURITY_ATTRIBUTES sa, LONG initial, LONG max, LPCSTR name, DWORD flags,
                                 DWORD access)
{
    WCHAR *w = NULL;
    if (name && !(w = wmiemu_utf8_to_wcs(name, (size_t)-1))) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    HANDLE h = CreateSemaphoreExW(sa, initial, max, w, flags, access);
    DWORD err = GetLastError();
    free(w);
    SetLastError(err);
    return h;
}

HANDLE WINAPI CreateSemaphoreA(LPSECURITY_ATTRIBUTES sa, LONG initial, LONG max, LPCSTR name)
{
    return CreateSemaphoreExA(sa, initial, max, name, 0, SEMAPHORE_ALL_ACCESS);
}

HANDLE WINAPI OpenSemaphoreW(DWORD access, BOOL inherit, LPCWSTR name)
{
    (void)access;
    (void)inherit;
    return wmiemu__kobj_open(KOBJ_SEMAPHORE, name);
}

HANDLE WINAPI OpenSemaphoreA(DWORD access, BOOL inherit, LPCSTR name)
{
    WCHAR *w = NULL;
    if (name && !(w = wmiemu_utf8_to_wcs(name, (size_t)-1))) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    HANDLE h = OpenSemaphoreW(access, inherit, w);
    DWORD err = GetLastError();
    free(w);
    SetLastError(err);
    return h;
}

BOOL wmiemu__semaphore_release(wmiemu__kobj_t *s, LONG count, LONG *prev)
{
    if (count <= 0) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    LONG before = 0;
    if (!s->ops->sem_release(s->ops->ctx, s->waitable, count, &before)) {
        SetLastError(ERROR_TOO_MANY_POSTS);
        return FALSE;
    }
    /* As on Windows, the previous count is only written on success. */
    if (prev)
        *prev = before;
    return TRUE;
}

BOOL WINAPI ReleaseSemaphore(HANDLE h, LONG count, LPLONG prev)
{
    wmiemu__kobj_t *s = wmiemu__handle_get(h);
    if (!s)
        return FALSE;
    BOOL ok = FALSE;
    if (s->type == KOBJ_SEMAPHORE)
        ok = wmiemu__semaphore_release(s, count, prev);
    else
        SetLastError(ERROR_INVALID_HANDLE);
    wmiemu__kobj_release(s);
    return ok;
}
