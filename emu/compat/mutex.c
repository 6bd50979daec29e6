/* Mutex objects: CreateMutex(Ex)A/W, OpenMutexA/W, ReleaseMutex, and the
 * creation of named kernel objects that mutexes and semaphores share (see
 * sync.h). Each thread keeps the list of mutexes it owns, so that ending
 * while holding one abandons it. */
#include <stdlib.h>

#include "wmiemu_crt16.h"
#include <wmiemu/compat.h>
#include "compat/sync.h"

static __thread wmiemu__kobj_t *owned; /* held mutexes, each with a reference */

HANDLE wmiemu__kobj_create(wmiemu__kobj_type_t type, const WCHAR *name,
                           void *(*make)(const wmiemu__sched_ops_t *ops, void *arg), void *arg,
                           wmiemu__kobj_t **created)
{
    *created = NULL;
    if (name && !*name)
        name = NULL;
    if (name) {
        wmiemu__kobj_t *existing = wmiemu__handle_find_named(name);
        if (existing) {
            HANDLE h = existing->type == type ? wmiemu__handle_new(existing) : NULL;
            wmiemu__kobj_release(existing);
            SetLastError(h ? ERROR_ALREADY_EXISTS : ERROR_INVALID_HANDLE);
            return h;
        }
    }
    const wmiemu__sched_ops_t *ops = wmiemu__sched_ops_current();
    wmiemu__kobj_t *o = wmiemu__kobj_new(type, ops);
    if (o)
        o->waitable = make(ops, arg);
    if (!o || !o->waitable) {
        if (o)
            wmiemu__kobj_release(o);
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    BOOL existed = FALSE;
    if (name) {
        WCHAR *copy = wmiemu_wcsdup(name);
        wmiemu__kobj_t *raced = copy ? wmiemu__handle_name(o, copy) : NULL;
        if (raced) { /* created under the same name meanwhile: open that */
            wmiemu__kobj_release(o);
            if (raced->type != type) {
                wmiemu__kobj_release(raced);
                SetLastError(ERROR_INVALID_HANDLE);
                return NULL;
            }
            o = raced;
            existed = TRUE;
        }
    }
    HANDLE h = wmiemu__handle_new(o);
    if (h && !existed)
        *created = o;
    wmiemu__kobj_release(o);
    if (h)
        SetLastError(existed ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS);
    return h;
}

HANDLE wmiemu__kobj_open(wmiemu__kobj_type_t type, const WCHAR *name)
{
    if (!name) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    wmiemu__kobj_t *o = wmiemu__handle_find_named(name);
    if (!o) {
        SetLastError(ERROR_FILE_NOT_FOUND);
        return NULL;
    }
    HANDLE h = NULL;
    if (o->type == type)
        h = wmiemu__handle_new(o);
    else
        SetLastError(ERROR_INVALID_HANDLE);
    wmiemu__kobj_release(o);
    return h;
}

BOOL wmiemu__mutex_owned_by_me(wmiemu__kobj_t *m)
{
    return m->type == KOBJ_MUTEX && __atomic_load_n(&m->owner, __ATOMIC_ACQUIRE) == GetCurrentThreadId();
}

void wmiemu__mutex_recurse(wmiemu__kobj_t *m)
{
    m->recursion++; /* only the owner touches it */
}

BOOL wmiemu__mutex_took(wmiemu__kobj_t *m)
{
    wmiemu__kobj_addref(m);
    m->recursion = 1;
    m->owned_next = owned;
    owned = m;
    __atomic_store_n(&m->owner, GetCurrentThreadId(), __ATOMIC_RELEASE);
    return __atomic_exchange_n(&m->abandoned, 0, __ATOMIC_ACQ_REL) != 0;
}

/* The owner gives m up: off its list, free for the next waiter. */
static void mutex_let_go(wmiemu__kobj_t *m, BOOL abandon)
{
    for (wmiemu__kobj_t **pp = &owned; *pp; pp = &(*pp)->owned_next) {
        if (*pp == m) {
            *pp = m->owned_next;
            break;
        }
    }
    m->owned_next = NULL;
    m->recursion = 0;
    if (abandon)
        __atomic_store_n(&m->abandoned, 1, __ATOMIC_RELEASE);
    __atomic_store_n(&m->owner, 0, __ATOMIC_RELEASE);
    m->ops->sem_release(m->ops->ctx, m->waitable, 1, NULL);
    wmiemu__kobj_release(m);
}

BOOL wmiemu__mutex_release(wmiemu__kobj_t *m)
{
    if (!wmiemu__mutex_owned_by_me(m)) {
        SetLastError(ERROR_NOT_OWNER);
        return FALSE;
    }
    if (--m->recursion == 0)
        mutex_let_go(m, FALSE);
    return TRUE;
}

void wmiemu__mutex_thread_ending(void)
{
    while (owned)
        mutex_let_go(owned, TRUE);
}

/* arg: non-NULL when the creator takes it at once (count 0, owned). */
static void *make_mutex(const wmiemu__sched_ops_t *ops, void *arg)
{
    return ops->sem_create(ops->ctx, arg ? 0 : 1, 1);
}

HANDLE WINAPI CreateMutexExW(LPSECURITY_ATTRIBUTES sa, LPCWSTR name, DWORD flags, DWORD access)
{
    (void)sa;
    (void)access;
    if (flags & ~(DWORD)CREATE_MUTEX_INITIAL_OWNER) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    wmiemu__kobj_t *created;
    void *take = (flags & CREATE_MUTEX_INITIAL_OWNER) ? (void *)1 : NULL;
    HANDLE h = wmiemu__kobj_create(KOBJ_MUTEX, name, make_mutex, take, &created);
    /* An existing named mutex ignores the request for initial ownership. */
    if (created && take)
        wmiemu__mutex_took(created);
    return h;
}

HANDLE WINAPI CreateMutexW(LPSECURITY_ATTRIBUTES sa, BOOL initial_owner, LPCWSTR name)
{
    return CreateMutexExW(sa, name, initial_owner ? CREATE_MUTEX_INITIAL_OWNER : 0, MUTEX_ALL_ACCESS);
}

/* The A functions: the name converted, the wide function's error kept. */
static WCHAR *name_w(LPCSTR name, BOOL *bad)
{
    *bad = FALSE;
    if (!name)
        return NULL;
    WCHAR *w = wmiemu_utf8_to_wcs(name, (size_t)-1);
    if (!w) {
        *bad = TRUE;
        SetLastError(ERROR_INVALID_PARAMETER);
    }
    return w;
}

static HANDLE keep_error(HANDLE h, WCHAR *w)
{
    DWORD err = GetLastError();
    free(w);
    SetLastError(err);
    return h;
}

HANDLE WINAPI CreateMutexExA(LPSECURITY_ATTRIBUTES sa, LPCSTR name, DWORD flags, DWORD access)
{
    BOOL bad;
    WCHAR *w = name_w(name, &bad);
    return bad ? NULL : keep_error(CreateMutexExW(sa, w, flags, access), w);
}

HANDLE WINAPI CreateMutexA(LPSECURITY_ATTRIBUTES sa, BOOL initial_owner, LPCSTR name)
{
    return CreateMutexExA(sa, name, initial_owner ? CREATE_MUTEX_INITIAL_OWNER : 0, MUTEX_ALL_ACCESS);
}

HANDLE WINAPI OpenMutexW(DWORD access, BOOL inherit, LPCWSTR name)
{
    (void)access;
    (void)inherit;
    return wmiemu__kobj_open(KOBJ_MUTEX, name);
}

HANDLE WINAPI OpenMutexA(DWORD access, BOOL inherit, LPCSTR name)
{
    BOOL bad;
    WCHAR *w = name_w(name, &bad);
    return bad ? NULL : keep_error(OpenMutexW(access, inherit, w), w);
}

BOOL WINAPI ReleaseMutex(HANDLE h)
{
    wmiemu__kobj_t *m = wmiemu__handle_get(h);
    if (!m)
        return FALSE;
    BOOL ok = FALSE;
    if (m->type == KOBJ_MUTEX)
        ok = wmiemu__mutex_release(m);
    else
        SetLastError(ERROR_INVALID_HANDLE);
    wmiemu__kobj_release(m);
    return ok;
}
