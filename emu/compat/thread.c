/* Threads: CreateThread, ExitThread, ResumeThread, GetExitCodeThread and
 * thread identity. Starting and ending go through the seam; thread ids are
 * handed out here, in creation order, so they are the same from run to run
 * under the deterministic scheduler. */
#include <unistd.h>

#include <wmiemu/compat.h>

#include "compat/sync.h"
#include "compat/fault.h"
#include "compat/handle.h"
#include "compat/module.h"

static LONG next_tid = 0x100;
static __thread wmiemu__kobj_t *self;
static __thread DWORD self_tid;

/* Threads inside their routine, by start routine: a run that ends while
 * some still run names them (wmiemu_running_threads). Slots a thread takes
 * and gives back itself; more threads than slots are counted only. */
#define RUNNING_SLOTS 256
static LPTHREAD_START_ROUTINE running[RUNNING_SLOTS];
static LONG running_count;
static __thread int self_slot = -1;

static void running_enter(LPTHREAD_START_ROUTINE start)
{
    __atomic_add_fetch(&running_count, 1, __ATOMIC_ACQ_REL);
    for (int i = 0; i < RUNNING_SLOTS; i++) {
        LPTHREAD_START_ROUTINE none = NULL;
        if (__atomic_compare_exchange_n(&running[i], &none, start, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
            self_slot = i;
            return;
        }
    }
}

static void running_leave(void)
{
    if (self_slot >= 0)
        __atomic_store_n(&running[self_slot], NULL, __ATOMIC_RELEASE);
    self_slot = -1;
    __atomic_sub_fetch(&running_count, 1, __ATOMIC_ACQ_REL);
}

size_t wmiemu_running_threads(void **starts, size_t max)
{
    size_t n = 0;
    for (int i = 0; i < RUNNING_SLOTS && n < max; i++) {
        LPTHREAD_START_ROUTINE s = __atomic_load_n(&running[i], __ATOMIC_ACQUIRE);
        if (s && starts)
            starts[n++] = (void *)s;
    }
    LONG count = __atomic_load_n(&running_count, __ATOMIC_ACQUIRE);
    return count > 0 ? (size_t)count : 0;
}

static DWORD new_tid(void)
{
    /* Windows thread ids are multiples of 4. */
    return (DWORD)__atomic_add_fetch(&next_tid, 4, __ATOMIC_RELAXED);
}

wmiemu__kobj_t *wmiemu__thread_self(void)
{
    return self;
}

DWORD WINAPI GetCurrentThreadId(void)
{
    if (!self_tid)
        self_tid = new_tid();
    return self_tid;
}

HANDLE WINAPI GetCurrentThread(void)
{
    return (HANDLE)~(ULONG_PTR)1;
}

DWORD WINAPI GetCurrentProcessId(void)
{
    return (DWORD)getpid();
}

HANDLE WINAPI GetCurrentProcess(void)
{
    return (HANDLE)~(ULONG_PTR)0;
}

/* The thread's routine is over: publish the exit code and drop the
 * reference the running thread held. */
static void thread_finish(wmiemu__kobj_t *t, DWORD code)
{
    wmiemu__mutex_thread_ending();
    wmiemu__modules_thread_detach();
    running_leave();
    __atomic_store_n(&t->exit_code, (LONG)code, __ATOMIC_RELEASE);
    self = NULL;
    wmiemu__kobj_release(t);
}

static void thread_entry(void *arg)
{
    wmiemu__kobj_t *t = arg;
    self = t;
    self_tid = t->tid;
    running_enter(t->start);
    wmiemu__modules_thread_attach();
    DWORD code = t->start(t->param);
    thread_finish(t, code);
}

static BOOL thread_start(wmiemu__kobj_t *t)
{
    wmiemu__kobj_addref(t); /* the running thread's reference */
    void *w = t->ops->thread_create(t->ops->ctx, thread_entry, t);
    if (!w) {
        wmiemu__kobj_release(t);
        return FALSE;
    }
    __atomic_store_n(&t->waitable, w, __ATOMIC_RELEASE);
    return TRUE;
}

HANDLE WINAPI CreateThread(LPSECURITY_ATTRIBUTES sa, SIZE_T stack, LPTHREAD_START_ROUTINE start, LPVOID param,
                           DWORD flags, LPDWORD tid)
{
    (void)sa;
    (void)stack;
    if (!start) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    if (wmiemu__fault_hit(WMIEMU__FAULT_THREAD, "CreateThread", __builtin_return_address(0))) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    wmiemu__kobj_t *t = wmiemu__kobj_new(KOBJ_THREAD, wmiemu__sched_ops_current());
    if (!t) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    t->start = start;
    t->param = param;
    t->tid = new_tid();
    t->suspended = (flags & CREATE_SUSPENDED) ? 1 : 0;
    HANDLE h = wmiemu__handle_new(t);
    if (h && !t->suspended && !thread_start(t)) {
        CloseHandle(h);
        h = NULL;
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    }
    if (h && tid)
        *tid = t->tid;
    wmiemu__kobj_release(t);
    return h;
}

DWORD WINAPI ResumeThread(HANDLE h)
{
    wmiemu__kobj_t *t = wmiemu__handle_get(h);
    if (!t)
        return (DWORD)-1;
    DWORD prev = (DWORD)-1;
    if (t->type != KOBJ_THREAD) {
        SetLastError(ERROR_INVALID_HANDLE);
    } else {
        LONG one = 1;
        if (__atomic_compare_exchange_n(&t->suspended, &one, 0, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            prev = thread_start(t) ? 1 : (DWORD)-1;
            if (prev == (DWORD)-1)
                SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        } else {
            prev = 0;
        }
    }
    wmiemu__kobj_release(t);
    return prev;
}

void WINAPI ExitThread(DWORD code)
{
    wmiemu__kobj_t *t = self;
    const wmiemu__sched_ops_t *ops = t ? t->ops : wmiemu__sched_ops_current();
    if (t)
        thread_finish(t, code);
    ops->thread_exit(ops->ctx);
}

BOOL WINAPI GetExitCodeThread(HANDLE h, LPDWORD code)
{
    if (!code) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    wmiemu__kobj_t *t = wmiemu__handle_get(h);
    if (!t)
        return FALSE;
    BOOL ok = t->type == KOBJ_THREAD;
    if (ok)
        *code = (DWORD)__atomic_load_n(&t->exit_code, __ATOMIC_ACQUIRE);
    else
        SetLastError(ERROR_INVALID_HANDLE);
    wmiemu__kobj_release(t);
    return ok;
}
