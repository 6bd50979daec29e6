/* Provider DLLs explored by the Windows build (under wine in the suite):
 * their imports patched onto the scheduler (compat/win/iat.c), so the races
 * the Linux build finds in the .so are found in the DLL, with the seed
 * printed, and replayed from the trace alone exactly 10 times out of 10;
 * the same seed writes the same trace, byte for byte; the correct provider
 * passes; the hanging broken providers are caught by their rules; and a
 * provider that reaches an uncontrolled wait through GetProcAddress is
 * reported not reproducible, never run uncontrolled; the thread-pool race
 * of provider/race_pool is found and replayed, and pool_correct passes. */
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

#define assert_hr(a, b) assert_int_equal((HRESULT)(a), (HRESULT)(b))

/* How many schedules of race_correct the suite runs (the must-show's
 * 10,000 are run with wmiemu.exe; WMIEMU_CORRECT_SCHEDULES overrides). */
#define CORRECT_SCHEDULES 200

typedef struct {
    char mof[1024];
    char module[1024];
    char query[128];
    const char *mofs[1];
    const char *modules[1];
    wmiemu_explore_provider_opts_t opts;
} fixture_t;

/* dir is "race_refire" for provider/race_refire/race_refire.mof, or "broken". */
static void fixture(fixture_t *f, const char *dir, const char *name, const char *event_class)
{
    memset(f, 0, sizeof(*f));
    snprintf(f->mof, sizeof(f->mof), "%s/provider/%s/%s.mof", getenv("WMIEMU_SOURCE_DIR"), dir, name);
    snprintf(f->module, sizeof(f->module), "%s/provider/%s.dll", getenv("WMIEMU_BINARY_DIR"), name);
    snprintf(f->query, sizeof(f->query), "SELECT * FROM %s", event_class);
    f->mofs[0] = f->mof;
    f->modules[0] = f->module;
    wmiemu_explore_provider_opts_init(&f->opts);
    f->opts.mofs = f->mofs;
    f->opts.n_mofs = 1;
    f->opts.modules = f->modules;
    f->opts.n_modules = 1;
    f->opts.query = f->query;
    f->opts.busy_every = 2;
}

static void tmp_path(char *buf, size_t len, const char *name)
{
    char dir[MAX_PATH];
    if (!GetTempPathA(sizeof(dir), dir))
        strcpy(dir, ".\\");
    snprintf(buf, len, "%swmiemu-dll-%lu-%s.jsonl", dir, (unsigned long)GetCurrentProcessId(), name);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static const char *strategy_name(wmiemu_strategy_t s)
{
    return s == WMIEMU_STRATEGY_PCT ? "pct" : "random";
}

/* Explored (at most 1,000 schedules from seed 1) it fails with expect in
 * the message; the trace replays 10 times, exactly each time. */
static void caught_and_replayed(const char *name, const char *cls, wmiemu_strategy_t strategy, const char *expect)
{
    fixture_t f;
    char trace[MAX_PATH + 64];
    wmiemu_explore_result_t r, rr;
    int reproduced = 0;

    fixture(&f, name, name, cls);
    tmp_path(trace, sizeof(trace), name);
    f.opts.strategy = strategy;
    f.opts.seed = 1;
    f.opts.iterations = 1000;
    f.opts.trace_path = trace;
    assert_hr(wmiemu_explore_provider(&f.opts, &r), S_OK);
    printf("%s.dll (%s, seeds from 1): %s after %llu schedule(s), seed %llu: %s\n", name,
           strategy_name(strategy), wmiemu_outcome_name(r.outcome), (unsigned long long)r.iterations_run,
           (unsigned long long)r.failing_seed, r.message);
    assert_int_equal(r.outcome, WMIEMU_OUTCOME_VIOLATION);
    assert_true(r.iterations_run <= 1000);
    assert_non_null(strstr(r.message, expect));
    for (int i = 0; i < 10; i++) {
        assert_hr(wmiemu_replay_trace(trace, NULL, NULL, &rr), S_OK);
        assert_string_equal(rr.name, r.name);
        if (rr.outcome == WMIEMU_OUTCOME_VIOLATION && !strcmp(rr.message, r.message))
            reproduced++;
        else
            fprintf(stderr, "replay %d: %s: %s\n", i, wmiemu_outcome_name(rr.outcome), rr.message);
    }
    printf("%s.dll (%s): the trace replayed exactly %d time(s) of 10\n", name, strategy_name(strategy), reproduced);
    assert_int_equal(reproduced, 10);
    DeleteFileA(trace);
}

static void test_refire_random(void **state)
{
    (void)state;
    caught_and_replayed("race_refire", "RaceRefireEvent", WMIEMU_STRATEGY_RANDOM, "rule refire-after-cancel");
}

static void test_refire_pct(void **state)
{
    (void)state;
    caught_and_replayed("race_refire", "RaceRefireEvent", WMIEMU_STRATEGY_PCT, "rule refire-after-cancel");
}

static void test_lifetime(void **state)
{
    (void)state;
    caught_and_replayed("race_lifetime", "RaceLifetimeEvent", WMIEMU_STRATEGY_RANDOM, "lifetime");
}

/* provider/race_pool: its CancelQuery stops a thread-pool timer without
 * waiting for the callbacks, whose refire comes after it returned. */
static void test_pool_random(void **state)
{
    (void)state;
    caught_and_replayed("race_pool", "RacePoolEvent", WMIEMU_STRATEGY_RANDOM, "rule refire-after-cancel");
}

static void test_pool_pct(void **state)
{
    (void)state;
    caught_and_replayed("race_pool", "RacePoolEvent", WMIEMU_STRATEGY_PCT, "rule refire-after-cancel");
}

/* The same provider waiting for its callbacks (built from race_pool/). */
static void test_pool_correct_passes(void **state)
{
    fixture_t f;
    wmiemu_explore_result_t r;
    const char *env = getenv("WMIEMU_CORRECT_SCHEDULES");
    uint64_t n = env ? strtoull(env, NULL, 10) : CORRECT_SCHEDULES;
    (void)state;

    fixture(&f, "race_pool", "pool_correct", "PoolCorrectEvent");
    f.opts.iterations = n;
    assert_hr(wmiemu_explore_provider(&f.opts, &r), S_OK);
    if (r.outcome != WMIEMU_OUTCOME_OK)
        fprintf(stderr, "%s\n", r.message);
    printf("pool_correct.dll (random): %s, %llu schedule(s), %llu steps\n", wmiemu_outcome_name(r.outcome),
           (unsigned long long)r.iterations_run, (unsigned long long)r.total_steps);
    assert_int_equal(r.outcome, WMIEMU_OUTCOME_OK);
    assert_int_equal(r.iterations_run, n);
    f.opts.strategy = WMIEMU_STRATEGY_PCT;
    f.opts.iterations = n / 2;
    assert_hr(wmiemu_explore_provider(&f.opts, &r), S_OK);
    if (r.outcome != WMIEMU_OUTCOME_OK)
        fprintf(stderr, "%s\n", r.message);
    assert_int_equal(r.outcome, WMIEMU_OUTCOME_OK);
}

/* The failing seed explored alone twice: the two traces are one. */
static void test_same_seed_same_trace(void **state)
{
    fixture_t f;
    char first[MAX_PATH + 64], second[MAX_PATH + 64];
    wmiemu_explore_result_t r;
    uint64_t seed;
    char *a, *b;
    size_t na, nb;
    (void)state;

    fixture(&f, "race_refire", "race_refire", "RaceRefireEvent");
    tmp_path(first, sizeof(first), "seed-1");
    tmp_path(second, sizeof(second), "seed-2");
    f.opts.iterations = 1000;
    f.opts.seed = 1;
    f.opts.trace_path = first;
    assert_hr(wmiemu_explore_provider(&f.opts, &r), S_OK);
    assert_int_equal(r.outcome, WMIEMU_OUTCOME_VIOLATION);
    seed = r.failing_seed;
    f.opts.seed = seed;
    f.opts.iterations = 1;
    assert_hr(wmiemu_explore_provider(&f.opts, &r), S_OK);
    assert_int_equal(r.outcome, WMIEMU_OUTCOME_VIOLATION);
    f.opts.trace_path = second;
    assert_hr(wmiemu_explore_provider(&f.opts, &r), S_OK);
    assert_int_equal(r.outcome, WMIEMU_OUTCOME_VIOLATION);
    a = slurp(first, &na);
    b = slurp(second, &nb);
    printf("race_refire.dll, seed %llu twice: traces of %zu and %zu bytes, %s\n", (unsigned long long)seed, na, nb,
           na == nb && !memcmp(a, b, na) ? "byte-identical" : "DIFFERENT");
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    free(a);
    free(b);
    DeleteFileA(first);
    DeleteFileA(second);
}

static void test_correct_passes(void **state)
{
    fixture_t f;
    wmiemu_explore_result_t r;
    const char *env = getenv("WMIEMU_CORRECT_SCHEDULES");
    uint64_t n = env ? strtoull(env, NULL, 10) : CORRECT_SCHEDULES;
    (void)state;

    fixture(&f, "race_correct", "race_correct", "RaceCorrectEvent");
    f.opts.iterations = n;
    assert_hr(wmiemu_explore_provider(&f.opts, &r), S_OK);
    if (r.outcome != WMIEMU_OUTCOME_OK)
        fprintf(stderr, "%s\n", r.message);
    printf("race_correct.dll (random): %s, %llu schedule(s), %llu steps\n", wmiemu_outcome_name(r.outcome),
           (unsigned long long)r.iterations_run, (unsigned long long)r.total_steps);
    assert_int_equal(r.outcome, WMIEMU_OUTCOME_OK);
    assert_int_equal(r.iterations_run, n);
    f.opts.strategy = WMIEMU_STRATEGY_PCT;
    f.opts.iterations = n / 2;
    assert_hr(wmiemu_explore_provider(&f.opts, &r), S_OK);
    assert_int_equal(r.outcome, WMIEMU_OUTCOME_OK);
}

/* The broken providers explore catches on Linux (tests/explore/test_explore_hang.c). */
static void broken_caught(const char *name, const char *expect)
{
    fixture_t f;
    char trace[MAX_PATH + 64];
    wmiemu_explore_result_t r, rr;
    fixture(&f, "broken", name, "BrokenEvent");
    f.opts.busy_every = 0;
    f.opts.iterations = 5;
    tmp_path(trace, sizeof(trace), name);
    f.opts.trace_path = trace;
    assert_hr(wmiemu_explore_provider(&f.opts, &r), S_OK);
    printf("%s.dll: %s after %llu schedule(s): %s\n", name, wmiemu_outcome_name(r.outcome),
           (unsigned long long)r.iterations_run, r.message);
    assert_int_equal(r.outcome, WMIEMU_OUTCOME_VIOLATION);
    assert_non_null(strstr(r.message, expect));
    assert_hr(wmiemu_replay_trace(trace, NULL, NULL, &rr), S_OK);
    assert_int_equal(rr.outcome, WMIEMU_OUTCOME_VIOLATION);
    assert_string_equal(rr.message, r.message);
    DeleteFileA(trace);
}

static void test_broken_init_hang(void **state)
{
    (void)state;
    broken_caught("broken_init_hang", "rule init-no-status in Initialize");
}

static void test_broken_call_hang(void **state)
{
    (void)state;
    broken_caught("broken_call_hang", "rule call-blocked in NewQuery");
}

static void test_broken_cancel_hang(void **state)
{
    (void)state;
    broken_caught("broken_cancel_hang", "rule call-blocked in CancelQuery");
}

/* CreateWaitableTimerExW through GetProcAddress: not under the scheduler,
 * and said so. */
static void test_hidden_wait_not_reproducible(void **state)
{
    fixture_t f;
    wmiemu_explore_result_t r;
    (void)state;
    fixture(&f, "broken", "broken_hidden_wait", "BrokenEvent");
    f.opts.busy_every = 0;
    f.opts.iterations = 5;
    assert_hr(wmiemu_explore_provider(&f.opts, &r), S_OK);
    printf("broken_hidden_wait.dll: %s after %llu schedule(s): %s\n", wmiemu_outcome_name(r.outcome),
           (unsigned long long)r.iterations_run, r.message);
    assert_int_equal(r.outcome, WMIEMU_OUTCOME_NOT_REPRODUCIBLE);
    assert_int_equal(r.iterations_run, 1);
    assert_non_null(strstr(r.message, "CreateWaitableTimerExW"));
}

/* A C++ provider: std::thread, std::mutex and std::condition_variable go
 * through MinGW's libstdc++-6.dll and libwinpthread-1.dll, which are loaded
 * patched beside it (the host's own libwinpthread-1.dll is another file):
 * the refire race is found and replays exactly. */
static void test_cpp_refire(void **state)
{
    (void)state;
    caught_and_replayed("race_cpp", "RaceCppEvent", WMIEMU_STRATEGY_RANDOM, "rule refire-after-cancel");
}

/* broken_late_pthread fires from a raw pthread after the final Release.
 * Its libwinpthread-1.dll (beside it) is loaded patched, so that thread is
 * the scheduler's: found as a lifetime violation, where on Linux its
 * pthread_create is caught and ends the schedule as not reproducible
 * (tests/explore/test_late_pthread.c). */
static void test_late_pthread_is_scheduled(void **state)
{
    (void)state;
    broken_caught("broken_late_pthread", "lifetime: provider thread");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refire_random),
        cmocka_unit_test(test_refire_pct),
        cmocka_unit_test(test_lifetime),
        cmocka_unit_test(test_same_seed_same_trace),
        cmocka_unit_test(test_correct_passes),
        cmocka_unit_test(test_broken_init_hang),
        cmocka_unit_test(test_broken_call_hang),
        cmocka_unit_test(test_broken_cancel_hang),
        cmocka_unit_test(test_hidden_wait_not_reproducible),
        cmocka_unit_test(test_cpp_refire),
        cmocka_unit_test(test_late_pthread_is_scheduled),
        cmocka_unit_test(test_pool_random),
        cmocka_unit_test(test_pool_pct),
        cmocka_unit_test(test_pool_correct_passes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
