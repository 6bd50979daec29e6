/* Executor posting cost: posts/s and post-to-run latency (p50/p99) for 1 and
 * 2 producer threads, through wmiemu's libuv executor and through a bare
 * baseline (a mutex-protected list plus uv_async_send). Usage:
 *   bench_exec [posts-per-producer]   (default 500000) */

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "exec/exec.h"

typedef struct item_s {
  wmiemu__exec_work_t work;
  struct item_s *next;        /* baseline list link */
  uint64_t posted_ns;
  int done;                   /* paced mode: set by the consumer */
} item_t;

/* Paced mode (latency): each producer waits for its item to run before
 * posting the next, so the figure is wake-up latency, not queue backlog.
 * Flood mode (throughput): producers post as fast as they can. */
static int paced;

typedef struct {
  double posts_per_s;
  double p50_us, p99_us;
} result_t;

static uint64_t *latencies;
static size_t received, expected;

static void note(item_t *it) {
  latencies[received++] = uv_hrtime() - it->posted_ns;
  __atomic_store_n(&it->done, 1, __ATOMIC_RELEASE);
}

static void wait_done(item_t *it) {
  if (!paced)
    return;
  while (!__atomic_load_n(&it->done, __ATOMIC_ACQUIRE))
    ;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static result_t summarize(uint64_t start_ns, uint64_t end_ns) {
  result_t r;
  r.posts_per_s = (double)expected / ((double)(end_ns - start_ns) / 1e9);
  qsort(latencies, expected, sizeof(uint64_t), cmp_u64);
  r.p50_us = (double)latencies[expected / 2] / 1e3;
  r.p99_us = (double)latencies[expected * 99 / 100] / 1e3;
  return r;
}

/* ---- through the executor ---- */

typedef struct {
  wmiemu__exec_t *e;
  item_t *items;
  size_t n;
} exec_producer_t;

static void exec_receive(wmiemu__exec_work_t *w) {
  note((item_t *)((char *)w - offsetof(item_t, work)));
}

static void *exec_produce(void *arg) {
  exec_producer_t *p = arg;
  for (size_t i = 0; i < p->n; i++) {
    p->items[i].work.cb = exec_receive;
    p->items[i].posted_ns = uv_hrtime();
    wmiemu__exec_post(p->e, &p->items[i].work);
    wait_done(&p->items[i]);
  }
  return NULL;
}

static int all_in(void *ctx) { (void)ctx; return received == expected; }

static result_t run_exec(int producers, size_t n) {
  wmiemu__exec_t *e;
  if (wmiemu__exec_new_uv(&e) != 0)
    abort();
  pthread_t th[2];
  exec_producer_t p[2];
  received = 0;
  expected = (size_t)producers * n;
  uint64_t t0 = uv_hrtime();
  for (int i = 0; i < producers; i++) {
    p[i] = (exec_producer_t){ e, calloc(n, sizeof(item_t)), n };
    pthread_create(&th[i], NULL, exec_produce, &p[i]);
  }
  if (wmiemu__exec_run_until(e, all_in, NULL, 600000) != 0)
    abort();
  uint64_t t1 = uv_hrtime();
  for (int i = 0; i < producers; i++) {
    pthread_join(th[i], NULL);
    free(p[i].items);
  }
  wmiemu__exec_destroy(e);
  return summarize(t0, t1);
}

/* ---- baseline: mutex list + uv_async_send ---- */

static struct {
  pthread_mutex_t lock;
  item_t *head, *tail;
  uv_async_t async;
} base;

static void base_drain(uv_async_t *h) {
  for (;;) {
    pthread_mutex_lock(&base.lock);
    item_t *it = base.head;
    base.head = base.tail = NULL;
    pthread_mutex_unlock(&base.lock);
    if (!it)
      break;
    for (; it; it = it->next)
      note(it);
  }
  if (received == expected)
    uv_close((uv_handle_t *)h, NULL);
}

typedef struct {
  item_t *items;
  size_t n;
} base_producer_t;

static void *base_produce(void *arg) {
  base_producer_t *p = arg;
  for (size_t i = 0; i < p->n; i++) {
    item_t *it = &p->items[i];
    it->next = NULL;
    it->posted_ns = uv_hrtime();
    pthread_mutex_lock(&base.lock);
    if (base.tail)
      base.tail->next = it;
    else
      base.head = it;
    base.tail = it;
    pthread_mutex_unlock(&base.lock);
    uv_async_send(&base.async);
    wait_done(it);
  }
  return NULL;
}

static result_t run_base(int producers, size_t n) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  pthread_mutex_init(&base.lock, NULL);
  base.head = base.tail = NULL;
  uv_async_init(&loop, &base.async, base_drain);
  pthread_t th[2];
  base_producer_t p[2];
  received = 0;
  expected = (size_t)producers * n;
  uint64_t t0 = uv_hrtime();
  for (int i = 0; i < producers; i++) {
    p[i] = (base_producer_t){ calloc(n, sizeof(item_t)), n };
    pthread_create(&th[i], NULL, base_produce, &p[i]);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  uint64_t t1 = uv_hrtime();
  for (int i = 0; i < producers; i++) {
    pthread_join(th[i], NULL);
    free(p[i].items);
  }
  uv_loop_close(&loop);
  pthread_mutex_destroy(&base.lock);
  return summarize(t0, t1);
}

int main(int argc, char **argv) {
  size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 500000;
  size_t n_paced = n / 20;
  if (n < 100) {
    fprintf(stderr, "usage: bench_exec [posts-per-producer >= 100]\n");
    return 2;
  }
  latencies = malloc(2 * n * sizeof(uint64_t));
  if (!latencies)
    return 1;
  printf("posts/s: %zu posts per producer, flooding; latency: %zu posts per producer, "
         "each waiting for the previous to run\n", n, n_paced);
  printf("%-10s %-9s %14s %10s %10s\n", "queue", "producers", "posts/s", "p50 us", "p99 us");
  for (int producers = 1; producers <= 2; producers++) {
    paced = 0;
    result_t e = run_exec(producers, n);
    result_t b = run_base(producers, n);
    paced = 1;
    result_t el = run_exec(producers, n_paced);
    result_t bl = run_base(producers, n_paced);
    e.p50_us = el.p50_us, e.p99_us = el.p99_us;
    b.p50_us = bl.p50_us, b.p99_us = bl.p99_us;
    printf("%-10s %-9d %14.0f %10.2f %10.2f\n", "executor", producers, e.posts_per_s, e.p50_us, e.p99_us);
    printf("%-10s %-9d %14.0f %10.2f %10.2f\n", "baseline", producers, b.posts_per_s, b.p50_us, b.p99_us);
    printf("ratio executor/baseline (%d producer%s): throughput %.2fx, p50 latency %.2fx\n",
           producers, producers > 1 ? "s" : "", e.posts_per_s / b.posts_per_s,
           e.p50_us / (b.p50_us > 0 ? b.p50_us : 1e-9));
  }
  free(latencies);
  return 0;
}
