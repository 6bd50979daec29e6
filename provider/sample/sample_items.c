/*
 * SampleItemProvider: an intrinsic event provider. A timer thread creates a
 * SampleItem every interval (SAMPLE_ITEMS_INTERVAL_MS, default 50 ms) and
 * deletes the oldest once more than three exist, announcing each change as
 * __InstanceCreationEvent / __InstanceDeletionEvent with TargetInstance set.
 * It fires only while at least one query is active.
 */
#define COBJMACROS
#define CONST_VTABLE
#include <windows.h>
#include <wbemidl.h>
#include <stdlib.h>

#ifdef _WIN32
#define PROVIDER_EXPORT
#else
#define PROVIDER_EXPORT __attribute__((visibility("default")))
#endif

/* {3f5c7a10-94d2-4b8e-b1c6-5d20e8f4a7b2} */
static const CLSID CLSID_SampleItemProvider =
  { 0x3f5c7a10, 0x94d2, 0x4b8e, { 0xb1, 0xc6, 0x5d, 0x20, 0xe8, 0xf4, 0xa7, 0xb2 } };

#define LIVE_ITEMS 3

static LONG object_count;

typedef struct {
  IWbemProviderInit IWbemProviderInit_iface;
  IWbemEventProvider IWbemEventProvider_iface;
  IWbemEventProviderQuerySink IWbemEventProviderQuerySink_iface;
  LONG ref;

  CRITICAL_SECTION lock;
  IWbemServices *services;
  IWbemClassObject *item_class, *creation_class, *deletion_class;
  IWbemObjectSink *sink;
  LONG active_queries;

  HANDLE stop_event, thread;
  DWORD interval_ms;
  LONG next_item;               /* items are named item1, item2, ... */
  LONG oldest_item;
} items_provider;

static inline items_provider *impl_from_IWbemProviderInit(IWbemProviderInit *iface) {
  return CONTAINING_RECORD(iface, items_provider, IWbemProviderInit_iface);
}
static inline items_provider *impl_from_IWbemEventProvider(IWbemEventProvider *iface) {
  return CONTAINING_RECORD(iface, items_provider, IWbemEventProvider_iface);
}
static inline items_provider *impl_from_IWbemEventProviderQuerySink(IWbemEventProviderQuerySink *iface) {
  return CONTAINING_RECORD(iface, items_provider, IWbemEventProviderQuerySink_iface);
}

static HRESULT items_query_interface(items_provider *p, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IWbemProviderInit))
    *ppv = &p->IWbemProviderInit_iface;
  else if (IsEqualIID(riid, &IID_IWbemEventProvider))
    *ppv = &p->IWbemEventProvider_iface;
  else if (IsEqualIID(riid, &IID_IWbemEventProviderQuerySink))
    *ppv = &p->IWbemEventProviderQuerySink_iface;
  else {
    *ppv = NULL;
    return E_NOINTERFACE;
  }
  InterlockedIncrement(&p->ref);
  return S_OK;
}

static ULONG items_release(items_provider *p) {
  ULONG ref = InterlockedDecrement(&p->ref);
  if (ref)
    return ref;
  if (p->thread) {
    SetEvent(p->stop_event);
    WaitForSingleObject(p->thread, INFINITE);
    CloseHandle(p->thread);
  }
  CloseHandle(p->stop_event);
  if (p->sink) IWbemObjectSink_Release(p->sink);
  if (p->item_class) IWbemClassObject_Release(p->item_class);
  if (p->creation_class) IWbemClassObject_Release(p->creation_class);
  if (p->deletion_class) IWbemClassObject_Release(p->deletion_class);
  if (p->services) IWbemServices_Release(p->services);
  DeleteCriticalSection(&p->lock);
  free(p);
  InterlockedDecrement(&object_count);
  return 0;
}

/* ---- firing -------------------------------------------------------------- */

static BSTR item_name(LONG n) {
  WCHAR text[32], digits[16];
  int i = 0, d = 0;
  text[i++] = L'i'; text[i++] = L't'; text[i++] = L'e'; text[i++] = L'm';
  do {
    digits[d++] = (WCHAR)(L'0' + n % 10);
    n /= 10;
  } while (n);
  while (d)
    text[i++] = digits[--d];
  text[i] = 0;
  return SysAllocString(text);
}

static HRESULT make_item(items_provider *p, LONG n, IWbemClassObject **out) {
  IWbemClassObject *item = NULL;
  VARIANT v;
  HRESULT hr = IWbemClassObject_SpawnInstance(p->item_class, 0, &item);
  if (FAILED(hr))
    return hr;
  V_VT(&v) = VT_BSTR;
  V_BSTR(&v) = item_name(n);
  hr = IWbemClassObject_Put(item, L"Name", 0, &v, 0);
  VariantClear(&v);
  if (SUCCEEDED(hr)) {
    V_VT(&v) = VT_I4;
    V_I4(&v) = n * 100;
    hr = IWbemClassObject_Put(item, L"Size", 0, &v, 0);
  }
  if (FAILED(hr)) {
    IWbemClassObject_Release(item);
    return hr;
  }
  *out = item;
  return S_OK;
}

static HRESULT fire(items_provider *p, IWbemObjectSink *sink, IWbemClassObject *event_class, LONG n) {
  IWbemClassObject *item = NULL, *event = NULL;
  VARIANT v;
  HRESULT hr = make_item(p, n, &item);
  if (FAILED(hr))
    return hr;
  hr = IWbemClassObject_SpawnInstance(event_class, 0, &event);
  if (SUCCEEDED(hr)) {
    V_VT(&v) = VT_UNKNOWN;
    V_UNKNOWN(&v) = (IUnknown *)item;     /* Put copies the embedded object */
    hr = IWbemClassObject_Put(event, L"TargetInstance", 0, &v, 0);
    if (SUCCEEDED(hr))
      hr = IWbemObjectSink_Indicate(sink, 1, &event);
    IWbemClassObject_Release(event);
  }
  IWbemClassObject_Release(item);
  return hr;
}

static DWORD WINAPI items_thread(void *arg) {
  items_provider *p = arg;
  while (WaitForSingleObject(p->stop_event, p->interval_ms) == WAIT_TIMEOUT) {
    IWbemObjectSink *sink = NULL;
    EnterCriticalSection(&p->lock);
    if (p->active_queries > 0 && p->sink) {
      sink = p->sink;
      IWbemObjectSink_AddRef(sink);
    }
    LeaveCriticalSection(&p->lock);
    if (!sink)
      continue;
    fire(p, sink, p->creation_class, ++p->next_item);
    if (p->next_item - p->oldest_item > LIVE_ITEMS)
      fire(p, sink, p->deletion_class, ++p->oldest_item);
    IWbemObjectSink_Release(sink);
  }
  return 0;
}

/* ---- IWbemProviderInit -------------------------------------------------- */

static HRESULT WINAPI init_QueryInterface(IWbemProviderInit *iface, REFIID riid, void **ppv) {
  return items_query_interface(impl_from_IWbemProviderInit(iface), riid, ppv);
}
static ULONG WINAPI init_AddRef(IWbemProviderInit *iface) {
  return InterlockedIncrement(&impl_from_IWbemProviderInit(iface)->ref);
}
static ULONG WINAPI init_Release(IWbemProviderInit *iface) {
  return items_release(impl_from_IWbemProviderInit(iface));
}

static HRESULT get_class(IWbemServices *services, IWbemContext *ctx, const WCHAR *name,
                         IWbemClassObject **out) {
  BSTR path = SysAllocString(name);
  HRESULT hr;
  if (!path)
    return WBEM_E_OUT_OF_MEMORY;
  hr = IWbemServices_GetObject(services, path, 0, ctx, out, NULL);
  SysFreeString(path);
  return hr;
}

static HRESULT WINAPI init_Initialize(IWbemProviderInit *iface, LPWSTR user, LONG flags,
                                      LPWSTR ns, LPWSTR locale, IWbemServices *services,
                                      IWbemContext *ctx, IWbemProviderInitSink *init_sink) {
  items_provider *p = impl_from_IWbemProviderInit(iface);
  HRESULT hr;
  (void)user; (void)flags; (void)ns; (void)locale;
  if (!services || !init_sink)
    return WBEM_E_INVALID_PARAMETER;
  IWbemServices_AddRef(services);
  p->services = services;
  hr = get_class(services, ctx, L"SampleItem", &p->item_class);
  if (SUCCEEDED(hr))
    hr = get_class(services, ctx, L"__InstanceCreationEvent", &p->creation_class);
  if (SUCCEEDED(hr))
    hr = get_class(services, ctx, L"__InstanceDeletionEvent", &p->deletion_class);
  IWbemProviderInitSink_SetStatus(init_sink, SUCCEEDED(hr) ? WBEM_S_INITIALIZED : WBEM_E_FAILED, 0);
  return WBEM_S_NO_ERROR;
}

static const IWbemProviderInitVtbl init_vtbl = {
  init_QueryInterface, init_AddRef, init_Release, init_Initialize,
};

/* ---- IWbemEventProvider ------------------------------------------------- */

static HRESULT WINAPI events_QueryInterface(IWbemEventProvider *iface, REFIID riid, void **ppv) {
  return items_query_interface(impl_from_IWbemEventProvider(iface), riid, ppv);
}
static ULONG WINAPI events_AddRef(IWbemEventProvider *iface) {
  return InterlockedIncrement(&impl_from_IWbemEventProvider(iface)->ref);
}
static ULONG WINAPI events_Release(IWbemEventProvider *iface) {
  return items_release(impl_from_IWbemEventProvider(iface));
}

static HRESULT WINAPI events_ProvideEvents(IWbemEventProvider *iface, IWbemObjectSink *sink, LONG flags) {
  items_provider *p = impl_from_IWbemEventProvider(iface);
  (void)flags;
  if (!sink)
    return WBEM_E_INVALID_PARAMETER;
  EnterCriticalSection(&p->lock);
  if (p->sink)
    IWbemObjectSink_Release(p->sink);
  IWbemObjectSink_AddRef(sink);
  p->sink = sink;
  LeaveCriticalSection(&p->lock);
  if (!p->thread && !(p->thread = CreateThread(NULL, 0, items_thread, p, 0, NULL)))
    return WBEM_E_FAILED;
  return WBEM_S_NO_ERROR;
}

static const IWbemEventProviderVtbl events_vtbl = {
  events_QueryInterface, events_AddRef, events_Release, events_ProvideEvents,
};

/* ---- IWbemEventProviderQuerySink --------------------------------------- */

static HRESULT WINAPI query_QueryInterface(IWbemEventProviderQuerySink *iface, REFIID riid, void **ppv) {
  return items_query_interface(impl_from_IWbemEventProviderQuerySink(iface), riid, ppv);
}
static ULONG WINAPI query_AddRef(IWbemEventProviderQuerySink *iface) {
  return InterlockedIncrement(&impl_from_IWbemEventProviderQuerySink(iface)->ref);
}
static ULONG WINAPI query_Release(IWbemEventProviderQuerySink *iface) {
  return items_release(impl_from_IWbemEventProviderQuerySink(iface));
}

static HRESULT WINAPI query_NewQuery(IWbemEventProviderQuerySink *iface, ULONG id,
                                     LPWSTR language, LPWSTR query) {
  items_provider *p = impl_from_IWbemEventProviderQuerySink(iface);
  (void)id; (void)language; (void)query;
  EnterCriticalSection(&p->lock);
  p->active_queries++;
  LeaveCriticalSection(&p->lock);
  return WBEM_S_NO_ERROR;
}

static HRESULT WINAPI query_CancelQuery(IWbemEventProviderQuerySink *iface, ULONG id) {
  items_provider *p = impl_from_IWbemEventProviderQuerySink(iface);
  (void)id;
  EnterCriticalSection(&p->lock);
  p->active_queries--;
  LeaveCriticalSection(&p->lock);
  return WBEM_S_NO_ERROR;
}

static const IWbemEventProviderQuerySinkVtbl query_vtbl = {
  query_QueryInterface, query_AddRef, query_Release, query_NewQuery, query_CancelQuery,
};

/* ---- class factory and exports ------------------------------------------ */

static HRESULT items_create(REFIID riid, void **ppv) {
  items_provider *p = calloc(1, sizeof(*p));
  const char *interval = getenv("SAMPLE_ITEMS_INTERVAL_MS");
  HRESULT hr;
  if (!p)
    return E_OUTOFMEMORY;
  p->IWbemProviderInit_iface.lpVtbl = &init_vtbl;
  p->IWbemEventProvider_iface.lpVtbl = &events_vtbl;
  p->IWbemEventProviderQuerySink_iface.lpVtbl = &query_vtbl;
  p->ref = 1;
  p->interval_ms = interval && atoi(interval) > 0 ? (DWORD)atoi(interval) : 50;
  InitializeCriticalSection(&p->lock);
  p->stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
  InterlockedIncrement(&object_count);
  hr = items_query_interface(p, riid, ppv);
  items_release(p);
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
static HRESULT WINAPI factory_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid, void **ppv) {
  (void)iface;
  if (!ppv)
    return E_POINTER;
  *ppv = NULL;
  return outer ? CLASS_E_NOAGGREGATION : items_create(riid, ppv);
}
static HRESULT WINAPI factory_LockServer(IClassFactory *iface, BOOL lock) {
  (void)iface; (void)lock;
  return S_OK;
}

static const IClassFactoryVtbl factory_vtbl = {
  factory_QueryInterface, factory_AddRef, factory_Release, factory_CreateInstance, factory_LockServer,
};
static IClassFactory factory = { &factory_vtbl };

PROVIDER_EXPORT HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  *ppv = NULL;
  if (!IsEqualCLSID(clsid, &CLSID_SampleItemProvider))
    return CLASS_E_CLASSNOTAVAILABLE;
  return IClassFactory_QueryInterface(&factory, riid, ppv);
}

PROVIDER_EXPORT HRESULT WINAPI DllCanUnloadNow(void) {
  return object_count == 0 ? S_OK : S_FALSE;
}
