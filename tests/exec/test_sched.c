/* The controlled scheduler and the scenario runner: interleavings found,
 * deadlock / livelock / lifetime / foreign-thread detection, virtual time,
 * identical traces for identical seeds, exact replay. */

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <wmiemu/explore.h>

#include "exec/exec.h"
#include "exec/sched.h"
#include "explore/explore_test_util.h"

/* ---- lost update: two threads read, yield, write ---- */

typedef struct {
  int counter;
  wmiemu__sched_obj_t *lock;   /* NULL: racy */
} shared_t;

static void incr(void *arg) {
  shared_t *sh = arg;
  wmiemu__sched_t *s = wmiemu__sched_current();
  if (sh->lock)
    wmiemu__sched_mutex_lock(s, sh->lock);
  int v = sh->counter;
  wmiemu_explore_yield("read");
  sh->counter = v + 1;
  if (sh->lock)
    wmiemu__sched_mutex_unlock(s, sh->lock);
}

static void lost_update(void *ctx) {
  int locked = *(int *)ctx;
  wmiemu__sched_t *s = wmiemu__sched_current();
  shared_t sh = { 0, locked ? wmiemu__sched_mutex_new(s) : NULL };
  wmiemu__sched_thread_t *a = wmiemu__sched_thread_create(s, incr, &sh, "a", WMIEMU__SCHED_GROUP_PROVIDER);
  wmiemu__sched_thread_t *b = wmiemu__sched_thread_create(s, incr, &sh, "b", WMIEMU__SCHED_GROUP_PROVIDER);
  wmiemu__sched_obj_t *h[2] = { wmiemu__sched_thread_handle(a), wmiemu__sched_thread_handle(b) };
  assert_int_equal(wmiemu__sched_wait(s, h, 2, 1, WMIEMU__SCHED_INFINITE, 0), 0);
  if (sh.counter != 2)
    wmiemu_explore_fail(0, "lost update: counter is %d", sh.counter);
}

static void test_finds_lost_update_random(void **state) {
  (void)state;
  int locked = 0;
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.iterations = 1000;
  wmiemu_explore_result_t r;
  assert_int_equal(wmiemu_explore(lost_update, &locked, &o, &r), WMIEMU_OUTCOME_VIOLATION);
  assert_true(r.iterations_run <= 1000);
  assert_non_null(strstr(r.message, "lost update: counter is 1"));
}

static void test_finds_lost_update_pct(void **state) {
  (void)state;
  int locked = 0;
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.strategy = WMIEMU_STRATEGY_PCT;
  o.pct_depth = 2;
  o.iterations = 1000;
  wmiemu_explore_result_t r;
  assert_int_equal(wmiemu_explore(lost_update, &locked, &o, &r), WMIEMU_OUTCOME_VIOLATION);
  assert_true(r.failing_seed >= o.seed && r.failing_seed < o.seed + 1000);
}

static void test_locked_passes(void **state) {
  (void)state;
  int locked = 1;
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.iterations = 500;
  wmiemu_explore_result_t r;
  assert_int_equal(wmiemu_explore(lost_update, &locked, &o, &r), WMIEMU_OUTCOME_OK);
  assert_int_equal(r.iterations_run, 500);
  o.strategy = WMIEMU_STRATEGY_PCT;
  assert_int_equal(wmiemu_explore(lost_update, &locked, &o, &r), WMIEMU_OUTCOME_OK);
}

/* ---- traces: identical for a seed, replay exact ---- */

static void test_same_seed_same_trace(void **state) {
  (void)state;
  int locked = 1;
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.seed = 42;
  o.iterations = 3;
  o.scenario_name = "lost-update";
  char *a = explore_test_same_trace_twice(lost_update, &locked, &o);
  assert_non_null(strstr(a, "\"seed\":44"));     /* the last iteration's */
  assert_non_null(strstr(a, "{\"end\":\"ok\""));
  free(a);
}

static void test_replay_reproduces_10_of_10(void **state) {
  (void)state;
  int locked = 0;
  char path[128], again[128];
  explore_test_tmp_path(path, sizeof path, "replay");
  explore_test_tmp_path(again, sizeof again, "replay-again");
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.iterations = 1000;
  o.trace_path = path;
  wmiemu_explore_result_t r;
  assert_int_equal(wmiemu_explore(lost_update, &locked, &o, &r), WMIEMU_OUTCOME_VIOLATION);
  char *orig = explore_test_slurp(path);
  assert_non_null(orig);
  for (int i = 0; i < 10; i++) {
    wmiemu_explore_result_t rr;
    assert_int_equal(wmiemu_replay(lost_update, &locked, path, again, &rr), WMIEMU_OUTCOME_VIOLATION);
    assert_string_equal(rr.message, r.message);
    char *copy = explore_test_slurp(again);
    assert_string_equal(copy, orig);      /* step for step */
    free(copy);
  }
  free(orig);
  /* A different program under the same trace is told apart. */
  locked = 1;
  wmiemu_explore_result_t rd;
  assert_int_equal(wmiemu_replay(lost_update, &locked, path, NULL, &rd), WMIEMU_OUTCOME_REPLAY_DIVERGED);
  assert_non_null(strstr(rd.message, "diverged"));
  unlink(path);
  unlink(again);
}

static void test_replay_bad_trace(void **state) {
  (void)state;
  int locked = 0;
  char path[128];
  explore_test_tmp_path(path, sizeof path, "bad");
  FILE *f = fopen(path, "w");
  fputs("{\"hello\":1}\n", f);
  fclose(f);
  wmiemu_explore_result_t r;
  assert_int_equal(wmiemu_replay(lost_update, &locked, path, NULL, &r), WMIEMU_OUTCOME_ERROR);
  assert_non_null(strstr(r.message, ":1: not a wmiemu trace header"));
  /* A damaged line is named where it is, not at the next step. */
  f = fopen(path, "w");
  fputs("{\"wmiemu_trace\":1,\"scenario\":\"x\",\"strategy\":\"random\",\"seed\":1,"
        "\"pct_depth\":3,\"pct_steps\":0,\"max_steps\":100,\"build\":\"" WMIEMU__BUILD "\"}\n"
        "{\"step\":1,\"by\":0,\"op\":\"yield\",\"obj\":0,\"ready\":[0],\"run\":0,\"clock\":0}\n"
        "{\"stp\":2,garbage\n"
        "{\"step\":2,\"by\":0,\"op\":\"yield\",\"obj\":0,\"ready\":[0],\"run\":0,\"clock\":0}\n", f);
  fclose(f);
  assert_int_equal(wmiemu_replay(lost_update, &locked, path, NULL, &r), WMIEMU_OUTCOME_ERROR);
  assert_non_null(strstr(r.message, ":3: not a trace line"));
  assert_int_equal(wmiemu_replay(lost_update, &locked, "/nonexistent/t.jsonl", NULL, &r), WMIEMU_OUTCOME_ERROR);
  assert_non_null(strstr(r.message, "cannot open"));
  assert_int_equal(wmiemu_replay(NULL, NULL, path, NULL, &r), WMIEMU_OUTCOME_ERROR);
  unlink(path);
}

/* A trace names the build that made it and replays on that build only;
 * a trace from before headers named it was made by the Linux build. */
static char *replace_in(const char *text, const char *from, const char *to) {
  const char *at = strstr(text, from);
  if (!at)
    return NULL;
  char *out = malloc(strlen(text) - strlen(from) + strlen(to) + 1);
  if (out)
    sprintf(out, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
  return out;
}

static void write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static void test_replay_names_its_build(void **state) {
  (void)state;
  int locked = 0;
  char path[128], other[128];
  explore_test_tmp_path(path, sizeof path, "build");
  explore_test_tmp_path(other, sizeof other, "build-other");
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.iterations = 1000;
  o.trace_path = path;
  wmiemu_explore_result_t r, rr;
  assert_int_equal(wmiemu_explore(lost_update, &locked, &o, &r), WMIEMU_OUTCOME_VIOLATION);
  char *orig = explore_test_slurp(path);
  assert_non_null(orig);
  assert_non_null(strstr(orig, ",\"build\":\"" WMIEMU__BUILD "\"}\n"));
#ifdef _WIN32
  const char *mine = "windows-x86_64", *theirs = "linux-x86_64";
#else
  const char *mine = "linux-x86_64", *theirs = "windows-x86_64";
#endif
  assert_string_equal(WMIEMU__BUILD, mine);
  /* From the other build: refused as a bad trace, naming both. */
  char from[64], to[64];
  snprintf(from, sizeof from, "\"build\":\"%s\"", mine);
  snprintf(to, sizeof to, "\"build\":\"%s\"", theirs);
  char *foreign = replace_in(orig, from, to);
  assert_non_null(foreign);
  write_text(other, foreign);
  assert_int_equal(wmiemu_replay(lost_update, &locked, other, NULL, &rr), WMIEMU_OUTCOME_ERROR);
  assert_int_equal(rr.iterations_run, 0);
  assert_non_null(strstr(rr.message, theirs));
  assert_non_null(strstr(rr.message, mine));
  assert_non_null(strstr(rr.message, "replays only on the build that made it"));
  /* Without the field: the Linux build's, as every trace before it. */
  char *old = replace_in(orig, from + 0, "");
  char *old_header = old ? replace_in(old, "," "}", "}") : NULL;
  assert_non_null(old_header);
  assert_null(strstr(old_header, "\"build\""));
  write_text(other, old_header);
#ifdef _WIN32
  assert_int_equal(wmiemu_replay(lost_update, &locked, other, NULL, &rr), WMIEMU_OUTCOME_ERROR);
  assert_non_null(strstr(rr.message, "made by the linux-x86_64 build"));
#else
  /* ...and it still replays step for step, its header as it was. */
  assert_int_equal(wmiemu_replay(lost_update, &locked, other, path, &rr), WMIEMU_OUTCOME_VIOLATION);
  char *again = explore_test_slurp(path);
  assert_non_null(again);
  assert_string_equal(again, old_header);
  free(again);
#endif
  free(old_header);
  free(old);
  free(foreign);
  free(orig);
  unlink(path);
  unlink(other);
}

/* ---- deadlock, livelock ---- */

typedef struct {
  wmiemu__sched_obj_t *m1, *m2;
} two_locks_t;

static void lock_ab(void *arg) {
  two_locks_t *l = arg;
  wmiemu__sched_t *s = wmiemu__sched_current();
  wmiemu__sched_mutex_lock(s, l->m1);
  wmiemu__sched_mutex_lock(s, l->m2);
  wmiemu__sched_mutex_unlock(s, l->m2);
  wmiemu__sched_mutex_unlock(s, l->m1);
}

static void lock_ba(void *arg) {
  two_locks_t *l = arg;
  wmiemu__sched_t *s = wmiemu__sched_current();
  wmiemu__sched_mutex_lock(s, l->m2);
  wmiemu__sched_mutex_lock(s, l->m1);
  wmiemu__sched_mutex_unlock(s, l->m1);
  wmiemu__sched_mutex_unlock(s, l->m2);
}

static void lock_order(void *ctx) {
  (void)ctx;
  wmiemu__sched_t *s = wmiemu__sched_current();
  two_locks_t l = { wmiemu__sched_mutex_new(s), wmiemu__sched_mutex_new(s) };
  wmiemu__sched_thread_t *a = wmiemu__sched_thread_create(s, lock_ab, &l, "ab", 0);
  wmiemu__sched_thread_t *b = wmiemu__sched_thread_create(s, lock_ba, &l, "ba", 0);
  wmiemu__sched_obj_t *h[2] = { wmiemu__sched_thread_handle(a), wmiemu__sched_thread_handle(b) };
  wmiemu__sched_wait(s, h, 2, 1, WMIEMU__SCHED_INFINITE, 0);
}

static void test_deadlock_detected(void **state) {
  (void)state;
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.iterations = 1000;
  wmiemu_explore_result_t r;
  assert_int_equal(wmiemu_explore(lock_order, NULL, &o, &r), WMIEMU_OUTCOME_DEADLOCK);
  assert_non_null(strstr(r.message, "every thread is blocked"));
  assert_non_null(strstr(r.message, "(ab)"));
}

static void spin(void *ctx) {
  (void)ctx;
  for (;;)
    wmiemu_explore_yield("spin");
}

static void test_livelock_bound(void **state) {
  (void)state;
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.max_steps = 500;
  wmiemu_explore_result_t r;
  assert_int_equal(wmiemu_explore(spin, NULL, &o, &r), WMIEMU_OUTCOME_LIVELOCK);
  assert_int_equal(r.steps, 501);
  assert_non_null(strstr(r.message, "500 steps"));
}

/* ---- virtual time, events, waits ---- */

static void slow_ticker(void *arg) {
  int *ticks = arg;
  wmiemu__sched_t *s = wmiemu__sched_current();
  for (int i = 0; i < 100; i++) {
    wmiemu__sched_sleep(s, 2000);
    (*ticks)++;
  }
}

static void virtual_time(void *ctx) {
  (void)ctx;
  wmiemu__sched_t *s = wmiemu__sched_current();
  int ticks = 0;
  uint64_t t0 = wmiemu__sched_now(s);
  wmiemu__sched_thread_t *t = wmiemu__sched_thread_create(s, slow_ticker, &ticks, "ticker", 1);
  wmiemu__sched_obj_t *h = wmiemu__sched_thread_handle(t);
  /* A wait that times out first, in virtual time. */
  assert_int_equal(wmiemu__sched_wait(s, &h, 1, 0, 5000, 0), WMIEMU__SCHED_WAIT_TIMEOUT);
  assert_int_equal(wmiemu__sched_now(s), t0 + 5000);
  assert_int_equal(ticks, 2);
  assert_int_equal(wmiemu__sched_wait(s, &h, 1, 0, WMIEMU__SCHED_INFINITE, 0), 0);
  assert_int_equal(ticks, 100);
  assert_int_equal(wmiemu__sched_now(s), t0 + 200000);   /* 200 s at CPU speed */
  /* Events: auto-reset wakes one and resets; manual stays set. */
  wmiemu__sched_obj_t *ev = wmiemu__sched_event_new(s, 0, 1);
  assert_int_equal(wmiemu__sched_wait(s, &ev, 1, 0, 0, 0), 0);
  assert_int_equal(wmiemu__sched_wait(s, &ev, 1, 0, 0, 0), WMIEMU__SCHED_WAIT_TIMEOUT);
  wmiemu__sched_obj_t *mev = wmiemu__sched_event_new(s, 1, 0);
  wmiemu__sched_event_set(s, mev);
  assert_int_equal(wmiemu__sched_wait(s, &mev, 1, 0, 0, 0), 0);
  assert_int_equal(wmiemu__sched_wait(s, &mev, 1, 0, 0, 0), 0);
  wmiemu__sched_event_reset(s, mev);
  wmiemu__sched_obj_t *both[2] = { ev, mev };
  assert_int_equal(wmiemu__sched_wait(s, both, 2, 0, 10, 0), WMIEMU__SCHED_WAIT_TIMEOUT);
  wmiemu__sched_event_set(s, mev);
  assert_int_equal(wmiemu__sched_wait(s, both, 2, 0, 10, 0), 1);
  assert_int_equal(wmiemu__sched_wait(s, both, 2, 1, 10, 0), WMIEMU__SCHED_WAIT_TIMEOUT);
  /* Recursive mutex, trylock. */
  wmiemu__sched_obj_t *m = wmiemu__sched_mutex_new(s);
  wmiemu__sched_mutex_lock(s, m);
  assert_true(wmiemu__sched_mutex_trylock(s, m));
  wmiemu__sched_mutex_unlock(s, m);
  wmiemu__sched_mutex_unlock(s, m);
  assert_int_equal(wmiemu__sched_wait(s, NULL, 1, 0, 0, 0), WMIEMU__SCHED_WAIT_FAILED);
}

static void test_virtual_time(void **state) {
  (void)state;
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.iterations = 20;
  wmiemu_explore_result_t r;
  assert_int_equal(wmiemu_explore(virtual_time, NULL, &o, &r), WMIEMU_OUTCOME_OK);
}

/* ---- lifetime: a provider thread runs after the final Release ---- */

static void provider_loop(void *arg) {
  int *stop = arg;
  wmiemu__sched_t *s = wmiemu__sched_current();
  while (!*stop)
    wmiemu__sched_sleep(s, 100);
}

static void lifetime(void *ctx) {
  int join = *(int *)ctx;
  wmiemu__sched_t *s = wmiemu__sched_current();
  int *stop = calloc(1, sizeof(int));
  wmiemu__sched_thread_t *t = wmiemu__sched_thread_create(s, provider_loop, stop, "event-thread", 1);
  wmiemu__sched_sleep(s, 250);
  *stop = 1;
  if (join) {
    wmiemu__sched_obj_t *h = wmiemu__sched_thread_handle(t);
    wmiemu__sched_wait(s, &h, 1, 0, WMIEMU__SCHED_INFINITE, 0);
  }
  free(stop);
  wmiemu__sched_provider_released(s);
}

static void test_lifetime_violation(void **state) {
  (void)state;
  int join = 0;
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.iterations = 100;
  wmiemu_explore_result_t r;
  assert_int_equal(wmiemu_explore(lifetime, &join, &o, &r), WMIEMU_OUTCOME_VIOLATION);
  assert_non_null(strstr(r.message, "lifetime: provider thread 1 (event-thread)"));
  join = 1;
  assert_int_equal(wmiemu_explore(lifetime, &join, &o, &r), WMIEMU_OUTCOME_OK);
}

/* ---- a thread the scheduler does not know ---- */

static void *foreign_post(void *arg) {
  wmiemu__exec_t *e = arg;
  static wmiemu__exec_work_t w;
  w.cb = (wmiemu__exec_work_cb)(void (*)(void))abort;
  w.next = NULL;
  wmiemu__exec_post(e, &w);
  return NULL;
}

static void foreign(void *ctx) {
  (void)ctx;
  wmiemu__sched_t *s = wmiemu__sched_current();
  wmiemu__exec_t *e;
  assert_int_equal(wmiemu__exec_new_det(&e, s), 0);
  pthread_t th;
  pthread_create(&th, NULL, foreign_post, e);
  pthread_join(th, NULL);
  wmiemu__exec_destroy(e);     /* drops the foreign item unrun */
}

static void test_foreign_thread_not_reproducible(void **state) {
  (void)state;
  wmiemu_explore_result_t r;
  assert_int_equal(wmiemu_explore(foreign, NULL, NULL, &r), WMIEMU_OUTCOME_NOT_REPRODUCIBLE);
  assert_non_null(strstr(r.message, "not reproducible"));
}

/* ---- options and misuse ---- */

static void test_bad_options(void **state) {
  (void)state;
  wmiemu_explore_result_t r;
  assert_int_equal(wmiemu_explore(NULL, NULL, NULL, &r), WMIEMU_OUTCOME_ERROR);
  wmiemu_explore_opts_t o;
  wmiemu_explore_opts_init(&o);
  o.strategy = WMIEMU_STRATEGY_REPLAY;
  assert_int_equal(wmiemu_explore(spin, NULL, &o, &r), WMIEMU_OUTCOME_ERROR);
  wmiemu_explore_opts_init(NULL);
  assert_string_equal(wmiemu_outcome_name(WMIEMU_OUTCOME_DEADLOCK), "deadlock");
  assert_int_equal(wmiemu__outcome_from_name("livelock"), WMIEMU_OUTCOME_LIVELOCK);
  /* Outside a scenario these are harmless. */
  wmiemu_explore_yield("x");
  wmiemu_explore_note("x", 1);
  assert_null(wmiemu__sched_current());
  assert_int_equal(wmiemu__sched_new(NULL, NULL), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_finds_lost_update_random),
    cmocka_unit_test(test_finds_lost_update_pct),
    cmocka_unit_test(test_locked_passes),
    cmocka_unit_test(test_same_seed_same_trace),
    cmocka_unit_test(test_replay_reproduces_10_of_10),
    cmocka_unit_test(test_replay_bad_trace),
    cmocka_unit_test(test_replay_names_its_build),
    cmocka_unit_test(test_deadlock_detected),
    cmocka_unit_test(test_livelock_bound),
    cmocka_unit_test(test_virtual_time),
    cmocka_unit_test(test_lifetime_violation),
    cmocka_unit_test(test_foreign_thread_not_reproducible),
    cmocka_unit_test(test_bad_options),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
