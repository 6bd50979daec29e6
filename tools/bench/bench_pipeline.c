/* The event pipeline end to end: producer threads call Indicate on the sink
 * of the in-process provider (provider/inproc); the host copies, queues,
 * filters with a three-term WHERE clause and calls the consumer on its
 * libuv loop.
 *
 * Two measurements per configuration, for the host and for a bare baseline
 * (a pointer handed through a mutex-protected queue plus uv_async_send, the
 * least any cross-thread delivery on libuv costs), with the same producers
 * and event counts:
 *   throughput  producers indicate as fast as they can (saturated, no clock
 *               reads on either side); events/s from the first Indicate to
 *               the last callback. Five runs each, host and baseline
 *               alternating so a slow spell of the machine hits both: the
 *               medians, their spread, and the median of the per-pair
 *               ratios.
 *   latency     producers indicate at a fixed total rate well under
 *               capacity, each event stamped at Indicate; p50/p99 of
 *               Indicate-to-callback, so the figure is the pipeline's delay,
 *               not queueing behind a backlog.
 * Then peak memory with 1M events queued (the loop not running).
 * Usage: bench_pipeline [events-per-throughput-run (2000000)] [paced-events (40000)] [paced-rate/s (50000)] [host: skip the baseline, for profiling] */
#define _GNU_SOURCE   /* pthread_setname_np */
#define COBJMACROS
#define CONST_VTABLE
#include <wmiemu/host.h>
#include <wbemidl.h>

#include "inproc_provider.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sched.h>
#include <uv.h>

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- latency samples ---------------------------------------------------- */

typedef struct {
  uint64_t *v;
  size_t n, cap;
} samples_t;

static void sample_add(samples_t *s, uint64_t ns) {
  if (s->n < s->cap)
    s->v[s->n++] = ns;
}

static samples_t samples_new(size_t cap) {
  samples_t s = { calloc(cap ? cap : 1, sizeof(uint64_t)), 0, cap };
  return s;
}

/* Paced producers: event i of a producer goes at start + i * period. They
 * wait yielding the processor, so that on a 2-core machine the loop thread
 * is not starved by two waiting producers (sleeping instead would measure
 * the virtual machine's idle wake-up, not the pipeline). */
static void pace(uint64_t start, uint64_t period_ns, uint64_t i) {
  uint64_t due = start + i * period_ns;
  while (now_ns() < due)
    sched_yield();
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static void percentiles(samples_t *s, double *p50_us, double *p99_us) {
  *p50_us = *p99_us = 0;
  if (!s->n)
    return;
  qsort(s->v, s->n, sizeof(s->v[0]), cmp_u64);
  *p50_us = s->v[s->n / 2] / 1000.0;
  *p99_us = s->v[(s->n * 99) / 100] / 1000.0;
}

/* ---- the provider's classes -------------------------------------------------- */

static const char bench_mof[] =
  "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n"
  "class BenchEvent : __ExtrinsicEvent { uint32 Seq; uint32 Thread; string Name; real64 Load; };\n"
  "[ThreadingModel(\"Both\")]\n"
  "instance of __Win32Provider as $P { Name = \"BenchProvider\"; CLSID = \"{9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d}\"; };\n"
  "instance of __EventProviderRegistration { Provider = $P; EventQueryList = { \"SELECT * FROM BenchEvent\" }; };\n";

static const CLSID clsid_bench = { 0x9a8b7c6d, 0x5e4f, 0x4a3b, { 0x9c, 0x2d, 0x1e, 0x0f, 0x9a, 0x8b, 0x7c, 0x6d } };

/* ---- host run --------------------------------------------------------------- */

typedef struct {
  IWbemObjectSink *sink;
  IWbemClassObject *cls;
  uint64_t events;
  LONG thread;
  uint64_t start, period_ns;   /* paced when period_ns != 0 */
} producer_t;

static void *produce(void *arg) {
  producer_t *pr = arg;
  IWbemClassObject *event = NULL;
  VARIANT v;
  IWbemClassObject_SpawnInstance(pr->cls, 0, &event);
  V_VT(&v) = VT_BSTR;
  V_BSTR(&v) = SysAllocString(L"bench");
  IWbemClassObject_Put(event, L"Name", 0, &v, 0);
  VariantClear(&v);
  V_VT(&v) = VT_R8;
  V_R8(&v) = 0.5;
  IWbemClassObject_Put(event, L"Load", 0, &v, 0);
  V_VT(&v) = VT_I4;
  V_I4(&v) = pr->thread;
  IWbemClassObject_Put(event, L"Thread", 0, &v, 0);
  for (uint64_t i = 0; i < pr->events; i++) {
    V_VT(&v) = VT_I4;
    V_I4(&v) = (LONG)i;
    IWbemClassObject_Put(event, L"Seq", 0, &v, 0);
    if (pr->period_ns)
      pace(pr->start, pr->period_ns, i);
    while (IWbemObjectSink_Indicate(pr->sink, 1, &event) == (HRESULT)WBEM_E_SERVER_TOO_BUSY)
      sched_yield();
  }
  IWbemClassObject_Release(event);
  return NULL;
}

static void *produce_thread(void *arg) {
  pthread_setname_np(pthread_self(), "producer");   /* for profiles */
  return produce(arg);
}

static void on_event(void *ctx, const wmiemu_event_t *e) {
  if (e->indicate_ns)
    sample_add(ctx, now_ns() - e->indicate_ns);
}

static wmiemu_host_t *bench_host(size_t queue_limit, int timestamps, samples_t *s, wmiemu_sub_id_t *id) {
  wmiemu_host_options_t opts;
  wmiemu_host_t *host = NULL;
  wmiemu_host_options_init(&opts);
  opts.timestamps = timestamps;
  opts.queue_limit = queue_limit;
  if (FAILED(wmiemu_host_new(&opts, &host)) ||
      FAILED(wmiemu_mof_compile_text(wmiemu_host_repo(host), "bench.mof", bench_mof, sizeof(bench_mof) - 1, NULL, NULL)) ||
      FAILED(wmiemu_host_add_factory(host, &clsid_bench, inproc_provider_factory())) ||
      FAILED(wmiemu_host_subscribe(host, NULL,
                                   "SELECT * FROM BenchEvent WHERE Seq >= 0 AND Load < 2.0 AND Name = \"bench\"",
                                   on_event, s, id))) {
    fprintf(stderr, "bench_pipeline: host setup failed: %s\n", host ? wmiemu_host_last_error(host) : "");
    exit(1);
  }
  return host;
}

/* period_ns 0: saturated run, returns events/s; else paced, fills samples. */
static double run_host(int threads, uint64_t total, uint64_t period_ns, samples_t *s) {
  producer_t pr[8];
  pthread_t t[8];
  wmiemu_sub_id_t id;
  wmiemu_counters_t c;
  uint64_t per = total / threads, start;
  wmiemu_host_t *host = bench_host(total + 1, period_ns != 0, s, &id);
  IWbemClassObject *cls = NULL;
  double rate;
  wmiemu_repo_get_class(wmiemu_host_repo(host), L"root\\cimv2", L"BenchEvent", &cls);
  start = now_ns() + 1000000;   /* paced producers start together */
  for (int i = 0; i < threads; i++) {
    pr[i].sink = inproc_provider_sink();
    pr[i].cls = cls;
    pr[i].events = per;
    pr[i].thread = i;
    pr[i].start = start + (uint64_t)i * period_ns / threads;
    pr[i].period_ns = period_ns * threads;
    pthread_create(&t[i], NULL, produce_thread, &pr[i]);
  }
  if (!period_ns)
    start = now_ns();
  wmiemu_host_run_until_events(host, per * threads, 600000);
  rate = (double)(per * threads) / ((now_ns() - start) / 1e9);
  for (int i = 0; i < threads; i++)
    pthread_join(t[i], NULL);
  wmiemu_host_counters(host, id, &c);
  if (c.delivered != per * threads || c.indicated != c.delivered + c.filtered + c.dropped)
    fprintf(stderr, "bench_pipeline: counters off: delivered %llu\n", (unsigned long long)c.delivered);
  IWbemClassObject_Release(cls);
  wmiemu_host_free(host);
  return rate;
}

/* ---- baseline: a pointer through a mutex queue + uv_async_send --------------- */

typedef struct node { struct node *next; uint64_t ns; } node_t;

static struct {
  pthread_mutex_t lock;
  node_t *head, *tail;
  uv_async_t async;
  uint64_t received, target;
  samples_t *samples;          /* paced run only */
} base;

static void base_drain(uv_async_t *a) {
  node_t *n;
  pthread_mutex_lock(&base.lock);
  n = base.head;
  base.head = base.tail = NULL;
  pthread_mutex_unlock(&base.lock);
  while (n) {
    node_t *next = n->next;
    if (base.samples)
      sample_add(base.samples, now_ns() - n->ns);
    free(n);
    n = next;
    base.received++;
  }
  if (base.received >= base.target)
    uv_close((uv_handle_t *)a, NULL);
}

typedef struct {
  uint64_t events, start, period_ns;
} base_producer_t;

/* The same work per event as a consumer callback needs at the least: a
 * heap node carrying the event, queued under a lock, the loop woken. */
static void *base_produce(void *arg) {
  base_producer_t *bp = arg;
  for (uint64_t i = 0; i < bp->events; i++) {
    node_t *n;
    if (bp->period_ns)
      pace(bp->start, bp->period_ns, i);
    n = malloc(sizeof(*n));
    n->next = NULL;
    n->ns = bp->period_ns ? now_ns() : 0;
    pthread_mutex_lock(&base.lock);
    if (base.tail)
      base.tail->next = n;
    else
      base.head = n;
    base.tail = n;
    pthread_mutex_unlock(&base.lock);
    uv_async_send(&base.async);
  }
  return NULL;
}

static double run_baseline(int threads, uint64_t total, uint64_t period_ns, samples_t *s) {
  uint64_t per = total / threads, start;
  base_producer_t bp[8];
  pthread_t t[8];
  uv_loop_t loop;
  double rate;
  uv_loop_init(&loop);
  pthread_mutex_init(&base.lock, NULL);
  base.head = base.tail = NULL;
  base.received = 0;
  base.target = per * threads;
  base.samples = s;
  uv_async_init(&loop, &base.async, base_drain);
  start = now_ns() + 1000000;
  for (int i = 0; i < threads; i++) {
    bp[i].events = per;
    bp[i].start = start + (uint64_t)i * period_ns / threads;
    bp[i].period_ns = period_ns * threads;
    pthread_create(&t[i], NULL, base_produce, &bp[i]);
  }
  if (!period_ns)
    start = now_ns();
  uv_run(&loop, UV_RUN_DEFAULT);
  rate = (double)base.target / ((now_ns() - start) / 1e9);
  for (int i = 0; i < threads; i++)
    pthread_join(t[i], NULL);
  uv_loop_close(&loop);
  pthread_mutex_destroy(&base.lock);
  return rate;
}

/* ---- measuring ---------------------------------------------------------------- */

/* Saturated runs swing with what else the machine does. Host and baseline
 * runs alternate, so a slow spell hits both, and each pair gives a ratio;
 * the medians are reported with the spread. */
#define RUNS 5

typedef struct {
  double median, min, max;
} spread_t;

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static spread_t spread(const double *v, int n) {
  double sorted[RUNS];
  spread_t s;
  memcpy(sorted, v, (size_t)n * sizeof(v[0]));
  qsort(sorted, (size_t)n, sizeof(sorted[0]), cmp_double);
  s.median = sorted[n / 2];
  s.min = sorted[0];
  s.max = sorted[n - 1];
  return s;
}

typedef double (*run_fn)(int threads, uint64_t total, uint64_t period_ns, samples_t *s);

static void paced_latency(run_fn run, int threads, uint64_t paced, uint64_t period_ns,
                          double *p50, double *p99) {
  samples_t s = samples_new(paced);
  run(threads, paced, period_ns, &s);
  percentiles(&s, p50, p99);
  free(s.v);
}

static void measure(int threads, uint64_t total, uint64_t paced, uint64_t period_ns, int host_only) {
  double host[RUNS], base[RUNS], ratio[RUNS];
  double hp50, hp99, bp50 = 0, bp99 = 0;
  spread_t h, b, r;
  for (int i = 0; i < RUNS; i++) {
    host[i] = run_host(threads, total, 0, NULL);
    base[i] = host_only ? host[i] : run_baseline(threads, total, 0, NULL);
    ratio[i] = base[i] / host[i];
  }
  paced_latency(run_host, threads, paced, period_ns, &hp50, &hp99);
  if (!host_only)
    paced_latency(run_baseline, threads, paced, period_ns, &bp50, &bp99);
  h = spread(host, RUNS);
  b = spread(base, RUNS);
  r = spread(ratio, RUNS);
  printf("producers %d: host %.2f M events/s (%.2f-%.2f; p50 %.1f us, p99 %.1f us)",
         threads, h.median / 1e6, h.min / 1e6, h.max / 1e6, hp50, hp99);
  if (!host_only)
    printf(" | baseline mutex+uv_async_send %.2f M events/s (%.2f-%.2f; p50 %.1f us, p99 %.1f us)"
           " | baseline/host %.2fx (%.2f-%.2f)",
           b.median / 1e6, b.min / 1e6, b.max / 1e6, bp50, bp99, r.median, r.min, r.max);
  printf("\n");
  fflush(stdout);
}

/* ---- memory with 1M queued events --------------------------------------------- */

static long status_kb(const char *field) {
  char line[256];
  long kb = -1;
  FILE *f = fopen("/proc/self/status", "r");
  if (!f)
    return -1;
  while (fgets(line, sizeof(line), f))
    if (!strncmp(line, field, strlen(field)))
      kb = atol(line + strlen(field) + 1);
  fclose(f);
  return kb;
}

static void run_memory(uint64_t queued) {
  producer_t pr;
  wmiemu_sub_id_t id;
  wmiemu_host_t *host = bench_host(queued + 1, 0, NULL, &id);
  IWbemClassObject *cls = NULL;
  long before, after, peak;
  wmiemu_repo_get_class(wmiemu_host_repo(host), L"root\\cimv2", L"BenchEvent", &cls);
  before = status_kb("VmRSS:");
  pr.sink = inproc_provider_sink();
  pr.cls = cls;
  pr.events = queued;
  pr.thread = 0;
  pr.start = pr.period_ns = 0;
  produce(&pr);                 /* the loop does not run: everything stays queued */
  after = status_kb("VmRSS:");
  peak = status_kb("VmHWM:");
  printf("memory: %llu events queued: RSS +%.1f MiB (%.0f bytes/event), peak RSS %.1f MiB\n",
         (unsigned long long)queued, (after - before) / 1024.0,
         (after - before) * 1024.0 / (double)queued, peak / 1024.0);
  wmiemu_host_run_until_idle(host);
  IWbemClassObject_Release(cls);
  wmiemu_host_free(host);
}

int main(int argc, char **argv) {
  uint64_t total = argc > 1 ? strtoull(argv[1], NULL, 10) : 0;
  uint64_t paced = argc > 2 ? strtoull(argv[2], NULL, 10) : 0;
  uint64_t rate = argc > 3 ? strtoull(argv[3], NULL, 10) : 0;
  int host_only = argc > 4 && !strcmp(argv[4], "host");   /* for profiling */
  uint64_t period_ns;
  if (!total)
    total = 2000000;
  if (!paced)
    paced = 40000;
  if (!rate)
    rate = 50000;
  period_ns = 1000000000u / rate;
  printf("pipeline: filter: 3-term WHERE (all match), Indicate -> consumer callback\n"
         "  throughput: %llu events, saturated; %d runs each, host and baseline alternating: "
         "median (min-max), ratio per pair\n"
         "  latency: %llu events paced at %llu events/s in total\n",
         (unsigned long long)total, RUNS, (unsigned long long)paced, (unsigned long long)rate);
  for (int threads = 1; threads <= 2; threads++)
    measure(threads, total, paced, period_ns, host_only);
  run_memory(1000000);
  return 0;
}
