/* The synchronisation and thread-pool functions under the deterministic
 * scheduler: timers fire at the virtual time asked, timed condition
 * variable sleeps end in virtual time, and mutexes, semaphores, SRW locks
 * and INIT_ONCE keep their guarantees in every explored schedule. Public
 * API only. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <windows.h>

#include <wmiemu/explore.h>

#define CHECK(c) do { if (!(c)) wmiemu_explore_fail(0, "%s:%d: check failed: %s", __FILE__, __LINE__, #c); } while (0)

static void explore_ok(void (*scenario)(void *), const char *name, unsigned iterations, wmiemu_strategy_t strategy)
{
    wmiemu_explore_opts_t o;
    wmiemu_explore_opts_init(&o);
    o.iterations = iterations;
    o.scenario_name = name;
    o.strategy = strategy;
    wmiemu_explore_result_t r;
    wmiemu_outcome_t out = wmiemu_explore(scenario, NULL, &o, &r);
    if (out != WMIEMU_OUTCOME_OK)
        fprintf(stderr, "%s: %s\n", name, r.message);
    assert_int_equal(out, WMIEMU_OUTCOME_OK);
    assert_int_equal(r.iterations_run, iterations);
}

/* ---- timer queues in virtual time ---- */

typedef struct {
    ULONGLONG fired_at[4];
    LONG fired;
    HANDLE done;
} timer_data_t;

static void CALLBACK record_fire(PVOID param, BOOLEAN timer_fired)
{
    timer_data_t *d = param;
    LONG n = d->fired;
    if (n < 4)
        d->fired_at[n] = GetTickCount64();
    d->fired = n + 1;
    if (timer_fired && n + 1 == 3)
        SetEvent(d->done);
}

static void timer_scenario(void *ctx)
{
    (void)ctx;
    timer_data_t d = { { 0 }, 0, CreateEventW(NULL, TRUE, FALSE, NULL) };
    ULONGLONG t0 = GetTickCount64();
    HANDLE timer = NULL;
    /* Due in 250 virtual ms, then every 100, on the timer thread. */
    CHECK(CreateTimerQueueTimer(&timer, NULL, record_fire, &d, 250, 100, WT_EXECUTEINTIMERTHREAD));
    CHECK(WaitForSingleObject(d.done, INFINITE) == WAIT_OBJECT_0);
    CHECK(DeleteTimerQueueTimer(NULL, timer, INVALID_HANDLE_VALUE));
    CHECK(d.fired == 3);
    CHECK(d.fired_at[0] - t0 == 250);
    CHECK(d.fired_at[1] - t0 == 350);
    CHECK(d.fired_at[2] - t0 == 450);
    /* A one-shot on a queue of its own, its callback on a worker thread. */
    HANDLE q = CreateTimerQueue();
    CHECK(q != NULL);
    ResetEvent(d.done);
    d.fired = 2;
    ULONGLONG t1 = GetTickCount64();
    CHECK(CreateTimerQueueTimer(&timer, q, record_fire, &d, 1000, 0, WT_EXECUTEDEFAULT));
    CHECK(WaitForSingleObject(d.done, INFINITE) == WAIT_OBJECT_0);
    CHECK(d.fired_at[2] - t1 == 1000);
    CHECK(DeleteTimerQueueEx(q, INVALID_HANDLE_VALUE));
    CloseHandle(d.done);
}

static void test_timer_virtual_time(void **state)
{
    (void)state;
    explore_ok(timer_scenario, "timer-queue", 200, WMIEMU_STRATEGY_RANDOM);
    explore_ok(timer_scenario, "timer-queue", 100, WMIEMU_STRATEGY_PCT);
}

/* ---- condition variables with timeouts ---- */

typedef struct {
    SRWLOCK lock;
    CONDITION_VARIABLE cv;
    int ready;
} cv_data_t;

static DWORD WINAPI set_ready(LPVOID p)
{
    cv_data_t *c = p;
    Sleep(300);
    AcquireSRWLockExclusive(&c->lock);
    c->ready = 1;
    ReleaseSRWLockExclusive(&c->lock);
    WakeAllConditionVariable(&c->cv);
    return 0;
}

static void cv_scenario(void *ctx)
{
    (void)ctx;
    cv_data_t c = { SRWLOCK_INIT, CONDITION_VARIABLE_INIT, 0 };
    AcquireSRWLockExclusive(&c.lock);
    ULONGLONG t0 = GetTickCount64();
    SetLastError(0);
    /* Nobody wakes it: it times out after exactly 700 virtual ms. */
    CHECK(!SleepConditionVariableSRW(&c.cv, &c.lock, 700, 0));
    CHECK(GetLastError() == ERROR_TIMEOUT);
    CHECK(GetTickCount64() - t0 == 700);
    ReleaseSRWLockExclusive(&c.lock);
    /* Woken after 300 ms, well before a 5000 ms timeout. */
    HANDLE t = CreateThread(NULL, 0, set_ready, &c, 0, NULL);
    t0 = GetTickCount64();
    AcquireSRWLockShared(&c.lock);
    BOOL ok = TRUE;
    while (!c.ready && ok)
        ok = SleepConditionVariableSRW(&c.cv, &c.lock, 5000, CONDITION_VARIABLE_LOCKMODE_SHARED);
    ReleaseSRWLockShared(&c.lock);
    CHECK(ok);
    CHECK(GetTickCount64() - t0 == 300);
    CHECK(WaitForSingleObject(t, INFINITE) == WAIT_OBJECT_0);
    CloseHandle(t);
}

static void test_condition_variable_timeout(void **state)
{
    (void)state;
    explore_ok(cv_scenario, "condvar-timeout", 200, WMIEMU_STRATEGY_RANDOM);
}

/* ---- locks keep their guarantees in every schedule ---- */

typedef struct {
    SRWLOCK srw;
    HANDLE mutex, sem, items;
    LONG srw_counter, mutex_counter, in_sem, max_in_sem;
    INIT_ONCE once;
    LONG once_calls;
} locks_t;

static BOOL CALLBACK count_once(INIT_ONCE *once, void *param, void **context)
{
    (void)once;
    (void)context;
    locks_t *l = param;
    LONG v = l->once_calls;
    Sleep(0);
    l->once_calls = v + 1;
    return TRUE;
}

static DWORD WINAPI lock_worker(LPVOID p)
{
    locks_t *l = p;
    InitOnceExecuteOnce(&l->once, count_once, l, NULL);
    for (int i = 0; i < 2; i++) {
        AcquireSRWLockExclusive(&l->srw);
        LONG v = l->srw_counter;
        Sleep(0); /* a scheduling point inside the lock */
        l->srw_counter = v + 1;
        ReleaseSRWLockExclusive(&l->srw);
        WaitForSingleObject(l->mutex, INFINITE);
        v = l->mutex_counter;
        Sleep(0);
        l->mutex_counter = v + 1;
        ReleaseMutex(l->mutex);
    }
    /* At most two inside the semaphore at once. */
    WaitForSingleObject(l->sem, INFINITE);
    LONG in = InterlockedIncrement(&l->in_sem);
    if (in > l->max_in_sem)
        l->max_in_sem = in;
    Sleep(0);
    InterlockedDecrement(&l->in_sem);
    ReleaseSemaphore(l->sem, 1, NULL);
    ReleaseSemaphore(l->items, 1, NULL);
    return 0;
}

static DWORD WINAPI hold_and_die(LPVOID p)
{
    return WaitForSingleObject((HANDLE)p, INFINITE); /* ends owning it */
}

static void locks_scenario(void *ctx)
{
    (void)ctx;
    locks_t l;
    memset(&l, 0, sizeof l);
    l.mutex = CreateMutexW(NULL, FALSE, NULL);
    l.sem = CreateSemaphoreW(NULL, 2, 2, NULL);
    l.items = CreateSemaphoreW(NULL, 0, 3, NULL);
    HANDLE t[3];
    for (int i = 0; i < 3; i++)
        t[i] = CreateThread(NULL, 0, lock_worker, &l, 0, NULL);
    /* Consume the three items, then all threads at once. */
    for (int i = 0; i < 3; i++)
        CHECK(WaitForSingleObject(l.items, INFINITE) == WAIT_OBJECT_0);
    CHECK(WaitForMultipleObjects(3, t, TRUE, INFINITE) == WAIT_OBJECT_0);
    CHECK(l.srw_counter == 6);
    CHECK(l.mutex_counter == 6);
    CHECK(l.max_in_sem <= 2);
    CHECK(l.once_calls == 1);
    LONG prev = -1;
    CHECK(!ReleaseSemaphore(l.sem, 1, &prev) && GetLastError() == ERROR_TOO_MANY_POSTS);
    /* A mutex whose owner ended is handed on abandoned. */
    HANDLE d = CreateThread(NULL, 0, hold_and_die, l.mutex, 0, NULL);
    CHECK(WaitForSingleObject(d, INFINITE) == WAIT_OBJECT_0);
    CHECK(WaitForSingleObject(l.mutex, INFINITE) == WAIT_ABANDONED_0);
    CHECK(ReleaseMutex(l.mutex));
    for (int i = 0; i < 3; i++)
        CloseHandle(t[i]);
    CloseHandle(d);
    CloseHandle(l.mutex);
    CloseHandle(l.sem);
    CloseHandle(l.items);
}

static void test_locks_in_every_schedule(void **state)
{
    (void)state;
    explore_ok(locks_scenario, "locks", 300, WMIEMU_STRATEGY_RANDOM);
    explore_ok(locks_scenario, "locks", 200, WMIEMU_STRATEGY_PCT);
}

/* Without the SRW lock the lost update is found: the acquire and release
 * are scheduling points, and so is the Sleep(0) between read and write. */
static SRWLOCK racy_lock = SRWLOCK_INIT;
static LONG racy_counter;

static DWORD WINAPI racy_srw(LPVOID p)
{
    BOOL locked = p != NULL;
    if (locked)
        AcquireSRWLockExclusive(&racy_lock);
    LONG v = racy_counter;
    Sleep(0);
    racy_counter = v + 1;
    if (locked)
        ReleaseSRWLockExclusive(&racy_lock);
    return 0;
}

static void racy_scenario(void *ctx)
{
    racy_counter = 0;
    HANDLE t[2] = { CreateThread(NULL, 0, racy_srw, ctx, 0, NULL), CreateThread(NULL, 0, racy_srw, ctx, 0, NULL) };
    WaitForMultipleObjects(2, t, TRUE, INFINITE);
    CloseHandle(t[0]);
    CloseHandle(t[1]);
    if (racy_counter != 2)
        wmiemu_explore_fail(0, "lost update: counter %ld", (long)racy_counter);
}

static void test_srw_lock_matters(void **state)
{
    (void)state;
    wmiemu_explore_opts_t o;
    wmiemu_explore_opts_init(&o);
    o.iterations = 500;
    wmiemu_explore_result_t r;
    assert_int_equal(wmiemu_explore(racy_scenario, NULL, &o, &r), WMIEMU_OUTCOME_VIOLATION);
    assert_non_null(strstr(r.message, "lost update"));
    assert_int_equal(wmiemu_explore(racy_scenario, (void *)1, &o, &r), WMIEMU_OUTCOME_OK);
}

/* ---- QueueUserWorkItem ---- */

static DWORD WINAPI work_item(LPVOID p)
{
    SetEvent((HANDLE)p);
    return 0;
}

static void work_scenario(void *ctx)
{
    (void)ctx;
    HANDLE done = CreateEventW(NULL, TRUE, FALSE, NULL);
    CHECK(QueueUserWorkItem(work_item, done, WT_EXECUTEDEFAULT));
    CHECK(WaitForSingleObject(done, INFINITE) == WAIT_OBJECT_0);
    CloseHandle(done);
}

static void test_work_item(void **state)
{
    (void)state;
    explore_ok(work_scenario, "work-item", 50, WMIEMU_STRATEGY_RANDOM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timer_virtual_time),
        cmocka_unit_test(test_condition_variable_timeout),
        cmocka_unit_test(test_locks_in_every_schedule),
        cmocka_unit_test(test_srw_lock_matters),
        cmocka_unit_test(test_work_item),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
