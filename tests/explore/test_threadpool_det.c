#define _DEFAULT_SOURCE /* mkstemp */
/* The thread-pool API under the deterministic scheduler: timers and wait
 * timeouts in virtual time (relative and absolute due times), work
 * callbacks counted in every schedule, and the same seeds giving the same
 * traces and steps twice over. Public API only. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <windows.h>

#include <wmiemu/explore.h>

#define CHECK(c) do { if (!(c)) wmiemu_explore_fail(0, "%s:%d: check failed: %s", __FILE__, __LINE__, #c); } while (0)

/* The wall clock under a schedule starts at 2026-01-01 00:00 UTC (README,
 * "Synchronisation and thread-pool functions"). */
#define VIRTUAL_EPOCH 134116992000000000ULL

typedef struct {
    SRWLOCK lock;
    LONG work_runs;
    ULONGLONG timer_at[4];
    LONG timer_runs;
    ULONGLONG abs_at;
    ULONGLONG wait_at;
    DWORD wait_result;
    HANDLE timer_done;
} pool_data_t;

static void CALLBACK work_cb(PTP_CALLBACK_INSTANCE inst, PVOID ctx, PTP_WORK work)
{
    pool_data_t *d = ctx;
    (void)inst;
    (void)work;
    AcquireSRWLockExclusive(&d->lock);
    LONG n = d->work_runs; /* a read-modify-write the lock makes safe */
    Sleep(1);
    d->work_runs = n + 1;
    ReleaseSRWLockExclusive(&d->lock);
}

static void CALLBACK timer_cb(PTP_CALLBACK_INSTANCE inst, PVOID ctx, PTP_TIMER timer)
{
    pool_data_t *d = ctx;
    (void)timer;
    AcquireSRWLockExclusive(&d->lock);
    LONG n = d->timer_runs++;
    if (n < 4)
        d->timer_at[n] = GetTickCount64();
    ReleaseSRWLockExclusive(&d->lock);
    if (n == 2)
        SetEventWhenCallbackReturns(inst, d->timer_done);
}

static void CALLBACK abs_cb(PTP_CALLBACK_INSTANCE inst, PVOID ctx, PTP_TIMER timer)
{
    (void)inst;
    (void)timer;
    ((pool_data_t *)ctx)->abs_at = GetTickCount64();
}

static void CALLBACK wait_cb(PTP_CALLBACK_INSTANCE inst, PVOID ctx, PTP_WAIT wait, TP_WAIT_RESULT result)
{
    pool_data_t *d = ctx;
    (void)inst;
    (void)wait;
    d->wait_at = GetTickCount64();
    d->wait_result = result;
}

static FILETIME filetime(ULONGLONG v)
{
    FILETIME ft = { (DWORD)v, (DWORD)(v >> 32) };
    return ft;
}

static void pool_scenario(void *ctx)
{
    (void)ctx;
    pool_data_t d;
    memset(&d, 0, sizeof d);
    InitializeSRWLock(&d.lock);
    d.timer_done = CreateEventW(NULL, TRUE, FALSE, NULL);
    HANDLE never = CreateEventW(NULL, TRUE, FALSE, NULL);
    ULONGLONG t0 = GetTickCount64();

    PTP_WORK w = CreateThreadpoolWork(work_cb, &d, NULL);
    PTP_TIMER t = CreateThreadpoolTimer(timer_cb, &d, NULL);
    PTP_TIMER abs = CreateThreadpoolTimer(abs_cb, &d, NULL);
    PTP_WAIT wt = CreateThreadpoolWait(wait_cb, &d, NULL);
    CHECK(w && t && abs && wt);
    for (int i = 0; i < 3; i++)
        SubmitThreadpoolWork(w);
    /* Due in 250 virtual ms (relative: negative 100 ns units), then every
     * 100. */
    FILETIME due = filetime((ULONGLONG)(-250LL * 10000));
    SetThreadpoolTimer(t, &due, 100, 0);
    /* Absolute: 300 ms from now on the virtual wall clock. */
    FILETIME at = filetime(VIRTUAL_EPOCH + (t0 + 300) * 10000ULL);
    SetThreadpoolTimer(abs, &at, 0, 0);
    /* A wait that times out after 500 ms. */
    FILETIME timeout = filetime((ULONGLONG)(-500LL * 10000));
    SetThreadpoolWait(wt, never, &timeout);

    WaitForThreadpoolWorkCallbacks(w, FALSE);
    CHECK(d.work_runs == 3);
    CHECK(WaitForSingleObject(d.timer_done, INFINITE) == WAIT_OBJECT_0);
    SetThreadpoolTimer(t, NULL, 0, 0);
    WaitForThreadpoolTimerCallbacks(t, TRUE);
    CHECK(!IsThreadpoolTimerSet(t));
    CHECK(d.timer_runs == 3);
    CHECK(d.timer_at[0] - t0 == 250);
    CHECK(d.timer_at[1] - t0 == 350);
    CHECK(d.timer_at[2] - t0 == 450);
    Sleep(100); /* past the absolute timer and the wait's timeout */
    WaitForThreadpoolTimerCallbacks(abs, FALSE);
    WaitForThreadpoolWaitCallbacks(wt, FALSE);
    CHECK(d.abs_at - t0 == 300);
    CHECK(d.wait_at - t0 == 500);
    CHECK(d.wait_result == WAIT_TIMEOUT);

    CloseThreadpoolWork(w);
    CloseThreadpoolTimer(t);
    CloseThreadpoolTimer(abs);
    CloseThreadpoolWait(wt);
    CloseHandle(never);
    CloseHandle(d.timer_done);
}

static void explore_ok(wmiemu_strategy_t strategy, unsigned iterations)
{
    wmiemu_explore_opts_t o;
    wmiemu_explore_opts_init(&o);
    o.iterations = iterations;
    o.scenario_name = "threadpool";
    o.strategy = strategy;
    wmiemu_explore_result_t r;
    wmiemu_outcome_t out = wmiemu_explore(pool_scenario, NULL, &o, &r);
    if (out != WMIEMU_OUTCOME_OK)
        fprintf(stderr, "threadpool: %s\n", r.message);
    assert_int_equal(out, WMIEMU_OUTCOME_OK);
    assert_int_equal(r.iterations_run, iterations);
}

static void test_virtual_time(void **state)
{
    (void)state;
    explore_ok(WMIEMU_STRATEGY_RANDOM, 200);
    explore_ok(WMIEMU_STRATEGY_PCT, 100);
}

/* ---- the same seeds twice: the same traces ---- */

#define SEEDS 20

typedef struct {
    uint64_t next_seed;
    uint64_t steps[SEEDS];
    char *trace[SEEDS];
    size_t trace_len[SEEDS];
    wmiemu_outcome_t outcome[SEEDS];
} feed_run_t;

static int feed_next(void *ctx, uint64_t *seed, uint64_t *pct_steps)
{
    feed_run_t *f = ctx;
    if (f->next_seed >= SEEDS)
        return 0;
    *seed = 1000 + f->next_seed++;
    *pct_steps = 0;
    return 1;
}

static int feed_done(void *ctx, uint64_t seed, wmiemu_outcome_t outcome, uint64_t steps, const char *message,
                     const char *trace, size_t trace_len)
{
    feed_run_t *f = ctx;
    size_t i = (size_t)(seed - 1000);
    (void)message;
    f->outcome[i] = outcome;
    f->steps[i] = steps;
    f->trace[i] = malloc(trace_len + 1);
    memcpy(f->trace[i], trace, trace_len);
    f->trace_len[i] = trace_len;
    return 0;
}

static void run_feed(feed_run_t *f, wmiemu_strategy_t strategy)
{
    memset(f, 0, sizeof *f);
    wmiemu_explore_feed_t feed = { feed_next, feed_done, f };
    wmiemu_explore_opts_t o;
    wmiemu_explore_opts_init(&o);
    o.scenario_name = "threadpool";
    o.strategy = strategy;
    o.feed = &feed;
    char path[] = "/tmp/wmiemu-threadpool-det-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    o.trace_path = path; /* asks for the traces: handed to feed_done */
    wmiemu_explore_result_t r;
    assert_int_equal(wmiemu_explore(pool_scenario, NULL, &o, &r), WMIEMU_OUTCOME_OK);
    assert_int_equal(r.iterations_run, SEEDS);
    remove(path);
}

static void same_seed_same_trace(wmiemu_strategy_t strategy)
{
    static feed_run_t a, b;
    run_feed(&a, strategy);
    run_feed(&b, strategy);
    int differ_between_seeds = 0;
    for (int i = 0; i < SEEDS; i++) {
        assert_int_equal(a.outcome[i], WMIEMU_OUTCOME_OK);
        assert_true(a.steps[i] > 0);
        assert_int_equal(a.steps[i], b.steps[i]);
        assert_true(a.trace_len[i] > 0);
        assert_int_equal(a.trace_len[i], b.trace_len[i]);
        assert_memory_equal(a.trace[i], b.trace[i], a.trace_len[i]);
        if (i && (a.trace_len[i] != a.trace_len[0] || memcmp(a.trace[i], a.trace[0], a.trace_len[0])))
            differ_between_seeds = 1;
    }
    /* Different seeds make different interleavings of the pool's threads. */
    assert_true(differ_between_seeds);
    for (int i = 0; i < SEEDS; i++) {
        free(a.trace[i]);
        free(b.trace[i]);
    }
}

static void test_deterministic(void **state)
{
    (void)state;
    same_seed_same_trace(WMIEMU_STRATEGY_RANDOM);
    same_seed_same_trace(WMIEMU_STRATEGY_PCT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_virtual_time),
        cmocka_unit_test(test_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
