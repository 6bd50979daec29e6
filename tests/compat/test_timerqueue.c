/* Timer queues and QueueUserWorkItem on real threads (the default table),
 * with the results and errors Windows documents. Labelled "threads". */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <windows.h>

typedef struct {
    LONG fired;
    LONG in_timer_thread_tid;
    HANDLE event;     /* set at every firing when not NULL */
    HANDLE release;   /* callbacks wait for it when not NULL */
    LONG returned;
} counter_t;

static void CALLBACK count_fire(PVOID param, BOOLEAN timer_fired)
{
    counter_t *c = param;
    if (!timer_fired)
        return;
    InterlockedExchange(&c->in_timer_thread_tid, (LONG)GetCurrentThreadId());
    InterlockedIncrement(&c->fired);
    if (c->event)
        SetEvent(c->event);
    if (c->release)
        WaitForSingleObject(c->release, INFINITE);
    InterlockedIncrement(&c->returned);
}

static void periodic_and_one_shot(void **state)
{
    (void)state;
    counter_t c = { 0, 0, CreateEventW(NULL, FALSE, FALSE, NULL), NULL, 0 };
    HANDLE timer = NULL;
    ULONGLONG start = GetTickCount64();
    assert_true(CreateTimerQueueTimer(&timer, NULL, count_fire, &c, 30, 10, WT_EXECUTEDEFAULT));
    assert_non_null(timer);
    assert_int_equal(WaitForSingleObject(c.event, 5000), WAIT_OBJECT_0);
    assert_true(GetTickCount64() - start >= 25); /* not before it is due */
    while (InterlockedCompareExchange(&c.fired, 0, 0) < 3)
        WaitForSingleObject(c.event, 5000);
    assert_true(DeleteTimerQueueTimer(NULL, timer, INVALID_HANDLE_VALUE));
    LONG after = c.fired;
    Sleep(40);
    assert_int_equal(c.fired, after); /* deleted: no more */
    assert_int_equal(c.returned, c.fired); /* and every callback had returned */

    /* WT_EXECUTEONLYONCE: the period is ignored. A callback on the timer
     * thread runs on another thread than ours. */
    counter_t once = { 0, 0, CreateEventW(NULL, FALSE, FALSE, NULL), NULL, 0 };
    assert_true(CreateTimerQueueTimer(&timer, NULL, count_fire, &once, 0, 5,
                                      WT_EXECUTEONLYONCE | WT_EXECUTEINTIMERTHREAD));
    assert_int_equal(WaitForSingleObject(once.event, 5000), WAIT_OBJECT_0);
    Sleep(30);
    assert_int_equal(once.fired, 1);
    assert_int_not_equal(once.in_timer_thread_tid, (LONG)GetCurrentThreadId());
    /* Changing a one-shot timer that already fired does not rearm it. */
    assert_true(ChangeTimerQueueTimer(NULL, timer, 0, 0));
    Sleep(30);
    assert_int_equal(once.fired, 1);
    assert_true(DeleteTimerQueueTimer(NULL, timer, INVALID_HANDLE_VALUE));
    CloseHandle(once.event);
    CloseHandle(c.event);
}

static void change_timer(void **state)
{
    (void)state;
    counter_t c = { 0, 0, CreateEventW(NULL, FALSE, FALSE, NULL), NULL, 0 };
    HANDLE q = CreateTimerQueue();
    assert_non_null(q);
    HANDLE timer;
    /* Far in the future, then brought forward. */
    assert_true(CreateTimerQueueTimer(&timer, q, count_fire, &c, 600000, 0, WT_EXECUTEDEFAULT));
    assert_int_equal(WaitForSingleObject(c.event, 30), WAIT_TIMEOUT);
    assert_true(ChangeTimerQueueTimer(q, timer, 5, 0));
    assert_int_equal(WaitForSingleObject(c.event, 5000), WAIT_OBJECT_0);
    assert_true(DeleteTimerQueueTimer(q, timer, INVALID_HANDLE_VALUE));
    /* Deleted timers are refused. */
    assert_false(ChangeTimerQueueTimer(q, NULL, 1, 1));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    /* A queue deleted with its timers still armed; waits for everything. */
    for (int i = 0; i < 3; i++)
        assert_true(CreateTimerQueueTimer(&timer, q, count_fire, &c, 1, 1, WT_EXECUTEDEFAULT));
    Sleep(10);
    assert_true(DeleteTimerQueueEx(q, INVALID_HANDLE_VALUE));
    LONG after = c.fired;
    Sleep(20);
    assert_int_equal(c.fired, after);
    assert_int_equal(c.returned, c.fired);
    CloseHandle(c.event);
}

static void delete_while_running(void **state)
{
    (void)state;
    counter_t c = { 0, 0, CreateEventW(NULL, FALSE, FALSE, NULL), CreateEventW(NULL, TRUE, FALSE, NULL), 0 };
    HANDLE timer;
    /* NULL completion event with a callback running: ERROR_IO_PENDING, and
     * the callback still runs to completion. */
    assert_true(CreateTimerQueueTimer(&timer, NULL, count_fire, &c, 0, 0, WT_EXECUTEDEFAULT));
    assert_int_equal(WaitForSingleObject(c.event, 5000), WAIT_OBJECT_0);
    SetLastError(0);
    assert_false(DeleteTimerQueueTimer(NULL, timer, NULL));
    assert_int_equal(GetLastError(), ERROR_IO_PENDING);
    assert_int_equal(c.returned, 0);
    SetEvent(c.release);
    while (InterlockedCompareExchange(&c.returned, 0, 0) == 0)
        Sleep(1);
    /* An event: signalled once the running callback returned. */
    ResetEvent(c.release);
    HANDLE done = CreateEventW(NULL, TRUE, FALSE, NULL);
    assert_true(CreateTimerQueueTimer(&timer, NULL, count_fire, &c, 0, 0, WT_EXECUTEDEFAULT));
    assert_int_equal(WaitForSingleObject(c.event, 5000), WAIT_OBJECT_0);
    assert_true(DeleteTimerQueueTimer(NULL, timer, done));
    assert_int_equal(WaitForSingleObject(done, 20), WAIT_TIMEOUT);
    SetEvent(c.release);
    assert_int_equal(WaitForSingleObject(done, 5000), WAIT_OBJECT_0);
    assert_int_equal(c.returned, 2);
    /* Nothing running: the event is signalled at once. */
    ResetEvent(done);
    assert_true(CreateTimerQueueTimer(&timer, NULL, count_fire, &c, 600000, 0, WT_EXECUTEDEFAULT));
    assert_true(DeleteTimerQueueTimer(NULL, timer, done));
    assert_int_equal(WaitForSingleObject(done, 0), WAIT_OBJECT_0);
    assert_true(CreateTimerQueueTimer(&timer, NULL, count_fire, &c, 600000, 0, WT_EXECUTEDEFAULT));
    assert_true(DeleteTimerQueueTimer(NULL, timer, NULL));
    /* A queue deleted without waiting: NULL gives ERROR_IO_PENDING, an
     * event is signalled when all is over. */
    HANDLE q = CreateTimerQueue();
    assert_true(CreateTimerQueueTimer(&timer, q, count_fire, &c, 600000, 0, WT_EXECUTEDEFAULT));
    ResetEvent(done);
    assert_true(DeleteTimerQueueEx(q, done));
    assert_int_equal(WaitForSingleObject(done, 5000), WAIT_OBJECT_0);
    q = CreateTimerQueue();
    SetLastError(0);
    assert_false(DeleteTimerQueue(q));
    assert_int_equal(GetLastError(), ERROR_IO_PENDING);
    Sleep(20); /* its deleting thread ends */
    CloseHandle(done);
    CloseHandle(c.event);
    CloseHandle(c.release);
}

static void bad_input(void **state)
{
    (void)state;
    counter_t c = { 0 };
    HANDLE timer;
    assert_false(CreateTimerQueueTimer(NULL, NULL, count_fire, &c, 0, 0, 0));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(CreateTimerQueueTimer(&timer, NULL, NULL, &c, 0, 0, 0));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(DeleteTimerQueueTimer(NULL, NULL, INVALID_HANDLE_VALUE));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(ChangeTimerQueueTimer(NULL, NULL, 0, 0));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_false(DeleteTimerQueueEx(NULL, INVALID_HANDLE_VALUE));
    assert_int_equal(GetLastError(), ERROR_INVALID_HANDLE);
    /* A timer given with the wrong queue is not found there. */
    HANDLE q = CreateTimerQueue();
    assert_true(CreateTimerQueueTimer(&timer, q, count_fire, &c, 600000, 0, 0));
    assert_false(DeleteTimerQueueTimer(NULL, timer, INVALID_HANDLE_VALUE));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
    assert_true(DeleteTimerQueueTimer(q, timer, INVALID_HANDLE_VALUE));
    assert_true(DeleteTimerQueueEx(q, INVALID_HANDLE_VALUE));
    assert_false(QueueUserWorkItem(NULL, NULL, 0));
    assert_int_equal(GetLastError(), ERROR_INVALID_PARAMETER);
}

static DWORD WINAPI work(LPVOID p)
{
    SetEvent((HANDLE)p);
    return 0;
}

static void work_items(void **state)
{
    (void)state;
    HANDLE e = CreateEventW(NULL, FALSE, FALSE, NULL);
    assert_true(QueueUserWorkItem(work, e, WT_EXECUTEDEFAULT));
    assert_int_equal(WaitForSingleObject(e, 5000), WAIT_OBJECT_0);
    assert_true(QueueUserWorkItem(work, e, WT_EXECUTELONGFUNCTION));
    assert_int_equal(WaitForSingleObject(e, 5000), WAIT_OBJECT_0);
    Sleep(10); /* the work threads end */
    CloseHandle(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(periodic_and_one_shot),
        cmocka_unit_test(change_timer),
        cmocka_unit_test(delete_while_running),
        cmocka_unit_test(bad_input),
        cmocka_unit_test(work_items),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
