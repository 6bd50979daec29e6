#include "host/test_provider.h"

#include "provider_skeleton.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

static const char test_mof[] =
  "#pragma namespace(\"\\\\\\\\.\\\\root\\\\cimv2\")\n"
  "class TestEvent : __ExtrinsicEvent { uint32 Seq; uint32 Thread; string Tag; };\n"
  "[ThreadingModel(\"Both\")]\n"
  "instance of __Win32Provider as $P { Name = \"TestProvider\"; CLSID = \"{0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f0}\"; };\n"
  "instance of __EventProviderRegistration { Provider = $P; EventQueryList = { \"SELECT * FROM TestEvent\" }; };\n";

static const CLSID clsid_test = { 0x0f1e2d3c, 0x4b5a, 0x4978, { 0x86, 0x95, 0xa4, 0xb3, 0xc2, 0xd1, 0xe0, 0xf0 } };

struct test_provider {
  provider_object obj;
};

static test_provider_options_t options;
static test_provider_t *current;
static char call_log[4096];
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static LONG last_sid_length = -1;
static pthread_t status_thread;
static int status_thread_started;

void test_provider_join(void) {
  if (status_thread_started)
    pthread_join(status_thread, NULL);
  status_thread_started = 0;
}

static void log_call(const char *fmt, ...) {
  va_list ap;
  size_t n;
  pthread_mutex_lock(&log_lock);
  n = strlen(call_log);
  if (n && n < sizeof(call_log) - 1)
    call_log[n++] = ',';
  va_start(ap, fmt);
  vsnprintf(call_log + n, sizeof(call_log) - n, fmt, ap);
  va_end(ap);
  pthread_mutex_unlock(&log_lock);
}

const char *test_provider_log(void) { return call_log; }
void test_provider_clear_log(void) { call_log[0] = 0; }
test_provider_t *test_provider_current(void) { return current; }
LONG test_provider_last_sid_length(void) { return last_sid_length; }
IWbemObjectSink *test_provider_sink(test_provider_t *p) { return p->obj.sink; }
IWbemServices *test_provider_services(test_provider_t *p) { return p->obj.services; }

HRESULT test_provider_fire(test_provider_t *p, IWbemObjectSink *sink, LONG seq, LONG thread, const WCHAR *tag) {
  IWbemClassObject *event = NULL;
  VARIANT v;
  HRESULT hr = IWbemClassObject_SpawnInstance(p->obj.event_class, 0, &event);
  if (FAILED(hr))
    return hr;
  V_VT(&v) = VT_I4;
  V_I4(&v) = seq;
  IWbemClassObject_Put(event, L"Seq", 0, &v, 0);
  V_I4(&v) = thread;
  IWbemClassObject_Put(event, L"Thread", 0, &v, 0);
  if (tag) {
    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = SysAllocString(tag);
    IWbemClassObject_Put(event, L"Tag", 0, &v, 0);
    VariantClear(&v);
  }
  hr = IWbemObjectSink_Indicate(sink, 1, &event);
  IWbemClassObject_Release(event);
  return hr;
}

void test_provider_fire_range(wmiemu_host_t *host, LONG from, LONG to) {
  test_provider_t *p = test_provider_current();
  assert_non_null(p);
  for (LONG i = from; i <= to; i++)
    assert_hr(test_provider_fire(p, test_provider_sink(p), i, 0, L"t"), S_OK);
  assert_hr(wmiemu_host_run_until_idle(host), S_OK);
}

/* ---- the provider: the skeleton, logging each call WMI makes ---------------- */

static inline test_provider_t *impl_from_provider_object(provider_object *obj) {
  return CONTAINING_RECORD(obj, test_provider_t, obj);
}

static HRESULT construct(provider_object *obj) {
  current = impl_from_provider_object(obj);
  return S_OK;
}

static void final_release(provider_object *obj) {
  log_call("FinalRelease");
  if (current == impl_from_provider_object(obj))
    current = NULL;
}

/* Gets the sink, not the provider: the provider may be gone once the
 * status is reported. */
static void *late_status(void *arg) {
  IWbemProviderInitSink *sink = arg;
  usleep(20000);
  IWbemProviderInitSink_SetStatus(sink, options.init_status, 0);
  IWbemProviderInitSink_Release(sink);
  return NULL;
}

static HRESULT initialize(provider_object *obj, LPWSTR user, LONG flags, LPWSTR ns, LPWSTR locale,
                          IWbemContext *ctx, IWbemProviderInitSink *sink) {
  char *ns8 = wmiemu_wcs_to_utf8(ns, (size_t)-1), *loc8 = wmiemu_wcs_to_utf8(locale, (size_t)-1);
  (void)obj; (void)flags; (void)ctx;
  log_call("Initialize(%s,%s,%s)", user ? "user" : "NULL", ns8, loc8);
  free(ns8);
  free(loc8);
  if (options.async_status) {
    IWbemProviderInitSink_AddRef(sink);
    status_thread_started = !pthread_create(&status_thread, NULL, late_status, sink);
  } else {
    IWbemProviderInitSink_SetStatus(sink, options.init_status, 0);
  }
  return WBEM_S_NO_ERROR;
}

static HRESULT provide_events(provider_object *obj, IWbemObjectSink *sink, LONG flags) {
  (void)obj; (void)sink; (void)flags;
  log_call("ProvideEvents");
  return WBEM_S_NO_ERROR;
}

static HRESULT new_query(provider_object *obj, ULONG id, LPWSTR lang, LPWSTR query) {
  (void)obj; (void)query;
  log_call("NewQuery(%lu,%c)", (unsigned long)id, (char)lang[0]);
  return WBEM_S_NO_ERROR;
}

static HRESULT cancel_query(provider_object *obj, ULONG id) {
  (void)obj;
  log_call("CancelQuery(%lu)", (unsigned long)id);
  return WBEM_S_NO_ERROR;
}

static HRESULT access_check(provider_object *obj, LPCWSTR lang, LPCWSTR query, LONG len, const BYTE *sid) {
  (void)obj; (void)lang; (void)query; (void)sid;
  last_sid_length = len;
  log_call("AccessCheck");
  return options.deny_access ? WBEM_E_ACCESS_DENIED : WBEM_S_NO_ERROR;
}

static HRESULT set_registration_object(provider_object *obj, LONG flags, IWbemClassObject *reg) {
  VARIANT v;
  (void)obj; (void)flags;
  VariantInit(&v);
  IWbemClassObject_Get(reg, L"Name", 0, &v, NULL, NULL);
  log_call("SetRegistrationObject(%s)", V_VT(&v) == VT_BSTR ? "named" : "unnamed");
  VariantClear(&v);
  return WBEM_S_NO_ERROR;
}

static const provider_hooks hooks = {
  .clsid = &clsid_test,
  .size = sizeof(test_provider_t),
  .event_class = L"TestEvent",
  .query_sink = &provider_query_sink_vtbl,
  .security = &provider_security_vtbl,
  .identity = &provider_identity_vtbl,
  .construct = construct,
  .final_release = final_release,
  .initialize = initialize,
  .provide_events = provide_events,
  .new_query = new_query,
  .cancel_query = cancel_query,
  .access_check = access_check,
  .set_registration_object = set_registration_object,
};

static provider_class test_class = PROVIDER_CLASS(&hooks);

LONG test_provider_objects(void) { return test_class.objects; }

wmiemu_host_t *test_provider_host(const wmiemu_host_options_t *opts, const test_provider_options_t *popts) {
  wmiemu_host_t *host = fixture_host(opts, NULL, NULL);
  memset(&options, 0, sizeof(options));
  if (popts)
    options = *popts;
  test_provider_clear_log();
  last_sid_length = -1;
  fixture_add_provider(host, "test.mof", test_mof, &clsid_test, &test_class.IClassFactory_iface);
  return host;
}
