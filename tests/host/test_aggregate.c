/* GROUP WITHIN / BY / HAVING in the host: matching events are grouped into
 * windows closed by an executor timer, and consumers get __AggregateEvent
 * {NumberOfEvents, Representative}. The host runs on the deterministic
 * executor, so windows close on virtual time (run_for) and nothing here
 * depends on the machine's speed. Counters stay exact: an event is
 * delivered or filtered when its window closes. */
#define COBJMACROS
#define CONST_VTABLE
#include <wmiemu/explore.h>
#include <wmiemu/host.h>
#include <wbemidl.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "exec/exec.h"
#include "exec/sched.h"
#include "host/host_fixture.h"
#include "host/host_int.h"
#include "inproc_provider.h"

#define CHECK(c) do { if (!(c)) wmiemu_explore_fail(0, "%s:%d: check failed: %s", __FILE__, __LINE__, #c); } while (0)

/* ---- a provider of AggEvent ------------------------------------------------ */

static const char agg_mof[] =
  "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n"
  "class AggEvent : __ExtrinsicEvent { uint32 Seq; string Tag; };\n"
  "[ThreadingModel(\"Both\")]\n"
  "instance of __Win32Provider as $P { Name = \"AggProvider\"; CLSID = \"{4d3c2b1a-6f5e-4a7b-8c9d-0e1f2a3b4c5d}\"; };\n"
  "instance of __EventProviderRegistration { Provider = $P; EventQueryList = { \"SELECT * FROM AggEvent\" }; };\n";

static const CLSID clsid_agg = { 0x4d3c2b1a, 0x6f5e, 0x4a7b, { 0x8c, 0x9d, 0x0e, 0x1f, 0x2a, 0x3b, 0x4c, 0x5d } };

/* ---- what the consumers saw ----------------------------------------------- */

#define MAX_AGG 8

typedef struct {
  unsigned n;
  LONG count[MAX_AGG];        /* NumberOfEvents */
  LONG first_seq[MAX_AGG];    /* Representative.Seq */
  WCHAR tag[MAX_AGG][8];      /* Representative.Tag */
  int not_aggregate;          /* an event other than __AggregateEvent arrived */
  uint64_t at[MAX_AGG];       /* executor time of delivery */
  uint64_t time_created[MAX_AGG];       /* the aggregate's TIME_CREATED */
  uint64_t rep_time_created[MAX_AGG];   /* Representative.TIME_CREATED */
} seen_t;

/* On the deterministic executor TIME_CREATED follows the virtual clock,
 * counted from 1970-01-01 (in 100 ns since 1601). */
#define UNIX_EPOCH_1601 116444736000000000ULL

static wmiemu__exec_t *the_exec;

static void on_aggregate(void *ctx, const wmiemu_event_t *e) {
  seen_t *s = ctx;
  VARIANT v;
  IWbemClassObject *rep = NULL;
  VariantInit(&v);
  if (FAILED(IWbemClassObject_Get(e->event, L"__CLASS", 0, &v, NULL, NULL)) || V_VT(&v) != VT_BSTR ||
      wmiemu_wcscmp(V_BSTR(&v), L"__AggregateEvent"))
    s->not_aggregate = 1;
  VariantClear(&v);
  if (s->n == MAX_AGG)
    return;
  s->at[s->n] = wmiemu__exec_now(the_exec);
  s->time_created[s->n] = fixture_get_u64(e->event, L"TIME_CREATED");
  if (SUCCEEDED(IWbemClassObject_Get(e->event, L"NumberOfEvents", 0, &v, NULL, NULL)) && V_VT(&v) == VT_I4)
    s->count[s->n] = V_I4(&v);
  VariantClear(&v);
  if (SUCCEEDED(IWbemClassObject_Get(e->event, L"Representative", 0, &v, NULL, NULL)) &&
      V_VT(&v) == VT_UNKNOWN && V_UNKNOWN(&v) &&
      SUCCEEDED(IUnknown_QueryInterface(V_UNKNOWN(&v), &IID_IWbemClassObject, (void **)&rep))) {
    VARIANT f;
    VariantInit(&f);
    s->rep_time_created[s->n] = fixture_get_u64(rep, L"TIME_CREATED");
    if (SUCCEEDED(IWbemClassObject_Get(rep, L"Seq", 0, &f, NULL, NULL)) && V_VT(&f) == VT_I4)
      s->first_seq[s->n] = V_I4(&f);
    VariantClear(&f);
    if (SUCCEEDED(IWbemClassObject_Get(rep, L"Tag", 0, &f, NULL, NULL)) && V_VT(&f) == VT_BSTR)
      memcpy(s->tag[s->n], V_BSTR(&f), (wmiemu_wcslen(V_BSTR(&f)) < 7 ? wmiemu_wcslen(V_BSTR(&f)) + 1 : 7) * sizeof(WCHAR));
    VariantClear(&f);
    IWbemClassObject_Release(rep);
  }
  VariantClear(&v);
  s->n++;
}

/* A consumer that leaves at its first aggregate, while more windows close. */
static wmiemu_host_t *the_host;
static wmiemu_sub_id_t quitter_id;

static void on_aggregate_then_quit(void *ctx, const wmiemu_event_t *e) {
  on_aggregate(ctx, e);
  if (wmiemu_host_unsubscribe(the_host, quitter_id) != S_OK)
    ((seen_t *)ctx)->not_aggregate = 1;
}

static void fire(wmiemu_host_t *host, LONG seq, const WCHAR *tag) {
  IWbemClassObject *cls = NULL, *ev = NULL;
  VARIANT v;
  CHECK(SUCCEEDED(wmiemu_repo_get_class(wmiemu_host_repo(host), L"root\\cimv2", L"AggEvent", &cls)));
  CHECK(SUCCEEDED(IWbemClassObject_SpawnInstance(cls, 0, &ev)));
  V_VT(&v) = VT_I4;
  V_I4(&v) = seq;
  CHECK(SUCCEEDED(IWbemClassObject_Put(ev, L"Seq", 0, &v, 0)));
  V_VT(&v) = VT_BSTR;
  V_BSTR(&v) = SysAllocString(tag);
  CHECK(SUCCEEDED(IWbemClassObject_Put(ev, L"Tag", 0, &v, 0)));
  VariantClear(&v);
  CHECK(inproc_provider_sink() != NULL);
  CHECK(IWbemObjectSink_Indicate(inproc_provider_sink(), 1, &ev) == WBEM_S_NO_ERROR);
  IWbemClassObject_Release(ev);
  IWbemClassObject_Release(cls);
}

/* Results, checked by cmocka once the schedule is over. */
static struct {
  seen_t window, by, having, where, cancelled, quitter;
  wmiemu_counters_t c_window_open, c_window, c_by, c_having, c_where, c_cancelled, c_quitter, c_total;
  uint64_t t0;
  int ran;
} r;

static HRESULT host_on_exec(wmiemu__exec_t *e, wmiemu_host_t **host) {
  HRESULT hr = wmiemu__host_new_exec(NULL, e, host);
  if (SUCCEEDED(hr))
    hr = wmiemu_mof_compile_text(wmiemu_host_repo(*host), "agg.mof", agg_mof, sizeof(agg_mof) - 1, NULL, NULL);
  if (SUCCEEDED(hr))
    hr = wmiemu_host_add_factory(*host, &clsid_agg, inproc_provider_factory());
  return hr;
}

static void scenario(void *ctx) {
  wmiemu__exec_t *e = NULL;
  wmiemu_host_t *host = NULL;
  wmiemu_sub_id_t window, by, having, where, cancelled;
  (void)ctx;
  memset(&r, 0, sizeof(r));
  CHECK(wmiemu__exec_new_det(&e, wmiemu__sched_current()) == 0);
  the_exec = e;
  CHECK(SUCCEEDED(host_on_exec(e, &host)));
  CHECK(wmiemu_host_subscribe(host, NULL, "SELECT * FROM AggEvent GROUP WITHIN 10", on_aggregate,
                              &r.window, &window) == S_OK);
  CHECK(wmiemu_host_subscribe(host, NULL, "SELECT * FROM AggEvent GROUP WITHIN 10 BY Tag", on_aggregate,
                              &r.by, &by) == S_OK);
  CHECK(wmiemu_host_subscribe(host, NULL,
                              "SELECT * FROM AggEvent GROUP WITHIN 10 BY Tag HAVING NumberOfEvents > 1",
                              on_aggregate, &r.having, &having) == S_OK);
  CHECK(wmiemu_host_subscribe(host, NULL, "SELECT * FROM AggEvent WHERE Seq > 2 GROUP WITHIN 10",
                              on_aggregate, &r.where, &where) == S_OK);
  CHECK(wmiemu_host_subscribe(host, NULL, "SELECT * FROM AggEvent GROUP WITHIN 100", on_aggregate,
                              &r.cancelled, &cancelled) == S_OK);
  CHECK(wmiemu_host_subscribe(host, NULL, "SELECT * FROM AggEvent GROUP WITHIN 10 BY Tag",
                              on_aggregate_then_quit, &r.quitter, &quitter_id) == S_OK);
  the_host = host;
  r.t0 = wmiemu__exec_now(e);

  /* First window: five events at t0. */
  fire(host, 1, L"a");
  fire(host, 2, L"b");
  fire(host, 3, L"a");
  fire(host, 4, L"c");
  fire(host, 5, L"a");
  CHECK(wmiemu_host_run_for(host, 5000) == S_OK);
  wmiemu_host_counters(host, window, &r.c_window_open);   /* window still open */
  CHECK(wmiemu_host_run_for(host, 6000) == S_OK);         /* t0 + 11 s: closed */

  /* Second window: two events, then it closes too. */
  fire(host, 6, L"b");
  fire(host, 7, L"b");
  CHECK(wmiemu_host_run_for(host, 11000) == S_OK);

  /* The 100 s window is still open: cancelling discards it. */
  CHECK(wmiemu_host_unsubscribe(host, cancelled) == S_OK);
  CHECK(wmiemu_host_run_until_idle(host) == S_OK);

  wmiemu_host_counters(host, window, &r.c_window);
  wmiemu_host_counters(host, by, &r.c_by);
  wmiemu_host_counters(host, having, &r.c_having);
  wmiemu_host_counters(host, where, &r.c_where);
  wmiemu_host_counters(host, cancelled, &r.c_cancelled);
  wmiemu_host_counters(host, quitter_id, &r.c_quitter);
  wmiemu_host_counters(host, 0, &r.c_total);
  r.ran = 1;
  wmiemu_host_free(host);
  wmiemu__exec_destroy(e);
  the_exec = NULL;
}

static void assert_balanced(const wmiemu_counters_t *c) {
  assert_int_equal(c->indicated, c->delivered + c->filtered + c->dropped);
}

static void test_group_within_by_having(void **state) {
  wmiemu_explore_opts_t o;
  wmiemu_explore_result_t res;
  const WCHAR a[] = L"a", b[] = L"b", c[] = L"c";
  (void)state;
  wmiemu_explore_opts_init(&o);
  o.iterations = 3;              /* a few schedules: the outcome never varies */
  assert_int_equal(wmiemu_explore(scenario, NULL, &o, &res), WMIEMU_OUTCOME_OK);
  assert_true(r.ran);

  /* GROUP WITHIN 10: one aggregate per window, when the window ends. */
  assert_int_equal(r.c_window_open.indicated, 5);
  assert_int_equal(r.c_window_open.matched, 5);
  assert_int_equal(r.c_window_open.delivered, 0);         /* pending in the window */
  assert_int_equal(r.window.n, 2);
  assert_false(r.window.not_aggregate);
  assert_int_equal(r.window.count[0], 5);
  assert_int_equal(r.window.first_seq[0], 1);
  assert_int_equal(r.window.at[0], r.t0 + 10000);
  assert_int_equal(r.window.count[1], 2);
  assert_int_equal(r.window.first_seq[1], 6);
  /* Events are stamped on virtual time when indicated (__AggregateEvent is
   * no __Event: it has no TIME_CREATED). */
  assert_int_equal(r.window.rep_time_created[0], UNIX_EPOCH_1601 + r.t0 * 10000);
  assert_int_equal(r.window.time_created[0], 0);
  assert_int_equal(r.window.rep_time_created[1], UNIX_EPOCH_1601 + (r.t0 + 11000) * 10000);
  assert_int_equal(r.c_window.indicated, 7);
  assert_int_equal(r.c_window.delivered, 7);
  assert_balanced(&r.c_window);

  /* BY Tag: one aggregate per group, oldest group first. */
  assert_int_equal(r.by.n, 4);
  assert_int_equal(r.by.count[0], 3);
  assert_memory_equal(r.by.tag[0], a, sizeof(a));
  assert_int_equal(r.by.count[1], 1);
  assert_memory_equal(r.by.tag[1], b, sizeof(b));
  assert_int_equal(r.by.count[2], 1);
  assert_memory_equal(r.by.tag[2], c, sizeof(c));
  assert_int_equal(r.by.count[3], 2);                     /* second window: b b */
  assert_memory_equal(r.by.tag[3], b, sizeof(b));
  assert_int_equal(r.c_by.delivered, 7);
  assert_balanced(&r.c_by);

  /* HAVING NumberOfEvents > 1: single-event groups are filtered. */
  assert_int_equal(r.having.n, 2);
  assert_int_equal(r.having.count[0], 3);
  assert_memory_equal(r.having.tag[0], a, sizeof(a));
  assert_int_equal(r.having.count[1], 2);
  assert_int_equal(r.c_having.delivered, 5);
  assert_int_equal(r.c_having.filtered, 2);
  assert_balanced(&r.c_having);

  /* WHERE before GROUP: only Seq > 2 is grouped. */
  assert_int_equal(r.where.n, 2);
  assert_int_equal(r.where.count[0], 3);
  assert_int_equal(r.where.first_seq[0], 3);
  assert_int_equal(r.where.count[1], 2);
  assert_int_equal(r.c_where.matched, 5);
  assert_int_equal(r.c_where.filtered, 2);
  assert_int_equal(r.c_where.delivered, 5);
  assert_balanced(&r.c_where);

  /* Cancelled with its window open: nothing delivered, all filtered. */
  assert_int_equal(r.cancelled.n, 0);
  assert_int_equal(r.c_cancelled.indicated, 7);
  assert_int_equal(r.c_cancelled.filtered, 7);
  assert_balanced(&r.c_cancelled);

  /* Unsubscribed from its first aggregate (group a, 3 events) while groups
   * b and c closed too: those are not delivered, and count as filtered. */
  assert_int_equal(r.quitter.n, 1);
  assert_false(r.quitter.not_aggregate);
  assert_int_equal(r.quitter.count[0], 3);
  assert_int_equal(r.c_quitter.indicated, 5);
  assert_int_equal(r.c_quitter.delivered, 3);
  assert_int_equal(r.c_quitter.filtered, 2);
  assert_balanced(&r.c_quitter);

  assert_balanced(&r.c_total);
  assert_int_equal(r.c_total.indicated, 40);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_group_within_by_having),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
