/* The libuv executor: ordering, loss-free multi-producer posting, timers,
 * the run functions, stop, closing, and argument checks. */

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sched.h>
#include <cmocka.h>

#include "exec/exec.h"

#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
#ifdef UNDER_TSAN
enum { POSTS_PER_PRODUCER = 5000 };
#else
enum { POSTS_PER_PRODUCER = 100000 };
#endif
enum { PRODUCERS = 8 };

#define container_of(p, T, m) ((T *)((char *)(p) - offsetof(T, m)))

/* ---- FIFO ---- */

typedef struct {
  wmiemu__exec_work_t work;
  int value;
  int *log;
  int *n;
} item_t;

static void record(wmiemu__exec_work_t *w) {
  item_t *it = container_of(w, item_t, work);
  it->log[(*it->n)++] = it->value;
}

static void test_fifo_single_thread(void **state) {
  (void)state;
  wmiemu__exec_t *e;
  assert_int_equal(wmiemu__exec_new_uv(&e), 0);
  assert_false(wmiemu__exec_is_deterministic(e));
  int log[64], n = 0;
  item_t items[64];
  for (int i = 0; i < 64; i++) {
    items[i] = (item_t){ { NULL, record }, i, log, &n };
    assert_int_equal(wmiemu__exec_post(e, &items[i].work), 0);
  }
  assert_int_equal(n, 0);      /* nothing runs before the loop does */
  assert_int_equal(wmiemu__exec_run_until_idle(e), 0);
  assert_int_equal(n, 64);
  for (int i = 0; i < 64; i++)
    assert_int_equal(log[i], i);
  wmiemu__exec_destroy(e);
}

/* Work posted by a callback runs in the same run. */
typedef struct {
  wmiemu__exec_work_t work;
  wmiemu__exec_t *e;
  int remaining;
  int ran;
} chain_t;

static void chain_step(wmiemu__exec_work_t *w) {
  chain_t *c = container_of(w, chain_t, work);
  c->ran++;
  if (--c->remaining > 0)
    assert_int_equal(wmiemu__exec_post(c->e, &c->work), 0);
}

static void test_repost_from_callback(void **state) {
  (void)state;
  wmiemu__exec_t *e;
  assert_int_equal(wmiemu__exec_new_uv(&e), 0);
  chain_t c = { { NULL, chain_step }, e, 1000, 0 };
  assert_int_equal(wmiemu__exec_post(e, &c.work), 0);
  assert_int_equal(wmiemu__exec_run_until_idle(e), 0);
  assert_int_equal(c.ran, 1000);
  wmiemu__exec_destroy(e);
}

/* ---- many producers ---- */

typedef struct {
  wmiemu__exec_work_t work;
  uint32_t producer;
  uint32_t seq;
} mp_item_t;

typedef struct {
  wmiemu__exec_t *e;
  uint32_t id;
  mp_item_t *items;
  pthread_barrier_t *start;
} producer_t;

static uint32_t next_seq[PRODUCERS];
static long received;
static int order_ok = 1;

static void mp_receive(wmiemu__exec_work_t *w) {
  mp_item_t *it = container_of(w, mp_item_t, work);
  if (it->seq != next_seq[it->producer])
    order_ok = 0;
  next_seq[it->producer] = it->seq + 1;
  received++;
}

static void *produce(void *arg) {
  producer_t *p = arg;
  pthread_barrier_wait(p->start);
  for (uint32_t i = 0; i < POSTS_PER_PRODUCER; i++) {
    p->items[i].work.cb = mp_receive;
    p->items[i].producer = p->id;
    p->items[i].seq = i;
    if (wmiemu__exec_post(p->e, &p->items[i].work) != 0)
      abort();
  }
  return NULL;
}

static int all_received(void *ctx) {
  (void)ctx;
  return received == (long)PRODUCERS * POSTS_PER_PRODUCER;
}

static void test_many_producers_no_loss(void **state) {
  (void)state;
  wmiemu__exec_t *e;
  assert_int_equal(wmiemu__exec_new_uv(&e), 0);
  pthread_t th[PRODUCERS];
  producer_t pr[PRODUCERS];
  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, PRODUCERS);
  received = 0;
  order_ok = 1;
  for (int i = 0; i < PRODUCERS; i++) {
    next_seq[i] = 0;
    pr[i] = (producer_t){ e, (uint32_t)i, calloc(POSTS_PER_PRODUCER, sizeof(mp_item_t)), &start };
    assert_non_null(pr[i].items);
    assert_int_equal(pthread_create(&th[i], NULL, produce, &pr[i]), 0);
  }
  /* Generous bound only so a lost wake-up fails instead of hanging. */
  int rc = wmiemu__exec_run_until(e, all_received, NULL, 60000);
  for (int i = 0; i < PRODUCERS; i++)
    pthread_join(th[i], NULL);
  assert_int_equal(rc, 0);
  /* Nothing extra arrives later either. */
  assert_int_equal(wmiemu__exec_run_until_idle(e), 0);
  assert_int_equal(received, (long)PRODUCERS * POSTS_PER_PRODUCER);
  assert_true(order_ok);
  for (int i = 0; i < PRODUCERS; i++) {
    assert_int_equal(next_seq[i], POSTS_PER_PRODUCER);
    free(pr[i].items);
  }
  pthread_barrier_destroy(&start);
  wmiemu__exec_destroy(e);
}

/* ---- wake-ups around the loop's sleep ---- */

/* One item at a time, each posted only after the last was handled, after
 * a pause from none to well past the loop's spin: the post lands before,
 * during and after the loop clears loop_awake. A lost wake-up stalls the
 * exchange and the run times out. */
enum { PING_PONGS = 600 };

static long pongs;         /* atomic */

static void on_ping(wmiemu__exec_work_t *w) {
  (void)w;
  __atomic_add_fetch(&pongs, 1, __ATOMIC_RELEASE);
}

static void *ping(void *arg) {
  wmiemu__exec_t *e = arg;
  static wmiemu__exec_work_t items[PING_PONGS];
  unsigned seed = 12345;
  for (long i = 0; i < PING_PONGS; i++) {
    struct timespec pause = { 0, 0 };
    seed = seed * 1103515245u + 12345u;
    pause.tv_nsec = (long)(seed >> 8) % 120000;   /* 0-120 us: around the 50 us spin */
    if (pause.tv_nsec > 1000)
      nanosleep(&pause, NULL);
    items[i].cb = on_ping;
    assert_int_equal(wmiemu__exec_post(e, &items[i]), 0);
    while (__atomic_load_n(&pongs, __ATOMIC_ACQUIRE) <= i)
      sched_yield();
  }
  return NULL;
}

static int all_ponged(void *ctx) {
  (void)ctx;
  return __atomic_load_n(&pongs, __ATOMIC_ACQUIRE) == PING_PONGS;
}

static void test_no_lost_wakeup_at_sleep(void **state) {
  (void)state;
  wmiemu__exec_t *e;
  pthread_t th;
  assert_int_equal(wmiemu__exec_new_uv(&e), 0);
  pongs = 0;
  assert_int_equal(pthread_create(&th, NULL, ping, e), 0);
  assert_int_equal(wmiemu__exec_run_until(e, all_ponged, NULL, 60000), 0);
  pthread_join(th, NULL);
  assert_int_equal(pongs, PING_PONGS);
  wmiemu__exec_destroy(e);
}

static int32_t add_one(void *arg);

/* A loop that always has work still runs its timers and thread-pool
 * completions: the stream stops only once both happened. */
typedef struct {
  wmiemu__exec_t *exec;
  int timer_fired;         /* atomic */
  int call_done;           /* atomic */
  long posted;
} stream_t;

static stream_t stream;

static void on_stream_item(wmiemu__exec_work_t *w) { free(w); }

static void *post_until_both(void *arg) {
  stream_t *st = arg;
  while (!__atomic_load_n(&st->timer_fired, __ATOMIC_ACQUIRE) ||
         !__atomic_load_n(&st->call_done, __ATOMIC_ACQUIRE)) {
    wmiemu__exec_work_t *w = calloc(1, sizeof(*w));
    assert_non_null(w);
    w->cb = on_stream_item;
    assert_int_equal(wmiemu__exec_post(st->exec, w), 0);
    __atomic_add_fetch(&st->posted, 1, __ATOMIC_RELAXED);
  }
  return NULL;
}

static void on_stream_timer(wmiemu__exec_timer_t *t) {
  (void)t;
  __atomic_store_n(&stream.timer_fired, 1, __ATOMIC_RELEASE);
}

static void on_stream_call_done(wmiemu__exec_work_t *w) {
  (void)w;
  __atomic_store_n(&stream.call_done, 1, __ATOMIC_RELEASE);
}

static int stream_over(void *ctx) {
  (void)ctx;
  return __atomic_load_n(&stream.timer_fired, __ATOMIC_ACQUIRE) &&
         __atomic_load_n(&stream.call_done, __ATOMIC_ACQUIRE);
}

static void test_timers_and_calls_run_under_a_stream(void **state) {
  (void)state;
  pthread_t th;
  wmiemu__exec_timer_t timer;
  int v = 0;
  wmiemu__exec_call_t call = { .fn = add_one, .arg = &v, .name = "Test" };
  memset(&stream, 0, sizeof(stream));
  assert_int_equal(wmiemu__exec_new_uv(&stream.exec), 0);
  assert_int_equal(wmiemu__exec_timer_init(stream.exec, &timer, on_stream_timer), 0);
  assert_int_equal(pthread_create(&th, NULL, post_until_both, &stream), 0);
  /* Let the stream start, so the loop is busy when both are due. */
  while (!__atomic_load_n(&stream.posted, __ATOMIC_RELAXED))
    sched_yield();
  assert_int_equal(wmiemu__exec_timer_start(&timer, 5, 0), 0);
  assert_int_equal(wmiemu__exec_call_async(stream.exec, &call, on_stream_call_done), 0);
  assert_int_equal(wmiemu__exec_run_until(stream.exec, stream_over, NULL, 60000), 0);
  pthread_join(th, NULL);
  assert_int_equal(wmiemu__exec_run_until_idle(stream.exec), 0);   /* the last posts */
  assert_int_equal(v, 1);
  assert_true(__atomic_load_n(&stream.posted, __ATOMIC_RELAXED) > 0);
  wmiemu__exec_timer_close(&timer);
  wmiemu__exec_destroy(stream.exec);
}

/* ---- timers ---- */

typedef struct {
  wmiemu__exec_timer_t timer;
  int fired;
  int stop_after;
  uint64_t first_fire;
} tick_t;

static void on_tick(wmiemu__exec_timer_t *t) {
  tick_t *k = container_of(t, tick_t, timer);
  if (k->fired++ == 0)
    k->first_fire = wmiemu__exec_now(t->exec);
  if (k->stop_after && k->fired == k->stop_after)
    wmiemu__exec_timer_stop(t);
}

static void test_timer_one_shot_and_repeat(void **state) {
  (void)state;
  wmiemu__exec_t *e;
  assert_int_equal(wmiemu__exec_new_uv(&e), 0);
  tick_t once = { 0 }, rep = { 0 };
  rep.stop_after = 3;
  assert_int_equal(wmiemu__exec_timer_init(e, &once.timer, on_tick), 0);
  assert_int_equal(wmiemu__exec_timer_init(e, &rep.timer, on_tick), 0);
  uint64_t t0 = wmiemu__exec_now(e);
  assert_int_equal(wmiemu__exec_timer_start(&once.timer, 5, 0), 0);
  assert_int_equal(wmiemu__exec_timer_start(&rep.timer, 1, 1), 0);
  /* Active timers keep the executor busy; it is idle once both are done. */
  assert_int_equal(wmiemu__exec_run_until_idle(e), 0);
  assert_int_equal(once.fired, 1);
  assert_int_equal(rep.fired, 3);
  assert_true(once.first_fire >= t0 + 5);
  /* Stopped timers never fire. */
  assert_int_equal(wmiemu__exec_timer_start(&once.timer, 1, 0), 0);
  assert_int_equal(wmiemu__exec_timer_stop(&once.timer), 0);
  assert_int_equal(wmiemu__exec_run_for(e, 10), 0);
  assert_int_equal(once.fired, 1);
  wmiemu__exec_timer_close(&once.timer);
  wmiemu__exec_timer_close(&rep.timer);
  wmiemu__exec_destroy(e);
}

/* A timer its owner never closed is released by destroy (ASAN checks). */
static void test_destroy_with_open_timer(void **state) {
  (void)state;
  wmiemu__exec_t *e;
  assert_int_equal(wmiemu__exec_new_uv(&e), 0);
  tick_t k = { 0 };
  assert_int_equal(wmiemu__exec_timer_init(e, &k.timer, on_tick), 0);
  assert_int_equal(wmiemu__exec_timer_start(&k.timer, 100000, 0), 0);
  wmiemu__exec_destroy(e);
  assert_int_equal(k.fired, 0);
}

/* ---- run_for / run_until ---- */

static void test_run_for_elapses(void **state) {
  (void)state;
  wmiemu__exec_t *e;
  assert_int_equal(wmiemu__exec_new_uv(&e), 0);
  uint64_t t0 = wmiemu__exec_now(e);
  assert_int_equal(wmiemu__exec_run_for(e, 20), 0);
  assert_true(wmiemu__exec_now(e) >= t0 + 19);
  wmiemu__exec_destroy(e);
}

static int never(void *ctx) { (void)ctx; return 0; }
static int counter_reached(void *ctx) { return *(int *)ctx >= 3; }

static void test_run_until(void **state) {
  (void)state;
  wmiemu__exec_t *e;
  assert_int_equal(wmiemu__exec_new_uv(&e), 0);
  assert_int_equal(wmiemu__exec_run_until(e, never, NULL, 5), WMIEMU__EXEC_ETIMEDOUT);
  int log[4], n = 0;
  item_t items[3];
  for (int i = 0; i < 3; i++) {
    items[i] = (item_t){ { NULL, record }, i, log, &n };
    wmiemu__exec_post(e, &items[i].work);
  }
  assert_int_equal(wmiemu__exec_run_until(e, counter_reached, &n, 60000), 0);
  assert_int_equal(n, 3);
  wmiemu__exec_destroy(e);
}

/* ---- holds and calls ---- */

static int32_t add_one(void *arg) { return ++*(int *)arg; }

static int done_count;
static void on_call_done(wmiemu__exec_work_t *w) {
  wmiemu__exec_call_t *c = container_of(w, wmiemu__exec_call_t, done);
  assert_int_equal(c->result, 2);
  done_count++;
}

static void test_calls(void **state) {
  (void)state;
  wmiemu__exec_t *e;
  assert_int_equal(wmiemu__exec_new_uv(&e), 0);
  int v = 0;
  wmiemu__exec_call_t call = { .fn = add_one, .arg = &v, .name = "Test" };
  assert_int_equal(wmiemu__exec_call(e, &call), 0);
  assert_int_equal(call.result, 1);
  done_count = 0;
  assert_int_equal(wmiemu__exec_call_async(e, &call, on_call_done), 0);
  /* The outstanding call keeps run_until_idle running until done ran. */
  assert_int_equal(wmiemu__exec_run_until_idle(e), 0);
  assert_int_equal(done_count, 1);
  assert_int_equal(v, 2);
  wmiemu__exec_destroy(e);
}

static void *unhold_later(void *arg) {
  wmiemu__exec_unhold(arg);
  return NULL;
}

static void test_hold_blocks_idle(void **state) {
  (void)state;
  wmiemu__exec_t *e;
  assert_int_equal(wmiemu__exec_new_uv(&e), 0);
  wmiemu__exec_hold(e);
  pthread_t th;
  assert_int_equal(pthread_create(&th, NULL, unhold_later, e), 0);
  assert_int_equal(wmiemu__exec_run_until_idle(e), 0);
  pthread_join(th, NULL);
  wmiemu__exec_destroy(e);
}

/* ---- stop ---- */

static void *stop_from_thread(void *arg) {
  wmiemu__exec_stop(arg);
  return NULL;
}

static void test_stop_from_other_thread(void **state) {
  (void)state;
  wmiemu__exec_t *e;
  assert_int_equal(wmiemu__exec_new_uv(&e), 0);
  pthread_t th;
  assert_int_equal(pthread_create(&th, NULL, stop_from_thread, e), 0);
  /* Without the stop this would wait for a minute. */
  assert_int_equal(wmiemu__exec_run_until(e, never, NULL, 60000), WMIEMU__EXEC_ESTOPPED);
  pthread_join(th, NULL);
  /* A stop with no run active applies to the next run. */
  wmiemu__exec_stop(e);
  assert_int_equal(wmiemu__exec_run_for(e, 60000), WMIEMU__EXEC_ESTOPPED);
  assert_int_equal(wmiemu__exec_run_until_idle(e), 0);
  wmiemu__exec_destroy(e);
}

/* ---- closing ---- */

static void test_post_after_destroy(void **state) {
  (void)state;
  wmiemu__exec_t *e;
  assert_int_equal(wmiemu__exec_new_uv(&e), 0);
  wmiemu__exec_retain(e);             /* a producer's reference */
  int log[2], n = 0;
  item_t queued = { { NULL, record }, 1, log, &n };
  assert_int_equal(wmiemu__exec_post(e, &queued.work), 0);
  wmiemu__exec_destroy(e);
  assert_int_equal(n, 0);             /* dropped, never run */
  item_t late = { { NULL, record }, 2, log, &n };
  assert_int_equal(wmiemu__exec_post(e, &late.work), WMIEMU__EXEC_ECLOSED);
  assert_int_equal(wmiemu__exec_run_until_idle(e), WMIEMU__EXEC_ECLOSED);
  wmiemu__exec_call_t call = { .fn = add_one, .arg = &n };
  assert_int_equal(wmiemu__exec_call(e, &call), WMIEMU__EXEC_ECLOSED);
  tick_t k = { 0 };
  assert_int_equal(wmiemu__exec_timer_init(e, &k.timer, on_tick), WMIEMU__EXEC_ECLOSED);
  wmiemu__exec_stop(e);               /* harmless */
  wmiemu__exec_destroy(e);            /* second destroy is a no-op */
  assert_int_equal(n, 0);
  wmiemu__exec_release(e);            /* frees */
}

/* ---- argument checks ---- */

static void test_null_arguments(void **state) {
  (void)state;
  assert_int_equal(wmiemu__exec_new_uv(NULL), WMIEMU__EXEC_EINVAL);
  wmiemu__exec_t *e;
  assert_int_equal(wmiemu__exec_new_uv(&e), 0);
  wmiemu__exec_work_t no_cb = { NULL, NULL };
  assert_int_equal(wmiemu__exec_post(NULL, &no_cb), WMIEMU__EXEC_EINVAL);
  assert_int_equal(wmiemu__exec_post(e, NULL), WMIEMU__EXEC_EINVAL);
  assert_int_equal(wmiemu__exec_post(e, &no_cb), WMIEMU__EXEC_EINVAL);
  assert_int_equal(wmiemu__exec_timer_init(NULL, NULL, NULL), WMIEMU__EXEC_EINVAL);
  wmiemu__exec_timer_t t;
  assert_int_equal(wmiemu__exec_timer_init(e, &t, NULL), WMIEMU__EXEC_EINVAL);
  assert_int_equal(wmiemu__exec_timer_start(NULL, 1, 0), WMIEMU__EXEC_EINVAL);
  assert_int_equal(wmiemu__exec_timer_stop(NULL), WMIEMU__EXEC_EINVAL);
  wmiemu__exec_timer_close(NULL);
  assert_int_equal(wmiemu__exec_run_until_idle(NULL), WMIEMU__EXEC_EINVAL);
  assert_int_equal(wmiemu__exec_run_for(NULL, 1), WMIEMU__EXEC_EINVAL);
  assert_int_equal(wmiemu__exec_run_until(e, NULL, NULL, 1), WMIEMU__EXEC_EINVAL);
  assert_int_equal(wmiemu__exec_call(e, NULL), WMIEMU__EXEC_EINVAL);
  wmiemu__exec_call_t c = { .fn = NULL };
  assert_int_equal(wmiemu__exec_call(e, &c), WMIEMU__EXEC_EINVAL);
  c.fn = add_one;
  assert_int_equal(wmiemu__exec_call_async(e, &c, NULL), WMIEMU__EXEC_EINVAL);
  assert_int_equal(wmiemu__exec_now(NULL), 0);
  assert_false(wmiemu__exec_is_deterministic(NULL));
  wmiemu__exec_stop(NULL);
  wmiemu__exec_hold(NULL);
  wmiemu__exec_unhold(NULL);
  wmiemu__exec_retain(NULL);
  wmiemu__exec_release(NULL);
  wmiemu__exec_destroy(NULL);
  assert_string_equal(wmiemu__exec_strerror(WMIEMU__EXEC_EDEADLOCK), "deadlock: every thread is blocked");
  assert_string_equal(wmiemu__exec_strerror(12345), "unknown executor error");
  wmiemu__exec_destroy(e);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_fifo_single_thread),
    cmocka_unit_test(test_repost_from_callback),
    cmocka_unit_test(test_many_producers_no_loss),
    cmocka_unit_test(test_no_lost_wakeup_at_sleep),
    cmocka_unit_test(test_timer_one_shot_and_repeat),
    cmocka_unit_test(test_destroy_with_open_timer),
    cmocka_unit_test(test_run_for_elapses),
    cmocka_unit_test(test_run_until),
    cmocka_unit_test(test_calls),
    cmocka_unit_test(test_timers_and_calls_run_under_a_stream),
    cmocka_unit_test(test_hold_blocks_idle),
    cmocka_unit_test(test_stop_from_other_thread),
    cmocka_unit_test(test_post_after_destroy),
    cmocka_unit_test(test_null_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
