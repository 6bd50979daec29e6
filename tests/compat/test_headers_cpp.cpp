// Provider-style C++: headers a C++ provider includes (C++ standard
// headers first, which pull <cwchar> and #undef the C names), then the
// same calls as the C half. Returns the number of failed checks.
#include <cstring>
#include <cwchar>
#include <cstdio>
#include <string>
#include <windows.h>
#include <strsafe.h>
#include <wbemidl.h>
#include <wbemprov.h>
#include <objbase.h>
#include <oleauto.h>

#define CHECK(x) do { if (!(x)) { std::printf("check failed: %s (line %d)\n", #x, __LINE__); failures++; } } while (0)

// A provider-shaped class: compiles only if the generated C++ interfaces do.
class probe_provider : public IWbemEventProvider {
public:
    LONG refs = 1;
    HRESULT STDMETHODCALLTYPE QueryInterface(REFIID riid, void **out) override
    {
        if (riid == IID_IUnknown || riid == IID_IWbemEventProvider) {
            *out = static_cast<IWbemEventProvider *>(this);
            AddRef();
            return S_OK;
        }
        *out = nullptr;
        return E_NOINTERFACE;
    }
    ULONG STDMETHODCALLTYPE AddRef() override { return InterlockedIncrement(&refs); }
    ULONG STDMETHODCALLTYPE Release() override { return InterlockedDecrement(&refs); }
    HRESULT STDMETHODCALLTYPE ProvideEvents(IWbemObjectSink *, LONG) override { return WBEM_S_NO_ERROR; }
};

extern "C" int headers_cpp_checks(void)
{
    int failures = 0;
    const WCHAR *ns = L"root\\default";   // WCHAR is wchar_t in C++ too
    wchar_t buf[64];
    CHECK(sizeof(WCHAR) == 2);
    CHECK(wcslen(ns) == 12);
    CHECK(std::wcslen(ns) == 12);
    wcscpy_s(buf, L"abc");                 // the array-size overload
    CHECK(wcscmp(buf, L"abc") == 0);
    CHECK(std::wcscmp(buf, L"abc") == 0);
    CHECK(_wcsicmp(L"ABC", buf) == 0);
    CHECK(swprintf(buf, 64, L"%s=%u", L"n", 3u) == 3);
    CHECK(StringCchPrintfW(buf, 64, L"%d:%s", 12, ns) == S_OK);
    CHECK(wcscmp(buf, L"12:root\\default") == 0);
    CHECK(StringCchCatW(buf, 64, L"!") == S_OK);
    CHECK(wcslen(buf) == 16);
    CHECK(wcschr(buf, L'!') == buf + 15);
    std::wstring s(L"wide");               // char_traits<wchar_t> goes through the 16-bit functions
    CHECK(s.size() == 4);
    CHECK(s.find(L'd') == 2);
    std::wstring grown = s + L"-and-a-tail-longer-than-the-small-buffer";
    CHECK(grown.size() == 44);
    CHECK(grown.compare(0, 4, L"wide") == 0);
    CHECK(grown.rfind(L"buffer") == 38);
    CHECK(wcslen(grown.c_str()) == 44);
    BSTR b = SysAllocString(ns);
    CHECK(SysStringLen(b) == 12);
    SysFreeString(b);
    probe_provider p;
    IUnknown *unk = nullptr;
    CHECK(p.QueryInterface(IID_IUnknown, reinterpret_cast<void **>(&unk)) == S_OK);
    CHECK(p.refs == 2);
    return failures;
}
