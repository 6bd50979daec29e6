/* The Windows build's replacements for an explored DLL's imports
 * (emu/compat/win/seam_imports.h), reached as the import patcher reaches
 * them, through wmiemu__seam_import_find: which imports are replaced,
 * that the replacements are under the deterministic scheduler (threads
 * interleave by the schedule, time is virtual), that the system's handles
 * go to kernel32, and that a call the scheduler cannot order ends the
 * schedule as not reproducible. Outside a schedule they run for real. */

#include <errno.h>
#include <process.h>
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

#include "compat/win/seam_imports.h"
#include "exec/sched.h"
#include "explore/explore_test_util.h"

#define CHECK(c) do { if (!(c)) wmiemu_explore_fail(0, "%s:%d: check failed: %s", __FILE__, __LINE__, #c); } while (0)

/* Each kernel32 function as the patched DLL would call it. */
#define KERNEL32_FUNCTIONS(X) \
  X(CreateThread) X(ExitThread) X(ResumeThread) X(GetExitCodeThread) X(GetCurrentThreadId) \
  X(WaitForSingleObject) X(WaitForSingleObjectEx) X(WaitForMultipleObjects) X(WaitForMultipleObjectsEx) \
  X(SignalObjectAndWait) X(CreateEventW) X(CreateEventA) X(SetEvent) X(ResetEvent) \
  X(CreateMutexW) X(ReleaseMutex) X(CreateSemaphoreW) X(ReleaseSemaphore) \
  X(InitializeCriticalSection) X(InitializeCriticalSectionAndSpinCount) X(InitializeCriticalSectionEx) \
  X(EnterCriticalSection) X(TryEnterCriticalSection) X(LeaveCriticalSection) X(DeleteCriticalSection) \
  X(InitializeSRWLock) X(AcquireSRWLockExclusive) X(ReleaseSRWLockExclusive) X(AcquireSRWLockShared) \
  X(ReleaseSRWLockShared) X(InitializeConditionVariable) X(SleepConditionVariableSRW) \
  X(SleepConditionVariableCS) X(WakeConditionVariable) X(WakeAllConditionVariable) \
  X(InitOnceExecuteOnce) X(WaitOnAddress) X(WakeByAddressSingle) X(WakeByAddressAll) \
  X(Sleep) X(SleepEx) X(SwitchToThread) X(GetTickCount) X(GetTickCount64) X(QueryPerformanceCounter) \
  X(QueryPerformanceFrequency) X(GetSystemTimeAsFileTime) X(GetSystemTimePreciseAsFileTime) \
  X(CreateTimerQueue) X(CreateTimerQueueTimer) X(DeleteTimerQueueEx) X(QueueUserWorkItem) \
  X(CloseHandle) X(DuplicateHandle) X(QueryUnbiasedInterruptTime) X(SuspendThread)

#define DECLARE(name) static __typeof__(&name) p##name;
KERNEL32_FUNCTIONS(DECLARE)
static __typeof__(&_beginthreadex) p_beginthreadex;
static __typeof__(&_endthreadex) p_endthreadex;
static __typeof__(&_beginthread) p_beginthread;

static int load(void **state) {
  (void)state;
#define LOAD(name) \
  p##name = (__typeof__(&name))wmiemu__seam_import_find("kernel32.dll", #name); \
  if (!p##name) { fprintf(stderr, "no replacement for %s\n", #name); return -1; }
  KERNEL32_FUNCTIONS(LOAD)
  p_beginthreadex = (__typeof__(&_beginthreadex))wmiemu__seam_import_find("ucrtbase.dll", "_beginthreadex");
  p_endthreadex = (__typeof__(&_endthreadex))wmiemu__seam_import_find("msvcrt.dll", "_endthreadex");
  p_beginthread = (__typeof__(&_beginthread))wmiemu__seam_import_find("msvcrt.dll", "_beginthread");
  return p_beginthreadex && p_endthreadex && p_beginthread ? 0 : -1;
}

static wmiemu_outcome_t explore(wmiemu_scenario_fn fn, void *ctx, unsigned iterations, wmiemu_explore_result_t *r) {
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.iterations = iterations;
  wmiemu_outcome_t out = wmiemu_explore(fn, ctx, &o, r);
  if (out != WMIEMU_OUTCOME_OK)
    fprintf(stderr, "%s\n", r->message);
  return out;
}

/* ---- which imports are replaced ---- */

static void test_find_matches_dlls(void **state) {
  (void)state;
  void *ct = wmiemu__seam_import_find("kernel32.dll", "CreateThread");
  assert_non_null(ct);
  assert_ptr_equal(wmiemu__seam_import_find("KERNEL32.DLL", "CreateThread"), ct);
  assert_ptr_equal(wmiemu__seam_import_find("KernelBase.dll", "CreateThread"), ct);
  assert_ptr_equal(wmiemu__seam_import_find("kernel32", "CreateThread"), ct);
  assert_ptr_equal(wmiemu__seam_import_find("C:\\windows\\system32\\kernel32.dll", "CreateThread"), ct);
  assert_non_null(wmiemu__seam_import_find("api-ms-win-core-synch-l1-2-0.dll", "WaitOnAddress"));
  assert_non_null(wmiemu__seam_import_find("API-MS-WIN-CORE-PROCESSTHREADS-L1-1-0.dll", "CreateThread"));
  /* The C runtime's thread functions, from the C runtimes only. */
  void *bt = wmiemu__seam_import_find("msvcrt.dll", "_beginthreadex");
  assert_non_null(bt);
  assert_ptr_equal(wmiemu__seam_import_find("ucrtbase.dll", "_beginthreadex"), bt);
  assert_ptr_equal(wmiemu__seam_import_find("msvcr120.dll", "_beginthreadex"), bt);
  assert_ptr_equal(wmiemu__seam_import_find("api-ms-win-crt-runtime-l1-1-0.dll", "_beginthreadex"), bt);
  assert_null(wmiemu__seam_import_find("kernel32.dll", "_beginthreadex"));
  assert_null(wmiemu__seam_import_find("msvcrt.dll", "CreateThread"));
  assert_null(wmiemu__seam_import_find("msvcrtx.dll", "_beginthreadex"));
  /* Other DLLs and functions are left alone; names are case-sensitive. */
  assert_null(wmiemu__seam_import_find("advapi32.dll", "CreateThread"));
  assert_null(wmiemu__seam_import_find("kernel32.dll.bak", "CreateThread"));
  assert_null(wmiemu__seam_import_find("kernel32.dll", "CreateFileW"));
  assert_null(wmiemu__seam_import_find("kernel32.dll", "createthread"));
  assert_null(wmiemu__seam_import_find(NULL, "CreateThread"));
  assert_null(wmiemu__seam_import_find("kernel32.dll", NULL));
  assert_non_null(wmiemu__seam_import_find("user32.dll", "MsgWaitForMultipleObjects"));
  assert_non_null(wmiemu__seam_import_find("winmm.dll", "timeSetEvent"));
}

static void test_every_entry_found(void **state) {
  (void)state;
  size_t n = 0;
  const wmiemu__seam_import_t *all = wmiemu__seam_imports(&n);
  assert_true(n > 100);
  static const char *const dlls[] = { "kernel32.dll", "msvcrt.dll", "user32.dll", "winmm.dll" };
  for (size_t i = 0; i < n; i++) {
    int found = 0;
    for (size_t d = 0; d < 4; d++)
      found += wmiemu__seam_import_find(dlls[d], all[i].name) == all[i].fn;
    if (found != 1)
      fail_msg("%s: found %d times", all[i].name, found);
    for (size_t k = 0; k < i; k++)
      if (!strcmp(all[k].name, all[i].name))
        fail_msg("%s: twice", all[i].name);
  }
}

static void test_get_proc_address(void **state) {
  (void)state;
  HMODULE k32 = GetModuleHandleA("kernel32.dll");
  assert_non_null(k32);
  assert_ptr_equal((void *)wmiemu__w32_GetProcAddress(k32, "Sleep"), wmiemu__seam_import_find("kernel32.dll", "Sleep"));
  /* The patched GetProcAddress answers itself. */
  assert_ptr_equal((void *)wmiemu__w32_GetProcAddress(k32, "GetProcAddress"), (void *)wmiemu__w32_GetProcAddress);
  /* Not replaced: the system's answer, also for an ordinal. */
  assert_ptr_equal((void *)wmiemu__w32_GetProcAddress(k32, "CreateFileW"), (void *)GetProcAddress(k32, "CreateFileW"));
  assert_null(wmiemu__w32_GetProcAddress(k32, "NoSuchFunction"));
  assert_ptr_equal((void *)wmiemu__w32_GetProcAddress(k32, MAKEINTRESOURCEA(1)), (void *)GetProcAddress(k32, MAKEINTRESOURCEA(1)));
}

/* ---- threads interleave by the schedule ---- */

typedef struct {
  LONG counter;
  int lock;                  /* 0 none, 1 critical section, 2 SRW, 3 mutex, 4 semaphore */
  CRITICAL_SECTION cs;
  SRWLOCK srw;
  HANDLE mutex, sem;
} race_t;

static void race_enter(race_t *r) {
  switch (r->lock) {
  case 1: pEnterCriticalSection(&r->cs); break;
  case 2: pAcquireSRWLockExclusive(&r->srw); break;
  case 3: CHECK(pWaitForSingleObject(r->mutex, INFINITE) == WAIT_OBJECT_0); break;
  case 4: CHECK(pWaitForSingleObject(r->sem, INFINITE) == WAIT_OBJECT_0); break;
  }
}

static void race_leave(race_t *r) {
  switch (r->lock) {
  case 1: pLeaveCriticalSection(&r->cs); break;
  case 2: pReleaseSRWLockExclusive(&r->srw); break;
  case 3: CHECK(pReleaseMutex(r->mutex)); break;
  case 4: CHECK(pReleaseSemaphore(r->sem, 1, NULL)); break;
  }
}

static DWORD WINAPI race_worker(LPVOID arg) {
  race_t *r = arg;
  race_enter(r);
  LONG v = r->counter;
  pSleep(0);                 /* a scheduling point between read and write */
  r->counter = v + 1;
  race_leave(r);
  return 0;
}

static unsigned __stdcall race_worker_crt(void *arg) {
  return (unsigned)race_worker(arg);
}

static void race_scenario(void *ctx) {
  race_t r = { 0 };
  r.lock = *(int *)ctx;
  pInitializeCriticalSection(&r.cs);
  pInitializeSRWLock(&r.srw);
  r.mutex = pCreateMutexW(NULL, FALSE, NULL);
  r.sem = pCreateSemaphoreW(NULL, 1, 1, NULL);
  HANDLE t[2] = { pCreateThread(NULL, 0, race_worker, &r, 0, NULL),
                  (HANDLE)p_beginthreadex(NULL, 0, race_worker_crt, &r, 0, NULL) };
  CHECK(t[0] && t[1]);
  CHECK(pWaitForMultipleObjects(2, t, TRUE, INFINITE) == WAIT_OBJECT_0);
  pCloseHandle(t[0]);
  pCloseHandle(t[1]);
  pCloseHandle(r.mutex);
  pCloseHandle(r.sem);
  pDeleteCriticalSection(&r.cs);
  if (r.counter != 2)
    wmiemu_explore_fail(0, "lost update: counter %ld", (long)r.counter);
}

static void test_race_found_locks_hold(void **state) {
  (void)state;
  wmiemu_explore_result_t r;
  int lock = 0;
  assert_int_equal(explore(race_scenario, &lock, 1000, &r), WMIEMU_OUTCOME_VIOLATION);
  assert_true(r.iterations_run < 1000);
  assert_non_null(strstr(r.message, "lost update"));
  for (lock = 1; lock <= 4; lock++)
    assert_int_equal(explore(race_scenario, &lock, 100, &r), WMIEMU_OUTCOME_OK);
}

static void test_same_seed_same_trace(void **state) {
  (void)state;
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.iterations = 1;
  o.seed = 5;
  o.scenario_name = "seam-imports";
  int lock = 1;
  char *a = explore_test_same_trace_twice(race_scenario, &lock, &o);
  assert_non_null(strstr(a, "\"CreateThread\""));
  free(a);
}

/* ---- condition variables, INIT_ONCE, address waits, events ---- */

typedef struct {
  SRWLOCK lock;
  CRITICAL_SECTION cs;
  CONDITION_VARIABLE cv;
  int ready;
  LONG word;
  HANDLE ev;
  INIT_ONCE once;
  LONG inits;
} sync_t;

static BOOL CALLBACK init_once(PINIT_ONCE once, PVOID param, PVOID *ctx) {
  (void)once;
  (void)ctx;
  InterlockedIncrement(&((sync_t *)param)->inits);
  return TRUE;
}

static DWORD WINAPI sync_worker(LPVOID arg) {
  sync_t *s = arg;
  CHECK(pInitOnceExecuteOnce(&s->once, init_once, s, NULL));
  pAcquireSRWLockExclusive(&s->lock);
  s->ready++;
  pReleaseSRWLockExclusive(&s->lock);
  pWakeAllConditionVariable(&s->cv);
  LONG zero = 0;
  while (s->word == 0)
    pWaitOnAddress(&s->word, &zero, sizeof zero, INFINITE);
  CHECK(pSetEvent(s->ev));
  return 3;
}

static void sync_scenario(void *ctx) {
  (void)ctx;
  sync_t s = { 0 };
  pInitializeSRWLock(&s.lock);
  pInitializeConditionVariable(&s.cv);
  pInitializeCriticalSection(&s.cs);
  s.ev = pCreateEventW(NULL, TRUE, FALSE, NULL);
  HANDLE t[2];
  for (int i = 0; i < 2; i++)
    t[i] = pCreateThread(NULL, 0, sync_worker, &s, CREATE_SUSPENDED, NULL);
  CHECK(pResumeThread(t[0]) == 1 && pResumeThread(t[1]) == 1);
  CHECK(pInitOnceExecuteOnce(&s.once, init_once, &s, NULL));
  pAcquireSRWLockExclusive(&s.lock);
  while (s.ready < 2)
    CHECK(pSleepConditionVariableSRW(&s.cv, &s.lock, INFINITE, 0));
  pReleaseSRWLockExclusive(&s.lock);
  InterlockedExchange(&s.word, 1);
  pWakeByAddressAll(&s.word);
  /* A duplicate is the same object. */
  HANDLE dup = NULL;
  CHECK(pDuplicateHandle(GetCurrentProcess(), s.ev, GetCurrentProcess(), &dup, 0, FALSE, DUPLICATE_SAME_ACCESS));
  CHECK(pWaitForSingleObject(dup, INFINITE) == WAIT_OBJECT_0);
  CHECK(pCloseHandle(dup));
  CHECK(pWaitForMultipleObjects(2, t, TRUE, INFINITE) == WAIT_OBJECT_0);
  DWORD code = 0;
  CHECK(pGetExitCodeThread(t[1], &code) && code == 3);
  CHECK(s.inits == 1);
  /* A timed condition-variable wait nobody wakes ends at its timeout. */
  pEnterCriticalSection(&s.cs);
  CHECK(!pSleepConditionVariableCS(&s.cv, &s.cs, 50) && GetLastError() == ERROR_TIMEOUT);
  pLeaveCriticalSection(&s.cs);
  pDeleteCriticalSection(&s.cs);
  pCloseHandle(t[0]);
  pCloseHandle(t[1]);
  pCloseHandle(s.ev);
}

static void test_sync_objects(void **state) {
  (void)state;
  wmiemu_explore_result_t r;
  assert_int_equal(explore(sync_scenario, NULL, 200, &r), WMIEMU_OUTCOME_OK);
  assert_true(r.steps > 20);
}

/* ---- virtual time ---- */

static VOID CALLBACK timer_fired(PVOID param, BOOLEAN timed_out) {
  (void)timed_out;
  pSetEvent(param);
}

static unsigned __stdcall crt_exits(void *arg) {
  (void)arg;
  pSleep(250);
  p_endthreadex(9);
  return 1;
}

static void crt_plain(void *arg) {
  InterlockedIncrement(arg);
}

typedef struct {
  ULONGLONG slept, qpc_ticks, ft_ticks, timer_at;
  DWORD crt_code;
  LONG plain_ran;
} times_t;

static void time_scenario(void *ctx) {
  times_t *t = ctx;
  t->plain_ran = 0;
  ULONGLONG t0 = pGetTickCount64();
  DWORD tc0 = pGetTickCount();
  LARGE_INTEGER q0, q1, f;
  FILETIME f0, f1;
  CHECK(pQueryPerformanceCounter(&q0) && pQueryPerformanceFrequency(&f) && f.QuadPart == 10000000);
  pGetSystemTimeAsFileTime(&f0);
  pSleep(1000);
  CHECK(pSleepEx(500, TRUE) == 0);
  CHECK(pSwitchToThread());
  t->slept = pGetTickCount64() - t0;
  CHECK(pGetTickCount() - tc0 == 1500);
  CHECK(pQueryPerformanceCounter(&q1));
  t->qpc_ticks = (ULONGLONG)(q1.QuadPart - q0.QuadPart);
  pGetSystemTimePreciseAsFileTime(&f1);
  t->ft_ticks = (((ULONGLONG)f1.dwHighDateTime << 32) | f1.dwLowDateTime) -
                (((ULONGLONG)f0.dwHighDateTime << 32) | f0.dwLowDateTime);
  /* A timer queue's timer fires at the virtual time asked. */
  HANDLE q = pCreateTimerQueue(), timer = NULL, fired = pCreateEventW(NULL, TRUE, FALSE, NULL);
  ULONGLONG armed = pGetTickCount64();
  CHECK(pCreateTimerQueueTimer(&timer, q, timer_fired, fired, 700, 0, 0));
  CHECK(pWaitForSingleObject(fired, INFINITE) == WAIT_OBJECT_0);
  t->timer_at = pGetTickCount64() - armed;
  CHECK(pDeleteTimerQueueEx(q, INVALID_HANDLE_VALUE));
  pCloseHandle(fired);
  /* The C runtime's threads. */
  HANDLE h = (HANDLE)p_beginthreadex(NULL, 0, crt_exits, NULL, 0, NULL);
  CHECK(pWaitForSingleObject(h, INFINITE) == WAIT_OBJECT_0);
  CHECK(pGetExitCodeThread(h, &t->crt_code));
  pCloseHandle(h);
  CHECK(p_beginthread(crt_plain, 0, &t->plain_ran) != (uintptr_t)-1);
  while (!t->plain_ran)
    pSleep(10);
}

static void test_virtual_time(void **state) {
  (void)state;
  times_t t = { 0 };
  wmiemu_explore_result_t r;
  assert_int_equal(explore(time_scenario, &t, 3, &r), WMIEMU_OUTCOME_OK);
  assert_int_equal(t.slept, 1500);
  assert_int_equal(t.qpc_ticks, 1500 * 10000);
  assert_int_equal(t.ft_ticks, 1500 * 10000);
  assert_int_equal(t.timer_at, 700);
  assert_int_equal(t.crt_code, 9);
  assert_int_equal(t.plain_ran, 1);
}

/* ---- the system's handles ---- */

static void real_handle_scenario(void *ctx) {
  HANDLE real = ctx;
  /* Set, polled and reset by kernel32: a poll is no wait. */
  CHECK(pSetEvent(real));
  CHECK(pWaitForSingleObject(real, 0) == WAIT_OBJECT_0);
  CHECK(pResetEvent(real));
  CHECK(pWaitForMultipleObjects(1, &real, FALSE, 0) == WAIT_TIMEOUT);
  /* A wait over both kinds at once cannot be served. */
  HANDLE mine = pCreateEventW(NULL, TRUE, TRUE, NULL);
  HANDLE both[2] = { mine, real };
  CHECK(pWaitForMultipleObjects(2, both, FALSE, 0) == WAIT_FAILED && GetLastError() == ERROR_NOT_SUPPORTED);
  /* compat's handles are beyond any kernel handle. */
  CHECK((ULONG_PTR)mine >= ((ULONG_PTR)1 << 32));
  CHECK(pCloseHandle(mine));
}

static void real_wait_scenario(void *ctx) {
  pWaitForSingleObject(ctx, 10);
  CHECK(!"a real wait returned inside a schedule");
}

static void catcher_scenario(void *ctx) {
  (void)ctx;
  ULONGLONG t;
  pQueryUnbiasedInterruptTime(&t);
  CHECK(!"a catcher returned inside a schedule");
}

static void test_real_handles_and_catchers(void **state) {
  (void)state;
  HANDLE real = CreateEventW(NULL, TRUE, FALSE, NULL);
  assert_non_null(real);
  wmiemu_explore_result_t r;
  assert_int_equal(explore(real_handle_scenario, real, 5, &r), WMIEMU_OUTCOME_OK);
  assert_int_equal(explore(real_wait_scenario, real, 5, &r), WMIEMU_OUTCOME_NOT_REPRODUCIBLE);
  assert_non_null(strstr(r.message, "kernel32!WaitForSingleObject is not under the scheduler"));
  assert_int_equal(explore(catcher_scenario, NULL, 5, &r), WMIEMU_OUTCOME_NOT_REPRODUCIBLE);
  assert_non_null(strstr(r.message, "kernel32!QueryUnbiasedInterruptTime is not under the scheduler"));
  /* The replacement closes the system's handle for real. */
  assert_true(pCloseHandle(real));
  assert_false(CloseHandle(real));
  /* A real handle to this process duplicates a compat handle too; another
   * process's cannot hold one. */
  HANDLE me = OpenProcess(PROCESS_DUP_HANDLE | PROCESS_QUERY_LIMITED_INFORMATION, FALSE, GetCurrentProcessId());
  HANDLE ev = pCreateEventW(NULL, FALSE, FALSE, NULL), dup = NULL;
  assert_true(pDuplicateHandle(me, ev, me, &dup, 0, FALSE, DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE));
  assert_true(pSetEvent(dup));
  assert_false(pCloseHandle(ev));   /* closed by DUPLICATE_CLOSE_SOURCE */
  assert_true(pCloseHandle(dup));
  assert_true(CloseHandle(me));
}

/* ---- outside a schedule: real threads and clocks ---- */

static DWORD WINAPI returns_5(LPVOID arg) {
  (void)arg;
  pSleep(1);
  return 5;
}

static void test_outside_a_schedule(void **state) {
  (void)state;
  assert_null(wmiemu__sched_active());
  HANDLE t = pCreateThread(NULL, 0, returns_5, NULL, 0, NULL);
  assert_non_null(t);
  assert_int_equal(pWaitForSingleObject(t, 10000), WAIT_OBJECT_0);
  DWORD code = 0;
  assert_true(pGetExitCodeThread(t, &code));
  assert_int_equal(code, 5);
  assert_true(pCloseHandle(t));
  /* The catcher is the real function there. */
  ULONGLONG it = 0;
  assert_true(pQueryUnbiasedInterruptTime(&it));
  assert_true(it > 0);
  /* The wall clock is the system's, not the virtual one. */
  FILETIME mine, sys;
  GetSystemTimeAsFileTime(&sys);
  pGetSystemTimeAsFileTime(&mine);
  assert_true(mine.dwHighDateTime - sys.dwHighDateTime <= 1);
  /* A real wait with a timeout is no harm outside a schedule. */
  HANDLE ev = CreateEventW(NULL, TRUE, FALSE, NULL);
  assert_int_equal(pWaitForSingleObject(ev, 10), WAIT_TIMEOUT);
  assert_true(pCloseHandle(ev));
  /* A catcher calls the real function: kernel32 refuses a NULL handle. */
  assert_int_equal(pSuspendThread(NULL), (DWORD)-1);
}

/* ---- the README's table is this one ---- */

static void test_readme_table(void **state) {
  (void)state;
  char path[1024];
  snprintf(path, sizeof path, "%s/README.md", getenv("WMIEMU_SOURCE_DIR") ? getenv("WMIEMU_SOURCE_DIR") : ".");
  char *readme = explore_test_slurp(path);
  assert_non_null(readme);
  char *sec = strstr(readme, "### Exploring Windows DLLs: the controlled Win32 functions\n");
  assert_non_null(sec);
  char *end = strstr(sec + 4, "\n#");
  if (end)
    *end = 0;
  size_t n = 0;
  const wmiemu__seam_import_t *all = wmiemu__seam_imports(&n);
  /* Every name in the table's third column is an entry, and every entry
   * is there once. */
  size_t listed = 0;
  for (char *line = sec; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
    if (strncmp(line, "| ", 2) || !strncmp(line, "| What ", 7))
      continue;
    char *col = line;
    for (int bars = 0; bars < 2 && col; bars++)
      col = strchr(col + 1, '|');
    char *col_end = col ? strchr(col + 1, '|') : NULL;
    assert_non_null(col_end);
    for (char *q = col; (q = strchr(q, '`')) && q < col_end;) {
      char *close = strchr(q + 1, '`');
      assert_non_null(close);
      char name[128];
      snprintf(name, sizeof name, "%.*s", (int)(close - q - 1), q + 1);
      size_t i = 0;
      while (i < n && strcmp(all[i].name, name))
        i++;
      if (i == n)
        fail_msg("README lists %s, which is not replaced", name);
      listed++;
      q = close + 1;
    }
  }
  assert_int_equal(listed, n);
  free(readme);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_find_matches_dlls),
    cmocka_unit_test(test_every_entry_found),
    cmocka_unit_test(test_get_proc_address),
    cmocka_unit_test(test_race_found_locks_hold),
    cmocka_unit_test(test_same_seed_same_trace),
    cmocka_unit_test(test_sync_objects),
    cmocka_unit_test(test_virtual_time),
    cmocka_unit_test(test_real_handles_and_catchers),
    cmocka_unit_test(test_outside_a_schedule),
    cmocka_unit_test(test_readme_table),
  };
  return cmocka_run_group_tests(tests, load, NULL);
}
