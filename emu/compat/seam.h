/*
 * The scheduling seam: every thread creation, thread exit, blocking wait,
 * event set/reset, critical-section enter/leave, Sleep and clock read made
 * by compat (CreateThread, WaitForMultipleObjects, EnterCriticalSection,
 * Sleep, GetTickCount64...) goes through one table of function pointers.
 * The default table (unix/sched_pthread.c) uses real threads and
 * CLOCK_MONOTONIC; the deterministic scheduler installs its own table so
 * that it sees and orders every such operation, with virtual time, without
 * any caller changing.
 *
 * Model. An implementation creates opaque objects: events (also used for
 * thread handles), counting semaphores (Win32 semaphores and mutexes) and
 * recursive mutexes (CRITICAL_SECTION). Locks that live in a word of the
 * caller's memory (SRWLOCK, CONDITION_VARIABLE, INIT_ONCE) have no object:
 * they block with addr_wait/addr_wake, like WaitOnAddress. compat keeps
 * the Win32 side (handles, names, exit codes, recursion bookkeeping that
 * Windows exposes) and calls the table for anything that can block or that
 * a scheduler must order.
 *
 * Rules for an implementation:
 * - Every op receives `ctx` (the table's ctx field) first.
 * - thread_create: arrange for entry(arg) to run on a new thread, when the
 *   implementation decides (it may run later, or first). Return an object
 *   that is an unsignalled manual-reset event until the thread has ended,
 *   then signalled for good; NULL on failure. The thread ends when entry
 *   returns or when thread_exit is called on it.
 * - thread_exit: called on the ending thread by ExitThread; must not return.
 * - wait: block until one (wait_all = FALSE) or all of objs[0..n) are
 *   signalled, or timeout_ms passes (INFINITE = forever, 0 = poll). Return
 *   the index of the object that satisfied the wait (0 for wait_all),
 *   WAIT_TIMEOUT or WAIT_FAILED. objs are events, thread objects and
 *   semaphores, mixed. Satisfying a wait consumes auto-reset events and one
 *   count of each semaphore (for wait_all, all of them at once, atomically).
 * - sem_create: a semaphore with count `initial` (0 <= initial <= max,
 *   max >= 1), signalled while its count is above 0. sem_release adds
 *   `count` (>= 1) unless that would pass max: then it changes nothing and
 *   returns FALSE. *prev (when not NULL) receives the count before. Wakes
 *   the waiters it can satisfy; a scheduling point.
 * - addr_wait: if the `size` bytes (1, 2, 4 or 8) at addr equal those at
 *   cmp, block until addr_wake is called for addr or timeout_ms passes;
 *   the compare and the start of the wait are atomic against addr_wake.
 *   Returns FALSE only when the timeout passed; TRUE when woken, when the
 *   value differed, or spuriously (callers re-check their condition).
 * - addr_wake: wakes one (all = FALSE) or every thread in addr_wait on
 *   addr; call it after changing the value. A scheduling point.
 * - point: a scheduling point for an operation that neither blocks nor
 *   wakes (an uncontended SRW acquire, a timer callback starting) so a
 *   scheduler can interleave others there; `op` names it in traces. The
 *   real-threads table does nothing.
 * - mutex_*: recursive like a CRITICAL_SECTION; mutex_trylock returns TRUE
 *   when it got the lock.
 * - sleep: 0 is a yield; now_ms: a monotonic clock in milliseconds.
 * - obj_destroy: compat no longer references the object (events, thread
 *   objects, semaphores and mutexes alike); it may outlive this call if the
 *   implementation still needs it (a running thread).
 * - uncontrolled: the caller is about to do something the table cannot
 *   order (`call` names it, e.g. "kernel32!MsgWaitForMultipleObjects": a
 *   Windows DLL's import that compat does not implement, a real wait). A
 *   scheduler ends its schedule as not reproducible (not returning on a
 *   controlled thread); the real-threads table does nothing. May be NULL.
 *
 * Installing: wmiemu__sched_ops_install(ops) switches the table used by
 * every operation that creates something (CreateThread, CreateEvent,
 * InitializeCriticalSection) and by Sleep and the clock from then on;
 * objects remember the table they were created with and always use it, so
 * a table must stay valid while its objects live. NULL restores the
 * default. Install while no wait is in progress on the outgoing table (at
 * the start of a run); the install itself is atomic.
 */
#ifndef WMIEMU_COMPAT_SEAM_H
#define WMIEMU_COMPAT_SEAM_H

#include <stdint.h>

#include <windows.h>

typedef struct wmiemu__sched_ops {
    const char *name;
    void *ctx;

    void *(*thread_create)(void *ctx, void (*entry)(void *arg), void *arg);
    void (*thread_exit)(void *ctx) __attribute__((noreturn));

    void *(*event_create)(void *ctx, BOOL manual_reset, BOOL initial);
    void (*event_set)(void *ctx, void *event);
    void (*event_reset)(void *ctx, void *event);

    void *(*mutex_create)(void *ctx);
    void (*mutex_lock)(void *ctx, void *mutex);
    BOOL (*mutex_trylock)(void *ctx, void *mutex);
    void (*mutex_unlock)(void *ctx, void *mutex);

    DWORD (*wait)(void *ctx, void *const *objs, DWORD n, BOOL wait_all, DWORD timeout_ms);

    void (*sleep)(void *ctx, DWORD ms);
    uint64_t (*now_ms)(void *ctx);

    void (*obj_destroy)(void *ctx, void *obj);

    /* Semaphores (also Win32 mutexes), address waits (SRW locks, condition
     * variables, INIT_ONCE) and plain scheduling points. */
    void *(*sem_create)(void *ctx, LONG initial, LONG max);
    BOOL (*sem_release)(void *ctx, void *sem, LONG count, LONG *prev);

    BOOL (*addr_wait)(void *ctx, const volatile void *addr, const void *cmp, SIZE_T size, DWORD timeout_ms);
    void (*addr_wake)(void *ctx, const void *addr, BOOL all);
    void (*point)(void *ctx, const char *op);
    void (*uncontrolled)(void *ctx, const char *call);
} wmiemu__sched_ops_t;

/* Installs ops (NULL: the default) and returns the table it replaces. */
const wmiemu__sched_ops_t *wmiemu__sched_ops_install(const wmiemu__sched_ops_t *ops);

/* Tells the table in effect that `call` is beyond its control (see
 * `uncontrolled` above). */
void wmiemu__seam_uncontrolled(const char *call);

/* The table in effect now. */
const wmiemu__sched_ops_t *wmiemu__sched_ops_current(void);

/* The real-threads table (unix/sched_pthread.c). */
extern const wmiemu__sched_ops_t wmiemu__sched_ops_default;

#endif
