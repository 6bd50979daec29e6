/* The provider skeleton (provider/common) the broken, race, in-process and
 * test providers share: its class factory and module exports, which
 * optional interfaces QueryInterface hands out, the order of its hooks, the
 * sink and query bookkeeping, AccessCheck's argument check, and Initialize
 * against a real host. */
#include "host/host_fixture.h"

#include "provider_skeleton.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

static const CLSID clsid_skel = { 0x5e1e7000, 0x1d2c, 0x4b3a, { 0x9f, 0x8e, 0x7d, 0x6c, 0x5b, 0x4a, 0x39, 0x28 } };

/* ---- a sink that counts its references ------------------------------------ */

typedef struct {
  IWbemObjectSink IWbemObjectSink_iface;
  LONG refs;
} fake_sink_t;

static inline fake_sink_t *impl_from_IWbemObjectSink(IWbemObjectSink *iface) {
  return CONTAINING_RECORD(iface, fake_sink_t, IWbemObjectSink_iface);
}
static HRESULT WINAPI sink_QueryInterface(IWbemObjectSink *iface, REFIID riid, void **ppv) {
  (void)iface; (void)riid;
  *ppv = NULL;
  return E_NOINTERFACE;
}
static ULONG WINAPI sink_AddRef(IWbemObjectSink *iface) {
  return InterlockedIncrement(&impl_from_IWbemObjectSink(iface)->refs);
}
static ULONG WINAPI sink_Release(IWbemObjectSink *iface) {
  return InterlockedDecrement(&impl_from_IWbemObjectSink(iface)->refs);
}
static HRESULT WINAPI sink_Indicate(IWbemObjectSink *iface, LONG n, IWbemClassObject **objs) {
  (void)iface; (void)n; (void)objs;
  return WBEM_S_NO_ERROR;
}
static HRESULT WINAPI sink_SetStatus(IWbemObjectSink *iface, LONG flags, HRESULT hr, BSTR s, IWbemClassObject *o) {
  (void)iface; (void)flags; (void)hr; (void)s; (void)o;
  return WBEM_S_NO_ERROR;
}
static const IWbemObjectSinkVtbl fake_sink_vtbl = {
  sink_QueryInterface, sink_AddRef, sink_Release, sink_Indicate, sink_SetStatus,
};

/* ---- hooks that record what they saw ---------------------------------------- */

static char calls[256];
static HRESULT construct_result;
static LONG sink_refs_at_final_release = -1, sink_refs_at_destroy = -1;
static fake_sink_t *watched;

static void record(const char *what) {
  size_t n = strlen(calls);
  snprintf(calls + n, sizeof calls - n, "%s%s", n ? "," : "", what);
}

static HRESULT construct(provider_object *p) {
  (void)p;
  record("construct");
  return construct_result;
}
static void final_release(provider_object *p) {
  record("final_release");
  assert_ptr_equal(p->sink, watched ? &watched->IWbemObjectSink_iface : NULL);
  sink_refs_at_final_release = watched ? watched->refs : -1;
}
static void destroy(provider_object *p) {
  (void)p;
  record("destroy");
  sink_refs_at_destroy = watched ? watched->refs : -1;
}
static HRESULT provide_events(provider_object *p, IWbemObjectSink *sink, LONG flags) {
  assert_ptr_equal(p->sink, sink);
  assert_int_equal(flags, 7);
  record("provide_events");
  return WBEM_S_FALSE;
}
static HRESULT new_query(provider_object *p, ULONG id, LPWSTR language, LPWSTR query) {
  char buf[64];
  snprintf(buf, sizeof buf, "new_query(%lu,%c,%c,%ld)", (unsigned long)id, (char)language[0], (char)query[0],
           (long)p->queries);
  record(buf);
  return WBEM_S_NO_ERROR;
}
static HRESULT cancel_query(provider_object *p, ULONG id) {
  char buf[48];
  snprintf(buf, sizeof buf, "cancel_query(%lu,%ld)", (unsigned long)id, (long)p->queries);
  record(buf);
  return WBEM_S_NO_ERROR;
}
static HRESULT access_check(provider_object *p, LPCWSTR language, LPCWSTR query, LONG sid_length, const BYTE *sid) {
  (void)p; (void)language; (void)query; (void)sid;
  record(sid_length ? "access_check(sid)" : "access_check");
  return WBEM_E_ACCESS_DENIED;
}
static HRESULT set_registration_object(provider_object *p, LONG flags, IWbemClassObject *reg) {
  (void)p; (void)flags; (void)reg;
  record("set_registration_object");
  return WBEM_S_FALSE;
}

static const provider_hooks query_sink_only = {
  .clsid = &clsid_skel,
  .query_sink = &provider_query_sink_vtbl,
  .construct = construct,
  .final_release = final_release,
  .destroy = destroy,
  .provide_events = provide_events,
  .new_query = new_query,
  .cancel_query = cancel_query,
};

static const provider_hooks everything_locked = {
  .locked = TRUE,
  .query_sink = &provider_query_sink_vtbl,
  .security = &provider_security_vtbl,
  .identity = &provider_identity_vtbl,
  .new_query = new_query,
  .cancel_query = cancel_query,
  .access_check = access_check,
  .set_registration_object = set_registration_object,
};

static const provider_hooks bare = { 0 };

static int reset(void **state) {
  (void)state;
  calls[0] = 0;
  construct_result = S_OK;
  sink_refs_at_final_release = sink_refs_at_destroy = -1;
  watched = NULL;
  return 0;
}

static IUnknown *create(provider_class *cls) {
  IUnknown *unk = NULL;
  assert_hr(IClassFactory_CreateInstance(&cls->IClassFactory_iface, NULL, &IID_IUnknown, (void **)&unk), S_OK);
  return unk;
}

/* ---- tests ------------------------------------------------------------------- */

static void test_factory_and_exports(void **state) {
  provider_class cls = PROVIDER_CLASS(&query_sink_only), anonymous = PROVIDER_CLASS(&bare);
  static const CLSID other = { 1, 2, 3, { 4, 5, 6, 7, 8, 9, 10, 11 } };
  IClassFactory *f = (void *)1;
  IUnknown *unk, outer = { NULL };
  void *obj = (void *)1;
  (void)state;
  assert_hr(provider_get_class_object(&cls, &clsid_skel, &IID_IClassFactory, NULL), E_POINTER);
  assert_hr(provider_get_class_object(&cls, &other, &IID_IClassFactory, (void **)&f), CLASS_E_CLASSNOTAVAILABLE);
  assert_null(f);
  assert_hr(provider_get_class_object(&anonymous, &clsid_skel, &IID_IClassFactory, (void **)&f),
            CLASS_E_CLASSNOTAVAILABLE);
  assert_hr(provider_get_class_object(&cls, &clsid_skel, &IID_IWbemServices, (void **)&f), E_NOINTERFACE);
  assert_hr(provider_get_class_object(&cls, &clsid_skel, &IID_IClassFactory, (void **)&f), S_OK);
  assert_ptr_equal(f, &cls.IClassFactory_iface);

  assert_hr(IClassFactory_CreateInstance(f, NULL, &IID_IUnknown, NULL), E_POINTER);
  assert_hr(IClassFactory_CreateInstance(f, &outer, &IID_IUnknown, &obj), CLASS_E_NOAGGREGATION);
  assert_null(obj);
  assert_hr(IClassFactory_CreateInstance(f, NULL, &IID_IWbemEventProviderSecurity, &obj), E_NOINTERFACE);
  assert_null(obj);
  assert_int_equal(cls.objects, 0);   /* refused and freed */
  assert_string_equal(calls, "construct,final_release,destroy");

  assert_hr(provider_can_unload_now(&cls), S_OK);
  unk = create(&cls);
  assert_int_equal(cls.objects, 1);
  assert_hr(provider_can_unload_now(&cls), S_FALSE);
  assert_int_equal(IUnknown_Release(unk), 0);
  assert_int_equal(cls.objects, 0);
  assert_hr(provider_can_unload_now(&cls), S_OK);
  assert_hr(IClassFactory_LockServer(f, TRUE), S_OK);
  assert_hr(provider_can_unload_now(&cls), S_FALSE);
  assert_hr(IClassFactory_LockServer(f, FALSE), S_OK);
  cls.busy = 1;
  assert_hr(provider_can_unload_now(&cls), S_FALSE);
  cls.busy = 0;
  assert_hr(provider_can_unload_now(&cls), S_OK);
  IClassFactory_Release(f);
}

/* A failed construct is CreateInstance's result; nothing else runs. */
static void test_construct_fails(void **state) {
  provider_class cls = PROVIDER_CLASS(&query_sink_only);
  void *obj = (void *)1;
  (void)state;
  construct_result = E_OUTOFMEMORY;
  assert_hr(IClassFactory_CreateInstance(&cls.IClassFactory_iface, NULL, &IID_IUnknown, &obj), E_OUTOFMEMORY);
  assert_null(obj);
  assert_int_equal(cls.objects, 0);
  assert_string_equal(calls, "construct");
}

/* QueryInterface hands out the optional interfaces the hooks name, and
 * only those, the same from every interface; all share one count. */
static void test_interfaces(void **state) {
  provider_class some = PROVIDER_CLASS(&query_sink_only), all = PROVIDER_CLASS(&everything_locked);
  IUnknown *unk = create(&some), *back;
  void *obj = (void *)1;
  IWbemEventProviderQuerySink *qs;
  (void)state;
  assert_hr(IUnknown_QueryInterface(unk, &IID_IWbemEventProviderSecurity, &obj), E_NOINTERFACE);
  assert_null(obj);
  assert_hr(IUnknown_QueryInterface(unk, &IID_IWbemProviderIdentity, &obj), E_NOINTERFACE);
  assert_hr(IUnknown_QueryInterface(unk, &IID_IWbemShutdown, &obj), E_NOINTERFACE);
  assert_hr(IUnknown_QueryInterface(unk, &IID_IWbemEventProviderQuerySink, NULL), E_POINTER);
  assert_hr(IUnknown_QueryInterface(unk, &IID_IWbemEventProviderQuerySink, (void **)&qs), S_OK);
  assert_hr(IWbemEventProviderQuerySink_QueryInterface(qs, &IID_IWbemEventProviderSecurity, &obj), E_NOINTERFACE);
  assert_hr(IWbemEventProviderQuerySink_QueryInterface(qs, &IID_IUnknown, (void **)&back), S_OK);
  assert_ptr_equal(back, unk);
  assert_int_equal(IUnknown_AddRef(back), 4);
  assert_int_equal(IUnknown_Release(back), 3);
  IUnknown_Release(back);
  IWbemEventProviderQuerySink_Release(qs);
  assert_int_equal(IUnknown_Release(unk), 0);

  unk = create(&all);
  static const IID *const optional[] = { &IID_IWbemEventProviderQuerySink, &IID_IWbemEventProviderSecurity,
                                         &IID_IWbemProviderIdentity, &IID_IWbemEventProvider };
  for (size_t i = 0; i < sizeof optional / sizeof *optional; i++) {
    IUnknown *iface;
    assert_hr(IUnknown_QueryInterface(unk, optional[i], (void **)&iface), S_OK);
    assert_hr(IUnknown_QueryInterface(iface, &IID_IUnknown, (void **)&back), S_OK);
    assert_ptr_equal(back, unk);
    IUnknown_Release(back);
    IUnknown_Release(iface);
  }
  assert_int_equal(IUnknown_Release(unk), 0);
  assert_int_equal(all.objects, 0);
}

/* ProvideEvents keeps one reference to the latest sink; the final Release
 * runs final_release with the sink still held, then drops it, then destroy. */
static void test_sink_and_release_order(void **state) {
  provider_class cls = PROVIDER_CLASS(&query_sink_only);
  fake_sink_t a = { { &fake_sink_vtbl }, 1 }, b = { { &fake_sink_vtbl }, 1 };
  IWbemEventProvider *ep;
  IUnknown *unk = create(&cls);
  (void)state;
  assert_hr(IUnknown_QueryInterface(unk, &IID_IWbemEventProvider, (void **)&ep), S_OK);
  IUnknown_Release(unk);
  assert_hr(IWbemEventProvider_ProvideEvents(ep, NULL, 7), WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemEventProvider_ProvideEvents(ep, &a.IWbemObjectSink_iface, 7), WBEM_S_FALSE);
  assert_int_equal(a.refs, 2);
  assert_hr(IWbemEventProvider_ProvideEvents(ep, &b.IWbemObjectSink_iface, 7), WBEM_S_FALSE);
  assert_int_equal(a.refs, 1);
  assert_int_equal(b.refs, 2);
  watched = &b;
  calls[0] = 0;
  assert_int_equal(IWbemEventProvider_Release(ep), 0);
  assert_string_equal(calls, "final_release,destroy");
  assert_int_equal(sink_refs_at_final_release, 2);
  assert_int_equal(sink_refs_at_destroy, 1);
  assert_int_equal(b.refs, 1);
}

/* NewQuery and CancelQuery keep the count of active queries, never below
 * zero, locked or not, before their hooks run. */
static void check_query_count(const provider_hooks *hooks) {
  provider_class cls = PROVIDER_CLASS(hooks);
  IWbemEventProviderQuerySink *qs;
  IUnknown *unk = create(&cls);
  assert_hr(IUnknown_QueryInterface(unk, &IID_IWbemEventProviderQuerySink, (void **)&qs), S_OK);
  IUnknown_Release(unk);
  calls[0] = 0;
  assert_hr(IWbemEventProviderQuerySink_NewQuery(qs, 1, (LPWSTR)L"WQL", (LPWSTR)L"SELECT"), S_OK);
  assert_hr(IWbemEventProviderQuerySink_NewQuery(qs, 2, (LPWSTR)L"WQL", (LPWSTR)L"select"), S_OK);
  assert_hr(IWbemEventProviderQuerySink_CancelQuery(qs, 1), S_OK);
  assert_hr(IWbemEventProviderQuerySink_CancelQuery(qs, 2), S_OK);
  assert_hr(IWbemEventProviderQuerySink_CancelQuery(qs, 3), S_OK);
  assert_string_equal(calls, "new_query(1,W,S,1),new_query(2,W,s,2),cancel_query(1,1),cancel_query(2,0),"
                             "cancel_query(3,0)");
  IWbemEventProviderQuerySink_Release(qs);
}

static void test_query_count(void **state) {
  (void)state;
  check_query_count(&query_sink_only);
  check_query_count(&everything_locked);
}

/* AccessCheck refuses inconsistent SID arguments before its hook. */
static void test_access_check_and_identity(void **state) {
  provider_class cls = PROVIDER_CLASS(&everything_locked);
  static const BYTE sid[12] = { 1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0 };
  static const provider_hooks security_only = { .security = &provider_security_vtbl,
                                                .identity = &provider_identity_vtbl };
  IWbemEventProviderSecurity *sec;
  IWbemProviderIdentity *id;
  IUnknown *unk = create(&cls);
  (void)state;
  assert_hr(IUnknown_QueryInterface(unk, &IID_IWbemEventProviderSecurity, (void **)&sec), S_OK);
  assert_hr(IWbemEventProviderSecurity_AccessCheck(sec, L"WQL", L"q", -1, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemEventProviderSecurity_AccessCheck(sec, L"WQL", L"q", sizeof sid, NULL), WBEM_E_INVALID_PARAMETER);
  assert_string_equal(calls, "");
  assert_hr(IWbemEventProviderSecurity_AccessCheck(sec, L"WQL", L"q", 0, NULL), WBEM_E_ACCESS_DENIED);
  assert_hr(IWbemEventProviderSecurity_AccessCheck(sec, L"WQL", L"q", sizeof sid, sid), WBEM_E_ACCESS_DENIED);
  assert_hr(IUnknown_QueryInterface(unk, &IID_IWbemProviderIdentity, (void **)&id), S_OK);
  assert_hr(IWbemProviderIdentity_SetRegistrationObject(id, 0, NULL), WBEM_S_FALSE);
  assert_string_equal(calls, "access_check,access_check(sid),set_registration_object");
  IWbemProviderIdentity_Release(id);
  IWbemEventProviderSecurity_Release(sec);
  IUnknown_Release(unk);

  /* Without hooks: admitted, and nothing to do. */
  cls = (provider_class)PROVIDER_CLASS(&security_only);
  unk = create(&cls);
  assert_hr(IUnknown_QueryInterface(unk, &IID_IWbemEventProviderSecurity, (void **)&sec), S_OK);
  assert_hr(IWbemEventProviderSecurity_AccessCheck(sec, L"WQL", L"q", sizeof sid, sid), WBEM_S_NO_ERROR);
  assert_hr(IUnknown_QueryInterface(unk, &IID_IWbemProviderIdentity, (void **)&id), S_OK);
  assert_hr(IWbemProviderIdentity_SetRegistrationObject(id, 0, NULL), WBEM_S_NO_ERROR);
  IWbemProviderIdentity_Release(id);
  IWbemEventProviderSecurity_Release(sec);
  IUnknown_Release(unk);
}

/* Initialize under a real host: the skeleton keeps services and its event
 * class and reports success, or WBEM_E_FAILED when the class is missing. */
static const char skel_mof[] =
  "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n"
  "class SkelEvent : __ExtrinsicEvent { uint32 Seq; };\n"
  "[ThreadingModel(\"Both\")]\n"
  "instance of __Win32Provider as $P { Name = \"SkelProvider\"; CLSID = \"{5e1e7000-1d2c-4b3a-9f8e-7d6c5b4a3928}\"; };\n"
  "instance of __EventProviderRegistration { Provider = $P; EventQueryList = { \"SELECT * FROM SkelEvent\" }; };\n";

static provider_object *live;
static HRESULT remember(provider_object *p) {
  live = p;
  return S_OK;
}

static void check_initialize(const WCHAR *event_class, HRESULT expect) {
  const provider_hooks hooks = { .event_class = event_class, .query_sink = &provider_query_sink_vtbl,
                                 .construct = remember };
  provider_class cls = PROVIDER_CLASS(&hooks);
  wmiemu_host_t *host = fixture_host(NULL, NULL, NULL);
  wmiemu_sub_id_t id = 0;
  fixture_add_provider(host, "skel.mof", skel_mof, &clsid_skel, &cls.IClassFactory_iface);
  live = NULL;
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM SkelEvent", NULL, NULL, &id), expect);
  if (SUCCEEDED(expect)) {
    assert_non_null(live->services);
    assert_non_null(live->event_class);
    assert_non_null(live->sink);
    assert_int_equal(live->queries, 1);
  }
  wmiemu_host_free(host);
  assert_int_equal(cls.objects, 0);
}

static void test_initialize(void **state) {
  provider_class cls = PROVIDER_CLASS(&bare);
  IWbemProviderInit *init;
  (void)state;
  assert_hr(IClassFactory_CreateInstance(&cls.IClassFactory_iface, NULL, &IID_IWbemProviderInit, (void **)&init), S_OK);
  assert_hr(IWbemProviderInit_Initialize(init, NULL, 0, (LPWSTR)L"root\\cimv2", NULL, NULL, NULL, NULL),
            WBEM_E_INVALID_PARAMETER);
  IWbemProviderInit_Release(init);
  check_initialize(L"SkelEvent", S_OK);
  check_initialize(L"NoSuchEvent", WBEM_E_PROVIDER_LOAD_FAILURE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup(test_factory_and_exports, reset),
    cmocka_unit_test_setup(test_construct_fails, reset),
    cmocka_unit_test_setup(test_interfaces, reset),
    cmocka_unit_test_setup(test_sink_and_release_order, reset),
    cmocka_unit_test_setup(test_query_count, reset),
    cmocka_unit_test_setup(test_access_check_and_identity, reset),
    cmocka_unit_test_setup(test_initialize, reset),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
