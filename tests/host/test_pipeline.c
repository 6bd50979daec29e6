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

/* uint64 properties come as decimal BSTRs. */
static uint64_t get_u64(IWbemClassObject *obj, const WCHAR *name) {
  VARIANT v;
  uint64_t n = 0;
  VariantInit(&v);
  if (SUCCEEDED(IWbemClassObject_Get(obj, name, 0, &v, NULL, NULL))) {
    if (V_VT(&v) == VT_BSTR)
      for (const WCHAR *c = V_BSTR(&v); *c >= '0' && *c <= '9'; c++)
        n = n * 10 + (uint64_t)(*c - '0');
    else if (V_VT(&v) == VT_I4)
      n = (uint32_t)V_I4(&v);
  }
  VariantClear(&v);
  return n;
}

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
    overflow_size_ok = get_u64(e->event, L"CurrentQueueSize") == 10;
    overflow_time_ok = get_u64(e->event, L"TIME_CREATED") > FILETIME_2020;
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
  assert_hr(wmiemu_subscribe(host, NULL, "SELECT * FROM TestEvent", NULL, NULL, &all), S_OK);
  assert_hr(wmiemu_subscribe(host, NULL, "SELECT * FROM TestEvent WHERE Seq >= 5", NULL, NULL, &odd), S_OK);
  assert_hr(wmiemu_subscribe(host, NULL, "SELECT * FROM __EventQueueOverflowEvent", count_overflow, NULL, &ovf), S_OK);
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
  unsigned busy;
} producer_t;

static void *produce(void *arg) {
  producer_t *pr = arg;
  for (LONG i = 1; i <= PER_THREAD; i++) {
    HRESULT hr;
    /* A bounded queue pushes back with SERVER_TOO_BUSY: refire. */
    while ((hr = test_provider_fire(pr->provider, pr->sink, i, pr->thread, NULL)) == (HRESULT)WBEM_E_SERVER_TOO_BUSY)
      pr->busy++;
    if (FAILED(hr))
      break;
  }
  return NULL;
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

static void test_many_producers_lose_nothing(void **state) {
  wmiemu_host_options_t opts;
  wmiemu_host_t *host;
  pthread_t threads[PRODUCERS];
  producer_t producers[PRODUCERS];
  order_t order;
  wmiemu_sub_id_t id = 0;
  wmiemu_counters_t c;
  (void)state;
  memset(&order, 0, sizeof(order));
  wmiemu_host_options_init(&opts);
  opts.queue_limit = 200000;
  host = test_provider_host(&opts, NULL);
  assert_hr(wmiemu_subscribe(host, NULL, "SELECT * FROM TestEvent", check_order, &order, &id), S_OK);
  for (int t = 0; t < PRODUCERS; t++) {
    producers[t].provider = test_provider_current();
    producers[t].sink = test_provider_sink(test_provider_current());
    producers[t].thread = t;
    producers[t].busy = 0;
    assert_int_equal(pthread_create(&threads[t], NULL, produce, &producers[t]), 0);
  }
  assert_hr(wmiemu_host_run_until_events(host, (uint64_t)PRODUCERS * PER_THREAD, 120000), S_OK);
  for (int t = 0; t < PRODUCERS; t++)
    pthread_join(threads[t], NULL);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(order.events, (unsigned)PRODUCERS * PER_THREAD);
  assert_false(order.out_of_order);
  for (int t = 0; t < PRODUCERS; t++)
    assert_int_equal(order.last[t], PER_THREAD);
  assert_hr(wmiemu_host_counters(host, id, &c), S_OK);
  /* Refired events were dropped once each, and counted. */
  {
    uint64_t busy = 0;
    for (int t = 0; t < PRODUCERS; t++)
      busy += producers[t].busy;
    assert_int_equal(c.dropped_by[WMIEMU_DROP_QUEUE_OVERFLOW], busy);
    assert_int_equal(c.delivered, (uint64_t)PRODUCERS * PER_THREAD);
  }
  fixture_assert_balanced(host, id);
  wmiemu_host_free(host);
}

typedef struct {
  unsigned n;
  uint64_t time_created[2];
} stamps_t;

static void record_stamp(void *ctx, const wmiemu_event_t *e) {
  stamps_t *st = ctx;
  if (st->n < 2)
    st->time_created[st->n] = get_u64(e->event, L"TIME_CREATED");
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
  assert_hr(wmiemu_subscribe(host, NULL, "SELECT * FROM TestEvent", record_stamp, &st, &id), S_OK);
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

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_overflow_is_counted),
    cmocka_unit_test(test_many_producers_lose_nothing),
    cmocka_unit_test(test_time_created_stamped),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
