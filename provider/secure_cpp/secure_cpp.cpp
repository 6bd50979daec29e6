// SecureCppProvider: an event provider written as Windows developers write
// them, in C++ against the Windows SDK. It registers itself
// (DllRegisterServer writes HKCR\CLSID\{clsid}\InprocServer32 with its
// path, from the module handle DllMain saved, and its ThreadingModel),
// admits consumers through IWbemEventProviderSecurity::AccessCheck against
// an SDDL descriptor, and reports to the event log. Its exports come from
// secure_cpp.def, so the source carries no export decoration.
//
// AccessCheck follows
// https://learn.microsoft.com/windows/win32/api/wbemprov/nf-wbemprov-iwbemeventprovidersecurity-accesscheck:
// a temporary consumer arrives with pSid NULL and the call impersonating
// it, so the provider checks the thread's token; a permanent consumer
// arrives with the SID of the subscription's creator, checked against the
// descriptor's ACEs in order.
#include <windows.h>
#include <olectl.h>
#include <sddl.h>
#include <wbemidl.h>
#include <new>

// {3f6c1a52-8e0d-4b7a-9c21-5d4e3f2a1b60}
static const CLSID CLSID_SecureCppProvider =
  { 0x3f6c1a52, 0x8e0d, 0x4b7a, { 0x9c, 0x21, 0x5d, 0x4e, 0x3f, 0x2a, 0x1b, 0x60 } };
static const WCHAR CLSID_KEY[] = L"CLSID\\{3f6c1a52-8e0d-4b7a-9c21-5d4e3f2a1b60}";
static const WCHAR PROVIDER_NAME[] = L"SecureCppProvider";

// Who may subscribe: Authenticated Users and Administrators, never Guests.
// The one right this provider defines is "subscribe".
static const WCHAR SUBSCRIBERS_SDDL[] = L"O:SYG:SYD:(D;;0x1;;;BG)(A;;0x1;;;AU)(A;;0x1;;;BA)";
static const DWORD RIGHT_SUBSCRIBE = 0x1;
static GENERIC_MAPPING g_mapping = { RIGHT_SUBSCRIBE, RIGHT_SUBSCRIBE, RIGHT_SUBSCRIBE, RIGHT_SUBSCRIBE };

static const DWORD EVENTS_PER_QUERY = 3;
static const DWORD MSG_QUERY_ADMITTED = 1;
static const DWORD MSG_QUERY_DENIED = 2;
static const DWORD MSG_QUERY_STARTED = 3;

static HMODULE g_module;
static LONG g_objects;

// extern "C": Visual C++ gives DllMain C linkage by itself, g++ (MinGW-w64)
// does not, and its C runtime would then call a default DllMain instead.

extern "C" BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID)
{
  if (reason == DLL_PROCESS_ATTACH) {
    g_module = instance;
    DisableThreadLibraryCalls(instance);
  }
  return TRUE;
}

// Writes one line to the provider's event log source.
static void Report(HANDLE log, WORD type, DWORD id, LPCWSTR text)
{
  if (log)
    ReportEventW(log, type, 0, id, nullptr, 1, 0, &text, nullptr);
}

// The SID of a token's user, as S-1-... text (LocalFree it), or NULL.
static LPWSTR TokenUserString(HANDLE token)
{
  DWORD size = 0;
  GetTokenInformation(token, TokenUser, nullptr, 0, &size);
  if (GetLastError() != ERROR_INSUFFICIENT_BUFFER)
    return nullptr;
  TOKEN_USER *user = static_cast<TOKEN_USER *>(LocalAlloc(LPTR, size));
  if (!user)
    return nullptr;
  LPWSTR text = nullptr;
  if (!GetTokenInformation(token, TokenUser, user, size, &size) ||
      !ConvertSidToStringSidW(user->User.Sid, &text))
    text = nullptr;
  LocalFree(user);
  return text;
}

class CSecureCppProvider final : public IWbemProviderInit,
                                 public IWbemEventProvider,
                                 public IWbemEventProviderQuerySink,
                                 public IWbemEventProviderSecurity {
public:
  CSecureCppProvider() {
    InterlockedIncrement(&g_objects);
    InitializeCriticalSection(&m_lock);
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
    else if (riid == IID_IWbemEventProviderSecurity)
      *ppv = static_cast<IWbemEventProviderSecurity *>(this);
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
    HRESULT hr = WBEM_S_NO_ERROR;
    BSTR name = SysAllocString(L"SecureCppEvent");
    if (!name)
      hr = WBEM_E_OUT_OF_MEMORY;
    else
      hr = services->GetObject(name, 0, ctx, &m_class, nullptr);
    SysFreeString(name);
    if (SUCCEEDED(hr) &&
        !ConvertStringSecurityDescriptorToSecurityDescriptorW(SUBSCRIBERS_SDDL, SDDL_REVISION_1,
                                                              &m_subscribers, nullptr))
      hr = WBEM_E_FAILED;
    m_log = RegisterEventSourceW(nullptr, PROVIDER_NAME);
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

  // IWbemEventProviderSecurity
  STDMETHODIMP AccessCheck(WBEM_CWSTR, WBEM_CWSTR, LONG sidLength, const BYTE *sid) override {
    LPWSTR who = nullptr;
    BOOL granted = FALSE;
    HRESULT hr;
    if (sid)
      hr = CheckSid(reinterpret_cast<PSID>(const_cast<BYTE *>(sid)), sidLength, &granted, &who);
    else
      hr = CheckClient(&granted, &who);
    Report(m_log, granted ? EVENTLOG_SUCCESS : EVENTLOG_WARNING_TYPE,
           granted ? MSG_QUERY_ADMITTED : MSG_QUERY_DENIED, who ? who : L"(unknown)");
    if (SUCCEEDED(hr) && granted) {
      EnterCriticalSection(&m_lock);
      if (m_consumer)
        LocalFree(m_consumer);
      m_consumer = who;
      who = nullptr;
      LeaveCriticalSection(&m_lock);
    }
    if (who)
      LocalFree(who);
    if (FAILED(hr))
      return hr;
    return granted ? WBEM_S_NO_ERROR : WBEM_E_ACCESS_DENIED;
  }

  // IWbemEventProviderQuerySink
  STDMETHODIMP NewQuery(ULONG, WBEM_WSTR, WBEM_WSTR query) override {
    Report(m_log, EVENTLOG_INFORMATION_TYPE, MSG_QUERY_STARTED, query);
    EnterCriticalSection(&m_lock);
    m_queries++;
    if (m_thread) {
      // One firing thread at a time: the previous query's batch is short.
      HANDLE previous = m_thread;
      m_thread = nullptr;
      LeaveCriticalSection(&m_lock);
      WaitForSingleObject(previous, INFINITE);
      CloseHandle(previous);
      EnterCriticalSection(&m_lock);
    }
    HANDLE thread = CreateThread(nullptr, 0, &CSecureCppProvider::FireThread, this, 0, nullptr);
    if (thread && m_thread) {
      // Another NewQuery started one meanwhile; join ours at release.
      WaitForSingleObject(m_thread, INFINITE);
      CloseHandle(m_thread);
    }
    if (thread)
      m_thread = thread;
    LeaveCriticalSection(&m_lock);
    return thread ? WBEM_S_NO_ERROR : WBEM_E_FAILED;
  }
  STDMETHODIMP CancelQuery(ULONG) override {
    EnterCriticalSection(&m_lock);
    m_queries--;
    LeaveCriticalSection(&m_lock);
    return WBEM_S_NO_ERROR;
  }

private:
  ~CSecureCppProvider() {
    if (m_thread) {
      WaitForSingleObject(m_thread, INFINITE);
      CloseHandle(m_thread);
    }
    if (m_sink) m_sink->Release();
    if (m_class) m_class->Release();
    if (m_subscribers) LocalFree(m_subscribers);
    if (m_consumer) LocalFree(m_consumer);
    if (m_log) DeregisterEventSource(m_log);
    DeleteCriticalSection(&m_lock);
    InterlockedDecrement(&g_objects);
  }

  // A temporary consumer: WMI impersonates it for this call.
  HRESULT CheckClient(BOOL *granted, LPWSTR *who) {
    HRESULT hr = CoImpersonateClient();
    if (FAILED(hr))
      return hr;
    HANDLE token = nullptr;
    if (!OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &token)) {
      CoRevertToSelf();
      return HRESULT_FROM_WIN32(GetLastError());
    }
    *who = TokenUserString(token);
    PRIVILEGE_SET privileges;
    DWORD privilegesLength = sizeof(privileges);
    DWORD grantedAccess = 0;
    BOOL ok = ::AccessCheck(m_subscribers, token, RIGHT_SUBSCRIBE, &g_mapping, &privileges,
                            &privilegesLength, &grantedAccess, granted);
    DWORD error = GetLastError();
    CloseHandle(token);
    CoRevertToSelf();
    return ok ? S_OK : HRESULT_FROM_WIN32(error);
  }

  // A permanent consumer: the creator's SID against the DACL, ACE by ACE.
  HRESULT CheckSid(PSID sid, LONG sidLength, BOOL *granted, LPWSTR *who) {
    if (sidLength <= 0 || !IsValidSid(sid) || GetLengthSid(sid) != (DWORD)sidLength)
      return WBEM_E_INVALID_PARAMETER;
    ConvertSidToStringSidW(sid, who);
    BOOL present = FALSE, defaulted = FALSE;
    PACL dacl = nullptr;
    if (!GetSecurityDescriptorDacl(m_subscribers, &present, &dacl, &defaulted))
      return WBEM_E_FAILED;
    if (!present || !dacl) {
      *granted = TRUE;
      return WBEM_S_NO_ERROR;
    }
    ACL_SIZE_INFORMATION info;
    if (!GetAclInformation(dacl, &info, sizeof(info), AclSizeInformation))
      return WBEM_E_FAILED;
    for (DWORD i = 0; i < info.AceCount; i++) {
      ACE_HEADER *ace = nullptr;
      if (!GetAce(dacl, i, reinterpret_cast<LPVOID *>(&ace)))
        return WBEM_E_FAILED;
      if (ace->AceType == ACCESS_ALLOWED_ACE_TYPE) {
        ACCESS_ALLOWED_ACE *allow = reinterpret_cast<ACCESS_ALLOWED_ACE *>(ace);
        if ((allow->Mask & RIGHT_SUBSCRIBE) && EqualSid(&allow->SidStart, sid)) {
          *granted = TRUE;
          return WBEM_S_NO_ERROR;
        }
      } else if (ace->AceType == ACCESS_DENIED_ACE_TYPE) {
        ACCESS_DENIED_ACE *deny = reinterpret_cast<ACCESS_DENIED_ACE *>(ace);
        if ((deny->Mask & RIGHT_SUBSCRIBE) && EqualSid(&deny->SidStart, sid))
          break;
      }
    }
    *granted = FALSE;
    return WBEM_S_NO_ERROR;
  }

  static DWORD WINAPI FireThread(void *arg) {
    static_cast<CSecureCppProvider *>(arg)->Fire();
    return 0;
  }

  void Fire() {
    for (DWORD i = 0; i < EVENTS_PER_QUERY; i++) {
      EnterCriticalSection(&m_lock);
      IWbemObjectSink *sink = m_queries > 0 ? m_sink : nullptr;
      if (sink)
        sink->AddRef();
      BSTR consumer = SysAllocString(m_consumer ? m_consumer : L"");
      LeaveCriticalSection(&m_lock);
      IWbemClassObject *event = nullptr;
      if (sink && m_class && consumer && SUCCEEDED(m_class->SpawnInstance(0, &event))) {
        VARIANT v;
        V_VT(&v) = VT_I4;
        V_I4(&v) = InterlockedIncrement(&m_sequence);
        event->Put(L"Sequence", 0, &v, 0);
        V_VT(&v) = VT_BSTR;
        V_BSTR(&v) = consumer;
        event->Put(L"Consumer", 0, &v, 0);
        sink->Indicate(1, &event);
        event->Release();
      }
      SysFreeString(consumer);
      if (sink)
        sink->Release();
    }
  }

  LONG m_ref = 1;
  LONG m_queries = 0;
  LONG m_sequence = 0;
  CRITICAL_SECTION m_lock;            // m_queries, m_sink, m_thread, m_consumer
  IWbemClassObject *m_class = nullptr;
  IWbemObjectSink *m_sink = nullptr;
  PSECURITY_DESCRIPTOR m_subscribers = nullptr;
  LPWSTR m_consumer = nullptr;
  HANDLE m_log = nullptr;
  HANDLE m_thread = nullptr;
};

class CSecureCppFactory : public IClassFactory {
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
    CSecureCppProvider *p = new (std::nothrow) CSecureCppProvider();
    if (!p)
      return E_OUTOFMEMORY;
    HRESULT hr = p->QueryInterface(riid, ppv);
    p->Release();
    return hr;
  }
  STDMETHODIMP LockServer(BOOL) override { return S_OK; }
};

static CSecureCppFactory g_factory;

STDAPI DllGetClassObject(REFCLSID clsid, REFIID riid, void **ppv)
{
  if (!ppv)
    return E_POINTER;
  *ppv = nullptr;
  if (clsid != CLSID_SecureCppProvider)
    return CLASS_E_CLASSNOTAVAILABLE;
  return g_factory.QueryInterface(riid, ppv);
}

STDAPI DllCanUnloadNow()
{
  return g_objects == 0 ? S_OK : S_FALSE;
}

static LONG SetString(HKEY key, LPCWSTR name, LPCWSTR value)
{
  return RegSetValueExW(key, name, 0, REG_SZ, reinterpret_cast<const BYTE *>(value),
                        (DWORD)((lstrlenW(value) + 1) * sizeof(WCHAR)));
}

// HKCR\CLSID\{clsid} = name; \InprocServer32 = this module's path,
// ThreadingModel = Both.
STDAPI DllRegisterServer()
{
  WCHAR path[MAX_PATH];
  DWORD length = GetModuleFileNameW(g_module, path, MAX_PATH);
  if (!length || length == MAX_PATH)
    return SELFREG_E_CLASS;
  HKEY clsid = nullptr, inproc = nullptr;
  LONG err = RegCreateKeyExW(HKEY_CLASSES_ROOT, CLSID_KEY, 0, nullptr, REG_OPTION_NON_VOLATILE,
                             KEY_WRITE, nullptr, &clsid, nullptr);
  if (err == ERROR_SUCCESS)
    err = SetString(clsid, nullptr, PROVIDER_NAME);
  if (err == ERROR_SUCCESS)
    err = RegCreateKeyExW(clsid, L"InprocServer32", 0, nullptr, REG_OPTION_NON_VOLATILE,
                          KEY_WRITE, nullptr, &inproc, nullptr);
  if (err == ERROR_SUCCESS)
    err = SetString(inproc, nullptr, path);
  if (err == ERROR_SUCCESS)
    err = SetString(inproc, L"ThreadingModel", L"Both");
  if (inproc)
    RegCloseKey(inproc);
  if (clsid)
    RegCloseKey(clsid);
  return err == ERROR_SUCCESS ? S_OK : SELFREG_E_CLASS;
}

STDAPI DllUnregisterServer()
{
  LONG err = RegDeleteTreeW(HKEY_CLASSES_ROOT, CLSID_KEY);
  return err == ERROR_SUCCESS || err == ERROR_FILE_NOT_FOUND ? S_OK : SELFREG_E_CLASS;
}
