/*
 * Internal: what the thread-pool files share (threadpool.c: objects, work,
 * pools, cleanup groups and callback instances; threadpool_timer.c: timers
 * and waits). One lock guards every pool object: simple beats fast here.
 */
#ifndef WMIEMU_COMPAT_THREADPOOL_H
#define WMIEMU_COMPAT_THREADPOOL_H

#include "compat/seam.h"

typedef enum { TP_KIND_WORK, TP_KIND_TIMER, TP_KIND_WAIT, TP_KIND_SIMPLE } tp_kind_t;

typedef struct tp_arm tp_arm_t;

/* A thread the pool started for an object: kept until someone waits for
 * it, so that WaitFor*Callbacks returns only once the threads of the
 * callbacks it waited for ended (under explore, a thread left behind after
 * the provider's final Release would be one of the provider's). */
typedef struct {
    HANDLE handle;
    DWORD tid;
    tp_arm_t *arm; /* an arming thread's arming while it is current */
} tp_thread_t;

/* TP_WORK, TP_TIMER, TP_WAIT and a TrySubmitThreadpoolCallback's hidden
 * object are all this. */
typedef struct tp_object {
    DWORD magic;                /* TP_MAGIC while the caller may use it */
    tp_kind_t kind;
    void *callback;
    void *ctx;
    struct tp_pool *pool;       /* referenced */
    struct tp_group *group;     /* member of, or NULL */
    PTP_CLEANUP_GROUP_CANCEL_CALLBACK cancel_cb;
    HMODULE race_dll;           /* kept loaded while a callback is queued */
    LONG refs;                  /* the caller's, one per queued or running callback, one per arm */
    /* Atomic: a callback starts without the lock. */
    LONG pending;               /* callbacks queued, not started */
    LONG running;               /* callbacks started, not returned (nor disassociated) */
    LONG starting;              /* worker threads being made (the lock let go meanwhile) */
    BOOL closed;
    tp_arm_t *arm;              /* the timer's or wait's current arming, or NULL */
    tp_thread_t *threads;       /* started, not yet waited for */
    size_t n_threads, cap_threads;
    struct tp_object *group_next;
} tp_object_t;

#define TP_MAGIC 0x54504f42 /* "TPOB" */

/* The lock and the condition every state change is signalled on. */
void wmiemu__tp_lock(void);
void wmiemu__tp_unlock(void);
void wmiemu__tp_changed(void);

/* Under the lock, let go meanwhile: queues one callback of o, given
 * `result` (a wait's TP_WAIT_RESULT) on a thread of its own. FALSE if no
 * thread was had. */
BOOL wmiemu__tp_queue(tp_object_t *o, DWORD result);
/* Under the lock: starts fn(arg) on a thread kept in o's list (arm: the
 * arming it serves, or NULL). */
BOOL wmiemu__tp_start(tp_object_t *o, LPTHREAD_START_ROUTINE fn, void *arg, tp_arm_t *arm);
/* Under the lock: o->arm is no longer current; its thread may be waited
 * for. */
void wmiemu__tp_retire_arm(tp_object_t *o);
/* Under the lock: drops a reference; frees o with the last one. */
void wmiemu__tp_release(tp_object_t *o);
/* A new object of `kind` in env's pool and cleanup group; NULL with the
 * error set. */
tp_object_t *wmiemu__tp_object_new(tp_kind_t kind, void *callback, void *ctx, PTP_CALLBACK_ENVIRON env);
/* Under the lock: cancels the callbacks queued and not started. */
void wmiemu__tp_cancel_pending(tp_object_t *o);
/* Waits (taking the lock) until o has no callback queued or running,
 * cancelling the queued ones first when asked. */
void wmiemu__tp_wait_callbacks(tp_object_t *o, BOOL cancel);
/* Closing: the caller's reference goes; callbacks still running keep o. */
void wmiemu__tp_close(tp_object_t *o);

/* threadpool_timer.c, under the lock: stops o's arming (timer or wait),
 * if any; TRUE if there was one. */
BOOL wmiemu__tp_disarm(tp_object_t *o);

/* A live object of `kind` (the caller's handle), or NULL with
 * ERROR_INVALID_PARAMETER. */
tp_object_t *wmiemu__tp_check(const void *handle, tp_kind_t kind);

#endif
