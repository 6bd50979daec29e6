/* Consumers through COM: CoCreateInstance(CLSID_WbemLocator), ConnectServer,
 * ExecNotificationQuery (Next), ExecNotificationQueryAsync and
 * CancelAsyncCall, on a host named with wmiemu_host_set_com_default, with
 * the test provider firing events from the test's thread. */
#include "host/host_fixture.h"
#include "host/test_provider.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/portable.h"

#define SEMISYNC (WBEM_FLAG_RETURN_IMMEDIATELY | WBEM_FLAG_FORWARD_ONLY)

/* ---- a consumer's sink ---------------------------------------------------- */

typedef struct {
  IWbemObjectSink IWbemObjectSink_iface;
  volatile LONG ref;
  volatile LONG indicated;
  volatile LONG completions;
  HRESULT status;                      /* of the last WBEM_STATUS_COMPLETE */
  pthread_t thread;                    /* of the last Indicate */
  IWbemServices *cancel_with;          /* Indicate cancels its own call through it */
  HRESULT cancel_hr;
  IEnumWbemClassObject *release_enum;  /* Indicate releases it */
} test_sink_t;

static inline test_sink_t *impl_from_IWbemObjectSink(IWbemObjectSink *iface) {
  return CONTAINING_RECORD(iface, test_sink_t, IWbemObjectSink_iface);
}

static HRESULT WINAPI sink_QueryInterface(IWbemObjectSink *iface, REFIID riid, void **ppv) {
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IWbemObjectSink)) {
    *ppv = iface;
    IWbemObjectSink_AddRef(iface);
    return S_OK;
  }
  *ppv = NULL;
  return E_NOINTERFACE;
}

static ULONG WINAPI sink_AddRef(IWbemObjectSink *iface) {
  return InterlockedIncrement(&impl_from_IWbemObjectSink(iface)->ref);
}

static ULONG WINAPI sink_Release(IWbemObjectSink *iface) {
  return InterlockedDecrement(&impl_from_IWbemObjectSink(iface)->ref);
}

static HRESULT WINAPI sink_Indicate(IWbemObjectSink *iface, LONG count, IWbemClassObject **objs) {
  test_sink_t *s = impl_from_IWbemObjectSink(iface);
  (void)objs;
  s->thread = pthread_self();
  if (s->cancel_with) {
    s->cancel_hr = IWbemServices_CancelAsyncCall(s->cancel_with, iface);
    s->cancel_with = NULL;
  }
  if (s->release_enum) {
    IEnumWbemClassObject_Release(s->release_enum);
    s->release_enum = NULL;
  }
  InterlockedExchangeAdd(&s->indicated, count);
  return WBEM_S_NO_ERROR;
}

static HRESULT WINAPI sink_SetStatus(IWbemObjectSink *iface, LONG flags, HRESULT hr, BSTR param,
                                     IWbemClassObject *obj) {
  test_sink_t *s = impl_from_IWbemObjectSink(iface);
  (void)param; (void)obj;
  if (flags == WBEM_STATUS_COMPLETE) {
    s->status = hr;
    InterlockedIncrement(&s->completions);
  }
  return WBEM_S_NO_ERROR;
}

static const IWbemObjectSinkVtbl sink_vtbl = {
  sink_QueryInterface, sink_AddRef, sink_Release, sink_Indicate, sink_SetStatus,
};

static void sink_init(test_sink_t *s) {
  memset(s, 0, sizeof(*s));
  s->IWbemObjectSink_iface.lpVtbl = &sink_vtbl;
  s->ref = 1;
}

/* ---- helpers ---------------------------------------------------------------- */

/* Written by the delivery thread: read with acquire, so that what it wrote
 * before is seen too. */
static LONG load(volatile LONG *value) {
  return __atomic_load_n(value, __ATOMIC_ACQUIRE);
}

static void wait_for(volatile LONG *value, LONG n) {
  for (int i = 0; i < 10000 && load(value) < n; i++)
    usleep(1000);
  assert_true(load(value) >= n);
}

static int log_has(const char *what) {
  return strstr(test_provider_log(), what) != NULL;
}

static void wait_for_log(const char *what) {
  for (int i = 0; i < 10000 && !log_has(what); i++)
    usleep(1000);
  assert_true(log_has(what));
}

static void fire(LONG from, LONG n) {
  test_provider_t *p = test_provider_current();
  assert_non_null(p);
  for (LONG i = 0; i < n; i++)
    assert_hr(test_provider_fire(p, test_provider_sink(p), from + i, 0, L"com"), WBEM_S_NO_ERROR);
}

static IWbemServices *connect(const WCHAR *resource, HRESULT expect) {
  IWbemLocator *locator = NULL;
  IWbemServices *services = (IWbemServices *)1;
  BSTR ns = SysAllocString(resource);
  assert_hr(CoCreateInstance(&CLSID_WbemLocator, NULL, CLSCTX_INPROC_SERVER, &IID_IWbemLocator,
                             (void **)&locator), S_OK);
  assert_hr(IWbemLocator_ConnectServer(locator, ns, NULL, NULL, NULL, 0, NULL, NULL, &services), expect);
  IWbemLocator_Release(locator);
  SysFreeString(ns);
  if (FAILED(expect))
    assert_null(services);
  return services;
}

/* A host with the test provider, served as the COM default. */
static wmiemu_host_t *served_host(const wmiemu_host_options_t *opts) {
  wmiemu_host_t *host = test_provider_host(opts, NULL);
  assert_hr(wmiemu_host_set_com_default(host), S_OK);
  return host;
}

static void end_host(wmiemu_host_t *host) {
  assert_hr(wmiemu_host_set_com_default(NULL), S_OK);
  fixture_host_close(host);
  assert_int_equal(test_provider_objects(), 0);
}

/* ---- the locator ----------------------------------------------------------- */

static void not_registered_without_a_host(void **state) {
  void *obj = (void *)1;
  (void)state;
  portable_unsetenv("WMIEMU_MOF");
  portable_unsetenv("WMIEMU_PROVIDER");
  assert_hr(wmiemu_host_set_com_default(NULL), S_OK);
  assert_hr(CoCreateInstance(&CLSID_WbemLocator, NULL, CLSCTX_INPROC_SERVER, &IID_IWbemLocator, &obj),
            REGDB_E_CLASSNOTREG);
  assert_null(obj);
}

static void environment_host_that_fails_to_load(void **state) {
  void *obj = (void *)1;
  (void)state;
  portable_setenv("WMIEMU_MOF", "/nonexistent/wmiemu.mof");
  assert_true(FAILED(CoCreateInstance(&CLSID_WbemLocator, NULL, CLSCTX_INPROC_SERVER, &IID_IWbemLocator, &obj)));
  assert_null(obj);
  portable_unsetenv("WMIEMU_MOF");
}

static void connect_server(void **state) {
  wmiemu_host_t *host = served_host(NULL);
  IWbemLocator *locator = NULL;
  IWbemServices *services = NULL, *sub = NULL;
  IWbemClassObject *cls = NULL;
  IUnknown *unk = NULL;
  BSTR ns = SysAllocString(L"ROOT\\CIMV2"), user = SysAllocString(L"alice");
  BSTR event = SysAllocString(L"TestEvent"), rel = SysAllocString(L"nothere");
  (void)state;
  assert_hr(wmiemu_host_set_com_default(host), S_OK);            /* again: nothing changes */
  assert_hr(CoCreateInstance(&CLSID_WbemLocator, (IUnknown *)1, CLSCTX_INPROC_SERVER, &IID_IWbemLocator,
                             (void **)&locator), CLASS_E_NOAGGREGATION);
  assert_hr(CoCreateInstance(&CLSID_WbemLocator, NULL, CLSCTX_INPROC_SERVER, &IID_IWbemServices,
                             (void **)&locator), E_NOINTERFACE);
  assert_hr(CoCreateInstance(&CLSID_WbemLocator, NULL, CLSCTX_INPROC_SERVER, &IID_IWbemLocator,
                             (void **)&locator), S_OK);
  assert_hr(IWbemLocator_QueryInterface(locator, &IID_IUnknown, (void **)&unk), S_OK);
  IUnknown_Release(unk);
  assert_hr(IWbemLocator_ConnectServer(locator, ns, NULL, NULL, NULL, 0, NULL, NULL, NULL),
            WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemLocator_ConnectServer(locator, NULL, NULL, NULL, NULL, 0, NULL, NULL, &services),
            WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemLocator_ConnectServer(locator, ns, user, NULL, NULL, 0, NULL, NULL, &services), S_OK);
  IWbemLocator_Release(locator);        /* the services stay usable */
  assert_hr(CoSetProxyBlanket((IUnknown *)services, RPC_C_AUTHN_WINNT, RPC_C_AUTHZ_NONE, NULL,
                              RPC_C_AUTHN_LEVEL_CALL, RPC_C_IMP_LEVEL_IMPERSONATE, NULL, EOAC_NONE), S_OK);
  assert_hr(IWbemServices_QueryInterface(services, &IID_IWbemLocator, (void **)&unk), E_NOINTERFACE);
  assert_hr(IWbemServices_GetObject(services, event, 0, NULL, &cls, NULL), S_OK);
  IWbemClassObject_Release(cls);
  assert_hr(IWbemServices_GetObject(services, NULL, 0, NULL, &cls, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemServices_OpenNamespace(services, rel, 0, NULL, &sub, NULL), WBEM_E_INVALID_NAMESPACE);
  assert_null(sub);
  assert_hr(IWbemServices_ExecQuery(services, ns, ns, 0, NULL, (IEnumWbemClassObject **)&unk),
            WBEM_E_NOT_SUPPORTED);
  assert_null(unk);
  IWbemServices_Release(services);

  services = connect(L"\\\\.\\root\\cimv2", S_OK);
  IWbemServices_Release(services);
  services = connect(L"//localhost/root/cimv2", S_OK);
  IWbemServices_Release(services);
  connect(L"root\\nothere", WBEM_E_INVALID_NAMESPACE);
  connect(L"\\\\elsewhere\\root\\cimv2", WBEM_E_NOT_SUPPORTED);
  connect(L"\\\\.", WBEM_E_INVALID_PARAMETER);
  SysFreeString(ns);
  SysFreeString(user);
  SysFreeString(event);
  SysFreeString(rel);
  end_host(host);
}

/* ---- semisynchronous ------------------------------------------------------------ */

static void semisync_arguments(void **state) {
  wmiemu_host_t *host = served_host(NULL);
  IWbemServices *services = connect(L"root\\cimv2", S_OK);
  IEnumWbemClassObject *e = (IEnumWbemClassObject *)1;
  BSTR wql = SysAllocString(L"wql"), sql = SysAllocString(L"SQL");
  BSTR q = SysAllocString(L"SELECT * FROM TestEvent"), bad = SysAllocString(L"SELECT * FROM");
  BSTR nope = SysAllocString(L"SELECT * FROM NoSuchEvent");
  (void)state;
  assert_hr(IWbemServices_ExecNotificationQuery(services, wql, q, 0, NULL, &e), WBEM_E_INVALID_PARAMETER);
  assert_null(e);
  assert_hr(IWbemServices_ExecNotificationQuery(services, wql, q, WBEM_FLAG_RETURN_IMMEDIATELY, NULL, &e),
            WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemServices_ExecNotificationQuery(services, wql, q, WBEM_FLAG_FORWARD_ONLY, NULL, &e),
            WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemServices_ExecNotificationQuery(services, wql, q, SEMISYNC | 0x4000000, NULL, &e),
            WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemServices_ExecNotificationQuery(services, sql, q, SEMISYNC, NULL, &e), WBEM_E_INVALID_QUERY_TYPE);
  assert_hr(IWbemServices_ExecNotificationQuery(services, NULL, q, SEMISYNC, NULL, &e), WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemServices_ExecNotificationQuery(services, wql, NULL, SEMISYNC, NULL, &e), WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemServices_ExecNotificationQuery(services, wql, q, SEMISYNC, NULL, NULL), WBEM_E_INVALID_PARAMETER);
  assert_true(FAILED(IWbemServices_ExecNotificationQuery(services, wql, bad, SEMISYNC, NULL, &e)));
  assert_null(e);
  assert_true(FAILED(IWbemServices_ExecNotificationQuery(services, wql, nope, SEMISYNC, NULL, &e)));
  assert_null(e);
  IWbemServices_Release(services);
  SysFreeString(wql);
  SysFreeString(sql);
  SysFreeString(q);
  SysFreeString(bad);
  SysFreeString(nope);
  end_host(host);
}

static LONG seq_of(IWbemClassObject *obj) {
  VARIANT v;
  LONG seq;
  VariantInit(&v);
  assert_hr(IWbemClassObject_Get(obj, L"Seq", 0, &v, NULL, NULL), S_OK);
  assert_int_equal(V_VT(&v), VT_I4);
  seq = V_I4(&v);
  VariantClear(&v);
  return seq;
}

static void release_all(IWbemClassObject **objs, ULONG n) {
  for (ULONG i = 0; i < n; i++)
    IWbemClassObject_Release(objs[i]);
}

static void semisync_next(void **state) {
  wmiemu_host_t *host = served_host(NULL);
  IWbemServices *services = connect(L"root\\cimv2", S_OK);
  IEnumWbemClassObject *e = NULL, *clone = (IEnumWbemClassObject *)1;
  IWbemClassObject *objs[16];
  BSTR wql = SysAllocString(L"WQL"), q = SysAllocString(L"SELECT * FROM TestEvent WHERE Seq > 1");
  ULONG n = 99;
  (void)state;
  assert_hr(IWbemServices_ExecNotificationQuery(services, wql, q, SEMISYNC, NULL, &e), S_OK);
  assert_true(log_has("NewQuery("));
  assert_hr(IEnumWbemClassObject_Next(e, 0, 1, objs, &n), WBEM_S_TIMEDOUT);
  assert_int_equal(n, 0);
  assert_hr(IEnumWbemClassObject_Next(e, 0, 1, NULL, &n), WBEM_E_INVALID_PARAMETER);
  assert_hr(IEnumWbemClassObject_Next(e, 0, 1, objs, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(IEnumWbemClassObject_Next(e, -2, 1, objs, &n), WBEM_E_INVALID_PARAMETER);
  assert_hr(IEnumWbemClassObject_Next(e, 0, 0, objs, &n), WBEM_S_NO_ERROR);
  assert_int_equal(n, 0);

  fire(1, 4);                           /* 1 is filtered out */
  assert_hr(IEnumWbemClassObject_Next(e, 10000, 3, objs, &n), WBEM_S_NO_ERROR);
  assert_int_equal(n, 3);
  assert_int_equal(seq_of(objs[0]), 2);
  assert_int_equal(seq_of(objs[2]), 4);
  release_all(objs, n);

  /* A count far beyond what is there takes what came within the timeout,
   * and writes no more. */
  fire(5, 2);
  assert_hr(IEnumWbemClassObject_Next(e, 200, 0xffffffffu, objs, &n), WBEM_S_TIMEDOUT);
  assert_int_equal(n, 2);
  release_all(objs, n);

  fire(7, 2);
  assert_hr(IEnumWbemClassObject_Skip(e, 10000, 1), WBEM_S_NO_ERROR);
  assert_hr(IEnumWbemClassObject_Next(e, WBEM_INFINITE, 1, objs, &n), WBEM_S_NO_ERROR);
  assert_int_equal(seq_of(objs[0]), 8);
  release_all(objs, n);

  assert_hr(IEnumWbemClassObject_Reset(e), WBEM_E_INVALID_OPERATION);
  assert_hr(IEnumWbemClassObject_Clone(e, &clone), WBEM_E_INVALID_OPERATION);
  assert_null(clone);
  assert_hr(IEnumWbemClassObject_NextAsync(e, 1, NULL), WBEM_E_NOT_SUPPORTED);

  /* Events left unread go with the enumerator, which unsubscribes. */
  fire(9, 3);
  assert_false(log_has("CancelQuery("));
  IEnumWbemClassObject_Release(e);
  wait_for_log("CancelQuery(");
  IWbemServices_Release(services);
  SysFreeString(wql);
  SysFreeString(q);
  end_host(host);
}

/* ---- asynchronous ------------------------------------------------------------- */

static void async_and_cancel(void **state) {
  wmiemu_host_t *host = served_host(NULL);
  IWbemServices *services = connect(L"root\\cimv2", S_OK);
  BSTR wql = SysAllocString(L"WQL"), q = SysAllocString(L"SELECT * FROM TestEvent");
  BSTR bad = SysAllocString(L"SELECT * FROM NoSuchEvent");
  test_sink_t sink, other;
  (void)state;
  sink_init(&sink);
  sink_init(&other);
  assert_hr(IWbemServices_ExecNotificationQueryAsync(services, wql, q, 0, NULL, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemServices_ExecNotificationQueryAsync(services, wql, q, SEMISYNC, NULL, &sink.IWbemObjectSink_iface),
            WBEM_E_INVALID_PARAMETER);
  assert_true(FAILED(IWbemServices_ExecNotificationQueryAsync(services, wql, bad, 0, NULL,
                                                              &sink.IWbemObjectSink_iface)));
  assert_int_equal(sink.ref, 1);        /* held only when the call succeeds */

  assert_hr(IWbemServices_ExecNotificationQueryAsync(services, wql, q, WBEM_FLAG_SEND_STATUS, NULL,
                                                     &sink.IWbemObjectSink_iface), S_OK);
  assert_int_equal(sink.ref, 2);
  fire(1, 4);
  wait_for(&sink.indicated, 4);
  /* Delivered on wmiemu's delivery thread, not the caller's. */
  assert_false(pthread_equal(sink.thread, pthread_self()));
  assert_int_equal(sink.completions, 0);

  assert_hr(IWbemServices_CancelAsyncCall(services, NULL), WBEM_E_INVALID_PARAMETER);
  assert_hr(IWbemServices_CancelAsyncCall(services, &other.IWbemObjectSink_iface), WBEM_E_NOT_FOUND);
  assert_hr(IWbemServices_CancelAsyncCall(services, &sink.IWbemObjectSink_iface), S_OK);
  assert_int_equal(sink.completions, 1);
  assert_hr(sink.status, WBEM_E_CALL_CANCELLED);
  assert_int_equal(sink.ref, 1);
  wait_for_log("CancelQuery(");
  assert_hr(IWbemServices_CancelAsyncCall(services, &sink.IWbemObjectSink_iface), WBEM_E_NOT_FOUND);
  assert_int_equal(sink.completions, 1);
  fire(5, 2);
  assert_int_equal(sink.indicated, 4);

  IWbemServices_Release(services);
  SysFreeString(wql);
  SysFreeString(q);
  SysFreeString(bad);
  end_host(host);
}

/* The consumer's Indicate cancels its own call and releases an enumerator:
 * both run on the delivery thread, inside the delivery. */
static void cancel_and_release_from_the_sink(void **state) {
  wmiemu_host_t *host = served_host(NULL);
  IWbemServices *services = connect(L"root\\cimv2", S_OK);
  BSTR wql = SysAllocString(L"WQL"), q = SysAllocString(L"SELECT * FROM TestEvent");
  IEnumWbemClassObject *e = NULL;
  test_sink_t sink;
  (void)state;
  sink_init(&sink);
  assert_hr(IWbemServices_ExecNotificationQuery(services, wql, q, SEMISYNC, NULL, &e), S_OK);
  sink.cancel_with = services;
  sink.release_enum = e;
  assert_hr(IWbemServices_ExecNotificationQueryAsync(services, wql, q, 0, NULL, &sink.IWbemObjectSink_iface), S_OK);
  fire(1, 3);
  wait_for(&sink.completions, 1);
  wait_for(&sink.indicated, 1);         /* counted after the cancel returned */
  assert_hr(sink.cancel_hr, S_OK);
  assert_hr(sink.status, WBEM_E_CALL_CANCELLED);
  assert_null(sink.release_enum);
  /* The delivery's own reference goes once Indicate has returned. */
  for (int i = 0; i < 10000 && load(&sink.ref) != 1; i++)
    usleep(1000);
  assert_int_equal(load(&sink.ref), 1);
  assert_int_equal(load(&sink.indicated), 1);  /* the rest came after the cancel */
  IWbemServices_Release(services);
  SysFreeString(wql);
  SysFreeString(q);
  end_host(host);
}

/* ---- the same counters as the C API ------------------------------------------------ */

static void counters_match_the_c_api(void **state) {
  wmiemu_host_options_t opts;
  wmiemu_counters_t c_api, async, semisync;
  fixture_recorder_t rec = { 0 };
  wmiemu_sub_id_t id = 0;
  wmiemu_host_t *host;
  IWbemServices *services;
  IEnumWbemClassObject *e = NULL;
  IWbemClassObject *objs[64];
  const char *query = "SELECT * FROM TestEvent WHERE Seq > 3";
  BSTR wql = SysAllocString(L"WQL"), q = SysAllocString(L"SELECT * FROM TestEvent WHERE Seq > 3");
  test_sink_t sink;
  ULONG n = 0, got = 0;
  (void)state;
  sink_init(&sink);
  wmiemu_host_options_init(&opts);
  host = test_provider_host(&opts, NULL);
  /* The same query three ways: the C API (id 1), then, once the delivery
   * thread serves the host, ExecNotificationQueryAsync (2) and
   * ExecNotificationQuery (3). */
  assert_hr(wmiemu_host_subscribe(host, NULL, query, fixture_record, &rec, &id), S_OK);
  assert_int_equal(id, 1);
  assert_hr(wmiemu_host_set_com_default(host), S_OK);
  services = connect(L"root\\cimv2", S_OK);
  assert_hr(IWbemServices_ExecNotificationQueryAsync(services, wql, q, 0, NULL, &sink.IWbemObjectSink_iface), S_OK);
  assert_hr(IWbemServices_ExecNotificationQuery(services, wql, q, SEMISYNC, NULL, &e), S_OK);
  fire(1, 40);
  wait_for(&sink.indicated, 37);
  while (got < 37 && SUCCEEDED(IEnumWbemClassObject_Next(e, 10000, 64, objs, &n)) && n) {
    release_all(objs, n);
    got += n;
  }
  assert_int_equal(got, 37);
  /* The loop comes back to this thread: COM calls now run here, and Next
   * runs the loop itself. */
  assert_hr(wmiemu_host_set_com_default(NULL), S_OK);
  fire(41, 2);
  assert_hr(IEnumWbemClassObject_Next(e, 10000, 2, objs, &n), WBEM_S_NO_ERROR);
  assert_int_equal(n, 2);
  release_all(objs, n);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_int_equal(sink.indicated, 39);
  assert_int_equal(rec.count, 39);
  assert_hr(IWbemServices_CancelAsyncCall(services, &sink.IWbemObjectSink_iface), S_OK);
  IEnumWbemClassObject_Release(e);
  assert_hr(wmiemu_host_unsubscribe(host, id), S_OK);

  assert_hr(wmiemu_host_counters(host, 1, &c_api), S_OK);
  assert_hr(wmiemu_host_counters(host, 2, &async), S_OK);
  assert_hr(wmiemu_host_counters(host, 3, &semisync), S_OK);
  assert_int_equal(c_api.indicated, 42);
  assert_int_equal(c_api.delivered, 39);
  assert_int_equal(c_api.filtered, 3);
  assert_memory_equal(&c_api, &async, sizeof(c_api));
  assert_memory_equal(&c_api, &semisync, sizeof(c_api));
  print_message("counters (C API, async, semisync): indicated %llu delivered %llu filtered %llu dropped %llu\n",
                (unsigned long long)c_api.indicated, (unsigned long long)c_api.delivered,
                (unsigned long long)c_api.filtered, (unsigned long long)c_api.dropped);
  IWbemServices_Release(services);
  SysFreeString(wql);
  SysFreeString(q);
  end_host(host);
}

/* A queue too small for a burst: what one consumer loses, each loses alike. */
static void counters_match_under_overflow(void **state) {
  wmiemu_host_options_t opts;
  wmiemu_counters_t c_api, async;
  wmiemu_sub_id_t id = 0;
  wmiemu_host_t *host;
  IWbemServices *services;
  BSTR wql = SysAllocString(L"WQL"), q = SysAllocString(L"SELECT * FROM TestEvent");
  test_provider_t *p;
  test_sink_t sink;
  HRESULT hr;
  (void)state;
  sink_init(&sink);
  wmiemu_host_options_init(&opts);
  opts.queue_limit = 4;
  host = test_provider_host(&opts, NULL);
  assert_hr(wmiemu_host_subscribe(host, NULL, "SELECT * FROM TestEvent", NULL, NULL, &id), S_OK);
  assert_hr(wmiemu_host_set_com_default(host), S_OK);
  services = connect(L"root\\cimv2", S_OK);
  assert_hr(IWbemServices_ExecNotificationQueryAsync(services, wql, q, 0, NULL, &sink.IWbemObjectSink_iface), S_OK);
  p = test_provider_current();
  for (LONG i = 1; i <= 2000; i++) {
    hr = test_provider_fire(p, test_provider_sink(p), i, 0, L"burst");
    assert_true(hr == WBEM_S_NO_ERROR || hr == (HRESULT)WBEM_E_SERVER_TOO_BUSY);
  }
  assert_hr(wmiemu_host_set_com_default(NULL), S_OK);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
  assert_hr(IWbemServices_CancelAsyncCall(services, &sink.IWbemObjectSink_iface), S_OK);
  assert_hr(wmiemu_host_unsubscribe(host, id), S_OK);
  assert_hr(wmiemu_host_counters(host, 1, &c_api), S_OK);
  assert_hr(wmiemu_host_counters(host, 2, &async), S_OK);
  assert_memory_equal(&c_api, &async, sizeof(c_api));
  assert_int_equal(async.delivered, sink.indicated);
  assert_int_equal(c_api.indicated, c_api.delivered + c_api.filtered + c_api.dropped);
  print_message("counters under overflow (C API = async): indicated %llu delivered %llu dropped %llu "
                "(queue-overflow %llu), overflow events %llu\n",
                (unsigned long long)c_api.indicated, (unsigned long long)c_api.delivered,
                (unsigned long long)c_api.dropped,
                (unsigned long long)c_api.dropped_by[WMIEMU_DROP_QUEUE_OVERFLOW],
                (unsigned long long)wmiemu_host_overflow_events(host));
  IWbemServices_Release(services);
  SysFreeString(wql);
  SysFreeString(q);
  end_host(host);
}

/* ---- the host goes first ----------------------------------------------------------- */

static void host_freed_under_its_consumers(void **state) {
  wmiemu_host_t *host = served_host(NULL);
  IWbemServices *services = connect(L"root\\cimv2", S_OK);
  BSTR wql = SysAllocString(L"WQL"), q = SysAllocString(L"SELECT * FROM TestEvent");
  IEnumWbemClassObject *e = NULL, *e2 = (IEnumWbemClassObject *)1;
  IWbemClassObject *objs[4];
  void *obj = (void *)1;
  test_sink_t sink;
  ULONG n = 9;
  (void)state;
  sink_init(&sink);
  assert_hr(IWbemServices_ExecNotificationQuery(services, wql, q, SEMISYNC, NULL, &e), S_OK);
  assert_hr(IWbemServices_ExecNotificationQueryAsync(services, wql, q, 0, NULL, &sink.IWbemObjectSink_iface), S_OK);
  fire(1, 2);
  wait_for(&sink.indicated, 2);
  wmiemu_host_free(host);               /* still the default, still served */
  assert_int_equal(sink.completions, 1);
  assert_hr(sink.status, WBEM_E_SHUTTING_DOWN);
  assert_int_equal(sink.ref, 1);
  assert_hr(IEnumWbemClassObject_Next(e, 1000, 4, objs, &n), WBEM_S_FALSE);
  assert_int_equal(n, 0);
  assert_hr(IWbemServices_ExecNotificationQuery(services, wql, q, SEMISYNC, NULL, &e2), WBEM_E_SHUTTING_DOWN);
  assert_null(e2);
  assert_hr(IWbemServices_CancelAsyncCall(services, &sink.IWbemObjectSink_iface), WBEM_E_SHUTTING_DOWN);
  IEnumWbemClassObject_Release(e);
  IWbemServices_Release(services);
  portable_unsetenv("WMIEMU_MOF");
  portable_unsetenv("WMIEMU_PROVIDER");
  assert_hr(CoCreateInstance(&CLSID_WbemLocator, NULL, CLSCTX_INPROC_SERVER, &IID_IWbemLocator, &obj),
            REGDB_E_CLASSNOTREG);
  assert_int_equal(test_provider_objects(), 0);
  SysFreeString(wql);
  SysFreeString(q);
}

/* A program that never names a host: the environment does. */
static void environment_host(void **state) {
  IWbemServices *services;
  IEnumWbemClassObject *e = NULL;
  IWbemClassObject *objs[3];
  BSTR wql = SysAllocString(L"WQL"), q = SysAllocString(L"SELECT * FROM SampleTick");
  ULONG n = 0;
  (void)state;
  portable_setenv("SAMPLE_TICK_INTERVAL_MS", "5");
  portable_setenv("WMIEMU_MOF", fixture_source_path("sample/sample.mof"));
  portable_setenv("WMIEMU_PROVIDER", fixture_module_path("sample_tick"));
  services = connect(L"root\\cimv2", S_OK);
  assert_hr(IWbemServices_ExecNotificationQuery(services, wql, q, SEMISYNC, NULL, &e), S_OK);
  assert_hr(IEnumWbemClassObject_Next(e, 10000, 3, objs, &n), WBEM_S_NO_ERROR);
  assert_int_equal(n, 3);
  release_all(objs, n);
  IEnumWbemClassObject_Release(e);
  IWbemServices_Release(services);      /* the last object: the host goes */
  portable_unsetenv("WMIEMU_MOF");
  portable_unsetenv("WMIEMU_PROVIDER");
  SysFreeString(wql);
  SysFreeString(q);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(not_registered_without_a_host),
    cmocka_unit_test(environment_host_that_fails_to_load),
    cmocka_unit_test(connect_server),
    cmocka_unit_test(semisync_arguments),
    cmocka_unit_test(semisync_next),
    cmocka_unit_test(async_and_cancel),
    cmocka_unit_test(cancel_and_release_from_the_sink),
    cmocka_unit_test(counters_match_the_c_api),
    cmocka_unit_test(counters_match_under_overflow),
    cmocka_unit_test(host_freed_under_its_consumers),
    cmocka_unit_test(environment_host),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
