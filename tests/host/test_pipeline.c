/* The event pipeline under load: bounded queue overflow accounted exactly
 * (indicated = delivered + filtered + dropped) with __EventQueueOverflowEvent
 * raised, and many producer threads losing nothing, each in order. */
#include "host/test_provider.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#if defined(__SANITIZE_THREAD__)
#define PER_THREAD 5000          /* TSAN is ~10x slower: a reduced count */
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PER_THREAD 5000
#endif
#endif
#ifndef PER_THREAD
#define PER_THREAD 100000
#endif
#define PRODUCERS 8

static unsigned overflow_seen;
static LONG overflow_first_seq;          /* Seq of the first overflow event's Event */
static int overflow_size_ok, overflow_time_ok;

/* 2020-01-01 as 100 ns since 1601: any TIME_CREATED stamped now is later. */
#define FILETIME_2020 132223104000000000ULL

static void count_overflow(void *ctx, const wmiemu_event_t *e) {
  VARIANT v;
  (void)ctx;
  if (!overflow_seen++) {
    VariantInit(&v);
    if (SUCCEEDED(IWbemClassObject_Get(e->event, L"Event", 0, &v, NULL, NULL)) && V_VT(&v) == VT_UNKNOWN) {
      IWbemClassObject *dropped = NULL;
      VARIANT seq;
      VariantInit(&seq);
      if (SUCCEEDED(IUnknown_QueryInterface(V_UNKNOWN(&v), &IID_IWbemClassObject, (void **)&dropped))) {
        if (SUCCEEDED(IWbemClassObject_Get(dropped, L"Seq", 0, &seq, NULL, NULL)) && V_VT(&seq) == VT_I4)
          overflow_first_seq = V_I4(&seq);
        IWbemClassObject_Release(dropped);
      }
    }
    VariantClear(&v);
    overflow_size_ok = fixture_get_u64(e->event, L"CurrentQueueSize") == 10;
    overflow_time_ok = fixture_get_u64(e->event, L"TIME_CREATED") > FILETIME_2020;
  }
}

static void test_overflow_is_counted(void **state) {
  wmiemu_host_options_t opts;
  wmiemu_host_t *host;
  test_provider_t *p;
  wmiemu_sub_id_t all = 0, odd = 0, ovf = 0;
  wmiemu_counters_t ca, co, total;
  unsigned busy = 0;
  (void)state;
  wmiemu_host_options_init(&opts);
  opts.queue_limit = 10;
  host = test_provider_host(&opts, NULL);
  overflow_seen = 0;
  overflow_first_seq = -1;
  overflow_size_ok = overflow_time_ok = 0;
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent", NULL, NULL, &all), S_OK);
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent WHERE Seq >= 5", NULL, NULL, &odd), S_OK);
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM __EventQueueOverflowEvent", count_overflow, NULL, &ovf), S_OK);
  p = test_provider_current();
  /* The loop does not run meanwhile: the queue fills at 10. */
  for (int i = 0; i < 25; i++)
    if (test_provider_fire(p, test_provider_sink(p), i, 0, NULL) == (HRESULT)WBEM_E_SERVER_TOO_BUSY)
      busy++;
  assert_int_equal(busy, 15);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_hr(wmiemu_host_counters(host, all, &ca), S_OK);
  assert_hr(wmiemu_host_counters(host, odd, &co), S_OK);
  assert_int_equal(ca.indicated, 25);
  assert_int_equal(ca.delivered, 10);
  assert_int_equal(ca.dropped, 15);
  assert_int_equal(ca.dropped_by[WMIEMU_DROP_QUEUE_OVERFLOW], 15);
  assert_int_equal(co.indicated, 25);
  assert_int_equal(co.delivered, 5);                 /* Seq 5..9 made it */
  assert_int_equal(co.filtered, 5);
  assert_int_equal(co.dropped, 15);
  fixture_assert_balanced(host, all);
  fixture_assert_balanced(host, odd);
  fixture_assert_balanced(host, ovf);
  fixture_assert_balanced(host, 0);
  assert_true(wmiemu_host_overflow_events(host) >= 1);
  assert_int_equal(overflow_seen, wmiemu_host_overflow_events(host));
  /* Its documented properties: the first refused event, the queue size, a time. */
  assert_int_equal(overflow_first_seq, 10);
  assert_true(overflow_size_ok);
  assert_true(overflow_time_ok);
  assert_hr(wmiemu_host_counters(host, 0, &total), S_OK);
  assert_int_equal(total.indicated, ca.indicated + co.indicated + overflow_seen);
  /* After the queue drained, events flow again. */
  assert_hr(test_provider_fire(p, test_provider_sink(p), 100, 0, NULL), S_OK);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_hr(wmiemu_host_counters(host, all, &ca), S_OK);
  assert_int_equal(ca.delivered, 11);
  wmiemu_host_free(host);
}

typedef struct {
  test_provider_t *provider;
  IWbemObjectSink *sink;
  LONG thread;
  LONG events;
  unsigned busy;
} producer_t;

static void *produce(void *arg) {
  producer_t *pr = arg;
  for (LONG i = 1; i <= pr->events; i++) {
    HRESULT hr;
    /* A bounded queue pushes back with SERVER_TOO_BUSY: refire. */
    while ((hr = test_provider_fire(pr->provider, pr->sink, i, pr->thread, NULL)) == (HRESULT)WBEM_E_SERVER_TOO_BUSY)
      pr->busy++;
    if (FAILED(hr))
      break;
  }
  return NULL;
}

/* n threads firing per_thread events each through the current provider. */
static void start_producers(pthread_t *threads, producer_t *producers, int n, LONG per_thread) {
  for (int t = 0; t < n; t++) {
    producers[t].provider = test_provider_current();
    producers[t].sink = test_provider_sink(test_provider_current());
    producers[t].thread = t;
    producers[t].events = per_thread;
    producers[t].busy = 0;
    assert_int_equal(pthread_create(&threads[t], NULL, produce, &producers[t]), 0);
  }
}

typedef struct {
  LONG last[PRODUCERS];
  unsigned events;
  int out_of_order;
} order_t;

static void check_order(void *ctx, const wmiemu_event_t *e) {
  order_t *o = ctx;
  VARIANT seq, thread;
  VariantInit(&seq);
  VariantInit(&thread);
  IWbemClassObject_Get(e->event, L"Seq", 0, &seq, NULL, NULL);
  IWbemClassObject_Get(e->event, L"Thread", 0, &thread, NULL, NULL);
  if (V_I4(&thread) >= 0 && V_I4(&thread) < PRODUCERS) {
    if (V_I4(&seq) != o->last[V_I4(&thread)] + 1)
      o->out_of_order = 1;
    o->last[V_I4(&thread)] = V_I4(&seq);
  }
  o->events++;
}

static void many_producers(size_t queue_limit, LONG per_thread) {
  wmiemu_host_options_t opts;
  wmiemu_host_t *host;
  pthread_t threads[PRODUCERS];
  producer_t producers[PRODUCERS];
  order_t order;
  wmiemu_sub_id_t id = 0;
  wmiemu_counters_t c;
  memset(&order, 0, sizeof(order));
  wmiemu_host_options_init(&opts);
  opts.queue_limit = queue_limit;
  host = test_provider_host(&opts, NULL);
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent", check_order, &order, &id), S_OK);
  start_producers(threads, producers, PRODUCERS, per_thread);
  assert_hr(wmiemu_host_run_until_events(host, (uint64_t)PRODUCERS * per_thread, 120000), S_OK);
  for (int t = 0; t < PRODUCERS; t++)
    pthread_join(threads[t], NULL);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(order.events, (unsigned)PRODUCERS * per_thread);
  assert_false(order.out_of_order);
  for (int t = 0; t < PRODUCERS; t++)
    assert_int_equal(order.last[t], per_thread);
  assert_hr(wmiemu_host_counters(host, id, &c), S_OK);
  /* Refired events were dropped once each, and counted. */
  {
    uint64_t busy = 0;
    for (int t = 0; t < PRODUCERS; t++)
      busy += producers[t].busy;
    assert_int_equal(c.dropped_by[WMIEMU_DROP_QUEUE_OVERFLOW], busy);
    assert_int_equal(c.delivered, (uint64_t)PRODUCERS * per_thread);
  }
  fixture_assert_balanced(host, id);
  wmiemu_host_free(host);
}

static void test_many_producers_lose_nothing(void **state) {
  (void)state;
  many_producers(200000, PER_THREAD);
}

/* A queue so small that producers are pushed back all the time: the
 * loop's lagging count of what it took off never leaves them refused. */
static void test_small_queue_never_stalls(void **state) {
  (void)state;
  many_producers(64, PER_THREAD / 50);
}

typedef struct {
  unsigned n;
  uint64_t time_created[2];
} stamps_t;

static void record_stamp(void *ctx, const wmiemu_event_t *e) {
  stamps_t *st = ctx;
  if (st->n < 2)
    st->time_created[st->n] = fixture_get_u64(e->event, L"TIME_CREATED");
  st->n++;
}

/* Events without TIME_CREATED get one at Indicate (a copy: the caller's
 * object stays as it was); one the provider set is kept. */
static void test_time_created_stamped(void **state) {
  wmiemu_host_t *host;
  test_provider_t *p;
  IWbemClassObject *cls = NULL, *ev = NULL;
  wmiemu_sub_id_t id = 0;
  stamps_t st;
  VARIANT v;
  (void)state;
  memset(&st, 0, sizeof(st));
  host = test_provider_host(NULL, NULL);
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent", record_stamp, &st, &id), S_OK);
  p = test_provider_current();
  assert_hr(wmiemu_repo_get_class(wmiemu_host_repo(host), L"root\\cimv2", L"TestEvent", &cls), S_OK);
  assert_hr(IWbemClassObject_SpawnInstance(cls, 0, &ev), S_OK);
  assert_hr(IWbemObjectSink_Indicate(test_provider_sink(p), 1, &ev), S_OK);
  VariantInit(&v);
  assert_hr(IWbemClassObject_Get(ev, L"TIME_CREATED", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(V_VT(&v), VT_NULL);                  /* the caller's object is untouched */
  V_VT(&v) = VT_BSTR;
  V_BSTR(&v) = SysAllocString(L"4242");
  assert_hr(IWbemClassObject_Put(ev, L"TIME_CREATED", 0, &v, 0), S_OK);
  VariantClear(&v);
  assert_hr(IWbemObjectSink_Indicate(test_provider_sink(p), 1, &ev), S_OK);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(st.n, 2);
  assert_true(st.time_created[0] > FILETIME_2020);
  assert_int_equal(st.time_created[1], 4242);
  IWbemClassObject_Release(ev);
  IWbemClassObject_Release(cls);
  wmiemu_host_free(host);
}

/* Producers filter for the loop only once it is behind (32 events queued);
 * both ways give the same counts, restricted sinks included. */
static void run_filter_pattern(int behind, wmiemu_counters_t *even, wmiemu_counters_t *tagged) {
  wmiemu_host_t *host;
  test_provider_t *p;
  IWbemEventSink *sink = NULL, *restricted = NULL;
  LPCWSTR queries[] = { L"SELECT * FROM TestEvent WHERE Seq < 150" };
  wmiemu_sub_id_t id_even = 0, id_tagged = 0;
  host = test_provider_host(NULL, NULL);
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent WHERE Thread = 0 AND Seq >= 20",
                                  NULL, NULL, &id_even), S_OK);
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent WHERE Tag LIKE \"x%\"",
                                  NULL, NULL, &id_tagged), S_OK);
  p = test_provider_current();
  assert_hr(IWbemObjectSink_QueryInterface(test_provider_sink(p), &IID_IWbemEventSink, (void **)&sink), S_OK);
  assert_hr(IWbemEventSink_GetRestrictedSink(sink, 1, queries, NULL, &restricted), S_OK);
  for (LONG i = 0; i < 200; i++) {
    IWbemObjectSink *through = i % 3 ? (IWbemObjectSink *)sink : (IWbemObjectSink *)restricted;
    assert_hr(test_provider_fire(p, through, i, i % 2, i % 4 ? L"xy" : L"yx"), S_OK);
    if (!behind)
      assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  }
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_hr(wmiemu_host_counters(host, id_even, even), S_OK);
  assert_hr(wmiemu_host_counters(host, id_tagged, tagged), S_OK);
  fixture_assert_balanced(host, id_even);
  fixture_assert_balanced(host, id_tagged);
  IWbemEventSink_Release(restricted);
  IWbemEventSink_Release(sink);
  wmiemu_host_free(host);
}

static void test_filtering_same_behind_or_not(void **state) {
  wmiemu_counters_t even_now, tagged_now, even_later, tagged_later;
  (void)state;
  run_filter_pattern(0, &even_now, &tagged_now);
  run_filter_pattern(1, &even_later, &tagged_later);
  /* Thread 0 is even i; Seq >= 20; restricted (i % 3 == 0) ones need i < 150. */
  {
    uint64_t even = 0, tagged = 0;
    for (LONG i = 0; i < 200; i++) {
      int admitted = i % 3 || i < 150;
      even += admitted && i % 2 == 0 && i >= 20;
      tagged += admitted && i % 4 != 0;
    }
    assert_int_equal(even_now.delivered, even);
    assert_int_equal(tagged_now.delivered, tagged);
  }
  assert_int_equal(even_now.indicated, 200);
  assert_int_equal(even_later.indicated, 200);
  assert_int_equal(even_later.delivered, even_now.delivered);
  assert_int_equal(even_later.filtered, even_now.filtered);
  assert_int_equal(tagged_later.delivered, tagged_now.delivered);
  assert_int_equal(tagged_later.filtered, tagged_now.filtered);
}

/* Delivered copies go back to the indicating thread, which frees them on
 * its next Indicate; a consumer's own reference keeps its event alive
 * through that, and a thread that has gone leaves nothing behind. */
typedef struct {
  IWbemClassObject *kept[64];
  unsigned n;
} keeper_t;

static void keep_some(void *ctx, const wmiemu_event_t *e) {
  keeper_t *k = ctx;
  VARIANT seq;
  VariantInit(&seq);
  IWbemClassObject_Get(e->event, L"Seq", 0, &seq, NULL, NULL);
  if (V_I4(&seq) % 100 == 0 && k->n < 64) {
    IWbemClassObject_AddRef(e->event);
    k->kept[k->n++] = e->event;
  }
}

static void *produce_then_exit(void *arg) {
  producer_t *pr = arg;
  for (LONG i = 1; i <= 5000; i++)
    while (test_provider_fire(pr->provider, pr->sink, i, pr->thread, L"gone") == (HRESULT)WBEM_E_SERVER_TOO_BUSY)
      pr->busy++;
  return NULL;
}

static void test_kept_events_outlive_recycling(void **state) {
  wmiemu_host_t *host;
  keeper_t k;
  producer_t pr;
  pthread_t thread;
  wmiemu_sub_id_t id = 0;
  wmiemu_counters_t c;
  (void)state;
  memset(&k, 0, sizeof(k));
  host = test_provider_host(NULL, NULL);
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent", keep_some, &k, &id), S_OK);
  pr.provider = test_provider_current();
  pr.sink = test_provider_sink(pr.provider);
  pr.thread = 3;
  pr.events = 5000;
  pr.busy = 0;
  assert_int_equal(pthread_create(&thread, NULL, produce_then_exit, &pr), 0);
  assert_hr(wmiemu_host_run_until_events(host, 5000, 60000), S_OK);
  pthread_join(thread, NULL);
  /* The main thread indicates too: its own copies come back to it. */
  for (LONG i = 5001; i <= 5100; i++) {
    assert_hr(test_provider_fire(pr.provider, pr.sink, i, 4, L"main"), S_OK);
    assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  }
  assert_hr(wmiemu_host_counters(host, id, &c), S_OK);
  assert_int_equal(c.delivered, 5100);
  assert_int_equal(k.n, 51);
  for (unsigned i = 0; i < k.n; i++) {
    VARIANT seq, tag;
    VariantInit(&seq);
    VariantInit(&tag);
    assert_hr(IWbemClassObject_Get(k.kept[i], L"Seq", 0, &seq, NULL, NULL), S_OK);
    assert_hr(IWbemClassObject_Get(k.kept[i], L"Tag", 0, &tag, NULL, NULL), S_OK);
    assert_int_equal(V_I4(&seq), (LONG)(i + 1) * 100);
    assert_int_equal(wmiemu_wcscmp(V_BSTR(&tag), i < 50 ? L"gone" : L"main"), 0);
    VariantClear(&tag);
  }
  wmiemu_host_free(host);
  /* After the host: the events are the consumer's, whole. */
  for (unsigned i = 0; i < k.n; i++) {
    VARIANT seq;
    VariantInit(&seq);
    assert_hr(IWbemClassObject_Get(k.kept[i], L"Seq", 0, &seq, NULL, NULL), S_OK);
    assert_int_equal(V_I4(&seq), (LONG)(i + 1) * 100);
    IWbemClassObject_Release(k.kept[i]);
  }
}

/* Subscriptions come and go while several threads indicate, and filter
 * for the loop once it is behind (they read the subscription list without
 * a lock): every subscription's counts still balance, and the one that
 * stays to the end sees every event. */
static void test_subscriptions_change_under_load(void **state) {
  enum { THREADS = 3 };
  wmiemu_host_options_t opts;
  wmiemu_host_t *host;
  pthread_t threads[THREADS];
  producer_t producers[THREADS];
  wmiemu_sub_id_t all = 0, ids[24];
  wmiemu_counters_t c;
  LONG per_thread = PER_THREAD / 10;
  unsigned n_ids = 0;
  (void)state;
  wmiemu_host_options_init(&opts);
  opts.queue_limit = 4096;
  host = test_provider_host(&opts, NULL);
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent", NULL, NULL, &all), S_OK);
  start_producers(threads, producers, THREADS, per_thread);
  while (n_ids < 24) {
    assert_hr(wmiemu_host_subscribe(host, NULL, n_ids % 2 ? "SELECT * FROM TestEvent WHERE Seq > 10"
                                                     : "SELECT * FROM TestEvent WHERE Thread = 1",
                                    NULL, NULL, &ids[n_ids]), S_OK);
    n_ids++;
    assert_hr(wmiemu_host_run_for(host, 1), S_OK);
    if (n_ids % 3 == 0)
      assert_hr(wmiemu_host_unsubscribe(host, ids[n_ids - 2]), S_OK);
  }
  /* Drain until every event reached `all` before joining: a producer
   * answered WBEM_E_SERVER_TOO_BUSY by a full queue retries until the loop
   * makes room, so joining first could wait for ever on a slow machine. */
  for (int i = 0; i < 10000; i++) {
    assert_hr(wmiemu_host_counters(host, all, &c), S_OK);
    if (c.delivered == (uint64_t)THREADS * per_thread)
      break;
    assert_hr(wmiemu_host_run_for(host, 10), S_OK);
  }
  for (int t = 0; t < THREADS; t++)
    pthread_join(threads[t], NULL);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_hr(wmiemu_host_counters(host, all, &c), S_OK);
  assert_int_equal(c.delivered, (uint64_t)THREADS * per_thread);
  fixture_assert_balanced(host, all);
  for (unsigned i = 0; i < n_ids; i++)
    fixture_assert_balanced(host, ids[i]);
  wmiemu_host_free(host);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_overflow_is_counted),
    cmocka_unit_test(test_many_producers_lose_nothing),
    cmocka_unit_test(test_small_queue_never_stalls),
    cmocka_unit_test(test_subscriptions_change_under_load),
    cmocka_unit_test(test_time_created_stamped),
    cmocka_unit_test(test_filtering_same_behind_or_not),
    cmocka_unit_test(test_kept_events_outlive_recycling),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
