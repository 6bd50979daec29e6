/* The fault plan's C API (wmiemu/explore.h): kind names and lists, the
 * n-th call of a kind failing as Windows fails it, random failures drawn
 * from the seed, counts, disarming, and the objects tracked while armed
 * (a Release past the last one counted, leaks outstanding). This program
 * is not the emulator's image, so its calls count as a provider's. */
#define COBJMACROS
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/portable.h"

#include <wmiemu/cim.h>
#include <wmiemu/compat.h>
#include <wmiemu/explore.h>

/* HRESULTs compared as the 32 bits they are. */
#define assert_hr(a, b) assert_int_equal((uint32_t)(a), (uint32_t)(b))

static void test_kinds(void **state) {
  unsigned kinds = 0;
  (void)state;
  assert_string_equal(wmiemu_fault_kind_name(WMIEMU_FAULT_ALLOC), "alloc");
  assert_string_equal(wmiemu_fault_kind_name(WMIEMU_FAULT_INDICATE_OOM), "indicate-oom");
  assert_string_equal(wmiemu_fault_kind_name(WMIEMU_FAULT_INIT), "init");
  assert_null(wmiemu_fault_kind_name(WMIEMU_FAULT_KINDS));
  assert_hr(wmiemu_fault_parse("alloc,thread", &kinds), S_OK);
  assert_int_equal(kinds, (1u << WMIEMU_FAULT_ALLOC) | (1u << WMIEMU_FAULT_THREAD));
  assert_hr(wmiemu_fault_parse("indicate", &kinds), S_OK);
  assert_int_equal(kinds, (1u << WMIEMU_FAULT_INDICATE_BUSY) | (1u << WMIEMU_FAULT_INDICATE_OOM));
  assert_hr(wmiemu_fault_parse("all", &kinds), S_OK);
  assert_int_equal(kinds, (1u << WMIEMU_FAULT_KINDS) - 1);
  kinds = 7;
  assert_hr(wmiemu_fault_parse("alloc,bogus", &kinds), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu_fault_parse("", &kinds), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu_fault_parse("alloc,", &kinds), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu_fault_parse(NULL, &kinds), WBEM_E_INVALID_PARAMETER);
  assert_int_equal(kinds, 7);
  assert_string_equal(wmiemu_fault_found_name(WMIEMU_FAULT_FOUND_LEAK), "leak");
}

static DWORD WINAPI nothing(void *arg) {
  (void)arg;
  return 0;
}

static void test_nth_call(void **state) {
  wmiemu_fault_plan_t plan = { 0 };
  BSTR b1, b2, b3;
  VARIANT src, dst;
  SAFEARRAY *sa;
  void *mem;
  (void)state;
  plan.n_sites = 3;
  plan.sites[0].kind = WMIEMU_FAULT_ALLOC;
  plan.sites[0].nth = 2;
  plan.sites[1].kind = WMIEMU_FAULT_THREAD;
  plan.sites[1].nth = 1;
  plan.sites[2].kind = WMIEMU_FAULT_EVENT;
  plan.sites[2].nth = 1;
  wmiemu_fault_arm(&plan, 1);
  b1 = SysAllocString(L"one");
  b2 = SysAllocString(L"two");
  assert_string_equal(wmiemu_fault_last(), "SysAllocString");
  b3 = SysAllocStringLen(L"three", 5);
  assert_non_null(b1);
  assert_null(b2);
  assert_non_null(b3);
  SetLastError(0);
  assert_null(CreateThread(NULL, 0, nothing, NULL, 0, NULL));
  assert_int_equal(GetLastError(), ERROR_NOT_ENOUGH_MEMORY);
  SetLastError(0);
  assert_null(CreateEventW(NULL, TRUE, FALSE, NULL));
  assert_int_equal(GetLastError(), ERROR_NOT_ENOUGH_MEMORY);
  assert_int_equal(wmiemu_fault_count(WMIEMU_FAULT_ALLOC), 3);
  assert_int_equal(wmiemu_fault_count(WMIEMU_FAULT_THREAD), 1);
  assert_int_equal(wmiemu_fault_fired(), 3);
  wmiemu_fault_disarm();
  SysFreeString(b1);
  SysFreeString(b3);

  /* VariantCopy and CoTaskMemAlloc are alloc sites too. */
  memset(&plan, 0, sizeof(plan));
  plan.n_sites = 2;
  plan.sites[0].kind = WMIEMU_FAULT_ALLOC;
  plan.sites[0].nth = 1;
  plan.sites[1].kind = WMIEMU_FAULT_ALLOC;
  plan.sites[1].nth = 2;
  wmiemu_fault_arm(&plan, 1);
  VariantInit(&src);
  VariantInit(&dst);
  V_VT(&src) = VT_I4;
  V_I4(&src) = 5;
  assert_hr(VariantCopy(&dst, &src), E_OUTOFMEMORY);
  assert_int_equal(V_VT(&dst), VT_EMPTY);
  assert_null(CoTaskMemAlloc(16));
  sa = SafeArrayCreateVector(VT_I4, 0, 4);
  assert_non_null(sa);
  SafeArrayDestroy(sa);
  mem = CoTaskMemAlloc(16);
  assert_non_null(mem);
  CoTaskMemFree(mem);
  assert_int_equal(wmiemu_fault_count(WMIEMU_FAULT_ALLOC), 4);
  wmiemu_fault_disarm();
}

/* Random failures: the same seed fails the same calls. */
static uint64_t pattern(uint64_t seed) {
  wmiemu_fault_plan_t plan = { 0 };
  uint64_t bits = 0;
  plan.kinds = 1u << WMIEMU_FAULT_ALLOC;
  plan.rate = 2;
  wmiemu_fault_arm(&plan, seed);
  for (int i = 0; i < 64; i++) {
    BSTR b = SysAllocString(L"x");
    if (!b)
      bits |= 1ull << i;
    SysFreeString(b);
  }
  assert_int_equal(wmiemu_fault_fired(), (uint64_t)__builtin_popcountll(bits));
  wmiemu_fault_disarm();
  return bits;
}

static void test_random(void **state) {
  uint64_t a = pattern(7), b = pattern(7), c = pattern(8);
  BSTR s;
  (void)state;
  assert_true(a == b);
  assert_true(a != c);
  assert_true(a != 0 && a != UINT64_MAX);
  /* Disarmed: nothing fails, and the counts of the last plan stay. */
  s = SysAllocString(L"y");
  assert_non_null(s);
  SysFreeString(s);
  assert_int_equal(wmiemu_fault_count(WMIEMU_FAULT_ALLOC), 64);
}

static void test_objects(void **state) {
  static const char mof[] = "class FaultThing { uint32 N; };";
  wmiemu_fault_plan_t plan = { 0 };
  IWbemClassObject *cls = NULL, *a = NULL, *b = NULL, *c = NULL;
  wmiemu_repo_t *repo = NULL;
  VARIANT v;
  (void)state;
  assert_hr(wmiemu_repo_new(&repo), S_OK);
  assert_hr(wmiemu_mof_compile_text(repo, "faults.mof", mof, sizeof(mof) - 1, NULL, NULL), S_OK);
  assert_hr(wmiemu_repo_get_object(repo, L"root\\default", L"FaultThing", &cls), S_OK);
  plan.n_sites = 2;
  plan.sites[0].kind = WMIEMU_FAULT_CIM;
  plan.sites[0].nth = 1;
  plan.sites[1].kind = WMIEMU_FAULT_CIM;
  plan.sites[1].nth = 4;
  wmiemu_fault_arm(&plan, 1);
  a = (IWbemClassObject *)1;
  assert_hr(IWbemClassObject_SpawnInstance(cls, 0, &a), WBEM_E_OUT_OF_MEMORY);
  assert_null(a);
  assert_hr(IWbemClassObject_SpawnInstance(cls, 0, &a), S_OK);
  assert_hr(IWbemClassObject_Clone(a, &b), S_OK);
  V_VT(&v) = VT_I4;
  V_I4(&v) = 1;
  assert_hr(IWbemClassObject_Put(a, L"N", 0, &v, 0), WBEM_E_OUT_OF_MEMORY);
  assert_hr(IWbemClassObject_Put(a, L"N", 0, &v, 0), S_OK);
  assert_int_equal(wmiemu_fault_outstanding(), 2);
  /* A Release past the last: counted, no memory touched that was freed. */
  assert_int_equal(IWbemClassObject_Release(a), 0);
  assert_int_equal(wmiemu_fault_bad_releases(), 0);
  IWbemClassObject_Release(a);
  assert_int_equal(wmiemu_fault_bad_releases(), 1);
  /* b is the leak until released. */
  assert_int_equal(wmiemu_fault_outstanding(), 1);
  IWbemClassObject_Release(b);
  assert_int_equal(wmiemu_fault_outstanding(), 0);
  wmiemu_fault_disarm();
  /* Disarmed: not tracked any more. */
  assert_hr(IWbemClassObject_SpawnInstance(cls, 0, &c), S_OK);
  assert_int_equal(wmiemu_fault_outstanding(), 0);
  IWbemClassObject_Release(c);
  IWbemClassObject_Release(cls);
  wmiemu_repo_free(repo);
}

/* The systematic mode from C, on the provider that leaks its event when
 * Indicate answers WBEM_E_OUT_OF_MEMORY: two sites of that kind, two leaks,
 * each with its trace; the baseline finds nothing. */
typedef struct {
  unsigned runs;
  char traces[3][512];
} runs_t;

static int on_run(void *ctx, uint64_t index, const wmiemu_fault_run_t *run) {
  runs_t *r = ctx;
  assert_int_equal(index, r->runs);
  if (r->runs < 3)
    snprintf(r->traces[r->runs], sizeof(r->traces[0]), "%s", run->trace);
  r->runs++;
  return 0;
}

static void test_systematic(void **state) {
  wmiemu_explore_provider_opts_t po;
  wmiemu_fault_systematic_opts_t so = { 0 };
  wmiemu_fault_systematic_result_t r;
  wmiemu_explore_result_t replay;
  char mof[1024], module[1024], prefix[128];
  const char *mofs[1] = { mof }, *modules[1] = { module };
  runs_t runs = { 0 };
  (void)state;
  snprintf(mof, sizeof(mof), "%s/provider/faulty/faulty_oom_leak.mof", getenv("WMIEMU_SOURCE_DIR"));
  snprintf(module, sizeof(module), "%s", portable_module_path("faulty_oom_leak"));
  portable_tmp_path(prefix, sizeof(prefix), "test-faults-api");
  wmiemu_explore_provider_opts_init(&po);
  po.mofs = mofs;
  po.n_mofs = 1;
  po.modules = modules;
  po.n_modules = 1;
  po.query = "SELECT * FROM FaultyOomLeakEvent";
  po.busy_every = 0;
  so.kinds = 1u << WMIEMU_FAULT_INDICATE_OOM;
  so.max_sites = 2;
  so.trace_prefix = prefix;
  so.on_run = on_run;
  so.ctx = &runs;
  assert_hr(wmiemu_explore_faults_systematic(&po, &so, &r), S_OK);
  assert_int_equal(runs.runs, 3);
  assert_int_equal(r.baseline.found, WMIEMU_FAULT_FOUND_NOTHING);
  assert_string_equal(runs.traces[0], "");
  assert_true(r.counts[WMIEMU_FAULT_INDICATE_OOM] >= 2);
  assert_int_equal(r.sites, 2);
  assert_int_equal(r.pairs, 0);
  assert_int_equal(r.leaked, 2);
  assert_int_equal(r.crashed + r.hung + r.violations + r.errors, 0);
  /* The trace replays the leak, from the trace alone. */
  assert_hr(wmiemu_replay_trace(runs.traces[1], NULL, NULL, &replay), S_OK);
  assert_int_equal(replay.outcome, WMIEMU_OUTCOME_VIOLATION);
  assert_non_null(strstr(replay.message, "leak: 1 object(s)"));
  remove(runs.traces[1]);
  remove(runs.traces[2]);
  /* Refused setups answer as wmiemu_explore_provider does. */
  po.query = NULL;
  assert_hr(wmiemu_explore_faults_systematic(&po, &so, &r), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu_explore_faults_systematic(NULL, &so, &r), WBEM_E_INVALID_PARAMETER);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_kinds),
    cmocka_unit_test(test_nth_call),
    cmocka_unit_test(test_random),
    cmocka_unit_test(test_objects),
    cmocka_unit_test(test_systematic),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
