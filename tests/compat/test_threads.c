/* Threads, events, waits, critical sections, Interlocked*, Sleep, ticks
 * and the scheduling seam. Labelled "threads": also runs under TSAN. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <unistd.h>

#include <windows.h>
#include "compat/seam.h"

#define N_THREADS 4
#define N_ROUNDS 20000

static DWORD WINAPI return_param(LPVOID p)
{
    return (DWORD)(ULONG_PTR)p;
}

static void thread_exit_code_and_wait(void **state)
{
    (void)state;
    DWORD tid = 0, code = 0;
    HANDLE h = CreateThread(NULL, 0, return_param, (LPVOID)(ULONG_PTR)77, 0, &tid);
    assert_non_null(h);
    assert_int_not_equal(tid, 0);
    assert_int_equal(WaitForSingleObject(h, INFINITE), WAIT_OBJECT_0);
    assert_true(GetExitCodeThread(h, &code));
    assert_int_equal(code, 77);
    /* An ended thread's handle stays signalled. */
    assert_int_equal(WaitForSingleObject(h, 0), WAIT_OBJECT_0);
    assert_true(CloseHandle(h));
}

static DWORD WINAPI exit_early(LPVOID p)
{
    (void)p;
    ExitThread(5);
}

static void thread_exit_thread(void **state)
{
    (void)state;
    HANDLE h = CreateThread(NULL, 0, exit_early, NULL, 0, NULL);
    assert_int_equal(WaitForSingleObject(h, INFINITE), WAIT_OBJECT_0);
    DWORD code = 0;
    assert_true(GetExitCodeThread(h, &code));
    assert_int_equal(code, 5);
    CloseHandle(h);
}

static DWORD WINAPI report_tid(LPVOID p)
{
    *(DWORD *)p = GetCurrentThreadId();
    return 0;
}

static void thread_suspended_and_ids(void **state)
{
    (void)state;
    DWORD tid = 0, seen = 0, code = 0;
    HANDLE h = CreateThread(NULL, 0, report_tid, &seen, CREATE_SUSPENDED, &tid);
    assert_non_null(h);
    assert_true(GetExitCodeThread(h, &code));
    assert_int_equal(code, STILL_ACTIVE);
    assert_int_equal(ResumeThread(h), 1);
    assert_int_equal(WaitForSingleObject(h, INFINITE), WAIT_OBJECT_0);
    assert_int_equal(ResumeThread(h), 0);
    assert_int_equal(seen, tid);
    assert_int_not_equal(GetCurrentThreadId(), tid);
    assert_int_equal(GetCurrentThreadId(), GetCurrentThreadId());
    CloseHandle(h);
}

typedef struct {
    HANDLE go;
    HANDLE done;
    LONG counter;
} relay_t;

static DWORD WINAPI relay(LPVOID p)
{
    relay_t *r = p;
    if (WaitForSingleObject(r->go, INFINITE) != WAIT_OBJECT_0)
        return 1;
    InterlockedIncrement(&r->counter);
    SetEvent(r->done);
    return 0;
}

static void event_auto_reset_wakes_one(void **state)
{
    (void)state;
    relay_t r = { CreateEventW(NULL, FALSE, FALSE, NULL), CreateEventW(NULL, TRUE, FALSE, NULL), 0 };
    HANDLE t[2];
    for (int i = 0; i < 2; i++)
        t[i] = CreateThread(NULL, 0, relay, &r, 0, NULL);
    SetEvent(r.go);
    assert_int_equal(WaitForSingleObject(r.done, INFINITE), WAIT_OBJECT_0);
    /* auto-reset: one SetEvent released exactly one waiter */
    assert_int_equal(WaitForMultipleObjects(2, t, TRUE, 50), WAIT_TIMEOUT);
    assert_int_equal(InterlockedCompareExchange(&r.counter, 0, 0), 1);
    SetEvent(r.go);
    assert_int_equal(WaitForMultipleObjects(2, t, TRUE, INFINITE), WAIT_OBJECT_0);
    assert_int_equal(r.counter, 2);
    for (int i = 0; i < 2; i++)
        CloseHandle(t[i]);
    CloseHandle(r.go);
    CloseHandle(r.done);
}

static void event_manual_reset_and_timeouts(void **state)
{
    (void)state;
    HANDLE e = CreateEventA(NULL, TRUE, TRUE, NULL);
    assert_int_equal(WaitForSingleObject(e, 0), WAIT_OBJECT_0);
    assert_int_equal(WaitForSingleObject(e, 0), WAIT_OBJECT_0); /* stays set */
    assert_true(ResetEvent(e));
    assert_int_equal(WaitForSingleObject(e, 0), WAIT_TIMEOUT);
    assert_int_equal(WaitForSingleObject(e, 20), WAIT_TIMEOUT);
    HANDLE a = CreateEventW(NULL, FALSE, TRUE, NULL);
    assert_int_equal(WaitForSingleObject(a, 0), WAIT_OBJECT_0);
    assert_int_equal(WaitForSingleObject(a, 0), WAIT_TIMEOUT); /* consumed */
    HANDLE both[2] = { e, a };
    SetEvent(a);
    assert_int_equal(WaitForMultipleObjects(2, both, FALSE, 0), WAIT_OBJECT_0 + 1);
    SetEvent(a);
    /* wait_all does not consume anything unless all are set */
    assert_int_equal(WaitForMultipleObjects(2, both, TRUE, 0), WAIT_TIMEOUT);
    assert_int_equal(WaitForSingleObject(a, 0), WAIT_OBJECT_0);
    SetEvent(a);
    SetEvent(e);
    assert_int_equal(WaitForMultipleObjects(2, both, TRUE, 0), WAIT_OBJECT_0);
    assert_int_equal(WaitForSingleObject(a, 0), WAIT_TIMEOUT);
    assert_int_equal(WaitForSingleObjectEx(e, 0, TRUE), WAIT_OBJECT_0);
    CloseHandle(e);
    CloseHandle(a);
}

static void event_names(void **state)
{
    (void)state;
    HANDLE a = CreateEventW(NULL, TRUE, FALSE, L"wmiemu-test-event");
    assert_non_null(a);
    assert_int_equal(GetLastError(), ERROR_SUCCESS);
    HANDLE b = CreateEventW(NULL, TRUE, FALSE, L"wmiemu-test-event");
    assert_int_equal(GetLastError(), ERROR_ALREADY_EXISTS);
    assert_ptr_not_equal(a, b);
    SetEvent(b);
    assert_int_equal(WaitForSingleObject(a, 0), WAIT_OBJECT_0); /* same object */
    HANDLE c = OpenEventW(EVENT_ALL_ACCESS, FALSE, L"wmiemu-test-event");
    assert_non_null(c);
    CloseHandle(a);
    CloseHandle(b);
    CloseHandle(c);
    assert_null(OpenEventW(EVENT_ALL_ACCESS, FALSE, L"wmiemu-test-event"));
    assert_int_equal(GetLastError(), ERROR_FILE_NOT_FOUND);
}

static void bad_handles(void **state)
{
    (void)state;
    HANDLE e = CreateEventW(NULL, TRUE, FALSE, NULL);
    assert_true(CloseHandle(e));
    assert_false(CloseHandle(e)); /* closed twice */
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    assert_false(SetEvent(e));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    assert_false(ResetEvent(NULL));
    assert_false(CloseHandle((HANDLE)(ULONG_PTR)0x12345));
    assert_false(CloseHandle((HANDLE)(ULONG_PTR)7));
    assert_int_equal(WaitForSingleObject(e, 0), WAIT_FAILED);
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    assert_int_equal(WaitForSingleObject(NULL, 0), WAIT_FAILED);
    DWORD code;
    assert_false(GetExitCodeThread(NULL, &code));
    assert_int_equal(ResumeThread(NULL), (DWORD)-1);
    assert_true(CloseHandle(GetCurrentThread())); /* pseudo handle */
    assert_int_equal(WaitForSingleObject(GetCurrentThread(), 0), WAIT_FAILED); /* not a compat thread */
}

static void bad_wait_arguments(void **state)
{
    (void)state;
    HANDLE e = CreateEventW(NULL, TRUE, TRUE, NULL);
    HANDLE many[MAXIMUM_WAIT_OBJECTS + 1];
    for (int i = 0; i <= MAXIMUM_WAIT_OBJECTS; i++)
        many[i] = e;
    assert_int_equal(WaitForMultipleObjects(0, many, FALSE, 0), WAIT_FAILED);
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_int_equal(WaitForMultipleObjects(1, NULL, FALSE, 0), WAIT_FAILED);
    assert_int_equal(WaitForMultipleObjects(MAXIMUM_WAIT_OBJECTS + 1, many, FALSE, 0), WAIT_FAILED);
    assert_int_equal(WaitForMultipleObjects(2, many, TRUE, 0), WAIT_FAILED); /* duplicates */
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_int_equal(WaitForMultipleObjects(2, many, FALSE, 0), WAIT_OBJECT_0);
    HANDLE mixed[2] = { e, (HANDLE)(ULONG_PTR)0x4444 };
    assert_int_equal(WaitForMultipleObjects(2, mixed, FALSE, 0), WAIT_FAILED);
    assert_null(CreateThread(NULL, 0, NULL, NULL, 0, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(GetExitCodeThread(e, NULL));
    DWORD code;
    assert_false(GetExitCodeThread(e, &code)); /* an event, not a thread */
    assert_null(OpenEventW(0, FALSE, NULL));
    CloseHandle(e);
}

typedef struct {
    CRITICAL_SECTION cs;
    LONG plain;      /* protected by cs only */
    LONG atomic;
    LONG64 atomic64;
    void *volatile ptr;
} shared_t;

static DWORD WINAPI hammer(LPVOID p)
{
    shared_t *s = p;
    for (int i = 0; i < N_ROUNDS; i++) {
        EnterCriticalSection(&s->cs);
        EnterCriticalSection(&s->cs); /* recursive */
        s->plain++;
        LeaveCriticalSection(&s->cs);
        LeaveCriticalSection(&s->cs);
        InterlockedIncrement(&s->atomic);
        InterlockedDecrement(&s->atomic);
        InterlockedExchangeAdd(&s->atomic, 2);
        InterlockedIncrement64(&s->atomic64);
    }
    return 0;
}

static void critical_section_and_interlocked_contention(void **state)
{
    (void)state;
    shared_t s;
    memset(&s, 0, sizeof s);
    InitializeCriticalSection(&s.cs);
    HANDLE t[N_THREADS];
    for (int i = 0; i < N_THREADS; i++)
        t[i] = CreateThread(NULL, 0, hammer, &s, 0, NULL);
    assert_int_equal(WaitForMultipleObjects(N_THREADS, t, TRUE, INFINITE), WAIT_OBJECT_0);
    assert_int_equal(s.plain, N_THREADS * N_ROUNDS);
    assert_int_equal(s.atomic, 2 * N_THREADS * N_ROUNDS);
    assert_true(s.atomic64 == N_THREADS * N_ROUNDS);
    for (int i = 0; i < N_THREADS; i++)
        CloseHandle(t[i]);
    DeleteCriticalSection(&s.cs);
}

static DWORD WINAPI try_enter(LPVOID p)
{
    shared_t *s = p;
    if (!TryEnterCriticalSection(&s->cs))
        return 0;
    LeaveCriticalSection(&s->cs);
    return 1;
}

static void critical_section_try_and_owner(void **state)
{
    (void)state;
    shared_t s;
    memset(&s, 0, sizeof s);
    assert_true(InitializeCriticalSectionAndSpinCount(&s.cs, 100));
    assert_true(TryEnterCriticalSection(&s.cs));
    assert_true(TryEnterCriticalSection(&s.cs)); /* recursive for the owner */
    assert_int_equal(s.cs.RecursionCount, 2);
    assert_ptr_equal(s.cs.OwningThread, (HANDLE)(ULONG_PTR)GetCurrentThreadId());
    HANDLE t = CreateThread(NULL, 0, try_enter, &s, 0, NULL);
    DWORD code = 9;
    WaitForSingleObject(t, INFINITE);
    GetExitCodeThread(t, &code);
    assert_int_equal(code, 0); /* held by us */
    CloseHandle(t);
    LeaveCriticalSection(&s.cs);
    LeaveCriticalSection(&s.cs);
    LeaveCriticalSection(&s.cs); /* one too many: ignored */
    assert_null(s.cs.OwningThread);
    t = CreateThread(NULL, 0, try_enter, &s, 0, NULL);
    WaitForSingleObject(t, INFINITE);
    GetExitCodeThread(t, &code);
    assert_int_equal(code, 1);
    CloseHandle(t);
    DeleteCriticalSection(&s.cs);
    EnterCriticalSection(NULL);   /* ignored */
    LeaveCriticalSection(NULL);
    assert_false(TryEnterCriticalSection(NULL));
}

static void interlocked_operations(void **state)
{
    (void)state;
    LONG v = 5;
    assert_int_equal(InterlockedIncrement(&v), 6);
    assert_int_equal(InterlockedDecrement(&v), 5);
    assert_int_equal(InterlockedExchange(&v, 9), 5);
    assert_int_equal(InterlockedCompareExchange(&v, 1, 8), 9); /* no swap */
    assert_int_equal(InterlockedCompareExchange(&v, 1, 9), 9);
    assert_int_equal(v, 1);
    assert_int_equal(InterlockedExchangeAdd(&v, 10), 1);
    assert_int_equal(v, 11);
    int a, b;
    void *p = &a;
    assert_ptr_equal(InterlockedExchangePointer(&p, &b), &a);
    assert_ptr_equal(InterlockedCompareExchangePointer(&p, &a, &b), &b);
    assert_ptr_equal(p, &a);
    LONG64 w = 1;
    assert_true(InterlockedCompareExchange64(&w, 2, 1) == 1);
    assert_true(InterlockedExchangeAdd64(&w, 3) == 2);
    assert_true(w == 5);
}

static void sleep_and_ticks(void **state)
{
    (void)state;
    ULONGLONG t0 = GetTickCount64();
    Sleep(15);
    ULONGLONG t1 = GetTickCount64();
    assert_true(t1 >= t0 + 10); /* monotonic clock, coarse bound */
    Sleep(0);
    assert_int_equal(SleepEx(1, TRUE), 0);
    assert_int_equal(GetTickCount(), (DWORD)GetTickCount());
    LARGE_INTEGER f, c;
    assert_true(QueryPerformanceFrequency(&f));
    assert_true(f.QuadPart == 10000000);
    assert_true(QueryPerformanceCounter(&c));
    assert_true(c.QuadPart > 0);
    assert_false(QueryPerformanceCounter(NULL));
}

static void last_error_per_thread(void **state)
{
    (void)state;
    SetLastError(1234);
    HANDLE t = CreateThread(NULL, 0, (LPTHREAD_START_ROUTINE)(void *)GetLastError, NULL, 0, NULL);
    DWORD code;
    WaitForSingleObject(t, INFINITE);
    GetExitCodeThread(t, &code);
    assert_int_equal(code, 0); /* the new thread starts clean */
    assert_int_equal(GetLastError(), 1234);
    CloseHandle(t);
    assert_int_equal(GetCurrentProcessId(), (DWORD)getpid());
    assert_true(CloseHandle(GetCurrentProcess()));
    HANDLE e = CreateEventW(NULL, TRUE, TRUE, NULL);
    assert_int_equal(WaitForMultipleObjectsEx(1, &e, FALSE, 0, TRUE), WAIT_OBJECT_0);
    CloseHandle(e);
}

/* ---- the seam: a recording table wrapped around the default one ---- */

static struct {
    LONG creates, exits_seen, waits, sleeps, clocks, sets, locks;
} seen;

static const wmiemu__sched_ops_t *inner;

static void *rec_thread_create(void *ctx, void (*entry)(void *), void *arg)
{
    (void)ctx;
    InterlockedIncrement(&seen.creates);
    return inner->thread_create(inner->ctx, entry, arg);
}
static __attribute__((noreturn)) void rec_thread_exit(void *ctx)
{
    (void)ctx;
    InterlockedIncrement(&seen.exits_seen);
    inner->thread_exit(inner->ctx);
}
static void *rec_event_create(void *ctx, BOOL m, BOOL i) { (void)ctx; return inner->event_create(inner->ctx, m, i); }
static void rec_event_set(void *ctx, void *e) { (void)ctx; InterlockedIncrement(&seen.sets); inner->event_set(inner->ctx, e); }
static void rec_event_reset(void *ctx, void *e) { (void)ctx; inner->event_reset(inner->ctx, e); }
static void *rec_mutex_create(void *ctx) { (void)ctx; return inner->mutex_create(inner->ctx); }
static void rec_mutex_lock(void *ctx, void *m) { (void)ctx; InterlockedIncrement(&seen.locks); inner->mutex_lock(inner->ctx, m); }
static BOOL rec_mutex_trylock(void *ctx, void *m) { (void)ctx; return inner->mutex_trylock(inner->ctx, m); }
static void rec_mutex_unlock(void *ctx, void *m) { (void)ctx; inner->mutex_unlock(inner->ctx, m); }
static DWORD rec_wait(void *ctx, void *const *o, DWORD n, BOOL all, DWORD ms)
{
    (void)ctx;
    InterlockedIncrement(&seen.waits);
    return inner->wait(inner->ctx, o, n, all, ms);
}
static void rec_sleep(void *ctx, DWORD ms) { (void)ctx; InterlockedIncrement(&seen.sleeps); inner->sleep(inner->ctx, ms); }
static uint64_t rec_now(void *ctx) { (void)ctx; InterlockedIncrement(&seen.clocks); return 1000000 + inner->now_ms(inner->ctx); }
static void rec_destroy(void *ctx, void *o) { (void)ctx; inner->obj_destroy(inner->ctx, o); }
static struct {
    LONG sem_creates, sem_releases, addr_waits, addr_wakes, points;
} seen_sync;

static void *rec_sem_create(void *ctx, LONG i, LONG m)
{
    (void)ctx;
    InterlockedIncrement(&seen_sync.sem_creates);
    return inner->sem_create(inner->ctx, i, m);
}
static BOOL rec_sem_release(void *ctx, void *s, LONG c, LONG *p)
{
    (void)ctx;
    InterlockedIncrement(&seen_sync.sem_releases);
    return inner->sem_release(inner->ctx, s, c, p);
}
static BOOL rec_addr_wait(void *ctx, const volatile void *a, const void *c, SIZE_T n, DWORD ms)
{
    (void)ctx;
    InterlockedIncrement(&seen_sync.addr_waits);
    return inner->addr_wait(inner->ctx, a, c, n, ms);
}
static void rec_addr_wake(void *ctx, const void *a, BOOL all)
{
    (void)ctx;
    InterlockedIncrement(&seen_sync.addr_wakes);
    inner->addr_wake(inner->ctx, a, all);
}
static void rec_point(void *ctx, const char *op)
{
    (void)ctx;
    InterlockedIncrement(&seen_sync.points);
    inner->point(inner->ctx, op);
}

static const wmiemu__sched_ops_t recording = {
    "recording", NULL, rec_thread_create, rec_thread_exit, rec_event_create, rec_event_set, rec_event_reset,
    rec_mutex_create, rec_mutex_lock, rec_mutex_trylock, rec_mutex_unlock, rec_wait, rec_sleep, rec_now, rec_destroy,
    rec_sem_create, rec_sem_release, rec_addr_wait, rec_addr_wake, rec_point, NULL,
};

static void seam_sees_every_operation(void **state)
{
    (void)state;
    inner = wmiemu__sched_ops_current();
    assert_ptr_equal(inner, &wmiemu__sched_ops_default);
    assert_ptr_equal(wmiemu__sched_ops_install(&recording), &wmiemu__sched_ops_default);
    HANDLE e = CreateEventW(NULL, TRUE, FALSE, NULL);
    HANDLE t = CreateThread(NULL, 0, exit_early, NULL, 0, NULL);
    SetEvent(e);
    WaitForSingleObject(t, INFINITE);
    CRITICAL_SECTION cs;
    InitializeCriticalSection(&cs);
    EnterCriticalSection(&cs);
    LeaveCriticalSection(&cs);
    DeleteCriticalSection(&cs);
    Sleep(0);
    assert_true(GetTickCount64() >= 1000000);
    assert_int_equal(seen.creates, 1);
    assert_int_equal(seen.exits_seen, 1);
    assert_int_equal(seen.sets, 1);
    assert_int_equal(seen.waits, 1);
    assert_int_equal(seen.locks, 1);
    assert_int_equal(seen.sleeps, 1);
    assert_int_equal(seen.clocks, 1);
    /* Objects keep the table they were made with after a switch back. */
    assert_ptr_equal(wmiemu__sched_ops_install(NULL), &recording);
    SetEvent(e);
    assert_int_equal(seen.sets, 2);
    CloseHandle(e);
    CloseHandle(t);
}

static void CALLBACK set_on_fire(PVOID p, BOOLEAN fired)
{
    if (fired)
        SetEvent((HANDLE)p);
}

/* Semaphores, mutexes, SRW locks, condition variables and timers reach the
 * seam for every creation, release, acquire, wait and wake. */
static void seam_sees_sync_operations(void **state)
{
    (void)state;
    inner = &wmiemu__sched_ops_default;
    assert_ptr_equal(wmiemu__sched_ops_install(&recording), &wmiemu__sched_ops_default);
    LONG creates = seen.creates;
    HANDLE s = CreateSemaphoreW(NULL, 0, 1, NULL);
    HANDLE m = CreateMutexW(NULL, TRUE, NULL);
    assert_int_equal(seen_sync.sem_creates, 2);
    assert_true(ReleaseSemaphore(s, 1, NULL));
    assert_true(ReleaseMutex(m));
    assert_int_equal(seen_sync.sem_releases, 2);
    SRWLOCK l = SRWLOCK_INIT;
    AcquireSRWLockExclusive(&l);
    ReleaseSRWLockExclusive(&l);
    assert_int_equal(seen_sync.points, 2); /* uncontended: still seen */
    CONDITION_VARIABLE cv = CONDITION_VARIABLE_INIT;
    AcquireSRWLockShared(&l);
    assert_false(SleepConditionVariableSRW(&cv, &l, 1, CONDITION_VARIABLE_LOCKMODE_SHARED));
    ReleaseSRWLockShared(&l);
    assert_int_equal(seen_sync.addr_waits, 1);
    WakeConditionVariable(&cv);
    assert_int_equal(seen_sync.addr_wakes, 1);
    /* A timer's thread and its callback's thread both come from the seam. */
    HANDLE fired = CreateEventW(NULL, TRUE, FALSE, NULL), timer;
    assert_true(CreateTimerQueueTimer(&timer, NULL, set_on_fire, fired, 1, 0, WT_EXECUTEDEFAULT));
    assert_int_equal(WaitForSingleObject(fired, INFINITE), WAIT_OBJECT_0);
    assert_true(DeleteTimerQueueTimer(NULL, timer, INVALID_HANDLE_VALUE));
    assert_int_equal(seen.creates - creates, 2);
    assert_ptr_equal(wmiemu__sched_ops_install(NULL), &recording);
    CloseHandle(fired);
    CloseHandle(s);
    CloseHandle(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(thread_exit_code_and_wait),
        cmocka_unit_test(thread_exit_thread),
        cmocka_unit_test(thread_suspended_and_ids),
        cmocka_unit_test(event_auto_reset_wakes_one),
        cmocka_unit_test(event_manual_reset_and_timeouts),
        cmocka_unit_test(event_names),
        cmocka_unit_test(bad_handles),
        cmocka_unit_test(bad_wait_arguments),
        cmocka_unit_test(critical_section_and_interlocked_contention),
        cmocka_unit_test(critical_section_try_and_owner),
        cmocka_unit_test(interlocked_operations),
        cmocka_unit_test(sleep_and_ticks),
        cmocka_unit_test(last_error_per_thread),
        cmocka_unit_test(seam_sees_every_operation),
        cmocka_unit_test(seam_sees_sync_operations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
