/*
 * The thread-pool API (CreateThreadpoolWork & co.): work objects, pools,
 * cleanup groups, TrySubmitThreadpoolCallback and the callback-instance
 * functions; timers and waits are in threadpool_timer.c.
 *
 * Every callback runs on a thread of its own made by CreateThread, and
 * every block is a wait on compat's lock and condition variable, so under
 * explore each callback start, wait and wake is a scheduling point, as in
 * timerqueue.c. Callbacks of one object may run at once (submit twice, two
 * callbacks), as on Windows. An object is freed once the caller closed it
 * and the last callback it queued returned. As timerqueue.c does, every
 * thread started for an object is kept until someone waits for it:
 * WaitFor*Callbacks returns once those threads ended, so a provider that
 * stops its timer the documented way leaves no thread behind. A pool's thread maximum is
 * kept (callbacks beyond it wait to start): a provider may rely on a
 * maximum of 1 to serialise its callbacks.
 */
#include <stdlib.h>

#ifndef _WIN32
#include "wmiemu_extern.h"
#endif

#include "compat/threadpool.h"

#ifndef _WIN32
/* Not in Wine's headers. */
WMIEMU_EXTERN BOOL WINAPI CallbackMayRunLong(PTP_CALLBACK_INSTANCE instance);
#endif

/* Zeroed SRW locks and condition variables work: no setup needed. */
static SRWLOCK tp_lock;
static CONDITION_VARIABLE tp_cond;
/* Threads in tp_sleep: nobody to wake, no wake (each is a scheduling
 * point under explore). Under the lock. */
static LONG sleepers;

typedef struct tp_pool {
    DWORD magic;
    LONG refs;   /* the caller's (until CloseThreadpool) and one per object */
    LONG max;
    LONG min;
    LONG active; /* callbacks running (atomic: a callback starts without the lock) */
} tp_pool_t;

typedef struct tp_group {
    DWORD magic;
    tp_object_t *members;
} tp_group_t;

#define POOL_MAGIC 0x54504f4c  /* "TPOL" */
#define GROUP_MAGIC 0x54504750 /* "TPGP" */

static tp_pool_t default_pool = { POOL_MAGIC, 1, 500, 0, 0 };

/* What the *WhenCallbackReturns functions ask for, done as the callback
 * returns: the PTP_CALLBACK_INSTANCE a callback gets. */
typedef struct {
    tp_object_t *o;
    BOOL disassociated;
    HANDLE event, mutex, semaphore;
    DWORD sem_count;
    CRITICAL_SECTION *cs;
    HMODULE library;
} tp_instance_t;

typedef struct {
    tp_object_t *o;
    DWORD result;
} tp_run_t;

void wmiemu__tp_lock(void)
{
    AcquireSRWLockExclusive(&tp_lock);
}

void wmiemu__tp_unlock(void)
{
    ReleaseSRWLockExclusive(&tp_lock);
}

void wmiemu__tp_changed(void)
{
    if (sleepers)
        WakeAllConditionVariable(&tp_cond);
}

static void tp_sleep(void)
{
    sleepers++;
    SleepConditionVariableSRW(&tp_cond, &tp_lock, INFINITE, 0);
    sleepers--;
}

tp_object_t *wmiemu__tp_check(const void *handle, tp_kind_t kind)
{
    tp_object_t *o = (tp_object_t *)handle;
    if (!o || o->magic != TP_MAGIC || o->kind != kind) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    return o;
}

/* Under the lock. */
static void pool_release(tp_pool_t *p)
{
    if (--p->refs == 0 && p != &default_pool) {
        p->magic = 0;
        free(p);
    }
}

/* Under the lock. */
static void group_unlink(tp_object_t *o)
{
    if (!o->group)
        return;
    tp_object_t **pp = &o->group->members;
    while (*pp && *pp != o)
        pp = &(*pp)->group_next;
    if (*pp)
        *pp = o->group_next;
    o->group = NULL;
}

void wmiemu__tp_release(tp_object_t *o)
{
    if (--o->refs)
        return;
    group_unlink(o);
    pool_release(o->pool);
    /* Nobody waited for these: they run on, untracked. */
    for (size_t i = 0; i < o->n_threads; i++)
        CloseHandle(o->threads[i].handle);
    free(o->threads);
    o->magic = 0;
    free(o);
}

/* Under the lock: forgets the threads of o that ended (checked only now
 * and then: each check is a wait). */
static void prune_threads(tp_object_t *o)
{
    size_t kept = 0;
    for (size_t i = 0; i < o->n_threads; i++) {
        if (!o->threads[i].arm && WaitForSingleObject(o->threads[i].handle, 0) == WAIT_OBJECT_0)
            CloseHandle(o->threads[i].handle);
        else
            o->threads[kept++] = o->threads[i];
    }
    o->n_threads = kept;
}

/* Under the lock: keeps h to wait for it. */
static BOOL track_thread(tp_object_t *o, HANDLE h, DWORD tid, tp_arm_t *arm)
{
    if (o->n_threads >= 16 && !(o->n_threads & (o->n_threads - 1)))
        prune_threads(o);
    if (o->n_threads == o->cap_threads) {
        size_t cap = o->cap_threads ? o->cap_threads * 2 : 8;
        tp_thread_t *more = realloc(o->threads, cap * sizeof *more);
        if (!more)
            return FALSE;
        o->threads = more;
        o->cap_threads = cap;
    }
    o->threads[o->n_threads].handle = h;
    o->threads[o->n_threads].tid = tid;
    o->threads[o->n_threads].arm = arm;
    o->n_threads++;
    return TRUE;
}

BOOL wmiemu__tp_start(tp_object_t *o, LPTHREAD_START_ROUTINE fn, void *arg, tp_arm_t *arm)
{
    DWORD tid;
    HANDLE h = CreateThread(NULL, 0, fn, arg, 0, &tid);
    if (!h)
        return FALSE;
    if (!track_thread(o, h, tid, arm)) {
        /* An arming thread must be waited for: stop it at once instead. */
        CloseHandle(h);
        return FALSE;
    }
    return TRUE;
}

void wmiemu__tp_retire_arm(tp_object_t *o)
{
    for (size_t i = 0; i < o->n_threads; i++)
        if (o->threads[i].arm == o->arm)
            o->threads[i].arm = NULL;
    o->arm = NULL;
}

/* Under the lock (let go meanwhile): waits for the threads of o started
 * so far, but for the current arming's and the caller's own. */
static void join_threads(tp_object_t *o)
{
    DWORD self = GetCurrentThreadId();
    HANDLE *hs = malloc((o->n_threads + 1) * sizeof *hs);
    if (!hs)
        return;
    size_t n = 0, kept = 0;
    for (size_t i = 0; i < o->n_threads; i++) {
        if (!o->threads[i].arm && o->threads[i].tid != self)
            hs[n++] = o->threads[i].handle;
        else
            o->threads[kept++] = o->threads[i];
    }
    o->n_threads = kept;
    o->refs++; /* o stays while we wait without the lock */
    wmiemu__tp_unlock();
    for (size_t i = 0; i < n; i++) {
        WaitForSingleObject(hs[i], INFINITE);
        CloseHandle(hs[i]);
    }
    free(hs);
    wmiemu__tp_lock();
    wmiemu__tp_release(o);
}

tp_object_t *wmiemu__tp_object_new(tp_kind_t kind, void *callback, void *ctx, PTP_CALLBACK_ENVIRON env)
{
    if (!callback) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    tp_pool_t *pool = env && env->Pool ? (tp_pool_t *)env->Pool : &default_pool;
    tp_group_t *group = env ? (tp_group_t *)env->CleanupGroup : NULL;
    if (pool->magic != POOL_MAGIC || (group && group->magic != GROUP_MAGIC)) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    tp_object_t *o = calloc(1, sizeof *o);
    if (!o) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    o->magic = TP_MAGIC;
    o->kind = kind;
    o->callback = callback;
    o->ctx = ctx;
    o->refs = 1;
    if (env) {
        o->cancel_cb = env->CleanupGroupCancelCallback;
        o->race_dll = (HMODULE)env->RaceDll;
    }
    wmiemu__tp_lock();
    pool->refs++;
    o->pool = pool;
    if (group) {
        o->group = group;
        o->group_next = group->members;
        group->members = o;
    }
    wmiemu__tp_unlock();
    return o;
}

/* ---- running callbacks ---- */

static void run_callback(tp_object_t *o, tp_instance_t *inst, DWORD result)
{
    PTP_CALLBACK_INSTANCE i = (PTP_CALLBACK_INSTANCE)inst;
    switch (o->kind) {
    case TP_KIND_WORK:
        ((PTP_WORK_CALLBACK)o->callback)(i, o->ctx, (PTP_WORK)o);
        break;
    case TP_KIND_TIMER:
        ((PTP_TIMER_CALLBACK)o->callback)(i, o->ctx, (PTP_TIMER)o);
        break;
    case TP_KIND_WAIT:
        ((PTP_WAIT_CALLBACK)o->callback)(i, o->ctx, (PTP_WAIT)o, result);
        break;
    case TP_KIND_SIMPLE:
        ((PTP_SIMPLE_CALLBACK)o->callback)(i, o->ctx);
        break;
    }
}

#ifdef _WIN32
/* An explored DLL may hand kernel32's handles too: the forwarding
 * wrappers (win/w32_forward.c) serve both kinds. */
BOOL WINAPI wmiemu__w32_ReleaseMutex(HANDLE h);
BOOL WINAPI wmiemu__w32_ReleaseSemaphore(HANDLE h, LONG count, LONG *prev);
BOOL WINAPI wmiemu__w32_SetEvent(HANDLE h);
#define TP_RELEASE_MUTEX wmiemu__w32_ReleaseMutex
#define TP_RELEASE_SEMAPHORE wmiemu__w32_ReleaseSemaphore
#define TP_SET_EVENT wmiemu__w32_SetEvent
#else
#define TP_RELEASE_MUTEX ReleaseMutex
#define TP_RELEASE_SEMAPHORE ReleaseSemaphore
#define TP_SET_EVENT SetEvent
#endif

/* In Windows' order: the lock, the mutex, the semaphore, the event, the
 * library. */
static void instance_finish(tp_instance_t *inst)
{
    if (inst->cs)
        LeaveCriticalSection(inst->cs);
    if (inst->mutex)
        TP_RELEASE_MUTEX(inst->mutex);
    if (inst->semaphore)
        TP_RELEASE_SEMAPHORE(inst->semaphore, (LONG)inst->sem_count, NULL);
    if (inst->event)
        TP_SET_EVENT(inst->event);
    if (inst->library)
        FreeLibrary(inst->library);
}

/* A queued callback is taken without the lock, so that under explore a
 * callback starts in as few scheduling points as on Windows. */
static BOOL take_pending(tp_object_t *o)
{
    LONG n = __atomic_load_n(&o->pending, __ATOMIC_SEQ_CST);
    while (n > 0)
        if (__atomic_compare_exchange_n(&o->pending, &n, n - 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            return TRUE;
    return FALSE;
}

static BOOL take_slot(tp_pool_t *p)
{
    LONG n = __atomic_load_n(&p->active, __ATOMIC_SEQ_CST);
    while (n < __atomic_load_n(&p->max, __ATOMIC_SEQ_CST))
        if (__atomic_compare_exchange_n(&p->active, &n, n + 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            return TRUE;
    return FALSE;
}

static DWORD WINAPI worker_main(void *arg)
{
    tp_run_t run = *(tp_run_t *)arg;
    tp_object_t *o = run.o;
    free(arg);
    HMODULE race_dll = NULL;
    /* Counted running first, so that pending + running never drops to 0
     * for a waiter while this one starts. */
    __atomic_add_fetch(&o->running, 1, __ATOMIC_SEQ_CST);
    BOOL slot = take_slot(o->pool);
    if (!slot) {
        /* The pool's maximum is reached: wait for a slot, or a cancel. */
        wmiemu__tp_lock();
        while (__atomic_load_n(&o->pending, __ATOMIC_SEQ_CST) && !(slot = take_slot(o->pool)))
            tp_sleep();
        wmiemu__tp_unlock();
    }
    if (!slot || !take_pending(o)) { /* cancelled before it started */
        wmiemu__tp_lock();
        __atomic_sub_fetch(&o->running, 1, __ATOMIC_SEQ_CST);
        if (slot)
            __atomic_sub_fetch(&o->pool->active, 1, __ATOMIC_SEQ_CST);
        wmiemu__tp_release(o);
        wmiemu__tp_changed();
        wmiemu__tp_unlock();
        return 0;
    }
    /* The environment's DLL stays loaded while the callback runs. */
    if (o->race_dll)
        GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS, (LPCWSTR)o->race_dll, &race_dll);
    tp_instance_t inst = { .o = o };
    run_callback(o, &inst, run.result);
    instance_finish(&inst);
    if (race_dll)
        FreeLibrary(race_dll);
    wmiemu__tp_lock();
    if (!inst.disassociated)
        __atomic_sub_fetch(&o->running, 1, __ATOMIC_SEQ_CST);
    __atomic_sub_fetch(&o->pool->active, 1, __ATOMIC_SEQ_CST);
    BOOL simple = o->kind == TP_KIND_SIMPLE;
    wmiemu__tp_release(o);
    if (simple) /* its one run is over: the hidden object goes */
        wmiemu__tp_release(o);
    wmiemu__tp_changed();
    wmiemu__tp_unlock();
    return 0;
}

BOOL wmiemu__tp_queue(tp_object_t *o, DWORD result)
{
    tp_run_t *run = malloc(sizeof *run);
    if (!run)
        return FALSE;
    run->o = o;
    run->result = result;
    __atomic_add_fetch(&o->pending, 1, __ATOMIC_SEQ_CST);
    o->refs += 2; /* the worker's, and ours while the lock is let go */
    o->starting++;
    /* Made outside the lock: the new thread does not start by waiting for
     * it (fewer scheduling points before the callback, as on Windows). */
    wmiemu__tp_unlock();
    DWORD tid;
    HANDLE h = CreateThread(NULL, 0, worker_main, run, 0, &tid);
    wmiemu__tp_lock();
    o->starting--;
    if (!h) {
        take_pending(o);
        free(run);
        o->refs--;
    } else if (!track_thread(o, h, tid, NULL)) {
        CloseHandle(h); /* out of memory: it runs on, untracked */
    }
    wmiemu__tp_release(o);
    wmiemu__tp_changed();
    return h != NULL;
}

void wmiemu__tp_cancel_pending(tp_object_t *o)
{
    /* The workers queued find nothing pending and end. */
    __atomic_store_n(&o->pending, 0, __ATOMIC_SEQ_CST);
    wmiemu__tp_changed();
}

void wmiemu__tp_wait_callbacks(tp_object_t *o, BOOL cancel)
{
    wmiemu__tp_lock();
    if (cancel)
        wmiemu__tp_cancel_pending(o);
    while (__atomic_load_n(&o->pending, __ATOMIC_SEQ_CST) || __atomic_load_n(&o->running, __ATOMIC_SEQ_CST) ||
           o->starting)
        tp_sleep();
    /* Then their threads, which have only to end (disassociated ones are
     * no longer listed). */
    join_threads(o);
    wmiemu__tp_unlock();
}

void wmiemu__tp_close(tp_object_t *o)
{
    wmiemu__tp_lock();
    o->closed = TRUE;
    o->magic = 0; /* the caller's handle is no longer good */
    wmiemu__tp_disarm(o);
    group_unlink(o);
    wmiemu__tp_release(o);
    wmiemu__tp_changed();
    wmiemu__tp_unlock();
}

/* ---- work ---- */

PTP_WORK WINAPI CreateThreadpoolWork(PTP_WORK_CALLBACK fn, PVOID ctx, PTP_CALLBACK_ENVIRON env)
{
    return (PTP_WORK)wmiemu__tp_object_new(TP_KIND_WORK, (void *)fn, ctx, env);
}

void WINAPI SubmitThreadpoolWork(PTP_WORK work)
{
    tp_object_t *o = wmiemu__tp_check(work, TP_KIND_WORK);
    if (!o)
        return;
    wmiemu__tp_lock();
    if (!wmiemu__tp_queue(o, 0))
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    wmiemu__tp_unlock();
}

void WINAPI WaitForThreadpoolWorkCallbacks(PTP_WORK work, BOOL cancel)
{
    tp_object_t *o = wmiemu__tp_check(work, TP_KIND_WORK);
    if (o)
        wmiemu__tp_wait_callbacks(o, cancel);
}

void WINAPI CloseThreadpoolWork(PTP_WORK work)
{
    tp_object_t *o = wmiemu__tp_check(work, TP_KIND_WORK);
    if (o)
        wmiemu__tp_close(o);
}

BOOL WINAPI TrySubmitThreadpoolCallback(PTP_SIMPLE_CALLBACK fn, PVOID ctx, PTP_CALLBACK_ENVIRON env)
{
    tp_object_t *o = wmiemu__tp_object_new(TP_KIND_SIMPLE, (void *)fn, ctx, env);
    if (!o)
        return FALSE;
    /* The caller never sees it: its run drops the caller's reference. */
    o->magic = 0;
    wmiemu__tp_lock();
    BOOL ok = wmiemu__tp_queue(o, 0);
    if (!ok)
        wmiemu__tp_release(o);
    wmiemu__tp_unlock();
    if (!ok)
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return ok;
}

/* ---- pools ---- */

PTP_POOL WINAPI CreateThreadpool(PVOID reserved)
{
    (void)reserved;
    tp_pool_t *p = calloc(1, sizeof *p);
    if (!p) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    p->magic = POOL_MAGIC;
    p->refs = 1;
    p->max = 500; /* Windows' default maximum */
    p->min = 0;
    return (PTP_POOL)p;
}

static tp_pool_t *pool_check(PTP_POOL pool)
{
    tp_pool_t *p = (tp_pool_t *)pool;
    if (!p || p->magic != POOL_MAGIC || p == &default_pool) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    return p;
}

void WINAPI SetThreadpoolThreadMaximum(PTP_POOL pool, DWORD max)
{
    tp_pool_t *p = pool_check(pool);
    if (!p)
        return;
    wmiemu__tp_lock();
    __atomic_store_n(&p->max, max && max < 0x7fffffff ? (LONG)max : max ? 0x7fffffff : 1, __ATOMIC_SEQ_CST);
    if (p->min > p->max)
        p->min = p->max;
    wmiemu__tp_changed();
    wmiemu__tp_unlock();
}

/* Threads are made per callback, so a minimum needs nothing kept ready. */
BOOL WINAPI SetThreadpoolThreadMinimum(PTP_POOL pool, DWORD min)
{
    tp_pool_t *p = pool_check(pool);
    if (!p)
        return FALSE;
    wmiemu__tp_lock();
    p->min = min < 0x7fffffff ? (LONG)min : 0x7fffffff;
    if (p->max < p->min)
        __atomic_store_n(&p->max, p->min, __ATOMIC_SEQ_CST);
    wmiemu__tp_changed();
    wmiemu__tp_unlock();
    return TRUE;
}

/* Freed once its objects are: they keep a reference. */
void WINAPI CloseThreadpool(PTP_POOL pool)
{
    tp_pool_t *p = pool_check(pool);
    if (!p)
        return;
    wmiemu__tp_lock();
    p->magic = p->refs > 1 ? POOL_MAGIC + 1 : 0;
    pool_release(p);
    wmiemu__tp_unlock();
}

/* ---- cleanup groups ---- */

PTP_CLEANUP_GROUP WINAPI CreateThreadpoolCleanupGroup(void)
{
    tp_group_t *g = calloc(1, sizeof *g);
    if (!g) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    g->magic = GROUP_MAGIC;
    return (PTP_CLEANUP_GROUP)g;
}

static tp_group_t *group_check(PTP_CLEANUP_GROUP group)
{
    tp_group_t *g = (tp_group_t *)group;
    if (!g || g->magic != GROUP_MAGIC) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    return g;
}

/* Takes the members out (new objects join the group afresh), stops their
 * timers and waits, cancels what has not started when asked (calling each
 * member's cancel callback), waits for the callbacks, then closes the
 * members; TrySubmitThreadpoolCallback's close themselves. */
void WINAPI CloseThreadpoolCleanupGroupMembers(PTP_CLEANUP_GROUP group, BOOL cancel, PVOID cleanup_ctx)
{
    tp_group_t *g = group_check(group);
    if (!g)
        return;
    wmiemu__tp_lock();
    tp_object_t *members = g->members;
    g->members = NULL;
    for (tp_object_t *o = members; o; o = o->group_next) {
        o->group = NULL;
        o->refs++; /* ours, until we are done with it */
        wmiemu__tp_disarm(o);
        if (cancel)
            wmiemu__tp_cancel_pending(o);
    }
    wmiemu__tp_unlock();
    for (tp_object_t *o = members; o; o = o->group_next)
        if (cancel && o->cancel_cb)
            o->cancel_cb(o->ctx, cleanup_ctx);
    for (tp_object_t *o = members; o; o = o->group_next)
        wmiemu__tp_wait_callbacks(o, FALSE);
    wmiemu__tp_lock();
    while (members) {
        tp_object_t *o = members;
        members = o->group_next;
        if (o->kind != TP_KIND_SIMPLE && !o->closed) {
            o->closed = TRUE;
            o->magic = 0;
            wmiemu__tp_release(o); /* the caller's */
        }
        wmiemu__tp_release(o);
    }
    wmiemu__tp_changed();
    wmiemu__tp_unlock();
}

void WINAPI CloseThreadpoolCleanupGroup(PTP_CLEANUP_GROUP group)
{
    tp_group_t *g = group_check(group);
    if (!g)
        return;
    wmiemu__tp_lock();
    /* Members not closed with it simply leave it. */
    for (tp_object_t *o = g->members; o; o = o->group_next)
        o->group = NULL;
    g->magic = 0;
    wmiemu__tp_unlock();
    free(g);
}

/* ---- callback instances ---- */

static tp_instance_t *instance_check(PTP_CALLBACK_INSTANCE instance)
{
    if (!instance)
        SetLastError(ERROR_INVALID_PARAMETER);
    return (tp_instance_t *)instance;
}

void WINAPI SetEventWhenCallbackReturns(PTP_CALLBACK_INSTANCE instance, HANDLE event)
{
    tp_instance_t *i = instance_check(instance);
    if (i)
        i->event = event;
}

void WINAPI ReleaseSemaphoreWhenCallbackReturns(PTP_CALLBACK_INSTANCE instance, HANDLE sem, DWORD count)
{
    tp_instance_t *i = instance_check(instance);
    if (i) {
        i->semaphore = sem;
        i->sem_count = count;
    }
}

void WINAPI ReleaseMutexWhenCallbackReturns(PTP_CALLBACK_INSTANCE instance, HANDLE mutex)
{
    tp_instance_t *i = instance_check(instance);
    if (i)
        i->mutex = mutex;
}

void WINAPI LeaveCriticalSectionWhenCallbackReturns(PTP_CALLBACK_INSTANCE instance, PCRITICAL_SECTION cs)
{
    tp_instance_t *i = instance_check(instance);
    if (i)
        i->cs = cs;
}

void WINAPI FreeLibraryWhenCallbackReturns(PTP_CALLBACK_INSTANCE instance, HMODULE module)
{
    tp_instance_t *i = instance_check(instance);
    if (i)
        i->library = module;
}

/* Every callback has a thread of its own: another is always to be had. */
BOOL WINAPI CallbackMayRunLong(PTP_CALLBACK_INSTANCE instance)
{
    return instance_check(instance) != NULL;
}

/* The callback counts as returned from now on for the WaitFor*Callbacks
 * functions and cleanup groups. */
void WINAPI DisassociateCurrentThreadFromCallback(PTP_CALLBACK_INSTANCE instance)
{
    tp_instance_t *i = instance_check(instance);
    if (!i)
        return;
    wmiemu__tp_lock();
    if (!i->disassociated) {
        tp_object_t *o = i->o;
        DWORD self = GetCurrentThreadId();
        i->disassociated = TRUE;
        /* Nobody waits for this thread any more (listed once its maker
         * got the lock back): it is unlisted and uncounted at once. */
        while (o->starting)
            tp_sleep();
        __atomic_sub_fetch(&o->running, 1, __ATOMIC_SEQ_CST);
        for (size_t k = 0; k < o->n_threads; k++) {
            if (o->threads[k].tid == self) {
                CloseHandle(o->threads[k].handle);
                o->threads[k] = o->threads[--o->n_threads];
                break;
            }
        }
        wmiemu__tp_changed();
    }
    wmiemu__tp_unlock();
}
