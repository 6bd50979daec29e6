/* Mutexes, semaphores, waits mixing them, SRW locks, condition variables,
 * one-time initialisation and the spin-count functions, on real threads
 * (the default table), with the results and errors Windows documents.
 * Labelled "threads": also runs under TSAN. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <windows.h>

#define N_THREADS 4
#define N_ROUNDS 2000

/* ---- mutexes ---- */

static DWORD WINAPI try_mutex(LPVOID p)
{
    return WaitForSingleObject((HANDLE)p, 0);
}

static DWORD WINAPI release_mutex_not_owned(LPVOID p)
{
    SetLastError(0);
    return ReleaseMutex((HANDLE)p) ? 0 : GetLastError();
}

static void mutex_ownership_and_recursion(void **state)
{
    (void)state;
    HANDLE m = CreateMutexW(NULL, TRUE, NULL);
    assert_non_null(m);
    DWORD code;
    /* Owned by this thread: another thread cannot take it, nor release it. */
    HANDLE t = CreateThread(NULL, 0, try_mutex, m, 0, NULL);
    WaitForSingleObject(t, INFINITE);
    GetExitCodeThread(t, &code);
    assert_int_equal(code, WAIT_TIMEOUT);
    CloseHandle(t);
    t = CreateThread(NULL, 0, release_mutex_not_owned, m, 0, NULL);
    WaitForSingleObject(t, INFINITE);
    GetExitCodeThread(t, &code);
    assert_int_equal(code, ERROR_NOT_OWNER);
    CloseHandle(t);
    /* The owner takes it again without blocking, and must release as often. */
    assert_int_equal(WaitForSingleObject(m, 0), WAIT_OBJECT_0);
    assert_int_equal(WaitForSingleObject(m, INFINITE), WAIT_OBJECT_0);
    assert_true(ReleaseMutex(m));
    assert_true(ReleaseMutex(m));
    assert_true(ReleaseMutex(m));
    assert_false(ReleaseMutex(m));
    assert_int_equal(GetLastError(), ERROR_NOT_OWNER);
    /* Free now: another thread takes it (and ends owning it: abandoned). */
    t = CreateThread(NULL, 0, try_mutex, m, 0, NULL);
    WaitForSingleObject(t, INFINITE);
    GetExitCodeThread(t, &code);
    assert_int_equal(code, WAIT_OBJECT_0);
    CloseHandle(t);
    assert_int_equal(WaitForSingleObject(m, 0), WAIT_ABANDONED_0);
    /* Abandonment is reported once; the new owner holds it normally. */
    assert_true(ReleaseMutex(m));
    assert_int_equal(WaitForSingleObject(m, 0), WAIT_OBJECT_0);
    assert_true(ReleaseMutex(m));
    assert_true(CloseHandle(m));
}

static void mutex_names_and_bad_input(void **state)
{
    (void)state;
    HANDLE a = CreateMutexA(NULL, FALSE, "wmiemu-test-mutex");
    assert_non_null(a);
    assert_int_equal(GetLastError(), ERROR_SUCCESS);
    /* The same name: the same object, and initial ownership is ignored. */
    HANDLE b = CreateMutexW(NULL, TRUE, L"wmiemu-test-mutex");
    assert_non_null(b);
    assert_int_equal(GetLastError(), ERROR_ALREADY_EXISTS);
    assert_false(ReleaseMutex(b));
    assert_int_equal(GetLastError(), ERROR_NOT_OWNER);
    assert_int_equal(WaitForSingleObject(a, 0), WAIT_OBJECT_0);
    HANDLE c = OpenMutexW(SYNCHRONIZE, FALSE, L"wmiemu-test-mutex");
    assert_non_null(c);
    assert_true(ReleaseMutex(c)); /* any handle of the owner's mutex */
    HANDLE d = CreateMutexExW(NULL, L"wmiemu-test-mutex", CREATE_MUTEX_INITIAL_OWNER, MUTEX_ALL_ACCESS);
    assert_int_equal(GetLastError(), ERROR_ALREADY_EXISTS);
    /* A name held by another kind of object. */
    assert_null(CreateEventW(NULL, TRUE, FALSE, L"wmiemu-test-mutex"));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    assert_null(CreateSemaphoreW(NULL, 0, 1, L"wmiemu-test-mutex"));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    assert_null(OpenSemaphoreW(SYNCHRONIZE, FALSE, L"wmiemu-test-mutex"));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    CloseHandle(a);
    CloseHandle(b);
    CloseHandle(c);
    CloseHandle(d);
    assert_null(OpenMutexA(SYNCHRONIZE, FALSE, "wmiemu-test-mutex"));
    assert_int_equal(GetLastError(), ERROR_FILE_NOT_FOUND);
    assert_null(OpenMutexW(SYNCHRONIZE, FALSE, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    /* NULL and wrong kinds of handles. */
    assert_false(ReleaseMutex(NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    HANDLE e = CreateEventW(NULL, TRUE, FALSE, NULL);
    assert_false(ReleaseMutex(e));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    assert_null(CreateMutexExW(NULL, NULL, 0x80, MUTEX_ALL_ACCESS));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    CloseHandle(e);
}

typedef struct {
    HANDLE mutex;
    LONG inside, max_inside, total;
} mutex_race_t;

static DWORD WINAPI mutex_worker(LPVOID p)
{
    mutex_race_t *r = p;
    for (int i = 0; i < N_ROUNDS; i++) {
        if (WaitForSingleObject(r->mutex, INFINITE) != WAIT_OBJECT_0)
            return 1;
        LONG now = InterlockedIncrement(&r->inside);
        if (now > r->max_inside)
            r->max_inside = now;
        r->total++; /* guarded by the mutex alone */
        InterlockedDecrement(&r->inside);
        ReleaseMutex(r->mutex);
    }
    return 0;
}

static void mutex_excludes(void **state)
{
    (void)state;
    mutex_race_t r = { CreateMutexW(NULL, FALSE, NULL), 0, 0, 0 };
    HANDLE t[N_THREADS];
    for (int i = 0; i < N_THREADS; i++)
        t[i] = CreateThread(NULL, 0, mutex_worker, &r, 0, NULL);
    assert_int_equal(WaitForMultipleObjects(N_THREADS, t, TRUE, INFINITE), WAIT_OBJECT_0);
    assert_int_equal(r.total, N_THREADS * N_ROUNDS);
    assert_int_equal(r.max_inside, 1);
    for (int i = 0; i < N_THREADS; i++)
        CloseHandle(t[i]);
    CloseHandle(r.mutex);
}

/* ---- semaphores ---- */

static void semaphore_counts_and_errors(void **state)
{
    (void)state;
    HANDLE s = CreateSemaphoreW(NULL, 1, 3, NULL);
    assert_non_null(s);
    assert_int_equal(WaitForSingleObject(s, 0), WAIT_OBJECT_0);
    assert_int_equal(WaitForSingleObject(s, 0), WAIT_TIMEOUT);
    LONG prev = -1;
    assert_true(ReleaseSemaphore(s, 2, &prev));
    assert_int_equal(prev, 0);
    /* 2 + 2 passes the maximum of 3: nothing changes, prev is not written. */
    prev = -1;
    assert_false(ReleaseSemaphore(s, 2, &prev));
    assert_int_equal(GetLastError(), ERROR_TOO_MANY_POSTS);
    assert_int_equal(prev, -1);
    assert_true(ReleaseSemaphore(s, 1, &prev));
    assert_int_equal(prev, 2);
    for (int i = 0; i < 3; i++)
        assert_int_equal(WaitForSingleObjectEx(s, 0, FALSE), WAIT_OBJECT_0);
    assert_int_equal(WaitForSingleObject(s, 10), WAIT_TIMEOUT);
    assert_false(ReleaseSemaphore(s, 0, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(ReleaseSemaphore(s, -1, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(ReleaseSemaphore(NULL, 1, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    HANDLE e = CreateEventW(NULL, FALSE, FALSE, NULL);
    assert_false(ReleaseSemaphore(e, 1, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    /* Bad counts at creation. */
    assert_null(CreateSemaphoreW(NULL, 0, 0, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_null(CreateSemaphoreA(NULL, 2, 1, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_null(CreateSemaphoreW(NULL, -1, 1, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    /* Names. */
    HANDLE n1 = CreateSemaphoreExW(NULL, 0, 5, L"wmiemu-test-sem", 0, SEMAPHORE_ALL_ACCESS);
    assert_int_equal(GetLastError(), ERROR_SUCCESS);
    HANDLE n2 = CreateSemaphoreA(NULL, 4, 4, "wmiemu-test-sem");
    assert_int_equal(GetLastError(), ERROR_ALREADY_EXISTS);
    HANDLE n3 = OpenSemaphoreA(SEMAPHORE_MODIFY_STATE, FALSE, "wmiemu-test-sem");
    assert_non_null(n3);
    assert_true(ReleaseSemaphore(n3, 5, &prev)); /* the first one's maximum */
    assert_int_equal(prev, 0);
    assert_int_equal(WaitForSingleObject(n2, 0), WAIT_OBJECT_0);
    assert_null(CreateMutexW(NULL, FALSE, L"wmiemu-test-sem"));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    assert_null(OpenMutexW(SYNCHRONIZE, FALSE, L"wmiemu-test-sem"));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    CloseHandle(n1);
    CloseHandle(n2);
    CloseHandle(n3);
    assert_null(OpenSemaphoreW(SYNCHRONIZE, FALSE, L"wmiemu-test-sem"));
    assert_int_equal(GetLastError(), ERROR_FILE_NOT_FOUND);
    CloseHandle(e);
    CloseHandle(s);
}

static DWORD WINAPI take_one(LPVOID p)
{
    return WaitForSingleObject((HANDLE)p, INFINITE);
}

static void semaphore_wakes_waiters(void **state)
{
    (void)state;
    HANDLE s = CreateSemaphoreW(NULL, 0, N_THREADS, NULL);
    HANDLE t[N_THREADS];
    for (int i = 0; i < N_THREADS; i++)
        t[i] = CreateThread(NULL, 0, take_one, s, 0, NULL);
    assert_int_equal(WaitForMultipleObjects(N_THREADS, t, FALSE, 30), WAIT_TIMEOUT);
    assert_true(ReleaseSemaphore(s, N_THREADS, NULL));
    assert_int_equal(WaitForMultipleObjects(N_THREADS, t, TRUE, INFINITE), WAIT_OBJECT_0);
    for (int i = 0; i < N_THREADS; i++) {
        DWORD code;
        GetExitCodeThread(t[i], &code);
        assert_int_equal(code, WAIT_OBJECT_0);
        CloseHandle(t[i]);
    }
    /* Every count went to a waiter. */
    assert_int_equal(WaitForSingleObject(s, 0), WAIT_TIMEOUT);
    CloseHandle(s);
}

/* ---- waits over several kinds ---- */

static void wait_mixes_kinds(void **state)
{
    (void)state;
    HANDLE e = CreateEventW(NULL, FALSE, FALSE, NULL);
    HANDLE s = CreateSemaphoreW(NULL, 1, 2, NULL);
    HANDLE m = CreateMutexW(NULL, FALSE, NULL);
    HANDLE t = CreateThread(NULL, 0, try_mutex, s, CREATE_SUSPENDED, NULL);
    HANDLE all[3] = { e, s, m };
    /* wait-all: the event is not set, so nothing is taken. */
    assert_int_equal(WaitForMultipleObjects(3, all, TRUE, 0), WAIT_TIMEOUT);
    assert_true(SetEvent(e));
    assert_int_equal(WaitForMultipleObjects(3, all, TRUE, 0), WAIT_OBJECT_0);
    /* All three taken at once: event reset, count 0, mutex ours. */
    assert_int_equal(WaitForSingleObject(e, 0), WAIT_TIMEOUT);
    assert_int_equal(WaitForSingleObject(s, 0), WAIT_TIMEOUT);
    /* wait-any: the owned mutex (index 2) is signalled for its owner, but a
     * lower index that is signalled wins. */
    assert_int_equal(WaitForMultipleObjects(3, all, FALSE, 0), WAIT_OBJECT_0 + 2);
    assert_true(ReleaseSemaphore(s, 1, NULL));
    assert_int_equal(WaitForMultipleObjects(3, all, FALSE, 0), WAIT_OBJECT_0 + 1);
    /* wait-all with the owned mutex and a set event. */
    SetEvent(e);
    HANDLE em[2] = { e, m };
    assert_int_equal(WaitForMultipleObjectsEx(2, em, TRUE, 0, FALSE), WAIT_OBJECT_0);
    for (int i = 0; i < 3; i++)
        assert_true(ReleaseMutex(m));
    assert_false(ReleaseMutex(m));
    /* A thread handle among them. */
    assert_int_equal(ResumeThread(t), 1);
    HANDLE th[2] = { e, t };
    assert_int_equal(WaitForMultipleObjects(2, th, FALSE, INFINITE), WAIT_OBJECT_0 + 1);
    /* SignalObjectAndWait: each kind as the one signalled. */
    assert_int_equal(SignalObjectAndWait(e, e, 0, FALSE), WAIT_OBJECT_0);
    assert_int_equal(SignalObjectAndWait(s, s, 0, FALSE), WAIT_OBJECT_0);
    assert_int_equal(WaitForSingleObject(m, 0), WAIT_OBJECT_0);
    assert_int_equal(SignalObjectAndWait(m, e, 0, FALSE), WAIT_TIMEOUT);
    assert_int_equal(SignalObjectAndWait(m, e, 0, FALSE), WAIT_FAILED);
    assert_int_equal(GetLastError(), ERROR_NOT_OWNER);
    ReleaseSemaphore(s, 2, NULL);
    assert_int_equal(SignalObjectAndWait(s, e, 0, FALSE), WAIT_FAILED);
    assert_int_equal(GetLastError(), ERROR_TOO_MANY_POSTS);
    assert_int_equal(SignalObjectAndWait(NULL, e, 0, FALSE), WAIT_FAILED);
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    assert_int_equal(SignalObjectAndWait(t, e, 0, FALSE), WAIT_FAILED);
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    CloseHandle(t);
    CloseHandle(e);
    CloseHandle(s);
    CloseHandle(m);
}

/* ---- SRW locks and condition variables ---- */

typedef struct {
    SRWLOCK lock;
    CONDITION_VARIABLE cv;
    LONG value;
    LONG readers, max_readers, writer_overlap;
} shared_t;

static DWORD WINAPI srw_worker(LPVOID p)
{
    shared_t *s = p;
    for (int i = 0; i < N_ROUNDS; i++) {
        if (i % 4) {
            AcquireSRWLockShared(&s->lock);
            LONG r = InterlockedIncrement(&s->readers);
            if (r > InterlockedCompareExchange(&s->max_readers, 0, 0))
                InterlockedExchange(&s->max_readers, r);
            InterlockedDecrement(&s->readers);
            ReleaseSRWLockShared(&s->lock);
        } else {
            AcquireSRWLockExclusive(&s->lock);
            if (InterlockedCompareExchange(&s->readers, 0, 0))
                InterlockedIncrement(&s->writer_overlap);
            s->value++;
            ReleaseSRWLockExclusive(&s->lock);
        }
    }
    return 0;
}

static void srw_lock(void **state)
{
    (void)state;
    shared_t s = { SRWLOCK_INIT, CONDITION_VARIABLE_INIT, 0, 0, 0, 0 };
    HANDLE t[N_THREADS];
    for (int i = 0; i < N_THREADS; i++)
        t[i] = CreateThread(NULL, 0, srw_worker, &s, 0, NULL);
    WaitForMultipleObjects(N_THREADS, t, TRUE, INFINITE);
    assert_int_equal(s.value, N_THREADS * N_ROUNDS / 4);
    assert_int_equal(s.writer_overlap, 0);
    for (int i = 0; i < N_THREADS; i++)
        CloseHandle(t[i]);
    /* Try: shared beside shared, nothing beside exclusive. */
    SRWLOCK l;
    InitializeSRWLock(&l);
    assert_true(TryAcquireSRWLockShared(&l));
    assert_true(TryAcquireSRWLockShared(&l));
    assert_false(TryAcquireSRWLockExclusive(&l));
    ReleaseSRWLockShared(&l);
    ReleaseSRWLockShared(&l);
    assert_true(TryAcquireSRWLockExclusive(&l));
    assert_false(TryAcquireSRWLockShared(&l));
    assert_false(TryAcquireSRWLockExclusive(&l));
    ReleaseSRWLockExclusive(&l);
    /* A zeroed lock is a free lock. */
    SRWLOCK z;
    memset(&z, 0, sizeof z);
    assert_true(TryAcquireSRWLockExclusive(&z));
    ReleaseSRWLockExclusive(&z);
    assert_null(z.Ptr);
}

static DWORD WINAPI cv_consumer_srw(LPVOID p)
{
    shared_t *s = p;
    AcquireSRWLockExclusive(&s->lock);
    while (s->value == 0)
        SleepConditionVariableSRW(&s->cv, &s->lock, INFINITE, 0);
    s->value--;
    ReleaseSRWLockExclusive(&s->lock);
    return 0;
}

static DWORD WINAPI cv_reader_srw(LPVOID p)
{
    shared_t *s = p;
    AcquireSRWLockShared(&s->lock);
    while (s->value == 0)
        SleepConditionVariableSRW(&s->cv, &s->lock, INFINITE, CONDITION_VARIABLE_LOCKMODE_SHARED);
    ReleaseSRWLockShared(&s->lock);
    return 0;
}

static void condition_variable_srw(void **state)
{
    (void)state;
    shared_t s;
    memset(&s, 0, sizeof s); /* zeroed lock and variable work */
    HANDLE t[N_THREADS];
    for (int i = 0; i < N_THREADS; i++)
        t[i] = CreateThread(NULL, 0, cv_consumer_srw, &s, 0, NULL);
    for (int i = 0; i < N_THREADS; i++) {
        AcquireSRWLockExclusive(&s.lock);
        s.value++;
        ReleaseSRWLockExclusive(&s.lock);
        WakeConditionVariable(&s.cv);
    }
    assert_int_equal(WaitForMultipleObjects(N_THREADS, t, TRUE, INFINITE), WAIT_OBJECT_0);
    assert_int_equal(s.value, 0);
    for (int i = 0; i < N_THREADS; i++)
        CloseHandle(t[i]);
    /* Shared sleepers, all woken at once. */
    for (int i = 0; i < N_THREADS; i++)
        t[i] = CreateThread(NULL, 0, cv_reader_srw, &s, 0, NULL);
    Sleep(20);
    AcquireSRWLockExclusive(&s.lock);
    s.value = 1;
    ReleaseSRWLockExclusive(&s.lock);
    WakeAllConditionVariable(&s.cv);
    assert_int_equal(WaitForMultipleObjects(N_THREADS, t, TRUE, INFINITE), WAIT_OBJECT_0);
    for (int i = 0; i < N_THREADS; i++)
        CloseHandle(t[i]);
    /* Timeouts: FALSE and ERROR_TIMEOUT, the lock held again on return. */
    CONDITION_VARIABLE cv;
    InitializeConditionVariable(&cv);
    AcquireSRWLockExclusive(&s.lock);
    SetLastError(0);
    ULONGLONG start = GetTickCount64();
    assert_false(SleepConditionVariableSRW(&cv, &s.lock, 30, 0));
    assert_int_equal(GetLastError(), ERROR_TIMEOUT);
    assert_true(GetTickCount64() - start >= 25);
    assert_false(TryAcquireSRWLockShared(&s.lock));
    ReleaseSRWLockExclusive(&s.lock);
    AcquireSRWLockShared(&s.lock);
    assert_false(SleepConditionVariableSRW(&cv, &s.lock, 0, CONDITION_VARIABLE_LOCKMODE_SHARED));
    assert_int_equal(GetLastError(), ERROR_TIMEOUT);
    assert_true(TryAcquireSRWLockShared(&s.lock));
    ReleaseSRWLockShared(&s.lock);
    ReleaseSRWLockShared(&s.lock);
}

typedef struct {
    CRITICAL_SECTION cs;
    CONDITION_VARIABLE cv;
    int ready;
} cs_cv_t;

static DWORD WINAPI cv_waiter_cs(LPVOID p)
{
    cs_cv_t *c = p;
    EnterCriticalSection(&c->cs);
    while (!c->ready)
        SleepConditionVariableCS(&c->cv, &c->cs, INFINITE);
    LeaveCriticalSection(&c->cs);
    return 7;
}

static void condition_variable_cs(void **state)
{
    (void)state;
    cs_cv_t c = { .ready = 0 };
    InitializeCriticalSectionAndSpinCount(&c.cs, 4000);
    InitializeConditionVariable(&c.cv);
    HANDLE t = CreateThread(NULL, 0, cv_waiter_cs, &c, 0, NULL);
    assert_int_equal(WaitForSingleObject(t, 20), WAIT_TIMEOUT);
    EnterCriticalSection(&c.cs);
    c.ready = 1;
    WakeConditionVariable(&c.cv);
    LeaveCriticalSection(&c.cs);
    assert_int_equal(WaitForSingleObject(t, INFINITE), WAIT_OBJECT_0);
    CloseHandle(t);
    EnterCriticalSection(&c.cs);
    assert_false(SleepConditionVariableCS(&c.cv, &c.cs, 5));
    assert_int_equal(GetLastError(), ERROR_TIMEOUT);
    assert_true(TryEnterCriticalSection(&c.cs)); /* held again, recursively */
    LeaveCriticalSection(&c.cs);
    LeaveCriticalSection(&c.cs);
    /* Spin counts are kept and returned. */
    assert_int_equal(SetCriticalSectionSpinCount(&c.cs, 100), 4000);
    assert_int_equal(SetCriticalSectionSpinCount(&c.cs, 0), 100);
    DeleteCriticalSection(&c.cs);
    CRITICAL_SECTION ex;
    assert_true(InitializeCriticalSectionEx(&ex, 50, 0));
    assert_int_equal(ex.SpinCount, 50);
    DeleteCriticalSection(&ex);
}

/* ---- WaitOnAddress ---- */

static DWORD WINAPI flip_later(LPVOID p)
{
    Sleep(20);
    InterlockedExchange((LONG *)p, 1);
    WakeByAddressSingle(p);
    return 0;
}

static void wait_on_address(void **state)
{
    (void)state;
    LONG value = 0, zero = 0, one = 1;
    assert_true(WaitOnAddress(&value, &one, sizeof value, 0)); /* differs: at once */
    assert_false(WaitOnAddress(&value, &zero, sizeof value, 10));
    assert_int_equal(GetLastError(), ERROR_TIMEOUT);
    assert_false(WaitOnAddress(&value, &zero, 3, 0));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    HANDLE t = CreateThread(NULL, 0, flip_later, &value, 0, NULL);
    while (InterlockedCompareExchange(&value, 0, 0) == 0)
        WaitOnAddress(&value, &zero, sizeof value, INFINITE);
    WakeByAddressAll(&value); /* nobody waits: nothing happens */
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
}

/* ---- one-time initialisation ---- */

static LONG once_calls;

static BOOL CALLBACK init_fn(INIT_ONCE *once, void *param, void **context)
{
    (void)once;
    InterlockedIncrement(&once_calls);
    Sleep(5); /* let the others pile up behind */
    *context = param;
    return TRUE;
}

static BOOL CALLBACK init_fails(INIT_ONCE *once, void *param, void **context)
{
    (void)once;
    (void)param;
    (void)context;
    InterlockedIncrement(&once_calls);
    SetLastError(ERROR_ACCESS_DENIED);
    return FALSE;
}

static INIT_ONCE shared_once = INIT_ONCE_STATIC_INIT;
static int once_target;

static DWORD WINAPI run_once(LPVOID p)
{
    (void)p;
    void *ctx = NULL;
    if (!InitOnceExecuteOnce(&shared_once, init_fn, &once_target, &ctx))
        return 1;
    return ctx == &once_target ? 0 : 2;
}

static void init_once(void **state)
{
    (void)state;
    HANDLE t[N_THREADS];
    for (int i = 0; i < N_THREADS; i++)
        t[i] = CreateThread(NULL, 0, run_once, NULL, 0, NULL);
    WaitForMultipleObjects(N_THREADS, t, TRUE, INFINITE);
    for (int i = 0; i < N_THREADS; i++) {
        DWORD code;
        GetExitCodeThread(t[i], &code);
        assert_int_equal(code, 0);
        CloseHandle(t[i]);
    }
    assert_int_equal(once_calls, 1);
    /* A failing callback leaves it to be tried again. */
    INIT_ONCE o;
    InitOnceInitialize(&o);
    once_calls = 0;
    assert_false(InitOnceExecuteOnce(&o, init_fails, NULL, NULL));
    assert_int_equal(GetLastError(), ERROR_ACCESS_DENIED);
    assert_true(InitOnceExecuteOnce(&o, init_fn, (void *)(ULONG_PTR)0x1000, NULL));
    assert_int_equal(once_calls, 2);
    /* Check only: done, with its context. */
    BOOL pending = TRUE;
    void *ctx = NULL;
    assert_true(InitOnceBeginInitialize(&o, INIT_ONCE_CHECK_ONLY, &pending, &ctx));
    assert_false(pending);
    assert_ptr_equal(ctx, (void *)(ULONG_PTR)0x1000);
    /* Begin/Complete by hand, synchronous. */
    INIT_ONCE h = INIT_ONCE_STATIC_INIT;
    assert_false(InitOnceBeginInitialize(&h, INIT_ONCE_CHECK_ONLY, &pending, &ctx));
    assert_true(InitOnceBeginInitialize(&h, 0, &pending, NULL));
    assert_true(pending);
    assert_false(InitOnceComplete(&h, 0, (void *)(ULONG_PTR)0x1001)); /* reserved bits */
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(InitOnceComplete(&h, INIT_ONCE_ASYNC, NULL)); /* not begun async */
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_true(InitOnceComplete(&h, INIT_ONCE_INIT_FAILED, NULL));
    assert_true(InitOnceBeginInitialize(&h, 0, &pending, NULL));
    assert_true(pending); /* failed: begun again */
    assert_true(InitOnceComplete(&h, 0, (void *)(ULONG_PTR)0x2000));
    assert_false(InitOnceComplete(&h, 0, NULL)); /* already done */
    assert_true(InitOnceBeginInitialize(&h, 0, &pending, &ctx));
    assert_false(pending);
    assert_ptr_equal(ctx, (void *)(ULONG_PTR)0x2000);
    /* Asynchronous: several attempts may be pending, the first completion wins. */
    INIT_ONCE a = INIT_ONCE_STATIC_INIT;
    BOOL p1, p2;
    assert_true(InitOnceBeginInitialize(&a, INIT_ONCE_ASYNC, &p1, NULL));
    assert_true(InitOnceBeginInitialize(&a, INIT_ONCE_ASYNC, &p2, NULL));
    assert_true(p1 && p2);
    assert_false(InitOnceBeginInitialize(&a, 0, &p1, NULL)); /* modes do not mix */
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(InitOnceComplete(&a, INIT_ONCE_ASYNC | INIT_ONCE_INIT_FAILED, NULL));
    assert_true(InitOnceComplete(&a, INIT_ONCE_ASYNC, (void *)(ULONG_PTR)0x3000));
    assert_false(InitOnceComplete(&a, INIT_ONCE_ASYNC, (void *)(ULONG_PTR)0x4000));
    assert_true(InitOnceBeginInitialize(&a, INIT_ONCE_ASYNC, &p1, &ctx));
    assert_false(p1);
    assert_ptr_equal(ctx, (void *)(ULONG_PTR)0x3000);
    /* Bad arguments. */
    assert_false(InitOnceBeginInitialize(&a, 0x80, &p1, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(InitOnceExecuteOnce(&a, NULL, NULL, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mutex_ownership_and_recursion),
        cmocka_unit_test(mutex_names_and_bad_input),
        cmocka_unit_test(mutex_excludes),
        cmocka_unit_test(semaphore_counts_and_errors),
        cmocka_unit_test(semaphore_wakes_waiters),
        cmocka_unit_test(wait_mixes_kinds),
        cmocka_unit_test(srw_lock),
        cmocka_unit_test(condition_variable_srw),
        cmocka_unit_test(condition_variable_cs),
        cmocka_unit_test(wait_on_address),
        cmocka_unit_test(init_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
