/* The events WMI's core raises without a provider: __TimerEvent from timer
 * instructions, on the deterministic executor's virtual time (so a second
 * is free and the counts are exact), and the class and namespace operation
 * events from repository changes. */
#define COBJMACROS
#define CONST_VTABLE
#include <wmiemu/explore.h>
#include <wmiemu/host.h>
#include <wbemidl.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "exec/exec.h"
#include "exec/sched.h"
#include "host/host_fixture.h"
#include "host/host_int.h"

#define CHECK(c) do { if (!(c)) wmiemu_explore_fail(0, "%s:%d: check failed: %s", __FILE__, __LINE__, #c); } while (0)

static const WCHAR ns[] = L"root\\cimv2";

#define MAX_SEEN 64
typedef struct {
  unsigned n;
  WCHAR id[MAX_SEEN][16];        /* TimerId, or TargetClass/TargetNamespace's name */
  char kind[MAX_SEEN];           /* T(imer), C/D/M class, N(amespace creation) */
  unsigned firings[MAX_SEEN];
  WCHAR previous[MAX_SEEN][16];  /* PreviousClass.__CLASS */
  uint64_t at[MAX_SEEN];
  /* Deletes the instruction named by its first event (in flight). */
  int delete_on_first;
} seen_t;

static wmiemu__exec_t *the_exec;
static wmiemu_host_t *the_host;

static void get_str(IWbemClassObject *obj, const WCHAR *name, WCHAR *out, size_t size) {
  VARIANT v;
  VariantInit(&v);
  out[0] = 0;
  if (obj && SUCCEEDED(IWbemClassObject_Get(obj, name, 0, &v, NULL, NULL)) && V_VT(&v) == VT_BSTR &&
      wcslen(V_BSTR(&v)) < size)
    wcscpy(out, V_BSTR(&v));
  VariantClear(&v);
}

static void on_event(void *ctx, const wmiemu_event_t *e) {
  seen_t *s = ctx;
  WCHAR cls[64];
  VARIANT v;
  unsigned i = s->n;
  if (i >= MAX_SEEN)
    return;
  get_str(e->event, L"__CLASS", cls, 64);
  s->at[i] = the_exec ? wmiemu__exec_now(the_exec) : 0;
  if (!wcscmp(cls, L"__TimerEvent")) {
    s->kind[i] = 'T';
    get_str(e->event, L"TimerId", s->id[i], 16);
    VariantInit(&v);
    if (SUCCEEDED(IWbemClassObject_Get(e->event, L"NumFirings", 0, &v, NULL, NULL)) && V_VT(&v) == VT_I4)
      s->firings[i] = (unsigned)V_I4(&v);
    VariantClear(&v);
  } else if (!wcscmp(cls, L"__NamespaceCreationEvent") || !wcscmp(cls, L"__NamespaceDeletionEvent")) {
    IWbemClassObject *target = fixture_get_object(e->event, L"TargetNamespace");
    s->kind[i] = cls[11] == 'C' ? 'N' : 'X';
    get_str(target, L"Name", s->id[i], 16);
    if (target)
      IWbemClassObject_Release(target);
  } else {
    IWbemClassObject *target = fixture_get_object(e->event, L"TargetClass");
    IWbemClassObject *prev = fixture_get_object(e->event, L"PreviousClass");
    s->kind[i] = !wcscmp(cls, L"__ClassCreationEvent") ? 'C' : !wcscmp(cls, L"__ClassDeletionEvent") ? 'D'
               : !wcscmp(cls, L"__ClassModificationEvent") ? 'M' : '?';
    get_str(target, L"__CLASS", s->id[i], 16);
    get_str(prev, L"__CLASS", s->previous[i], 16);
    if (target)
      IWbemClassObject_Release(target);
    if (prev)
      IWbemClassObject_Release(prev);
  }
  s->n++;
  if (s->delete_on_first && i == 0 && s->kind[0] == 'T') {
    WCHAR path[64];
    swprintf(path, 64, L"__IntervalTimerInstruction.TimerId=\"%ls\"", s->id[0]);
    CHECK(wmiemu_repo_delete_instance(wmiemu_host_repo(the_host), ns, path) == S_OK);
  }
}

static void put_interval_in(wmiemu_host_t *host, const WCHAR *ns, const WCHAR *id, uint32_t ms, BOOL skip) {
  IWbemClassObject *cls = NULL, *inst = NULL;
  VARIANT v;
  CHECK(wmiemu_repo_get_class(wmiemu_host_repo(host), ns, L"__IntervalTimerInstruction", &cls) == S_OK);
  CHECK(IWbemClassObject_SpawnInstance(cls, 0, &inst) == S_OK);
  V_VT(&v) = VT_BSTR;
  V_BSTR(&v) = SysAllocString(id);
  CHECK(IWbemClassObject_Put(inst, L"TimerId", 0, &v, 0) == S_OK);
  VariantClear(&v);
  V_VT(&v) = VT_I4;
  V_I4(&v) = (LONG)ms;
  CHECK(IWbemClassObject_Put(inst, L"IntervalBetweenEvents", 0, &v, 0) == S_OK);
  V_VT(&v) = VT_BOOL;
  V_BOOL(&v) = skip ? VARIANT_TRUE : VARIANT_FALSE;
  CHECK(IWbemClassObject_Put(inst, L"SkipIfPassed", 0, &v, 0) == S_OK);
  CHECK(wmiemu_repo_put_instance(wmiemu_host_repo(host), ns, inst) == S_OK);
  IWbemClassObject_Release(inst);
  IWbemClassObject_Release(cls);
}

static void put_interval(wmiemu_host_t *host, const WCHAR *id, uint32_t ms, BOOL skip) {
  put_interval_in(host, ns, id, ms, skip);
}

/* PutInstance of __NAMESPACE { Name = name } in parent. */
static HRESULT put_namespace(wmiemu_host_t *host, const WCHAR *parent, const WCHAR *name) {
  IWbemClassObject *cls = NULL, *inst = NULL;
  VARIANT v;
  HRESULT hr;
  CHECK(wmiemu_repo_get_class(wmiemu_host_repo(host), parent, L"__NAMESPACE", &cls) == S_OK);
  CHECK(IWbemClassObject_SpawnInstance(cls, 0, &inst) == S_OK);
  V_VT(&v) = VT_BSTR;
  V_BSTR(&v) = SysAllocString(name);
  CHECK(IWbemClassObject_Put(inst, L"Name", 0, &v, 0) == S_OK);
  VariantClear(&v);
  hr = wmiemu_repo_put_instance(wmiemu_host_repo(host), parent, inst);
  IWbemClassObject_Release(inst);
  IWbemClassObject_Release(cls);
  return hr;
}

static const char timer_mof[] =
  "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n"
  "instance of __IntervalTimerInstruction { TimerId = \"T1\"; IntervalBetweenEvents = 1000; };\n"
  "instance of __IntervalTimerInstruction { TimerId = \"T2\"; IntervalBetweenEvents = 500; };\n"
  "instance of __IntervalTimerInstruction { TimerId = \"Zero\"; IntervalBetweenEvents = 0; };\n"
  "instance of __IntervalTimerInstruction { TimerId = \"Huge\"; IntervalBetweenEvents = 4294967295; };\n"
  /* virtual wall time starts at 1970-01-01: 30 s after that */
  "instance of __AbsoluteTimerInstruction { TimerId = \"At30\"; EventDateTime = \"19700101000030.000000+000\"; };\n"
  /* the same instant written an hour east of UTC */
  "instance of __AbsoluteTimerInstruction { TimerId = \"At30e\"; EventDateTime = \"19700101010030.000000+060\"; };\n"
  "instance of __AbsoluteTimerInstruction { TimerId = \"Past\"; EventDateTime = \"19691231000000.000000+000\"; };\n"
  "instance of __AbsoluteTimerInstruction { TimerId = \"PastSkip\"; SkipIfPassed = TRUE;\n"
  "  EventDateTime = \"19691231000000.000000+000\"; };\n";

static struct {
  seen_t t1, all, gone, absolute, many, lagged, in_ns;
  int ns_gone;
  wmiemu_counters_t c_t1, c_all, c_many;
  uint64_t t0, t_many;
  int ran;
} r;

static void timer_scenario(void *ctx) {
  wmiemu__exec_t *e = NULL;
  wmiemu_host_t *host = NULL;
  wmiemu_sub_id_t t1, all, gone, absolute, many, lagged;
  (void)ctx;
  memset(&r, 0, sizeof(r));
  CHECK(wmiemu__exec_new_det(&e, wmiemu__sched_current()) == 0);
  the_exec = e;
  CHECK(wmiemu__host_new_exec(NULL, e, &host) == S_OK);
  the_host = host;
  CHECK(wmiemu_mof_compile_text(wmiemu_host_repo(host), "timer.mof", timer_mof, sizeof(timer_mof) - 1,
                                NULL, NULL) == S_OK);
  CHECK(wmiemu_host_subscribe(host, NULL, "SELECT * FROM __TimerEvent WHERE TimerId = \"T1\"", on_event,
                              &r.t1, &t1) == S_OK);
  CHECK(wmiemu_host_subscribe(host, NULL, "SELECT * FROM __TimerEvent", on_event, &r.all, &all) == S_OK);
  CHECK(wmiemu_host_subscribe(host, NULL, "SELECT * FROM __TimerEvent WHERE TimerId LIKE \"At%\" OR "
                              "TimerId LIKE \"Past%\"", on_event, &r.absolute, &absolute) == S_OK);
  r.t0 = wmiemu__exec_now(e);

  /* Ten virtual seconds: T1 ten times, T2 twenty, Past at once. */
  CHECK(wmiemu_host_run_for(host, 10200) == S_OK);
  wmiemu_host_counters(host, t1, &r.c_t1);
  wmiemu_host_counters(host, all, &r.c_all);
  CHECK(wmiemu_host_unsubscribe(host, all) == S_OK);

  /* Deleted while its first event is being delivered: no second one. */
  r.gone.delete_on_first = 1;
  put_interval(host, L"Gone", 100, FALSE);
  CHECK(wmiemu_host_subscribe(host, NULL, "SELECT * FROM __TimerEvent WHERE TimerId = \"Gone\"", on_event,
                              &r.gone, &gone) == S_OK);
  CHECK(wmiemu_host_run_for(host, 1000) == S_OK);
  /* T1 deleted by a consumer: it stops. */
  CHECK(wmiemu_repo_delete_instance(wmiemu_host_repo(host), ns, L"__IntervalTimerInstruction.TimerId=\"T1\"") ==
        S_OK);
  CHECK(wmiemu_host_run_for(host, 25000) == S_OK);   /* to 36 s: At30 fired */
  CHECK(wmiemu_host_unsubscribe(host, t1) == S_OK);
  CHECK(wmiemu_host_unsubscribe(host, gone) == S_OK);
  CHECK(wmiemu_host_unsubscribe(host, absolute) == S_OK);

  /* Nobody listens for 5 s: Lag (no skipping) comes back coalesced,
   * LagSkip skips what passed. */
  put_interval(host, L"Lag", 1000, FALSE);
  put_interval(host, L"LagSkip", 1000, TRUE);
  CHECK(wmiemu_host_run_for(host, 5500) == S_OK);
  CHECK(wmiemu_host_subscribe(host, NULL, "SELECT * FROM __TimerEvent WHERE TimerId LIKE \"Lag%\"", on_event,
                              &r.lagged, &lagged) == S_OK);
  CHECK(wmiemu_host_run_for(host, 700) == S_OK);
  CHECK(wmiemu_host_unsubscribe(host, lagged) == S_OK);

  /* A timer in a namespace made by a __NAMESPACE instance stops when the
   * namespace goes with its instance. */
  wmiemu_sub_id_t in_ns;
  CHECK(put_namespace(host, ns, L"TNs") == S_OK);
  put_interval_in(host, L"root\\cimv2\\TNs", L"N1", 100, FALSE);
  CHECK(wmiemu_host_subscribe(host, "root\\cimv2\\TNs", "SELECT * FROM __TimerEvent", on_event, &r.in_ns,
                              &in_ns) == S_OK);
  CHECK(wmiemu_host_run_for(host, 1050) == S_OK);
  CHECK(wmiemu_repo_delete_instance(wmiemu_host_repo(host), ns, L"__NAMESPACE.Name=\"TNs\"") == S_OK);
  r.ns_gone = !wmiemu_repo_has_namespace(wmiemu_host_repo(host), L"root\\cimv2\\TNs");
  CHECK(wmiemu_host_run_for(host, 1000) == S_OK);
  CHECK(wmiemu_host_unsubscribe(host, in_ns) == S_OK);

  /* 10,000 instructions of 1 s: three ticks, one of them asked for. */
  for (int i = 0; i < 10000; i++) {
    WCHAR id[16];
    swprintf(id, 16, L"X%d", i);
    put_interval(host, id, 1000, FALSE);
  }
  CHECK(wmiemu_host_subscribe(host, NULL, "SELECT * FROM __TimerEvent WHERE TimerId = \"X5000\"", on_event,
                              &r.many, &many) == S_OK);
  r.t_many = wmiemu__exec_now(e);
  CHECK(wmiemu_host_run_for(host, 3500) == S_OK);
  wmiemu_host_counters(host, many, &r.c_many);
  r.ran = 1;
  wmiemu_host_free(host);
  wmiemu__exec_destroy(e);
  the_exec = NULL;
  the_host = NULL;
}

static void test_timer_events(void **state) {
  wmiemu_explore_opts_t o;
  wmiemu_explore_result_t res;
  clock_t start = clock();
  (void)state;
  wmiemu_explore_opts_init(&o);
  o.iterations = 1;
  assert_int_equal(wmiemu_explore(timer_scenario, NULL, &o, &res), WMIEMU_OUTCOME_OK);
  assert_true(r.ran);

  /* One event per interval, on the virtual clock, WHERE on TimerId. */
  assert_int_equal(r.c_t1.delivered, 10);
  for (unsigned i = 0; i < 10; i++) {
    assert_int_equal(r.t1.kind[i], 'T');
    assert_int_equal(wcscmp(r.t1.id[i], L"T1"), 0);
    assert_int_equal(r.t1.firings[i], 1);
    assert_int_equal(r.t1.at[i], r.t0 + 1000 * (i + 1));
  }
  /* T2 20 times, Past once: every timer event reached the filter. */
  assert_int_equal(r.c_t1.indicated, 31);
  assert_int_equal(r.c_t1.filtered, 21);
  assert_int_equal(r.c_t1.indicated, r.c_t1.delivered + r.c_t1.filtered + r.c_t1.dropped);
  /* Interval 0 and an interval of 49 days never fire; the past absolute
   * timer without SkipIfPassed fires at once, the one with it never. */
  assert_int_equal(r.c_all.delivered, 31);
  for (unsigned i = 0; i < r.all.n; i++) {
    assert_int_not_equal(wcscmp(r.all.id[i], L"Zero"), 0);
    assert_int_not_equal(wcscmp(r.all.id[i], L"Huge"), 0);
    assert_int_not_equal(wcscmp(r.all.id[i], L"PastSkip"), 0);
  }
  assert_int_equal(wcscmp(r.absolute.id[0], L"Past"), 0);
  assert_int_equal(r.absolute.at[0], r.t0);
  /* At30 at 30 s of virtual wall time, once, both spellings of it. */
  assert_int_equal(r.absolute.n, 3);
  assert_int_equal(wcscmp(r.absolute.id[1], L"At30"), 0);
  assert_int_equal(r.absolute.at[1], 30000);
  assert_int_equal(wcscmp(r.absolute.id[2], L"At30e"), 0);
  assert_int_equal(r.absolute.at[2], 30000);

  /* Deleted during its first delivery: that was the last. */
  assert_int_equal(r.gone.n, 1);
  /* T1 ticked once more (at 11 s), then was deleted: no more. */
  assert_int_equal(r.t1.n, 10 + 1);
  assert_int_equal(r.t1.at[10], r.t0 + 11000);

  /* Five intervals passed unheard: Lag fires at once for the five
   * (coalesced), LagSkip skips them; both on time at the next one. */
  assert_int_equal(r.lagged.n, 3);
  assert_int_equal(wcscmp(r.lagged.id[0], L"Lag"), 0);
  assert_int_equal(r.lagged.firings[0], 5);
  assert_int_equal(wcscmp(r.lagged.id[1], L"Lag"), 0);
  assert_int_equal(r.lagged.firings[1], 1);
  assert_int_equal(r.lagged.at[1], r.lagged.at[0] + 500);
  assert_int_equal(wcscmp(r.lagged.id[2], L"LagSkip"), 0);
  assert_int_equal(r.lagged.firings[2], 1);
  assert_int_equal(r.lagged.at[2], r.lagged.at[1]);

  /* Ten in the namespace's second, none once it was deleted. */
  assert_int_equal(r.in_ns.n, 10);
  assert_true(r.ns_gone);

  /* 10,000 timers: every firing reached the filter (with T2's 7 and
   * Lag's and LagSkip's 3 each), one timer's were delivered. */
  assert_int_equal(r.c_many.delivered, 3);
  assert_int_equal(r.c_many.indicated, 30000 + 7 + 6);
  assert_int_equal(r.many.at[0], r.t_many + 1000);
  /* Bounded: well under a second of processor per 10,000 firings. */
  assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 20.0);
}

/* ---- class and namespace events (libuv executor) ---- */

static const char classes_mof[] =
  "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n"
  "class CoreBase { [key] string Name; };\n"
  "class CoreSub : CoreBase { uint32 Size; };\n"
  "class CoreOther { [key] string Name; };\n";

static const char modify_mof[] =
  "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n"
  "class CoreOther { [key] string Name; string Added; };\n";

static const char change_mof[] =
  "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n"
  "#pragma deleteclass(\"CoreOther\", FAIL)\n"
  "class CoreOther { [key] string Name; };\n"
  "#pragma namespace(\"Child\")\n";

static void test_class_events(void **state) {
  seen_t created = { 0 }, base = { 0 }, deleted_sub = { 0 }, modified = { 0 }, other_ns = { 0 }, spaces = { 0 };
  wmiemu_sub_id_t id_created, id_base, id_deleted, id_modified, id_other, id_spaces;
  wmiemu_counters_t c;
  wmiemu_host_t *host;
  (void)state;
  the_exec = NULL;
  assert_int_equal(wmiemu_host_new(NULL, &host), S_OK);
  the_host = host;
  assert_int_equal(wmiemu_host_subscribe(host, "root\\cimv2", "SELECT * FROM __ClassCreationEvent", on_event,
                                         &created, &id_created), S_OK);
  assert_int_equal(wmiemu_host_subscribe(host, "root\\cimv2", "SELECT * FROM __ClassDeletionEvent "
                                         "WHERE TargetClass.__CLASS = \"CoreSub\"", on_event, &deleted_sub,
                                         &id_deleted), S_OK);
  assert_int_equal(wmiemu_host_subscribe(host, "\\\\.\\ROOT/cimv2", "SELECT * FROM __ClassModificationEvent",
                                         on_event, &modified, &id_modified), S_OK);
  assert_int_equal(wmiemu_host_subscribe(host, "root\\default", "SELECT * FROM __ClassOperationEvent",
                                         on_event, &other_ns, &id_other), S_OK);
  assert_int_equal(wmiemu_host_subscribe(host, "root\\cimv2", "SELECT * FROM __NamespaceOperationEvent",
                                         on_event, &spaces, &id_spaces), S_OK);
  /* GROUP WITHIN over them is refused, with a reason. */
  wmiemu_sub_id_t refused;
  assert_int_equal((uint32_t)wmiemu_host_subscribe(host, "root\\cimv2",
                                                   "SELECT * FROM __ClassCreationEvent GROUP WITHIN 5",
                                                   on_event, &created, &refused),
                   (uint32_t)WBEM_E_NOT_SUPPORTED);
  assert_non_null(strstr(wmiemu_host_last_error(host), "GROUP WITHIN"));

  /* Compiled while the host runs. */
  assert_int_equal(wmiemu_mof_compile_text(wmiemu_host_repo(host), "classes.mof", classes_mof, sizeof(classes_mof) - 1, NULL, NULL), S_OK);
  assert_int_equal(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(created.n, 3);
  assert_int_equal(wcscmp(created.id[0], L"CoreBase"), 0);
  assert_int_equal(wcscmp(created.id[1], L"CoreSub"), 0);
  assert_int_equal(wcscmp(created.id[2], L"CoreOther"), 0);
  /* ISA needs the class to exist when subscribing, as with WMI. */
  assert_int_equal(wmiemu_host_subscribe(host, "root\\cimv2", "SELECT * FROM __ClassOperationEvent WITHIN 5 "
                                         "WHERE TargetClass ISA \"CoreBase\"", on_event, &base, &id_base), S_OK);

  /* Changed, deleted by pragma, made again; then a namespace. */
  assert_int_equal(wmiemu_mof_compile_text(wmiemu_host_repo(host), "modify.mof", modify_mof,
                                           sizeof(modify_mof) - 1, NULL, NULL), S_OK);
  assert_int_equal(wmiemu_mof_compile_text(wmiemu_host_repo(host), "change.mof", change_mof, sizeof(change_mof) - 1, NULL, NULL), S_OK);
  assert_int_equal(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(modified.n, 1);
  assert_int_equal(modified.kind[0], 'M');
  assert_int_equal(wcscmp(modified.id[0], L"CoreOther"), 0);
  assert_int_equal(wcscmp(modified.previous[0], L"CoreOther"), 0);
  assert_int_equal(created.n, 4);     /* CoreOther again */
  assert_int_equal(spaces.n, 1);
  assert_int_equal(spaces.kind[0], 'N');
  assert_int_equal(wcscmp(spaces.id[0], L"Child"), 0);

  /* __NAMESPACE instances make and remove namespaces: PutInstance, MOF,
   * DeleteInstance (which takes the namespaces under it along). */
  static const char ns_mof[] = "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n"
                               "instance of __NAMESPACE { Name = \"ByMof\"; };\n";
  assert_int_equal(put_namespace(host, ns, L"Made"), S_OK);
  assert_true(wmiemu_repo_has_namespace(wmiemu_host_repo(host), L"root\\cimv2\\Made"));
  assert_int_equal(put_namespace(host, L"root\\cimv2\\Made", L"Deeper"), S_OK);
  assert_int_equal((uint32_t)put_namespace(host, ns, L"not valid"), (uint32_t)WBEM_E_INVALID_PARAMETER);
  assert_int_equal(wmiemu_mof_compile_text(wmiemu_host_repo(host), "ns.mof", ns_mof, sizeof(ns_mof) - 1, NULL, NULL),
                   S_OK);
  assert_true(wmiemu_repo_has_namespace(wmiemu_host_repo(host), L"root\\cimv2\\ByMof"));
  assert_int_equal(wmiemu_repo_delete_instance(wmiemu_host_repo(host), ns, L"__NAMESPACE.Name=\"Made\""), S_OK);
  assert_false(wmiemu_repo_has_namespace(wmiemu_host_repo(host), L"root\\cimv2\\Made"));
  assert_false(wmiemu_repo_has_namespace(wmiemu_host_repo(host), L"root\\cimv2\\Made\\Deeper"));
  assert_int_equal(wmiemu_host_run_until_idle(host), S_OK);
  /* Child (by pragma), then Made and ByMof made, Made deleted, in root\cimv2;
   * Deeper's events are Made's, a namespace of its own. */
  assert_int_equal(spaces.n, 4);
  assert_int_equal(spaces.kind[1], 'N');
  assert_int_equal(wcscmp(spaces.id[1], L"Made"), 0);
  assert_int_equal(spaces.kind[2], 'N');
  assert_int_equal(wcscmp(spaces.id[2], L"ByMof"), 0);
  assert_int_equal(spaces.kind[3], 'X');
  assert_int_equal(wcscmp(spaces.id[3], L"Made"), 0);

  /* Deleting a class deletes its subclasses: an event for each. */
  assert_int_equal(wmiemu_repo_delete_class(wmiemu_host_repo(host), ns, L"CoreBase"), S_OK);
  assert_int_equal(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(base.n, 2);        /* CoreOther's changes are not CoreBase's */
  assert_int_equal(base.kind[0], 'D');
  assert_int_equal(wcscmp(base.id[0], L"CoreBase"), 0);
  assert_int_equal(base.kind[1], 'D');
  assert_int_equal(wcscmp(base.id[1], L"CoreSub"), 0);
  assert_int_equal(deleted_sub.n, 1);
  assert_int_equal(wcscmp(deleted_sub.id[0], L"CoreSub"), 0);
  assert_int_equal(wmiemu_host_counters(host, id_deleted, &c), S_OK);
  /* Only deletions reach it: the other one was filtered by its WHERE. */
  assert_int_equal(c.indicated, 3);
  assert_int_equal(c.delivered, 1);
  assert_int_equal(c.filtered, 2);

  /* Another namespace heard nothing. */
  assert_int_equal(other_ns.n, 0);
  assert_int_equal(wmiemu_host_counters(host, id_other, &c), S_OK);
  assert_int_equal(c.indicated, 0);

  /* Unsubscribed: no more. */
  assert_int_equal(wmiemu_host_unsubscribe(host, id_created), S_OK);
  assert_int_equal(wmiemu_mof_compile_text(wmiemu_host_repo(host), "again.mof", classes_mof, sizeof(classes_mof) - 1, NULL, NULL), S_OK);
  assert_int_equal(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(created.n, 4);
  assert_int_equal(base.n, 4);        /* made again: the class and its subclass */
  assert_int_equal(base.kind[2], 'C');
  assert_int_equal(base.kind[3], 'C');
  assert_int_equal(wmiemu_host_shutdown(host), S_OK);
  /* After shutdown a change raises nothing and queues nothing. */
  assert_int_equal(wmiemu_repo_delete_class(wmiemu_host_repo(host), ns, L"CoreOther"), S_OK);
  wmiemu_host_free(host);
  the_host = NULL;
}

/* A consumer slower than the interval (libuv, real time): the firings it
 * missed come as one event, NumFirings counting them. */
static void on_event_slowly(void *ctx, const wmiemu_event_t *e) {
  seen_t *s = ctx;
  on_event(ctx, e);
  if (s->n == 1) {
    struct timespec ts = { 0, 350 * 1000000L };
    nanosleep(&ts, NULL);
  }
}

static void test_slow_consumer_coalesces(void **state) {
  seen_t slow = { 0 };
  wmiemu_sub_id_t id;
  wmiemu_host_t *host;
  (void)state;
  the_exec = NULL;
  assert_int_equal(wmiemu_host_new(NULL, &host), S_OK);
  the_host = host;
  put_interval(host, L"Fast", 100, FALSE);
  put_interval(host, L"FastSkip", 100, TRUE);
  assert_int_equal(wmiemu_host_subscribe(host, "root\\cimv2", "SELECT * FROM __TimerEvent WHERE TimerId = \"Fast\"",
                                         on_event_slowly, &slow, &id), S_OK);
  assert_int_equal(wmiemu_host_run_until_events(host, 2, 10000), S_OK);
  assert_int_equal(slow.n, 2);
  assert_int_equal(slow.firings[0], 1);
  /* 350 ms late at 100 ms: the next one stands for three or four */
  assert_true(slow.firings[1] >= 3 && slow.firings[1] <= 5);
  assert_int_equal(wmiemu_host_shutdown(host), S_OK);
  wmiemu_host_free(host);
  the_host = NULL;
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_timer_events),
    cmocka_unit_test(test_class_events),
    cmocka_unit_test(test_slow_consumer_coalesces),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
