/*
 * Internal: what the Win32 mutex and semaphore objects share with the
 * waits (wait.c) and with threads ending (thread.c).
 *
 * A Win32 mutex is a seam semaphore of at most 1 plus an owner kept here:
 * a wait that takes the semaphore makes the caller the owner, a wait by
 * the owner only counts one more recursion, and a thread that ends holding
 * mutexes gives them up marked abandoned, so the next waiter learns it.
 */
#ifndef WMIEMU_COMPAT_SYNC_H
#define WMIEMU_COMPAT_SYNC_H

#include "compat/handle.h"

/* A new object of `type`, whose waitable make(ops, arg) returns, or when
 * `name` (may be NULL) names an object already, a handle to that one with
 * ERROR_ALREADY_EXISTS (NULL and ERROR_INVALID_HANDLE if its type differs).
 * *created is the new object (borrowed; NULL when an existing one was
 * opened). */
HANDLE wmiemu__kobj_create(wmiemu__kobj_type_t type, const WCHAR *name,
                           void *(*make)(const wmiemu__sched_ops_t *ops, void *arg), void *arg,
                           wmiemu__kobj_t **created);
/* OpenMutex/OpenSemaphore: the named object of `type`, or NULL with
 * ERROR_FILE_NOT_FOUND (none) or ERROR_INVALID_HANDLE (another type). */
HANDLE wmiemu__kobj_open(wmiemu__kobj_type_t type, const WCHAR *name);

/* Mutexes and the calling thread. */
BOOL wmiemu__mutex_owned_by_me(wmiemu__kobj_t *m);
void wmiemu__mutex_recurse(wmiemu__kobj_t *m);
/* The caller's wait took m's semaphore: it owns m now. TRUE when m had
 * been abandoned (the wait then reports WAIT_ABANDONED). */
BOOL wmiemu__mutex_took(wmiemu__kobj_t *m);
/* ReleaseMutex's work: FALSE with ERROR_NOT_OWNER if the caller does not
 * own m. */
BOOL wmiemu__mutex_release(wmiemu__kobj_t *m);
/* Called by a thread made by CreateThread as it ends: gives up the
 * mutexes it still holds, abandoned. */
void wmiemu__mutex_thread_ending(void);

/* ReleaseSemaphore's work on an object known to be a semaphore. */
BOOL wmiemu__semaphore_release(wmiemu__kobj_t *s, LONG count, LONG *prev);

#endif
