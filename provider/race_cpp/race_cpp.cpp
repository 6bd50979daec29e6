// RaceCppProvider: refires after WBEM_E_SERVER_TOO_BUSY without processing
// a pending CancelQuery, in C++.
//
// An extrinsic event provider written with the standard library's threads:
// a std::thread fires one RaceCppEvent every kPeriod while a query is
// active and backs off kBackoff before it refires when Indicate answers
// WBEM_E_SERVER_TOO_BUSY; a std::mutex and std::condition_variable stop it,
// and the final Release joins it, so its lifetime is correct.
//
// The contract says a provider must process pending requests such as
// CancelQuery before refiring an event after Indicate failed; this one does
// not (see Fire()).
#include <windows.h>
#include <wbemidl.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <new>
#include <system_error>
#include <thread>

#ifdef _WIN32
#define PROVIDER_EXPORT
#else
#define PROVIDER_EXPORT __attribute__((visibility("default")))
#endif

// {9d3b5f71-2a4c-4e8d-b6f0-1c7e9a2d4b83}
static const CLSID CLSID_RaceCppProvider =
  { 0x9d3b5f71, 0x2a4c, 0x4e8d, { 0xb6, 0xf0, 0x1c, 0x7e, 0x9a, 0x2d, 0x4b, 0x83 } };

static const std::chrono::milliseconds kPeriod(1000);
static const std::chrono::milliseconds kBackoff(10);

static LONG g_objects;

class CRaceCppProvider final : public IWbemProviderInit,
                               public IWbemEventProvider,
                               public IWbemEventProviderQuerySink {
public:
  CRaceCppProvider() { InterlockedIncrement(&g_objects); }

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
    BSTR name = SysAllocString(L"RaceCppEvent");
    HRESULT hr = services->GetObject(name, 0, ctx, &m_class, nullptr);
    SysFreeString(name);
    initSink->SetStatus(SUCCEEDED(hr) ? (LONG)WBEM_S_INITIALIZED : (LONG)WBEM_E_FAILED, 0);
    return WBEM_S_NO_ERROR;
  }

  // IWbemEventProvider: keeps the sink and starts the thread once.
  STDMETHODIMP ProvideEvents(IWbemObjectSink *sink, LONG) override {
    if (!sink)
      return WBEM_E_INVALID_PARAMETER;
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_sink)
      m_sink->Release();
    sink->AddRef();
    m_sink = sink;
    if (!m_thread.joinable()) {
      try {
        m_thread = std::thread(&CRaceCppProvider::Run, this);
      } catch (const std::system_error &) {
        return WBEM_E_FAILED;
      }
    }
    return WBEM_S_NO_ERROR;
  }

  // IWbemEventProviderQuerySink
  STDMETHODIMP NewQuery(ULONG, LPWSTR, LPWSTR) override {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_queries++;
    return WBEM_S_NO_ERROR;
  }
  STDMETHODIMP CancelQuery(ULONG) override {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_queries--;
    return WBEM_S_NO_ERROR;
  }

private:
  // The final Release stops the thread and waits for it before anything
  // it uses goes away.
  ~CRaceCppProvider() {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_stop = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable())
      m_thread.join();
    if (m_sink)
      m_sink->Release();
    if (m_class)
      m_class->Release();
    InterlockedDecrement(&g_objects);
  }

  // Fires on a fixed timetable, kPeriod apart, until told to stop.
  void Run() {
    std::unique_lock<std::mutex> lock(m_mutex);
    auto next = std::chrono::steady_clock::now() + kPeriod;
    while (!m_cv.wait_until(lock, next, [this] { return m_stop; })) {
      next += kPeriod;
      if (m_queries <= 0 || !m_sink)
        continue;
      IWbemObjectSink *sink = m_sink;
      sink->AddRef();
      lock.unlock();
      Fire(sink);
      sink->Release();
      lock.lock();
    }
  }

  // THE BUG: after the back-off it refires the same event without looking
  // at the requests that arrived meanwhile (m_queries, under m_mutex), so a
  // CancelQuery that came during the back-off is only processed after the
  // refire. Whether it did depends on which thread ran first when the
  // cancel and the event fell due together.
  void Fire(IWbemObjectSink *sink) {
    IWbemClassObject *event = nullptr;
    if (!m_class || FAILED(m_class->SpawnInstance(0, &event)))
      return;
    VARIANT v;
    V_VT(&v) = VT_I4;
    V_I4(&v) = InterlockedIncrement(&m_sequence);
    event->Put(L"Sequence", 0, &v, 0);
    HRESULT hr = sink->Indicate(1, &event);
    for (int tries = 0; hr == (HRESULT)WBEM_E_SERVER_TOO_BUSY && tries < 5; tries++) {
      std::this_thread::sleep_for(kBackoff);
      hr = sink->Indicate(1, &event);
    }
    event->Release();
  }

  LONG m_ref = 1;
  LONG m_sequence = 0;
  std::mutex m_mutex;              // m_queries, m_sink, m_stop
  std::condition_variable m_cv;    // m_stop
  bool m_stop = false;
  LONG m_queries = 0;
  IWbemClassObject *m_class = nullptr;
  IWbemObjectSink *m_sink = nullptr;
  std::thread m_thread;
};

class CRaceCppFactory : public IClassFactory {
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
    CRaceCppProvider *p = new (std::nothrow) CRaceCppProvider();
    if (!p)
      return E_OUTOFMEMORY;
    HRESULT hr = p->QueryInterface(riid, ppv);
    p->Release();
    return hr;
  }
  STDMETHODIMP LockServer(BOOL) override { return S_OK; }
};

static CRaceCppFactory g_factory;

extern "C" PROVIDER_EXPORT HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID riid, void **ppv) {
  if (!ppv)
    return E_POINTER;
  *ppv = nullptr;
  if (clsid != CLSID_RaceCppProvider)
    return CLASS_E_CLASSNOTAVAILABLE;
  return g_factory.QueryInterface(riid, ppv);
}

extern "C" PROVIDER_EXPORT HRESULT WINAPI DllCanUnloadNow() {
  return g_objects == 0 ? S_OK : S_FALSE;
}
