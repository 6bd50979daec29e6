// SampleCppProvider: the same contract written the way most Windows providers
// are, as a C++ class deriving from the provider interfaces. NewQuery fires
// one SampleCppEvent per query straight away from a worker thread, so the
// sample needs no timer; CancelQuery is honoured by counting active queries.
#include <windows.h>
#include <wbemidl.h>
#include <new>

#ifdef _WIN32
#define PROVIDER_EXPORT
#else
#define PROVIDER_EXPORT __attribute__((visibility("default")))
#endif

// {b7a2e0c4-1d3f-4e59-8c6a-9f01d2e3c4b5}
static const CLSID CLSID_SampleCppProvider =
  { 0xb7a2e0c4, 0x1d3f, 0x4e59, { 0x8c, 0x6a, 0x9f, 0x01, 0xd2, 0xe3, 0xc4, 0xb5 } };

static LONG g_objects;

class CSampleCppProvider final : public IWbemProviderInit,
                           public IWbemEventProvider,
                           public IWbemEventProviderQuerySink {
public:
  CSampleCppProvider() {
    InterlockedIncrement(&g_objects);
    InitializeCriticalSection(&m_lock);
    InitializeCriticalSection(&m_queryLock);
  }

  // IUnknown
  STDMETHODIMP QueryInterface(REFIID riid, void **ppv) override {
    if (!ppv)
      return E_POINTER;
    if (riid == IID_IUnknown || riid == IID_IWbemProviderInit)
      *ppv = static_cast<IWbemProviderInit *>(this);
    else if (riid == IID_IWbemEventProvider)
      *ppv = static_cast<IWbemEventProvider *>(this);
    else if (riid == IID_IWbemEventProviderQuerySink)
      *ppv = static_cast<IWbemEventProviderQuerySink *>(this);
    else {
      *ppv = nullptr;
      return E_NOINTERFACE;
    }
    AddRef();
    return S_OK;
  }
  STDMETHODIMP_(ULONG) AddRef() override { return InterlockedIncrement(&m_ref); }
  STDMETHODIMP_(ULONG) Release() override {
    ULONG ref = InterlockedDecrement(&m_ref);
    if (!ref)
      delete this;
    return ref;
  }

  // IWbemProviderInit
  STDMETHODIMP Initialize(LPWSTR, LONG, LPWSTR, LPWSTR, IWbemServices *services,
                          IWbemContext *ctx, IWbemProviderInitSink *initSink) override {
    if (!services || !initSink)
      return WBEM_E_INVALID_PARAMETER;
    BSTR name = SysAllocString(L"SampleCppEvent");
    HRESULT hr = services->GetObject(name, 0, ctx, &m_class, nullptr);
    SysFreeString(name);
    initSink->SetStatus(SUCCEEDED(hr) ? (LONG)WBEM_S_INITIALIZED : (LONG)WBEM_E_FAILED, 0);
    return WBEM_S_NO_ERROR;
  }

  // IWbemEventProvider
  STDMETHODIMP ProvideEvents(IWbemObjectSink *sink, LONG) override {
    if (!sink)
      return WBEM_E_INVALID_PARAMETER;
    EnterCriticalSection(&m_lock);
    if (m_sink)
      m_sink->Release();
    sink->AddRef();
    m_sink = sink;
    LeaveCriticalSection(&m_lock);
    return WBEM_S_NO_ERROR;
  }

  // IWbemEventProviderQuerySink
  STDMETHODIMP NewQuery(ULONG, LPWSTR, LPWSTR) override {
    // The count is read by the fire thread under m_lock, so it changes there too.
    EnterCriticalSection(&m_lock);
    m_queries++;
    LeaveCriticalSection(&m_lock);
    // Queries may arrive on several WMI threads at once; their events go
    // out in order: join the previous query's thread before starting the
    // next. m_queryLock, not m_lock, which the fire thread takes.
    EnterCriticalSection(&m_queryLock);
    if (m_thread) {
      WaitForSingleObject(m_thread, INFINITE);
      CloseHandle(m_thread);
    }
    // Fire from another thread: Indicate must work from any thread. The
    // destructor joins the thread, so it never outlives the object.
    m_thread = CreateThread(nullptr, 0, &CSampleCppProvider::FireThread, this, 0, nullptr);
    HRESULT hr = m_thread ? WBEM_S_NO_ERROR : WBEM_E_FAILED;
    LeaveCriticalSection(&m_queryLock);
    return hr;
  }
  STDMETHODIMP CancelQuery(ULONG) override {
    EnterCriticalSection(&m_lock);
    m_queries--;
    LeaveCriticalSection(&m_lock);
    return WBEM_S_NO_ERROR;
  }

private:
  ~CSampleCppProvider() {
    if (m_thread) {
      WaitForSingleObject(m_thread, INFINITE);
      CloseHandle(m_thread);
    }
    if (m_sink) m_sink->Release();
    if (m_class) m_class->Release();
    DeleteCriticalSection(&m_queryLock);
    DeleteCriticalSection(&m_lock);
    InterlockedDecrement(&g_objects);
  }

  static DWORD WINAPI FireThread(void *arg) {
    CSampleCppProvider *self = static_cast<CSampleCppProvider *>(arg);
    self->Fire();
    return 0;
  }

  void Fire() {
    EnterCriticalSection(&m_lock);
    IWbemObjectSink *sink = m_queries > 0 ? m_sink : nullptr;
    if (sink)
      sink->AddRef();
    LeaveCriticalSection(&m_lock);
    if (!sink || !m_class) {
      if (sink) sink->Release();
      return;
    }
    IWbemClassObject *event = nullptr;
    if (SUCCEEDED(m_class->SpawnInstance(0, &event))) {
      VARIANT v;
      V_VT(&v) = VT_I4;
      V_I4(&v) = InterlockedIncrement(&m_sequence);
      event->Put(L"Sequence", 0, &v, 0);
      V_VT(&v) = VT_BSTR;
      V_BSTR(&v) = SysAllocString(L"C++");
      event->Put(L"Source", 0, &v, 0);
      VariantClear(&v);
      sink->Indicate(1, &event);
      event->Release();
    }
    sink->Release();
  }

  LONG m_ref = 1;
  LONG m_queries = 0;
  LONG m_sequence = 0;
  CRITICAL_SECTION m_lock;         // m_queries, m_sink
  CRITICAL_SECTION m_queryLock;    // m_thread, across NewQuery calls
  IWbemClassObject *m_class = nullptr;
  IWbemObjectSink *m_sink = nullptr;
  HANDLE m_thread = nullptr;
};

class CSampleCppFactory : public IClassFactory {
public:
  STDMETHODIMP QueryInterface(REFIID riid, void **ppv) override {
    if (!ppv)
      return E_POINTER;
    if (riid == IID_IUnknown || riid == IID_IClassFactory) {
      *ppv = static_cast<IClassFactory *>(this);
      return S_OK;
    }
    *ppv = nullptr;
    return E_NOINTERFACE;
  }
  STDMETHODIMP_(ULONG) AddRef() override { return 2; }
  STDMETHODIMP_(ULONG) Release() override { return 1; }
  STDMETHODIMP CreateInstance(IUnknown *outer, REFIID riid, void **ppv) override {
    if (!ppv)
      return E_POINTER;
    *ppv = nullptr;
    if (outer)
      return CLASS_E_NOAGGREGATION;
    CSampleCppProvider *p = new (std::nothrow) CSampleCppProvider();
    if (!p)
      return E_OUTOFMEMORY;
    HRESULT hr = p->QueryInterface(riid, ppv);
    p->Release();
    return hr;
  }
  STDMETHODIMP LockServer(BOOL) override { return S_OK; }
};

static CSampleCppFactory g_factory;

extern "C" PROVIDER_EXPORT HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  *ppv = nullptr;
  if (clsid != CLSID_SampleCppProvider)
    return CLASS_E_CLASSNOTAVAILABLE;
  return g_factory.QueryInterface(riid, ppv);
}

extern "C" PROVIDER_EXPORT HRESULT WINAPI DllCanUnloadNow() {
  return g_objects == 0 ? S_OK : S_FALSE;
}
