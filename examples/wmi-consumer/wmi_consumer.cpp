// A WMI event consumer written for Windows, as Microsoft's "Receiving a WMI
// Event" describes one (https://learn.microsoft.com/windows/win32/wmisdk/receiving-a-wmi-event):
// initialise COM and its security, connect to a namespace through
// IWbemLocator, set the proxy blanket, then either subscribe asynchronously
// (ExecNotificationQueryAsync with an IWbemObjectSink, cancelled with
// CancelAsyncCall) or semisynchronously (ExecNotificationQuery, then
// IEnumWbemClassObject::Next with a timeout).
//
// Nothing in it is specific to wmiemu: it builds with MinGW-w64
// (x86_64-w64-mingw32-g++ wmi_consumer.cpp -lole32 -loleaut32 -lwbemuuid)
// and runs against Windows' WMI, and on Linux it links libwmiemu, whose
// CoCreateInstance connects it to a host made from the environment
// (WMIEMU_MOF, WMIEMU_PROVIDER; README, "Consumer COM API").
//
// Usage: wmi_consumer async|semisync [COUNT [QUERY [NAMESPACE]]]
// Prints one line per event (its class, and Sequence and Message when it has
// them) until COUNT events (default 5) arrived or 10 seconds passed; exit
// status 0 when COUNT events arrived.
#define _WIN32_DCOM
#include <windows.h>
#include <wbemidl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

namespace {

// Wide text to the console, as ASCII: the program's output stays narrow on
// every system.
void print_wide(const WCHAR *text) {
    for (; text && *text; text++)
        putchar(*text < 128 ? (char)*text : '?');
}

void print_event(IWbemClassObject *event) {
    VARIANT v;
    VariantInit(&v);
    if (SUCCEEDED(event->Get(L"__CLASS", 0, &v, NULL, NULL)) && V_VT(&v) == VT_BSTR)
        print_wide(V_BSTR(&v));
    VariantClear(&v);
    if (SUCCEEDED(event->Get(L"Sequence", 0, &v, NULL, NULL)) && V_VT(&v) == VT_I4)
        printf(" Sequence=%ld", (long)V_I4(&v));
    VariantClear(&v);
    if (SUCCEEDED(event->Get(L"Message", 0, &v, NULL, NULL)) && V_VT(&v) == VT_BSTR) {
        printf(" Message=");
        print_wide(V_BSTR(&v));
    }
    VariantClear(&v);
    printf("\n");
    fflush(stdout);
}

// The asynchronous consumer's sink. WMI calls Indicate from its own thread;
// the main thread waits on `done` until enough events came.
class EventSink final : public IWbemObjectSink {
public:
    EventSink(LONG wanted) : ref_(1), received_(0), wanted_(wanted), status_(S_OK), completed_(false) {
        done_ = CreateEventW(NULL, TRUE, FALSE, NULL);
    }
    ~EventSink() { CloseHandle(done_); }

    ULONG STDMETHODCALLTYPE AddRef() { return InterlockedIncrement(&ref_); }
    ULONG STDMETHODCALLTYPE Release() {
        LONG ref = InterlockedDecrement(&ref_);
        if (!ref)
            delete this;
        return ref;
    }
    HRESULT STDMETHODCALLTYPE QueryInterface(REFIID riid, void **ppv) {
        if (riid == IID_IUnknown || riid == IID_IWbemObjectSink) {
            *ppv = static_cast<IWbemObjectSink *>(this);
            AddRef();
            return WBEM_S_NO_ERROR;
        }
        *ppv = NULL;
        return E_NOINTERFACE;
    }

    HRESULT STDMETHODCALLTYPE Indicate(LONG count, IWbemClassObject **objects) {
        for (LONG i = 0; i < count; i++) {
            print_event(objects[i]);
            if (InterlockedIncrement(&received_) == wanted_)
                SetEvent(done_);
        }
        return WBEM_S_NO_ERROR;
    }

    HRESULT STDMETHODCALLTYPE SetStatus(LONG flags, HRESULT result, BSTR param, IWbemClassObject *object) {
        (void)param;
        (void)object;
        if (flags == WBEM_STATUS_COMPLETE) {
            status_ = result;
            completed_ = true;
            printf("SetStatus: complete, 0x%08x\n", (unsigned)result);
        }
        return WBEM_S_NO_ERROR;
    }

    HANDLE done() const { return done_; }
    LONG received() const { return received_; }
    bool completed() const { return completed_; }

private:
    LONG ref_;
    LONG received_;
    LONG wanted_;
    HRESULT status_;
    bool completed_;
    HANDLE done_;
};

const DWORD wait_ms = 10000;

int run_async(IWbemServices *services, BSTR language, BSTR query, LONG wanted) {
    EventSink *sink = new EventSink(wanted);
    HRESULT hr = services->ExecNotificationQueryAsync(language, query, WBEM_FLAG_SEND_STATUS, NULL, sink);
    if (FAILED(hr)) {
        printf("ExecNotificationQueryAsync failed: 0x%08x\n", (unsigned)hr);
        sink->Release();
        return 1;
    }
    WaitForSingleObject(sink->done(), wait_ms);
    hr = services->CancelAsyncCall(sink);
    LONG received = sink->received();
    printf("async: %ld event(s), CancelAsyncCall 0x%08x, %s\n", (long)received, (unsigned)hr,
           sink->completed() ? "SetStatus seen" : "no SetStatus");
    sink->Release();
    return received >= wanted ? 0 : 1;
}

int run_semisync(IWbemServices *services, BSTR language, BSTR query, LONG wanted) {
    IEnumWbemClassObject *events = NULL;
    HRESULT hr = services->ExecNotificationQuery(language, query,
                                                 WBEM_FLAG_RETURN_IMMEDIATELY | WBEM_FLAG_FORWARD_ONLY,
                                                 NULL, &events);
    if (FAILED(hr)) {
        printf("ExecNotificationQuery failed: 0x%08x\n", (unsigned)hr);
        return 1;
    }
    LONG received = 0;
    DWORD start = GetTickCount();
    while (received < wanted && GetTickCount() - start < wait_ms) {
        IWbemClassObject *event = NULL;
        ULONG returned = 0;
        hr = events->Next(1000, 1, &event, &returned);
        if (FAILED(hr)) {
            printf("Next failed: 0x%08x\n", (unsigned)hr);
            break;
        }
        if (hr == WBEM_S_TIMEDOUT)
            continue;
        if (!returned)
            break;
        print_event(event);
        event->Release();
        received++;
    }
    events->Release();
    printf("semisync: %ld event(s)\n", (long)received);
    return received >= wanted ? 0 : 1;
}

// Command-line text (ASCII) as a BSTR.
BSTR wide_bstr(const char *text) {
    UINT n = (UINT)strlen(text);
    BSTR b = SysAllocStringLen(NULL, n);
    for (UINT i = 0; b && i < n; i++)
        b[i] = (WCHAR)(unsigned char)text[i];
    return b;
}

// Everything from COM's initialisation to its end; the exit status.
int consume(bool async, BSTR ns, BSTR language, BSTR query, LONG wanted) {
    HRESULT hr = CoInitializeEx(0, COINIT_MULTITHREADED);
    if (FAILED(hr)) {
        printf("CoInitializeEx failed: 0x%08x\n", (unsigned)hr);
        return 1;
    }
    hr = CoInitializeSecurity(NULL, -1, NULL, NULL, RPC_C_AUTHN_LEVEL_DEFAULT, RPC_C_IMP_LEVEL_IMPERSONATE,
                              NULL, EOAC_NONE, NULL);
    if (FAILED(hr)) {
        printf("CoInitializeSecurity failed: 0x%08x\n", (unsigned)hr);
        CoUninitialize();
        return 1;
    }

    IWbemLocator *locator = NULL;
    hr = CoCreateInstance(CLSID_WbemLocator, 0, CLSCTX_INPROC_SERVER, IID_IWbemLocator, (LPVOID *)&locator);
    if (FAILED(hr)) {
        printf("CoCreateInstance(CLSID_WbemLocator) failed: 0x%08x\n", (unsigned)hr);
        CoUninitialize();
        return 1;
    }

    IWbemServices *services = NULL;
    hr = locator->ConnectServer(ns, NULL, NULL, NULL, 0, NULL, NULL, &services);
    if (FAILED(hr)) {
        printf("ConnectServer failed: 0x%08x\n", (unsigned)hr);
        locator->Release();
        CoUninitialize();
        return 1;
    }

    hr = CoSetProxyBlanket(services, RPC_C_AUTHN_WINNT, RPC_C_AUTHZ_NONE, NULL, RPC_C_AUTHN_LEVEL_CALL,
                           RPC_C_IMP_LEVEL_IMPERSONATE, NULL, EOAC_NONE);
    int status = 1;
    if (FAILED(hr))
        printf("CoSetProxyBlanket failed: 0x%08x\n", (unsigned)hr);
    else if (async)
        status = run_async(services, language, query, wanted);
    else
        status = run_semisync(services, language, query, wanted);

    services->Release();
    locator->Release();
    CoUninitialize();
    return status;
}

} // namespace

int main(int argc, char **argv) {
    if (argc < 2 || (strcmp(argv[1], "async") && strcmp(argv[1], "semisync"))) {
        printf("usage: wmi_consumer async|semisync [COUNT [QUERY [NAMESPACE]]]\n");
        return 2;
    }
    LONG wanted = argc > 2 ? atol(argv[2]) : 5;
    BSTR query = wide_bstr(argc > 3 ? argv[3] : "SELECT * FROM SampleTick");
    BSTR ns = wide_bstr(argc > 4 ? argv[4] : "ROOT\\CIMV2");
    BSTR language = SysAllocString(L"WQL");
    int status = consume(!strcmp(argv[1], "async"), ns, language, query, wanted);
    SysFreeString(language);
    SysFreeString(ns);
    SysFreeString(query);
    return status;
}
