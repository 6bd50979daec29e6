#include "host/test_provider.h"

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
  IWbemProviderInit IWbemProviderInit_iface;
  IWbemEventProvider IWbemEventProvider_iface;
  IWbemEventProviderQuerySink IWbemEventProviderQuerySink_iface;
  IWbemEventProviderSecurity IWbemEventProviderSecurity_iface;
  IWbemProviderIdentity IWbemProviderIdentity_iface;
  LONG ref;
  IWbemServices *services;
  IWbemClassObject *event_class;
  IWbemObjectSink *sink;
};

static test_provider_options_t options;
static test_provider_t *current;
static char call_log[4096];
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static LONG objects;
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
LONG test_provider_objects(void) { return objects; }
IWbemObjectSink *test_provider_sink(test_provider_t *p) { return p->sink; }
IWbemServices *test_provider_services(test_provider_t *p) { return p->services; }

HRESULT test_provider_fire(test_provider_t *p, IWbemObjectSink *sink, LONG seq, LONG thread, const WCHAR *tag) {
  IWbemClassObject *event = NULL;
  VARIANT v;
  HRESULT hr = IWbemClassObject_SpawnInstance(p->event_class, 0, &event);
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

FIXTURE_IMPL_FROM(test_provider_t, IWbemProviderInit)
FIXTURE_IMPL_FROM(test_provider_t, IWbemEventProvider)
FIXTURE_IMPL_FROM(test_provider_t, IWbemEventProviderQuerySink)
FIXTURE_IMPL_FROM(test_provider_t, IWbemEventProviderSecurity)
FIXTURE_IMPL_FROM(test_provider_t, IWbemProviderIdentity)

static HRESULT qi(test_provider_t *p, REFIID riid, void **ppv) {
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IWbemProviderInit))
    *ppv = &p->IWbemProviderInit_iface;
  else if (IsEqualIID(riid, &IID_IWbemEventProvider))
    *ppv = &p->IWbemEventProvider_iface;
  else if (IsEqualIID(riid, &IID_IWbemEventProviderQuerySink))
    *ppv = &p->IWbemEventProviderQuerySink_iface;
  else if (IsEqualIID(riid, &IID_IWbemEventProviderSecurity))
    *ppv = &p->IWbemEventProviderSecurity_iface;
  else if (IsEqualIID(riid, &IID_IWbemProviderIdentity))
    *ppv = &p->IWbemProviderIdentity_iface;
  else {
    *ppv = NULL;
    return E_NOINTERFACE;
  }
  InterlockedIncrement(&p->ref);
  return S_OK;
}

static ULONG addref(test_provider_t *p) { return InterlockedIncrement(&p->ref); }

static ULONG release(test_provider_t *p) {
  ULONG ref = InterlockedDecrement(&p->ref);
  if (ref)
    return ref;
  log_call("FinalRelease");
  if (p->sink) IWbemObjectSink_Release(p->sink);
  if (p->event_class) IWbemClassObject_Release(p->event_class);
  if (p->services) IWbemServices_Release(p->services);
  if (current == p)
    current = NULL;
  free(p);
  InterlockedDecrement(&objects);
  return 0;
}

FIXTURE_IUNKNOWN_METHODS(IWbemProviderInit, init)
FIXTURE_IUNKNOWN_METHODS(IWbemEventProvider, events)
FIXTURE_IUNKNOWN_METHODS(IWbemEventProviderQuerySink, query)
FIXTURE_IUNKNOWN_METHODS(IWbemEventProviderSecurity, security)
FIXTURE_IUNKNOWN_METHODS(IWbemProviderIdentity, identity)

/* Gets the sink, not the provider: the provider may be gone once the
 * status is reported. */
static void *late_status(void *arg) {
  IWbemProviderInitSink *sink = arg;
  usleep(20000);
  IWbemProviderInitSink_SetStatus(sink, options.init_status, 0);
  IWbemProviderInitSink_Release(sink);
  return NULL;
}

static HRESULT WINAPI init_Initialize(IWbemProviderInit *i, LPWSTR user, LONG flags, LPWSTR ns, LPWSTR locale,
                                      IWbemServices *services, IWbemContext *ctx, IWbemProviderInitSink *sink) {
  test_provider_t *p = impl_from_IWbemProviderInit(i);
  BSTR name = SysAllocString(L"TestEvent");
  char *ns8 = wmiemu_wcs_to_utf8(ns, (size_t)-1), *loc8 = wmiemu_wcs_to_utf8(locale, (size_t)-1);
  (void)flags; (void)ctx;
  log_call("Initialize(%s,%s,%s)", user ? "user" : "NULL", ns8, loc8);
  free(ns8);
  free(loc8);
  IWbemServices_AddRef(services);
  p->services = services;
  IWbemServices_GetObject(services, name, 0, ctx, &p->event_class, NULL);
  SysFreeString(name);
  if (options.async_status) {
    IWbemProviderInitSink_AddRef(sink);
    status_thread_started = !pthread_create(&status_thread, NULL, late_status, sink);
  } else {
    IWbemProviderInitSink_SetStatus(sink, options.init_status, 0);
  }
  return WBEM_S_NO_ERROR;
}
static const IWbemProviderInitVtbl init_vtbl = { init_QueryInterface, init_AddRef, init_Release, init_Initialize };

static HRESULT WINAPI events_ProvideEvents(IWbemEventProvider *i, IWbemObjectSink *sink, LONG flags) {
  test_provider_t *p = impl_from_IWbemEventProvider(i);
  (void)flags;
  log_call("ProvideEvents");
  IWbemObjectSink_AddRef(sink);
  p->sink = sink;
  return WBEM_S_NO_ERROR;
}
static const IWbemEventProviderVtbl events_vtbl = { events_QueryInterface, events_AddRef, events_Release, events_ProvideEvents };

static HRESULT WINAPI query_NewQuery(IWbemEventProviderQuerySink *i, ULONG id, LPWSTR lang, LPWSTR query) {
  (void)i; (void)query;
  log_call("NewQuery(%lu,%c)", (unsigned long)id, (char)lang[0]);
  return WBEM_S_NO_ERROR;
}
static HRESULT WINAPI query_CancelQuery(IWbemEventProviderQuerySink *i, ULONG id) {
  (void)i;
  log_call("CancelQuery(%lu)", (unsigned long)id);
  return WBEM_S_NO_ERROR;
}
static const IWbemEventProviderQuerySinkVtbl query_vtbl = { query_QueryInterface, query_AddRef, query_Release, query_NewQuery, query_CancelQuery };

static HRESULT WINAPI security_AccessCheck(IWbemEventProviderSecurity *i, LPCWSTR lang, LPCWSTR query, LONG len, const BYTE *sid) {
  (void)i; (void)lang; (void)query; (void)sid;
  last_sid_length = len;
  log_call("AccessCheck");
  return options.deny_access ? WBEM_E_ACCESS_DENIED : WBEM_S_NO_ERROR;
}
static const IWbemEventProviderSecurityVtbl security_vtbl = { security_QueryInterface, security_AddRef, security_Release, security_AccessCheck };

static HRESULT WINAPI identity_SetRegistrationObject(IWbemProviderIdentity *i, LONG flags, IWbemClassObject *reg) {
  VARIANT v;
  (void)i; (void)flags;
  VariantInit(&v);
  IWbemClassObject_Get(reg, L"Name", 0, &v, NULL, NULL);
  log_call("SetRegistrationObject(%s)", V_VT(&v) == VT_BSTR ? "named" : "unnamed");
  VariantClear(&v);
  return WBEM_S_NO_ERROR;
}
static const IWbemProviderIdentityVtbl identity_vtbl = { identity_QueryInterface, identity_AddRef, identity_Release, identity_SetRegistrationObject };

static HRESULT create(REFIID riid, void **ppv) {
  test_provider_t *p = calloc(1, sizeof(*p));
  HRESULT hr;
  p->IWbemProviderInit_iface.lpVtbl = &init_vtbl;
  p->IWbemEventProvider_iface.lpVtbl = &events_vtbl;
  p->IWbemEventProviderQuerySink_iface.lpVtbl = &query_vtbl;
  p->IWbemEventProviderSecurity_iface.lpVtbl = &security_vtbl;
  p->IWbemProviderIdentity_iface.lpVtbl = &identity_vtbl;
  p->ref = 1;
  InterlockedIncrement(&objects);
  current = p;
  hr = qi(p, riid, ppv);
  release(p);
  return hr;
}
static fixture_factory_t factory = FIXTURE_FACTORY(create);

wmiemu_host_t *test_provider_host(const wmiemu_host_options_t *opts, const test_provider_options_t *popts) {
  wmiemu_host_t *host = fixture_host(opts, NULL, NULL);
  memset(&options, 0, sizeof(options));
  if (popts)
    options = *popts;
  test_provider_clear_log();
  last_sid_length = -1;
  assert_hr(wmiemu_mof_compile_text(wmiemu_host_repo(host), "test.mof", test_mof, sizeof(test_mof) - 1, NULL, NULL), S_OK);
  assert_hr(wmiemu_host_add_factory(host, &clsid_test, &factory.IClassFactory_iface), S_OK);
  return host;
}
