/* The executor keeps time whatever the work and the provider calls do:
 * calls on WMI workers with a limit (libuv in real time, deterministic in
 * virtual time), a caller that leaves at its limit or at a stop request,
 * the call record released by whichever side finishes last, workers reused
 * and a stuck one replaced; and the bounded drain, so that a producer that
 * never pauses delays neither the deadline nor a stop. */

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>

#include <wmiemu/explore.h>

#include "exec/exec.h"
#include "exec/sched.h"

#define container_of(p, T, m) ((T *)((char *)(p) - offsetof(T, m)))

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- libuv: calls with a limit ---- */

/* A heap-owned call whose fn blocks until `open` is set. */
typedef struct {
  wmiemu__exec_call_t call;
  pthread_mutex_t *lock;
  pthread_cond_t *cond;
  int *open;
  pthread_t *ran_on;
  int *released;
} gate_call_t;

static int32_t wait_gate(void *arg) {
  gate_call_t *g = arg;
  pthread_mutex_lock(g->lock);
  *g->ran_on = pthread_self();   /* under the lock: the test reads it while fn runs */
  while (!*g->open)
    pthread_cond_wait(g->cond, g->lock);
  pthread_mutex_unlock(g->lock);
  return 42;
}

static int32_t quick(void *arg) {
  gate_call_t *g = arg;
  *g->ran_on = pthread_self();
  return 7;
}

static void release_gate(wmiemu__exec_call_t *call) {
  gate_call_t *g = container_of(call, gate_call_t, call);
  pthread_mutex_lock(g->lock);
  ++*g->released;
  pthread_cond_broadcast(g->cond);
  pthread_mutex_unlock(g->lock);
  free(g);
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int open_gate, released;

static gate_call_t *gate(wmiemu__exec_call_fn fn, uint32_t limit, pthread_t *ran_on) {
  gate_call_t *g = calloc(1, sizeof(*g));
  assert_non_null(g);
  g->call.fn = fn;
  g->call.arg = g;
  g->call.name = "Test";
  g->call.limit_ms = limit;
  g->call.release = release_gate;
  g->lock = &lock;
  g->cond = &cond;
  g->open = &open_gate;
  g->ran_on = ran_on;
  g->released = &released;
  return g;
}

static void test_uv_call_limit(void **state) {
  (void)state;
  wmiemu__exec_t *e;
  pthread_t first, second, stuck = pthread_self(), after;
  assert_int_equal(wmiemu__exec_new_uv(&e), 0);
  open_gate = released = 0;

  /* In time: the caller keeps the record; the worker is not the caller. */
  gate_call_t *g = gate(quick, 1000, &first);
  assert_int_equal(wmiemu__exec_call(e, &g->call), 0);
  assert_int_equal(g->call.result, 7);
  assert_false(pthread_equal(first, pthread_self()));
  free(g);
  /* An idle worker is reused. */
  g = gate(quick, 1000, &second);
  assert_int_equal(wmiemu__exec_call(e, &g->call), 0);
  assert_true(pthread_equal(first, second));
  free(g);

  /* Past the limit: ELIMIT at the limit, fn still running, the record the
   * executor's. */
  g = gate(wait_gate, 100, &stuck);
  uint64_t t0 = now_ms();
  assert_int_equal(wmiemu__exec_call(e, &g->call), WMIEMU__EXEC_ELIMIT);
  uint64_t waited = now_ms() - t0;
  printf("limit 100 ms: the caller waited %llu ms\n", (unsigned long long)waited);
  assert_true(waited >= 100 && waited < 400);
  assert_int_equal(released, 0);

  /* The stuck worker is not handed the next call. */
  g = gate(quick, 1000, &after);
  assert_int_equal(wmiemu__exec_call(e, &g->call), 0);
  pthread_mutex_lock(&lock);
  assert_false(pthread_equal(after, stuck));
  pthread_mutex_unlock(&lock);
  free(g);

  /* Once the stuck call returns, the executor releases its record, even
   * after the executor was destroyed. */
  wmiemu__exec_destroy(e);
  pthread_mutex_lock(&lock);
  open_gate = 1;
  pthread_cond_broadcast(&cond);
  while (!released)
    pthread_cond_wait(&cond, &lock);
  pthread_mutex_unlock(&lock);
  assert_int_equal(released, 1);
}

static void *stop_later(void *arg) {
  struct timespec ts = { 0, 50 * 1000000 };
  nanosleep(&ts, NULL);
  wmiemu__exec_stop(arg);
  return NULL;
}

static void test_uv_call_stop(void **state) {
  (void)state;
  wmiemu__exec_t *e;
  pthread_t ran_on, stopper;
  assert_int_equal(wmiemu__exec_new_uv(&e), 0);
  open_gate = released = 0;
  gate_call_t *g = gate(wait_gate, 60000, &ran_on);
  assert_int_equal(pthread_create(&stopper, NULL, stop_later, e), 0);
  uint64_t t0 = now_ms();
  /* The waiting caller answers a stop request long before the limit. */
  assert_int_equal(wmiemu__exec_call(e, &g->call), WMIEMU__EXEC_ESTOPPED);
  assert_true(now_ms() - t0 < 1000);
  pthread_join(stopper, NULL);
  /* The request stays for the run functions. */
  assert_int_equal(wmiemu__exec_run_until_idle(e), WMIEMU__EXEC_ESTOPPED);
  /* A call with a limit needs a releaser; without a limit none. */
  wmiemu__exec_call_t bad = { .fn = quick, .limit_ms = 10 };
  assert_int_equal(wmiemu__exec_call(e, &bad), WMIEMU__EXEC_EINVAL);
  pthread_mutex_lock(&lock);
  open_gate = 1;
  pthread_cond_broadcast(&cond);
  while (!released)
    pthread_cond_wait(&cond, &lock);
  pthread_mutex_unlock(&lock);
  wmiemu__exec_destroy(e);
}

/* ---- the bounded drain ---- */

typedef struct {
  wmiemu__exec_work_t work;
  wmiemu__exec_t *exec;
  uint64_t runs;
  uint64_t stop_at;      /* 0: never */
} forever_t;

/* Posts itself again: a producer that never pauses. */
static void again(wmiemu__exec_work_t *w) {
  forever_t *f = container_of(w, forever_t, work);
  if (++f->runs == f->stop_at)
    wmiemu__exec_stop(f->exec);
  wmiemu__exec_post(f->exec, &f->work);
}

static void test_uv_bounded_drain(void **state) {
  (void)state;
  wmiemu__exec_t *e;
  assert_int_equal(wmiemu__exec_new_uv(&e), 0);
  forever_t f = { { NULL, again }, e, 0, 0 };
  assert_int_equal(wmiemu__exec_post(e, &f.work), 0);
  /* The deadline holds although the queue is never empty. */
  uint64_t t0 = now_ms();
  assert_int_equal(wmiemu__exec_run_for(e, 50), 0);
  uint64_t took = now_ms() - t0;
  printf("run_for(50) under a producer that never pauses: %llu ms, %llu items\n",
         (unsigned long long)took, (unsigned long long)f.runs);
  assert_true(took < 150);
  assert_true(f.runs > 0);
  t0 = now_ms();
  assert_int_equal(wmiemu__exec_run_until_idle_for(e, 30), WMIEMU__EXEC_ETIMEDOUT);
  assert_true(now_ms() - t0 < 130);
  /* A stop request is seen between two batches. */
  f.stop_at = f.runs + 3 * WMIEMU__EXEC_BATCH;
  assert_int_equal(wmiemu__exec_run_until_idle(e), WMIEMU__EXEC_ESTOPPED);
  assert_true(f.runs < f.stop_at + 2 * WMIEMU__EXEC_BATCH);
  wmiemu__exec_destroy(e);
}

/* ---- deterministic: the limit in virtual time ---- */

#define CHECK(c) do { if (!(c)) wmiemu_explore_fail(0, "%s:%d: check failed: %s", __FILE__, __LINE__, #c); } while (0)

typedef struct {
  wmiemu__exec_call_t call;
  int *released;
} det_call_t;

static int32_t sleep_long(void *arg) {
  (void)arg;
  wmiemu__sched_sleep(wmiemu__sched_current(), 10000);   /* virtual */
  return 5;
}

static void det_release(wmiemu__exec_call_t *call) {
  det_call_t *c = container_of(call, det_call_t, call);
  ++*c->released;
  free(c);
}

static void det_scenario(void *ctx) {
  (void)ctx;
  wmiemu__sched_t *s = wmiemu__sched_current();
  wmiemu__exec_t *e;
  int released = 0;
  CHECK(wmiemu__exec_new_det(&e, s) == 0);
  det_call_t *c = calloc(1, sizeof(*c));
  CHECK(c != NULL);
  c->call.fn = sleep_long;
  c->call.name = "NewQuery";
  c->call.limit_ms = 300;
  c->call.release = det_release;
  c->released = &released;
  uint64_t t0 = wmiemu__exec_now(e);
  CHECK(wmiemu__exec_call(e, &c->call) == WMIEMU__EXEC_ELIMIT);
  CHECK(wmiemu__exec_now(e) == t0 + 300);
  CHECK(released == 0);
  /* The worker returns in virtual time and releases the record. */
  CHECK(wmiemu__exec_run_for(e, 20000) == 0);
  CHECK(released == 1);
  /* The bounded drain: a stop is seen between two batches. */
  forever_t f = { { NULL, again }, e, 0, 2 * WMIEMU__EXEC_BATCH };
  CHECK(wmiemu__exec_post(e, &f.work) == 0);
  CHECK(wmiemu__exec_run_until_idle(e) == WMIEMU__EXEC_ESTOPPED);
  CHECK(f.runs < f.stop_at + 2 * WMIEMU__EXEC_BATCH);
  /* Still queued: destroy drops it without running it. */
  wmiemu__exec_destroy(e);
}

static void test_det_call_limit(void **state) {
  (void)state;
  wmiemu_explore_opts_t o;
  wmiemu_explore_result_t r;
  wmiemu_explore_opts_init(&o);
  o.iterations = 20;
  assert_int_equal(wmiemu_explore(det_scenario, NULL, &o, &r), WMIEMU_OUTCOME_OK);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_uv_call_limit),
    cmocka_unit_test(test_uv_call_stop),
    cmocka_unit_test(test_uv_bounded_drain),
    cmocka_unit_test(test_det_call_limit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
