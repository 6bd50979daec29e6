/* Event objects: CreateEvent, OpenEvent, SetEvent, ResetEvent. Names are
 * shared within the process (there is no other process to share with). */
#include <stdlib.h>
#include <string.h>

#include "wmiemu_crt16.h"
#include <wmiemu/compat.h>
#include "compat/fault.h"
#include "compat/handle.h"

HANDLE WINAPI CreateEventW(LPSECURITY_ATTRIBUTES sa, BOOL manual, BOOL initial, LPCWSTR name)
{
    (void)sa;
    if (wmiemu__fault_hit(WMIEMU__FAULT_EVENT, "CreateEventW", __builtin_return_address(0))) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    if (name && !*name)
        name = NULL;
    if (name) {
        wmiemu__kobj_t *existing = wmiemu__handle_find_named(name);
        if (existing) {
            HANDLE h = existing->type == KOBJ_EVENT ? wmiemu__handle_new(existing) : NULL;
            wmiemu__kobj_release(existing);
            SetLastError(h ? ERROR_ALREADY_EXISTS : ERROR_INVALID_HANDLE);
            return h;
        }
    }
    const wmiemu__sched_ops_t *ops = wmiemu__sched_ops_current();
    wmiemu__kobj_t *o = wmiemu__kobj_new(KOBJ_EVENT, ops);
    if (o)
        o->waitable = ops->event_create(ops->ctx, manual, initial);
    if (!o || !o->waitable) {
        if (o)
            wmiemu__kobj_release(o);
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    if (name) {
        WCHAR *copy = wmiemu_wcsdup(name);
        wmiemu__kobj_t *raced = copy ? wmiemu__handle_name(o, copy) : NULL;
        if (raced) { /* created under the same name meanwhile: use it */
            wmiemu__kobj_release(o);
            o = raced;
        }
    }
    HANDLE h = wmiemu__handle_new(o);
    wmiemu__kobj_release(o);
    if (h)
        SetLastError(ERROR_SUCCESS);
    return h;
}

HANDLE WINAPI CreateEventA(LPSECURITY_ATTRIBUTES sa, BOOL manual, BOOL initial, LPCSTR name)
{
    if (wmiemu__fault_hit(WMIEMU__FAULT_EVENT, "CreateEventA", __builtin_return_address(0))) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    if (!name)
        return CreateEventW(sa, manual, initial, NULL);
    WCHAR *w = wmiemu_utf8_to_wcs(name, (size_t)-1);
    if (!w) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    HANDLE h = CreateEventW(sa, manual, initial, w);
    DWORD err = GetLastError();
    free(w);
    SetLastError(err);
    return h;
}

HANDLE WINAPI OpenEventW(DWORD access, BOOL inherit, LPCWSTR name)
{
    (void)access;
    (void)inherit;
    if (!name) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    wmiemu__kobj_t *o = wmiemu__handle_find_named(name);
    if (!o || o->type != KOBJ_EVENT) {
        if (o)
            wmiemu__kobj_release(o);
        SetLastError(ERROR_FILE_NOT_FOUND);
        return NULL;
    }
    HANDLE h = wmiemu__handle_new(o);
    wmiemu__kobj_release(o);
    return h;
}

BOOL WINAPI SetEvent(HANDLE h)
{
    wmiemu__kobj_t *o = wmiemu__handle_get(h);
    if (!o)
        return FALSE;
    BOOL ok = o->type == KOBJ_EVENT;
    if (ok)
        o->ops->event_set(o->ops->ctx, o->waitable);
    else
        SetLastError(ERROR_INVALID_HANDLE);
    wmiemu__kobj_release(o);
    return ok;
}

BOOL WINAPI ResetEvent(HANDLE h)
{
    wmiemu__kobj_t *o = wmiemu__handle_get(h);
    if (!o)
        return FALSE;
    BOOL ok = o->type == KOBJ_EVENT;
    if (ok)
        o->ops->event_reset(o->ops->ctx, o->waitable);
    else
        SetLastError(ERROR_INVALID_HANDLE);
    wmiemu__kobj_release(o);
    return ok;
}
