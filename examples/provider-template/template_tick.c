/*
 * TemplateTickProvider: an extrinsic event provider driven by a timer thread,
 * the starting point for a provider of your own (copy this folder).
 *
 * Plain Windows provider code: it builds unchanged with the Windows SDK, and
 * with wmiemu on Linux, Windows' header spellings included (<Windows.h>).
 * Every interval (TEMPLATE_TICK_INTERVAL_MS, default 50 ms) the timer thread
 * fires one TemplateTick event while at least one query is active;
 * CancelQuery of the last query silences it. Use LONG, not long, in COM
 * signatures: long is 64-bit on Linux.
 */
#define COBJMACROS
#define CONST_VTABLE
#include <Windows.h>
#include <WbemIdl.h>
#include <WbemProv.h>
#include <stdlib.h>

#ifdef _WIN32
#define PROVIDER_EXPORT
#else
#define PROVIDER_EXPORT __attribute__((visibility("default")))
#endif

/* {5b1c3f0e-8a2d-4e6b-9c71-0d4f2a6e8b13}: make a new one for your provider. */
static const CLSID CLSID_TemplateTickProvider =
  { 0x5b1c3f0e, 0x8a2d, 0x4e6b, { 0x9c, 0x71, 0x0d, 0x4f, 0x2a, 0x6e, 0x8b, 0x13 } };

#define MAX_QUERIES 64

static LONG object_count;
static LONG server_locks;

typedef struct {
  IWbemProviderInit IWbemProviderInit_iface;
  IWbemEventProvider IWbemEventProvider_iface;
  IWbemEventProviderQuerySink IWbemEventProviderQuerySink_iface;
  IWbemEventProviderSecurity IWbemEventProviderSecurity_iface;
  LONG ref;

  CRITICAL_SECTION lock;           /* guards sink and queries */
  IWbemServices *services;
  IWbemClassObject *event_class;
  IWbemObjectSink *sink;
  ULONG queries[MAX_QUERIES];
  LONG query_count;

  HANDLE stop_event;
  HANDLE thread;
  DWORD interval_ms;
  LONG sequence;
} tick_provider;

static inline tick_provider *impl_from_IWbemProviderInit(IWbemProviderInit *iface) {
  return CONTAINING_RECORD(iface, tick_provider, IWbemProviderInit_iface);
}
static inline tick_provider *impl_from_IWbemEventProvider(IWbemEventProvider *iface) {
  return CONTAINING_RECORD(iface, tick_provider, IWbemEventProvider_iface);
}
static inline tick_provider *impl_from_IWbemEventProviderQuerySink(IWbemEventProviderQuerySink *iface) {
  return CONTAINING_RECORD(iface, tick_provider, IWbemEventProviderQuerySink_iface);
}
static inline tick_provider *impl_from_IWbemEventProviderSecurity(IWbemEventProviderSecurity *iface) {
  return CONTAINING_RECORD(iface, tick_provider, IWbemEventProviderSecurity_iface);
}

/* ---- IUnknown, shared by every interface -------------------------------- */

static HRESULT tick_query_interface(tick_provider *p, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IWbemProviderInit))
    *ppv = &p->IWbemProviderInit_iface;
  else if (IsEqualIID(riid, &IID_IWbemEventProvider))
    *ppv = &p->IWbemEventProvider_iface;
  else if (IsEqualIID(riid, &IID_IWbemEventProviderQuerySink))
    *ppv = &p->IWbemEventProviderQuerySink_iface;
  else if (IsEqualIID(riid, &IID_IWbemEventProviderSecurity))
    *ppv = &p->IWbemEventProviderSecurity_iface;
  else {
    *ppv = NULL;
    return E_NOINTERFACE;
  }
  InterlockedIncrement(&p->ref);
  return S_OK;
}

static ULONG tick_add_ref(tick_provider *p) {
  return InterlockedIncrement(&p->ref);
}

static ULONG tick_release(tick_provider *p) {
  ULONG ref = InterlockedDecrement(&p->ref);
  if (ref)
    return ref;
  /* Stop the timer thread before letting go of the sink it uses. */
  if (p->thread) {
    SetEvent(p->stop_event);
    WaitForSingleObject(p->thread, INFINITE);
    CloseHandle(p->thread);
  }
  CloseHandle(p->stop_event);
  if (p->sink)
    IWbemObjectSink_Release(p->sink);
  if (p->event_class)
    IWbemClassObject_Release(p->event_class);
  if (p->services)
    IWbemServices_Release(p->services);
  DeleteCriticalSection(&p->lock);
  free(p);
  InterlockedDecrement(&object_count);
  return 0;
}

/* ---- the timer thread ---------------------------------------------------- */

static HRESULT put_uint32(IWbemClassObject *obj, const WCHAR *name, LONG value) {
  VARIANT v;
  V_VT(&v) = VT_I4;
  V_I4(&v) = value;
  return IWbemClassObject_Put(obj, name, 0, &v, 0);
}

static HRESULT put_string(IWbemClassObject *obj, const WCHAR *name, const WCHAR *value) {
  VARIANT v;
  HRESULT hr;
  V_VT(&v) = VT_BSTR;
  V_BSTR(&v) = SysAllocString(value);
  if (!V_BSTR(&v))
    return WBEM_E_OUT_OF_MEMORY;
  hr = IWbemClassObject_Put(obj, name, 0, &v, 0);
  VariantClear(&v);
  return hr;
}

static void format_decimal(WCHAR *out, ULONGLONG value) {
  WCHAR digits[24];
  int n = 0;
  do {
    digits[n++] = (WCHAR)(L'0' + value % 10);
    value /= 10;
  } while (value);
  while (n)
    *out++ = digits[--n];
  *out = 0;
}

static HRESULT fire_tick(tick_provider *p, IWbemObjectSink *sink) {
  IWbemClassObject *event = NULL;
  WCHAR text[64], number[24];
  static const WCHAR prefix[] = L"tick ";
  LONG seq = InterlockedIncrement(&p->sequence);
  VARIANT v;
  HRESULT hr;
  int i, j;

  hr = IWbemClassObject_SpawnInstance(p->event_class, 0, &event);
  if (FAILED(hr))
    return hr;
  format_decimal(number, (ULONGLONG)seq);
  for (i = 0; prefix[i]; i++)
    text[i] = prefix[i];
  for (j = 0; number[j]; j++)
    text[i++] = number[j];
  text[i] = 0;

  hr = put_uint32(event, L"Sequence", seq);
  if (SUCCEEDED(hr))
    hr = put_string(event, L"Message", text);
  if (SUCCEEDED(hr)) {
    format_decimal(number, GetTickCount64());
    hr = put_string(event, L"Ticks", number);          /* uint64 travels as a decimal BSTR */
  }
  if (SUCCEEDED(hr)) {
    V_VT(&v) = VT_BOOL;
    V_BOOL(&v) = (seq % 2 == 0) ? VARIANT_TRUE : VARIANT_FALSE;
    hr = IWbemClassObject_Put(event, L"Even", 0, &v, 0);
  }
  if (SUCCEEDED(hr)) {
    V_VT(&v) = VT_R8;
    V_R8(&v) = (seq % 100) / 100.0;
    hr = IWbemClassObject_Put(event, L"Load", 0, &v, 0);
  }
  if (SUCCEEDED(hr))
    hr = IWbemObjectSink_Indicate(sink, 1, &event);
  IWbemClassObject_Release(event);
  return hr;
}

static DWORD WINAPI tick_thread(void *arg) {
  tick_provider *p = arg;
  while (WaitForSingleObject(p->stop_event, p->interval_ms) == WAIT_TIMEOUT) {
    IWbemObjectSink *sink = NULL;
    EnterCriticalSection(&p->lock);
    if (p->query_count > 0 && p->sink) {
      sink = p->sink;
      IWbemObjectSink_AddRef(sink);
    }
    LeaveCriticalSection(&p->lock);
    if (sink) {
      fire_tick(p, sink);
      IWbemObjectSink_Release(sink);
    }
  }
  return 0;
}

/* ---- IWbemProviderInit -------------------------------------------------- */

static HRESULT WINAPI init_QueryInterface(IWbemProviderInit *iface, REFIID riid, void **ppv) {
  return tick_query_interface(impl_from_IWbemProviderInit(iface), riid, ppv);
}
static ULONG WINAPI init_AddRef(IWbemProviderInit *iface) {
  return tick_add_ref(impl_from_IWbemProviderInit(iface));
}
static ULONG WINAPI init_Release(IWbemProviderInit *iface) {
  return tick_release(impl_from_IWbemProviderInit(iface));
}

static HRESULT WINAPI init_Initialize(IWbemProviderInit *iface, LPWSTR user, LONG flags,
                                      LPWSTR ns, LPWSTR locale, IWbemServices *services,
                                      IWbemContext *ctx, IWbemProviderInitSink *init_sink) {
  tick_provider *p = impl_from_IWbemProviderInit(iface);
  BSTR class_name;
  HRESULT hr;
  (void)user; (void)flags; (void)ns; (void)locale;

  if (!services || !init_sink)
    return WBEM_E_INVALID_PARAMETER;
  IWbemServices_AddRef(services);
  p->services = services;

  class_name = SysAllocString(L"TemplateTick");
  hr = IWbemServices_GetObject(services, class_name, 0, ctx, &p->event_class, NULL);
  SysFreeString(class_name);
  IWbemProviderInitSink_SetStatus(init_sink, SUCCEEDED(hr) ? WBEM_S_INITIALIZED : WBEM_E_FAILED, 0);
  return WBEM_S_NO_ERROR;
}

static const IWbemProviderInitVtbl init_vtbl = {
  init_QueryInterface,
  init_AddRef,
  init_Release,
  init_Initialize,
};

/* ---- IWbemEventProvider ------------------------------------------------- */

static HRESULT WINAPI events_QueryInterface(IWbemEventProvider *iface, REFIID riid, void **ppv) {
  return tick_query_interface(impl_from_IWbemEventProvider(iface), riid, ppv);
}
static ULONG WINAPI events_AddRef(IWbemEventProvider *iface) {
  return tick_add_ref(impl_from_IWbemEventProvider(iface));
}
static ULONG WINAPI events_Release(IWbemEventProvider *iface) {
  return tick_release(impl_from_IWbemEventProvider(iface));
}

/* Keeps the sink and returns at once: the timer thread does the firing. */
static HRESULT WINAPI events_ProvideEvents(IWbemEventProvider *iface, IWbemObjectSink *sink, LONG flags) {
  tick_provider *p = impl_from_IWbemEventProvider(iface);
  (void)flags;
  if (!sink)
    return WBEM_E_INVALID_PARAMETER;
  EnterCriticalSection(&p->lock);
  if (p->sink)
    IWbemObjectSink_Release(p->sink);
  IWbemObjectSink_AddRef(sink);
  p->sink = sink;
  LeaveCriticalSection(&p->lock);
  if (!p->thread) {
    p->thread = CreateThread(NULL, 0, tick_thread, p, 0, NULL);
    if (!p->thread)
      return WBEM_E_FAILED;
  }
  return WBEM_S_NO_ERROR;
}

static const IWbemEventProviderVtbl events_vtbl = {
  events_QueryInterface,
  events_AddRef,
  events_Release,
  events_ProvideEvents,
};

/* ---- IWbemEventProviderQuerySink --------------------------------------- */

static HRESULT WINAPI query_QueryInterface(IWbemEventProviderQuerySink *iface, REFIID riid, void **ppv) {
  return tick_query_interface(impl_from_IWbemEventProviderQuerySink(iface), riid, ppv);
}
static ULONG WINAPI query_AddRef(IWbemEventProviderQuerySink *iface) {
  return tick_add_ref(impl_from_IWbemEventProviderQuerySink(iface));
}
static ULONG WINAPI query_Release(IWbemEventProviderQuerySink *iface) {
  return tick_release(impl_from_IWbemEventProviderQuerySink(iface));
}

static HRESULT WINAPI query_NewQuery(IWbemEventProviderQuerySink *iface, ULONG id,
                                     LPWSTR language, LPWSTR query) {
  tick_provider *p = impl_from_IWbemEventProviderQuerySink(iface);
  HRESULT hr = WBEM_S_NO_ERROR;
  LONG i;
  (void)language; (void)query;
  EnterCriticalSection(&p->lock);
  for (i = 0; i < p->query_count; i++)
    if (p->queries[i] == id)
      break;                          /* the same id again: the query changed */
  if (i == p->query_count) {
    if (p->query_count < MAX_QUERIES)
      p->queries[p->query_count++] = id;
    else
      hr = WBEM_E_QUOTA_VIOLATION;
  }
  LeaveCriticalSection(&p->lock);
  return hr;
}

static HRESULT WINAPI query_CancelQuery(IWbemEventProviderQuerySink *iface, ULONG id) {
  tick_provider *p = impl_from_IWbemEventProviderQuerySink(iface);
  LONG i;
  EnterCriticalSection(&p->lock);
  for (i = 0; i < p->query_count; i++) {
    if (p->queries[i] == id) {
      p->queries[i] = p->queries[--p->query_count];
      break;
    }
  }
  LeaveCriticalSection(&p->lock);
  return WBEM_S_NO_ERROR;
}

static const IWbemEventProviderQuerySinkVtbl query_vtbl = {
  query_QueryInterface,
  query_AddRef,
  query_Release,
  query_NewQuery,
  query_CancelQuery,
};

/* ---- IWbemEventProviderSecurity ---------------------------------------- */

static HRESULT WINAPI security_QueryInterface(IWbemEventProviderSecurity *iface, REFIID riid, void **ppv) {
  return tick_query_interface(impl_from_IWbemEventProviderSecurity(iface), riid, ppv);
}
static ULONG WINAPI security_AddRef(IWbemEventProviderSecurity *iface) {
  return tick_add_ref(impl_from_IWbemEventProviderSecurity(iface));
}
static ULONG WINAPI security_Release(IWbemEventProviderSecurity *iface) {
  return tick_release(impl_from_IWbemEventProviderSecurity(iface));
}

/* Ticks carry nothing secret: every consumer may subscribe. */
static HRESULT WINAPI security_AccessCheck(IWbemEventProviderSecurity *iface, LPCWSTR language,
                                           LPCWSTR query, LONG sid_length, const BYTE *sid) {
  (void)iface; (void)language; (void)query;
  if (sid_length < 0 || (sid_length > 0 && !sid))
    return WBEM_E_INVALID_PARAMETER;
  return WBEM_S_NO_ERROR;
}

static const IWbemEventProviderSecurityVtbl security_vtbl = {
  security_QueryInterface,
  security_AddRef,
  security_Release,
  security_AccessCheck,
};

/* ---- class factory and exports ------------------------------------------ */

static HRESULT tick_create(REFIID riid, void **ppv) {
  tick_provider *p = calloc(1, sizeof(*p));
  const char *interval = getenv("TEMPLATE_TICK_INTERVAL_MS");
  HRESULT hr;

  if (!p)
    return E_OUTOFMEMORY;
  p->IWbemProviderInit_iface.lpVtbl = &init_vtbl;
  p->IWbemEventProvider_iface.lpVtbl = &events_vtbl;
  p->IWbemEventProviderQuerySink_iface.lpVtbl = &query_vtbl;
  p->IWbemEventProviderSecurity_iface.lpVtbl = &security_vtbl;
  p->ref = 1;
  p->interval_ms = interval && atoi(interval) > 0 ? (DWORD)atoi(interval) : 50;
  InitializeCriticalSection(&p->lock);
  p->stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
  if (!p->stop_event) {
    DeleteCriticalSection(&p->lock);
    free(p);
    return E_OUTOFMEMORY;
  }
  InterlockedIncrement(&object_count);
  hr = tick_query_interface(p, riid, ppv);
  tick_release(p);
  return hr;
}

static HRESULT WINAPI factory_QueryInterface(IClassFactory *iface, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IClassFactory)) {
    *ppv = iface;
    return S_OK;
  }
  *ppv = NULL;
  return E_NOINTERFACE;
}
static ULONG WINAPI factory_AddRef(IClassFactory *iface) { (void)iface; return 2; }
static ULONG WINAPI factory_Release(IClassFactory *iface) { (void)iface; return 1; }

static HRESULT WINAPI factory_CreateInstance(IClassFactory *iface, IUnknown *outer,
                                             REFIID riid, void **ppv) {
  (void)iface;
  if (!ppv)
    return E_POINTER;
  *ppv = NULL;
  if (outer)
    return CLASS_E_NOAGGREGATION;
  return tick_create(riid, ppv);
}

static HRESULT WINAPI factory_LockServer(IClassFactory *iface, BOOL lock) {
  (void)iface;
  if (lock)
    InterlockedIncrement(&server_locks);
  else
    InterlockedDecrement(&server_locks);
  return S_OK;
}

static const IClassFactoryVtbl factory_vtbl = {
  factory_QueryInterface,
  factory_AddRef,
  factory_Release,
  factory_CreateInstance,
  factory_LockServer,
};
static IClassFactory factory = { &factory_vtbl };

PROVIDER_EXPORT HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  *ppv = NULL;
  if (!IsEqualCLSID(clsid, &CLSID_TemplateTickProvider))
    return CLASS_E_CLASSNOTAVAILABLE;
  return IClassFactory_QueryInterface(&factory, riid, ppv);
}

PROVIDER_EXPORT HRESULT WINAPI DllCanUnloadNow(void) {
  return (object_count == 0 && server_locks == 0) ? S_OK : S_FALSE;
}
