/* WITHIN polling: an intrinsic instance query no provider serves is served by
 * comparing the repository's instances every WITHIN seconds. The host runs on
 * the deterministic executor, so polls happen on virtual time (run_for) and
 * nothing depends on the machine's speed. */
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

#define CHECK(c) do { if (!(c)) wmiemu_explore_fail(0, "%s:%d: check failed: %s", __FILE__, __LINE__, #c); } while (0)

static const char poll_mof[] =
  "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n"
  "class PollBase { [key] string Name; uint32 Size; };\n"
  "class PollSub : PollBase { string Color; };\n"
  "class PollOther { [key] string Name; };\n";

static const WCHAR ns[] = L"root\\cimv2";

/* On the deterministic executor TIME_CREATED follows the virtual clock,
 * counted from 1970-01-01 (in 100 ns since 1601). */
#define UNIX_EPOCH_1601 116444736000000000ULL

#define MAX_SEEN 16
typedef struct {
  unsigned n;
  char kind[MAX_SEEN];          /* C(reation), D(eletion), M(odification) */
  WCHAR name[MAX_SEEN][8];      /* TargetInstance.Name */
  int size[MAX_SEEN];           /* TargetInstance.Size */
  int prev_size[MAX_SEEN];      /* PreviousInstance.Size, -1 when absent */
  uint64_t time_created[MAX_SEEN];
  uint64_t at[MAX_SEEN];
} seen_t;

static wmiemu__exec_t *the_exec;

static int get_size(IWbemClassObject *obj) {
  VARIANT v;
  int n = -1;
  VariantInit(&v);
  if (obj && SUCCEEDED(IWbemClassObject_Get(obj, L"Size", 0, &v, NULL, NULL)) && V_VT(&v) == VT_I4)
    n = (int)V_I4(&v);
  VariantClear(&v);
  return n;
}

static void on_event(void *ctx, const wmiemu_event_t *e) {
  seen_t *s = ctx;
  IWbemClassObject *target, *previous;
  VARIANT v;
  if (s->n >= MAX_SEEN)
    return;
  VariantInit(&v);
  CHECK(SUCCEEDED(IWbemClassObject_Get(e->event, L"__CLASS", 0, &v, NULL, NULL)));
  CHECK(V_VT(&v) == VT_BSTR);
  s->kind[s->n] = !wcscmp(V_BSTR(&v), L"__InstanceCreationEvent") ? 'C' :
                  !wcscmp(V_BSTR(&v), L"__InstanceDeletionEvent") ? 'D' :
                  !wcscmp(V_BSTR(&v), L"__InstanceModificationEvent") ? 'M' : '?';
  VariantClear(&v);
  target = fixture_get_object(e->event, L"TargetInstance");
  previous = fixture_get_object(e->event, L"PreviousInstance");
  CHECK(target != NULL);
  if (target && SUCCEEDED(IWbemClassObject_Get(target, L"Name", 0, &v, NULL, NULL)) &&
      V_VT(&v) == VT_BSTR && wcslen(V_BSTR(&v)) < 8)
    wcscpy(s->name[s->n], V_BSTR(&v));
  VariantClear(&v);
  s->size[s->n] = get_size(target);
  s->prev_size[s->n] = get_size(previous);
  s->time_created[s->n] = fixture_get_u64(e->event, L"TIME_CREATED");
  s->at[s->n] = wmiemu__exec_now(the_exec);
  s->n++;
  if (target)
    IWbemClassObject_Release(target);
  if (previous)
    IWbemClassObject_Release(previous);
}

/* Unsubscribes itself from its callback, in the middle of a poll. */
static wmiemu_host_t *the_host;
static wmiemu_sub_id_t quitter_id;
static void on_event_then_quit(void *ctx, const wmiemu_event_t *e) {
  on_event(ctx, e);
  CHECK(wmiemu_host_unsubscribe(the_host, quitter_id) == S_OK);
}

static void put(wmiemu_host_t *host, const WCHAR *cls_name, const WCHAR *name, int size) {
  IWbemClassObject *cls = NULL, *inst = NULL;
  VARIANT v;
  CHECK(wmiemu_repo_get_class(wmiemu_host_repo(host), ns, cls_name, &cls) == S_OK);
  CHECK(IWbemClassObject_SpawnInstance(cls, 0, &inst) == S_OK);
  V_VT(&v) = VT_BSTR;
  V_BSTR(&v) = SysAllocString(name);
  CHECK(IWbemClassObject_Put(inst, L"Name", 0, &v, 0) == S_OK);
  VariantClear(&v);
  if (size >= 0) {
    V_VT(&v) = VT_I4;
    V_I4(&v) = size;
    CHECK(IWbemClassObject_Put(inst, L"Size", 0, &v, 0) == S_OK);
  }
  CHECK(wmiemu_repo_put_instance(wmiemu_host_repo(host), ns, inst) == S_OK);
  IWbemClassObject_Release(inst);
  IWbemClassObject_Release(cls);
}

/* Results, checked by cmocka once the schedule is over. */
static struct {
  seen_t all, sub_only, big, stopped, other, quitter;
  wmiemu_counters_t c_all, c_sub_only, c_big, c_stopped, c_other, c_quitter;
  int stopped_polling, all_polling;
  uint64_t t0;
  int ran;
} r;

static void scenario(void *ctx) {
  wmiemu__exec_t *e = NULL;
  wmiemu_host_t *host = NULL;
  wmiemu_sub_id_t all, sub_only, big, stopped, other;
  (void)ctx;
  memset(&r, 0, sizeof(r));
  CHECK(wmiemu__exec_new_det(&e, wmiemu__sched_current()) == 0);
  the_exec = e;
  CHECK(wmiemu__host_new_exec(NULL, e, &host) == S_OK);
  CHECK(wmiemu_mof_compile_text(wmiemu_host_repo(host), "poll.mof", poll_mof,
                                sizeof(poll_mof) - 1, NULL, NULL) == S_OK);
  put(host, L"PollBase", L"pre", 7);        /* exists before: no creation event */

  CHECK(wmiemu_host_subscribe(host, NULL, "SELECT * FROM __InstanceOperationEvent WITHIN 2 "
                              "WHERE TargetInstance ISA \"PollBase\"", on_event, &r.all, &all) == S_OK);
  CHECK(wmiemu_host_subscribe(host, NULL, "SELECT * FROM __InstanceCreationEvent WITHIN 1 "
                              "WHERE TargetInstance ISA \"PollSub\"", on_event, &r.sub_only,
                              &sub_only) == S_OK);
  CHECK(wmiemu_host_subscribe(host, NULL, "SELECT * FROM __InstanceModificationEvent WITHIN 2 "
                              "WHERE TargetInstance ISA \"PollBase\" AND TargetInstance.Size > 10",
                              on_event, &r.big, &big) == S_OK);
  CHECK(wmiemu_host_subscribe(host, NULL, "SELECT * FROM __InstanceCreationEvent WITHIN 1 "
                              "WHERE TargetInstance ISA \"PollBase\"", on_event, &r.stopped,
                              &stopped) == S_OK);
  CHECK(wmiemu_host_subscribe(host, NULL, "SELECT * FROM __InstanceDeletionEvent WITHIN 1 "
                              "WHERE TargetInstance ISA \"PollOther\"", on_event, &r.other,
                              &other) == S_OK);
  CHECK(wmiemu_host_subscribe(host, NULL, "SELECT * FROM __InstanceCreationEvent WITHIN 2 "
                              "WHERE TargetInstance ISA \"PollBase\"", on_event_then_quit, &r.quitter,
                              &quitter_id) == S_OK);
  the_host = host;
  r.t0 = wmiemu__exec_now(e);

  /* First interval: a (base) and b (subclass) appear. */
  put(host, L"PollBase", L"a", 1);
  put(host, L"PollSub", L"b", 5);
  CHECK(wmiemu_host_run_for(host, 2000) == S_OK);

  /* Second interval: a grows, pre goes, b is rewritten unchanged. */
  CHECK(wmiemu_host_unsubscribe(host, stopped) == S_OK);
  r.stopped_polling = wmiemu__poll_active(host->subs[stopped - 1]);
  put(host, L"PollBase", L"a", 20);
  put(host, L"PollSub", L"b", 5);
  CHECK(wmiemu_repo_delete_instance(wmiemu_host_repo(host), ns, L"PollBase.Name=\"pre\"") == S_OK);
  put(host, L"PollBase", L"c", 3);          /* the cancelled subscription never sees it */
  CHECK(wmiemu_host_run_for(host, 2000) == S_OK);

  /* Third interval: c changes a little (WHERE Size > 10 says no). */
  put(host, L"PollBase", L"c", 5);
  CHECK(wmiemu_host_run_for(host, 2000) == S_OK);
  /* Fourth interval: nothing changes, nothing is raised. */
  CHECK(wmiemu_host_run_for(host, 2000) == S_OK);
  r.all_polling = wmiemu__poll_active(host->subs[all - 1]);

  wmiemu_host_counters(host, all, &r.c_all);
  wmiemu_host_counters(host, sub_only, &r.c_sub_only);
  wmiemu_host_counters(host, big, &r.c_big);
  wmiemu_host_counters(host, stopped, &r.c_stopped);
  wmiemu_host_counters(host, other, &r.c_other);
  wmiemu_host_counters(host, quitter_id, &r.c_quitter);
  r.ran = 1;
  wmiemu_host_free(host);                   /* stops the polling left */
  wmiemu__exec_destroy(e);
  the_exec = NULL;
}

static void assert_balanced(const wmiemu_counters_t *c) {
  assert_int_equal(c->indicated, c->delivered + c->filtered + c->dropped);
}

static void assert_wstr(const WCHAR *a, const WCHAR *b) {
  assert_int_equal(wcscmp(a, b), 0);
}

static void test_within_polls_the_repository(void **state) {
  wmiemu_explore_opts_t o;
  wmiemu_explore_result_t res;
  (void)state;
  wmiemu_explore_opts_init(&o);
  o.iterations = 2;              /* a couple of schedules: the outcome never varies */
  assert_int_equal(wmiemu_explore(scenario, NULL, &o, &res), WMIEMU_OUTCOME_OK);
  assert_true(r.ran);

  /* __InstanceOperationEvent: every kind, subclasses included. The first
   * poll is WITHIN after subscribing, on the executor clock. */
  assert_int_equal(r.all.n, 6);
  assert_int_equal(r.all.kind[0], 'C');
  assert_wstr(r.all.name[0], L"a");
  assert_int_equal(r.all.prev_size[0], -1);
  assert_int_equal(r.all.at[0], r.t0 + 2000);
  assert_int_equal(r.all.time_created[0], UNIX_EPOCH_1601 + (r.t0 + 2000) * 10000);
  assert_int_equal(r.all.kind[1], 'C');
  assert_wstr(r.all.name[1], L"b");
  /* Second poll: a modified (with its previous state), c created, in
   * enumeration order, then pre deleted; b rewritten unchanged is silent. */
  assert_int_equal(r.all.kind[2], 'M');
  assert_wstr(r.all.name[2], L"a");
  assert_int_equal(r.all.size[2], 20);
  assert_int_equal(r.all.prev_size[2], 1);
  assert_int_equal(r.all.at[2], r.t0 + 4000);
  assert_int_equal(r.all.time_created[2], UNIX_EPOCH_1601 + (r.t0 + 4000) * 10000);
  assert_int_equal(r.all.kind[3], 'C');
  assert_wstr(r.all.name[3], L"c");
  assert_int_equal(r.all.kind[4], 'D');
  assert_wstr(r.all.name[4], L"pre");
  assert_int_equal(r.all.size[4], 7);
  assert_int_equal(r.all.kind[5], 'M');
  assert_wstr(r.all.name[5], L"c");
  assert_int_equal(r.all.prev_size[5], 3);
  assert_int_equal(r.all.at[5], r.t0 + 6000);
  assert_true(r.all_polling);
  /* Only the kinds FROM selects are raised, so all six reached it. */
  assert_int_equal(r.c_all.indicated, 6);
  assert_int_equal(r.c_all.delivered, 6);
  assert_balanced(&r.c_all);

  /* ISA on the subclass: only b, at the first 1 s poll. */
  assert_int_equal(r.sub_only.n, 1);
  assert_int_equal(r.sub_only.kind[0], 'C');
  assert_wstr(r.sub_only.name[0], L"b");
  assert_int_equal(r.sub_only.at[0], r.t0 + 1000);
  assert_int_equal(r.c_sub_only.indicated, 1);
  assert_int_equal(r.c_sub_only.delivered, 1);
  assert_balanced(&r.c_sub_only);

  /* WHERE on TargetInstance: the modification to 20 passes, the one to 5
   * is filtered. */
  assert_int_equal(r.big.n, 1);
  assert_int_equal(r.big.kind[0], 'M');
  assert_wstr(r.big.name[0], L"a");
  assert_int_equal(r.big.prev_size[0], 1);
  assert_int_equal(r.c_big.indicated, 2);
  assert_int_equal(r.c_big.matched, 1);
  assert_int_equal(r.c_big.delivered, 1);
  assert_int_equal(r.c_big.filtered, 1);
  assert_balanced(&r.c_big);

  /* Unsubscribed after its polls at 1 s and 2 s: a and b only, c never. */
  assert_false(r.stopped_polling);
  assert_int_equal(r.stopped.n, 2);
  assert_wstr(r.stopped.name[0], L"a");
  assert_wstr(r.stopped.name[1], L"b");
  assert_int_equal(r.c_stopped.indicated, 2);
  assert_balanced(&r.c_stopped);

  /* Unsubscribed by its callback at the first of two creations: the
   * second is never raised for it, and its polling is gone. */
  assert_int_equal(r.quitter.n, 1);
  assert_wstr(r.quitter.name[0], L"a");
  assert_int_equal(r.c_quitter.indicated, 1);
  assert_int_equal(r.c_quitter.delivered, 1);
  assert_balanced(&r.c_quitter);

  /* Another class's deletions: nothing happened to it. */
  assert_int_equal(r.other.n, 0);
  assert_int_equal(r.c_other.indicated, 0);
}

/* What WMI's core serves but the emulator does not is refused with
 * WBEM_E_NOT_SUPPORTED and a reason, not accepted to deliver nothing. */
static void test_unpolled_queries_are_refused(void **state) {
  static const char *const refused[] = {
    "SELECT * FROM __InstanceCreationEvent WITHIN 1",
    "SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance ISA \"PollBase\" GROUP WITHIN 5",
  };
  static const char *const reasons[] = { "TargetInstance ISA", "GROUP WITHIN" };
  wmiemu_host_options_t opts;
  wmiemu_host_t *host;
  wmiemu_sub_id_t id = 0;
  (void)state;
  wmiemu_host_options_init(&opts);
  assert_int_equal(wmiemu_host_new(&opts, &host), S_OK);
  assert_int_equal(wmiemu_mof_compile_text(wmiemu_host_repo(host), "poll.mof", poll_mof,
                                           sizeof(poll_mof) - 1, NULL, NULL), S_OK);
  for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
    assert_int_equal((uint32_t)wmiemu_host_subscribe(host, "root\\cimv2", refused[i], on_event, NULL, &id),
                     (uint32_t)WBEM_E_NOT_SUPPORTED);
    assert_non_null(strstr(wmiemu_host_last_error(host), reasons[i]));
  }
  /* Class events come from the repository (repo_events.c), no polling. */
  assert_int_equal(wmiemu_host_subscribe(host, "root\\cimv2", "SELECT * FROM __ClassCreationEvent WITHIN 1",
                                         on_event, NULL, &id), S_OK);
  assert_int_equal(wmiemu_host_shutdown(host), S_OK);
  wmiemu_host_free(host);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_within_polls_the_repository),
    cmocka_unit_test(test_unpolled_queries_are_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
