/* The thread-pool API (CreateThreadpoolWork & co.) on real threads (the
 * default table), with the results and errors Windows documents; timers in
 * virtual time and determinism are tests/explore/test_threadpool_det.c's.
 * Labelled "threads". */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <windows.h>

/* Not in Wine's headers; libwmiemu has them as Windows 8 does. */
BOOL WINAPI SetThreadpoolTimerEx(PTP_TIMER timer, PFILETIME due, DWORD period, DWORD window);
BOOL WINAPI SetThreadpoolWaitEx(PTP_WAIT wait, HANDLE h, PFILETIME timeout, PVOID reserved);
BOOL WINAPI CallbackMayRunLong(PTP_CALLBACK_INSTANCE instance);

#define LONG_WAIT 10000

typedef struct {
    LONG calls;
    LONG inside, most_inside;
    HANDLE started;  /* set by each callback as it starts, when not NULL */
    HANDLE release;  /* callbacks wait for it when not NULL */
    LONG returned;
    DWORD result;    /* a wait callback's WaitResult */
    void *seen_object;
} count_t;

/* Polled while callbacks run: read atomically. */
static LONG get(LONG *p)
{
    return InterlockedCompareExchange(p, 0, 0);
}

static void count_body(count_t *c)
{
    LONG in = InterlockedIncrement(&c->inside);
    for (LONG most = get(&c->most_inside); in > most; most = get(&c->most_inside))
        InterlockedCompareExchange(&c->most_inside, in, most);
    InterlockedIncrement(&c->calls);
    if (c->started)
        SetEvent(c->started);
    if (c->release)
        WaitForSingleObject(c->release, LONG_WAIT);
    else
        Sleep(2);
    InterlockedDecrement(&c->inside);
    InterlockedIncrement(&c->returned);
}

static void CALLBACK work_cb(PTP_CALLBACK_INSTANCE inst, PVOID ctx, PTP_WORK work)
{
    (void)inst;
    InterlockedExchangePointer(&((count_t *)ctx)->seen_object, work); /* callbacks overlap */
    count_body(ctx);
}

static void CALLBACK timer_cb(PTP_CALLBACK_INSTANCE inst, PVOID ctx, PTP_TIMER timer)
{
    (void)inst;
    InterlockedExchangePointer(&((count_t *)ctx)->seen_object, timer); /* callbacks overlap */
    count_body(ctx);
}

static void CALLBACK wait_cb(PTP_CALLBACK_INSTANCE inst, PVOID ctx, PTP_WAIT wait, TP_WAIT_RESULT result)
{
    (void)inst;
    InterlockedExchangePointer(&((count_t *)ctx)->seen_object, wait); /* callbacks overlap */
    InterlockedExchange((LONG *)&((count_t *)ctx)->result, (LONG)result);
    count_body(ctx);
}

static void CALLBACK simple_cb(PTP_CALLBACK_INSTANCE inst, PVOID ctx)
{
    (void)inst;
    count_body(ctx);
}

static DWORD WINAPI set_later(LPVOID event)
{
    Sleep(50);
    SetEvent(event);
    return 0;
}

static void set_event_later(HANDLE event)
{
    HANDLE t = CreateThread(NULL, 0, set_later, event, 0, NULL);
    assert_non_null(t);
    CloseHandle(t);
}

static FILETIME relative_ms(LONGLONG ms)
{
    ULONGLONG v = (ULONGLONG)(-ms * 10000);
    FILETIME ft = { (DWORD)v, (DWORD)(v >> 32) };
    return ft;
}

/* ---- work ---- */

static void work_runs_once_per_submit(void **state)
{
    (void)state;
    count_t c = { 0 };
    PTP_WORK w = CreateThreadpoolWork(work_cb, &c, NULL);
    assert_non_null(w);
    for (int i = 0; i < 5; i++)
        SubmitThreadpoolWork(w);
    WaitForThreadpoolWorkCallbacks(w, FALSE);
    assert_int_equal(c.calls, 5);
    assert_int_equal(c.returned, 5); /* all returned before the wait did */
    assert_ptr_equal(c.seen_object, w);
    CloseThreadpoolWork(w);
}

/* Two submissions run at once: each waits until both started. */
static void work_callbacks_run_concurrently(void **state)
{
    (void)state;
    count_t c = { 0 };
    c.release = CreateEventW(NULL, TRUE, FALSE, NULL);
    c.started = CreateEventW(NULL, FALSE, FALSE, NULL);
    PTP_WORK w = CreateThreadpoolWork(work_cb, &c, NULL);
    SubmitThreadpoolWork(w);
    SubmitThreadpoolWork(w);
    for (int i = 0; i < 2000 && get(&c.inside) < 2; i++)
        Sleep(5);
    assert_int_equal(get(&c.inside), 2);
    SetEvent(c.release);
    WaitForThreadpoolWorkCallbacks(w, FALSE);
    assert_int_equal(c.most_inside, 2);
    CloseThreadpoolWork(w);
    CloseHandle(c.release);
    CloseHandle(c.started);
}

/* A pool of one thread: the first callback holds it, cancelling drops the
 * two queued behind it. */
static void work_wait_cancels_pending(void **state)
{
    (void)state;
    count_t c = { 0 };
    c.release = CreateEventW(NULL, TRUE, FALSE, NULL);
    c.started = CreateEventW(NULL, FALSE, FALSE, NULL);
    PTP_POOL pool = CreateThreadpool(NULL);
    assert_non_null(pool);
    SetThreadpoolThreadMaximum(pool, 1);
    assert_true(SetThreadpoolThreadMinimum(pool, 1));
    TP_CALLBACK_ENVIRON env;
    memset(&env, 0, sizeof env);
    env.Version = 1;
    env.Pool = pool;
    PTP_WORK w = CreateThreadpoolWork(work_cb, &c, &env);
    for (int i = 0; i < 3; i++)
        SubmitThreadpoolWork(w);
    assert_int_equal(WaitForSingleObject(c.started, LONG_WAIT), WAIT_OBJECT_0);
    set_event_later(c.release);
    WaitForThreadpoolWorkCallbacks(w, TRUE);
    assert_int_equal(c.calls, 1);
    assert_int_equal(c.returned, 1);
    /* Submitting again works after a cancel. */
    SubmitThreadpoolWork(w);
    WaitForThreadpoolWorkCallbacks(w, FALSE);
    assert_int_equal(c.calls, 2);
    CloseThreadpoolWork(w);
    CloseThreadpool(pool);
    CloseHandle(c.release);
    CloseHandle(c.started);
}

/* A maximum of one serialises the pool's callbacks. */
static void pool_maximum_serialises(void **state)
{
    (void)state;
    count_t c = { 0 };
    PTP_POOL pool = CreateThreadpool(NULL);
    SetThreadpoolThreadMaximum(pool, 1);
    TP_CALLBACK_ENVIRON_V3 env;
    memset(&env, 0, sizeof env);
    env.Version = 3;
    env.Pool = pool;
    env.Size = sizeof env;
    PTP_WORK w = CreateThreadpoolWork(work_cb, &c, (PTP_CALLBACK_ENVIRON)&env);
    for (int i = 0; i < 6; i++)
        SubmitThreadpoolWork(w);
    /* Closing the pool first: it lives on while its objects do. */
    CloseThreadpool(pool);
    WaitForThreadpoolWorkCallbacks(w, FALSE);
    assert_int_equal(c.calls, 6);
    assert_int_equal(c.most_inside, 1);
    CloseThreadpoolWork(w);
}

static void simple_callback(void **state)
{
    (void)state;
    count_t c = { 0 };
    c.started = CreateEventW(NULL, FALSE, FALSE, NULL);
    assert_true(TrySubmitThreadpoolCallback(simple_cb, &c, NULL));
    assert_int_equal(WaitForSingleObject(c.started, LONG_WAIT), WAIT_OBJECT_0);
    for (int i = 0; i < 2000 && !get(&c.returned); i++)
        Sleep(5);
    assert_int_equal(c.calls, 1);
    SetLastError(0);
    assert_false(TrySubmitThreadpoolCallback(NULL, &c, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    CloseHandle(c.started);
}

/* Closing while a callback runs: the object lives until it returns, and
 * the closed handle is refused from then on. */
static void close_while_running(void **state)
{
    (void)state;
    count_t c = { 0 };
    c.release = CreateEventW(NULL, TRUE, FALSE, NULL);
    c.started = CreateEventW(NULL, FALSE, FALSE, NULL);
    PTP_WORK w = CreateThreadpoolWork(work_cb, &c, NULL);
    PTP_WORK volatile closed = w; /* used after closing, on purpose */
    SubmitThreadpoolWork(w);
    assert_int_equal(WaitForSingleObject(c.started, LONG_WAIT), WAIT_OBJECT_0);
    CloseThreadpoolWork(w);
    SetLastError(0);
    SubmitThreadpoolWork(closed);
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    SetEvent(c.release);
    for (int i = 0; i < 2000 && !get(&c.returned); i++)
        Sleep(5);
    assert_int_equal(c.calls, 1);
    Sleep(10); /* the worker lets go of the object */
    CloseHandle(c.release);
    CloseHandle(c.started);
}

static void bad_input(void **state)
{
    (void)state;
    count_t c = { 0 };
    SetLastError(0);
    assert_null(CreateThreadpoolWork(NULL, &c, NULL));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_null(CreateThreadpoolTimer(NULL, &c, NULL));
    assert_null(CreateThreadpoolWait(NULL, &c, NULL));
    /* An environment naming something that is not a pool. */
    TP_CALLBACK_ENVIRON env;
    memset(&env, 0, sizeof env);
    env.Version = 1;
    env.Pool = (PTP_POOL)&c;
    SetLastError(0);
    assert_null(CreateThreadpoolWork(work_cb, &c, &env));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    /* NULL objects: an error, no crash. */
    SetLastError(0);
    SubmitThreadpoolWork(NULL);
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    WaitForThreadpoolWorkCallbacks(NULL, TRUE);
    CloseThreadpoolWork(NULL);
    SetThreadpoolTimer(NULL, NULL, 0, 0);
    assert_false(SetThreadpoolTimerEx(NULL, NULL, 0, 0));
    assert_false(IsThreadpoolTimerSet(NULL));
    WaitForThreadpoolTimerCallbacks(NULL, FALSE);
    CloseThreadpoolTimer(NULL);
    SetThreadpoolWait(NULL, NULL, NULL);
    assert_false(SetThreadpoolWaitEx(NULL, NULL, NULL, NULL));
    WaitForThreadpoolWaitCallbacks(NULL, FALSE);
    CloseThreadpoolWait(NULL);
    SetThreadpoolThreadMaximum(NULL, 1);
    SetLastError(0);
    assert_false(SetThreadpoolThreadMinimum(NULL, 1));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    CloseThreadpool(NULL);
    CloseThreadpoolCleanupGroupMembers(NULL, TRUE, NULL);
    CloseThreadpoolCleanupGroup(NULL);
    SetLastError(0);
    SetEventWhenCallbackReturns(NULL, NULL);
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(CallbackMayRunLong(NULL));
    DisassociateCurrentThreadFromCallback(NULL);
    /* An object of another kind. */
    PTP_WORK w = CreateThreadpoolWork(work_cb, &c, NULL);
    SetLastError(0);
    assert_false(IsThreadpoolTimerSet((PTP_TIMER)w));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    CloseThreadpoolWork(w);
}

/* ---- timers ---- */

static void timer_one_shot(void **state)
{
    (void)state;
    count_t c = { 0 };
    c.started = CreateEventW(NULL, FALSE, FALSE, NULL);
    PTP_TIMER t = CreateThreadpoolTimer(timer_cb, &c, NULL);
    assert_non_null(t);
    assert_false(IsThreadpoolTimerSet(t));
    FILETIME due = relative_ms(30);
    ULONGLONG t0 = GetTickCount64();
    assert_false(SetThreadpoolTimerEx(t, &due, 0, 0)); /* was not set */
    assert_true(IsThreadpoolTimerSet(t));
    assert_int_equal(WaitForSingleObject(c.started, LONG_WAIT), WAIT_OBJECT_0);
    assert_true(GetTickCount64() - t0 >= 25);
    WaitForThreadpoolTimerCallbacks(t, FALSE);
    assert_false(IsThreadpoolTimerSet(t)); /* a one-shot fired is not set */
    Sleep(40);
    assert_int_equal(c.calls, 1);
    assert_ptr_equal(c.seen_object, t);
    /* An absolute time long past (1601): due at once. */
    FILETIME past = { 1, 0 };
    SetThreadpoolTimer(t, &past, 0, 0);
    assert_int_equal(WaitForSingleObject(c.started, LONG_WAIT), WAIT_OBJECT_0);
    /* Far in the future: set, and not firing. */
    FILETIME later = relative_ms(3600 * 1000);
    SetThreadpoolTimer(t, &later, 0, 0);
    Sleep(20);
    assert_true(IsThreadpoolTimerSet(t));
    WaitForThreadpoolTimerCallbacks(t, FALSE);
    assert_int_equal(c.calls, 2);
    /* Cancelling: SetThreadpoolTimerEx says it was set. */
    assert_true(SetThreadpoolTimerEx(t, NULL, 0, 0));
    assert_false(IsThreadpoolTimerSet(t));
    CloseThreadpoolTimer(t);
    CloseHandle(c.started);
}

static void timer_periodic(void **state)
{
    (void)state;
    count_t c = { 0 };
    c.started = CreateEventW(NULL, FALSE, FALSE, NULL);
    PTP_TIMER t = CreateThreadpoolTimer(timer_cb, &c, NULL);
    FILETIME now = { 0, 0 };
    SetThreadpoolTimer(t, &now, 10, 0);
    while (get(&c.calls) < 3)
        assert_int_equal(WaitForSingleObject(c.started, LONG_WAIT), WAIT_OBJECT_0);
    assert_true(IsThreadpoolTimerSet(t)); /* periodic: still set */
    /* The documented way to stop it for good. */
    SetThreadpoolTimer(t, NULL, 0, 0);
    WaitForThreadpoolTimerCallbacks(t, TRUE);
    LONG after = c.calls;
    Sleep(40);
    assert_int_equal(c.calls, after);
    assert_int_equal(c.returned, c.calls);
    CloseThreadpoolTimer(t);
    CloseHandle(c.started);
}

/* ---- waits ---- */

static void wait_signalled_and_timeout(void **state)
{
    (void)state;
    count_t c = { 0 };
    c.started = CreateEventW(NULL, FALSE, FALSE, NULL);
    HANDLE ev = CreateEventW(NULL, FALSE, FALSE, NULL);
    PTP_WAIT w = CreateThreadpoolWait(wait_cb, &c, NULL);
    assert_non_null(w);
    SetThreadpoolWait(w, ev, NULL);
    SetEvent(ev);
    assert_int_equal(WaitForSingleObject(c.started, LONG_WAIT), WAIT_OBJECT_0);
    WaitForThreadpoolWaitCallbacks(w, FALSE);
    assert_int_equal(c.result, WAIT_OBJECT_0);
    assert_ptr_equal(c.seen_object, w);
    /* A wait fires once: signalled again, no callback. */
    SetEvent(ev);
    Sleep(20);
    assert_int_equal(c.calls, 1);
    ResetEvent(ev);
    /* Timing out. */
    FILETIME timeout = relative_ms(20);
    SetThreadpoolWait(w, ev, &timeout);
    assert_int_equal(WaitForSingleObject(c.started, LONG_WAIT), WAIT_OBJECT_0);
    WaitForThreadpoolWaitCallbacks(w, FALSE);
    assert_int_equal(c.result, WAIT_TIMEOUT);
    /* A zero timeout polls: times out at once when not signalled. */
    FILETIME zero = { 0, 0 };
    SetThreadpoolWait(w, ev, &zero);
    assert_int_equal(WaitForSingleObject(c.started, LONG_WAIT), WAIT_OBJECT_0);
    WaitForThreadpoolWaitCallbacks(w, FALSE);
    assert_int_equal(c.result, WAIT_TIMEOUT);
    /* NULL stops a pending wait (Ex says there was one). */
    SetThreadpoolWait(w, ev, NULL);
    assert_true(SetThreadpoolWaitEx(w, NULL, NULL, NULL));
    assert_false(SetThreadpoolWaitEx(w, NULL, NULL, NULL));
    SetEvent(ev);
    Sleep(20);
    assert_int_equal(c.calls, 3);
    CloseThreadpoolWait(w);
    CloseHandle(ev);
    CloseHandle(c.started);
}

/* ---- cleanup groups ---- */

static LONG cancel_calls;
static void *cancel_ctx_seen;
static void *cancel_obj_ctx_seen;

static void CALLBACK group_cancel(PVOID object_ctx, PVOID cleanup_ctx)
{
    InterlockedIncrement(&cancel_calls);
    cancel_obj_ctx_seen = object_ctx;
    cancel_ctx_seen = cleanup_ctx;
}

static void cleanup_group_closes_members(void **state)
{
    (void)state;
    count_t c = { 0 }, tc = { 0 }, wc = { 0 };
    c.release = CreateEventW(NULL, TRUE, FALSE, NULL);
    c.started = CreateEventW(NULL, FALSE, FALSE, NULL);
    HANDLE never = CreateEventW(NULL, TRUE, FALSE, NULL);
    PTP_POOL pool = CreateThreadpool(NULL);
    SetThreadpoolThreadMaximum(pool, 1);
    PTP_CLEANUP_GROUP g = CreateThreadpoolCleanupGroup();
    assert_non_null(g);
    TP_CALLBACK_ENVIRON env;
    memset(&env, 0, sizeof env);
    env.Version = 1;
    env.Pool = pool;
    env.CleanupGroup = g;
    env.CleanupGroupCancelCallback = group_cancel;
    PTP_WORK w = CreateThreadpoolWork(work_cb, &c, &env);
    PTP_TIMER t = CreateThreadpoolTimer(timer_cb, &tc, &env);
    PTP_WAIT wt = CreateThreadpoolWait(wait_cb, &wc, &env);
    FILETIME later = relative_ms(3600 * 1000);
    SetThreadpoolTimer(t, &later, 0, 0);
    SetThreadpoolWait(wt, never, NULL);
    for (int i = 0; i < 3; i++)
        SubmitThreadpoolWork(w);
    assert_int_equal(WaitForSingleObject(c.started, LONG_WAIT), WAIT_OBJECT_0);
    set_event_later(c.release);
    int cookie;
    cancel_calls = 0;
    CloseThreadpoolCleanupGroupMembers(g, TRUE, &cookie);
    assert_int_equal(c.calls, 1);       /* the two queued were cancelled */
    assert_int_equal(c.returned, 1);    /* and the running one waited for */
    assert_int_equal(cancel_calls, 3);  /* once per member */
    assert_ptr_equal(cancel_ctx_seen, &cookie);
    assert_int_equal(tc.calls + wc.calls, 0);
    /* The wait member was stopped before it was closed. */
    SetEvent(never);
    Sleep(20);
    assert_int_equal(wc.calls, 0);

    /* Without cancelling: what was queued runs first, simple callbacks
     * included; the group is reused. */
    count_t sc = { 0 };
    w = CreateThreadpoolWork(work_cb, &c, &env);
    SubmitThreadpoolWork(w);
    SubmitThreadpoolWork(w);
    assert_true(TrySubmitThreadpoolCallback(simple_cb, &sc, &env));
    cancel_calls = 0;
    CloseThreadpoolCleanupGroupMembers(g, FALSE, NULL);
    assert_int_equal(c.calls, 3);
    assert_int_equal(sc.calls, 1);
    assert_int_equal(sc.returned, 1);
    assert_int_equal(cancel_calls, 0);
    CloseThreadpoolCleanupGroup(g);
    CloseThreadpool(pool);
    CloseHandle(never);
    CloseHandle(c.release);
    CloseHandle(c.started);
}

/* ---- callback instances ---- */

typedef struct {
    HANDLE event, mutex, semaphore;
    CRITICAL_SECTION cs;
    HMODULE library;
    LONG returned;
    BOOL may_run_long;
    HANDLE release;
} instance_data_t;

static void CALLBACK instance_cb(PTP_CALLBACK_INSTANCE inst, PVOID ctx, PTP_WORK work)
{
    instance_data_t *d = ctx;
    (void)work;
    WaitForSingleObject(d->mutex, LONG_WAIT);
    EnterCriticalSection(&d->cs);
    ReleaseMutexWhenCallbackReturns(inst, d->mutex);
    LeaveCriticalSectionWhenCallbackReturns(inst, &d->cs);
    ReleaseSemaphoreWhenCallbackReturns(inst, d->semaphore, 2);
    if (d->library)
        FreeLibraryWhenCallbackReturns(inst, d->library);
    d->may_run_long = CallbackMayRunLong(inst);
    SetEventWhenCallbackReturns(inst, d->event);
    Sleep(10);
    InterlockedIncrement(&d->returned);
}

static DWORD WINAPI try_mutex(LPVOID mutex)
{
    DWORD r = WaitForSingleObject(mutex, 0);
    if (r == WAIT_OBJECT_0)
        ReleaseMutex(mutex);
    return r;
}

static void when_callback_returns(void **state)
{
    (void)state;
    instance_data_t d;
    memset(&d, 0, sizeof d);
    d.event = CreateEventW(NULL, TRUE, FALSE, NULL);
    d.mutex = CreateMutexW(NULL, FALSE, NULL);
    d.semaphore = CreateSemaphoreW(NULL, 0, 5, NULL);
    InitializeCriticalSection(&d.cs);
#ifdef SELFREG_MODULE
    d.library = LoadLibraryA(SELFREG_MODULE);
    assert_non_null(d.library);
#endif
    PTP_WORK w = CreateThreadpoolWork(instance_cb, &d, NULL);
    SubmitThreadpoolWork(w);
    assert_int_equal(WaitForSingleObject(d.event, LONG_WAIT), WAIT_OBJECT_0);
    /* The event is set once the callback returned, after the rest. */
    assert_int_equal(d.returned, 1);
    assert_true(d.may_run_long);
    assert_true(TryEnterCriticalSection(&d.cs));
    LeaveCriticalSection(&d.cs);
    HANDLE t = CreateThread(NULL, 0, try_mutex, d.mutex, 0, NULL);
    DWORD code = 0;
    WaitForSingleObject(t, LONG_WAIT);
    GetExitCodeThread(t, &code);
    CloseHandle(t);
    assert_int_equal(code, WAIT_OBJECT_0); /* not held: released */
    assert_int_equal(WaitForSingleObject(d.semaphore, 0), WAIT_OBJECT_0);
    assert_int_equal(WaitForSingleObject(d.semaphore, 0), WAIT_OBJECT_0);
    assert_int_equal(WaitForSingleObject(d.semaphore, 0), WAIT_TIMEOUT);
    WaitForThreadpoolWorkCallbacks(w, FALSE);
#ifdef SELFREG_MODULE
    SetLastError(0);
    assert_false(FreeLibrary(d.library)); /* already freed, by the pool */
#endif
    CloseThreadpoolWork(w);
    DeleteCriticalSection(&d.cs);
    CloseHandle(d.event);
    CloseHandle(d.mutex);
    CloseHandle(d.semaphore);
}

static void CALLBACK disassociate_cb(PTP_CALLBACK_INSTANCE inst, PVOID ctx, PTP_WORK work)
{
    instance_data_t *d = ctx;
    (void)work;
    DisassociateCurrentThreadFromCallback(inst);
    DisassociateCurrentThreadFromCallback(inst); /* twice: once counts */
    WaitForSingleObject(d->release, LONG_WAIT);
    InterlockedIncrement(&d->returned);
}

/* Disassociated, a callback no longer holds up WaitFor*Callbacks. */
static void disassociate(void **state)
{
    (void)state;
    instance_data_t d;
    memset(&d, 0, sizeof d);
    d.release = CreateEventW(NULL, TRUE, FALSE, NULL);
    PTP_WORK w = CreateThreadpoolWork(disassociate_cb, &d, NULL);
    SubmitThreadpoolWork(w);
    WaitForThreadpoolWorkCallbacks(w, FALSE);
    assert_int_equal(d.returned, 0);
    CloseThreadpoolWork(w);
    SetEvent(d.release);
    for (int i = 0; i < 2000 && !get(&d.returned); i++)
        Sleep(5);
    assert_int_equal(d.returned, 1);
    Sleep(10);
    CloseHandle(d.release);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(work_runs_once_per_submit),
        cmocka_unit_test(work_callbacks_run_concurrently),
        cmocka_unit_test(work_wait_cancels_pending),
        cmocka_unit_test(pool_maximum_serialises),
        cmocka_unit_test(simple_callback),
        cmocka_unit_test(close_while_running),
        cmocka_unit_test(bad_input),
        cmocka_unit_test(timer_one_shot),
        cmocka_unit_test(timer_periodic),
        cmocka_unit_test(wait_signalled_and_timeout),
        cmocka_unit_test(cleanup_group_closes_members),
        cmocka_unit_test(when_callback_returns),
        cmocka_unit_test(disassociate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
