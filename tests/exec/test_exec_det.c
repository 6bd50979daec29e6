/* The deterministic executor (virtual time, provider calls on controlled
 * WMI workers). The model provider scenarios built on it are tested in
 * tests/explore/test_scenarios.c. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include <wmiemu/explore.h>

#include "exec/exec.h"
#include "exec/sched.h"

#define CHECK(c) do { if (!(c)) wmiemu_explore_fail(0, "%s:%d: check failed: %s", __FILE__, __LINE__, #c); } while (0)
#define container_of(p, T, m) ((T *)((char *)(p) - offsetof(T, m)))

typedef struct {
  wmiemu__exec_timer_t timer;
  int fired;
  uint64_t at[4];
} tick_t;

static void on_tick(wmiemu__exec_timer_t *t) {
  tick_t *k = container_of(t, tick_t, timer);
  if (k->fired < 4)
    k->at[k->fired] = wmiemu__exec_now(t->exec);
  if (++k->fired == 3)
    wmiemu__exec_timer_stop(t);
}

static int32_t twice(void *arg) { return 2 * *(int *)arg; }

static int async_done;
static void on_done(wmiemu__exec_work_t *w) {
  wmiemu__exec_call_t *c = container_of(w, wmiemu__exec_call_t, done);
  CHECK(c->result == 14);
  async_done++;
}

static int pred_done(void *ctx) { (void)ctx; return async_done > 0; }

static void det_scenario(void *ctx) {
  (void)ctx;
  wmiemu__sched_t *s = wmiemu__sched_current();
  wmiemu__exec_t *e;
  CHECK(wmiemu__exec_new_det(&e, s) == 0);
  CHECK(wmiemu__exec_is_deterministic(e));
  uint64_t t0 = wmiemu__exec_now(e);
  tick_t k = { 0 };
  CHECK(wmiemu__exec_timer_init(e, &k.timer, on_tick) == 0);
  CHECK(wmiemu__exec_timer_start(&k.timer, 10000, 5000) == 0);
  /* Virtual: a minute of timers costs nothing; they fire at exact times. */
  CHECK(wmiemu__exec_run_until_idle(e) == 0);
  CHECK(k.fired == 3);
  CHECK(k.at[0] == t0 + 10000 && k.at[1] == t0 + 15000 && k.at[2] == t0 + 20000);
  CHECK(wmiemu__exec_run_for(e, 60000) == 0);
  CHECK(wmiemu__exec_now(e) == t0 + 80000);
  int v = 7;
  wmiemu__exec_call_t call = { .fn = twice, .arg = &v, .name = "NewQuery" };
  CHECK(wmiemu__exec_call(e, &call) == 0);
  CHECK(call.result == 14);
  async_done = 0;
  CHECK(wmiemu__exec_call_async(e, &call, on_done) == 0);
  CHECK(wmiemu__exec_run_until(e, pred_done, NULL, 1000) == 0);
  CHECK(async_done == 1);
  CHECK(wmiemu__exec_run_until(e, pred_done, NULL, 0) == 0);
  async_done = 0;
  CHECK(wmiemu__exec_run_until(e, pred_done, NULL, 500) == WMIEMU__EXEC_ETIMEDOUT);
  wmiemu__exec_stop(e);
  CHECK(wmiemu__exec_run_until_idle(e) == WMIEMU__EXEC_ESTOPPED);
  wmiemu__exec_timer_close(&k.timer);
  wmiemu__exec_destroy(e);
}

static void test_det_executor(void **state) {
  (void)state;
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.iterations = 50;
  wmiemu_explore_result_t r;
  assert_int_equal(wmiemu_explore(det_scenario, NULL, &o, &r), WMIEMU_OUTCOME_OK);
  /* Outside a schedule the deterministic flavour cannot be made. */
  wmiemu__exec_t *e;
  assert_int_equal(wmiemu__exec_new_det(&e, NULL), WMIEMU__EXEC_EINVAL);
  assert_int_equal(wmiemu__exec_new_det(NULL, NULL), WMIEMU__EXEC_EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_det_executor),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
