/* Providers that call back into WMI, run through the host: EnumRepoProvider
 * (provider/enum_repo) enumerates the repository with CreateInstanceEnum
 * and ExecQuery ... WHERE and indicates what it found; CalcCallerProvider
 * (provider/method_calc) calls Calc_Counter's MOF-declared methods through
 * ExecMethod, which the host routes to CalcProvider, a method provider. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "host/host_fixture.h"

typedef struct {
  unsigned count;
  char text[1024];          /* "prop=value;" per event, in delivery order */
} seen_t;

static void append(seen_t *s, const char *fmt, const char *a, long b) {
  size_t n = strlen(s->text);
  snprintf(s->text + n, sizeof(s->text) - n, fmt, a, b);
}

static char *string_prop(IWbemClassObject *obj, const WCHAR *name) {
  VARIANT v;
  char *s = NULL;
  VariantInit(&v);
  if (SUCCEEDED(IWbemClassObject_Get(obj, name, 0, &v, NULL, NULL)) && V_VT(&v) == VT_BSTR)
    s = wmiemu_wcs_to_utf8(V_BSTR(&v), (size_t)-1);
  VariantClear(&v);
  return s ? s : strdup("");
}

static long int_prop(IWbemClassObject *obj, const WCHAR *name) {
  VARIANT v;
  long n = -1;
  VariantInit(&v);
  if (SUCCEEDED(IWbemClassObject_Get(obj, name, 0, &v, NULL, NULL)) && V_VT(&v) == VT_I4)
    n = V_I4(&v);
  VariantClear(&v);
  return n;
}

/* __InstanceCreationEvent: the TargetInstance's Name. */
static void record_creation(void *ctx, const wmiemu_event_t *e) {
  seen_t *s = ctx;
  VARIANT v;
  VariantInit(&v);
  s->count++;
  if (SUCCEEDED(IWbemClassObject_Get(e->event, L"TargetInstance", 0, &v, NULL, NULL)) && V_VT(&v) == VT_UNKNOWN) {
    IWbemClassObject *target = NULL;
    IUnknown_QueryInterface(V_UNKNOWN(&v), &IID_IWbemClassObject, (void **)&target);
    if (target) {
      char *name = string_prop(target, L"Name");
      append(s, "%s(%ld);", name, int_prop(target, L"Size"));
      free(name);
      IWbemClassObject_Release(target);
    }
  }
  VariantClear(&v);
}

static void record_summary(void *ctx, const wmiemu_event_t *e) {
  seen_t *s = ctx;
  char *names = string_prop(e->event, L"Names");
  s->count++;
  append(s, "%s:%ld;", names, int_prop(e->event, L"Count"));
  free(names);
}

static void record_result(void *ctx, const wmiemu_event_t *e) {
  seen_t *s = ctx;
  char *method = string_prop(e->event, L"Method");
  char status[32];
  s->count++;
  snprintf(status, sizeof(status), "%08lx", (unsigned long)int_prop(e->event, L"Status") & 0xffffffffu);
  append(s, "%s=%ld", method, int_prop(e->event, L"Result"));
  append(s, "/%s%ld;", status, int_prop(e->event, L"ReturnValue"));
  free(method);
}

static void finish(wmiemu_host_t *host) {
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  assert_int_equal(wmiemu_checker_count(wmiemu_host_checker(host)), 0);
  fixture_assert_balanced(host, 0);
  wmiemu_host_free(host);
}

/* CreateInstanceEnum: one creation event per EnumRepo_Item, in creation
 * order, each carrying the instance it found. */
static void test_enum_repo_instances(void **state) {
  wmiemu_host_t *host = fixture_host(NULL, "enum_repo/enum_repo.mof", "enum_repo");
  seen_t seen = { 0 };
  wmiemu_sub_id_t id = 0;
  (void)state;
  assert_hr(wmiemu_host_subscribe(host, NULL,
                                  "SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA \"EnumRepo_Item\"",
                                  record_creation, &seen, &id), S_OK);
  assert_hr(wmiemu_host_run_until_events(host, 3, 10000), S_OK);
  assert_hr(wmiemu_host_run_for(host, 50), S_OK);
  assert_int_equal(seen.count, 3);
  assert_string_equal(seen.text, "a(5);b(20);c(30);");
  finish(host);
}

/* ExecQuery ... WHERE Size > 10: the summary names what the query returned. */
static void test_enum_repo_query(void **state) {
  wmiemu_host_t *host = fixture_host(NULL, "enum_repo/enum_repo.mof", "enum_repo");
  seen_t seen = { 0 };
  wmiemu_sub_id_t id = 0;
  (void)state;
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM EnumRepo_Summary", record_summary, &seen, &id), S_OK);
  assert_hr(wmiemu_host_run_until_events(host, 1, 10000), S_OK);
  assert_hr(wmiemu_host_run_for(host, 50), S_OK);
  assert_int_equal(seen.count, 1);
  assert_string_equal(seen.text, "b,c:2;");
  finish(host);
}

/* ExecMethod from a provider: the static Add on the class and Scale on an
 * instance, both answered by the method provider. */
static void test_calc_caller(void **state) {
  wmiemu_host_t *host = fixture_host(NULL, "method_calc/method_calc.mof", "method_calc");
  seen_t seen = { 0 };
  wmiemu_sub_id_t id = 0;
  wmiemu_provider_state_t pstate;
  (void)state;
  assert_hr(wmiemu_host_add_module(host, fixture_module_path("calc_caller")), S_OK);
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM Calc_Result", record_result, &seen, &id), S_OK);
  assert_hr(wmiemu_host_run_until_events(host, 2, 10000), S_OK);
  assert_hr(wmiemu_host_run_for(host, 50), S_OK);
  assert_int_equal(seen.count, 2);
  assert_string_equal(seen.text, "Add=42/000000000;Scale=30/000000000;");
  assert_hr(wmiemu_host_provider_state(host, NULL, "CalcProvider", &pstate), S_OK);
  assert_int_equal(pstate, WMIEMU_PROVIDER_READY);
  finish(host);
}

/* Without the method provider's module, the caller's ExecMethod gets
 * WBEM_E_PROVIDER_NOT_FOUND, and reports it. */
static void test_calc_caller_without_provider(void **state) {
  wmiemu_host_t *host = fixture_host(NULL, "method_calc/method_calc.mof", "calc_caller");
  seen_t seen = { 0 };
  wmiemu_sub_id_t id = 0;
  char want[128];
  (void)state;
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM Calc_Result", record_result, &seen, &id), S_OK);
  assert_hr(wmiemu_host_run_until_events(host, 2, 10000), S_OK);
  snprintf(want, sizeof(want), "Add=-1/%08x-1;Scale=-1/%08x-1;", (unsigned)WBEM_E_PROVIDER_NOT_FOUND,
           (unsigned)WBEM_E_PROVIDER_NOT_FOUND);
  assert_string_equal(seen.text, want);
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  wmiemu_host_free(host);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_enum_repo_instances),
    cmocka_unit_test(test_enum_repo_query),
    cmocka_unit_test(test_calc_caller),
    cmocka_unit_test(test_calc_caller_without_provider),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
