/* IWbemContext (the object Initialize receives) and IWbemShutdown (called
 * once before the final Release), on a provider compiled into the test. */
#include "host/host_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <wbemidl.h>

#include "host/context.h"

/* ---- the context object ---------------------------------------------------- */

static void set_i4(IWbemContext *c, const WCHAR *name, LONG value) {
  VARIANT v;
  V_VT(&v) = VT_I4;
  V_I4(&v) = value;
  assert_hr(IWbemContext_SetValue(c, name, 0, &v), WBEM_S_NO_ERROR);
}

static LONG get_i4(IWbemContext *c, const WCHAR *name) {
  VARIANT v;
  assert_hr(IWbemContext_GetValue(c, name, 0, &v), WBEM_S_NO_ERROR);
  assert_int_equal(V_VT(&v), VT_I4);
  return V_I4(&v);
}

static void test_values(void **state) {
  IWbemContext *c = NULL;
  VARIANT v;
  (void)state;
  assert_hr(wmiemu__context_new(&c), WBEM_S_NO_ERROR);
  assert_hr(IWbemContext_GetValue(c, L"missing", 0, &v), WBEM_E_NOT_FOUND);
  set_i4(c, L"Depth", 3);
  set_i4(c, L"DEPTH", 4);                       /* same name: replaced */
  assert_int_equal(get_i4(c, L"depth"), 4);
  V_VT(&v) = VT_BSTR;
  V_BSTR(&v) = SysAllocString(L"text");
  assert_hr(IWbemContext_SetValue(c, L"Name", 0, &v), WBEM_S_NO_ERROR);
  VariantClear(&v);                             /* the context kept its own copy */
  assert_hr(IWbemContext_GetValue(c, L"name", 0, &v), WBEM_S_NO_ERROR);
  assert_int_equal(V_VT(&v), VT_BSTR);
  assert_int_equal(wmiemu_wcscmp(V_BSTR(&v), L"text"), 0);
  VariantClear(&v);
  /* bad arguments */
  assert_hr(IWbemContext_SetValue(c, NULL, 0, &v), WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemContext_SetValue(c, L"", 0, &v), WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemContext_SetValue(c, L"x", 1, &v), WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemContext_SetValue(c, L"x", 0, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemContext_GetValue(c, L"x", 0, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemContext_GetValue(c, L"depth", 2, &v), WBEM_E_INVALID_PARAMETER);
  /* delete */
  assert_hr(IWbemContext_DeleteValue(c, L"DEPTH", 0), WBEM_S_NO_ERROR);
  assert_hr(IWbemContext_GetValue(c, L"depth", 0, &v), WBEM_E_NOT_FOUND);
  assert_hr(IWbemContext_DeleteValue(c, L"depth", 0), WBEM_E_NOT_FOUND);
  assert_hr(IWbemContext_DeleteValue(c, NULL, 0), WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemContext_DeleteAll(c), WBEM_S_NO_ERROR);
  assert_hr(IWbemContext_GetValue(c, L"name", 0, &v), WBEM_E_NOT_FOUND);
  assert_int_equal(IWbemContext_Release(c), 0);
}

static void test_names_and_enumeration(void **state) {
  IWbemContext *c = NULL;
  SAFEARRAY *names = NULL;
  LONG lo, hi, i;
  BSTR name = NULL;
  VARIANT v;
  (void)state;
  assert_hr(wmiemu__context_new(&c), WBEM_S_NO_ERROR);
  assert_hr(IWbemContext_GetNames(c, 0, &names), WBEM_S_NO_ERROR);   /* empty */
  assert_hr(SafeArrayGetUBound(names, 1, &hi), S_OK);
  assert_int_equal(hi, -1);
  SafeArrayDestroy(names);
  set_i4(c, L"a", 1);
  set_i4(c, L"b", 2);
  set_i4(c, L"c", 3);
  assert_hr(IWbemContext_GetNames(c, 1, &names), WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemContext_GetNames(c, 0, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemContext_GetNames(c, 0, &names), WBEM_S_NO_ERROR);
  assert_hr(SafeArrayGetLBound(names, 1, &lo), S_OK);
  assert_hr(SafeArrayGetUBound(names, 1, &hi), S_OK);
  assert_int_equal(lo, 0);
  assert_int_equal(hi, 2);
  for (i = 0; i <= 2; i++) {
    assert_hr(SafeArrayGetElement(names, &i, &name), S_OK);
    assert_int_equal(name[0], 'a' + i);
    SysFreeString(name);
  }
  SafeArrayDestroy(names);

  /* Next before BeginEnumeration is out of order. */
  assert_hr(IWbemContext_Next(c, 0, &name, &v), WBEM_E_UNEXPECTED);
  assert_hr(IWbemContext_BeginEnumeration(c, 1), WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemContext_BeginEnumeration(c, 0), WBEM_S_NO_ERROR);
  assert_hr(IWbemContext_Next(c, 0, NULL, &v), WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemContext_Next(c, 0, &name, &v), WBEM_S_NO_ERROR);
  assert_int_equal(name[0], 'a');
  assert_int_equal(V_I4(&v), 1);
  SysFreeString(name);
  /* Deleting the value just read keeps the enumeration on the next one. */
  assert_hr(IWbemContext_DeleteValue(c, L"a", 0), WBEM_S_NO_ERROR);
  assert_hr(IWbemContext_Next(c, 0, &name, &v), WBEM_S_NO_ERROR);
  assert_int_equal(name[0], 'b');
  SysFreeString(name);
  assert_hr(IWbemContext_Next(c, 0, &name, &v), WBEM_S_NO_ERROR);
  assert_int_equal(V_I4(&v), 3);
  SysFreeString(name);
  assert_hr(IWbemContext_Next(c, 0, &name, &v), WBEM_S_NO_MORE_DATA);
  assert_null(name);
  assert_int_equal(V_VT(&v), VT_NULL);
  assert_hr(IWbemContext_EndEnumeration(c), WBEM_S_NO_ERROR);
  assert_hr(IWbemContext_Next(c, 0, &name, &v), WBEM_E_UNEXPECTED);
  IWbemContext_Release(c);
}

static void test_clone_and_qi(void **state) {
  IWbemContext *c = NULL, *copy = NULL, *same = NULL;
  IUnknown *unk = NULL;
  (void)state;
  assert_hr(wmiemu__context_new(&c), WBEM_S_NO_ERROR);
  set_i4(c, L"x", 7);
  assert_hr(IWbemContext_Clone(c, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemContext_Clone(c, &copy), WBEM_S_NO_ERROR);
  assert_ptr_not_equal(copy, c);
  set_i4(c, L"x", 8);                            /* copies are independent */
  assert_int_equal(get_i4(copy, L"X"), 7);
  assert_hr(IWbemContext_QueryInterface(c, &IID_IWbemContext, (void **)&same), S_OK);
  assert_ptr_equal(same, c);
  assert_hr(IWbemContext_QueryInterface(c, &IID_IUnknown, (void **)&unk), S_OK);
  assert_hr(IWbemContext_QueryInterface(c, &IID_IWbemServices, (void **)&unk), E_NOINTERFACE);
  assert_null(unk);
  IWbemContext_Release(same);
  IWbemContext_Release(c);                       /* the IUnknown reference */
  assert_int_equal(IWbemContext_Release(c), 0);
  assert_int_equal(IWbemContext_Release(copy), 0);
  assert_hr(wmiemu__context_new(NULL), WBEM_E_INVALID_PARAMETER);
}

/* ---- a provider implementing IWbemShutdown ---------------------------------------- */

static const char ctx_mof[] =
  "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n"
  "class CtxEvent : __ExtrinsicEvent { uint32 Seq; };\n"
  "[ThreadingModel(\"Both\")]\n"
  "instance of __Win32Provider as $P { Name = \"CtxProvider\"; CLSID = \"{3c1d5e7a-9b2f-4c64-8e0d-1a2b3c4d5e6f}\"; };\n"
  "instance of __EventProviderRegistration { Provider = $P; EventQueryList = { \"SELECT * FROM CtxEvent\" }; };\n";

static const CLSID clsid_ctx = { 0x3c1d5e7a, 0x9b2f, 0x4c64, { 0x8e, 0x0d, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f } };

typedef enum { PASS_GIVEN, PASS_NULL, PASS_CLONE } ctx_use_t;

typedef struct {
  IWbemProviderInit IWbemProviderInit_iface;
  IWbemEventProvider IWbemEventProvider_iface;
  IWbemShutdown IWbemShutdown_iface;
  LONG ref;
  IWbemServices *services;
  IWbemObjectSink *sink;
} ctx_provider_t;

static ctx_use_t ctx_use;
static int implement_shutdown;
static char ctx_log[512];
static IWbemContext *init_ctx_seen;
static LONG shutdown_calls;
static IWbemServices *current_services;

static void log_call(const char *s) {
  size_t n = strlen(ctx_log);
  snprintf(ctx_log + n, sizeof(ctx_log) - n, "%s%s", n ? "," : "", s);
}

FIXTURE_IMPL_FROM(ctx_provider_t, IWbemProviderInit)
FIXTURE_IMPL_FROM(ctx_provider_t, IWbemEventProvider)
FIXTURE_IMPL_FROM(ctx_provider_t, IWbemShutdown)

static HRESULT qi(ctx_provider_t *p, REFIID riid, void **ppv) {
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IWbemProviderInit))
    *ppv = &p->IWbemProviderInit_iface;
  else if (IsEqualIID(riid, &IID_IWbemEventProvider))
    *ppv = &p->IWbemEventProvider_iface;
  else if (implement_shutdown && IsEqualIID(riid, &IID_IWbemShutdown))
    *ppv = &p->IWbemShutdown_iface;
  else {
    *ppv = NULL;
    return E_NOINTERFACE;
  }
  InterlockedIncrement(&p->ref);
  return S_OK;
}

static ULONG addref(ctx_provider_t *p) { return InterlockedIncrement(&p->ref); }

static ULONG release(ctx_provider_t *p) {
  ULONG ref = InterlockedDecrement(&p->ref);
  if (ref)
    return ref;
  log_call("FinalRelease");
  if (p->sink) IWbemObjectSink_Release(p->sink);
  if (p->services) IWbemServices_Release(p->services);
  free(p);
  return 0;
}

FIXTURE_IUNKNOWN_METHODS(IWbemProviderInit, init)
FIXTURE_IUNKNOWN_METHODS(IWbemEventProvider, events)
FIXTURE_IUNKNOWN_METHODS(IWbemShutdown, shutdown)

static HRESULT WINAPI init_Initialize(IWbemProviderInit *i, LPWSTR user, LONG flags, LPWSTR ns, LPWSTR locale,
                                      IWbemServices *services, IWbemContext *ctx, IWbemProviderInitSink *sink) {
  ctx_provider_t *p = impl_from_IWbemProviderInit(i);
  IWbemClassObject *cls = NULL;
  IWbemContext *pass = ctx, *clone = NULL;
  BSTR name = SysAllocString(L"CtxEvent");
  (void)user; (void)flags; (void)ns; (void)locale;
  log_call("Initialize");
  init_ctx_seen = ctx;
  IWbemServices_AddRef(services);
  p->services = services;
  current_services = services;
  if (ctx_use == PASS_NULL)
    pass = NULL;
  else if (ctx_use == PASS_CLONE && ctx && SUCCEEDED(IWbemContext_Clone(ctx, &clone)))
    pass = clone;
  IWbemServices_GetObject(services, name, 0, pass, &cls, NULL);
  if (cls)
    IWbemClassObject_Release(cls);
  if (clone)
    IWbemContext_Release(clone);
  SysFreeString(name);
  IWbemProviderInitSink_SetStatus(sink, WBEM_S_INITIALIZED, 0);
  return WBEM_S_NO_ERROR;
}
static const IWbemProviderInitVtbl init_vtbl = { init_QueryInterface, init_AddRef, init_Release, init_Initialize };

static HRESULT WINAPI events_ProvideEvents(IWbemEventProvider *i, IWbemObjectSink *sink, LONG flags) {
  ctx_provider_t *p = impl_from_IWbemEventProvider(i);
  (void)flags;
  log_call("ProvideEvents");
  IWbemObjectSink_AddRef(sink);
  p->sink = sink;
  return WBEM_S_NO_ERROR;
}
static const IWbemEventProviderVtbl events_vtbl = { events_QueryInterface, events_AddRef, events_Release, events_ProvideEvents };

static HRESULT WINAPI shutdown_Shutdown(IWbemShutdown *i, LONG reason, ULONG max_ms, IWbemContext *ctx) {
  ctx_provider_t *p = impl_from_IWbemShutdown(i);
  char buf[64];
  InterlockedIncrement(&shutdown_calls);
  snprintf(buf, sizeof(buf), "Shutdown(%d,%u,%s)", (int)reason, (unsigned)max_ms, ctx ? "ctx" : "NULL");
  log_call(buf);
  /* What a provider does with the notice: let go of WMI's pointers early. */
  if (p->sink) {
    IWbemObjectSink_Release(p->sink);
    p->sink = NULL;
  }
  return WBEM_S_NO_ERROR;
}
static const IWbemShutdownVtbl shutdown_vtbl = { shutdown_QueryInterface, shutdown_AddRef, shutdown_Release, shutdown_Shutdown };

static HRESULT create(REFIID riid, void **ppv) {
  ctx_provider_t *p = calloc(1, sizeof(*p));
  HRESULT hr;
  p->IWbemProviderInit_iface.lpVtbl = &init_vtbl;
  p->IWbemEventProvider_iface.lpVtbl = &events_vtbl;
  p->IWbemShutdown_iface.lpVtbl = &shutdown_vtbl;
  p->ref = 1;
  hr = qi(p, riid, ppv);
  release(p);
  return hr;
}
static fixture_factory_t factory = FIXTURE_FACTORY(create);

static wmiemu_host_t *ctx_host(const wmiemu_host_options_t *opts, ctx_use_t use, int with_shutdown) {
  wmiemu_host_t *host = fixture_host(opts, NULL, NULL);
  ctx_use = use;
  implement_shutdown = with_shutdown;
  ctx_log[0] = 0;
  init_ctx_seen = NULL;
  shutdown_calls = 0;
  fixture_add_provider(host, "ctx.mof", ctx_mof, &clsid_ctx, &factory.IClassFactory_iface);
  return host;
}

/* Initialize gets a real context; passing it back breaks nothing. */
static void test_initialize_gets_a_context(void **state) {
  wmiemu_host_t *host = ctx_host(NULL, PASS_GIVEN, 0);
  wmiemu_sub_id_t id = 0;
  (void)state;
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM CtxEvent", NULL, NULL, &id), S_OK);
  assert_non_null(init_ctx_seen);
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  assert_int_equal(wmiemu_checker_count(wmiemu_host_checker(host)), 0);
  assert_string_equal(ctx_log, "Initialize,ProvideEvents,FinalRelease");   /* no IWbemShutdown: not called */
  wmiemu_host_free(host);
}

/* NULL or another context (even a clone of the right one) is rule init-context. */
static void test_other_context_is_a_violation(void **state) {
  const ctx_use_t uses[] = { PASS_NULL, PASS_CLONE };
  (void)state;
  for (size_t i = 0; i < 2; i++) {
    wmiemu_host_t *host = ctx_host(NULL, uses[i], 0);
    wmiemu_checker_t *checker = wmiemu_host_checker(host);
    wmiemu_violation_t v;
    wmiemu_sub_id_t id = 0;
    assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM CtxEvent", NULL, NULL, &id), S_OK);
    assert_int_equal(wmiemu_checker_count_rule(checker, WMIEMU_RULE_INIT_CONTEXT), 1);
    assert_int_equal(wmiemu_checker_get(checker, 0, &v), 0);
    assert_string_equal(v.rule_id, "init-context");
    assert_string_equal(v.call, "Initialize");
    assert_string_equal(v.provider, "CtxProvider");
    assert_non_null(strstr(v.detail, uses[i] == PASS_NULL ? "NULL" : "another"));
    wmiemu_host_free(host);
  }
}

/* Outside Initialize the context is the provider's business. */
static void test_context_only_checked_in_initialize(void **state) {
  wmiemu_host_t *host = ctx_host(NULL, PASS_GIVEN, 0);
  wmiemu_sub_id_t id = 0;
  IWbemClassObject *cls = NULL;
  BSTR name = SysAllocString(L"CtxEvent");
  (void)state;
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM CtxEvent", NULL, NULL, &id), S_OK);
  /* The test thread services no WMI call: NULL is fine here. */
  assert_hr(IWbemServices_GetObject(current_services, name, 0, NULL, &cls, NULL), S_OK);
  IWbemClassObject_Release(cls);
  assert_int_equal(wmiemu_checker_count(wmiemu_host_checker(host)), 0);
  wmiemu_host_free(host);
  SysFreeString(name);
}

/* IWbemShutdown::Shutdown comes once, after the last CancelQuery and
 * before the final Release, with its reserved arguments 0, 0, NULL. */
static void test_shutdown_before_final_release(void **state) {
  wmiemu_host_t *host = ctx_host(NULL, PASS_GIVEN, 1);
  wmiemu_sub_id_t id = 0;
  (void)state;
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM CtxEvent", NULL, NULL, &id), S_OK);
  assert_int_equal(shutdown_calls, 0);
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  assert_string_equal(ctx_log, "Initialize,ProvideEvents,Shutdown(0,0,NULL),FinalRelease");
  assert_int_equal(shutdown_calls, 1);
  assert_hr(wmiemu_host_shutdown(host), S_OK);     /* again: nothing more */
  assert_int_equal(shutdown_calls, 1);
  assert_int_equal(wmiemu_checker_count(wmiemu_host_checker(host)), 0);
  wmiemu_host_free(host);
  assert_int_equal(shutdown_calls, 1);
}

/* Unloading an idle provider is the same goodbye. */
static void test_shutdown_on_idle_unload(void **state) {
  wmiemu_host_options_t opts;
  wmiemu_host_t *host;
  wmiemu_sub_id_t id = 0;
  (void)state;
  wmiemu_host_options_init(&opts);
  opts.unload_when_idle = 1;
  host = ctx_host(&opts, PASS_GIVEN, 1);
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM CtxEvent", NULL, NULL, &id), S_OK);
  assert_hr(wmiemu_host_unsubscribe(host, id), S_OK);
  assert_string_equal(ctx_log, "Initialize,ProvideEvents,Shutdown(0,0,NULL),FinalRelease");
  assert_int_equal(shutdown_calls, 1);
  wmiemu_host_free(host);
  assert_int_equal(shutdown_calls, 1);
}

/* The context Initialize was given, once lent: a Release below the host's
 * own reference is rule extra-release and the count stays; when the host
 * lets it go it is a tombstone that answers every method, and a Release
 * the provider does not hold then is counted process-wide. */
static void test_lent_context_becomes_a_tombstone(void **state) {
  wmiemu_host_t *host;
  IWbemContext *ctx = NULL;
  VARIANT v;
  char last[640];
  uint64_t before;
  (void)state;
  assert_hr(wmiemu_host_new(NULL, &host), S_OK);
  assert_hr(wmiemu__context_new(&ctx), WBEM_S_NO_ERROR);
  set_i4(ctx, L"Depth", 3);
  wmiemu__context_lend(ctx, host, "P");           /* the host's reference: 2 */
  IWbemContext_Release(ctx);                       /* the creator's: 1 */
  assert_int_equal(wmiemu_checker_count_rule(wmiemu_host_checker(host), WMIEMU_RULE_EXTRA_RELEASE), 0);
  assert_int_equal(IWbemContext_Release(ctx), 1);  /* one the provider never had */
  assert_int_equal(wmiemu_checker_count_rule(wmiemu_host_checker(host), WMIEMU_RULE_EXTRA_RELEASE), 1);
  IWbemContext_AddRef(ctx);                        /* the provider keeps one: 2 */
  wmiemu__context_unlend(ctx);                     /* the host lets go: a tombstone */
  VariantInit(&v);
  V_VT(&v) = VT_I4;
  assert_hr(IWbemContext_GetValue(ctx, L"Depth", 0, &v), WBEM_E_SHUTTING_DOWN);
  assert_int_equal(V_VT(&v), VT_EMPTY);
  wmiemu_host_free(host);
  before = wmiemu_host_late_calls(NULL, 0);
  assert_int_equal(IWbemContext_Release(ctx), 0);  /* the provider's own */
  assert_int_equal(wmiemu_host_late_calls(NULL, 0), before);
  assert_int_equal(IWbemContext_Release(ctx), 0);  /* and one more */
  assert_int_equal(wmiemu_host_late_calls(last, sizeof(last)), before + 1);
  assert_non_null(strstr(last, "rule extra-release"));
  assert_non_null(strstr(last, "Initialize's IWbemContext"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_values),
    cmocka_unit_test(test_names_and_enumeration),
    cmocka_unit_test(test_clone_and_qi),
    cmocka_unit_test(test_initialize_gets_a_context),
    cmocka_unit_test(test_other_context_is_a_violation),
    cmocka_unit_test(test_context_only_checked_in_initialize),
    cmocka_unit_test(test_shutdown_before_final_release),
    cmocka_unit_test(test_shutdown_on_idle_unload),
    cmocka_unit_test(test_lent_context_becomes_a_tombstone),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
