/* compat's Win32 calls under the deterministic scheduler: real
 * CreateThread, WaitForSingleObject, events, critical sections, Sleep and
 * GetTickCount64 become controlled operations with virtual time. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <windows.h>

#include <wmiemu/explore.h>

#include "exec/sched.h"
#include "explore/explore_test_util.h"

#define CHECK(c) do { if (!(c)) wmiemu_explore_fail(0, "%s:%d: check failed: %s", __FILE__, __LINE__, #c); } while (0)

/* ---- threads, events, critical sections ---- */

typedef struct {
  HANDLE go;
  CRITICAL_SECTION cs;
  LONG counter;
  int seen_go;
} shared_t;

static DWORD WINAPI worker(LPVOID arg) {
  shared_t *sh = arg;
  if (WaitForSingleObject(sh->go, INFINITE) != WAIT_OBJECT_0)
    return 1;
  for (int i = 0; i < 3; i++) {
    EnterCriticalSection(&sh->cs);
    LONG v = sh->counter;
    Sleep(0);                       /* a scheduling point inside the lock */
    sh->counter = v + 1;
    LeaveCriticalSection(&sh->cs);
  }
  sh->seen_go = 1;
  return 42;
}

static void threads_scenario(void *ctx) {
  (void)ctx;
  shared_t sh = { 0 };
  sh.go = CreateEventW(NULL, TRUE, FALSE, NULL);
  InitializeCriticalSection(&sh.cs);
  HANDLE t[2];
  DWORD tid = 0;
  t[0] = CreateThread(NULL, 0, worker, &sh, 0, &tid);
  t[1] = CreateThread(NULL, 0, worker, &sh, 0, NULL);
  CHECK(t[0] && t[1] && tid != 0);
  CHECK(WaitForSingleObject(t[0], 0) == WAIT_TIMEOUT);
  CHECK(SetEvent(sh.go));
  CHECK(WaitForMultipleObjects(2, t, TRUE, INFINITE) == WAIT_OBJECT_0);
  DWORD code = 0;
  CHECK(GetExitCodeThread(t[0], &code) && code == 42);
  CHECK(sh.counter == 6);           /* the lock keeps every increment */
  CHECK(sh.seen_go);
  CloseHandle(t[0]);
  CloseHandle(t[1]);
  CloseHandle(sh.go);
  DeleteCriticalSection(&sh.cs);
}

static void test_threads_events_locks(void **state) {
  (void)state;
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.iterations = 300;
  o.scenario_name = "seam-threads";
  wmiemu_explore_result_t r;
  wmiemu_outcome_t out = wmiemu_explore(threads_scenario, NULL, &o, &r);
  if (out != WMIEMU_OUTCOME_OK)
    fprintf(stderr, "%s\n", r.message);
  assert_int_equal(out, WMIEMU_OUTCOME_OK);
  assert_int_equal(r.iterations_run, 300);
  o.strategy = WMIEMU_STRATEGY_PCT;
  assert_int_equal(wmiemu_explore(threads_scenario, NULL, &o, &r), WMIEMU_OUTCOME_OK);
  /* More scheduling points than the two threads' bare lifecycle: the
   * waits, locks and sleeps are all seen. */
  assert_true(r.steps > 20);
}

/* Without the lock the lost update is found: Sleep(0) is a real
 * scheduling point between read and write. */
static DWORD WINAPI racy_worker(LPVOID arg) {
  shared_t *sh = arg;
  LONG v = sh->counter;
  Sleep(0);
  sh->counter = v + 1;
  return 0;
}

static void racy_scenario(void *ctx) {
  (void)ctx;
  shared_t sh = { 0 };
  HANDLE t[2] = { CreateThread(NULL, 0, racy_worker, &sh, 0, NULL),
                  CreateThread(NULL, 0, racy_worker, &sh, 0, NULL) };
  WaitForMultipleObjects(2, t, TRUE, INFINITE);
  CloseHandle(t[0]);
  CloseHandle(t[1]);
  if (sh.counter != 2)
    wmiemu_explore_fail(0, "lost update: counter %ld", (long)sh.counter);
}

static void test_lost_update_found(void **state) {
  (void)state;
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.iterations = 1000;
  wmiemu_explore_result_t r;
  assert_int_equal(wmiemu_explore(racy_scenario, NULL, &o, &r), WMIEMU_OUTCOME_VIOLATION);
  assert_true(r.iterations_run < 1000);
  assert_non_null(strstr(r.message, "lost update"));
}

/* ---- virtual time ---- */

static uint64_t slept_virtual;

static DWORD WINAPI sleeper(LPVOID arg) {
  (void)arg;
  for (int i = 0; i < 100; i++)
    Sleep(2000);
  return 0;
}

static void sleep_scenario(void *ctx) {
  (void)ctx;
  ULONGLONG t0 = GetTickCount64();
  HANDLE t = CreateThread(NULL, 0, sleeper, NULL, 0, NULL);
  CHECK(WaitForSingleObject(t, INFINITE) == WAIT_OBJECT_0);
  CloseHandle(t);
  slept_virtual = GetTickCount64() - t0;
  /* A timed wait that nobody satisfies ends exactly at its timeout. */
  HANDLE ev = CreateEventW(NULL, FALSE, FALSE, NULL);
  ULONGLONG t1 = GetTickCount64();
  CHECK(WaitForSingleObject(ev, 1500) == WAIT_TIMEOUT);
  CHECK(GetTickCount64() - t1 == 1500);
  CloseHandle(ev);
}

static void test_virtual_time(void **state) {
  (void)state;
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.iterations = 5;
  wmiemu_explore_result_t r;
  slept_virtual = 0;
  wmiemu_outcome_t out = wmiemu_explore(sleep_scenario, NULL, &o, &r);
  if (out != WMIEMU_OUTCOME_OK)
    fprintf(stderr, "%s\n", r.message);
  assert_int_equal(out, WMIEMU_OUTCOME_OK);
  /* 100 x Sleep(2000) = 200,000 virtual ms, at CPU speed. */
  assert_int_equal(slept_virtual, 200000);
}

/* ---- deadlock of two critical sections ---- */

typedef struct {
  CRITICAL_SECTION a, b;
} two_locks_t;

static DWORD WINAPI lock_ab(LPVOID arg) {
  two_locks_t *l = arg;
  EnterCriticalSection(&l->a);
  EnterCriticalSection(&l->b);
  LeaveCriticalSection(&l->b);
  LeaveCriticalSection(&l->a);
  return 0;
}

static DWORD WINAPI lock_ba(LPVOID arg) {
  two_locks_t *l = arg;
  EnterCriticalSection(&l->b);
  EnterCriticalSection(&l->a);
  LeaveCriticalSection(&l->a);
  LeaveCriticalSection(&l->b);
  return 0;
}

/* The lock pair lives in a static so that a schedule abandoned in the
 * deadlock leaves nothing unreachable. */
static two_locks_t g_locks;

static void deadlock_scenario(void *ctx) {
  (void)ctx;
  InitializeCriticalSection(&g_locks.a);
  InitializeCriticalSection(&g_locks.b);
  HANDLE t[2] = { CreateThread(NULL, 0, lock_ab, &g_locks, 0, NULL),
                  CreateThread(NULL, 0, lock_ba, &g_locks, 0, NULL) };
  WaitForMultipleObjects(2, t, TRUE, INFINITE);
  CloseHandle(t[0]);
  CloseHandle(t[1]);
  DeleteCriticalSection(&g_locks.a);
  DeleteCriticalSection(&g_locks.b);
}

static void test_deadlock_found_and_replayed(void **state) {
  (void)state;
  char trace[256];
  explore_test_tmp_path(trace, sizeof(trace), "deadlock");
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.iterations = 1000;
  o.trace_path = trace;
  o.scenario_name = "seam-deadlock";
  wmiemu_explore_result_t r;
  assert_int_equal(wmiemu_explore(deadlock_scenario, NULL, &o, &r), WMIEMU_OUTCOME_DEADLOCK);
  assert_true(r.iterations_run < 1000);
  assert_non_null(strstr(r.message, "deadlock"));
  /* The deadlocked threads never run again; their sections can go. */
  DeleteCriticalSection(&g_locks.a);
  DeleteCriticalSection(&g_locks.b);
  wmiemu_explore_result_t rr;
  assert_int_equal(wmiemu_replay(deadlock_scenario, NULL, trace, NULL, &rr), WMIEMU_OUTCOME_DEADLOCK);
  assert_string_equal(rr.message, r.message);
  DeleteCriticalSection(&g_locks.a);
  DeleteCriticalSection(&g_locks.b);
  unlink(trace);
}

/* ---- same seed, same trace ---- */

static void test_same_seed_same_trace(void **state) {
  (void)state;
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.iterations = 1;
  o.seed = 77;
  o.scenario_name = "seam-threads";
  char *a = explore_test_same_trace_twice(threads_scenario, NULL, &o);
  assert_non_null(strstr(a, "\"CreateThread\""));
  assert_non_null(strstr(a, "mutex.unlock"));
  free(a);
}

/* ---- ExitThread ---- */

static DWORD WINAPI exits_early(LPVOID arg) {
  (void)arg;
  ExitThread(7);
}

static void exit_scenario(void *ctx) {
  (void)ctx;
  HANDLE t = CreateThread(NULL, 0, exits_early, NULL, 0, NULL);
  CHECK(WaitForSingleObject(t, INFINITE) == WAIT_OBJECT_0);
  DWORD code = 0;
  CHECK(GetExitCodeThread(t, &code) && code == 7);
  CloseHandle(t);
}

static void test_exit_thread(void **state) {
  (void)state;
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.iterations = 20;
  wmiemu_explore_result_t r;
  assert_int_equal(wmiemu_explore(exit_scenario, NULL, &o, &r), WMIEMU_OUTCOME_OK);
}

/* ---- an object kept from an earlier schedule ---- */

static CRITICAL_SECTION g_once_cs;
static int g_once;

static void stale_scenario(void *ctx) {
  (void)ctx;
  if (!g_once) {
    g_once = 1;
    InitializeCriticalSection(&g_once_cs);
  }
  EnterCriticalSection(&g_once_cs);
  LeaveCriticalSection(&g_once_cs);
}

static void test_object_from_earlier_schedule(void **state) {
  (void)state;
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.iterations = 3;
  wmiemu_explore_result_t r;
  assert_int_equal(wmiemu_explore(stale_scenario, NULL, &o, &r), WMIEMU_OUTCOME_NOT_REPRODUCIBLE);
  assert_int_equal(r.iterations_run, 2);
  assert_non_null(strstr(r.message, "outside this schedule"));
  DeleteCriticalSection(&g_once_cs);
}

/* ---- outside a schedule the default table is back ---- */

static void test_default_table_restored(void **state) {
  (void)state;
  assert_null(wmiemu__sched_active());
  ULONGLONG a = GetTickCount64();
  Sleep(1);
  assert_true(GetTickCount64() >= a);
  HANDLE ev = CreateEventW(NULL, TRUE, TRUE, NULL);
  assert_non_null(ev);
  assert_int_equal(WaitForSingleObject(ev, 0), WAIT_OBJECT_0);
  CloseHandle(ev);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_threads_events_locks),
    cmocka_unit_test(test_lost_update_found),
    cmocka_unit_test(test_virtual_time),
    cmocka_unit_test(test_deadlock_found_and_replayed),
    cmocka_unit_test(test_same_seed_same_trace),
    cmocka_unit_test(test_exit_thread),
    cmocka_unit_test(test_object_from_earlier_schedule),
    cmocka_unit_test(test_default_table_restored),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
