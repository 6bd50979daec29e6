/*
 * Internal: Win32 kernel objects (events, threads) and the handle table.
 *
 * A HANDLE is (slot + 1) * 4 in a process-wide table, so closed or made-up
 * handles are detected (ERROR_INVALID_HANDLE) instead of dereferenced.
 * Objects are reference counted: each handle holds one reference, a
 * running thread holds one on its own object, and every operation holds
 * one for its duration, so CloseHandle during a wait is safe as on Windows.
 */
#ifndef WMIEMU_COMPAT_HANDLE_H
#define WMIEMU_COMPAT_HANDLE_H

#include <windows.h>

#include "compat/seam.h"

typedef enum { KOBJ_EVENT = 1, KOBJ_THREAD = 2, KOBJ_MUTEX = 3, KOBJ_SEMAPHORE = 4, KOBJ_TOKEN = 5 } wmiemu__kobj_type_t;

typedef struct wmiemu__kobj {
    wmiemu__kobj_type_t type;
    LONG refs;
    const wmiemu__sched_ops_t *ops; /* the table the object was made with */
    void *waitable;                 /* the ops' event object */
    WCHAR *name;                    /* named events; NULL otherwise */
    /* threads */
    LPTHREAD_START_ROUTINE start;
    void *param;
    DWORD tid;
    LONG exit_code;
    LONG suspended;
    /* mutexes (mutex.c): the waitable is a semaphore of at most 1 */
    DWORD owner;                    /* thread id, 0 when free; atomic */
    LONG recursion;                 /* the owner's */
    LONG abandoned;                 /* its owner ended while holding it */
    struct wmiemu__kobj *owned_next; /* the owner's list of held mutexes */
    /* objects that are not waitable (tokens): their state, freed with it */
    void *data;
    void (*data_free)(void *data);
} wmiemu__kobj_t;

/* A new object with one reference (the caller's). */
wmiemu__kobj_t *wmiemu__kobj_new(wmiemu__kobj_type_t type, const wmiemu__sched_ops_t *ops);
void wmiemu__kobj_addref(wmiemu__kobj_t *o);
void wmiemu__kobj_release(wmiemu__kobj_t *o);

/* Adds a handle for o (taking a new reference); NULL on failure. */
HANDLE wmiemu__handle_new(wmiemu__kobj_t *o);
/* The object behind h with a reference for the caller, or NULL with
 * ERROR_INVALID_HANDLE set. Resolves GetCurrentThread()'s pseudo handle. */
wmiemu__kobj_t *wmiemu__handle_get(HANDLE h);
/* Whether h is compat's (on Windows the system's handles are not; see
 * handle.c): a handle in compat's range, or GetCurrentThread()'s pseudo
 * handle on a thread compat made. Says nothing about h being open. */
BOOL wmiemu__handle_is_compat(HANDLE h);
/* Named-object lookup (with a reference) and naming, under one lock. */
wmiemu__kobj_t *wmiemu__handle_find_named(const WCHAR *name);
/* Gives o the name unless another object holds it; returns that object
 * (with a reference) in that case, else NULL. */
wmiemu__kobj_t *wmiemu__handle_name(wmiemu__kobj_t *o, WCHAR *name);

/* The calling thread's own object (threads made by CreateThread), or NULL. */
wmiemu__kobj_t *wmiemu__thread_self(void);

#endif
