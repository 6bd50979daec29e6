/* docs/contract.md#lifecycle, steps 1-7, on a provider compiled into the test: the order
 * of calls, asynchronous SetStatus, failures, AccessCheck, the sink's
 * IsActive / restricted sinks / batching / security, and IWbemServices. */
#include "host/test_provider.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

static void test_call_order(void **state) {
  wmiemu_host_t *host = test_provider_host(NULL, NULL);
  wmiemu_sub_id_t a = 0, b = 0;
  wmiemu_provider_state_t ps;
  (void)state;
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent", NULL, NULL, &a), S_OK);
  assert_string_equal(test_provider_log(),
                      "SetRegistrationObject(named),Initialize(NULL,root\\cimv2,MS_409),ProvideEvents,"
                      "AccessCheck,NewQuery(1,W)");
  assert_int_equal(test_provider_last_sid_length(), 0);     /* temporary consumer */
  test_provider_clear_log();
  assert_hr(wmiemu_host_subscribe(host, "root\\cimv2", "SELECT * FROM TestEvent WHERE Seq > 3", NULL, NULL, &b), S_OK);
  assert_string_equal(test_provider_log(), "AccessCheck,NewQuery(2,W)");   /* ProvideEvents once */
  test_provider_clear_log();
  assert_hr(wmiemu_host_unsubscribe(host, a), S_OK);
  assert_string_equal(test_provider_log(), "CancelQuery(1)");
  test_provider_clear_log();
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  assert_string_equal(test_provider_log(), "CancelQuery(2),FinalRelease");
  assert_int_equal(test_provider_objects(), 0);
  assert_hr(wmiemu_host_provider_state(host, NULL, "TestProvider", &ps), S_OK);
  assert_int_equal(ps, WMIEMU_PROVIDER_RELEASED);
  assert_int_equal(wmiemu_checker_count(wmiemu_host_checker(host)), 0);
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent", NULL, NULL, &a), WBEM_E_SHUTTING_DOWN);
  wmiemu_host_free(host);
}

static void test_unload_when_idle(void **state) {
  wmiemu_host_options_t opts;
  wmiemu_host_t *host;
  wmiemu_sub_id_t a = 0;
  (void)state;
  wmiemu_host_options_init(&opts);
  opts.unload_when_idle = 1;
  host = test_provider_host(&opts, NULL);
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent", NULL, NULL, &a), S_OK);
  test_provider_clear_log();
  assert_hr(wmiemu_host_unsubscribe(host, a), S_OK);
  assert_string_equal(test_provider_log(), "CancelQuery(1),FinalRelease");
  /* A new consumer loads it again. */
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent", NULL, NULL, &a), S_OK);
  assert_int_equal(test_provider_objects(), 1);
  wmiemu_host_free(host);
  assert_int_equal(test_provider_objects(), 0);
}

static void test_async_set_status(void **state) {
  test_provider_options_t popts = { .async_status = 1, .init_status = WBEM_S_INITIALIZED };
  wmiemu_host_t *host = test_provider_host(NULL, &popts);
  wmiemu_sub_id_t id = 0;
  (void)state;
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent", NULL, NULL, &id), S_OK);
  assert_non_null(strstr(test_provider_log(), "ProvideEvents"));
  test_provider_join();
  wmiemu_host_free(host);
}

static void test_failed_status(void **state) {
  test_provider_options_t popts = { .async_status = 1, .init_status = (LONG)WBEM_E_FAILED };
  wmiemu_host_t *host = test_provider_host(NULL, &popts);
  wmiemu_provider_state_t ps;
  wmiemu_sub_id_t id = 0;
  (void)state;
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent", NULL, NULL, &id), WBEM_E_PROVIDER_LOAD_FAILURE);
  assert_int_equal(id, 0);
  assert_non_null(strstr(wmiemu_host_last_error(host), "Initialize failed"));
  assert_null(strstr(test_provider_log(), "ProvideEvents"));
  assert_hr(wmiemu_host_provider_state(host, NULL, "TestProvider", &ps), S_OK);
  assert_int_equal(ps, WMIEMU_PROVIDER_FAILED);
  assert_int_equal(test_provider_objects(), 0);    /* released on failure */
  test_provider_join();
  wmiemu_host_free(host);
}

static void test_access_denied(void **state) {
  test_provider_options_t popts = { .deny_access = 1 };
  wmiemu_host_t *host = test_provider_host(NULL, &popts);
  static const BYTE sid[12] = { 1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0 };
  wmiemu_subscribe_options_t so = { .sid = sid, .sid_length = sizeof(sid) };
  wmiemu_sub_id_t id = 0;
  (void)state;
  assert_hr(wmiemu_host_subscribe_ex(host, NULL, "SELECT * FROM TestEvent", &so, NULL, NULL, &id), WBEM_E_ACCESS_DENIED);
  assert_int_equal(test_provider_last_sid_length(), sizeof(sid));
  assert_null(strstr(test_provider_log(), "NewQuery"));
  so.sid = NULL;
  assert_hr(wmiemu_host_subscribe_ex(host, NULL, "SELECT * FROM TestEvent", &so, NULL, NULL, &id), WBEM_E_INVALID_PARAMETER);
  wmiemu_host_free(host);
}

static void test_bad_queries(void **state) {
  wmiemu_host_t *host = test_provider_host(NULL, NULL);
  wmiemu_sub_id_t id = 0;
  (void)state;
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM", NULL, NULL, &id), WBEM_E_INVALID_QUERY);
  assert_non_null(strstr(wmiemu_host_last_error(host), "query:1:"));
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM NoSuchClass", NULL, NULL, &id), WBEM_E_INVALID_CLASS);
  assert_hr(wmiemu_host_subscribe(host, "root\\nowhere", "SELECT * FROM TestEvent", NULL, NULL, &id), WBEM_E_INVALID_NAMESPACE);
  assert_hr(wmiemu_host_subscribe(host, NULL, NULL, NULL, NULL, &id), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu_host_subscribe(NULL, NULL, "SELECT * FROM TestEvent", NULL, NULL, &id), WBEM_E_INVALID_PARAMETER);
  assert_hr(wmiemu_host_unsubscribe(host, 77), WBEM_E_NOT_FOUND);
  assert_int_equal(test_provider_objects(), 0);     /* nothing activated */
  wmiemu_host_free(host);
}

static void test_sink_is_active_follows_interest(void **state) {
  wmiemu_host_t *host = test_provider_host(NULL, NULL);
  IWbemEventSink *sink = NULL;
  wmiemu_sub_id_t id = 0;
  (void)state;
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent", NULL, NULL, &id), S_OK);
  assert_hr(IWbemObjectSink_QueryInterface(test_provider_sink(test_provider_current()), &IID_IWbemEventSink,
                                           (void **)&sink), S_OK);
  assert_hr(IWbemEventSink_IsActive(sink), WBEM_S_NO_ERROR);
  assert_hr(wmiemu_host_unsubscribe(host, id), S_OK);
  assert_hr(IWbemEventSink_IsActive(sink), WBEM_S_FALSE);
  IWbemEventSink_Release(sink);
  wmiemu_host_free(host);
}

typedef struct { unsigned count; WCHAR last_tag[8]; } tags_t;

static void record_tag(void *ctx, const wmiemu_event_t *e) {
  tags_t *t = ctx;
  VARIANT v;
  VariantInit(&v);
  t->count++;
  if (SUCCEEDED(IWbemClassObject_Get(e->event, L"Tag", 0, &v, NULL, NULL)) && V_VT(&v) == VT_BSTR)
    wmiemu_wcsncpy(t->last_tag, V_BSTR(&v), 7);
  VariantClear(&v);
}

static void test_restricted_sink(void **state) {
  wmiemu_host_t *host = test_provider_host(NULL, NULL);
  IWbemEventSink *sink = NULL, *restricted = NULL, *unrelated = NULL;
  LPCWSTR queries[] = { L"SELECT * FROM TestEvent WHERE Tag = \"r\"" };
  LPCWSTR bad[] = { L"SELECT * FRUM TestEvent" };
  wmiemu_counters_t c;
  wmiemu_sub_id_t id = 0;
  tags_t tags = { 0 };
  (void)state;
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent", record_tag, &tags, &id), S_OK);
  IWbemObjectSink_QueryInterface(test_provider_sink(test_provider_current()), &IID_IWbemEventSink, (void **)&sink);
  assert_hr(IWbemEventSink_GetRestrictedSink(sink, 1, queries, NULL, &restricted), S_OK);
  assert_hr(IWbemEventSink_GetRestrictedSink(sink, 1, bad, NULL, &unrelated), WBEM_E_INVALID_QUERY);
  assert_null(unrelated);
  assert_hr(IWbemEventSink_GetRestrictedSink(sink, 0, queries, NULL, &unrelated), WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemEventSink_IsActive(restricted), WBEM_S_NO_ERROR);
  assert_hr(test_provider_fire(test_provider_current(), (IWbemObjectSink *)restricted, 1, 0, L"x"), S_OK);
  assert_hr(test_provider_fire(test_provider_current(), (IWbemObjectSink *)restricted, 2, 0, L"r"), S_OK);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(tags.count, 1);
  assert_true(tags.last_tag[0] == 'r');
  assert_hr(wmiemu_host_counters(host, id, &c), S_OK);
  assert_int_equal(c.indicated, 2);
  assert_int_equal(c.filtered, 1);
  IWbemEventSink_Release(restricted);
  IWbemEventSink_Release(sink);
  fixture_host_close(host);
}

/* GetRestrictedSink's callback: an IWbemEventProviderQuerySink told of the
 * subscriptions that overlap the restricted queries. */
typedef struct {
  IWbemEventProviderQuerySink IWbemEventProviderQuerySink_iface;
  LONG ref;
  char log[256];
} callback_t;

static callback_t *impl_from_callback(IWbemEventProviderQuerySink *i) {
  return CONTAINING_RECORD(i, callback_t, IWbemEventProviderQuerySink_iface);
}
static HRESULT WINAPI cb_QueryInterface(IWbemEventProviderQuerySink *i, REFIID riid, void **ppv) {
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IWbemEventProviderQuerySink)) {
    *ppv = i;
    InterlockedIncrement(&impl_from_callback(i)->ref);
    return S_OK;
  }
  *ppv = NULL;
  return E_NOINTERFACE;
}
static ULONG WINAPI cb_AddRef(IWbemEventProviderQuerySink *i) { return InterlockedIncrement(&impl_from_callback(i)->ref); }
static ULONG WINAPI cb_Release(IWbemEventProviderQuerySink *i) { return InterlockedDecrement(&impl_from_callback(i)->ref); }
static void cb_log(callback_t *c, const char *what, ULONG id) {
  size_t n = strlen(c->log);
  snprintf(c->log + n, sizeof(c->log) - n, "%s%s(%lu)", n ? "," : "", what, (unsigned long)id);
}
static HRESULT WINAPI cb_NewQuery(IWbemEventProviderQuerySink *i, ULONG id, LPWSTR lang, LPWSTR query) {
  assert_true(lang[0] == 'W' && query != NULL);
  cb_log(impl_from_callback(i), "NewQuery", id);
  return WBEM_S_NO_ERROR;
}
static HRESULT WINAPI cb_CancelQuery(IWbemEventProviderQuerySink *i, ULONG id) {
  cb_log(impl_from_callback(i), "CancelQuery", id);
  return WBEM_S_NO_ERROR;
}
static const IWbemEventProviderQuerySinkVtbl cb_vtbl = { cb_QueryInterface, cb_AddRef, cb_Release, cb_NewQuery, cb_CancelQuery };

/* A plain IUnknown callback (no query sink): kept, never called. */
static HRESULT WINAPI plain_QueryInterface(IUnknown *i, REFIID riid, void **ppv) {
  if (IsEqualIID(riid, &IID_IUnknown)) {
    *ppv = i;
    return S_OK;
  }
  *ppv = NULL;
  return E_NOINTERFACE;
}
static LONG plain_refs = 1;
static ULONG WINAPI plain_AddRef(IUnknown *i) { (void)i; return InterlockedIncrement(&plain_refs); }
static ULONG WINAPI plain_Release(IUnknown *i) { (void)i; return InterlockedDecrement(&plain_refs); }
static const IUnknownVtbl plain_vtbl = { plain_QueryInterface, plain_AddRef, plain_Release };

static void test_restricted_sink_callback(void **state) {
  wmiemu_host_t *host = test_provider_host(NULL, NULL);
  callback_t cb = { { &cb_vtbl }, 1, "" };
  IUnknown plain = { &plain_vtbl };
  IWbemEventSink *sink = NULL, *restricted = NULL, *other = NULL;
  LPCWSTR queries[] = { L"SELECT * FROM TestEvent WHERE Tag = \"r\"" };
  wmiemu_sub_id_t before = 0, during = 0;
  (void)state;
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent", NULL, NULL, &before), S_OK);
  IWbemObjectSink_QueryInterface(test_provider_sink(test_provider_current()), &IID_IWbemEventSink, (void **)&sink);
  assert_hr(IWbemEventSink_GetRestrictedSink(sink, 1, queries, (IUnknown *)&cb.IWbemEventProviderQuerySink_iface,
                                             &restricted), S_OK);
  assert_hr(IWbemEventSink_GetRestrictedSink(sink, 1, queries, &plain, &other), S_OK);
  assert_int_equal(plain_refs, 2);                  /* kept while the sink lives */
  assert_string_equal(cb.log, "");                  /* nothing announced retroactively */
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent WHERE Tag = \"r\"", NULL, NULL, &during), S_OK);
  assert_int_equal(during, 2);
  assert_string_equal(cb.log, "NewQuery(2)");
  assert_hr(wmiemu_host_unsubscribe(host, during), S_OK);
  assert_string_equal(cb.log, "NewQuery(2),CancelQuery(2)");
  assert_hr(wmiemu_host_unsubscribe(host, before), S_OK);   /* never announced: no CancelQuery */
  assert_string_equal(cb.log, "NewQuery(2),CancelQuery(2)");
  IWbemEventSink_Release(other);
  IWbemEventSink_Release(restricted);
  IWbemEventSink_Release(sink);
  assert_hr(wmiemu_host_shutdown(host), S_OK);
  assert_int_equal(wmiemu_checker_count(wmiemu_host_checker(host)), 0);
  assert_int_equal(cb.ref, 2);                      /* the restricted sink's own reference */
  wmiemu_host_free(host);
  assert_int_equal(cb.ref, 1);                      /* released with the sink */
  assert_int_equal(plain_refs, 1);
}

static void test_batching_parameters(void **state) {
  wmiemu_host_t *host = test_provider_host(NULL, NULL);
  test_provider_t *p;
  IWbemEventSink *sink = NULL;
  wmiemu_sub_id_t id = 0;
  tags_t tags = { 0 };
  (void)state;
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent", record_tag, &tags, &id), S_OK);
  p = test_provider_current();
  IWbemObjectSink_QueryInterface(test_provider_sink(p), &IID_IWbemEventSink, (void **)&sink);
  assert_hr(IWbemEventSink_SetBatchingParameters(sink, 7, 10, 10), WBEM_E_INVALID_PARAMETER);
  /* Hold until five events wait. */
  assert_hr(IWbemEventSink_SetBatchingParameters(sink, WBEM_FLAG_MUST_BATCH, 5, WBEM_INFINITE), S_OK);
  for (int i = 1; i <= 3; i++)
    test_provider_fire(p, (IWbemObjectSink *)sink, i, 0, NULL);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(tags.count, 0);
  for (int i = 4; i <= 5; i++)
    test_provider_fire(p, (IWbemObjectSink *)sink, i, 0, NULL);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(tags.count, 5);
  /* Or until the latency passed. */
  assert_hr(IWbemEventSink_SetBatchingParameters(sink, WBEM_FLAG_MUST_BATCH, 100, 20), S_OK);
  test_provider_fire(p, (IWbemObjectSink *)sink, 6, 0, NULL);
  assert_hr(wmiemu_host_run_until_events(host, 6, 5000), S_OK);
  assert_int_equal(tags.count, 6);
  /* Off again: immediate. */
  assert_hr(IWbemEventSink_SetBatchingParameters(sink, WBEM_FLAG_MUST_NOT_BATCH, 0, 0), S_OK);
  test_provider_fire(p, (IWbemObjectSink *)sink, 7, 0, NULL);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(tags.count, 7);
  IWbemEventSink_Release(sink);
  fixture_assert_balanced(host, id);
  wmiemu_host_free(host);
}

static void test_sink_security_and_set_status(void **state) {
  wmiemu_host_t *host = test_provider_host(NULL, NULL);
  IWbemEventSink *sink = NULL;
  BYTE sd[20] = { 1, 0, 4, 0x80 };
  wmiemu_sub_id_t id = 0;
  (void)state;
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent", NULL, NULL, &id), S_OK);
  IWbemObjectSink_QueryInterface(test_provider_sink(test_provider_current()), &IID_IWbemEventSink, (void **)&sink);
  assert_hr(IWbemEventSink_SetSinkSecurity(sink, sizeof(sd), sd), S_OK);
  assert_hr(IWbemEventSink_SetSinkSecurity(sink, -1, sd), WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemEventSink_SetSinkSecurity(sink, 4, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemEventSink_SetSinkSecurity(sink, 0, NULL), S_OK);
  assert_int_equal(wmiemu_checker_count(wmiemu_host_checker(host)), 0);
  IWbemEventSink_SetStatus(sink, WBEM_STATUS_COMPLETE, S_OK, NULL, NULL);
  assert_int_equal(wmiemu_checker_count_rule(wmiemu_host_checker(host), WMIEMU_RULE_SINK_SET_STATUS), 1);
  IWbemEventSink_Release(sink);
  wmiemu_host_free(host);
}

/* The host keeps a copy: what the provider does to its object after
 * Indicate returns does not reach the consumer. */
static void test_objects_copied_before_indicate_returns(void **state) {
  wmiemu_host_t *host = test_provider_host(NULL, NULL);
  IWbemClassObject *cls = NULL, *event = NULL;
  wmiemu_sub_id_t id = 0;
  tags_t tags = { 0 };
  VARIANT v;
  (void)state;
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent", record_tag, &tags, &id), S_OK);
  assert_hr(wmiemu_repo_get_class(wmiemu_host_repo(host), L"root\\cimv2", L"TestEvent", &cls), S_OK);
  IWbemClassObject_SpawnInstance(cls, 0, &event);
  V_VT(&v) = VT_BSTR;
  V_BSTR(&v) = SysAllocString(L"one");
  IWbemClassObject_Put(event, L"Tag", 0, &v, 0);
  VariantClear(&v);
  assert_hr(IWbemObjectSink_Indicate(test_provider_sink(test_provider_current()), 1, &event), S_OK);
  V_VT(&v) = VT_BSTR;
  V_BSTR(&v) = SysAllocString(L"two");
  IWbemClassObject_Put(event, L"Tag", 0, &v, 0);
  VariantClear(&v);
  IWbemClassObject_Release(event);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(tags.count, 1);
  assert_true(tags.last_tag[0] == 'o' && tags.last_tag[1] == 'n' && tags.last_tag[2] == 'e');
  IWbemClassObject_Release(cls);
  wmiemu_host_free(host);
}

static void test_services(void **state) {
  wmiemu_host_t *host = test_provider_host(NULL, NULL);
  IWbemServices *services;
  IWbemClassObject *obj = NULL;
  IEnumWbemClassObject *e = NULL;
  IWbemServices *other = NULL;
  BSTR path = SysAllocString(L"TestEvent"), missing = SysAllocString(L"Nope"), wql = SysAllocString(L"WQL");
  wmiemu_sub_id_t id = 0;
  (void)state;
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent", NULL, NULL, &id), S_OK);
  services = test_provider_services(test_provider_current());
  assert_hr(IWbemServices_GetObject(services, path, 0, NULL, &obj, NULL), S_OK);
  assert_non_null(obj);
  IWbemClassObject_Release(obj);
  assert_hr(IWbemServices_GetObject(services, missing, 0, NULL, &obj, NULL), WBEM_E_INVALID_CLASS);
  assert_hr(IWbemServices_GetObject(services, NULL, 0, NULL, &obj, NULL), WBEM_E_INVALID_PARAMETER);
  /* "TestEvent" is no WQL query, nor a child namespace (test_services.c
   * covers what these calls do) */
  assert_hr(IWbemServices_ExecQuery(services, wql, path, 0, NULL, &e), WBEM_E_INVALID_QUERY);
  assert_null(e);
  assert_hr(IWbemServices_OpenNamespace(services, path, 0, NULL, &other, NULL), WBEM_E_INVALID_NAMESPACE);
  assert_hr(IWbemServices_CreateInstanceEnum(services, path, 0, NULL, &e), S_OK);
  IEnumWbemClassObject_Release(e);
  e = NULL;
  /* Outside a WMI call event-related calls are allowed (just unsupported). */
  assert_hr(IWbemServices_ExecNotificationQuery(services, wql, path, 0, NULL, &e), WBEM_E_NOT_SUPPORTED);
  assert_int_equal(wmiemu_checker_count(wmiemu_host_checker(host)), 0);
  wmiemu_host_free(host);
  SysFreeString(path);
  SysFreeString(missing);
  SysFreeString(wql);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_call_order),
    cmocka_unit_test(test_unload_when_idle),
    cmocka_unit_test(test_async_set_status),
    cmocka_unit_test(test_failed_status),
    cmocka_unit_test(test_access_denied),
    cmocka_unit_test(test_bad_queries),
    cmocka_unit_test(test_sink_is_active_follows_interest),
    cmocka_unit_test(test_restricted_sink),
    cmocka_unit_test(test_restricted_sink_callback),
    cmocka_unit_test(test_batching_parameters),
    cmocka_unit_test(test_sink_security_and_set_status),
    cmocka_unit_test(test_objects_copied_before_indicate_returns),
    cmocka_unit_test(test_services),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
